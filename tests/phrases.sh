#!/bin/sh
# kensho-phrases through the real binary: two passes join a planted
# four-word phrase; plain, gzip, several files, stdin and a pipe give the
# same text; gzip output; bad options, a missing input and an unwritable
# output fail with a message naming them and leave nothing behind; the
# counting budget reports its pruning; --help matches the man page.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_PHRASES" ] || skip "kensho-phrases not built"
command -v gzip >/dev/null || skip "gzip missing"

phrases() {
	"$KENSHO_PHRASES" -quiet "$@"
}

# --help, --version, and every option of --help in the man page and back.
expect_ok "$KENSHO_PHRASES" --help
for o in -train -output "-min-count N .*default: 5" "-threshold X .*default: 100" -vocab-mb -debug; do
	grep -q -- "$o" "$tmp/out" || fail "--help lacks $o"
done
expect_ok "$KENSHO_PHRASES" --version
grep -q "^kensho-phrases [0-9]" "$tmp/out" || fail "--version: $(cat "$tmp/out")"
man="$KS_SRCDIR/man/kensho-phrases.1"
[ -s "$man" ] || fail "man page $man missing"
"$KENSHO_PHRASES" --help | sed -n 's/^  -\([a-z][a-z0-9-]*\).*/\1/p' | sort > "$tmp/help-opts"
awk '/^\.SH / { inopts = ($2 == "OPTIONS") } inopts && tp { print } { tp = ($0 == ".TP") }' "$man" |
	sed 's/\\-/-/g' | sed -n 's/^\.BI\{0,1\} -\([a-z][a-z0-9-]*\).*/\1/p' | sort -u > "$tmp/man-opts"
[ "$(wc -l < "$tmp/help-opts")" -ge 8 ] || fail "--help lists too few options"
diff "$tmp/help-opts" "$tmp/man-opts" > "$tmp/diff" ||
	fail "--help and kensho-phrases.1 differ: $(cat "$tmp/diff")"
ok

# Bad command lines: exit 2, naming the option, nothing written.
echo "a b" > "$tmp/tiny.txt"
expect_fail 2 "-threshold" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -threshold -1
expect_fail 2 "-threshold" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -threshold nan
expect_fail 2 "-threshold" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -threshold 1e400
expect_fail 2 "-min-count" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -min-count 2x
expect_fail 2 "-min-count" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -min-count -1
expect_fail 2 "-vocab-mb" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -vocab-mb 0
expect_fail 2 "unknown option '-window'" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/x" -window 5
expect_fail 2 "no input" "$KENSHO_PHRASES" -output "$tmp/x"
expect_fail 2 "nothing to write" "$KENSHO_PHRASES" -train "$tmp/tiny.txt"
expect_fail 2 "only once" "$KENSHO_PHRASES" -train - -train - -output "$tmp/x"
expect_fail 2 "-output" "$KENSHO_PHRASES" -train "$tmp/tiny.txt" -output "$tmp/tiny.txt"
[ ! -e "$tmp/x" ] || fail "a rejected command line wrote output"

# A corpus with a planted phrase: 200 lines of 150 fillers drawn from 20000
# words with "new york city hall" in the middle. N = 30800 and each of the
# four words and the pairs new york, york city, city hall is seen 200
# times, so new york scores (200 - 5) / 200 / 200 * 30800 = 150 > 100 and
# is joined; york city is then consumed and city hall (150) joined. The
# second pass (N = 30400) scores new_york city_hall 148 > 50.
awk 'BEGIN { srand(7); for (l = 0; l < 200; l++) {
	for (i = 0; i < 150; i++) {
		if (i == 75) printf "new york city hall ";
		printf "f%d%s", int(rand() * 20000), i == 149 ? "\n" : " " } } }' > "$tmp/c.txt"
expect_ok phrases -train "$tmp/c.txt" -output "$tmp/p1.txt"
[ "$(grep -o 'new_york city_hall' "$tmp/p1.txt" | wc -l)" -eq 200 ] ||
	fail "pass 1 did not give new_york city_hall 200 times: $(grep -o '[^ ]*new[^ ]* [^ ]*' "$tmp/p1.txt" | sort | uniq -c)"
[ "$(wc -l < "$tmp/p1.txt")" -eq 200 ] || fail "pass 1 lost lines"
[ "$(wc -w < "$tmp/p1.txt")" -eq 30400 ] || fail "pass 1 has $(wc -w < "$tmp/p1.txt") tokens, expected 30400"
expect_ok phrases -train "$tmp/p1.txt" -output "$tmp/p2.txt" -threshold 50
[ "$(grep -o 'new_york_city_hall' "$tmp/p2.txt" | wc -l)" -eq 200 ] ||
	fail "pass 2 did not give new_york_city_hall 200 times"
# With the words removed, the text is unchanged.
sed 's/ new york city hall / /' "$tmp/c.txt" > "$tmp/c-rest"
sed 's/ new_york_city_hall / /' "$tmp/p2.txt" > "$tmp/p2-rest"
cmp -s "$tmp/c-rest" "$tmp/p2-rest" || fail "the fillers changed between input and output"
ok

# The same text from gzip, several files, stdin (plain and gzip) and a pipe.
gzip -c "$tmp/c.txt" > "$tmp/c.gz"
head -n 80 "$tmp/c.txt" > "$tmp/part1.txt"
tail -n +81 "$tmp/c.txt" | gzip -c > "$tmp/part2.gz"
same() {
	name=$1
	shift
	phrases "$@" -output "$tmp/$name.out" 2>"$tmp/err" </dev/null || fail "$name: $(cat "$tmp/err")"
	cmp -s "$tmp/p1.txt" "$tmp/$name.out" || fail "$name input gives a different output"
	ok
}
same gzip -train "$tmp/c.gz"
same twofiles -train "$tmp/part1.txt" -train "$tmp/part2.gz"
same noreadahead -train "$tmp/c.gz" -read-ahead 0
mkdir "$tmp/spool"
TMPDIR="$tmp/spool" phrases -train - -output "$tmp/stdin.out" < "$tmp/c.txt" 2>"$tmp/err" ||
	fail "stdin: $(cat "$tmp/err")"
cmp -s "$tmp/p1.txt" "$tmp/stdin.out" || fail "stdin gives a different output"
[ -z "$(ls -A "$tmp/spool")" ] || fail "the copy of stdin was left in TMPDIR: $(ls -A "$tmp/spool")"
phrases -train "$tmp/part1.txt" -train - -output "$tmp/mixed.out" < "$tmp/part2.gz" 2>"$tmp/err" ||
	fail "a file and gzip on stdin: $(cat "$tmp/err")"
cmp -s "$tmp/p1.txt" "$tmp/mixed.out" || fail "a file and stdin give a different output"
ok
# The two passes through a pipe, the first writing to stdout.
gzip -dc "$tmp/c.gz" | phrases -train - -output - |
	phrases -train - -output "$tmp/piped.out" -threshold 50 2>"$tmp/err" || fail "pipe: $(cat "$tmp/err")"
cmp -s "$tmp/p2.txt" "$tmp/piped.out" || fail "the pipe gives a different output from the files"
ok
# A TMPDIR that does not exist is named (not under valgrind, which needs one itself).
if [ -z "${KS_VALGRIND:-}" ] || [ "$KS_VALGRIND" = 0 ]; then
	expect_fail 4 "nosuchdir" env TMPDIR="$tmp/nosuchdir" "$KENSHO_PHRASES" -quiet -train - -output "$tmp/x"
	[ ! -e "$tmp/x" ] || fail "output written after a failure"
fi

# Output as gzip when the name ends in .gz.
expect_ok phrases -train "$tmp/c.txt" -output "$tmp/p1.txt.gz"
gzip -dc "$tmp/p1.txt.gz" | cmp -s - "$tmp/p1.txt" || fail "the .gz output differs"
ok

# Errors name the file; nothing is left and an older output survives.
echo "old" > "$tmp/keep.txt"
expect_fail 4 "$tmp/missing.txt" "$KENSHO_PHRASES" -train "$tmp/c.txt" -train "$tmp/missing.txt" -output "$tmp/keep.txt"
[ "$(cat "$tmp/keep.txt")" = old ] || fail "a failed run replaced the older output"
expect_fail 4 "nodir" "$KENSHO_PHRASES" -train "$tmp/c.txt" -output "$tmp/nodir/out.txt"
[ ! -e "$tmp/nodir" ] || fail "a failed run created the output's directory"
if [ -c /dev/full ]; then
	expect_fail 6 "/dev/full" "$KENSHO_PHRASES" -train "$tmp/c.txt" -output /dev/full
	[ -c /dev/full ] || fail "/dev/full was replaced"
fi
head -c 3000 "$tmp/c.gz" > "$tmp/cut.gz"
expect_fail 7 "cut.gz" "$KENSHO_PHRASES" -train "$tmp/cut.gz" -output "$tmp/x"
[ ! -e "$tmp/x" ] || fail "output written after corrupt input"
[ -z "$(ls "$tmp" | grep '\.tmp\.')" ] || fail "a temporary output file was left: $(ls "$tmp")"
ok

# A small counting budget prunes, says so, and still finds the phrase (its
# entries are far more frequent than the fillers). -debug 0 prints nothing.
"$KENSHO_PHRASES" -train "$tmp/c.txt" -output "$tmp/pruned.txt" -vocab-mb 1 -debug 1 2>"$tmp/err" ||
	fail "-vocab-mb 1: $(cat "$tmp/err")"
grep -q "pruned" "$tmp/err" || fail "pruning not reported: $(cat "$tmp/err")"
grep -q "pass 2: joined 400 pairs" "$tmp/err" || fail "summary: $(cat "$tmp/err")"
[ "$(grep -o 'new_york city_hall' "$tmp/pruned.txt" | wc -l)" -eq 200 ] || fail "pruning lost the phrase"
"$KENSHO_PHRASES" -train "$tmp/c.txt" -output "$tmp/q.txt" -debug 0 2>"$tmp/err" || fail "-debug 0"
[ ! -s "$tmp/err" ] || fail "-debug 0 printed: $(cat "$tmp/err")"
ok

# Over-long tokens are skipped and reported, as kensho does; kensho reads the output.
{ head -c 3000 /dev/zero | tr '\0' 'x'; echo " short words here"; cat "$tmp/c.txt"; } > "$tmp/long.txt"
"$KENSHO_PHRASES" -train "$tmp/long.txt" -output "$tmp/long.out" -debug 1 2>"$tmp/err" ||
	fail "long token: $(cat "$tmp/err")"
grep -q "skipped 1 token longer than" "$tmp/err" || fail "long token not reported: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/long.out")" = "short words here" ] || fail "long line: $(head -c 80 "$tmp/long.out")"
if [ -x "$KENSHO" ]; then
	expect_ok "$KENSHO" -train "$tmp/p2.txt" -output "$tmp/v.txt" -save-vocab "$tmp/vocab.txt" \
		-size 4 -iter 1 -min-count 1 -threads 1 -quiet
	grep -q "^new_york_city_hall 200$" "$tmp/vocab.txt" || fail "kensho does not count the phrase"
fi
finish
