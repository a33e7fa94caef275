#!/bin/bash
#
# t/failed_tests.sh: the names of the tests that failed, read from the
# output of a pg_regress run and of a prove run.
#
#   t/failed_tests.sh REGRESS_OUTPUT TAP_OUTPUT
#
# Prints the names on one line, separated by spaces (nothing when none
# failed): each failing pg_regress test (up to 15 "test NAME ... FAILED",
# from 16 on "not ok N - NAME  T ms"), then each TAP file that prove's
# summary lists, which includes a file that died before its first test.
# test.sh, sanitize.sh and t/pg_matrix.sh put them on their closing lines,
# so that a log cut to its last lines still says what failed.
set -uo pipefail

regress=$1
tap=$2

{
	[ -f "$regress" ] && sed -nE \
		-e 's/^(test +| +)?([A-Za-z0-9_]+) +\.\.\. FAILED.*/\2/p' \
		-e 's/^not ok +[0-9]+ +[-+] +([A-Za-z0-9_]+) +[0-9]+ ms$/\1/p' "$regress"
	[ -f "$tap" ] && sed -n '/^Test Summary Report/,$p' "$tap" |
		sed -nE 's/^(t\/[A-Za-z0-9_]+\.pl) +\(Wstat.*/\1/p'
} | paste -sd ' ' -
# never a failure of its own: the callers run under set -e
exit 0
