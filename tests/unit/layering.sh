#!/bin/sh
# DESIGN.md §2 layering: core/ includes no providers/ header and names
# no resource type, and cmd/
# names the Personalize provider only to register it (cmd/main.c); the
# rest goes through core/provider.h, core/provider_ops.h and
# core/runtime.h.
#   layering.sh SOURCE_DIR
set -u
src=${1:?source dir}
bad=0
if grep -n '#include "providers/' "$src"/core/*.c "$src"/core/*.h; then
	echo "FAIL: core/ includes a providers/ header (above)"
	bad=1
fi
if grep -n '#include "providers/personalize/' "$src"/cmd/*.c "$src"/cmd/*.h |
	grep -v '^'"$src"'/cmd/main.c:[0-9]*:#include "providers/personalize/personalize.h"'; then
	echo "FAIL: cmd/ includes a Personalize header beyond registration (above)"
	bad=1
fi
# core/ knows no resource type: none of the types' names (each
# provider's `.name = "..."`) appears in core/ as a string, outside
# comments.
for t in $(sed -n 's/^ *\.name = "\([a-z_]*\)",$/\1/p' \
	"$src"/providers/*/*.c | sort -u); do
	if grep -n "\"$t\"" "$src"/core/*.c "$src"/core/*.h |
		grep -v -E ':[0-9]+:[[:space:]]*(\*|/\*)|/\*.*"'"$t"'"'; then
		echo "FAIL: core/ names the type $t (above): make it a fact" \
			"of the type (core/provider.h)"
		bad=1
	fi
done
exit $bad
