/*
 * curl_api.c - opening libcurl on first use.
 */
#include "curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "core/error.h"

#ifndef PZ_CURL_SONAME
#define PZ_CURL_SONAME "libcurl.so.4"
#endif

struct pz_curl_api pz_curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

static void load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(n) {"curl_" #n, offsetof(struct pz_curl_api, n)}
	    SYM(global_init),	SYM(easy_init),	       SYM(easy_setopt),
	    SYM(easy_getinfo),	SYM(easy_perform),     SYM(easy_reset),
	    SYM(easy_cleanup),	SYM(easy_strerror),    SYM(multi_init),
	    SYM(multi_setopt),	SYM(multi_add_handle), SYM(multi_remove_handle),
	    SYM(multi_perform), SYM(multi_poll),       SYM(multi_timeout),
	    SYM(multi_wakeup),	SYM(multi_info_read),  SYM(multi_cleanup),
	    SYM(slist_append),	SYM(slist_free_all),   SYM(version_info),
#undef SYM
	};
	struct pz_curl_api api;
	void *h = dlopen(PZ_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h) {
		snprintf(load_error, sizeof(load_error),
			 "unable to load %s (%s): install Debian's libcurl4",
			 PZ_CURL_SONAME, dlerror());
		return;
	}
	memset(&api, 0, sizeof(api));
	for (i = 0; i < PZ_ARRAY_LEN(syms); i++) {
		void *f = dlsym(h, syms[i].name);

		if (!f) {
			snprintf(load_error, sizeof(load_error),
				 "%s has no %s: it is older than the libcurl "
				 "pz was built with",
				 PZ_CURL_SONAME, syms[i].name);
			return;
		}
		/* POSIX guarantees a function pointer survives this copy. */
		memcpy((char *)&api + syms[i].offset, &f, sizeof(f));
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error),
			 "libcurl failed to initialise");
		return;
	}
	pz_curl = api;
}

int pz_curl_load(void)
{
	pthread_once(&once, load);
	if (load_error[0])
		return pz_error_set(PZ_EIO, "%s", load_error);
	return 0;
}
