#!/bin/sh
# make deb's package, built from BUILD_DIR into OUT_DIR: its Depends
# declare the package of every library the binary NEEDs (so libcurl,
# libssl/libcrypto, libyaml, libcjson appear because the binary needs
# them, not because a list says so) and of a library it opens with
# dlopen; its file list is what make install gives, in Debian's places;
# the packaged pz runs and its man page renders without a warning.
# OUT_DIR keeps the .deb for install_deb_lintian.
#
#   deb_test.sh BUILD_DIR OUT_DIR
set -u
build=$1
out=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
for t in dpkg-deb dpkg-shlibdeps readelf; do
	command -v $t >/dev/null || { echo "skipped: no $t (dpkg-dev, binutils)"; exit 77; }
done
rm -rf "$out"
mkdir -p "$out"
deb=$(sh "$src/packaging/deb/mkdeb.sh" "$build" "$out") || { echo "FAIL: mkdeb.sh"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pz-deb-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

dpkg-deb -x "$deb" "$tmp/root" || { echo "FAIL: dpkg-deb -x"; exit 1; }
pz=$tmp/root/usr/bin/pz
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Package names, one per line, without versions or alternatives.
names=$(printf '%s\n' "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | grep .)

needed=$(readelf -d "$pz" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || bad "the packaged pz has no NEEDED entries"
# Which package owns each NEEDED library here: one dpkg-query for all
# (it reads the whole database), with and without /usr (merged /usr).
paths=
for so in $needed; do
	path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	[ -n "$path" ] && paths="$paths $path /usr$path"
done
# shellcheck disable=SC2086
owners=$(dpkg-query -S $paths 2>/dev/null)
for so in $needed; do
	pkg=$(printf '%s\n' "$owners" | awk -v so="/$so" \
		'substr($NF, length($NF) - length(so) + 1) == so { sub(/:.*/, "", $1); print $1; exit }')
	[ -n "$pkg" ] || { bad "no package owns $so"; continue; }
	printf '%s\n' "$names" | grep -qxF "$pkg" ||
		bad "pz NEEDs $so (package $pkg), which Depends does not declare"
done
# The libraries pz is built on, each declared because it is NEEDED.
for lib in libcrypto libyaml libcjson; do
	printf '%s\n' "$needed" | grep -q "^$lib[.-]" ||
		bad "pz does not NEED $lib: is it still linked?"
done
# libcurl: in Depends when NEEDED (issue 16 links it); while pz opens it
# with dlopen, it must be declared all the same.
if printf '%s\n' "$needed" | grep -q '^libcurl\.so\.'; then
	printf '%s\n' "$names" | grep -q '^libcurl' || bad "pz NEEDs libcurl; Depends lacks it"
elif grep -aq 'libcurl\.so\.[0-9]' "$pz"; then
	printf '%s\n' "$names" | grep -q '^libcurl' ||
		bad "pz opens libcurl with dlopen; Depends lacks it"
fi

# The file list: the binary, the page, the completions in Debian's
# places, the schema, the docs, the examples; nothing else.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $NF }' | sed 's|^\./||' | sort >"$tmp/files"
for f in usr/bin/pz usr/share/man/man1/pz.1.gz \
	usr/share/bash-completion/completions/pz \
	usr/share/zsh/vendor-completions/_pz usr/share/pz/pz.schema.json \
	usr/share/doc/pz/copyright usr/share/doc/pz/changelog.gz \
	usr/share/doc/pz/examples/seed/params.json \
	usr/share/doc/pz/examples/movielens/pz.yaml; do
	grep -qxF "$f" "$tmp/files" || bad "the package lacks /$f"
done
# README is gzipped once it outgrows 4 KiB, as dh_compress would.
grep -qx 'usr/share/doc/pz/README\.md\(\.gz\)\?' "$tmp/files" || bad "the package lacks README.md"
other=$(grep -v '^usr/\(bin/pz\|share/\(man/man1/pz\.1\.gz\|bash-completion/completions/pz\|zsh/vendor-completions/_pz\|pz/\|doc/pz/\)\)' "$tmp/files")
[ -z "$other" ] || bad "unexpected files in the package: $other"
dpkg-deb -c "$deb" | awk '$2 != "root/root" { print }' | grep . &&
	bad "files not owned by root"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
	"$tmp/root/usr/share/doc/pz/copyright" || bad "copyright is not in the copyright format"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums >"$tmp/md5sums" || bad "no md5sums"
(cd "$tmp/root" && md5sum --quiet -c "$tmp/md5sums") || bad "md5sums do not match"

# It runs, and its page renders cleanly.
"$pz" version -json >/dev/null || bad "the packaged pz does not run"
gzip -dc "$tmp/root/usr/share/man/man1/pz.1.gz" >"$tmp/pz.1"
man --warnings -E UTF-8 -l "$tmp/pz.1" >/dev/null 2>"$tmp/man.err" || bad "man -l failed"
[ -s "$tmp/man.err" ] && { bad "man -l warns:"; cat "$tmp/man.err"; }
[ $fail = 0 ] && echo "$(basename "$deb"): Depends, files, md5sums, binary and page: ok"
exit $fail
