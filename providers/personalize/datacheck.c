/*
 * datacheck.c - the data checker: CSV objects against an Avro schema
 * (datacheck.h). Pure: no network, no printing.
 */
#include "datacheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/hash.h"

/* Users tracked per filter for the 25-users minimum: a fixed table of
 * 64-bit ID hashes (12 bytes each, 3 MiB), so memory stays constant. */
#define UMAP_BITS 18
#define UMAP_CAP  ((size_t)1 << UMAP_BITS)
#define UMAP_FULL (UMAP_CAP / 4 * 3)

/* Categories of problems, for reporting each once per object: one per
 * column, then these. */
enum { CAT_SHAPE, CAT_SYNTAX, CAT_EXTRA };

/* What a column's field name makes it (found once, from the header). */
/* How a column's values are checked (its field's type, and for IDs and
 * timestamps its name). */
enum {
	CHECK_NONE,
	CHECK_TIMESTAMP, /* an int or long named like a timestamp */
	CHECK_INT,
	CHECK_LONG,
	CHECK_NUMBER, /* float, double */
	CHECK_BOOLEAN,
	CHECK_ID, /* a string named like an ID */
	CHECK_STRING,
};

#define MAX_EVENTS 64 /* distinct event types pz data stats lists */

struct umap {
	uint64_t *keys; /* 0: empty slot (hashes are never 0) */
	uint32_t *counts;
	size_t n;
	bool full; /* saturated: new users are no longer counted */
};

/* How a column's values are checked, found once from the header. */
struct column {
	const struct pz_avro_field *f; /* NULL: not a field of the schema */
	unsigned char check;	       /* CHECK_* */
	bool nullable;		       /* an empty value is null, and allowed */
	uint32_t quick_max;	       /* see set_column */
};

struct filter {
	char *event_type; /* NULL: every event */
	size_t event_len;
	uint64_t n;	 /* interactions that pass it */
	uint64_t users2; /* users with at least 2 */
	struct umap m;
};

struct solution {
	char *address;
	size_t filter;
	struct pz_pos pos;
};

/* Growable hash -> count table, for pz data stats only. */
struct hcount {
	uint64_t *keys;
	uint32_t *counts;
	size_t n, cap;
};

struct pz_dc_obj {
	struct pz_dc *dc;
	char *url, *etag;
	uint64_t size, bytes;
	struct pz_csv csv;
	struct pz_diags diags;
	struct column *cols; /* from the header */
	size_t ncols;
	char *header; /* the header line's names, joined by commas */
	bool header_seen, sniffed, stop, complete, cached, failed;
	bool unreadable; /* a read failed: nothing to cache */
	bool fresh;	 /* new or changed since the last import */
	uint64_t rows;
	size_t *first;	/* per category: index of its first diag + 1 */
	uint64_t *more; /* per category: how many more after the first */
	size_t ncats;
	uint64_t *fn; /* per filter: interactions counted here */
	uint64_t (*u2)[PZ_DC_MIN_USERS]; /* per filter: users that reached
					  * 2 here (the cache's lower bound) */
	size_t *u2n;
	int c_user, c_item, c_event, c_ts; /* columns, -1 when absent */
};

struct pz_dc {
	const struct pz_avro_schema *schema;
	char *spec_file, *dataset_type, *location;
	enum pz_dc_level level;
	bool full_import, interactions, used_cache;
	/* INCREMENTAL into Interactions, objects marked fresh: at least
	 * PZ_DC_MIN_RECORDS of its records must come from them (new ones:
	 * the rest are the same events again, kept once) */
	size_t nfresh;
	uint64_t fresh_records;
	bool cached_partial; /* a cached object was not read to its end */
	long long now;
	struct pz_dc_obj **objs;
	size_t nobjs, objs_cap;
	struct filter *filters;
	size_t nfilters;
	struct solution *solutions;
	size_t nsolutions;
	uint64_t records;
	/* stats */
	bool want_stats;
	struct hcount users, items;
	struct pz_dc_stats stats;
};

/* ---- small helpers ---- */

static uint64_t hash64(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

/* Adds one to key's count (inserting it); returns the new count, or 0
 * when the table is full and key is not in it. */
static uint32_t umap_bump(struct umap *m, uint64_t key, uint32_t by)
{
	size_t i;

	if (!m->keys) {
		m->keys = pz_xcalloc(UMAP_CAP, sizeof(*m->keys));
		m->counts = pz_xcalloc(UMAP_CAP, sizeof(*m->counts));
	}
	for (i = (size_t)key & (UMAP_CAP - 1);; i = (i + 1) & (UMAP_CAP - 1)) {
		if (m->keys[i] == key) {
			m->counts[i] += by;
			return m->counts[i];
		}
		if (!m->keys[i])
			break;
	}
	if (m->n >= UMAP_FULL) {
		m->full = true;
		return 0;
	}
	m->keys[i] = key;
	m->counts[i] = by;
	m->n++;
	return by;
}

static void hcount_grow(struct hcount *h)
{
	size_t cap = h->cap ? h->cap * 2 : 4096, i;
	uint64_t *keys = pz_xcalloc(cap, sizeof(*keys));
	uint32_t *counts = pz_xcalloc(cap, sizeof(*counts));

	for (i = 0; i < h->cap; i++) {
		size_t j;

		if (!h->keys[i])
			continue;
		for (j = (size_t)h->keys[i] & (cap - 1); keys[j];
		     j = (j + 1) & (cap - 1))
			;
		keys[j] = h->keys[i];
		counts[j] = h->counts[i];
	}
	free(h->keys);
	free(h->counts);
	h->keys = keys;
	h->counts = counts;
	h->cap = cap;
}

static void hcount_bump(struct hcount *h, uint64_t key)
{
	size_t i;

	if (h->n + 1 > h->cap / 2)
		hcount_grow(h);
	for (i = (size_t)key & (h->cap - 1); h->keys[i];
	     i = (i + 1) & (h->cap - 1)) {
		if (h->keys[i] == key) {
			h->counts[i]++;
			return;
		}
	}
	h->keys[i] = key;
	h->counts[i] = 1;
	h->n++;
}

/* A value for a message: at most 40 bytes, control characters, quotes
 * and bytes that are not ASCII escaped (it comes from a data file and
 * may reach a terminal). show_max: at most max bytes. */
static void show_max(char *out, size_t cap, const char *p, size_t n, size_t max)
{
	size_t o = 0, i;

	for (i = 0; i < n && o + 8 < cap; i++) {
		unsigned char b = (unsigned char)p[i];

		if (i == max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (b < 0x20 || b >= 0x7f || b == '\'' || b == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", b);
		else
			out[o++] = (char)b;
	}
	out[o] = '\0';
}

static void show(char *out, size_t cap, const char *p, size_t n)
{
	show_max(out, cap, p, n, 40);
}

/* Valid UTF-8 (no overlongs, surrogates or code points over U+10FFFF);
 * *chars gets the number of characters. Returns the offset of the first
 * bad byte, or n. */
static size_t utf8_check(const unsigned char *p, size_t n, size_t *chars)
{
	size_t i = 0, c = 0;

	while (i < n) {
		unsigned char b = p[i];
		size_t len;
		uint32_t cp;

		if (b < 0x80) {
			i++, c++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			len = 2, cp = b & 0x1f;
		else if (b >= 0xe0 && b <= 0xef)
			len = 3, cp = b & 0x0f;
		else if (b >= 0xf0 && b <= 0xf4)
			len = 4, cp = b & 0x07;
		else
			break;
		if (i + len > n)
			break;
		{
			size_t k;
			bool ok = true;

			for (k = 1; k < len; k++) {
				if ((p[i + k] & 0xc0) != 0x80)
					ok = false;
				cp = (cp << 6) | (p[i + k] & 0x3f);
			}
			if (!ok || (len == 3 && cp < 0x800) ||
			    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				break;
		}
		i += len, c++;
	}
	*chars = c;
	return i;
}

/* The value of eight ASCII digits loaded little-endian (the first digit
 * in the lowest byte): pairs, then fours, then all eight, by multiply
 * and shift. */
static inline uint64_t le8_digits(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	w = ((w & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
	w = ((w & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
	return ((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
}

/* Eight ASCII digits loaded little-endian: every byte 0x30-0x39 (high
 * nibble 3, and adding 6 does not carry into it). */
static PZ_INLINE bool digits8(uint64_t w)
{
	return ((w & 0xF0F0F0F0F0F0F0F0ULL) |
		(((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
	       0x3333333333333333ULL;
}

static PZ_INLINE bool parse_int(const char *p, size_t n, long long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long long v = 0;

	if (n && (p[0] == '-' || p[0] == '+'))
		neg = p[0] == '-', i++;
	if (i == n || n - i > 19)
		return false;
	/* Eight digits at a time (SWAR): a 10-digit epoch in two steps
	 * rather than ten. No overflow: at most 19 digits, and the value
	 * so far never exceeds the final one. */
	for (; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (!digits8(w))
			return false;
		v = v * 100000000ULL + le8_digits(w);
	}
	for (; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';

		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	if (v > (unsigned long long)INT64_MAX + (neg ? 1u : 0u))
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* A decimal number as Avro's float and double take it from CSV. */
static bool is_number(const char *p, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (p[i] == '-' || p[i] == '+'))
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++, digits++;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t e = 0;

		i++;
		if (i < n && (p[i] == '-' || p[i] == '+'))
			i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++, e++;
		if (!e)
			return false;
	}
	return i == n;
}

static bool ieq(const char *p, size_t n, const char *s)
{
	size_t i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != s[i])
			return false;
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

static unsigned digits_at(const char *p, size_t n, size_t at, size_t k,
			  bool *ok)
{
	unsigned v = 0;
	size_t i;

	if (at + k > n) {
		*ok = false;
		return 0;
	}
	for (i = at; i < at + k; i++) {
		if (p[i] < '0' || p[i] > '9')
			*ok = false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v;
}

/* "2023-11-14", "2023-11-14T22:13:20Z", "2023-11-14 22:13:20" (UTC
 * assumed) -> epoch seconds. */
static bool parse_iso(const char *p, size_t n, long long *out)
{
	bool ok = true;
	unsigned y, mo, d, h = 0, mi = 0, s = 0;

	if (n < 10 || p[4] != '-' || p[7] != '-')
		return false;
	y = digits_at(p, n, 0, 4, &ok);
	mo = digits_at(p, n, 5, 2, &ok);
	d = digits_at(p, n, 8, 2, &ok);
	if (n > 10 && (p[10] == 'T' || p[10] == ' ')) {
		h = digits_at(p, n, 11, 2, &ok);
		mi = digits_at(p, n, 14, 2, &ok);
		if (n >= 19 && p[16] == ':')
			s = digits_at(p, n, 17, 2, &ok);
	}
	if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

static void fmt_date(char *out, size_t cap, long long t)
{
	int y;
	unsigned m, d;

	civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
	snprintf(out, cap, "%04d-%02u-%02u", y, m, d);
}

/* ---- checker ---- */

struct pz_dc *pz_dc_new(const struct pz_avro_schema *schema,
			const char *spec_file, const char *dataset_type,
			const char *location, enum pz_dc_level level,
			bool full_import, long long now)
{
	struct pz_dc *dc = pz_xcalloc(1, sizeof(*dc));

	dc->schema = schema;
	dc->spec_file = pz_xstrdup(spec_file ? spec_file : "-");
	dc->dataset_type = pz_xstrdup(dataset_type);
	dc->location = pz_xstrdup(location);
	dc->level = level;
	dc->full_import = full_import;
	dc->interactions = !strcmp(dataset_type, "Interactions");
	dc->now = now;
	return dc;
}

static void obj_free(struct pz_dc_obj *o)
{
	pz_csv_release(&o->csv);
	pz_diags_release(&o->diags);
	free(o->url);
	free(o->etag);
	free(o->cols);
	free(o->header);
	free(o->first);
	free(o->more);
	free(o->fn);
	free(o->u2);
	free(o->u2n);
	free(o);
}

void pz_dc_free(struct pz_dc *dc)
{
	size_t i;

	if (!dc)
		return;
	for (i = 0; i < dc->nobjs; i++)
		obj_free(dc->objs[i]);
	free(dc->objs);
	for (i = 0; i < dc->nfilters; i++) {
		free(dc->filters[i].event_type);
		free(dc->filters[i].m.keys);
		free(dc->filters[i].m.counts);
	}
	free(dc->filters);
	for (i = 0; i < dc->nsolutions; i++)
		free(dc->solutions[i].address);
	free(dc->solutions);
	free(dc->users.keys);
	free(dc->users.counts);
	free(dc->items.keys);
	free(dc->items.counts);
	pz_dc_stats_release(&dc->stats);
	free(dc->spec_file);
	free(dc->dataset_type);
	free(dc->location);
	free(dc);
}

void pz_dc_add_solution(struct pz_dc *dc, const char *address,
			const char *event_type, struct pz_pos pos)
{
	size_t i, f = dc->nfilters;
	struct solution *s;

	if (dc->nobjs)
		PZ_BUG("solutions are added before objects");
	for (i = 0; i < dc->nfilters; i++) {
		const char *e = dc->filters[i].event_type;

		if ((!e && !event_type) ||
		    (e && event_type && !strcmp(e, event_type)))
			f = i;
	}
	if (f == dc->nfilters) {
		dc->filters = pz_xreallocarray(dc->filters, dc->nfilters + 1,
					       sizeof(*dc->filters));
		memset(&dc->filters[f], 0, sizeof(dc->filters[f]));
		dc->filters[f].event_type =
		    event_type ? pz_xstrdup(event_type) : NULL;
		dc->filters[f].event_len = event_type ? strlen(event_type) : 0;
		dc->nfilters++;
	}
	dc->solutions = pz_xreallocarray(dc->solutions, dc->nsolutions + 1,
					 sizeof(*dc->solutions));
	s = &dc->solutions[dc->nsolutions++];
	s->address = pz_xstrdup(address);
	s->filter = f;
	s->pos = pos;
}

void pz_dc_want_stats(struct pz_dc *dc)
{
	dc->want_stats = true;
}

bool pz_dc_used_cache(const struct pz_dc *dc)
{
	return dc->used_cache;
}

/* Does the INCREMENTAL minimum of new records apply? */
static bool needs_fresh(const struct pz_dc *dc)
{
	return dc->interactions && !dc->full_import && dc->nfresh;
}

/* Are the minimums that need counting met, so that o's sample may stop?
 * (An object imported before adds no new records: the INCREMENTAL
 * minimum never keeps it read.) */
static bool minimums_met(const struct pz_dc *dc, const struct pz_dc_obj *o)
{
	size_t i;

	if (dc->records < PZ_DC_MIN_RECORDS)
		return false;
	if (o->fresh && needs_fresh(dc) &&
	    dc->fresh_records < PZ_DC_MIN_RECORDS)
		return false;
	if (!dc->interactions || !dc->full_import)
		return true;
	for (i = 0; i < dc->nfilters; i++)
		if (dc->filters[i].n < PZ_DC_MIN_INTERACTIONS ||
		    dc->filters[i].users2 < PZ_DC_MIN_USERS)
			return false;
	return true;
}

/* Adds a problem of category cat (a column, or ncols + CAT_*): the first
 * one of each is a diagnostic, the others are counted. */
static void PZ_PRINTF(6, 7)
    problem(struct pz_dc_obj *o, size_t cat, enum pz_severity sev,
	    uint64_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (cat >= o->ncats) {
		size_t n = cat + 1;

		o->first = pz_xreallocarray(o->first, n, sizeof(*o->first));
		o->more = pz_xreallocarray(o->more, n, sizeof(*o->more));
		memset(o->first + o->ncats, 0,
		       (n - o->ncats) * sizeof(*o->first));
		memset(o->more + o->ncats, 0,
		       (n - o->ncats) * sizeof(*o->more));
		o->ncats = n;
	}
	if (o->first[cat]) {
		o->more[cat]++;
		return;
	}
	va_start(ap, fmt);
	pz_diag_vadd(&o->diags, sev, o->url,
		     (struct pz_pos){(uint32_t)line, col, 0}, fmt, ap);
	va_end(ap);
	o->first[cat] = o->diags.n;
}

/* The note for a problem of the object or row as a whole: the schema
 * it is read against. */
static void schema_note(struct pz_dc_obj *o)
{
	const struct pz_avro_schema *s = o->dc->schema;

	if (s->nfields)
		pz_diag_note(&o->diags, o->dc->spec_file, s->fields[0].pos,
			     "the %s schema's fields are declared here",
			     o->dc->dataset_type);
}

/* The note at a schema field's line in the spec. */
static void field_note(struct pz_dc_obj *o, const struct pz_avro_field *f)
{
	pz_diag_note(&o->diags, o->dc->spec_file, f->pos,
		     "%s is declared here as %s%s%s", f->name,
		     f->nullable ? "null or " : "", pz_avro_type_name(f->type),
		     f->categorical ? " (categorical)" : "");
}

static bool is_id(const char *name)
{
	return !strcmp(name, "USER_ID") || !strcmp(name, "ITEM_ID") ||
	       !strcmp(name, "ACTION_ID") || !strcmp(name, "EVENT_TYPE") ||
	       !strcmp(name, "EVENT_ID");
}

static bool is_timestamp(const char *name)
{
	return !strcmp(name, "TIMESTAMP") ||
	       !strcmp(name, "CREATION_TIMESTAMP");
}

/* Where field i of r starts, plus off bytes, for a message. */
static struct pz_pos field_pos(const struct pz_csv_record *r, size_t i,
			       uint32_t off)
{
	uint64_t line;
	uint32_t col;

	pz_csv_where(r, i, &line, &col);
	return (struct pz_pos){(uint32_t)line, col + off, 0};
}

/* When category cat has had its first diagnostic, counts one more and
 * returns true: the caller need not even word the message. */
static bool counted(struct pz_dc_obj *o, size_t cat)
{
	if (cat < o->ncats && o->first[cat]) {
		o->more[cat]++;
		return true;
	}
	return false;
}

/* A problem with field i of r, at off bytes into it, in the category
 * of its column, with the note at the column's field (on the
 * diagnostic it adds, never on another's). */
static void PZ_PRINTF(5, 6)
    field_problem(struct pz_dc_obj *o, const struct pz_csv_record *r, size_t i,
		  uint32_t off, const char *fmt, ...)
{
	struct pz_pos at;
	char *msg;
	va_list ap;

	if (counted(o, i))
		return;
	at = field_pos(r, i, off);
	va_start(ap, fmt);
	msg = pz_xvasprintf(fmt, ap);
	va_end(ap);
	problem(o, i, PZ_SEV_ERROR, at.line, at.col, "%s", msg);
	field_note(o, o->cols[i].f);
	free(msg);
}

/* What is wrong with a TIMESTAMP value that is not epoch seconds of the
 * past. Out of line: the check's own path only parses and compares. */
static PZ_COLD void timestamp_problem(struct pz_dc_obj *o,
				      const struct pz_csv_record *r, size_t i)
{
	const struct pz_csv_field *v = &r->fields[i];
	const char *name = o->cols[i].f->name;
	long long t = 0, iso;
	char shown[200], date[32];

	if (counted(o, i))
		return;
	if (!parse_int(v->p, v->len, &t)) {
		show(shown, sizeof(shown), v->p, v->len);
		if (parse_iso(v->p, v->len, &iso))
			field_problem(o, r, i, 0,
				      "%s '%s' is a date; Personalize wants "
				      "epoch seconds (%lld)",
				      name, shown, iso);
		else
			field_problem(o, r, i, 0,
				      "%s '%s' is not a whole number; "
				      "Personalize wants epoch seconds",
				      name, shown);
		return;
	}
	if (t >= 100000000000LL && t < 100000000000000LL) {
		field_problem(o, r, i, 0,
			      "%s %lld looks like milliseconds; Personalize "
			      "wants epoch seconds (%lld)",
			      name, t, t / 1000);
	} else if (t >= 100000000000000LL && t < 100000000000000000LL) {
		field_problem(o, r, i, 0,
			      "%s %lld looks like microseconds; Personalize "
			      "wants epoch seconds (%lld)",
			      name, t, t / 1000000);
	} else if (t > o->dc->now + 3600) {
		fmt_date(date, sizeof(date), t);
		field_problem(o, r, i, 0,
			      "%s %lld is in the future (%s); Personalize "
			      "wants epoch seconds of when the event happened",
			      name, t, date);
	} else if (t < 0) {
		field_problem(o, r, i, 0,
			      "%s %lld is before 1970; Personalize wants "
			      "epoch seconds",
			      name, t);
	}
}

/*
 * The whole check of a string value: UTF-8 (unless the record is
 * ASCII), an ID's length, a categorical value's parts, a string's
 * length. Out of line: the hot path calls it only when its quick test
 * (an ASCII record, a length that cannot be wrong) does not settle it.
 */
static PZ_COLD void check_string(struct pz_dc_obj *o,
				 const struct pz_csv_record *r, size_t i)
{
	const struct column *c = &o->cols[i];
	const struct pz_csv_field *v = &r->fields[i];
	const unsigned char *p = (const unsigned char *)v->p;
	size_t chars = v->len, bad;

	if (!r->ascii) {
		bad = utf8_check(p, v->len, &chars);
		if (bad < v->len) {
			field_problem(o, r, i,
				      (uint32_t)bad + (v->quoted ? 1 : 0),
				      "%s is not UTF-8 (byte 0x%02x); save the "
				      "file as UTF-8",
				      c->f->name, p[bad]);
			return;
		}
	}
	if (c->check == CHECK_ID && (chars == 0 || chars > 256)) {
		field_problem(o, r, i, 0,
			      "%s is %zu characters long; an ID has 1 to 256",
			      c->f->name, chars);
	} else if (c->f->categorical) {
		size_t start = 0, k;

		for (k = 0; k <= v->len; k++) {
			size_t len;

			if (k < v->len && p[k] != '|')
				continue;
			len = k - start;
			if (len > 1000) {
				field_problem(o, r, i, (uint32_t)start,
					      "%s: a categorical value of %zu "
					      "bytes; each value between '|' "
					      "has at most 1,000 characters",
					      c->f->name, len);
				return;
			}
			start = k + 1;
		}
	} else if (chars > 20000) {
		field_problem(o, r, i, 0,
			      "%s is %zu characters long; a string field has "
			      "at most 20,000",
			      c->f->name, chars);
	}
}

/* A value that is not of its field's type ("not WHAT"), or empty where
 * the schema does not allow null (what NULL). Out of line. */
static PZ_COLD void value_problem(struct pz_dc_obj *o,
				  const struct pz_csv_record *r, size_t i,
				  const char *what)
{
	const struct pz_avro_field *f = o->cols[i].f;
	const struct pz_csv_field *v = &r->fields[i];
	char shown[200];

	if (counted(o, i))
		return;
	if (!what) {
		field_problem(o, r, i, 0,
			      "%s is empty, and the schema does not allow "
			      "null for it; fill it in every row, or make "
			      "its type [\"null\", \"%s\"]",
			      f->name, pz_avro_type_name(f->type));
	} else {
		show(shown, sizeof(shown), v->p, v->len);
		field_problem(o, r, i, 0, "%s '%s' is not %s", f->name, shown,
			      what);
	}
}

/* The whole check of value i of r by its column: what it finds is a
 * problem. Out of line: check_values calls it only for the values its
 * quick tests do not settle. */
static PZ_COLD void check_value(struct pz_dc_obj *o,
				const struct pz_csv_record *r, size_t i)
{
	const struct column *c = &o->cols[i];
	const struct pz_csv_field *v = &r->fields[i];
	long long x;

	if (v->len == 0 && !v->quoted) {
		if (!c->nullable)
			value_problem(o, r, i, NULL);
		return;
	}
	switch (c->check) {
	case CHECK_TIMESTAMP:
		/* Seconds, from 1970 to an hour from now. */
		if (!parse_int(v->p, v->len, &x) || x < 0 ||
		    x > o->dc->now + 3600)
			timestamp_problem(o, r, i);
		break;
	case CHECK_INT:
		if (!parse_int(v->p, v->len, &x) || x < INT32_MIN ||
		    x > INT32_MAX)
			value_problem(o, r, i,
				      "an int (a whole number of 32 bits)");
		break;
	case CHECK_LONG:
		if (!parse_int(v->p, v->len, &x))
			value_problem(o, r, i, "a long (a whole number)");
		break;
	case CHECK_NUMBER:
		if (!is_number(v->p, v->len))
			value_problem(o, r, i, "a number");
		break;
	case CHECK_BOOLEAN:
		if (!ieq(v->p, v->len, "true") && !ieq(v->p, v->len, "false"))
			value_problem(o, r, i, "a boolean (true or false)");
		break;
	case CHECK_ID:
	case CHECK_STRING: check_string(o, r, i); break;
	default: break;
	}
}

/* Ten ASCII digits (an epoch in seconds from 2001 to 2286) whose value
 * is at most max: the common TIMESTAMP, eight digits at a time. */
static PZ_INLINE bool epoch10_at_most(const char *p, long long max)
{
	uint64_t w;
	unsigned d8 = (unsigned)(unsigned char)p[8] - '0',
		 d9 = (unsigned)(unsigned char)p[9] - '0';

	memcpy(&w, p, 8);
	if (!digits8(w) || d8 > 9 || d9 > 9)
		return false;
	return (long long)(le8_digits(w) * 100 + d8 * 10 + d9) <= max;
}

/*
 * The values of a record, each by its column's check (found from the
 * header). The common value is settled here with a test or two on its
 * bytes (an ASCII record's IDs and strings by their length, a
 * ten-digit timestamp by its value, a null where null is allowed);
 * only what these do not settle goes to check_value. Each quick test
 * passes only values check_value would find nothing wrong with.
 */
static PZ_INLINE void check_values(struct pz_dc_obj *o,
				   const struct pz_csv_record *r, size_t m,
				   long long ts_max)
{
	const struct column *cols = o->cols;
	const struct pz_csv_field *v = r->fields;
	size_t i;

	for (i = 0; i < m; i++) {
		switch (cols[i].check) {
		case CHECK_ID:
		case CHECK_STRING:
			/* ASCII: as many characters as bytes; 1 to
			 * quick_max of them cannot be wrong. */
			if (r->ascii && v[i].len - 1 < cols[i].quick_max)
				continue;
			break;
		case CHECK_TIMESTAMP:
			if (v[i].len == 10 && epoch10_at_most(v[i].p, ts_max))
				continue;
			break;
		case CHECK_NUMBER:
			if (v[i].len ? is_number(v[i].p, v[i].len)
				     : !v[i].quoted && cols[i].nullable)
				continue;
			break;
		case CHECK_NONE:
			if (v[i].len || v[i].quoted || cols[i].nullable)
				continue;
			break;
		default:
			if (!v[i].len && !v[i].quoted && cols[i].nullable)
				continue;
			break;
		}
		check_value(o, r, i);
	}
}

/* The check a column's values get: its field's type, and for IDs and
 * timestamps its name. */
static unsigned char column_check(const struct pz_avro_field *f)
{
	switch (f->type) {
	case PZ_AVRO_INT:
	case PZ_AVRO_LONG:
		if (is_timestamp(f->name))
			return CHECK_TIMESTAMP;
		return f->type == PZ_AVRO_INT ? CHECK_INT : CHECK_LONG;
	case PZ_AVRO_FLOAT:
	case PZ_AVRO_DOUBLE: return CHECK_NUMBER;
	case PZ_AVRO_BOOLEAN: return CHECK_BOOLEAN;
	case PZ_AVRO_STRING: return is_id(f->name) ? CHECK_ID : CHECK_STRING;
	case PZ_AVRO_OTHER: break;
	}
	return CHECK_NONE;
}

/* Column i reads field f. */
static void set_column(struct pz_dc_obj *o, size_t i,
		       const struct pz_avro_field *f)
{
	struct column *c = &o->cols[i];

	c->f = f;
	c->check = column_check(f);
	c->nullable = f->nullable;
	/* The longest ASCII value (less one) that needs no closer look: an
	 * ID's 256 characters, a categorical value's 1,000 bytes (the
	 * whole value cannot hold a longer part), a string's 20,000. */
	c->quick_max = c->check == CHECK_ID ? 256
		       : f->categorical	    ? 1000
					    : 20000;
}

static void check_header(struct pz_dc_obj *o, const struct pz_csv_record *r)
{
	const struct pz_avro_schema *s = o->dc->schema;
	const struct pz_csv_field *h = r->fields;
	size_t n = r->n;
	bool *seen = pz_xcalloc(s->nfields + 1, sizeof(*seen));
	struct pz_buf joined;
	size_t i, j;

	o->ncols = n;
	o->cols = pz_xcalloc(n, sizeof(*o->cols));
	for (i = 0; i < n; i++)
		o->cols[i].nullable = true; /* unknown: not checked */
	o->c_user = o->c_item = o->c_event = o->c_ts = -1;
	pz_buf_init(&joined, 0);
	for (i = 0; i < n; i++) {
		struct pz_pos at = field_pos(r, i, 0);
		char name[200];
		int f = -1;

		show(name, sizeof(name), h[i].p, h[i].len);
		if (pz_buf_add(&joined, h[i].p, h[i].len) ||
		    (i + 1 < n && pz_buf_addc(&joined, ',')))
			PZ_BUG("header buffer");
		for (j = 0; j < s->nfields; j++)
			if (strlen(s->fields[j].name) == h[i].len &&
			    !memcmp(s->fields[j].name, h[i].p, h[i].len))
				f = (int)j;
		if (h[i].quoted) {
			problem(o, i, PZ_SEV_ERROR, at.line, at.col,
				"the header name \"%s\" is in quotes; "
				"Personalize wants the names bare",
				name);
			if (f >= 0)
				field_note(o, &s->fields[f]);
			else
				schema_note(o);
		}
		if (f < 0) {
			const char *best = NULL;

			for (j = 0; j < s->nfields && h[i].len < 200; j++)
				if (strlen(s->fields[j].name) == h[i].len &&
				    !strncasecmp(s->fields[j].name, h[i].p,
						 h[i].len))
					best = s->fields[j].name;
			if (!best && h[i].len < 200) {
				const char **names =
				    pz_xcalloc(s->nfields + 1, sizeof(*names));
				char *w = pz_xstrndup(h[i].p, h[i].len);

				for (j = 0; j < s->nfields; j++)
					names[j] = s->fields[j].name;
				best = pz_str_suggest(w, names, s->nfields);
				free(w);
				free(names);
			}
			if (i == 0 && h[i].len >= 3 &&
			    !memcmp(h[i].p, "\xef\xbb\xbf", 3))
				problem(o, i, PZ_SEV_ERROR, at.line, at.col,
					"the object starts with a UTF-8 byte "
					"order mark; save it without one");
			else if (best)
				problem(o, i, PZ_SEV_ERROR, at.line, at.col,
					"the header names '%s', which is not a "
					"field of the schema; did you mean "
					"'%s'?",
					name, best);
			else
				problem(o, i, PZ_SEV_ERROR, at.line, at.col,
					"the header names '%s', which is not a "
					"field of the schema; rename the "
					"column or add the field",
					name);
			if (s->nfields)
				pz_diag_note(&o->diags, o->dc->spec_file,
					     s->fields[0].pos,
					     "the schema's fields are "
					     "declared here");
			continue;
		}
		if (seen[f]) {
			problem(o, i, PZ_SEV_ERROR, at.line, at.col,
				"the column %s appears twice in the header; "
				"remove one",
				s->fields[f].name);
			field_note(o, &s->fields[f]);
			continue;
		}
		seen[f] = true;
		set_column(o, i, &s->fields[f]);
		if (!strcmp(s->fields[f].name, "USER_ID"))
			o->c_user = (int)i;
		else if (!strcmp(s->fields[f].name, "ITEM_ID"))
			o->c_item = (int)i;
		else if (!strcmp(s->fields[f].name, "EVENT_TYPE"))
			o->c_event = (int)i;
		else if (!strcmp(s->fields[f].name, "TIMESTAMP"))
			o->c_ts = (int)i;
	}
	for (j = 0; j < s->nfields; j++) {
		if (seen[j] || s->fields[j].nullable)
			continue;
		problem(o, n + CAT_EXTRA + j, PZ_SEV_ERROR, (uint32_t)r->line,
			1,
			"the header has no %s column, and the schema requires "
			"it (its type does not allow null)",
			s->fields[j].name);
		field_note(o, &s->fields[j]);
	}
	o->header = pz_buf_detach(&joined, NULL);
	if (!o->header)
		o->header = pz_xstrdup("");
	free(seen);
}

/* pz data stats' counts of a row. */
static void stats_row(struct pz_dc_obj *o, const struct pz_csv_field *v,
		      size_t n)
{
	struct pz_dc *dc = o->dc;
	const struct pz_csv_field *ev =
	    o->c_event >= 0 && (size_t)o->c_event < n ? &v[o->c_event] : NULL;
	size_t i;

	if (o->c_user >= 0 && (size_t)o->c_user < n)
		hcount_bump(&dc->users,
			    hash64(v[o->c_user].p, v[o->c_user].len));
	if (o->c_item >= 0 && (size_t)o->c_item < n)
		hcount_bump(&dc->items,
			    hash64(v[o->c_item].p, v[o->c_item].len));
	if (ev) {
		struct pz_dc_stats *s = &dc->stats;

		for (i = 0; i < s->nevents; i++)
			if (strlen(s->events[i].name) == ev->len &&
			    !memcmp(s->events[i].name, ev->p, ev->len))
				break;
		if (i == s->nevents && s->nevents < MAX_EVENTS) {
			char name[200];

			show(name, sizeof(name), ev->p, ev->len);
			s->events = pz_xreallocarray(s->events, s->nevents + 1,
						     sizeof(*s->events));
			s->events[i].name = pz_xstrdup(name);
			s->events[i].count = 0;
			s->nevents++;
		}
		if (i < s->nevents)
			s->events[i].count++;
	}
	if (o->c_ts >= 0 && (size_t)o->c_ts < n) {
		long long t;

		if (parse_int(v[o->c_ts].p, v[o->c_ts].len, &t)) {
			if (!dc->stats.ts_min || t < dc->stats.ts_min)
				dc->stats.ts_min = t;
			if (t > dc->stats.ts_max)
				dc->stats.ts_max = t;
		}
	}
}

/* The row's user, for filter i that has fewer than 25 users with 2
 * interactions yet. *uh: the user's hash, 0 until needed. */
static void count_user(struct pz_dc_obj *o, const struct pz_csv_field *v,
		       size_t n, size_t i, uint64_t *uh)
{
	struct filter *f = &o->dc->filters[i];

	if (o->c_user < 0 || (size_t)o->c_user >= n)
		return;
	if (!*uh)
		*uh = hash64(v[o->c_user].p, v[o->c_user].len);
	if (umap_bump(&f->m, *uh, 1) == 2) {
		f->users2++;
		if (o->u2n[i] < PZ_DC_MIN_USERS)
			o->u2[i][o->u2n[i]++] = *uh;
	}
}

/* A row's counts: records, and for Interactions each filter's
 * interactions and users (pz data stats' too when wanted). */
static PZ_INLINE void count_row(struct pz_dc_obj *o,
				const struct pz_csv_field *v, size_t n)
{
	struct pz_dc *dc = o->dc;
	uint64_t uh = 0;
	size_t i;

	dc->records++;
	dc->fresh_records += o->fresh;
	if (dc->interactions) {
		for (i = 0; i < dc->nfilters; i++) {
			struct filter *f = &dc->filters[i];

			if (f->event_type &&
			    (o->c_event < 0 || (size_t)o->c_event >= n ||
			     f->event_len != v[o->c_event].len ||
			     memcmp(f->event_type, v[o->c_event].p,
				    f->event_len)))
				continue;
			f->n++;
			o->fn[i]++;
			if (f->users2 < PZ_DC_MIN_USERS)
				count_user(o, v, n, i, &uh);
		}
	}
	if (dc->want_stats)
		stats_row(o, v, n);
}

/* A row whose number of fields is not the header's. */
static PZ_COLD void shape_problem(struct pz_dc_obj *o,
				  const struct pz_csv_record *r)
{
	problem(o, o->ncols + CAT_SHAPE, PZ_SEV_ERROR, r->line, 1,
		"the row has %zu field%s, the header %zu; quote "
		"values that hold commas",
		r->n, r->n == 1 ? "" : "s", o->ncols);
	/* problem() sized first[] for this category. */
	if (o->first[o->ncols + CAT_SHAPE] == o->diags.n &&
	    !o->diags.items[o->diags.n - 1].note)
		schema_note(o);
}

static int on_records(void *ud, const struct pz_csv_record *recs, size_t n)
{
	struct pz_dc_obj *o = ud;
	const struct pz_dc *dc = o->dc;
	long long ts_max = dc->now + 3600;
	size_t k = 0;

	if (!o->header_seen) {
		o->header_seen = true;
		check_header(o, &recs[k++]);
		if (dc->level == PZ_DC_HEADER)
			return 1;
	}
	for (; k < n; k++) {
		const struct pz_csv_record *r = &recs[k];

		o->rows++;
		if (r->n != o->ncols)
			shape_problem(o, r);
		check_values(o, r, r->n < o->ncols ? r->n : o->ncols, ts_max);
		count_row(o, r->fields, r->n);
		if (dc->level == PZ_DC_SAMPLE && o->rows >= PZ_DC_SAMPLE_ROWS &&
		    minimums_met(dc, o))
			return 1;
	}
	return 0;
}

static int on_error(void *ud, uint64_t line, uint32_t col, const char *msg)
{
	struct pz_dc_obj *o = ud;

	problem(o, o->ncols + CAT_SYNTAX, PZ_SEV_ERROR, line, col, "%s", msg);
	if (o->diags.n && o->first[o->ncols + CAT_SYNTAX] == o->diags.n &&
	    !o->diags.items[o->diags.n - 1].note)
		schema_note(o);
	return 0;
}

struct pz_dc_obj *pz_dc_obj_add(struct pz_dc *dc, const char *url,
				const char *etag, uint64_t size)
{
	struct pz_dc_obj *o = pz_xcalloc(1, sizeof(*o));
	size_t nf = dc->nfilters ? dc->nfilters : 1;

	o->dc = dc;
	o->url = pz_xstrdup(url);
	o->etag = pz_xstrdup(etag ? etag : "");
	o->size = size;
	o->c_user = o->c_item = o->c_event = o->c_ts = -1;
	pz_diags_init(&o->diags);
	pz_csv_init(&o->csv, on_records, on_error, o);
	o->fn = pz_xcalloc(nf, sizeof(*o->fn));
	o->u2 = pz_xcalloc(nf, sizeof(*o->u2));
	o->u2n = pz_xcalloc(nf, sizeof(*o->u2n));
	PZ_GROW(dc->objs, dc->nobjs, dc->objs_cap);
	dc->objs[dc->nobjs++] = o;
	return o;
}

void pz_dc_obj_mark_fresh(struct pz_dc_obj *o)
{
	if (!o->fresh) {
		o->fresh = true;
		o->dc->nfresh++;
	}
}

/* Data that is certainly not CSV, from its first bytes. */
static const char *not_csv(const unsigned char *p, size_t n)
{
	size_t i;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "gzip data; Personalize imports uncompressed CSV";
	if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return "a zip archive; Personalize imports uncompressed CSV";
	if (n >= 4 && !memcmp(p, "PAR1", 4))
		return "Parquet; Personalize imports CSV";
	for (i = 0; i < n && i < 4096; i++)
		if (p[i] == 0)
			return "binary data (it holds NUL bytes); Personalize "
			       "imports CSV";
	for (i = 0; i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' ||
			      p[i] == '\t');
	     i++)
		;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return "JSON; Personalize imports CSV with a header row";
	return NULL;
}

bool pz_dc_obj_feed(struct pz_dc_obj *o, const char *p, size_t n)
{
	if (o->stop)
		return true;
	if (!o->sniffed && n) {
		const char *what = not_csv((const unsigned char *)p, n);

		o->sniffed = true;
		if (what) {
			pz_diag_add(&o->diags, PZ_SEV_ERROR, o->url,
				    (struct pz_pos){1, 1, 0},
				    "the object is not CSV: %s", what);
			schema_note(o);
			o->failed = o->stop = true;
			return true;
		}
	}
	o->bytes += n;
	if (pz_csv_feed(&o->csv, p, n))
		o->stop = true;
	return o->stop;
}

bool pz_dc_obj_done(const struct pz_dc_obj *o)
{
	if (o->stop || o->complete || o->cached)
		return true;
	if (o->dc->level == PZ_DC_HEADER)
		return o->header_seen;
	if (o->dc->level == PZ_DC_SAMPLE)
		return o->rows >= PZ_DC_SAMPLE_ROWS && minimums_met(o->dc, o);
	return false;
}

uint64_t pz_dc_obj_bytes(const struct pz_dc_obj *o)
{
	return o->bytes;
}

void pz_dc_obj_finish(struct pz_dc_obj *o, bool eof)
{
	size_t c;

	if (o->cached)
		return;
	if (eof && !o->stop && !o->failed) {
		pz_csv_finish(&o->csv);
		o->complete = true;
	}
	if (eof && o->bytes == 0 && !o->failed) {
		pz_diag_add(&o->diags, PZ_SEV_ERROR, o->url,
			    (struct pz_pos){0, 0, 0},
			    "the object is empty; remove it, or give it a "
			    "header row and records");
		schema_note(o);
	}
	for (c = 0; c < o->ncats; c++) {
		struct pz_diag *g;
		char *m;

		if (!o->first[c] || !o->more[c])
			continue;
		g = &o->diags.items[o->first[c] - 1];
		m = pz_xasprintf("%s (and %" PRIu64 " more row%s like it)",
				 g->message, o->more[c],
				 o->more[c] == 1 ? "" : "s");
		free(g->message);
		g->message = m;
		o->more[c] = 0;
	}
	pz_csv_release(&o->csv);
}

void pz_dc_obj_failed(struct pz_dc_obj *o, const char *message)
{
	o->failed = o->stop = o->unreadable = true;
	pz_diag_add(&o->diags, PZ_SEV_ERROR, o->url, (struct pz_pos){0, 0, 0},
		    "%s", message);
	schema_note(o);
}

/* ---- the cache ---- */

static const char *filter_key(const struct filter *f)
{
	return f->event_type ? f->event_type : "*";
}

cJSON *pz_dc_obj_to_cache(const struct pz_dc_obj *o)
{
	cJSON *e = cJSON_CreateObject(), *ds, *fs;
	enum pz_dc_level lvl = o->complete ? PZ_DC_FULL : o->dc->level;
	size_t i, k;

	if (o->unreadable) {
		cJSON_Delete(e);
		return NULL;
	}
	cJSON_AddStringToObject(e, "etag", o->etag);
	cJSON_AddStringToObject(e, "level", pz_dc_level_name(lvl));
	if (o->failed)
		cJSON_AddTrueToObject(e, "not_csv");
	cJSON_AddNumberToObject(e, "rows", (double)o->rows);
	cJSON_AddNumberToObject(e, "bytes", (double)o->bytes);
	if (o->header)
		cJSON_AddStringToObject(e, "header", o->header);
	ds = cJSON_AddArrayToObject(e, "diagnostics");
	for (i = 0; i < o->diags.n; i++) {
		const struct pz_diag *g = &o->diags.items[i];
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(
		    d, "severity",
		    g->severity == PZ_SEV_ERROR ? "error" : "warning");
		cJSON_AddNumberToObject(d, "line", g->pos.line);
		cJSON_AddNumberToObject(d, "col", g->pos.col);
		cJSON_AddStringToObject(d, "message", g->message);
		if (g->note) {
			cJSON_AddStringToObject(d, "note", g->note);
			cJSON_AddNumberToObject(d, "note_line",
						g->note_pos.line);
			cJSON_AddNumberToObject(d, "note_col", g->note_pos.col);
		}
		cJSON_AddItemToArray(ds, d);
	}
	fs = cJSON_AddObjectToObject(e, "filters");
	for (i = 0; i < o->dc->nfilters; i++) {
		cJSON *f = cJSON_CreateObject(),
		      *u = cJSON_AddArrayToObject(f, "users2");

		cJSON_AddNumberToObject(f, "n", (double)o->fn[i]);
		for (k = 0; k < o->u2n[i]; k++) {
			char hex[17];

			snprintf(hex, sizeof(hex), "%016" PRIx64, o->u2[i][k]);
			cJSON_AddItemToArray(u, cJSON_CreateString(hex));
		}
		cJSON_AddItemToObject(fs, filter_key(&o->dc->filters[i]), f);
	}
	return e;
}

/* Adds a string and its terminator, so that fields cannot run into
 * each other. */
static void digest_str(struct pz_sha256 *h, const char *s)
{
	s = s ? s : "";
	pz_sha256_update(h, s, strlen(s) + 1);
}

void pz_dc_obj_cache_key(const struct pz_dc_obj *o, char hex[65])
{
	const struct pz_dc *dc = o->dc;
	struct pz_sha256 h;
	size_t i;

	pz_sha256_init(&h);
	/* The entry's format: a new one makes every old entry a miss. */
	digest_str(&h, "pz data check cache 1");
	digest_str(&h, o->url);
	digest_str(&h, o->etag);
	/* What the verdict depends on besides the bytes: the schema, and
	 * the spec lines its notes point at. */
	digest_str(&h, dc->spec_file);
	digest_str(&h, dc->dataset_type);
	pz_sha256_update(&h, dc->schema->json, dc->schema->json_len);
	for (i = 0; i < dc->schema->nfields; i++) {
		uint32_t at[2] = {dc->schema->fields[i].pos.line,
				  dc->schema->fields[i].pos.col};

		pz_sha256_update(&h, at, sizeof(at));
	}
	pz_sha256_final_hex(&h, hex);
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

bool pz_dc_obj_from_cache(struct pz_dc_obj *o, const cJSON *e)
{
	struct pz_dc *dc = o->dc;
	const cJSON *etag = cJSON_GetObjectItemCaseSensitive(e, "etag");
	const cJSON *lvl = cJSON_GetObjectItemCaseSensitive(e, "level");
	const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(e, "header");
	const cJSON *fs = cJSON_GetObjectItemCaseSensitive(e, "filters");
	const cJSON *d;
	int level;
	size_t i;

	if (!cJSON_IsString(etag) || strcmp(etag->valuestring, o->etag) ||
	    !cJSON_IsString(lvl))
		return false;
	level = pz_dc_level_parse(lvl->valuestring);
	if (level < (int)dc->level)
		return false;
	/* Every filter's count must be there (a solution may be new). */
	if (dc->interactions)
		for (i = 0; i < dc->nfilters; i++)
			if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(
				fs, filter_key(&dc->filters[i]))))
				return false;
	o->cached = true;
	o->header_seen = cJSON_IsString(hdr);
	o->header = o->header_seen ? pz_xstrdup(hdr->valuestring) : NULL;
	o->rows = (uint64_t)num(e, "rows");
	o->bytes = (uint64_t)num(e, "bytes");
	o->complete = level == PZ_DC_FULL;
	o->failed =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "not_csv"));
	if (!o->complete)
		dc->cached_partial = true;
	dc->records += o->rows;
	if (o->fresh)
		dc->fresh_records += o->rows;
	cJSON_ArrayForEach(d,
			   cJSON_GetObjectItemCaseSensitive(e, "diagnostics"))
	{
		const cJSON *sev =
		    cJSON_GetObjectItemCaseSensitive(d, "severity");
		const cJSON *msg =
		    cJSON_GetObjectItemCaseSensitive(d, "message");
		const cJSON *note = cJSON_GetObjectItemCaseSensitive(d, "note");

		if (!cJSON_IsString(msg))
			continue;
		pz_diag_add(&o->diags,
			    cJSON_IsString(sev) &&
				    !strcmp(sev->valuestring, "warning")
				? PZ_SEV_WARNING
				: PZ_SEV_ERROR,
			    o->url,
			    (struct pz_pos){(uint32_t)num(d, "line"),
					    (uint32_t)num(d, "col"), 0},
			    "%s", msg->valuestring);
		if (cJSON_IsString(note))
			pz_diag_note(
			    &o->diags, dc->spec_file,
			    (struct pz_pos){(uint32_t)num(d, "note_line"),
					    (uint32_t)num(d, "note_col"), 0},
			    "%s", note->valuestring);
	}
	for (i = 0; dc->interactions && i < dc->nfilters; i++) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(
		    fs, filter_key(&dc->filters[i]));
		const cJSON *u;

		o->fn[i] = (uint64_t)num(f, "n");
		dc->filters[i].n += o->fn[i];
		cJSON_ArrayForEach(
		    u, cJSON_GetObjectItemCaseSensitive(f, "users2"))
		{
			uint64_t h;

			if (!cJSON_IsString(u) ||
			    sscanf(u->valuestring, "%16" SCNx64, &h) != 1 || !h)
				continue;
			if (o->u2n[i] < PZ_DC_MIN_USERS)
				o->u2[i][o->u2n[i]++] = h;
			/* Counted as reaching 2 once, whichever object. */
			if (dc->filters[i].users2 < PZ_DC_MIN_USERS &&
			    umap_bump(&dc->filters[i].m, h, 2) == 2)
				dc->filters[i].users2++;
		}
	}
	dc->used_cache = true;
	return true;
}

/* ---- the whole import ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void finish_stats(struct pz_dc *dc)
{
	struct pz_dc_stats *s = &dc->stats;
	uint32_t *counts;
	size_t i, n = 0;

	s->rows = dc->records;
	s->users = dc->users.n;
	s->items = dc->items.n;
	s->objects = dc->nobjs;
	for (i = 0; i < dc->nobjs; i++)
		s->bytes += dc->objs[i]->bytes;
	if (!dc->users.n)
		return;
	counts = pz_xcalloc(dc->users.n, sizeof(*counts));
	for (i = 0; i < dc->users.cap; i++)
		if (dc->users.keys[i])
			counts[n++] = dc->users.counts[i];
	qsort(counts, n, sizeof(*counts), cmp_u32);
	s->per_user[0] = counts[0];
	s->per_user[1] = counts[(n - 1) * 50 / 100];
	s->per_user[2] = counts[(n - 1) * 90 / 100];
	s->per_user[3] = counts[(n - 1) * 99 / 100];
	s->per_user[4] = counts[n - 1];
	free(counts);
}

/* The note of an error about the import as a whole. */
static void note_schema(const struct pz_dc *dc, struct pz_diags *diags)
{
	if (dc->schema->nfields)
		pz_diag_note(diags, dc->spec_file, dc->schema->fields[0].pos,
			     "the %s dataset's schema is declared here",
			     dc->dataset_type);
}

size_t pz_dc_finish(struct pz_dc *dc, struct pz_diags *diags,
		    bool *minimums_failed)
{
	size_t before = diags->nerrors, i, k;
	const struct pz_dc_obj *first = NULL;
	bool all_read = true, failed = false;

	for (i = 0; i < dc->nobjs; i++) {
		const struct pz_dc_obj *o = dc->objs[i];

		for (k = 0; k < o->diags.n; k++) {
			const struct pz_diag *g = &o->diags.items[k];

			pz_diag_add(diags, g->severity, g->file, g->pos, "%s",
				    g->message);
			if (g->note)
				pz_diag_note(diags, g->note_file, g->note_pos,
					     "%s", g->note);
		}
		if (o->failed)
			all_read = false;
		if (!o->header)
			continue;
		if (!first) {
			first = o;
		} else if (strcmp(first->header, o->header)) {
			char a[1200], b[1200];

			show_max(a, sizeof(a), first->header,
				 strlen(first->header), 300);
			show_max(b, sizeof(b), o->header, strlen(o->header),
				 300);
			pz_diag_add(diags, PZ_SEV_ERROR, o->url,
				    (struct pz_pos){1, 1, 0},
				    "the header '%s' differs from '%s' of %s; "
				    "every object of an import has the same "
				    "columns",
				    b, a, first->url);
			if (dc->schema->nfields)
				pz_diag_note(diags, dc->spec_file,
					     dc->schema->fields[0].pos,
					     "the %s schema's fields are "
					     "declared here",
					     dc->dataset_type);
		}
	}
	if (dc->level >= PZ_DC_SAMPLE && all_read && dc->nobjs) {
		if (dc->records < PZ_DC_MIN_RECORDS) {
			/* A cached sample stopped early counts too few. */
			if (dc->cached_partial)
				failed = true;
			pz_diag_add(diags, PZ_SEV_ERROR, dc->location,
				    (struct pz_pos){0, 0, 0},
				    "the import would bring %" PRIu64
				    " record%s; an import job needs at least "
				    "1,000 (Personalize refuses it)",
				    dc->records, dc->records == 1 ? "" : "s");
			note_schema(dc, diags);
		}
		if (needs_fresh(dc) && dc->fresh_records < PZ_DC_MIN_RECORDS) {
			if (dc->cached_partial)
				failed = true;
			pz_diag_add(
			    diags, PZ_SEV_ERROR, dc->location,
			    (struct pz_pos){0, 0, 0},
			    "the INCREMENTAL import would bring at most "
			    "%" PRIu64 " new record%s (the rows of the "
			    "%zu new or changed object%s); an INCREMENTAL "
			    "import into Interactions needs at least "
			    "1,000 new ones (Personalize fails it): add "
			    "data, or import it FULL",
			    dc->fresh_records,
			    dc->fresh_records == 1 ? "" : "s", dc->nfresh,
			    dc->nfresh == 1 ? "" : "s");
			note_schema(dc, diags);
		}
		for (i = 0;
		     dc->interactions && dc->full_import && i < dc->nsolutions;
		     i++) {
			const struct solution *s = &dc->solutions[i];
			const struct filter *f = &dc->filters[s->filter];
			char which[300] = "";

			if (f->n >= PZ_DC_MIN_INTERACTIONS &&
			    f->users2 >= PZ_DC_MIN_USERS)
				continue;
			if (f->users2 < PZ_DC_MIN_USERS || dc->cached_partial)
				failed = true;
			if (f->event_type)
				snprintf(which, sizeof(which),
					 " of event type '%s'", f->event_type);
			pz_diag_add(diags,
				    f->m.full && f->users2 < PZ_DC_MIN_USERS &&
					    f->n >= PZ_DC_MIN_INTERACTIONS
					? PZ_SEV_WARNING
					: PZ_SEV_ERROR,
				    dc->location, (struct pz_pos){0, 0, 0},
				    "%s would train on %" PRIu64
				    " interaction%s%s from %" PRIu64
				    " user%s with 2 or more; training needs "
				    "at least 1,000 interactions and 25 such "
				    "users",
				    s->address, f->n, f->n == 1 ? "" : "s",
				    which, f->users2,
				    f->users2 == 1 ? "" : "s");
			pz_diag_note(diags, dc->spec_file, s->pos,
				     "%s is declared here%s", s->address,
				     f->event_type ? " with its eventType"
						   : "");
		}
	}
	if (dc->want_stats)
		finish_stats(dc);
	if (minimums_failed)
		*minimums_failed = failed;
	return diags->nerrors - before;
}

void pz_dc_take_stats(struct pz_dc *dc, struct pz_dc_stats *out)
{
	*out = dc->stats;
	memset(&dc->stats, 0, sizeof(dc->stats));
}
