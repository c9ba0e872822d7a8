#!/bin/sh
# make demo: pz's main job on the examples, against the local AWS simulator.
#
# It validates the seed pipeline's params.json and the MovieLens example,
# draws the graph, starts the simulator, uploads synthetic data, checks
# who pz is, plans, applies (every resource created, data imported,
# models trained, campaigns deployed), plans again (no changes), applies
# a campaign's TPS change in place, and destroys it all.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
pz="${PZ:-$root/build/pz}"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

tmp=$(mktemp -d)
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cp "$root/examples/movielens/pz.yaml" "$tmp/pz.yaml"
cp "$root/examples/seed/params.json" "$tmp/params.json"
cd "$tmp"

step "pz validate -f params.json   (the seed pipeline's file, as it is)"
"$pz" validate -f params.json

step "pz validate   (examples/movielens/pz.yaml: every section)"
"$pz" validate

step "pz graph | head   (Graphviz DOT; render with: pz graph | dot -Tsvg)"
"$pz" graph | head -n 12
echo "  ... ($("$pz" graph | grep -c -- '->') dependencies in all)"

step "starting the AWS simulator on a free loopback port"
/usr/bin/python3 "$root/tests/sim/sim.py" --port 0 --port-file "$tmp/port" \
	--data-dir "$tmp/sim" --time-scale 0.001 2>"$tmp/sim.log" &
simpid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		cat "$tmp/sim.log" >&2
		echo "demo: the simulator did not start" >&2
		exit 1
	fi
	sleep 0.1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$tmp/port")"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
echo "simulator at $AWS_ENDPOINT_URL"
# pz.notify's webhook: the simulator's sink (it records what it gets).
sed -i "s|webhook: http://127.0.0.1:9/pz-hook|webhook: $AWS_ENDPOINT_URL/__sim/webhook/demo|" pz.yaml

step "synthetic MovieLens data to s3://pz-demo-data/movielens/"
/usr/bin/python3 "$root/examples/movielens/gen-data.py" "$tmp/data" \
	--jobs "$tmp/jobs"
/usr/bin/python3 "$root/examples/movielens/upload.py" "$tmp/data" \
	s3://pz-demo-data/movielens/ --create-bucket
/usr/bin/python3 "$root/examples/movielens/upload.py" "$tmp/jobs" \
	s3://pz-demo-data/

step "pz whoami   (a SigV4-signed STS call, checked by the simulator)"
"$pz" whoami

step "pz plan -f params.json   (no data location: imports and training wait)"
"$pz" plan -f params.json -detailed-exitcode | tail -n 8 || [ $? -eq 2 ]

step "pz plan   (MovieLens: imports and first trainings, with their triggers)"
set +e
"$pz" plan -detailed-exitcode >"$tmp/plan.txt"
status=$?
set -e
grep -E '^  # |^Plan:' "$tmp/plan.txt"
[ $status -eq 2 ] || { cat "$tmp/plan.txt"; exit 1; }

step "pz plan -format=markdown | head   (for a pull-request comment)"
"$pz" plan -format=markdown | head -n 14

step "pz apply -auto-approve   (every operation as soon as what it waits for is done)"
"$pz" apply -auto-approve -parallelism=10 2>&1 | grep -vE '^ *[#~+-] |^    |^$|^  [a-zA-Z]' | sed -n '/Creating\|Still\|complete\|failed\|Apply/p'

step "pz plan -detailed-exitcode   (right after apply: nothing to do)"
"$pz" plan -detailed-exitcode

step "a campaign's minProvisionedTPS 1 -> 2: one UpdateCampaign, in place"
sed -i '0,/minProvisionedTPS: 1$/s//minProvisionedTPS: 2/' pz.yaml
"$pz" plan -out=tps.plan | grep -E '^  # |^Plan:'
"$pz" apply tps.plan | grep -E 'Modif|Apply'

step "pz recommend userPersonalizationCampaign -user 1 -n 10   (GetRecommendations)"
"$pz" recommend userPersonalizationCampaign -user 1 -n 10

step "pz destroy -auto-approve   (in the order the service allows)"
"$pz" destroy -auto-approve 2>&1 | grep -E 'Destroy|Removed' | tail -n 8
echo "simulator now holds: $(curl -s "$AWS_ENDPOINT_URL/__sim/state" | /usr/bin/python3 -c 'import json,sys; print(len([r for r in json.load(sys.stdin)["resources"] if r["type"] not in ("dataset_import_job","batch_inference_job","batch_segment_job")]), "deletable resources")')"

step "done"
