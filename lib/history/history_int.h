#ifndef SECEX_HISTORY_INT_H
#define SECEX_HISTORY_INT_H

/* What history.c, approvals.c and audit.c share: the walk's state and its caches. */

#include <git2.h>
#include "secex/history.h"
#include "secex/signature.h"
#include "secex/util.h"

/* Canonical-JSON SHA-256 of a node; with a policy, only the top-level substantive fields. */
int secex_facts_digest(unsigned char out[SECEX_DIGEST_SIZE], const secex_node *node,
		      const secex_policy *substantive_only);
/* Parses a blob's text into facts (never fails on bad content: see facts->problem). */
int secex_facts_parse(secex_facts **out, secex_arena *arena, const secex_policy *policy,
		      const char *data, size_t len, const char *path);

/* The facts of the blobs the walk still needs (flat memory): each held by the exception's
 * latest version or an approval introduction (secex_facts_hold), or new in this commit.
 * Facts nobody holds are freed at secex_facts_sweep, after each commit; parsing them again
 * when the blob comes back gives the same facts. */
typedef struct hist_facts hist_facts;
typedef struct {
	hist_facts **buckets;
	size_t cap, n;
	secex_vec idle; /* hist_facts *: held by nobody since the last sweep */
} hist_facts_table;

/* The facts of blob, or NULL when not parsed (or freed since). */
secex_facts *secex_facts_find(hist_facts_table *t, const git_oid *blob);
/* A new, empty entry for blob: *arena to parse into, then secex_facts_set. */
int secex_facts_add(hist_facts **out, secex_arena **arena, hist_facts_table *t, const git_oid *blob);
/* Keeps a compact copy of the parsed facts (in *arena, released then) as the entry's. */
int secex_facts_set(secex_facts **out, hist_facts *entry, const secex_facts *parsed);
void secex_facts_hold(hist_facts_table *t, const secex_facts *f);
void secex_facts_drop(hist_facts_table *t, const secex_facts *f);
/* Frees the facts nobody holds. */
void secex_facts_sweep(hist_facts_table *t);
void secex_facts_table_release(hist_facts_table *t);

/* Whether f (may be NULL) has an approval entry with this digest. */
bool secex_facts_has(const secex_facts *f, const unsigned char *digest);

/* A commit's signature, verified once. */
typedef struct {
	secex_commit_state state;
	secex_sigkind kind;
	secex_sig_status status;
	const char *message;   /* why malformed or not verified */
	secex_buf key;         /* SSH: the signer's key blob */
	char fingerprint[80];  /* OpenPGP: primary fingerprint; SSH: SHA256:... */
	int64_t time;          /* committer time (the signer's claim) */
	unsigned keyring_gen;  /* keyring generation an UNKNOWN_KEY verdict was made with */
} hist_sig;

/* A roster as of some commit, with its SSH keys parsed. */
typedef struct {
	const secex_person *person;
	const secex_key *key;
	secex_ssh_key ssh; /* type 0 when not SSH or unparsable */
} hist_key;

typedef struct {
	secex_roster *roster; /* NULL: no valid roster there */
	hist_key *keys;
	size_t nkeys;
} hist_roster;

/* A commit that introduced an approval entry of an exception. */
typedef struct hist_intro {
	unsigned char entry[SECEX_DIGEST_SIZE];
	git_oid commit;
	const secex_facts *at;   /* the exception as that commit left it */
	size_t ordinal;          /* position in the walk */
	unsigned people;         /* distinct `by` among the entries this commit introduced */
	struct hist_intro *next;
} hist_intro;

typedef struct {
	const char *id;
	hist_intro *intros;
	secex_facts *last;       /* the latest loaded version in walk order */
	int64_t added, reviewed; /* commit times; 0 when not (yet) */
	bool seen;
	bool changed_in_range;
} hist_id;

/* One file of a .secex/ state: its path below .secex/, blob and mode. */
typedef struct {
	const char *path;
	git_oid blob;
	uint32_t mode;
} hist_file;

/* A .secex/ state: its files sorted by path; from is the commit that made it (messages). */
typedef struct {
	hist_file *files;
	size_t n;
	git_oid from;
} hist_rules;

/* What the walk keeps of every commit: its parents, its tree, its .secex/ as it is (own)
 * and as the last authorised change left it (rules), its exceptions directory. */
typedef struct hist_roots {
	git_oid id, tree, exc, secex;
	int64_t time; /* committer time */
	git_oid *parents;
	unsigned nparents;
	bool has_exc, has_secex, exc_known;
	bool bad_exc, bad_secex; /* a symbolic link, submodule or file in the directory's place */
	bool exc_usual;          /* pass 1 read exc for SECEX_EXCEPTIONS_DIR_DEFAULT (secex_rules_exc_usual) */
	bool seen;               /* the topological sort's (order.c), as the two below */
	const hist_rules *own, *rules;
	unsigned in_degree;
	unsigned up;             /* where its parents' records start in the sort's list of them */
} hist_roots;

bool secex_rules_equal(const hist_rules *a, const hist_rules *b);
/* The blob of path (".secex/policy.yaml") in the rules, or NULL. */
const git_oid *secex_rules_blob(const hist_rules *rules, const char *path);
/* Records a commit (pass 1): parents, tree, time, what .secex/ is (its files: secex_rules_visit). */
int secex_rules_roots_new(hist_roots **out, secex_history *h, const git_oid *commit);
/* The commits reachable from head, parents first, in libgit2's topological order (git_oid *
 * owned by the history), each recorded by secex_rules_roots_new (order.c). */
int secex_order_walk(secex_vec *out, secex_history *h, const git_oid *head);
/* Whether pass 1 found the exceptions directory of the policy in force already (the usual
 * one, read with .secex/). */
bool secex_rules_exc_usual(const secex_history *h, const hist_roots *r);
/* Reads the exceptions directory's id of the policy in force, once. */
int secex_rules_roots_exc(secex_history *h, hist_roots *roots);
/* Judges the commit's .secex/ change by its parents' rules and sets roots->rules. */
int secex_rules_visit(secex_history *h, const git_oid *commit, hist_roots *roots);
/* The rules in force at a walked commit (no rules for NULL or a commit not walked). */
const hist_rules *secex_rules_at(secex_history *h, const git_oid *commit);
int secex_rules_mark_trusted(secex_history *h);
/* The roots of the merge base of a merge's parents, or NULL (unrelated histories). */
hist_roots *secex_history_merge_base(secex_history *h, const hist_roots *roots);
/* The policy of the rules (the default when they hold none that is valid). */
int secex_rules_policy_of(const secex_policy **out, secex_history *h, const hist_rules *rules);
/* The roster of the rules, with its keys parsed. *out is never NULL. */
int secex_trust_roster_of(hist_roster **out, secex_history *h, const hist_rules *rules);

/* A change that stands unless approved again later (SX401, SX402, SX404), judged at the
 * end of the walk. */
typedef struct {
	const char *code;
	hist_id *rec;
	git_oid commit;
	char *path;
	uint32_t line;
	char *message;
	char *level; /* settled only by an approver of a group of this level (NULL: any approval); a copy:
		      * the facts it comes from are freed once no later commit needs them */
} hist_pending;

/* The history cache (cache.c): values derived from git objects alone, by a key naming them,
 * kept between runs under GIT_COMMON_DIR/secex/. A miss, a damaged entry and a cache that
 * cannot be read or written only cost the time to derive the value again. */
#define HIST_CACHE_KEY 32
typedef struct hist_cache hist_cache;

int secex_cache_open(hist_cache **out, const char *dir);
/* The value stored for key (len bytes), or NULL. With c NULL (no cache), always NULL. */
const void *secex_cache_get(hist_cache *c, const unsigned char key[HIST_CACHE_KEY], size_t *len);
/* Stores a value for the next runs (kept in memory until secex_cache_commit). */
int secex_cache_put(hist_cache *c, const unsigned char key[HIST_CACHE_KEY], const void *value, size_t len);
/* The key of a value of this kind derived from a and b (b may be NULL). */
int secex_cache_key(unsigned char out[HIST_CACHE_KEY], char kind, const void *a, size_t alen, const void *b,
		    size_t blen);
/* Writes what this run stored (best effort: a failure is not an error); what is stored after
 * it is not kept. */
void secex_cache_commit(hist_cache *c);
void secex_cache_free(hist_cache *c);

/* Values are written with these and read back through a hist_reader, which turns bad at the
 * first read past the end (or of a malformed string) and then reads zeros and NULLs. */
typedef struct {
	const unsigned char *p, *end;
	bool bad, nomem;
} hist_reader;
int secex_cache_put32(secex_buf *b, uint32_t v);
int secex_cache_putstr(secex_buf *b, const char *s); /* s may be NULL */
int secex_cache_put64(secex_buf *b, uint64_t v);
uint32_t secex_cache_get32(hist_reader *r);
uint64_t secex_cache_get64(hist_reader *r);
bool secex_cache_getbytes(hist_reader *r, void *out, size_t n);
const char *secex_cache_getstr(hist_reader *r, secex_arena *arena); /* copied into arena */

/* What reading a commit's files needs: a repository and its object database, the last
 * trees read, and where the values derived go: into the cache, or, while a slot of the
 * reading ahead is filled (prefetch.c), into defer until the walk takes the slot and stores
 * them (secex_cache_apply). */
typedef struct {
	git_repository *git;
	git_odb *odb;
	hist_cache *cache;
	secex_buf *defer;              /* NULL: put straight into the cache */
	const secex_policy *policy;    /* in force at the head (pass 2) */
	const unsigned char *salt;     /* the facts' (see secex_history.facts_salt) */
	git_tree *trees[512];          /* by id hash: libgit2's own object cache is off */
} hist_io;

/* Stores a value through io (secex_cache_put, or appended to io->defer). */
int secex_cache_io_put(hist_io *io, const unsigned char key[HIST_CACHE_KEY], const void *value, size_t len);
/* Stores the values deferred into a buffer by secex_cache_io_put. */
int secex_cache_apply(hist_cache *c, const secex_buf *deferred);

/* The facts of blob (path names it in problems) through io: from the cache, else parsed;
 * into arena. *fresh tells whether they were parsed (and so not in the cache yet). */
int secex_facts_read(secex_facts **out, bool *fresh, hist_io *io, const git_oid *blob, const char *path,
		     secex_arena *arena);
/* Stores facts in the cache through io. */
int secex_facts_keep(hist_io *io, const git_oid *blob, const secex_facts *f);

/* The facts as a cache value, and back (false when the value is not one). */
int secex_facts_encode(secex_buf *out, const secex_facts *f);
bool secex_facts_decode(secex_facts **out, secex_arena *arena, const void *value, size_t len);

/* One changed file between two trees (diff.c). */
typedef struct {
	char *path;
	git_oid old_oid, new_oid;
	bool has_old, has_new;
} tree_change;

/* The exception files (tree_change *) that differ between the exceptions directories a and
 * b (either may be NULL: none), their paths under prefix; from the cache when it holds them. */
int secex_diff_exc_files(secex_vec *out, hist_io *io, const git_oid *a, const git_oid *b, const char *prefix);
void secex_diff_free(secex_vec *changes);
/* Frees the trees io keeps for the next diffs. */
void secex_diff_release_trees(hist_io *io);
/* The changes as a cache value, and back (false when the value is not one; out stays empty). */
int secex_diff_encode(secex_buf *out, const secex_vec *files);
bool secex_diff_decode(secex_vec *out, const void *value, size_t len);

/* Reading ahead of pass 2 in a reader process (prefetch.c). take and done bracket the visit
 * of the commit at index of the order; the others give what the reading ahead found for that
 * commit (false or NULL: read it yourself). */
int secex_prefetch_start(secex_history *h);
int secex_prefetch_take(secex_history *h, size_t index);
void secex_prefetch_done(secex_history *h);
void secex_prefetch_stop(secex_history *h);
bool secex_prefetch_exc(secex_history *h, hist_roots *r);
bool secex_prefetch_diff(secex_vec *out, secex_history *h, const git_oid *a, const git_oid *b);
secex_facts *secex_prefetch_facts(secex_history *h, const git_oid *blob, bool *fresh);

#define HIST_TREE_CACHE (sizeof(((hist_io *)0)->trees) / sizeof(git_tree *))

/* What is at path in a tree, from the cache when it holds it (found: a tree, its id in out;
 * bad: something else). */
int secex_rules_entry_at(bool *found, git_oid *out, bool *bad, hist_io *io, const git_oid *tree_id,
			 const char *path);

struct secex_history {
	secex_repo *repo;
	git_repository *git;
	git_odb *odb;
	const secex_policy *policy; /* in force at the head: the last authorised one */
	secex_history_options opts;
	secex_diags *diags;
	secex_arena arena;
	hist_facts_table facts; /* blob oid -> secex_facts still needed */
	secex_map ids;      /* exception id -> hist_id */
	secex_map sigs;     /* commit oid -> hist_sig */
	secex_map rosters;  /* people.yaml blob oid -> hist_roster */
	secex_map roots;    /* commit oid -> hist_roots */
	secex_map flat;     /* .secex tree oid -> hist_rules */
	secex_map trusted;  /* commit oid -> itself: the pinned trust root and its ancestors */
	secex_map policies; /* policy.yaml blob oid -> secex_policy */
	secex_vec owned_policies;
	secex_vec order;    /* git_oid *: the commits, parents first */
	secex_map range;    /* commit oid -> itself: the audited commits (when since is set) */
	secex_map reported; /* blob oid -> itself: parse problems already reported */
	secex_vec owned;    /* hist_roster and hist_sig to release */
	secex_vec pending;  /* hist_pending */
	secex_vec timeline; /* secex_timeline_event of opts.timeline */
	git_oid *line;      /* head's first-parent line, newest first (secex_history_each_at) */
	int64_t *line_time;
	size_t nline;
	secex_openpgp_keyring *keyring;
	secex_map keyring_fprs;
	unsigned keyring_gen;
	char head[GIT_OID_HEXSZ + 1];
	git_oid head_oid;
	bool shallow;
	git_oid root;
	bool root_known, root_pinned;
	hist_io io;                       /* the walk's own reading */
	struct hist_prefetch *prefetch;   /* NULL: no reading ahead */
	hist_cache *cache;                /* NULL: none */
	unsigned char facts_salt[32];     /* what the facts depend on besides the blob */
	size_t ordinal;
};

/* The commit's verified signature (cached). */
int secex_trust_commit_sig(hist_sig **out, secex_history *h, const git_oid *commit);
/* The roster in force at commit (NULL commit: none), cached by blob. *out is never NULL. */
int secex_trust_roster_at(hist_roster **out, secex_history *h, const git_commit *commit);
/* The person in roster whose key made sig, or NULL; *key gets the key. */
const secex_person *secex_trust_signer(const hist_roster *roster, const hist_sig *sig, const secex_key **key);
/* "signed by dana", "unsigned", "signed by a key not in the roster" ... into out. */
int secex_trust_describe_signer(secex_buf *out, secex_history *h, git_commit *commit);
/* Whether the commit looks like a squash or rebase merge made by a forge. */
bool secex_trust_looks_merged_by_forge(const git_commit *commit);
bool secex_history_in_range(const secex_history *h, const git_oid *commit);

/* The audit's judgement of one exception's change in one commit (audit.c). */
typedef struct {
	git_commit *commit;        /* secex_audit_change: may be NULL (read for a finding) */
	const char *path;          /* the file in the commit, or the old path on deletion */
	hist_id *rec;
	const secex_facts *old;    /* NULL when added */
	const secex_facts *new;    /* NULL when deleted */
	bool added_file;
	const git_oid *id;         /* the commit's id */
} hist_change;

int secex_audit_change(secex_history *h, const hist_change *change);
/* Whether the commit's change of paths (below .secex/) is authorised by the rules of every
 * parent (p, n); SX301/SX302 for the audited range. */
int secex_audit_governance(secex_history *h, git_commit *commit, const hist_roots *const *p, size_t n,
			  const secex_vec *paths, bool *authorised);
/* SX301 about the head: its .secex/ is not as authorised changes made it. */
int secex_audit_head(secex_history *h, const hist_roots *head);
/* SX109: the commit put something else in the place of the directory dir. */
int secex_audit_not_dir(secex_history *h, const git_oid *commit, const char *dir);
int secex_audit_finish(secex_history *h);

/* Adds the change to the timeline (timeline.c). */
int secex_timeline_change(secex_history *h, const hist_change *change);
/* Adds a move of the file from old_path, content unchanged, to the timeline. */
int secex_timeline_move(secex_history *h, const hist_change *change, const char *old_path);
void secex_timeline_free(secex_history *h);

#endif
