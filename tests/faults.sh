#!/bin/sh
# Faults through the real binary: input that ends or fails midway (a gzip
# cut in half, read(2) failing with EIO after N bytes through an LD_PRELOAD
# shim, in the counting pass and in a streamed epoch), output to a full
# device, an output directory removed during training, and a diverging
# training. Each must exit with its status from kensho(1), name the file,
# leave no temporary file and leave the previous output untouched. Last, a
# corpus of far more distinct words than -vocab-mb holds stays within the
# budget and reports the pruning, and a cached training's peak memory stays
# within 10% of its matrices and ids.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
command -v gzip >/dev/null || skip "gzip missing"

"$GEN" -words 60000 -seed 5 -o "$tmp/c.txt" -q "$tmp/q.txt" >/dev/null 2>&1 || fail "generator failed"
gzip -c "$tmp/c.txt" > "$tmp/c.gz"
train() {
	"$KENSHO" -size 16 -iter 2 -min-count 2 -threads 2 -seed 3 -quiet "$@"
}
mkdir "$tmp/prev"
expect_ok train -train "$tmp/c.txt" -output "$tmp/prev/v.txt" -save-vocab "$tmp/prev/vocab.txt"
cp "$tmp/prev/v.txt" "$tmp/keep-v.txt"
cp "$tmp/prev/vocab.txt" "$tmp/keep-vocab.txt"

# untouched WHAT: the previous outputs are as they were, and nothing else
# was left in their directory.
untouched() {
	cmp -s "$tmp/prev/v.txt" "$tmp/keep-v.txt" || fail "$1: the previous vectors were changed"
	cmp -s "$tmp/prev/vocab.txt" "$tmp/keep-vocab.txt" || fail "$1: the previous vocabulary was changed"
	[ "$(ls "$tmp/prev" | wc -l)" -eq 2 ] || fail "$1: files left behind: $(ls "$tmp/prev")"
	ok
}

# A gzip file cut in half: malformed input (7), named, nothing written.
size=$(wc -c < "$tmp/c.gz")
head -c $((size / 2)) "$tmp/c.gz" > "$tmp/cut.gz"
expect_fail 7 "cut.gz: truncated gzip" train -train "$tmp/cut.gz" -output "$tmp/prev/v.txt" \
	-save-vocab "$tmp/prev/vocab.txt"
untouched "gzip cut in half"
# The same cut after a good first file, without the token cache.
expect_fail 7 "cut.gz: truncated gzip" train -train "$tmp/c.txt" -train "$tmp/cut.gz" \
	-cache-mb 0 -output "$tmp/prev/v.txt"
untouched "gzip cut in half, second input"

# read(2) failing with EIO midway: read error (5), named.
shim="$KS_BUILDDIR/tests/eio-shim.so"
if [ -f "$shim" ] &&
	LD_PRELOAD="$shim" ASAN_OPTIONS="verify_asan_link_order=0 ${ASAN_OPTIONS:-}" true 2>/dev/null; then
	# eio FILE AFTER OPEN CMD...: CMD with read(2) on FILE failing after
	# AFTER bytes, from the OPENth open of FILE on (0: every open).
	eio() {
		f=$1 after=$2 open=$3
		shift 3
		KS_EIO_FILE=$f KS_EIO_AFTER=$after KS_EIO_OPEN=$open LD_PRELOAD="$shim" \
			ASAN_OPTIONS="verify_asan_link_order=0 ${ASAN_OPTIONS:-}" "$@"
	}
	half=$(($(wc -c < "$tmp/c.txt") / 2))
	expect_fail 5 "c.txt: Input/output error" eio "$tmp/c.txt" "$half" 0 \
		train -train "$tmp/c.txt" -output "$tmp/prev/v.txt" -save-vocab "$tmp/prev/vocab.txt"
	untouched "EIO on a plain file"
	expect_fail 5 "c.gz: Input/output error" eio "$tmp/c.gz" $((size / 2)) 0 \
		train -train "$tmp/c.gz" -output "$tmp/prev/v.txt"
	untouched "EIO on a gzip file"
	# Open 1 checks the file, 2 counts, 3 is the first streamed epoch:
	# the reader thread fails while the workers train.
	expect_fail 5 "c.txt: Input/output error" eio "$tmp/c.txt" "$half" 3 \
		train -train "$tmp/c.txt" -cache-mb 0 -output "$tmp/prev/v.txt"
	untouched "EIO in a streamed epoch"
	# The shim itself works: no failure past the end of the file.
	expect_ok eio "$tmp/c.txt" 100000000 0 train -train "$tmp/c.txt" -output "$tmp/v-eio.txt"
else
	echo "the EIO shim $shim is missing or cannot be preloaded: read errors not tested"
fi

# A full device: write error (6), named, the device left in place.
if [ -c /dev/full ]; then
	expect_fail 6 "/dev/full" train -train "$tmp/c.txt" -output /dev/full
	expect_fail 6 "/dev/full" train -train "$tmp/c.txt" -output "$tmp/prev/v.txt" \
		-save-vocab /dev/full
	untouched "vocabulary to /dev/full"
	# The context vectors fail after the word vectors were written: the
	# old word vectors must stay, as both are put in place together.
	expect_fail 6 "/dev/full" train -train "$tmp/c.txt" -output "$tmp/prev/v.txt" \
		-save-context /dev/full
	untouched "context vectors to /dev/full"
	[ -c /dev/full ] || fail "/dev/full was replaced"
fi

# Divergence: -alpha 1e6 makes the loss non-finite; the run stops with
# status 10 and writes no vectors.
expect_fail 10 "diverged" train -train "$tmp/c.txt" -alpha 1e6 -output "$tmp/prev/v.txt"
untouched "divergence"
expect_fail 10 "diverged" train -train "$tmp/c.txt" -alpha 1e6 -cbow 0 -output "$tmp/new.txt"
[ ! -e "$tmp/new.txt" ] || fail "a diverged run wrote vectors"
ok

# The output directory disappears while training: the trainer is started
# in the background, the directory removed once training has begun (the
# "training" line), and the run must fail cleanly naming the file.
# Under valgrind or ThreadSanitizer the training is some 50 times slower,
# so fewer epochs do.
epochs=100
[ -z "${KS_VALGRIND:-}" ] || epochs=4
case "${KS_SANITIZERS:-}" in *thread*) epochs=4 ;; esac
mkdir "$tmp/gone"
"$KENSHO" -train "$tmp/c.txt" -output "$tmp/gone/v.txt" -size 32 -iter $epochs -threads 2 \
	-debug 1 2>"$tmp/gone-err" &
pid=$!
i=0
while ! grep -q '^training' "$tmp/gone-err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill $pid; fail "training did not start: $(cat "$tmp/gone-err")"; }
	sleep 0.1
done
rm -rf "$tmp/gone"
wait $pid
rc=$?
if grep -q '^done:' "$tmp/gone-err"; then
	echo "training ended before the directory was removed: case not tested"
else
	[ $rc -eq 4 ] || [ $rc -eq 6 ] || fail "removed output directory: exit $rc: $(cat "$tmp/gone-err")"
	grep -q "gone/v.txt.*No such file or directory" "$tmp/gone-err" ||
		fail "removed output directory: $(cat "$tmp/gone-err")"
	[ ! -e "$tmp/gone" ] || fail "the output directory was created again"
	ok
fi

# Vocabulary budget: 1M distinct tokens (a table of about 80 MB) counted
# within -vocab-mb 1, the pruning reported, peak memory measured with GNU
# time where it works (not under a sanitizer or valgrind, whose own
# memory would be measured).
awk 'BEGIN { srand(11); for (i = 0; i < 1000000; i++) {
	printf "r%x%04x a%d%s", i, int(rand() * 65536), i % 50, i % 20 == 19 ? "\n" : " " } }' \
	> "$tmp/distinct.txt"
rss=
if [ -z "${KS_SANITIZERS:-}" ] && [ -z "${KS_VALGRIND:-}" ] && [ -x /usr/bin/time ] &&
	/usr/bin/time -f %M -o "$tmp/rss" true 2>/dev/null; then
	rss=/usr/bin/time
fi
budget() {
	if [ -n "$rss" ]; then
		$rss -f %M -o "$tmp/rss" "$@"
	else
		"$@"
	fi
}
budget "$KENSHO" -train "$tmp/distinct.txt" -output "$tmp/d.txt" -size 8 -iter 1 -threads 1 \
	-vocab-mb 1 -cache-mb 0 -debug 1 2>"$tmp/err" || fail "budget run: $(cat "$tmp/err")"
grep -Eq "outgrew -vocab-mb 1: [0-9]+ rare words were pruned" "$tmp/err" ||
	fail "pruning not reported: $(cat "$tmp/err")"
grep -q "vocabulary: 50 words" "$tmp/err" || fail "frequent words lost: $(cat "$tmp/err")"
ok
if [ -n "$rss" ]; then
	# The same options on a tiny corpus give the fixed cost of the process.
	head -n 20 "$tmp/distinct.txt" > "$tmp/small.txt"
	$rss -f %M -o "$tmp/rss0" "$KENSHO" -train "$tmp/small.txt" -output "$tmp/d0.txt" -size 8 \
		-iter 1 -threads 1 -min-count 1 -vocab-mb 1 -cache-mb 0 -quiet || fail "small run"
	peak=$(tail -n 1 "$tmp/rss") base=$(tail -n 1 "$tmp/rss0")
	# Within the 1 MB budget, with 2 MB to spare for the transient copies
	# of a growth or a prune.
	[ $((peak - base)) -le 3072 ] ||
		fail "counting 1M distinct words with -vocab-mb 1 took $((peak - base)) kB over the base $base kB"
	echo "budget: peak $peak kB, base $base kB"
	ok
fi

# Peak memory of a cached training, from kensho's own summary: at most 10%
# over its two matrices and the cached ids (issue 4's bound), so what the
# load used (the corpus's buffers, the counting table, the vocabulary's
# lookup index, the heap they leave) must be given back before training.
# The matrices are counted unpadded (dim floats a row, not ks_row_stride's
# up to dim / 16 more), so the rows' padding is paid out of the 10%.
# On wiki100m (the issue's settings) the margin is under 2 MiB, and holding
# what the load used breaks it (11% over before that was fixed). The
# generated corpus (2M words over 20,000 distinct ones at d=500: 80 MB of
# matrices, 8 MB of ids) runs everywhere and catches gross regressions,
# such as a second copy of the ids or a matrix.
# peak_within FILE DIM: the run's summary in FILE is within the bound.
peak_within() {
	v=$(sed -n 's/.*vocabulary: \([0-9]*\) words.*/\1/p' "$1")
	w=$(sed -n 's/.* \([0-9]*\) training words per epoch.*/\1/p' "$1")
	s=$(sed -n 's/.*words\{0,1\}, \([0-9]*\) sentences\{0,1\}[;,].*/\1/p' "$1")
	peak=$(sed -n 's/.*peak memory \([0-9.]*\) MiB.*/\1/p' "$1")
	[ -n "$v" ] && [ -n "$w" ] && [ -n "$s" ] && [ -n "$peak" ] ||
		fail "cannot read the summary: $(cat "$1")"
	# Both in KiB; the ids are the training words and one end per sentence.
	peak=$(awk -v p="$peak" 'BEGIN { printf "%d", p * 1024 }')
	bound=$(((2 * v * $2 * 4 + 4 * (w + s)) / 1024))
	[ $((peak * 10)) -le $((bound * 11)) ] ||
		fail "peak memory $peak KiB is over 110% of the matrices and the ids, $bound KiB"
	echo "memory: peak $peak KiB, matrices and ids $bound KiB"
}
if [ -z "${KS_SANITIZERS:-}" ] && [ -z "${KS_VALGRIND:-}" ]; then
	awk 'BEGIN { srand(7); for (i = 0; i < 2000000; i++) {
		r = rand(); printf "w%d%s", int(20000 * r * r), i % 1000 == 999 ? "\n" : " " } }' \
		> "$tmp/big.txt"
	"$KENSHO" -train "$tmp/big.txt" -output "$tmp/big.bin" -binary 1 -size 500 -iter 1 \
		-threads 2 -min-count 1 2>"$tmp/err" || fail "memory run: $(cat "$tmp/err")"
	peak_within "$tmp/err" 500
	ok
	if [ -f "$KS_SHARED_DATA/wiki100m.txt.gz" ]; then
		"$KENSHO" -train "$KS_SHARED_DATA/wiki100m.txt.gz" -output "$tmp/wiki.bin" -binary 1 \
			-size 100 -window 5 -negative 5 -sample 1e-3 -min-count 5 -iter 1 -threads 2 \
			2>"$tmp/err" || fail "wiki100m run: $(cat "$tmp/err")"
		peak_within "$tmp/err" 100
		ok
	else
		echo "memory: no wiki100m in $KS_SHARED_DATA, so only the generated corpus was measured"
	fi
else
	echo "memory: not measured under a sanitizer or valgrind"
fi
finish
