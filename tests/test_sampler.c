/* Placeholder until the sampler suite lands. */
#include "suites.h"

Suite *
ks_suite_sampler(void)
{
	return suite_create("sampler");
}
