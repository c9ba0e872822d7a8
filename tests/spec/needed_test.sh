#!/bin/sh
# The pz binary declares libcurl as a dependency (a NEEDED entry), as
# packaging tools expect: it is linked, not opened with dlopen.
# Skipped (77) without readelf.
command -v readelf >/dev/null || { echo "skipped: no readelf"; exit 77; }
if readelf -d "$1" | grep -q 'NEEDED.*libcurl'; then
	echo "NEEDED lists libcurl"
	exit 0
fi
echo "FAIL: readelf -d $1 has no NEEDED entry for libcurl"
readelf -d "$1" | grep NEEDED
exit 1
