#!/usr/bin/env python3
"""Train gensim's Word2Vec for bench/run.sh and save the word vectors.

run.sh times this whole process (interpreter start, import, vocabulary,
training, writing), the same way it times kensho and fastText, so keep
everything that is not gensim's own work out of here.

The corpus is read in gensim's corpus_file mode (its fastest, one reader
per worker). That mode expects LineSentence input and silently learns
nothing useful from a corpus on one huge line, so run.sh hands it the copy
split into lines of 1000 words.
"""

import argparse
import logging
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", required=True, help="text, LineSentence form")
    p.add_argument("--output", required=True, help="word2vec text vectors")
    p.add_argument("--sg", type=int, choices=(0, 1), required=True)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--hs", type=int, choices=(0, 1), default=0)
    a = p.parse_args()

    logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s",
                        level=logging.INFO, stream=sys.stderr)
    from gensim.models import Word2Vec
    from gensim.models import word2vec as w2v_module

    # Without the compiled routines gensim falls back to pure Python (or
    # refuses corpus_file); a benchmark of that would be meaningless.
    if getattr(w2v_module, "CORPUSFILE_VERSION", -1) < 0:
        sys.exit("gensim-train.py: this gensim lacks its compiled "
                 "corpus_file routines")

    model = Word2Vec(corpus_file=a.corpus, vector_size=a.dim,
                     window=a.window, negative=a.negative, hs=a.hs,
                     sample=a.sample, min_count=a.min_count,
                     epochs=a.epochs, workers=a.threads, sg=a.sg)
    model.wv.save_word2vec_format(a.output, binary=False)


if __name__ == "__main__":
    main()
