/*
 * runtime.h - the Personalize runtime (core/runtime.h) on the AWS
 * client.
 */
#ifndef PZ_PERSONALIZE_RUNTIME_H
#define PZ_PERSONALIZE_RUNTIME_H

#include "core/runtime.h"

struct pz_aws_client;

/* Fills rt with operations and a scheduler on c (borrowed). */
void pz_personalize_runtime(struct pz_runtime *rt, struct pz_aws_client *c);

#endif
