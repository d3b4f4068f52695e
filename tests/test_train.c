/* Placeholder until the train suite lands. */
#include "suites.h"

Suite *
ks_suite_train(void)
{
	return suite_create("train");
}
