#!/bin/sh
# -loss-log: the training curve as TSV lines, written while training runs
# (read before the process ends), complete after a SIGINT, appended to on
# resume after a marker, diverging runs visible; bad paths refused before
# training.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"

"$GEN" -o "$tmp/c.txt" -words 200000 -seed 5 -quiet || fail "kensho-gen-corpus failed"
opts="-train $tmp/c.txt -size 16 -threads 1 -seed 3 -min-count 2"

# check_log FILE: the header once, then lines of six numeric columns whose
# words column never decreases; prints the number of data lines.
check_log() {
	awk -F '\t' '
		/^#/ { next }
		$0 == "seconds\twords\tepoch\tlr\tloss\twords_s" { h++; next }
		NF != 6 { print "bad line " NR ": " $0; exit 1 }
		{ for (i = 1; i <= 6; i++) if ($i !~ /^(-?[0-9.e+-]+|nan)$/) { print "bad value " NR; exit 1 }
		  if ($2 + 0 < last) { print "words decrease at line " NR; exit 1 }
		  last = $2 + 0; n++ }
		END { if (h != 1) { print "header " h " times"; exit 1 } print n }' "$1"
}

# A whole run: the last line counts every word of every epoch.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -iter 3 -output "$tmp/v.txt" -loss-log "$tmp/a.tsv" -debug 1
n=$(check_log "$tmp/a.tsv") || fail "log: $n"
[ "$n" -ge 1 ] || fail "no data line"
words=$(sed -n 's/^done: \([0-9]*\) words.*/\1/p' "$tmp/err")
last=$(tail -n 1 "$tmp/a.tsv" | cut -f 2)
[ "$last" = "$words" ] || fail "the last line has $last words, the run did $words"
[ "$(tail -n 1 "$tmp/a.tsv" | cut -f 3)" = 3 ] || fail "last epoch: $(tail -n 1 "$tmp/a.tsv")"
ok

# Read while it grows: a data line is there before the process ends, and
# after a SIGINT the file ends with a whole line.
# shellcheck disable=SC2086
"$KENSHO" $opts -iter 200 -output "$tmp/s.txt" -loss-log "$tmp/s.tsv" -debug 0 \
	</dev/null 2>/dev/null &
pid=$!
i=0
while ! grep -q '^[0-9]' "$tmp/s.tsv" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -0 "$pid" 2>/dev/null || fail "the run ended before its log could be read"
grep -q '^[0-9]' "$tmp/s.tsv" || fail "no line in the log after $((i * 50)) ms"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 11 ] || fail "SIGINT: exit $rc, expected 11"
[ "$(tail -c 1 "$tmp/s.tsv" | od -An -c | tr -d ' ')" = '\n' ] || fail "the log ends mid-line"
check_log "$tmp/s.tsv" >/dev/null || fail "log after SIGINT: $(check_log "$tmp/s.tsv")"
ok

# Resume appends after a marker; the words go on from the stop.
rm -f "$tmp/r.ckpt"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=300000 "$KENSHO" $opts -iter 3 -output "$tmp/r.txt" -loss-log "$tmp/r.tsv" \
	-checkpoint "$tmp/r.ckpt" -debug 0 2>/dev/null
[ $? -eq 11 ] || fail "the stop for the resume test"
before=$(grep -c '^[0-9]' "$tmp/r.tsv")
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -iter 3 -output "$tmp/r.txt" -loss-log "$tmp/r.tsv" -resume "$tmp/r.ckpt" \
	-debug 0
check_log "$tmp/r.tsv" >/dev/null || fail "resumed log: $(check_log "$tmp/r.tsv")"
[ "$(grep -c '^# resumed at word ' "$tmp/r.tsv")" -eq 1 ] || fail "no single resume marker"
awk '/^# resumed/ { exit !(n > 0) } /^[0-9]/ { n++ }' "$tmp/r.tsv" ||
	fail "the lines before the stop are gone"
after=$(grep -c '^[0-9]' "$tmp/r.tsv")
[ "$after" -gt "$before" ] || fail "the resumed run added no line"
mark=$(sed -n 's/^# resumed at word //p' "$tmp/r.tsv")
# The stop comes at the first batch boundary past 300000 words.
[ "$mark" -ge 300000 ] && [ "$mark" -lt 400000 ] || fail "resume marker at word $mark"
[ "$(tail -n 1 "$tmp/r.tsv" | cut -f 2)" = "$(tail -n 1 "$tmp/a.tsv" | cut -f 2)" ] ||
	fail "the resumed run did not end at the whole run's word count"
ok

# A diverging run shows in the log: its loss is nan or far above the start.
# shellcheck disable=SC2086
"$KENSHO" $opts -iter 3 -alpha 1000 -output "$tmp/d.txt" -loss-log "$tmp/d.tsv" -debug 0 \
	2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] || fail "-alpha 1000 did not diverge"
[ ! -e "$tmp/d.txt" ] || fail "a diverged run wrote vectors"
awk -F '\t' '/^[0-9]/ { if (n++ == 0) first = $5; lastl = $5 }
	END { exit !(lastl == "nan" || lastl + 0 > 10 * first) }' "$tmp/d.tsv" ||
	fail "the divergence does not show: $(cat "$tmp/d.tsv")"
ok

# Refused before training: a missing directory (4), the same file as an output (2).
# shellcheck disable=SC2086
expect_fail 4 "$tmp/none/l.tsv" "$KENSHO" $opts -output "$tmp/x.txt" -loss-log "$tmp/none/l.tsv"
# shellcheck disable=SC2086
expect_fail 2 "-loss-log" "$KENSHO" $opts -output "$tmp/x.txt" -loss-log "$tmp/x.txt"
[ ! -e "$tmp/x.txt" ] || fail "a refused run wrote -output"
finish
