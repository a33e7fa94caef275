#!/bin/bash
#
# t/layering.sh: two rules of the code's structure, checked on the built
# objects and the sources.  Prints TAP ("ok N - ..."), exits non-zero on
# any failure.  Run by test.sh after the build.
#
#  1. The functions called between the .c files form no cycle: each
#     object's undefined symbols that another object defines as a function
#     (nm type T) are edges; tsort finds any loop.  Variables (the GUCs in
#     sentry_fixtures.c that lower modules read) are not calls.
#  2. No SQL compares with "= ANY ($n)", "<> ALL ($n)" or "<> ALL (SELECT
#     ...)": over arrays that grow with the fixture or the database they
#     are planned element by element (tablewrite.c's header gives the
#     figures); a join over unnest($n) or NOT EXISTS is used instead.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tests=0
failures=0

# Report one result: ok or not ok with its description and details
report() {
	local status=$1 description=$2 details=$3
	tests=$((tests + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tests - $description"
	else
		failures=$((failures + 1))
		echo "not ok $tests - $description"
		printf '%s\n' "$details" | sed 's/^/# /'
	fi
}

# the objects of this tree's sources (a stale object of a removed file is not read)
objects=$(for c in ./*.c; do [ -f "${c%.c}.o" ] && echo "${c%.c}.o"; done)
if [ -z "$objects" ]; then
	report 1 "objects to read (run make first)" "no *.o in $top"
else
	edges=$(
		for o in $objects; do
			nm --defined-only "$o" | awk -v f="${o#./}" '$2 == "T" { print "DEF", f, $3 }'
			nm --undefined-only "$o" | awk -v f="${o#./}" '{ print "USE", f, $NF }'
		done | awk '$1 == "DEF" { def[$3] = $2; next }
			{ use[NR] = $2 " " $3 }
			END { for (k in use) { split(use[k], p, " ");
				if ((p[2] in def) && def[p[2]] != p[1]) print p[1], def[p[2]] } }' | sort -u)
	loop=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null)
	report "$([ -z "$loop" ] && echo 0 || echo 1)" \
		"no cycle in the calls between the .c files ($(printf '%s\n' "$edges" | wc -l) edges)" "$loop"
fi

found=$(grep -nE '(=|<>|!=) *(ANY|ALL) *\( *\$[0-9]|(<>|!=) *ALL *\( *SELECT' ./*.c | grep -v '^\./tablewrite\.c:[0-9]*: \*' || true)
report "$([ -z "$found" ] && echo 0 || echo 1)" \
	"no = ANY (\$n) or <> ALL over parameter arrays in the SQL of the C sources" "$found"

[ "$failures" -eq 0 ]
