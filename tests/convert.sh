#!/bin/sh
# kensho-eval convert through the real binary: binary -> text -> binary
# gives the same bytes (edge floats included), the default output format is
# the other one, -binary chooses, -limit keeps the first rows, -no-header
# writes GloVe-style text, .gz output is gzip, stdin and stdout work, and
# failures (missing input, malformed input, unwritable output, bad command
# lines) exit non-zero naming the file and leave no output behind.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
E="$KENSHO_EVAL"
V="$KS_SRCDIR/tests/data/eval/vectors.txt"

# A binary file of edge values: -0, the smallest subnormal, FLT_MAX,
# -FLT_MIN, 0.1, 1/3, and a few bit patterns without a short decimal form.
printf '3 4\n' > "$tmp/edge.bin"
printf 'zero \000\000\000\200\001\000\000\000\377\377\177\177\000\000\200\200\n' >> "$tmp/edge.bin"
printf 'caf\303\251 \315\314\314\075\253\252\252\076\022\064\126\077\001\000\200\277\n' >> "$tmp/edge.bin"
printf 'w3 \377\377\177\000\063\063\063\277\000\000\200\077\021\042\063\104\n' >> "$tmp/edge.bin"
expect_ok "$E" convert "$tmp/edge.bin" "$tmp/edge.txt"
grep -q "edge.bin: 3 words x 4 dimensions (binary) -> .*edge.txt (text)" "$tmp/err" ||
	fail "no conversion line: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/edge.txt")" = "3 4" ] || fail "text header: $(head -n 1 "$tmp/edge.txt")"
grep -q '^zero -0 1.40129846e-45 3.40282347e+38 -1.17549435e-38$' "$tmp/edge.txt" ||
	fail "edge values as text: $(cat "$tmp/edge.txt")"
expect_ok "$E" convert "$tmp/edge.txt" "$tmp/edge2.bin"
grep -q "(text) -> .*edge2.bin (binary)" "$tmp/err" || fail "text did not become binary: $(cat "$tmp/err")"
cmp "$tmp/edge.bin" "$tmp/edge2.bin" || fail "binary -> text -> binary changed the bytes"
ok

# The same with the test vectors, explicit formats, and gzip both ways.
expect_ok "$E" convert -binary 1 "$V" "$tmp/v.bin"
expect_ok "$E" convert -binary 0 "$tmp/v.bin" "$tmp/v.txt.gz"
gzip -t "$tmp/v.txt.gz" || fail "v.txt.gz is not gzip"
gzip -dc "$tmp/v.txt.gz" > "$tmp/v.txt"
[ "$(head -n 1 "$tmp/v.txt")" = "12 6" ] || fail "gzip text header: $(head -n 1 "$tmp/v.txt")"
grep -q '^king 1 1 0 0 0 0$' "$tmp/v.txt" || fail "gzip text rows: $(cat "$tmp/v.txt")"
expect_ok "$E" convert -binary 1 "$tmp/v.txt.gz" "$tmp/v2.bin.gz"
gzip -dc "$tmp/v2.bin.gz" > "$tmp/v2.bin"
cmp "$tmp/v.bin" "$tmp/v2.bin" || fail "binary -> gzip text -> gzip binary changed the bytes"
# Text to text is allowed when asked for, and keeps the values exactly.
expect_ok "$E" convert -binary 0 "$tmp/v.txt" "$tmp/v3.txt"
cmp "$tmp/v.txt" "$tmp/v3.txt" || fail "text -> text changed the bytes"
# The converted files still evaluate as the original does.
expect_ok "$E" analogy "$tmp/v.bin" "$KS_SRCDIR/tests/data/eval/questions.txt"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "analogy on the converted file: $(cat "$tmp/out")"

# -limit N: the first N rows, and a header that says N.
expect_ok "$E" convert -limit 3 "$tmp/v.bin" "$tmp/three.txt"
[ "$(wc -l < "$tmp/three.txt")" -eq 4 ] || fail "-limit 3: $(cat "$tmp/three.txt")"
[ "$(head -n 1 "$tmp/three.txt")" = "3 6" ] || fail "-limit 3 header: $(head -n 1 "$tmp/three.txt")"
sed -n 2,4p "$tmp/v.txt" > "$tmp/three-want"
sed 1d "$tmp/three.txt" | cmp - "$tmp/three-want" || fail "-limit 3 rows differ from the first three"
ok

# -no-header: text without the `V D` line, even from text input, which
# kensho-eval still reads (as header-less text).
expect_ok "$E" convert -no-header "$V" "$tmp/glove.txt"
grep -q "(text without header)" "$tmp/err" || fail "-no-header line: $(cat "$tmp/err")"
sed 1d "$tmp/v.txt" | cmp - "$tmp/glove.txt" || fail "-no-header output is not the rows alone"
expect_ok "$E" convert -no-header -limit 2 "$tmp/v.bin" "$tmp/glove2.txt.gz"
[ "$(gzip -dc "$tmp/glove2.txt.gz" | wc -l)" -eq 2 ] || fail "-no-header -limit 2 -> .gz"
expect_ok "$E" convert "$tmp/glove.txt" "$tmp/from-glove.bin"
cmp "$tmp/v.bin" "$tmp/from-glove.bin" || fail "header-less text -> binary differs"

# Standard input and output.
"$E" convert -quiet - - < "$tmp/v.bin" > "$tmp/stdout.txt" 2>"$tmp/err" || fail "stdin to stdout: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "-quiet still printed: $(cat "$tmp/err")"
cmp "$tmp/v.txt" "$tmp/stdout.txt" || fail "stdin to stdout differs"
ok

# Repeated words: the first kept, a warning, or rejected on request.
printf '3 2\na 1 2\nb 3 4\na 5 6\n' > "$tmp/dup.txt"
expect_ok "$E" convert "$tmp/dup.txt" "$tmp/dup.bin"
grep -q "warning: .*dup.txt: 1 repeated word ignored (first: 'a' again at line 4)" "$tmp/err" ||
	fail "duplicates: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/dup.bin")" = "2 2" ] || fail "duplicates: header $(head -n 1 "$tmp/dup.bin")"
expect_fail 7 "dup.txt: line 4: the word 'a' repeats" "$E" convert -reject-duplicates "$tmp/dup.txt" "$tmp/dup2.bin"
[ -e "$tmp/dup2.bin" ] && fail "a rejected input left dup2.bin"
ok

# Failures: status, the file named, no output left, an old output intact.
# Outputs go to their own directory, which must end up holding keep.bin alone.
F="$tmp/fail"
mkdir "$F" "$tmp/dir"
expect_fail 4 "nothing.txt: No such file" "$E" convert "$tmp/nothing.txt" "$F/new.bin"
expect_fail 4 "no/such/x.bin" "$E" convert "$V" "$F/no/such/x.bin"
printf '2 3\na 1 2 3\nb 1 x 3\n' > "$tmp/bad.txt"
cp "$tmp/v.bin" "$F/keep.bin"
expect_fail 7 "bad.txt: line 3" "$E" convert "$tmp/bad.txt" "$F/keep.bin"
cmp "$tmp/v.bin" "$F/keep.bin" || fail "a failed conversion changed the existing output"
expect_fail 7 "^kensho-eval: -: record 2 .*truncated" sh -c "head -c 40 '$tmp/v.bin' | '$E' convert - '$F/cut.txt'"
expect_fail 4 "dir" "$E" convert "$tmp/dir" "$F/new.bin"
expect_fail 4 "dir" "$E" convert "$V" "$tmp/dir"
[ "$(ls -A "$F")" = keep.bin ] || fail "failed conversions left files behind: $(ls -A "$F")"
[ "$(ls -A "$tmp/dir")" = "" ] || fail "a conversion onto a directory wrote into it"
if [ -w /dev/full ]; then
	expect_fail 6 "/dev/full" "$E" convert "$V" /dev/full
fi

# Bad command lines: status 2.
expect_fail 2 "no vector file given" "$E" convert
expect_fail 2 "no output file given" "$E" convert "$V"
expect_fail 2 "convert takes two files, IN and OUT, but 3 are given" "$E" convert "$V" a b
expect_fail 2 "-binary: '2' is neither 0 nor 1" "$E" convert -binary 2 "$V" "$tmp/x"
expect_fail 2 "-no-header is for text output" "$E" convert -no-header -binary 1 "$V" "$tmp/x"
expect_fail 2 "-json does not apply to convert" "$E" convert -json "$V" "$tmp/x"
expect_fail 2 "-restrict does not apply to convert" "$E" convert -restrict 5 "$V" "$tmp/x"
expect_fail 2 "-binary does not apply to analogy" "$E" analogy -binary 1 "$V" "$tmp/x"
expect_fail 2 "-no-header does not apply to neighbors" "$E" neighbors -no-header "$V" king
[ -e "$tmp/x" ] && fail "a bad command line left output"
ok
finish
