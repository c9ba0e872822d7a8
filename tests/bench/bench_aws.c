/*
 * bench_aws.c - the AWS client's concurrency: N DescribeDatasetGroup
 * calls submitted at once on one client (curl multi, reused
 * connections) against the same N calls made one after another with
 * the synchronous wrapper of the same client.
 *
 *   bench_aws [-n N] [-c CONNECTIONS] [-serial N]
 *
 * Talks to whatever the environment points at (AWS_ENDPOINT_URL, keys,
 * region): run it through tests/bench/bench_aws.sh, which starts the
 * simulator with injected latency. Prints one line of key=value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"
#include "providers/aws/util.h"

struct run {
	int done;
	int failed;
};

static void on_done(void *ud, int rc, cJSON *out,
		    const struct pz_aws_response *resp)
{
	struct run *r = ud;

	(void)resp;
	if (rc) {
		if (!r->failed)
			fprintf(stderr, "bench_aws: %s\n", pz_error_last());
		r->failed++;
	}
	r->done++;
	cJSON_Delete(out);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_aws: %s: %s\n", what, pz_error_last());
	exit(1);
}

int main(int argc, char **argv)
{
	struct pz_aws_client_options o = {0};
	struct pz_aws_client *c;
	struct run run = {0};
	cJSON *in, *out = NULL, *arn;
	long n = 1000, serial = -1;
	double t0, conc, ser = 0;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "-c"))
			o.max_connections = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-serial"))
			serial = strtol(argv[i + 1], NULL, 10);
	}
	if (serial < 0)
		serial = n;
	if (pz_aws_client_new(&c, &o))
		die("client");

	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "name", "pz-bench");
	if (pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "CreateDatasetGroup", in,
			     &out, NULL))
		die("CreateDatasetGroup");
	arn = cJSON_GetObjectItemCaseSensitive(out, "datasetGroupArn");
	cJSON_Delete(in);
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "datasetGroupArn", arn->valuestring);
	cJSON_Delete(out);

	/* Warm one connection, as a run's first call would. */
	if (pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "DescribeDatasetGroup", in,
			     NULL, NULL))
		die("DescribeDatasetGroup");

	t0 = pz_mono();
	for (i = 0; i < n; i++) {
		struct pz_aws_json_done d = {on_done, &run};

		if (pz_aws_json_submit(c, PZ_AWS_PERSONALIZE,
				       "DescribeDatasetGroup", in, d))
			die("submit");
	}
	if (pz_aws_run(c))
		die("run");
	conc = pz_mono() - t0;
	if (run.failed)
		die("concurrent calls failed");

	t0 = pz_mono();
	for (i = 0; i < serial; i++)
		if (pz_aws_json_call(c, PZ_AWS_PERSONALIZE,
				     "DescribeDatasetGroup", in, NULL, NULL))
			die("serial call");
	if (serial > 0)
		ser = (pz_mono() - t0) * (double)n / (double)serial;

	printf("calls=%ld connections=%d concurrent_s=%.3f "
	       "concurrent_calls_per_s=%.0f",
	       n,
	       o.max_connections ? o.max_connections
				 : PZ_AWS_DEFAULT_MAX_CONNECTIONS,
	       conc, conc > 0 ? (double)n / conc : 0);
	if (serial > 0)
		printf(" serial_s=%.3f%s ratio=%.1f", ser,
		       serial == n ? "" : " (extrapolated)",
		       conc > 0 ? ser / conc : 0);
	putchar('\n');
	cJSON_Delete(in);
	pz_aws_client_free(c);
	return 0;
}
