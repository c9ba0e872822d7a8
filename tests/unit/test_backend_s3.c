/*
 * test_backend_s3.c - the S3 state backend against a scripted S3 in a
 * thread of this test (after curl's test servers): the exact conditional
 * headers and encryption headers of every request, a lost answer to our
 * own lock or state write recognised as ours, 409 and 404-after-412
 * retried, a store that ignores If-None-Match refused, a concurrent
 * writer detected, unlock and force-unlock that never remove someone
 * else's lock.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/lockwait.h"
#include "providers/aws/backend_s3.h"
#include "providers/aws/client.h"

#define BUCKET "pz-state"
#define KEY    "team/pz.state.json"
#define LOCK   KEY ".lock"

/* --- the scripted S3 ------------------------------------------------------ */

struct obj {
	char key[256];
	char *body;
	size_t len;
	char etag[64];
};

struct fault {
	char method[8];
	char suffix[64]; /* matches keys ending so */
	int status;	 /* answer this (with code) instead */
	char code[64];
	bool drop_after; /* apply, then close without answering */
	int skip;	 /* let this many matching requests through first */
	int count;
};

struct req {
	char method[8];
	char key[256];
	bool if_none_match;
	char if_match[64];
	char sse[32];
	char kms[128];
};

static struct {
	int fd, port;
	pthread_t thread;
	volatile int stop;
	pthread_mutex_t mu;
	struct obj objs[16];
	size_t nobjs;
	bool ignore_conditions;
	struct fault faults[8];
	size_t nfaults;
	struct req reqs[256];
	size_t nreqs;
	int serial;
} srv = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct obj *find_obj(const char *key)
{
	size_t i;

	for (i = 0; i < srv.nobjs; i++)
		if (!strcmp(srv.objs[i].key, key))
			return &srv.objs[i];
	return NULL;
}

static void drop_obj(struct obj *o)
{
	free(o->body);
	*o = srv.objs[--srv.nobjs];
}

static void put_obj(const char *key, const char *body, size_t len)
{
	struct obj *o = find_obj(key);

	if (!o) {
		assert_true(srv.nobjs < PZ_ARRAY_LEN(srv.objs));
		o = &srv.objs[srv.nobjs++];
		memset(o, 0, sizeof(*o));
		snprintf(o->key, sizeof(o->key), "%s", key);
	}
	free(o->body);
	o->body = malloc(len + 1);
	memcpy(o->body, body, len);
	o->body[len] = '\0';
	o->len = len;
	snprintf(o->etag, sizeof(o->etag), "\"etag-%d\"", ++srv.serial);
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void reply(int fd, int status, const char *etag, const char *body,
		  size_t len, bool head)
{
	char hd[512];
	int n;

	n = snprintf(hd, sizeof(hd),
		     "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s%s%s"
		     "Connection: close\r\n\r\n",
		     status, len, etag ? "ETag: " : "", etag ? etag : "",
		     etag ? "\r\n" : "");
	send_all(fd, hd, (size_t)n);
	if (!head && len)
		send_all(fd, body, len);
}

static void reply_error(int fd, int status, const char *code, bool head)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
			 "<?xml version=\"1.0\"?><Error><Code>%s</Code>"
			 "<Message>scripted %s</Message></Error>",
			 code, code);

	reply(fd, status, NULL, body, (size_t)n, head);
}

static const char *header(const char *head, const char *name, char *out,
			  size_t n)
{
	const char *p = head;
	size_t nl = strlen(name);

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1, *e;

			while (*v == ' ')
				v++;
			e = strstr(v, "\r\n");
			snprintf(out, n, "%.*s", (int)(e - v), v);
			return out;
		}
	}
	out[0] = '\0';
	return NULL;
}

static void decode(const char *in, char *out, size_t n)
{
	size_t k = 0;

	for (; *in && k + 1 < n; in++) {
		if (in[0] == '%' && isxdigit((unsigned char)in[1]) &&
		    isxdigit((unsigned char)in[2])) {
			char hex[3] = {in[1], in[2], 0};

			out[k++] = (char)strtol(hex, NULL, 16);
			in += 2;
		} else {
			out[k++] = *in;
		}
	}
	out[k] = '\0';
}

static void serve(int fd)
{
	char buf[65536], method[8], path[512], key[256], v[128];
	size_t got = 0, clen;
	const char *end, *body;
	struct req *rq;
	struct obj *o;
	struct fault *f = NULL;
	bool head, inm;
	size_t i;

	for (;;) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (r <= 0)
			return;
		got += (size_t)r;
		buf[got] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")))
			break;
	}
	if (sscanf(buf, "%7s %511s", method, path) != 2)
		return;
	clen = header(buf, "Content-Length", v, sizeof(v))
		   ? (size_t)strtoul(v, NULL, 10)
		   : 0;
	if (header(buf, "Expect", v, sizeof(v)))
		send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	body = end + 4;
	while ((size_t)(buf + got - body) < clen) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);

		if (r <= 0)
			return;
		got += (size_t)r;
	}
	/* path: /bucket/key */
	decode(strchr(path + 1, '/') ? strchr(path + 1, '/') + 1 : "", key,
	       sizeof(key));
	head = !strcmp(method, "HEAD");
	pthread_mutex_lock(&srv.mu);
	assert_true(srv.nreqs < PZ_ARRAY_LEN(srv.reqs));
	rq = &srv.reqs[srv.nreqs++];
	memset(rq, 0, sizeof(*rq));
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	snprintf(rq->key, sizeof(rq->key), "%s", key);
	inm = header(buf, "If-None-Match", v, sizeof(v)) && !strcmp(v, "*");
	rq->if_none_match = inm;
	header(buf, "If-Match", rq->if_match, sizeof(rq->if_match));
	header(buf, "x-amz-server-side-encryption", rq->sse, sizeof(rq->sse));
	header(buf, "x-amz-server-side-encryption-aws-kms-key-id", rq->kms,
	       sizeof(rq->kms));
	for (i = 0; i < srv.nfaults; i++) {
		struct fault *c = &srv.faults[i];
		size_t kl = strlen(key), sl = strlen(c->suffix);

		if (c->count > 0 && !strcmp(c->method, method) && kl >= sl &&
		    !strcmp(key + kl - sl, c->suffix)) {
			if (c->skip > 0) {
				c->skip--;
				continue;
			}
			c->count--;
			f = c;
			break;
		}
	}
	if (f && f->status) {
		reply_error(fd, f->status, f->code, head);
		goto out;
	}
	o = find_obj(key);
	if (!srv.ignore_conditions &&
	    (!strcmp(method, "PUT") || !strcmp(method, "DELETE"))) {
		if (inm && o) {
			reply_error(fd, 412, "PreconditionFailed", head);
			goto out;
		}
		if (rq->if_match[0] && !o) {
			reply_error(fd, 404, "NoSuchKey", head);
			goto out;
		}
		if (rq->if_match[0] && strcmp(rq->if_match, o->etag)) {
			reply_error(fd, 412, "PreconditionFailed", head);
			goto out;
		}
	}
	if (!strcmp(method, "PUT")) {
		put_obj(key, body, clen);
		if (!(f && f->drop_after))
			reply(fd, 200, find_obj(key)->etag, "", 0, false);
	} else if (!strcmp(method, "DELETE")) {
		if (o)
			drop_obj(o);
		if (!(f && f->drop_after))
			reply(fd, 204, NULL, "", 0, false);
	} else if (!o) {
		reply_error(fd, 404, "NoSuchKey", head);
	} else {
		reply(fd, 200, o->etag, o->body, o->len, head);
	}
out:
	pthread_mutex_unlock(&srv.mu);
}

static void *server_main(void *arg)
{
	(void)arg;
	while (!srv.stop) {
		struct pollfd p = {srv.fd, POLLIN, 0};
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(srv.fd, NULL, NULL);
		if (c < 0)
			continue;
		serve(c);
		close(c);
	}
	return NULL;
}

static void reset_server(void)
{
	pthread_mutex_lock(&srv.mu);
	while (srv.nobjs)
		drop_obj(&srv.objs[0]);
	srv.nfaults = 0;
	srv.nreqs = 0;
	srv.ignore_conditions = false;
	pthread_mutex_unlock(&srv.mu);
}

static void add_fault_after(const char *method, const char *suffix, int status,
			    const char *code, bool drop_after, int skip,
			    int count)
{
	struct fault *f;

	pthread_mutex_lock(&srv.mu);
	f = &srv.faults[srv.nfaults++];
	memset(f, 0, sizeof(*f));
	snprintf(f->method, sizeof(f->method), "%s", method);
	snprintf(f->suffix, sizeof(f->suffix), "%s", suffix);
	f->status = status;
	snprintf(f->code, sizeof(f->code), "%s", code ? code : "");
	f->drop_after = drop_after;
	f->skip = skip;
	f->count = count;
	pthread_mutex_unlock(&srv.mu);
}

static void add_fault(const char *method, const char *suffix, int status,
		      const char *code, bool drop_after, int count)
{
	add_fault_after(method, suffix, status, code, drop_after, 0, count);
}

static char home[] = "/tmp/pz-test-s3-XXXXXX";

static int setup(void **state)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char url[64];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(home))
		return -1;
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(srv.fd, 16) ||
	    getsockname(srv.fd, (struct sockaddr *)&a, &al))
		return -1;
	srv.port = ntohs(a.sin_port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	setenv("HOME", home, 1);
	setenv("AWS_ENDPOINT_URL", url, 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY",
	       "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_MAX_ATTEMPTS", "3", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SESSION_TOKEN");
	return pthread_create(&srv.thread, NULL, server_main, NULL);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	srv.stop = 1;
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	reset_server();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

static int per_test(void **state)
{
	(void)state;
	reset_server();
	return 0;
}

/* --- helpers -------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static struct pz_backend *backend(bool encrypt, const char *kms)
{
	struct pz_backend_s3_opts o = {0};
	struct pz_aws_client *c = NULL;
	struct pz_backend *b = NULL;

	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	o.bucket = BUCKET;
	o.key = KEY;
	o.encrypt = encrypt;
	o.kms_key_id = kms;
	o.interrupted = &interrupted;
	assert_int_equal(pz_backend_s3_new(&b, c, &o), 0);
	return b;
}

static size_t count(const char *method, const char *key)
{
	size_t i, n = 0;

	for (i = 0; i < srv.nreqs; i++)
		if (!strcmp(srv.reqs[i].method, method) &&
		    (!key || !strcmp(srv.reqs[i].key, key)))
			n++;
	return n;
}

static const struct req *last(const char *method, const char *key)
{
	size_t i = srv.nreqs;

	while (i--)
		if (!strcmp(srv.reqs[i].method, method) &&
		    !strcmp(srv.reqs[i].key, key))
			return &srv.reqs[i];
	return NULL;
}

static struct pz_state *one_resource(const char *addr)
{
	struct pz_state *st = NULL;

	assert_int_equal(pz_state_new(&st), 0);
	pz_state_put(st, addr, "campaign");
	return st;
}

/* --- tests ---------------------------------------------------------------- */

static void test_lock_write_unlock(void **state)
{
	struct pz_backend *b = backend(true, NULL);
	struct pz_lock_info info;
	struct pz_state *st = NULL, *next, *prev, *again = NULL;
	const struct req *rq;
	struct obj *lock;
	char etag[64];
	bool stored;
	size_t i;

	(void)state;
	assert_string_equal(b->location, "s3://" BUCKET "/" KEY);
	assert_string_equal(pz_backend_s3_lock_key(b), LOCK);
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_true(b->locked);
	/* The probe: created twice (the second refused), then removed. */
	assert_int_equal(srv.reqs[0].if_none_match, true);
	assert_non_null(strstr(srv.reqs[0].key, LOCK ".probe-"));
	assert_string_equal(srv.reqs[1].key, srv.reqs[0].key);
	assert_string_equal(srv.reqs[2].method, "DELETE");
	assert_string_equal(srv.reqs[3].key, LOCK);
	assert_true(srv.reqs[3].if_none_match);
	lock = find_obj(LOCK);
	assert_non_null(lock);
	assert_non_null(strstr(lock->body, info.id));
	assert_non_null(strstr(lock->body, "\"Owner\":\""));
	assert_non_null(strstr(lock->body, "\"Operation\":\"apply\""));

	assert_int_equal(pz_backend_load(b, &st, &stored), 0);
	assert_false(stored);
	next = one_resource("campaign.a");
	assert_int_equal(pz_backend_save(b, next, NULL), 0);
	/* No state yet: create only. */
	rq = last("PUT", KEY);
	assert_true(rq->if_none_match);
	assert_string_equal(rq->if_match, "");
	prev = pz_state_dup(next);
	pz_state_put(next, "campaign.b", "campaign");
	snprintf(etag, sizeof(etag), "%s", find_obj(KEY)->etag);
	assert_int_equal(pz_backend_save(b, next, prev), 0);
	/* Then If-Match on the ETag of our own last write. */
	rq = last("PUT", KEY);
	assert_false(rq->if_none_match);
	assert_string_equal(rq->if_match, etag);
	assert_int_equal(pz_backend_load(b, &again, &stored), 0);
	assert_true(stored);
	assert_int_equal(again->serial, 2);
	assert_true(pz_state_same_content(again, next));

	assert_int_equal(b->ops->unlock(b), 0);
	assert_false(b->locked);
	assert_null(find_obj(LOCK));
	rq = last("DELETE", LOCK);
	assert_true(rq->if_match[0] != '\0');
	/* Encryption on every write: probe, lock and state. */
	for (i = 0; i < srv.nreqs; i++)
		if (!strcmp(srv.reqs[i].method, "PUT"))
			assert_string_equal(srv.reqs[i].sse, "AES256");
	/* A second unlock is a no-op. */
	assert_int_equal(b->ops->unlock(b), 0);
	pz_state_free(st);
	pz_state_free(prev);
	pz_state_free(again);
	pz_state_free(next);
	pz_backend_free(b);
}

static void test_kms_headers(void **state)
{
	struct pz_backend *b = backend(false, "arn:aws:kms:us-east-1:1:key/k");
	struct pz_lock_info info;
	size_t i, puts = 0;

	(void)state;
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(b->ops->write(b, "{}", 2), 0);
	assert_int_equal(b->ops->unlock(b), 0);
	for (i = 0; i < srv.nreqs; i++)
		if (!strcmp(srv.reqs[i].method, "PUT")) {
			assert_string_equal(srv.reqs[i].sse, "aws:kms");
			assert_string_equal(srv.reqs[i].kms,
					    "arn:aws:kms:us-east-1:1:key/k");
			puts++;
		}
	assert_int_equal(puts, 4);
	pz_backend_free(b);
	/* Without encrypt: no header at all. */
	reset_server();
	b = backend(false, NULL);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_string_equal(last("PUT", LOCK)->sse, "");
	assert_int_equal(b->ops->unlock(b), 0);
	pz_backend_free(b);
}

static void test_held_by_another(void **state)
{
	struct pz_backend *a = backend(false, NULL), *b = backend(false, NULL);
	struct pz_lock_info ia, ib, seen;
	bool held;

	(void)state;
	assert_int_equal(pz_lock_info_init(&ia, "apply", a->location), 0);
	assert_int_equal(pz_lock_info_init(&ib, "state rm", b->location), 0);
	assert_int_equal(a->ops->lock(a, &ia), 0);
	assert_int_equal(b->ops->lock(b, &ib), PZ_ELOCKED);
	assert_non_null(strstr(pz_error_last(), ia.id));
	assert_non_null(strstr(pz_error_last(), "apply by "));
	assert_non_null(strstr(pz_error_last(), "pz force-unlock"));
	assert_false(b->locked);
	/* With a timeout it keeps trying, then names the holder. */
	{
		struct pz_lock_wait w = {300, &interrupted, NULL, NULL};

		assert_int_equal(pz_backend_lock_wait(b, &ib, &w), PZ_ELOCKED);
		assert_non_null(strstr(pz_error_last(), "gave up after 300ms"));
	}
	assert_int_equal(b->ops->lock_info(b, &seen, &held), 0);
	assert_true(held);
	assert_string_equal(seen.id, ia.id);
	assert_string_equal(seen.operation, "apply");
	/* An interrupted wait stops at once. */
	interrupted = 1;
	{
		struct pz_lock_wait w = {60000, &interrupted, NULL, NULL};

		assert_int_equal(pz_backend_lock_wait(b, &ib, &w), PZ_EINTR);
	}
	interrupted = 0;

	/* force-unlock needs the right ID. */
	assert_int_equal(b->ops->force_unlock(b, ib.id), PZ_EINVAL);
	assert_non_null(find_obj(LOCK));
	assert_int_equal(b->ops->force_unlock(b, ia.id), 0);
	assert_null(find_obj(LOCK));
	assert_int_equal(b->ops->force_unlock(b, ia.id), PZ_ENOTFOUND);
	/* b takes it; a's unlock must leave b's lock alone. */
	assert_int_equal(b->ops->lock(b, &ib), 0);
	assert_int_equal(a->ops->unlock(a), PZ_ELOCKED);
	assert_non_null(strstr(pz_error_last(), "not ours"));
	assert_non_null(find_obj(LOCK));
	assert_int_equal(b->ops->unlock(b), 0);
	/* Gone under us: reported. */
	assert_int_equal(a->ops->lock(a, &ia), 0);
	reset_server();
	assert_int_equal(a->ops->unlock(a), PZ_ELOCKED);
	assert_non_null(strstr(pz_error_last(), "removed by someone else"));
	pz_backend_free(a);
	pz_backend_free(b);
}

static void test_lost_lock_answer_is_ours(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_lock_info info;

	(void)state;
	/* The lock PUT lands but its answer is lost; the retry gets 412,
	 * and the lock it finds is ours. */
	add_fault("PUT", LOCK, 0, NULL, true, 1);
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_true(b->locked);
	assert_int_equal(count("PUT", LOCK), 2);
	assert_int_equal(count("GET", LOCK), 1);
	assert_int_equal(b->ops->unlock(b), 0);
	assert_null(find_obj(LOCK));
	pz_backend_free(b);
}

static void test_lost_unlock_answer(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_lock_info info;

	(void)state;
	/* The delete lands, its answer is lost; the retried conditional
	 * delete finds nothing: released, not an error. */
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	add_fault("DELETE", LOCK, 0, NULL, true, 1);
	assert_int_equal(b->ops->unlock(b), 0);
	assert_int_equal(count("DELETE", LOCK), 2);
	assert_null(find_obj(LOCK));
	pz_backend_free(b);
}

static void test_transient_conditions_retried(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_lock_info info;

	(void)state;
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	/* 409 ConditionalRequestConflict twice, then it works. */
	add_fault("PUT", LOCK, 409, "ConditionalRequestConflict", false, 2);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(count("PUT", LOCK), 3);
	assert_int_equal(b->ops->unlock(b), 0);
	/* A 412 whose lock is gone when read (released in between). */
	reset_server();
	add_fault("PUT", LOCK, 412, "PreconditionFailed", false, 1);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(count("PUT", LOCK), 2);
	assert_int_equal(count("GET", LOCK), 1);
	assert_int_equal(b->ops->unlock(b), 0);
	/* The unlock's delete meets a 409: read and try again. */
	reset_server();
	add_fault("DELETE", LOCK, 409, "ConditionalRequestConflict", false, 1);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(b->ops->unlock(b), 0);
	assert_int_equal(count("DELETE", LOCK), 2);
	assert_null(find_obj(LOCK));
	pz_backend_free(b);
}

static void test_store_ignoring_conditions_refused(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_lock_info info;

	(void)state;
	srv.ignore_conditions = true;
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "ignores If-None-Match"));
	assert_false(b->locked);
	assert_int_equal(count("PUT", LOCK), 0);
	assert_int_equal(srv.nobjs, 0); /* the probe is gone too */
	/* A store that rejects the condition (501 to the second probe
	 * write) is refused as well. */
	pz_backend_free(b);
	reset_server();
	add_fault_after("PUT", "", 501, "NotImplemented", false, 1, 1);
	b = backend(false, NULL);
	assert_int_equal(b->ops->lock(b, &info), PZ_EINVAL);
	assert_non_null(
	    strstr(pz_error_last(), "does not support conditional"));
	assert_false(b->locked);
	assert_int_equal(srv.nobjs, 0);
	pz_backend_free(b);
}

static void test_probe_once_per_backend(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_lock_info info;

	(void)state;
	assert_int_equal(pz_lock_info_init(&info, "apply", b->location), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(b->ops->unlock(b), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	assert_int_equal(b->ops->unlock(b), 0);
	assert_int_equal(count("DELETE", NULL), 3); /* 1 probe + 2 unlocks */
	pz_backend_free(b);
}

static void test_concurrent_writer_detected(void **state)
{
	struct pz_backend *a = backend(false, NULL), *b = backend(false, NULL);
	struct pz_buf data;
	bool exists;

	(void)state;
	pz_buf_init(&data, 0);
	/* Both find no state; b creates it; a's create-only write fails. */
	assert_int_equal(a->ops->read(a, &data, &exists), 0);
	assert_false(exists);
	assert_int_equal(b->ops->read(b, &data, &exists), 0);
	assert_int_equal(b->ops->write(b, "{\"b\":1}", 7), 0);
	assert_int_equal(a->ops->write(a, "{\"a\":1}", 7), PZ_ECONFLICT);
	assert_non_null(strstr(pz_error_last(), "was created since"));
	assert_memory_equal(find_obj(KEY)->body, "{\"b\":1}", 7);
	/* Both read it; b writes; a's If-Match write fails. */
	assert_int_equal(a->ops->read(a, &data, &exists), 0);
	assert_true(exists);
	assert_int_equal(b->ops->read(b, &data, &exists), 0);
	assert_int_equal(b->ops->write(b, "{\"b\":2}", 7), 0);
	assert_int_equal(a->ops->write(a, "{\"a\":2}", 7), PZ_ECONFLICT);
	assert_non_null(strstr(pz_error_last(), "changed since"));
	assert_memory_equal(find_obj(KEY)->body, "{\"b\":2}", 7);
	pz_buf_release(&data);
	pz_backend_free(a);
	pz_backend_free(b);
}

static void test_lost_write_answer_is_ours(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_buf data;
	char etag[64];
	bool exists;

	(void)state;
	pz_buf_init(&data, 0);
	assert_int_equal(b->ops->read(b, &data, &exists), 0);
	assert_int_equal(b->ops->write(b, "{\"v\":1}", 7), 0);
	/* The next write lands, its answer is lost; the retried If-Match
	 * gets 412, and the stored object is exactly ours. */
	add_fault("PUT", KEY, 0, NULL, true, 1);
	assert_int_equal(b->ops->write(b, "{\"v\":2}", 7), 0);
	assert_int_equal(count("PUT", KEY), 3);
	/* It knows the new ETag: the next write goes through. */
	snprintf(etag, sizeof(etag), "%s", find_obj(KEY)->etag);
	assert_int_equal(b->ops->write(b, "{\"v\":3}", 7), 0);
	assert_string_equal(last("PUT", KEY)->if_match, etag);
	pz_buf_release(&data);
	pz_backend_free(b);
}

static void test_missing_bucket(void **state)
{
	struct pz_backend *b = backend(false, NULL);
	struct pz_buf data;
	bool exists;

	(void)state;
	pz_buf_init(&data, 0);
	add_fault("GET", KEY, 404, "NoSuchBucket", false, 1);
	assert_int_equal(b->ops->read(b, &data, &exists), PZ_ENOTFOUND);
	assert_non_null(strstr(pz_error_last(), "bucket 'pz-state' does "
						"not exist"));
	pz_buf_release(&data);
	pz_backend_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_lock_write_unlock, per_test),
	    cmocka_unit_test_setup(test_kms_headers, per_test),
	    cmocka_unit_test_setup(test_held_by_another, per_test),
	    cmocka_unit_test_setup(test_lost_lock_answer_is_ours, per_test),
	    cmocka_unit_test_setup(test_lost_unlock_answer, per_test),
	    cmocka_unit_test_setup(test_transient_conditions_retried, per_test),
	    cmocka_unit_test_setup(test_store_ignoring_conditions_refused,
				   per_test),
	    cmocka_unit_test_setup(test_probe_once_per_backend, per_test),
	    cmocka_unit_test_setup(test_concurrent_writer_detected, per_test),
	    cmocka_unit_test_setup(test_lost_write_answer_is_ours, per_test),
	    cmocka_unit_test_setup(test_missing_bucket, per_test),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
