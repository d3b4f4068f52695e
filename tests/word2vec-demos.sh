#!/bin/sh
# word2vec.c's demo scripts with kensho (issue 16): each demo's training
# and phrase commands with the flag values the original scripts pass
# (demo-word.sh, its older skip-gram hierarchical-softmax form,
# demo-classes.sh, demo-word-accuracy.sh, demo-phrases.sh and
# demo-phrase-accuracy.sh: -threads 20 on any machine, -hs 1 -negative 0,
# -classes 500, -negative 25 -window 8 -iter 15, word2phrase's thresholds),
# on the first 300,000 words of wiki100m instead of text8 so the test stays
# short. Every output must load and score in kensho-eval, the classes file
# must be demo-classes.sh's sorted form, and the phrases must reach the
# vectors. Skips (77) without ../shared/data.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] && [ -x "$KENSHO_EVAL" ] && [ -x "$KENSHO_PHRASES" ] || skip "tools not built"
[ -f "$KS_SHARED_DATA/wiki100m.txt.gz" ] || skip "no wiki100m corpus in $KS_SHARED_DATA"
q="$KS_SHARED_DATA/eval/questions-words.txt"
qp="$KS_SHARED_DATA/eval/questions-phrases.txt"
[ -f "$q" ] && [ -f "$qp" ] || skip "no question files in $KS_SHARED_DATA/eval"

# The slice, in lines of 1000 words (text8 is one line; kensho cuts long
# sentences itself, word2phrase-style tools want lines).
# Under sanitizers or valgrind a sixth of it, which keeps every command.
bytes=1800000
[ -z "${KS_SANITIZERS:-}${KS_VALGRIND:-}" ] || bytes=300000
gzip -dc "$KS_SHARED_DATA/wiki100m.txt.gz" | head -c $bytes |
	awk '{ for (i = 1; i < NF; i++) printf "%s%s", $i, (i % 1000 ? " " : "\n") } END { print "" }' \
	>"$tmp/text8" || fail "cannot cut the corpus"

# scores VECTORS QUESTIONS: the analogy report must cover some questions.
scores() {
	"$KENSHO_EVAL" analogy "$1" "$2" -quiet >"$tmp/acc" 2>"$tmp/err" ||
		fail "kensho-eval analogy $1: $(cat "$tmp/err")"
	awk '$1 == "total" { seen = $3 > 0 } END { exit !seen }' "$tmp/acc" ||
		fail "no question of $2 was covered by $1: $(cat "$tmp/acc")"
}

# demo-word.sh and demo-word-accuracy.sh (compute-accuracy restricts to 30000).
expect_ok "$KENSHO" -train "$tmp/text8" -output "$tmp/vectors.bin" -cbow 1 -size 200 -window 8 \
	-negative 25 -hs 0 -sample 1e-4 -threads 20 -binary 1 -iter 15
"$KENSHO_EVAL" neighbors "$tmp/vectors.bin" france >"$tmp/nn" 2>"$tmp/err" ||
	fail "distance on the demo vectors: $(cat "$tmp/err")"
[ -s "$tmp/nn" ] || fail "no neighbours"
scores "$tmp/vectors.bin" "$q"
ok

# The older demo-word.sh: skip-gram with hierarchical softmax only.
expect_ok "$KENSHO" -train "$tmp/text8" -output "$tmp/hs.bin" -cbow 0 -size 200 -window 5 \
	-negative 0 -hs 1 -sample 1e-3 -threads 20 -binary 1 -iter 1
scores "$tmp/hs.bin" "$q"
ok

# demo-classes.sh: the classes, then its sort, which must change nothing.
expect_ok "$KENSHO" -train "$tmp/text8" -output "$tmp/classes.txt" -cbow 1 -size 200 -window 8 \
	-negative 25 -hs 0 -sample 1e-4 -threads 20 -iter 15 -classes 500
sort "$tmp/classes.txt" -k 2 -n -s >"$tmp/classes.sorted.txt"
cmp -s "$tmp/classes.txt" "$tmp/classes.sorted.txt" || fail "the classes are not in sorted order"
[ "$(cut -d' ' -f2 "$tmp/classes.txt" | sort -u | wc -l)" -eq 500 ] || fail "not 500 classes used"
ok

# demo-phrases.sh and demo-phrase-accuracy.sh.
expect_ok "$KENSHO_PHRASES" -train "$tmp/text8" -output "$tmp/phrase0" -threshold 200 -debug 2
expect_ok "$KENSHO_PHRASES" -train "$tmp/phrase0" -output "$tmp/phrase1" -threshold 100 -debug 2
grep -q '[a-z]_[a-z]' "$tmp/phrase1" || fail "no phrase was joined"
expect_ok "$KENSHO" -train "$tmp/phrase1" -output "$tmp/vectors-phrase.bin" -cbow 1 -size 200 \
	-window 10 -negative 25 -hs 0 -sample 1e-5 -threads 20 -binary 1 -iter 15 \
	-save-vocab "$tmp/pv.txt"
grep -q '^[a-z]*_[a-z_]* ' "$tmp/pv.txt" || fail "no phrase in the vocabulary"
"$KENSHO_EVAL" analogy "$tmp/vectors-phrase.bin" "$qp" -quiet >"$tmp/acc" 2>"$tmp/err" ||
	fail "kensho-eval analogy on the phrase questions: $(cat "$tmp/err")"
grep -q '^total' "$tmp/acc" || fail "no total for the phrase questions: $(cat "$tmp/acc")"
ok
finish
