#!/bin/bash
#
# setup.sh: install the Debian 12 packages that are missing, then build and
# install the extension.  Used by test.sh and demo.sh; run as root.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

packages=(make gcc pkg-config postgresql-15 postgresql-server-dev-15
	postgresql-contrib libyaml-dev libssl-dev libipc-run-perl
	python3 python3-sentry-sdk python3-django python3-psycopg2
	build-essential dpkg-dev debhelper postgresql postgresql-server-dev-all
	cppcheck clang clang-tidy valgrind redis-server)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: run as root (it installs packages and the extension)" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

make -s clean
make -s WERROR="${WERROR:-}"
make -s install
