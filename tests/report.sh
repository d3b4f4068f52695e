#!/bin/sh
# What the trainer reports and refuses around a training (issue 14): no
# example to train is an error, not random vectors; a pruned vocabulary
# trains the same words cached and streamed; the final loss depends only
# on the training; the summaries, warnings, --help and exit statuses say
# what happened.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"

"$GEN" -o "$tmp/c.txt" -words 100000 -seed 5 -quiet || fail "kensho-gen-corpus failed"
base="-size 8 -threads 1 -seed 3 -min-count 1"

# Nothing to learn: one token per line (CoNLL style) and -max-sentence 1
# give no example: exit 8, nothing written, no "final loss nan".
tr ' ' '\n' < "$tmp/c.txt" > "$tmp/conll.txt"
# shellcheck disable=SC2086
expect_fail 8 "nothing to train on" "$KENSHO" -train "$tmp/conll.txt" -output "$tmp/n.txt" $base
[ ! -e "$tmp/n.txt" ] || fail "vectors written although nothing was trained"
grep -q "nan" "$tmp/err" && fail "a NaN loss was reported: $(cat "$tmp/err")"
ok
# shellcheck disable=SC2086
expect_fail 8 "nothing to train on" "$KENSHO" -train "$tmp/c.txt" -output "$tmp/n.txt" $base \
	-max-sentence 1
# A few examples for many words: trained, with a warning.
{ cat "$tmp/conll.txt"; echo "alpha beta"; } > "$tmp/few.txt"
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/few.txt" -output "$tmp/few.vec" $base
grep -Eq "warning: only [0-9]+ training examples for [0-9]+ words" "$tmp/err" ||
	fail "no warning for two examples: $(cat "$tmp/err")"
ok

# A pruned vocabulary: words pruned early (late0 ... late990, seen once
# among a flood of distinct words) come back often later. Cached and
# streamed epochs train the same words, and say so.
awk 'BEGIN { srand(3); for (i = 0; i < 300000; i++) {
	w = i < 1000 ? sprintf(" late%d", i) : (i > 150000 && i % 10 == 0) ? sprintf(" late%d", i % 1000) : ""
	printf "r%x%04x a%d%s%s", i, int(rand() * 65536), i % 50, w, i % 20 == 19 ? "\n" : " " } }' \
	> "$tmp/pruned.txt"
for mb in 4096 0; do
	"$KENSHO" -train "$tmp/pruned.txt" -output "$tmp/pruned-$mb.vec" -size 8 -iter 1 -threads 1 \
		-vocab-mb 1 -cache-mb "$mb" -debug 1 2>"$tmp/pruned-$mb.err" ||
		fail "pruned run (-cache-mb $mb): $(cat "$tmp/pruned-$mb.err")"
	grep -q "pruned" "$tmp/pruned-$mb.err" || fail "no pruning: $(cat "$tmp/pruned-$mb.err")"
	grep -o "[0-9]* training words per epoch" "$tmp/pruned-$mb.err" > "$tmp/pruned-$mb.n"
	grep -o "done: [0-9]* words" "$tmp/pruned-$mb.err" >> "$tmp/pruned-$mb.n"
done
cmp -s "$tmp/pruned-4096.n" "$tmp/pruned-0.n" ||
	fail "cached and streamed counts differ: $(cat "$tmp/pruned-4096.n") / $(cat "$tmp/pruned-0.n")"
cmp -s "$tmp/pruned-4096.vec" "$tmp/pruned-0.vec" || fail "cached and streamed vectors differ after pruning"
ok
# The epoch is every occurrence of the words seen at least -min-count 5
# times (the r-words are seen once each).
expected=$(tr ' ' '\n' < "$tmp/pruned.txt" | sort | uniq -c | awk '$1 >= 5 { s += $1 } END { print s }')
grep -q "^$expected training words per epoch" "$tmp/pruned-0.n" ||
	fail "the epoch is not the $expected kept words: $(cat "$tmp/pruned-0.n")"
ok

# The final loss is the last epoch's mean: the same for an interrupted and
# resumed run as for an uninterrupted one (it used to be the last progress
# interval's, which depends on timing).
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/c.txt" -output "$tmp/u.vec" $base -iter 2
loss_u=$(grep -o "final loss [0-9.]* (mean over the last epoch)" "$tmp/err") ||
	fail "no final loss: $(cat "$tmp/err")"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=150000 "$KENSHO" -train "$tmp/c.txt" -output "$tmp/r.vec" $base -iter 2 \
	-debug 0 2>/dev/null
[ $? -eq 11 ] || fail "the stop hook did not interrupt"
# Resumed under another spelling of the same corpus path.
# shellcheck disable=SC2086
(cd "$tmp" && "$KENSHO" -train ./c.txt -output "$tmp/r.vec" $base -iter 2 -resume r.vec.ckpt) \
	2>"$tmp/err" || fail "resume under ./c.txt: $(cat "$tmp/err")"
loss_r=$(grep -o "final loss [0-9.]* (mean over the last epoch)" "$tmp/err")
[ "$loss_u" = "$loss_r" ] || fail "final loss: '$loss_u' uninterrupted, '$loss_r' resumed"
cmp -s "$tmp/u.vec" "$tmp/r.vec" || fail "resumed vectors differ"
# The resumed summary says this run's words and all runs' apart.
grep -Eq "done: [0-9]+ words \([0-9]+ with the runs resumed from\)" "$tmp/err" ||
	fail "resume summary: $(cat "$tmp/err")"
ok

# CBOW-only options given to skip-gram: a warning, not echoed, and a change
# to them does not stop a resume.
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/c.txt" -output "$tmp/sg.vec" $base -cbow 0 -iter 1 \
	-cbow-update word2vec -input-rate-scale 2
grep -q "warning: -cbow-update and -input-rate-scale have no effect on skip-gram" "$tmp/err" ||
	fail "no warning for CBOW options: $(cat "$tmp/err")"
grep -q "input vectors x" "$tmp/err" && fail "skip-gram echoes the input rate: $(cat "$tmp/err")"
ok
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=50000 "$KENSHO" -train "$tmp/c.txt" -output "$tmp/sg.vec" $base -cbow 0 \
	-iter 1 -debug 0 2>/dev/null
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/c.txt" -output "$tmp/sg.vec" $base -cbow 0 -iter 1 \
	-cbow-update word2vec -resume "$tmp/sg.vec.ckpt"

# --help labels defaults as defaults, whatever was given before it.
"$KENSHO" -size 300 --help > "$tmp/help" || fail "--help failed"
grep -q "(default: 100; given: 300)" "$tmp/help" || fail "--help after -size 300: $(grep size "$tmp/help")"
grep -q "(default: 300)" "$tmp/help" && fail "--help calls the given -size the default"
ok
# The default -threads follows the affinity mask.
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
	taskset -c 0 "$KENSHO" --help > "$tmp/help1" || fail "--help under taskset failed"
	grep -Eq -- "-threads N .*\(default: 1\)" "$tmp/help1" ||
		fail "one allowed CPU: $(grep threads "$tmp/help1")"
	ok
fi

# Wording: singulars, one --help hint, the warning prefix, -max-vocab.
printf 'x y\n' > "$tmp/one.txt"
expect_ok "$KENSHO" -train "$tmp/one.txt" -output "$tmp/one.vec" $base -iter 1 -window 1 -sample 0
grep -q "1 epoch, 1 thread" "$tmp/err" || fail "plurals: $(cat "$tmp/err")"
grep -q "1 sentence;" "$tmp/err" || fail "plurals: $(cat "$tmp/err")"
ok
expect_fail 2 "unknown option" "$KENSHO" -frobnicate 1
[ "$(grep -c help "$tmp/err")" -eq 1 ] || fail "the --help hint is not printed once: $(cat "$tmp/err")"
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/c.txt" -output "$tmp/m.vec" $base -iter 1 -max-vocab 10 -cache-mb 0
grep -Eq "max-vocab 10: [0-9]+ more words dropped" "$tmp/err" || fail "-max-vocab: $(cat "$tmp/err")"
ok
"$KENSHO" -train "$tmp/pruned.txt" -output "$tmp/p.vec" $base -iter 1 -cache-mb 1 2>"$tmp/err" ||
	fail "small cache: $(cat "$tmp/err")"
grep -q "warning: the corpus .*do.* not fit the token cache" "$tmp/err" ||
	fail "cache notice: $(cat "$tmp/err")"
ok
# shellcheck disable=SC2086
expect_ok "$KENSHO" -train "$tmp/c.txt" -output "$tmp/d.vec" $base -iter 2 -debug 3
for what in "settings: sample" "model: 2 matrices" "subsampling keeps about" "checkpoints: "; do
	grep -q "$what" "$tmp/err" || fail "-debug 3 lacks '$what': $(cat "$tmp/err")"
done
ok

# A second SIGINT or SIGTERM ends the process at once, by the signal
# (the shell's 130 and 143), as kensho(1) says. A FIFO that never delivers
# data keeps the first signal waiting for the corpus.
if mkfifo "$tmp/fifo" 2>/dev/null; then
	for sig in INT TERM; do
		# Held open read-write (Linux does not block on that), so the
		# reader sees neither data nor an end.
		exec 3<>"$tmp/fifo"
		"$KENSHO" -train "$tmp/fifo" -output "$tmp/s.vec" -debug 0 &
		pid=$!
		sleep 0.5
		kill -s "$sig" "$pid"
		sleep 0.3
		kill -0 "$pid" 2>/dev/null || fail "the first SIG$sig ended kensho at once"
		kill -s "$sig" "$pid"
		wait "$pid"
		rc=$?
		exec 3>&-
		want=130
		[ "$sig" = TERM ] && want=143
		[ "$rc" -eq "$want" ] || fail "second SIG$sig: exit $rc, expected $want"
		[ ! -e "$tmp/s.vec" ] || fail "output written after a second SIG$sig"
		ok
	done
fi
finish
