/* Status names, messages and exit codes. */
#include <string.h>

#include "status.h"
#include "suites.h"

START_TEST(test_names_and_codes)
{
	struct ks_err err;

	ck_assert_str_eq(ks_status_name(KS_OK), "KS_OK");
	ck_assert_str_eq(ks_status_name(KS_ERR_OPEN), "KS_ERR_OPEN");
	ck_assert_str_eq(ks_status_name(12345), "KS_UNKNOWN");
	ck_assert_str_eq(ks_status_str(KS_ERR_USAGE), "invalid command line");
	ck_assert_int_eq(ks_status_exit_code(KS_OK), 0);
	ck_assert_int_eq(ks_status_exit_code(KS_ERR_USAGE), 2);
	ck_assert_int_eq(ks_status_exit_code(KS_ERR_LIMIT), 13);
	ck_assert_int_eq(ks_err_set(&err, KS_ERR_FORMAT, "%s:%d: bad", "f", 3), KS_ERR_FORMAT);
	ck_assert_int_eq(err.status, KS_ERR_FORMAT);
	ck_assert_str_eq(err.msg, "f:3: bad");
	ks_err_errno(&err, KS_ERR_OPEN, 2, "%s", "x");
	ck_assert_str_eq(err.msg, "x: No such file or directory");
}
END_TEST

Suite *
ks_suite_status(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names_and_codes);
	suite_add_tcase(s, tc);
	return s;
}
