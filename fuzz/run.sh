#!/bin/bash
#
# fuzz/run.sh [SECONDS]: build the libFuzzer harness of the fixture and DSN
# parsers (with ASan and UBSan, outside the server) and run it for SECONDS
# (default 60), seeded with the malformed corpus and the example fixture.
# Findings are written to fuzz/findings/; the exit status is libFuzzer's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
seconds=${1:-60}
build=$(mktemp -d /tmp/sentry_fixtures-fuzz.XXXXXX)
trap 'rm -rf "$build"' EXIT

clang -g -O1 -Wno-ignored-attributes -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top" -I"$here" -I"$(pg_config --includedir-server)" $(pkg-config --cflags yaml-0.1) \
	"$here/fuzz_parsers.c" "$here/pg_shim.c" "$top/fixture.c" "$top/dsn.c" \
	-L"$(pg_config --pkglibdir)" -lpgport $(pkg-config --libs yaml-0.1) -lm -o "$build/fuzz_parsers"

mkdir -p "$build/corpus" "$here/findings"
cp "$top"/t/corpus/*.yml "$top/example.yml" "$build/corpus/"
cd "$here/findings"
"$build/fuzz_parsers" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 "$build/corpus"
