/*
 * test_aws_protocol.c - what the client reads and what it shows: trace
 * redaction, the XML parser, error parsing for every protocol, the
 * event loop's timers, and how requests to a loopback socket that never
 * answers end: by timeout, or by an interrupt (no other network).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cancel.h"
#include "core/json_out.h"
#include "core/error.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/redact.h"
#include "providers/aws/util.h"
#include "providers/aws/xml.h"

static char *redact(const char *body, size_t max)
{
	struct pz_buf b;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_aws_redact_body(&b, body, strlen(body), max), 0);
	return pz_buf_detach(&b, NULL);
}

static void test_redact_headers(void **state)
{
	(void)state;
	assert_true(pz_aws_redact_header("Authorization"));
	assert_true(pz_aws_redact_header("x-amz-security-token"));
	assert_true(pz_aws_redact_header("X-Aws-Ec2-Metadata-Token"));
	assert_false(pz_aws_redact_header("X-Amz-Date"));
	assert_false(pz_aws_redact_header("Content-Type"));
	assert_false(pz_aws_redact_header("x-aws-ec2-metadata-token-ttl-"
					  "seconds"));
}

static void test_redact_bodies(void **state)
{
	char *s;

	(void)state;
	s = redact("{\"AccessKeyId\": \"ASIAX\", \"SecretAccessKey\": "
		   "\"abc\\\"def\", \"Token\":\"tok\", \"nextToken\": \"n1\", "
		   "\"Expiration\": \"2030\"}",
		   4096);
	assert_null(strstr(s, "abc"));
	assert_null(strstr(s, "def"));
	assert_null(strstr(s, "tok\""));
	assert_non_null(strstr(s, "\"SecretAccessKey\": \"<redacted>\""));
	assert_non_null(strstr(s, "\"Token\":\"<redacted>\""));
	assert_non_null(strstr(s, "\"nextToken\": \"n1\""));
	assert_non_null(strstr(s, "ASIAX"));
	free(s);

	s = redact("<Credentials><AccessKeyId>ASIAY</AccessKeyId>"
		   "<SecretAccessKey>sek</SecretAccessKey><SessionToken>"
		   "stok</SessionToken></Credentials>",
		   4096);
	assert_null(strstr(s, "sek"));
	assert_null(strstr(s, "stok"));
	assert_non_null(strstr(s, "<SecretAccessKey><redacted>"
				  "</SecretAccessKey>"));
	assert_non_null(strstr(s, "ASIAY"));
	free(s);

	s = redact("Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Ax&"
		   "WebIdentityToken=eyJhbGci.payload.sig&Version=2011-06-15",
		   4096);
	assert_null(strstr(s, "eyJ"));
	assert_non_null(strstr(s, "WebIdentityToken=<redacted>&Version"));
	assert_non_null(strstr(s, "RoleArn=arn%3Ax"));
	free(s);

	/* Cut bodies say so, and a secret across the cut stays hidden. */
	s = redact("{\"SecretAccessKey\": \"0123456789abcdef\"}", 25);
	assert_null(strstr(s, "0123"));
	assert_non_null(strstr(s, "more bytes"));
	free(s);

	/* Every query parameter of a URL, the first one too. */
	s = redact("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAQ%2F1&"
		   "X-Amz-Security-Token=sessq&X-Amz-Signature=sigq&"
		   "X-Amz-Expires=60",
		   4096);
	assert_null(strstr(s, "AKIAQ"));
	assert_null(strstr(s, "sessq"));
	assert_null(strstr(s, "sigq"));
	assert_non_null(strstr(s, "?X-Amz-Credential=<redacted>&"));
	assert_non_null(strstr(s, "X-Amz-Expires=60"));
	free(s);

	s = redact("bin\x01\x7f", 100);
	assert_string_equal(s, "bin\\x01\\x7f");
	free(s);
}

static void test_xml(void **state)
{
	struct pz_xml_node *root;
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><Name>b</Name><Contents><Key>a&amp;b</Key>"
	    "<ETag>&quot;e1&quot;</ETag><Size>12</Size></Contents>"
	    "<Contents><Key>c</Key></Contents></ListBucketResult>";

	(void)state;
	assert_int_equal(pz_xml_parse(doc, strlen(doc), &root), 0);
	assert_string_equal(root->name, "ListBucketResult");
	assert_int_equal(root->n_children, 3);
	assert_string_equal(pz_xml_path_text(root, "Contents/Key"), "a&b");
	assert_string_equal(pz_xml_path_text(root, "Contents/ETag"), "\"e1\"");
	assert_null(pz_xml_path_text(root, "Contents/Nope"));
	assert_string_equal(root->children[2]->children[0]->text, "c");
	pz_xml_free(root);
	assert_int_equal(pz_xml_parse("<a><b></a>", 10, &root), PZ_EINVAL);
	assert_int_equal(pz_xml_parse("", 0, &root), PZ_EINVAL);
	{
		static const char bomb[] =
		    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>";

		assert_int_equal(pz_xml_parse(bomb, strlen(bomb), &root),
				 PZ_EINVAL);
	}
}

static void parse_error(long status, const char *header, const char *value,
			const char *body, struct pz_aws_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	pz_buf_init(&resp->body, 0);
	resp->status = status;
	if (header)
		pz_aws_headers_add(&resp->headers, header, value);
	if (body)
		assert_int_equal(pz_buf_adds(&resp->body, body), 0);
	pz_aws_error_parse(resp);
}

static void release(struct pz_aws_response *resp)
{
	pz_aws_headers_release(&resp->headers);
	pz_buf_release(&resp->body);
	pz_aws_error_release(&resp->error);
}

static void test_error_parse(void **state)
{
	struct pz_aws_response r;

	(void)state;
	/* JSON 1.1 */
	parse_error(400, "x-amzn-RequestId", "rid-1",
		    "{\"__type\": \"com.amazonaws.personalize#"
		    "ResourceNotFoundException\", \"message\": \"no such "
		    "campaign\"}",
		    &r);
	assert_int_equal(r.error.status, 400);
	assert_string_equal(r.error.code, "ResourceNotFoundException");
	assert_string_equal(r.error.message, "no such campaign");
	assert_string_equal(r.error.request_id, "rid-1");
	release(&r);
	/* REST-JSON with the header */
	parse_error(404, "x-amzn-ErrorType",
		    "ResourceNotFoundException:http://internal.amazon.com/",
		    "{\"Message\": \"gone\"}", &r);
	assert_string_equal(r.error.code, "ResourceNotFoundException");
	assert_string_equal(r.error.message, "gone");
	release(&r);
	/* Query */
	parse_error(403, NULL, NULL,
		    "<ErrorResponse><Error><Type>Sender</Type><Code>"
		    "SignatureDoesNotMatch</Code><Message>bad sig</Message>"
		    "</Error><RequestId>rid-2</RequestId></ErrorResponse>",
		    &r);
	assert_string_equal(r.error.code, "SignatureDoesNotMatch");
	assert_string_equal(r.error.message, "bad sig");
	assert_string_equal(r.error.request_id, "rid-2");
	release(&r);
	/* REST-XML (S3) */
	parse_error(412, "x-amz-request-id", "rid-3",
		    "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed"
		    "</Code><Message>At least one of the pre-conditions you "
		    "specified did not hold</Message></Error>",
		    &r);
	assert_string_equal(r.error.code, "PreconditionFailed");
	assert_string_equal(r.error.request_id, "rid-3");
	release(&r);
	/* HEAD: no body at all */
	parse_error(404, NULL, NULL, NULL, &r);
	assert_string_equal(r.error.code, "NotFound");
	assert_null(r.error.message);
	release(&r);
	/* Garbage */
	parse_error(502, NULL, NULL, "<html>bad gateway", &r);
	assert_null(r.error.code);
	release(&r);
}

/*
 * The timers' test asserts nothing about the wall clock: a loaded
 * machine may stall the test anywhere. Each timer's due time is known
 * to lie between the clock read just before and just after adding it;
 * the loop must fire every timer no earlier than that, in the order of
 * due times (each fired one's earliest possible due time no later than
 * the next one's latest), fire one added from a callback, and never
 * fire a cancelled one (due in an hour: were it fired, the test would
 * hang, then fail).
 */
struct order {
	int seen[8];
	double fired_at[8];
	int n;
	struct pz_aws_client *c;
	uint64_t cancel_me;
};

static struct {
	struct order *o;
	int tag;
	double lo, hi; /* bounds of the due time */
} slots[8];

static void on_timer(void *ud);

static uint64_t add_timer(struct pz_aws_client *c, int slot, long ms)
{
	uint64_t id;

	slots[slot].lo = pz_mono() + (double)ms / 1000.0;
	id = pz_aws_timer_add(c, ms, on_timer, (void *)(intptr_t)slot);
	slots[slot].hi = pz_mono() + (double)ms / 1000.0;
	return id;
}

static void on_timer(void *ud)
{
	int i = (int)(intptr_t)ud;
	struct order *o = slots[i].o;

	o->fired_at[o->n] = pz_mono();
	o->seen[o->n++] = slots[i].tag;
	if (slots[i].tag == 1) {
		/* A callback may arm another timer (a poller). */
		slots[5].o = o;
		slots[5].tag = 5;
		add_timer(o->c, 5, 5);
		pz_aws_timer_cancel(o->c, o->cancel_me);
	}
}

static void test_timers(void **state)
{
	struct pz_aws_client *c;
	struct order o = {0};
	bool seen[6] = {false};
	int i;

	(void)state;
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", "/nonexistent", 1);
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	o.c = c;
	for (i = 0; i < 4; i++) {
		slots[i].o = &o;
		slots[i].tag = i;
	}
	add_timer(c, 2, 30);
	add_timer(c, 1, 1);
	o.cancel_me = add_timer(c, 3, 3600 * 1000);
	add_timer(c, 0, 0);
	assert_int_equal(pz_aws_run(c), 0);
	assert_int_equal(o.n, 4);
	for (i = 0; i < o.n; i++) {
		int t = o.seen[i];

		assert_true(t == 0 || t == 1 || t == 2 || t == 5);
		assert_false(seen[t]);
		seen[t] = true;
		/* Never early. */
		assert_true(o.fired_at[i] >= slots[t].lo);
		/* In the order of due times. */
		if (i > 0)
			assert_true(slots[o.seen[i - 1]].lo <= slots[t].hi);
	}
	/* The one added from 1's callback came after 1. */
	for (i = 0; o.seen[i] != 1; i++)
		assert_int_not_equal(o.seen[i], 5);
	assert_int_equal(pz_aws_pending(c), 0);
	pz_aws_client_free(c);
}

/* A socket bound to a loopback port, its URL in url. */
static int loopback(char *url, size_t n)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(url, n, "http://127.0.0.1:%d/", ntohs(a.sin_port));
	return fd;
}

/* A loopback port that takes connections (the kernel's backlog) and
 * never answers: *fd to close, the URL in url. */
static int silent_server(char *url, size_t n)
{
	int fd = loopback(url, n);

	assert_int_equal(listen(fd, 64), 0);
	return fd;
}

struct outcome {
	int calls;
	int rc;
	char *msg;
	bool unsent;
};

static void on_outcome(void *ud, int rc, struct pz_aws_response *resp)
{
	struct outcome *o = ud;

	o->calls++;
	o->rc = rc;
	o->unsent = resp->unsent;
	/* The response carries its own message, and the thread's last
	 * error is the same while the callback runs. */
	assert_non_null(resp->failure.message);
	assert_string_equal(resp->failure.message, pz_error_last());
	o->msg = pz_xstrdup(resp->failure.message);
}

static void test_timeout_message(void **state)
{
	struct pz_aws_client *c;
	struct pz_aws_request *req;
	struct outcome o = {0};
	char url[64], want[128];
	int fd = silent_server(url, sizeof(url));

	(void)state;
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	req = pz_aws_request_new_url("Probe", "GET", url);
	pz_aws_request_set_limits(req, 2, 150);
	assert_int_equal(pz_aws_submit(c, req, on_outcome, &o), 0);
	assert_int_equal(pz_aws_run(c), 0);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.rc, PZ_ETIMEOUT);
	/* pz's limit in seconds and the attempts, not curl's clock. */
	snprintf(want, sizeof(want),
		 "Probe: no answer from %s within 0.15s, on each of 2 attempts",
		 url);
	assert_string_equal(o.msg, want);
	/* Connected and sent: the server may have acted on it. */
	assert_false(o.unsent);
	free(o.msg);
	pz_aws_client_free(c);
	close(fd);
}

/* A loopback port nobody listens on: connections are refused while
 * the returned socket (bound, never listening) holds it. */
static int closed_port(char *url, size_t n)
{
	return loopback(url, n);
}

/* A request none of whose attempts connected is known unsent (the
 * service cannot have acted on it), on the loop and off it. */
static void test_unsent_when_no_attempt_connected(void **state)
{
	struct pz_aws_client *c;
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	struct outcome o = {0};
	char url[64];
	int fd = closed_port(url, sizeof(url));

	(void)state;
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	req = pz_aws_request_new_url("Probe", "POST", url);
	pz_aws_request_set_limits(req, 2, 2000);
	assert_int_equal(pz_aws_submit(c, req, on_outcome, &o), 0);
	assert_int_equal(pz_aws_run(c), 0);
	assert_int_equal(o.calls, 1);
	assert_int_equal(o.rc, PZ_ENET);
	assert_true(o.unsent);
	free(o.msg);

	req = pz_aws_request_new_url("Probe", "POST", url);
	pz_aws_request_set_flags(req, PZ_AWS_REQ_BLOCKING);
	pz_aws_request_set_limits(req, 2, 2000);
	assert_int_equal(pz_aws_perform(c, req, &resp), PZ_ENET);
	assert_non_null(resp);
	assert_int_equal(resp->attempts, 2);
	assert_true(resp->unsent);
	pz_aws_response_free(resp);
	pz_aws_client_free(c);
	close(fd);
	pz_error_clear();
}

static void interrupt_soon(void *ud)
{
	(void)ud;
	pz_cancel_request(SIGINT); /* what the signal handler does */
}

static void test_interrupt_stops_the_loop(void **state)
{
	struct pz_aws_client_options co = {0};
	struct pz_aws_client *c, *keep;
	struct outcome o[20];
	char url[64];
	int fd = silent_server(url, sizeof(url)), i;
	double t0;

	(void)state;
	memset(o, 0, sizeof(o));
	assert_int_equal(pz_cancel_init(), 0);
	co.max_connections = 4;
	assert_int_equal(pz_aws_client_new(&c, &co), 0);
	/* Twenty requests waiting on the socket, some queued (4 slots),
	 * each allowed a minute and three attempts. */
	for (i = 0; i < 20; i++) {
		struct pz_aws_request *req =
		    pz_aws_request_new_url("Probe", "GET", url);

		pz_aws_request_set_limits(req, 3, 60000);
		assert_int_equal(pz_aws_submit(c, req, on_outcome, &o[i]), 0);
	}
	pz_aws_timer_add(c, 100, interrupt_soon, NULL);
	pz_aws_timer_add(c, 60000, interrupt_soon, NULL); /* never runs */
	t0 = pz_mono();
	assert_int_equal(pz_aws_run(c), PZ_EINTR);
	assert_true(pz_mono() - t0 < 1.0);
	assert_string_equal(pz_error_last(), "interrupted by SIGINT");
	/* Every callback ran once, with its own message; nothing left. */
	for (i = 0; i < 20; i++) {
		assert_int_equal(o[i].calls, 1);
		assert_int_equal(o[i].rc, PZ_EINTR);
		assert_string_equal(o[i].msg, "Probe: interrupted by SIGINT");
		/* The 4 on the wire may have reached it; the 16 queued
		 * never left. */
		assert_int_equal(o[i].unsent, i >= 4);
		free(o[i].msg);
	}
	assert_int_equal(pz_aws_pending(c), 0);
	/* No new work after an interrupt, and no callback for it. */
	memset(o, 0, sizeof(o));
	assert_int_equal(
	    pz_aws_submit(c, pz_aws_request_new_url("Probe", "GET", url),
			  on_outcome, &o[0]),
	    PZ_EINTR);
	assert_int_equal(o[0].calls, 0);
	assert_int_equal(
	    pz_aws_perform(c, pz_aws_request_new_url("Probe", "GET", url),
			   NULL),
	    PZ_EINTR);
	assert_int_equal(pz_aws_run(c), PZ_EINTR);
	/* A client made uninterruptible goes on (the state backend's). */
	{
		struct pz_aws_client_options opts = {0};
		struct pz_aws_request *req =
		    pz_aws_request_new_url("Probe", "GET", url);

		opts.uninterruptible = true;
		assert_int_equal(pz_aws_client_new(&keep, &opts), 0);
		pz_aws_request_set_limits(req, 1, 200);
		t0 = pz_mono();
		assert_int_equal(pz_aws_perform(keep, req, NULL), PZ_ETIMEOUT);
		assert_true(pz_mono() - t0 >= 0.19);
		pz_aws_client_free(keep);
	}
	pz_cancel_reset();
	pz_aws_client_free(c);
	close(fd);
	pz_error_clear();
}

static void on_alarm(int sig)
{
	pz_cancel_request(sig);
}

static void test_interrupt_stops_a_blocking_request(void **state)
{
	struct pz_aws_client *c;
	struct pz_aws_request *req;
	struct sigaction sa;
	char url[64];
	int fd = silent_server(url, sizeof(url));
	double t0;

	(void)state;
	assert_int_equal(pz_cancel_init(), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	req = pz_aws_request_new_url("Probe", "GET", url);
	pz_aws_request_set_flags(req, PZ_AWS_REQ_BLOCKING);
	pz_aws_request_set_limits(req, 3, 60000);
	t0 = pz_mono();
	ualarm(200000, 0);
	/* Off the loop, in curl_easy_perform: the progress check ends it. */
	assert_int_equal(pz_aws_perform(c, req, NULL), PZ_EINTR);
	assert_true(pz_mono() - t0 < 1.5);
	assert_string_equal(pz_error_last(), "Probe: interrupted by a signal");
	signal(SIGALRM, SIG_DFL);
	pz_cancel_reset();
	pz_aws_client_free(c);
	close(fd);
	pz_error_clear();
}

static void test_time_parse(void **state)
{
	time_t t;
	char buf[17];

	(void)state;
	assert_int_equal(pz_aws_time_parse("2015-08-30T12:36:00Z", &t), 0);
	assert_int_equal(t, 1440938160);
	pz_aws_time_amz(t, buf);
	assert_string_equal(buf, "20150830T123600Z");
	assert_int_equal(pz_aws_time_parse("2015-08-30T14:36:00.5+02:00", &t),
			 0);
	assert_int_equal(t, 1440938160);
	assert_int_equal(pz_aws_time_parse("2015-13-30T12:36:00Z", &t),
			 PZ_EINVAL);
	assert_int_equal(pz_aws_time_parse("yesterday", &t), PZ_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redact_headers),
	    cmocka_unit_test(test_redact_bodies),
	    cmocka_unit_test(test_xml),
	    cmocka_unit_test(test_error_parse),
	    cmocka_unit_test(test_timers),
	    cmocka_unit_test(test_timeout_message),
	    cmocka_unit_test(test_unsent_when_no_attempt_connected),
	    cmocka_unit_test(test_interrupt_stops_the_loop),
	    cmocka_unit_test(test_interrupt_stops_a_blocking_request),
	    cmocka_unit_test(test_time_parse),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
