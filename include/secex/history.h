#ifndef SECEX_HISTORY_H
#define SECEX_HISTORY_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_HISTORY)
#error "a layer below history/ may not use it: see Hacking in the README"
#endif

/*
 * The history of a secex repository: one walk over the commits (libgit2), reading only the
 * exceptions directory and .secex/, comparing tree ids before descending and parsing each
 * distinct blob once. The walk yields what the audit judges (SPEC §5) and what approval
 * resolution needs (SPEC §4): the commits that introduced each approval entry.
 */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"
#include "snapshot.h"

/* The fields of an exception the history follows. */
typedef enum {
	SECEX_F_ID,
	SECEX_F_TITLE,
	SECEX_F_TYPE,
	SECEX_F_PRIORITY,
	SECEX_F_STATUS,
	SECEX_F_REQUESTOR,
	SECEX_F_RISK_OWNER,
	SECEX_F_CREATED,
	SECEX_F_DUE_DATE,
	SECEX_F_ORIGINAL_DUE_DATE,
	SECEX_F_COUNT
} secex_field;

const char *secex_facts_field_name(secex_field field);

#define SECEX_DIGEST_SIZE 32

/* One entry of `approvals`, identified by the digest of its whole content. */
typedef struct {
	const char *by, *decision, *role, *date; /* NULL when absent or not a string */
	unsigned char digest[SECEX_DIGEST_SIZE];
	uint32_t line, column;
} secex_approval_fact;

/* A top-level substantive field and a hash of its canonical value. */
typedef struct {
	const char *name;
	uint64_t hash;
} secex_field_hash;

/* What one blob of an exception file says, parsed once per object id. */
typedef struct {
	bool loaded;                 /* a mapping that parsed; otherwise see problem */
	const char *problem_code;    /* "SX101" ... when not loaded */
	const char *problem;         /* the first problem's message */
	uint32_t problem_line, problem_column;
	const char *value[SECEX_F_COUNT]; /* string values, NULL when absent or not strings */
	uint32_t line[SECEX_F_COUNT];
	unsigned char substantive[SECEX_DIGEST_SIZE]; /* digest of the substantive content */
	secex_field_hash *fields;    /* the substantive fields, sorted by name */
	size_t nfields;
	secex_approval_fact *approvals;
	size_t napprovals;
} secex_facts;

typedef struct secex_history secex_history;

typedef struct {
	unsigned int version;
	const char *head;       /* the revision walked back from; NULL: HEAD */
	const char *since;      /* audit only commits not reachable from it (NULL: all) */
	const char *trust_root; /* NULL: git config secex.trustRoot, else the first commit adding .secex/ */
	bool audit;             /* judge the commits in range (SX3xx, SX4xx) into diags */
	const char *checkpoint; /* the last audited commit: audit from there; SX304 when it is
				   no longer an ancestor of head (then everything is audited) */
	const char *timeline;   /* keep the timeline of the exception with this id */
	bool cache;             /* keep what the walk derives from git objects between runs (the
				   history cache) and take it from there */
	const char *cache_dir;  /* where: NULL is GIT_COMMON_DIR/secex/history-v1 */
	unsigned jobs;          /* 1: the walk reads alone; 0: a second process (a fork of the caller)
				   reads ahead of it on a machine of two CPUs or more when the
				   history is long; 2 or more: always. The verdicts do not depend
				   on it. A caller with threads of its own passes 1. */
} secex_history_options;

#define SECEX_HISTORY_OPTIONS_VERSION 1
#define SECEX_HISTORY_OPTIONS_INIT { SECEX_HISTORY_OPTIONS_VERSION, NULL, NULL, NULL, true, NULL, NULL, false, NULL, 1 }

/* One change of the exception named by opts->timeline, oldest first. */
typedef struct {
	char commit[41];
	char *author;  /* "Name <email>" */
	int64_t time;  /* author time, seconds */
	char *signer;  /* "signed by dana", "unsigned", ... */
	char *path;
	char *what;    /* "created as requested; ...", "priority medium -> low", "deleted" */
	uint32_t line; /* in the new file: the first followed field that changed, else the id */
} secex_timeline_event;

/* The timeline kept by the walk: n events, owned by history. */
const secex_timeline_event *const *secex_timeline_build(const secex_history *history, size_t *n);

/*
 * Walks the history of repo from opts->head. Each .secex/ change is judged by the rules in
 * force before it (its parents'); what the walk decides comes from the rules in force at the
 * head, the last authorised ones (secex_history_policy). With opts->audit, the findings of
 * SPEC §5 for the commits in range go to diags; findings about the head itself (SX301 when
 * its .secex/ is not as authorised, SX109) go there in any case. A shallow repository is
 * SX305 and nothing is walked; a SHA-256 or unreadable repository is SECEX_EREPO.
 */
int secex_history_walk(secex_history **out, secex_repo *repo, const secex_history_options *opts,
		       secex_diags *diags);
/* The policy in force at the head (owned by history). */
const secex_policy *secex_history_policy(const secex_history *history);
/* Whether the repository is a shallow clone: nothing was walked. */
bool secex_history_shallow(const secex_history *history);
/* Makes tree (the head's, from secex_tree_open_rev) read .secex/ as the rules in force at
 * the head, so that a snapshot loaded from it judges by them. */
int secex_history_use_rules(secex_history *history, secex_tree *tree);
void secex_history_free(secex_history *history);

/* The head commit walked, as 40 hex digits. */
const char *secex_history_head(const secex_history *history);
/* Whether the exception with this id changed in the audited range. */
bool secex_history_changed(const secex_history *history, const char *id);

/* When the exception with this id was first added (commit time) and first reviewed: the
 * first commit that set it in-review, needs-info, approved or denied, or recorded any
 * decision. False when the walk never saw the id; *reviewed is 0 when not reviewed yet. */
bool secex_history_review_times(const secex_history *history, const char *id, int64_t *added,
				int64_t *reviewed);

/* Calls fn for every exception file in the tree of the newest commit on head's first-parent
 * line whose commit time is at or before t (none before the first commit). Files that do
 * not parse are passed with facts->loaded false. A non-zero return from fn stops and is
 * returned. */
typedef int (*secex_facts_fn)(const secex_facts *facts, const char *path, void *payload);
int secex_history_each_at(secex_history *history, int64_t t, secex_facts_fn fn, void *payload);
typedef enum {
	SECEX_FILL_NONE = -1,       /* counts for nothing */
	SECEX_FILL_RISK_OWNER = -2, /* fills the risk-owner requirement */
	SECEX_FILL_SME = -3         /* the one SME approval of an in-threshold extension */
} secex_fill;

typedef struct {
	const secex_approval_fact *entry;
	bool valid;             /* all six rules hold */
	bool role_held;         /* the approver held the entry's role (else only a risk owner's
				   approval is valid, for the risk-owner requirement) */
	const char *code;       /* the finding when not valid: "SX202" ... */
	char *reason;           /* why it counts, or why not (owned) */
	char commit[41];        /* the commit that introduced it, "" when none */
	int fills;              /* group index, or a secex_fill */
	int superseded_by;      /* when it does not count but no longer blocks (code SX213):
				   the verdict that met what it would have filled, else -1 */
	const char *was;        /* the code it had before it was superseded, or NULL */
} secex_verdict;

typedef struct {
	const secex_policy *policy;
	const char *id;
	const char *file;
	const char *title, *status, *requestor, *risk_owner; /* as the exception says now */
	const secex_level *level; /* NULL when the priority is unknown */
	bool sme_only;            /* an extension within the no-escalation threshold */
	size_t ngroups;           /* level groups, or 1 when sme_only */
	int *filled_by;           /* per group: index into verdicts, or -1 */
	bool need_risk_owner;
	int risk_owner_by;        /* index into verdicts, or -1 */
	bool complete;            /* every requirement filled */
	bool valid_deny;          /* a valid deny from a required approver or the risk owner */
	secex_verdict *verdicts;  /* one per approvals entry, in file order */
	size_t n;
} secex_approval_state;

/*
 * Judges every approval of exc (an exception of the head snapshot) against the history,
 * filling out. Findings for approvals that do not count (SX202 to SX211; SX213, a note, for one
 * that no longer blocks because valid entries met what it would have filled), the in-threshold
 * note (SX212), and, when `consistency` is set, missing approvals of open exceptions
 * (SX201) and statuses the decisions do not support (SX210) go to diags (may be NULL).
 */
int secex_approvals_judge(secex_approval_state *out, secex_history *history,
			  const secex_snapshot *snap, const secex_exception *exc,
			  bool consistency, secex_diags *diags);
void secex_approvals_state_release(secex_approval_state *state);
/*
 * What the state would be with `proposed` recorded as the newest entry, signed now by the
 * roster key of its person on the content as it stands (what secex approve is about to
 * commit): judged as secex_approvals_judge judges, without findings. The proposed entry is
 * out->verdicts[out->n - 1]; it must outlive out.
 */
int secex_approvals_forecast(secex_approval_state *out, secex_history *history,
			     const secex_snapshot *snap, const secex_exception *exc,
			     const secex_approval_fact *proposed);
/* How many requirements (groups, and the risk owner's) the valid entries fill. */
size_t secex_approvals_filled(const secex_approval_state *state);
/* Whether the workflow (SPEC §2.1) allows a status to change from `from` to `to`. */
bool secex_approvals_transition_ok(const char *from, const char *to);
/* The statuses the workflow allows after `from`, comma-separated, into out ("none": final). */
int secex_approvals_status_next(secex_buf *out, const char *from);
/* Whether the exception counts as approved: its status says approved and history proves it
 * (every requirement filled by approvals that verify, no valid deny). The one test every
 * command that treats an exception as approved uses. */
bool secex_approvals_verified(const secex_approval_state *state);

/* What history makes of an exception's `status: approved`. */
typedef enum {
	SECEX_CLAIM_NONE,     /* it does not say approved (or does not load) */
	SECEX_CLAIM_VERIFIED, /* it says approved, and the approvals verify */
	SECEX_CLAIM_INVALID   /* it says approved, and they do not: treat it as not approved */
} secex_approval_claim;

/* The claim of every exception of snap, (*out)[i] for snap->items[i]; the caller frees. */
int secex_approvals_claims(secex_approval_claim **out, secex_history *history, const secex_snapshot *snap);

/* Whether the exception is closed or withdrawn: its approvals no longer matter. */
bool secex_approvals_settled(const secex_approval_state *state);
/* The roles that fill group g of the state, comma-separated, into out. */
int secex_approvals_group_roles(secex_buf *out, const secex_approval_state *state, size_t g);
/* The active people of the roster who could fill group g (not the requestor), into out;
 * "nobody in the roster..." when there are none. */
int secex_approvals_who_can(secex_buf *out, const secex_approval_state *state,
			   const secex_roster *roster, size_t g);

/* The substantive fields that differ between two versions, comma-separated, into out. */
int secex_facts_changed_fields(secex_buf *out, const secex_facts *then, const secex_facts *now);

/* The commits the walk visits from rev, parents first, one 40-hex id a line, into out: the
 * order libgit2's revwalk gives with GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE, which
 * tests/history/run-order checks on generated histories. */
int secex_order_list(secex_buf *out, secex_repo *repo, const char *rev);

/* For the fuzzer: reads data as one segment of the history cache (of any version), looks
 * every record up by its key and decodes every value as facts and as tree changes; *valid
 * counts those that decode. Never fails on bad data. */
int secex_cache_probe(const void *data, size_t size, size_t *valid);

/* The facts of an exception document (tests and tools): policy decides what is substantive. */
int secex_facts_of(secex_facts **out, secex_arena *arena, const secex_policy *policy,
		   const secex_node *root);

#endif
