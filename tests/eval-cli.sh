#!/bin/sh
# kensho-eval through the real binary: help and man page agree (options
# and exit statuses), the three commands on the hand-made fixtures (tables
# and JSON), semantic/syntactic totals only for Google's sections, every
# vector file variant (text, binary, gzip, stdin, CRLF, no header),
# malformed files rejected with the file and line named and exit status 7,
# test files checked before the vectors load, usage errors with status 2
# (stdin named twice among them), an unknown neighbour query with status 12.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
D="$KS_SRCDIR/tests/data/eval"
V="$D/vectors.txt"
E="$KENSHO_EVAL"

# --help, the parser and the man page list the same options.
expect_ok "$E" --help
grep -q "analogy \[OPTIONS\] VECTORS QUESTIONS" "$tmp/out" || fail "--help lacks the synopsis"
sed -n 's/^  \(-[a-z-]*\).*/\1/p' "$tmp/out" | sort > "$tmp/help-opts"
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$KS_SRCDIR/man/kensho-eval.1" |
	sed -n 's/^\.B[IR]* \\\(-[a-z\\-]*\).*/\1/p' | sed 's/\\//g' | grep -v '^--$' | sort -u > "$tmp/man-opts"
[ -s "$tmp/help-opts" ] || fail "no options found in --help"
diff "$tmp/help-opts" "$tmp/man-opts" > "$tmp/diff" || fail "--help and kensho-eval.1 differ: $(cat "$tmp/diff")"
ok
for o in $(cat "$tmp/help-opts"); do
	# Every option listed is one the parser knows (a wrong value, not an unknown option).
	"$E" analogy "$o" 2>"$tmp/err" </dev/null >/dev/null
	grep -q "unknown option" "$tmp/err" && fail "the parser rejects $o, which --help lists"
done
ok
# --help lists every exit status of the man page's EXIT STATUS, and no other.
sed -n '/^Exit status/,$p' "$tmp/out" | sed 1d | tr ',' '\n' |
	sed -n 's/^ *\([0-9][0-9]*\) .*/\1/p' | sort -n > "$tmp/help-codes"
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$KS_SRCDIR/man/kensho-eval.1" |
	sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' | sort -n > "$tmp/man-codes"
[ -s "$tmp/man-codes" ] || fail "no exit status found in kensho-eval.1"
diff "$tmp/man-codes" "$tmp/help-codes" > "$tmp/diff" ||
	fail "exit statuses of kensho-eval.1 (<) and --help (>) differ: $(cat "$tmp/diff")"
ok
expect_ok "$E" -h
expect_ok "$E" --version
grep -Eq '^kensho-eval [0-9]+\.[0-9]+' "$tmp/out" || fail "--version printed: $(cat "$tmp/out")"

# Analogies: the table, then the same figures as JSON.
expect_ok "$E" analogy "$V" "$D/questions.txt"
grep -Eq '^royal +2 +3 +3 +66\.67% +100\.00%$' "$tmp/out" || fail "royal row: $(cat "$tmp/out")"
grep -Eq '^capital +1 +1 +2 +100\.00% +50\.00%$' "$tmp/out" || fail "capital row: $(cat "$tmp/out")"
grep -Eq '^total +3 +4 +5 +75\.00% +80\.00%$' "$tmp/out" || fail "total row: $(cat "$tmp/out")"
grep -q "12 words x 6 dimensions (text)" "$tmp/err" || fail "no load line: $(cat "$tmp/err")"
expect_ok "$E" analogy -json -quiet "$V" "$D/questions.txt"
grep -q '"total": {"correct": 3, "covered": 4, "questions": 5, "accuracy": 0.75, "coverage": 0.8}' "$tmp/out" ||
	fail "JSON total: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "-quiet still printed: $(cat "$tmp/err")"
if /usr/bin/python3 -c 'import json' 2>/dev/null; then
	/usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' < "$tmp/out" || fail "invalid JSON"
fi
expect_ok "$E" analogy -restrict 9 --threads=3 "$V" "$D/questions.txt"
grep -Eq '^total +3 +3 +5 ' "$tmp/out" || fail "-restrict 9: $(cat "$tmp/out")"
expect_ok "$E" analogy -method mul "$V" "$D/questions.txt"
grep -q '3CosMul' "$tmp/out" || fail "-method mul: $(cat "$tmp/out")"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "-method mul: $(cat "$tmp/out")"
# MSR format: the column header and a three-word line are skipped and counted.
expect_ok "$E" analogy "$V" "$D/msr.txt"
grep -Eq '^total +2 +2 +2 ' "$tmp/out" || fail "MSR: $(cat "$tmp/out")"
grep -q "2 lines skipped" "$tmp/err" || fail "MSR skipped lines: $(cat "$tmp/err")"

# Semantic and syntactic totals only for Google's sections ("gram..." are
# syntactic): not for six sections of the planted kind.
i=0
: > "$tmp/planted.txt"
while [ $i -lt 6 ]; do
	printf ': noun-role%d\nman king woman queen\n' $i >> "$tmp/planted.txt"
	i=$((i + 1))
done
expect_ok "$E" analogy "$V" "$tmp/planted.txt"
grep -Eq '^total +6 +6 +6 ' "$tmp/out" || fail "planted sections: $(cat "$tmp/out")"
grep -Eq '^(semantic|syntactic) ' "$tmp/out" && fail "semantic/syntactic for a planted file: $(cat "$tmp/out")"
expect_ok "$E" analogy -json "$V" "$tmp/planted.txt"
grep -q '"semantic"' "$tmp/out" && fail "JSON semantic for a planted file: $(cat "$tmp/out")"
printf ': capital-common-countries\nparis france berlin germany\n: gram1-adjective-to-adverb\nman king woman queen\nman king woman apple\n' > "$tmp/google.txt"
expect_ok "$E" analogy "$V" "$tmp/google.txt"
grep -Eq '^semantic +1 +1 +1 ' "$tmp/out" && grep -Eq '^syntactic +1 +2 +2 ' "$tmp/out" ||
	fail "Google's sections: no semantic/syntactic totals: $(cat "$tmp/out")"

# Similarity: tabs and spaces, CRLF, a comment, a header, no final newline.
expect_ok "$E" similarity "$V" "$D/pairs.txt"
grep -Eq '^pairs\.txt +7 +6 +-0\.4004 +-0\.2439$' "$tmp/out" || fail "similarity: $(cat "$tmp/out")"
grep -q "1 line skipped" "$tmp/err" || fail "similarity skipped lines: $(cat "$tmp/err")"
# Every table ends with a newline, so the next stderr line is not glued to it.
expect_ok "$E" similarity "$V" "$D/pairs.txt" "$D/pairs.txt"
[ "$(grep -c '^pairs\.txt ' "$tmp/out")" -eq 2 ] || fail "two similarity rows expected: $(cat "$tmp/out")"
[ "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" = '\n' ] || fail "the similarity table lacks a final newline"
expect_ok "$E" analogy "$V" "$D/questions.txt"
[ "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" = '\n' ] || fail "the analogy table lacks a final newline"
expect_ok "$E" neighbors -k 2 "$V" king
[ "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" = '\n' ] || fail "the neighbour list lacks a final newline"
expect_ok "$E" similarity -json -restrict 5 "$V" "$D/pairs.txt"
grep -q '"pairs": 7, "found": 4' "$tmp/out" || fail "similarity -restrict 5: $(cat "$tmp/out")"

# -json prints one whole document or, when a later file fails, nothing at all.
json_whole() {
	[ "$(tail -c 3 "$tmp/out" | od -An -c | tr -d ' ')" = ']}\n' ] ||
		fail "$1: the JSON does not end with ]} and a newline: $(cat "$tmp/out")"
	[ "$(wc -l < "$tmp/out")" -eq 1 ] || fail "$1: not one line: $(cat "$tmp/out")"
	if /usr/bin/python3 -c 'import json' 2>/dev/null; then
		/usr/bin/python3 -c 'import json,sys; assert len(json.load(sys.stdin)["results"]) == 2' \
			< "$tmp/out" || fail "$1: invalid JSON or not two results: $(cat "$tmp/out")"
	fi
	ok
}
expect_ok "$E" analogy -json -quiet "$V" "$D/questions.txt" "$D/questions.txt"
json_whole "analogy -json, two files"
expect_ok "$E" similarity -json -quiet "$V" "$D/pairs.txt" "$D/pairs.txt"
json_whole "similarity -json, two files"
expect_fail 4 "nothing.txt" "$E" analogy -json "$V" "$D/questions.txt" "$tmp/nothing.txt"
[ -s "$tmp/out" ] && fail "analogy -json printed part of a document: $(cat "$tmp/out")"
expect_fail 4 "nothing.txt" "$E" similarity -json "$V" "$D/pairs.txt" "$tmp/nothing.txt"
[ -s "$tmp/out" ] && fail "similarity -json printed part of a document: $(cat "$tmp/out")"
expect_fail 7 "no word pairs" "$E" similarity -json "$V" "$D/pairs.txt" "$D/questions.txt"
[ -s "$tmp/out" ] && fail "similarity -json printed part of a document: $(cat "$tmp/out")"
# Tables stream: the rows of the files before the failing one stay.
expect_fail 7 "no word pairs" "$E" similarity "$V" "$D/pairs.txt" "$D/questions.txt"
grep -q '^pairs\.txt ' "$tmp/out" || fail "the table before the error is gone: $(cat "$tmp/out")"
# neighbors -json streams whole lines: the answers before a failing query.
long=king i=0
while [ $i -lt 64 ]; do long="$long king" i=$((i + 1)); done
expect_fail 13 "more than 64 words" "$E" neighbors -json -k 1 "$V" king "$long"
[ "$(wc -l < "$tmp/out")" -eq 1 ] && grep -q '^{"query": \["king"\].*}$' "$tmp/out" ||
	fail "neighbors -json before a failing query: $(cat "$tmp/out")"

# Neighbours: arguments, an analogy query, stdin, JSON lines, unknown words.
expect_ok "$E" neighbors -k 2 "$V" king "man king woman"
grep -Eq '^ +1 +man +0\.693375$' "$tmp/out" || fail "neighbors of king: $(cat "$tmp/out")"
grep -q '^man : king :: woman : ?$' "$tmp/out" || fail "analogy query: $(cat "$tmp/out")"
grep -Eq '^ +2 +queen +0\.963241$' "$tmp/out" || fail "analogy query: $(cat "$tmp/out")"
printf 'paris\n\nman king woman\n' | "$E" neighbors -json -k 1 -quiet "$V" > "$tmp/out" 2>"$tmp/err" ||
	fail "neighbors from stdin: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/out")" -eq 2 ] || fail "two JSON lines expected: $(cat "$tmp/out")"
grep -q '^{"query": \["man", "king", "woman"\], "kind": "analogy", "neighbors": \[{"word": "WOMAN"' "$tmp/out" ||
	fail "JSON analogy query: $(cat "$tmp/out")"
ok
"$E" neighbors -k 1 "$V" nowhere king > "$tmp/out" 2>"$tmp/err"
[ $? -eq 12 ] || fail "an unknown query word must exit 12"
grep -q "'nowhere' is not in the vocabulary" "$tmp/err" || fail "unknown word: $(cat "$tmp/err")"
grep -q '^king$' "$tmp/out" || fail "the other query must still be answered"
ok

# The same vectors as binary, gzip, from stdin, with CRLF, without header.
printf '2 2\na \000\000\200\077\000\000\000\000\nb \000\000\000\000\000\000\200\077\n' > "$tmp/v.bin"
expect_ok "$E" neighbors -k 1 "$tmp/v.bin" a
grep -q '(binary)' "$tmp/err" || fail "binary not detected: $(cat "$tmp/err")"
grep -Eq '^ +1 +b +0\.000000$' "$tmp/out" || fail "binary neighbours: $(cat "$tmp/out")"
gzip -c "$V" > "$tmp/v.gz"
expect_ok "$E" analogy "$tmp/v.gz" "$D/questions.txt"
grep -q '(text, gzip)' "$tmp/err" || fail "gzip not detected: $(cat "$tmp/err")"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "gzip: $(cat "$tmp/out")"
"$E" analogy - "$D/questions.txt" < "$V" > "$tmp/out" 2>"$tmp/err" || fail "stdin: $(cat "$tmp/err")"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "stdin: $(cat "$tmp/out")"
ok
sed 1d "$V" | sed 's/$/\r/' > "$tmp/glove.txt"
expect_ok "$E" analogy "$tmp/glove.txt" "$D/questions.txt"
grep -q '(text without header)' "$tmp/err" || fail "no header: $(cat "$tmp/err")"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "CRLF, no header: $(cat "$tmp/out")"

# -format: a binary file whose float bytes also spell lines of numbers is
# read as text unless told; told the wrong format, a file is rejected.
printf '2 2\nx 1.5 -2.5\ny 2.25 -10\n' > "$tmp/both.bin"
expect_ok "$E" neighbors -k 1 "$tmp/both.bin" x
grep -q '(text)' "$tmp/err" || fail "ambiguous file not text: $(cat "$tmp/err")"
grep -Eq '^ +1 +y +0\.949517$' "$tmp/out" || fail "ambiguous file as text: $(cat "$tmp/out")"
expect_ok "$E" neighbors -k 1 -format binary "$tmp/both.bin" x
grep -q '(binary)' "$tmp/err" || fail "-format binary: $(cat "$tmp/err")"
grep -Eq '^ +1 +y +0\.000971$' "$tmp/out" || fail "ambiguous file as binary: $(cat "$tmp/out")"
expect_ok "$E" neighbors -k 1 --format=text "$V" king
expect_fail 7 "v.bin: line 2: NUL byte" "$E" neighbors -format text "$tmp/v.bin" a
expect_fail 7 "glove.txt: line 1: no .V D. header" "$E" neighbors -format binary "$tmp/glove.txt" a
expect_fail 2 "-format: 'bin' is not auto, text or binary" "$E" neighbors -format bin "$V" a

# Malformed vector files: status 7, the file and the line or record named.
printf '2 3\na 1 2 3\nb 1 2\n' > "$tmp/cols.txt"
expect_fail 7 "cols.txt: line 3: 'b' has 2 values, expected 3" "$E" neighbors "$tmp/cols.txt" a
printf '2 3\na 1 2 3\nb 1 NaN 3\n' > "$tmp/nan.txt"
expect_fail 7 "nan.txt: line 3: value 2 of 'b' is not finite" "$E" neighbors "$tmp/nan.txt" a
printf '3 3\na 1 2 3\nb 1 2 3\n' > "$tmp/count.txt"
expect_fail 7 "count.txt: the header announces 3 vectors but the file has 2" "$E" neighbors "$tmp/count.txt" a
head -c 20 "$tmp/v.bin" > "$tmp/cut.bin"
expect_fail 7 "cut.bin: record 2 \('b'\): truncated" "$E" neighbors "$tmp/cut.bin" a
printf '3 2\na 1 2\nb 3 4\na 5 6\n' > "$tmp/dup.txt"
expect_ok "$E" neighbors "$tmp/dup.txt" a
grep -q "1 repeated word ignored (first: 'a' again at line 4)" "$tmp/err" || fail "duplicates: $(cat "$tmp/err")"
expect_fail 7 "dup.txt: line 4: the word 'a' repeats vector 1" "$E" neighbors -reject-duplicates "$tmp/dup.txt" a
expect_fail 4 "nothing.txt" "$E" neighbors "$tmp/nothing.txt" a
expect_fail 4 "is a directory" "$E" neighbors "$tmp" a
expect_fail 7 "no analogy questions" "$E" analogy "$V" "$D/pairs.txt"
expect_fail 4 "nothing.txt" "$E" similarity "$V" "$tmp/nothing.txt"

# Every question or pair file is checked before the vectors load: a typo
# does not cost the load. A FIFO nobody writes to would block the load.
for cmd in analogy similarity; do
	expect_fail 4 "nothing.txt: No such file" "$E" $cmd "$V" "$D/questions.txt" "$tmp/nothing.txt"
	grep -q "words x" "$tmp/err" && fail "$cmd loaded the vectors before checking the files: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "$cmd printed results before the missing file: $(cat "$tmp/out")"
	expect_fail 4 "is a directory" "$E" $cmd "$V" "$tmp"
	grep -q "words x" "$tmp/err" && fail "$cmd loaded the vectors before checking the files"
done
if command -v timeout >/dev/null 2>&1; then
	mkfifo "$tmp/nowriter"
	expect_fail 4 "nothing.txt" timeout 30 "$E" analogy "$tmp/nowriter" "$tmp/nothing.txt"
	expect_fail 4 "nothing.txt" timeout 30 "$E" similarity "$tmp/nowriter" "$tmp/nothing.txt"
fi
# Standard input can be read once: as the vectors or as one test file.
expect_fail 2 "'-' \(standard input\) is given 2 times" "$E" analogy - -
expect_fail 2 "'-' \(standard input\) is given 2 times" "$E" similarity "$V" - -
expect_fail 2 "'-' \(standard input\) is given 3 times" "$E" analogy - "$D/questions.txt" - -
"$E" analogy "$V" - < "$D/questions.txt" > "$tmp/out" 2>"$tmp/err" || fail "questions from stdin: $(cat "$tmp/err")"
grep -Eq '^total +3 +4 +5 ' "$tmp/out" || fail "questions from stdin: $(cat "$tmp/out")"
ok

# Bad command lines: status 2 with a message naming the problem.
expect_fail 2 "no command given" "$E"
expect_fail 2 "unknown command 'analogies'" "$E" analogies "$V" "$D/questions.txt"
expect_fail 2 "unknown option '--frobnicate'" "$E" analogy --frobnicate "$V" "$D/questions.txt"
expect_fail 2 "-restrict: 'many' is not a count" "$E" analogy -restrict many "$V" "$D/questions.txt"
expect_fail 2 "-restrict: '-5' is not a count" "$E" analogy -restrict -5 "$V" "$D/questions.txt"
expect_fail 2 "-method: 'sub' is neither add nor mul" "$E" analogy -method sub "$V" "$D/questions.txt"
expect_fail 2 "-k: '0' is not a count" "$E" neighbors -k 0 "$V" king
expect_fail 2 "-threads needs a value" "$E" analogy "$V" "$D/questions.txt" -threads
expect_fail 2 "-json takes no value" "$E" analogy --json=yes "$V" "$D/questions.txt"
expect_fail 2 "no question file given" "$E" analogy "$V"
expect_fail 2 "no vector file given" "$E" similarity
expect_fail 2 "cannot come from there" "$E" neighbors -

# Standard output that cannot be written.
if [ -w /dev/full ]; then
	"$E" analogy "$V" "$D/questions.txt" > /dev/full 2>"$tmp/err"
	[ $? -eq 6 ] || fail "writing to /dev/full must exit 6"
	ok
fi
finish
