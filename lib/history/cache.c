/* The history cache: what the walk derives from git objects, kept between runs.
 *
 * Every value is a pure function of the git objects its key names (and of what the key
 * adds: the policy's non-substantive fields, the directory looked up), so an entry never
 * goes stale: a force-push only makes new keys. The cache lives in segments under
 * GIT_COMMON_DIR/secex/history-v1/. A run that derived something new writes segments of its
 * own, streamed to a temporary file and linked into place when whole (readers see a segment
 * whole or not at all); once there are SEGMENTS_MAX, a run merges them into one, streaming
 * too. A segment is (little-endian)
 *
 *	"secexhc1"  version tag[32]  u64 count  u64 index offset
 *	the values, in the order the walk derived them (the next walk reads them front to back)
 *	count records { key[32], u64 offset, u32 length, u64 check, u32 0 }, sorted by key
 *
 * The check is a hash of key and value: an entry damaged in any way reads as absent. A
 * segment of another version or format is ignored and dropped at the next merge. Deleting
 * the directory is always safe; a cache that cannot be read or written only costs time. */

#define _GNU_SOURCE /* mkostemp */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "history_int.h"
#include "secex/sig.h"
#include "secex/banned.h"

#define MAGIC "secexhc1"
#define HEADER 56
#define RECORD 56
#define SEGMENTS_MAX 8
#define FRESH_MAX ((size_t)1 << 19) /* records a segment being written holds in memory */
#define FORMAT "secex history cache, format 1, facts 1, changes 1, commits 3, paths 1"

typedef struct {
	unsigned char *map;
	size_t size, n, index; /* index: where the records start */
	char *path;
	bool current;          /* of this version: looked up */
} segment;

/* A record of a segment being written, its value already in the file. */
typedef struct {
	unsigned char key[HIST_CACHE_KEY];
	uint64_t off, check;
	uint32_t len;
} fresh_record;

typedef struct {
	FILE *f;
	char *tmp;
	uint64_t off;
	fresh_record *recs;
	size_t n, cap;
	bool failed;
} writer;

struct hist_cache {
	char *dir;
	segment *segs;
	size_t nsegs;
	unsigned char version[32];
	writer w;     /* this run's segment */
	unsigned seq; /* segments this run wrote */
	size_t mapped, touched; /* bytes of segments mapped; pages read since the last drop */
};

/* The mapped pages of a segment count in the resident size: of a large cache, a walk would
 * keep all of it resident. Past RESIDENT_MAX, the pages read are given back now and then
 * (they are clean: the next read takes them from the page cache again). */
#define RESIDENT_MAX ((size_t)64 << 20)

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

/* The check of an entry: FNV-1a over its key and value (against damage, not attacks: whoever
 * can write the cache can write the repository's objects as well). */
static uint64_t check_of(const unsigned char *key, const unsigned char *value, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < HIST_CACHE_KEY; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	for (i = 0; i < len; i++)
		h = (h ^ value[i]) * 1099511628211ull;
	return h;
}

/* Whether the mapped s is a segment of this version (version NULL: of any), its records found. */
static void check_segment(segment *s, const unsigned char *version)
{
	uint64_t n, index;

	if (s->size < HEADER)
		return;
	n = get64(s->map + 40);
	index = get64(s->map + 48);
	s->current = memcmp(s->map, MAGIC, 8) == 0 && (!version || memcmp(s->map + 8, version, 32) == 0) &&
		     index >= HEADER && index <= s->size && n == (s->size - index) / RECORD &&
		     (s->size - index) % RECORD == 0;
	s->n = s->current ? (size_t)n : 0;
	s->index = s->current ? (size_t)index : 0;
}

/* Maps one segment file; one that is not a segment of this version is kept to be dropped. */
static void open_segment(segment *s, const hist_cache *c)
{
	struct stat st;
	int fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= HEADER &&
	    (s->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
		s->map = NULL;
	close(fd);
	if (!s->map)
		return;
	s->size = (size_t)st.st_size;
	check_segment(s, c->version);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const segment *)a)->path, ((const segment *)b)->path);
}

static int list_segments(hist_cache *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *e;
	size_t cap = 0;
	int rc = 0;

	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		secex_buf path = SECEX_BUF_INIT;
		segment *s;

		if (len < 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 4, ".seg") != 0)
			continue;
		if (!(s = secex_array_grow(c->segs, &cap, c->nsegs, sizeof(*s), 8))) {
			rc = secex_error_nomem();
			break;
		}
		c->segs = s;
		if ((rc = secex_buf_printf(&path, "%s/%s", c->dir, e->d_name)) < 0)
			break;
		memset(&c->segs[c->nsegs], 0, sizeof(*c->segs));
		c->segs[c->nsegs++].path = secex_buf_detach(&path);
	}
	closedir(d);
	if (c->nsegs)
		qsort(c->segs, c->nsegs, sizeof(*c->segs), by_name);
	return rc;
}

int secex_cache_open(hist_cache **out, const char *dir)
{
	hist_cache *c = calloc(1, sizeof(*c));
	size_t i;
	int rc;

	*out = NULL;
	SECEX_ERROR_CHECK_ALLOC(c);
	if (!(c->dir = strdup(dir)) || (rc = secex_sig_sha256(c->version, FORMAT, strlen(FORMAT))) < 0 ||
	    (rc = list_segments(c)) < 0) {
		secex_cache_free(c);
		return secex_error_nomem();
	}
	for (i = 0; i < c->nsegs; i++) {
		open_segment(&c->segs[i], c);
		c->mapped += c->segs[i].size;
	}
	*out = c;
	return 0;
}

static uint64_t key_prefix(const unsigned char *k)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | k[i];
	return v;
}

static const unsigned char *record_at(const segment *s, size_t i)
{
	return s->map + s->index + i * RECORD;
}

/* The record for key in s, or NULL. Keys are SHA-256 digests, spread evenly: a search by
 * interpolation finds one in a few probes (touching a few pages of a large index, where a
 * binary search touches twenty); it falls back to halving when probes stop narrowing. */
static const unsigned char *find_record(const segment *s, const unsigned char *key)
{
	uint64_t want = key_prefix(key);
	size_t lo = 0, hi = s->n, probes = 0;

	while (lo < hi) {
		uint64_t a = key_prefix(record_at(s, lo)), b = key_prefix(record_at(s, hi - 1));
		size_t mid = lo + (hi - lo) / 2;
		int cmp;

		if (probes++ < 8 && b > a && want >= a && want <= b)
			mid = lo + (size_t)((double)(want - a) / (double)(b - a) * (double)(hi - 1 - lo));
		cmp = memcmp(record_at(s, mid), key, HIST_CACHE_KEY);
		if (cmp == 0)
			return record_at(s, mid);
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The value of a record when it is whole and its check holds. */
static const unsigned char *record_value(const segment *s, const unsigned char *r, size_t *len)
{
	uint64_t off = get64(r + 32), n = get32(r + 40);

	if (off < HEADER || off > s->index || n > s->index - off || check_of(r, s->map + off, (size_t)n) != get64(r + 44))
		return NULL;
	*len = (size_t)n;
	return s->map + off;
}

static void give_back(segment *s, size_t from, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), start = from / page * page;

	if (s->map && from + len <= s->size)
		(void)madvise(s->map + start, from + len - start, MADV_DONTNEED);
}

/* Counts the pages a lookup may read (an interpolation search probes a few places of each
 * segment's index, then a value: counted as eight, measured at 1M commits) and gives the
 * values' pages back once there are enough of them. The indexes stay: every lookup probes
 * them, and they are a twentieth of a segment. */
static void touch(hist_cache *c)
{
	size_t i;

	if (c->mapped <= RESIDENT_MAX || (c->touched += 8 * c->nsegs) * 4096 < RESIDENT_MAX)
		return;
	for (i = 0; i < c->nsegs; i++)
		if (c->segs[i].current && c->segs[i].index > HEADER)
			give_back(&c->segs[i], HEADER, c->segs[i].index - HEADER);
	c->touched = 0;
}

const void *secex_cache_get(hist_cache *c, const unsigned char key[HIST_CACHE_KEY], size_t *len)
{
	size_t i;

	if (c)
		touch(c);
	for (i = c ? c->nsegs : 0; i-- > 0;) {
		const unsigned char *r = c->segs[i].current ? find_record(&c->segs[i], key) : NULL;
		const unsigned char *v = r ? record_value(&c->segs[i], r, len) : NULL;

		if (v)
			return v;
	}
	return NULL;
}

int secex_cache_probe(const void *data, size_t size, size_t *valid)
{
	segment s = { 0 };
	size_t i;

	*valid = 0;
	s.map = (unsigned char *)(uintptr_t)data; /* only read */
	s.size = size;
	check_segment(&s, NULL);
	for (i = 0; i < s.n; i++) {
		const unsigned char *r = record_at(&s, i), *found = find_record(&s, r), *v;
		secex_arena scratch = SECEX_ARENA_INIT;
		secex_vec changes = SECEX_VEC_INIT;
		secex_facts *f;
		size_t len;

		if (found && (v = record_value(&s, found, &len))) {
			*valid += secex_facts_decode(&f, &scratch, v, len);
			*valid += secex_diff_decode(&changes, v, len);
		}
		secex_diff_free(&changes);
		secex_arena_release(&scratch);
	}
	return 0;
}

int secex_cache_key(unsigned char out[HIST_CACHE_KEY], char kind, const void *a, size_t alen, const void *b,
		    size_t blen)
{
	unsigned char small[256];
	secex_buf k = SECEX_BUF_INIT;
	int rc;

	if (1 + alen + blen <= sizeof(small)) { /* the usual key: no allocation */
		small[0] = (unsigned char)kind;
		memcpy(small + 1, a, alen);
		if (blen)
			memcpy(small + 1 + alen, b, blen);
		return secex_sig_sha256(out, small, 1 + alen + blen);
	}
	if ((rc = secex_buf_putc(&k, kind)) == 0 && (rc = secex_buf_put(&k, a, alen)) == 0 &&
	    (rc = secex_buf_put(&k, b ? b : "", blen)) == 0)
		rc = secex_sig_sha256(out, k.ptr, k.size);
	secex_buf_release(&k);
	return rc;
}

/* A new segment file: a temporary name in the directory, the header to come. */
static bool writer_start(writer *w, const hist_cache *c)
{
	unsigned char head[HEADER] = { 0 };
	secex_buf tmp = SECEX_BUF_INIT;
	int fd = -1;

	if (secex_file_mkdirs(c->dir) < 0 || secex_buf_printf(&tmp, "%s/.tmp-XXXXXX", c->dir) < 0 ||
	    (fd = mkostemp(tmp.ptr, O_CLOEXEC)) < 0 || fchmod(fd, 0644) < 0 || !(w->f = fdopen(fd, "w+b")) ||
	    fwrite(head, 1, HEADER, w->f) != HEADER) {
		if (w->f)
			fclose(w->f);
		else if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(tmp.ptr);
		w->f = NULL;
		secex_buf_release(&tmp);
		return false;
	}
	w->tmp = secex_buf_detach(&tmp);
	w->off = HEADER;
	return true;
}

static void writer_drop(writer *w)
{
	if (w->f) {
		fclose(w->f);
		unlink(w->tmp);
	}
	free(w->tmp);
	free(w->recs);
	memset(w, 0, sizeof(*w));
}

static int cmp_fresh(const void *a, const void *b)
{
	const fresh_record *x = a, *y = b;
	int c = memcmp(x->key, y->key, HIST_CACHE_KEY);

	return c ? c : x->off < y->off ? -1 : x->off > y->off; /* a key twice: the first stays */
}

/* Writes the header, then links the whole segment into place under a name that sorts after
 * the segments before it. */
static bool writer_link(writer *w, hist_cache *c, uint64_t count, uint64_t index)
{
	unsigned char head[HEADER] = { 0 };
	secex_buf path = SECEX_BUF_INIT;
	bool ok;

	memcpy(head, MAGIC, 8);
	memcpy(head + 8, c->version, 32);
	put64(head + 40, count);
	put64(head + 48, index);
	ok = fflush(w->f) == 0 && fseek(w->f, 0, SEEK_SET) == 0 && fwrite(head, 1, HEADER, w->f) == HEADER &&
	     fflush(w->f) == 0 && fsync(fileno(w->f)) == 0 &&
	     secex_buf_printf(&path, "%s/%016llx-%08lx-%04x.seg", c->dir, (unsigned long long)time(NULL),
			      (unsigned long)getpid(), c->seq++) == 0 &&
	     link(w->tmp, path.ptr) == 0;
	secex_buf_release(&path);
	return ok;
}

/* Ends this run's segment: its records sorted by key after the values. */
static void writer_finish(writer *w, hist_cache *c)
{
	unsigned char rec[RECORD] = { 0 };
	size_t i, k = 0;
	bool ok = !w->failed;

	if (w->n)
		qsort(w->recs, w->n, sizeof(*w->recs), cmp_fresh);
	for (i = 0; i < w->n; i++)
		if (!k || memcmp(w->recs[k - 1].key, w->recs[i].key, HIST_CACHE_KEY) != 0)
			w->recs[k++] = w->recs[i];
	for (i = 0; ok && i < k; i++) {
		memcpy(rec, w->recs[i].key, HIST_CACHE_KEY);
		put64(rec + 32, w->recs[i].off);
		put32(rec + 40, w->recs[i].len);
		put64(rec + 44, w->recs[i].check);
		ok = fwrite(rec, 1, RECORD, w->f) == RECORD;
	}
	if (ok && k)
		writer_link(w, c, k, w->off);
	writer_drop(w);
}

int secex_cache_put(hist_cache *c, const unsigned char key[HIST_CACHE_KEY], const void *value, size_t len)
{
	writer *w = c ? &c->w : NULL;
	fresh_record *grown;

	if (!w || w->failed || len > UINT32_MAX)
		return 0;
	if (w->n == FRESH_MAX)
		writer_finish(w, c);
	if (!w->f && !writer_start(w, c)) {
		w->failed = true; /* no cache this run */
		return 0;
	}
	if (!(grown = secex_array_grow(w->recs, &w->cap, w->n, sizeof(*grown), 1024)))
		return secex_error_nomem();
	w->recs = grown;
	if (len && fwrite(value, 1, len, w->f) != len) {
		w->failed = true;
		return 0;
	}
	memcpy(grown[w->n].key, key, HIST_CACHE_KEY);
	grown[w->n].off = w->off;
	grown[w->n].len = (uint32_t)len;
	grown[w->n++].check = check_of(key, value, len);
	w->off += len;
	return 0;
}

int secex_cache_io_put(hist_io *io, const unsigned char key[HIST_CACHE_KEY], const void *value, size_t len)
{
	int rc;

	if (!io->defer)
		return secex_cache_put(io->cache, key, value, len);
	if (len > UINT32_MAX)
		return 0;
	if ((rc = secex_buf_put(io->defer, (const char *)key, HIST_CACHE_KEY)) < 0 ||
	    (rc = secex_cache_put32(io->defer, (uint32_t)len)) < 0)
		return rc;
	return secex_buf_put(io->defer, value, len);
}

int secex_cache_apply(hist_cache *c, const secex_buf *deferred)
{
	hist_reader r = { NULL, NULL, false, false };
	int rc = 0;

	if (!deferred->size)
		return 0;
	r.p = (const unsigned char *)deferred->ptr;
	r.end = r.p + deferred->size;
	while (rc == 0 && r.p < r.end) {
		const unsigned char *key = r.p;
		size_t len = 0;

		if (r.end - r.p >= HIST_CACHE_KEY) {
			r.p += HIST_CACHE_KEY;
			len = secex_cache_get32(&r);
		}
		if (key == r.p || r.bad || len > (size_t)(r.end - r.p))
			return 0; /* cannot be; these values are only kept for the next runs */
		rc = secex_cache_put(c, key, r.p, len);
		r.p += len;
	}
	return rc;
}

/* The next record of the k-way merge: the least key among the segments' heads (the newest
 * segment's on a tie), moving every head past it. */
static const unsigned char *merge_next(const hist_cache *c, size_t *at, size_t *from)
{
	const unsigned char *best = NULL;
	size_t i;

	for (i = 0; i < c->nsegs; i++) {
		const unsigned char *r = at[i] < c->segs[i].n ? record_at(&c->segs[i], at[i]) : NULL;

		if (r && (!best || memcmp(r, best, HIST_CACHE_KEY) <= 0))
			best = r, *from = i;
	}
	for (i = 0; best && i < c->nsegs; i++) /* a segment holds a key once */
		if (at[i] < c->segs[i].n && memcmp(record_at(&c->segs[i], at[i]), best, HIST_CACHE_KEY) == 0)
			at[i]++;
	return best;
}

/* Merges every current segment into one: their values copied as they lie, their records
 * merged in key order (a damaged one left out), all streamed. */
static bool merge_segments(hist_cache *c)
{
	writer m = { 0 };
	uint64_t *base = calloc(c->nsegs + 1, sizeof(*base)), count = 0;
	size_t *at = calloc(c->nsegs + 1, sizeof(*at)), i, from = 0, len;
	const unsigned char *r;
	bool ok = base && at && writer_start(&m, c);

	for (i = 0; ok && i < c->nsegs; i++) {
		size_t at2, n;

		base[i] = m.off;
		for (at2 = HEADER; ok && c->segs[i].current && at2 < c->segs[i].index; at2 += n) {
			n = c->segs[i].index - at2 < RESIDENT_MAX ? c->segs[i].index - at2 : RESIDENT_MAX;
			ok = fwrite(c->segs[i].map + at2, 1, n, m.f) == n;
			give_back(&c->segs[i], at2, n);
		}
		if (c->segs[i].current)
			m.off += c->segs[i].index - HEADER;
	}
	while (ok && (r = merge_next(c, at, &from))) {
		unsigned char rec[RECORD];

		if (!record_value(&c->segs[from], r, &len))
			continue;
		memcpy(rec, r, RECORD);
		put64(rec + 32, get64(r + 32) - HEADER + base[from]);
		ok = fwrite(rec, 1, RECORD, m.f) == RECORD;
		count++;
		touch(c); /* the merge reads every record and value once */
	}
	ok = ok && writer_link(&m, c, count, m.off);
	writer_drop(&m);
	free(base);
	free(at);
	return ok;
}

static bool needs_merge(const hist_cache *c)
{
	size_t i;

	if (c->nsegs >= SEGMENTS_MAX)
		return true;
	for (i = 0; i < c->nsegs; i++)
		if (!c->segs[i].current)
			return true;
	return false;
}

/* Removes what a run that was killed while writing left behind (a day old or more). */
static void sweep_temporaries(const hist_cache *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *e;
	time_t now = time(NULL);

	while (d && (e = readdir(d))) {
		secex_buf path = SECEX_BUF_INIT;
		struct stat st;

		if (strncmp(e->d_name, ".tmp-", 5) == 0 && secex_buf_printf(&path, "%s/%s", c->dir, e->d_name) == 0 &&
		    lstat(path.ptr, &st) == 0 && st.st_mtime < now - 86400)
			unlink(path.ptr);
		secex_buf_release(&path);
	}
	if (d)
		closedir(d);
}

void secex_cache_commit(hist_cache *c)
{
	size_t i;

	if (!c)
		return;
	if (c->w.f)
		writer_finish(&c->w, c);
	c->w.failed = true; /* what the run derives after its walk is not kept */
	if (needs_merge(c) && merge_segments(c)) {
		for (i = 0; i < c->nsegs; i++)
			unlink(c->segs[i].path);
		sweep_temporaries(c);
	}
	secex_error_clear(); /* a cache that cannot be written costs the next run its speed, nothing else */
}

void secex_cache_free(hist_cache *c)
{
	size_t i;

	if (!c)
		return;
	writer_drop(&c->w);
	for (i = 0; i < c->nsegs; i++) {
		if (c->segs[i].map)
			munmap(c->segs[i].map, c->segs[i].size);
		free(c->segs[i].path);
	}
	free(c->segs);
	free(c->dir);
	free(c);
}

int secex_cache_put32(secex_buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };

	return secex_buf_put(b, (const char *)p, 4);
}

int secex_cache_putstr(secex_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int rc;

	if (n >= UINT32_MAX)
		return secex_error_set(SECEX_EINVALID, "a string too long for the history cache");
	if ((rc = secex_cache_put32(b, s ? (uint32_t)n : UINT32_MAX)) < 0)
		return rc;
	return secex_buf_put(b, s ? s : "", n);
}

bool secex_cache_getbytes(hist_reader *r, void *out, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		if (n)
			memset(out, 0, n);
		return false;
	}
	if (n)
		memcpy(out, r->p, n);
	r->p += n;
	return true;
}

uint32_t secex_cache_get32(hist_reader *r)
{
	unsigned char p[4];

	if (!secex_cache_getbytes(r, p, 4))
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int secex_cache_put64(secex_buf *b, uint64_t v)
{
	int rc = secex_cache_put32(b, (uint32_t)v);

	return rc ? rc : secex_cache_put32(b, (uint32_t)(v >> 32));
}

uint64_t secex_cache_get64(hist_reader *r)
{
	uint64_t lo = secex_cache_get32(r);

	return lo | (uint64_t)secex_cache_get32(r) << 32;
}

const char *secex_cache_getstr(hist_reader *r, secex_arena *arena)
{
	uint32_t n = secex_cache_get32(r);
	const char *s;

	if (r->bad || n == UINT32_MAX)
		return NULL;
	if ((size_t)(r->end - r->p) < n || memchr(r->p, '\0', n)) {
		r->bad = true;
		return NULL;
	}
	if (!(s = secex_arena_strndup(arena, (const char *)r->p, n)))
		r->bad = r->nomem = true;
	r->p += n;
	return s;
}
