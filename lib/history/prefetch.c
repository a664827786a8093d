/* Pass 2 reads ahead in a second process. While the walk judges commits, a reader forked
 * from it reads what the visits of later commits will need: a commit's exceptions directory,
 * the exception files it changes against its parent, and the facts of their new versions.
 * The two claim runs of CHUNK commits from a counter in memory they share; the reader sends
 * what it read for each run down a pipe, and the walk reads a run itself when the reader has
 * not claimed it, or while it waits for the reader. What the reader would store in the
 * history cache travels with its run, and the walk stores it.
 *
 * A process, not a thread: libgit2 shares one reader and its locks per pack file among the
 * threads of a process, and malloc locks once there is a second thread. Two threads took a
 * cold audit of 100,000 commits from 8.6 s to 6.5 s, two processes took it to 5.4 s (README,
 * Speed). Nothing is shared but the counter, so a reader that dies only leaves its runs to
 * the walk.
 *
 * What a slot lacks (a merge, a commit the reader could not read) the walk reads itself, by
 * the same functions, so the verdicts never depend on the reader: tests/cache/secex-twice
 * compares every history command with and without it. */

#define _GNU_SOURCE /* F_SETPIPE_SZ (Linux): a pipe that holds many runs */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "history_int.h"
#include "secex/file.h"
#include "secex/banned.h"

#define RING 256         /* slots: how far the walk reads ahead itself */
#define CHUNK 32         /* commits claimed at a time */
#define MIN_COMMITS 256  /* a shorter walk is not worth a process */
#define WAIT_MS 30000    /* a reader silent for longer is given up */

typedef struct {
	git_oid blob;
	secex_facts *facts; /* in the slot's arena */
} slot_facts;

typedef struct {
	size_t index;          /* the commit's place in the walk's order */
	bool ready;
	const hist_roots *roots; /* NULL: nothing read (a merge, a failure) */
	bool has_exc, bad_exc;   /* the commit's exceptions directory */
	git_oid exc;
	bool has_diff, has_a;    /* the diff from a (the parent's directory) to exc */
	git_oid a;
	secex_vec files;       /* tree_change * */
	slot_facts *facts;
	size_t nfacts;
	secex_arena arena;
	secex_buf defer;       /* cache values to store, secex_cache_io_put's format */
} slot;

struct hist_prefetch {
	secex_history *h;
	atomic_size_t *next;   /* the next run to claim, shared with the reader */
	void *shared;          /* the page it is in */
	pid_t reader;
	int fd;                /* the reader's runs; -1 once it is gone */
	secex_buf in;          /* read from fd, from in_off on not yet taken */
	size_t in_off;
	size_t mine[RING / CHUNK]; /* the runs the walk read itself, by ring place (+1) */
	slot ring[RING];
	slot *current;         /* the slot of the commit the walk visits */
};

static void slot_clear(slot *s)
{
	secex_diff_free(&s->files);
	free(s->facts);
	secex_arena_release(&s->arena);
	secex_buf_release(&s->defer);
	memset(s, 0, sizeof(*s));
}

static bool same_dir(bool has_a, const git_oid *a, bool has_b, const git_oid *b)
{
	return has_a == has_b && (!has_a || git_oid_equal(a, b));
}

static int read_facts(slot *s, hist_io *io)
{
	size_t i;
	int rc = 0;

	if (s->files.n && !(s->facts = calloc(s->files.n, sizeof(*s->facts))))
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < s->files.n; i++) {
		const tree_change *c = s->files.items[i];
		slot_facts *f = &s->facts[s->nfacts];
		bool fresh;

		if (!c->has_new)
			continue; /* the old version is the one the walk holds already */
		if ((rc = secex_facts_read(&f->facts, &fresh, io, &c->new_oid, c->path, &s->arena)) == 0 && fresh)
			rc = secex_facts_keep(io, &c->new_oid, f->facts);
		git_oid_cpy(&f->blob, &c->new_oid);
		s->nfacts += rc == 0;
	}
	return rc;
}

/* The exceptions directory of the commit a reader read last: most often the next one's
 * parent. */
typedef struct {
	const hist_roots *roots;
	bool has;
	git_oid exc;
} last_dir;

/* The exceptions directory of a commit: from pass 1 when it read it, else from its tree. */
static int dir_of(bool *has, git_oid *exc, bool *bad, const secex_history *h, hist_io *io, const hist_roots *r)
{
	if (!secex_rules_exc_usual(h, r))
		return secex_rules_entry_at(has, exc, bad, io, &r->tree, h->policy->exceptions_dir);
	*has = r->has_exc;
	*exc = r->exc;
	*bad = r->bad_exc;
	return 0;
}

static int parent_dir(slot *s, const secex_history *h, hist_io *io, const hist_roots *p, const last_dir *last)
{
	bool unused;

	if (last->roots != p)
		return dir_of(&s->has_a, &s->a, &unused, h, io, p);
	s->has_a = last->has;
	s->a = last->exc;
	return 0;
}

/* What the visit of the slot's commit will read, as the walk would read it. */
static int fill(slot *s, secex_history *h, hist_io *io, last_dir *last)
{
	const git_oid *oid = h->order.items[s->index];
	const hist_roots *r = secex_map_get(&h->roots, oid->id, GIT_OID_RAWSZ), *p;
	const char *dir = h->policy->exceptions_dir;
	secex_buf prefix = SECEX_BUF_INIT;
	int rc;

	if (!r || r->nparents > 1)
		return 0; /* a merge: the walk reads it */
	p = r->nparents ? secex_map_get(&h->roots, r->parents[0].id, GIT_OID_RAWSZ) : NULL;
	if (r->nparents && !p)
		return 0;
	if ((rc = dir_of(&s->has_exc, &s->exc, &s->bad_exc, h, io, r)) < 0)
		return rc;
	s->roots = r;
	if (p && (rc = parent_dir(s, h, io, p, last)) < 0)
		return rc;
	*last = (last_dir){ r, s->has_exc, s->exc };
	if (same_dir(s->has_a, &s->a, s->has_exc, &s->exc))
		return 0;
	if ((rc = secex_buf_printf(&prefix, "%s/", dir)) == 0 &&
	    (rc = secex_diff_exc_files(&s->files, io, s->has_a ? &s->a : NULL, s->has_exc ? &s->exc : NULL,
				       prefix.ptr)) == 0)
		s->has_diff = true;
	secex_buf_release(&prefix);
	return rc < 0 ? rc : read_facts(s, io);
}

/* Fills the slot of commit index; on a failure the slot stays empty and the walk reads the
 * commit itself (and reports what fails). */
static void fill_slot(slot *s, secex_history *h, size_t index, last_dir *last)
{
	slot_clear(s);
	s->index = index;
	h->io.defer = &s->defer;
	if (fill(s, h, &h->io, last) < 0) {
		*last = (last_dir){ NULL, false, { { 0 } } };
		slot_clear(s);
		s->index = index;
		secex_error_clear();
		git_error_clear();
	}
	h->io.defer = NULL;
	s->ready = true;
}

/* A run of commits from `from`, read here. */
static void read_run(struct hist_prefetch *pf, size_t from)
{
	last_dir last = { NULL, false, { { 0 } } };
	size_t i;

	for (i = from; i < from + CHUNK && i < pf->h->order.n; i++)
		fill_slot(&pf->ring[i % RING], pf->h, i, &last);
}

/* Claims the next run if it starts below limit: its start, or SIZE_MAX. */
static size_t claim(atomic_size_t *next, size_t limit)
{
	size_t at = atomic_load(next);

	while (at < limit)
		if (atomic_compare_exchange_weak(next, &at, at + CHUNK))
			return at;
	return SIZE_MAX;
}

/* The reader's record of a run: start (8), count (4), the length of the rest (4), then per
 * commit: flags (1), the directory and a (20 each), the diff (length 4 and
 * secex_diff_encode's value), the facts (count 4, then per blob its id, length 4 and
 * secex_facts_encode's value), the deferred cache values (length 4 and bytes). */
enum { HEAD = 16 };
enum { F_FILLED = 1, F_EXC = 2, F_BAD = 4, F_DIFF = 8, F_A = 16 };

static int put_block(secex_buf *b, const secex_buf *v)
{
	int rc = secex_cache_put32(b, (uint32_t)v->size);

	return rc == 0 && v->size ? secex_buf_put(b, v->ptr, v->size) : rc;
}

static int encode_slot(secex_buf *b, const slot *s)
{
	unsigned char flags = (unsigned char)((s->roots ? F_FILLED : 0) | (s->has_exc ? F_EXC : 0) |
					      (s->bad_exc ? F_BAD : 0) | (s->has_diff ? F_DIFF : 0) |
					      (s->has_a ? F_A : 0));
	secex_buf v = SECEX_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = secex_buf_putc(b, (char)flags)) < 0 || (rc = secex_buf_put(b, (const char *)s->exc.id, 20)) < 0 ||
	    (rc = secex_buf_put(b, (const char *)s->a.id, 20)) < 0)
		return rc;
	if ((rc = secex_diff_encode(&v, &s->files)) == 0 && (rc = put_block(b, &v)) == 0)
		rc = secex_cache_put32(b, (uint32_t)s->nfacts);
	for (i = 0; rc == 0 && i < s->nfacts; i++) {
		secex_buf_clear(&v);
		if ((rc = secex_buf_put(b, (const char *)s->facts[i].blob.id, 20)) == 0 &&
		    (rc = secex_facts_encode(&v, s->facts[i].facts)) == 0)
			rc = put_block(b, &v);
	}
	secex_buf_release(&v);
	return rc == 0 ? put_block(b, &s->defer) : rc;
}

static void put_le32(char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++, v >>= 8)
		p[i] = (char)(v & 0xff);
}

/* The reader: claims runs until none is left, sends each down fd, and ends. */
static _Noreturn void reader(struct hist_prefetch *pf, int fd)
{
	secex_buf rec = SECEX_BUF_INIT;
	last_dir last = { NULL, false, { { 0 } } };
	slot s;
	size_t from, i, n = pf->h->order.n;

	memset(&s, 0, sizeof(s));
	while ((from = claim(pf->next, n)) != SIZE_MAX) {
		size_t count = from + CHUNK < n ? CHUNK : n - from;
		bool ok;

		secex_buf_clear(&rec);
		ok = secex_cache_put64(&rec, from) == 0 && secex_cache_put32(&rec, (uint32_t)count) == 0 &&
		     secex_cache_put32(&rec, 0) == 0;
		for (i = from; ok && i < from + count; i++) {
			fill_slot(&s, pf->h, i, &last);
			if (pf->h->io.cache && !s.defer.size) { /* all from the cache: the walk looks it up */
				slot_clear(&s);
				s.index = i;
			}
			ok = encode_slot(&rec, &s) == 0;
		}
		ok = ok && rec.size - HEAD <= UINT32_MAX;
		if (ok)
			put_le32(rec.ptr + 12, (uint32_t)(rec.size - HEAD));
		if (!ok || secex_file_write_all(fd, rec.ptr, rec.size) < 0)
			_exit(1);
	}
	_exit(0);
}

static bool get_block(hist_reader *r, const unsigned char **p, size_t *len)
{
	*len = secex_cache_get32(r);
	if (r->bad || *len > (size_t)(r->end - r->p)) {
		r->bad = true;
		return false;
	}
	*p = r->p;
	r->p += *len;
	return true;
}

static bool decode_facts(slot *s, hist_reader *r)
{
	size_t n = secex_cache_get32(r), i, len;
	const unsigned char *v;

	if (r->bad || n > (size_t)(r->end - r->p) / 24 || (n && !(s->facts = calloc(n, sizeof(*s->facts)))))
		return false;
	for (i = 0; i < n; i++) {
		slot_facts *f = &s->facts[i];

		if (!secex_cache_getbytes(r, f->blob.id, 20) || !get_block(r, &v, &len) ||
		    !secex_facts_decode(&f->facts, &s->arena, v, len))
			return false;
		s->nfacts++;
	}
	return true;
}

/* One commit of a record into its slot; false when the record is not whole. */
static bool decode_slot(slot *s, secex_history *h, hist_reader *r, size_t index)
{
	unsigned char flags = 0;
	const unsigned char *v;
	size_t len;

	slot_clear(s);
	s->index = index;
	s->ready = true;
	if (!secex_cache_getbytes(r, &flags, 1) || !secex_cache_getbytes(r, s->exc.id, 20) ||
	    !secex_cache_getbytes(r, s->a.id, 20) || !get_block(r, &v, &len))
		return false;
	if ((flags & F_DIFF) && !secex_diff_decode(&s->files, v, len))
		return false;
	if (!decode_facts(s, r) || !get_block(r, &v, &len) || (len && secex_buf_put(&s->defer, (const char *)v, len) < 0))
		return false;
	if (flags & F_FILLED)
		s->roots = secex_map_get(&h->roots, ((const git_oid *)h->order.items[index])->id, GIT_OID_RAWSZ);
	s->has_exc = flags & F_EXC;
	s->bad_exc = flags & F_BAD;
	s->has_diff = flags & F_DIFF;
	s->has_a = flags & F_A;
	return true;
}

/* The reader is gone (ended, died or sent nonsense): the walk reads what is left itself. */
static void reader_gone(struct hist_prefetch *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	pf->fd = -1;
}

/* Takes the record of run `from` when all of it was read: 1, else 0. */
static int take_record(struct hist_prefetch *pf, size_t from)
{
	hist_reader r = { NULL, NULL, false, false };
	uint64_t at;
	size_t count, len, i;
	bool ok;

	if (pf->in.size - pf->in_off < HEAD)
		return 0; /* not all of its head yet */
	r.p = (const unsigned char *)pf->in.ptr + pf->in_off;
	r.end = (const unsigned char *)pf->in.ptr + pf->in.size;
	at = secex_cache_get64(&r);
	count = secex_cache_get32(&r);
	len = secex_cache_get32(&r);
	if (len > (size_t)(r.end - r.p))
		return 0; /* not all of it yet */
	r.end = r.p + len;
	ok = at == from && count <= CHUNK;
	for (i = 0; ok && i < count; i++)
		ok = decode_slot(&pf->ring[(from + i) % RING], pf->h, &r, from + i);
	if (ok && r.p == r.end) {
		pf->in_off += HEAD + len;
		return 1;
	}
	for (i = 0; i < CHUNK; i++)
		slot_clear(&pf->ring[(from + i) % RING]);
	reader_gone(pf); /* cannot be: runs come whole, in the order they were claimed */
	return 0;
}

/* Reads what the reader sent (waiting for it when wait); false when it is gone, or silent
 * for longer than a run could take (WAIT_MS): the walk then goes on alone. */
static bool receive(struct hist_prefetch *pf, bool wait)
{
	struct pollfd p = { pf->fd, POLLIN, 0 };
	char buf[65536];
	ssize_t n;
	int ready;

	if (pf->in_off) { /* drop what was taken */
		memmove(pf->in.ptr, pf->in.ptr + pf->in_off, pf->in.size - pf->in_off);
		pf->in.size -= pf->in_off;
		pf->in.ptr[pf->in.size] = '\0';
		pf->in_off = 0;
	}
	if (wait && ((ready = poll(&p, 1, WAIT_MS)) == 0 || (ready < 0 && errno != EINTR)))
		return false;
	while ((n = read(pf->fd, buf, sizeof(buf))) > 0)
		if (secex_buf_put(&pf->in, buf, (size_t)n) < 0)
			return false;
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

static bool is_mine(const struct hist_prefetch *pf, size_t from)
{
	return pf->mine[from / CHUNK % (RING / CHUNK)] == from + 1;
}

/* Makes run `from` (the one the walk is at) ready: read by the walk, or by the reader. */
static void bring(struct hist_prefetch *pf, size_t from)
{
	size_t n = pf->h->order.n, got;

	for (;;) {
		if (is_mine(pf, from))
			return;
		if (atomic_load(pf->next) > from && take_record(pf, from))
			return; /* the reader's */
		if (atomic_load(pf->next) <= from || pf->fd < 0) {
			if ((got = claim(pf->next, from + 1)) == SIZE_MAX && pf->fd >= 0)
				continue; /* the reader took it meanwhile */
			pf->mine[from / CHUNK % (RING / CHUNK)] = from + 1;
			read_run(pf, from);
			return;
		}
		if ((got = claim(pf->next, from + RING - CHUNK + 1 < n ? from + RING - CHUNK + 1 : n)) != SIZE_MAX) {
			pf->mine[got / CHUNK % (RING / CHUNK)] = got + 1; /* read ahead while the reader works */
			read_run(pf, got);
			if (!receive(pf, false))
				reader_gone(pf);
		} else if (!receive(pf, true)) {
			reader_gone(pf);
		}
	}
}

static bool wanted(const secex_history *h)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (h->opts.jobs == 1 || h->order.n < 2)
		return false;
	return h->opts.jobs > 1 || (cpus > 1 && h->order.n >= MIN_COMMITS);
}

static int start_reader(struct hist_prefetch *pf)
{
	int fds[2];

	if (pipe(fds) < 0)
		return -1;
#ifdef F_SETPIPE_SZ
	(void)fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
#endif
	/* the reader ends with _exit: nothing the caller buffered is written twice */
	if ((pf->reader = fork()) == 0) {
		close(fds[0]);
		reader(pf, fds[1]);
	}
	close(fds[1]);
	if (pf->reader < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		close(fds[0]);
		return -1;
	}
	pf->fd = fds[0];
	return 0;
}

int secex_prefetch_start(secex_history *h)
{
	struct hist_prefetch *pf;
	void *shared;

	if (!wanted(h))
		return 0;
	SECEX_ERROR_CHECK_ALLOC(pf = calloc(1, sizeof(*pf)));
	pf->h = h;
	pf->fd = -1;
	shared = mmap(NULL, sizeof(atomic_size_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		free(pf);
		return 0; /* the walk reads alone */
	}
	pf->next = pf->shared = shared;
	atomic_init(pf->next, 0);
	if (start_reader(pf) < 0) {
		munmap(shared, sizeof(atomic_size_t));
		free(pf);
		return 0;
	}
	h->prefetch = pf;
	return 0;
}

void secex_prefetch_stop(secex_history *h)
{
	struct hist_prefetch *pf = h->prefetch;
	size_t i;

	if (!pf)
		return;
	reader_gone(pf);
	if (pf->reader > 0) {
		kill(pf->reader, SIGKILL);
		while (waitpid(pf->reader, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (i = 0; i < RING; i++)
		slot_clear(&pf->ring[i]);
	secex_buf_release(&pf->in);
	munmap(pf->shared, sizeof(atomic_size_t));
	free(pf);
	h->prefetch = NULL;
}

int secex_prefetch_take(secex_history *h, size_t index)
{
	struct hist_prefetch *pf = h->prefetch;
	slot *s;
	int rc;

	if (!pf)
		return 0;
	s = &pf->ring[index % RING];
	if (!(s->ready && s->index == index))
		bring(pf, index - index % CHUNK);
	if (!(s->ready && s->index == index))
		return 0; /* cannot be; the walk reads the commit itself */
	pf->current = s;
	if ((rc = secex_cache_apply(h->io.cache, &s->defer)) < 0)
		return rc;
	secex_buf_release(&s->defer);
	return 0;
}

void secex_prefetch_done(secex_history *h)
{
	struct hist_prefetch *pf = h->prefetch;

	if (!pf || !pf->current)
		return;
	slot_clear(pf->current);
	pf->current = NULL;
}

bool secex_prefetch_exc(secex_history *h, hist_roots *r)
{
	const slot *s = h->prefetch ? h->prefetch->current : NULL;

	if (!s || s->roots != r)
		return false;
	r->has_exc = s->has_exc;
	r->bad_exc = s->bad_exc;
	git_oid_cpy(&r->exc, &s->exc);
	r->exc_known = true;
	return true;
}

bool secex_prefetch_diff(secex_vec *out, secex_history *h, const git_oid *a, const git_oid *b)
{
	slot *s = h->prefetch ? h->prefetch->current : NULL;

	if (!s || !s->has_diff || !same_dir(s->has_a, &s->a, a != NULL, a) ||
	    !same_dir(s->has_exc, &s->exc, b != NULL, b))
		return false;
	*out = s->files;
	s->files = (secex_vec)SECEX_VEC_INIT;
	s->has_diff = false;
	return true;
}

secex_facts *secex_prefetch_facts(secex_history *h, const git_oid *blob, bool *fresh)
{
	const slot *s = h->prefetch ? h->prefetch->current : NULL;
	size_t i;

	*fresh = false; /* the reader stored them already */
	for (i = 0; s && i < s->nfacts; i++)
		if (git_oid_equal(&s->facts[i].blob, blob))
			return s->facts[i].facts;
	return NULL;
}
