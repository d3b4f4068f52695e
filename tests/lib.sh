# Shared helpers of the shell tests. make check sets KS_BUILDDIR, KS_SRCDIR
# and KS_SHARED_DATA; by hand, run from the build directory.
set -u
: "${KS_BUILDDIR:=$(pwd)}"
: "${KS_SRCDIR:=$KS_BUILDDIR}"
: "${KS_SHARED_DATA:=$KS_SRCDIR/../shared/data}"
KENSHO="$KS_BUILDDIR/kensho"
KENSHO_EVAL="$KS_BUILDDIR/kensho-eval"
GEN="$KS_BUILDDIR/kensho-gen-corpus"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kensho-sh.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
checks=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	checks=$((checks + 1))
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# expect_fail CODE PATTERN CMD...: CMD must exit with CODE and print PATTERN
# (a grep -E expression) on stderr.
expect_fail() {
	code=$1 pattern=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; stderr: $(cat "$tmp/err")"
	grep -Eq -- "$pattern" "$tmp/err" || fail "'$*' stderr lacks /$pattern/: $(cat "$tmp/err")"
	ok
}

# expect_ok CMD...: CMD must succeed.
expect_ok() {
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null || fail "'$*' failed ($?): $(cat "$tmp/err")"
	ok
}

finish() {
	echo "$checks checks passed"
	exit 0
}
