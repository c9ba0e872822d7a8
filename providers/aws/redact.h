/*
 * redact.h - what PZ_TRACE=http may show. Header values and body fields
 * that carry secrets (Authorization, security and metadata tokens,
 * secret keys, session tokens, web identity tokens, passwords) are
 * replaced by "<redacted>" before anything is logged. Bodies are
 * scanned as JSON ("Name": "value"), XML (<Name>value</Name>), form
 * data (Name=value) and header lines (name:value, as AWS quotes the
 * canonical request in a signature error) at once, so every protocol
 * is covered.
 */
#ifndef PZ_AWS_REDACT_H
#define PZ_AWS_REDACT_H

#include "core/buf.h"

#define PZ_REDACTED "<redacted>"

/* True when a header's value must not be shown. */
bool pz_aws_redact_header(const char *name);
/* True when a JSON/XML/form field of this name holds a secret. */
bool pz_aws_redact_field(const char *name, size_t len);
/*
 * Appends body[0..len) to out with secret values redacted and
 * non-printable bytes escaped, cut at max bytes with a note.
 */
int pz_aws_redact_body(struct pz_buf *out, const char *body, size_t len,
		       size_t max) PZ_MUST_USE;

#endif
