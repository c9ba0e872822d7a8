/*
 * gitops.c - the git side of plans: the review of a change, the commit a
 * saved plan was made at, and the checks of apply (gitops.h).
 */
#include "gitops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "hash.h"
#include "json_out.h"

void pz_plan_git_free(struct pz_plan_git *pg)
{
	size_t i, k;

	if (!pg)
		return;
	for (i = 0; i < pg->nfiles; i++) {
		free(pg->files[i].path);
		free(pg->files[i].old_path);
	}
	free(pg->files);
	for (i = 0; i < pg->nresources; i++) {
		free(pg->resources[i].address);
		for (k = 0; k < pg->resources[i].nmembers; k++)
			free(pg->resources[i].members[k]);
		free(pg->resources[i].members);
	}
	free(pg->resources);
	free(pg->head_ref);
	free(pg->base_ref);
	free(pg->spec_path);
	free(pg->note);
	free(pg);
}

/* --- the review
 * ---------------------------------------------------------------- */

static void node_digest(const struct pz_node *n, char out[65])
{
	struct pz_sha256 md;

	pz_sha256_init(&md);
	pz_sha256_node(&md, n);
	pz_sha256_final_hex(&md, out);
}

static bool same_node(const struct pz_node *a, const struct pz_node *b)
{
	char da[65], db[65];

	node_digest(a, da);
	node_digest(b, db);
	return !strcmp(da, db);
}

static const struct pz_node *member(const struct pz_node *map, const char *key)
{
	return map && map->kind == PZ_NODE_MAP ? pz_node_get(map, key) : NULL;
}

static void add_member(struct pz_plan_git_resource *gr, size_t *cap,
		       const char *prefix, const char *key, size_t len)
{
	PZ_GROW(gr->members, gr->nmembers, *cap);
	gr->members[gr->nmembers++] =
	    pz_xasprintf("%s%.*s", prefix, (int)len, key);
}

/* The keys of a and b that differ (each once, a's order then b's new
 * ones); the pz member one level down, as "pz.<key>". */
static void diff_members(struct pz_plan_git_resource *gr, size_t *cap,
			 const struct pz_node *a, const struct pz_node *b,
			 const char *prefix)
{
	const struct pz_node *maps[2] = {a, b};
	size_t m, i;

	for (m = 0; m < 2; m++) {
		const struct pz_node *n = maps[m];

		for (i = 0; n && n->kind == PZ_NODE_MAP && i < n->npairs; i++) {
			const struct pz_pair *p = &n->pairs[i];
			char *key = pz_xstrndup(p->key, p->key_len);
			const struct pz_node *va = member(a, key),
					     *vb = member(b, key);

			if (m == 1 && va) {
				/* listed with a's keys */
			} else if (!*prefix && !strcmp(key, "pz") &&
				   (!va || va->kind == PZ_NODE_MAP) &&
				   (!vb || vb->kind == PZ_NODE_MAP)) {
				diff_members(gr, cap, va, vb, "pz.");
			} else if (!va || !vb || !same_node(va, vb)) {
				add_member(gr, cap, prefix, p->key, p->key_len);
			}
			free(key);
		}
	}
}

static int cmp_res(const void *a, const void *b)
{
	return strcmp(((const struct pz_plan_git_resource *)a)->address,
		      ((const struct pz_plan_git_resource *)b)->address);
}

static bool declared(const struct pz_resource *r)
{
	return r->origin == NULL && r->section != NULL;
}

static struct pz_plan_git_resource *add_res(struct pz_plan_git *pg, size_t *cap,
					    const char *address,
					    const char *change)
{
	struct pz_plan_git_resource *gr;

	PZ_GROW(pg->resources, pg->nresources, *cap);
	gr = &pg->resources[pg->nresources++];
	memset(gr, 0, sizeof(*gr));
	gr->address = pz_xstrdup(address);
	gr->change = change;
	return gr;
}

void pz_gitops_review(struct pz_plan_git *pg, const struct pz_spec *base,
		      const struct pz_spec *head)
{
	size_t cap = pg->nresources, i;

	for (i = 0; head && i < head->nresources; i++) {
		const struct pz_resource *r = head->resources[i];
		const struct pz_resource *o =
		    base ? pz_spec_find(base, r->address) : NULL;
		struct pz_plan_git_resource probe;
		size_t mcap = 0;

		if (!declared(r))
			continue;
		if (!o || !declared(o)) {
			add_res(pg, &cap, r->address, "added");
			continue;
		}
		if (same_node(o->body, r->body))
			continue;
		memset(&probe, 0, sizeof(probe));
		diff_members(&probe, &mcap, o->body, r->body, "");
		if (!probe.nmembers) {
			/* Equal members, another shape around them. */
			free(probe.members);
			continue;
		}
		probe.address = pz_xstrdup(r->address);
		probe.change = "changed";
		PZ_GROW(pg->resources, pg->nresources, cap);
		pg->resources[pg->nresources++] = probe;
	}
	for (i = 0; base && i < base->nresources; i++) {
		const struct pz_resource *o = base->resources[i];
		const struct pz_resource *r =
		    head ? pz_spec_find(head, o->address) : NULL;

		if (declared(o) && (!r || !declared(r)))
			add_res(pg, &cap, o->address, "removed");
	}
	if (pg->nresources)
		qsort(pg->resources, pg->nresources, sizeof(*pg->resources),
		      cmp_res);
}

/* --- JSON
 * ---------------------------------------------------------------------- */

static cJSON *str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

cJSON *pz_plan_git_json(const struct pz_plan_git *pg)
{
	cJSON *o = cJSON_CreateObject(), *files, *res;
	size_t i, k;

	cJSON_AddItemToObject(o, "base", str_or_null(pg->base));
	cJSON_AddItemToObject(o, "head", str_or_null(pg->head));
	cJSON_AddBoolToObject(o, "dirty", pg->dirty);
	cJSON_AddItemToObject(o, "base_ref", str_or_null(pg->base_ref));
	cJSON_AddItemToObject(o, "head_ref", str_or_null(pg->head_ref));
	cJSON_AddItemToObject(o, "spec_path", str_or_null(pg->spec_path));
	files = cJSON_AddArrayToObject(o, "files");
	for (i = 0; i < pg->nfiles; i++) {
		const struct pz_plan_git_file *f = &pg->files[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "path", f->path);
		if (f->old_path)
			cJSON_AddStringToObject(j, "old_path", f->old_path);
		cJSON_AddStringToObject(j, "status", f->status);
		cJSON_AddBoolToObject(j, "spec", f->spec);
		cJSON_AddItemToArray(files, j);
	}
	res = cJSON_AddArrayToObject(o, "resources");
	for (i = 0; i < pg->nresources; i++) {
		const struct pz_plan_git_resource *gr = &pg->resources[i];
		cJSON *j = cJSON_CreateObject(), *m;

		cJSON_AddStringToObject(j, "address", gr->address);
		cJSON_AddStringToObject(j, "change", gr->change);
		m = cJSON_AddArrayToObject(j, "members");
		for (k = 0; k < gr->nmembers; k++)
			cJSON_AddItemToArray(
			    m, cJSON_CreateString(gr->members[k]));
		cJSON_AddItemToArray(res, j);
	}
	cJSON_AddItemToObject(o, "note", str_or_null(pg->note));
	return o;
}

/* A string member (NULL when absent or null); *bad when another type. */
static const char *opt_str(const cJSON *o, const char *k, bool *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		*bad = true;
		return NULL;
	}
	return v->valuestring;
}

static const char *intern(const char *s, const char *const *known)
{
	size_t i;

	for (i = 0; s && known[i]; i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return NULL;
}

static const char *const file_status[] = {"added", "deleted", "modified",
					  "renamed", NULL};
static const char *const res_change[] = {"added", "removed", "changed", NULL};

int pz_plan_git_from_json(struct pz_plan_git **out, const cJSON *v)
{
	struct pz_plan_git *pg = pz_xcalloc(1, sizeof(*pg));
	const char *head, *base, *s;
	const cJSON *c, *m, *dirty;
	size_t cap = 0;
	bool bad = !cJSON_IsObject(v);

	*out = NULL;
	head = opt_str(v, "head", &bad);
	base = opt_str(v, "base", &bad);
	dirty = cJSON_GetObjectItemCaseSensitive(v, "dirty");
	if (bad || !pz_git_id_valid(head) || (base && !pz_git_id_valid(base)) ||
	    !cJSON_IsBool(dirty))
		goto bad;
	snprintf(pg->head, sizeof(pg->head), "%s", head);
	snprintf(pg->base, sizeof(pg->base), "%s", base ? base : "");
	pg->dirty = cJSON_IsTrue(dirty);
	if ((s = opt_str(v, "head_ref", &bad)))
		pg->head_ref = pz_xstrdup(s);
	if ((s = opt_str(v, "base_ref", &bad)))
		pg->base_ref = pz_xstrdup(s);
	if ((s = opt_str(v, "spec_path", &bad)))
		pg->spec_path = pz_xstrdup(s);
	if ((s = opt_str(v, "note", &bad)))
		pg->note = pz_xstrdup(s);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, "files"))
	{
		struct pz_plan_git_file *f;
		const char *path = opt_str(c, "path", &bad);
		const char *st =
		    intern(opt_str(c, "status", &bad), file_status);

		if (bad || !path || !st)
			goto bad;
		PZ_GROW(pg->files, pg->nfiles, cap);
		f = &pg->files[pg->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = pz_xstrdup(path);
		if ((s = opt_str(c, "old_path", &bad)))
			f->old_path = pz_xstrdup(s);
		f->status = st;
		f->spec =
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "spec"));
	}
	cap = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, "resources"))
	{
		const char *addr = opt_str(c, "address", &bad);
		const char *ch = intern(opt_str(c, "change", &bad), res_change);
		struct pz_plan_git_resource *gr;
		size_t mcap = 0;

		if (bad || !addr || !ch)
			goto bad;
		gr = add_res(pg, &cap, addr, ch);
		cJSON_ArrayForEach(
		    m, cJSON_GetObjectItemCaseSensitive(c, "members"))
		{
			if (!cJSON_IsString(m))
				goto bad;
			add_member(gr, &mcap, "", m->valuestring,
				   strlen(m->valuestring));
		}
	}
	if (bad)
		goto bad;
	*out = pg;
	return 0;
bad:
	pz_plan_git_free(pg);
	return pz_error_set(PZ_EINVAL,
			    "its git member is malformed (head, base and dirty "
			    "must be commit ids and a boolean)");
}

/* --- apply
 * --------------------------------------------------------------------- */

/* The first few of paths, for a message. */
static char *some_paths(char **paths, size_t n)
{
	struct pz_buf b;
	size_t i;
	char *s;

	pz_buf_init(&b, 0);
	for (i = 0; i < n && i < 5; i++)
		if (pz_buf_printf(&b, "%s'%s'", i ? ", " : "", paths[i]))
			break;
	if (n > 5 && pz_buf_printf(&b, " and %zu more", n - 5) == 0) {
		/* said */
	}
	s = pz_xstrdup(pz_buf_cstr(&b));
	pz_buf_release(&b);
	return s;
}

int pz_gitops_check_plan(const struct pz_plan *plan, const char *spec_path,
			 char head_out[PZ_GIT_ID_SIZE])
{
	const struct pz_plan_git *pg = plan->git;
	struct pz_git *g = NULL;
	char now[PZ_GIT_ID_SIZE], **dirty = NULL, *list;
	size_t ndirty = 0;
	int r;

	head_out[0] = '\0';
	if (!pg || !pg->head[0])
		return 0;
	if ((r = pz_git_open(&g, spec_path)))
		return pz_error_wrap(PZ_ESTALE,
				     "the plan was made at commit %s, and "
				     "cannot be checked here",
				     pg->head);
	if ((r = pz_git_head(g, now)))
		goto out;
	if (strcmp(now, pg->head)) {
		r = pz_error_set(PZ_ESTALE,
				 "the saved plan was made at commit %s, but "
				 "commit %s is checked out: apply it at %s "
				 "(git checkout %s), or make a new plan here",
				 pg->head, now, pg->head, pg->head);
		goto out;
	}
	if ((r = pz_git_dirty(g, &dirty, &ndirty)))
		goto out;
	if (ndirty && !pg->dirty) {
		list = some_paths(dirty, ndirty);
		r = pz_error_set(PZ_ESTALE,
				 "the saved plan was made at commit %s, but "
				 "the work tree differs from it (%zu "
				 "uncommitted change%s: %s): commit %s is "
				 "checked out, with these edits on top; stash "
				 "or revert them, or commit them and make a "
				 "new plan",
				 pg->head, ndirty, ndirty == 1 ? "" : "s", list,
				 now);
		free(list);
		goto out;
	}
	if (!pg->dirty)
		memcpy(head_out, pg->head, PZ_GIT_ID_SIZE);
out:
	pz_git_paths_free(dirty, ndirty);
	pz_git_free(g);
	return r;
}

int pz_gitops_head_to_record(const char *spec_path,
			     char head_out[PZ_GIT_ID_SIZE])
{
	struct pz_git *g = NULL;
	char **dirty = NULL;
	size_t ndirty = 0;
	int r;

	head_out[0] = '\0';
	r = pz_git_open(&g, spec_path);
	if (r == PZ_ENOTFOUND) {
		pz_error_clear();
		return 0;
	}
	if (r)
		return r;
	r = pz_git_head(g, head_out);
	if (r == PZ_ENOTFOUND) {
		pz_error_clear();
		r = 0;
	} else if (!r && !(r = pz_git_dirty(g, &dirty, &ndirty)) && ndirty) {
		head_out[0] = '\0';
	}
	pz_git_paths_free(dirty, ndirty);
	pz_git_free(g);
	return r;
}

int pz_gitops_older_warning(const char *spec_path, const char *commit,
			    const char *state_commit, char **warning)
{
	struct pz_git *g = NULL;
	int r;

	*warning = NULL;
	if (!pz_git_id_valid(commit) || !pz_git_id_valid(state_commit) ||
	    !strcmp(commit, state_commit))
		return 0;
	if ((r = pz_git_open(&g, spec_path)))
		return r;
	r = pz_git_is_ancestor(g, commit, state_commit);
	if (r == 1)
		*warning = pz_xasprintf(
		    "commit %s is older than commit %s, which the state "
		    "says was applied last: applying it undoes what the "
		    "newer commits changed",
		    commit, state_commit);
	if (r < 0)
		pz_error_clear(); /* not in this clone: nothing to say */
	pz_git_free(g);
	return 0;
}
