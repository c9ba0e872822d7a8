/*
 * usage.h - what a plan will bill, in the service's billing units, and
 * in money when the user gives prices (docs/usage-cost.md).
 *
 * Figures come from the providers' usage hooks (provider.h), which know
 * what each resource type bills; this module adds them up, prices them
 * and renders them. It names billing units, never resource types. Three
 * sets: monthly (what exists after apply, per month), once (what
 * applying runs), and the monthly usage before the plan, from which the
 * delta (after minus before, per address and unit) is made. A quantity
 * may be unknown (a first training): it is said so, never guessed.
 * Nothing here fails a plan: a hook that lacks a fact says so in the
 * basis.
 */
#ifndef PZ_USAGE_H
#define PZ_USAGE_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "common.h"
#include "diag.h"

/* AWS's billing units, spelled as the plan JSON spells them. */
enum pz_unit {
	PZ_UNIT_TPS_HOUR,      /* "TPS-hour": a campaign's provisioned TPS */
	PZ_UNIT_REQUEST_HOUR,  /* "request-hour": a recommender's minimum */
	PZ_UNIT_TRAINING_HOUR, /* "training-hour" */
	PZ_UNIT_GB_INGESTED,   /* "GB-ingested": bulk data imported */
	/* "GB-batch-input": the input a batch job reads. Not what AWS bills
	 * a batch job by (the recommendations or segments it makes): shown
	 * for scale, never priced. Last: the units before it are priced. */
	PZ_UNIT_GB_BATCH_INPUT,
	PZ_UNIT_COUNT,
};

const char *pz_unit_name(enum pz_unit u);
/* -1 when name is no unit. */
int pz_unit_find(const char *name);
/* Whether a prices file may give the unit a price. */
bool pz_unit_priceable(enum pz_unit u);

enum pz_usage_set {
	PZ_USAGE_MONTHLY, /* per month, for what exists after apply */
	PZ_USAGE_ONCE,	  /* once, for what apply runs */
	PZ_USAGE_DELTA,	  /* monthly after minus monthly before */
	PZ_USAGE_BEFORE,  /* per month, for what exists now (not shown) */
};

/* Hours in a month as AWS's pricing examples count them. */
#define PZ_HOURS_PER_MONTH 730.0

struct pz_usage_item {
	enum pz_usage_set set;
	char *address;
	enum pz_unit unit;
	bool known;	 /* false: the quantity is unknown (see basis) */
	double quantity; /* when known; a delta may be negative */
	char *basis;	 /* where the figure comes from, for people */
	bool priced;	 /* usd holds quantity x the unit's price */
	double usd;
};

struct pz_usage_hint {
	char *address;
	char *text;
};

struct pz_usage {
	struct pz_usage_item *items;
	size_t n, cap;
	struct pz_usage_hint *hints;
	size_t nhints;
	/* Set by pz_usage_price. */
	char *prices_path;
	char *prices_region;
};

struct pz_usage *pz_usage_new(void);
void pz_usage_free(struct pz_usage *u);

/* For the providers' usage hooks. quantity < 0 adds an unknown one. The
 * basis is formatted; the address is copied. */
void pz_usage_add(struct pz_usage *u, enum pz_usage_set set,
		  const char *address, enum pz_unit unit, double quantity,
		  const char *basis_fmt, ...) PZ_PRINTF(6, 7);
/* An idle-cost hint a reviewer can act on. */
void pz_usage_hint(struct pz_usage *u, const char *address, const char *fmt,
		   ...) PZ_PRINTF(3, 4);
/* Makes the delta set from the before and monthly sets: one item per
 * address and unit whose quantity changes (an unknown side gives an
 * unknown delta unless both sides say the same). Called once, after
 * every hook. */
void pz_usage_finish(struct pz_usage *u);

/*
 * Prices per unit, in USD, from a flat YAML or JSON map: "region" and
 * one member per unit name. Anything else is an error at its
 * file:line:col.
 */
struct pz_prices {
	char *path;
	char *region; /* NULL when the file names none */
	struct pz_pos region_pos;
	bool has[PZ_UNIT_COUNT];
	double usd[PZ_UNIT_COUNT];
};

/* Loads path into *out (the caller's, pz_prices_free). Problems go to
 * diags (PZ_ESPEC) or, for I/O, the error message (PZ_EIO,
 * PZ_ENOTFOUND). */
int pz_prices_load(struct pz_prices **out, const char *path,
		   struct pz_diags *diags);
void pz_prices_free(struct pz_prices *p);
/* The prices are for one region: an error in diags at the file's region
 * line when it names another than region (the plan's, from source:
 * "AWS_REGION", "the spec's pz.region", ...). No check when either is
 * NULL. 0, or PZ_ESPEC. */
int pz_prices_check_region(const struct pz_prices *p, const char *region,
			   const char *source, struct pz_diags *diags);
/* Sets usd on every known item whose unit has a price. */
void pz_usage_price(struct pz_usage *u, const struct pz_prices *p);

/* Renderings. Each writes nothing when u is NULL. */
int pz_usage_render_text(const struct pz_usage *u, struct pz_buf *out,
			 bool color) PZ_MUST_USE;
/* The "Cost" section; when the table would take more than room bytes,
 * the totals per unit instead (a pull request comment has a limit). */
int pz_usage_render_markdown(const struct pz_usage *u, struct pz_buf *out,
			     size_t room) PZ_MUST_USE;
/* The plan JSON's top-level "usage" member: {"monthly", "once",
 * "delta_monthly"}, each a list of {"address", "unit", "quantity",
 * "basis"} plus "usd" when priced (quantity null when unknown). */
cJSON *pz_usage_to_json(const struct pz_usage *u);

/* Saved plans: all of it (the before set, hints, the prices' origin),
 * and back. pz_usage_from_json returns NULL on a malformed value. */
cJSON *pz_usage_save_json(const struct pz_usage *u);
struct pz_usage *pz_usage_from_json(const cJSON *v);

#endif
