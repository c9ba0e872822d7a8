/*
 * json.h - the JSON protocols, with cJSON documents in and out.
 *
 * JSON 1.1 (Personalize's control plane): POST / with
 * "X-Amz-Target: AmazonPersonalize.<Operation>" and
 * application/x-amz-json-1.1 bodies. REST-JSON (Personalize runtime and
 * events): a method and path per operation, application/json bodies.
 * Errors ("__type", "message", x-amzn-ErrorType) map as http.h says.
 */
#ifndef PZ_AWS_JSON_H
#define PZ_AWS_JSON_H

#include <cjson/cJSON.h>

#include "providers/aws/endpoint.h"

struct pz_aws_client;
struct pz_aws_error;
struct pz_aws_response;

/*
 * Completion of a JSON call: rc as in http.h; output is the answer
 * (an empty object for an empty body), owned by the callback
 * (cJSON_Delete), NULL when rc is not 0; resp is borrowed (headers,
 * error details).
 */
struct pz_aws_json_done {
	void (*fn)(void *ud, int rc, cJSON *output,
		   const struct pz_aws_response *resp);
	void *ud;
};

/* JSON 1.1: submits operation op of svc with input (borrowed; NULL is
 * {}). Returns 0 or an error without calling back. */
int pz_aws_json_submit(struct pz_aws_client *c, enum pz_aws_service svc,
		       const char *op, const cJSON *input,
		       struct pz_aws_json_done done);
/* JSON 1.1, waiting for the answer: *output (may be NULL) is owned by
 * the caller; err (may be NULL) receives a service error. */
int pz_aws_json_call(struct pz_aws_client *c, enum pz_aws_service svc,
		     const char *op, const cJSON *input, cJSON **output,
		     struct pz_aws_error *err);

/* REST-JSON: method and path (wire form, may carry "?query"), body
 * borrowed (NULL: no body). */
int pz_aws_restjson_submit(struct pz_aws_client *c, enum pz_aws_service svc,
			   const char *op, const char *method, const char *path,
			   const cJSON *body, struct pz_aws_json_done done);
int pz_aws_restjson_call(struct pz_aws_client *c, enum pz_aws_service svc,
			 const char *op, const char *method, const char *path,
			 const cJSON *body, cJSON **output,
			 struct pz_aws_error *err);

#endif
