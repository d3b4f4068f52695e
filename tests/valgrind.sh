#!/bin/sh
# valgrind memcheck over the test suite, by hand (it takes minutes, so it is
# not part of make check or .ci/run). Run it from a build directory
# configured without sanitizers:
#
#   sh "$srcdir/tests/valgrind.sh"
#
# First the shell tests, with every binary they run wrapped in valgrind
# (KS_VALGRIND in tests/lib.sh): an invalid read or write, a use of
# uninitialised memory or a definite or indirect leak fails the test.
# Then the Check suites in one process (CK_FORK=no, so valgrind sees every
# test and Check's timeouts do not apply) under the same options. Exits
# non-zero if either part fails.
set -u
[ -f Makefile ] && [ -x kensho ] || { echo "valgrind.sh: run it from a built build directory" >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || { echo "valgrind.sh: valgrind is not installed" >&2; exit 77; }
srcdir=$(sed -n 's/^abs_top_srcdir = //p' Makefile)
rc=0
make check KS_VALGRIND=1 TESTS='$(SHELL_TESTS)' || rc=1
if [ -x tests/check_kensho ] || make tests/check_kensho >/dev/null; then
	echo "==> the Check suites under valgrind"
	if CK_FORK=no KS_SRCDIR=$srcdir KS_BUILDDIR=$(pwd) valgrind -q --tool=memcheck \
		--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect ${KS_VALGRIND_OPTS:-} tests/check_kensho \
		> tests/check_kensho-valgrind.log 2>&1; then
		tail -n 1 tests/check_kensho-valgrind.log
	else
		rc=1
		tail -n 40 tests/check_kensho-valgrind.log
		echo "FAIL: the Check suites under valgrind (tests/check_kensho-valgrind.log)"
	fi
fi
exit $rc
