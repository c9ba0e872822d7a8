#!/bin/sh
# lintian on the package deb_test.sh left in OUT_DIR: no error and no
# warning (info tags, such as hardening-no-fortify-functions for a
# build without Debian's fortify flags, are allowed). Skipped (77)
# without lintian.
#
#   lintian_test.sh OUT_DIR
set -u
command -v lintian >/dev/null || { echo "skipped: no lintian"; exit 77; }
deb=$(ls "$1"/pz_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no .deb in $1 (install_deb builds it)"; exit 1; }
# lintian complains about running as root on stderr; that is not a tag.
out=$(lintian --pedantic --fail-on error,warning "$deb" 2>/dev/null)
r=$?
[ -n "$out" ] && printf '%s\n' "$out"
[ $r = 0 ] && echo "lintian: no errors or warnings in $(basename "$deb")"
exit $r
