/*
 * runtime.h - the Personalize runtime (core/runtime.h) on the AWS
 * client.
 */
#ifndef PZ_PERSONALIZE_RUNTIME_H
#define PZ_PERSONALIZE_RUNTIME_H

#include "core/runtime.h"

struct pz_aws_client;

/* Fills rt with operations and a scheduler on c (borrowed); release it
 * with pz_personalize_runtime_release. */
void pz_personalize_runtime(struct pz_runtime *rt, struct pz_aws_client *c);
/* Learns the account (STS GetCallerIdentity), so that rt->arn_of can
 * say what ARN a create will give. 0, or the error. */
int pz_personalize_runtime_identify(struct pz_runtime *rt);
void pz_personalize_runtime_release(struct pz_runtime *rt);

#endif
