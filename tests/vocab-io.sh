#!/bin/sh
# Corpus and vocabulary files at the edges of the format: NUL bytes in the
# corpus, a UTF-8 byte-order mark, word2vec.c's "</s>" line, and
# vocabularies read from gzip and standard input. Every vocabulary kensho
# writes must read back, and every variant of the same text must give the
# same vectors (one thread, fixed seed).
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
command -v gzip >/dev/null || skip "gzip missing"

train() {
	"$KENSHO" -size 8 -iter 1 -min-count 1 -sample 0 -threads 1 -seed 1 -quiet "$@"
}

# no_duplicates FILE: the vectors in FILE (text format) name each word once.
no_duplicates() {
	dups=$(tail -n +2 "$1" | cut -d' ' -f1 | sort | uniq -d)
	[ -z "$dups" ] || fail "$1: duplicate words: $dups"
}

# A NUL byte separates words (item 4 of issue 14): "a\0b" is a and b, so
# the vectors name each word once and the saved vocabulary reads back.
i=0
while [ $i -lt 20 ]; do
	printf 'the cat\000sat on the mat\nthe\000cat sat\000\000on a mat\000\n'
	printf 'a cat and a dog\n'
	i=$((i + 1))
done > "$tmp/nul.txt"
tr '\000' ' ' < "$tmp/nul.txt" > "$tmp/nul-as-space.txt"
expect_ok train -train "$tmp/nul.txt" -output "$tmp/nul.vec" -save-vocab "$tmp/nul.vocab"
no_duplicates "$tmp/nul.vec"
[ "$(head -n 1 "$tmp/nul.vec")" = "8 8" ] || fail "NUL corpus: header $(head -n 1 "$tmp/nul.vec"), expected 8 8"
tr -d '\n' < "$tmp/nul.vocab" | od -An -c | grep -q '\\0' && fail "the vocabulary holds a NUL byte"
expect_ok train -train "$tmp/nul-as-space.txt" -output "$tmp/nul-as-space.vec"
cmp -s "$tmp/nul.vec" "$tmp/nul-as-space.vec" || fail "a NUL does not separate as a blank does"
expect_ok train -train "$tmp/nul.txt" -read-vocab "$tmp/nul.vocab" -output "$tmp/nul-rv.vec"
cmp -s "$tmp/nul.vec" "$tmp/nul-rv.vec" || fail "NUL corpus: -read-vocab of the saved vocabulary differs"
ok

# The same text for the tests below: 300 lines over 12 words.
awk 'BEGIN { srand(5); for (i = 0; i < 300; i++) { n = 3 + int(rand() * 6);
	for (j = 0; j < n; j++) printf "w%d%s", int(rand() * rand() * 12), j < n - 1 ? " " : "\n" } }' \
	> "$tmp/c.txt"
expect_ok train -train "$tmp/c.txt" -output "$tmp/c.vec" -save-vocab "$tmp/c.vocab"

# A UTF-8 byte-order mark opening an input, plain or gzip, is skipped
# (item 10): the vectors are those of the text without it, byte for byte,
# and the first word is not "\357\273\277w..." (a 13th word).
bom=$(printf '\357\273\277')
head -n 100 "$tmp/c.txt" > "$tmp/part1.txt"
tail -n +101 "$tmp/c.txt" > "$tmp/part2.txt"
{ printf '%s' "$bom"; cat "$tmp/c.txt"; } > "$tmp/bom.txt"
{ printf '%s' "$bom"; cat "$tmp/part1.txt"; } > "$tmp/bom1.txt"
{ printf '%s' "$bom"; cat "$tmp/part2.txt"; } | gzip -c > "$tmp/bom2.gz"
for args in "-train $tmp/bom.txt" "-train $tmp/bom1.txt -train $tmp/bom2.gz"; do
	# shellcheck disable=SC2086
	expect_ok train $args -output "$tmp/bom.vec"
	cmp -s "$tmp/c.vec" "$tmp/bom.vec" || fail "byte-order mark ($args): the vectors differ"
done
expect_ok sh -c "gzip -c '$tmp/bom.txt' | \"$KENSHO\" -size 8 -iter 1 -min-count 1 -sample 0 -threads 1 \
	-seed 1 -quiet -train - -output '$tmp/bom.vec'"
cmp -s "$tmp/c.vec" "$tmp/bom.vec" || fail "byte-order mark in gzip on stdin: the vectors differ"
# A vocabulary file that opens with the mark reads as one without it.
{ printf '%s' "$bom"; cat "$tmp/c.vocab"; } > "$tmp/bom.vocab"
expect_ok train -train "$tmp/c.txt" -read-vocab "$tmp/bom.vocab" -output "$tmp/bom.vec"
cmp -s "$tmp/c.vec" "$tmp/bom.vec" || fail "byte-order mark in -read-vocab: the vectors differ"

# word2vec.c's vocabulary files open with its sentence marker "</s> N"
# (item 11): -read-vocab skips it, so it is neither written out nor drawn
# as a negative, and the run is the one without that line.
{ echo "</s> 100"; cat "$tmp/c.vocab"; } > "$tmp/w2v.vocab"
expect_ok train -train "$tmp/c.txt" -read-vocab "$tmp/w2v.vocab" -output "$tmp/w2v.vec" \
	-save-vocab "$tmp/w2v-saved.vocab"
grep -q '^</s> ' "$tmp/w2v.vec" && fail "</s> from the vocabulary file is in the vectors"
[ "$(head -n 1 "$tmp/w2v.vec" | cut -d' ' -f1)" = "$(wc -l < "$tmp/c.vocab" | tr -d ' ')" ] ||
	fail "</s>: $(head -n 1 "$tmp/w2v.vec") vectors for $(wc -l < "$tmp/c.vocab") words"
cmp -s "$tmp/c.vec" "$tmp/w2v.vec" || fail "</s> line: the vectors differ from those without it"
cmp -s "$tmp/c.vocab" "$tmp/w2v-saved.vocab" || fail "</s> line: -save-vocab differs"
# In the corpus the token </s> ends a sentence, as in word2vec.c and
# fastText: never a word, so kensho's vocabulary files never hold it.
sed 's/ /\n/3' "$tmp/c.txt" > "$tmp/split.txt"
sed 's/ / <\/s> /3' "$tmp/c.txt" > "$tmp/marker.txt"
expect_ok train -train "$tmp/split.txt" -output "$tmp/split.vec"
expect_ok train -train "$tmp/marker.txt" -output "$tmp/marker.vec" -save-vocab "$tmp/marker.vocab"
grep -q '^</s> ' "$tmp/marker.vocab" && fail "</s> in the corpus became a word"
cmp -s "$tmp/split.vec" "$tmp/marker.vec" || fail "</s> in the corpus does not end the sentence"

# -read-vocab takes what -train takes (item 8): gzip by its magic bytes,
# whatever the name, and "-" for standard input; the vectors are those of
# the plain file, byte for byte.
gzip -c "$tmp/c.vocab" > "$tmp/c.vocab.gz"
cp "$tmp/c.vocab.gz" "$tmp/gz-named-plain.vocab"
for v in "$tmp/c.vocab.gz" "$tmp/gz-named-plain.vocab"; do
	expect_ok train -train "$tmp/c.txt" -read-vocab "$v" -output "$tmp/rv.vec"
	cmp -s "$tmp/c.vec" "$tmp/rv.vec" || fail "-read-vocab $v: the vectors differ"
done
for v in "$tmp/c.vocab" "$tmp/c.vocab.gz"; do
	train -train "$tmp/c.txt" -read-vocab - -output "$tmp/rv.vec" < "$v" 2>"$tmp/err" ||
		fail "-read-vocab - < $v: $(cat "$tmp/err")"
	cmp -s "$tmp/c.vec" "$tmp/rv.vec" || fail "-read-vocab - < $v: the vectors differ"
	ok
done
# Through a pipe too, on a corpus of nine words.
printf 'the cat sat on the mat\nthe dog sat\n' > "$tmp/nine.txt"
expect_ok train -train "$tmp/nine.txt" -save-vocab "$tmp/nine.vocab" -output "$tmp/nine.vec"
cat "$tmp/nine.vocab" | train -train "$tmp/nine.txt" -read-vocab - -output "$tmp/nine-rv.vec" \
	2>"$tmp/err" || fail "-read-vocab - through a pipe: $(cat "$tmp/err")"
cmp -s "$tmp/nine.vec" "$tmp/nine-rv.vec" || fail "-read-vocab - through a pipe: the vectors differ"
ok
printf 'the 10\nof 9\nbroken\n' | "$KENSHO" -train "$tmp/c.txt" -read-vocab - -output "$tmp/bad.vec" \
	-quiet 2>"$tmp/err"
[ $? -eq 7 ] || fail "a bad vocabulary on stdin: not status 7"
grep -q "standard input:3: missing count" "$tmp/err" || fail "bad vocabulary on stdin: $(cat "$tmp/err")"
ok
# Standard input cannot hold both, however it is spelled.
expect_fail 2 "-train - and -read-vocab -" "$KENSHO" -train - -read-vocab - -output "$tmp/bad.vec"
expect_fail 2 "one pipe or device" sh -c "cat '$tmp/c.vocab' | \"$KENSHO\" -train - \
	-read-vocab /dev/stdin -output '$tmp/bad.vec'"

# Standard input with -read-vocab and -iter 1 needs one pass, so it trains
# without the cache (-cache-mb 0) as it is read: the vectors are those of
# the same run from the file. With the cache, or when a second pass is
# needed (counting the vocabulary, a second epoch), it is refused as before.
expect_ok train -train "$tmp/c.txt" -read-vocab "$tmp/c.vocab" -cache-mb 0 -output "$tmp/nc.vec"
cmp -s "$tmp/c.vec" "$tmp/nc.vec" || fail "-cache-mb 0 from a file: the vectors differ"
train -train - -read-vocab "$tmp/c.vocab" -cache-mb 0 -output "$tmp/one.vec" -quiet \
	< "$tmp/c.txt" 2>"$tmp/err" || fail "stdin, -read-vocab, -iter 1, -cache-mb 0: $(cat "$tmp/err")"
cmp -s "$tmp/nc.vec" "$tmp/one.vec" || fail "one pass over stdin: the vectors differ"
gzip -c "$tmp/c.txt" | train -train /dev/stdin -read-vocab "$tmp/c.vocab.gz" -cache-mb 0 \
	-output "$tmp/one.vec" 2>"$tmp/err" || fail "one pass over a pipe: $(cat "$tmp/err")"
cmp -s "$tmp/nc.vec" "$tmp/one.vec" || fail "one pass over a gzip pipe: the vectors differ"
ok
# With two threads the vectors vary from run to run, but every word has one.
gzip -c "$tmp/c.txt" | train -train - -read-vocab "$tmp/c.vocab" -cache-mb 0 -threads 2 \
	-output "$tmp/one2.vec" 2>"$tmp/err" || fail "one pass, two threads: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/one2.vec")" = "$(head -n 1 "$tmp/nc.vec")" ] ||
	fail "one pass, two threads: header $(head -n 1 "$tmp/one2.vec")"
ok
"$KENSHO" -train - -read-vocab "$tmp/c.vocab" -cache-mb 0 -min-count 1 -size 8 -iter 1 \
	-output "$tmp/one.vec" < "$tmp/c.txt" 2>"$tmp/err" || fail "one pass: $(cat "$tmp/err")"
grep -q "read once, while training" "$tmp/err" || fail "one pass not announced: $(cat "$tmp/err")"
grep -q "corpus: $(wc -w < "$tmp/c.txt" | tr -d ' ') words, 300 sentences" "$tmp/err" ||
	fail "one pass: corpus counts not reported: $(cat "$tmp/err")"
ok
expect_fail 13 "standard input" sh -c "\"$KENSHO\" -train - -read-vocab '$tmp/c.vocab' -cache-mb 0 \
	-iter 2 -min-count 1 -output '$tmp/x.vec' -quiet < '$tmp/c.txt'"
expect_fail 13 "give -read-vocab and -cache-mb 0 to read it only once" sh -c "\"$KENSHO\" -train - -cache-mb 0 \
	-iter 1 -min-count 1 -output '$tmp/x.vec' -quiet < '$tmp/c.txt'"
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "w%d%s", i % 12, (i % 20 == 19) ? "\n" : " " }' \
	> "$tmp/big.txt"
expect_fail 13 "give -cache-mb 0 to train as the corpus is read" sh -c "\"$KENSHO\" -train - \
	-read-vocab '$tmp/c.vocab' -cache-mb 1 -iter 1 -min-count 1 -output '$tmp/x.vec' -quiet \
	< '$tmp/big.txt'"
[ ! -e "$tmp/x.vec" ] || fail "output written after a refusal"

finish
