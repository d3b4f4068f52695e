#!/bin/sh
# Real clients read kensho's vector files. kensho trains a small model
# (-size 20, one epoch, -threads 1, fixed seed) on a generated corpus of
# 100,000 tokens to which a few UTF-8 words are added, and writes it in the
# text and the binary format. Then:
#
# gensim (Debian's python3-gensim, run with /usr/bin/python3):
#   KeyedVectors.load_word2vec_format loads both files; each has the vocabulary
#   size of kensho's header and -save-vocab file, the dimension asked for, the
#   words in kensho's order, and kensho's vectors: within 1e-6 relative of the
#   decimals in the text file, and bit for bit the float32s of the binary file
#   (parsed here independently of gensim). The text and the binary file of one
#   seeded run must also hold the same float32s (the text is an exact round
#   trip).
# fastText (Debian's fasttext, the `fasttext` command):
#   `fasttext skipgram -pretrainedVectors` accepts kensho's text file (exit 0,
#   PREFIX.vec with fastText's vocabulary and the dimension). fastText exits 0
#   even on a malformed pretrained file, so two more runs check that it really
#   reads it: with -lr 0 its .vec must repeat kensho's vectors (to the 5
#   significant digits fastText prints), and with a different -dim it must fail.
#
# Run by make check, or by hand from the build directory: sh tests/peers.sh
# (KS_SRCDIR=/path/to/source when building out of tree). A missing peer is
# skipped with a line saying so; the test exits 77 (skip) only when both are
# missing. About 5 s.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
PY=/usr/bin/python3
have_gensim=0 have_fasttext=0
[ -x "$PY" ] && "$PY" -c 'import gensim, numpy' 2>/dev/null && have_gensim=1
command -v fasttext >/dev/null 2>&1 && have_fasttext=1
[ $have_gensim = 1 ] || [ $have_fasttext = 1 ] ||
	skip "neither python3-gensim (for $PY) nor fasttext is installed"
[ $have_gensim = 1 ] || echo "SKIPPED: the gensim part (python3-gensim is not installed for $PY)"
[ $have_fasttext = 1 ] || echo "SKIPPED: the fastText part (no fasttext command)"
DIM=20

expect_ok "$GEN" -seed 3 -words 100000 -quiet -o "$tmp/corpus.txt"
i=0
while [ $i -lt 8 ]; do
	echo "café naïve Ελλάδα 東京 jalapeño"
	i=$((i + 1))
done >> "$tmp/corpus.txt"
train() {
	"$KENSHO" -train "$tmp/corpus.txt" -size $DIM -iter 1 -threads 1 -seed 5 -quiet "$@"
}
expect_ok train -output "$tmp/v.txt" -save-vocab "$tmp/vocab.txt"
expect_ok train -output "$tmp/v.bin" -binary 1
words=$(wc -l < "$tmp/vocab.txt")
[ "$(head -n 1 "$tmp/v.txt")" = "$words $DIM" ] || fail "text header '$(head -n 1 "$tmp/v.txt")', expected '$words $DIM'"
grep -q '^東京 ' "$tmp/v.txt" || fail "the UTF-8 words are not in the vocabulary"
ok

if [ $have_gensim = 1 ]; then
	cat > "$tmp/gensim_reads.py" <<'EOF'
import logging, struct, sys
import numpy as np
logging.disable(logging.WARNING)
from gensim.models import KeyedVectors

txt, binf, vocab, dim = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
bad = []

def read_text(path):
    # kensho's text file as words and float64s parsed from its decimals.
    with open(path, 'rb') as f:
        n, d = map(int, f.readline().split())
        rows = [line.split() for line in f]
    return n, d, [r[0].decode('utf-8') for r in rows], np.array([[float(x) for x in r[1:]] for r in rows])

def read_binary(path):
    # word2vec binary: "V D\n", then per word its bytes, a space, D
    # little-endian float32 and a newline.
    with open(path, 'rb') as f:
        data = f.read()
    nl = data.index(b'\n')
    n, d = map(int, data[:nl].split())
    pos, words, vecs = nl + 1, [], []
    for i in range(n):
        sp = data.index(b' ', pos)
        words.append(data[pos:sp].decode('utf-8'))
        pos = sp + 1 + 4 * d
        vecs.append(np.frombuffer(data[sp + 1:pos], dtype='<f4'))
        if data[pos:pos + 1] != b'\n':
            bad.append('binary record %d (%r) does not end with a newline' % (i + 1, words[-1]))
        pos += 1
    if pos != len(data):
        bad.append('binary file has %d bytes after the last record' % (len(data) - pos))
    return n, d, words, np.array(vecs)

n_vocab = sum(1 for _ in open(vocab, 'rb'))
tn, td, twords, tvecs = read_text(txt)
bn, bd, bwords, bvecs = read_binary(binf)
for name, path, binary, n, d, words in (('text', txt, False, tn, td, twords),
                                         ('binary', binf, True, bn, bd, bwords)):
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    print('gensim read the %s file: %d words x %d dimensions' % (name, len(kv), kv.vector_size))
    if not (len(kv) == n == len(words) == n_vocab):
        bad.append('%s: gensim has %d words, the header says %d, the file holds %d, -save-vocab %d'
                   % (name, len(kv), n, len(words), n_vocab))
    if not (kv.vector_size == d == dim):
        bad.append('%s: gensim has dimension %d, the header says %d, kensho was asked for %d'
                   % (name, kv.vector_size, d, dim))
    if list(kv.index_to_key) != words:
        bad.append('%s: gensim holds other words or another order than the file' % name)
        continue
    if binary:
        if kv.vectors.dtype != np.float32 or not np.array_equal(kv.vectors, bvecs):
            bad.append('binary: gensim vectors differ from the float32s in the file')
    else:
        err = np.abs(kv.vectors.astype(np.float64) - tvecs)
        worst = float(np.max(err / np.maximum(np.abs(tvecs), 1e-30)))
        print('text: largest relative difference from the decimals %.3g' % worst)
        if not np.all(err <= 1e-6 * np.abs(tvecs)):
            bad.append('text: gensim vectors differ from the decimals by up to %.3g relative' % worst)
if twords != bwords or not np.array_equal(tvecs.astype(np.float32), bvecs):
    bad.append('the text and binary files of one seeded run hold different vectors')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
EOF
	"$PY" "$tmp/gensim_reads.py" "$tmp/v.txt" "$tmp/v.bin" "$tmp/vocab.txt" $DIM ||
		fail "gensim does not read kensho's files as written"
	ok
fi

if [ $have_fasttext = 1 ]; then
	ft() {
		fasttext skipgram -input "$tmp/corpus.txt" -pretrainedVectors "$tmp/v.txt" \
			-epoch 1 -minn 0 -maxn 0 -thread 1 "$@"
	}
	expect_ok ft -output "$tmp/ft" -dim $DIM
	[ -s "$tmp/ft.vec" ] || fail "fasttext wrote no $tmp/ft.vec"
	# fastText's vocabulary is kensho's (both use min-count 5) plus </s>.
	[ "$(head -n 1 "$tmp/ft.vec")" = "$((words + 1)) $DIM" ] ||
		fail "fastText's .vec header '$(head -n 1 "$tmp/ft.vec")', expected '$((words + 1)) $DIM'"
	echo "fastText trained from kensho's text file: $(head -n 1 "$tmp/ft.vec")"
	ok
	# With a zero learning rate the .vec is the pretrained vectors as loaded.
	expect_ok ft -output "$tmp/ft0" -dim $DIM -lr 0
	awk -v dim=$DIM '
		FNR == 1 { next }
		NR == FNR { for (i = 2; i <= NF; i++) k[$1, i] = $i; n++; next }
		($1, 2) in k {
			for (i = 2; i <= dim + 1; i++) {
				d = $i - k[$1, i]; a = k[$1, i]
				if (d < 0) d = -d
				if (a < 0) a = -a
				if (d > 1e-4 * a + 1e-9) { print "fastText has " $1 " " $i " for kensho\047s " k[$1, i]; bad = 1; exit }
			}
			seen++
		}
		END {
			if (bad) exit 1
			if (seen != n) { print "fastText has " seen + 0 " of kensho\047s " n " words"; exit 1 }
		}
	' "$tmp/v.txt" "$tmp/ft0.vec" > "$tmp/cmp" || fail "fastText did not load kensho's vectors: $(cat "$tmp/cmp")"
	ok
	# fastText 0.9.2 aborts on an uncaught exception (status 134); any failure
	# with its message will do.
	ft -output "$tmp/ft1" -dim $((DIM + 1)) >/dev/null 2>"$tmp/err" </dev/null &&
		fail "fastText accepted $DIM-dimensional vectors for -dim $((DIM + 1))"
	grep -q "Dimension of pretrained vectors ($DIM) does not match" "$tmp/err" ||
		fail "fastText failed otherwise on a wrong -dim: $(tail -n 3 "$tmp/err")"
	ok
fi
finish
