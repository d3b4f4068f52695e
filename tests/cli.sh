#!/bin/sh
# The trainer's command line through the real binary: help, version,
# rejects with exit status 2 naming the option, and that --help and the man
# page list the same options.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"

expect_ok "$KENSHO" --help
grep -q -- "-train FILE" "$tmp/out" || fail "--help lacks -train"
expect_ok "$KENSHO" -h
expect_ok "$KENSHO" --version
grep -Eq '^kensho [0-9]+\.[0-9]+' "$tmp/out" || fail "--version printed: $(cat "$tmp/out")"

printf 'a b c\n' > "$tmp/c.txt"
expect_fail 2 "-size" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -size abc
expect_fail 2 "-window" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -window 0
expect_fail 2 "-alpha" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -alpha nan
expect_fail 2 "unknown option '--frobnicate'" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" --frobnicate
expect_fail 2 "-iter needs a value" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -iter
expect_fail 2 "hierarchical softmax trains" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -hs 1 \
	-negative 0 -save-context "$tmp/ctx"
expect_fail 2 "nothing would be trained" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -negative 0
expect_fail 2 "negative sampling only" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/v" -hs 1 \
	-positions scalar
expect_fail 2 "no training corpus" "$KENSHO" -output "$tmp/v"
expect_fail 2 "nothing to write" "$KENSHO" -train "$tmp/c.txt"
[ ! -e "$tmp/v" ] || fail "a rejected command line wrote output"

# Every option of --help is documented in the man page and vice versa.
man="$KS_SRCDIR/man/kensho.1"
[ -s "$man" ] || fail "man page $man missing"
"$KENSHO" --help | sed -n 's/^  -\([a-z][a-z0-9-]*\).*/\1/p' | sort > "$tmp/help-opts"
# The options are the lines right after .TP in the OPTIONS section.
awk '/^\.SH / { inopts = ($2 == "OPTIONS") } inopts && tp { print } { tp = ($0 == ".TP") }' "$man" |
	sed 's/\\-/-/g' | sed -n 's/^\.BI\{0,1\} -\([a-z][a-z0-9-]*\).*/\1/p' | sort -u > "$tmp/man-opts"
[ "$(wc -l < "$tmp/help-opts")" -ge 25 ] || fail "--help lists too few options"
diff "$tmp/help-opts" "$tmp/man-opts" > "$tmp/diff" || fail "--help and kensho.1 differ: $(cat "$tmp/diff")"
ok
finish
