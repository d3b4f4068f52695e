/* Placeholder until the config module lands. */
typedef int ks_config_placeholder;
