#!/usr/bin/env bash
# bench/eval-speed.sh: time kensho-eval against gensim's evaluators on the same
# vectors, and time loading a 100k x 300 vector file in both formats.
#
# Usage: bench/eval-speed.sh VECTORS [RUNS]
#   VECTORS  word2vec text or binary vectors (the format is detected by
#            kensho-eval; gensim is told by the .bin suffix)
#   RUNS     repetitions, interleaved; medians are printed (default 3)
# Prints, per tool, the median wall seconds and peak RSS (GNU time) of one
# process that loads VECTORS, answers questions-words.txt (30,000 most
# frequent words, case-insensitive, 3CosAdd) and scores every similarity set
# in ../shared/data/eval, and the figures each tool printed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
data=${KS_SHARED_DATA:-$repo/../shared/data}
kensho_eval=${KENSHO_EVAL:-$repo/kensho-eval}
vectors=${1:?usage: $0 VECTORS [RUNS]}
runs=${2:-3}
[ -d "$data/eval" ] || { echo "$0: no $data/eval" >&2; exit 77; }
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import gensim' 2>/dev/null ||
	{ echo "$0: needs Debian's python3-gensim" >&2; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kensho-evalspeed.XXXXXX")
trap 'rm -rf "$work"' EXIT
sims=("$data"/eval/EN-*.txt)
binary=False
case $vectors in *.bin) binary=True ;; esac

cat >"$work/gensim-eval.py" <<PY
import sys, logging
from gensim.models import KeyedVectors
logging.basicConfig(level=logging.WARNING)
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=$binary)
score, sections = kv.evaluate_word_analogies(sys.argv[2], restrict_vocab=30000,
                                             case_insensitive=True)
print("analogy %.4f" % (100 * score))
for f in sys.argv[3:]:
    p, s, oov = kv.evaluate_word_pairs(f, case_insensitive=True)
    print("%s spearman %.4f pearson %.4f" % (f.rsplit("/", 1)[-1], s[0], p[0]))
PY

# timed NAME CMD...: runs CMD under GNU time; appends "NAME wall rss_kb" to times.
timed() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/$name.out" 2>"$work/$name.err"
	echo "$name $(cat "$work/t")" >>"$work/times"
}

for ((r = 1; r <= runs; r++)); do
	timed kensho-eval bash -c '"$0" analogy -quiet "$1" "$2" && "$0" similarity -quiet "$1" "${@:3}"' \
		"$kensho_eval" "$vectors" "$data/eval/questions-words.txt" "${sims[@]}"
	timed gensim /usr/bin/python3 "$work/gensim-eval.py" "$vectors" \
		"$data/eval/questions-words.txt" "${sims[@]}"
done

echo "evaluation of $vectors: analogy (30k) + ${#sims[@]} similarity sets, median of $runs"
printf '%-12s %8s %12s\n' tool wall_s peak_rss_MB
for tool in kensho-eval gensim; do
	w=$(awk -v t="$tool" '$1 == t { print $2 }' "$work/times" | median)
	m=$(awk -v t="$tool" '$1 == t { print $3 / 1024 }' "$work/times" | median)
	printf '%-12s %8.2f %12.1f\n' "$tool" "$w" "$m"
done
echo "--- kensho-eval printed:"
cat "$work/kensho-eval.out"
echo "--- gensim printed:"
cat "$work/gensim.out"

# Loading 100k x 300: a text and a binary file of random vectors.
/usr/bin/python3 - "$work/big" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(1)
v = rng.standard_normal((100000, 300)).astype(np.float32)
words = ["w%d" % i for i in range(100000)]
with open(sys.argv[1] + ".txt", "w") as f:
    f.write("100000 300\n")
    for w, row in zip(words, v):
        f.write(w + " " + " ".join("%.6f" % x for x in row) + "\n")
with open(sys.argv[1] + ".bin", "wb") as f:
    f.write(b"100000 300\n")
    for w, row in zip(words, v):
        f.write(w.encode() + b" " + row.astype("<f4").tobytes() + b"\n")
PY
: >"$work/times"
for ((r = 1; r <= runs; r++)); do
	for fmt in txt bin; do
		timed "load-$fmt" "$kensho_eval" neighbors -k 1 "$work/big.$fmt" w1
	done
done
echo "loading 100000 x 300 (kensho-eval neighbors -k 1, whole process), median of $runs"
for fmt in txt bin; do
	w=$(awk -v t="load-$fmt" '$1 == t { print $2 }' "$work/times" | median)
	m=$(awk -v t="load-$fmt" '$1 == t { print $3 / 1024 }' "$work/times" | median)
	printf '%-5s %8.2f s %10.1f MB   (%s)\n' "$fmt" "$w" "$m" "$(grep -o 'read in [0-9.]* s' "$work/load-$fmt.err" | head -1)"
done
