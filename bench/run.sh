#!/usr/bin/env bash
# bench/run.sh: train kensho, fastText and gensim on the same corpus with the
# same settings, several interleaved runs each, and report median throughput,
# memory and quality as a markdown table and a PNG chart. See bench/README.md.
#
# Throughput is raw corpus words (wc -w) times epochs over the wall-clock time
# of the whole process (reading, vocabulary, training, writing the vectors),
# so every tool is charged for the same work whatever it counts internally.

set -euo pipefail

prog=${0##*/}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
# shellcheck source=bench/lib.sh
. "$bench_dir/lib.sh"
shared_data="$repo/../shared/data"
# The command as typed, quoted only where the shell needs it.
command_line=$0
for arg in "$@"; do
	if [[ $arg =~ ^[A-Za-z0-9_./,=:+@%-]+$ ]]; then
		command_line+=" $arg"
	else
		command_line+=" $(printf '%q' "$arg")"
	fi
done

# Defaults. The settings follow issue 4: d=100, w=5, k=5, 2 threads.
corpus="$shared_data/wiki100m.txt.gz"
workdir=""
results="$bench_dir/results"
kensho="$repo/kensho"
kensho_eval="$repo/kensho-eval"
eval_with=auto
kensho_input=original
tools=kensho,fasttext,gensim
modes=cbow,cbow-word2vec,skipgram
dim=100
window=5
negative=5
sample=1e-3
min_count=5
epochs=5
threads=2
runs=3
restrict=30000
analogy_file="$shared_data/eval/questions-words.txt"
similarity_file="$shared_data/eval/EN-WS-353-ALL.txt"
keep_work=0
keep_vectors=0
install=1

usage() {
	cat <<EOF
Usage: $prog [options]

Train kensho, fastText and gensim on one corpus with the same settings,
several runs each (interleaved across tools), and write the median words/s,
wall time, peak RSS, analogy accuracy and WS-353 Spearman per tool and mode
to RESULTS/latest.md, a chart to RESULTS/throughput.png and every run to
RESULTS/runs.tsv. Missing peers are installed from Debian packages
(fasttext python3-gensim gnuplot-nox time), with sudo when not root.

Corpus and files:
  --corpus FILE        plain or gzip text (default: \$repo/../shared/data/wiki100m.txt.gz;
                       exit status 77 if it is missing)
  --workdir DIR        keep the unpacked corpus, its split copy, logs and
                       per-run files here and reuse them next time
                       (default: a fresh directory under \${TMPDIR:-/tmp},
                       removed at exit)
  --keep-work          do not remove the default work directory
  --keep-vectors       keep every run's vectors (they are deleted once scored)
  --results DIR        where latest.md, throughput.png and runs.tsv go
                       (default: $bench_dir/results)
  --kensho PATH        the kensho binary (default: \$repo/kensho)
  --kensho-eval PATH   the kensho-eval binary (default: \$repo/kensho-eval)
  --kensho-input original|split
                       kensho reads the corpus as it is (default; it cuts long
                       lines into sentences of -max-sentence words itself) or
                       the copy split into lines of 1000 words that fastText
                       and gensim read

What to run:
  --tools LIST         comma-separated subset of kensho,fasttext,gensim
                       (default: all three)
  --modes LIST         comma-separated subset of cbow,cbow-word2vec,skipgram
                       (default: all; sg is short for skipgram; cbow-word2vec
                       is kensho's CBOW with word2vec's uncorrected update and
                       is skipped for the peers, whose CBOW is that update)
  --runs N             runs per tool and mode (default: $runs)
  --epochs N           training epochs (default: $epochs)
  --threads N          training threads (default: $threads)
  --dim N              vector dimensions (default: $dim)
  --window N           context window (default: $window)
  --negative N         negative samples (default: $negative)
  --sample X           subsampling threshold (default: $sample)
  --min-count N        minimum word count (default: $min_count)

Quality:
  --eval auto|kensho|gensim|none
                       scorer: kensho-eval when it works, else bench/eval.py
                       with gensim (auto, the default); none skips scoring
  --analogy FILE       analogy questions (default: .../eval/questions-words.txt)
  --similarity FILE    word pairs (default: .../eval/EN-WS-353-ALL.txt)
  --restrict N         analogy vocabulary: the N most frequent words
                       (default: $restrict)

Other:
  --no-install         never call apt-get; fail if a peer is missing
  -h, --help           this text

Example, a quick smoke run:
  zcat ../shared/data/wiki100m.txt.gz | head -c 12000000 | gzip > /tmp/small.gz
  bench/run.sh --corpus /tmp/small.gz --runs 1 --epochs 1 --results /tmp/bench-results
EOF
}

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

note() {
	echo "$prog: $*" >&2
}

# need_value OPTION ARGC: an option that takes a value must have one.
need_value() {
	[ "$2" -ge 2 ] || die "$1 needs a value (see --help)"
}

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--*=*)
		# --opt=value is the same as --opt value.
		set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
		continue
		;;
	-h | --help) usage; exit 0 ;;
	--keep-work) keep_work=1; shift; continue ;;
	--keep-vectors) keep_vectors=1; shift; continue ;;
	--no-install) install=0; shift; continue ;;
	esac
	need_value "$opt" $#
	val=$2
	case $opt in
	--corpus) corpus=$val ;;
	--workdir) workdir=$val ;;
	--results) results=$val ;;
	--kensho) kensho=$val ;;
	--kensho-eval) kensho_eval=$val ;;
	--kensho-input) kensho_input=$val ;;
	--eval) eval_with=$val ;;
	--tools) tools=$val ;;
	--modes) modes=$val ;;
	--runs) runs=$val ;;
	--epochs) epochs=$val ;;
	--threads) threads=$val ;;
	--dim) dim=$val ;;
	--window) window=$val ;;
	--negative) negative=$val ;;
	--sample) sample=$val ;;
	--min-count) min_count=$val ;;
	--analogy) analogy_file=$val ;;
	--similarity) similarity_file=$val ;;
	--restrict) restrict=$val ;;
	*) die "unknown option '$opt' (see --help)" ;;
	esac
	shift 2
done

# ---------------------------------------------------------------- validation

is_posint() {
	[[ $1 =~ ^[1-9][0-9]*$ ]]
}

for pair in "runs:$runs" "epochs:$epochs" "threads:$threads" "dim:$dim" \
	"window:$window" "negative:$negative" "min-count:$min_count" \
	"restrict:$restrict"; do
	is_posint "${pair#*:}" || die "--${pair%%:*} must be a positive integer, not '${pair#*:}'"
done
[[ $sample =~ ^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]] ||
	die "--sample must be a non-negative number, not '$sample'"
case $kensho_input in
original | split) ;;
*) die "--kensho-input must be original or split, not '$kensho_input'" ;;
esac
case $eval_with in
auto | kensho | gensim | none) ;;
*) die "--eval must be auto, kensho, gensim or none, not '$eval_with'" ;;
esac

# Tools and modes, in a fixed order whatever order the user gave them in.
declare -A want_tool=() want_mode=()
IFS=, read -r -a list <<<"$tools"
for t in "${list[@]}"; do
	case $t in
	kensho | fasttext | gensim) want_tool[$t]=1 ;;
	"") ;;
	*) die "unknown tool '$t' in --tools (kensho, fasttext, gensim)" ;;
	esac
done
IFS=, read -r -a list <<<"$modes"
for m in "${list[@]}"; do
	case $m in
	cbow | skipgram | cbow-word2vec) want_mode[$m]=1 ;;
	sg) want_mode[skipgram]=1 ;;
	cbow-w2v) want_mode[cbow-word2vec]=1 ;;
	"") ;;
	*) die "unknown mode '$m' in --modes (cbow, cbow-word2vec, skipgram)" ;;
	esac
done

# jobs: "tool mode" pairs that the tool supports.
jobs=()
for t in kensho fasttext gensim; do
	[ -n "${want_tool[$t]:-}" ] || continue
	for m in cbow cbow-word2vec skipgram; do
		[ -n "${want_mode[$m]:-}" ] || continue
		[ "$m" = cbow-word2vec ] && [ "$t" != kensho ] && continue
		jobs+=("$t $m")
	done
done
[ ${#jobs[@]} -gt 0 ] || die "nothing to run: no tool in '$tools' supports a mode in '$modes'"

if [ ! -f "$corpus" ]; then
	echo "$prog: corpus $corpus not found; give one with --corpus FILE (skipping, exit 77)" >&2
	exit 77
fi
corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")

if [ -n "${want_tool[kensho]:-}" ]; then
	[ -x "$kensho" ] || die "kensho binary '$kensho' not found or not executable; build it with 'make kensho' in $repo, or give --kensho PATH"
	kensho=$(cd "$(dirname "$kensho")" && pwd)/$(basename "$kensho")
fi
if [ "$eval_with" != none ]; then
	[ -f "$analogy_file" ] || die "analogy file '$analogy_file' not found (--analogy FILE, or --eval none)"
	[ -f "$similarity_file" ] || die "similarity file '$similarity_file' not found (--similarity FILE, or --eval none)"
fi

# ------------------------------------------------------------------ peers

# gensim comes from Debian's python3-gensim, which lives in the system
# interpreter's dist-packages; a python3 earlier in PATH (pyenv, a venv) may
# not see it, so /usr/bin/python3 is tried before the one in PATH.
python=""
find_python() {
	local p
	for p in ${PYTHON:+"$PYTHON"} /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null 2>&1 &&
			"$p" -c 'import gensim' >/dev/null 2>&1; then
			python=$(command -v "$p")
			return 0
		fi
	done
	return 1
}

need_gensim=0
[ -n "${want_tool[gensim]:-}" ] && need_gensim=1
[ "$eval_with" = gensim ] && need_gensim=1
# auto may fall back to gensim; decided below once kensho-eval is probed.

# kensho-eval is being written alongside this script; probe that it runs
# and knows the analogy and similarity commands before trusting it.
kensho_eval_works() {
	[ -x "$kensho_eval" ] || return 1
	local help
	help=$("$kensho_eval" --help 2>&1) || return 1
	grep -q analogy <<<"$help" && grep -q similarity <<<"$help"
}

if [ "$eval_with" = auto ]; then
	if kensho_eval_works; then
		eval_with=kensho
	else
		note "kensho-eval ($kensho_eval) missing or not working; scoring with gensim (bench/eval.py)"
		eval_with=gensim
		need_gensim=1
	fi
elif [ "$eval_with" = kensho ]; then
	kensho_eval_works || die "--eval kensho: '$kensho_eval' is missing or does not offer analogy and similarity"
fi

missing=()
[ -n "${want_tool[fasttext]:-}" ] && ! command -v fasttext >/dev/null 2>&1 && missing+=(fasttext)
[ "$need_gensim" = 1 ] && ! find_python && missing+=(python3-gensim)
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
[ -x /usr/bin/time ] || missing+=(time)

if [ ${#missing[@]} -gt 0 ]; then
	[ "$install" = 1 ] || die "missing Debian packages: ${missing[*]} (install them, or drop --no-install)"
	command -v apt-get >/dev/null 2>&1 ||
		die "missing: ${missing[*]}, and no apt-get to install them; install the equivalents by hand"
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "missing Debian packages ${missing[*]}; run as root or install sudo"
		sudo=(sudo)
	fi
	note "installing ${missing[*]}"
	if ! ${sudo[@]+"${sudo[@]}"} apt-get install -y "${missing[@]}"; then
		# A fresh container often has empty package lists.
		${sudo[@]+"${sudo[@]}"} apt-get update && ${sudo[@]+"${sudo[@]}"} apt-get install -y "${missing[@]}" ||
			die "apt-get could not install ${missing[*]}"
	fi
	[ "$need_gensim" = 1 ] && { find_python || die "python3-gensim installed but no python3 can import gensim"; }
fi
fasttext_bin=""
[ -n "${want_tool[fasttext]:-}" ] && fasttext_bin=$(command -v fasttext)
gnuplot_ok=1

# --------------------------------------------------------------- work dir

if [ -z "$workdir" ]; then
	workdir=$(mktemp -d "${TMPDIR:-/tmp}/kensho-bench.XXXXXX")
	if [ "$keep_work" = 0 ]; then
		trap 'rm -rf "$workdir"' EXIT
	else
		note "work directory $workdir is kept"
	fi
else
	mkdir -p "$workdir" || die "cannot create work directory '$workdir'"
	workdir=$(cd "$workdir" && pwd)
fi
mkdir -p "$results" || die "cannot create results directory '$results'"
results=$(cd "$results" && pwd)

# The unpacked corpus and its split copy are made once per source file and
# reused from a kept --workdir; the stamp says which source they came from.
plain="$workdir/corpus.txt"
split="$workdir/corpus.split.txt"
stamp="$workdir/corpus.stamp"
want_stamp="$corpus $(stat -c '%s %Y' "$corpus")"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] &&
	[ -f "$plain" ] && [ -f "$split" ] && [ -f "$workdir/corpus.words" ]; then
	note "reusing the unpacked corpus in $workdir"
else
	rm -f "$stamp"
	note "unpacking $corpus"
	# gzip -f passes plain text through unchanged.
	gzip -cdf -- "$corpus" >"$plain.tmp" || die "cannot unpack '$corpus'"
	mv "$plain.tmp" "$plain"
	note "splitting into lines of 1000 words for fastText and gensim"
	# Sentence ends (newlines) are kept; only lines longer than 1000 words
	# are cut. Perl holds one line at a time (100 MB for wiki100m).
	perl -ne '
		my $n = 0;
		while (/(\S+)/g) {
			print $n == 0 ? "" : ($n % 1000 ? " " : "\n"), $1;
			$n++;
		}
		print "\n" if $n;
	' "$plain" >"$split.tmp" || die "cannot write the split corpus"
	mv "$split.tmp" "$split"
	wc -w <"$plain" | tr -d ' ' >"$workdir/corpus.words"
	echo "$want_stamp" >"$stamp"
fi
words=$(cat "$workdir/corpus.words")
is_posint "$words" || die "the corpus '$corpus' has no words"
split_words=$(wc -w <"$split" | tr -d ' ')
[ "$split_words" = "$words" ] || die "split corpus has $split_words words, the original $words"

# ---------------------------------------------------------------- the runs

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//' || true)
[ -n "$cpu_model" ] || cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1 || true)
[ -n "$cpu_model" ] || cpu_model=unknown
ncpu=$(nproc)
host=$(hostname 2>/dev/null || echo unknown)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git -C "$repo" diff --quiet HEAD -- src eval 2>/dev/null; then
	commit="$commit-dirty"
fi
# Versions of the peers, from the package database where they came from.
peer_versions=""
for pkg in fasttext python3-gensim; do
	v=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
	[ -z "$v" ] || peer_versions+="${peer_versions:+, }$pkg $v"
done
[ -n "$peer_versions" ] || peer_versions=unknown
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
started_compact=$(date -u -d "$started" +%Y%m%dT%H%M%SZ)

tsv_header="date	host	cpu	nproc	commit	corpus	words	epochs	threads	dim	window	negative	sample	min_count	tool	mode	run	status	wall_s	peak_rss_mb	words_per_s	vocab	analogy_pct	analogy_questions	ws353_rho	evaluator"
this_tsv="$workdir/runs-$started_compact.tsv"
echo "$tsv_header" >"$this_tsv"
all_tsv="$results/runs.tsv"
[ -s "$all_tsv" ] || echo "$tsv_header" >"$all_tsv"

# train TOOL MODE INPUT OUTDIR: the training command, one word per line on
# stdout (read into an array). Vectors go to OUTDIR/vectors.txt.
train_command() {
	local tool=$1 mode=$2 dir=$3
	case $tool in
	kensho)
		local input=$plain
		[ "$kensho_input" = split ] && input=$split
		printf '%s\n' "$kensho" -train "$input" -output "$dir/vectors.txt" \
			-size "$dim" -window "$window" -negative "$negative" \
			-sample "$sample" -min-count "$min_count" -iter "$epochs" \
			-threads "$threads"
		case $mode in
		cbow) printf '%s\n' -cbow 1 ;;
		cbow-word2vec) printf '%s\n' -cbow 1 -cbow-update word2vec ;;
		skipgram) printf '%s\n' -cbow 0 ;;
		esac
		;;
	fasttext)
		# -minn 0 -maxn 0: plain word vectors, no character n-grams. It
		# writes model.bin and model.vec (word2vec text format).
		printf '%s\n' "$fasttext_bin" "$mode" -input "$split" -output "$dir/model" \
			-dim "$dim" -ws "$window" -neg "$negative" -t "$sample" \
			-minCount "$min_count" -epoch "$epochs" -thread "$threads" \
			-minn 0 -maxn 0
		;;
	gensim)
		local sg=0
		[ "$mode" = skipgram ] && sg=1
		printf '%s\n' "$python" "$bench_dir/gensim-train.py" --corpus "$split" \
			--output "$dir/vectors.txt" --sg "$sg" --dim "$dim" \
			--window "$window" --negative "$negative" --sample "$sample" \
			--min-count "$min_count" --epochs "$epochs" --threads "$threads"
		;;
	esac
}

# evaluate VECTORS: print "analogy_pct<TAB>questions<TAB>rho" or fail.
evaluate_gensim() {
	"$python" "$bench_dir/eval.py" "$1" --analogy "$analogy_file" \
		--similarity "$similarity_file" --restrict "$restrict" |
		awk -F'\t' 'NF >= 3 { print $1 "\t" $2 "\t" $3; ok = 1 } END { exit !ok }'
}

evaluate_kensho() {
	kensho_scores "$kensho_eval" "$1" "$analogy_file" "$similarity_file" "$restrict"
}

eval_label() {
	case $eval_with in
	kensho) echo kensho-eval ;;
	gensim) echo "gensim, bench/eval.py" ;;
	*) echo "$eval_with" ;;
	esac
}

evaluate() {
	case $eval_with in
	kensho) evaluate_kensho "$1" ;;
	gensim) evaluate_gensim "$1" ;;
	esac
}

# Wall seconds and peak RSS (MB) from a GNU time -v report.
parse_time() {
	awk '
		/Elapsed \(wall clock\) time/ {
			v = $NF; n = split(v, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]
			wall = s
		}
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%.2f\t%.1f\n", wall, rss }
	' "$1"
}

eval_label=$(eval_label)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
note "corpus: $words words; ${#jobs[@]} tool/mode pairs x $runs runs; $epochs epochs, $threads threads; scoring with $eval_label; work dir $workdir"
failures=0
for ((run = 1; run <= runs; run++)); do
	# Each round starts one job later than the one before, so no job always
	# runs right after the same one (gensim's skip-gram leaves the page
	# cache and free huge pages in a state the next process pays for).
	order=("${jobs[@]:$(((run - 1) % ${#jobs[@]}))}" "${jobs[@]:0:$(((run - 1) % ${#jobs[@]}))}")
	for job in "${order[@]}"; do
		read -r tool mode <<<"$job"
		dir="$workdir/runs/$tool-$mode-$run"
		rm -rf "$dir"
		mkdir -p "$dir"
		mapfile -t cmd < <(train_command "$tool" "$mode" "$dir")
		printf '%q ' "${cmd[@]}" >"$dir/command"
		note "run $run/$runs: $tool $mode"
		status=ok
		if ! /usr/bin/time -v -o "$dir/time" "${cmd[@]}" >"$dir/log" 2>&1 </dev/null; then
			status=failed
		fi
		vec="$dir/vectors.txt"
		[ "$tool" = fasttext ] && vec="$dir/model.vec"
		[ "$status" = ok ] && [ ! -s "$vec" ] && status=no-vectors
		wall=NA rss=NA wps=NA vocab=NA acc=NA nq=NA rho=NA
		if [ -s "$dir/time" ]; then
			IFS=$'\t' read -r wall rss < <(parse_time "$dir/time")
		fi
		if [ "$status" = ok ]; then
			wps=$(awk -v w="$words" -v e="$epochs" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? w * e / s : 0) }')
			vocab=$(head -n1 "$vec" | awk '{ print $1 }')
			if [ "$eval_with" != none ]; then
				if scores=$(evaluate "$vec" 2>"$dir/eval.log"); then
					IFS=$'\t' read -r acc nq rho <<<"$scores"
				else
					note "scoring $vec failed: $(tail -n3 "$dir/eval.log")"
				fi
			fi
			note "  $wall s, $rss MB, $wps words/s, vocab $vocab, analogy $acc% of $nq, WS-353 rho $rho"
		else
			failures=$((failures + 1))
			note "  $tool $mode run $run: $status; last lines of $dir/log:"
			tail -n5 "$dir/log" | tr '\r' '\n' | tail -n5 >&2 || true
		fi
		[ "$keep_vectors" = 1 ] || rm -f "$dir/vectors.txt" "$dir/model.vec" "$dir/model.bin"
		row="$started	$host	$cpu_model	$ncpu	$commit	$corpus	$words	$epochs	$threads	$dim	$window	$negative	$sample	$min_count	$tool	$mode	$run	$status	$wall	$rss	$wps	$vocab	$acc	$nq	$rho	$eval_with"
		echo "$row" >>"$this_tsv"
		echo "$row" >>"$all_tsv"
	done
done

# ----------------------------------------------------------------- report

# col_values TOOL MODE NAME: the values of column NAME for TOOL and MODE in this
# invocation's successful runs, one per line in run order.
col_values() {
	awk -F'\t' -v t="$1" -v m="$2" -v name="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["tool"] == t && $c["mode"] == m && $c["status"] == "ok" { print $c[name] }
	' "$this_tsv"
}

# base_mode MODE: the fastText mode a kensho mode is compared with.
base_mode() {
	case $1 in
	skipgram) echo skipgram ;;
	*) echo cbow ;;
	esac
}

# fmt FORMAT VALUE: printf unless VALUE is NA.
fmt() {
	if [ "$2" = NA ]; then echo "n/a"; else LC_ALL=C printf "$1" "$2"; fi
}

# fmt_int VALUE: VALUE rounded, with thousands separators (1,234,567).
fmt_int() {
	if [ "$1" = NA ]; then echo "n/a"; return; fi
	LC_ALL=C awk -v v="$1" 'BEGIN {
		s = sprintf("%.0f", v); out = ""
		while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
		print s out
	}'
}

latest="$results/latest.md"
chart_data="$workdir/throughput.dat"
: >"$chart_data"
{
	echo "# kensho benchmark"
	echo
	echo "Medians over $runs run(s) per row, runs interleaved across tools."
	echo "Corpus \`$(basename "$corpus")\`: $words words (wc -w); $epochs epoch(s), $threads thread(s),"
	echo "dim $dim, window $window, negative $negative, sample $sample, min-count $min_count."
	echo "words/s = corpus words x epochs / wall seconds of the whole run (vocabulary and output included)."
	if [ "$eval_with" = none ]; then
		echo "Quality not scored (--eval none)."
	else
		echo "Analogy: $(basename "$analogy_file"), 3CosAdd, $restrict most frequent words; $(basename "$similarity_file"): Spearman rho (scored with $eval_label)."
	fi
	echo "vs fastText: median over runs of the words/s ratio to fastText's same mode in the same round."
	echo
	echo "| tool | mode | runs ok | words/s | wall s | peak RSS MB | analogy % | WS-353 rho | vs fastText |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for job in "${jobs[@]}"; do
		read -r tool mode <<<"$job"
		ok=$(col_values "$tool" "$mode" wall_s | wc -l)
		wps=$(col_values "$tool" "$mode" words_per_s | median)
		wall=$(col_values "$tool" "$mode" wall_s | median)
		rss=$(col_values "$tool" "$mode" peak_rss_mb | median)
		acc=$(col_values "$tool" "$mode" analogy_pct | median)
		rho=$(col_values "$tool" "$mode" ws353_rho | median)
		ratio=NA
		if [ -n "${want_tool[fasttext]:-}" ]; then
			# Pair each run with fastText's run of the same round.
			ratio=$(awk -F'\t' -v t="$tool" -v m="$mode" -v b="$(base_mode "$mode")" '
				NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				$c["status"] != "ok" { next }
				$c["tool"] == t && $c["mode"] == m { mine[$c["run"]] = $c["words_per_s"] }
				$c["tool"] == "fasttext" && $c["mode"] == b { ft[$c["run"]] = $c["words_per_s"] }
				END { for (r in mine) if ((r in ft) && ft[r] > 0) print mine[r] / ft[r] }
			' "$this_tsv" | median)
		fi
		echo "| $tool | $mode | $ok/$runs | $(fmt_int "$wps") | $(fmt %.1f "$wall") | $(fmt %.0f "$rss") | $(fmt %.2f "$acc") | $(fmt %.3f "$rho") | $(fmt %.2fx "$ratio") |"
		[ "$wps" != NA ] && printf '%s\t%s\t%s\n' "$tool" "$mode" "$wps" >>"$chart_data"
	done
	echo
	echo "Machine: $ncpu CPUs ($cpu_model), host $host; kensho commit $commit; peers: $peer_versions; load average at the start $load_at_start; $started."
	echo
	echo "Command: \`$command_line\`"
	if [ "$failures" -gt 0 ]; then
		echo
		echo "**$failures run(s) failed**; see runs.tsv and the logs in the work directory."
	fi
} >"$latest"

# A bar per tool and mode, coloured by tool, value printed on the bar.
chart="$results/throughput.png"
if [ -s "$chart_data" ]; then
	term=png
	gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo && term=pngcairo
	awk -F'\t' '
		BEGIN { color["kensho"] = 1; color["fasttext"] = 2; color["gensim"] = 3 }
		{ printf "%d\t\"%s\\n%s\"\t%s\t%d\t%.2f\n", NR - 1, $1, $2, $3, color[$1], $3 / 1e6 }
	' "$chart_data" >"$chart_data.plot"
	ymax=$(awk -F'\t' '$3 > m { m = $3 } END { print m / 1e6 * 1.12 }' "$chart_data")
	if ! gnuplot >"$workdir/gnuplot.log" 2>&1 <<EOF; then
set terminal $term size 900,500
set output "$chart.tmp"
set title "words/s, median of $runs run(s): $(basename "$corpus"), $epochs epoch(s), $threads thread(s), d=$dim"
set ylabel "million words per second (wall clock)"
set style fill solid 0.85 border -1
set boxwidth 0.7
set yrange [0:$ymax]
set bmargin 4
set grid ytics
set key off
set xtics nomirror
set linetype 1 lc rgb "#d62728"
set linetype 2 lc rgb "#1f77b4"
set linetype 3 lc rgb "#2ca02c"
plot "$chart_data.plot" using 1:(\$3/1e6):4:xtic(2) with boxes lc variable, \
     "" using 1:(\$3/1e6):(sprintf("%.2fM", \$5)) with labels offset 0,0.7
EOF
		gnuplot_ok=0
		note "gnuplot failed (see $workdir/gnuplot.log); no chart"
	else
		mv "$chart.tmp" "$chart"
	fi
fi

cat "$latest"
echo
note "table: $latest"
[ "$gnuplot_ok" = 1 ] && [ -s "$chart_data" ] && note "chart: $chart"
note "all runs: $all_tsv"
[ "$failures" -eq 0 ] || die "$failures run(s) failed"
