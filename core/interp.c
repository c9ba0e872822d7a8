/*
 * interp.c - ${env:NAME} and ${var:NAME} in spec strings.
 *
 * Values of pz.vars may use ${env:...} but not other variables; -var
 * values override pz.vars. Map keys are never interpolated. A plain YAML
 * scalar is re-typed after interpolation, so `minProvisionedTPS:
 * ${var:tps}` is an integer when tps is "2".
 *
 * A scalar that took a value from the environment is sensitive (shown as
 * "(sensitive)" in every rendering), as is one that took a pz.vars value
 * that did, unless pz.publicEnv lists the variable. The AWS credential
 * variables are refused outright: a spec never needs them, and a
 * pull-request comment or a CI log must never get them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spec.h"

struct interp {
	struct pz_doc *doc;
	const struct pz_spec_var *vars;
	size_t nvars;
	const struct pz_node *defaults;	  /* pz.vars */
	const struct pz_node *public_env; /* pz.publicEnv */
	bool env_only;
	struct pz_diags *diags;
};

static struct pz_pos at_offset(const struct pz_node *n, size_t off)
{
	struct pz_pos p = n->pos;

	/* Exact for one-line scalars; close enough for the rest. */
	if (!memchr(n->str, '\n', n->len)) {
		p.col += (uint32_t)off + (n->quoted ? 1u : 0u);
		p.offset += (uint32_t)off + (n->quoted ? 1u : 0u);
	}
	return p;
}

static const char *lookup_var(const struct interp *in, const char *name,
			      bool *sensitive)
{
	size_t i;
	const char *v = NULL;
	const struct pz_node *d;

	for (i = 0; i < in->nvars; i++)
		if (strcmp(in->vars[i].name, name) == 0)
			v = in->vars[i].value; /* the last -var wins */
	if (v)
		return v;
	d = pz_node_get(in->defaults, name);
	if (d && d->sensitive)
		*sensitive = true;
	return pz_node_str(d);
}

/* The variables that hold AWS credentials (or lead to them). */
bool pz_env_is_credential(const char *name)
{
	static const char *const parts[] = {"SECRET", "TOKEN", "PASSWORD",
					    "ACCESS_KEY", "CREDENTIAL"};
	size_t i;

	if (strncmp(name, "AWS_", 4))
		return false;
	for (i = 0; i < PZ_ARRAY_LEN(parts); i++)
		if (strstr(name, parts[i]))
			return true;
	return false;
}

static bool is_public(const struct interp *in, const char *name)
{
	size_t i;

	if (!in->public_env || in->public_env->kind != PZ_NODE_SEQ)
		return false;
	for (i = 0; i < in->public_env->nitems; i++) {
		const char *p = pz_node_str(in->public_env->items[i]);

		if (p && !strcmp(p, name))
			return true;
	}
	return false;
}

static bool valid_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !((s[0] >= 'A' && s[0] <= 'Z') ||
		    (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static void interp_scalar(struct interp *in, struct pz_node *n)
{
	const char *s = n->str;
	struct pz_buf out;
	size_t i = 0, errors = in->diags->nerrors;
	bool changed = false, sensitive = false;

	if (!strchr(s, '$'))
		return;
	pz_buf_init(&out, 0);
	while (i < n->len) {
		const char *close, *colon, *value = NULL;
		char name[256];
		size_t nlen;

		if (s[i] == '$' && s[i + 1] == '$' && s[i + 2] == '{') {
			PZ_ASSERT(!pz_buf_adds(&out, "${"));
			i += 3;
			changed = true;
			continue;
		}
		if (!(s[i] == '$' && s[i + 1] == '{')) {
			PZ_ASSERT(!pz_buf_addc(&out, s[i]));
			i++;
			continue;
		}
		close = strchr(s + i, '}');
		if (!close) {
			pz_diag_add(in->diags, PZ_SEV_ERROR, in->doc->path,
				    at_offset(n, i),
				    "unterminated '${' (write '$${' for a "
				    "literal '${')");
			break;
		}
		colon = memchr(s + i, ':', (size_t)(close - (s + i)));
		nlen = colon ? (size_t)(close - colon - 1) : 0;
		if (!colon || nlen >= sizeof(name) ||
		    !valid_name(colon + 1, nlen)) {
			pz_diag_add(in->diags, PZ_SEV_ERROR, in->doc->path,
				    at_offset(n, i),
				    "bad reference '%.*s': write ${env:NAME} "
				    "or ${var:NAME}",
				    (int)(close - (s + i) + 1), s + i);
			i = (size_t)(close - s) + 1;
			continue;
		}
		memcpy(name, colon + 1, nlen);
		name[nlen] = '\0';
		if (colon - (s + i) == 5 && !strncmp(s + i, "${env", 5) &&
		    pz_env_is_credential(name)) {
			pz_diag_add(in->diags, PZ_SEV_ERROR, in->doc->path,
				    at_offset(n, i),
				    "${env:%s} would put an AWS credential "
				    "into the spec, and from there into plans, "
				    "state and logs; pz signs its requests "
				    "with it already: remove the reference",
				    name);
		} else if (colon - (s + i) == 5 &&
			   !strncmp(s + i, "${env", 5)) {
			value = getenv(name);
			if (value && !is_public(in, name))
				sensitive = true;
			if (!value)
				pz_diag_add(in->diags, PZ_SEV_ERROR,
					    in->doc->path, at_offset(n, i),
					    "environment variable '%s' is not "
					    "set",
					    name);
		} else if (colon - (s + i) == 5 &&
			   !strncmp(s + i, "${var", 5)) {
			if (in->env_only) {
				pz_diag_add(in->diags, PZ_SEV_ERROR,
					    in->doc->path, at_offset(n, i),
					    "pz.vars values may use ${env:...} "
					    "but not other variables");
			} else {
				value = lookup_var(in, name, &sensitive);
				if (!value)
					pz_diag_add(
					    in->diags, PZ_SEV_ERROR,
					    in->doc->path, at_offset(n, i),
					    "undefined variable '%s': pass "
					    "-var %s=VALUE or set "
					    "pz.vars.%s",
					    name, name, name);
			}
		} else {
			pz_diag_add(
			    in->diags, PZ_SEV_ERROR, in->doc->path,
			    at_offset(n, i),
			    "unknown reference '%.*s': only ${env:NAME} "
			    "and ${var:NAME} exist",
			    (int)(close - (s + i) + 1), s + i);
		}
		if (value)
			PZ_ASSERT(!pz_buf_adds(&out, value));
		i = (size_t)(close - s) + 1;
		changed = true;
	}
	if (in->diags->nerrors > errors) {
		/* Keep the text as written; later checks skip the node, so
		 * one mistake makes one message. */
		n->invalid = true;
	} else if (changed) {
		n->str = pz_arena_strndup(&in->doc->arena, pz_buf_cstr(&out),
					  out.len);
		n->len = out.len;
		n->interpolated = true;
		n->sensitive = sensitive;
		if (!n->quoted)
			pz_node_resolve_plain(n);
	}
	pz_buf_release(&out);
}

static void walk(struct interp *in, struct pz_node *n, int depth)
{
	size_t i;

	/* Aliased nodes are shared: each is interpolated once. */
	if (!n || n->interpolated || n->invalid || depth > 512)
		return;
	switch (n->kind) {
	case PZ_NODE_MAP:
		for (i = 0; i < n->npairs; i++)
			walk(in, n->pairs[i].value, depth + 1);
		break;
	case PZ_NODE_SEQ:
		for (i = 0; i < n->nitems; i++)
			walk(in, n->items[i], depth + 1);
		break;
	case PZ_NODE_STR: interp_scalar(in, n); break;
	default: break;
	}
}

void pz_spec_interpolate(struct pz_doc *doc, const struct pz_spec_var *vars,
			 size_t nvars, struct pz_diags *diags)
{
	struct interp in;
	struct pz_node *defaults =
	    pz_node_get(pz_node_get(doc->root, "pz"), "vars");

	memset(&in, 0, sizeof(in));
	in.public_env = pz_node_get(pz_node_get(doc->root, "pz"), "publicEnv");
	in.doc = doc;
	in.vars = vars;
	in.nvars = nvars;
	in.diags = diags;
	if (defaults && defaults->kind == PZ_NODE_MAP) {
		in.env_only = true;
		walk(&in, defaults, 0);
		in.defaults = defaults;
	}
	in.env_only = false;
	walk(&in, doc->root, 0);
}
