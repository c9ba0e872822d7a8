/*
 * csv.h - a streaming CSV reader (RFC 4180, as Amazon Personalize reads
 * its bulk data): fields separated by commas, records by LF or CRLF,
 * fields optionally in double quotes with "" for a quote inside.
 *
 * Push model: the caller feeds the bytes in chunks of any size (a ranged
 * GET, a read(2)); complete records are handed to a callback with their
 * fields, in batches. Memory is constant: one record of at most
 * PZ_CSV_MAX_RECORD bytes is copied (one the chunks cut, or with
 * quotes), and a batch of at most PZ_CSV_BATCH_FIELDS fields points
 * into the fed chunk, whatever the input's size (about 80 KiB). What
 * is malformed (a quote inside an unquoted field, text after a closing
 * quote, an unterminated quote, a record over the limits) goes to the
 * error callback with its place, and reading goes on with the next
 * record; nothing is ever printed.
 *
 * Lines and columns are 1-based; a column counts bytes from the start
 * of the line, as FILE:LINE:COL diagnostics do.
 *
 * Speed (docs/benchmarks.md): records of unquoted fields inside a chunk
 * are found without copying, from bitmaps of the special bytes made
 * with SIMD 4 KiB at a time (AVX2 where the CPU has it, chosen at run
 * time), and handed over with no call per record; the bitmap pass also
 * says which records are ASCII, so that a checker need not look at
 * their bytes again for UTF-8.
 */
#ifndef PZ_CSV_H
#define PZ_CSV_H

#include "common.h"

#define PZ_CSV_MAX_RECORD (1u << 20) /* bytes of one record's fields */
#define PZ_CSV_MAX_FIELDS 1024
/* Records are handed over in batches of at most this many (fields: at
 * most PZ_CSV_BATCH_FIELDS in all). */
#define PZ_CSV_BATCH_RECORDS 512
#define PZ_CSV_BATCH_FIELDS  (2 * PZ_CSV_MAX_FIELDS)

struct pz_csv_field {
	const char *p; /* not NUL-terminated; quotes removed, "" unescaped */
	uint32_t len;
	bool quoted;
};

/* Where a field starts (the reader's own, for records it copied). */
struct pz_csv_pos {
	uint64_t line;
	uint32_t col;
};

/*
 * A record, borrowed for the callback. Its fields lie in order in one
 * buffer: field k + 1 starts at or after the end of field k, so
 * [fields[0].p, fields[n-1].p + fields[n-1].len) holds them all.
 * Where a field starts is worked out on demand (pz_csv_where): the
 * common record is never asked.
 */
struct pz_csv_record {
	const struct pz_csv_field *fields;
	size_t n;	 /* 1 to PZ_CSV_MAX_FIELDS */
	uint64_t number; /* 1-based, counting only records handed over */
	uint64_t line;	 /* the line the record starts on */
	bool ascii;	 /* every byte of every field is below 0x80 */
	/* private: the record's first byte when its fields point into the
	 * fed data (no quotes, one line), else each field's place */
	const char *start;
	const struct pz_csv_pos *pos;
};

/* The next n records, in order (n >= 1; one call per record would cost
 * more than many records' checks). Returns 0 to go on, anything else to
 * stop reading: the records after the one it stopped at are not to be
 * looked at, and pz_csv_feed returns that value. */
typedef int (*pz_csv_record_fn)(void *ud, const struct pz_csv_record *r,
				size_t n);
typedef int (*pz_csv_error_fn)(void *ud, uint64_t line, uint32_t col,
			       const char *message);

struct pz_csv {
	pz_csv_record_fn on_record;
	pz_csv_error_fn on_error; /* may be NULL */
	void *ud;
	/* reader state (private) */
	int state;
	bool skip; /* the current record is being discarded */
	bool pending_cr;
	char *buf; /* the current record's field bytes */
	size_t len, cap;
	/* allocated at the first feed: the batch's fields and records (a
	 * copied record's fields hold offsets in buf until it is handed
	 * over), and the places of a copied record's fields */
	struct pz_csv_field *fields;
	struct pz_csv_record *recs;
	struct pz_csv_pos *pos;
	size_t nfields;
	uint64_t line, records, bytes;
	uint32_t col;
};

/* Zeroes c and sets the callbacks; no allocation until the first feed. */
void pz_csv_init(struct pz_csv *c, pz_csv_record_fn on_record,
		 pz_csv_error_fn on_error, void *ud);
void pz_csv_release(struct pz_csv *c);
/* Reads len bytes; records that complete are handed over. Returns 0, or
 * what a callback returned to stop. */
int pz_csv_feed(struct pz_csv *c, const char *data, size_t len);
/* End of input: hands over a last record that has no line end, reports
 * an unterminated quote. Returns as pz_csv_feed. */
int pz_csv_finish(struct pz_csv *c);
/* Where field i of r starts: its line and its column (at the opening
 * quote of a quoted field). */
void pz_csv_where(const struct pz_csv_record *r, size_t i, uint64_t *line,
		  uint32_t *col);

#endif
