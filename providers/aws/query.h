/*
 * query.h - the AWS Query protocol (STS, SNS): a form-encoded POST of
 * Action, Version and the parameters, answered with XML
 * (<ActionResponse><ActionResult>...). Errors come as
 * <ErrorResponse><Error><Code>... and map as http.h says.
 *
 * Parameters are name/value pairs in a struct pz_aws_headers (used here
 * as an ordered list of pairs); nested members use the protocol's
 * dotted names ("Tags.member.1.Key").
 */
#ifndef PZ_AWS_QUERY_H
#define PZ_AWS_QUERY_H

#include "providers/aws/endpoint.h"
#include "providers/aws/util.h"

struct pz_aws_client;
struct pz_aws_error;
struct pz_aws_request;
struct pz_xml_node;

/* A request for action with params (may be NULL), owned by the caller
 * until performed; set flags or credentials on it first if needed. */
struct pz_aws_request *
pz_aws_query_request(enum pz_aws_service svc, const char *action,
		     const struct pz_aws_headers *params);
/*
 * Performs req (taken) and parses the answer. *out receives the XML
 * document (owned by the caller, pz_xml_free) on success; err (may be
 * NULL) receives the service's error on failure (pz_aws_error_release).
 */
int pz_aws_query_perform(struct pz_aws_client *c, struct pz_aws_request *req,
			 struct pz_xml_node **out, struct pz_aws_error *err);
/* pz_aws_query_request + pz_aws_query_perform. */
int pz_aws_query_call(struct pz_aws_client *c, enum pz_aws_service svc,
		      const char *action, const struct pz_aws_headers *params,
		      struct pz_xml_node **out, struct pz_aws_error *err);

#endif
