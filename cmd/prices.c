/*
 * prices.c - the prices file of a plan (-prices=FILE, else the spec's
 * pz.prices), for plan and apply alike (cmd.h).
 */
#include <stdlib.h>

#include "cmd.h"
#include "core/common.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/spec.h"
#include "core/usage.h"

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
