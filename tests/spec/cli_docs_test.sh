#!/bin/sh
# docs/cli.md and the binary agree: every command `pz help` lists has a
# "## pz NAME" section, every option its -help prints is in that section,
# and every option the section lists exists.
set -u
pz=$1
doc=$(dirname "$0")/../../docs/cli.md
fail=0
cmds=$("$pz" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "no commands in 'pz help'"; exit 1; }
for c in $cmds; do
	section=$(awk -v h="## pz $c" '$0 == h { on = 1; next } /^## / { on = 0 } on' "$doc")
	if [ -z "$section" ]; then
		echo "docs/cli.md has no '## pz $c' section"
		fail=1
		continue
	fi
	"$pz" "$c" -help >/dev/null || { echo "pz $c -help failed"; fail=1; }
	for o in $("$pz" "$c" -help | awk '/^options:/ { on = 1; next } on && /^  -/ { sub(/=.*/, "", $1); print $1 }'); do
		case $o in -help | -no-color) continue ;; esac
		printf '%s\n' "$section" | grep -q -- "\`$o[=\`]" || {
			echo "docs/cli.md: pz $c: option $o is not documented"
			fail=1
		}
	done
	for o in $(printf '%s\n' "$section" | grep -o '^| `-[a-z-]*' | sed 's/^| `//'); do
		"$pz" "$c" -help | grep -q -- "^  $o[= ]" || {
			echo "docs/cli.md: pz $c: documents $o, which the command does not have"
			fail=1
		}
	done
done
[ $fail = 0 ] && echo "docs/cli.md agrees with $(echo $cmds | wc -w) commands"
exit $fail
