/*
 * The corpus reader: plain, gzip, multi-member gzip and standard input give
 * the same tokens; tokens survive block boundaries and short pipe reads;
 * over-long tokens are skipped whole; bad inputs fail with the file named.
 *
 * Most tests compare the reader's whole output with a deliberately naive
 * reference tokenizer written from corpus.h's contract. Output is rendered
 * as text, one line per event ("W<bytes>" for a word, "|" for the end of a
 * sentence), so a mismatch is reported at its first differing byte. The
 * randomized texts come from a generator with fixed seeds, so any failure
 * replays exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "corpus.h"
#include "suites.h"

/*
 * Check's assertions report every success to the parent process (a system
 * call each), so loops over many tokens test plainly and abort on failure.
 */
#define FAIL_IF(cond, ...) \
	do { \
		if (cond) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* The reader's block size, mirrored only to aim fixtures at its edges. */
#define BLOCK (256 * 1024)

/* A directory for one test and paths inside it. */
struct tmp {
	char dir[256];
	char path[8][512];
	int n;
};

static void
tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "%s", ks_test_tmpdir());
	t->n = 0;
}

/* A path in the test directory; each call returns a fresh slot (8 at most). */
static const char *
tmp_file(struct tmp *t, const char *name)
{
	char buf[sizeof(t->path[0])];
	char *p;

	ck_assert_int_lt(t->n, 8);
	snprintf(buf, sizeof(buf), "%s/%s", t->dir, name);
	p = t->path[t->n++];
	memcpy(p, buf, sizeof(buf));
	return p;
}

/* Removes the files made by tmp_file and the directory. */
static void
tmp_done(struct tmp *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		unlink(t->path[i]);
	ck_assert_int_eq(rmdir(t->dir), 0);
}

static void
append_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "ab");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Writes data as one gzip member; mode "ab" appends a new member. */
static void
write_gz(const char *path, const char *mode, const void *data, size_t len)
{
	gzFile gz = gzopen(path, mode);

	ck_assert_ptr_nonnull(gz);
	if (len > 0)
		ck_assert_int_eq(gzwrite(gz, data, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(gz), Z_OK);
}

/* A growable byte string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sbuf_add(struct sbuf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		FAIL_IF(b->s == NULL, "out of memory");
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
}

static void
sbuf_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static void
emit_word(struct sbuf *b, const void *word, size_t len)
{
	sbuf_add(b, "W", 1);
	sbuf_add(b, word, len);
	sbuf_add(b, "\n", 1);
}

static void
emit_eos(struct sbuf *b)
{
	sbuf_add(b, "|\n", 2);
}

/*
 * The reference tokenizer for one input, straight from the contract:
 * one byte at a time, no buffers. Counts into st as the reader should.
 */
static void
ref_tokens(const unsigned char *text, size_t len, struct sbuf *out,
	   struct ks_corpus_stats *st)
{
	static const char space[] = " \t\r\n\v\f";
	size_t i = 0, j;
	int open = 0;

	/* A UTF-8 byte-order mark opening the input is no text. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	while (i < len) {
		/* strchr finds the terminator for '\0', which separates too. */
		if (strchr(space, text[i]) != NULL) {
			if (text[i] == '\n' && open) {
				emit_eos(out);
				st->sentences++;
				open = 0;
			}
			i++;
			continue;
		}
		for (j = i; j < len && strchr(space, text[j]) == NULL; j++)
			;
		if (j - i == 4 && memcmp(text + i, "</s>", 4) == 0) {
			/* The sentence marker is a newline. */
			if (open) {
				emit_eos(out);
				st->sentences++;
				open = 0;
			}
		} else if (j - i <= KS_MAX_WORD_BYTES) {
			emit_word(out, text + i, j - i);
			st->words++;
			open = 1;
		} else {
			st->long_tokens++;
		}
		i = j;
	}
	if (open) {
		emit_eos(out);
		st->sentences++;
	}
	st->bytes += len;
}

/*
 * How a test reads: token by token (many == 0) or up to many tokens per
 * ks_corpus_next_many, and with or without the read-ahead thread.
 */
struct style {
	size_t many;
	int ahead;
};

static const struct style plainly = { 0, 0 };

/* Every style the reader must agree with itself in. */
static const struct style styles[] = {
	{ 0, 0 }, { 1, 0 }, { 3, 0 }, { 1024, 0 }, { 0, 1 }, { 2, 1 }, { 1024, 1 }
};

#define N_STYLES (sizeof(styles) / sizeof(styles[0]))

static void
emit_token(struct sbuf *out, int kind, const struct ks_token *tok)
{
	if (kind == KS_TOK_WORD) {
		FAIL_IF(tok->len == 0 || tok->len > KS_MAX_WORD_BYTES,
			"bad token length %zu", tok->len);
		emit_word(out, tok->bytes, tok->len);
	} else {
		FAIL_IF(kind != KS_TOK_EOS, "unknown token kind %d", kind);
		emit_eos(out);
	}
}

/*
 * Reads c to its end (or first error) into out, in style st. Returns
 * KS_OK or the error, after checking that the error and EOF are both
 * sticky. A batch is rendered only after the call that returned it, so
 * a token that the call itself overwrote shows up as a difference.
 */
static int
drain_as(struct ks_corpus *c, struct style st, struct sbuf *out, struct ks_err *err)
{
	struct ks_token toks[1024];
	size_t n, i;
	int kind;

	if (st.many == 0) {
		while ((kind = ks_corpus_next(c, &toks[0], err)) > 0)
			emit_token(out, kind, &toks[0]);
		FAIL_IF(ks_corpus_next(c, &toks[0], err) != kind, "status %d is not sticky", kind);
		return kind;
	}
	while ((kind = ks_corpus_next_many(c, toks, st.many, &n, err)) > 0) {
		FAIL_IF(kind != KS_TOK_WORD || n == 0 || n > st.many,
			"next_many returned %d with %zu tokens of %zu", kind, n, st.many);
		for (i = 0; i < n; i++)
			emit_token(out, toks[i].len > 0 ? KS_TOK_WORD : KS_TOK_EOS, &toks[i]);
	}
	FAIL_IF(n != 0, "next_many returned %d with %zu tokens", kind, n);
	FAIL_IF(ks_corpus_next_many(c, toks, st.many, &n, err) != kind, "status %d is not sticky",
		kind);
	return kind;
}

static int
drain(struct ks_corpus *c, struct sbuf *out, struct ks_err *err)
{
	return drain_as(c, plainly, out, err);
}

/* Opens paths, reads them all into out in style st and closes; returns the status. */
static int
read_all_as(const char *const *paths, size_t n, struct style st, struct sbuf *out,
	    struct ks_corpus_stats *stats, struct ks_err *err)
{
	struct ks_corpus *c;
	int rc;

	rc = ks_corpus_open(&c, paths, n, err);
	if (rc != KS_OK) {
		ck_assert_ptr_null(c);
		return rc;
	}
	ks_corpus_read_ahead(c, st.ahead);
	rc = drain_as(c, st, out, err);
	if (stats != NULL)
		ks_corpus_stats(c, stats);
	ks_corpus_close(c);
	return rc;
}

static int
read_all(const char *const *paths, size_t n, struct sbuf *out, struct ks_corpus_stats *st,
	 struct ks_err *err)
{
	return read_all_as(paths, n, plainly, out, st, err);
}

static int
read_one(const char *path, struct sbuf *out, struct ks_corpus_stats *st, struct ks_err *err)
{
	return read_all(&path, 1, out, st, err);
}

/* Fails at the first byte where got differs from want. */
static void
same_tokens(const struct sbuf *got, const struct sbuf *want, const char *what)
{
	size_t i, n = got->len < want->len ? got->len : want->len;

	for (i = 0; i < n && got->s[i] == want->s[i]; i++)
		;
	FAIL_IF(i < n || got->len != want->len,
		"%s: tokens differ at output byte %zu of %zu/%zu: got \"%.40s\", want \"%.40s\"",
		what, i, got->len, want->len, got->s + i, want->s + i);
}

static void
same_stats(const struct ks_corpus_stats *got, const struct ks_corpus_stats *want,
	   const char *what)
{
	FAIL_IF(got->words != want->words || got->sentences != want->sentences ||
		got->long_tokens != want->long_tokens || got->bytes != want->bytes,
		"%s: stats words %llu sentences %llu long %llu bytes %llu, "
		"want %llu %llu %llu %llu", what,
		(unsigned long long)got->words, (unsigned long long)got->sentences,
		(unsigned long long)got->long_tokens, (unsigned long long)got->bytes,
		(unsigned long long)want->words, (unsigned long long)want->sentences,
		(unsigned long long)want->long_tokens, (unsigned long long)want->bytes);
}

/*
 * Reads path in every style and checks tokens and statistics against the
 * reference on text.
 */
static void
check_file(const char *path, const void *text, size_t len, const char *what)
{
	struct sbuf got = { 0 }, want = { 0 };
	struct ks_corpus_stats gs, ws;
	struct ks_err err;
	char how[160];
	size_t k;
	int rc;

	memset(&ws, 0, sizeof(ws));
	ref_tokens(text, len, &want, &ws);
	for (k = 0; k < N_STYLES; k++) {
		snprintf(how, sizeof(how), "%s (%zu at a time, read-ahead %d)", what,
			 styles[k].many, styles[k].ahead);
		got.len = 0;
		/* Standard input redirected from a file is read again from its start. */
		if (strcmp(path, "-") == 0)
			ck_assert_int_eq(lseek(STDIN_FILENO, 0, SEEK_SET), 0);
		rc = read_all_as(&path, 1, styles[k], &got, &gs, &err);
		FAIL_IF(rc != KS_OK, "%s: %s", how, err.msg);
		same_tokens(&got, &want, how);
		same_stats(&gs, &ws, how);
	}
	sbuf_free(&got);
	sbuf_free(&want);
}

/* Makes path the process's standard input, returning the old one. */
static int
stdin_from_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int saved = dup(STDIN_FILENO);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fileno(f), STDIN_FILENO), STDIN_FILENO);
	fclose(f);
	return saved;
}

static void
stdin_restore(int saved)
{
	ck_assert_int_eq(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/*
 * Starts a child that writes data into a pipe in chunks of 1 to 13 bytes,
 * so the reader sees short reads that cut tokens (and the gzip magic)
 * anywhere. Returns the read end; *child is the writer's pid.
 */
static int
pipe_feeder(const void *data, size_t len, pid_t *child)
{
	int fds[2];
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const unsigned char *p = data;
		size_t off = 0, step = 0;

		close(fds[0]);
		while (off < len) {
			size_t n = 1 + step++ % 13;
			ssize_t w;

			if (n > len - off)
				n = len - off;
			w = write(fds[1], p + off, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	*child = pid;
	return fds[0];
}

static void
pipe_wait(pid_t child)
{
	int status;

	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Reads data through a chunked pipe on standard input and checks it, with
 * and without the read-ahead thread.
 */
static void
check_pipe(const void *data, size_t len, const void *text, size_t text_len, const char *what)
{
	static const char *const stdin_path = "-";
	struct sbuf got = { 0 }, want = { 0 };
	struct ks_corpus_stats gs, ws;
	struct ks_err err;
	pid_t child;
	int saved, fd, rc, ahead;

	memset(&ws, 0, sizeof(ws));
	ref_tokens(text, text_len, &want, &ws);
	for (ahead = 0; ahead < 2; ahead++) {
		struct style st = { 0, ahead };

		saved = dup(STDIN_FILENO);
		ck_assert_int_ge(saved, 0);
		fd = pipe_feeder(data, len, &child);
		ck_assert_int_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
		close(fd);
		got.len = 0;
		rc = read_all_as(&stdin_path, 1, st, &got, &gs, &err);
		stdin_restore(saved);
		pipe_wait(child);
		FAIL_IF(rc != KS_OK, "%s (read-ahead %d): %s", what, ahead, err.msg);
		same_tokens(&got, &want, what);
		same_stats(&gs, &ws, what);
	}
	sbuf_free(&got);
	sbuf_free(&want);
}

/* xorshift64*: a small generator whose seed reproduces a failing text. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static size_t
rng_below(uint64_t *s, size_t n)
{
	return (size_t)(rng_next(s) % n);
}

/*
 * About len bytes of text: mostly short ASCII and UTF-8 words, every
 * separator byte (runs of them too), empty lines, tokens at and just over
 * the length limit, and now and then one longer than a read block.
 */
static unsigned char *
random_text(uint64_t seed, size_t len, size_t *out_len)
{
	static const char *const utf8[] = { "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xce\xa9" };
	/* The separators: the six whitespace bytes and NUL. */
	static const char space[7] = " \t\r\n\v\f";
	size_t cap = len + 2 * BLOCK + 4 * KS_MAX_WORD_BYTES, n = 0, i, k;
	unsigned char *t = malloc(cap);
	uint64_t s = seed ? seed : 1;

	ck_assert_ptr_nonnull(t);
	while (n < len) {
		size_t r = rng_below(&s, 20000), wl;

		if (r < 1)
			wl = BLOCK + rng_below(&s, BLOCK);
		else if (r < 100)
			wl = KS_MAX_WORD_BYTES - 2 + rng_below(&s, 5);
		else
			wl = 1 + rng_below(&s, 14);
		for (i = 0; i < wl; ) {
			if (rng_below(&s, 8) == 0) {
				const char *u = utf8[rng_below(&s, 4)];
				size_t ul = strlen(u);

				if (i + ul > wl)
					break;
				memcpy(t + n + i, u, ul);
				i += ul;
			} else {
				t[n + i++] = (unsigned char)('a' + rng_below(&s, 26));
			}
		}
		n += i;
		k = rng_below(&s, 20) == 0 ? 1 + rng_below(&s, 4) : 1;
		while (k-- > 0)
			t[n++] = (unsigned char)(rng_below(&s, 8) == 0 ? '\n'
						 : space[rng_below(&s, 7)]);
	}
	ck_assert_uint_le(n, cap);
	*out_len = n;
	return t;
}

START_TEST(test_basic_stream)
{
	static const char text[] = "the cat\n\nsat  on\tthe\vmat\f\r\nend";
	static const char want[] = "Wthe\nWcat\n|\nWsat\nWon\nWthe\nWmat\n|\nWend\n|\n";
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *path;

	tmp_init(&t);
	path = tmp_file(&t, "basic.txt");
	ks_test_write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, want);
	ck_assert_uint_eq(st.words, 7);
	ck_assert_uint_eq(st.sentences, 3);
	ck_assert_uint_eq(st.long_tokens, 0);
	ck_assert_uint_eq(st.bytes, sizeof(text) - 1);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/* Each of the six whitespace bytes separates; only \n ends a sentence. */
START_TEST(test_whitespace_bytes)
{
	static const char text[] = "a\tb\vc\fd\re f\ng\x01h\xa0i\n";
	static const char want[] = "Wa\nWb\nWc\nWd\nWe\nWf\n|\nWg\x01h\xa0i\n|\n";
	struct sbuf got = { 0 };
	struct ks_err err;
	struct tmp t;
	const char *path;

	tmp_init(&t);
	path = tmp_file(&t, "ws.txt");
	ks_test_write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(read_one(path, &got, NULL, &err), KS_OK);
	ck_assert_str_eq(got.s, want);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/*
 * NUL separates words as a blank does (it is no sentence end), so no word
 * holds one: "a\0b" is a and b, and runs of NULs are one separator.
 */
START_TEST(test_nul_separates)
{
	static const char text[] = "a\0b\0\0c\n\0\nd\0";
	static const char want[] = "Wa\nWb\nWc\n|\nWd\n|\n";
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *path;

	tmp_init(&t);
	path = tmp_file(&t, "nul.txt");
	ks_test_write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, want);
	ck_assert_uint_eq(st.words, 4);
	ck_assert_uint_eq(st.sentences, 2);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/* CRLF line ends: \r is whitespace, so nothing keeps a trailing \r. */
START_TEST(test_crlf)
{
	static const char text[] = "a b\r\nc\r\n\r\nd\r";
	static const char want[] = "Wa\nWb\n|\nWc\n|\nWd\n|\n";
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *path;

	tmp_init(&t);
	path = tmp_file(&t, "crlf.txt");
	ks_test_write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, want);
	ck_assert_uint_eq(st.sentences, 3);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/* Empty lines give no sentences; the last word needs no final newline. */
START_TEST(test_empty_lines_and_no_final_newline)
{
	static const char text[] = "\n\n  \nfirst\n\n\n second  third \n \n\nlast";
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *path;

	tmp_init(&t);
	path = tmp_file(&t, "lines.txt");
	ks_test_write_file(path, text, sizeof(text) - 1);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, "Wfirst\n|\nWsecond\nWthird\n|\nWlast\n|\n");
	ck_assert_uint_eq(st.words, 4);
	ck_assert_uint_eq(st.sentences, 3);
	sbuf_free(&got);

	/* Nothing at all, or only whitespace: EOF straight away, and again. */
	ks_test_write_file(path, "", 0);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_uint_eq(got.len, 0);
	ck_assert_uint_eq(st.sentences, 0);
	ks_test_write_file(path, " \n\r\n\t\n", 6);
	ck_assert_int_eq(read_one(path, &got, &st, &err), KS_OK);
	ck_assert_uint_eq(got.len, 0);
	ck_assert_uint_eq(st.words, 0);
	ck_assert_uint_eq(st.sentences, 0);
	ck_assert_uint_eq(st.bytes, 6);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/* Several inputs: words never join across files, each file ends a sentence. */
START_TEST(test_multiple_inputs)
{
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *paths[6];

	tmp_init(&t);
	paths[0] = tmp_file(&t, "a.txt");
	paths[1] = tmp_file(&t, "b.txt");
	paths[2] = tmp_file(&t, "empty.txt");
	paths[3] = tmp_file(&t, "c.txt");
	paths[4] = tmp_file(&t, "d.gz");
	paths[5] = tmp_file(&t, "e.gz");
	ks_test_write_file(paths[0], "abc", 3);
	ks_test_write_file(paths[1], "def\nghi", 7);
	ks_test_write_file(paths[2], "", 0);
	ks_test_write_file(paths[3], "\n\njkl\n", 6);
	write_gz(paths[4], "wb", "mno pqr", 7);
	write_gz(paths[5], "wb", "", 0);
	ck_assert_int_eq(read_all(paths, 6, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, "Wabc\n|\nWdef\n|\nWghi\n|\nWjkl\n|\nWmno\nWpqr\n|\n");
	ck_assert_uint_eq(st.words, 6);
	ck_assert_uint_eq(st.sentences, 5);
	ck_assert_uint_eq(st.bytes, 3 + 7 + 0 + 6 + 7);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/*
 * The same text as a plain file, gzip, gzip in two members split inside a
 * word, plain and gzip on standard input, and gzip through a pipe in tiny
 * writes: every reader gives the reference tokens and statistics.
 */
START_TEST(test_reader_equivalence)
{
	const uint64_t seed = 20240611;
	struct tmp t;
	const char *plain, *gz, *multi;
	unsigned char *text, *gz_bytes;
	size_t len, gz_len, cut;
	int saved;

	tmp_init(&t);
	text = random_text(seed, 300000, &len);
	plain = tmp_file(&t, "plain.txt");
	gz = tmp_file(&t, "text.gz");
	multi = tmp_file(&t, "multi.gz");
	ks_test_write_file(plain, text, len);
	write_gz(gz, "wb6", text, len);
	/* Cut inside a word: members are one byte stream, so it must rejoin. */
	for (cut = len / 3; cut < len && strchr(" \t\r\n\v\f", text[cut]) != NULL; cut++)
		;
	write_gz(multi, "wb1", text, cut + 1);
	write_gz(multi, "ab9", text + cut + 1, len - cut - 1);

	check_file(plain, text, len, "plain");
	check_file(gz, text, len, "gzip");
	check_file(multi, text, len, "two gzip members");
	saved = stdin_from_file(plain);
	check_file("-", text, len, "plain on stdin");
	stdin_restore(saved);
	saved = stdin_from_file(multi);
	check_file("-", text, len, "gzip on stdin");
	stdin_restore(saved);
	gz_bytes = ks_test_slurp(gz, &gz_len);
	check_pipe(gz_bytes, gz_len, text, len, "gzip through a pipe");
	check_pipe(text, 40000, text, 40000, "plain through a pipe");
	free(gz_bytes);
	free(text);
	tmp_done(&t);
}
END_TEST

/*
 * A UTF-8 byte-order mark opening an input is skipped, plain or inflated,
 * whole or in pieces (two gzip members split inside it, a pipe written a
 * few bytes at a time); anywhere else it is text. The token </s> ends a
 * sentence as a newline does, and </s>x or x</s> are words.
 */
START_TEST(test_bom_and_sentence_marker)
{
	static const char text[] = "\xef\xbb\xbf" "a b </s> c\n</s>\n</s> d </s></s> e\n"
		"x</s> </s>y \xef\xbb\xbf f\n";
	static const char want[] = "Wa\nWb\n|\nWc\n|\nWd\nW</s></s>\nWe\n|\n"
		"Wx</s>\nW</s>y\nW\xef\xbb\xbf\nWf\n|\n";
	const size_t len = sizeof(text) - 1;
	struct sbuf got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *plain, *gz, *multi;
	int saved;

	tmp_init(&t);
	plain = tmp_file(&t, "bom.txt");
	ks_test_write_file(plain, text, len);
	ck_assert_int_eq(read_one(plain, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, want);
	ck_assert_uint_eq(st.bytes, len - 3);
	gz = tmp_file(&t, "bom.gz");
	write_gz(gz, "wb6", text, len);
	multi = tmp_file(&t, "bom2.gz");
	write_gz(multi, "wb1", text, 2);
	write_gz(multi, "ab9", text + 2, len - 2);
	check_file(plain, text, len, "byte-order mark");
	check_file(gz, text, len, "byte-order mark in gzip");
	check_file(multi, text, len, "byte-order mark across gzip members");
	saved = stdin_from_file(plain);
	check_file("-", text, len, "byte-order mark on stdin");
	stdin_restore(saved);
	check_pipe(text, len, text, len, "byte-order mark through a pipe");
	/* A file of the mark alone holds nothing; two bytes of it are a word. */
	ks_test_write_file(plain, "\xef\xbb\xbf", 3);
	ck_assert_int_eq(read_one(plain, &got, &st, &err), KS_OK);
	ck_assert_uint_eq(st.words, 0);
	ck_assert_uint_eq(st.bytes, 0);
	ks_test_write_file(plain, "\xef\xbb", 2);
	got.len = 0;
	ck_assert_int_eq(read_one(plain, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, "W\xef\xbb\n|\n");
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

/*
 * A lone input (ks_input, what -read-vocab reads through) gives the bytes
 * of the text: plain, gzip, on standard input, a leading byte-order mark
 * dropped; the end is sticky; open errors name the file.
 */
START_TEST(test_lone_input)
{
	static const char text[] = "\xef\xbb\xbfthe 5\nof 3\n";
	struct ks_input *in;
	struct ks_err err;
	struct tmp t;
	const char *plain, *gz;
	char buf[64];
	size_t got, k;
	int saved;

	tmp_init(&t);
	plain = tmp_file(&t, "v.txt");
	gz = tmp_file(&t, "v.gz");
	ks_test_write_file(plain, text, sizeof(text) - 1);
	write_gz(gz, "wb6", text, sizeof(text) - 1);
	for (k = 0; k < 3; k++) {
		const char *path = k == 0 ? plain : k == 1 ? gz : "-";
		size_t len = 0;

		saved = k == 2 ? stdin_from_file(gz) : -1;
		ck_assert_int_eq(ks_input_open(&in, path, &err), KS_OK);
		ck_assert_str_eq(ks_input_name(in), k == 2 ? "standard input" : path);
		do {
			ck_assert_int_eq(ks_input_read(in, buf + len, 3, &got, &err), KS_OK);
			len += got;
		} while (got > 0);
		ck_assert_uint_eq(len, sizeof(text) - 4);
		ck_assert_int_eq(memcmp(buf, text + 3, len), 0);
		ck_assert_int_eq(ks_input_read(in, buf, sizeof(buf), &got, &err), KS_OK);
		ck_assert_uint_eq(got, 0);
		ks_input_close(in);
		if (saved >= 0)
			stdin_restore(saved);
	}
	ck_assert_int_eq(ks_input_open(&in, tmp_file(&t, "missing"), &err), KS_ERR_OPEN);
	ck_assert_ptr_null(in);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing"));
	ck_assert_int_eq(ks_input_open(&in, t.dir, &err), KS_ERR_OPEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
	ks_input_close(NULL);
	tmp_done(&t);
}
END_TEST

/*
 * More than 1 MB of random text, plain and gzip, against the reference:
 * hundreds of tokens cross the reader's block edges. The second half aims
 * at the edges on purpose: a token of exactly the limit across the first,
 * one byte over it across the second, a word ending on the last byte of
 * the third block and a word starting on the first byte of the fifth.
 */
START_TEST(test_block_boundaries)
{
	uint64_t seed = 7;
	struct tmp t;
	const char *plain, *gz;
	unsigned char *text;
	size_t len, i;

	tmp_init(&t);
	plain = tmp_file(&t, "big.txt");
	gz = tmp_file(&t, "big.gz");
	for (seed = 7; seed < 9; seed++) {
		char what[64];

		text = random_text(seed, (5 << 20) / 4, &len);
		ck_assert_uint_gt(len, 1 << 20);
		ks_test_write_file(plain, text, len);
		write_gz(gz, "wb1", text, len);
		snprintf(what, sizeof(what), "plain, seed %llu", (unsigned long long)seed);
		check_file(plain, text, len, what);
		snprintf(what, sizeof(what), "gzip, seed %llu", (unsigned long long)seed);
		check_file(gz, text, len, what);
		free(text);
	}

	len = 5 * BLOCK + 100;
	text = malloc(len);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < len; i++)
		text[i] = i % 7 == 6 ? ' ' : (unsigned char)('a' + i % 7);
	memset(text + BLOCK - 500, 'L', KS_MAX_WORD_BYTES);
	text[BLOCK - 501] = ' ';
	text[BLOCK + 500] = ' ';
	memset(text + 2 * BLOCK - 500, 'M', KS_MAX_WORD_BYTES + 1);
	text[2 * BLOCK - 501] = '\n';
	text[2 * BLOCK + 501] = '\n';
	memcpy(text + 3 * BLOCK - 6, " edge1", 6);
	text[3 * BLOCK] = ' ';
	memcpy(text + 4 * BLOCK - 1, "\nedge2 ", 7);
	ks_test_write_file(plain, text, len);
	check_file(plain, text, len, "aimed at block edges");
	free(text);
	tmp_done(&t);
}
END_TEST

/*
 * Tokens over the limit vanish whole, even one longer than two read
 * blocks or one at the very end of the input, and the UTF-8 text around
 * them comes through untouched.
 */
START_TEST(test_long_tokens)
{
	struct sbuf text = { 0 }, want = { 0 }, got = { 0 };
	struct ks_corpus_stats st;
	struct ks_err err;
	struct tmp t;
	const char *plain, *gz;
	char *x;
	size_t i;

	tmp_init(&t);
	plain = tmp_file(&t, "long.txt");
	gz = tmp_file(&t, "long.gz");
	x = malloc(3 * BLOCK);
	ck_assert_ptr_nonnull(x);

	sbuf_add(&text, "na\xc3\xafve caf\xc3\xa9\n", 13);
	emit_word(&want, "na\xc3\xafve", 6);
	emit_word(&want, "caf\xc3\xa9", 5);
	emit_eos(&want);
	memset(x, 'x', KS_MAX_WORD_BYTES);
	sbuf_add(&text, x, KS_MAX_WORD_BYTES);		/* kept: exactly the limit */
	emit_word(&want, x, KS_MAX_WORD_BYTES);
	sbuf_add(&text, " ", 1);
	memset(x, 'y', KS_MAX_WORD_BYTES + 1);
	sbuf_add(&text, x, KS_MAX_WORD_BYTES + 1);	/* skipped: one over */
	sbuf_add(&text, "\n\xe6\x97\xa5\xe6\x9c\xac \xce\xa9", 10);
	emit_eos(&want);
	emit_word(&want, "\xe6\x97\xa5\xe6\x9c\xac", 6);
	emit_word(&want, "\xce\xa9", 2);
	sbuf_add(&text, " ", 1);
	memset(x, 'z', 2 * BLOCK + 12345);
	sbuf_add(&text, x, 2 * BLOCK + 12345);		/* skipped: over two blocks */
	sbuf_add(&text, " \xe2\x89\x88\xc3\xa7\n", 7);
	emit_word(&want, "\xe2\x89\x88\xc3\xa7", 5);
	emit_eos(&want);
	for (i = 0; i < 501; i++)
		memcpy(x + 2 * i, "\xc3\xa9", 2);
	sbuf_add(&text, x, 1002);			/* skipped: 501 two-byte chars */
	sbuf_add(&text, "\n\nend ", 6);
	emit_word(&want, "end", 3);
	memset(x, 'w', 2000);
	sbuf_add(&text, x, 2000);			/* skipped: at the end of input */
	emit_eos(&want);

	ks_test_write_file(plain, text.s, text.len);
	write_gz(gz, "wb", text.s, text.len);
	ck_assert_int_eq(read_one(plain, &got, &st, &err), KS_OK);
	same_tokens(&got, &want, "plain");
	ck_assert_uint_eq(st.long_tokens, 4);
	ck_assert_uint_eq(st.words, 7);
	ck_assert_uint_eq(st.sentences, 4);
	ck_assert_uint_eq(st.bytes, text.len);
	got.len = 0;
	ck_assert_int_eq(read_one(gz, &got, &st, &err), KS_OK);
	same_tokens(&got, &want, "gzip");
	ck_assert_uint_eq(st.long_tokens, 4);
	check_pipe(text.s, text.len, text.s, text.len, "plain through a pipe");
	check_file(plain, text.s, text.len, "long tokens, plain");
	check_file(gz, text.s, text.len, "long tokens, gzip");

	/* A line holding only an over-long token is no sentence. */
	memset(x, 'q', KS_MAX_WORD_BYTES + 1);
	memcpy(x + KS_MAX_WORD_BYTES + 1, "\nok\n", 4);
	ks_test_write_file(plain, x, KS_MAX_WORD_BYTES + 5);
	got.len = 0;
	ck_assert_int_eq(read_one(plain, &got, &st, &err), KS_OK);
	ck_assert_str_eq(got.s, "Wok\n|\n");
	ck_assert_uint_eq(st.sentences, 1);
	ck_assert_uint_eq(st.long_tokens, 1);

	free(x);
	sbuf_free(&text);
	sbuf_free(&want);
	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

START_TEST(test_open_errors)
{
	struct ks_corpus *c;
	struct ks_err err;
	struct tmp t;
	const char *paths[2];
	size_t k;

	tmp_init(&t);
	paths[0] = tmp_file(&t, "ok.txt");
	paths[1] = tmp_file(&t, "missing.txt");
	ks_test_write_file(paths[0], "fine\n", 5);

	/* The second input is missing: reported at open, before any reading. */
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_ERR_OPEN);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err.msg, paths[1]));
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));

	paths[1] = t.dir;
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_ERR_OPEN);
	ck_assert_ptr_nonnull(strstr(err.msg, t.dir));
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));

	if (geteuid() != 0) {
		paths[1] = tmp_file(&t, "locked.txt");
		ks_test_write_file(paths[1], "secret\n", 7);
		ck_assert_int_eq(chmod(paths[1], 0), 0);
		ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_ERR_OPEN);
		ck_assert_ptr_nonnull(strstr(err.msg, "locked.txt"));
		ck_assert_ptr_nonnull(strstr(err.msg, "denied"));
	}

	/*
	 * A regular file replaced by something else before its turn (here a
	 * link to /dev/null) is an error when it is reopened, in every style:
	 * whether the corpus can be rewound was decided at the open.
	 */
	paths[1] = tmp_file(&t, "swapped.txt");
	ks_test_write_file(paths[1], "two\n", 4);
	for (k = 0; k < N_STYLES; k++) {
		struct sbuf got = { 0 };

		ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_OK);
		ks_corpus_read_ahead(c, styles[k].ahead);
		ck_assert_int_eq(unlink(paths[1]), 0);
		ck_assert_int_eq(symlink("/dev/null", paths[1]), 0);
		ck_assert_int_eq(drain_as(c, styles[k], &got, &err), KS_ERR_OPEN);
		ck_assert_ptr_nonnull(strstr(err.msg, "swapped.txt"));
		ck_assert_ptr_nonnull(strstr(err.msg, "not now"));
		ck_assert(ks_corpus_rewindable(c));
		ks_corpus_close(c);
		ck_assert_int_eq(unlink(paths[1]), 0);
		ks_test_write_file(paths[1], "two\n", 4);
		sbuf_free(&got);
	}

	paths[0] = "-";
	paths[1] = "-";
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "standard input"));
	ck_assert_int_eq(ks_corpus_open(&c, paths, 0, &err), KS_ERR_USAGE);
	ck_assert_ptr_null(c);
	ks_corpus_close(NULL);
	tmp_done(&t);
}
END_TEST

/* Reads path expecting failure with status; the message must name the file. */
static void
expect_read_error(const char *path, int status, const char *needle)
{
	struct sbuf got = { 0 };
	struct ks_err err;
	const char *base = strrchr(path, '/') + 1;
	size_t k;
	int rc;

	for (k = 0; k < N_STYLES; k++) {
		got.len = 0;
		rc = read_all_as(&path, 1, styles[k], &got, NULL, &err);
		FAIL_IF(rc != status, "%s, style %zu: status %d (%s), want %d", base, k, rc,
			err.msg, status);
		FAIL_IF(err.status != status, "%s: err.status %d", base, err.status);
		FAIL_IF(strstr(err.msg, base) == NULL, "message \"%s\" does not name %s", err.msg,
			base);
		FAIL_IF(strstr(err.msg, needle) == NULL, "message \"%s\" lacks \"%s\"", err.msg,
			needle);
	}
	sbuf_free(&got);
}

START_TEST(test_gzip_errors)
{
	struct sbuf ok = { 0 };
	struct ks_err err;
	struct tmp t;
	const char *src, *bad;
	unsigned char *text, *gz;
	size_t len, gz_len, i;

	tmp_init(&t);
	src = tmp_file(&t, "good.gz");
	bad = tmp_file(&t, "bad.gz");
	text = random_text(3, 200000, &len);
	write_gz(src, "wb6", text, len);
	gz = ks_test_slurp(src, &gz_len);
	ck_assert_uint_gt(gz_len, 1000);

	ks_test_write_file(bad, gz, gz_len / 2);
	expect_read_error(bad, KS_ERR_FORMAT, "truncated");
	/* Cut inside the 8-byte trailer: all text is out, the check is not. */
	ks_test_write_file(bad, gz, gz_len - 3);
	expect_read_error(bad, KS_ERR_FORMAT, "truncated");
	ks_test_write_file(bad, gz, 5);
	expect_read_error(bad, KS_ERR_FORMAT, "truncated");

	for (i = gz_len / 2; i < gz_len / 2 + 64; i++)
		gz[i] ^= 0x5a;
	ks_test_write_file(bad, gz, gz_len);
	expect_read_error(bad, KS_ERR_FORMAT, "corrupt gzip data");
	for (i = gz_len / 2; i < gz_len / 2 + 64; i++)
		gz[i] ^= 0x5a;
	gz[gz_len - 6] ^= 1;		/* the CRC-32 of the data */
	ks_test_write_file(bad, gz, gz_len);
	expect_read_error(bad, KS_ERR_FORMAT, "corrupt gzip data");
	gz[gz_len - 6] ^= 1;

	ks_test_write_file(bad, gz, gz_len);
	append_file(bad, "hello\n", 6);
	expect_read_error(bad, KS_ERR_FORMAT, "trailing garbage");
	ks_test_write_file(bad, gz, gz_len);
	append_file(bad, "\x1f", 1);
	expect_read_error(bad, KS_ERR_FORMAT, "trailing garbage");
	ks_test_write_file(bad, gz, gz_len);
	append_file(bad, text, 4096);
	expect_read_error(bad, KS_ERR_FORMAT, "trailing garbage");

	/* Zero padding after the last member is accepted, as gzip does. */
	memset(text, 0, BLOCK + 10);
	ks_test_write_file(bad, gz, gz_len);
	append_file(bad, text, BLOCK + 10);
	ck_assert_int_eq(read_one(bad, &ok, NULL, &err), KS_OK);
	ck_assert_uint_gt(ok.len, 0);
	append_file(bad, "z", 1);
	expect_read_error(bad, KS_ERR_FORMAT, "trailing garbage");

	sbuf_free(&ok);
	free(gz);
	free(text);
	tmp_done(&t);
}
END_TEST

/* A read error from the system is KS_ERR_READ naming the input. */
START_TEST(test_read_error)
{
	struct sbuf got = { 0 };
	struct ks_err err;
	const char *path = "/proc/self/mem";

	size_t k;

	/* Reading offset 0 of our own memory fails (EIO): nothing is mapped there. */
	if (access(path, R_OK) != 0)
		return;
	for (k = 0; k < N_STYLES; k++) {
		ck_assert_int_eq(read_all_as(&path, 1, styles[k], &got, NULL, &err), KS_ERR_READ);
		ck_assert_ptr_nonnull(strstr(err.msg, path));
	}
	sbuf_free(&got);
}
END_TEST

/* Reads c to its end and checks it gives first's tokens and s1's statistics. */
static void
check_again(struct ks_corpus *c, const struct sbuf *first, const struct ks_corpus_stats *s1,
	    const char *what)
{
	struct sbuf again = { 0 };
	struct ks_corpus_stats s2;
	struct ks_err err;

	ck_assert_int_eq(drain(c, &again, &err), KS_OK);
	ks_corpus_stats(c, &s2);
	same_tokens(&again, first, what);
	same_stats(&s2, s1, what);
	sbuf_free(&again);
}

/* Rewinding gives the same tokens and statistics, from any point. */
START_TEST(test_rewind)
{
	struct sbuf first = { 0 };
	struct ks_corpus_stats s1, s2;
	struct ks_corpus *c;
	struct ks_token tok;
	struct ks_err err;
	struct tmp t;
	const char *paths[2];
	unsigned char *text;
	size_t len;
	int i;

	tmp_init(&t);
	paths[0] = tmp_file(&t, "a.txt");
	paths[1] = tmp_file(&t, "b.gz");
	text = random_text(11, 400000, &len);
	ks_test_write_file(paths[0], text, len / 2);
	write_gz(paths[1], "wb1", text + len / 2, len - len / 2);
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_OK);
	ck_assert(ks_corpus_rewindable(c));
	ck_assert_int_eq(drain(c, &first, &err), KS_OK);
	ks_corpus_stats(c, &s1);
	ck_assert_uint_gt(s1.words, 1000);
	ck_assert_uint_eq(s1.bytes, len);

	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
	ks_corpus_stats(c, &s2);
	ck_assert_uint_eq(s2.words, 0);
	check_again(c, &first, &s1, "after a rewind at the end");

	/* Rewind in the middle of the gzip input, then in the first file. */
	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
	while (ks_corpus_stats(c, &s2), s2.words < s1.words - 10)
		ck_assert_int_gt(ks_corpus_next(c, &tok, &err), 0);
	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_gt(ks_corpus_next(c, &tok, &err), 0);
	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
	check_again(c, &first, &s1, "after a rewind in the middle");
	ks_corpus_close(c);

	sbuf_free(&first);
	free(text);
	tmp_done(&t);
}
END_TEST

/*
 * The read-ahead thread can be stopped anywhere: by a rewind or a close
 * while it waits for room, after it ended, or before it started. Turning
 * it on or off mid-way takes effect at the next rewind, and every pass
 * yields the same tokens.
 */
START_TEST(test_read_ahead_stops)
{
	struct sbuf first = { 0 };
	struct ks_corpus_stats s1;
	struct ks_corpus *c;
	struct ks_token tok;
	struct ks_err err;
	struct tmp t;
	const char *paths[3];
	unsigned char *text;
	size_t len, third;
	int i, pass;

	tmp_init(&t);
	paths[0] = tmp_file(&t, "a.gz");
	paths[1] = tmp_file(&t, "b.txt");
	paths[2] = tmp_file(&t, "c.gz");
	text = random_text(13, 6 * BLOCK, &len);
	third = len / 3;
	write_gz(paths[0], "wb1", text, third);
	ks_test_write_file(paths[1], text + third, third);
	write_gz(paths[2], "wb1", text + 2 * third, third / 2);
	write_gz(paths[2], "ab9", text + 2 * third + third / 2, len - 2 * third - third / 2);
	ck_assert_int_eq(ks_corpus_open(&c, paths, 3, &err), KS_OK);
	ck_assert_int_eq(drain(c, &first, &err), KS_OK);
	ks_corpus_stats(c, &s1);
	ck_assert_uint_eq(s1.bytes, len);

	for (pass = 0; pass < 4; pass++) {
		/* On, off, on, on: the thread is used on passes 0, 2 and 3. */
		ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
		ks_corpus_read_ahead(c, pass != 1);
		/* Stop it after a few tokens, while it waits with every block full. */
		for (i = 0; i < 5; i++)
			ck_assert_int_gt(ks_corpus_next(c, &tok, &err), 0);
		usleep(20000);
		ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
		/* Asked for mid-way, the opposite takes effect only at the next rewind. */
		for (i = 0; i < 5; i++)
			ck_assert_int_gt(ks_corpus_next(c, &tok, &err), 0);
		ks_corpus_read_ahead(c, pass == 1);
		ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_OK);
		check_again(c, &first, &s1, "after stopping the read-ahead thread");
		ks_corpus_read_ahead(c, pass != 1);
	}
	ks_corpus_close(c);

	/* Closed while it waits for room, and closed before it ever started. */
	ck_assert_int_eq(ks_corpus_open(&c, paths, 3, &err), KS_OK);
	ks_corpus_read_ahead(c, 1);
	ck_assert_int_gt(ks_corpus_next(c, &tok, &err), 0);
	usleep(20000);
	ks_corpus_close(c);
	ck_assert_int_eq(ks_corpus_open(&c, paths, 3, &err), KS_OK);
	ks_corpus_read_ahead(c, 1);
	ks_corpus_close(c);

	sbuf_free(&first);
	free(text);
	tmp_done(&t);
}
END_TEST

/* Standard input and pipes can be read once; rewinding them fails cleanly. */
START_TEST(test_rewind_refused)
{
	struct sbuf got = { 0 };
	struct ks_corpus *c;
	struct ks_err err;
	struct tmp t;
	const char *paths[2];
	char fd_path[64];
	int saved, fds[2];

	tmp_init(&t);
	paths[0] = tmp_file(&t, "a.txt");
	paths[1] = "-";
	ks_test_write_file(paths[0], "one two\n", 8);
	saved = stdin_from_file(paths[0]);
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_OK);
	ck_assert(!ks_corpus_rewindable(c));
	ck_assert_int_eq(drain(c, &got, &err), KS_OK);
	ck_assert_str_eq(got.s, "Wone\nWtwo\n|\nWone\nWtwo\n|\n");
	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "standard input"));
	ks_corpus_close(c);
	stdin_restore(saved);
	/* The reader never closes standard input itself. */
	ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "piped\n", 6), 6);
	close(fds[1]);
	snprintf(fd_path, sizeof(fd_path), "/dev/fd/%d", fds[0]);
	paths[1] = fd_path;
	ck_assert_int_eq(ks_corpus_open(&c, paths, 2, &err), KS_OK);
	ck_assert(!ks_corpus_rewindable(c));
	got.len = 0;
	ck_assert_int_eq(drain(c, &got, &err), KS_OK);
	ck_assert_str_eq(got.s, "Wone\nWtwo\n|\nWpiped\n|\n");
	ck_assert_int_eq(ks_corpus_rewind(c, &err), KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, fd_path));
	ks_corpus_close(c);
	close(fds[0]);

	sbuf_free(&got);
	tmp_done(&t);
}
END_TEST

Suite *
ks_suite_corpus(void)
{
	Suite *s = suite_create("corpus");
	TCase *tok = tcase_create("tokenizer");
	TCase *in = tcase_create("input");

	tcase_add_test(tok, test_basic_stream);
	tcase_add_test(tok, test_whitespace_bytes);
	tcase_add_test(tok, test_nul_separates);
	tcase_add_test(tok, test_bom_and_sentence_marker);
	tcase_add_test(tok, test_lone_input);
	tcase_add_test(tok, test_crlf);
	tcase_add_test(tok, test_empty_lines_and_no_final_newline);
	tcase_add_test(tok, test_multiple_inputs);
	tcase_add_test(tok, test_long_tokens);
	tcase_add_test(tok, test_block_boundaries);
	suite_add_tcase(s, tok);
	tcase_add_test(in, test_reader_equivalence);
	tcase_add_test(in, test_open_errors);
	tcase_add_test(in, test_gzip_errors);
	tcase_add_test(in, test_read_error);
	tcase_add_test(in, test_rewind);
	tcase_add_test(in, test_rewind_refused);
	tcase_add_test(in, test_read_ahead_stops);
	suite_add_tcase(s, in);
	return s;
}
