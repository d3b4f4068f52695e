#!/usr/bin/env python3
"""Continue a gensim Word2Vec on a second corpus, for bench/continue.sh.

Trains on --first, then build_vocab(update=True) and train() on --second
(gensim's documented way to continue), and saves the word vectors; with
--first alone it is a plain training. The corpora are LineSentence files
(gensim's corpus_file mode, lines of at most 1000 words).
"""

import argparse
import logging
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--first", required=True)
    p.add_argument("--second")
    p.add_argument("--output", required=True)
    p.add_argument("--sg", type=int, choices=(0, 1), default=0)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=8)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-4)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s",
                        level=logging.INFO, stream=sys.stderr)
    from gensim.models import Word2Vec

    model = Word2Vec(corpus_file=a.first, vector_size=a.dim, window=a.window,
                     negative=a.negative, sample=a.sample,
                     min_count=a.min_count, epochs=a.epochs,
                     workers=a.threads, sg=a.sg)
    if a.second:
        model.build_vocab(corpus_file=a.second, update=True)
        model.train(corpus_file=a.second, total_words=model.corpus_total_words,
                    total_examples=model.corpus_count, epochs=a.epochs)
    model.wv.save_word2vec_format(a.output, binary=False)


if __name__ == "__main__":
    main()
