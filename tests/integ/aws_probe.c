/*
 * aws_probe.c - drives providers/aws against the simulator for
 * test_aws_protocols.py: S3 (REST-XML) with conditional writes,
 * Personalize (JSON 1.1, sync and many at once), the Personalize runtime
 * (REST-JSON), SNS (Query). Configured by the environment the harness
 * sets (AWS_ENDPOINT_URL, keys, region). Prints "ok <check>" per check;
 * on the first failure prints "FAIL <check>: <why>" and exits 1.
 *
 *   aws_probe s3|json|async|runtime|sns|all
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"
#include "providers/aws/query.h"
#include "providers/aws/s3.h"
#include "providers/aws/sns.h"
#include "providers/aws/xml.h"

#define CHECK(what, cond)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("FAIL %s: %s (last error: %s)\n", what, #cond, \
			       pz_error_last());                              \
			exit(1);                                              \
		}                                                             \
		printf("ok   %s\n", what);                                    \
	} while (0)
/* Like CHECK, silent on success: for checks inside loops. */
#define REQUIRE(what, cond)                                                   \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("FAIL %s: %s (last error: %s)\n", what, #cond, \
			       pz_error_last());                              \
			exit(1);                                              \
		}                                                             \
	} while (0)

static struct pz_aws_client *client(void)
{
	struct pz_aws_client *c;

	if (pz_aws_client_new(&c, NULL)) {
		printf("FAIL client: %s\n", pz_error_last());
		exit(1);
	}
	return c;
}

static void probe_s3(void)
{
	struct pz_aws_client *c = client();
	struct pz_aws_request *req;
	struct pz_aws_error err = {0};
	struct pz_s3_put_opts o = {0};
	struct pz_s3_object head, *objs = NULL;
	struct pz_buf body;
	char *etag = NULL, *etag2 = NULL, *got_etag = NULL;
	static const char *const keys[] = {"dir/a b+c.json", "dir/\xc3\xbc.csv",
					   "dir/x//y", "dir/z~!$&'()*,;=:@",
					   "top"};
	size_t n = 0, i;
	int r;

	req = pz_aws_request_new(PZ_AWS_S3, "CreateBucket", "PUT", "/pz-probe");
	CHECK("s3 CreateBucket", pz_aws_perform(c, req, NULL) == 0);

	o.if_none_match = true;
	o.content_type = "application/json";
	r = pz_s3_put_object(c, "pz-probe", "state.json", "{\"serial\":1}", 12,
			     &o, &etag, &err);
	CHECK("s3 PutObject If-None-Match creates", r == 0 && etag && *etag);
	r = pz_s3_put_object(c, "pz-probe", "state.json", "{}", 2, &o, NULL,
			     &err);
	CHECK("s3 PutObject If-None-Match on an existing key is 412",
	      r == PZ_ECONFLICT && pz_s3_precondition_failed(&err) &&
		  !pz_s3_conditional_conflict(&err));
	pz_aws_error_release(&err);

	memset(&o, 0, sizeof(o));
	o.if_match = "\"0123456789abcdef0123456789abcdef\"";
	r = pz_s3_put_object(c, "pz-probe", "state.json", "{}", 2, &o, NULL,
			     &err);
	CHECK("s3 PutObject If-Match with a stale ETag is 412",
	      r == PZ_ECONFLICT && err.status == 412);
	pz_aws_error_release(&err);
	o.if_match = etag;
	o.sse = "AES256";
	r = pz_s3_put_object(c, "pz-probe", "state.json", "{\"serial\":2}", 12,
			     &o, &etag2, &err);
	CHECK("s3 PutObject If-Match with the current ETag replaces",
	      r == 0 && etag2 && strcmp(etag, etag2) != 0);

	pz_buf_init(&body, 1 << 20);
	r = pz_s3_get_object(c, "pz-probe", "state.json", &body, &got_etag,
			     &err);
	CHECK("s3 GetObject returns the body and ETag",
	      r == 0 && strcmp(pz_buf_cstr(&body), "{\"serial\":2}") == 0 &&
		  got_etag && strcmp(got_etag, etag2) == 0);
	r = pz_s3_head_object(c, "pz-probe", "state.json", &head, &err);
	CHECK("s3 HeadObject gives size and ETag",
	      r == 0 && head.size == 12 && strcmp(head.etag, etag2) == 0);
	pz_s3_object_release(&head);

	for (i = 0; i < PZ_ARRAY_LEN(keys); i++) {
		r = pz_s3_put_object(c, "pz-probe", keys[i], keys[i],
				     strlen(keys[i]), NULL, NULL, &err);
		REQUIRE("s3 PutObject with special characters in the key",
			r == 0);
		pz_buf_reset(&body);
		r = pz_s3_get_object(c, "pz-probe", keys[i], &body, NULL, &err);
		REQUIRE("s3 GetObject round-trips the key",
			r == 0 && strcmp(pz_buf_cstr(&body), keys[i]) == 0);
	}
	CHECK("s3 keys with spaces, '+', UTF-8, '//' and sub-delims "
	      "round-trip",
	      true);
	r = pz_s3_list_objects_paged(c, "pz-probe", "dir/", 2, &objs, &n, &err);
	CHECK("s3 ListObjectsV2 over pages finds every key under the prefix",
	      r == 0 && n == 4);
	for (i = 0; i + 1 < n; i++)
		REQUIRE("s3 ListObjectsV2 in key order",
			strcmp(objs[i].key, objs[i + 1].key) < 0 &&
			    objs[i].etag && objs[i].size > 0);
	pz_s3_objects_free(objs, n);
	r = pz_s3_list_objects(c, "pz-probe", NULL, &objs, &n, &err);
	CHECK("s3 ListObjectsV2 without a prefix", r == 0 && n == 6);
	pz_s3_objects_free(objs, n);

	r = pz_s3_delete_object(c, "pz-probe", "state.json", NULL, &err);
	CHECK("s3 DeleteObject", r == 0);
	pz_buf_reset(&body);
	r = pz_s3_get_object(c, "pz-probe", "state.json", &body, NULL, &err);
	CHECK("s3 GetObject of a deleted key is PZ_ENOTFOUND",
	      r == PZ_ENOTFOUND && err.status == 404 && err.code &&
		  strcmp(err.code, "NoSuchKey") == 0);
	pz_aws_error_release(&err);
	r = pz_s3_head_object(c, "pz-probe", "state.json", &head, &err);
	CHECK("s3 HeadObject of a deleted key is PZ_ENOTFOUND",
	      r == PZ_ENOTFOUND);
	pz_aws_error_release(&err);
	r = pz_s3_get_object(c, "pz-no-such-bucket", "k", &body, NULL, &err);
	CHECK("s3 GetObject from a missing bucket is PZ_ENOTFOUND",
	      r == PZ_ENOTFOUND && err.code &&
		  strcmp(err.code, "NoSuchBucket") == 0);
	pz_aws_error_release(&err);

	pz_buf_release(&body);
	free(etag);
	free(etag2);
	free(got_etag);
	pz_aws_client_free(c);
}

static char *create_dataset_group(struct pz_aws_client *c, const char *name)
{
	cJSON *in = cJSON_CreateObject(), *out = NULL, *arn;
	char *s = NULL;

	cJSON_AddStringToObject(in, "name", name);
	if (pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "CreateDatasetGroup", in,
			     &out, NULL) == 0 &&
	    (arn = cJSON_GetObjectItemCaseSensitive(out, "datasetGroupArn")) &&
	    cJSON_IsString(arn))
		s = pz_xstrdup(arn->valuestring);
	cJSON_Delete(in);
	cJSON_Delete(out);
	return s;
}

static void probe_json(void)
{
	struct pz_aws_client *c = client();
	struct pz_aws_error err = {0};
	cJSON *in, *out = NULL, *dg, *name;
	char *arn = create_dataset_group(c, "pz-probe-dg");
	int r;

	CHECK("personalize CreateDatasetGroup", arn != NULL);
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "datasetGroupArn", arn);
	r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "DescribeDatasetGroup", in,
			     &out, &err);
	dg = cJSON_GetObjectItemCaseSensitive(out, "datasetGroup");
	name = cJSON_GetObjectItemCaseSensitive(dg, "name");
	CHECK("personalize DescribeDatasetGroup",
	      r == 0 && cJSON_IsString(name) &&
		  strcmp(name->valuestring, "pz-probe-dg") == 0);
	cJSON_Delete(out);
	cJSON_Delete(in);

	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "datasetGroupArn",
				"arn:aws:personalize:us-east-1:123456789012:"
				"dataset-group/missing");
	r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "DescribeDatasetGroup", in,
			     NULL, &err);
	CHECK("personalize Describe of a missing resource is PZ_ENOTFOUND",
	      r == PZ_ENOTFOUND && err.code &&
		  strcmp(err.code, "ResourceNotFoundException") == 0 &&
		  err.request_id);
	CHECK("the error message names service, operation and code",
	      pz_str_has_prefix(pz_error_last(),
				"personalize DescribeDatasetGroup: "
				"ResourceNotFoundException: "));
	pz_aws_error_release(&err);
	cJSON_Delete(in);

	r = create_dataset_group(c, "pz-probe-dg") != NULL;
	CHECK("personalize duplicate create fails",
	      r == 0 &&
		  strstr(pz_error_last(), "ResourceAlreadyExistsException"));
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "name", "bad name!");
	r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "CreateDatasetGroup", in,
			     NULL, &err);
	CHECK("personalize invalid input is PZ_EAWS with its code",
	      r == PZ_EAWS && err.status == 400 && err.code);
	pz_aws_error_release(&err);
	cJSON_Delete(in);
	free(arn);
	pz_aws_client_free(c);
}

struct async_state {
	int done, failed;
	int timers;
	struct pz_aws_client *c;
};

static void on_describe(void *ud, int rc, cJSON *out,
			const struct pz_aws_response *resp)
{
	struct async_state *st = ud;

	(void)resp;
	if (rc || !cJSON_GetObjectItemCaseSensitive(out, "datasetGroup")) {
		st->failed++;
		printf("     async failure: %s\n", pz_error_last());
	}
	st->done++;
	cJSON_Delete(out);
}

static void on_tick(void *ud)
{
	struct async_state *st = ud;

	/* A poller: re-arm until every request is answered. */
	st->timers++;
	if (st->done < 200)
		pz_aws_timer_add(st->c, 20, on_tick, st);
}

static void probe_async(void)
{
	struct pz_aws_client *c = client();
	struct async_state st = {0};
	char *arn = create_dataset_group(c, "pz-probe-async");
	cJSON *in = cJSON_CreateObject();
	struct pz_aws_json_done done = {on_describe, &st};
	int i, r;

	CHECK("personalize CreateDatasetGroup", arn != NULL);
	st.c = c;
	cJSON_AddStringToObject(in, "datasetGroupArn", arn);
	for (i = 0; i < 200; i++)
		REQUIRE("submit", pz_aws_json_submit(c, PZ_AWS_PERSONALIZE,
						     "DescribeDatasetGroup", in,
						     done) == 0);
	pz_aws_timer_add(c, 0, on_tick, &st);
	r = pz_aws_run(c);
	CHECK("200 concurrent DescribeDatasetGroup calls all succeed",
	      r == 0 && st.done == 200 && st.failed == 0);
	CHECK("timers ran alongside the requests", st.timers >= 1);
	CHECK("nothing is left pending", pz_aws_pending(c) == 0);
	cJSON_Delete(in);
	free(arn);
	pz_aws_client_free(c);
}

static void probe_runtime(void)
{
	struct pz_aws_client *c = client();
	struct pz_aws_error err = {0};
	cJSON *in = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(in, "campaignArn",
				"arn:aws:personalize:us-east-1:123456789012:"
				"campaign/missing");
	cJSON_AddStringToObject(in, "userId", "u1");
	r = pz_aws_restjson_call(c, PZ_AWS_PERSONALIZE_RUNTIME,
				 "GetRecommendations", "POST",
				 "/recommendations", in, NULL, &err);
	CHECK("personalize-runtime GetRecommendations of a missing campaign "
	      "is PZ_ENOTFOUND",
	      r == PZ_ENOTFOUND && err.code &&
		  strcmp(err.code, "ResourceNotFoundException") == 0);
	CHECK("the runtime's error message is labelled",
	      pz_str_has_prefix(pz_error_last(),
				"personalize-runtime GetRecommendations: "));
	pz_aws_error_release(&err);
	cJSON_Delete(in);
	pz_aws_client_free(c);
}

static void probe_sns(void)
{
	struct pz_aws_client *c = client();
	struct pz_aws_headers params = {0};
	struct pz_xml_node *doc = NULL;
	struct pz_aws_error err = {0};
	const char *topic;
	char *id = NULL;
	int r;

	pz_aws_headers_add(&params, "Name", "pz-probe");
	r = pz_aws_query_call(c, PZ_AWS_SNS, "CreateTopic", &params, &doc,
			      NULL);
	pz_aws_headers_release(&params);
	topic = pz_xml_path_text(doc, "CreateTopicResult/TopicArn");
	CHECK("sns CreateTopic", r == 0 && topic);
	r = pz_sns_publish(c, topic, "pz probe", "hello & <world>", &id, &err);
	CHECK("sns Publish", r == 0 && id && *id);
	free(id);
	r = pz_sns_publish(c, "arn:aws:sns:us-east-1:123456789012:missing",
			   NULL, "x", NULL, &err);
	CHECK("sns Publish to a missing topic fails with its code",
	      r != 0 && err.code);
	pz_aws_error_release(&err);
	pz_xml_free(doc);
	pz_aws_client_free(c);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	bool all = strcmp(what, "all") == 0;

	if (all || !strcmp(what, "s3"))
		probe_s3();
	if (all || !strcmp(what, "json"))
		probe_json();
	if (all || !strcmp(what, "async"))
		probe_async();
	if (all || !strcmp(what, "runtime"))
		probe_runtime();
	if (all || !strcmp(what, "sns"))
		probe_sns();
	return 0;
}
