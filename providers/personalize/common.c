/*
 * common.c - helpers shared by the Personalize descriptors, and the
 * provider's registration.
 */
#include <stdio.h>
#include <string.h>

#include "avro.h"
#include "core/error.h"
#include "core/provider_ops.h"
#include "core/unknown.h"
#include "pers.h"
#include "personalize.h"

const char *const pz_pers_dataset_types[] = {
    "Interactions", "Items", "Users", "Actions", "ActionInteractions",
};
const size_t pz_pers_ndataset_types = PZ_ARRAY_LEN(pz_pers_dataset_types);

const char *pz_pers_dataset_api_type(const char *key)
{
	return strcmp(key, "ActionInteractions") == 0 ? "Action_Interactions"
						      : key;
}

void pz_personalize_register(void)
{
	static const struct pz_rtype *const all[] = {
	    &pz_rtype_schema,
	    &pz_rtype_dataset_group,
	    &pz_rtype_dataset,
	    &pz_rtype_dataset_import_job,
	    &pz_rtype_event_tracker,
	    &pz_rtype_metric_attribution,
	    &pz_rtype_filter,
	    &pz_rtype_solution,
	    &pz_rtype_solution_version,
	    &pz_rtype_recommender,
	    &pz_rtype_campaign,
	    &pz_rtype_batch_inference_job,
	    &pz_rtype_batch_segment_job,
	};
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(all); i++)
		pz_provider_register(all[i]);
	pz_provider_set_ops(&pz_personalize_ops);
}

void pz_pers_error(struct pz_spec *spec, struct pz_pos pos, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(spec->diags, PZ_SEV_ERROR, spec->path, pos, fmt, ap);
	va_end(ap);
}

void pz_pers_warning(struct pz_spec *spec, struct pz_pos pos, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(spec->diags, PZ_SEV_WARNING, spec->path, pos, fmt, ap);
	va_end(ap);
}

void pz_pers_need_group(struct pz_spec *spec, struct pz_resource *r)
{
	struct pz_resource *g = pz_spec_dataset_group(spec);
	size_t i;

	if (g) {
		pz_spec_add_dep(spec, r, pz_spec_index(spec, g));
		return;
	}
	/* Report once: at the first declared resource. */
	for (i = 0; i < spec->nresources; i++) {
		if (spec->resources[i]->origin)
			continue;
		if (spec->resources[i] == r)
			pz_pers_error(spec, r->pos,
				      "%s needs a dataset group: add a "
				      "datasetGroup section with a name",
				      r->address);
		return;
	}
}

void pz_pers_need_data(struct pz_spec *spec, struct pz_resource *r)
{
	size_t i;

	for (i = 0; i < pz_pers_ndataset_types; i++) {
		const char *t = pz_pers_dataset_types[i];
		struct pz_resource *d = pz_spec_find_type(spec, "dataset", t);
		struct pz_resource *j =
		    pz_spec_find_type(spec, "dataset_import_job", t);

		if (d)
			pz_spec_add_dep(spec, r, d->index);
		if (j)
			pz_spec_add_dep(spec, r, j->index);
	}
}

struct pz_pos pz_pers_pos(const struct pz_resource *r, const char *member)
{
	const struct pz_pair *p = pz_node_get_pair(r->body, member);

	return p ? p->value->pos : r->pos;
}

struct pz_pos pz_pers_pz_pos(const struct pz_resource *r, const char *member)
{
	const struct pz_pair *p = pz_node_get_pair(r->pz, member);

	return p ? p->value->pos : r->pos;
}

char *pz_pers_arn(const char *region, const char *account, const char *path)
{
	return pz_xasprintf("arn:%s:personalize:%s:%s:%s",
			    pz_str_has_prefix(region, "cn-") ? "aws-cn"
			    : pz_str_has_prefix(region, "us-gov-")
				? "aws-us-gov"
				: "aws",
			    region, account, path);
}

char *pz_pers_dataset_path(const char *group, const char *api_type)
{
	char *p = pz_xasprintf("%s/%s/%s", pz_rtype_dataset.arn_type, group,
			       api_type);
	size_t i;

	for (i = strlen(p) - strlen(api_type); p[i]; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] = (char)(p[i] - 'a' + 'A');
	return p;
}

const char *pz_pers_pz_str(const struct pz_resource *r, const char *member)
{
	return pz_node_str(pz_node_get(r->pz, member));
}

static void list_keys(const struct pz_spec *spec, const char *type, char *out,
		      size_t n)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < spec->nresources; i++) {
		const struct pz_resource *s = spec->resources[i];
		int k;

		if (strcmp(s->type->name, type) != 0)
			continue;
		k = snprintf(out + used, n - used, "%s%s", used ? ", " : "",
			     s->key);
		if (k < 0 || (size_t)k >= n - used)
			break;
		used += (size_t)k;
	}
}

struct pz_resource *pz_pers_solution_of(struct pz_spec *spec,
					struct pz_resource *r,
					bool by_campaign_name)
{
	const char *want = pz_pers_pz_str(r, "solution");
	struct pz_resource *only = NULL, *s;
	size_t i, count = 0;
	char keys[512];

	if (want) {
		s = pz_spec_find_type(spec, "solution", want);
		if (s)
			return s;
		list_keys(spec, "solution", keys, sizeof(keys));
		{
			const char *cands[256];
			size_t nc = 0;
			const char *best;

			for (i = 0; i < spec->nresources && nc < 256; i++)
				if (!strcmp(spec->resources[i]->type->name,
					    "solution"))
					cands[nc++] = spec->resources[i]->key;
			best = pz_str_suggest(want, cands, nc);
			if (best)
				pz_pers_error(spec,
					      pz_pers_pz_pos(r, "solution"),
					      "%s uses solution '%s', which "
					      "the spec does not declare; did "
					      "you mean '%s'?",
					      r->address, want, best);
			else
				pz_pers_error(
				    spec, pz_pers_pz_pos(r, "solution"),
				    "%s uses solution '%s', which "
				    "the spec does not declare "
				    "(solutions: %s)",
				    r->address, want, keys[0] ? keys : "none");
		}
		return NULL;
	}
	if (by_campaign_name && pz_str_has_suffix(r->key, "Campaign")) {
		char key[256];
		size_t kl = strlen(r->key) - strlen("Campaign");

		if (kl < sizeof(key)) {
			memcpy(key, r->key, kl);
			key[kl] = '\0';
			s = pz_spec_find_type(spec, "solution", key);
			if (s)
				return s;
		}
	}
	for (i = 0; i < spec->nresources; i++) {
		s = spec->resources[i];
		if (strcmp(s->type->name, "solution") != 0)
			continue;
		count++;
		only = s;
	}
	if (count == 1)
		return only;
	if (count == 0) {
		pz_pers_error(spec, r->pos,
			      "%s needs a solution, and the spec declares none",
			      r->address);
		return NULL;
	}
	list_keys(spec, "solution", keys, sizeof(keys));
	pz_pers_error(spec, r->pos,
		      "%s: cannot tell which solution it uses; set "
		      "pz.solution to one of: %s",
		      r->address, keys);
	return NULL;
}

const struct pz_avro_schema *pz_pers_dataset_schema(const struct pz_spec *spec,
						    const char *type)
{
	const struct pz_resource *d = pz_spec_find_type(spec, "dataset", type);

	return d ? d->data : NULL;
}

int pz_pers_parse_arn(const char *text, struct pz_arn *out)
{
	const char *f[6], *p = text, *res;
	size_t i;
	int n;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, ':');
		if (!p)
			goto bad;
		p++;
	}
	res = f[5] = p;
	if (strncmp(f[0], "arn:", 4) || strncmp(f[2], "personalize:", 12))
		goto bad;
	if ((size_t)(f[4] - f[3]) > sizeof(out->region))
		goto bad;
	snprintf(out->region, sizeof(out->region), "%.*s",
		 (int)(f[4] - f[3] - 1), f[3]);
	if ((size_t)(f[5] - f[4]) > sizeof(out->account))
		goto bad;
	snprintf(out->account, sizeof(out->account), "%.*s",
		 (int)(f[5] - f[4] - 1), f[4]);
	p = strchr(res, '/');
	if (!p || p == res || (size_t)(p - res) >= sizeof(out->type))
		goto bad;
	snprintf(out->type, sizeof(out->type), "%.*s", (int)(p - res), res);
	for (n = 0; p; p = strchr(p + 1, '/')) {
		if (!p[1] || p[1] == '/')
			goto bad;
		n++;
	}
	out->parts = n;
	return 0;
bad:
	return pz_error_set(PZ_EINVAL,
			    "'%s' is not an Amazon Personalize ARN "
			    "(arn:aws:personalize:REGION:ACCOUNT:TYPE/NAME)",
			    text);
}

void pz_pers_ref(cJSON *body, const char *member, const char *address)
{
	cJSON_DeleteItemFromObjectCaseSensitive(body, member);
	cJSON_AddItemToObject(body, member, pz_unknown_new(address));
}

void pz_pers_supply_group(const struct pz_spec *spec,
			  const struct pz_resource *r, cJSON *body)
{
	const struct pz_resource *g = pz_spec_dataset_group(spec);

	(void)r;
	if (g)
		pz_pers_ref(body, "datasetGroupArn", g->address);
}

const char *pz_pers_domain(const struct pz_spec *spec)
{
	const struct pz_resource *g = pz_spec_dataset_group(spec);

	return g ? pz_resource_str(g, "domain") : NULL;
}

const char *pz_pers_recipe(const struct pz_resource *solution)
{
	const char *arn =
	    solution ? pz_resource_str(solution, "recipeArn") : NULL;
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	return slash ? slash + 1 : NULL;
}

bool pz_pers_auto_training(const struct pz_resource *solution)
{
	const struct pz_node *n = pz_node_get(solution ? solution->body : NULL,
					      "performAutoTraining");

	return !(n && n->kind == PZ_NODE_BOOL && !n->b);
}

char *pz_pers_run_name(const struct pz_spec *spec, const char *middle,
		       long long seq)
{
	const struct pz_resource *g = pz_spec_dataset_group(spec);
	const char *group = g && g->name ? g->name : "";
	char tail[160];
	int room;

	snprintf(tail, sizeof(tail), "-%s-%lld", middle, seq);
	/* Names are at most 63 characters: the group gives way. */
	room = 63 - 3 - (int)strlen(tail);
	if (room < 1)
		return pz_xasprintf("pz%.60s", tail);
	return pz_xasprintf("pz-%.*s%s", room, group, tail);
}
