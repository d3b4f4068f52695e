#!/usr/bin/env bash
# bench/phrases.sh: word2vec's phrase pipeline (issue 16), kensho against
# gensim. Two passes of phrase joining (threshold 200, then 100, min-count
# 5, as demo-phrases.sh does) by kensho-phrases and by gensim's Phrases;
# then kensho trains on each result, and gensim on its own; every model is
# scored by kensho-eval on questions-phrases.txt (3,218 questions) over
# all words (-restrict 0: phrases are rare) and on the Google questions
# over the 30,000 most frequent. Reports the pairs joined, the phrase
# tokens in the vocabulary, wall time and peak memory of every step.
# Writes bench/results/phrases-TAG.{tsv,md}. Run on a quiet machine.
#
# Usage: bench/phrases.sh [--corpus FILE] [--tag T] [--workdir DIR]
#        [--kensho-dir DIR] [--opts "KENSHO OPTIONS"] [--no-gensim]
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
kdir="$repo"
opts="-threads 2 -seed 1"
gensim=1
while [ $# -gt 0 ]; do
	case $1 in
	--corpus) corpus=$2; shift 2 ;;
	--tag) tag=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--kensho-dir) kdir=$2; shift 2 ;;
	--opts) opts=$2; shift 2 ;;
	--no-gensim) gensim=0; shift ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "phrases.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ -f "$corpus" ] || { echo "phrases.sh: $corpus absent: skipping" >&2; exit 77; }
qp="$data/eval/questions-phrases.txt"
qw="$data/eval/questions-words.txt"
ws="$data/eval/EN-WS-353-ALL.txt"
[ -n "$workdir" ] || workdir=$(mktemp -d)
mkdir -p "$workdir"
results="$repo/bench/results"
python=
if [ "$gensim" = 1 ]; then
	# Debian's python3-gensim is seen by /usr/bin/python3, not always by the one in PATH.
	for p in /usr/bin/python3 python3; do
		if "$p" -c 'import gensim' 2>/dev/null; then python=$p; break; fi
	done
	[ -n "$python" ] || { echo "phrases.sh: no python3 with gensim (apt-get install python3-gensim)" >&2; exit 1; }
fi

tsv="$results/phrases-$tag.tsv"
header="date	commit	step	command	wall_s	peak_rss_mb	joined	tokens	phrase_words	phrases_covered	phrases_pct	google_pct	ws353"
[ -s "$tsv" ] || echo "$header" >"$tsv"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "phrases.sh: $corpus; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# timed NAME CMD...: runs CMD under GNU time; sets wall and rss.
timed() {
	local name=$1
	shift
	if ! /usr/bin/time -v -o "$workdir/time" "$@" >"$workdir/$name.log" 2>&1 </dev/null; then
		echo "phrases.sh: $name failed: $(tail -n 3 "$workdir/$name.log")" >&2
		exit 1
	fi
	read -r wall rss < <(awk '/Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%.1f %.0f\n", wall, rss }' "$workdir/time")
}

# row STEP COMMAND JOINED TOKENS VECTORS: appends a row (VECTORS "" for a phrase step).
row() {
	local pw=NA pc=NA pp=NA g=NA w=NA a
	if [ -n "$5" ]; then
		pw=$(awk 'NR > 1 && index($1, "_") { n++ } END { print n + 0 }' "$5")
		a=$("$kdir/kensho-eval" analogy "$5" "$qp" -restrict 0 -quiet --json) || a=
		a=$(tr -d '\n' <<<"$a" | sed -n 's/.*"total"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p')
		pc=$(json_number covered <<<"$a")
		pp=$(json_number accuracy <<<"$a")
		# No question covered (a corpus without the phrases): NA, not 0.
		pp=$(awk -v x="$pp" 'BEGIN { if (x == "") print "NA"; else printf "%.2f", 100 * x }')
		g=$(kensho_scores "$kdir/kensho-eval" "$5" "$qw" "$ws" 30000) || g="NA	NA	NA"
		w=$(cut -f3 <<<"$g")
		g=$(cut -f1 <<<"$g")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$started" "$commit" "$1" "$2" \
		"$wall" "$rss" "$3" "$4" "$pw" "$pc" "$pp" "$g" "$w" >>"$tsv"
	echo "phrases.sh: $1: $wall s, $rss MB, joined $3, tokens $4, phrase words $pw, phrases $pp% of $pc, Google $g%" >&2
}

# The joined pairs as each tool reports them.
kjoined() { sed -n 's/.*joined \([0-9]*\) pairs.*/\1/p' "$workdir/$1.log" | tail -n 1; }
gjoined() { sed -n 's/.*joined \([0-9]*\) pairs.*/\1/p' "$workdir/$1.log" | tail -n 1; }

kp="$kdir/kensho-phrases"
timed k1 "$kp" -train "$corpus" -output "$workdir/k1.txt" -threshold 200
row kensho-phrases-1 "kensho-phrases -threshold 200" "$(kjoined k1)" "$(wc -w <"$workdir/k1.txt")" ""
timed k2 "$kp" -train "$workdir/k1.txt" -output "$workdir/k2.txt" -threshold 100
row kensho-phrases-2 "kensho-phrases -threshold 100" "$(kjoined k2)" "$(wc -w <"$workdir/k2.txt")" ""
# shellcheck disable=SC2086
timed kk "$kdir/kensho" -train "$workdir/k2.txt" -output "$workdir/kk.vec" $opts
row kensho-on-kensho-phrases "kensho $opts" NA NA "$workdir/kk.vec"
if [ "$gensim" = 1 ]; then
	gp="$python $bench_dir/gensim-phrases.py --min-count 5"
	# shellcheck disable=SC2086
	timed g1 $gp --input "$corpus" --output "$workdir/g1.txt" --threshold 200
	row gensim-phrases-1 "Phrases(threshold=200)" "$(gjoined g1)" "$(wc -w <"$workdir/g1.txt")" ""
	# shellcheck disable=SC2086
	timed g2 $gp --input "$workdir/g1.txt" --output "$workdir/g2.txt" --threshold 100
	row gensim-phrases-2 "Phrases(threshold=100)" "$(gjoined g2)" "$(wc -w <"$workdir/g2.txt")" ""
	# shellcheck disable=SC2086
	timed gk "$kdir/kensho" -train "$workdir/g2.txt" -output "$workdir/gk.vec" $opts
	row kensho-on-gensim-phrases "kensho $opts" NA NA "$workdir/gk.vec"
	# gensim's corpus_file mode wants lines of at most 10,000 words: 1,000 here.
	perl -ne 'my $n = 0; while (/(\S+)/g) { print $n == 0 ? "" : ($n % 1000 ? " " : "\n"), $1; $n++ }
		print "\n" if $n;' "$workdir/g2.txt" >"$workdir/g2.split"
	timed gg "$python" "$bench_dir/gensim-train.py" --corpus "$workdir/g2.split" \
		--output "$workdir/gg.vec" --sg 0 --threads 2
	row gensim-on-gensim-phrases "gensim Word2Vec, CBOW, its defaults" NA NA "$workdir/gg.vec"
fi

md="$results/phrases-$tag.md"
{
	echo "# Phrases on $tag: kensho-phrases against gensim's Phrases"
	echo
	echo "Latest run: $started, commit $commit, kensho options \`$opts\`."
	echo "Two passes (threshold 200, then 100; min-count 5). Phrase questions: questions-phrases.txt over all words (-restrict 0); Google over the 30,000 most frequent words."
	echo
	echo "| step | command | wall s | peak MB | pairs joined | tokens | phrase words in vocab | phrase questions covered | phrase accuracy % | Google % | WS-353 |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' 'NR > 1 { k = $3; if (!(k in row)) order[n++] = k; row[k] = $0 }
		END { for (i = 0; i < n; i++) { split(row[order[i]], f, "\t")
			printf "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13] } }' "$tsv"
} >"$md"
cat "$md"
