#!/bin/sh
# make demo: pz's main job on the examples, against the local simulator.
#
# Today pz validates, graphs and authenticates; plan and apply are the
# next milestones (see the issues), so the demo stops after `pz whoami`
# against the simulator and says so.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
pz="$root/build/pz"
spec="$root/examples/movielens/pz.yaml"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "pz validate -f examples/seed/params.json   (the seed pipeline's file, as it is)"
"$pz" validate -f "$root/examples/seed/params.json"

step "pz validate -f examples/movielens/pz.yaml   (every section)"
"$pz" validate -f "$spec"

step "pz graph -f examples/movielens/pz.yaml | head   (Graphviz DOT; render with dot -Tsvg)"
"$pz" graph -f "$spec" | head -n 12
echo "  ... ($("$pz" graph -f "$spec" | grep -c -- '->') dependencies)"

if [ -x "$root/tests/sim/sim.py" ] || [ -f "$root/tests/sim/sim.py" ]; then
	if "$pz" help whoami >/dev/null 2>&1; then
		tmp=$(mktemp -d)
		trap 'kill "$simpid" 2>/dev/null; rm -rf "$tmp"' EXIT
		step "starting the AWS simulator on a free loopback port"
		/usr/bin/python3 "$root/tests/sim/sim.py" --port 0 \
			--port-file "$tmp/port" --data-dir "$tmp/data" \
			--time-scale 0.001 2>"$tmp/sim.log" &
		simpid=$!
		i=0
		while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		port=$(cat "$tmp/port")
		echo "simulator at http://127.0.0.1:$port"
		step "pz whoami   (SigV4-signed STS call, checked by the simulator)"
		AWS_ENDPOINT_URL="http://127.0.0.1:$port" \
		AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
		AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
		AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null \
		AWS_SHARED_CREDENTIALS_FILE=/dev/null \
			"$pz" whoami
	fi
fi

step "done"
echo "pz plan / apply / destroy are not built yet: the demo stops here."
