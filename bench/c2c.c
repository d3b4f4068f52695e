/*
 * bench/c2c.c: the round-trip time of one cache line between two CPUs.
 *
 * Usage: c2c [A [B]] (CPUs 0 and 1 by default). Two threads, pinned to
 * CPUs A and B, take turns writing a counter in one shared line: each
 * waits until the other has written, then writes. One round trip moves the
 * line from A to B and back. Prints the median over several trials of
 * nanoseconds per round trip. bench/scaling.sh runs it each round: it is
 * what a row costs when one thread wrote it last and the other writes it
 * next, which on a shared host depends on where the two vCPUs sit. Run it
 * on idle CPUs: a waiting thread that loses its CPU to another process
 * adds a time slice to the round trip (microseconds, not nanoseconds).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 200000
#define TRIALS 7

static _Alignas(64) atomic_long line;

struct arg {
	int cpu, parity;
};

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
		fprintf(stderr, "c2c: cannot run on CPU %d\n", cpu);
		exit(1);
	}
}

static void *
player(void *p)
{
	const struct arg *a = p;
	long i;

	pin(a->cpu);
	for (i = a->parity; i < 2L * ROUNDS; i += 2) {
		while (atomic_load_explicit(&line, memory_order_acquire) != i)
			;
		atomic_store_explicit(&line, i + 1, memory_order_release);
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct arg a = { argc > 1 ? atoi(argv[1]) : 0, 0 };
	struct arg b = { argc > 2 ? atoi(argv[2]) : 1, 1 };
	double ns[TRIALS];
	int t;

	for (t = 0; t < TRIALS; t++) {
		struct timespec t0, t1;
		pthread_t th;

		atomic_store(&line, 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pthread_create(&th, NULL, player, &b) != 0) {
			fprintf(stderr, "c2c: cannot start a thread\n");
			return 1;
		}
		player(&a);
		pthread_join(th, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[t] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
			ROUNDS;
	}
	qsort(ns, TRIALS, sizeof(ns[0]), cmp_double);
	printf("%.0f\n", ns[TRIALS / 2]);
	return 0;
}
