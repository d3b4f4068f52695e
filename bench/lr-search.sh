#!/usr/bin/env bash
# bench/lr-search.sh: the learning-rate search behind kensho's CBOW defaults.
#
# Trains kensho on one corpus for every (alpha, input-rate-scale) pair given,
# evaluates each run on the Google analogies (30k most frequent words) and
# WS-353, and prints one tab-separated line per run:
#   mode alpha scale seed wall_s analogy% ws353
# Usage: bench/lr-search.sh [-m corrected|word2vec] [-s SEEDS] ALPHAS SCALES
#   ALPHAS and SCALES are comma-separated lists, e.g. 0.075,0.15 1,2,4.
# Other settings are issue 2's: -size 100 -window 5 -negative 5 -sample 1e-3
# -min-count 5 -iter 5 -threads 2 on ../shared/data/wiki100m.txt.gz.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${KS_SHARED_DATA:-$repo/../shared/data}
corpus=${CORPUS:-$data/wiki100m.txt.gz}
kensho=${KENSHO:-$repo/kensho}
kensho_eval=${KENSHO_EVAL:-$repo/kensho-eval}
mode=corrected
seeds=1
while getopts "m:s:" opt; do
	case $opt in
	m) mode=$OPTARG ;;
	s) seeds=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-m MODE] [-s SEEDS] ALPHAS SCALES" >&2; exit 2; }
[ -f "$corpus" ] || { echo "$0: no corpus $corpus" >&2; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kensho-lr.XXXXXX")
trap 'rm -rf "$work"' EXIT

IFS=, read -r -a alphas <<<"$1"
IFS=, read -r -a scales <<<"$2"
IFS=, read -r -a seedlist <<<"$seeds"
for seed in "${seedlist[@]}"; do
	for a in "${alphas[@]}"; do
		for s in "${scales[@]}"; do
			start=$(date +%s.%N)
			"$kensho" -train "$corpus" -output "$work/v.bin" -binary 1 \
				-cbow 1 -cbow-update "$mode" -alpha "$a" -input-rate-scale "$s" \
				-size 100 -window 5 -negative 5 -sample 1e-3 -min-count 5 \
				-iter 5 -threads 2 -seed "$seed" -quiet
			end=$(date +%s.%N)
			acc=$("$kensho_eval" analogy -quiet -json -restrict 30000 "$work/v.bin" \
				"$data/eval/questions-words.txt" |
				python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f" % (100*d["results"][0]["total"]["accuracy"]))')
			rho=$("$kensho_eval" similarity -quiet -json "$work/v.bin" \
				"$data/eval/EN-WS-353-ALL.txt" |
				python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.4f" % d["results"][0]["spearman"])')
			printf '%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n' "$mode" "$a" "$s" "$seed" \
				"$(echo "$end - $start" | bc)" "$acc" "$rho"
		done
	done
done
