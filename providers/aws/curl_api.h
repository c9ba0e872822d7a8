/*
 * curl_api.h - libcurl, loaded the first time pz needs the network.
 *
 * Commands that never talk to AWS (validate, graph, help, show, state
 * with a local backend) should not pay for loading libcurl and its
 * thirty-odd dependencies: that is most of their start-up time and
 * memory (docs/benchmarks.md). So pz does not link libcurl; it opens it
 * with dlopen(3) when an AWS client is first made and calls it through
 * this table. The rest of providers/aws calls curl_* as usual: the
 * macros below route those names to the table.
 */
#ifndef PZ_AWS_CURL_API_H
#define PZ_AWS_CURL_API_H

/* Prototype-checked calls through the table instead of curl's macros. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct pz_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *h);
	void (*easy_reset)(CURL *h);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[],
				unsigned int n, int timeout_ms, int *ret);
	CURLMcode (*multi_timeout)(CURLM *m, long *ms);
	CURLMcode (*multi_wakeup)(CURLM *m);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	curl_version_info_data *(*version_info)(CURLversion v);
};

extern struct pz_curl_api pz_curl;

/*
 * Loads libcurl (once per process; thread-safe) and runs
 * curl_global_init. Returns 0, or PZ_EIO with a message saying what is
 * missing. Every curl_* call must come after a successful load.
 */
int pz_curl_load(void);

/* curl.h's own three-argument checking macros give way to these. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init	 (pz_curl.global_init)
#define curl_easy_init		 (pz_curl.easy_init)
#define curl_easy_setopt	 (pz_curl.easy_setopt)
#define curl_easy_getinfo	 (pz_curl.easy_getinfo)
#define curl_easy_perform	 (pz_curl.easy_perform)
#define curl_easy_reset		 (pz_curl.easy_reset)
#define curl_easy_cleanup	 (pz_curl.easy_cleanup)
#define curl_easy_strerror	 (pz_curl.easy_strerror)
#define curl_multi_init		 (pz_curl.multi_init)
#define curl_multi_setopt	 (pz_curl.multi_setopt)
#define curl_multi_add_handle	 (pz_curl.multi_add_handle)
#define curl_multi_remove_handle (pz_curl.multi_remove_handle)
#define curl_multi_perform	 (pz_curl.multi_perform)
#define curl_multi_poll		 (pz_curl.multi_poll)
#define curl_multi_timeout	 (pz_curl.multi_timeout)
#define curl_multi_wakeup	 (pz_curl.multi_wakeup)
#define curl_multi_info_read	 (pz_curl.multi_info_read)
#define curl_multi_cleanup	 (pz_curl.multi_cleanup)
#define curl_slist_append	 (pz_curl.slist_append)
#define curl_slist_free_all	 (pz_curl.slist_free_all)
#define curl_version_info	 (pz_curl.version_info)

#endif
