/* Placeholder until the kernels module lands. */
typedef int ks_kernels_placeholder;
