#!/bin/sh
# Installs the Debian packages pz's build and tests need. Idempotent: does
# nothing when everything is present. As root it runs apt-get; otherwise
# it prints the command to run and fails.
#
#   scripts/install-deps.sh [build|test]   (default: test, which is a superset)
set -eu

build_pkgs="build-essential cmake pkg-config python3 libcurl4-openssl-dev
libssl-dev libyaml-dev libcjson-dev libgit2-dev libexpat1-dev dpkg-dev"
test_pkgs="libcmocka-dev python3-botocore python3-yaml python3-jsonschema awscli
clang libclang-rt-14-dev
curl
man-db groff-base zsh lintian"

case "${1:-test}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
*) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pz: missing Debian packages:$missing" >&2
	echo "pz: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "pz: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing >/dev/null; then
	apt-get update >/dev/null
	apt-get install -y --no-install-recommends $missing >/dev/null
fi
