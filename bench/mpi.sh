#!/usr/bin/env bash
# bench/mpi.sh: data-parallel training over MPI against threads (issue 18).
# In one run, on one corpus (wiki100m by default), trains
#   kensho      1 process  x 1 thread
#   kensho      1 process  x N threads
#   kensho-mpi  N ranks    x 1 thread
# for each N of --ranks (default 2; more ranks than cores share them) and
# each mode (corrected CBOW, skip-gram), and prints words/s (the
# corpus's training words times the epochs over rank 0's training seconds,
# so reading and writing are left out alike) and the Google analogy
# accuracy over the 30,000 most frequent words with WS-353's rho
# (bench/lib.sh's kensho_scores). Exits 77 when the corpus, the evaluation
# sets, kensho-mpi or mpirun are missing. Run it on a quiet machine: the
# runs of a mode compete for the same cores otherwise.
#
#   bench/mpi.sh                       # wiki100m, 5 epochs, seed 1
#   bench/mpi.sh --ranks "2 4" --seed 2
#   bench/mpi.sh --iter 1 --corpus small.txt --restrict 0   # a smoke run
#   bench/mpi.sh --split 2             # kensho-mpi -shard files
#
# With --split N the corpus is unpacked, broken into lines of at most
# 10,000 bytes at spaces (fold -s; wiki100m is one line) and dealt into N
# plain files of about equal size (split -n l/N); every setup then trains
# on those N files, so kensho-mpi with at most N ranks shards them by
# files (each rank reads only its own) instead of by chunks.
set -euo pipefail
export LC_ALL=C

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$bench_dir")
# shellcheck source=bench/lib.sh
. "$bench_dir/lib.sh"

corpus="$repo/../shared/data/wiki100m.txt.gz"
evaldir="$repo/../shared/data/eval"
iter=5
seed=1
restrict=30000
modes="cbow skipgram"
ranks=2
extra=
mpi_extra=
mpi_only=0
workdir=
split=0

while [ $# -gt 0 ]; do
	case $1 in
	--corpus) corpus=$2; shift 2 ;;
	--iter) iter=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--restrict) restrict=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--ranks) ranks=$2; shift 2 ;;
	--options) extra=$2; shift 2 ;;
	--mpi-options) mpi_extra=$2; shift 2 ;;
	--mpi-only) mpi_only=1; shift ;;
	--workdir) workdir=$2; shift 2 ;;
	--split) split=$2; shift 2 ;;
	-h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
		echo "Options: --corpus FILE --iter N --seed S --restrict N --modes \"cbow skipgram\" --ranks \"2 4\""
		echo "         --split N (train on N files: kensho-mpi shards by files)"
		echo "         --options \"MORE KENSHO OPTIONS\" --workdir DIR (keep logs)"
		echo "         --mpi-options \"KENSHO-MPI ONLY\" (-sync-words ...) --mpi-only (no kensho rows)"
		exit 0 ;;
	*) echo "bench/mpi.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*" >&2; exit 77; }
[ -f "$corpus" ] || skip "no corpus $corpus (see ../shared/data/README.md)"
[ -f "$evaldir/questions-words.txt" ] && [ -f "$evaldir/EN-WS-353-ALL.txt" ] ||
	skip "no evaluation sets in $evaldir"
[ -x "$repo/kensho-mpi" ] || skip "kensho-mpi not built (./configure --with-mpi)"
command -v mpirun >/dev/null 2>&1 || skip "mpirun missing (Debian: openmpi-bin)"

if [ -z "$workdir" ]; then
	workdir=$(mktemp -d "${TMPDIR:-/tmp}/kensho-mpi-bench.XXXXXX")
	trap 'rm -rf "$workdir"' EXIT
fi
mkdir -p "$workdir"
mpirun="mpirun --oversubscribe --bind-to none"
[ "$(id -u)" -ne 0 ] || mpirun="$mpirun --allow-run-as-root"

train=(-train "$corpus")
if [ "$split" -gt 0 ]; then
	gzip -cdf "$corpus" | fold -s -w 10000 >"$workdir/corpus.txt"
	(cd "$workdir" && split -n "l/$split" -d corpus.txt part.)
	rm -f "$workdir/corpus.txt"
	train=()
	for f in "$workdir"/part.*; do train+=(-train "$f"); done
fi

# Issue 2's settings, as bench/frontier.sh's common ones.
common="-size 100 -window 5 -negative 5 -min-count 5 -iter $iter -seed $seed -debug 1 $extra"

# run NAME CMD...: trains, then prints "words/s<TAB>google<TAB>covered<TAB>ws353".
run() {
	local name=$1 log="$workdir/$1.log" per secs
	shift
	"$@" -output "$workdir/$name.vec" 2>"$log" </dev/null || {
		tail -n 5 "$log" >&2
		echo "bench/mpi.sh: $name failed" >&2
		return 1
	}
	per=$(sed -n 's/.*; \([0-9]*\) training words\{0,1\} per epoch.*/\1/p' "$log" | head -n1)
	secs=$(sed -n 's/^done: .* in \([0-9.]*\)s of training.*/\1/p' "$log" | head -n1)
	awk -v w="$per" -v e="$iter" -v s="$secs" 'BEGIN { printf "%.0f\t", (s > 0 ? w * e / s : 0) }'
	kensho_scores "$repo/kensho-eval" "$workdir/$name.vec" "$evaldir/questions-words.txt" \
		"$evaldir/EN-WS-353-ALL.txt" "$restrict"
}

printf '# %s%s, %s epochs, seed %s, %s\n' "$(basename "$corpus")" \
	"$([ "$split" -gt 0 ] && echo " in $split files")" "$iter" "$seed" "$(date -u +%FT%TZ)"
printf 'mode\tsetup\twords/s\tgoogle%%\tcovered\tws353\n'
for mode in $modes; do
	case $mode in
	cbow) m="-cbow 1" ;;
	skipgram) m="-cbow 0" ;;
	*) echo "bench/mpi.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	[ "$mpi_only" -eq 1 ] ||
		printf '%s\t1x1\t%s\n' "$mode" "$(run "$mode-1x1" "$repo/kensho" "${train[@]}" $m $common -threads 1)"
	for n in $ranks; do
		# shellcheck disable=SC2086
		[ "$mpi_only" -eq 1 ] ||
			printf '%s\t1x%s\t%s\n' "$mode" "$n" "$(run "$mode-1x$n" "$repo/kensho" "${train[@]}" $m $common -threads "$n")"
		# shellcheck disable=SC2086
		printf '%s\t%sx1 mpi%s\t%s\n' "$mode" "$n" "${mpi_extra:+ $mpi_extra}" "$(run "$mode-${n}x1" $mpirun -np "$n" "$repo/kensho-mpi" "${train[@]}" $m $common $mpi_extra -threads 1)"
	done
done
