#!/bin/sh
# bench/pictures.sh [VECTORS LOSS_LOG]: draws the README's two pictures
# into docs/ (or $PICTURES_DIR), as SVG and as PNG (rsvg-convert):
#
#   docs/analogies.svg, .png  three analogy questions as arrows a -> b,
#                             c -> d (kensho-eval plot -analogies) on PCA
#                             axes fitted on the 10000 most frequent words
#   docs/loss.svg, .png       the training curve (kensho-eval plot-loss)
#
# Given a vector file and the -loss-log file of its training, it only
# draws. Given nothing, it first trains on ../shared/data/wiki100m.txt.gz
# with kensho's defaults (CBOW, 10 epochs: about a minute on two cores)
# into a temporary directory, and exits 77 when that corpus is absent.
# Run from the build directory (KS_BUILDDIR, default: the current one).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${KS_BUILDDIR:-$(pwd)}
out=${PICTURES_DIR:-$src/docs}
kensho="$build/kensho"
eval_tool="$build/kensho-eval"

die() {
	echo "pictures.sh: $*" >&2
	exit 1
}

[ -x "$eval_tool" ] || die "$eval_tool is not built (run from the build directory or set KS_BUILDDIR)"
command -v rsvg-convert >/dev/null 2>&1 || die "rsvg-convert is missing (Debian: librsvg2-bin)"
work=$(mktemp -d "${TMPDIR:-/tmp}/kensho-pictures.XXXXXX")
trap 'rm -rf "$work"' EXIT

case $# in
2)
	vectors=$1
	loss=$2
	;;
0)
	corpus=${KS_SHARED_DATA:-$src/../shared/data}/wiki100m.txt.gz
	if [ ! -r "$corpus" ]; then
		echo "SKIP: $corpus is absent; give VECTORS and LOSS_LOG instead"
		exit 77
	fi
	[ -x "$kensho" ] || die "$kensho is not built"
	vectors="$work/wiki100m.bin"
	loss="$work/wiki100m.loss.tsv"
	echo "pictures.sh: training on $corpus with kensho's defaults" >&2
	"$kensho" -train "$corpus" -output "$vectors" -binary 1 -loss-log "$loss" ||
		die "the training failed"
	;;
*)
	die "usage: bench/pictures.sh [VECTORS LOSS_LOG]"
	;;
esac

mkdir -p "$out"
# A relation of gender, one of capitals and one of plurals: where the
# vectors hold a relation, its two arrows are about parallel.
cat > "$work/analogies.txt" <<'EOF'
: family
king queen man woman
: capital-common-countries
paris france berlin germany
: gram8-plural
car cars house houses
EOF
"$eval_tool" plot -analogies "$work/analogies.txt" -fit 10000 "$vectors" "$out/analogies.svg"
"$eval_tool" plot-loss "$loss" "$out/loss.svg"
for name in analogies loss; do
	rsvg-convert "$out/$name.svg" -o "$work/$name.png" || die "rsvg-convert $out/$name.svg failed"
	mv "$work/$name.png" "$out/$name.png"
	echo "pictures.sh: $out/$name.svg, $out/$name.png" >&2
done
