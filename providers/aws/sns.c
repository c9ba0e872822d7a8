/*
 * sns.c - SNS over the Query protocol.
 */
#include "sns.h"

#include <stdlib.h>

#include "query.h"
#include "xml.h"

int pz_sns_publish(struct pz_aws_client *c, const char *topic_arn,
		   const char *subject, const char *message, char **message_id,
		   struct pz_aws_error *err)
{
	struct pz_aws_headers params = {0};
	struct pz_xml_node *doc = NULL;
	const char *id;
	int r;

	if (message_id)
		*message_id = NULL;
	pz_aws_headers_add(&params, "TopicArn", topic_arn);
	pz_aws_headers_add(&params, "Message", message);
	if (subject)
		pz_aws_headers_add(&params, "Subject", subject);
	r = pz_aws_query_call(c, PZ_AWS_SNS, "Publish", &params, &doc, err);
	pz_aws_headers_release(&params);
	if (r)
		return r;
	id = pz_xml_path_text(doc, "PublishResult/MessageId");
	if (message_id && id)
		*message_id = pz_xstrdup(id);
	pz_xml_free(doc);
	return 0;
}
