#!/bin/sh
# make install into a DESTDIR: the files land where they should, the
# installed pz runs (version -json, validate on an installed example),
# man -l renders the installed page without a warning, the installed
# bash completion loads; then packaging/uninstall.sh removes every file.
#
#   install_test.sh BUILD_DIR
set -u
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
prefix=/usr/local
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pz-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=1; }

dest=$tmp/dest
DESTDIR=$dest cmake --install "$build" --prefix $prefix >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }
root=$dest$prefix

for f in bin/pz share/man/man1/pz.1 share/bash-completion/completions/pz \
	share/zsh/site-functions/_pz share/pz/pz.schema.json \
	share/doc/pz/README.md share/doc/pz/docs/cli.md \
	share/doc/pz/examples/seed/params.json \
	share/doc/pz/examples/movielens/pz.yaml \
	share/doc/pz/examples/movielens/gen-data.py; do
	[ -f "$root/$f" ] || bad "$prefix/$f is not installed"
done
[ -x "$root/bin/pz" ] || bad "$prefix/bin/pz is not executable"
[ -x "$root/share/doc/pz/examples/movielens/gen-data.py" ] ||
	bad "examples lost their executable bit"
other=$(cd "$dest" && find . ! -type d | grep -v "^\.$prefix/\(bin/pz\|share/\(man/man1/pz\.1\|bash-completion/completions/pz\|zsh/site-functions/_pz\|pz/\|doc/pz/\)\)")
[ -z "$other" ] || bad "unexpected files installed: $other"

# The installed binary runs, and says which commit it was built from.
"$root/bin/pz" version -json >"$tmp/version.json" || bad "installed pz version -json failed"
python3 - "$tmp/version.json" "$src" <<'PY' || fail=1
import json, re, subprocess, sys
v = json.load(open(sys.argv[1]))
ok = True
def bad(msg):
    global ok
    print("FAIL: pz version -json: " + msg)
    ok = False
if not re.fullmatch(r"\d+\.\d+\.\d+", v.get("version", "")):
    bad("version %r" % v.get("version"))
c = v.get("git_commit", "")
if c != "unknown":
    m = re.fullmatch(r"([0-9a-f]{40})(-dirty)?", c)
    if not m:
        bad("git_commit %r is neither a commit nor 'unknown'" % c)
    elif subprocess.run(["git", "-C", sys.argv[2], "cat-file", "-e",
                         m.group(1) + "^{commit}"],
                        stderr=subprocess.DEVNULL).returncode != 0:
        bad("git_commit %s is not a commit of this repository" % c)
libs = v.get("libraries", {})
for name in ("libcurl", "openssl", "libyaml", "cjson", "expat", "libgit2"):
    if name not in libs:
        bad("no %s in libraries" % name)
    elif name != "libcurl" and not re.match(r"\d+\.\d+", libs[name] or ""):
        bad("%s version %r" % (name, libs[name]))
sys.exit(0 if ok else 1)
PY
"$root/bin/pz" validate -f "$root/share/doc/pz/examples/seed/params.json" >/dev/null 2>&1 ||
	bad "installed pz cannot validate the installed seed example"

# man -l on the installed page: no warning, and it is the page of pz.
MANWIDTH=80 man --warnings -E UTF-8 -l "$root/share/man/man1/pz.1" \
	>"$tmp/man.txt" 2>"$tmp/man.err" || bad "man -l failed"
[ -s "$tmp/man.err" ] && { bad "man -l warns:"; cat "$tmp/man.err"; }
grep -q '^ *pz force-unlock' "$tmp/man.txt" || bad "the rendered page lacks 'pz force-unlock'"
grep -q '^EXIT STATUS' "$tmp/man.txt" || bad "the rendered page lacks EXIT STATUS"

bash -c '. "$1" && complete -p pz' sh "$root/share/bash-completion/completions/pz" \
	>/dev/null 2>&1 || bad "the installed bash completion does not register for pz"

# Uninstall: every file goes, and pz's own directories.
DESTDIR=$dest sh "$src/packaging/uninstall.sh" "$build" $prefix >/dev/null ||
	bad "uninstall.sh failed"
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] || bad "left after uninstall: $left"
[ -d "$root/share/doc/pz" ] && bad "share/doc/pz is left after uninstall"
[ $fail = 0 ] && echo "install into DESTDIR, run, man -l, uninstall: ok"
exit $fail
