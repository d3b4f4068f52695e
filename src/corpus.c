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
#include <pthread.h>
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
/* Blocks the read-ahead thread may be in front of the tokenizer. */
#define CORPUS_AHEAD_BLOCKS 4

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
	['\n'] = CORPUS_NEWLINE,
	/*
	 * NUL separates tokens like a blank: vocabulary and vector files hold
	 * words as C strings and text lines, so a word with a NUL inside could
	 * be neither written whole nor read back.
	 */
	['\0'] = CORPUS_SPACE
};

/*
 * Returns the first separator byte (ASCII whitespace or NUL) at or after p;
 * the sentinel guarantees one. Where SSE2 exists (every x86-64) this tests
 * 16 bytes per step with no data-dependent branch inside a word: on short
 * natural-language words the mispredicted exit of a byte loop costs more
 * than the bytes themselves. The loads may reach CORPUS_SLACK bytes past
 * the sentinel, which the window allocates (and zeroes, so those bytes are
 * defined, and NUL, which separates, never comes before the sentinel).
 */
static inline unsigned char *
corpus_word_end(unsigned char *p)
{
#if defined(__SSE2__)
	const __m128i space = _mm_set1_epi8(' ');
	/* \t..\r are 9..13: shifted so a signed compare tests the range. */
	const __m128i shift = _mm_set1_epi8((char)(0x80 - '\t'));
	const __m128i limit = _mm_set1_epi8((char)(-128 + ('\r' - '\t' + 1)));
	const __m128i nul = _mm_setzero_si128();

	for (;;) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i ws = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, space),
							_mm_cmpeq_epi8(x, nul)),
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

/*
 * The inputs as one sequence of byte blocks: opening each in turn,
 * sniffing gzip, reading and inflating. It knows nothing of tokens, so it
 * can run in a thread of its own (see struct corpus_ahead).
 */
struct corpus_source {
	struct corpus_input *inputs;
	size_t n_inputs;
	size_t next_input;	/* the input to start after the current one */
	struct corpus_input *cur;	/* the input being read, or NULL */

	/* Raw bytes of the current input (all of them for gzip). */
	unsigned char *raw;
	size_t raw_off;		/* plain input: start of bytes not yet copied */
	size_t raw_avail;	/* plain input: bytes read while sniffing the magic */
	int raw_eof;		/* read(2) has returned 0 */
	int gzip;
	int member_done;	/* inflate reported Z_STREAM_END for this member */
	int bom_check;		/* no text of the current input handed out yet */
	int zs_ready;		/* zs was initialised by inflateInit2 */
	z_stream zs;

	struct ks_err fail;	/* why the last failed call failed */
};

/* What the read-ahead thread hands over, in the order it happened. */
enum {
	AHEAD_TEXT,		/* len bytes of text; 0 at the end of an input */
	AHEAD_START,		/* an input started (status 1) or none was left (0) */
	AHEAD_FAIL		/* the source failed with status and err */
};

struct ahead_block {
	unsigned char *bytes;	/* CORPUS_BLOCK bytes */
	size_t len;
	int kind;
	int status;
	struct ks_err err;
};

/*
 * Read-ahead: a thread that runs the source CORPUS_AHEAD_BLOCKS blocks
 * ahead of the tokenizer, so inflating overlaps tokenizing and counting.
 * The thread owns the source while it runs; blocks[tail - 1] is the last
 * it filled and blocks[head] the next the tokenizer takes, both counters
 * guarded by lock. The thread starts at the first read after an open or
 * a rewind, and stops when the source ends or fails, or when told to.
 */
struct corpus_ahead {
	int on;			/* read ahead from the next open or rewind */
	int active;		/* reading ahead now */
	int started;		/* the thread runs or has ended unjoined */
	int ended;		/* the tokenizer took the last block */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled;	/* tail moved */
	pthread_cond_t taken;	/* head moved, or stop was set */
	size_t head, tail;
	int stop;
	struct ahead_block blocks[CORPUS_AHEAD_BLOCKS];
};

struct ks_corpus {
	struct corpus_source src;
	struct corpus_ahead ahead;
	int fresh;		/* nothing read since the open or the last rewind */

	/* The text window: [pos, end) is unread, *end is the sentinel. */
	unsigned char *text;
	unsigned char *pos;
	unsigned char *end;
	int input_eof;		/* the current input has no more text */
	int skipping;		/* inside an over-long token */
	int in_sentence;	/* a word was returned since the last EOS */

	struct ks_corpus_stats stats;
	struct ks_err fail;	/* the sticky error, fail.status < 0 after one */
};

/* read(2) that retries when interrupted; the error names the input. */
static int
source_read(struct corpus_source *s, unsigned char *buf, size_t cap, size_t *got)
{
	ssize_t n;

	do
		n = read(s->cur->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ks_err_errno(&s->fail, KS_ERR_READ, errno, "%s", s->cur->name);
	*got = (size_t)n;
	if (n == 0)
		s->raw_eof = 1;
	return KS_OK;
}

/*
 * Checks that fd, just opened for input in, is something we can read, and
 * tells whether it is a regular file.
 */
static int
corpus_check_fd(const struct corpus_input *in, int fd, int *regular, struct ks_err *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", in->name);
	if (S_ISDIR(st.st_mode))
		return ks_err_set(err, KS_ERR_OPEN, "%s: is a directory", in->name);
	*regular = S_ISREG(st.st_mode);
	return KS_OK;
}

/*
 * Opens a named input; on success in->fd is the open descriptor. The
 * first open sets in->is_regular, which never changes afterwards (the
 * read-ahead thread reopens inputs while the caller may ask whether the
 * corpus can be rewound); a regular file that is something else when
 * reopened is an error.
 */
static int
corpus_open_path(struct corpus_input *in, int reopen, struct ks_err *err)
{
	int fd, rc, regular;

	do
		fd = open(in->path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", in->name);
	rc = corpus_check_fd(in, fd, &regular, err);
	if (rc == KS_OK && reopen && !regular)
		rc = ks_err_set(err, KS_ERR_OPEN, "%s: was a regular file when opened, and is not now",
				in->name);
	if (rc != KS_OK) {
		close(fd);
		return rc;
	}
	if (!reopen)
		in->is_regular = regular;
	in->fd = fd;
	return KS_OK;
}

/* Closes the current input (never standard input itself). */
static void
source_end_input(struct corpus_source *s)
{
	struct corpus_input *in = s->cur;

	if (in == NULL)
		return;
	if (!in->is_stdin && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	s->cur = NULL;
}

/*
 * Starts the next input: opens it if it waits closed, reads its first
 * bytes and decides between plain text and gzip. Returns 1 when an input
 * was started, 0 when none is left, or a negative status.
 */
static int
source_start(struct corpus_source *s)
{
	struct corpus_input *in;
	size_t got;
	int rc;

	source_end_input(s);
	if (s->next_input >= s->n_inputs)
		return 0;
	in = &s->inputs[s->next_input++];
	if (in->fd < 0 && (rc = corpus_open_path(in, 1, &s->fail)) != KS_OK)
		return rc;
	s->cur = in;
	if (in->is_regular)
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	s->raw_off = 0;
	s->raw_avail = 0;
	s->raw_eof = 0;
	/* A pipe may deliver the two magic bytes in separate reads. */
	while (s->raw_avail < 2 && !s->raw_eof) {
		if ((rc = source_read(s, s->raw + s->raw_avail, CORPUS_BLOCK - s->raw_avail,
				      &got)) != KS_OK)
			return rc;
		s->raw_avail += got;
	}
	s->gzip = s->raw_avail >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b;
	if (s->gzip) {
		if (!s->zs_ready) {
			memset(&s->zs, 0, sizeof(s->zs));
			rc = inflateInit2(&s->zs, 16 + MAX_WBITS);
			if (rc != Z_OK)
				return ks_err_set(&s->fail, rc == Z_MEM_ERROR ? KS_ERR_NOMEM
						  : KS_ERR_INTERNAL,
						  "%s: cannot start gzip decoder", in->name);
			s->zs_ready = 1;
		} else if (inflateReset(&s->zs) != Z_OK) {
			return ks_err_set(&s->fail, KS_ERR_INTERNAL,
					  "%s: cannot reset gzip decoder", in->name);
		}
		s->zs.next_in = s->raw;
		s->zs.avail_in = (uInt)s->raw_avail;
		s->raw_avail = 0;
		s->member_done = 0;
	}
	s->bom_check = 1;
	return 1;
}

/* Copies or reads up to cap bytes of plain text to dst; 0 at the end. */
static int
source_fill_plain(struct corpus_source *s, unsigned char *dst, size_t cap, size_t *got)
{
	if (s->raw_avail > 0) {
		size_t n = s->raw_avail < cap ? s->raw_avail : cap;

		memcpy(dst, s->raw + s->raw_off, n);
		s->raw_off += n;
		s->raw_avail -= n;
		*got = n;
		return KS_OK;
	}
	*got = 0;
	if (s->raw_eof)
		return KS_OK;
	return source_read(s, dst, cap, got);
}

/*
 * Called after a gzip member ended: looks at what follows it. Returns 1
 * when another member starts (the decoder is reset for it), 0 at a clean
 * end of the input (nothing, or only zero padding), or a negative status.
 */
static int
source_gzip_member_end(struct corpus_source *s)
{
	z_stream *zs = &s->zs;
	size_t got, i;
	int rc;

	while (zs->avail_in < 2 && !s->raw_eof) {
		memmove(s->raw, zs->next_in, zs->avail_in);
		zs->next_in = s->raw;
		if ((rc = source_read(s, s->raw + zs->avail_in, CORPUS_BLOCK - zs->avail_in,
				      &got)) != KS_OK)
			return rc;
		zs->avail_in += (uInt)got;
	}
	if (zs->avail_in == 0)
		return 0;
	if (zs->avail_in >= 2 && zs->next_in[0] == 0x1f && zs->next_in[1] == 0x8b) {
		if (inflateReset(zs) != Z_OK)
			return ks_err_set(&s->fail, KS_ERR_INTERNAL,
					  "%s: cannot reset gzip decoder", s->cur->name);
		s->member_done = 0;
		return 1;
	}
	for (;;) {
		for (i = 0; i < zs->avail_in; i++)
			if (zs->next_in[i] != 0)
				return ks_err_set(&s->fail, KS_ERR_FORMAT,
						  "%s: trailing garbage after gzip data",
						  s->cur->name);
		zs->avail_in = 0;
		if (s->raw_eof)
			return 0;
		if ((rc = source_read(s, s->raw, CORPUS_BLOCK, &got)) != KS_OK)
			return rc;
		zs->next_in = s->raw;
		zs->avail_in = (uInt)got;
	}
}

/* Inflates up to cap bytes of text to dst; 0 at the clean end of the input. */
static int
source_fill_gzip(struct corpus_source *s, unsigned char *dst, size_t cap, size_t *got)
{
	z_stream *zs = &s->zs;
	size_t n;
	int rc, zr;

	*got = 0;
	zs->next_out = dst;
	zs->avail_out = (uInt)cap;
	for (;;) {
		if (s->member_done) {
			if ((rc = source_gzip_member_end(s)) <= 0)
				return rc;
		}
		if (zs->avail_in == 0 && !s->raw_eof) {
			if ((rc = source_read(s, s->raw, CORPUS_BLOCK, &n)) != KS_OK)
				return rc;
			zs->next_in = s->raw;
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
			s->member_done = 1;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			if (*got == 0 && zs->avail_in == 0 && s->raw_eof)
				return ks_err_set(&s->fail, KS_ERR_FORMAT,
						  "%s: truncated gzip stream (unexpected end of file)",
						  s->cur->name);
			break;
		case Z_MEM_ERROR:
			return ks_err_set(&s->fail, KS_ERR_NOMEM,
					  "%s: out of memory in the gzip decoder", s->cur->name);
		default:
			return ks_err_set(&s->fail, KS_ERR_FORMAT, "%s: corrupt gzip data: %s",
					  s->cur->name, zs->msg != NULL ? zs->msg : "unknown error");
		}
		if (*got > 0)
			return KS_OK;
	}
}

/* Reads or inflates up to cap bytes of the current input's text; 0 at its end. */
static int
source_fill_text(struct corpus_source *s, unsigned char *dst, size_t cap, size_t *got)
{
	if (s->gzip)
		return source_fill_gzip(s, dst, cap, got);
	return source_fill_plain(s, dst, cap, got);
}

/*
 * Reads or inflates up to cap (at least 3) bytes of the current input; 0
 * at its end. A UTF-8 byte-order mark (EF BB BF) that starts the text of
 * an input, plain or after inflating, is dropped: editors on Windows write
 * one, and kept it would become part of the first word. Only the start of
 * an input counts (not of each gzip member), as for any UTF-8 reader.
 */
static int
source_fill(struct corpus_source *s, unsigned char *dst, size_t cap, size_t *got)
{
	static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
	size_t n = 0, more;
	int rc;

	if (!s->bom_check)
		return source_fill_text(s, dst, cap, got);
	/* A pipe or a gzip member may deliver the first three bytes apart. */
	do {
		if ((rc = source_fill_text(s, dst + n, cap - n, &more)) != KS_OK)
			return rc;
		n += more;
	} while (more > 0 && n < sizeof(bom));
	s->bom_check = 0;
	if (n >= sizeof(bom) && memcmp(dst, bom, sizeof(bom)) == 0) {
		n -= sizeof(bom);
		memmove(dst, dst + sizeof(bom), n);
		if (n == 0 && more > 0)
			return source_fill_text(s, dst, cap, got);
	}
	*got = n;
	return KS_OK;
}

/* Puts the source before the first input. */
static void
source_reset(struct corpus_source *s)
{
	source_end_input(s);
	s->next_input = 0;
	s->gzip = 0;
	s->raw_avail = 0;
	s->raw_eof = 1;
	ks_err_clear(&s->fail);
}

/* The read-ahead thread: fills blocks from the source until it ends or fails. */
static void *
ahead_main(void *arg)
{
	struct ks_corpus *c = arg;
	struct corpus_ahead *a = &c->ahead;
	int starting = 1, done = 0;

	while (!done) {
		struct ahead_block *b;
		int rc, stop;

		pthread_mutex_lock(&a->lock);
		while (a->tail - a->head == CORPUS_AHEAD_BLOCKS && !a->stop)
			pthread_cond_wait(&a->taken, &a->lock);
		stop = a->stop;
		b = &a->blocks[a->tail % CORPUS_AHEAD_BLOCKS];
		pthread_mutex_unlock(&a->lock);
		if (stop)
			break;
		if (starting) {
			rc = source_start(&c->src);
			b->kind = AHEAD_START;
			b->status = rc;
			starting = 0;
			done = rc == 0;
		} else {
			rc = source_fill(&c->src, b->bytes, CORPUS_BLOCK, &b->len);
			b->kind = AHEAD_TEXT;
			starting = b->len == 0;
		}
		if (rc < 0) {
			b->kind = AHEAD_FAIL;
			b->status = rc;
			b->err = c->src.fail;
			done = 1;
		}
		pthread_mutex_lock(&a->lock);
		a->tail++;
		pthread_cond_signal(&a->filled);
		pthread_mutex_unlock(&a->lock);
	}
	return NULL;
}

/* Stops and joins the read-ahead thread, dropping what it read. */
static void
ahead_stop(struct corpus_ahead *a)
{
	if (a->started) {
		pthread_mutex_lock(&a->lock);
		a->stop = 1;
		pthread_cond_signal(&a->taken);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
		a->started = 0;
	}
	a->head = a->tail = 0;
	a->stop = 0;
	a->ended = 0;
}

/*
 * Starts the thread (allocating its blocks the first time). When either
 * fails the corpus simply reads in the caller's thread: nothing has been
 * read yet, so nothing changes but the speed.
 */
static void
ahead_start(struct ks_corpus *c)
{
	struct corpus_ahead *a = &c->ahead;
	size_t i;

	for (i = 0; i < CORPUS_AHEAD_BLOCKS; i++) {
		if (a->blocks[i].bytes == NULL)
			a->blocks[i].bytes = malloc(CORPUS_BLOCK);
		if (a->blocks[i].bytes == NULL) {
			a->active = 0;
			return;
		}
	}
	if (pthread_create(&a->thread, NULL, ahead_main, c) != 0) {
		a->active = 0;
		return;
	}
	a->started = 1;
}

/*
 * Takes the next block from the read-ahead thread, waiting for it; a
 * failure becomes the corpus's sticky one. Returns the block, which stays
 * the tokenizer's until ahead_release, or NULL after a failure.
 */
static struct ahead_block *
ahead_take(struct ks_corpus *c)
{
	struct corpus_ahead *a = &c->ahead;
	struct ahead_block *b;

	pthread_mutex_lock(&a->lock);
	while (a->tail == a->head)
		pthread_cond_wait(&a->filled, &a->lock);
	b = &a->blocks[a->head % CORPUS_AHEAD_BLOCKS];
	pthread_mutex_unlock(&a->lock);
	if (b->kind == AHEAD_FAIL) {
		c->fail = b->err;
		a->ended = 1;
	}
	return b->kind == AHEAD_FAIL ? NULL : b;
}

/* Hands the block taken last back to the read-ahead thread. */
static void
ahead_release(struct corpus_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->head++;
	pthread_cond_signal(&a->taken);
	pthread_mutex_unlock(&a->lock);
}

/*
 * Starts the next input of the corpus and empties the window. Returns 1
 * when an input was started, 0 when none is left, or a negative status.
 */
static int
corpus_start_input(struct ks_corpus *c)
{
	struct corpus_ahead *a = &c->ahead;
	int rc;

	if (c->fresh && a->active)
		ahead_start(c);
	c->fresh = 0;
	if (a->active) {
		struct ahead_block *b;

		if (a->ended)
			return 0;
		if ((b = ahead_take(c)) == NULL)
			return c->fail.status;
		rc = b->status;
		a->ended = rc == 0;
		ahead_release(a);
	} else if ((rc = source_start(&c->src)) < 0) {
		c->fail = c->src.fail;
		return rc;
	}
	if (rc == 0)
		return 0;
	c->pos = c->end = c->text;
	*c->end = ' ';
	c->input_eof = 0;
	c->skipping = 0;
	return 1;
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
	if (c->ahead.active) {
		struct ahead_block *b = ahead_take(c);

		if (b == NULL)
			return c->fail.status;
		got = b->len;
		memcpy(c->end, b->bytes, got);
		ahead_release(&c->ahead);
	} else if ((rc = source_fill(&c->src, c->end, CORPUS_BLOCK, &got)) != KS_OK) {
		c->fail = c->src.fail;
		return rc;
	}
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

/* What corpus_scan returns instead of reading when it may not (see there). */
#define CORPUS_MORE 3

/*
 * Finds the next token: KS_TOK_WORD, KS_TOK_EOS, KS_TOK_EOF or a negative
 * status (the failure is then in c->fail). Reading more text moves the
 * window and so ends the life of every token handed out before; when
 * may_read is 0 and the window holds no further token, corpus_scan
 * returns CORPUS_MORE instead, with its state ready to go on at the next
 * call, and earlier tokens stay valid.
 */
static int
corpus_scan(struct ks_corpus *c, struct ks_token *tok, int may_read)
{
	const unsigned char *byte_class = corpus_class;
	unsigned char *p, *start, *end;
	size_t len;
	int rc;

	for (;;) {
		p = c->pos;
		end = c->end;
		if (c->skipping) {
			p = corpus_word_end(p);
			c->pos = p;
			if (p == end && !c->input_eof) {
				if (!may_read)
					return CORPUS_MORE;
				if ((rc = corpus_refill(c)) != KS_OK)
					return rc;
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
			/* The end of an input ends its last sentence. */
			if (c->input_eof && c->in_sentence) {
				c->in_sentence = 0;
				c->stats.sentences++;
				return KS_TOK_EOS;
			}
			if (!may_read)
				return CORPUS_MORE;
			if (!c->input_eof) {
				if ((rc = corpus_refill(c)) != KS_OK)
					return rc;
				continue;
			}
			if ((rc = corpus_start_input(c)) < 0)
				return rc;
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
			if (!may_read)
				return CORPUS_MORE;
			if ((rc = corpus_refill(c)) != KS_OK)
				return rc;
			continue;
		}
		c->pos = p;
		if (len > KS_MAX_WORD_BYTES) {
			c->stats.long_tokens++;
			continue;
		}
		if (len == 4 && memcmp(start, KS_SENTENCE_END_TOKEN, 4) == 0) {
			/* word2vec.c's and fastText's sentence marker: a newline. */
			if (!c->in_sentence)
				continue;
			c->in_sentence = 0;
			c->stats.sentences++;
			return KS_TOK_EOS;
		}
		c->in_sentence = 1;
		c->stats.words++;
		tok->bytes = (const char *)start;
		tok->len = len;
		return KS_TOK_WORD;
	}
}

int
ks_corpus_next(struct ks_corpus *c, struct ks_token *tok, struct ks_err *err)
{
	int rc;

	if (c->fail.status < 0 || (rc = corpus_scan(c, tok, 1)) < 0)
		return corpus_failed(c, err);
	return rc;
}

int
ks_corpus_next_many(struct ks_corpus *c, struct ks_token *toks, size_t max, size_t *n,
		    struct ks_err *err)
{
	size_t k = 0;
	int rc;

	*n = 0;
	if (c->fail.status < 0)
		return corpus_failed(c, err);
	/* Only the first token may read, so only it can fail or meet the end. */
	while (k < max) {
		rc = corpus_scan(c, &toks[k], k == 0);
		if (rc == CORPUS_MORE)
			break;
		if (rc < 0)
			return corpus_failed(c, err);
		if (rc == KS_TOK_EOF)
			return KS_TOK_EOF;
		if (rc == KS_TOK_EOS) {
			toks[k].bytes = NULL;
			toks[k].len = 0;
		}
		k++;
	}
	*n = k;
	return KS_TOK_WORD;
}

/* Puts the reader before the first input, with fresh statistics. */
static void
corpus_reset(struct ks_corpus *c)
{
	ahead_stop(&c->ahead);
	c->ahead.active = c->ahead.on;
	source_reset(&c->src);
	c->fresh = 1;
	c->pos = c->end = c->text;
	*c->end = ' ';
	c->input_eof = 1;
	c->skipping = 0;
	c->in_sentence = 0;
	memset(&c->stats, 0, sizeof(c->stats));
	ks_err_clear(&c->fail);
}

int
ks_corpus_open(struct ks_corpus **out, const char *const *paths, size_t n_paths,
	       struct ks_err *err)
{
	struct ks_corpus *c;
	struct corpus_source *src;
	size_t i;
	int rc, have_stdin = 0;

	*out = NULL;
	if (n_paths == 0)
		return ks_err_set(err, KS_ERR_USAGE, "no input files");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the corpus reader");
	src = &c->src;
	pthread_mutex_init(&c->ahead.lock, NULL);
	pthread_cond_init(&c->ahead.filled, NULL);
	pthread_cond_init(&c->ahead.taken, NULL);
	src->inputs = ks_calloc_array(n_paths, sizeof(*src->inputs));
	c->text = calloc(1, CORPUS_TEXT_CAP);
	src->raw = malloc(CORPUS_BLOCK);
	if (src->inputs == NULL || c->text == NULL || src->raw == NULL) {
		ks_corpus_close(c);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the corpus reader");
	}
	for (i = 0; i < n_paths; i++)
		src->inputs[i].fd = -1;
	for (i = 0; i < n_paths; i++) {
		struct corpus_input *in = &src->inputs[i];

		src->n_inputs = i + 1;
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
			if ((rc = corpus_check_fd(in, STDIN_FILENO, &in->is_regular, err)) != KS_OK)
				goto fail;
			in->fd = STDIN_FILENO;
			continue;
		}
		in->name = in->path;
		if ((rc = corpus_open_path(in, 0, err)) != KS_OK)
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

void
ks_corpus_read_ahead(struct ks_corpus *c, int on)
{
	c->ahead.on = on != 0;
	if (c->fresh)
		c->ahead.active = c->ahead.on;
}

int
ks_corpus_rewindable(const struct ks_corpus *c)
{
	size_t i;

	for (i = 0; i < c->src.n_inputs; i++)
		if (c->src.inputs[i].is_stdin || !c->src.inputs[i].is_regular)
			return 0;
	return 1;
}

int
ks_corpus_rewind(struct ks_corpus *c, struct ks_err *err)
{
	size_t i;

	for (i = 0; i < c->src.n_inputs; i++) {
		const struct corpus_input *in = &c->src.inputs[i];

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
	struct corpus_source *src;
	size_t i;

	if (c == NULL)
		return;
	ahead_stop(&c->ahead);
	src = &c->src;
	if (src->inputs != NULL) {
		for (i = 0; i < src->n_inputs; i++) {
			if (!src->inputs[i].is_stdin && src->inputs[i].fd >= 0)
				close(src->inputs[i].fd);
			free(src->inputs[i].path);
		}
	}
	if (src->zs_ready)
		inflateEnd(&src->zs);
	for (i = 0; i < CORPUS_AHEAD_BLOCKS; i++)
		free(c->ahead.blocks[i].bytes);
	pthread_mutex_destroy(&c->ahead.lock);
	pthread_cond_destroy(&c->ahead.filled);
	pthread_cond_destroy(&c->ahead.taken);
	free(src->inputs);
	free(c->text);
	free(src->raw);
	free(c);
}

/*
 * A lone input: the corpus's byte source over one input, without the
 * tokenizer's window or the read-ahead thread.
 */
struct ks_input {
	struct corpus_source src;
	struct corpus_input one;
	int started;		/* source_start has run */
	int ended;		/* the text ended */
};

int
ks_input_open(struct ks_input **out, const char *path, struct ks_err *err)
{
	struct ks_input *x;
	struct corpus_input *in;
	int rc;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	in = &x->one;
	in->fd = -1;
	x->src.inputs = in;
	x->src.n_inputs = 1;
	x->src.raw_eof = 1;
	in->path = strdup(path);
	x->src.raw = malloc(CORPUS_BLOCK);
	if (in->path == NULL || x->src.raw == NULL) {
		ks_input_close(x);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if (strcmp(path, "-") == 0) {
		in->is_stdin = 1;
		in->name = "standard input";
		rc = corpus_check_fd(in, STDIN_FILENO, &in->is_regular, err);
		if (rc == KS_OK)
			in->fd = STDIN_FILENO;
	} else {
		in->name = in->path;
		rc = corpus_open_path(in, 0, err);
	}
	if (rc != KS_OK) {
		ks_input_close(x);
		return rc;
	}
	*out = x;
	return KS_OK;
}

int
ks_input_read(struct ks_input *x, void *buf, size_t cap, size_t *got, struct ks_err *err)
{
	int rc;

	*got = 0;
	if (x->src.fail.status < 0) {
		*err = x->src.fail;
		return x->src.fail.status;
	}
	if (cap < 3)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: read of %zu bytes, under 3",
				  x->one.name, cap);
	if (x->ended)
		return KS_OK;
	if (!x->started) {
		/* One input, open already: 1 or a failure. */
		if ((rc = source_start(&x->src)) < 0) {
			*err = x->src.fail;
			return rc;
		}
		x->started = 1;
	}
	if ((rc = source_fill(&x->src, buf, cap, got)) != KS_OK) {
		*err = x->src.fail;
		return rc;
	}
	x->ended = *got == 0;
	return KS_OK;
}

const char *
ks_input_name(const struct ks_input *x)
{
	return x->one.name;
}

void
ks_input_close(struct ks_input *x)
{
	if (x == NULL)
		return;
	if (!x->one.is_stdin && x->one.fd >= 0)
		close(x->one.fd);
	if (x->src.zs_ready)
		inflateEnd(&x->src.zs);
	free(x->one.path);
	free(x->src.raw);
	free(x);
}
