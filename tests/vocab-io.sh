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
	"$KENSHO" -size 8 -iter 1 -min-count 1 -threads 1 -seed 1 -quiet "$@"
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

finish
