#!/bin/sh
# Continued training (issue 17): -save-model writes a model, -init starts
# from it. Zero epochs give the saved vectors back bit for bit; a -threads 1
# continuation is reproducible and resumes byte-identical; both vocabulary
# policies do what they say; the tree of -hs 1 follows the new counts;
# settings that cannot change, and corrupt, truncated, foreign or
# other-version model files, are refused with nothing written.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"
[ -x "$GEN" ] || skip "kensho-gen-corpus not built"
command -v python3 >/dev/null 2>&1 || skip "python3 missing (it patches model files)"

"$GEN" -o "$tmp/a.txt" -words 60000 -seed 8 -quiet || fail "kensho-gen-corpus failed"
"$GEN" -o "$tmp/b.txt" -words 60000 -seed 9 -filler-words 5000 -quiet || fail "kensho-gen-corpus failed"
opts="-size 16 -threads 1 -seed 2 -min-count 3 -iter 2"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -train "$tmp/a.txt" -output "$tmp/a.vec" -save-model "$tmp/a.ksm" \
	-save-vocab "$tmp/a.voc"
[ -s "$tmp/a.ksm" ] || fail "no model written"
ok

# Zero epochs on the same corpus: the same vocabulary order, the same bytes.
for policy in keep grow; do
	# shellcheck disable=SC2086
	expect_ok "$KENSHO" $opts -iter 0 -train "$tmp/a.txt" -init "$tmp/a.ksm" \
		-vocab-update $policy -output "$tmp/a0.vec"
	cmp -s "$tmp/a.vec" "$tmp/a0.vec" || fail "-iter 0 -vocab-update $policy changed the vectors"
done
ok

# Zero epochs on another corpus: every model word's line is unchanged
# (the order follows the summed counts); grow adds the corpus's new words.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -iter 0 -train "$tmp/b.txt" -init "$tmp/a.ksm" -vocab-update keep \
	-output "$tmp/k0.vec" -save-vocab "$tmp/k0.voc" -debug 1
sed 1d "$tmp/a.vec" | sort > "$tmp/a.sorted"
sed 1d "$tmp/k0.vec" | sort > "$tmp/k0.sorted"
cmp -s "$tmp/a.sorted" "$tmp/k0.sorted" || fail "keep: the model's vectors changed or words were added"
# keep: the counts are the sums, and a word of both corpora counts both.
awk 'NR == FNR { a[$1] = $2; next } { if (!($1 in a) || $2 < a[$1]) { print $1; exit 1 } }' \
	"$tmp/a.voc" "$tmp/k0.voc" || fail "keep: a count shrank or a word was added"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -iter 0 -train "$tmp/b.txt" -init "$tmp/a.ksm" \
	-output "$tmp/g0.vec" -debug 1
na=$(head -n 1 "$tmp/a.vec" | cut -d' ' -f1)
ng=$(head -n 1 "$tmp/g0.vec" | cut -d' ' -f1)
[ "$ng" -gt "$na" ] || fail "grow added no word ($na then $ng)"
grep -q -- "-init $tmp/a.ksm: $na words from the model, $((ng - na)) new from the corpus" "$tmp/err" ||
	fail "report: $(cat "$tmp/err")"
awk 'NR == FNR { if (FNR > 1) v[$1] = $0; next } FNR > 1 && ($1 in v) { if (v[$1] != $0) { print $1; exit 1 } m++ }
	END { if (m < 100) exit 1 }' "$tmp/a.vec" "$tmp/g0.vec" || fail "grow: a model word's vector changed"
ok

# Training on: reproducible with -threads 1, and not the same as from scratch.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/c1.vec" \
	-save-model "$tmp/c1.ksm"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/c2.vec"
cmp -s "$tmp/c1.vec" "$tmp/c2.vec" || fail "a -threads 1 continuation is not reproducible"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -train "$tmp/b.txt" -output "$tmp/fresh.vec"
cmp -s "$tmp/c1.vec" "$tmp/fresh.vec" && fail "-init changed nothing"
# A continued model continues again.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -iter 1 -train "$tmp/a.txt" -init "$tmp/c1.ksm" -output "$tmp/c3.vec"
ok

# Interrupted and resumed, a continuation ends with the same bytes.
# shellcheck disable=SC2086
expect_fail 11 "checkpoint written" env KENSHO_STOP_AFTER_WORDS=50000 "$KENSHO" $opts \
	-train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/r.vec" -checkpoint "$tmp/r.ckpt"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/r.vec" \
	-resume "$tmp/r.ckpt"
cmp -s "$tmp/c1.vec" "$tmp/r.vec" || fail "the resumed continuation differs"
ok

# Hierarchical softmax: on the same corpus the tree is the model's, every
# node taken as it is; on another corpus the nodes follow the new counts.
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -hs 1 -negative 0 -train "$tmp/a.txt" -output "$tmp/h.vec" \
	-save-model "$tmp/h.ksm"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -hs 1 -negative 0 -iter 0 -train "$tmp/a.txt" -init "$tmp/h.ksm" \
	-output "$tmp/h0.vec" -debug 1
cmp -s "$tmp/h.vec" "$tmp/h0.vec" || fail "-hs 1 -iter 0 changed the vectors"
grep -q "tree: $((na - 1)) inner nodes from the model's, 0 of them turned round, 0 from zero" "$tmp/err" ||
	fail "hs report: $(cat "$tmp/err")"
# shellcheck disable=SC2086
expect_ok "$KENSHO" $opts -hs 1 -negative 0 -train "$tmp/b.txt" -init "$tmp/h.ksm" \
	-output "$tmp/h1.vec" -debug 1
grep -q "tree: [0-9]* inner nodes from the model's" "$tmp/err" || fail "hs report: $(cat "$tmp/err")"
ok

# What cannot change is refused, naming the option; nothing is written.
# shellcheck disable=SC2086
expect_fail 2 "-init $tmp/a.ksm: the model has 16 dimensions, this run -size 20" \
	"$KENSHO" $opts -size 20 -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "the mode cannot change: give -cbow 1" \
	"$KENSHO" $opts -cbow 0 -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "the output layer cannot change: give -hs 0" \
	"$KENSHO" $opts -hs 1 -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "the position weights cannot change: give -positions off" \
	"$KENSHO" $opts -positions scalar -train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "-iter 0: nothing would be trained" \
	"$KENSHO" $opts -iter 0 -train "$tmp/b.txt" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "-vocab-update: there is no vocabulary to update" \
	"$KENSHO" $opts -vocab-update keep -train "$tmp/b.txt" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "a training starts from a model or from vectors, not both" \
	"$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/a.ksm" -init-vectors "$tmp/a.vec" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "drop -read-vocab" \
	"$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/a.ksm" -read-vocab "$tmp/a.voc" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "it holds a finished training" \
	"$KENSHO" $opts -train "$tmp/a.txt" -resume "$tmp/a.ksm" -output "$tmp/x.vec"
# shellcheck disable=SC2086
expect_fail 2 "must be grow or keep" "$KENSHO" $opts -vocab-update sometimes \
	-train "$tmp/b.txt" -init "$tmp/a.ksm" -output "$tmp/x.vec"
[ -e "$tmp/x.vec" ] && fail "a refused run wrote its output"
ok

# Damaged model files: corrupt, truncated, foreign, another format or
# another kensho version (with a valid checksum, so only the version is wrong).
python3 - "$tmp/a.ksm" "$tmp" <<'EOF' || fail "could not make the damaged files"
import struct, sys, zlib
src, d = sys.argv[1], sys.argv[2]
b = open(src, "rb").read()
c = bytearray(b); c[len(c) // 2] ^= 0x40
open(d + "/corrupt.ksm", "wb").write(c)
open(d + "/short.ksm", "wb").write(b[: len(b) - 100])
open(d + "/foreign.ksm", "wb").write(b"word2vec 16\n" + b[12:200])
f = bytearray(b); f[8:12] = struct.pack("<I", 99)
open(d + "/format.ksm", "wb").write(f)
n = struct.unpack("<I", b[12:16])[0]
body = b[:12] + struct.pack("<I", 5) + b"0.0.9" + b[16 + n : -4]
open(d + "/version.ksm", "wb").write(body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF))
EOF
for bad in corrupt:"corrupt checkpoint" short:"truncated" foreign:"not a kensho checkpoint" \
	format:"format version 99" version:"written by kensho 0.0.9"; do
	name=${bad%%:*}
	# shellcheck disable=SC2086
	expect_fail 7 "${bad#*:}" "$KENSHO" $opts -train "$tmp/b.txt" -init "$tmp/$name.ksm" \
		-output "$tmp/x.vec" -save-model "$tmp/x.ksm"
	[ -e "$tmp/x.vec" ] || [ -e "$tmp/x.ksm" ] && fail "$name: an output was written"
done
ok

# A model whose vocabulary holds a word twice (valid checksum): refused, naming the file.
printf 'ab cd ab cd ab cd\ncd ab cd ab\n' > "$tmp/t.txt"
expect_ok "$KENSHO" -train "$tmp/t.txt" -size 4 -min-count 1 -sample 0 -threads 1 -iter 1 \
	-window 2 -save-model "$tmp/t.ksm"
python3 - "$tmp/t.ksm" "$tmp/dupword.ksm" <<'EOF' || fail "could not make the duplicate-word model"
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()[:-4]
one, two = struct.pack("<I", 2) + b"ab", struct.pack("<I", 2) + b"cd"
assert b.count(one) == 1 and b.count(two) == 1
b = b.replace(two, one)
open(sys.argv[2], "wb").write(b + struct.pack("<I", zlib.crc32(b) & 0xFFFFFFFF))
EOF
expect_fail 7 "$tmp/dupword.ksm: the base vocabulary holds \"ab\" twice" "$KENSHO" -train "$tmp/t.txt" \
	-size 4 -min-count 1 -init "$tmp/dupword.ksm" -output "$tmp/x.vec"
[ -e "$tmp/x.vec" ] && fail "a refused run wrote its output"
ok
finish
