#!/usr/bin/env bash
# bench/mpi-scale.sh: what kensho-mpi's sync rounds cost at scale, on paper
# (issue 18). Reads rank 0's log of a measured kensho-mpi run (-debug 1:
# the ranks, -sync-words, -sync-rows, the vocabulary, the dimension, the
# words trained, the training seconds and the rounds entered) and prints
#   - the bytes a rank sends per round (the mean over one cycle of the
#     doubling schedule, both matrices, floats) and per second at the
#     measured round rate;
#   - the job's words/s that M machines would reach over links of 10 and
#     100 Gbit/s, for M = 8, 64 and 256.
#
#   bench/mpi-scale.sh rank0.log
#   bench/mpi-scale.sh --latency-us 5 rank0.log
#
# The model behind the projection, stated so it can be argued with:
#   - the job trains 20,000 words between rounds, kensho-mpi's default with
#     more than 2 ranks (the summed updates overshoot beyond it), so each of
#     M machines trains 1/M of them per round; --job-words J sets another;
#   - one rank per machine, training at the words/s per rank measured here
#     (a machine with more cores trains faster and so syncs more often:
#     scale the rate with --rank-rate WORDS_PER_S);
#   - a round is a ring allreduce (Open MPI's choice for large messages):
#     each rank sends and receives 2 (M-1)/M times the payload, and pays
#     2 (M-1) link latencies (--latency-us, default 10);
#   - the worker that enters a round waits for it (as with -threads 1); with
#     more threads the others keep training, so this is a lower bound;
#   - the links are the only shared resource (no switch congestion).
set -euo pipefail
export LC_ALL=C

latency_us=10
rank_rate=
job_words=
while [ $# -gt 0 ]; do
	case $1 in
	--latency-us) latency_us=$2; shift 2 ;;
	--rank-rate) rank_rate=$2; shift 2 ;;
	--job-words) job_words=$2; shift 2 ;;
	-h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "bench/mpi-scale.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: bench/mpi-scale.sh [--latency-us US] [--rank-rate W] [--job-words J] RANK0.LOG" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "bench/mpi-scale.sh: cannot read $log" >&2; exit 4; }

# field SED-EXPRESSION: the first match in the log, or a failure naming what is missing.
field() {
	local v
	v=$(sed -n "$1" "$log" | head -n 1)
	[ -n "$v" ] || { echo "bench/mpi-scale.sh: $log has no $2 (a kensho-mpi -debug 1 log of rank 0?)" >&2; exit 7; }
	echo "$v"
}
ranks=$(field 's/^kensho-mpi: \([0-9]*\) ranks\{0,1\}, a sync round.*/\1/p' "rank count")
sync_words=$(field 's/.*a sync round every \([0-9]*\) words per rank.*/\1/p' "-sync-words")
sync_rows=$(field 's/.*per rank, \([0-9]*\) rows at least.*/\1/p' "-sync-rows")
vocab=$(field 's/.*vocabulary: \([0-9]*\) words\{0,1\}.*/\1/p' "vocabulary size")
dim=$(field 's/^training .*: \([0-9]*\) dimensions\{0,1\},.*/\1/p' "dimension")
words=$(field 's/^done: \([0-9]*\) words\{0,1\} .*/\1/p' "words trained")
secs=$(field 's/^done: .* in \([0-9.]*\)s of training.*/\1/p' "training seconds")
rounds=$(field 's/.*checksums compared after \([0-9]*\) sync rounds\{0,1\}.*/\1/p' "round count")

awk -v N="$ranks" -v W="$sync_words" -v R="$sync_rows" -v V="$vocab" -v D="$dim" \
    -v words="$words" -v secs="$secs" -v rounds="$rounds" -v lat="$latency_us" \
    -v rate_opt="$rank_rate" -v job_opt="$job_words" -v logfile="$log" '
function rows_of(r,   n) {	# dist.c ks_dist_sync_rows
	n = R
	while (r > 0 && r % 2 == 0 && n < V) { n = (n > V / 2) ? V : n * 2; r = r / 2 }
	return n < V ? n : V
}
BEGIN {
	cycle = 1
	while (cycle * R < V) cycle *= 2
	for (r = 1; r <= cycle; r++) sum += rows_of(r)
	mean_rows = sum / cycle
	payload = mean_rows * D * 4 * 2 + 16	# both matrices; the two counters
	rate = rate_opt != "" ? rate_opt : words / secs / N	# words/s per rank
	round_s = rounds / secs
	printf "# measured (%s): %d ranks, vocabulary %d, dimension %d, -sync-words %d, -sync-rows %d\n", logfile, N, V, D, W, R
	printf "#   %.0f words in %.1f s: %.0f words/s per rank; %d rounds, %.1f per second per rank\n", words, secs, words / secs / N, rounds, round_s
	printf "#   every row every %d rounds; %.0f rows per round on average: %.2f MB payload per round\n", cycle, mean_rows, payload / 1e6
	printf "#   sent per rank (ring allreduce, 2(N-1)/N of the payload): %.2f MB per round, %.1f MB/s measured here\n", 2 * (N - 1) / N * payload / 1e6, 2 * (N - 1) / N * payload * round_s / 1e6
	J = job_opt != "" ? job_opt : 20000	# job words between rounds, as kensho-mpi with 3+ ranks
	printf "# projection: one rank per machine at %.0f words/s, %d job words per round, %s us per link step, rounds not overlapped\n", rate, J, lat
	printf "machines\tlink\t-sync-words\tsend per round MB\tround comm ms\tround compute ms\tjob words/s\tefficiency\n"
	split("8 64 256", Ms, " ")
	split("10 100", Gs, " ")
	for (i = 1; i <= 3; i++) for (j = 1; j <= 2; j++) {
		M = Ms[i]; G = Gs[j]
		sent = 2 * (M - 1) / M * payload
		comm = sent * 8 / (G * 1e9) + 2 * (M - 1) * lat * 1e-6
		w = J / M
		comp = w / rate
		job = J / (comp + comm)
		printf "%d\t%d Gbit/s\t%.0f\t%.2f\t%.2f\t%.2f\t%.3g\t%.0f%%\n", M, G, w, sent / 1e6, comm * 1e3, comp * 1e3, job, 100 * comp / (comp + comm)
	}
}'
