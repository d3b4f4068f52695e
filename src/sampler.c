/* Placeholder until the sampler module lands. */
typedef int ks_sampler_placeholder;
