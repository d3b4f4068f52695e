#!/bin/sh
# kensho-eval plot through the real binary, looked at as a person would:
# the SVG is well-formed XML with every word as a text label, points inside
# the frame, labels that do not overlap, axes with explained variance; then
# rsvg-convert renders it and the PNG has the SVG's size, is not blank and
# shows the points' colour where the points are. Also: words from a file
# and as neighbours, unknown words reported but not fatal unless none is
# found, -fit, and failures that leave no SVG behind. -analogies: one
# arrow per pair, running from the point of its first word to that of its
# second, a question with an unknown word reported with its line and
# skipped, labels kept off the arrows, malformed or useless question files
# refused. Skips (77) without python3 or rsvg-convert (Debian's
# librsvg2-bin).
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || skip "python3 missing"
E="$KENSHO_EVAL"
V="$KS_SRCDIR/tests/data/eval/vectors.txt"
WORDS="king queen man woman paris france berlin germany"

# check_svg SVG WORD...: XML, the labels, points in the frame, no overlapping
# label boxes (as the writer estimates them), axes with percentages.
check_svg() {
	"$PY" - "$@" <<'EOF' || fail "$1 does not look right (the assertion is above)"
import sys, re, xml.dom.minidom
path, words = sys.argv[1], sys.argv[2:]
doc = xml.dom.minidom.parse(path)
svg = doc.documentElement
assert svg.tagName == "svg", svg.tagName
w, h = float(svg.getAttribute("width")), float(svg.getAttribute("height"))
frame = [r for r in doc.getElementsByTagName("rect") if r.getAttribute("class") == "frame"][0]
fx0, fy0 = float(frame.getAttribute("x")), float(frame.getAttribute("y"))
fx1, fy1 = fx0 + float(frame.getAttribute("width")), fy0 + float(frame.getAttribute("height"))
assert 0 <= fx0 < fx1 <= w and 0 <= fy0 < fy1 <= h, "frame outside the picture"
circles = [(float(c.getAttribute("cx")), float(c.getAttribute("cy"))) for c in doc.getElementsByTagName("circle")]
assert len(circles) == len(words), "%d points for %d words" % (len(circles), len(words))
for x, y in circles:
    assert fx0 < x < fx1 and fy0 < y < fy1, "point %g,%g outside the frame" % (x, y)
texts = {}
boxes = []
for t in doc.getElementsByTagName("text"):
    s = "".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
    texts[s] = t
    if t.parentNode.getAttribute("class") == "labels":
        x, y, a = float(t.getAttribute("x")), float(t.getAttribute("y")), t.getAttribute("text-anchor")
        bw = 0.62 * 13 * len(s)
        x0 = x if a == "start" else x - bw if a == "end" else x - bw / 2
        boxes.append((s, x0, y - 13 * 0.78, x0 + bw, y + 13 * 0.22))
for word in words:
    assert word in texts, "no label %r" % word
assert len(boxes) == len(words), "%d labels for %d words" % (len(boxes), len(words))
for s, x0, y0, x1, y1 in boxes:
    assert fx0 <= x0 and x1 <= fx1 and fy0 <= y0 and y1 <= fy1, "label %r leaves the frame" % s
for i in range(len(boxes)):
    for j in range(i):
        a, b = boxes[i], boxes[j]
        if min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5:
            raise AssertionError("labels %r and %r overlap" % (a[0], b[0]))
axes = [s for s in texts if re.match(r"^PC[12]: [0-9]+\.[0-9]% of the variance$", s)]
assert len(axes) == 2, "axis labels: %r" % list(texts)
EOF
	ok
}

expect_ok "$E" plot "$V" "$tmp/map.svg" $WORDS nowhere
grep -q "warning: 'nowhere' is not in the vocabulary" "$tmp/err" || fail "unknown word: $(cat "$tmp/err")"
grep -Eq "map.svg: 8 words drawn \(1 not found\), PCA fitted on 8: [0-9.]+% and [0-9.]+% of the variance" "$tmp/err" ||
	fail "no plot line: $(cat "$tmp/err")"
check_svg "$tmp/map.svg" $WORDS
# The same words give the same bytes.
expect_ok "$E" plot -quiet "$V" "$tmp/map2.svg" $WORDS
cmp "$tmp/map.svg" "$tmp/map2.svg" || fail "the same plot twice differs"

# Words from a file (with a comment and a repeat) and as neighbours.
printf '# capitals\nparis berlin\nfrance germany paris\n' > "$tmp/words.txt"
expect_ok "$E" plot -words "$tmp/words.txt" "$V" "$tmp/file.svg"
check_svg "$tmp/file.svg" paris berlin france germany
expect_ok "$E" plot -neighbors king -k 3 "$V" "$tmp/nb.svg"
grep -q "nb.svg: 4 words drawn" "$tmp/err" || fail "-neighbors king -k 3: $(cat "$tmp/err")"
"$PY" -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(len(d.getElementsByTagName("circle")) != 4)' "$tmp/nb.svg" ||
	fail "-neighbors: not 4 points"
ok
# -fit: the axes of the whole file (12 rows), drawn for two words.
expect_ok "$E" plot -fit 10000 "$V" "$tmp/fit.svg" king queen
grep -q "PCA fitted on 12:" "$tmp/err" || fail "-fit: $(cat "$tmp/err")"
check_svg "$tmp/fit.svg" king queen
# gzip output when the name ends in .gz, as every output of kensho.
expect_ok "$E" plot -quiet "$V" "$tmp/map.svg.gz" $WORDS
gzip -dc "$tmp/map.svg.gz" | cmp - "$tmp/map.svg" || fail "map.svg.gz is not the gzip of map.svg"

# -analogies: the four words of each question and the arrows a -> b, c -> d.
printf ': capital-common-countries\nparis france berlin germany\n\n: family\nking queen man woman\n# a comment\nking queen nowhere woman\nking queen man woman\n' > "$tmp/q.txt"
expect_ok "$E" plot -analogies "$tmp/q.txt" "$V" "$tmp/arrows.svg"
grep -q "q.txt:7: 'nowhere' is not in the vocabulary; the question king queen nowhere woman is skipped" "$tmp/err" ||
	fail "-analogies, unknown word: $(cat "$tmp/err")"
grep -q "arrows.svg: 3 of 4 questions drawn, 4 arrows" "$tmp/err" || fail "-analogies report: $(cat "$tmp/err")"
check_svg "$tmp/arrows.svg" paris france berlin germany king queen man woman
# check_arrows SVG FROM:TO...: exactly these arrows, each from the point of
# FROM to the point of TO (the point whose label is that word), with an
# arrowhead marker that exists.
check_arrows() {
	"$PY" - "$@" <<'EOF2' || fail "the arrows of $1 (the assertion is above)"
import sys, math, xml.dom.minidom
path, want = sys.argv[1], sys.argv[2:]
doc = xml.dom.minidom.parse(path)
circles = [(float(c.getAttribute("cx")), float(c.getAttribute("cy"))) for c in doc.getElementsByTagName("circle")]
labels = ["".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
          for t in doc.getElementsByTagName("text") if t.parentNode.getAttribute("class") == "labels"]
at = dict(zip(labels, circles))
markers = set(m.getAttribute("id") for m in doc.getElementsByTagName("marker"))
arrows = [l for l in doc.getElementsByTagName("line") if l.getAttribute("class") == "arrow"]
got = []
for l in arrows:
    title = l.getElementsByTagName("title")[0].firstChild.data
    a, b = title.split(" \u2192 ")
    got.append("%s:%s" % (a, b))
    m = l.getAttribute("marker-end")
    assert m.startswith("url(#") and m[5:-1] in markers, "arrow %s: marker %r" % (title, m)
    x1, y1, x2, y2 = (float(l.getAttribute(k)) for k in ("x1", "y1", "x2", "y2"))
    d1 = math.hypot(x1 - at[a][0], y1 - at[a][1])
    d2 = math.hypot(x2 - at[b][0], y2 - at[b][1])
    assert d1 < 8 and d2 < 8, "arrow %s starts %.1f px from %s and ends %.1f px from %s" % (title, d1, a, d2, b)
assert sorted(got) == sorted(want), "arrows %r, expected %r" % (got, want)
# No label lies across an arrow (each has a free place in these small maps).
def crosses(seg, box):
    (x1, y1, x2, y2), (bx0, by0, bx1, by1) = seg, box
    t0, t1 = 0.0, 1.0
    for p, q in ((-(x2 - x1), x1 - bx0), (x2 - x1, bx1 - x1), (-(y2 - y1), y1 - by0), (y2 - y1, by1 - y1)):
        if p == 0:
            if q < 0: return False
            continue
        r = q / p
        if p < 0: t0 = max(t0, r)
        else: t1 = min(t1, r)
        if t0 >= t1: return False
    return (t1 - t0) * math.hypot(x2 - x1, y2 - y1) > 1
for t in doc.getElementsByTagName("text"):
    if t.parentNode.getAttribute("class") != "labels":
        continue
    s = "".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
    x, y, a = float(t.getAttribute("x")), float(t.getAttribute("y")), t.getAttribute("text-anchor")
    bw = 0.62 * 13 * len(s)
    x0 = x if a == "start" else x - bw if a == "end" else x - bw / 2
    box = (x0, y - 13 * 0.78, x0 + bw, y + 13 * 0.22)
    for l in arrows:
        seg = tuple(float(l.getAttribute(k)) for k in ("x1", "y1", "x2", "y2"))
        assert not crosses(seg, box), "label %r lies across an arrow" % s
EOF2
	ok
}
check_arrows "$tmp/arrows.svg" paris:france berlin:germany king:queen man:woman
# A question given twice draws its arrows once; words also given as operands are not drawn twice.
expect_ok "$E" plot -quiet -analogies "$tmp/q.txt" "$V" "$tmp/arrows2.svg" king apple
check_svg "$tmp/arrows2.svg" paris france berlin germany king queen man woman apple
check_arrows "$tmp/arrows2.svg" paris:france berlin:germany king:queen man:woman
"$E" plot -quiet -analogies - "$V" "$tmp/stdin.svg" < "$tmp/q.txt" 2>"$tmp/err" ||
	fail "-analogies - (stdin): $(cat "$tmp/err")"
cmp "$tmp/stdin.svg" "$tmp/arrows.svg" || fail "-analogies - draws another picture than the file"
ok

# Failures: status, message, and no SVG left behind.
expect_fail 12 "none of the 2 words to plot is in the vocabulary" "$E" plot "$V" "$tmp/none.svg" nowhere nothing
[ -e "$tmp/none.svg" ] && fail "a failed plot left none.svg"
expect_fail 12 "'nowhere' is not in the vocabulary" "$E" plot -neighbors nowhere "$V" "$tmp/none.svg"
[ -e "$tmp/none.svg" ] && fail "a failed plot left none.svg"
expect_fail 4 "no/such/map.svg" "$E" plot "$V" "$tmp/no/such/map.svg" king
grep -q "words x" "$tmp/err" && fail "the vectors were loaded before the SVG path was checked"
expect_fail 4 "nothing.txt" "$E" plot -words "$tmp/nothing.txt" "$V" "$tmp/none.svg"
grep -q "words x" "$tmp/err" && fail "the vectors were loaded before the words file was checked"
expect_fail 2 "no words to plot" "$E" plot "$V" "$tmp/none.svg"
expect_fail 2 "no SVG file given" "$E" plot "$V"
expect_fail 2 "-json does not apply to plot" "$E" plot -json "$V" "$tmp/none.svg" king
expect_fail 2 "-fit: 'x' is not a count" "$E" plot -fit x "$V" "$tmp/none.svg" king
expect_fail 2 "-words does not apply to neighbors" "$E" neighbors -words "$tmp/words.txt" "$V" king
expect_fail 2 "stdin can be read only once" "$E" plot -words - - "$tmp/none.svg"
expect_fail 2 "stdin can be read only once" "$E" plot -analogies - -words - "$V" "$tmp/none.svg"
printf 'nowhere queen man woman\nking queen nothing woman\n' > "$tmp/unknown.txt"
expect_fail 12 "unknown.txt: none of the 2 questions has all four words in the vocabulary" \
	"$E" plot -analogies "$tmp/unknown.txt" "$V" "$tmp/none.svg" king
printf ': family\nking queen man woman\nking queen man\n' > "$tmp/bad.txt"
expect_fail 7 "bad.txt:3: a question is four words a b c d \\(a is to b as c is to d\\), this line has 3" \
	"$E" plot -analogies "$tmp/bad.txt" "$V" "$tmp/none.svg"
printf ': family\n# nothing\n' > "$tmp/empty.txt"
expect_fail 7 "empty.txt: no analogy questions" "$E" plot -analogies "$tmp/empty.txt" "$V" "$tmp/none.svg"
expect_fail 4 "noquestions.txt" "$E" plot -analogies "$tmp/noquestions.txt" "$V" "$tmp/none.svg"
grep -q "words x" "$tmp/err" && fail "the vectors were loaded before the questions file was checked"
expect_fail 2 "-analogies does not apply to analogy" "$E" analogy -analogies "$tmp/q.txt" "$V" "$tmp/q.txt"
[ -e "$tmp/none.svg" ] && fail "a failed plot left none.svg"
ok

# The picture itself, rendered by a real renderer.
command -v rsvg-convert >/dev/null 2>&1 || skip "rsvg-convert missing (Debian: librsvg2-bin); $checks checks passed before"
# check_render SVG: renders it; the PNG has the SVG's size, is neither blank
# nor mostly dark, shows a blue point at every circle and each arrow's
# colour a quarter of the way along it.
check_render() {
	rsvg-convert "$1" -o "$1.png" 2>"$tmp/err" || fail "rsvg-convert $1: $(cat "$tmp/err")"
	"$PY" - "$1" "$1.png" "$KS_SRCDIR/tests" <<'EOF' || fail "the rendered picture of $1"
import sys, xml.dom.minidom
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from pngread import read_png
svg, png = sys.argv[1], sys.argv[2]
width, height, px = read_png(png)
doc = xml.dom.minidom.parse(svg)
w, h = int(doc.documentElement.getAttribute("width")), int(doc.documentElement.getAttribute("height"))
assert (width, height) == (w, h), "PNG %dx%d for an SVG of %dx%d" % (width, height, w, h)
assert px(2, 2) == (255, 255, 255), "the background is not white: %r" % (px(2, 2),)
dark = sum(1 for y in range(height) for x in range(width) if sum(px(x, y)) < 300)
assert dark > 800, "nearly blank: %d dark pixels" % dark
assert dark < width * height // 4, "mostly dark: %d dark pixels" % dark
for c in doc.getElementsByTagName("circle"):
    x, y = int(round(float(c.getAttribute("cx")))), int(round(float(c.getAttribute("cy"))))
    r, g, b = px(x, y)
    assert b > r + 60 and b > 120, "no blue point at %d,%d: %r" % (x, y, (r, g, b))
for l in doc.getElementsByTagName("line"):
    if l.getAttribute("class") != "arrow":
        continue
    x1, y1, x2, y2 = (float(l.getAttribute(k)) for k in ("x1", "y1", "x2", "y2"))
    x, y = int(round(x1 + (x2 - x1) / 4)), int(round(y1 + (y2 - y1) / 4))
    r, g, b = px(x, y)
    assert max(r, g) > b + 40, "no arrow colour at %d,%d: %r" % (x, y, (r, g, b))
EOF
	ok
}
check_render "$tmp/map.svg"
check_render "$tmp/arrows.svg"
finish
