/* Placeholder until the vecfile suite lands. */
#include "suites.h"

Suite *
ks_suite_vecfile(void)
{
	return suite_create("vecfile");
}
