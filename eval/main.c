#include <stdio.h>
int main(void) { fputs("kensho: not built yet\n", stderr); return 1; }
