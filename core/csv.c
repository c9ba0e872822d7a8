/*
 * csv.c - the streaming CSV reader.
 *
 * A byte-at-a-time state machine, except for whole records of unquoted
 * fields (nearly all of a Personalize file), which are handed over
 * where they lie, in batches, found from bitmaps of the special bytes
 * (stage 1, SIMD over 4 KiB windows; stage 2 walks the bits); inside an
 * unquoted field the state machine too finds the next special byte at
 * once and copies the run before it.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PZ_CSV_AVX2 1
#include <immintrin.h>
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
 * Stage 1 of the fast path, as in simdjson: the special bytes of whole
 * 64-byte blocks found as bits, one uint64_t a block, a window of
 * blocks at a time. Returns true when some byte of the blocks is
 * >= 0x80 (the caller then asks for those bytes' bits, high_bits).
 * With SIMD where the machine has it (AVX2 chosen at run time, SSE2
 * everywhere on x86-64), else a byte at a time.
 */
typedef bool (*block_bits_fn)(const char *p, size_t nblocks, uint64_t *bits);

static bool block_bits_scalar(const char *p, size_t nblocks, uint64_t *bits)
{
	unsigned char any = 0;
	size_t b, k;

	for (b = 0; b < nblocks; b++, p += 64) {
		uint64_t m = 0;

		for (k = 0; k < 64; k++) {
			unsigned char x = (unsigned char)p[k];

			m |= (uint64_t)special[x] << k;
			any |= x;
		}
		bits[b] = m;
	}
	return any & 0x80;
}

/* The bits of the bytes >= 0x80 of the same blocks (rare: only for
 * blocks that are not ASCII). */
static void high_bits(const char *p, size_t nblocks, uint64_t *hi)
{
	size_t b, k;

	for (b = 0; b < nblocks; b++, p += 64) {
		uint64_t m = 0;

		for (k = 0; k < 64; k++)
			m |= (uint64_t)((unsigned char)p[k] >> 7) << k;
		hi[b] = m;
	}
}

#if defined(__SSE2__)
static inline uint64_t sse2_mask(__m128i v)
{
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n'),
		      cr = _mm_set1_epi8('\r'), quote = _mm_set1_epi8('"');

	return (uint16_t)_mm_movemask_epi8(_mm_or_si128(
	    _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lf)),
	    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, quote))));
}

static bool block_bits_sse2(const char *p, size_t nblocks, uint64_t *bits)
{
	__m128i any = _mm_setzero_si128();
	size_t b;

	for (b = 0; b < nblocks; b++, p += 64) {
		__m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i v1 =
		    _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
		__m128i v2 =
		    _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
		__m128i v3 =
		    _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

		bits[b] = sse2_mask(v0) | sse2_mask(v1) << 16 |
			  sse2_mask(v2) << 32 | sse2_mask(v3) << 48;
		any = _mm_or_si128(any, _mm_or_si128(_mm_or_si128(v0, v1),
						     _mm_or_si128(v2, v3)));
	}
	return _mm_movemask_epi8(any) != 0;
}
#endif

#if defined(PZ_CSV_AVX2)
/*
 * AVX2: a byte is special when it equals the entry of a 16-byte table
 * at its low nibble (pshufb): ',' 0x2C at 0xC, '"' 0x22 at 0x2, LF
 * 0x0A at 0xA, CR 0x0D at 0xD; the other entries match no byte with
 * their nibble, and a byte >= 0x80 looks up 0 and matches nothing.
 */
__attribute__((target("avx2"))) static bool
block_bits_avx2(const char *p, size_t nblocks, uint64_t *bits)
{
	const __m256i table =
	    _mm256_setr_epi8(-1, -1, '"', -1, -1, -1, -1, -1, -1, -1, '\n', -1,
			     ',', '\r', -1, 0, -1, -1, '"', -1, -1, -1, -1, -1,
			     -1, -1, '\n', -1, ',', '\r', -1, 0);
	__m256i any = _mm256_setzero_si256();
	size_t b;

	for (b = 0; b < nblocks; b++, p += 64) {
		__m256i v0 =
		    _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i v1 =
		    _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		uint32_t m0 = (uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(v0, _mm256_shuffle_epi8(table, v0)));
		uint32_t m1 = (uint32_t)_mm256_movemask_epi8(
		    _mm256_cmpeq_epi8(v1, _mm256_shuffle_epi8(table, v1)));

		bits[b] = (uint64_t)m0 | (uint64_t)m1 << 32;
		any = _mm256_or_si256(any, _mm256_or_si256(v0, v1));
	}
	return _mm256_movemask_epi8(any) != 0;
}
#endif

/* The best the machine runs, chosen once (a race only stores the same
 * value twice). */
static block_bits_fn pick_block_bits(void)
{
	static block_bits_fn fn;

	if (fn)
		return fn;
#if defined(PZ_CSV_AVX2)
	if (__builtin_cpu_supports("avx2"))
		return fn = block_bits_avx2;
#endif
#if defined(__SSE2__)
	return fn = block_bits_sse2;
#else
	return fn = block_bits_scalar;
#endif
}

/* Blocks whose bits are found at a time: 4 KiB. */
#define WINDOW_BLOCKS 64

/*
 * The bits of the window at p: as many whole blocks as there are up to
 * end (at most WINDOW_BLOCKS), or the last part block alone (bits past
 * end clear). Returns the number of blocks.
 */
static size_t load_window(block_bits_fn fn, const char *p, const char *end,
			  uint64_t *bits, uint64_t *hi)
{
	size_t n = (size_t)(end - p) / 64;

	if (n > WINDOW_BLOCKS)
		n = WINDOW_BLOCKS;
	if (n) {
		if (fn(p, n, bits))
			high_bits(p, n, hi);
		else
			memset(hi, 0, n * sizeof(*hi));
		return n;
	}
	{
		char tail[64] = {0};

		memcpy(tail, p, (size_t)(end - p));
		if (block_bits_scalar(tail, 1, bits))
			high_bits(tail, 1, hi);
		else
			hi[0] = 0;
		/* tail's zeros are no special bytes */
	}
	return 1;
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
	free(c->recs);
	free(c->pos);
	c->buf = NULL;
	c->fields = NULL;
	c->recs = NULL;
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
		struct pz_csv_record *rec = c->recs;

		for (i = 0; i < c->nfields; i++)
			c->fields[i].p =
			    c->buf ? c->buf + (size_t)(uintptr_t)c->fields[i].p
				   : "";
		rec->fields = c->fields;
		rec->n = c->nfields;
		rec->number = ++c->records;
		rec->line = c->pos[0].line;
		rec->ascii = all_ascii(c->buf, c->len);
		rec->start = NULL;
		rec->pos = c->pos;
		r = c->on_record(c->ud, rec, 1);
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
 * special bytes (stage 1) 64 at a time; each record's fields point
 * into data, and only their start and length are written (a field's
 * place is worked out from its pointer when asked, pz_csv_where).
 * Records are handed over in batches, so that the loop makes no call
 * per record. Returns where the records it handed over end (at: none):
 * the state machine goes on from there (a quote, a record the chunk
 * cuts, one over the limits). *stop is what the callback said; a
 * non-zero stops. Out of line: its own registers, not the state
 * machine's.
 */
static __attribute__((noinline)) size_t fast_records(struct pz_csv *c,
						     const char *data,
						     size_t len, size_t at,
						     int *stop)
{
	uint64_t wbits[WINDOW_BLOCKS], whi[WINDOW_BLOCKS];
	block_bits_fn fn = pick_block_bits();
	/* The current block (the last may end before 64 bytes: blk never
	 * goes past end). */
	const char *end = data + len, *blk = data + at;
	/* Where the next field starts, and the record. */
	const char *start = blk, *recp = blk;
	/* One past the last byte >= 0x80 in the blocks before blk (data:
	 * none): a record is ASCII when that is at or before its start
	 * and the current block has none in it. */
	const char *hi_end = data;
	/* The batch: the next field and record to fill, the record's first
	 * field, and its last allowed (one more is the state machine's). */
	struct pz_csv_field *f = c->fields, *f0 = f,
			    *flim = f + PZ_CSV_MAX_FIELDS - 1;
	struct pz_csv_record *r = c->recs;
	uint64_t line = c->line, number = c->records, bits;
	size_t nb = load_window(fn, blk, end, wbits, whi), k = 0;

	*stop = 0;
	bits = wbits[0];
	for (;;) {
		const char *j;
		unsigned char b;

		while (!bits) {
			if (whi[k])
				hi_end = blk + (64 - __builtin_clzll(whi[k]));
			if (++k == nb) {
				/* Whole blocks within a window; after the
				 * last, the end. */
				if (end - blk <= 64)
					goto out;
				blk += 64;
				nb = load_window(fn, blk, end, wbits, whi);
				k = 0;
			} else {
				blk += 64;
			}
			bits = wbits[k];
			/* The LF of a CRLF whose CR ended the block before. */
			if (start > blk)
				bits &= ~(uint64_t)0 << (start - blk);
		}
		j = blk + __builtin_ctzll(bits);
		bits &= bits - 1;
		b = (unsigned char)*j;
		if (b == ',') {
			if (f == flim)
				goto out;
			f->p = start;
			f->len = (uint32_t)(j - start);
			f->quoted = false;
			f++;
			start = j + 1;
			continue;
		}
		if (b == '"')
			goto out;
		/* \n or \r: the record ends. One too long is the state
		 * machine's to report. */
		if ((size_t)(j - recp) > PZ_CSV_MAX_RECORD)
			goto out;
		f->p = start;
		f->len = (uint32_t)(j - start);
		f->quoted = false;
		f++;
		start = j + 1;
		if (b == '\r') {
			if (start == end) {
				c->pending_cr = true;
			} else if (*start == '\n') {
				/* Its bit is the lowest left, unless it
				 * opens the next block. */
				if (start - blk < 64)
					bits &= bits - 1;
				start++;
			}
		}
		if (f - f0 == 1 && f0->len == 0) {
			f = f0; /* a blank line is no record */
		} else {
			uint64_t h = whi[k];

			r->fields = f0;
			r->n = (size_t)(f - f0);
			r->number = ++number;
			r->line = line;
			r->ascii =
			    hi_end <= recp &&
			    (!h || !(h & (((uint64_t)1 << (j - blk)) - 1) &
				     (~(uint64_t)0
				      << (recp > blk ? recp - blk : 0))));
			r->start = recp;
			r->pos = NULL;
			r++;
			f0 = f;
			flim = f + PZ_CSV_MAX_FIELDS - 1;
		}
		line++;
		recp = start;
		/* A full batch goes; every record starts with room for
		 * PZ_CSV_MAX_FIELDS. */
		if (r == c->recs + PZ_CSV_BATCH_RECORDS ||
		    f > c->fields + PZ_CSV_BATCH_FIELDS - PZ_CSV_MAX_FIELDS) {
			c->records = number;
			*stop =
			    c->on_record(c->ud, c->recs, (size_t)(r - c->recs));
			r = c->recs;
			f = f0 = c->fields;
			flim = f + PZ_CSV_MAX_FIELDS - 1;
			if (*stop)
				goto stopped;
		}
	}
out:
	c->records = number;
	if (r > c->recs)
		*stop = c->on_record(c->ud, c->recs, (size_t)(r - c->recs));
stopped:
	if (recp > data + at) {
		c->line = line;
		c->col = 1;
	}
	return (size_t)(recp - data);
}

int pz_csv_feed(struct pz_csv *c, const char *data, size_t len)
{
	size_t i = 0;
	int r = 0;

	if (!c->fields) {
		c->fields = pz_xcalloc(PZ_CSV_BATCH_FIELDS, sizeof(*c->fields));
		c->recs = pz_xcalloc(PZ_CSV_BATCH_RECORDS, sizeof(*c->recs));
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
