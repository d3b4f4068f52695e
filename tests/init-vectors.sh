#!/bin/sh
# -init-vectors FILE (issue 17): the word vectors start from a file's rows
# (words outside the vocabulary dropped, missing ones random, the output
# vectors from zero); the count is reported; a wrong dimension is refused
# before the corpus is read, naming both; NaN and duplicate words get the
# reader's errors; nothing is written on a refusal.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"

"$GEN" -o "$tmp/c.txt" -words 60000 -seed 8 -quiet || fail "kensho-gen-corpus failed"
opts="-train $tmp/c.txt -size 16 -threads 1 -seed 2 -min-count 2 -iter 1"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -output "$tmp/a.txt" -save-vocab "$tmp/vocab.txt"
n=$(wc -l < "$tmp/vocab.txt")

# A start file: every vocabulary row of a.txt but the last, plus a word
# the corpus does not have.
{
	echo "$n 16"
	sed -n "2,${n}p" "$tmp/a.txt"
	echo "zzznotaword 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"
} > "$tmp/init.txt"
missing=$(tail -n 1 "$tmp/a.txt" | cut -d' ' -f1)

# With a negligible rate the word vectors are the start file's rows.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -alpha 1e-12 -init-vectors "$tmp/init.txt" -output "$tmp/b.txt" -debug 1 \
	-output-vectors word
grep -q -- "-init-vectors $tmp/init.txt: $((n - 1)) of its $n vectors taken; 1 vocabulary word starts at random" \
	"$tmp/err" || fail "report: $(cat "$tmp/err")"
awk 'NR == FNR { if (FNR > 1) for (i = 2; i <= NF; i++) v[$1, i] = $i; next }
	FNR > 1 && ($1, 2) in v { for (i = 2; i <= NF; i++) { d = $i - v[$1, i]; if (d < 0) d = -d
		if (d > 1e-6) { print $1 " dimension " i - 1 ": " $i " against " v[$1, i]; exit 1 } } m++ }
	END { if (m < 2) { print "only " m " rows compared"; exit 1 } }' "$tmp/init.txt" "$tmp/b.txt" ||
	fail "the vectors did not start from the file"
grep -q "^zzznotaword " "$tmp/b.txt" && fail "a word outside the vocabulary was added"
grep -q "^$missing " "$tmp/b.txt" || fail "the word missing from the file is missing from the output"
ok

# With the normal rate the start file still makes a difference.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -init-vectors "$tmp/init.txt" -output "$tmp/c1.txt"
cmp -s "$tmp/a.txt" "$tmp/c1.txt" && fail "-init-vectors changed nothing"
ok

# Refusals, all before anything is written.
# shellcheck disable=SC2086
expect_fail 2 "the vectors have 16 dimensions, but -size is 17" \
	"$KENSHO" $opts -size 17 -init-vectors "$tmp/init.txt" -output "$tmp/x.txt"
printf '2 2\nfoo 1 nan\nbar 1 2\n' > "$tmp/nan.txt"
# shellcheck disable=SC2086
expect_fail 7 "$tmp/nan.txt" "$KENSHO" $opts -size 2 -init-vectors "$tmp/nan.txt" -output "$tmp/x.txt"
printf '2 2\nfoo 1 2\nfoo 3 4\n' > "$tmp/dup.txt"
# shellcheck disable=SC2086
expect_fail 7 "$tmp/dup.txt" "$KENSHO" $opts -size 2 -init-vectors "$tmp/dup.txt" -output "$tmp/x.txt"
# shellcheck disable=SC2086
expect_fail 4 "$tmp/none.txt" "$KENSHO" $opts -init-vectors "$tmp/none.txt" -output "$tmp/x.txt"
# shellcheck disable=SC2086
cp "$tmp/init.txt" "$tmp/keep.txt"
# shellcheck disable=SC2086
expect_fail 2 "-init-vectors" "$KENSHO" $opts -init-vectors "$tmp/init.txt" -output "$tmp/init.txt"
cmp -s "$tmp/init.txt" "$tmp/keep.txt" || fail "the start file was overwritten"
[ ! -e "$tmp/x.txt" ] || fail "a refused run wrote -output"
# shellcheck disable=SC2086
expect_fail 2 "standard input already holds" "$KENSHO" -train - -init-vectors - -output "$tmp/x.txt" \
	</dev/null
finish
