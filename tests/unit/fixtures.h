/*
 * fixtures.h - spec text the unit tests share: an Interactions dataset
 * entry (under "datasets:") with the four usual fields.
 */
#ifndef PZ_TEST_FIXTURES_H
#define PZ_TEST_FIXTURES_H

#define PZ_TEST_INTERACTIONS(name)                                           \
	"  Interactions:\n"                                                  \
	"    name: " name "\n"                                               \
	"    schema:\n"                                                      \
	"      type: record\n"                                               \
	"      name: Interactions\n"                                         \
	"      namespace: com.amazonaws.personalize.schema\n"                \
	"      fields:\n"                                                    \
	"        - {name: USER_ID, type: string}\n"                          \
	"        - {name: ITEM_ID, type: string}\n"                          \
	"        - {name: EVENT_TYPE, type: string}\n"                       \
	"        - {name: TIMESTAMP, type: long}\n"

#endif
