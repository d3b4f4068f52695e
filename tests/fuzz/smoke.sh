#!/bin/sh
# Runs each libFuzzer harness for $FUZZ_SECONDS seconds (default 20) on its
# seeds, as `make fuzz-smoke` does; fails if any harness finds a crash, a
# leak or a timeout (60 s for one input). New inputs go to
# BUILDDIR/corpus/NAME (the seeds in the source tree are only read); crash
# files go to BUILDDIR/crashes/.
#
# Usage: smoke.sh SEEDDIR BUILDDIR NAME...
set -u
seeds=$1
builddir=$2
shift 2
secs=${FUZZ_SECONDS:-20}
failed=
mkdir -p "$builddir/crashes" || exit 1
for name in "$@"; do
	bin=$builddir/fuzz_$name
	corpus=$builddir/corpus/$name
	log=$builddir/fuzz_$name.log
	mkdir -p "$corpus" || exit 1
	echo "fuzz-smoke: fuzz_$name for ${secs}s"
	if "$bin" -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$builddir/crashes/$name-" "$corpus" "$seeds/$name" >"$log" 2>&1; then
		grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units)' "$log" | sed 's/^/  /'
	else
		echo "FAIL: fuzz_$name; the last lines of $log:" >&2
		tail -n 30 "$log" >&2
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz-smoke: crashes in:$failed (inputs in $builddir/crashes/)" >&2
	exit 1
fi
echo "fuzz-smoke: all harnesses ran clean"
