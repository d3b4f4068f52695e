/* Placeholder until the corpus suite lands. */
#include "suites.h"

Suite *
ks_suite_corpus(void)
{
	return suite_create("corpus");
}
