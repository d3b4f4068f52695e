/* Placeholder until the corpus module lands. */
typedef int ks_corpus_placeholder;
