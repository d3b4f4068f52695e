#!/bin/sh
# kensho-mpi under mpirun with 2 and 4 ranks on a corpus written here: the
# output loads, the ranks end with one model, 2 ranks x 1 thread with a
# fixed seed write the same bytes twice, gzip input trains as plain,
# several files shared out by files count the vocabulary one process
# counts, the job's checkpoints resume to the same bytes, and a rank
# killed, standard input, a missing or corrupt -train file, a bad -shard
# a bad -sync-damping and mismatched options fail the whole job with a
# non-zero exit and no output; damping changes 4 ranks' training, not 2's. Skips (77) when kensho-mpi
# was not built (./configure --with-mpi) or mpirun is missing.
. "${KS_SRCDIR:-.}/tests/lib.sh"
KENSHO_MPI="$KS_BUILDDIR/kensho-mpi"
[ -x "$KENSHO_MPI" ] || skip "kensho-mpi not built (./configure --with-mpi)"
command -v mpirun >/dev/null 2>&1 || skip "mpirun missing (Debian: openmpi-bin)"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"

# As root Open MPI needs --allow-run-as-root; on 2 cores 4 ranks need --oversubscribe.
run="mpirun --oversubscribe --bind-to none"
[ "$(id -u)" -ne 0 ] || run="$run --allow-run-as-root"
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Under a sanitizer build: Open MPI's own allocations are not freed at exit
# (from plugins already unloaded, so no suppression can name them), and
# LeakSanitizer would fail every rank. Leaks stay checked for the training
# code by the rest of the suite; ASan's and UBSan's other checks stay on.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

"$GEN" -o "$tmp/c.txt" -q "$tmp/q.txt" -words 200000 -seed 5 -quiet || fail "kensho-gen-corpus failed"
gzip -c "$tmp/c.txt" > "$tmp/c.txt.gz"
opts="-size 16 -iter 2 -threads 1 -seed 7 -min-count 2 -debug 1 -sync-words 5000 -sync-rows 64"

# mpi NP ARGS...: runs kensho-mpi on NP ranks; stderr in $tmp/err.
mpi() {
	np=$1
	shift
	# shellcheck disable=SC2086
	$run -np "$np" "$KENSHO_MPI" "$@" 2>"$tmp/err" </dev/null >"$tmp/out"
}

for np in 2 4; do
	# shellcheck disable=SC2086
	mpi "$np" -train "$tmp/c.txt" $opts -output "$tmp/v$np.txt" -save-vocab "$tmp/voc$np.txt" ||
		fail "$np ranks: exit $?: $(cat "$tmp/err")"
	[ -s "$tmp/v$np.txt" ] || fail "$np ranks wrote no vectors"
	grep -q "the $np ranks ended with the same model" "$tmp/err" ||
		fail "$np ranks: no agreement reported: $(cat "$tmp/err")"
	[ "$(grep -c 'kensho-mpi: [0-9]* ranks' "$tmp/err")" -eq 1 ] ||
		fail "$np ranks: not one report from rank 0: $(cat "$tmp/err")"
	"$KENSHO_EVAL" analogy -restrict 0 "$tmp/v$np.txt" "$tmp/q.txt" > "$tmp/eval" 2>&1 ||
		fail "kensho-eval cannot read the vectors of $np ranks: $(cat "$tmp/eval")"
	ok
done
# One vocabulary: the same as one process counts.
"$KENSHO" -train "$tmp/c.txt" -size 16 -iter 1 -min-count 2 -threads 1 -debug 0 \
	-output "$tmp/one.txt" -save-vocab "$tmp/voc1.txt" || fail "kensho failed"
cmp -s "$tmp/voc1.txt" "$tmp/voc2.txt" || fail "2 ranks saved another vocabulary than one process"
cmp -s "$tmp/voc1.txt" "$tmp/voc4.txt" || fail "4 ranks saved another vocabulary than one process"
head -n 1 "$tmp/v4.txt" | grep -q "^$(wc -l < "$tmp/voc1.txt") 16\$" || fail "header: $(head -n 1 "$tmp/v4.txt")"
ok

# Reproducible: two 2-rank runs with -threads 1 and a fixed seed write the
# same bytes (the ranks' agreement is checked by kensho-mpi itself at the
# end of every run: a model checksum compared over all ranks).
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -output "$tmp/r1.txt" || fail "rerun 1: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -output "$tmp/r2.txt" || fail "rerun 2: $(cat "$tmp/err")"
cmp -s "$tmp/r1.txt" "$tmp/r2.txt" || fail "2 ranks x 1 thread, seed 7: two runs differ"
cmp -s "$tmp/r1.txt" "$tmp/v2.txt" || fail "2 ranks: -save-vocab changed the vectors"
ok
# gzip input is split the same way: the same bytes as the plain file.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt.gz" $opts -output "$tmp/gz.txt" || fail "gzip: $(cat "$tmp/err")"
cmp -s "$tmp/gz.txt" "$tmp/r1.txt" || fail "2 ranks: gzip input trained differently from plain"
# -read-vocab works as in kensho.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -read-vocab "$tmp/voc1.txt" -output "$tmp/rv.txt" ||
	fail "-read-vocab: $(cat "$tmp/err")"
[ -s "$tmp/rv.txt" ] || fail "-read-vocab wrote nothing"
ok

# Sharding by files: 4 files on 2 and 4 ranks, each rank reading only its
# own, sum their counts into the vocabulary one process counts.
split -n l/4 -d "$tmp/c.txt" "$tmp/part" || fail "split failed"
parts="-train $tmp/part00 -train $tmp/part01 -train $tmp/part02 -train $tmp/part03"
for np in 2 4; do
	# shellcheck disable=SC2086
	mpi "$np" $parts $opts -output "$tmp/f$np.txt" -save-vocab "$tmp/fvoc$np.txt" ||
		fail "$np ranks, 4 files: exit $?: $(cat "$tmp/err")"
	grep -q "the 4 -train files are shared out by files" "$tmp/err" ||
		fail "$np ranks, 4 files: not sharded by files: $(cat "$tmp/err")"
	cmp -s "$tmp/voc1.txt" "$tmp/fvoc$np.txt" ||
		fail "$np ranks, 4 files: another vocabulary than one process counts"
	grep -q "corpus: $(wc -w < "$tmp/c.txt" | tr -d ' ') words" "$tmp/err" ||
		fail "$np ranks, 4 files: the job's corpus is not reported: $(cat "$tmp/err")"
	"$KENSHO_EVAL" analogy -restrict 0 "$tmp/f$np.txt" "$tmp/q.txt" > "$tmp/eval" 2>&1 ||
		fail "kensho-eval cannot read the vectors of $np ranks, 4 files: $(cat "$tmp/eval")"
done
# Reproducible, and unlike sharding by chunks, which reads every file on every rank.
# shellcheck disable=SC2086
mpi 2 $parts $opts -output "$tmp/f2b.txt" || fail "4 files rerun: $(cat "$tmp/err")"
cmp -s "$tmp/f2.txt" "$tmp/f2b.txt" || fail "2 ranks x 1 thread, 4 files: two runs differ"
# shellcheck disable=SC2086
mpi 2 $parts $opts -shard chunks -output "$tmp/fc.txt" || fail "-shard chunks: $(cat "$tmp/err")"
grep -q "shared out by chunks" "$tmp/err" || fail "-shard chunks: $(cat "$tmp/err")"
cmp -s "$tmp/f2.txt" "$tmp/fc.txt" && fail "-shard chunks trained as -shard files"
ok
# -shard files needs a file per rank; -shard takes only its three values.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -shard files -output "$tmp/sf.txt" && fail "-shard files, 1 file, 2 ranks succeeded"
grep -q "at least as many -train files as ranks: 1 file for 2 ranks" "$tmp/err" ||
	fail "-shard files message: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -shard lines -output "$tmp/sf.txt" && fail "-shard lines succeeded"
grep -q "shard needs auto, files or chunks" "$tmp/err" || fail "-shard message: $(cat "$tmp/err")"
[ ! -e "$tmp/sf.txt" ] || fail "a refused -shard left -output"
for bad in -1 x nan inf ""; do
	# shellcheck disable=SC2086
	mpi 2 -train "$tmp/c.txt" $opts -sync-damping "$bad" -output "$tmp/sf.txt" &&
		fail "-sync-damping '$bad' succeeded"
	grep -q "sync-damping needs a number >= 0" "$tmp/err" ||
		fail "-sync-damping '$bad' message: $(cat "$tmp/err")"
done
[ ! -e "$tmp/sf.txt" ] || fail "a refused -sync-damping left -output"
ok
# Damping (dist.h) scales the sums of 3 ranks or more only: 2 ranks write
# the same bytes with any -sync-damping, 4 ranks other bytes with 0 (the
# plain sum) than with a strong damping.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -sync-damping 50 -output "$tmp/d2.txt" || fail "2 ranks damped: $(cat "$tmp/err")"
cmp -s "$tmp/d2.txt" "$tmp/r1.txt" || fail "-sync-damping changed 2 ranks' vectors"
for damp in 0 50; do
	# shellcheck disable=SC2086
	mpi 4 -train "$tmp/c.txt" $opts -sync-damping $damp -output "$tmp/d4-$damp.txt" ||
		fail "4 ranks, -sync-damping $damp: $(cat "$tmp/err")"
	grep -q "damping $damp\$" "$tmp/err" || fail "-sync-damping $damp not reported: $(cat "$tmp/err")"
done
cmp -s "$tmp/d4-0.txt" "$tmp/d4-50.txt" && fail "4 ranks: -sync-damping 50 trained as the plain sum"
ok
# A rank that cannot read its share (a corrupt gzip file) ends the job
# naming itself and the file, while the other rank waits in the counting.
head -c 2000 "$tmp/c.txt.gz" > "$tmp/bad.gz"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/part00" -train "$tmp/bad.gz" $opts -output "$tmp/bad.txt" &&
	fail "a corrupt shard succeeded"
grep -q "kensho-mpi: rank [01] of 2: .*bad.gz" "$tmp/err" || fail "corrupt shard message: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.txt" ] || fail "a corrupt shard left -output"
ok

# Checkpoints of the whole job. The stop hook on every rank stops the job
# at a round: each rank writes its part as NAME.rankR, nothing else is
# written and the job exits 11; resumed, it ends with the bytes of the job
# that was never stopped. By chunks on 2 and 4 ranks, by files on 2 ranks,
# and with a rank whose share was trained before the stop (its file is a
# third of the other's), and with -hs 1 (the inner nodes' rows and bases).
# stop_resume NAME REF NP WORDS ARGS...: stops after WORDS words per rank, resumes, compares with REF.
stop_resume() {
	name=$1 ref=$2 np=$3 words=$4
	shift 4
	rm -f "$tmp/$name.txt" "$tmp/$name.txt.ckpt".rank*
	# shellcheck disable=SC2086
	$run -np "$np" -x KENSHO_STOP_AFTER_WORDS="$words" "$KENSHO_MPI" "$@" -output "$tmp/$name.txt" \
		2>"$tmp/err" </dev/null >/dev/null
	rc=$?
	[ "$rc" -eq 11 ] || fail "$name: the stopped job exited $rc, expected 11: $(cat "$tmp/err")"
	grep -q "the job's checkpoint is written to $tmp/$name.txt.ckpt.rank0 to .rank$((np - 1))" \
		"$tmp/err" || fail "$name: no checkpoint reported: $(cat "$tmp/err")"
	[ ! -e "$tmp/$name.txt" ] || fail "$name: the stopped job wrote -output"
	r=0
	while [ "$r" -lt "$np" ]; do
		[ -s "$tmp/$name.txt.ckpt.rank$r" ] || fail "$name: rank $r wrote no checkpoint"
		r=$((r + 1))
	done
	mpi "$np" "$@" -output "$tmp/$name.txt" -resume "$tmp/$name.txt.ckpt" ||
		fail "$name: the resumed job failed ($?): $(cat "$tmp/err")"
	grep -q "resuming from $tmp/$name.txt.ckpt at" "$tmp/err" || fail "$name: not resumed: $(cat "$tmp/err")"
	cmp -s "$tmp/$name.txt" "$ref" || fail "$name: the resumed job wrote other bytes than the uninterrupted one"
	ok
}
# shellcheck disable=SC2086
stop_resume ck2 "$tmp/r1.txt" 2 60000 -train "$tmp/c.txt" $opts
# shellcheck disable=SC2086
stop_resume ck4 "$tmp/v4.txt" 4 30000 -train "$tmp/c.txt" $opts
# shellcheck disable=SC2086
stop_resume ckf "$tmp/f2.txt" 2 60000 $parts $opts
cat "$tmp/part01" "$tmp/part02" "$tmp/part03" > "$tmp/big3"
uneven="-train $tmp/part00 -train $tmp/big3 -shard files"
# shellcheck disable=SC2086
mpi 2 $uneven $opts -output "$tmp/u.txt" || fail "uneven files: $(cat "$tmp/err")"
# Rank 0 trains about 300,000 words, rank 1 about 100,000: rank 1 is done at the stop.
# shellcheck disable=SC2086
stop_resume cku "$tmp/u.txt" 2 250000 $uneven $opts
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -hs 1 -negative 0 -cbow 0 -output "$tmp/hs.txt" ||
	fail "-hs 1: $(cat "$tmp/err")"
# shellcheck disable=SC2086
stop_resume ckh "$tmp/hs.txt" 2 60000 -train "$tmp/c.txt" $opts -hs 1 -negative 0 -cbow 0

# Periodic checkpoints (-checkpoint-every, rank 0's clock) do not change
# what is trained, and the last one resumes to the same bytes.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -iter 12 -output "$tmp/p.txt" || fail "-iter 12: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -iter 12 -output "$tmp/pe.txt" -checkpoint "$tmp/pe.ckpt" \
	-checkpoint-every 0.0002 || fail "-checkpoint-every: $(cat "$tmp/err")"
grep -q "checkpoint of the job at .* written to $tmp/pe.ckpt.rank0 to .rank1" "$tmp/err" ||
	fail "-checkpoint-every wrote no checkpoint: $(cat "$tmp/err")"
cmp -s "$tmp/p.txt" "$tmp/pe.txt" || fail "-checkpoint-every changed the vectors"
[ -s "$tmp/pe.ckpt.rank0" ] && [ -s "$tmp/pe.ckpt.rank1" ] || fail "-checkpoint-every: no files"
rm -f "$tmp/pe.txt"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -iter 12 -output "$tmp/pe.txt" -resume "$tmp/pe.ckpt" ||
	fail "resuming a periodic checkpoint: $(cat "$tmp/err")"
cmp -s "$tmp/p.txt" "$tmp/pe.txt" || fail "a periodic checkpoint resumed to other bytes"
ok

# Resuming is refused, naming the checkpoint, with other ranks, another
# schedule, a rank's file under kensho, kensho's checkpoint under
# kensho-mpi, and ranks' files from different rounds.
ck="$tmp/ck2.txt.ckpt"
rm -f "$tmp/ck2.txt"
# shellcheck disable=SC2086
$run -np 2 -x KENSHO_STOP_AFTER_WORDS=60000 "$KENSHO_MPI" -train "$tmp/c.txt" $opts \
	-output "$tmp/ck2.txt" 2>/dev/null </dev/null >/dev/null
[ -s "$ck.rank1" ] || fail "no checkpoint to refuse"
# shellcheck disable=SC2086
mpi 4 -train "$tmp/c.txt" $opts -output "$tmp/no.txt" -resume "$ck" && fail "4 ranks resumed a 2-rank job"
grep -Eq "job of 2 ranks, this job has 4|ck2.txt.ckpt.rank[23]: cannot open" "$tmp/err" ||
	fail "4 ranks on 2's checkpoint: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -output "$tmp/no.txt" -resume "$ck.rank0" && fail "a rank's file resumed"
grep -q "give the name the ranks' files share ($ck)" "$tmp/err" || fail "-resume X.rank0: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -sync-words 6000 -output "$tmp/no.txt" -resume "$ck" &&
	fail "another -sync-words resumed"
grep -q "ran with -sync-words 5000" "$tmp/err" || fail "-sync-words message: $(cat "$tmp/err")"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -sync-damping 0.5 -output "$tmp/no.txt" -resume "$ck" &&
	fail "another -sync-damping resumed"
grep -q "ran with -sync-damping 0.1, this one with 0.5" "$tmp/err" ||
	fail "-sync-damping message: $(cat "$tmp/err")"
kopts=$(echo "$opts" | sed 's/ -sync-words [0-9]* -sync-rows [0-9]*//')
# shellcheck disable=SC2086
expect_fail 2 "rank 0's part of a kensho-mpi job of 2 ranks" "$KENSHO" -train "$tmp/c.txt" $kopts \
	-output "$tmp/no.txt" -resume "$ck.rank0"
# shellcheck disable=SC2086
KENSHO_STOP_AFTER_WORDS=60000 "$KENSHO" -train "$tmp/c.txt" $kopts -output "$tmp/k.txt" \
	-checkpoint "$tmp/k.ckpt" 2>/dev/null
[ -s "$tmp/k.ckpt" ] || fail "kensho wrote no checkpoint"
cp "$tmp/k.ckpt" "$tmp/kk.rank0" && cp "$tmp/k.ckpt" "$tmp/kk.rank1" || fail "cp failed"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -output "$tmp/no.txt" -resume "$tmp/kk" && fail "kensho's checkpoint resumed"
grep -q "not of a kensho-mpi job" "$tmp/err" || fail "kensho checkpoint message: $(cat "$tmp/err")"
# shellcheck disable=SC2086
$run -np 2 -x KENSHO_STOP_AFTER_WORDS=90000 "$KENSHO_MPI" -train "$tmp/c.txt" $opts \
	-output "$tmp/mix.txt" -checkpoint "$tmp/mix" 2>/dev/null </dev/null >/dev/null
cp "$ck.rank1" "$tmp/mix.rank1" || fail "cp failed"
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" $opts -output "$tmp/no.txt" -resume "$tmp/mix" && fail "mixed rounds resumed"
grep -q "from different rounds" "$tmp/err" || fail "mixed rounds message: $(cat "$tmp/err")"
[ ! -e "$tmp/no.txt" ] || fail "a refused resume wrote -output"
ok

# start_long OUTPUT: starts a 2-rank job of 400 epochs in the background
# (mpirun's pid in $pid, stderr in $tmp/err) and waits until it trains.
start_long() {
	# shellcheck disable=SC2086
	$run -np 2 "$KENSHO_MPI" -train "$tmp/c.txt" $opts -iter 400 -output "$1" \
		2>"$tmp/err" </dev/null >/dev/null &
	pid=$!
	n=0
	until grep -q "^training" "$tmp/err" 2>/dev/null || [ "$n" -ge 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
# A real signal: SIGUSR1 to mpirun (which passes it on) stops the job with its checkpoint.
start_long "$tmp/sig.txt"
sleep 0.5
kill -USR1 "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 11 ] || fail "SIGUSR1: exit $rc, expected 11: $(cat "$tmp/err")"
grep -q "the job's checkpoint is written to $tmp/sig.txt.ckpt.rank0" "$tmp/err" ||
	fail "SIGUSR1: $(cat "$tmp/err")"
[ ! -e "$tmp/sig.txt" ] || fail "SIGUSR1: the stopped job wrote -output"
ok

# A rank that dies (SIGKILL: no handler, no checkpoint) ends the job:
# mpirun names the rank, the exit is non-zero and nothing is written.
start_long "$tmp/dead.txt"
# The ranks are mpirun's children (from /proc, which needs no procps).
victim=
for st in /proc/[0-9]*/stat; do
	read -r p comm state ppid rest < "$st" 2>/dev/null || continue
	[ "$ppid" = "$pid" ] && [ "$comm" = "(kensho-mpi)" ] && victim=$p
done
[ -n "$victim" ] || fail "no rank of mpirun $pid found"
kill -9 "$victim"
wait "$pid"
rc=$?
[ "$rc" -ne 0 ] || fail "a killed rank: the job exited 0"
grep -q "process rank [01] .* exited on signal 9" "$tmp/err" || fail "a killed rank: $(cat "$tmp/err")"
[ ! -e "$tmp/dead.txt" ] || fail "a killed rank: the job wrote -output"
ok

# Standard input is refused with a clear message.
# shellcheck disable=SC2086
mpi 2 -train - $opts -output "$tmp/stdin.txt" && fail "-train - under MPI succeeded"
grep -q "standard input cannot be shared" "$tmp/err" || fail "stdin message: $(cat "$tmp/err")"
[ ! -e "$tmp/stdin.txt" ] || fail "-train - wrote output"
ok
# A missing shard file ends the job naming the rank, with no output.
# shellcheck disable=SC2086
mpi 2 -train "$tmp/c.txt" -train "$tmp/missing.txt" $opts -output "$tmp/miss.txt" &&
	fail "a missing -train file succeeded"
grep -q "kensho-mpi: rank [0-9] of 2: .*missing.txt" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"
[ ! -e "$tmp/miss.txt" ] || fail "a failed job left -output"
ok
# Mismatched options across ranks are refused.
# shellcheck disable=SC2086
$run -np 1 "$KENSHO_MPI" -train "$tmp/c.txt" $opts -output "$tmp/mm.txt" : \
	-np 1 "$KENSHO_MPI" -train "$tmp/c.txt" $opts -size 20 -output "$tmp/mm.txt" \
	2>"$tmp/err" </dev/null >/dev/null && fail "mismatched options succeeded"
grep -q "different options" "$tmp/err" || fail "mismatch message: $(cat "$tmp/err")"
[ ! -e "$tmp/mm.txt" ] || fail "mismatched options left -output"
ok
finish
