/* Placeholder until the vocab suite lands. */
#include "suites.h"

Suite *
ks_suite_vocab(void)
{
	return suite_create("vocab");
}
