/*
 * event_tracker.c - the event tracker that records live interactions.
 */
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_pers_need_group(spec, r);
}

const struct pz_rtype pz_rtype_event_tracker = {
    .group_quota = 1,
    .loss_note = "PutEvents calls with its trackingId fail (a new tracker has "
		 "a new trackingId, which every client must be given)",
    .name = "event_tracker",
    .label = "event tracker",
    .section = "eventTracker",
    .create_op = "CreateEventTracker",
    .describe_op = "DescribeEventTracker",
    .delete_op = "DeleteEventTracker",
    .arn_member = "eventTrackerArn",
    .response_key = "eventTracker",
    PZ_PERS_ARN("event-tracker", 1), /* event-tracker/ID */
    .order = 25,
    .link = link,
    .supply = pz_pers_supply_group,
};
