#ifndef SECEX_POLICY_H
#define SECEX_POLICY_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_MODEL)
#error "a layer below model/ may not use it: see Hacking in the README"
#endif

/* The policy (.secex/policy.yaml) and the roster (.secex/people.yaml). */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "schema.h"
#include "yaml.h"

#define SECEX_POLICY_PATH ".secex/policy.yaml"
#define SECEX_PEOPLE_PATH ".secex/people.yaml"
#define SECEX_REVIEWS_PATH ".secex/reviews.yaml"

/* exceptions_dir when the policy names none */
#define SECEX_EXCEPTIONS_DIR_DEFAULT "exceptions"

typedef struct {
	const char **roles; /* any one of them fills the group */
	size_t n;
} secex_group;

typedef struct {
	const char *name;
	int64_t rank;          /* higher is more severe */
	int64_t sla;           /* seconds */
	int64_t no_escalation; /* seconds */
	int64_t max_duration;  /* seconds */
	secex_group *groups;
	size_t ngroups;
} secex_level;

typedef enum {
	SECEX_RISK_OWNER_ACCEPTANCE,
	SECEX_RISK_OWNER_ALWAYS,
	SECEX_RISK_OWNER_EXTENSION,
	SECEX_RISK_OWNER_NEVER
} secex_risk_owner_rule;

typedef struct {
	const char **items;
	size_t n;
} secex_strlist;

typedef struct {
	const char *role;
	secex_strlist implies;
	uint32_t line, column;
} secex_role;

typedef struct secex_policy {
	secex_doc *doc; /* owned; every string below points into it */
	const char *file;
	const char *exceptions_dir;
	const char *id_pattern;
	secex_schema *id_schema; /* {"pattern": id_pattern}, or NULL when it does not compile */
	secex_doc *id_schema_doc;
	secex_level *levels;
	size_t nlevels;
	secex_role *roles;
	size_t nroles;
	secex_strlist sme_roles;
	secex_strlist admin_roles;
	secex_strlist reviewer_roles; /* who may review audit findings (.secex/reviews.yaml) */
	secex_strlist non_substantive;
	secex_risk_owner_rule risk_owner_must_approve;
	bool separation_of_duties;
	int64_t expiring_within;
	int64_t initial_review_sla;
	const char *exception_schema; /* repository path of an extending schema, or NULL */
	const char *organization;     /* "Name <addr>" keeping the register, or NULL */
	const secex_node *severity;   /* object code -> severity, or NULL */
} secex_policy;

typedef enum { SECEX_KEY_SSH, SECEX_KEY_OPENPGP } secex_key_kind;

typedef struct {
	secex_key_kind kind;
	const char *ssh;         /* the public key line (SSH) */
	const char *fingerprint; /* primary key fingerprint, uppercase hex (OpenPGP) */
	const char *public_key;  /* armoured public key (OpenPGP) */
	int64_t valid_after;     /* seconds; INT64_MIN when unbounded */
	int64_t valid_before;    /* seconds; INT64_MAX when unbounded */
} secex_key;

typedef struct {
	const char *id;
	const char *name;
	const char *email;
	const char *manager;
	const char *github;
	secex_strlist roles;
	bool active;
	secex_key *keys;
	size_t nkeys;
	uint32_t line, column;
} secex_person;

typedef struct secex_roster {
	secex_doc *doc; /* owned */
	const char *file;
	secex_person *people;
	size_t n;
} secex_roster;

/* The default policy and roster `secex init` writes, as YAML text. */
const char *secex_policy_default_text(void);
const char *secex_roster_default_text(void);

/*
 * Builds a policy from a document that passed policy.schema.json. Takes ownership of doc
 * (also on failure). Inconsistencies the schema cannot see (a role hierarchy cycle, a group
 * naming an unknown role, an id_pattern that does not compile) are SX127 findings.
 */
int secex_policy_from_doc(secex_policy **out, secex_doc *doc, const char *file,
			  secex_diags *diags);
/* The default policy, parsed. */
int secex_policy_default(secex_policy **out);
void secex_policy_free(secex_policy *policy);

const secex_level *secex_policy_level(const secex_policy *policy, const char *name);
/* For "did you mean": the level or role of the policy, or the person of the roster (by a
 * near id, or their exact name or e-mail ignoring case), closest to s; NULL when none is. */
const char *secex_policy_similar_level(const secex_policy *policy, const char *s);
const char *secex_policy_similar_role(const secex_policy *policy, const char *s);
/* Whether holding `held` satisfies a requirement for `required` through the hierarchy. */
bool secex_policy_role_implies(const secex_policy *policy, const char *held, const char *required);
bool secex_policy_is_substantive(const secex_policy *policy, const char *field);
/* Whether the policy requires the risk owner's approval for an exception of this type
 * ("extension", "acceptance"; NULL when unknown). */
bool secex_policy_risk_owner_required(const secex_policy *policy, const char *type);
/* Whether the role appears anywhere in the policy (hierarchy, groups, SME or admin roles). */
bool secex_policy_knows_role(const secex_policy *policy, const char *role);
/* Whether code is a trust finding (SX202-SX208, SX211, SX301-SX305): always an error. */
bool secex_policy_trust_code(const char *code);
/* Applies the policy's per-code severity overrides to diags; trust findings stay errors. */
int secex_policy_apply_severity(const secex_policy *policy, secex_diags *diags);

/* Builds a roster from a document that passed people.schema.json; takes ownership of doc.
 * Duplicate person ids and unknown managers are SX127 findings. */
int secex_roster_from_doc(secex_roster **out, secex_doc *doc, const char *file,
			  secex_diags *diags);
void secex_roster_free(secex_roster *roster);
const secex_person *secex_roster_find(const secex_roster *roster, const char *id);
const secex_person *secex_roster_similar(const secex_roster *roster, const char *s);

/* SX127 checks that need both: roles held by people that the policy does not know. */
int secex_roster_check(const secex_policy *policy, const secex_roster *roster,
			      secex_diags *diags);

bool secex_policy_strlist_has(const secex_strlist *list, const char *str);

#endif
