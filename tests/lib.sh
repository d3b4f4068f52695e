# Shared helpers of the shell tests. make check sets KS_BUILDDIR, KS_SRCDIR
# and KS_SHARED_DATA; by hand, run from the build directory.
set -u
: "${KS_BUILDDIR:=$(pwd)}"
: "${KS_SRCDIR:=$KS_BUILDDIR}"
: "${KS_SHARED_DATA:=$KS_SRCDIR/../shared/data}"
KENSHO="$KS_BUILDDIR/kensho"
KENSHO_EVAL="$KS_BUILDDIR/kensho-eval"
KENSHO_PHRASES="$KS_BUILDDIR/kensho-phrases"
GEN="$KS_BUILDDIR/kensho-gen-corpus"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kensho-sh.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# KS_VALGRIND=1 (make check KS_VALGRIND=1, or tests/valgrind.sh) runs every
# binary under valgrind's memcheck through a wrapper script, so "$KENSHO"
# stays one word. An invalid access, a use of uninitialised memory or a
# definite or indirect leak makes the run exit 99, which no test expects,
# so the test fails with valgrind's report on stderr, in the test's log.
# KS_VALGRIND_OPTS adds valgrind options. Checks of peak memory are then
# skipped (valgrind's own memory would be measured).
if [ -n "${KS_VALGRIND:-}" ] && [ "$KS_VALGRIND" != 0 ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind missing"; exit 77; }
	mkdir "$tmp/vg"
	for prog in KENSHO KENSHO_EVAL KENSHO_PHRASES GEN; do
		eval "real=\$$prog"
		wrapper="$tmp/vg/$(basename "$real")"
		{
			echo '#!/bin/sh'
			echo "exec valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full" \
				"--errors-for-leak-kinds=definite,indirect" \
				"--show-leak-kinds=definite,indirect --track-origins=yes" \
				"${KS_VALGRIND_OPTS:-} '$real' \"\$@\""
		} > "$wrapper"
		chmod +x "$wrapper"
		eval "$prog=\$wrapper"
	done
fi
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
