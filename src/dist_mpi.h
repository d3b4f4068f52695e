/* The Open MPI engine of dist.h (dist_mpi.c); only kensho-mpi links it. */
#ifndef KS_DIST_MPI_H
#define KS_DIST_MPI_H

#include <stdint.h>

#include "dist.h"

/*
 * Fills d for this rank of MPI_COMM_WORLD (MPI_Init must have run).
 * Returns 0, or -1 out of memory. Free with ks_dist_mpi_free.
 */
int ks_dist_mpi_init(struct ks_dist *d, uint64_t sync_words, size_t sync_rows);

/* Frees what ks_dist_mpi_init allocated. Accepts NULL. */
void ks_dist_mpi_free(struct ks_dist *d);

/* Collective: nonzero when the ranks' settings hashes are not all equal. */
uint64_t ks_dist_mpi_settings_differ(uint64_t hash);

#endif
