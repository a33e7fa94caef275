#!/bin/bash
#
# t/pg_matrix.sh: the whole test suite on other PostgreSQL majors, each in
# a Debian chroot of the release that carries it.
#
#   t/pg_matrix.sh MAJOR...        (as root; e.g. t/pg_matrix.sh 13 17 18)
#   t/pg_matrix.sh --prepare MAJOR...   (only make the missing chroots)
#   t/pg_matrix.sh --tools         (only install mmdebstrap on the host)
#
# Majors and suites: 13 bullseye, 15 bookworm, 17 trixie, 18 sid (no
# Debian release has 14 or 16; 13 and 15, and 15 and 17, bracket them).
# For each major: make the chroot or reuse the cached one, copy the tree
# and ../shared/sentry-schemas into it, build with -Wall -Wextra -Werror,
# install the build into the chroot's PostgreSQL, then run, as the
# postgres user, pg_regress on a throwaway cluster (pg_virtualenv) and the
# TAP suite (which makes its own clusters).
#
# Last, as root in the chroot, t/deb_install.sh builds that major's Debian
# package (postgresql-NN-sentry-fixtures), installs it, uses it and purges
# it again.
#
# Chroots are cached in $SENTRY_FIXTURES_CHROOTS (default
# /var/cache/sentry_fixtures/chroots), one directory per suite, made with
# mmdebstrap --variant=apt from Debian's archive with the packages the
# suite needs in one pass, from $DEBIAN_MIRROR (default
# http://deb.debian.org/debian) alone;
# the packages are checked, and installed when missing, on every run.  The
# chroots of all the majors asked for are made at the same time (that is
# mostly waiting for the network) before any test starts.  Remove a
# directory to make that chroot again.  /proc, /dev and /dev/shm are
# mounted in a chroot only while it is in use and unmounted on exit, also
# when a step fails or the script is interrupted.
#
# MATRIX_JOBS (default 2) majors run at the same time: one suite keeps
# about one core busy (three at once on two cores ended only 7 % sooner
# than two and then the third, and oversubscribed); the last major, which
# ends alone, runs two TAP files at a time.  The mutation fuzz test
# (t/063_fuzz.pl) runs MATRIX_FUZZ_COUNT variants (default 5000, one
# batch; 100,000 on the host's test.sh, 20,000 in .ci/run's sanitize.sh):
# the variants exercise the YAML reader and validator, which do not differ
# between majors.  Every other test runs as it does on the host.
# PROVE_TESTS, as for make, restricts the TAP files.
#
# Output: each major's build, pg_regress and TAP result, then one line per
# major "PostgreSQL NN: N passed, N failed (the tests that failed)", one
# per major saying whether its chroot was reused or made and in how long,
# a line "failed on: PostgreSQL NN: tests;..." when any failed, and last
# "N passed, N failed" for all of them.  The exit status is non-zero on
# any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/t/results.sh"
schemas=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}
cache=${SENTRY_FIXTURES_CHROOTS:-/var/cache/sentry_fixtures/chroots}
jobs=${MATRIX_JOBS:-2}
fuzz_count=${MATRIX_FUZZ_COUNT:-5000}

# What a major's suite needs in its chroot: the server and headers, the
# build's libraries, the TAP suite's oracles (Django, sentry-sdk, Redis,
# valgrind) and what building the Debian package takes; the suite's
# postgresql-server-dev-all is that major's
packages_for() {
	echo "postgresql-$1 postgresql-server-dev-$1 libyaml-dev libssl-dev pkg-config make gcc" \
		"libipc-run-perl python3 python3-sentry-sdk python3-django python3-psycopg2 valgrind" \
		"redis-server build-essential debhelper dpkg-dev postgresql-server-dev-all"
}

suite_of() {
	case $1 in
	13) echo bullseye ;;
	15) echo bookworm ;;
	17) echo trixie ;;
	18) echo sid ;;
	*) return 1 ;;
	esac
}

# mmdebstrap makes the chroots
install_tools() {
	if ! command -v mmdebstrap >/dev/null; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "pg_matrix.sh: run as root (it makes chroots)" >&2
	exit 1
fi
if [ "${1:-}" = --tools ]; then
	install_tools
	exit
fi
prepare_only=false
if [ "${1:-}" = --prepare ]; then
	prepare_only=true
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: t/pg_matrix.sh [--prepare] MAJOR... | --tools" >&2
	exit 2
fi
for major in "$@"; do
	suite_of "$major" >/dev/null || {
		echo "pg_matrix.sh: no Debian suite known for PostgreSQL $major" >&2
		exit 2
	}
done
install_tools || exit 1
mkdir -p "$cache"
out=$(mktemp -d /tmp/sentry_fixtures-matrix.XXXXXX)
trap 'rm -rf "$out"' EXIT

# Make the chroot of major $1 with its packages; an unfinished one is
# never left under the final name.  The mirror is named, so that
# mmdebstrap reads only the suite itself: for a stable suite it would add
# the security archive, whose mirror here may lag behind the package lists
# it serves.  A suite's Release file is valid for a week (sid) and may be
# past that when this machine's clock is ahead of the mirror it reads.
# dpkg neither syncs each file (the chroot is made again if the machine
# dies meanwhile) nor unpacks documentation, manual pages or translations
# (the tests read PostgreSQL's messages in English).
make_chroot() {
	local major=$1 suite root
	suite=$(suite_of "$major")
	root=$cache/$suite
	# an mmdebstrap that was killed may have left its mounts in there
	unmount_below "$root.new"
	rm -rf "$root.new"
	mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
		--dpkgopt=force-unsafe-io --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
		--include="$(packages_for "$major" | tr ' ' ',')" \
		"$suite" "$root.new" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" || return 1
	mv "$root.new" "$root"
}

# Make the chroot of major $1 under its suite's lock; the report says how
# long it took, or that it failed
prepare_major() {
	local major=$1 suite start
	suite=$(suite_of "$major")
	start=$(date +%s)
	exec 8>"$cache/$suite.lock"
	flock 8
	if [ -x "$cache/$suite/usr/bin/apt-get" ]; then
		echo "PostgreSQL $major: chroot $cache/$suite reused" >"$out/$major.prepare"
	elif make_chroot "$major" >"$out/$major.mmdebstrap" 2>&1; then
		echo "PostgreSQL $major: chroot $cache/$suite made in $(($(date +%s) - start)) s" >"$out/$major.prepare"
	else
		{
			tail -n 30 "$out/$major.mmdebstrap"
			echo "PostgreSQL $major: mmdebstrap $suite failed"
		} >"$out/$major.prepare"
	fi
}

# Mount what a chroot needs while it is in use; unmount_chroot undoes it
mount_chroot() {
	local root=$1
	mount -t proc proc "$root/proc" &&
		mount --bind /dev "$root/dev" &&
		mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
}

# Unmount everything mounted below directory $1, the deepest first; never
# fails
unmount_below() {
	local m
	for m in $(awk -v dir="$1/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	return 0
}

# Stop whatever still runs inside the chroot (a server a failed test left
# behind), then unmount; never fails
unmount_chroot() {
	local root=$1 pid
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null
	done
	unmount_below "$root"
}

# The exit status that steps.sh wrote at the end of the output $1 of its
# step $2 ("regress status N"), 1 when it wrote none
status_in() {
	local status
	status=$(sed -n "s/^$2 status //p" "$1" 2>/dev/null | tail -n 1)
	echo "${status:-1}"
}

# Build and test on one major, $2 TAP files at a time; writes
# $out/$major.log and $out/$major.count ("passed failed")
run_major() {
	local major=$1 tap_jobs=$2 suite root run status
	suite=$(suite_of "$major")
	root=$cache/$suite
	local log=$out/$major.log
	local passed=0 failed=0 failed_tests=

	exec 8>"$cache/$suite.lock"
	flock 8
	echo "0 1" >"$out/$major.count"
	cat "$out/$major.prepare" >"$out/$major.report" 2>/dev/null
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		echo "PostgreSQL $major: no chroot to run in" >>"$out/$major.report"
		return
	fi
	trap "unmount_chroot '$root'" EXIT
	trap 'exit 1' INT TERM HUP
	if ! mount_chroot "$root" >>"$out/$major.report" 2>&1; then
		echo "PostgreSQL $major: mounting in $root failed" >>"$out/$major.report"
		return
	fi

	run=$(mktemp -d "$root/build/run.XXXXXX" 2>/dev/null || { mkdir -p "$root/build" && mktemp -d "$root/build/run.XXXXXX"; })
	local inside=${run#"$root"}
	# The tree as git has it, without build products, and the dumps beside it
	mkdir -p "$run/src" "$run/shared"
	tar -C "$top" --exclude=.git --exclude=results --exclude=tmp_check --exclude='*.o' \
		--exclude='*.so' --exclude='*.bc' --exclude=regression.diffs --exclude=regression.out -cf - . |
		tar -C "$run/src" -xf -
	[ -d "$schemas" ] && cp -r "$schemas" "$run/shared/sentry-schemas"

	cat >"$run/steps.sh" <<EOF
#!/bin/bash
# run inside the chroot as root by t/pg_matrix.sh
set -uo pipefail
export LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
cd '$inside/src'
missing=\$(for p in $(packages_for "$major"); do dpkg-query -W -f='\${Status}' "\$p" 2>/dev/null | grep -q 'ok installed' || echo "\$p"; done)
if [ -n "\$missing" ]; then
	# the tests make their own clusters: the package's default one is not needed
	mkdir -p /etc/postgresql-common
	echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
	# a suite's Release file is valid for a week (sid) and may be past that
	# when this machine's clock is ahead of the mirror it reads
	echo 'Acquire::Check-Valid-Until "false";' >/etc/apt/apt.conf.d/99sentry-fixtures-matrix
	echo "installing:" \$missing
	apt-get update -qq && apt-get install -y -qq --no-install-recommends \$missing >/dev/null || exit 10
fi
pg_config --version
make -s PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config WERROR=-Werror || exit 11
make -s PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config install >/dev/null || exit 12
chown -R postgres: '$inside'
as_postgres() {
	su postgres -s /bin/bash -c "cd '$inside/src' && export LANG=C.UTF-8 PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config SENTRY_SCHEMAS='$inside/shared/sentry-schemas' CI='${CI:-}' FUZZ_COUNT='$fuzz_count' PROVE_TESTS='${PROVE_TESTS:-}' && \$1"
}
# pg_virtualenv's server listens on localhost, and the chroots share the
# network: a port of its own per major (5432 by default)
as_postgres "PGPORT=$((54300 + major)) pg_virtualenv -v $major make -s installcheck TAP_TESTS=" >'$inside/regress' 2>&1
echo "regress status \$?" >>'$inside/regress'
[ -f regression.diffs ] && head -200 regression.diffs >>'$inside/regress'
as_postgres "make -s tap-check PROVE_FLAGS='--verbose --timer -j$tap_jobs'" >'$inside/tap' 2>&1
echo "tap status \$?" >>'$inside/tap'
# the logs' tails apart from the output that is counted
if ! tail -n 1 '$inside/tap' | grep -q 'status 0'; then
	for f in tmp_check/log/regress_log_*; do
		[ -f "\$f" ] && { echo "=== \$f (tail)"; tail -40 "\$f"; } >>'$inside/tap-logs'
	done
fi
# its own port, as for pg_regress above
PGPORT=$((54400 + major)) PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config ./t/deb_install.sh >'$inside/deb' 2>&1
echo "deb status \$?" >>'$inside/deb'
exit 0
EOF
	chmod +x "$run/steps.sh"
	chroot "$root" "$inside/steps.sh" >"$log" 2>&1
	status=$?
	{
		echo "=== PostgreSQL $major ($suite)"
		cat "$out/$major.prepare"
		cat "$log"
		if [ $status -ne 0 ]; then
			echo "PostgreSQL $major: setup step failed (status $status)"
			count_check "setup (status $status)" 1
		else
			cat "$run/regress"
			cat "$run/deb"
			grep -E '^(ok|not ok) |^\s+(ok|not ok) |t/[0-9]+_[a-z0-9_]+\.pl \.|^Result|^Files=|tap status' "$run/tap"
			sed -n '/^Test Summary Report/,/^Files=/p' "$run/tap"
			[ -f "$run/tap-logs" ] && cat "$run/tap-logs"
			count_regress "$run/regress" "$(status_in "$run/regress" regress)"
			count_tap prove "$run/tap" "$(status_in "$run/tap" tap)"
			count_tap t/deb_install.sh "$run/deb" "$(status_in "$run/deb" deb)"
		fi
	} >"$out/$major.report" 2>&1
	echo "$passed $failed" >"$out/$major.count"
	echo "${failed_tests# }" >"$out/$major.failed"
	rm -rf "$run"
}

# Make every chroot first, all at once; then run the majors, $jobs at a
# time, each in its own subshell (its own trap unmounts its chroot)
for major in "$@"; do
	(prepare_major "$major") &
done
wait
if $prepare_only; then
	cat "$out"/*.prepare
	! grep -q 'mmdebstrap .* failed$' "$out"/*.prepare
	exit
fi
started=0
for major in "$@"; do
	# at most $jobs at once: count the running subshells (a bare "wait -n"
	# may return at once for the chroot jobs already waited for above)
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	started=$((started + 1))
	# the last of more majors than $jobs soon runs alone: two TAP files at
	# a time there keep both cores busy
	if [ "$started" -eq $# ] && [ $# -gt "$jobs" ]; then
		(run_major "$major" 2) &
	else
		(run_major "$major" 1) &
	fi
done
wait

total_passed=0
total_failed=0
failed_on=()
for major in "$@"; do
	cat "$out/$major.report" 2>/dev/null
done
for major in "$@"; do
	read -r passed failed <"$out/$major.count" 2>/dev/null || { passed=0; failed=1; }
	failed_tests=$(cat "$out/$major.failed" 2>/dev/null)
	[ "$failed" -ne 0 ] && [ -z "$failed_tests" ] && failed_tests="no result (see its report above)"
	echo "PostgreSQL $major: $passed passed, $failed failed${failed_tests:+ ($failed_tests)}"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	[ "$failed" -ne 0 ] && failed_on+=("PostgreSQL $major: $failed_tests")
done
for major in "$@"; do
	tail -n 1 "$out/$major.prepare" 2>/dev/null
done
[ ${#failed_on[@]} -gt 0 ] && (IFS=';'; echo "failed on: ${failed_on[*]}")
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
