#!/bin/sh
# DESIGN.md §2 layering: core/ includes no providers/ header, and cmd/
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
exit $bad
