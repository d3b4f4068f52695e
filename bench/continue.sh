#!/usr/bin/env bash
# bench/continue.sh: continued training (issue 17). Splits a corpus into
# halves A and B (by lines: documents stay whole), trains on A and saves the
# model, continues on B with each vocabulary policy (and a halved rate),
# and compares with one training on A+B and a fresh one on B alone: Google
# analogy (total, semantic, syntactic), WS-353, MTurk-771, RG-65, wall
# time. With --gensim, the same comparison for gensim (Debian's
# python3-gensim): A then build_vocab(update=True) + train on B, against
# A+B and B alone. Writes bench/results/continue-TAG.{tsv,md}.
#
# Usage: bench/continue.sh [--corpus FILE] [--tag T] [--workdir DIR]
#        [--kensho BIN] [--kensho-eval BIN] [--opts "KENSHO OPTIONS"]
#        [--gensim] [--gensim-epochs N] [--no-kensho]
# The report lists the latest row of each tool and run in the TSV, so a
# --no-kensho --gensim run adds gensim's rows to kensho's.
# Exits 77 when ../shared/data is absent.
set -euo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
# shellcheck source=bench/lib.sh
. "$bench_dir/lib.sh"
data="$repo/../shared/data"
corpus="$data/wiki2014-docs.txt.gz"
tag=wiki2014-docs
workdir=
kensho="$repo/kensho"
kensho_eval="$repo/kensho-eval"
opts="-size 100 -threads 2 -seed 1 -iter 5"
gensim=0
gensim_epochs=5
with_kensho=1
while [ $# -gt 0 ]; do
	case $1 in
	--corpus) corpus=$2; shift 2 ;;
	--tag) tag=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--kensho) kensho=$2; shift 2 ;;
	--kensho-eval) kensho_eval=$2; shift 2 ;;
	--opts) opts=$2; shift 2 ;;
	--gensim) gensim=1; shift ;;
	--no-kensho) with_kensho=0; shift ;;
	--gensim-epochs) gensim_epochs=$2; shift 2 ;;
	*) echo "continue.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -f "$corpus" ] || { echo "continue.sh: $corpus absent: skipping" >&2; exit 77; }
evaldir="$data/eval"
[ -n "$workdir" ] || workdir=$(mktemp -d)
mkdir -p "$workdir"
results="$repo/bench/results"

# The halves, and the copies gensim's corpus_file mode needs (lines of at
# most 1000 words).
if [ ! -s "$workdir/B.txt" ]; then
	gzip -cdf -- "$corpus" >"$workdir/all.txt"
	n=$(wc -l <"$workdir/all.txt")
	head -n $((n / 2)) "$workdir/all.txt" >"$workdir/A.txt"
	tail -n +$((n / 2 + 1)) "$workdir/all.txt" >"$workdir/B.txt"
	rm -f "$workdir/all.txt"
fi
if [ "$gensim" = 1 ] && [ ! -s "$workdir/B.split" ]; then
	for h in A B; do
		perl -ne 'my $n = 0; while (/(\S+)/g) { print $n == 0 ? "" : ($n % 1000 ? " " : "\n"), $1; $n++ }
			print "\n" if $n;' "$workdir/$h.txt" >"$workdir/$h.split"
	done
	cat "$workdir/A.split" "$workdir/B.split" >"$workdir/AB.split"
fi
echo "continue.sh: A $(wc -w <"$workdir/A.txt") words, B $(wc -w <"$workdir/B.txt"); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

tsv="$results/continue-$tag.tsv"
header="date	commit	tool	run	options	wall_s	peak_rss_mb	google	semantic	syntactic	ws353	mturk771	rg65"
[ -s "$tsv" ] || echo "$header" >"$tsv"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
this="$workdir/this.tsv"
echo "$header" >"$this"

# run TOOL NAME VECTORS CMD...: times CMD, scores VECTORS, appends a row.
run() {
	local tool=$1 name=$2 out=$3 wall rss sc row
	shift 3
	if ! /usr/bin/time -v -o "$workdir/time" "$@" >"$workdir/$name.log" 2>&1 </dev/null; then
		echo "continue.sh: $name failed: $(tail -n 3 "$workdir/$name.log")" >&2
		return 1
	fi
	IFS=$'\t' read -r wall rss < <(awk '/Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%.1f\t%.0f\n", wall, rss }' "$workdir/time")
	sc=$(eval_scores "$kensho_eval" "$evaldir" "$out")
	row="$started	$commit	$tool	$name	${*:2}	$wall	$rss	$sc"
	echo "$row" >>"$tsv"
	echo "$row" >>"$this"
	echo "$tool $name: $wall s, $rss MB, $(cut -f1 <<<"$sc")% Google, WS-353 $(cut -f4 <<<"$sc")" >&2
}

k=$kensho
# shellcheck disable=SC2086
[ "$with_kensho" = 0 ] || {
	run kensho A "$workdir/A.vec" $k $opts -train "$workdir/A.txt" -output "$workdir/A.vec" \
		-save-model "$workdir/A.ksm"
	run kensho B-alone "$workdir/B.vec" $k $opts -train "$workdir/B.txt" -output "$workdir/B.vec"
	run kensho A+B "$workdir/AB.vec" $k $opts -train "$workdir/A.txt" -train "$workdir/B.txt" \
		-output "$workdir/AB.vec"
	run kensho A-then-B-grow "$workdir/G.vec" $k $opts -train "$workdir/B.txt" \
		-init "$workdir/A.ksm" -vocab-update grow -output "$workdir/G.vec"
	run kensho A-then-B-keep "$workdir/K.vec" $k $opts -train "$workdir/B.txt" \
		-init "$workdir/A.ksm" -vocab-update keep -output "$workdir/K.vec"
	run kensho A-then-B-grow-half-alpha "$workdir/H.vec" $k $opts -alpha 0.05 \
		-train "$workdir/B.txt" -init "$workdir/A.ksm" -output "$workdir/H.vec"
}
if [ "$gensim" = 1 ]; then
	# Debian's python3-gensim is seen by /usr/bin/python3, not always by the one in PATH.
	python=
	for p in /usr/bin/python3 python3; do
		if "$p" -c 'import gensim' 2>/dev/null; then python=$p; break; fi
	done
	[ -n "$python" ] || { echo "continue.sh: no python3 with gensim (apt-get install python3-gensim)" >&2; exit 1; }
	g="$python $bench_dir/gensim-continue.py --epochs $gensim_epochs"
	# shellcheck disable=SC2086
	{
		run gensim A "$workdir/gA.vec" $g --first "$workdir/A.split" --output "$workdir/gA.vec"
		run gensim B-alone "$workdir/gB.vec" $g --first "$workdir/B.split" --output "$workdir/gB.vec"
		run gensim A+B "$workdir/gAB.vec" $g --first "$workdir/AB.split" --output "$workdir/gAB.vec"
		run gensim A-then-B-update "$workdir/gU.vec" $g --first "$workdir/A.split" \
			--second "$workdir/B.split" --output "$workdir/gU.vec"
	}
fi

md="$results/continue-$tag.md"
{
	echo "# Continued training on $tag halves ($started, $commit)"
	echo
	echo "kensho options: \`$opts\` (CBOW, corrected). gensim: CBOW, window 8, sample 1e-4, $gensim_epochs epochs, 2 workers (A then B: build_vocab(update=True) + train)."
	echo "Load when started: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "| tool | run | wall s | peak MB | Google % | sem % | syn % | WS-353 | MTurk-771 | RG-65 |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' 'NR > 1 { k = $3 "\t" $4; if (!(k in row)) order[n++] = k; row[k] = $0 }
		END { for (i = 0; i < n; i++) { split(row[order[i]], f, "\t")
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[3], f[4], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13] } }' "$tsv"
} >"$md"
cat "$md"
