/* The checks a schema cannot express (SPEC §3): SX120 to SX126. */

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "secex/snapshot.h"
#include "secex/util.h"
#include "secex/path.h"
#include "secex/banned.h"

typedef struct {
	const secex_snapshot *snap;
	const secex_exception *exc;
	const secex_node *root;
	secex_diags *diags;
} ctx;

/* A finding about the exception in c, at node `at` (may be NULL). */
#define ADD(c, code, at, ...)                                                                    \
	secex_diag_add((c)->diags, code, (c)->exc->path, (at) ? (at)->line : 0,                  \
			(at) ? (at)->column : 0, (c)->exc->id, NULL, __VA_ARGS__)

static int check_file_name(ctx *c)
{
	const char *base = strrchr(c->exc->path, '/');
	const char *dot;
	size_t len;

	base = base ? base + 1 : c->exc->path;
	dot = strrchr(base, '.');
	len = dot ? (size_t)(dot - base) : strlen(base);
	if (strlen(c->exc->id) == len && strncmp(base, c->exc->id, len) == 0)
		return 0;
	return ADD(c, "SX126", secex_node_get(c->root, "id"),
		   "file name '%s' does not match id '%s'; rename the file to the id followed by .yaml",
		   base, c->exc->id);
}

static int check_id_pattern(ctx *c)
{
	const secex_node *id = secex_node_get(c->root, "id");
	bool valid = true;
	int rc;

	if (!c->snap->policy->id_schema)
		return 0; /* a pattern that does not compile is SX127 on the policy */
	rc = secex_schema_validate(&valid, c->snap->policy->id_schema, id, c->exc->path, c->exc->id, NULL);
	if (rc < 0 || valid)
		return rc;
	return ADD(c, "SX110", id, "id '%s' does not match the policy's id_pattern '%s'; choose an id "
		   "of that form and rename the file to match", c->exc->id, c->snap->policy->id_pattern);
}

static int check_person(ctx *c, const secex_node *node, const char *field)
{
	const char *id = secex_node_str(node);
	const secex_person *near;

	if (!id || !c->snap->roster || secex_roster_find(c->snap->roster, id))
		return 0;
	if (strcmp(field, "assignee") == 0 && strcmp(id, "unassigned") == 0)
		return 0;
	if ((near = secex_roster_similar(c->snap->roster, id)))
		return ADD(c, "SX121", node, "%s '%s' is not in the roster (.secex/people.yaml); "
			   "did you mean '%s'?", field, id, near->id);
	return ADD(c, "SX121", node, "%s '%s' is not in the roster (.secex/people.yaml); "
		   "fix the id or add the person", field, id);
}

static int check_people(ctx *c)
{
	static const char *const fields[] = { "requestor", "risk_owner", "assignee" };
	const secex_node *list;
	size_t i;
	int rc = 0;

	for (i = 0; i < 3 && rc == 0; i++)
		rc = check_person(c, secex_node_get(c->root, fields[i]), fields[i]);
	list = secex_node_get(c->root, "stakeholders");
	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		rc = check_person(c, secex_node_get(list->u.array.items[i], "person"), "stakeholder");
	list = secex_node_get(c->root, "approvals");
	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		rc = check_person(c, secex_node_get(list->u.array.items[i], "by"), "approver");
	return rc;
}

static bool when_of(int64_t *out, const secex_node *node)
{
	const char *s = secex_node_str(node);

	return s && secex_date_when_parse(out, s, strlen(s));
}

static int check_approval_dates(ctx *c, int64_t created)
{
	const secex_node *list = secex_node_get(c->root, "approvals");
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		const secex_node *date = secex_node_get(list->u.array.items[i], "date");
		int64_t when;

		if (when_of(&when, date) && when < created)
			rc = ADD(c, "SX123", date, "approval date '%s' is before the exception was created "
				 "('%s'); an approval cannot predate its request", secex_node_str(date),
				 secex_node_str(secex_node_get(c->root, "created")));
	}
	return rc;
}

static int check_dates(ctx *c, const secex_level *level)
{
	const secex_node *created_n = secex_node_get(c->root, "created");
	const secex_node *due_n = secex_node_get(c->root, "due_date");
	const secex_node *orig_n = secex_node_get(c->root, "original_due_date");
	int64_t created, due, orig;
	char limit[24];
	int rc = 0;

	if (!when_of(&created, created_n) || !when_of(&due, due_n))
		return 0; /* the schema reported the format */
	if (due <= created)
		return ADD(c, "SX123", due_n, "due_date '%s' is not after created '%s'; "
			   "set a due date later than the creation date", secex_node_str(due_n),
			   secex_node_str(created_n));
	if (orig_n && when_of(&orig, orig_n) && due <= orig &&
	    strcmp(secex_node_str(secex_node_get(c->root, "type")), "extension") == 0)
		rc = ADD(c, "SX123", due_n, "due_date '%s' is not after original_due_date '%s'; "
			 "an extension must move the date later", secex_node_str(due_n), secex_node_str(orig_n));
	if (rc == 0 && level && due - created > level->max_duration) {
		secex_duration_format(limit, sizeof(limit), level->max_duration);
		rc = ADD(c, "SX124", due_n, "due_date '%s' is more than %s after created, the longest a '%s' "
			 "exception may last; choose an earlier date or split the work", secex_node_str(due_n),
			 limit, level->name);
	}
	if (rc == 0)
		rc = check_approval_dates(c, created);
	return rc;
}

static int check_extension(ctx *c)
{
	static const char *const fields[] = { "original_due_date", "remediation_plan" };
	const secex_node *type = secex_node_get(c->root, "type");
	size_t i;
	int rc = 0;

	if (!secex_node_str(type) || strcmp(secex_node_str(type), "extension") != 0)
		return 0;
	for (i = 0; i < 2 && rc == 0; i++)
		if (!secex_node_get(c->root, fields[i]))
			rc = ADD(c, "SX125", type, "an extension needs '%s'%s; add it, or make the type "
				 "'acceptance' if the risk will not be fixed", fields[i],
				 i == 0 ? " (the remediation date before this request)" : " (the path to the fix)");
	return rc;
}

static int unknown_level(ctx *c, const secex_node *priority)
{
	const char *near = secex_policy_similar_level(c->snap->policy, secex_node_str(priority));

	if (near)
		return ADD(c, "SX122", priority, "priority '%s' is not a level of the policy; did you mean "
			   "'%s'?", secex_node_str(priority), near);
	return ADD(c, "SX122", priority, "priority '%s' is not a level of the policy; use one of "
		   "the levels in .secex/policy.yaml", secex_node_str(priority));
}

int secex_validate_exception(const secex_snapshot *snap, const secex_exception *exc, secex_diags *diags)
{
	ctx c = { snap, exc, secex_doc_root(exc->doc), diags };
	const secex_node *priority = secex_node_get(c.root, "priority");
	const secex_level *level = NULL;
	int rc = 0;

	if (!exc->doc || !exc->id)
		return 0;
	if ((rc = check_file_name(&c)) < 0)
		return rc;
	if (exc->valid && snap->policy_ok && (rc = check_id_pattern(&c)) < 0)
		return rc;
	/* people and the level are checked even when the schema found problems, so that one run
	 * shows them all; the rest needs a file of the schema's shape */
	if (snap->policy_ok && secex_node_str(priority) &&
	    !(level = secex_policy_level(snap->policy, secex_node_str(priority))))
		rc = unknown_level(&c, priority);
	if (rc == 0)
		rc = check_people(&c);
	if (rc < 0 || !exc->valid)
		return rc;
	if (rc == 0)
		rc = check_dates(&c, level);
	if (rc == 0)
		rc = check_extension(&c);
	return rc;
}

static int cmp_by_id(const void *a, const void *b)
{
	const secex_exception *x = *(const secex_exception *const *)a, *y = *(const secex_exception *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->path, y->path);
}

static int check_unique_ids(const secex_snapshot *snap, secex_diags *diags)
{
	const secex_exception **by_id = calloc(snap->n + 1, sizeof(*by_id));
	size_t i, n = 0;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(by_id);
	for (i = 0; i < snap->n; i++)
		if (snap->items[i].id)
			by_id[n++] = &snap->items[i];
	qsort(by_id, n, sizeof(*by_id), cmp_by_id);
	for (i = 1; i < n && rc == 0; i++) {
		const secex_node *at;

		if (strcmp(by_id[i]->id, by_id[i - 1]->id) != 0)
			continue;
		at = secex_node_get(secex_doc_root(by_id[i]->doc), "id");
		rc = secex_diag_add(diags, "SX120", by_id[i]->path, at->line, at->column, by_id[i]->id, NULL,
				     "id '%s' is also used by '%s'; give each exception its own id",
				     by_id[i]->id, by_id[i - 1]->path);
	}
	free(by_id);
	return rc;
}

/* Says why people go unchecked: after the roster's own findings (same place, a later code), or
 * at the top of the file when there is none, which is when the file is missing. */
static int no_roster(secex_diags *diags)
{
	const secex_diag *last = NULL;
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (diags->items[i].file && strcmp(diags->items[i].file, SECEX_PEOPLE_PATH) == 0 &&
		    (!last || diags->items[i].line > last->line ||
		     (diags->items[i].line == last->line && diags->items[i].column >= last->column)))
			last = &diags->items[i];
	if (last)
		return secex_diag_add(diags, "SX127", SECEX_PEOPLE_PATH, last->line, last->column, NULL, NULL,
				       "the roster does not load, so no person can be checked; fix the "
				       "findings on %s above", SECEX_PEOPLE_PATH);
	return secex_diag_add(diags, "SX127", SECEX_PEOPLE_PATH, 0, 0, NULL, NULL,
			       "there is no roster (%s), so no person can be checked; create it ('secex "
			       "init' writes one) or restore it from git", SECEX_PEOPLE_PATH);
}

int secex_validate_snapshot(const secex_snapshot *snap, secex_diags *diags)
{
	size_t i;
	int rc = 0;

	if (snap->n && !snap->roster)
		rc = no_roster(diags);
	for (i = 0; i < snap->n && rc == 0; i++)
		rc = secex_validate_exception(snap, &snap->items[i], diags);
	if (rc == 0)
		rc = check_unique_ids(snap, diags);
	return rc;
}

/* One exception file of secex_validate_tree: what its thread found, kept until the merge. */
typedef struct {
	char *path;
	char *id;                /* a copy: the document is freed once checked */
	uint32_t line, column;   /* of the id, for SX120 */
	bool full;               /* loaded and checked, not only read for its id */
	bool done;               /* its id came from the cache */
	char key[42];            /* blob id and kind ('y' YAML, 'j' JSON); "" outside git */
	secex_diags load, checks;
	int rc;
	char *error;             /* secex_error_last() of the thread when rc < 0 */
} vitem;

typedef struct {
	const secex_snapshot *snap;
	secex_tree *tree;
	vitem *items;
	size_t n;
	atomic_size_t next;
} vjob;

static int check_item(vitem *it, const secex_snapshot *snap, secex_tree *tree)
{
	secex_exception e = { it->path, NULL, NULL, false };
	const secex_node *at;
	int rc;

	if (it->full) {
		rc = secex_snapshot_load_exception(&e, snap, tree, &it->load);
		if (rc == 0 && e.doc)
			rc = secex_validate_exception(snap, &e, &it->checks);
	} else { /* only the id counts: the findings about this file are not wanted */
		rc = secex_tree_load(&e.doc, tree, e.path, &it->load);
		rc = rc == SECEX_ENOTFOUND ? 0 : rc;
		e.id = e.doc ? secex_node_str(secex_node_get(secex_doc_root(e.doc), "id")) : NULL;
		secex_diag_release(&it->load);
		secex_diag_init(&it->load);
	}
	if (rc == 0 && e.id) {
		at = secex_node_get(secex_doc_root(e.doc), "id");
		it->line = at->line;
		it->column = at->column;
		if (!(it->id = strdup(e.id)))
			rc = secex_error_nomem();
	}
	secex_doc_free(e.doc);
	return rc;
}

static void *worker(void *arg)
{
	vjob *job = arg;
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->n) {
		vitem *it = &job->items[i];

		if (!it->done && (it->rc = check_item(it, job->snap, job->tree)) < 0)
			it->error = strdup(secex_error_last());
	}
	return NULL;
}

static unsigned threads_for(const secex_validate_options *opts, size_t n)
{
	long cpus = opts->jobs ? (long)opts->jobs : sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus > 64)
		cpus = 64;
	if ((size_t)cpus > n)
		cpus = (long)n;
	return cpus < 1 ? 1 : (unsigned)cpus;
}

/* Runs the workers, the calling thread one of them; a thread that cannot start leaves its
 * share to the others. */
static void run_jobs(vjob *job, unsigned nthreads)
{
	pthread_t tids[64];
	unsigned started = 0, t;

	for (t = 1; t < nthreads && pthread_create(&tids[started], NULL, worker, job) == 0; t++)
		started++;
	worker(job);
	for (t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
}

/* Appends src's findings to dst (with dst's severity overrides), in order. */
static int move_diags(secex_diags *dst, secex_diags *src)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < src->n && rc == 0; i++) {
		const secex_diag *d = &src->items[i];

		rc = secex_diag_add(dst, d->code, d->file, d->line, d->column, d->exception, d->commit,
				     "%s", d->message);
	}
	secex_diag_release(src);
	return rc;
}

static int cmp_item_by_id(const void *a, const void *b)
{
	const vitem *x = *(const vitem *const *)a, *y = *(const vitem *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->path, y->path);
}

/* SX120 as check_unique_ids reports it, on the files checked in full. */
static int unique_item_ids(vitem *items, size_t n, secex_diags *diags)
{
	vitem **by_id = calloc(n + 1, sizeof(*by_id));
	size_t i, k = 0;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(by_id);
	for (i = 0; i < n; i++)
		if (items[i].id)
			by_id[k++] = &items[i];
	qsort(by_id, k, sizeof(*by_id), cmp_item_by_id);
	for (i = 1; i < k && rc == 0; i++)
		if (by_id[i]->full && strcmp(by_id[i]->id, by_id[i - 1]->id) == 0)
			rc = secex_diag_add(diags, "SX120", by_id[i]->path, by_id[i]->line, by_id[i]->column,
					     by_id[i]->id, NULL, "id '%s' is also used by '%s'; give each "
					     "exception its own id", by_id[i]->id, by_id[i - 1]->path);
	free(by_id);
	return rc;
}

/*
 * The id cache of --staged: blob id and kind -> the id its file parses to (or none). An id
 * is a pure function of the blob, so the cache is safe to delete and never goes stale; a
 * damaged file, or one of another version, is ignored and written anew. Format: the line
 * "secex-ids 1", then per blob "KEY LEN ID\n" (LEN "-": no id), then "end N HASH\n" with the
 * FNV-1a hash of all before it.
 */
#define ID_CACHE "ids-v1"
#define ID_CACHE_HEADER "secex-ids 1\n"

typedef struct {
	secex_map map;     /* key -> the id, in data, or no_id */
	secex_buf data;    /* the cache file, each id NUL-terminated in place */
	bool changed;
} id_cache;

static char no_id[] = "-"; /* the value of a blob that has no id */

/* One entry at *p (before end); false when it is not well-formed. */
static bool cache_entry(id_cache *c, char **p, const char *end)
{
	char *q = *p, *id, *num_end;
	unsigned long len;

	if (end - q < 44 || q[41] != ' ')
		return false;
	if (q[42] == '-') { /* "KEY -\n" */
		if (q[43] != '\n' || secex_map_put(&c->map, q, 41, no_id) < 0)
			return false;
		*p = q + 44;
		return true;
	}
	len = strtoul(q + 42, &num_end, 10); /* "KEY LEN ID\n" */
	if (num_end == q + 42 || *num_end != ' ' || len > (unsigned long)(end - num_end - 2))
		return false;
	id = num_end + 1;
	if (id + len >= end || id[len] != '\n' || secex_map_put(&c->map, q, 41, id) < 0)
		return false;
	id[len] = '\0';
	*p = id + len + 1;
	return true;
}

static void cache_load(id_cache *c, secex_tree *tree)
{
	secex_buf path = SECEX_BUF_INIT;
	char *p, *end, *tail;
	unsigned long long n = 0, hash = 0, got = 0;

	if (secex_tree_cache_path(&path, tree, ID_CACHE) < 0 ||
	    secex_file_read_ext(&c->data, NULL, path.ptr, 64u << 20, SECEX_FILE_NOFOLLOW) < 0 ||
	    c->data.size < 13)
		goto cleanup;
	end = c->data.ptr + c->data.size;
	for (tail = end - 1; tail > c->data.ptr && tail[-1] != '\n'; tail--)
		;
	if (memcmp(c->data.ptr, ID_CACHE_HEADER, 12) != 0 || sscanf(tail, "end %llu %llx", &n, &hash) != 2 ||
	    secex_map_hash(c->data.ptr, (size_t)(tail - c->data.ptr)) != hash)
		goto cleanup;
	for (p = c->data.ptr + 12; p < tail && cache_entry(c, &p, tail); got++)
		;
	if (p != tail || got != n) { /* damaged: start again */
		secex_map_release(&c->map);
		c->map = (secex_map)SECEX_MAP_INIT;
		c->changed = true;
	}
cleanup:
	secex_error_clear();
	secex_buf_release(&path);
}

/* Writes the ids of this run's files, when one of them was not in the cache. A cache that
 * cannot be written costs the next run its speed, nothing else. */
static void cache_save(const id_cache *c, secex_tree *tree, const vitem *items, size_t n)
{
	secex_buf path = SECEX_BUF_INIT, out = SECEX_BUF_INIT;
	char *slash;
	size_t i, count = 0;
	int rc;

	if (!c->changed || secex_tree_cache_path(&path, tree, ID_CACHE) < 0)
		goto cleanup;
	rc = secex_buf_puts(&out, ID_CACHE_HEADER);
	for (i = 0; i < n && rc == 0; i++) {
		if (!items[i].key[0] || items[i].rc < 0)
			continue;
		count++;
		rc = items[i].id ? secex_buf_printf(&out, "%s %zu %s\n", items[i].key, strlen(items[i].id), items[i].id)
				 : secex_buf_printf(&out, "%s -\n", items[i].key);
	}
	if (rc == 0)
		rc = secex_buf_printf(&out, "end %zu %llx\n", count,
				      (unsigned long long)secex_map_hash(out.ptr, out.size));
	if (rc == 0 && (slash = strrchr(path.ptr, '/'))) {
		*slash = '\0';
		rc = secex_file_mkdirs(path.ptr);
		*slash = '/';
	}
	if (rc == 0)
		secex_file_replace(path.ptr, out.ptr, out.size);
cleanup:
	secex_error_clear();
	secex_buf_release(&path);
	secex_buf_release(&out);
}

/* Takes the ids of the files read for their id alone from the cache, where it has them. */
static int cache_lookup(id_cache *c, secex_tree *tree, vitem *items, size_t n)
{
	size_t i, len;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *v;

		if (secex_tree_blob_id(items[i].key, tree, items[i].path) < 0)
			continue;
		len = strlen(items[i].path);
		items[i].key[40] = secex_path_is_json(items[i].path, len) ? 'j' : 'y';
		items[i].key[41] = '\0';
		if (items[i].full)
			continue;
		if (!(v = secex_map_get(&c->map, items[i].key, 41))) {
			c->changed = true;
			continue;
		}
		items[i].done = true;
		if (v != no_id && !(items[i].id = strdup(v)))
			rc = secex_error_nomem();
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Marks the files checked in full: all, or those among opts->only (sorted, then searched). */
static int mark_full(vitem *items, size_t n, const secex_validate_options *opts)
{
	const char **only = NULL;
	size_t i;

	if (opts->only && !(only = malloc((opts->n_only + 1) * sizeof(*only))))
		return secex_error_nomem();
	for (i = 0; only && i < opts->n_only; i++)
		only[i] = opts->only[i];
	if (only)
		qsort(only, opts->n_only, sizeof(*only), cmp_str);
	for (i = 0; i < n; i++)
		items[i].full = !only || bsearch(&items[i].path, only, opts->n_only, sizeof(*only), cmp_str);
	free(only);
	return 0;
}

/* The findings of every file in order (loading first, then the semantic checks), as the
 * sequential run makes them. */
static int merge(const secex_snapshot *snap, vitem *items, size_t n, secex_diags *diags)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		if (items[i].rc < 0)
			return secex_error_set(items[i].rc, "%s", items[i].error ? items[i].error : "out of memory");
	for (i = 0; i < n && rc == 0; i++)
		rc = move_diags(diags, &items[i].load);
	if (rc == 0 && n && !snap->roster)
		rc = secex_diag_add(diags, "SX127", SECEX_PEOPLE_PATH, 0, 0, NULL, NULL,
				     "no usable roster, so people cannot be checked; create it with "
				     "'secex init' or fix the findings above");
	for (i = 0; i < n && rc == 0; i++)
		rc = move_diags(diags, &items[i].checks);
	return rc == 0 ? unique_item_ids(items, n, diags) : rc;
}

int secex_validate_tree(size_t *nfiles, secex_tree *tree, const secex_validate_options *opts, secex_diags *diags)
{
	secex_vec paths = SECEX_VEC_INIT;
	secex_snapshot *snap = NULL;
	vjob job = { NULL, tree, NULL, 0, 0 };
	id_cache cache = { SECEX_MAP_INIT, SECEX_BUF_INIT, false };
	size_t i;
	int rc;

	if ((rc = secex_snapshot_load_policy(&snap, tree, diags)) < 0 ||
	    (rc = secex_snapshot_list(&paths, snap, tree, diags)) < 0)
		goto cleanup;
	if (!(job.items = calloc(paths.n + 1, sizeof(*job.items)))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	job.snap = snap;
	job.n = paths.n;
	if (nfiles)
		*nfiles = paths.n;
	for (i = 0; i < paths.n; i++)
		job.items[i].path = paths.items[i];
	if ((rc = mark_full(job.items, job.n, opts)) < 0)
		goto cleanup;
	if (opts->only) {
		cache_load(&cache, tree);
		if ((rc = cache_lookup(&cache, tree, job.items, job.n)) < 0)
			goto cleanup;
	}
	run_jobs(&job, threads_for(opts, paths.n));
	if ((rc = merge(snap, job.items, job.n, diags)) == 0 && opts->only)
		cache_save(&cache, tree, job.items, job.n);
cleanup:
	secex_map_release(&cache.map);
	secex_buf_release(&cache.data);
	for (i = 0; job.items && i < job.n; i++) {
		free(job.items[i].id);
		free(job.items[i].error);
		secex_diag_release(&job.items[i].load);
		secex_diag_release(&job.items[i].checks);
	}
	free(job.items);
	for (i = 0; i < paths.n; i++)
		free(paths.items[i]);
	secex_vec_release(&paths);
	secex_snapshot_free(snap);
	return rc;
}
