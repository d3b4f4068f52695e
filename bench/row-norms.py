#!/usr/bin/env python3
"""Mean norm of the vectors by frequency rank, for bench/README.md.

    bench/row-norms.py A.bin B.bin ...

Each file is word2vec binary (kensho -binary 1), rows sorted by count, most
frequent first, as kensho writes them. Prints, per file, the mean norm of
ranks 0-100, 100-1k, 1k-10k, 10k-30k and 30k to the end, and the same as a
fraction of the 1k-10k band. Needs numpy (Debian: python3-numpy).
"""
import sys

import numpy as np

BANDS = [(0, 100), (100, 1000), (1000, 10000), (10000, 30000), (30000, None)]


def load(path):
    with open(path, "rb") as f:
        n, d = map(int, f.readline().split())
        m = np.empty((n, d), dtype=np.float32)
        for i in range(n):
            while f.read(1) not in (b" ", b""):
                pass
            m[i] = np.frombuffer(f.read(4 * d), dtype="<f4")
            # word2vec.c ends each record with a newline; kensho does too.
            c = f.read(1)
            if c not in (b"\n", b""):
                f.seek(-1, 1)
    return m


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        norms = np.linalg.norm(load(path), axis=1)
        means = [norms[a:b].mean() for a, b in BANDS]
        ref = means[2]
        print(path, " ".join("%d-%s: %.2f (%.2f)" % (a, b if b else "end", m, m / ref)
                             for (a, b), m in zip(BANDS, means)))


if __name__ == "__main__":
    main()
