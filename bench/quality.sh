#!/usr/bin/env bash
# bench/quality.sh: does the fast skip-gram kernel lose quality against the
# plain one? Issue 4's rule: every speed technique keeps analogy accuracy
# (30,000 most frequent words) within 0.5 points and WS-353 Spearman within
# 0.01 of the reference kernels at the same seed and settings.
#
# Usage: bench/quality.sh [SEEDS] [EPOCHS] [CORPUS]
#   SEEDS   seeds to train with, default "1 2 3"; each trains skip-gram with
#           -kernel fast and with -kernel reference, same settings otherwise
#   EPOCHS  default 1 (bench/run.sh's setting; 5 is issue 2's)
#   CORPUS  default ../shared/data/wiki100m.txt.gz (exit 77 without it or
#           without the evaluation sets in ../shared/data/eval)
#
# Settings are the bench's: 2 threads (THREADS to change), d=100, window 5,
# 5 negatives. CBOW has no switch: its speed techniques (prefetching,
# padded rows, the vector kernels) leave one-thread vectors bit-identical,
# which tests and commits check with cmp. Prints each pair of runs, the
# medians of the differences (fast minus reference) and PASS or FAIL: FAIL
# when the fast kernel loses more than the rule allows (being better by
# more is reported, not failed); exits 1 on FAIL. Takes about 45 s per seed and epoch
# on 2 cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
seeds=${1:-1 2 3}
epochs=${2:-1}
data=${KS_SHARED_DATA:-$repo/../shared/data}
corpus=${3:-$data/wiki100m.txt.gz}
threads=${THREADS:-2}
kensho=${KENSHO:-$repo/kensho}
kensho_eval=${KENSHO_EVAL:-$repo/kensho-eval}
analogy_file=$data/eval/questions-words.txt
similarity_file=$data/eval/EN-WS-353-ALL.txt
for f in "$corpus" "$analogy_file" "$similarity_file"; do
	[ -f "$f" ] || { echo "$0: no $f" >&2; exit 77; }
done
for b in "$kensho" "$kensho_eval"; do
	[ -x "$b" ] || { echo "$0: build $b first (or set KENSHO and KENSHO_EVAL)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/kensho-quality.XXXXXX")
trap 'rm -rf "$work"' EXIT

# score VECTORS: "analogy_percent rho" (kensho-eval's figures, as the bench's).
score() {
	kensho_scores "$kensho_eval" "$1" "$analogy_file" "$similarity_file" 30000 |
		awk -F'\t' '{ print $1, $3 }'
}

echo "skip-gram, $epochs epoch(s), $threads threads, $(basename "$corpus"); fast minus reference"
printf '%-5s %9s %9s %7s %9s %9s %8s\n' seed fast_an ref_an d_an fast_rho ref_rho d_rho
: >"$work/diffs"
for seed in $seeds; do
	for kernel in fast reference; do
		"$kensho" -train "$corpus" -output "$work/$kernel.vec" -cbow 0 -kernel "$kernel" \
			-iter "$epochs" -threads "$threads" -seed "$seed" -size 100 -window 5 \
			-negative 5 -quiet
		score "$work/$kernel.vec" >"$work/$kernel.score"
	done
	read -r fa fr <"$work/fast.score"
	read -r ra rr <"$work/reference.score"
	awk -v s="$seed" -v fa="$fa" -v ra="$ra" -v fr="$fr" -v rr="$rr" 'BEGIN {
		printf "%-5s %8.2f%% %8.2f%% %+7.2f %9.4f %9.4f %+8.4f\n", s, fa, ra, fa - ra, fr, rr, fr - rr
	}'
	awk -v fa="$fa" -v ra="$ra" -v fr="$fr" -v rr="$rr" \
		'BEGIN { printf "%.4f %.6f\n", fa - ra, fr - rr }' >>"$work/diffs"
done
# The medians of the differences, and the verdict against the rule.
d_an=$(cut -d' ' -f1 "$work/diffs" | median)
d_rho=$(cut -d' ' -f2 "$work/diffs" | median)
verdict=$(awk -v a="$d_an" -v r="$d_rho" 'BEGIN {
	if (a < -0.5 || r < -0.01) print "FAIL"
	else if (a > 0.5 || r > 0.01) print "PASS (the fast kernel is better)"
	else print "PASS" }')
printf 'median difference: analogy %+.2f points, WS-353 %+.4f\n' "$d_an" "$d_rho"
echo "verdict: $verdict (a loss of more than 0.5 points or 0.01 fails)"
[ "${verdict%% *}" = PASS ]
