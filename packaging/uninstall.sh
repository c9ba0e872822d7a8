#!/bin/sh
# Removes what `make install` put under DESTDIR/PREFIX.
#
#   [DESTDIR=DIR] packaging/uninstall.sh BUILD_DIR PREFIX
#
# CMake has no uninstall: the list of files comes from installing the
# same build into a scratch directory with the same prefix, so it is
# right for any PREFIX and needs no manifest of an earlier install.
# Directories are removed only when they are pz's own (share/doc/pz,
# share/pz and below) and empty.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR PREFIX" >&2; exit 2; }
build=$1
prefix=$2
dest=${DESTDIR:-}
case $prefix in /*) ;; *) echo "pz: PREFIX must be absolute, not '$prefix'" >&2; exit 2 ;; esac

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pz-uninstall.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
DESTDIR=$scratch cmake --install "$build" --prefix "$prefix" >/dev/null

(cd "$scratch" && find . ! -type d) | sed 's|^\.||' | while IFS= read -r f; do
	if [ -e "$dest$f" ] || [ -L "$dest$f" ]; then
		rm -f "$dest$f"
		echo "removed $dest$f"
	fi
done
(cd "$scratch" && find . -depth -type d) | sed 's|^\.||' | while IFS= read -r d; do
	case $d in
	*/share/doc/pz | */share/doc/pz/* | */share/pz | */share/pz/*)
		[ -d "$dest$d" ] && rmdir "$dest$d" 2>/dev/null && echo "removed $dest$d/" ;;
	esac
	:
done
