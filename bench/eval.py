#!/usr/bin/env python3
"""Score word vectors for bench/run.sh with gensim's evaluators.

The fallback for when kensho-eval is missing or broken, and a second
opinion on it (run.sh --eval gensim). Prints one line:

    ANALOGY_PCT <TAB> ANALOGY_QUESTIONS <TAB> SPEARMAN_RHO <TAB> PAIRS_OOV_PCT

Analogy accuracy is 3CosAdd over the questions whose four words are all
among the --restrict most frequent words (compared case-insensitively), the
convention of word2vec's compute-accuracy; the vectors file must list words
most frequent first, which kensho, fastText (.vec) and gensim all do.
Spearman's rho is over the pairs whose two words are known.
"""

import argparse
import logging
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("vectors", help="word2vec text or binary vectors")
    p.add_argument("--binary", action="store_true")
    p.add_argument("--analogy", required=True, help="questions-words.txt")
    p.add_argument("--similarity", required=True, help="EN-WS-353-ALL.txt")
    p.add_argument("--restrict", type=int, default=30000)
    a = p.parse_args()

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(a.vectors, binary=a.binary)
    score, sections = kv.evaluate_word_analogies(
        a.analogy, restrict_vocab=a.restrict, case_insensitive=True)
    total = [s for s in sections if s["section"] == "Total accuracy"]
    asked = (len(total[0]["correct"]) + len(total[0]["incorrect"])
             if total else 0)
    pairs = kv.evaluate_word_pairs(a.similarity, case_insensitive=True)
    spearman = pairs[1]
    rho = getattr(spearman, "correlation", None)
    if rho is None:  # older/newer scipy result objects
        rho = spearman[0]
    print("%.2f\t%d\t%.4f\t%.1f" % (100.0 * score, asked, rho, pairs[2]))


if __name__ == "__main__":
    main()
