/*
 * curl_api.c - initialising libcurl on first use.
 */
#include "curl_api.h"

#include <pthread.h>
#include <stdio.h>

#include "core/error.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_result;

static void init(void)
{
	init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int pz_curl_load(void)
{
	pthread_once(&once, init);
	if (init_result != CURLE_OK)
		return pz_error_set(PZ_EIO, "libcurl failed to initialise: %s",
				    curl_easy_strerror(init_result));
	return 0;
}
