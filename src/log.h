/*
 * Messages from the library to whoever runs it.
 *
 * The library never prints by itself: it hands each message (progress,
 * warnings, summaries) to a callback the tool supplies, with a level. A
 * NULL callback silences everything, which is what tests usually want.
 */
#ifndef KS_LOG_H
#define KS_LOG_H

enum ks_log_level {
	KS_LOG_WARN = 0,	/* something the user must know */
	KS_LOG_INFO = 1,	/* summaries: vocabulary, final figures */
	KS_LOG_PROGRESS = 2,	/* the once-a-second progress line */
	KS_LOG_DEBUG = 3	/* details for developers */
};

struct ks_log {
	/* Receives one message without a trailing newline. */
	void (*fn)(void *ctx, enum ks_log_level level, const char *msg);
	void *ctx;
	int max_level;		/* messages above this level are dropped */
};

/* Formats and sends a message if log is set and the level passes. */
void ks_log(const struct ks_log *log, enum ks_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
