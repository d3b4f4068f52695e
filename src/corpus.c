/*
 * Corpus input: byte sources and the tokenizer (see corpus.h).
 *
 * The tokenizer works on one text window: up to KS_MAX_WORD_BYTES bytes
 * carried over from the previous block, then one block of fresh text
 * (CORPUS_BLOCK bytes, read straight into the window for plain input or
 * inflated into it for gzip), then one whitespace sentinel byte. A token
 * that lies inside the window is handed out as a pointer into it, so the
 * common case copies nothing. A token cut by the end of the window is moved
 * to its front before the next block is appended, which is why the window
 * keeps room for one whole token; a token that outgrows that room is
 * over-long anyway and is skipped to its end without being stored. The
 * sentinel lets the scan over a word's bytes run without a bounds check,
 * 16 bytes at a time where SSE2 exists (corpus_word_end), which is what
 * makes a 400 MB corpus cheap to read once per epoch.
 *
 * Every input is opened and checked by ks_corpus_open. Regular files are
 * then closed and opened again by name when their turn comes, so a corpus
 * of thousands of shards does not hold thousands of descriptors; pipes,
 * devices and standard input stay open, since reopening them would lose
 * data, and are read once (they are not rewindable).
 *
 * Gzip is recognised per input by its magic bytes. Members are read one
 * after another (RFC 1952 allows concatenation, as `cat a.gz b.gz` makes);
 * zero bytes after the last member are accepted as padding (tape archives
 * add them, and gzip itself accepts them), anything else is an error.
 * Errors are sticky: after a failure every call returns the same status
 * and message until the corpus is rewound.
 */
#include "corpus.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mem.h"

/* Bytes read or inflated at a time: large enough that system calls vanish. */
#define CORPUS_BLOCK (256 * 1024)

/*
 * The text window: a carried-over token, one block, the sentinel, and
 * slack for the 16-byte loads of corpus_word_end past the sentinel.
 */
#define CORPUS_SLACK 16
#define CORPUS_TEXT_CAP (KS_MAX_WORD_BYTES + CORPUS_BLOCK + 1 + CORPUS_SLACK)

/* Byte classes: 0 is part of a token, 1 separates tokens, 2 also ends a sentence. */
enum {
	CORPUS_WORD = 0,
	CORPUS_SPACE = 1,
	CORPUS_NEWLINE = 2
};

static const unsigned char corpus_class[256] = {
	[' '] = CORPUS_SPACE,
	['\t'] = CORPUS_SPACE,
	['\r'] = CORPUS_SPACE,
	['\v'] = CORPUS_SPACE,
	['\f'] = CORPUS_SPACE,
	['\n'] = CORPUS_NEWLINE
};

/*
 * Returns the first whitespace byte at or after p; the sentinel guarantees
 * one. Where SSE2 exists (every x86-64) this tests 16 bytes per step with
 * no data-dependent branch inside a word: on short natural-language words
 * the mispredicted exit of a byte loop costs more than the bytes
 * themselves. The loads may reach CORPUS_SLACK bytes past the sentinel,
 * which the window allocates (and zeroes, so those bytes are defined).
 */
static inline unsigned char *
corpus_word_end(unsigned char *p)
{
#if defined(__SSE2__)
	const __m128i space = _mm_set1_epi8(' ');
	/* \t..\r are 9..13: shifted so a signed compare tests the range. */
	const __m128i shift = _mm_set1_epi8((char)(0x80 - '\t'));
	const __m128i limit = _mm_set1_epi8((char)(-128 + ('\r' - '\t' + 1)));

	for (;;) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i ws = _mm_or_si128(_mm_cmpeq_epi8(x, space),
					  _mm_cmplt_epi8(_mm_add_epi8(x, shift), limit));
		unsigned mask = (unsigned)_mm_movemask_epi8(ws);

		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	while (corpus_class[*p] == CORPUS_WORD)
		p++;
	return p;
#endif
}

struct corpus_input {
	char *path;		/* as given; "-" for standard input */
	const char *name;	/* for messages: the path or "standard input" */
	int fd;			/* -1 while a regular file waits for its turn */
	int is_stdin;
	int is_regular;		/* reopened by name, so it can be read again */
};

struct ks_corpus {
	struct corpus_input *inputs;
	size_t n_inputs;
	size_t next_input;	/* the input to start after the current one */
	struct corpus_input *cur;	/* the input being read, or NULL */

	/* The text window: [pos, end) is unread, *end is the sentinel. */
	unsigned char *text;
	unsigned char *pos;
	unsigned char *end;
	int input_eof;		/* the current input has no more text */
	int skipping;		/* inside an over-long token */
	int in_sentence;	/* a word was returned since the last EOS */

	/* Raw bytes of the current input (all of them for gzip). */
	unsigned char *raw;
	size_t raw_off;		/* plain input: start of bytes not yet copied */
	size_t raw_avail;	/* plain input: bytes read while sniffing the magic */
	int raw_eof;		/* read(2) has returned 0 */
	int gzip;
	int member_done;	/* inflate reported Z_STREAM_END for this member */
	int zs_ready;		/* zs was initialised by inflateInit2 */
	z_stream zs;

	struct ks_corpus_stats stats;
	struct ks_err fail;	/* the sticky error, fail.status < 0 after one */
};

/* read(2) that retries when interrupted; the error names the input. */
static int
corpus_read(struct ks_corpus *c, unsigned char *buf, size_t cap, size_t *got)
{
	ssize_t n;

	do
		n = read(c->cur->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ks_err_errno(&c->fail, KS_ERR_READ, errno, "%s", c->cur->name);
	*got = (size_t)n;
	if (n == 0)
		c->raw_eof = 1;
	return KS_OK;
}

/* Checks that fd, just opened for input in, is something we can read. */
static int
corpus_check_fd(struct corpus_input *in, int fd, struct ks_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", in->name);
	if (S_ISDIR(st.st_mode))
		return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", in->name);
	in->is_regular = S_ISREG(st.st_mode);
	return KS_OK;
}

/* Opens a named input; on success in->fd is the open descriptor. */
static int
corpus_open_path(struct corpus_input *in, struct ks_err *err)
{
	int fd, rc;

	do
		fd = open(in->path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", in->name);
	if ((rc = corpus_check_fd(in, fd, err)) != KS_OK) {
		close(fd);
		return rc;
	}
	in->fd = fd;
	return KS_OK;
}

/* Closes the current input (never standard input itself). */
static void
corpus_end_input(struct ks_corpus *c)
{
	struct corpus_input *in = c->cur;

	if (in == NULL)
		return;
	if (!in->is_stdin && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	c->cur = NULL;
}

/*
 * Starts the next input: opens it if it waits closed, reads its first
 * bytes and decides between plain text and gzip. Returns 1 when an input
 * was started, 0 when none is left, or a negative status.
 */
static int
corpus_start_input(struct ks_corpus *c)
{
	struct corpus_input *in;
	size_t got;
	int rc;

	corpus_end_input(c);
	if (c->next_input >= c->n_inputs)
		return 0;
	in = &c->inputs[c->next_input++];
	if (in->fd < 0 && (rc = corpus_open_path(in, &c->fail)) != KS_OK)
		return rc;
	c->cur = in;
	if (in->is_regular)
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	c->raw_off = 0;
	c->raw_avail = 0;
	c->raw_eof = 0;
	/* A pipe may deliver the two magic bytes in separate reads. */
	while (c->raw_avail < 2 && !c->raw_eof) {
		if ((rc = corpus_read(c, c->raw + c->raw_avail, CORPUS_BLOCK - c->raw_avail,
				      &got)) != KS_OK)
			return rc;
		c->raw_avail += got;
	}
	c->gzip = c->raw_avail >= 2 && c->raw[0] == 0x1f && c->raw[1] == 0x8b;
	if (c->gzip) {
		if (!c->zs_ready) {
			memset(&c->zs, 0, sizeof(c->zs));
			rc = inflateInit2(&c->zs, 16 + MAX_WBITS);
			if (rc != Z_OK)
				return ks_err_set(&c->fail, rc == Z_MEM_ERROR ? KS_ERR_NOMEM
						  : KS_ERR_INTERNAL,
						  "%s: cannot start gzip decoder", in->name);
			c->zs_ready = 1;
		} else if (inflateReset(&c->zs) != Z_OK) {
			return ks_err_set(&c->fail, KS_ERR_INTERNAL,
					  "%s: cannot reset gzip decoder", in->name);
		}
		c->zs.next_in = c->raw;
		c->zs.avail_in = (uInt)c->raw_avail;
		c->raw_avail = 0;
		c->member_done = 0;
	}
	c->pos = c->end = c->text;
	*c->end = ' ';
	c->input_eof = 0;
	c->skipping = 0;
	return 1;
}

/* Copies or reads up to cap bytes of plain text to dst; 0 at the end. */
static int
corpus_fill_plain(struct ks_corpus *c, unsigned char *dst, size_t cap, size_t *got)
{
	if (c->raw_avail > 0) {
		size_t n = c->raw_avail < cap ? c->raw_avail : cap;

		memcpy(dst, c->raw + c->raw_off, n);
		c->raw_off += n;
		c->raw_avail -= n;
		*got = n;
		return KS_OK;
	}
	*got = 0;
	if (c->raw_eof)
		return KS_OK;
	return corpus_read(c, dst, cap, got);
}

/*
 * Called after a gzip member ended: looks at what follows it. Returns 1
 * when another member starts (the decoder is reset for it), 0 at a clean
 * end of the input (nothing, or only zero padding), or a negative status.
 */
static int
corpus_gzip_member_end(struct ks_corpus *c)
{
	z_stream *zs = &c->zs;
	size_t got, i;
	int rc;

	while (zs->avail_in < 2 && !c->raw_eof) {
		memmove(c->raw, zs->next_in, zs->avail_in);
		zs->next_in = c->raw;
		if ((rc = corpus_read(c, c->raw + zs->avail_in, CORPUS_BLOCK - zs->avail_in,
				      &got)) != KS_OK)
			return rc;
		zs->avail_in += (uInt)got;
	}
	if (zs->avail_in == 0)
		return 0;
	if (zs->avail_in >= 2 && zs->next_in[0] == 0x1f && zs->next_in[1] == 0x8b) {
		if (inflateReset(zs) != Z_OK)
			return ks_err_set(&c->fail, KS_ERR_INTERNAL,
					  "%s: cannot reset gzip decoder", c->cur->name);
		c->member_done = 0;
		return 1;
	}
	for (;;) {
		for (i = 0; i < zs->avail_in; i++)
			if (zs->next_in[i] != 0)
				return ks_err_set(&c->fail, KS_ERR_FORMAT,
						  "%s: trailing garbage after gzip data",
						  c->cur->name);
		zs->avail_in = 0;
		if (c->raw_eof)
			return 0;
		if ((rc = corpus_read(c, c->raw, CORPUS_BLOCK, &got)) != KS_OK)
			return rc;
		zs->next_in = c->raw;
		zs->avail_in = (uInt)got;
	}
}

/* Inflates up to cap bytes of text to dst; 0 at the clean end of the input. */
static int
corpus_fill_gzip(struct ks_corpus *c, unsigned char *dst, size_t cap, size_t *got)
{
	z_stream *zs = &c->zs;
	size_t n;
	int rc, zr;

	*got = 0;
	zs->next_out = dst;
	zs->avail_out = (uInt)cap;
	for (;;) {
		if (c->member_done) {
			if ((rc = corpus_gzip_member_end(c)) <= 0)
				return rc;
		}
		if (zs->avail_in == 0 && !c->raw_eof) {
			if ((rc = corpus_read(c, c->raw, CORPUS_BLOCK, &n)) != KS_OK)
				return rc;
			zs->next_in = c->raw;
			zs->avail_in = (uInt)n;
		}
		/*
		 * inflate is called even without new input: it may still hold
		 * output that did not fit last time. Z_BUF_ERROR only says
		 * that no progress was possible.
		 */
		zr = inflate(zs, Z_NO_FLUSH);
		*got = cap - zs->avail_out;
		switch (zr) {
		case Z_STREAM_END:
			c->member_done = 1;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			if (*got == 0 && zs->avail_in == 0 && c->raw_eof)
				return ks_err_set(&c->fail, KS_ERR_FORMAT,
						  "%s: truncated gzip stream (unexpected end of file)",
						  c->cur->name);
			break;
		case Z_MEM_ERROR:
			return ks_err_set(&c->fail, KS_ERR_NOMEM,
					  "%s: out of memory in the gzip decoder", c->cur->name);
		default:
			return ks_err_set(&c->fail, KS_ERR_FORMAT, "%s: corrupt gzip data: %s",
					  c->cur->name, zs->msg != NULL ? zs->msg : "unknown error");
		}
		if (*got > 0)
			return KS_OK;
	}
}

/*
 * Moves the unread bytes [pos, end) (at most one token, which the caller
 * guarantees fits) to the front of the window and appends the next block
 * of the current input. Sets input_eof when the input has no more text.
 */
static int
corpus_refill(struct ks_corpus *c)
{
	size_t keep = (size_t)(c->end - c->pos), got;
	int rc;

	if (keep > 0 && c->pos != c->text)
		memmove(c->text, c->pos, keep);
	c->pos = c->text;
	c->end = c->text + keep;
	if (c->gzip)
		rc = corpus_fill_gzip(c, c->end, CORPUS_BLOCK, &got);
	else
		rc = corpus_fill_plain(c, c->end, CORPUS_BLOCK, &got);
	if (rc != KS_OK)
		return rc;
	if (got == 0)
		c->input_eof = 1;
	c->end += got;
	*c->end = ' ';
	c->stats.bytes += got;
	return KS_OK;
}

/* Reports the sticky failure held in c->fail to the caller. */
static int
corpus_failed(struct ks_corpus *c, struct ks_err *err)
{
	if (err != NULL)
		*err = c->fail;
	return c->fail.status;
}

int
ks_corpus_next(struct ks_corpus *c, struct ks_token *tok, struct ks_err *err)
{
	const unsigned char *byte_class = corpus_class;
	unsigned char *p, *start, *end;
	size_t len;
	int rc;

	if (c->fail.status < 0)
		return corpus_failed(c, err);
	for (;;) {
		p = c->pos;
		end = c->end;
		if (c->skipping) {
			p = corpus_word_end(p);
			c->pos = p;
			if (p == end && !c->input_eof) {
				if ((rc = corpus_refill(c)) != KS_OK)
					return corpus_failed(c, err);
				continue;
			}
			c->skipping = 0;
			c->stats.long_tokens++;
		}
		while (p < end) {
			unsigned char k = byte_class[*p];

			if (k == CORPUS_WORD)
				break;
			p++;
			if (k == CORPUS_NEWLINE && c->in_sentence) {
				c->pos = p;
				c->in_sentence = 0;
				c->stats.sentences++;
				return KS_TOK_EOS;
			}
		}
		if (p == end) {
			c->pos = p;
			if (!c->input_eof) {
				if ((rc = corpus_refill(c)) != KS_OK)
					return corpus_failed(c, err);
				continue;
			}
			/* The end of an input ends its last sentence. */
			if (c->in_sentence) {
				c->in_sentence = 0;
				c->stats.sentences++;
				return KS_TOK_EOS;
			}
			if ((rc = corpus_start_input(c)) < 0)
				return corpus_failed(c, err);
			if (rc == 0)
				return KS_TOK_EOF;
			continue;
		}
		start = p;
		p = corpus_word_end(p);
		len = (size_t)(p - start);
		if (p == end && !c->input_eof) {
			/* The token may go on in the next block. */
			if (len > KS_MAX_WORD_BYTES) {
				c->skipping = 1;
				c->pos = p;
			} else {
				c->pos = start;
			}
			if ((rc = corpus_refill(c)) != KS_OK)
				return corpus_failed(c, err);
			continue;
		}
		c->pos = p;
		if (len > KS_MAX_WORD_BYTES) {
			c->stats.long_tokens++;
			continue;
		}
		c->in_sentence = 1;
		c->stats.words++;
		tok->bytes = (const char *)start;
		tok->len = len;
		return KS_TOK_WORD;
	}
}

/* Puts the reader before the first input, with fresh statistics. */
static void
corpus_reset(struct ks_corpus *c)
{
	corpus_end_input(c);
	c->next_input = 0;
	c->pos = c->end = c->text;
	*c->end = ' ';
	c->input_eof = 1;
	c->skipping = 0;
	c->in_sentence = 0;
	c->gzip = 0;
	c->raw_avail = 0;
	c->raw_eof = 1;
	memset(&c->stats, 0, sizeof(c->stats));
	ks_err_clear(&c->fail);
}

int
ks_corpus_open(struct ks_corpus **out, const char *const *paths, size_t n_paths,
	       struct ks_err *err)
{
	struct ks_corpus *c;
	size_t i;
	int rc, have_stdin = 0;

	*out = NULL;
	if (n_paths == 0)
		return ks_err_set(err, KS_ERR_USAGE, "no input files");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the corpus reader");
	c->inputs = ks_calloc_array(n_paths, sizeof(*c->inputs));
	c->text = calloc(1, CORPUS_TEXT_CAP);
	c->raw = malloc(CORPUS_BLOCK);
	if (c->inputs == NULL || c->text == NULL || c->raw == NULL) {
		ks_corpus_close(c);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the corpus reader");
	}
	for (i = 0; i < n_paths; i++)
		c->inputs[i].fd = -1;
	for (i = 0; i < n_paths; i++) {
		struct corpus_input *in = &c->inputs[i];

		c->n_inputs = i + 1;
		in->path = strdup(paths[i]);
		if (in->path == NULL) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", paths[i]);
			goto fail;
		}
		if (strcmp(in->path, "-") == 0) {
			in->is_stdin = 1;
			in->name = "standard input";
			if (have_stdin) {
				rc = ks_err_set(err, KS_ERR_USAGE,
						"standard input (-) is given more than once");
				goto fail;
			}
			have_stdin = 1;
			if ((rc = corpus_check_fd(in, STDIN_FILENO, err)) != KS_OK)
				goto fail;
			in->fd = STDIN_FILENO;
			continue;
		}
		in->name = in->path;
		if ((rc = corpus_open_path(in, err)) != KS_OK)
			goto fail;
		if (in->is_regular) {
			close(in->fd);
			in->fd = -1;
		}
	}
	corpus_reset(c);
	*out = c;
	return KS_OK;
fail:
	ks_corpus_close(c);
	return rc;
}

int
ks_corpus_rewindable(const struct ks_corpus *c)
{
	size_t i;

	for (i = 0; i < c->n_inputs; i++)
		if (c->inputs[i].is_stdin || !c->inputs[i].is_regular)
			return 0;
	return 1;
}

int
ks_corpus_rewind(struct ks_corpus *c, struct ks_err *err)
{
	size_t i;

	for (i = 0; i < c->n_inputs; i++) {
		const struct corpus_input *in = &c->inputs[i];

		if (in->is_stdin)
			return ks_err_set(err, KS_ERR_USAGE,
					  "standard input cannot be read a second time; "
					  "give the corpus as a file to read it again");
		if (!in->is_regular)
			return ks_err_set(err, KS_ERR_USAGE,
					  "%s: not a regular file, so it cannot be read a second time",
					  in->name);
	}
	corpus_reset(c);
	return KS_OK;
}

void
ks_corpus_stats(const struct ks_corpus *c, struct ks_corpus_stats *stats)
{
	*stats = c->stats;
}

void
ks_corpus_close(struct ks_corpus *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->inputs != NULL) {
		for (i = 0; i < c->n_inputs; i++) {
			if (!c->inputs[i].is_stdin && c->inputs[i].fd >= 0)
				close(c->inputs[i].fd);
			free(c->inputs[i].path);
		}
	}
	if (c->zs_ready)
		inflateEnd(&c->zs);
	free(c->inputs);
	free(c->text);
	free(c->raw);
	free(c);
}
