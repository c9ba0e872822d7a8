#!/bin/sh
# Builds pz's Debian package from a built tree.
#
#   packaging/deb/mkdeb.sh BUILD_DIR OUT_DIR     (make deb: build dist)
#
# Installs BUILD_DIR into a scratch root under /usr (stripped), lays it
# out as Debian wants it (zsh's vendor-completions, man page and
# changelog gzipped, the copyright file), computes Depends from the
# binary with dpkg-shlibdeps (its NEEDED entries; plus the package of any
# library the binary opens with dlopen, see below), writes
# DEBIAN/control and md5sums and packs it with dpkg-deb. Prints the path
# of the .deb. No root needed: files are owned by root in the package.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
umask 022

fail() { echo "mkdeb: $*" >&2; exit 1; }
for t in cmake dpkg-deb dpkg-shlibdeps dpkg-query readelf objcopy gzip; do
	command -v $t >/dev/null || fail "$t is missing (Debian: dpkg-dev, binutils)"
done

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || fail "$build is not a configured pz build"
arch=$(dpkg --print-architecture)
# The changelog's newest entry must be this version: a release adds one.
clver=$(sed -n '1s/^pz (\([^)]*\)).*/\1/p' "$here/changelog")
[ "$clver" = "$version" ] ||
	fail "packaging/deb/changelog starts at $clver, pz is $version: add an entry"

work=$(mktemp -d "${TMPDIR:-/tmp}/pz-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
DESTDIR=$root cmake --install "$build" --prefix /usr --strip >/dev/null

# Debian's places and forms.
zsh=$(find "$root" -name _pz -type f)
mkdir -p "$root/usr/share/zsh/vendor-completions"
[ "$zsh" = "$root/usr/share/zsh/vendor-completions/_pz" ] ||
	mv "$zsh" "$root/usr/share/zsh/vendor-completions/_pz"
find "$root/usr/share" -depth -type d -empty -delete
gzip -9n "$root/usr/share/man/man1/pz.1"
doc=$root/usr/share/doc/pz
cp "$here/copyright" "$doc/copyright"
gzip -9nc "$here/changelog" >"$doc/changelog.gz"
# As dh_compress does: documentation over 4 KiB, not the examples.
find "$doc" -path "$doc/examples" -prune -o -type f -name '*.md' -size +4k \
	-exec gzip -9n {} +
# The binary, stripped by cmake --install --strip, loses its notes too.
objcopy --remove-section=.comment --remove-section=.note "$root/usr/bin/pz" 2>/dev/null || true

# Depends: from the NEEDED entries, by dpkg-shlibdeps (which wants a
# debian/control to sit in).
mkdir -p "$work/src/debian"
printf 'Source: pz\n\nPackage: pz\nArchitecture: any\n' >"$work/src/debian/control"
deps=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/pz" 2>"$work/shlibdeps.err" |
	sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.err" >&2; fail "dpkg-shlibdeps failed"; }
[ -n "$deps" ] || { cat "$work/shlibdeps.err" >&2; fail "dpkg-shlibdeps found no dependencies"; }

# A library the binary opens with dlopen(3) is not NEEDED, yet pz needs
# it (libcurl, while providers/aws/curl_api.c loads it on first use):
# its soname is a string in the binary. Its package comes
# from the library's owner and that package's shlibs entry.
needed=$(readelf -d "$root/usr/bin/pz" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
for so in $(grep -aoE 'lib[A-Za-z0-9_+-]+\.so(\.[0-9]+)+' "$root/usr/bin/pz" | sort -u); do
	printf '%s\n' "$needed" | grep -qxF "$so" && continue
	path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|'"$arch"'/ { print $NF; exit }')
	[ -n "$path" ] || path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	[ -n "$path" ] || fail "pz opens $so, which is not installed here"
	pkg=
	for p in "$path" "$(readlink -f "$path")" "/usr$path" "/usr$(readlink -f "$path")"; do
		pkg=$(dpkg-query -S "$p" 2>/dev/null | sed -n '1s/: .*//p') && [ -n "$pkg" ] && break
	done
	[ -n "$pkg" ] || fail "no Debian package owns $path ($so)"
	name=${so%%.so.*}
	ver=${so##*.so.}
	dep=$(dpkg-query --control-show "$pkg" shlibs 2>/dev/null |
		awk -v n="$name" -v v="$ver" '$1 == n && $2 == v { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }')
	[ -n "$dep" ] || dep=${pkg%%:*}
	deps="$deps, $dep"
done

size=$(du -sk "$root" | cut -f1)
mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: pz
Version: $version
Architecture: $arch
Maintainer: $(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$here/changelog" | head -n 1)
Installed-Size: $size
Depends: $deps
Section: admin
Priority: optional
Description: plan and apply Amazon Personalize resources from one spec
 pz reads one YAML or JSON spec saying which Amazon Personalize resources
 should exist (dataset groups, schemas, datasets, imports, solutions,
 campaigns, event trackers, filters, recommenders, batch jobs, metric
 attributions), checks it, shows the dependency graph, reads what exists
 and plans the change, with the state kept locally or in S3, in the manner
 of Terraform.
CONTROL
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb=$out/pz_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
