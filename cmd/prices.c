/*
 * prices.c - the prices file of a plan (-prices=FILE, else the spec's
 * pz.prices), for plan and apply alike (cmd.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/common.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/spec.h"
#include "core/usage.h"
#include "providers/aws/client.h"

/* The prices must be for the region the plan is made in: the one the
 * client would pick (AWS_REGION, the profile's, the spec's pz.region).
 * The client reads its configuration here and calls nothing. */
static void check_region(const struct pz_prices *p, const struct pz_spec *spec,
			 struct pz_diags *diags)
{
	struct pz_aws_client_options o = {0};
	struct pz_aws_client *c = NULL;
	const char *src;

	if (!p->region)
		return;
	o.default_region = spec->settings.region;
	o.profile = spec->settings.profile;
	if (pz_aws_client_new(&c, &o)) {
		/* Said again, and fatally, when the plan needs the client. */
		pz_error_clear();
		return;
	}
	src = pz_aws_client_region_source(c);
	(void)pz_prices_check_region(
	    p, pz_aws_client_region(c),
	    !strcmp(src, "spec") ? "the spec's pz.region" : src, diags);
	pz_aws_client_free(c);
}

int pz_cmd_load_prices(struct pz_prices **out, const struct pz_spec *spec,
		       const char *flag)
{
	struct pz_diags diags;
	char *path = NULL, *dir;
	const char *name = flag ? flag : spec->settings.prices;
	int r;

	*out = NULL;
	if (!name)
		return 0;
	/* The spec's path is relative to the spec, as its state path is;
	 * the flag's to where pz runs, as every flag's. */
	if (!flag && name[0] != '/' && spec->path) {
		dir = pz_path_dir(spec->path);
		path = pz_xasprintf("%s/%s", dir, name);
		free(dir);
		name = path;
	}
	pz_diags_init(&diags);
	r = pz_prices_load(out, name, &diags);
	if (!r) {
		check_region(*out, spec, &diags);
		if (diags.nerrors) {
			pz_prices_free(*out);
			*out = NULL;
			r = PZ_ESPEC;
		}
	}
	if (diags.n)
		pz_cmd_print_diags(&diags, false);
	if (r == PZ_ESPEC)
		pz_cmd_error("the prices in '%s' have %zu error%s: fix %s, or "
			     "plan without money (no -prices)",
			     pz_esc(name), diags.nerrors,
			     diags.nerrors == 1 ? "" : "s",
			     diags.nerrors == 1 ? "it" : "them");
	else if (r)
		pz_cmd_fail();
	pz_diags_release(&diags);
	free(path);
	return r ? 1 : 0;
}
