#!/bin/bash
#
# test.sh: the project's test command (README, "Run the tests").
#
# On a Debian 12 machine, as root: installs the packages that are missing,
# builds and installs the extension (setup.sh), then, as the postgres user
# (initdb refuses root), runs the pg_regress suite on a throwaway cluster
# made by pg_virtualenv and the TAP suite (which makes its own clusters;
# TAP_JOBS files at a time, default one per core), then the structure
# rules (t/layering.sh) and the static checks (static-check.sh: cppcheck
# and clang-tidy), then, as root, builds the
# Debian package, installs it and uses it (t/deb_install.sh), then builds
# the container image with podman and runs the init container and the
# docs' compose example in it (t/container_init.sh).  The last line is "N
# passed, N failed", the line before it names what failed, if anything;
# the exit status is non-zero on any failure.
#
# The real Sentry dumps are read from ../shared/sentry-schemas (override
# with SENTRY_SCHEMAS=DIR).  Tests that need them fail when CI=true and
# they are missing, and skip with a message elsewhere.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

schemas=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}
[ -d "$schemas" ] && schemas=$(cd "$schemas" && pwd)

# One install and test run at a time on this machine: the extension is
# installed into the server's shared directories.
exec 9>/tmp/sentry_fixtures-test.lock
flock 9

# warnings are errors in the test build (the shipped Makefile only warns)
WERROR=-Werror ./setup.sh

# The suite runs as postgres, in a copy of the tree it may write to.
work=$(mktemp -d /tmp/sentry_fixtures-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$top" "$work/src"
chown -R postgres: "$work"
log=$work/log
mkdir "$log"
chown postgres: "$log"

as_postgres() {
	su postgres -s /bin/bash -c "cd '$work/src' && export SENTRY_SCHEMAS='$schemas' CI='${CI:-}' && $1"
}

regress_status=0
as_postgres "pg_virtualenv make -s installcheck TAP_TESTS=" >"$log/regress" 2>&1 || regress_status=$?
cat "$log/regress"
# Keep what pg_regress produced, to read or to adopt as expected output
rm -rf "$top/results" "$top/regression.diffs"
[ -d "$work/src/results" ] && cp -r "$work/src/results" "$top/results"
if [ -f "$work/src/regression.diffs" ]; then
	cp "$work/src/regression.diffs" "$top/regression.diffs"
	head -200 "$work/src/regression.diffs"
fi

# Two TAP files at a time on two cores (TAP_JOBS): one file at a time
# leaves a core idle for half of the suite, waiting for its servers
tap_jobs=${TAP_JOBS:-$(nproc)}
tap_status=0
as_postgres "make -s tap-check PROVE_FLAGS='--verbose --timer -j$tap_jobs'" >"$log/tap" 2>&1 || tap_status=$?
cat "$log/tap"
if [ $tap_status -ne 0 ]; then
	for f in "$work"/src/tmp_check/log/regress_log_*; do
		[ -f "$f" ] && { echo "=== $f (tail)"; tail -40 "$f"; }
	done
fi

# The structure rules (t/layering.sh): no call cycle between the .c files,
# no = ANY over parameter arrays; on this build's objects
layering_status=0
./t/layering.sh >"$log/layering" 2>&1 || layering_status=$?
cat "$log/layering"

# cppcheck and clang-tidy: one test, any finding fails it
static_status=0
./static-check.sh >"$log/static" 2>&1 || static_status=$?
cat "$log/static"

# The Debian package after the suites: installing it replaces the
# installed extension files (with the same build); the script puts the
# working tree's back
deb_status=0
./t/deb_install.sh >"$log/deb" 2>&1 || deb_status=$?
cat "$log/deb"

# The image and the init container in podman, as root (it installs podman
# and keeps its containers and images in a directory of its own)
container_status=0
SENTRY_SCHEMAS=$schemas ./t/container_init.sh >"$log/container" 2>&1 || container_status=$?
cat "$log/container"

# The counts, and what failed by name, on the closing lines (t/results.sh)
. ./t/results.sh
passed=0 failed=0 failed_tests=
count_regress "$log/regress" $regress_status
count_tap prove "$log/tap" $tap_status
count_tap t/layering.sh "$log/layering" $layering_status
count_check static-check.sh $static_status
count_tap t/deb_install.sh "$log/deb" $deb_status
count_tap t/container_init.sh "$log/container" $container_status
report_results
