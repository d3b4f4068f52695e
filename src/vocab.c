/* Placeholder until the vocab module lands. */
typedef int ks_vocab_placeholder;
