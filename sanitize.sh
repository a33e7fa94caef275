#!/bin/bash
#
# sanitize.sh: the whole test suite (pg_regress and TAP) against the
# extension built with sanitizers: SANITIZE (default "address,undefined"),
# a -fsanitize= list.
#
# Run as root on a machine where ./test.sh has run (it installs the
# packages).  The sanitized build is installed into a private directory
# that the test clusters load the extension from (extension_destdir), so
# the machine-wide install is not touched.  Every server is started through
# a pg_ctl wrapper first in PATH that gives it the sanitizer options (and,
# for "address", the ASan runtime in LD_PRELOAD); reports go to files that
# this script reads: any report, or any failing test, fails it.  The
# postmaster keeps memory until it exits by design, so leak detection is
# off.  The last line is "N passed, N failed", as for test.sh.
#
# AddressSanitizer runs in servers that were not built with it: its
# runtime is preloaded.  It initializes on the first malloc, which in
# postgres is one made by libgpg-error's constructor inside glibc's
# bindtextdomain() while that holds the gettext lock; ASan's start-up then
# looks up swift_demangle, and the dlerror() after the failed lookup takes
# the same lock again, so the server hangs before main().  A preloaded stub
# that defines swift_demangle makes the lookup succeed and the hang go
# away; ASan only calls it for Swift-mangled names, which C code has none
# of.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
schemas=${SENTRY_SCHEMAS:-$top/../shared/sentry-schemas}
[ -d "$schemas" ] && schemas=$(cd "$schemas" && pwd)
pgbin=$(pg_config --bindir)
sanitize=${SANITIZE:-address,undefined}

work=$(mktemp -d /tmp/sentry_fixtures-sanitize.XXXXXX)
# the server is stopped before its directory goes (Debian has no pg_ctl in PATH)
trap 'su postgres -s /bin/bash -c "$pgbin/pg_ctl -D $work/regress-data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -a "$top" "$work/src"
mkdir -p "$work/reports" "$work/bin" "$work/inst" "$work/sock"

# Build with the sanitizers, with frame pointers for readable reports
make -C "$work/src" -s clean
make -C "$work/src" -s \
	PG_CFLAGS="-Wall -Wextra -Werror -Wno-unused-parameter -fsanitize=$sanitize -fno-omit-frame-pointer -fno-sanitize=alignment" \
	SHLIB_LINK="$(pkg-config --libs yaml-0.1 libcrypto) -fsanitize=$sanitize"
make -C "$work/src" -s install DESTDIR="$work/inst"

preload=
if [[ $sanitize == *address* ]]; then
	libasan=$(gcc -print-file-name=libasan.so)
	[ -f "$libasan" ] || { echo "sanitize.sh: libasan.so not found" >&2; exit 1; }
	printf '%s\n' '#include <stddef.h>' \
		'char *swift_demangle(const char *name, size_t len, char *out, size_t *outlen, unsigned flags);' \
		'char *swift_demangle(const char *name, size_t len, char *out, size_t *outlen, unsigned flags) { return NULL; }' \
		>"$work/swift_demangle_stub.c"
	gcc -shared -fPIC -o "$work/inst/swift_demangle_stub.so" "$work/swift_demangle_stub.c"
	preload="$libasan $work/inst/swift_demangle_stub.so"
fi

# Servers, and only servers, run with the sanitizer settings
cat >"$work/bin/pg_ctl" <<EOF
#!/bin/bash
[ -n '$preload' ] && export LD_PRELOAD='$preload'
export ASAN_OPTIONS='detect_leaks=0:log_path=$work/reports/asan:abort_on_error=0:detect_odr_violation=0'
export UBSAN_OPTIONS='print_stacktrace=1:log_path=$work/reports/ubsan'
exec '$pgbin/pg_ctl' "\$@"
EOF
chmod +x "$work/bin/pg_ctl"
# The TAP harness puts PGXS's bindir first in PATH: a bindir of links to
# the real programs, with the wrapper in place of pg_ctl, keeps it in use
for program in "$pgbin"/*; do
	[ "$(basename "$program")" = pg_ctl ] || ln -s "$program" "$work/bin/"
done
echo "extension_destdir = '$work/inst'" >"$work/temp.conf"
chown -R postgres: "$work"

as_postgres() {
	su postgres -s /bin/bash -c "cd '$work/src' && export PATH=$work/bin:$pgbin:\$PATH TEMP_CONFIG='$work/temp.conf' SENTRY_SCHEMAS='$schemas' CI='${CI:-}' FUZZ_COUNT='${FUZZ_COUNT:-}' && $1"
}

# pg_regress on a cluster of our own
regress_status=0
as_postgres "initdb -D '$work/regress-data' -A trust >/dev/null \
	&& cat '$work/temp.conf' >>'$work/regress-data/postgresql.conf' \
	&& pg_ctl -D '$work/regress-data' -l '$work/regress.log' -w \
		-o \"-p 55499 -k $work/sock -c listen_addresses=''\" start >/dev/null \
	&& PGHOST='$work/sock' PGPORT=55499 make -s installcheck TAP_TESTS=" >"$work/regress.out" 2>&1 || regress_status=$?
cat "$work/regress.out"
# The sanitizer runtimes are in the server process: a backend that has
# loaded the extension maps each of them
runtimes_expected=0
for runtime in address undefined; do
	[[ $sanitize == *$runtime* ]] && runtimes_expected=$((runtimes_expected + 1))
done
cat >"$work/runtimes.sql" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sentry_fixtures;
SELECT count(*) FROM sentry_fixtures_info() \g /dev/null
SELECT count(DISTINCT substring(line FROM 'lib(asan|ubsan)[.]so'))
FROM pg_catalog.regexp_split_to_table(pg_catalog.pg_read_file('/proc/self/maps'), E'\n') AS line;
SQL
chown postgres: "$work/runtimes.sql"
runtimes_mapped=$(as_postgres "psql -h '$work/sock' -p 55499 -d contrib_regression -XAtq -f '$work/runtimes.sql'" || true)
runtime_status=0
if [ "$runtimes_mapped" = "$runtimes_expected" ]; then
	echo "ok - the server has the sanitizer runtimes for $sanitize loaded"
else
	echo "not ok - the server has ${runtimes_mapped:-no} of the $runtimes_expected sanitizer runtimes for $sanitize loaded"
	runtime_status=1
fi
as_postgres "pg_ctl -D '$work/regress-data' -m fast stop" >/dev/null 2>&1 || true

tap_status=0
as_postgres "make -s tap-check bindir='$work/bin' PROVE_FLAGS='--verbose --timer -j${TAP_JOBS:-$(nproc)}'" >"$work/tap.out" 2>&1 || tap_status=$?
grep -E '^(ok|not ok) |^t/|^Result|^Files=' "$work/tap.out" || true

# Sanitizer reports: each file is one process's; any counts as a failure.
# Reports are also searched in the server logs (a runtime that could not
# open its log file writes to stderr).
reports_status=0
reports=$(find "$work/reports" -type f | wc -l)
logged=$(grep -lE 'ERROR: AddressSanitizer|runtime error:' "$work/regress.log" \
	"$work"/src/tmp_check/log/*.log 2>/dev/null | wc -l || true)
if [ "$reports" -ne 0 ] || [ "$logged" -ne 0 ]; then
	echo "sanitizer reports:"
	for f in "$work"/reports/*; do [ -f "$f" ] && { echo "=== $f"; head -60 "$f"; }; done
	grep -hE -A30 'ERROR: AddressSanitizer|runtime error:' "$work/regress.log" \
		"$work"/src/tmp_check/log/*.log 2>/dev/null | head -120 || true
	reports_status=1
else
	echo "sanitizers: no report"
fi
if [ $tap_status -ne 0 ]; then
	for f in "$work"/src/tmp_check/log/regress_log_*; do
		[ -f "$f" ] && { echo "=== $f (tail)"; tail -40 "$f"; }
	done
fi

# The counts, and what failed by name, on the closing lines (t/results.sh)
. "$top/t/results.sh"
passed=0 failed=0 failed_tests=
count_regress "$work/regress.out" $regress_status
count_tap prove "$work/tap.out" $tap_status
count_check sanitizer-runtimes $runtime_status
count_check sanitizer-reports $reports_status
report_results
