/*
 * diag.h - diagnostics: problems in a spec (or a plan) with the file,
 * line and column they point at. Checks collect every problem in one run
 * into a struct pz_diags; cmd/ renders them as
 *
 *     FILE:LINE:COL: error: message
 *
 * or as JSON (the shape of `terraform validate -json`).
 */
#ifndef PZ_DIAG_H
#define PZ_DIAG_H

#include "buf.h"
#include "common.h"

enum pz_severity {
	PZ_SEV_ERROR,
	PZ_SEV_WARNING,
};

/* A place in a source file; line and col are 1-based, 0 when unknown. */
struct pz_pos {
	uint32_t line;
	uint32_t col;
	uint32_t offset; /* byte offset from the start of the file */
};

struct pz_diag {
	enum pz_severity severity;
	char *file;   /* owned; "-" when added with none */
	bool nowhere; /* added with no file: a command's error, rendered as
		       * pz prints one ("pz: MESSAGE"), no range in JSON */
	struct pz_pos pos;
	char *message; /* owned, one line, no trailing full stop */
	/* An optional note pointing elsewhere (the spec line a data error
	 * is about), rendered as a second line "FILE:LINE:COL: note: ...". */
	char *note_file;
	struct pz_pos note_pos;
	char *note;
};

struct pz_diags {
	struct pz_diag *items;
	size_t n, cap;
	size_t nerrors, nwarnings;
};

void pz_diags_init(struct pz_diags *d);
void pz_diags_release(struct pz_diags *d);
void pz_diag_add(struct pz_diags *d, enum pz_severity sev, const char *file,
		 struct pz_pos pos, const char *fmt, ...) PZ_PRINTF(5, 6);
void pz_diag_vadd(struct pz_diags *d, enum pz_severity sev, const char *file,
		  struct pz_pos pos, const char *fmt, va_list ap)
    PZ_PRINTF(5, 0);
/* Attaches a note to the diagnostic added last (replacing any). */
void pz_diag_note(struct pz_diags *d, const char *file, struct pz_pos pos,
		  const char *fmt, ...) PZ_PRINTF(4, 5);
/* Orders by file, line and column; keeps the order of equal positions. */
void pz_diags_sort(struct pz_diags *d);

/* One "FILE:LINE:COL: severity: message" line per diagnostic; with color,
 * the severity is coloured as compilers do. */
int pz_diags_render_text(const struct pz_diags *d, struct pz_buf *out,
			 bool color) PZ_MUST_USE;
/* {"format_version":"1.0","valid":..,"error_count":..,"warning_count":..,
 *  "diagnostics":[{"severity","summary","detail"?,"range":{"filename",
 *  "start":{"line","column","byte"}}}]}; a note is the detail. */
int pz_diags_render_json(const struct pz_diags *d,
			 struct pz_buf *out) PZ_MUST_USE;

#endif
