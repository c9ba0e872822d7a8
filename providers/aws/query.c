/*
 * query.c - the Query protocol.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "internal.h"
#include "xml.h"

struct pz_aws_request *pz_aws_query_request(enum pz_aws_service svc,
					    const char *action,
					    const struct pz_aws_headers *params)
{
	const struct pz_aws_service_info *si = pz_aws_service_info(svc);
	struct pz_aws_request *req;
	struct pz_buf body;
	size_t i;
	int r;

	pz_buf_init(&body, 0);
	r = pz_buf_printf(&body, "Action=%s&Version=%s", action,
			  si->api_version);
	for (i = 0; !r && params && i < params->n; i++) {
		const struct pz_aws_header *p = &params->items[i];

		r = pz_buf_addc(&body, '&');
		if (!r)
			r = pz_aws_uri_encode(&body, p->name, strlen(p->name),
					      false);
		if (!r)
			r = pz_buf_addc(&body, '=');
		if (!r)
			r = pz_aws_uri_encode(&body, p->value, strlen(p->value),
					      false);
	}
	if (r)
		PZ_BUG("query body over the buffer limit");
	req = pz_aws_request_new(svc, action, "POST", "/");
	{
		size_t len = body.len;
		char *data = pz_buf_detach(&body, NULL);

		pz_aws_request_take_body(
		    req, data, len,
		    "application/x-www-form-urlencoded; charset=utf-8");
	}
	return req;
}

int pz_aws_query_perform(struct pz_aws_client *c, struct pz_aws_request *req,
			 struct pz_xml_node **out, struct pz_aws_error *err)
{
	struct pz_aws_response *resp = NULL;
	struct pz_xml_node *doc = NULL;
	char *label = pz_xasprintf("%s %s", pz_aws_service_info(req->svc)->name,
				   req->operation);
	int r;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	r = pz_aws_perform(c, req, &resp);
	if (r) {
		if (err && resp)
			pz_aws_error_copy(err, &resp->error);
		goto out;
	}
	r = pz_xml_parse(resp->body.ptr ? resp->body.ptr : "", resp->body.len,
			 &doc);
	if (r) {
		r = pz_error_wrap(PZ_EAWS, "%s: unreadable answer", label);
		goto out;
	}
	*out = doc;
out:
	free(label);
	pz_aws_response_free(resp);
	return r;
}

int pz_aws_query_call(struct pz_aws_client *c, enum pz_aws_service svc,
		      const char *action, const struct pz_aws_headers *params,
		      struct pz_xml_node **out, struct pz_aws_error *err)
{
	return pz_aws_query_perform(
	    c, pz_aws_query_request(svc, action, params), out, err);
}
