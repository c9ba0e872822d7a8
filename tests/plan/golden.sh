#!/bin/sh
# One plan case: the three renderings against plan.txt, plan.json and
# plan.md. PZ_UPDATE_GOLDEN=1 rewrites them (then read the diff).
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(cd "$2" && pwd)
state=-
live=-
[ -f "$dir/state.json" ] && state=state.json
[ -f "$dir/live.json" ] && live=live.json
fail=0
# formats: the renderings a case checks (default all three).
formats="text json md"
[ -f "$dir/formats" ] && formats=$(cat "$dir/formats")
for fmt in $formats; do
	case $fmt in text) f=plan.txt ;; json) f=plan.json ;; md) f=plan.md ;; esac
	out=$(mktemp)
	# args: extra options for the case (-destroy, -target=ADDR)
	args=""
	[ -f "$dir/args" ] && args=$(cat "$dir/args")
	# shellcheck disable=SC2086
	(cd "$dir" && "$bin" spec.yaml "$state" "$live" "$fmt" $args) >"$out" 2>&1
	echo "exit: $?" >>"$out"
	# A pull request comment never exceeds GitHub's 65,536 characters.
	if [ "$fmt" = md ] && [ "$(wc -c <"$out")" -gt 65536 ]; then
		echo "FAIL: $dir: the markdown plan is over 65,536 bytes"
		fail=1
	fi
	if [ "${PZ_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$out" "$dir/$f"
	elif ! diff -u "$dir/$f" "$out"; then
		echo "FAIL: $dir/$f"
		fail=1
	fi
	rm -f "$out"
done
exit $fail
