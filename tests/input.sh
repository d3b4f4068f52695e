#!/bin/sh
# Input through the real binary: plain, gzip, multi-member gzip, stdin and
# several files give byte-identical vectors (one thread, fixed seed), with
# and without the token cache and -read-vocab; long lines are chunked, not
# lost; bad input fails with a message naming the file and nothing written.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
command -v gzip >/dev/null || skip "gzip missing"

"$GEN" -words 60000 -seed 7 -o "$tmp/c.txt" -q "$tmp/q.txt" >/dev/null 2>&1 || fail "generator failed"
train() {
	"$KENSHO" -size 16 -iter 2 -min-count 2 -threads 1 -seed 3 -quiet "$@"
}
expect_ok train -train "$tmp/c.txt" -output "$tmp/plain.vec" -save-vocab "$tmp/vocab.txt"

gzip -c "$tmp/c.txt" > "$tmp/c.gz"
cp "$tmp/c.gz" "$tmp/looks-plain.txt"
lines=$(wc -l < "$tmp/c.txt")
head -n $((lines / 3)) "$tmp/c.txt" | gzip -c > "$tmp/multi.gz"
tail -n +$((lines / 3 + 1)) "$tmp/c.txt" | gzip -c >> "$tmp/multi.gz"
head -n $((lines / 2)) "$tmp/c.txt" > "$tmp/part1.txt"
tail -n +$((lines / 2 + 1)) "$tmp/c.txt" | gzip -c > "$tmp/part2.gz"
sed 's/$/\r/' "$tmp/c.txt" > "$tmp/crlf.txt"

same() {
	name=$1
	shift
	train "$@" -output "$tmp/$name.vec" 2>"$tmp/err" </dev/null || fail "$name: $(cat "$tmp/err")"
	cmp -s "$tmp/plain.vec" "$tmp/$name.vec" || fail "$name input gives different vectors"
	ok
}
same gzip -train "$tmp/c.gz"
same magic -train "$tmp/looks-plain.txt"
same multi -train "$tmp/multi.gz"
same twofiles -train "$tmp/part1.txt" -train "$tmp/part2.gz"
same crlf -train "$tmp/crlf.txt"
same nocache -train "$tmp/c.gz" -cache-mb 0
same readvocab -train "$tmp/c.txt" -read-vocab "$tmp/vocab.txt"
same readvocab-nocache -train "$tmp/c.txt" -read-vocab "$tmp/vocab.txt" -cache-mb 0
train -train - -output "$tmp/stdin.vec" < "$tmp/c.gz" 2>"$tmp/err" || fail "stdin: $(cat "$tmp/err")"
cmp -s "$tmp/plain.vec" "$tmp/stdin.vec" || fail "gzip on stdin gives different vectors"
train -train - -read-vocab "$tmp/vocab.txt" -output "$tmp/stdin2.vec" < "$tmp/c.txt" \
	2>"$tmp/err" || fail "stdin with -read-vocab: $(cat "$tmp/err")"
cmp -s "$tmp/plain.vec" "$tmp/stdin2.vec" || fail "stdin with -read-vocab gives different vectors"
ok
expect_fail 13 "standard input" sh -c "\"$KENSHO\" -train - -output \"$tmp/x.vec\" -cache-mb 0 -quiet < \"$tmp/c.txt\""
[ ! -e "$tmp/x.vec" ] || fail "output written after a failure"
# A pipe given by name cannot be read twice either.
expect_fail 13 "pipe" sh -c "cat \"$tmp/c.txt\" | \"$KENSHO\" -train /dev/stdin -output \"$tmp/x.vec\" -cache-mb 0 -quiet"
[ ! -e "$tmp/x.vec" ] || fail "output written after a failure"
# The map of distinct tokens counts against -cache-mb with the cache: 150,000
# distinct tokens (and 150,000 ids) fit 1 MB of ids, but not with their map,
# so the corpus is streamed instead, with the same vectors.
awk 'BEGIN { for (i = 0; i < 150000; i++) printf "w%d%s", i % 140000, (i % 20 == 19) ? "\n" : " " }' \
	> "$tmp/distinct.txt"
"$KENSHO" -train "$tmp/distinct.txt" -output "$tmp/d1.vec" -size 4 -iter 1 -min-count 2 \
	-threads 1 -cache-mb 1 2>"$tmp/err" || fail "distinct tokens: $(cat "$tmp/err")"
grep -q "its map of 140000 distinct words do not fit the token cache (-cache-mb 1)" "$tmp/err" ||
	fail "map not counted in -cache-mb: $(cat "$tmp/err")"
"$KENSHO" -train "$tmp/distinct.txt" -output "$tmp/d0.vec" -size 4 -iter 1 -min-count 2 \
	-threads 1 -cache-mb 0 -quiet || fail "distinct tokens, no cache"
cmp -s "$tmp/d0.vec" "$tmp/d1.vec" || fail "the streamed run differs from -cache-mb 0"
expect_fail 13 "standard input" sh -c "\"$KENSHO\" -train - -output \"$tmp/x.vec\" -cache-mb 1 -min-count 2 -quiet < \"$tmp/distinct.txt\""
ok

# One line of many words (as wiki100m) is cut into -max-sentence chunks and
# every word is trained: the vocabulary is the same as with the lines.
tr '\n' ' ' < "$tmp/c.txt" > "$tmp/oneline.txt"
expect_ok train -train "$tmp/oneline.txt" -output "$tmp/oneline.vec" -save-vocab "$tmp/oneline.vocab"
cmp -s "$tmp/vocab.txt" "$tmp/oneline.vocab" || fail "one-line corpus counts differ"
expect_ok "$KENSHO" -train "$tmp/oneline.txt" -output "$tmp/oneline.vec" -debug 1 -min-count 2 -threads 2
words=$(wc -w < "$tmp/c.txt")
grep -q "corpus: $words words" "$tmp/err" || fail "not all $words words were read: $(cat "$tmp/err")"

# Over-long tokens are skipped and reported.
{ head -c 3000 /dev/zero | tr '\0' 'x'; echo " short words here"; cat "$tmp/c.txt"; } > "$tmp/long.txt"
expect_ok "$KENSHO" -train "$tmp/long.txt" -output "$tmp/long.vec" -debug 1 -threads 1
grep -q "skipped 1 token longer than" "$tmp/err" || fail "long token not reported: $(cat "$tmp/err")"

# Bad input: clear message naming the file, non-zero exit, nothing written.
expect_fail 4 "missing.txt" train -train "$tmp/missing.txt" -output "$tmp/bad.vec"
mkdir "$tmp/adir"
expect_fail 4 "adir" train -train "$tmp/adir" -output "$tmp/bad.vec"
if [ "$(id -u)" -ne 0 ]; then
	cp "$tmp/c.txt" "$tmp/locked.txt"
	chmod 000 "$tmp/locked.txt"
	expect_fail 4 "locked.txt" train -train "$tmp/locked.txt" -output "$tmp/bad.vec"
fi
size=$(wc -c < "$tmp/c.gz")
head -c $((size / 2)) "$tmp/c.gz" > "$tmp/cut.gz"
expect_fail 7 "cut.gz.*(truncated|unexpected end)" train -train "$tmp/cut.gz" -output "$tmp/bad.vec"
{ head -c 2000 "$tmp/c.gz"; head -c 3000 /dev/zero | tr '\0' 'Q'; tail -c +5001 "$tmp/c.gz"; } > "$tmp/corrupt.gz"
expect_fail 7 "corrupt.gz" train -train "$tmp/corrupt.gz" -output "$tmp/bad.vec"
: > "$tmp/empty.txt"
expect_fail 8 "empty.txt.*no words" train -train "$tmp/empty.txt" -output "$tmp/bad.vec"
printf 'just a few words\n' > "$tmp/few.txt"
expect_fail 8 "min-count" train -train "$tmp/few.txt" -output "$tmp/bad.vec"
printf 'the 10\nof 9\nbroken\n' > "$tmp/badvocab.txt"
expect_fail 7 "badvocab.txt:3" train -train "$tmp/c.txt" -read-vocab "$tmp/badvocab.txt" -output "$tmp/bad.vec"
[ ! -e "$tmp/bad.vec" ] || fail "output written after a failure"
ls "$tmp" | grep -q '\.tmp\.' && fail "temporary file left behind"
finish
