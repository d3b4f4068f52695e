/* Placeholder until the config suite lands. */
#include "suites.h"

Suite *
ks_suite_config(void)
{
	return suite_create("config");
}
