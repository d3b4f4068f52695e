#!/bin/sh
# -classes K through the real binary: "word class" lines for every word of
# the vocabulary, sorted by class, every class used, reproducible with a
# fixed seed; more classes than words, or no -output, refused.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"

"$GEN" -o "$tmp/c.txt" -words 100000 -seed 4 -quiet || fail "kensho-gen-corpus failed"
opts="-train $tmp/c.txt -size 16 -iter 2 -seed 5 -min-count 2 -debug 1"

# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -threads 2 -classes 8 -output "$tmp/cl.txt" -save-vocab "$tmp/vocab.txt" \
	-save-context "$tmp/ctx.txt"
grep -q "classes: 8 k-means classes of" "$tmp/err" || fail "no classes summary: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/cl.txt")" -eq "$(wc -l < "$tmp/vocab.txt")" ] || fail "not one line per word"
awk 'NF != 2 || $2 !~ /^[0-7]$/ { exit 1 }' "$tmp/cl.txt" || fail "a line is not 'word class' with class 0-7"
cut -d' ' -f2 "$tmp/cl.txt" | sort -c -n || fail "not sorted by class"
[ "$(cut -d' ' -f2 "$tmp/cl.txt" | sort -u | wc -l)" -eq 8 ] || fail "not every class is used"
[ "$(cut -d' ' -f1 "$tmp/cl.txt" | sort -u | wc -l)" -eq "$(wc -l < "$tmp/cl.txt")" ] || fail "a word twice"
cut -d' ' -f1 "$tmp/cl.txt" | sort > "$tmp/a"
cut -d' ' -f1 "$tmp/vocab.txt" | sort > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "the classes' words are not the vocabulary"
# The context vectors are still vectors.
head -n 1 "$tmp/ctx.txt" | grep -q "^[0-9]* 16$" || fail "-save-context: $(head -n 1 "$tmp/ctx.txt")"
ok

# With one thread and a fixed seed, the same classes twice.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -threads 1 -classes 8 -output "$tmp/c1.txt"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -threads 1 -classes 8 -output "$tmp/c2.txt"
cmp -s "$tmp/c1.txt" "$tmp/c2.txt" || fail "-threads 1 -classes is not reproducible"
ok

# Refusals: more classes than words (after training, nothing written), no -output.
# shellcheck disable=SC2086
expect_fail 2 "more classes than the" "$KENSHO" $opts -classes 100000000 -output "$tmp/x.txt"
[ ! -e "$tmp/x.txt" ] || fail "a refused -classes wrote -output"
# shellcheck disable=SC2086
expect_fail 2 "give -output" "$KENSHO" $opts -classes 8 -save-vocab "$tmp/v2.txt"
finish
