/* Placeholder until the train module lands. */
typedef int ks_train_placeholder;
