#!/bin/sh
# End to end on the project's own planted-analogy corpus (data/README.md):
# kensho-gen-corpus writes the default corpus (1M tokens, seed 1) and its
# 3000 questions; kensho trains corrected CBOW and skip-gram on it (dim 50,
# two threads, fixed seed); kensho-eval analogy -restrict 0 must answer at
# least 90% of all questions for each. A correct trainer reaches about 100%;
# a wrong gradient, window or lost words fall far below. Skip-gram runs two
# epochs instead of five to keep the test short (it reaches 100% with them;
# one epoch gives about 96%, too close to the bar).
#
# Then, on a small corpus, two runs with -threads 1 and one seed must write
# byte-identical files, in the text and the binary format, for CBOW and
# skip-gram, and another seed must write a different file (so the
# comparison can fail). About 10 s on two cores.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
MIN_PCT=90

expect_ok "$GEN" -seed 1 -o "$tmp/corpus.txt" -q "$tmp/questions.txt"
[ -s "$tmp/corpus.txt" ] && [ -s "$tmp/questions.txt" ] || fail "the generator wrote empty files"
[ "$(grep -vc '^:' "$tmp/questions.txt")" -eq 3000 ] || fail "expected 3000 questions"
ok

# accuracy NAME VECTORS: evaluates VECTORS on the planted questions, prints
# the figure and fails under MIN_PCT. The totals are read from the JSON with
# sed and compared in integers (correct * 100 >= MIN_PCT * questions), so a
# question without an answer counts as wrong.
accuracy() {
	name=$1 vecs=$2
	expect_ok "$KENSHO_EVAL" analogy -restrict 0 -json -quiet "$vecs" "$tmp/questions.txt"
	totals=$(sed -n 's/.*"total": {"correct": \([0-9]*\), "covered": \([0-9]*\), "questions": \([0-9]*\),.*/\1 \2 \3/p' "$tmp/out")
	[ -n "$totals" ] || fail "$name: no totals in the JSON: $(head -c 300 "$tmp/out")"
	set -- $totals
	[ "$3" -eq 3000 ] || fail "$name: kensho-eval read $3 questions, expected 3000"
	echo "$name: $1 of $3 planted analogies correct ($2 covered), $(awk -v c="$1" -v q="$3" 'BEGIN { printf "%.2f%%", 100 * c / q }')"
	[ $(($1 * 100)) -ge $((MIN_PCT * $3)) ] || fail "$name: accuracy $1/$3 is under $MIN_PCT%"
	ok
}

train() {
	"$KENSHO" -train "$tmp/corpus.txt" -size 50 -seed 1 -quiet "$@"
}

expect_ok train -threads 2 -output "$tmp/cbow.txt"
accuracy "corrected CBOW, default settings" "$tmp/cbow.txt"
expect_ok train -threads 2 -cbow 0 -iter 2 -output "$tmp/sg.txt"
accuracy "skip-gram, 2 epochs" "$tmp/sg.txt"

# Reproducibility: one thread and a fixed seed give the same bytes.
expect_ok "$GEN" -seed 2 -words 100000 -quiet -o "$tmp/small.txt"
small() {
	"$KENSHO" -train "$tmp/small.txt" -size 20 -iter 2 -threads 1 -quiet "$@"
}
for model in "-cbow 1" "-cbow 0"; do
	for binary in 0 1; do
		# $model is split on purpose: it holds an option and its value.
		expect_ok small $model -binary $binary -seed 7 -output "$tmp/a"
		expect_ok small $model -binary $binary -seed 7 -output "$tmp/b"
		cmp -s "$tmp/a" "$tmp/b" || fail "$model -binary $binary: two runs with -threads 1 -seed 7 differ"
		expect_ok small $model -binary $binary -seed 8 -output "$tmp/c"
		cmp -s "$tmp/a" "$tmp/c" && fail "$model -binary $binary: -seed 7 and -seed 8 wrote the same file"
		ok
	done
done
finish
