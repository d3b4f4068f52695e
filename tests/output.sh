#!/bin/sh
# Output files: both formats, stdout, special files written in place, and
# failures that leave nothing half-written under the final name.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"

# A small corpus: 800 tokens of 40 distinct words in 100 lines.
i=0
while [ $i -lt 100 ]; do
	echo "w$((i % 40)) w$(((i + 7) % 40)) w$(((i * 3) % 40)) w$(((i + 1) % 40)) w$(((i * 7 + 3) % 40)) w$(((i + 13) % 40)) w$(((i * 11) % 40)) w$(((i + 29) % 40))"
	i=$((i + 1))
done > "$tmp/c.txt"
train() {
	"$KENSHO" -train "$tmp/c.txt" -size 8 -iter 2 -min-count 1 -threads 1 -quiet "$@"
}

expect_ok train -output "$tmp/v.txt" -save-context "$tmp/ctx.txt" -save-vocab "$tmp/vocab.txt"
[ "$(head -n 1 "$tmp/v.txt")" = "40 8" ] || fail "text header: $(head -n 1 "$tmp/v.txt")"
[ "$(wc -l < "$tmp/v.txt")" -eq 41 ] || fail "text file has $(wc -l < "$tmp/v.txt") lines"
awk 'NR > 1 && NF != 9 { exit 1 }' "$tmp/v.txt" || fail "a text line lacks 8 values"
[ "$(head -n 1 "$tmp/ctx.txt")" = "40 8" ] || fail "context header"
cmp -s "$tmp/v.txt" "$tmp/ctx.txt" && fail "context vectors equal word vectors"
[ "$(wc -l < "$tmp/vocab.txt")" -eq 40 ] || fail "vocabulary has $(wc -l < "$tmp/vocab.txt") lines"
# word count lines, counts summing to the corpus, most frequent first.
awk 'NF != 2 || (NR > 1 && $2 > prev) { exit 1 } { prev = $2; sum += $2 }
	END { if (sum != 800) exit 1 }' "$tmp/vocab.txt" ||
	fail "vocabulary lines: $(head -3 "$tmp/vocab.txt")"
ok

# Binary: header, then per word its bytes, a space, 8 floats and a newline.
expect_ok train -output "$tmp/v.bin" -binary 1
[ "$(head -n 1 "$tmp/v.bin")" = "40 8" ] || fail "binary header"
size=$(wc -c < "$tmp/v.bin")
words=$(awk 'NR > 1 { print $1 }' "$tmp/v.txt" | tr -d '\n' | wc -c)
[ "$size" -eq $((5 + words + 40 * (1 + 32 + 1))) ] || fail "binary file size $size"
ok

# Same seed, same vectors; stdout gives the same bytes as a file.
expect_ok train -output "$tmp/v2.txt"
cmp -s "$tmp/v.txt" "$tmp/v2.txt" || fail "two runs with one thread and one seed differ"
train -output - > "$tmp/stdout.txt" 2>"$tmp/err" || fail "-output - failed: $(cat "$tmp/err")"
cmp -s "$tmp/v.txt" "$tmp/stdout.txt" || fail "-output - differs from a file"
ok

# A pipe and /dev/stdout are written in place, never renamed over.
train -output /dev/stdout | cat > "$tmp/piped.txt" || fail "-output /dev/stdout failed"
cmp -s "$tmp/v.txt" "$tmp/piped.txt" || fail "-output /dev/stdout differs"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/fifo.txt" &
expect_ok train -output "$tmp/fifo"
wait
[ -p "$tmp/fifo" ] || fail "the fifo was replaced"
cmp -s "$tmp/v.txt" "$tmp/fifo.txt" || fail "fifo output differs"

# -output-vectors: word, context or mean; CBOW's default is the mean,
# skip-gram's the word vectors. One thread and one seed train the same
# model every time, so the files can be compared across runs.
expect_ok train -output "$tmp/ow.txt" -output-vectors word -save-context "$tmp/oc.txt"
expect_ok train -output "$tmp/om.txt" -output-vectors mean
expect_ok train -output "$tmp/od.txt"
expect_ok train -output "$tmp/ox.txt" -output-vectors context
cmp -s "$tmp/od.txt" "$tmp/om.txt" || fail "CBOW's default output is not the mean"
cmp -s "$tmp/ox.txt" "$tmp/oc.txt" || fail "-output-vectors context differs from -save-context"
cmp -s "$tmp/ow.txt" "$tmp/om.txt" && fail "the mean equals the word vectors"
# Every value of the mean is (word + context) / 2, to float precision.
awk 'FNR == 1 { f++; next }
	f == 1 { for (j = 2; j <= NF; j++) w[FNR, j] = $j; next }
	f == 2 { for (j = 2; j <= NF; j++) c[FNR, j] = $j; next }
	{ for (j = 2; j <= NF; j++) {
		want = (w[FNR, j] + c[FNR, j]) / 2; d = $j - want; if (d < 0) d = -d
		a = want < 0 ? -want : want
		if (d > 1e-6 * a + 1e-12) { print FNR, j, $j, want; bad = 1; exit }
		n++ } }
	END { if (bad || n != 40 * 8) exit 1 }' "$tmp/ow.txt" "$tmp/oc.txt" "$tmp/om.txt" ||
	fail "the mean is not the average of the word and context vectors"
expect_ok train -cbow 0 -output "$tmp/sd.txt"
expect_ok train -cbow 0 -output "$tmp/sw.txt" -output-vectors word
cmp -s "$tmp/sd.txt" "$tmp/sw.txt" || fail "skip-gram's default output is not the word vectors"
# -output-vectors without -output changes nothing, and says so.
expect_ok "$KENSHO" -train "$tmp/c.txt" -size 8 -iter 1 -min-count 1 -threads 1 \
	-output-vectors context -save-model "$tmp/nov.model"
grep -q "output-vectors context has no effect without -output" "$tmp/err" ||
	fail "no warning for -output-vectors without -output: $(cat "$tmp/err")"
expect_ok "$KENSHO" -train "$tmp/c.txt" -size 8 -iter 1 -min-count 1 -threads 1 \
	-save-model "$tmp/nov.model"
grep -q "output-vectors" "$tmp/err" && fail "a warning without -output-vectors: $(cat "$tmp/err")"
ok
# -save-model keeps the word vectors as trained: -iter 0 from it writes them.
expect_ok train -output "$tmp/m1.txt" -output-vectors mean -save-model "$tmp/m.model"
cmp -s "$tmp/m1.txt" "$tmp/om.txt" || fail "-save-model changed the mean"
expect_ok train -init "$tmp/m.model" -iter 0 -output "$tmp/m0.txt" -output-vectors word
cmp -s "$tmp/m0.txt" "$tmp/ow.txt" || fail "the saved model's word vectors were overwritten by the mean"
expect_fail 2 "must be word, context or mean" train -output "$tmp/x.txt" -output-vectors both
expect_fail 2 "no context vector per word" train -output "$tmp/x.txt" -hs 1 -negative 0 \
	-output-vectors mean
expect_ok train -output "$tmp/h.txt" -hs 1 -negative 0
[ "$(head -n 1 "$tmp/h.txt")" = "40 8" ] || fail "-hs 1 -negative 0 output header"
ok

# Write errors fail cleanly.
if [ -c /dev/full ]; then
	expect_fail 6 "/dev/full" train -output /dev/full
	[ -c /dev/full ] || fail "/dev/full was replaced"
fi
expect_fail 4 "nodir" train -output "$tmp/nodir/v.txt"
mkdir "$tmp/dir"
expect_fail 4 "is a directory" train -output "$tmp/dir"

# A write that fails midway (file size limit) leaves the previous file
# untouched and no temporary file behind.
cp "$tmp/v.txt" "$tmp/keep.txt"
cp "$tmp/v.txt" "$tmp/prev.txt"
(trap '' XFSZ; ulimit -f 1; "$KENSHO" -train "$tmp/c.txt" -size 200 -iter 1 -min-count 1 \
	-threads 1 -quiet -output "$tmp/prev.txt") 2>"$tmp/err"
rc=$?
[ $rc -eq 6 ] || fail "a write over the size limit exited $rc: $(cat "$tmp/err")"
grep -q "prev.txt" "$tmp/err" || fail "write error does not name the file: $(cat "$tmp/err")"
cmp -s "$tmp/prev.txt" "$tmp/keep.txt" || fail "the previous output was changed"
ls "$tmp" | grep -q '\.tmp\.' && fail "a temporary file was left behind: $(ls "$tmp")"
ok
finish
