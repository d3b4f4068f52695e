/* Placeholder until the eval suite lands. */
#include "suites.h"

Suite *
ks_suite_eval(void)
{
	return suite_create("eval");
}
