#!/bin/sh
# Output paths (issue 14): links are written through, not replaced; paths
# that name one file are refused before anything is read; .gz names are
# written as gzip; a replaced file keeps its mode; a closed stdout is
# caught before training.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO" ] || skip "kensho not built"

i=0
while [ $i -lt 100 ]; do
	echo "w$((i % 40)) w$(((i + 7) % 40)) w$(((i * 3) % 40)) w$(((i + 1) % 40)) w$(((i + 13) % 40))"
	i=$((i + 1))
done > "$tmp/c.txt"
cp "$tmp/c.txt" "$tmp/c.orig"
train() {
	"$KENSHO" -train "$tmp/c.txt" -size 8 -iter 1 -min-count 1 -threads 1 -quiet "$@"
}
# stopped OUTPUT: a run of 5 epochs stopped in its second, as by SIGINT.
stopped() {
	KENSHO_STOP_AFTER_WORDS=600 "$KENSHO" -train "$tmp/c.txt" -size 8 -iter 5 -min-count 1 \
		-threads 1 -quiet -output "$1" >/dev/null 2>&1
	[ $? -eq 11 ] || fail "the stopped run did not exit 11"
}

# An ordinary link: the target gets the vectors, the link stays a link.
mkdir "$tmp/dir"
echo old > "$tmp/dir/target.txt"
ln -s dir/target.txt "$tmp/link.txt"
expect_ok train -output "$tmp/link.txt"
[ -L "$tmp/link.txt" ] || fail "the link was replaced by a file"
[ "$(head -n 1 "$tmp/dir/target.txt")" = "40 8" ] || fail "the link's target was not written"
# A dangling link creates its target.
ln -s dir/new.txt "$tmp/dangling.txt"
expect_ok train -output "$tmp/dangling.txt"
[ -L "$tmp/dangling.txt" ] && [ -f "$tmp/dir/new.txt" ] || fail "dangling link not written through"
# A link to a descriptor: written through it, as -output - is.
ln -s /proc/self/fd/1 "$tmp/fd1"
train -output "$tmp/fd1" > "$tmp/through.txt" || fail "output through /proc/self/fd/1 failed"
[ -L "$tmp/fd1" ] || fail "the /proc/self/fd/1 link was replaced"
[ "$(head -n 1 "$tmp/through.txt")" = "40 8" ] || fail "nothing reached stdout through the link"
# /dev/stdout appends where the shell appends.
echo first > "$tmp/app.txt"
train -output /dev/stdout >> "$tmp/app.txt" || fail "-output /dev/stdout failed"
[ "$(head -n 1 "$tmp/app.txt")" = first ] || fail "/dev/stdout truncated an appended file"
[ "$(sed -n 2p "$tmp/app.txt")" = "40 8" ] || fail "/dev/stdout did not get the vectors"
# The default checkpoint goes beside the link's target.
stopped "$tmp/link.txt"
[ -f "$tmp/dir/target.txt.ckpt" ] || fail "no checkpoint beside the link's target"
ok

# Paths that name one file are refused before anything is read or written.
expect_fail 2 "name the same file" train -save-vocab "$tmp/c.txt" -output "$tmp/x.txt"
expect_fail 2 "name the same file" train -save-vocab "$tmp/./c.txt" -output "$tmp/x.txt"
ln -s c.txt "$tmp/c-link.txt"
expect_fail 2 "name the same file" train -output "$tmp/c-link.txt"
expect_fail 2 "name the same file" train -output "$tmp/F" -save-vocab "$tmp/./F"
expect_fail 2 "name the same file" train -output "$tmp/v.txt" -save-context "$tmp/dir/../v.txt"
expect_fail 2 "name the same file" train -output - -save-context -
expect_fail 2 "name the same file" train -output "$tmp/x.txt" -checkpoint "$tmp/c.txt"
cmp -s "$tmp/c.txt" "$tmp/c.orig" || fail "a refused run changed the corpus"
[ -e "$tmp/x.txt" ] || [ -e "$tmp/F" ] || [ -e "$tmp/v.txt" ] && fail "a refused run wrote an output"
# -output F -resume F: the checkpoint would be replaced by vectors.
stopped "$tmp/r.txt"
[ -f "$tmp/r.txt.ckpt" ] || fail "no checkpoint to resume from"
expect_fail 2 "name the same file" train -output "$tmp/r.txt.ckpt" -resume "$tmp/r.txt.ckpt"
# The checkpoint may replace the one it resumed from.
expect_ok "$KENSHO" -train "$tmp/c.txt" -size 8 -iter 5 -min-count 1 -threads 1 -quiet \
	-output "$tmp/r.txt" -resume "$tmp/r.txt.ckpt"

# A closed stdout fails before training.
train -output - >&- 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && grep -q "standard output is closed" "$tmp/err" ||
	fail "closed stdout: exit $rc, $(cat "$tmp/err")"
ok

# .gz names are written as gzip, which gzip reads back as the plain text.
expect_ok train -output "$tmp/v.txt" -save-vocab "$tmp/vocab.txt"
expect_ok train -output "$tmp/v.txt.gz" -save-vocab "$tmp/vocab.txt.gz"
gzip -dc "$tmp/v.txt.gz" | cmp -s - "$tmp/v.txt" || fail "-output .gz is not the text gzipped"
gzip -dc "$tmp/vocab.txt.gz" | cmp -s - "$tmp/vocab.txt" || fail "-save-vocab .gz is not gzip"
ok

# A replaced file keeps its permission bits.
chmod 640 "$tmp/v.txt"
expect_ok train -output "$tmp/v.txt"
[ "$(stat -c %a "$tmp/v.txt")" = 640 ] || fail "mode became $(stat -c %a "$tmp/v.txt")"
finish
