#!/bin/bash
# The man page and the completions agree with the binary's option
# tables, as the binary prints them (`pz help`, `pz CMD -help`), the way
# tests/spec/cli_docs_test.sh keeps docs/cli.md honest.
#
#   tables_test.sh man  PZ GEN_DIR   every command has its subsection in
#       pz.1 listing exactly its options; every environment variable the
#       sources read is in ENVIRONMENT, and nothing else is
#   tables_test.sh bash PZ GEN_DIR   the bash completion offers exactly
#   tables_test.sh zsh  PZ GEN_DIR   the commands, each command's options,
#       the global options (each accepted by pz), a|b|c values, the
#       state subcommands, the state's addresses under pz state and the
#       spec's declared addresses for ADDR arguments
set -u
mode=$1
pz=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
gen=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
fail=0
bad() { echo "FAIL: $*"; fail=1; }
sorted() { tr ' ' '\n' | grep . | sort -u | tr '\n' ' '; }

cmds=$("$pz" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || { echo "FAIL: no commands in 'pz help'"; exit 1; }
# The options `pz CMD -help` lists, -help and -no-color included.
help_opts() {
	"$pz" "$1" -help | awk '/^options:/ { on = 1; next } on && /^  -/ { sub(/=.*/, "", $1); print $1 }'
}

check_man() {
	local page=$gen/man/pz.1 c r want got names code
	[ -f "$page" ] || { bad "no $page"; return; }
	for c in $cmds; do
		want=$(help_opts "$c" | grep -vx -- '-help\|-no-color' | sorted)
		# The .TP tags of the command's .SS subsection, in the roff
		# (where force-unlock is force\-unlock).
		r=".SS \\fBpz ${c//-/\\-}\\fR"
		got=$(SS=$r awk '
			/^\.SS / { on = (index($0, ENVIRON["SS"]) == 1); next }
			/^\.SH / { on = 0 }
			on && tp && /^\\fB\\-/ { s = $0; sub(/^\\fB\\-/, "-", s); sub(/\\fR.*/, "", s); gsub(/\\-/, "-", s); print s }
			{ tp = ($0 == ".TP") }' "$page" | sorted)
		grep -qF "$r" "$page" || { bad "pz.1 has no subsection for pz $c"; continue; }
		[ "$want" = "$got" ] || bad "pz.1: pz $c lists [$got], pz $c -help [$want]"
	done
	# Environment: what the sources read (getenv and its wrappers) is
	# in ENVIRONMENT, and ENVIRONMENT names nothing the sources lack.
	code=$(grep -rhoE '(getenv|env|env_nonempty|env_long|default_path)\("[A-Z][A-Z0-9_]*"' \
		"$src/core" "$src/providers" "$src/cmd" | sed 's/.*("//; s/"$//' | sort -u)
	names=$(awk '/^\.SH ENVIRONMENT/ { on = 1; next } /^\.SH / { on = 0 } on' "$page" |
		grep -oE '\\fB[A-Z][A-Z0-9_\\-]*(<SERVICE>)?\\fR' | sed 's/\\fB//; s/\\fR//; s/\\-/-/g' | sort -u)
	for v in $code; do
		printf '%s\n' "$names" | grep -qxF "$v" || bad "pz.1 ENVIRONMENT lacks $v, which the sources read"
	done
	for v in $names; do
		case $v in *'<SERVICE>') v=${v%<SERVICE>} ;; esac
		grep -rqF "\"$v" "$src/core" "$src/providers" "$src/cmd" ||
			bad "pz.1 ENVIRONMENT names $v, which no source reads"
	done
	[ $fail = 0 ] && echo "pz.1 agrees with $(echo $cmds | wc -w) commands' options and $(echo $code | wc -w) environment variables"
}

# The candidates for a line, from the generated completion of $mode.
complete_line() {
	if [ "$mode" = bash ]; then
		bash --norc --noprofile -c '. "$1" "$2"; pz_complete "$3"' _ \
			"$here/complete.bash" "$gen/completion/pz.bash" "$1"
	else
		zsh -f -c '. "$1" "$2"; pz_complete "$3"' _ \
			"$here/complete.zsh" "$gen/completion/_pz" "$1"
	fi
}

check_completion() {
	local c want got o fixture spec nodes declared a
	# Run as the tests run pz: the completion calls "pz" by the name typed.
	PATH=$(dirname "$pz"):$PATH
	cd "$src" || exit 1

	got=$(complete_line 'pz ' | sorted)
	[ "$got" = "$(echo $cmds | sorted)" ] || bad "pz <Tab>: [$got], pz help: [$cmds]"
	for c in $cmds; do
		want=$(help_opts "$c" | sorted)
		got=$(complete_line "pz $c -" | sed 's/=$//' | sorted)
		[ "$want" = "$got" ] || bad "pz $c -<Tab>: [$got], pz $c -help: [$want]"
	done
	# Global options: each one offered is one pz accepts before a command.
	got=$(complete_line 'pz -')
	[ -n "$got" ] || bad "pz -<Tab> offers nothing"
	for o in $got; do
		case $o in
		*=) "$pz" "${o}." help >/dev/null 2>&1 || bad "pz ${o}. help fails: $o is offered" ;;
		*) "$pz" "$o" help >/dev/null 2>&1 || bad "pz $o help fails: $o is offered" ;;
		esac
	done
	"$pz" -no-such-global help >/dev/null 2>&1 && bad "pz accepts any global option: the check above proves nothing"

	# Values: the choices the metavar lists; booleans.
	want=$("$pz" plan -help | sed -n 's/^  -format=\([a-z|]*\).*/\1/p' | tr '|' ' ' | sorted)
	got=$(complete_line 'pz plan -format=' | sed 's/^-format=//' | sorted)
	[ -n "$want" ] && [ "$want" = "$got" ] || bad "pz plan -format=<Tab>: [$got], -help: [$want]"
	got=$(complete_line 'pz plan -format m')
	[ "$got" = markdown ] || bad "pz plan -format m<Tab>: [$got]"
	got=$(complete_line 'pz plan -refresh=' | sed 's/^-refresh=//' | sorted)
	[ "$got" = "false true " ] || bad "pz plan -refresh=<Tab>: [$got]"

	# The state's subcommands, as its usage names them.
	want=$("$pz" state -help | sed -n '1s/.*\] \([a-z|]*\) .*/\1/p' | tr '|' ' ' | sorted)
	got=$(complete_line 'pz state ' | sorted)
	[ -n "$want" ] && [ "$want" = "$got" ] || bad "pz state <Tab>: [$got], usage: [$want]"

	# The state's addresses under pz state, in either option form.
	fixture=tests/plan/cases/no-changes/state.json
	want=$("$pz" state list -state="$fixture" | sorted)
	[ -n "$want" ] || bad "pz state list -state=$fixture lists nothing"
	for line in "pz state show -state=$fixture " "pz state -state $fixture rm " \
		"pz state -state=$fixture mv "; do
		got=$(complete_line "$line" | sorted)
		[ "$want" = "$got" ] || bad "$line<Tab>: [$got], pz state list: [$want]"
	done
	got=$(complete_line "pz state show -state=$fixture dataset_g")
	[ "$got" = dataset_group.demo ] || bad "pz state show ... dataset_g<Tab>: [$got]"
	got=$(complete_line "pz state mv -state=$fixture dataset_group.demo ")
	[ -z "$got" ] || bad "pz state mv FROM <Tab> offers [$got] for TO"

	# The spec's declared addresses for ADDR: import, plan -target.
	spec=examples/movielens/pz.yaml
	nodes=$("$pz" graph -f "$spec")
	declared=$(printf '%s\n' "$nodes" | sed -n 's/^  "\([^"]*\)";$/\1/p' | sorted)
	[ -n "$declared" ] || bad "pz graph shows no declared resource"
	for line in "pz import -f $spec " "pz plan -f=$spec -target=" "pz plan -f $spec -target "; do
		got=$(complete_line "$line" | sed 's/^-target=//' | sorted)
		[ "$got" = "$declared" ] || bad "$line<Tab>: [$got], declared: [$declared]"
	done
	printf '%s\n' "$declared" | grep -q 'schema\.\|dataset_import_job\.' &&
		bad "derived resources are offered as ADDR: $declared"

	# Files where a file is wanted; nothing for an ARN.
	got=$(complete_line 'pz show tools/gen-ma')
	case $got in *tools/gen-man.py* | '<files>') ;; *) bad "pz show PLANFILE<Tab>: [$got]" ;; esac
	got=$(complete_line "pz import -f $spec campaign.simsCampaign ")
	[ -z "$got" ] || bad "pz import ADDR <Tab> offers [$got] for ARN"
	[ $fail = 0 ] && echo "the $mode completion agrees with $(echo $cmds | wc -w) commands' options, values, subcommands and addresses"
}

case $mode in
man) check_man ;;
bash) check_completion ;;
zsh) command -v zsh >/dev/null || { echo "skipped: no zsh"; exit 77; }
	check_completion ;;
*) echo "usage: $0 man|bash|zsh PZ GEN_DIR" >&2; exit 2 ;;
esac
exit $fail
