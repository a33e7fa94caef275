#!/bin/bash
#
# static-check.sh: cppcheck and clang-tidy on every C source; any finding
# fails.  The clang-tidy checks are listed, with the reasons for those left
# out, in .clang-tidy; the cppcheck ones here.  Prints "static checks: ok"
# or the findings.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
includes=(-I. "-I$(pg_config --includedir-server)")
sources=(*.c)

# cppcheck: warning, portability and performance checks (the style checks
# flag PostgreSQL idioms); PostgreSQL's headers are read, so that it knows
# ereport(ERROR) does not return, but not checked themselves.
cppcheck_out=$(cppcheck --quiet --std=c99 --max-configs=1 --inline-suppr \
	--enable=warning,portability,performance --library=posix \
	--suppress=missingIncludeSystem --suppress=toomanyconfigs \
	--suppress='*:/usr/include/*' \
	"${includes[@]}" "${sources[@]}" 2>&1) || true

# clang-tidy, one process per file
# shellcheck disable=SC2046
tidy_out=$(printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} \
	clang-tidy --quiet {} -- "${includes[@]}" $(pkg-config --cflags yaml-0.1 libcrypto) 2>&1 |
	grep -vE '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|NOLINT' || true)

status=0
if [ -n "$cppcheck_out" ]; then
	echo "cppcheck:"
	echo "$cppcheck_out"
	status=1
fi
if [ -n "$tidy_out" ]; then
	echo "clang-tidy:"
	echo "$tidy_out"
	status=1
fi
[ $status -eq 0 ] && echo "static checks: ok"
exit $status
