#!/bin/sh
# Interruption and resume through the real binary: with -threads 1 a run
# stopped at several points (KENSHO_STOP_AFTER_WORDS, and one real SIGINT)
# and resumed writes the same bytes as an uninterrupted run, cached and
# streamed from disk; periodic checkpoints change nothing; damaged or
# mismatched checkpoints are refused with their exit status.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"

"$GEN" -o "$tmp/c.txt" -words 100000 -seed 3 -quiet || fail "kensho-gen-corpus failed"
opts="-train $tmp/c.txt -size 16 -iter 3 -threads 1 -seed 11 -min-count 2 -debug 0"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -output "$tmp/full.vec" -save-context "$tmp/full.ctx"
total=$(( $(wc -w < "$tmp/c.txt") * 3 ))

# resume_at WORDS EXTRA...: stop after WORDS, resume, compare both outputs.
resume_at() {
	words=$1
	shift
	rm -f "$tmp/r.vec" "$tmp/r.ctx" "$tmp/r.ckpt"
	# shellcheck disable=SC2086
	KENSHO_STOP_AFTER_WORDS=$words "$KENSHO" $opts "$@" -output "$tmp/r.vec" \
		-save-context "$tmp/r.ctx" -checkpoint "$tmp/r.ckpt" 2>"$tmp/err" </dev/null
	rc=$?
	[ "$rc" -eq 11 ] || fail "stop after $words words ($*): exit $rc, expected 11: $(cat "$tmp/err")"
	grep -q "checkpoint written to $tmp/r.ckpt" "$tmp/err" || fail "stop message: $(cat "$tmp/err")"
	[ ! -e "$tmp/r.vec" ] || fail "an interrupted run wrote -output"
	[ -s "$tmp/r.ckpt" ] || fail "no checkpoint after a stop at $words"
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts "$@" -output "$tmp/r.vec" -save-context "$tmp/r.ctx" \
		-resume "$tmp/r.ckpt"
	cmp -s "$tmp/full.vec" "$tmp/r.vec" || fail "stopped at $words ($*): word vectors differ"
	cmp -s "$tmp/full.ctx" "$tmp/r.ctx" || fail "stopped at $words ($*): context vectors differ"
	ok
}

for words in 1 20000 99000 100001 160000 270000; do
	resume_at "$words"
done
# Streamed from disk every epoch: the same bytes, and resumable too.
resume_at 150000 -cache-mb 0

# Position weights: trained, checkpointed and resumed to the same bytes,
# the weights file included.
full_pos() {
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts "$@" -output "$tmp/fp.vec" -save-context "$tmp/fp.ctx" \
		-save-positions "$tmp/fp.pos"
}
for kind in vector scalar; do
	full_pos -positions $kind
	cmp -s "$tmp/full.vec" "$tmp/fp.vec" && fail "-positions $kind changed nothing"
	for words in 20000 160000; do
		rm -f "$tmp/r.vec" "$tmp/r.pos" "$tmp/r.ckpt"
		# shellcheck disable=SC2086
		KENSHO_STOP_AFTER_WORDS=$words "$KENSHO" $opts -positions $kind -output "$tmp/r.vec" \
			-save-positions "$tmp/r.pos" -checkpoint "$tmp/r.ckpt" 2>"$tmp/err" </dev/null
		[ $? -eq 11 ] || fail "-positions $kind, stop after $words: $(cat "$tmp/err")"
		[ ! -e "$tmp/r.pos" ] || fail "an interrupted run wrote -save-positions"
		# shellcheck disable=SC2086
		expect_fail 2 "written with -positions $kind, but this run has -positions off" \
			"$KENSHO" $opts -output "$tmp/r.vec" -resume "$tmp/r.ckpt"
		# shellcheck disable=SC2086
		expect_ok "$KENSHO" $opts -positions $kind -output "$tmp/r.vec" \
			-save-positions "$tmp/r.pos" -resume "$tmp/r.ckpt"
		cmp -s "$tmp/fp.vec" "$tmp/r.vec" || fail "-positions $kind, stopped at $words: vectors differ"
		cmp -s "$tmp/fp.pos" "$tmp/r.pos" || fail "-positions $kind, stopped at $words: weights differ"
	done
	ok
done

# Hierarchical softmax, alone and beside negatives, both modes: the tree's
# vectors are checkpointed, so the resumed run ends with the same bytes.
for mode in "-hs 1 -negative 0" "-hs 1" "-cbow 0 -hs 1 -negative 0"; do
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts $mode -output "$tmp/fh.vec"
	rm -f "$tmp/r.vec" "$tmp/r.ckpt"
	# shellcheck disable=SC2086
	KENSHO_STOP_AFTER_WORDS=120000 "$KENSHO" $opts $mode -output "$tmp/r.vec" \
		-checkpoint "$tmp/r.ckpt" 2>"$tmp/err" </dev/null
	[ $? -eq 11 ] || fail "$mode, stop: $(cat "$tmp/err")"
	# shellcheck disable=SC2086
	expect_fail 2 "written with -hs 1, but this run has -hs 0" \
		"$KENSHO" $opts $mode -hs 0 -negative 5 -output "$tmp/r.vec" -resume "$tmp/r.ckpt"
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts $mode -output "$tmp/r.vec" -resume "$tmp/r.ckpt"
	cmp -s "$tmp/fh.vec" "$tmp/r.vec" || fail "$mode, resumed: vectors differ"
	ok
done

# A stop past the last batch lets the run finish.
rm -f "$tmp/r.vec"
# shellcheck disable=SC2086
expect_ok env KENSHO_STOP_AFTER_WORDS=$total "$KENSHO" $opts -output "$tmp/r.vec" -save-context "$tmp/r.ctx"
cmp -s "$tmp/full.vec" "$tmp/r.vec" || fail "a stop after the end changed the vectors"

# Chained: stop, resume and stop again, resume to the end.
rm -f "$tmp/r.vec" "$tmp/r.vec.ckpt"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=30000 "$KENSHO" $opts -output "$tmp/r.vec" -save-context "$tmp/r.ctx" 2>"$tmp/err"
[ $? -eq 11 ] || fail "chained stop 1: $(cat "$tmp/err")"
grep -q "checkpoint written to $tmp/r.vec.ckpt" "$tmp/err" || fail "default checkpoint path: $(cat "$tmp/err")"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=200000 "$KENSHO" $opts -output "$tmp/r.vec" -save-context "$tmp/r.ctx" \
	-resume "$tmp/r.vec.ckpt" 2>"$tmp/err"
[ $? -eq 11 ] || fail "chained stop 2: $(cat "$tmp/err")"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -output "$tmp/r.vec" -save-context "$tmp/r.ctx" -resume "$tmp/r.vec.ckpt"
cmp -s "$tmp/full.vec" "$tmp/r.vec" || fail "chained resume: vectors differ"

# Periodic checkpoints change nothing, and the last one resumes to the same bytes.
rm -f "$tmp/p.ckpt"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -output "$tmp/p.vec" -checkpoint "$tmp/p.ckpt" -checkpoint-every 0.001
cmp -s "$tmp/full.vec" "$tmp/p.vec" || fail "-checkpoint-every changed the vectors"
if [ -s "$tmp/p.ckpt" ]; then
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts -output "$tmp/p.vec" -resume "$tmp/p.ckpt"
	cmp -s "$tmp/full.vec" "$tmp/p.vec" || fail "resuming a periodic checkpoint: vectors differ"
fi

# A real SIGINT on a running process: exit 11, a checkpoint, an identical end.
long="-train $tmp/c.txt -size 16 -iter 40 -threads 1 -seed 11 -min-count 2"
# shellcheck disable=SC2086
"$KENSHO" $long -output "$tmp/s.vec" -debug 2 2>"$tmp/s.err" </dev/null &
pid=$!
i=0
while ! grep -q '^training' "$tmp/s.err" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.2
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "note: the run ended before the signal; the signal path was not exercised"
else
	[ "$rc" -eq 11 ] || fail "SIGINT: exit $rc, expected 11: $(cat "$tmp/s.err")"
	grep -q "interrupted at .*checkpoint written to $tmp/s.vec.ckpt" "$tmp/s.err" ||
		fail "SIGINT message: $(cat "$tmp/s.err")"
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $long -debug 0 -output "$tmp/s.vec" -resume "$tmp/s.vec.ckpt"
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $long -debug 0 -output "$tmp/s-full.vec"
	cmp -s "$tmp/s-full.vec" "$tmp/s.vec" || fail "resumed after SIGINT: vectors differ"
fi

# Refusals: other settings or inputs (2), damaged files (7), a missing one (4).
rm -f "$tmp/r.ckpt"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=50000 "$KENSHO" $opts -output "$tmp/r.vec" -checkpoint "$tmp/r.ckpt" 2>/dev/null
[ -s "$tmp/r.ckpt" ] || fail "no checkpoint for the refusal tests"
# shellcheck disable=SC2086
expect_fail 2 "written with -size 16, but this run has -size 17" \
	"$KENSHO" $opts -size 17 -output "$tmp/x.vec" -resume "$tmp/r.ckpt"
# shellcheck disable=SC2086
expect_fail 2 "-seed 11, but this run has -seed 12" \
	"$KENSHO" $opts -seed 12 -output "$tmp/x.vec" -resume "$tmp/r.ckpt"
# shellcheck disable=SC2086
expect_fail 2 "same -cache-mb" "$KENSHO" $opts -cache-mb 0 -output "$tmp/x.vec" -resume "$tmp/r.ckpt"
cp "$tmp/c.txt" "$tmp/c2.txt"
echo "one more line" >> "$tmp/c.txt"
# shellcheck disable=SC2086
expect_fail 2 "the corpus changed" "$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/r.ckpt"
mv "$tmp/c2.txt" "$tmp/c.txt"
size=$(wc -c < "$tmp/r.ckpt")
head -c $((size / 2)) "$tmp/r.ckpt" > "$tmp/t.ckpt"
# shellcheck disable=SC2086
expect_fail 7 "truncated or corrupt checkpoint" "$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/t.ckpt"
cp "$tmp/r.ckpt" "$tmp/b.ckpt"
printf 'X' | dd of="$tmp/b.ckpt" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
# shellcheck disable=SC2086
expect_fail 7 "corrupt checkpoint: the checksum does not match" \
	"$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/b.ckpt"
# shellcheck disable=SC2086
# The corpus itself as -resume is refused before it is read: the
# checkpoint would replace it. Another text file is no checkpoint.
expect_fail 2 "name the same file" "$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/c.txt"
cp "$tmp/c.txt" "$tmp/text.txt"
expect_fail 7 "not a kensho checkpoint" "$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/text.txt"
# shellcheck disable=SC2086
expect_fail 4 "cannot open the checkpoint" "$KENSHO" $opts -output "$tmp/x.vec" -resume "$tmp/none"
[ ! -e "$tmp/x.vec" ] || fail "a refused resume wrote -output"
# shellcheck disable=SC2086
expect_fail 2 "KENSHO_STOP_AFTER_WORDS" env KENSHO_STOP_AFTER_WORDS=x "$KENSHO" $opts -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "-checkpoint names an output" "$KENSHO" $opts -output "$tmp/x.vec" -checkpoint "$tmp/x.vec"
finish
