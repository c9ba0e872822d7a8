/*
 * csv.c - the streaming CSV reader.
 *
 * A byte-at-a-time state machine, except for whole records of unquoted
 * fields (nearly all of a Personalize file), which are handed over
 * where they lie, found from a bitmap of the special bytes 64 at a
 * time; inside an unquoted field the state machine too finds the next
 * special byte at once and copies the run before it.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum {
	S_START,  /* before a field's first byte */
	S_UNQ,	  /* in an unquoted field */
	S_Q,	  /* in a quoted field */
	S_QQ,	  /* a quote inside a quoted field: "" or the end */
	S_JUNK,	  /* after the closing quote, before the separator */
	S_RECORD, /* at the start of a record (no field yet) */
};

/* 1 for the bytes that end a run of ordinary bytes in an unquoted
 * field. */
static const unsigned char special[256] = {
    ['\n'] = 1,
    ['\r'] = 1,
    [','] = 1,
    ['"'] = 1,
};

/*
 * The offset of the first special byte in p[from, len), or len: eight
 * bytes at a time where the byte order allows (the lowest flagged byte
 * of the zero-byte test is exact), then one at a time.
 */
static inline size_t scan(const char *p, size_t from, size_t len)
{
	size_t j = from;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
	const uint64_t ones = 0x0101010101010101ULL,
		       high = 0x8080808080808080ULL;

	while (j + 8 <= len) {
		uint64_t w, m, v;

		memcpy(&w, p + j, 8);
		v = w ^ (ones * ',');
		m = (v - ones) & ~v;
		v = w ^ (ones * '\n');
		m |= (v - ones) & ~v;
		v = w ^ (ones * '\r');
		m |= (v - ones) & ~v;
		v = w ^ (ones * '"');
		m |= (v - ones) & ~v;
		m &= high;
		if (m)
			return j + (size_t)(__builtin_ctzll(m) >> 3);
		j += 8;
	}
#endif
	while (j < len && !special[(unsigned char)p[j]])
		j++;
	return j;
}

/*
 * Where the special bytes of p[base, base + 64) are, as bits (none
 * past len), 16 bytes at a time with SSE2 where there is SSE2: the
 * fast path walks the bits instead of the bytes, as simdjson's first
 * stage does. *hi gets the bytes >= 0x80 the same way (found only when
 * the block has one: an ASCII block costs one OR per 16 bytes).
 */
static inline uint64_t block_bits(const char *p, size_t base, size_t len,
				  uint64_t *hi)
{
	uint64_t bits = 0, h = 0;
	size_t k;

#if defined(__SSE2__)
	if (base + 64 <= len) {
		const __m128i comma = _mm_set1_epi8(','),
			      lf = _mm_set1_epi8('\n'),
			      cr = _mm_set1_epi8('\r'),
			      quote = _mm_set1_epi8('"');
		__m128i any = _mm_setzero_si128();

		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + base + 16 * k));
			__m128i m = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v, comma),
					 _mm_cmpeq_epi8(v, lf)),
			    _mm_or_si128(_mm_cmpeq_epi8(v, cr),
					 _mm_cmpeq_epi8(v, quote)));

			bits |= (uint64_t)(uint16_t)_mm_movemask_epi8(m)
				<< (16 * k);
			any = _mm_or_si128(any, v);
		}
		if (_mm_movemask_epi8(any))
			for (k = 0; k < 4; k++)
				h |= (uint64_t)(uint16_t)_mm_movemask_epi8(
					 _mm_loadu_si128(
					     (const __m128i *)(const void *)(p +
									     base +
									     16 * k)))
				     << (16 * k);
		*hi = h;
		return bits;
	}
#endif
	for (k = 0; k < 64 && base + k < len; k++) {
		unsigned char b = (unsigned char)p[base + k];

		if (special[b])
			bits |= (uint64_t)1 << k;
		if (b & 0x80)
			h |= (uint64_t)1 << k;
	}
	*hi = h;
	return bits;
}

/* True when no byte of p[0, n) is >= 0x80: eight at a time. */
static bool all_ascii(const char *p, size_t n)
{
	uint64_t any = 0, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		any |= w;
	}
	for (; i < n; i++)
		any |= (unsigned char)p[i];
	return !(any & 0x8080808080808080ULL);
}

void pz_csv_init(struct pz_csv *c, pz_csv_record_fn on_record,
		 pz_csv_error_fn on_error, void *ud)
{
	memset(c, 0, sizeof(*c));
	c->on_record = on_record;
	c->on_error = on_error;
	c->ud = ud;
	c->state = S_RECORD;
	c->line = 1;
	c->col = 1;
}

void pz_csv_release(struct pz_csv *c)
{
	free(c->buf);
	free(c->fields);
	free(c->pos);
	c->buf = NULL;
	c->fields = NULL;
	c->pos = NULL;
	c->cap = 0;
}

void pz_csv_where(const struct pz_csv_record *r, size_t i, uint64_t *line,
		  uint32_t *col)
{
	if (r->pos) {
		*line = r->pos[i].line;
		*col = r->pos[i].col;
		return;
	}
	*line = r->line;
	*col = (uint32_t)(r->fields[i].p - r->start) + 1;
}

static int report(struct pz_csv *c, uint64_t line, uint32_t col,
		  const char *msg)
{
	return c->on_error ? c->on_error(c->ud, line, col, msg) : 0;
}

/* Drops the record being read (after an error at col) until its end. */
static int discard(struct pz_csv *c, uint32_t col, const char *msg)
{
	int r = 0;

	if (!c->skip)
		r = report(c, c->line, col, msg);
	c->skip = true;
	c->len = 0;
	c->nfields = 0;
	return r;
}

static inline int begin_field(struct pz_csv *c, bool quoted)
{
	struct pz_csv_field *f;

	if (c->skip)
		return 0;
	if (c->nfields >= PZ_CSV_MAX_FIELDS)
		return discard(c, c->col,
			       "more than 1024 fields in a record; the "
			       "record is skipped");
	f = &c->fields[c->nfields];
	f->p = (const char *)(uintptr_t)c->len; /* an offset until emitted */
	f->len = 0;
	f->quoted = quoted;
	c->pos[c->nfields].line = c->line;
	c->pos[c->nfields].col = c->col;
	c->nfields++;
	return 0;
}

static inline int append(struct pz_csv *c, const char *p, size_t n)
{
	if (c->skip || !n)
		return 0;
	if (c->len + n > PZ_CSV_MAX_RECORD)
		/* At the byte past the limit, wherever the chunks cut. */
		return discard(c,
			       c->col + (uint32_t)(PZ_CSV_MAX_RECORD - c->len),
			       "record longer than 1 MiB; the record is "
			       "skipped");
	if (c->len + n > c->cap) {
		size_t want = c->cap ? c->cap : 4096;

		while (want < c->len + n)
			want *= 2;
		if (want > PZ_CSV_MAX_RECORD)
			want = PZ_CSV_MAX_RECORD;
		c->buf = pz_xrealloc(c->buf, want);
		c->cap = want;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->fields[c->nfields - 1].len += (uint32_t)n;
	return 0;
}

static int end_record(struct pz_csv *c)
{
	size_t i;
	int r = 0;

	if (!c->skip && c->nfields &&
	    !(c->nfields == 1 && c->fields[0].len == 0 &&
	      !c->fields[0].quoted)) {
		struct pz_csv_record rec;

		for (i = 0; i < c->nfields; i++)
			c->fields[i].p =
			    c->buf ? c->buf + (size_t)(uintptr_t)c->fields[i].p
				   : "";
		rec.fields = c->fields;
		rec.n = c->nfields;
		rec.number = ++c->records;
		rec.line = c->pos[0].line;
		rec.ascii = all_ascii(c->buf, c->len);
		rec.start = NULL;
		rec.pos = c->pos;
		r = c->on_record(c->ud, &rec);
	}
	c->skip = false;
	c->len = 0;
	c->nfields = 0;
	c->state = S_RECORD;
	return r;
}

/*
 * The common case without copying: whole records of unquoted fields,
 * as many as data holds from at, found by walking the bits of the
 * special bytes 64 at a time; each record's fields point into data,
 * and only their start and length are written (a field's place is
 * worked out from its pointer when asked, pz_csv_where). Returns where
 * the records it handed over end (at: none): the state machine goes on
 * from there (a quote, a record the chunk cuts, one over the limits).
 * *stop is what the callback said; a non-zero stops.
 */
static size_t fast_records(struct pz_csv *c, const char *data, size_t len,
			   size_t at, int *stop)
{
	/* Locals, not c's members: stores through the fields could alias
	 * them and make the compiler reload each after every store. */
	struct pz_csv_field *fields = c->fields;
	struct pz_csv_record rec;
	uint64_t line = c->line, hi;
	size_t base = at, start = at, recp = at, n = 0;
	/* One past the last byte >= 0x80 in the blocks before base (0:
	 * none): a record is ASCII when that is at or before its start
	 * and the current block has none in it. */
	size_t hi_end = 0;
	uint64_t bits = block_bits(data, base, len, &hi);

	rec.fields = fields;
	rec.pos = NULL;
	*stop = 0;
	for (;;) {
		size_t j;
		unsigned char b;

		while (!bits) {
			if (hi)
				hi_end = base + 64 -
					 (size_t)__builtin_clzll(hi);
			base += 64;
			if (base >= len)
				goto out;
			bits = block_bits(data, base, len, &hi);
			/* The LF of a CRLF whose CR ended the block before. */
			if (start > base)
				bits &= ~(uint64_t)0 << (start - base);
		}
		j = base + (size_t)__builtin_ctzll(bits);
		bits &= bits - 1;
		b = (unsigned char)data[j];
		if (b == ',') {
			/* Room for this field and the record's last: one
			 * with more fields is the state machine's. */
			if (n >= PZ_CSV_MAX_FIELDS - 1)
				goto out;
			fields[n].p = data + start;
			fields[n].len = (uint32_t)(j - start);
			fields[n].quoted = false;
			n++;
			start = j + 1;
			continue;
		}
		if (b == '"')
			goto out;
		/* \n or \r: the record ends. One too long is the state
		 * machine's to report. */
		if (j - recp > PZ_CSV_MAX_RECORD)
			goto out;
		fields[n].p = data + start;
		fields[n].len = (uint32_t)(j - start);
		fields[n].quoted = false;
		n++;
		start = j + 1;
		if (b == '\r') {
			if (start == len) {
				c->pending_cr = true;
			} else if (data[start] == '\n') {
				/* Its bit is the lowest left, unless it
				 * opens the next block. */
				if (start < base + 64)
					bits &= bits - 1;
				start++;
			}
		}
		if (!(n == 1 && fields[0].len == 0)) {
			size_t lo = recp > base ? recp - base : 0;

			rec.n = n;
			rec.number = ++c->records;
			rec.line = line;
			rec.start = data + recp;
			rec.ascii = hi_end <= recp &&
				    !(hi & (((uint64_t)1 << (j - base)) - 1) &
				      (~(uint64_t)0 << lo));
			*stop = c->on_record(c->ud, &rec);
		}
		n = 0;
		line++;
		recp = start;
		if (*stop)
			goto out;
	}
out:
	if (recp > at) {
		c->line = line;
		c->col = 1;
	}
	return recp;
}

int pz_csv_feed(struct pz_csv *c, const char *data, size_t len)
{
	size_t i = 0;
	int r = 0;

	if (!c->fields) {
		c->fields = pz_xcalloc(PZ_CSV_MAX_FIELDS, sizeof(*c->fields));
		c->pos = pz_xcalloc(PZ_CSV_MAX_FIELDS, sizeof(*c->pos));
	}
	c->bytes += len;
	while (i < len && !r) {
		unsigned char b = (unsigned char)data[i];

		if (c->pending_cr) {
			c->pending_cr = false;
			if (b == '\n') {
				i++;
				continue;
			}
		}
		if (c->state == S_RECORD && !c->nfields) {
			size_t to = fast_records(c, data, len, i, &r);

			if (to > i || r) {
				i = to;
				continue;
			}
		}
		switch (c->state) {
		case S_RECORD:
		case S_START:
			if (b == '"') {
				r = begin_field(c, true);
				c->state = S_Q;
				i++, c->col++;
				continue;
			}
			if ((r = begin_field(c, false)))
				break;
			c->state = S_UNQ;
			/* fall through */
		case S_UNQ: {
			size_t j = scan(data, i, len);

			r = append(c, data + i, j - i);
			c->col += (uint32_t)(j - i);
			i = j;
			if (r || i == len)
				break;
			b = (unsigned char)data[i];
			if (b == ',') {
				c->state = S_START;
				i++, c->col++;
			} else if (b == '"') {
				if (!c->skip)
					r = report(c, c->line, c->col,
						   "a quote inside an unquoted "
						   "field; quote the whole "
						   "field and double the quote "
						   "(\"\")");
				if (!r)
					r = append(c, data + i, 1);
				i++, c->col++;
			} else { /* \r or \n */
				r = end_record(c);
				c->pending_cr = b == '\r';
				c->line++, c->col = 1;
				i++;
			}
			break;
		}
		case S_Q: {
			const char *q = memchr(data + i, '"', len - i);
			size_t j = q ? (size_t)(q - data) : len, k;

			for (k = i; k < j; k++) {
				if (data[k] == '\n')
					c->line++, c->col = 1;
				else
					c->col++;
			}
			r = append(c, data + i, j - i);
			i = j;
			if (q) {
				c->state = S_QQ;
				i++, c->col++;
			}
			break;
		}
		case S_QQ:
			if (b == '"') {
				r = append(c, data + i, 1);
				c->state = S_Q;
				i++, c->col++;
			} else if (b == ',') {
				c->state = S_START;
				i++, c->col++;
			} else if (b == '\n' || b == '\r') {
				r = end_record(c);
				c->pending_cr = b == '\r';
				c->line++, c->col = 1;
				i++;
			} else {
				if (!c->skip)
					r = report(
					    c, c->line, c->col,
					    "text after a closing quote; "
					    "quote the whole field");
				c->state = S_JUNK;
			}
			break;
		case S_JUNK:
			if (b == ',') {
				c->state = S_START;
			} else if (b == '\n' || b == '\r') {
				r = end_record(c);
				c->pending_cr = b == '\r';
				c->line++, c->col = 0;
			} else if (!r) {
				r = append(c, data + i, 1);
			}
			i++, c->col++;
			break;
		default: PZ_BUG("csv state %d", c->state);
		}
	}
	return r;
}

int pz_csv_finish(struct pz_csv *c)
{
	int r = 0;

	if (c->state == S_Q) {
		uint64_t line =
		    c->nfields ? c->pos[c->nfields - 1].line : c->line;
		uint32_t col = c->nfields ? c->pos[c->nfields - 1].col : c->col;

		if (!c->skip)
			r = report(c, line, col,
				   "a quoted field is never closed; add the "
				   "closing quote");
		c->skip = true;
	}
	if (!r && c->state != S_RECORD)
		r = end_record(c);
	c->state = S_RECORD;
	return r;
}
