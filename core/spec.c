/*
 * spec.c - loading a spec into typed resources and checking it.
 */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "state.h"

static void err(struct pz_spec *spec, struct pz_pos pos, const char *fmt, ...)
    PZ_PRINTF(3, 4);

static void err(struct pz_spec *spec, struct pz_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(spec->diags, PZ_SEV_ERROR, spec->path, pos, fmt, ap);
	va_end(ap);
}

static uint64_t hash_str(const char *s)
{
	return pz_hash_bytes(s, strlen(s));
}

static void index_insert(struct pz_spec *spec, size_t idx)
{
	size_t mask = spec->by_address_cap - 1;
	size_t slot = (size_t)hash_str(spec->resources[idx]->address) & mask;

	while (spec->by_address[slot])
		slot = (slot + 1) & mask;
	spec->by_address[slot] = idx + 1;
}

/* Rebuilds the index larger when it is half full; true when it did
 * (then every resource, the newest included, is in it). */
static bool index_grow(struct pz_spec *spec)
{
	size_t i;

	if (spec->nresources * 2 < spec->by_address_cap)
		return false;
	free(spec->by_address);
	spec->by_address_cap =
	    spec->by_address_cap ? spec->by_address_cap * 2 : 64;
	spec->by_address =
	    pz_xcalloc(spec->by_address_cap, sizeof(*spec->by_address));
	for (i = 0; i < spec->nresources; i++)
		index_insert(spec, i);
	return true;
}

struct pz_resource *pz_spec_find(const struct pz_spec *spec,
				 const char *address)
{
	size_t mask, slot;

	if (!spec->by_address_cap)
		return NULL;
	mask = spec->by_address_cap - 1;
	slot = (size_t)hash_str(address) & mask;
	for (; spec->by_address[slot]; slot = (slot + 1) & mask) {
		struct pz_resource *r =
		    spec->resources[spec->by_address[slot] - 1];

		if (strcmp(r->address, address) == 0)
			return r;
	}
	return NULL;
}

struct pz_resource *pz_spec_find_type(const struct pz_spec *spec,
				      const char *type, const char *key)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s.%s", type, key);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL; /* longer than any valid address */
	return pz_spec_find(spec, buf);
}

size_t pz_spec_index(const struct pz_spec *spec, const struct pz_resource *r)
{
	if (r->index >= spec->nresources || spec->resources[r->index] != r)
		PZ_BUG("resource %s is not in the spec", r->address);
	return r->index;
}

struct pz_resource *pz_spec_dataset_group(const struct pz_spec *spec)
{
	size_t i;

	for (i = 0; i < spec->nresources; i++)
		if (spec->resources[i]->type->is_group)
			return spec->resources[i];
	return NULL;
}

const char *pz_resource_str(const struct pz_resource *r, const char *member)
{
	return pz_node_str(pz_node_get(r->body, member));
}

static struct pz_resource *add_resource(struct pz_spec *spec,
					const struct pz_rtype *type,
					const char *key, struct pz_pos pos)
{
	struct pz_resource *r;
	char *address = pz_arena_printf(&spec->arena, "%s.%s", type->name, key);
	struct pz_resource *old = pz_spec_find(spec, address);

	if (old) {
		err(spec, pos, "%s is declared twice (first at line %u)",
		    address, old->pos.line);
		return NULL;
	}
	r = pz_arena_alloc(&spec->arena, sizeof(*r));
	r->type = type;
	r->key = pz_arena_strdup(&spec->arena, key);
	r->address = address;
	r->pos = pos;
	r->index = spec->nresources;
	PZ_GROW(spec->resources, spec->nresources, spec->resources_cap);
	spec->resources[spec->nresources++] = r;
	if (!index_grow(spec))
		index_insert(spec, r->index);
	return r;
}

struct pz_resource *pz_spec_add_derived(struct pz_spec *spec, const char *type,
					const char *key,
					struct pz_resource *origin)
{
	const struct pz_rtype *t = pz_rtype_find(type);
	struct pz_resource *r;

	if (!t)
		PZ_BUG("unknown resource type '%s'", type);
	r = add_resource(spec, t, key, origin->pos);
	if (r)
		r->origin = origin;
	return r;
}

void pz_spec_add_dep(struct pz_spec *spec, struct pz_resource *r, size_t dep)
{
	size_t i;

	PZ_ASSERT(dep < spec->nresources);
	for (i = 0; i < r->ndeps; i++)
		if (r->deps[i] == dep)
			return;
	PZ_GROW(r->deps, r->ndeps, r->deps_cap);
	r->deps[r->ndeps++] = dep;
}

static const struct pz_rtype *section_type(const struct pz_section *sec)
{
	const struct pz_rtype *t = pz_rtype_find(sec->type);

	if (!t)
		PZ_BUG("no provider registered resource type '%s'", sec->type);
	return t;
}

static bool valid_key(const char *s)
{
	return pz_state_key_valid(s);
}

/* Declares one entry of a section. key_node is NULL when the key comes
 * from the entry's name. */
static void add_entry(struct pz_spec *spec, struct pz_check *chk,
		      const struct pz_section *sec, const char *key,
		      struct pz_pos at, const struct pz_node *entry,
		      const char *path)
{
	struct pz_resource *r;

	chk->section = sec;
	pz_check_node(chk, entry, pz_facts_shape(sec->shape), path, at);
	if (entry->kind != PZ_NODE_MAP)
		return;
	r = add_resource(spec, section_type(sec), key, at);
	if (!r)
		return;
	r->section = sec;
	r->body = entry;
	r->pz = pz_node_get(entry, "pz");
	r->name = pz_node_str(pz_node_get(entry, sec->name_member));
}

/* The key of a single entry or a list entry: its name when that makes a
 * valid key, else fallback. */
static const char *entry_key(const struct pz_section *sec,
			     const struct pz_node *entry, const char *fallback)
{
	const char *name = pz_node_str(pz_node_get(entry, sec->name_member));

	return name && valid_key(name) ? name : fallback;
}

static void load_section(struct pz_spec *spec, struct pz_check *chk,
			 const struct pz_section *sec,
			 const struct pz_pair *pair)
{
	const struct pz_node *n = pair->value;
	char path[300], fallback[32];
	size_t i, k;

	switch (sec->form) {
	case PZ_FORM_SETTINGS:
	case PZ_FORM_TAGS:
		chk->section = NULL;
		pz_check_node(chk, n, pz_facts_shape(sec->shape), sec->key,
			      pair->key_pos);
		if (sec->form == PZ_FORM_TAGS)
			spec->tags = n;
		return;
	case PZ_FORM_SINGLE:
		add_entry(spec, chk, sec, entry_key(sec, n, sec->key),
			  pair->key_pos, n, sec->key);
		return;
	case PZ_FORM_MAP:
	case PZ_FORM_MAP_OR_LIST: break;
	}
	if (n->kind == PZ_NODE_SEQ && sec->form == PZ_FORM_MAP_OR_LIST) {
		for (i = 0; i < n->nitems; i++) {
			const struct pz_node *e = n->items[i];

			snprintf(fallback, sizeof(fallback), "%zu", i);
			snprintf(path, sizeof(path), "%s[%zu]", sec->key, i);
			add_entry(spec, chk, sec, entry_key(sec, e, fallback),
				  e->pos, e, path);
		}
		return;
	}
	if (n->kind != PZ_NODE_MAP) {
		err(spec, n->pos,
		    "%s must be a map of entries by key%s, not %s", sec->key,
		    sec->form == PZ_FORM_MAP_OR_LIST ? " or a list" : "",
		    pz_node_kind_name(n->kind));
		return;
	}
	for (i = 0; i < n->npairs; i++) {
		const struct pz_pair *p = &n->pairs[i];

		snprintf(path, sizeof(path), "%s.%s", sec->key, p->key);
		if (sec->nkeys) {
			for (k = 0; k < sec->nkeys; k++)
				if (!strcmp(p->key, sec->keys[k]))
					break;
			if (k == sec->nkeys) {
				const char *best = pz_str_suggest(
				    p->key, sec->keys, sec->nkeys);

				if (best)
					err(spec, p->key_pos,
					    "'%s' is not a dataset type; did "
					    "you mean '%s'?",
					    p->key, best);
				else
					err(spec, p->key_pos,
					    "'%s' is not a dataset type (use "
					    "Interactions, Items, Users, "
					    "Actions or ActionInteractions)",
					    p->key);
				continue;
			}
		} else if (!valid_key(p->key)) {
			err(spec, p->key_pos,
			    "'%s' is not a valid key in %s: use letters, "
			    "digits, '-' and '_'",
			    p->key, sec->key);
			continue;
		}
		add_entry(spec, chk, sec, p->key, p->key_pos, p->value, path);
	}
}

static const char *setting(const struct pz_node *n, const char *path)
{
	char buf[128];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		size_t len = (size_t)(dot - path);

		if (len >= sizeof(buf))
			return NULL;
		memcpy(buf, path, len);
		buf[len] = '\0';
		n = pz_node_get(n, buf);
		path = dot + 1;
	}
	return pz_node_str(pz_node_get(n, path));
}

static void load_settings(struct pz_spec *spec, const struct pz_node *pz)
{
	struct pz_settings *s = &spec->settings;
	const struct pz_node *enc;

	s->node = pz;
	if (!pz || pz->kind != PZ_NODE_MAP)
		return;
	s->region = setting(pz, "region");
	s->profile = setting(pz, "profile");
	s->data_location = setting(pz, "dataLocation");
	s->role_arn = setting(pz, "roleArn");
	s->sns_topic_arn = setting(pz, "notify.snsTopicArn");
	s->webhook_url = setting(pz, "notify.webhookUrl");
	s->prices = setting(pz, "prices");
	s->state_path = setting(pz, "backend.local.path");
	if (pz_node_get(pz_node_get(pz, "backend"), "s3")) {
		s->backend = PZ_BACKEND_S3;
		s->s3_bucket = setting(pz, "backend.s3.bucket");
		s->s3_key = setting(pz, "backend.s3.key");
		s->s3_region = setting(pz, "backend.s3.region");
		s->s3_kms_key_id = setting(pz, "backend.s3.kmsKeyId");
		s->s3_workspace_prefix =
		    setting(pz, "backend.s3.workspacePrefix");
		enc = pz_node_get(pz_node_get(pz_node_get(pz, "backend"), "s3"),
				  "encrypt");
		s->s3_encrypt = enc && enc->kind == PZ_NODE_BOOL && enc->b;
	}
}

static void resolve_depends_on(struct pz_spec *spec, struct pz_resource *r)
{
	const struct pz_node *list = pz_node_get(r->pz, "dependsOn");
	size_t i, j;

	if (!list || list->kind != PZ_NODE_SEQ)
		return;
	for (i = 0; i < list->nitems; i++) {
		const char *addr = pz_node_str(list->items[i]);
		struct pz_resource *dep;

		if (!addr)
			continue;
		dep = pz_spec_find(spec, addr);
		if (!dep) {
			const char **all =
			    pz_xcalloc(spec->nresources, sizeof(*all));
			const char *best;

			for (j = 0; j < spec->nresources; j++)
				all[j] = spec->resources[j]->address;
			best = pz_str_suggest(addr, all, spec->nresources);
			if (best)
				err(spec, list->items[i]->pos,
				    "%s depends on '%s', which the spec does "
				    "not declare; did you mean '%s'?",
				    r->address, addr, best);
			else
				err(spec, list->items[i]->pos,
				    "%s depends on '%s', which the spec does "
				    "not declare",
				    r->address, addr);
			free(all);
			continue;
		}
		if (dep == r) {
			err(spec, list->items[i]->pos,
			    "%s cannot depend on itself", r->address);
			continue;
		}
		pz_spec_add_dep(spec, r, pz_spec_index(spec, dep));
	}
}

static void check_names(struct pz_spec *spec)
{
	size_t n = spec->nresources, cap = 64, mask, i;
	size_t *slots;

	/* Names are unique per type within a dataset group (and schemas
	 * per account): two entries with one name would collide in AWS. */
	while (cap < n * 2)
		cap *= 2;
	mask = cap - 1;
	slots = pz_xcalloc(cap, sizeof(*slots));
	for (i = 0; i < n; i++) {
		struct pz_resource *a = spec->resources[i];
		size_t slot;

		if (!a->name || !a->section)
			continue;
		slot = (size_t)(hash_str(a->name) ^ hash_str(a->type->name)) &
		       mask;
		for (; slots[slot]; slot = (slot + 1) & mask) {
			struct pz_resource *b =
			    spec->resources[slots[slot] - 1];
			const struct pz_node *nn;

			if (b->type != a->type || strcmp(a->name, b->name))
				continue;
			nn = pz_node_get(a->body, a->section->name_member);
			err(spec, nn ? nn->pos : a->pos,
			    "%s '%s' is also the name of %s (line %u); names "
			    "must be unique",
			    a->type->label, a->name, b->address, b->pos.line);
			break;
		}
		if (!slots[slot])
			slots[slot] = i + 1;
	}
	free(slots);
}

static void cost_warnings(struct pz_spec *spec)
{
	size_t i;

	for (i = 0; i < spec->nresources; i++) {
		struct pz_resource *r = spec->resources[i];

		if (r->section && r->type->cost_advice)
			r->type->cost_advice(spec, r);
	}
}

/* A -var the spec neither declares (pz.vars) nor uses (${var:NAME}) is
 * most likely a typo: said, as Terraform says it, not ignored. */
static void warn_unused_vars(struct pz_spec *spec,
			     const struct pz_spec_var *vars, size_t nvars)
{
	const struct pz_node *decl =
	    pz_node_get(pz_node_get(spec->doc->root, "pz"), "vars");
	struct pz_pos none = {0, 0, 0};
	size_t i, k;

	for (i = 0; i < nvars; i++) {
		char *ref = pz_xasprintf("${var:%s}", vars[i].name);
		bool used = pz_node_get(decl, vars[i].name) ||
			    strstr(spec->doc->text, ref);

		for (k = 0; k < i && !used; k++)
			if (!strcmp(vars[k].name, vars[i].name))
				used = true; /* said once */
		if (!used)
			pz_diag_add(spec->diags, PZ_SEV_WARNING, spec->path,
				    none,
				    "-var %s: the spec neither declares it "
				    "(pz.vars) nor uses it (${var:%s}); is the "
				    "name right?",
				    vars[i].name, vars[i].name);
		free(ref);
	}
}

static int load(struct pz_spec **out, struct pz_doc *doc,
		const struct pz_spec_var *vars, size_t nvars,
		struct pz_diags *diags)
{
	struct pz_spec *spec;
	struct pz_check chk;
	const struct pz_node *root = doc->root;
	const char *keys[64];
	size_t i, nk = 0, errors_before = diags->nerrors;
	size_t *order;

	if (pz_rtype_count() == 0)
		PZ_BUG("no resource types registered");
	spec = pz_xcalloc(1, sizeof(*spec));
	pz_arena_init(&spec->arena);
	spec->doc = doc;
	spec->path = doc->path;
	spec->diags = diags;
	*out = spec;

	if (!root || root->kind != PZ_NODE_MAP) {
		struct pz_pos p = {1, 1, 0};

		err(spec, root ? root->pos : p,
		    "a spec is a map of sections (datasetGroup, datasets, "
		    "solutions, ...), not %s",
		    root ? pz_node_kind_name(root->kind) : "an empty file");
		return PZ_ESPEC;
	}
	pz_spec_interpolate(doc, vars, nvars, diags);
	warn_unused_vars(spec, vars, nvars);

	memset(&chk, 0, sizeof(chk));
	chk.file = doc->path;
	chk.diags = diags;
	chk.settings = pz_node_get(root, "pz");
	load_settings(spec, chk.settings);
	for (i = 0; i < pz_nsections && nk < PZ_ARRAY_LEN(keys); i++)
		keys[nk++] = pz_sections[i].key;

	for (i = 0; i < root->npairs; i++) {
		const struct pz_pair *p = &root->pairs[i];
		const struct pz_section *sec = pz_facts_section(p->key);

		if (!sec) {
			const char *best = pz_str_suggest(p->key, keys, nk);

			if (best)
				err(spec, p->key_pos,
				    "unknown section '%s'; did you mean '%s'?",
				    p->key, best);
			else
				err(spec, p->key_pos,
				    "unknown section '%s' (sections: "
				    "datasetGroup, datasets, solutions, "
				    "campaigns, eventTracker, filters, "
				    "recommenders, batchInferenceJobs, "
				    "batchSegmentJobs, metricAttribution, "
				    "tags, pz)",
				    p->key);
			continue;
		}
		if (sec->alias && pz_node_get(root, sec->alias)) {
			err(spec, p->key_pos,
			    "use either '%s' or '%s', not both", sec->key,
			    sec->alias);
			continue;
		}
		load_section(spec, &chk, sec, p);
	}

	/* Derived resources and inferred dependencies, then declared ones.
	 * expand() may append: walk by index over the declared ones. */
	for (i = 0, nk = spec->nresources; i < nk; i++)
		if (spec->resources[i]->type->expand)
			spec->resources[i]->type->expand(
			    spec, spec->resources[i], diags);
	for (i = 0; i < spec->nresources; i++)
		if (spec->resources[i]->type->link)
			spec->resources[i]->type->link(spec, spec->resources[i],
						       diags);
	for (i = 0; i < spec->nresources; i++)
		resolve_depends_on(spec, spec->resources[i]);
	check_names(spec);
	for (i = 0; i < spec->nresources; i++)
		if (spec->resources[i]->type->check)
			spec->resources[i]->type->check(
			    spec, spec->resources[i], diags);
	order = pz_xcalloc(spec->nresources + 1, sizeof(*order));
	pz_spec_toposort(spec, order, diags);
	free(order);
	cost_warnings(spec);
	return diags->nerrors > errors_before ? PZ_ESPEC : 0;
}

int pz_spec_load_text(struct pz_spec **out, const char *path, const char *text,
		      size_t len, const struct pz_spec_var *vars, size_t nvars,
		      struct pz_diags *diags)
{
	struct pz_doc *doc = NULL;
	int r;

	*out = NULL;
	r = pz_doc_load(&doc, path, text, len, diags);
	if (r)
		return r;
	r = load(out, doc, vars, nvars, diags);
	return r;
}

int pz_spec_load(struct pz_spec **out, const char *path,
		 const struct pz_spec_var *vars, size_t nvars,
		 struct pz_diags *diags)
{
	return pz_spec_load_text(out, path, NULL, 0, vars, nvars, diags);
}

void pz_spec_free(struct pz_spec *spec)
{
	size_t i;

	if (!spec)
		return;
	for (i = 0; i < spec->nresources; i++) {
		struct pz_resource *r = spec->resources[i];

		if (r->data_free)
			r->data_free(r->data);
		free(r->deps);
	}
	free(spec->resources);
	free(spec->by_address);
	pz_arena_release(&spec->arena);
	pz_doc_free(spec->doc);
	free(spec);
}
