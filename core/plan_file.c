/*
 * plan_file.c - saved plans (pz plan -out=FILE): every change with its
 * before/after, the notes, and what the plan was made against: the
 * state's serial and lineage and the spec's digest, so that applying a
 * plan whose world has moved on is refused.
 *
 * Values known only after apply (unknown.h) are written as
 * {"$unknown": REFERENCE}, sensitive ones as {"$sensitive": VALUE}.
 * Since format 4 a key of the plan's own values that starts with "$"
 * is written with one more "$" in front, so that no value from a spec
 * or from AWS (a map member named "$unknown") reads back as a marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gitops.h"
#include "hash.h"
#include "json_out.h"
#include "plan.h"
#include "tempfile.h"
#include "unknown.h"
#include "usage.h"

/* 2: the operation graph; 3: the git commit (format 2 plans still load:
 * they record no commit); 4: keys starting with "$" escaped (formats 2
 * and 3 still load, without unescaping: they wrote the markers alike). */
#define PLAN_FORMAT	    4
#define PLAN_FORMAT_MIN	    2
#define PLAN_FORMAT_ESCAPED 4

static void clear_sensitive(cJSON *v)
{
	cJSON *c;

	v->type &= ~PZ_JSON_SENSITIVE;
	for (c = v->child; c; c = c->next)
		clear_sensitive(c);
}

static cJSON *encode(const cJSON *v)
{
	cJSON *out, *c;

	if (!v)
		return cJSON_CreateNull();
	if (pz_json_is_sensitive(v)) {
		/* {"$sensitive": value}: shown hidden after loading too. */
		cJSON *plain = cJSON_Duplicate(v, 1);

		clear_sensitive(plain);
		out = cJSON_CreateObject();
		cJSON_AddItemToObject(out, "$sensitive", encode(plain));
		cJSON_Delete(plain);
		return out;
	}
	if (pz_unknown_is(v)) {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "$unknown", pz_unknown_ref(v));
		return out;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		out = cJSON_IsObject(v) ? cJSON_CreateObject()
					: cJSON_CreateArray();
		for (c = v->child; c; c = c->next) {
			if (cJSON_IsObject(v) && c->string[0] == '$') {
				char *k = pz_xasprintf("$%s", c->string);

				cJSON_AddItemToObject(out, k, encode(c));
				free(k);
			} else if (cJSON_IsObject(v)) {
				cJSON_AddItemToObject(out, c->string,
						      encode(c));
			} else {
				cJSON_AddItemToArray(out, encode(c));
			}
		}
		return out;
	}
	return cJSON_Duplicate(v, 1);
}

/* The marker v is, when it is an object of the one member name. */
static const cJSON *marker(const cJSON *v, const char *name)
{
	const cJSON *u;

	if (!cJSON_IsObject(v) ||
	    !(u = cJSON_GetObjectItemCaseSensitive(v, name)) || u->next ||
	    v->child != u)
		return NULL;
	return u;
}

/* escaped: the plan's format escapes keys that start with "$". */
static cJSON *decode(const cJSON *v, bool escaped)
{
	const cJSON *u, *c;
	cJSON *out;

	if (!v || cJSON_IsNull(v))
		return NULL;
	if ((u = marker(v, "$sensitive"))) {
		out = decode(u, escaped);
		return out ? pz_json_mark_sensitive(out) : NULL;
	}
	if ((u = marker(v, "$unknown")) && cJSON_IsString(u) &&
	    u->valuestring[0])
		return pz_unknown_new(u->valuestring);
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		out = cJSON_IsObject(v) ? cJSON_CreateObject()
					: cJSON_CreateArray();
		for (c = v->child; c; c = c->next) {
			cJSON *d = decode(c, escaped);

			if (!d)
				d = cJSON_CreateNull();
			if (cJSON_IsArray(v))
				cJSON_AddItemToArray(out, d);
			else if (escaped && c->string[0] == '$' &&
				 c->string[1] == '$')
				cJSON_AddItemToObject(out, c->string + 1, d);
			else
				cJSON_AddItemToObject(out, c->string, d);
		}
		return out;
	}
	return cJSON_Duplicate(v, 1);
}

/*
 * c's member name, decoded, where no value can be known only after
 * apply (only a change's after can hold one): such a value is refused,
 * naming the resource.
 */
static int decode_known(cJSON **out, const cJSON *c, const char *name,
			bool escaped, const char *path)
{
	*out = decode(cJSON_GetObjectItemCaseSensitive(c, name), escaped);
	if (!pz_unknown_any(*out))
		return 0;
	return pz_error_set(
	    PZ_EINVAL,
	    "'%s' is not a valid saved plan: the %s of %s "
	    "holds a value known only after apply, which only "
	    "what a change makes can; make a new plan",
	    path, name,
	    cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(c, "address")));
}

static cJSON *str_list(char **items, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
	return a;
}

static void add_opt_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

int pz_plan_serialize(const struct pz_plan *plan, struct pz_buf *out)
{
	cJSON *root = cJSON_CreateObject(), *changes = cJSON_CreateArray();
	cJSON *drift = cJSON_CreateArray();
	size_t i;
	int r;

	cJSON_AddNumberToObject(root, "pz_plan_format", PLAN_FORMAT);
	cJSON_AddStringToObject(root, "pz_version", PZ_VERSION);
	cJSON_AddStringToObject(root, "spec_path", plan->spec_path);
	cJSON_AddStringToObject(root, "spec_digest", plan->spec_digest);
	cJSON_AddNumberToObject(root, "state_serial",
				(double)plan->state_serial);
	cJSON_AddStringToObject(root, "state_lineage", plan->state_lineage);
	cJSON_AddBoolToObject(root, "destroy", plan->destroy);
	cJSON_AddBoolToObject(root, "refreshed", plan->refreshed);
	/* Always there from format 3 (null: made outside a git work tree),
	 * so a plan whose commit was cut out is refused, not unchecked. */
	cJSON_AddItemToObject(root, "git",
			      plan->git ? pz_plan_git_json(plan->git)
					: cJSON_CreateNull());
	for (i = 0; i < plan->n; i++) {
		const struct pz_change *c = &plan->changes[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", c->address);
		cJSON_AddStringToObject(o, "type", c->type);
		cJSON_AddStringToObject(o, "action", pz_action_name(c->action));
		add_opt_str(o, "reason", c->reason);
		add_opt_str(o, "trigger", c->trigger);
		add_opt_str(o, "note", c->note);
		add_opt_str(o, "condition", c->condition);
		add_opt_str(o, "arn", c->arn);
		add_opt_str(o, "cause", c->cause);
		if (c->cause)
			cJSON_AddBoolToObject(o, "cause_deleted",
					      c->cause_deleted);
		cJSON_AddItemToObject(o, "before", encode(c->before));
		cJSON_AddItemToObject(o, "after", encode(c->after));
		cJSON_AddItemToObject(o, "meta", encode(c->meta));
		cJSON_AddItemToObject(o, "replace_paths",
				      str_list(c->replace_paths, c->nreplace));
		cJSON_AddItemToObject(o, "update_paths",
				      str_list(c->update_paths, c->nupdate));
		cJSON_AddItemToObject(o, "dependencies",
				      str_list(c->deps, c->ndeps));
		cJSON_AddBoolToObject(o, "prevent_destroy", c->prevent_destroy);
		cJSON_AddBoolToObject(o, "create_first", c->create_first);
		if (c->awaits)
			cJSON_AddTrueToObject(o, "awaits");
		if (c->retry)
			cJSON_AddTrueToObject(o, "retry");
		cJSON_AddBoolToObject(o, "implicit", c->implicit);
		cJSON_AddItemToArray(changes, o);
	}
	for (i = 0; i < plan->ndrift; i++) {
		const struct pz_drift *d = &plan->drift[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", d->address);
		cJSON_AddStringToObject(o, "type", d->type);
		cJSON_AddBoolToObject(o, "deleted", d->deleted);
		cJSON_AddItemToObject(o, "before", encode(d->before));
		cJSON_AddItemToObject(o, "after", encode(d->after));
		cJSON_AddItemToArray(drift, o);
	}
	cJSON_AddItemToObject(root, "changes", changes);
	{
		cJSON *ops = cJSON_CreateArray();

		for (i = 0; i < plan->nops; i++) {
			const struct pz_op *op = &plan->ops[i];
			cJSON *o = cJSON_CreateObject(), *after;
			size_t k;

			cJSON_AddStringToObject(o, "op",
						pz_op_kind_name(op->kind));
			cJSON_AddStringToObject(
			    o, "address", plan->changes[op->change].address);
			after = cJSON_AddArrayToObject(o, "after");
			for (k = 0; k < op->nafter; k++)
				cJSON_AddItemToArray(
				    after,
				    cJSON_CreateNumber((double)op->after[k]));
			cJSON_AddItemToArray(ops, o);
		}
		cJSON_AddItemToObject(root, "operations", ops);
	}
	cJSON_AddItemToObject(root, "drift", drift);
	cJSON_AddItemToObject(root, "notes",
			      str_list(plan->notes, plan->nnotes));
	if (plan->usage) /* shown again by pz show and pz apply */
		cJSON_AddItemToObject(root, "usage",
				      pz_usage_save_json(plan->usage));
	r = pz_json_write(root, out, 1);
	cJSON_Delete(root);
	if (!r)
		r = pz_buf_addc(out, '\n');
	return r;
}

int pz_plan_digest(const struct pz_plan *plan, char out[65])
{
	struct pz_buf b;
	int r;

	pz_buf_init(&b, 0);
	if (!(r = pz_plan_serialize(plan, &b)))
		pz_sha256_hex(b.ptr, b.len, out);
	pz_buf_release(&b);
	return r;
}

int pz_plan_save(const struct pz_plan *plan, const char *path)
{
	struct pz_buf b;
	int r;

	pz_buf_init(&b, 0);
	if ((r = pz_plan_serialize(plan, &b)))
		goto out;
	/* Only for its owner: a plan holds the values it will send,
	 * sensitive ones too. */
	r = pz_write_file_atomic(path, b.ptr, b.len, 0600);
out:
	pz_buf_release(&b);
	return r;
}

int pz_plan_check_fresh(const struct pz_plan *plan, const char *spec_digest,
			const struct pz_state *state)
{
	uint64_t serial = state ? state->serial : 0;

	if (strcmp(plan->spec_digest, spec_digest))
		return pz_error_set(PZ_ESTALE,
				    "the saved plan is stale: the spec (or a "
				    "-var value) changed since it was made; "
				    "run pz plan again");
	/* A state never written has a lineage of the moment: only a
	 * stored one's is compared. */
	if (state && plan->state_lineage[0] && plan->state_serial &&
	    state->serial && strcmp(plan->state_lineage, state->lineage))
		return pz_error_set(PZ_ESTALE,
				    "the saved plan was made against another "
				    "state (lineage %s, now %s); run pz plan "
				    "again",
				    plan->state_lineage, state->lineage);
	if (plan->state_serial != serial)
		return pz_error_set(
		    PZ_ESTALE,
		    "the saved plan is stale: the state changed "
		    "since it was made (serial %llu, now %llu); "
		    "run pz plan again",
		    (unsigned long long)plan->state_serial,
		    (unsigned long long)serial);
	return 0;
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *dup_opt(const cJSON *o, const char *k)
{
	const char *s = get_str(o, k);

	return s ? pz_xstrdup(s) : NULL;
}

static char **get_list(const cJSON *o, const char *k, size_t *n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *c;
	char **out;
	size_t i = 0;

	*n = 0;
	out = pz_xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(*out));
	cJSON_ArrayForEach(c, a)
	{
		if (cJSON_IsString(c))
			out[i++] = pz_xstrdup(c->valuestring);
	}
	*n = i;
	return out;
}

static bool get_bool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* The reasons a plan may carry (pz_change.reason is not owned). */
static const char *intern_reason(const char *s)
{
	static const char *const known[] = {
	    "replace_because_cannot_update",
	    "replace_because_tainted",
	    "delete_because_no_resource_config",
	    "replace_by_triggers",
	};
	size_t i;

	for (i = 0; s && i < PZ_ARRAY_LEN(known); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return NULL;
}

/* The operations, by address: each must name a change of the plan. */
static int load_ops(struct pz_plan *plan, const cJSON *ops)
{
	const cJSON *o, *a;
	size_t n = (size_t)cJSON_GetArraySize(ops), i = 0, k;

	if (!cJSON_IsArray(ops))
		return pz_error_set(PZ_EINVAL, "it has no operations");
	plan->ops = pz_xcalloc(n + 1, sizeof(*plan->ops));
	cJSON_ArrayForEach(o, ops)
	{
		struct pz_op *op = &plan->ops[i];
		const char *kind = get_str(o, "op"),
			   *addr = get_str(o, "address");
		const cJSON *after =
		    cJSON_GetObjectItemCaseSensitive(o, "after");
		enum pz_op_kind kd;

		for (kd = PZ_OP_CREATE; kd <= PZ_OP_AWAIT; kd++)
			if (kind && !strcmp(kind, pz_op_kind_name(kd)))
				break;
		if (kd > PZ_OP_AWAIT || !addr || !cJSON_IsArray(after))
			return pz_error_set(PZ_EINVAL,
					    "operation %zu lacks its op, "
					    "address or after list",
					    i + 1);
		op->kind = kd;
		for (k = 0; k < plan->n; k++)
			if (!strcmp(plan->changes[k].address, addr))
				break;
		if (k == plan->n)
			return pz_error_set(PZ_EINVAL,
					    "operation %zu names %s, which "
					    "the plan does not change",
					    i + 1, addr);
		op->change = k;
		op->after = pz_xcalloc((size_t)cJSON_GetArraySize(after) + 1,
				       sizeof(*op->after));
		plan->nops = ++i;
		cJSON_ArrayForEach(a, after)
		{
			if (!cJSON_IsNumber(a) || a->valuedouble < 0 ||
			    a->valuedouble >= (double)n ||
			    a->valuedouble != (double)(size_t)a->valuedouble)
				return pz_error_set(
				    PZ_EINVAL,
				    "operation %zu waits for a step that "
				    "does not exist",
				    i);
			op->after[op->nafter++] = (size_t)a->valuedouble;
		}
	}
	return 0;
}

int pz_plan_load(struct pz_plan **out, const char *path)
{
	struct pz_buf b;
	cJSON *root = NULL;
	const cJSON *c, *v;
	int64_t whole = 0;
	struct pz_plan *plan = NULL;
	bool escaped;
	int r;

	*out = NULL;
	pz_buf_init(&b, (size_t)256 << 20);
	if ((r = pz_buf_read_file(&b, path)))
		goto out;
	root = cJSON_ParseWithLength(b.ptr, b.len);
	v = cJSON_GetObjectItemCaseSensitive(root, "pz_plan_format");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(v)) {
		r = pz_error_set(PZ_EINVAL, "'%s' is not a saved pz plan",
				 path);
		goto out;
	}
	if (v->valuedouble < PLAN_FORMAT_MIN || v->valuedouble > PLAN_FORMAT ||
	    v->valuedouble != (double)v->valueint) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is a plan of format %g, which this pz "
				 "(formats %d to %d) cannot read: make a new "
				 "plan with this pz",
				 path, v->valuedouble, PLAN_FORMAT_MIN,
				 PLAN_FORMAT);
		goto out;
	}
	escaped = v->valueint >= PLAN_FORMAT_ESCAPED;
	plan = pz_xcalloc(1, sizeof(*plan));
	plan->spec_path = pz_xstrdup(
	    get_str(root, "spec_path") ? get_str(root, "spec_path") : "");
	snprintf(plan->spec_digest, sizeof(plan->spec_digest), "%s",
		 get_str(root, "spec_digest") ? get_str(root, "spec_digest")
					      : "");
	snprintf(plan->state_lineage, sizeof(plan->state_lineage), "%s",
		 get_str(root, "state_lineage") ? get_str(root, "state_lineage")
						: "");
	v = cJSON_GetObjectItemCaseSensitive(root, "state_serial");
	if (v &&
	    (!cJSON_IsNumber(v) ||
	     !pz_double_to_i64(v->valuedouble, 0, PZ_MAX_SAFE_INT, &whole))) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s': state_serial must be a whole number "
				 ">= 0; make a new plan",
				 path);
		goto out;
	}
	plan->state_serial = v ? (uint64_t)whole : 0;
	plan->destroy = get_bool(root, "destroy");
	plan->refreshed = get_bool(root, "refreshed");
	v = cJSON_GetObjectItemCaseSensitive(root, "git");
	if (!v && cJSON_GetObjectItemCaseSensitive(root, "pz_plan_format")
			  ->valuedouble >= 3) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is not a valid saved plan: it lacks "
				 "the git commit it was made at; make a new "
				 "plan",
				 path);
		goto out;
	}
	if (v && !cJSON_IsNull(v) &&
	    (r = pz_plan_git_from_json(&plan->git, v))) {
		char *why = pz_xstrdup(pz_error_last());

		r = pz_error_set(PZ_EINVAL,
				 "'%s' is not a valid saved plan: %s; make a "
				 "new plan",
				 path, why);
		free(why);
		goto out;
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "changes"))
	{
		struct pz_change *ch;
		const char *action = get_str(c, "action");
		enum pz_action a;

		if (!get_str(c, "address") || !get_str(c, "type") || !action) {
			r = pz_error_set(PZ_EINVAL,
					 "'%s': a change lacks its "
					 "address, type or action",
					 path);
			goto out;
		}
		for (a = PZ_ACTION_NOOP; a <= PZ_ACTION_WAIT; a++)
			if (!strcmp(pz_action_name(a), action))
				break;
		if (a > PZ_ACTION_WAIT) {
			r = pz_error_set(PZ_EINVAL, "'%s': unknown action '%s'",
					 path, action);
			goto out;
		}
		PZ_GROW(plan->changes, plan->n, plan->cap);
		ch = &plan->changes[plan->n++];
		memset(ch, 0, sizeof(*ch));
		ch->address = pz_xstrdup(get_str(c, "address"));
		ch->type = pz_xstrdup(get_str(c, "type"));
		ch->action = a;
		ch->reason = intern_reason(get_str(c, "reason"));
		ch->trigger = dup_opt(c, "trigger");
		ch->note = dup_opt(c, "note");
		ch->condition = dup_opt(c, "condition");
		ch->arn = dup_opt(c, "arn");
		ch->cause = dup_opt(c, "cause");
		ch->cause_deleted = get_bool(c, "cause_deleted");
		ch->after = decode(cJSON_GetObjectItemCaseSensitive(c, "after"),
				   escaped);
		if ((r = decode_known(&ch->before, c, "before", escaped,
				      path)) ||
		    (r = decode_known(&ch->meta, c, "meta", escaped, path)))
			goto out;
		ch->replace_paths = get_list(c, "replace_paths", &ch->nreplace);
		ch->update_paths = get_list(c, "update_paths", &ch->nupdate);
		ch->deps = get_list(c, "dependencies", &ch->ndeps);
		ch->prevent_destroy = get_bool(c, "prevent_destroy");
		ch->create_first = get_bool(c, "create_first");
		ch->awaits = get_bool(c, "awaits");
		ch->retry = get_bool(c, "retry");
		ch->implicit = get_bool(c, "implicit");
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "drift"))
	{
		struct pz_drift *d;

		if (!get_str(c, "address") || !get_str(c, "type"))
			continue;
		PZ_GROW(plan->drift, plan->ndrift, plan->drift_cap);
		d = &plan->drift[plan->ndrift++];
		memset(d, 0, sizeof(*d));
		d->address = pz_xstrdup(get_str(c, "address"));
		d->type = pz_xstrdup(get_str(c, "type"));
		d->deleted = get_bool(c, "deleted");
		if ((r = decode_known(&d->before, c, "before", escaped,
				      path)) ||
		    (r = decode_known(&d->after, c, "after", escaped, path)))
			goto out;
	}
	plan->notes = get_list(root, "notes", &plan->nnotes);
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "usage")) &&
	    !(plan->usage = pz_usage_from_json(v))) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is not a valid saved plan: its usage "
				 "is malformed",
				 path);
		goto out;
	}
	if ((r = load_ops(
		 plan, cJSON_GetObjectItemCaseSensitive(root, "operations"))) ||
	    (r = pz_plan_check_ops(plan))) {
		/* Formatted from a copy: never from the buffer it replaces. */
		char *why = pz_xstrdup(pz_error_last());

		r = pz_error_set(
		    PZ_EINVAL, "'%s' is not a valid saved plan: %s", path, why);
		free(why);
		goto out;
	}
	pz_plan_count(plan);
	*out = plan;
	plan = NULL;
out:
	if (r == PZ_ENOTFOUND)
		r = pz_error_set(PZ_ENOTFOUND, "no saved plan at '%s'", path);
	pz_plan_free(plan);
	cJSON_Delete(root);
	pz_buf_release(&b);
	return r;
}
