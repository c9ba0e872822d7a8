/*
 * sns.h - SNS Publish, for apply notifications.
 */
#ifndef PZ_AWS_SNS_H
#define PZ_AWS_SNS_H

#include "core/common.h"

struct pz_aws_client;
struct pz_aws_error;

/*
 * Publishes message (subject may be NULL) to topic_arn. *message_id
 * (may be NULL) is owned by the caller; err (may be NULL) receives a
 * service error.
 */
int pz_sns_publish(struct pz_aws_client *c, const char *topic_arn,
		   const char *subject, const char *message, char **message_id,
		   struct pz_aws_error *err);

#endif
