/*
 * tojson.h - spec nodes as API values: the JSON a request carries,
 * typed by the facts (a YAML 64 where the API wants a string becomes
 * "64"; a tags map becomes [{tagKey, tagValue}]). Members the shape does
 * not know (pz's own keys) are left out.
 */
#ifndef PZ_TOJSON_H
#define PZ_TOJSON_H

#include <cjson/cJSON.h>

#include "facts.h"
#include "node.h"

/* A new cJSON value for n as shape says; NULL when n does not fit (the
 * checker has reported it). */
cJSON *pz_node_to_api(const struct pz_node *n, const struct pz_shape *shape);
/* Tags (a map or a list of {tagKey, tagValue}) as the API's list,
 * appended to list; later keys replace earlier ones. */
void pz_tags_merge(cJSON *list, const struct pz_node *tags);

#endif
