/* Placeholder until the kernels suite lands. */
#include "suites.h"

Suite *
ks_suite_kernels(void)
{
	return suite_create("kernels");
}
