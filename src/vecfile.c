/* Placeholder until the vecfile module lands. */
typedef int ks_vecfile_placeholder;
