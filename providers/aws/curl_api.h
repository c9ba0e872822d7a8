/*
 * curl_api.h - libcurl, initialised the first time pz needs the network.
 *
 * pz links libcurl normally (so the binary declares it: NEEDED in
 * readelf -d, what packaging tools read), with curl's compile-time
 * option type checks on. curl_global_init (which sets up the TLS
 * library) is run on first use, from the first AWS client: commands
 * that never talk to AWS (validate, graph, help, show, state with a
 * local backend) skip it (docs/benchmarks.md has what that saves).
 */
#ifndef PZ_AWS_CURL_API_H
#define PZ_AWS_CURL_API_H

#include <curl/curl.h>

/*
 * Runs curl_global_init once per process (thread-safe). Returns 0, or
 * PZ_EIO with a message. Every other curl_* call must come after it.
 */
int pz_curl_load(void);

#endif
