#!/bin/sh
# kensho-eval against gensim (Debian's python3-gensim, run with
# /usr/bin/python3) on the same vectors: the analogy figures must equal
# KeyedVectors.evaluate_word_analogies(restrict_vocab=30000,
# case_insensitive=True) section by section, and Spearman's rho must equal
# evaluate_word_pairs' within 1e-4 with the same out-of-vocabulary counts.
#
# The vectors are trained here by gensim on the first 12 MB of wiki100m
# (about 2M words, 50 dimensions, three epochs: about 15 s), saved in the
# text and binary formats. A second file mixes the case of the words and
# adds case variants with other vectors, to check that both tools pick the
# first spelling of a word and never answer with a spelling of a question
# word. Neighbours are compared with most_similar. Skips (77) without
# gensim or without the shared data. Set KS_GENSIM_VECTORS to a word2vec
# file to compare on those vectors instead of training.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
PY=/usr/bin/python3
if ! [ -x "$PY" ] || ! "$PY" -c 'import gensim, scipy' 2>/dev/null; then
	skip "python3-gensim not installed"
fi
EVAL_DIR="$KS_SHARED_DATA/eval"
[ -f "$EVAL_DIR/questions-words.txt" ] || skip "no evaluation sets in $EVAL_DIR"
[ -n "${KS_GENSIM_VECTORS:-}" ] || [ -f "$KS_SHARED_DATA/wiki100m.txt.gz" ] || skip "no wiki100m corpus"
QW="$EVAL_DIR/questions-words.txt"
set -- "$EVAL_DIR"/EN-*.txt	# the similarity sets, as "$@" (paths may hold spaces)
[ -f "$1" ] || skip "no similarity sets in $EVAL_DIR"

cat > "$tmp/vs_gensim.py" <<'EOF'
import gzip, json, logging, random, sys
logging.disable(logging.WARNING)
from gensim.models import KeyedVectors, Word2Vec

def train(corpus, out):
    with gzip.open(corpus, 'rb') as f:
        words = f.read(12000000).decode('ascii').split()[:-1]
    sents = [words[i:i + 1000] for i in range(0, len(words), 1000)]
    m = Word2Vec(sents, vector_size=50, window=5, min_count=5, workers=2, epochs=3, seed=1,
                 sg=0, negative=5)
    m.wv.save_word2vec_format(out + '.txt')
    m.wv.save_word2vec_format(out + '.bin', binary=True)

def perturb(v, i):
    # Another word's vector, moved a little so that no score ties exactly
    # (gensim orders exact ties arbitrarily).
    return ' '.join(repr(float(x) + 1e-3 * ((i + j) % 5 - 2)) for j, x in enumerate(v.split()))

def mixcase(src, dst):
    # Mixed case words and later case variants holding other vectors.
    with open(src) as f:
        f.readline()
        rows = [line.rstrip('\n').split(' ', 1) for line in f]
    seen = set()
    out = []
    for i, (w, v) in enumerate(rows):
        if i % 7 == 3:
            w = w.capitalize()
        elif i % 11 == 5:
            w = w.upper()
        rows[i][0] = w
    late = {}
    for i, (w, v) in enumerate(rows[:20000]):
        if i % 13 == 0:
            var = w.upper() if w != w.upper() else w.lower()
            late.setdefault(i + 40, []).append((var, perturb(rows[(i * 7 + 1) % len(rows)][1], i)))
    for i, (w, v) in enumerate(rows):
        for r in [(w, v)] + late.get(i, []):
            if r[0] not in seen:
                seen.add(r[0])
                out.append(r)
    with open(dst, 'w') as f:
        f.write('%d %d\n' % (len(out), len(out[0][1].split())))
        for w, v in out:
            f.write('%s %s\n' % (w, v))

def evaluate(vecs, qw, pairs):
    kv = KeyedVectors.load_word2vec_format(vecs, binary=vecs.endswith('.bin'))
    _, sections = kv.evaluate_word_analogies(qw, restrict_vocab=30000, case_insensitive=True)
    res = {'sections': [[s['section'], len(s['correct']), len(s['correct']) + len(s['incorrect'])]
                        for s in sections]}
    res['pairs'] = {}
    for p in pairs:
        pearson, spearman, oov = kv.evaluate_word_pairs(p)
        res['pairs'][p] = [spearman[0], pearson[0], oov]
    res['neighbors'] = {}
    for w in ['king', 'france', 'three', 'good']:
        if w in kv.key_to_index:
            res['neighbors'][w] = kv.most_similar(w, topn=5)
    return res

def compare(gensim_json, kensho_json, pairs_json, nb_json):
    g = json.load(open(gensim_json))
    k = json.load(open(kensho_json))['results'][0]
    p = json.load(open(pairs_json))['results']
    bad = 0
    ks = [[s['name'], s['correct'], s['covered']] for s in k['sections']]
    ks.append(['Total accuracy', k['total']['correct'], k['total']['covered']])
    for gs, kk in zip(g['sections'], ks):
        print('%-28s gensim %5d/%5d  kensho-eval %5d/%5d' % (gs[0], gs[1], gs[2], kk[1], kk[2]))
        if gs != kk:
            bad += 1
    if len(g['sections']) != len(ks):
        print('section counts differ'); bad += 1
    for r in p:
        gs = g['pairs'][r['file']]
        oov = 100.0 * (r['pairs'] - r['found']) / r['pairs']
        print('%-20s spearman gensim %.6f kensho-eval %.6f  oov %.2f%% / %.2f%%' % (
            r['file'].split('/')[-1], gs[0], r['spearman'], gs[2], oov))
        if abs(gs[0] - r['spearman']) > 1e-4 or abs(gs[1] - r['pearson']) > 1e-4 or abs(gs[2] - oov) > 1e-9:
            bad += 1
    kn = {}
    for line in open(nb_json):
        q = json.loads(line)
        kn[q['query'][0]] = q['neighbors']
    for w, gl in g['neighbors'].items():
        kl = kn[w]
        if [x[0] for x in gl] != [x['word'] for x in kl] or \
           max(abs(a[1] - b['score']) for a, b in zip(gl, kl)) > 1e-5:
            print('neighbors of %s differ: %s / %s' % (w, gl, kl)); bad += 1
    sys.exit(1 if bad else 0)

cmd = sys.argv[1]
if cmd == 'train':
    train(sys.argv[2], sys.argv[3])
elif cmd == 'mixcase':
    mixcase(sys.argv[2], sys.argv[3])
elif cmd == 'eval':
    json.dump(evaluate(sys.argv[2], sys.argv[3], sys.argv[4:]), open(sys.argv[2] + '.gensim.json', 'w'))
elif cmd == 'compare':
    compare(*sys.argv[2:6])
EOF

if [ -n "${KS_GENSIM_VECTORS:-}" ]; then
	vecs="$KS_GENSIM_VECTORS"
	cp "$vecs" "$tmp/v.txt" || fail "cannot copy $vecs"
else
	"$PY" "$tmp/vs_gensim.py" train "$KS_SHARED_DATA/wiki100m.txt.gz" "$tmp/v" || fail "gensim training failed"
fi
"$PY" "$tmp/vs_gensim.py" mixcase "$tmp/v.txt" "$tmp/mixed.txt" || fail "cannot write the mixed-case file"
gzip -c "$tmp/mixed.txt" > "$tmp/mixed.txt.gz"

# gensim on two files in the background while kensho-eval works.
"$PY" "$tmp/vs_gensim.py" eval "$tmp/v.txt" "$QW" "$@" 2>"$tmp/g1.err" &
g1=$!
"$PY" "$tmp/vs_gensim.py" eval "$tmp/mixed.txt" "$QW" "$@" 2>"$tmp/g2.err" &
g2=$!

for f in v.txt mixed.txt; do
	input="$tmp/$f"
	[ "$f" = mixed.txt ] && input="$tmp/mixed.txt.gz"	# and gzip on the way
	expect_ok "$KENSHO_EVAL" analogy -json -quiet "$input" "$QW"
	cp "$tmp/out" "$tmp/$f.analogy.json"
	expect_ok "$KENSHO_EVAL" similarity -json -quiet "$input" "$@"
	cp "$tmp/out" "$tmp/$f.pairs.json"
	expect_ok "$KENSHO_EVAL" neighbors -json -quiet -k 5 "$input" king france three good
	cp "$tmp/out" "$tmp/$f.nb.json"
done

# The binary file holds the same floats: every figure must be the same.
if [ -f "$tmp/v.bin" ]; then
	expect_ok "$KENSHO_EVAL" analogy -json -quiet "$tmp/v.bin" "$QW"
	"$PY" - "$tmp/v.txt.analogy.json" "$tmp/out" <<'EOF' || fail "binary and text vectors give different analogy figures"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
strip = lambda r: [{k: v for k, v in x.items() if k != 'seconds'} for x in r['results']]
sys.exit(0 if strip(a) == strip(b) else 1)
EOF
	ok
fi

wait $g1 || fail "gensim evaluation failed: $(cat "$tmp/g1.err")"
wait $g2 || fail "gensim evaluation failed: $(cat "$tmp/g2.err")"
for f in v.txt mixed.txt; do
	echo "== $f"
	"$PY" "$tmp/vs_gensim.py" compare "$tmp/$f.gensim.json" "$tmp/$f.analogy.json" \
		"$tmp/$f.pairs.json" "$tmp/$f.nb.json" || fail "kensho-eval and gensim disagree on $f"
	ok
done
finish
