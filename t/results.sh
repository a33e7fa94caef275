# t/results.sh: how test.sh, sanitize.sh and t/pg_matrix.sh count what
# their runners printed, and name what failed.  Sourced, not run.
#
# Each count_* function adds to three variables of its caller, which sets
# them first: passed and failed (numbers) and failed_tests (names, each
# after a space).  A runner whose status says it failed without printing
# a failing test (a crash, a plan cut short, a file that died before its
# first test) counts as one failure.  report_results prints the closing
# lines: "failed tests: NAME..." when anything failed, so that a log cut
# to its last lines still says what, and last "N passed, N failed".
#
# The functions use if, not "a && b", so that none ends with a false
# status under set -e.

# How many lines of the files match the extended regular expression $1
# (0 when a file is missing: a runner that never ran prints nothing)
count_lines() {
	local pattern=$1
	shift
	{ cat "$@" 2>/dev/null || true; } | { grep -cE "$pattern" || true; }
}

# Add $3 failing tests named $4 of the runner $1, which exited with status
# $2; a runner that failed with none counts once, under its own name
count_runner() {
	local name=$1 status=$2 failing=$3 names=$4
	failed=$((failed + failing))
	if [ "$status" -ne 0 ] && [ "$failing" -eq 0 ]; then
		failed=$((failed + 1))
	fi
	if [ "$status" -ne 0 ] || [ "$failing" -ne 0 ]; then
		failed_tests+=" ${names:-$name}"
	fi
}

# The output $1 of a pg_regress run that exited with status $2: up to
# PostgreSQL 15 "test NAME ... ok" (indented in a parallel group), from
# 16 on "ok N - NAME  T ms" ("+" in a parallel group)
count_regress() {
	local log=$1 status=$2 names
	passed=$((passed + $(count_lines '\.\.\. ok|^ok [0-9]+ ' "$log")))
	names=$(sed -nE -e 's/^(test +| +)?([A-Za-z0-9_]+) +\.\.\. FAILED.*/\2/p' \
		-e 's/^not ok +[0-9]+ +[-+] +([A-Za-z0-9_]+) +[0-9]+ ms$/\1/p' "$log" 2>/dev/null | paste -sd ' ' - || true)
	count_runner pg_regress "$status" \
		"$(count_lines '\.\.\. FAILED|failed \(ignored\)|^not ok [0-9]+ ' "$log")" "$names"
}

# The TAP output $2 of the runner $1 (a script, or prove --verbose) that
# exited with status $3.  Each "not ok" is a failure, and so is each file
# that prove's summary lists with none (it died, or its plan was wrong).
# Failures are named by the files of that summary, else by the runner.
count_tap() {
	local name=$1 log=$2 status=$3 summary names failing
	summary=$(sed -n '/^Test Summary Report/,$p' "$log" 2>/dev/null || true)
	passed=$((passed + $(count_lines '^\s*ok [0-9]+' "$log")))
	names=$(sed -nE 's/^(t\/[A-Za-z0-9_]+\.pl) +\(Wstat.*/\1/p' <<<"$summary" | paste -sd ' ' - || true)
	failing=$(($(count_lines '^\s*not ok [0-9]+' "$log") +
		$(grep -cE '^t/[A-Za-z0-9_]+\.pl +\(Wstat: .* Failed: 0\)' <<<"$summary" || true)))
	count_runner "$name" "$status" "$failing" "$names"
}

# One check $1 that passed (status $2 is 0) or failed as a whole
count_check() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failed_tests+=" $1"
	fi
}

# The closing lines; the status is non-zero when anything failed
report_results() {
	if [ -n "${failed_tests# }" ]; then
		echo "failed tests: ${failed_tests# }"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
