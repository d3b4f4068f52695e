#!/usr/bin/env python3
"""One pass of gensim's Phrases for bench/phrases.sh: learn, then join.

Learns bigram counts from the corpus (plain or gzip, one sentence per
line, split at whitespace) with gensim's default scorer, freezes the
model, and writes the corpus again with every bigram scoring above the
threshold joined by "_", line for line. bench/phrases.sh times the whole
process, as it times kensho-phrases. Prints the phrases learnt, the pairs
joined (tokens in minus tokens out) and the tokens written on stderr.
"""

import argparse
import gzip
import os
import sys


def open_text(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, "rt", encoding="utf-8", errors="replace")


class Lines:
    """The corpus's non-empty lines as token lists; iterable many times."""

    def __init__(self, path):
        self.path = path

    def __iter__(self):
        with open_text(self.path) as f:
            for line in f:
                toks = line.split()
                if toks:
                    yield toks


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--threshold", type=float, default=100.0)
    a = p.parse_args()
    from gensim.models.phrases import Phrases

    model = Phrases(Lines(a.input), min_count=a.min_count,
                    threshold=a.threshold, delimiter="_")
    frozen = model.freeze()
    del model
    tokens_in = tokens_out = 0
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for toks in Lines(a.input):
            joined = frozen[toks]
            tokens_in += len(toks)
            tokens_out += len(joined)
            out.write(" ".join(joined))
            out.write("\n")
    os.replace(tmp, a.output)
    print("gensim-phrases: %d phrases learnt, joined %d pairs, wrote %d tokens"
          % (len(frozen.phrasegrams), tokens_in - tokens_out, tokens_out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
