#!/usr/bin/env bash
# bench/frontier.sh: quality against wall time (issue 15). Trains every
# point of a grid (tool, mode, settings) on one corpus, scores each with
# kensho-eval (Google analogies over the 30,000 most frequent words, total,
# semantic and syntactic; Spearman on WS-353, MTurk-771 and RG-65), and
# writes a table with each mode's upper envelope (the best Google score
# reached within each time budget) and a PNG chart of Google accuracy and
# WS-353 against seconds, one envelope per mode.
#
#   bench/frontier.sh                         # wiki100m, the full grid, seed 1
#   bench/frontier.sh --grid docs --corpus ../shared/data/wiki2014-docs.txt.gz
#   bench/frontier.sh --points my-points.txt --seeds "1 2"
#   bench/frontier.sh --report a.tsv --report b.tsv --tag both   # no training
#
# A point is one line: NAME TOOL MODE OPTIONS..., with kensho's option
# names (-iter -sample -negative -window -size -alpha -hs, and for kensho any
# other); for fastText and gensim those are translated (-hs 1 is fastText's
# -loss hs and gensim's hs=1). Modes: cbow
# (corrected), cbow-word2vec, skipgram (kensho); cbow, skipgram (peers).
# Common settings: min-count 5, 2 threads, -size 100, -window 5,
# -negative 5 unless a point says otherwise. Wall time and peak memory
# come from GNU time -v and cover the whole process (reading, training,
# writing). Run on a quiet machine: nothing else beside it.
set -euo pipefail
export LC_ALL=C

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$bench_dir")
# shellcheck source=bench/lib.sh
. "$bench_dir/lib.sh"

corpus="$repo/../shared/data/wiki100m.txt.gz"
evaldir="$repo/../shared/data/eval"
grid=wiki100m
points_file=
seeds=1
threads=2
results="$bench_dir/results"
workdir=
tag=
kensho="$repo/kensho"
kensho_eval="$repo/kensho-eval"
reports=()

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
	cat <<EOF

Options:
  --corpus FILE     training corpus, plain or gzip (default: wiki100m)
  --grid NAME       built-in grid: wiki100m (default), docs (fewer, for
                    wiki2014-docs), quick (a handful, for a smoke run)
  --points FILE     the points to run instead of a built-in grid
  --seeds "S..."    seeds; each point runs once per seed (default 1)
  --threads N       threads of every tool (default 2)
  --results DIR     where frontier-TAG.md/.tsv/.png go (default bench/results)
  --tag TAG         name of the result files (default: the corpus's name)
  --workdir DIR     keep the unpacked corpus and logs here
  --kensho PATH     the kensho binary (default ./kensho of the checkout)
  --report TSV      train nothing: the table and chart of the rows of
                    earlier runs' frontier-*.tsv (repeat it to merge runs;
                    rows of one tool, mode and point name count as seeds)
EOF
}

die() {
	echo "frontier.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--corpus) corpus=$2; shift 2 ;;
	--grid) grid=$2; shift 2 ;;
	--points) points_file=$2; shift 2 ;;
	--seeds) seeds=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--tag) tag=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--kensho) kensho=$2; kensho_eval="$(dirname "$2")/kensho-eval"; shift 2 ;;
	--report) reports+=("$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

header="date	commit	corpus	name	tool	mode	seed	options	wall_s	peak_rss_mb	google	semantic	syntactic	ws353	mturk771	rg65"
if [ ${#reports[@]} -gt 0 ]; then
	[ -n "$tag" ] || die "--report needs --tag (the name of the merged files)"
	for f in "${reports[@]}"; do
		[ -r "$f" ] || die "$f: cannot read it"
		[ "$(head -n 1 "$f")" = "$header" ] || die "$f: not a frontier.sh TSV (its first line is not the header)"
	done
	command -v gnuplot >/dev/null 2>&1 || echo "frontier.sh: no gnuplot (Debian: gnuplot-nox): no chart" >&2
	[ -n "$workdir" ] || { workdir=$(mktemp -d "${TMPDIR:-/tmp}/kensho-frontier.XXXXXX"); rm_workdir=1; }
	mkdir -p "$workdir" "$results"
	this="$workdir/this.tsv"
	{ echo "$header"; for f in "${reports[@]}"; do tail -n +2 "$f"; done; } >"$this"
	[ "$(wc -l <"$this")" -gt 1 ] || die "no rows in ${reports[*]}"
	# The merged rows, beside their table and chart.
	cp "$this" "$results/frontier-$tag.tsv.tmp" && mv "$results/frontier-$tag.tsv.tmp" "$results/frontier-$tag.tsv"
	names=$(for f in "${reports[@]}"; do basename "$f"; done | paste -sd, - | sed 's/,/, /g')
	about="Merged with --report from $names (each row's date and commit are in frontier-$tag.tsv; $threads threads as --threads says, the rows do not record it)."
else
# Training: everything up to the report.
if [ ! -f "$corpus" ] || [ ! -d "$evaldir" ]; then
	echo "frontier.sh: $corpus or $evaldir is missing: skipped" >&2
	exit 77
fi
[ -x "$kensho" ] && [ -x "$kensho_eval" ] || die "build kensho first (or give --kensho)"
# Installs what is missing from Debian, as bench/run.sh does.
missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
command -v fasttext >/dev/null 2>&1 || missing+=(fasttext)
/usr/bin/python3 -c 'import gensim' 2>/dev/null || python3 -c 'import gensim' 2>/dev/null ||
	missing+=(python3-gensim)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	command -v apt-get >/dev/null 2>&1 || die "missing: ${missing[*]}, and no apt-get to install them"
	${sudo[@]+"${sudo[@]}"} apt-get install -y "${missing[@]}" >&2 ||
		{ ${sudo[@]+"${sudo[@]}"} apt-get update >&2 &&
		  ${sudo[@]+"${sudo[@]}"} apt-get install -y "${missing[@]}" >&2; } ||
		die "apt-get could not install ${missing[*]}"
fi
[ -n "$tag" ] || tag=$(basename "$corpus" | sed 's/\.txt\.gz$//; s/\.gz$//; s/\.txt$//')

# The built-in grids. Each mode sweeps what trades time for quality: epochs
# and subsampling first, then negatives, window and dimension near where
# the curves meet.
grid_points() {
	case $1 in
	quick)
		cat <<'EOF'
c1 kensho cbow -iter 1
c3s4 kensho cbow -iter 3 -sample 1e-4
s1 kensho skipgram -iter 1
EOF
		;;
	wiki100m)
		cat <<'EOF'
c1 kensho cbow -iter 1
c3 kensho cbow -iter 3
c5 kensho cbow -iter 5
c10 kensho cbow -iter 10
c3s4 kensho cbow -iter 3 -sample 1e-4
c5s4 kensho cbow -iter 5 -sample 1e-4
c8s4 kensho cbow -iter 8 -sample 1e-4
c10s4 kensho cbow -iter 10 -sample 1e-4
c15s4 kensho cbow -iter 15 -sample 1e-4
c20s4 kensho cbow -iter 20 -sample 1e-4
c10s4n10 kensho cbow -iter 10 -sample 1e-4 -negative 10
c10s4w8 kensho cbow -iter 10 -sample 1e-4 -window 8
c10s4d200 kensho cbow -iter 10 -sample 1e-4 -size 200
w5 kensho cbow-word2vec -iter 5
w10s4 kensho cbow-word2vec -iter 10 -sample 1e-4
w15s4 kensho cbow-word2vec -iter 15 -sample 1e-4
s1 kensho skipgram -iter 1
s2 kensho skipgram -iter 2
s5 kensho skipgram -iter 5
s1s4 kensho skipgram -iter 1 -sample 1e-4
s2s4 kensho skipgram -iter 2 -sample 1e-4
s3s4 kensho skipgram -iter 3 -sample 1e-4
s5s4 kensho skipgram -iter 5 -sample 1e-4
s10s4 kensho skipgram -iter 10 -sample 1e-4
ftc5 fasttext cbow -iter 5
fts5 fasttext skipgram -iter 5
gc5 gensim cbow -iter 5
EOF
		;;
	docs)
		cat <<'EOF'
c5 kensho cbow -iter 5
c3s4 kensho cbow -iter 3 -sample 1e-4
c5s4 kensho cbow -iter 5 -sample 1e-4
c10s4 kensho cbow -iter 10 -sample 1e-4
s5 kensho skipgram -iter 5
s2s4 kensho skipgram -iter 2 -sample 1e-4
s5s4 kensho skipgram -iter 5 -sample 1e-4
ftc5 fasttext cbow -iter 5
EOF
		;;
	*) die "unknown grid '$1' (wiki100m, docs, quick)" ;;
	esac
}

[ -n "$workdir" ] || { workdir=$(mktemp -d "${TMPDIR:-/tmp}/kensho-frontier.XXXXXX"); rm_workdir=1; }
mkdir -p "$workdir" "$results"
if [ -n "$points_file" ]; then
	# Read whole before writing: the file may be $workdir/points itself.
	pts=$(grep -v '^[[:space:]]*\(#\|$\)' "$points_file") || die "no points in $points_file"
	printf '%s\n' "$pts" >"$workdir/points"
else
	grid_points "$grid" >"$workdir/points"
fi

# Unpacked once; the peers get a copy cut into lines of 1000 words (as
# bench/run.sh gives them: gensim learns next to nothing from one 100 MB line).
plain="$workdir/corpus.txt"
split="$workdir/corpus.split.txt"
if [ ! -s "$plain" ]; then
	gzip -cdf -- "$corpus" >"$plain.tmp" && mv "$plain.tmp" "$plain"
fi
if grep -q ' \(fasttext\|gensim\) ' "$workdir/points" && [ ! -s "$split" ]; then
	perl -ne 'my $n = 0; while (/(\S+)/g) { print $n == 0 ? "" : ($n % 1000 ? " " : "\n"), $1; $n++ }
		print "\n" if $n;' "$plain" >"$split.tmp" && mv "$split.tmp" "$split"
fi
# The Python that has gensim: Debian's, not one earlier in PATH (pyenv).
python=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import gensim' 2>/dev/null; then
		python=$(command -v "$p")
		break
	fi
done

# opt NAME DEFAULT OPTIONS...: the value of -NAME among OPTIONS.
opt() {
	local name=$1 val=$2
	shift 2
	while [ $# -gt 1 ]; do
		[ "$1" = "-$name" ] && val=$2
		shift
	done
	echo "$val"
}

# command TOOL MODE SEED OUT OPTIONS...: the training command, one word per line.
command_for() {
	local tool=$1 mode=$2 seed=$3 out=$4
	shift 4
	local iter sample neg win dim hs
	iter=$(opt iter 5 "$@") sample=$(opt sample 1e-3 "$@") neg=$(opt negative 5 "$@")
	win=$(opt window 5 "$@") dim=$(opt size 100 "$@") hs=$(opt hs 0 "$@")
	case $tool in
	kensho)
		printf '%s\n' "$kensho" -train "$plain" -output "$out" -binary 1 -min-count 5 \
			-threads "$threads" -seed "$seed" -debug 1
		case $mode in
		cbow) printf '%s\n' -cbow 1 ;;
		cbow-word2vec) printf '%s\n' -cbow 1 -cbow-update word2vec ;;
		skipgram) printf '%s\n' -cbow 0 ;;
		*) die "kensho has no mode '$mode'" ;;
		esac
		[ $# -eq 0 ] || printf '%s\n' "$@"
		;;
	fasttext)
		printf '%s\n' fasttext "$mode" -input "$split" -output "${out%.vec}" -dim "$dim" \
			-ws "$win" -neg "$neg" -t "$sample" -minCount 5 -epoch "$iter" \
			-thread "$threads" -minn 0 -maxn 0 -seed "$seed"
		# fastText has one loss at a time: -hs 1 is its -loss hs, negatives unused.
		[ "$hs" = 1 ] && printf '%s\n' -loss hs
		;;
	gensim)
		local sg=0
		[ "$mode" = skipgram ] && sg=1
		printf '%s\n' "$python" "$bench_dir/gensim-train.py" --corpus "$split" \
			--output "$out" --sg "$sg" --dim "$dim" --window "$win" --negative "$neg" \
			--sample "$sample" --min-count 5 --epochs "$iter" --threads "$threads" --hs "$hs"
		;;
	*) die "unknown tool '$tool'" ;;
	esac
}

wall_rss() {
	awk '/Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%.1f\t%.0f\n", wall, rss }' "$1"
}

# scores VECTORS: "google sem syn ws353 mturk rg65" (lib.sh).
scores() {
	eval_scores "$kensho_eval" "$evaldir" "$1"
}

tsv="$results/frontier-$tag.tsv"
[ -s "$tsv" ] || echo "$header" >"$tsv"
this="$workdir/this.tsv"
echo "$header" >"$this"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || commit="$commit-dirty"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "frontier.sh: $(wc -l <"$workdir/points") points x seeds '$seeds' on $corpus; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Seeds outside, points inside: a slow spell of the machine spreads over
# every point instead of hitting one point's runs.
for seed in $seeds; do
	while read -r name tool mode rest; do
		# shellcheck disable=SC2086
		set -- $rest
		out="$workdir/$name-$seed.bin"
		[ "$tool" = kensho ] || out="$workdir/$name-$seed.vec"
		mapfile -t cmd < <(command_for "$tool" "$mode" "$seed" "$out" "$@")
		if ! /usr/bin/time -v -o "$workdir/time" "${cmd[@]}" >"$workdir/$name-$seed.log" 2>&1 </dev/null; then
			echo "frontier.sh: $name (seed $seed) failed: $(tail -n 2 "$workdir/$name-$seed.log")" >&2
			continue
		fi
		[ "$tool" != fasttext ] || rm -f "${out%.vec}.bin"
		IFS=$'\t' read -r wall rss < <(wall_rss "$workdir/time")
		sc=$(scores "$out") || { echo "frontier.sh: scoring $name failed" >&2; continue; }
		row="$started	$commit	$tag	$name	$tool	$mode	$seed	$rest	$wall	$rss	$sc"
		echo "$row" >>"$tsv"
		echo "$row" >>"$this"
		echo "$name seed $seed: $wall s, $rss MB, $(cut -f1 <<<"$sc")% Google, WS-353 $(cut -f4 <<<"$sc")" >&2
		rm -f "$out"
	done <"$workdir/points"
done
about="$started, commit $commit, $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//'), $threads threads, seeds $seeds."
fi # training

# ------------------------------------------------------------ the report
# Per point: the median wall time over its seeds and the mean of the rest.
# The envelope of a mode: its points in order of wall time that beat every
# faster point of the mode on Google.
md="$results/frontier-$tag.md"
awk -F'\t' 'NR > 1 {
		k = $5 " " $6 "\t" $4; n[k]++; wall[k, n[k]] = $9
		# Merged runs (--report) may name one point with other options.
		if (!(k in opt)) opt[k] = $8
		else if (opt[k] != $8 && !warned[k]++)
			printf "frontier.sh: point %s (%s %s) has options \047%s\047 and \047%s\047: merged as one\n",
				$4, $5, $6, opt[k], $8 > "/dev/stderr"
		for (i = 9; i <= 16; i++) s[k, i] += $i
	}
	END {
		for (k in n) {
			# Insertion sort of the few wall times, then the median.
			for (a = 2; a <= n[k]; a++)
				for (b = a; b > 1 && wall[k, b - 1] > wall[k, b]; b--) {
					t = wall[k, b]; wall[k, b] = wall[k, b - 1]; wall[k, b - 1] = t
				}
			m = n[k] % 2 ? wall[k, (n[k] + 1) / 2] : (wall[k, n[k] / 2] + wall[k, n[k] / 2 + 1]) / 2
			printf "%s\t%s\t%.4g", k, opt[k], m
			for (i = 10; i <= 16; i++) printf "\t%.4g", s[k, i] / n[k]
			printf "\t%d\n", n[k]
		}
	}' "$this" | sort -t$'\t' -k1,1 -k4,4g >"$workdir/points.tsv"
awk -F'\t' '{ if ($1 != m) { m = $1; best = -1 }
		env = ($6 > best) ? "*" : ""; if ($6 > best) best = $6
		print $0 "\t" env }' "$workdir/points.tsv" >"$workdir/env.tsv"
{
	echo "# Frontier: quality against wall time, $tag"
	echo
	echo "$about"
	echo "Google: 3CosAdd over the 30,000 most frequent words (semantic / syntactic: its first 5 and last 9 sections)."
	echo "Similarity: Spearman over the whole vocabulary. Each row is the median wall time and the mean scores over its seeds (runs column); * marks the mode's upper envelope on Google."
	echo
	echo "| tool mode | point | options | runs | wall s | peak MB | Google % | sem % | syn % | WS-353 | MTurk-771 | RG-65 | env |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|"
	awk -F'\t' '{ printf "| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		$1, $2, $3, $12, $4, $5, $6, $7, $8, $9, $10, $11, $13 }' "$workdir/env.tsv"
} >"$md"

png="$results/frontier-$tag.png"
if command -v gnuplot >/dev/null 2>&1; then
	plot_g="" plot_w="" i=0
	while IFS= read -r m; do
		i=$((i + 1))
		f="$workdir/mode$i.tsv"
		awk -F'\t' -v m="$m" '$1 == m' "$workdir/env.tsv" >"$f"
		awk -F'\t' '$13 == "*"' "$f" >"$f.env"
		plot_g+="${plot_g:+, }'$f.env' using 4:6 with linespoints lt $i pt 7 title '$m', '$f' using 4:6 with points lt $i pt 6 notitle"
		plot_w+="${plot_w:+, }'$f.env' using 4:9 with linespoints lt $i pt 7 title '$m', '$f' using 4:9 with points lt $i pt 6 notitle"
	done < <(cut -f1 "$workdir/env.tsv" | sort -u)
	term=png
	gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && term=pngcairo
	if gnuplot >"$workdir/gnuplot.log" 2>&1 <<EOF; then
set terminal $term size 1100,480
set output "$png.tmp"
set multiplot layout 1,2 title "$tag: quality against wall time ($threads threads); lines join each mode's best-on-Google points"
set datafile separator "\t"
set xlabel "wall seconds (whole process)"
set grid
set key bottom right
set ylabel "Google analogy % (30k words)"
plot $plot_g
set ylabel "WS-353 Spearman"
plot $plot_w
unset multiplot
EOF
		mv "$png.tmp" "$png"
	else
		echo "frontier.sh: gnuplot failed (see $workdir/gnuplot.log); no chart" >&2
	fi
fi
cat "$md"
[ -z "${rm_workdir:-}" ] || rm -rf "$workdir"
