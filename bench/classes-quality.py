#!/usr/bin/env python3
"""How well word classes group related words (issue 16).

Reads a "word class" file (kensho -classes K, or word2vec.c's) and
Google-style analogy questions, takes every distinct pair of each question
(a, b) and (c, d), and prints, per section and in all, the share of pairs
whose two words share a class, against the same share for random classes
of the same sizes (the labels shuffled, the mean of --shuffles runs).

    bench/classes-quality.py classes.txt questions-words.txt
"""
import argparse
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("classes")
    ap.add_argument("questions")
    ap.add_argument("--shuffles", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    cls = {}
    with open(args.classes, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            p = line.split()
            if len(p) != 2:
                sys.exit(f"{args.classes}:{n}: not a 'word class' line")
            cls[p[0]] = int(p[1])
    sections, sec = {}, None
    with open(args.questions, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(":"):
                sec = line[1:].strip()
                continue
            w = line.lower().split()
            if len(w) != 4 or sec is None:
                continue
            for a, b in ((w[0], w[1]), (w[2], w[3])):
                if a in cls and b in cls and a != b:
                    sections.setdefault(sec, set()).add((a, b))

    words = list(cls)
    labels = [cls[w] for w in words]
    rng = random.Random(args.seed)
    shuffled = []
    for _ in range(args.shuffles):
        lab = labels[:]
        rng.shuffle(lab)
        shuffled.append(dict(zip(words, lab)))

    def share(pairs, c):
        return sum(c[a] == c[b] for a, b in pairs) / len(pairs) if pairs else 0.0

    print(f"{'section':32} {'pairs':>6} {'same class':>10} {'random':>8}")
    everything = set()
    for s, pairs in sections.items():
        everything |= pairs
        r = sum(share(pairs, c) for c in shuffled) / len(shuffled)
        print(f"{s:32} {len(pairs):6d} {100 * share(pairs, cls):9.1f}% {100 * r:7.2f}%")
    r = sum(share(everything, c) for c in shuffled) / len(shuffled)
    print(f"{'all':32} {len(everything):6d} {100 * share(everything, cls):9.1f}% {100 * r:7.2f}%")


if __name__ == "__main__":
    main()
