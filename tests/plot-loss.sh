#!/bin/sh
# kensho-eval plot-loss through the real binary: a loss log as kensho
# writes it (generated here, with a resume marker) and a diverging one (a
# loss that grows, then nan) drawn as SVG; checked as XML (two panels with
# their y labels, ticks on both axes, one dashed mark per resume, the
# curve broken there), the nan marks and the "diverged (nan)" note present
# for the diverging log only; rendered by rsvg-convert and checked not
# blank, with the red marks visible. Then the errors: a malformed line
# named with its file and line, missing files, bad command lines, and no
# SVG left behind (an older one kept as it was). Skips (77) without
# python3 or rsvg-convert.
. "${KS_SRCDIR:-.}/tests/lib.sh"
[ -x "$KENSHO_EVAL" ] || skip "kensho-eval not built"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || skip "python3 missing"
E="$KENSHO_EVAL"

# A log of 30 intervals, resumed after the 12th at word 1100000.
{
	printf '# kensho loss log\nseconds\twords\tepoch\tlr\tloss\twords_s\n'
	i=1
	while [ $i -le 30 ]; do
		[ $i -eq 13 ] && printf '# resumed at word 1100000\n'
		printf '%d.000\t%d\t1\t0.05\t%d.%03d\t%d\n' $i $((i * 100000)) $((1 + 30 / (i + 2))) $((i * 17 % 1000)) $((900000 + i * 1000))
		i=$((i + 1))
	done
} > "$tmp/good.tsv"
# A diverging log: the loss falls, grows, then is nan.
{
	printf '# kensho loss log\nseconds\twords\tepoch\tlr\tloss\twords_s\n'
	printf '1.0\t20000\t1\t10\t4.5\t20000\n2.0\t40000\t1\t10\t5.5\t20000\n3.0\t60000\t1\t10\t9.25\t20000\n'
	printf '4.0\t80000\t1\t10\tnan\t20000\n5.0\t100000\t1\t10\tnan\t20000\n'
} > "$tmp/diverge.tsv"

expect_ok "$E" plot-loss "$tmp/good.tsv" "$tmp/good.svg"
grep -q "good.svg: 30 intervals up to word 3000000, 1 resume$" "$tmp/err" || fail "report: $(cat "$tmp/err")"
expect_ok "$E" plot-loss "$tmp/diverge.tsv" "$tmp/diverge.svg"
grep -q "diverge.svg: 5 intervals up to word 100000, 0 resumes, diverged: 2 intervals with a nan or infinite loss" "$tmp/err" ||
	fail "report: $(cat "$tmp/err")"

# check_chart SVG NANS MARKS LINES: the chart's structure, NANS nan marks,
# MARKS resume marks, LINES polylines.
check_chart() {
	"$PY" - "$@" <<'EOF' || fail "$1 does not look right (the assertion is above)"
import sys, re, xml.dom.minidom
path, nans, marks, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
doc = xml.dom.minidom.parse(path)
svg = doc.documentElement
assert svg.tagName == "svg", svg.tagName
def cls(tag, c):
    return [e for e in doc.getElementsByTagName(tag) if e.getAttribute("class") == c]
def text(e):
    return "".join(n.data for n in e.childNodes if n.nodeType == n.TEXT_NODE)
frames = cls("rect", "frame")
assert len(frames) == 2, "%d panels" % len(frames)
axes = sorted(text(t) for t in cls("text", "axis"))
assert axes == ["mean loss", "words processed", "words/s"], "axis labels %r" % axes
ticks = [text(t) for t in cls("text", "tick")]
assert len(ticks) >= 10, "ticks %r" % ticks
for t in ticks:
    assert re.match(r"^-?[0-9]+(\.[0-9]+)?[kMG]?$", t), "tick label %r" % t
got = len(cls("path", "nan"))
assert got == nans, "%d nan marks, expected %d" % (got, nans)
legend = [text(t) for t in doc.getElementsByTagName("text") if t.parentNode.getAttribute("class") == "legend"]
assert ("diverged (nan)" in legend) == (nans > 0), "legend %r with %d nan marks" % (legend, nans)
assert "mean loss per example" in legend and "words/s" in legend, "legend %r" % legend
assert ("resumed" in legend) == (marks > 0), "legend %r with %d marks" % (legend, marks)
got = len(cls("line", "mark"))
assert got == marks, "%d resume marks, expected %d" % (got, marks)
for m in cls("line", "mark"):
    assert m.getAttribute("stroke-dasharray"), "a resume mark is not dashed"
got = len(cls("polyline", "series"))
assert got == lines, "%d polylines, expected %d" % (got, lines)
fy0 = float(frames[0].getAttribute("y"))
for p in cls("path", "nan"):
    y = float(re.match(r"M[0-9.]+,([0-9.]+)", p.getAttribute("d")).group(1))
    assert y < fy0 + 12, "a nan mark is not at the top of the loss panel"
EOF
	ok
}
# Good: a line before and after the resume, in both panels; no nan.
check_chart "$tmp/good.svg" 0 1 4
# Diverging: the three finite losses joined, two nan marks; words/s one line.
check_chart "$tmp/diverge.svg" 2 0 2
# The growing loss is drawn as it is: the highest tick of the loss panel is at least 9.
"$PY" - "$tmp/diverge.svg" <<'EOF' || fail "the growing loss is not on the axis"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
frame = [r for r in doc.getElementsByTagName("rect") if r.getAttribute("class") == "frame"][0]
y1 = float(frame.getAttribute("y")) + float(frame.getAttribute("height"))
vals = [float(t.firstChild.data) for t in doc.getElementsByTagName("text")
        if t.getAttribute("class") == "tick" and t.getAttribute("text-anchor") == "end"
        and float(t.getAttribute("y")) < y1 + 5]
assert max(vals) >= 9, "loss ticks %r" % vals
EOF
ok
# The same log gives the same bytes; gzip when the name ends in .gz; stdin.
expect_ok "$E" plot-loss -quiet "$tmp/good.tsv" "$tmp/good2.svg"
cmp "$tmp/good.svg" "$tmp/good2.svg" || fail "the same chart twice differs"
"$E" plot-loss -quiet - "$tmp/stdin.svg" < "$tmp/good.tsv" 2>"$tmp/err" || fail "plot-loss - : $(cat "$tmp/err")"
grep -v 'class="title"' "$tmp/good.svg" > "$tmp/a" && grep -v 'class="title"' "$tmp/stdin.svg" > "$tmp/b" &&
	cmp "$tmp/a" "$tmp/b" || fail "the chart of stdin differs (beyond the title)"
expect_ok "$E" plot-loss -quiet "$tmp/good.tsv" "$tmp/good.svg.gz"
gzip -dc "$tmp/good.svg.gz" | cmp - "$tmp/good.svg" || fail "good.svg.gz is not the gzip of good.svg"
ok

# Failures: status, a message naming the file and line, no SVG (an older one kept).
cp "$tmp/good.tsv" "$tmp/bad.tsv"
printf '31.000\t3100000\t1\t0.05\toops\t900000\n' >> "$tmp/bad.tsv"
cp "$tmp/good.svg" "$tmp/old.svg"
expect_fail 7 "bad.tsv:34: loss 'oops' is not a number" "$E" plot-loss "$tmp/bad.tsv" "$tmp/old.svg"
cmp "$tmp/good.svg" "$tmp/old.svg" || fail "a failed plot-loss changed the older SVG"
printf '1.0\t2\t3\n' >> "$tmp/good.tsv"
expect_fail 7 "good.tsv:34: 3 tab-separated fields" "$E" plot-loss "$tmp/good.tsv" "$tmp/none.svg"
printf 'not a loss log\n' > "$tmp/text.tsv"
expect_fail 7 "text.tsv:1: .*not a loss log" "$E" plot-loss "$tmp/text.tsv" "$tmp/none.svg"
expect_fail 4 "nothing.tsv" "$E" plot-loss "$tmp/nothing.tsv" "$tmp/none.svg"
expect_fail 4 "no/such/loss.svg" "$E" plot-loss "$tmp/diverge.tsv" "$tmp/no/such/loss.svg"
expect_fail 2 "no loss log file given" "$E" plot-loss
expect_fail 2 "no SVG file given" "$E" plot-loss "$tmp/diverge.tsv"
expect_fail 2 "plot-loss takes two files" "$E" plot-loss "$tmp/diverge.tsv" "$tmp/a.svg" "$tmp/b.svg"
expect_fail 2 "-fit does not apply to plot-loss" "$E" plot-loss -fit 10 "$tmp/diverge.tsv" "$tmp/none.svg"
ls "$tmp" | grep -q "none.svg" && fail "a failed plot-loss left an SVG: $(ls "$tmp")"
ok

# The pictures, rendered: not blank, the red nan marks where they are.
command -v rsvg-convert >/dev/null 2>&1 || skip "rsvg-convert missing (Debian: librsvg2-bin); $checks checks passed before"
for f in good diverge; do
	rsvg-convert "$tmp/$f.svg" -o "$tmp/$f.png" 2>"$tmp/err" || fail "rsvg-convert $f.svg: $(cat "$tmp/err")"
	"$PY" - "$tmp/$f.svg" "$tmp/$f.png" "$KS_SRCDIR/tests" <<'EOF' || fail "the rendered picture of $f.svg"
import sys, re, xml.dom.minidom
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from pngread import read_png
svg, png = sys.argv[1], sys.argv[2]
width, height, px = read_png(png)
doc = xml.dom.minidom.parse(svg)
w, h = int(doc.documentElement.getAttribute("width")), int(doc.documentElement.getAttribute("height"))
assert (width, height) == (w, h), "PNG %dx%d for an SVG of %dx%d" % (width, height, w, h)
assert px(2, 2) == (255, 255, 255), "the background is not white"
dark = sum(1 for y in range(height) for x in range(width) if sum(px(x, y)) < 400)
assert dark > 1500, "nearly blank: %d dark pixels" % dark
assert dark < width * height // 4, "mostly dark: %d dark pixels" % dark
red = sum(1 for y in range(height) for x in range(width)
          if px(x, y)[0] > 180 and px(x, y)[1] < 90 and px(x, y)[2] < 90)
nans = [p for p in doc.getElementsByTagName("path") if p.getAttribute("class") == "nan"]
if nans:
    for p in nans:
        m = re.match(r"M([0-9.]+),([0-9.]+)", p.getAttribute("d"))
        x, y = int(round(float(m.group(1)))), int(round(float(m.group(2)))) + 3
        r, g, b = px(x, y)
        assert r > 180 and g < 90 and b < 90, "no red nan mark at %d,%d: %r" % (x, y, (r, g, b))
else:
    assert red == 0, "%d red pixels in a chart without nan" % red
EOF
	ok
done
finish
