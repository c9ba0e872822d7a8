/*
 * filterexpr.c - Personalize filter expressions: a lexer, a
 * recursive-descent parser with recovery, and the documented constraints
 * (docs/spec-checks.md).
 *
 * The lexer turns the whole expression into tokens first, reporting bad
 * characters and strings as it goes. The parser then walks them; after
 * an error in a condition it skips to the next AND, OR, IF or '|', after
 * an error in an expression's head to the next '|', so every problem is
 * reported once and later ones are still found.
 */
#include "filterexpr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

enum tok_kind {
	T_EOF,
	T_WORD,	  /* [A-Za-z_][A-Za-z0-9_]* */
	T_NUMBER, /* -?[0-9]+(.[0-9]+)? */
	T_STRING, /* "..." (or a bad string already reported) */
	T_PARAM,  /* $NAME */
	T_DOT,
	T_COMMA,
	T_LPAREN,
	T_RPAREN,
	T_PIPE,
	T_OP,  /* = != < <= > >=, and == <> for a better message */
	T_BAD, /* reported by the lexer; skipped quietly */
};

struct tok {
	enum tok_kind kind;
	size_t off, len; /* bytes of the expression */
};

enum target { TGT_NONE, TGT_ITEM, TGT_USER, TGT_ACTION };

static const char *const target_names[] = {NULL, "ItemID", "UserID",
					   "ActionID"};

enum dataset {
	DS_NONE,
	DS_ITEMS,
	DS_USERS,
	DS_INTERACTIONS,
	DS_ACTIONS,
	DS_ACTION_INTERACTIONS,
	DS_CURRENT_USER,
	DS_CURRENT_ITEM,
};

/* clang-format off */
/* Each dataset as expressions write it, and as the spec's datasets
 * section names it. */
static const struct {
	const char *written, *spec;
} datasets[] = {
	[DS_NONE] = {NULL, NULL},
	[DS_ITEMS] = {"Items", "Items"},
	[DS_USERS] = {"Users", "Users"},
	[DS_INTERACTIONS] = {"Interactions", "Interactions"},
	[DS_ACTIONS] = {"Actions", "Actions"},
	[DS_ACTION_INTERACTIONS] = {"Action_Interactions", "ActionInteractions"},
	[DS_CURRENT_USER] = {"CurrentUser", "Users"},
	[DS_CURRENT_ITEM] = {"CurrentItem", "Items"},
};
/* clang-format on */

/* The left-hand side of a condition, or a CurrentItem value. */
struct ref {
	enum dataset ds;
	size_t ds_off, field_off, field_len;
	bool ok; /* parsed; ds may still be DS_NONE if unknown */
};

/* What the right-hand side of a condition held. */
struct rhs {
	bool ok;
	size_t nparams;
	size_t param_off; /* of the first parameter */
	bool star;
	size_t star_off;
	bool current_item;
	struct ref item; /* the CurrentItem reference */
};

struct parser {
	const char *file;
	const struct pz_node *node;
	const char *s;
	size_t len;
	struct pz_diags *diags;
	struct tok *toks;
	size_t ntoks, i;
	size_t case_reported; /* token index + 1 whose case was reported */
	struct pz_filter_info *info;
	size_t refs_cap, params_cap;
	/* (dataset, field) pairs seen, for the distinct-fields limit */
	size_t nfields;
	/* per expression */
	enum target target;
	enum dataset where_ds; /* of the first condition */
};

const char *pz_filter_op_name(enum pz_filter_op op)
{
	static const char *const names[] = {
	    "IN", "NOT IN", "=", "!=", "<", "<=", ">", ">="};

	return names[op];
}

static bool has_ext(const char *file, const char *ext)
{
	return file && pz_str_has_suffix(file, ext);
}

struct pz_pos pz_filter_scalar_pos(const char *file, const struct pz_node *n,
				   size_t off, bool *exact)
{
	bool json = has_ext(file, ".json");
	bool yaml = has_ext(file, ".yaml") || has_ext(file, ".yml");
	struct pz_pos p = n->pos;
	const char *s = n->str;
	size_t i, col = p.col, at = p.offset;

	*exact = false;
	if (n->kind != PZ_NODE_STR || n->interpolated || off > n->len ||
	    !p.line)
		return p;
	if (json && n->quoted) {
		/* JSON strings stay on one line; escapes are 2 or 6 long. */
		col++;
		at++;
		for (i = 0; i < off; i++) {
			unsigned char c = (unsigned char)s[i];
			size_t w = 1;

			if (c == '"' || c == '\\' || c == '\b' || c == '\f' ||
			    c == '\n' || c == '\r' || c == '\t')
				w = 2;
			else if (c < 0x20)
				w = 6;
			at += w;
			if ((c & 0xC0) != 0x80)
				col += w;
		}
	} else {
		bool sq = memchr(s, '\'', n->len) != NULL;
		bool dq = memchr(s, '"', n->len) != NULL;

		if (json)
			return p; /* not a JSON string: nothing to map */
		for (i = 0; i < n->len; i++) {
			unsigned char c = (unsigned char)s[i];

			/* Folded or block lines, or escapes of some form. */
			if (c == '\n' || c == '\r' ||
			    (n->quoted && (c < 0x20 || c == '\\')))
				return p;
		}
		/* A quoted YAML scalar with both quotes has escaped one of
		 * them; in a file of unknown form, either quote could be a
		 * JSON escape. */
		if (n->quoted && (yaml ? sq && dq : sq || dq))
			return p;
		if (n->quoted) {
			col++;
			at++;
		}
		for (i = 0; i < off; i++) {
			at++;
			if (((unsigned char)s[i] & 0xC0) != 0x80)
				col++;
		}
	}
	p.col = (uint32_t)col;
	p.offset = (uint32_t)at;
	*exact = true;
	return p;
}

static void report_at(struct parser *p, size_t off, const char *fmt, ...)
    PZ_PRINTF(3, 4);

static void report_at(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	bool exact;

	va_start(ap, fmt);
	pz_diag_vadd(p->diags, PZ_SEV_ERROR, p->file,
		     pz_filter_scalar_pos(p->file, p->node, off, &exact), fmt,
		     ap);
	va_end(ap);
}

/* --- the lexer --- */

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void push_tok(struct parser *p, size_t *cap, enum tok_kind kind,
		     size_t off, size_t len)
{
	PZ_GROW(p->toks, p->ntoks, *cap);
	p->toks[p->ntoks].kind = kind;
	p->toks[p->ntoks].off = off;
	p->toks[p->ntoks].len = len;
	p->ntoks++;
}

/* Lexes a string starting at quote q ('"' or '\''); returns its end,
 * and *bad when it is unterminated (reported). */
static size_t lex_string(struct parser *p, size_t i, char q, bool *bad)
{
	size_t start = i++;

	*bad = false;
	while (i < p->len && p->s[i] != q && p->s[i] != '\n')
		i++;
	if (i >= p->len || p->s[i] != q) {
		report_at(p, start, "unterminated string: add the closing %c",
			  q);
		*bad = true;
		return i;
	}
	if (q == '\'')
		report_at(p, start,
			  "strings take double quotes: write \"%.*s\"",
			  (int)(i - start - 1), p->s + start + 1);
	return i + 1;
}

static void lex(struct parser *p)
{
	size_t cap = 0, i = 0, start;

	while (i < p->len) {
		char c = p->s[i];

		start = i;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (is_alpha(c)) {
			while (i < p->len &&
			       (is_alpha(p->s[i]) || is_digit(p->s[i])))
				i++;
			push_tok(p, &cap, T_WORD, start, i - start);
		} else if (is_digit(c) || (c == '-' && i + 1 < p->len &&
					   is_digit(p->s[i + 1]))) {
			i++;
			while (i < p->len && is_digit(p->s[i]))
				i++;
			if (i + 1 < p->len && p->s[i] == '.' &&
			    is_digit(p->s[i + 1])) {
				i++;
				while (i < p->len && is_digit(p->s[i]))
					i++;
			}
			push_tok(p, &cap, T_NUMBER, start, i - start);
		} else if (c == '"' || c == '\'') {
			bool bad;

			i = lex_string(p, i, c, &bad);
			push_tok(p, &cap, bad ? T_BAD : T_STRING, start,
				 i - start);
		} else if (c == '$') {
			i++;
			while (i < p->len &&
			       (is_alpha(p->s[i]) || is_digit(p->s[i])))
				i++;
			if (i == start + 1) {
				report_at(p, start,
					  "'$' must start a parameter name "
					  "such as $GENRES");
				push_tok(p, &cap, T_BAD, start, 1);
			} else {
				push_tok(p, &cap, T_PARAM, start, i - start);
			}
		} else if (c == '=' || c == '<' || c == '>' || c == '!') {
			char d = i + 1 < p->len ? p->s[i + 1] : '\0';

			i += d == '=' || (c == '<' && d == '>') ? 2 : 1;
			if (c == '!' && d != '=') {
				report_at(p, start,
					  "unexpected '!': the operator is "
					  "'!='");
				push_tok(p, &cap, T_BAD, start, 1);
			} else {
				push_tok(p, &cap, T_OP, start, i - start);
			}
		} else if (strchr(".,()|", c)) {
			static const enum tok_kind kinds[] = {
			    T_DOT, T_COMMA, T_LPAREN, T_RPAREN, T_PIPE};

			i++;
			push_tok(p, &cap, kinds[strchr(".,()|", c) - ".,()|"],
				 start, 1);
		} else {
			size_t n = 1;

			/* One character, however many bytes it takes. */
			while (start + n < p->len &&
			       ((unsigned char)p->s[start + n] & 0xC0) == 0x80)
				n++;
			i += n;
			if (c == '*')
				report_at(p, start,
					  "'*' goes in quotes, as in "
					  "Interactions.EVENT_TYPE IN (\"*\")");
			else
				report_at(p, start,
					  "unexpected character '%.*s'", (int)n,
					  p->s + start);
			push_tok(p, &cap, T_BAD, start, n);
		}
	}
	push_tok(p, &cap, T_EOF, p->len, 0);
}

/* --- the parser --- */

static const struct tok *cur(const struct parser *p)
{
	return &p->toks[p->i];
}

static void next(struct parser *p)
{
	if (p->toks[p->i].kind != T_EOF)
		p->i++;
}

/* The token's text, for messages: 'IN', "click", the end... */
static const char *describe(const struct parser *p, const struct tok *t,
			    char *buf, size_t n)
{
	int len = t->len > 40 ? 40 : (int)t->len;

	if (t->kind == T_EOF)
		return "the end of the expression";
	if (t->kind == T_STRING)
		snprintf(buf, n, "%.*s%s", len, p->s + t->off,
			 t->len > 40 ? "..." : "");
	else
		snprintf(buf, n, "'%.*s%s'", len, p->s + t->off,
			 t->len > 40 ? "..." : "");
	return buf;
}

static bool word_eq(const struct parser *p, const struct tok *t, const char *w)
{
	return t->kind == T_WORD && t->len == strlen(w) &&
	       !memcmp(p->s + t->off, w, t->len);
}

static bool word_caseeq(const struct parser *p, const struct tok *t,
			const char *w)
{
	return t->kind == T_WORD && t->len == strlen(w) &&
	       !strncasecmp(p->s + t->off, w, t->len);
}

/*
 * Whether the current token is keyword kw in any case. Keywords are
 * upper case; another case is reported once, then taken as meant.
 */
static bool at_kw(struct parser *p, const char *kw)
{
	const struct tok *t = cur(p);

	if (!word_caseeq(p, t, kw))
		return false;
	if (!word_eq(p, t, kw) && p->case_reported != p->i + 1) {
		p->case_reported = p->i + 1;
		report_at(p, t->off, "write the keyword '%s' in upper case",
			  kw);
	}
	return true;
}

static bool at_cond_end(struct parser *p)
{
	enum tok_kind k = cur(p)->kind;

	return k == T_EOF || k == T_PIPE || at_kw(p, "AND") || at_kw(p, "OR") ||
	       at_kw(p, "IF");
}

static void skip_cond(struct parser *p)
{
	while (!at_cond_end(p))
		next(p);
}

static void skip_expr(struct parser *p)
{
	while (cur(p)->kind != T_EOF && cur(p)->kind != T_PIPE)
		next(p);
}

/* Reports the current token as unexpected, unless the lexer did. */
static void unexpected(struct parser *p, const char *what)
{
	const struct tok *t = cur(p);
	char buf[64];

	if (t->kind == T_BAD)
		return;
	report_at(p, t->off, "expected %s, found %s", what,
		  describe(p, t, buf, sizeof(buf)));
}

static void add_param(struct parser *p, const struct tok *t)
{
	struct pz_filter_info *f = p->info;
	const char *name = p->s + t->off + 1;
	size_t n = t->len - 1, i;

	if (n > PZ_FILTER_PARAM_NAME_MAX)
		report_at(p, t->off,
			  "parameter name '$%.*s' is longer than %d "
			  "characters",
			  (int)n, name, PZ_FILTER_PARAM_NAME_MAX);
	for (i = 0; i < f->nparams; i++)
		if (strlen(f->params[i]) == n && !memcmp(f->params[i], name, n))
			return;
	if (f->nparams == PZ_FILTER_PARAMS_MAX)
		report_at(p, t->off,
			  "'$%.*s' is parameter %d of the filter; "
			  "GetRecommendations takes values for at most %d",
			  (int)n, name, PZ_FILTER_PARAMS_MAX + 1,
			  PZ_FILTER_PARAMS_MAX);
	PZ_GROW(f->params, f->nparams, p->params_cap);
	f->params[f->nparams++] = pz_arena_strndup(&f->arena, name, n);
}

static void add_ref(struct parser *p, const struct ref *r, enum pz_filter_op op)
{
	struct pz_filter_info *f = p->info;
	struct pz_filter_ref *x;
	const char *field = p->s + r->field_off;
	bool exact;
	size_t i;

	if (r->ds == DS_NONE)
		return;
	for (i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].dataset, datasets[r->ds].spec) &&
		    strlen(f->refs[i].field) == r->field_len &&
		    !memcmp(f->refs[i].field, field, r->field_len))
			break;
	if (i == f->nrefs && ++p->nfields == PZ_FILTER_FIELDS_MAX + 1)
		report_at(p, r->ds_off,
			  "%s.%.*s is dataset field %d of the filter; a "
			  "filter can use at most %d distinct fields",
			  datasets[r->ds].written, (int)r->field_len, field,
			  PZ_FILTER_FIELDS_MAX + 1, PZ_FILTER_FIELDS_MAX);
	PZ_GROW(f->refs, f->nrefs, p->refs_cap);
	x = &f->refs[f->nrefs++];
	x->dataset = datasets[r->ds].spec;
	x->field = pz_arena_strndup(&f->arena, field, r->field_len);
	x->pos = pz_filter_scalar_pos(p->file, p->node, r->ds_off, &exact);
	x->op = op;
	x->current = r->ds == DS_CURRENT_USER || r->ds == DS_CURRENT_ITEM;
}

/* Dataset.FIELD; reports what is wrong with it. */
static void parse_ref(struct parser *p, struct ref *r)
{
	const char *names[PZ_ARRAY_LEN(datasets) - 1];
	const struct tok *t = cur(p);
	const char *best;
	char word[64];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->ds_off = t->off;
	if (t->kind != T_WORD) {
		unexpected(p, "a dataset field such as Items.GENRE");
		return;
	}
	for (i = 1; i < PZ_ARRAY_LEN(datasets); i++)
		if (word_eq(p, t, datasets[i].written))
			r->ds = (enum dataset)i;
	if (!r->ds) {
		snprintf(word, sizeof(word), "%.*s",
			 (int)(t->len < 63 ? t->len : 63), p->s + t->off);
		for (i = 1; i < PZ_ARRAY_LEN(datasets); i++)
			names[i - 1] = datasets[i].written;
		best = pz_str_suggest(word, names, PZ_ARRAY_LEN(names));
		if (best)
			report_at(p, t->off,
				  "unknown dataset '%s'; did you mean '%s'?",
				  word, best);
		else
			report_at(p, t->off,
				  "unknown dataset '%s': use Items, Users, "
				  "Interactions, Actions or "
				  "Action_Interactions",
				  word);
	}
	next(p);
	if (cur(p)->kind != T_DOT) {
		if (r->ds)
			unexpected(p, "'.' and a field name");
		return;
	}
	next(p);
	t = cur(p);
	if (t->kind != T_WORD) {
		unexpected(p, "a field name");
		return;
	}
	r->field_off = t->off;
	r->field_len = t->len;
	r->ok = true;
	next(p);
}

/* A value in an IN list: a string, a parameter or CurrentItem.F. */
static bool parse_list_value(struct parser *p, struct rhs *v)
{
	const struct tok *t = cur(p);
	char buf[64];

	if (t->kind == T_STRING) {
		if (t->len == 3 && p->s[t->off + 1] == '*') {
			v->star = true;
			v->star_off = t->off;
		}
		next(p);
		return true;
	}
	if (t->kind == T_PARAM) {
		if (!v->nparams++)
			v->param_off = t->off;
		add_param(p, t);
		next(p);
		return true;
	}
	if (t->kind == T_NUMBER) {
		report_at(p, t->off,
			  "IN and NOT IN match strings: write \"%.*s\", or "
			  "compare numbers with =",
			  (int)t->len, p->s + t->off);
		next(p);
		return true;
	}
	if (word_eq(p, t, "CurrentItem")) {
		parse_ref(p, &v->item);
		v->current_item = v->item.ok;
		return v->item.ok;
	}
	if (t->kind != T_BAD)
		report_at(p, t->off,
			  "expected a string in double quotes, a $PARAMETER "
			  "or CurrentItem.FIELD, found %s",
			  describe(p, t, buf, sizeof(buf)));
	return false;
}

static void parse_list(struct parser *p, struct rhs *v, const char *op)
{
	const struct tok *t = cur(p);
	char buf[64];

	if (word_eq(p, t, "CurrentItem")) {
		/* "Items.GENRE IN CurrentItem.GENRE", as the guide writes. */
		v->ok = parse_list_value(p, v);
		return;
	}
	if (t->kind == T_STRING || t->kind == T_PARAM) {
		report_at(p, t->off,
			  "put the values after %s in parentheses: %s "
			  "(%.*s)",
			  op, op, (int)t->len, p->s + t->off);
		v->ok = parse_list_value(p, v);
		return;
	}
	if (t->kind != T_LPAREN) {
		snprintf(buf, sizeof(buf),
			 "a list of values in parentheses after %s", op);
		unexpected(p, buf);
		return;
	}
	next(p);
	if (cur(p)->kind == T_RPAREN) {
		report_at(p, cur(p)->off,
			  "empty list: %s takes one or more values", op);
		next(p);
		return;
	}
	for (;;) {
		if (!parse_list_value(p, v))
			return;
		t = cur(p);
		if (t->kind == T_RPAREN) {
			next(p);
			v->ok = true;
			return;
		}
		if (t->kind != T_COMMA) {
			unexpected(p, "',' or ')' in the list of values");
			return;
		}
		next(p);
	}
}

/* The value a comparison operator tests against. */
static void parse_value(struct parser *p, struct rhs *v, const char *op)
{
	const struct tok *t = cur(p);
	bool paren = t->kind == T_LPAREN;
	char buf[64];

	if (paren) {
		/* "Actions.VALUE > ($VALUE)", as the guide writes. */
		next(p);
		t = cur(p);
	}
	if (t->kind == T_NUMBER) {
		next(p);
	} else if (t->kind == T_PARAM) {
		if (!v->nparams++)
			v->param_off = t->off;
		add_param(p, t);
		next(p);
	} else if (word_eq(p, t, "CurrentItem")) {
		parse_ref(p, &v->item);
		v->current_item = v->item.ok;
		if (!v->item.ok)
			return;
	} else if (t->kind == T_STRING) {
		report_at(p, t->off,
			  "'%s' compares numbers, not strings; to match "
			  "strings use IN (%.*s)",
			  op, (int)t->len, p->s + t->off);
		next(p);
		return;
	} else {
		snprintf(buf, sizeof(buf),
			 "a number, a $PARAMETER or CurrentItem.FIELD "
			 "after '%s'",
			 op);
		unexpected(p, buf);
		return;
	}
	if (paren) {
		if (cur(p)->kind != T_RPAREN) {
			unexpected(p, "')'");
			return;
		}
		next(p);
	}
	v->ok = true;
}

/* IN, NOT IN or a comparison; false (reported) when none is there. */
static bool parse_op(struct parser *p, enum pz_filter_op *op)
{
	static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
	const struct tok *t = cur(p);
	size_t i;

	if (at_kw(p, "IN")) {
		*op = PZ_FILTER_IN;
		next(p);
		return true;
	}
	if (at_kw(p, "NOT")) {
		next(p);
		if (!at_kw(p, "IN")) {
			unexpected(p, "IN after NOT");
			return false;
		}
		*op = PZ_FILTER_NOT_IN;
		next(p);
		return true;
	}
	if (t->kind == T_OP) {
		for (i = 0; i < PZ_ARRAY_LEN(ops); i++) {
			if (strlen(ops[i]) == t->len &&
			    !memcmp(ops[i], p->s + t->off, t->len)) {
				*op = (enum pz_filter_op)(PZ_FILTER_EQ + i);
				next(p);
				return true;
			}
		}
		report_at(p, t->off, "unknown operator '%.*s': use '%s'",
			  (int)t->len, p->s + t->off,
			  p->s[t->off] == '=' ? "=" : "!=");
		next(p);
		return false;
	}
	unexpected(p, "IN, NOT IN or a comparison (=, !=, <, <=, >, >=)");
	return false;
}

static bool is_interactions(enum dataset ds)
{
	return ds == DS_INTERACTIONS || ds == DS_ACTION_INTERACTIONS;
}

/* Whether target's filters may have conditions on ds. */
static bool target_takes(enum target t, enum dataset ds)
{
	switch (t) {
	case TGT_ITEM: return ds == DS_ITEMS || ds == DS_INTERACTIONS;
	case TGT_USER: return ds == DS_USERS || ds == DS_INTERACTIONS;
	case TGT_ACTION:
		return ds == DS_ACTIONS || ds == DS_ACTION_INTERACTIONS;
	case TGT_NONE: return true;
	}
	return true;
}

static const char *const target_datasets[] = {
    NULL, "Items and Interactions", "Users and Interactions",
    "Actions and Action_Interactions"};

/* The documented constraints on one condition. */
static void check_cond(struct parser *p, const struct ref *r,
		       enum pz_filter_op op, const struct rhs *v, bool in_if)
{
	const char *ds = datasets[r->ds].written;
	const char *field = p->s + r->field_off;
	int flen = (int)r->field_len;
	bool event_type =
	    r->field_len == 10 && !memcmp(field, "EVENT_TYPE", 10);

	if (!r->ds)
		return;
	if (in_if && r->ds != DS_CURRENT_USER) {
		report_at(p, r->ds_off,
			  "IF conditions test the current user: write "
			  "CurrentUser.FIELD, not %s.%.*s",
			  ds, flen, field);
		return;
	}
	if (!in_if && r->ds == DS_CURRENT_USER) {
		report_at(p, r->ds_off,
			  "CurrentUser.%.*s can only be tested in an IF "
			  "condition at the end of the expression",
			  flen, field);
		return;
	}
	if (r->ds == DS_CURRENT_ITEM) {
		report_at(p, r->ds_off,
			  "CurrentItem.%.*s can only be a value on the right "
			  "of a condition on Items, as in Items.%.*s < "
			  "CurrentItem.%.*s",
			  flen, field, flen, field, flen, field);
		return;
	}
	if (!in_if && !target_takes(p->target, r->ds)) {
		if (p->target == TGT_ITEM && r->ds == DS_USERS)
			report_at(p, r->ds_off,
				  "ItemID filters test Users fields through "
				  "CurrentUser in an IF condition, as in IF "
				  "CurrentUser.%.*s > 18",
				  flen, field);
		else
			report_at(p, r->ds_off,
				  "%s filters take conditions on %s, not %s",
				  target_names[p->target],
				  target_datasets[p->target], ds);
		return;
	}
	if (!in_if && !p->where_ds) {
		p->where_ds = r->ds;
	} else if (!in_if && r->ds != p->where_ds) {
		report_at(p, r->ds_off,
			  "conditions joined with AND or OR must use the "
			  "dataset of the first condition (%s); filter on %s "
			  "in another expression chained with '|'",
			  datasets[p->where_ds].written, ds);
		return;
	}
	if (is_interactions(r->ds) && !event_type)
		report_at(p, r->field_off,
			  "%s conditions can only test EVENT_TYPE, not %.*s",
			  ds, flen, field);
	else if (is_interactions(r->ds) && op > PZ_FILTER_NOT_IN)
		report_at(p, r->ds_off,
			  "%s.EVENT_TYPE takes IN or NOT IN, not '%s'", ds,
			  pz_filter_op_name(op));
	if (r->ds == DS_ACTIONS &&
	    ((flen == 20 && !memcmp(field, "EXPIRATION_TIMESTAMP", 20)) ||
	     (flen == 16 && !memcmp(field, "REPEAT_FREQUENCY", 16))))
		report_at(p, r->field_off,
			  "filters cannot use Actions.%.*s: Personalize "
			  "applies it to action recommendations by itself",
			  flen, field);
	if (v->star && !(is_interactions(r->ds) && event_type))
		report_at(p, v->star_off,
			  "\"*\" means every event type: use it only with "
			  "Interactions.EVENT_TYPE or "
			  "Action_Interactions.EVENT_TYPE");
	if (v->nparams && op == PZ_FILTER_NOT_IN)
		report_at(p, v->param_off,
			  "placeholder parameters cannot be used with NOT IN; "
			  "use IN and swap INCLUDE and EXCLUDE");
	if (v->current_item && p->target != TGT_ITEM && p->target != TGT_NONE)
		report_at(p, v->item.ds_off,
			  "CurrentItem only applies to ItemID filters (for "
			  "related-item recommendations)");
}

static void parse_cond(struct parser *p, bool in_if)
{
	enum pz_filter_op op;
	struct ref r;
	struct rhs v;

	memset(&v, 0, sizeof(v));
	parse_ref(p, &r);
	if (!r.ok) {
		skip_cond(p);
		return;
	}
	if (!parse_op(p, &op)) {
		skip_cond(p);
		return;
	}
	if (op <= PZ_FILTER_NOT_IN)
		parse_list(p, &v, pz_filter_op_name(op));
	else
		parse_value(p, &v, pz_filter_op_name(op));
	check_cond(p, &r, op, &v, in_if);
	add_ref(p, &r, op);
	if (v.current_item)
		add_ref(p, &v.item, op);
	if (v.ok && !at_cond_end(p))
		unexpected(p, "AND, OR, IF, '|' or the end of the expression");
	skip_cond(p);
}

static void parse_target(struct parser *p)
{
	const struct tok *t = cur(p);
	enum target tg = TGT_NONE;
	const char *best;
	char word[64];
	size_t i;

	for (i = 1; i < PZ_ARRAY_LEN(target_names); i++)
		if (word_eq(p, t, target_names[i]))
			tg = (enum target)i;
	if (!tg && t->kind == T_WORD && !word_caseeq(p, t, "WHERE")) {
		snprintf(word, sizeof(word), "%.*s",
			 (int)(t->len < 63 ? t->len : 63), p->s + t->off);
		best = pz_str_suggest(word, target_names + 1,
				      PZ_ARRAY_LEN(target_names) - 1);
		if (best)
			report_at(p, t->off,
				  "expected ItemID, UserID or ActionID, found "
				  "'%s'; did you mean '%s'?",
				  word, best);
		else
			report_at(p, t->off,
				  "expected ItemID, UserID or ActionID, found "
				  "'%s'",
				  word);
		for (i = 1; best && i < PZ_ARRAY_LEN(target_names); i++)
			if (!strcmp(best, target_names[i]))
				tg = (enum target)i;
		next(p);
	} else if (!tg) {
		unexpected(p, "ItemID, UserID or ActionID");
	} else {
		next(p);
	}
	p->target = tg;
	if (!tg)
		return;
	if (!p->info->target)
		p->info->target = target_names[tg];
	else if (strcmp(p->info->target, target_names[tg]))
		report_at(p, t->off,
			  "every expression of a filter must filter the same "
			  "thing: the first one filters %s, this one %s",
			  p->info->target, target_names[tg]);
}

/* One expression, up to the next '|' or the end. */
static void parse_expr(struct parser *p)
{
	size_t if_off;

	p->info->nexprs++;
	p->target = TGT_NONE;
	p->where_ds = DS_NONE;
	if (!at_kw(p, "INCLUDE") && !at_kw(p, "EXCLUDE")) {
		unexpected(p, "INCLUDE or EXCLUDE");
		skip_expr(p);
		return;
	}
	next(p);
	parse_target(p);
	if (!at_kw(p, "WHERE")) {
		unexpected(p, "WHERE");
		skip_expr(p);
		return;
	}
	next(p);
	parse_cond(p, false);
	while (at_kw(p, "AND") || at_kw(p, "OR")) {
		next(p);
		parse_cond(p, false);
	}
	if (at_kw(p, "IF")) {
		if_off = cur(p)->off;
		next(p);
		if (p->target == TGT_USER)
			report_at(
			    p, if_off,
			    "IF conditions on CurrentUser apply to ItemID "
			    "and ActionID filters, not UserID");
		parse_cond(p, true);
		for (;;) {
			if (at_kw(p, "OR"))
				report_at(p, cur(p)->off,
					  "an IF condition can only be "
					  "extended with AND");
			else if (at_kw(p, "IF"))
				report_at(p, cur(p)->off,
					  "IF can appear only once, at the "
					  "end of an expression");
			else if (!at_kw(p, "AND"))
				break;
			next(p);
			parse_cond(p, true);
		}
	}
	if (cur(p)->kind != T_EOF && cur(p)->kind != T_PIPE) {
		unexpected(p, "AND, OR, IF, '|' or the end of the expression");
		skip_expr(p);
	}
}

static void parse_filter(struct parser *p)
{
	size_t bar;

	parse_expr(p);
	while (cur(p)->kind == T_PIPE) {
		bar = cur(p)->off;
		next(p);
		if (cur(p)->kind == T_EOF || cur(p)->kind == T_PIPE) {
			report_at(p, bar,
				  "nothing follows '|': chain another "
				  "expression or remove the '|'");
			continue;
		}
		parse_expr(p);
	}
}

int pz_filter_expr_check(struct pz_filter_info **out, const char *file,
			 const struct pz_node *expr, struct pz_diags *diags)
{
	struct parser p;
	size_t errors = diags->nerrors, i, nchars = 0;
	int r = PZ_ESPEC;

	PZ_ASSERT(expr && diags);
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.file = file;
	p.node = expr;
	p.diags = diags;
	p.info = pz_xcalloc(1, sizeof(*p.info));
	pz_arena_init(&p.info->arena);
	if (expr->kind != PZ_NODE_STR) {
		pz_diag_add(diags, PZ_SEV_ERROR, file, expr->pos,
			    "a filter expression is a string, not %s",
			    pz_node_kind_name(expr->kind));
		goto out;
	}
	p.s = expr->str;
	p.len = expr->len;
	for (i = 0; i < p.len; i++)
		if (((unsigned char)p.s[i] & 0xC0) != 0x80)
			nchars++;
	if (nchars > PZ_FILTER_EXPR_MAX)
		pz_diag_add(diags, PZ_SEV_ERROR, file, expr->pos,
			    "the filter expression is %zu characters; "
			    "CreateFilter takes at most 2,500",
			    nchars);
	lex(&p);
	if (p.toks[0].kind == T_EOF) {
		pz_diag_add(diags, PZ_SEV_ERROR, file, expr->pos,
			    "the filter expression is empty; write one such "
			    "as INCLUDE ItemID WHERE Items.GENRE IN "
			    "($GENRES)");
		goto out;
	}
	parse_filter(&p);
	if (diags->nerrors > errors)
		goto out;
	*out = p.info;
	p.info = NULL; /* transferred */
	r = 0;
out:
	free(p.toks);
	pz_filter_info_free(p.info);
	return r;
}

void pz_filter_info_free(struct pz_filter_info *f)
{
	if (!f)
		return;
	free(f->refs);
	free(f->params);
	pz_arena_release(&f->arena);
	free(f);
}
