/* Placeholder until the eval module lands. */
typedef int ks_eval_placeholder;
