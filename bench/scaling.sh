#!/usr/bin/env bash
# bench/scaling.sh: how kensho's training speed scales from one thread to
# two, next to what the machine itself gives two independent processes.
#
# Usage: bench/scaling.sh [RUNS] [CORPUS]
#   RUNS    rounds, default 5; each round trains CBOW and skip-gram with
#           -threads 1, with -threads 2, and as two -threads 1 processes at
#           once (the "pair"), all for one epoch with the issue's settings
#   CORPUS  default ../shared/data/wiki100m.txt.gz (exit 77 without it)
#
# Speeds are kensho's own training words/s (the "done:" line: corpus words
# over the seconds of training, load and output excluded). The pair's speed
# is the sum of its two processes while both ran: it is the machine's
# ceiling for two threads that share nothing, so a ratio "2t/1t" well below
# "pair/1t" is the trainer's own loss, while both low means the two
# virtual CPUs were not two free cores at the time. Each round also gives
# the round trip of one cache line between CPUs 0 and 1 (bench/c2c.c,
# built with $CC or cc), which is what a row written by both threads
# costs. Prints every round and the medians.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
runs=${1:-5}
corpus=${2:-${KS_SHARED_DATA:-$repo/../shared/data}/wiki100m.txt.gz}
kensho=${KENSHO:-$repo/kensho}
[ -f "$corpus" ] || { echo "$0: no corpus $corpus" >&2; exit 77; }
[ -x "$kensho" ] || { echo "$0: build kensho first (or set KENSHO)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kensho-scaling.XXXXXX")
trap 'rm -rf "$work"' EXIT
c2c="$work/c2c"
"${CC:-cc}" -O2 -pthread -o "$c2c" "$repo/bench/c2c.c" 2>/dev/null || c2c=

# speed NAME: training words/s, in words, from the log NAME.err.
speed() {
	sed -n 's/.*training (\([0-9.]*\)\([kM]\) words\/s,.*/\1 \2/p' "$work/$1.err" |
		awk '{ printf "%.0f\n", $1 * ($2 == "M" ? 1e6 : 1e3) }'
}

# train NAME THREADS MODE...: one run, its log in NAME.err.
train() {
	local name=$1 threads=$2
	shift 2
	"$kensho" -train "$corpus" -output "$work/$name.bin" -binary 1 -iter 1 -size 100 \
		-window 5 -negative 5 -sample 1e-3 -min-count 5 -seed 1 -threads "$threads" \
		"$@" >/dev/null 2>"$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
	rm -f "$work/$name.bin"
}

: >"$work/rows"
for ((r = 1; r <= runs; r++)); do
	if [ -n "$c2c" ] && ns=$("$c2c" 0 1 2>/dev/null); then
		echo "round $r line: a cache line's round trip between CPUs 0 and 1 takes $ns ns"
		echo "$ns" >>"$work/c2c_ns"
	fi
	for mode in cbow sg; do
		flag=1
		[ "$mode" = sg ] && flag=0
		train one 1 -cbow "$flag"
		train two 2 -cbow "$flag"
		# The pair: both start together; each one's speed is over its own
		# training time, which the other overlaps almost entirely.
		train a 1 -cbow "$flag" &
		pid=$!
		train b 1 -cbow "$flag"
		wait "$pid"
		one=$(speed one) two=$(speed two) pair=$(($(speed a | cut -d. -f1) + $(speed b | cut -d. -f1)))
		echo "$mode $one $two $pair" >>"$work/rows"
		awk -v r="$r" -v m="$mode" -v o="$one" -v t="$two" -v p="$pair" 'BEGIN {
			printf "round %d %-4s 1t %5.2fM  2t %5.2fM (%.2fx)  pair %5.2fM (%.2fx)\n",
			       r, m, o / 1e6, t / 1e6, t / o, p / 1e6, p / o }'
	done
done

echo
echo "median of $runs rounds (training words/s, 1 epoch, $(basename "$corpus"))"
printf '%-5s %10s %10s %10s %8s %8s\n' mode 1_thread 2_threads pair 2t/1t pair/1t
for mode in cbow sg; do
	one=$(awk -v m="$mode" '$1 == m { print $2 }' "$work/rows" | median)
	two=$(awk -v m="$mode" '$1 == m { print $3 }' "$work/rows" | median)
	pair=$(awk -v m="$mode" '$1 == m { print $4 }' "$work/rows" | median)
	# The ratios' medians are taken round by round, not from the medians above.
	r2=$(awk -v m="$mode" '$1 == m { print $3 / $2 }' "$work/rows" | median)
	rp=$(awk -v m="$mode" '$1 == m { print $4 / $2 }' "$work/rows" | median)
	awk -v m="$mode" -v o="$one" -v t="$two" -v p="$pair" -v r2="$r2" -v rp="$rp" 'BEGIN {
		printf "%-5s %9.2fM %9.2fM %9.2fM %7.2fx %7.2fx\n", m, o / 1e6, t / 1e6, p / 1e6, r2, rp }'
done
if [ -s "$work/c2c_ns" ]; then
	echo "a cache line's round trip between CPUs 0 and 1: median $(median <"$work/c2c_ns") ns"
fi
