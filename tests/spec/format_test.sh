#!/bin/sh
# The C sources follow .clang-format (make format fixes them).
# Skipped (77) where clang-format is not installed.
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang-format >/dev/null || { echo "skipped: no clang-format"; exit 77; }
cd "$root" || exit 1
bad=0
for f in cmd/*.[ch] core/*.[ch] providers/*/*.[ch] tests/unit/*.c \
	tests/fuzz/*.c tests/bench/*.c tests/plan/*.c tests/integ/*.c; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run make format)"
		bad=1
	fi
done
exit $bad
