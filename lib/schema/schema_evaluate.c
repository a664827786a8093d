/*
 * Evaluating a compiled schema on an instance: results kept per (subschema, instance node), the
 * budgets of depth and steps, the dynamic scope of $dynamicRef, and what unevaluatedProperties
 * and unevaluatedItems leave.
 */

#include <stdlib.h>
#include <string.h>
#include "schema_int.h"
#include "secex/banned.h"

/* ---- unevaluatedProperties and unevaluatedItems ---- */

static bool valid(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	return secex_schema_v_schema(c, s, x, false, "unevaluated");
}

static void mark_props(schema_vctx *c, const schema_sub *s, const secex_node *x,
		       unsigned char *seen, bool self, unsigned depth);
static void mark_items(schema_vctx *c, const schema_sub *s, const secex_node *x,
		       unsigned char *seen, bool self, unsigned depth);

/* Marks the members of x that s evaluates, with its valid in-place subschemas; `self` is the
 * schema that holds unevaluatedProperties, whose own keyword does not count. */
static void mark_props_here(schema_vctx *c, const schema_sub *s, const secex_node *x,
			    unsigned char *seen, bool self, unsigned depth)
{
	const schema_sub *t;
	size_t n = x->u.object.n, i, k;

	if (s->boolean >= 0 || depth > MAX_EVAL_DEPTH / 4 || c->aborted)
		return;
	if (s->additional || (!self && s->uneval_props)) {
		memset(seen, 1, n);
		return;
	}
	for (i = 0; i < n; i++) {
		const secex_member *m = &x->u.object.members[i];

		if (seen[i])
			continue;
		if (s->nprops && secex_schema_find_named(s->props, s->nprops, m->key, m->keylen))
			seen[i] = 1;
		for (k = 0; !seen[i] && k < s->npatprops; k++)
			seen[i] = secex_schema_match(c, s->patprops[k].re, m->key, m->keylen, m->line,
					       m->column) == 1;
	}
	if (s->ref && valid(c, s->ref, x))
		mark_props(c, s->ref, x, seen, false, depth + 1);
	if (s->dynref && valid(c, (t = secex_schema_dynamic_target(c, s)), x))
		mark_props(c, t, x, seen, false, depth + 1);
	for (i = 0; i < s->nall; i++)
		if (valid(c, s->all_of[i], x))
			mark_props(c, s->all_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->nany; i++)
		if (valid(c, s->any_of[i], x))
			mark_props(c, s->any_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->none; i++)
		if (valid(c, s->one_of[i], x))
			mark_props(c, s->one_of[i], x, seen, false, depth + 1);
	if (s->if_ && valid(c, s->if_, x)) {
		mark_props(c, s->if_, x, seen, false, depth + 1);
		if (s->then_ && valid(c, s->then_, x))
			mark_props(c, s->then_, x, seen, false, depth + 1);
	} else if (s->if_ && s->else_ && valid(c, s->else_, x)) {
		mark_props(c, s->else_, x, seen, false, depth + 1);
	}
	for (i = 0; i < s->ndepschemas; i++)
		if (secex_schema_find_member(x, s->depschemas[i].key, s->depschemas[i].len) &&
		    valid(c, s->depschemas[i].s, x))
			mark_props(c, s->depschemas[i].s, x, seen, false, depth + 1);
}

static void mark_items_here(schema_vctx *c, const schema_sub *s, const secex_node *x,
			    unsigned char *seen, bool self, unsigned depth)
{
	size_t n = x->u.array.n, i;
	const schema_sub *t;

	if (s->boolean >= 0 || depth > MAX_EVAL_DEPTH / 4 || c->aborted)
		return;
	if (s->items || (!self && s->uneval_items)) {
		memset(seen, 1, n);
		return;
	}
	for (i = 0; i < n && i < s->nprefix; i++)
		seen[i] = 1;
	for (i = 0; s->contains && i < n; i++)
		if (!seen[i] && valid(c, s->contains, x->u.array.items[i]))
			seen[i] = 1;
	if (s->ref && valid(c, s->ref, x))
		mark_items(c, s->ref, x, seen, false, depth + 1);
	if (s->dynref && valid(c, (t = secex_schema_dynamic_target(c, s)), x))
		mark_items(c, t, x, seen, false, depth + 1);
	for (i = 0; i < s->nall; i++)
		if (valid(c, s->all_of[i], x))
			mark_items(c, s->all_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->nany; i++)
		if (valid(c, s->any_of[i], x))
			mark_items(c, s->any_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->none; i++)
		if (valid(c, s->one_of[i], x))
			mark_items(c, s->one_of[i], x, seen, false, depth + 1);
	if (s->if_ && valid(c, s->if_, x)) {
		mark_items(c, s->if_, x, seen, false, depth + 1);
		if (s->then_ && valid(c, s->then_, x))
			mark_items(c, s->then_, x, seen, false, depth + 1);
	} else if (s->if_ && s->else_ && valid(c, s->else_, x)) {
		mark_items(c, s->else_, x, seen, false, depth + 1);
	}
}

static size_t scope_enter(schema_vctx *c, const schema_sub *s);

/* mark_props_here and mark_items_here in the dynamic scope of s, counted as a step each. */
static void mark_props(schema_vctx *c, const schema_sub *s, const secex_node *x,
		       unsigned char *seen, bool self, unsigned depth)
{
	size_t scoped = scope_enter(c, s);

	c->steps++;
	mark_props_here(c, s, x, seen, self, depth);
	c->nscope -= scoped;
}

static void mark_items(schema_vctx *c, const schema_sub *s, const secex_node *x,
		       unsigned char *seen, bool self, unsigned depth)
{
	size_t scoped = scope_enter(c, s);

	c->steps++;
	mark_items_here(c, s, x, seen, self, depth);
	c->nscope -= scoped;
}

bool secex_schema_v_unevaluated(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	bool object = x->type == SECEX_NODE_OBJECT, ok = true;
	size_t n = object ? x->u.object.n : x->u.array.n, i;
	unsigned char small[256], *seen = n <= sizeof(small) ? small : malloc(n);

	if (!seen) {
		c->rc = secex_error_nomem();
		c->aborted = true;
		return false;
	}
	memset(seen, 0, n);
	if (object)
		mark_props(c, s, x, seen, true, 0);
	else
		mark_items(c, s, x, seen, true, 0);
	for (i = 0; i < n && (ok || rep) && !c->aborted; i++) {
		if (seen[i])
			continue;
		if (object)
			ok = secex_schema_v_member(c, s->uneval_props, &x->u.object.members[i], rep,
				      "unevaluatedProperties", s) && ok;
		else
			ok = secex_schema_v_item(c, s->uneval_items, x, i, rep, "unevaluatedItems") && ok;
	}
	if (seen != small)
		free(seen);
	return ok;
}

/* A $ref cycle that comes back to the same value: found at once when the schema on it is being
 * evaluated already (same), else when evaluation nests MAX_EVAL_DEPTH deep. */
static void loop_found(schema_vctx *c, const secex_node *x, bool same)
{
	c->aborted = true;
	if (c->loop_reported)
		return;
	c->loop_reported = true;
	if (same)
		REPORT_AT(c, x, "$ref", "schema applies itself again to the same value, a $ref loop; fix "
			  "the schema so that each $ref cycle goes through a property or an item");
	else
		REPORT_AT(c, x, "$ref", "schema evaluation nested deeper than %d levels, a $ref loop; fix "
			  "the schema so that each $ref cycle goes through a property or an item",
			  MAX_EVAL_DEPTH);
}

static void too_complex(schema_vctx *c, const secex_node *x, const char *kw)
{
	c->aborted = true;
	REPORT_AT(c, x, kw, "schema too complex: more than %d evaluation steps for one file; simplify "
		  "the schema (fewer subschemas applied to the same value) or split the file",
		  MAX_EVAL_STEPS);
}

/* ---- results kept per (subschema, instance node) ---- */

static size_t pair_hash(const schema_sub *s, const secex_node *x, uint32_t scope)
{
	return secex_schema_ptr_hash(s) ^ (secex_schema_ptr_hash(x) * 0x9e3779b97f4a7c15ULL) ^
	       secex_schema_ptr_hash((void *)(uintptr_t)scope);
}

static uint32_t current_scope(const schema_vctx *c)
{
	return c->nscope ? c->scope_id[c->nscope - 1] : 0;
}

static schema_mslot *memo_find(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	uint32_t scope = current_scope(c);
	size_t i;

	if (!c->memocap)
		return NULL;
	for (i = pair_hash(s, x, scope) & (c->memocap - 1); c->memo[i].state;
	     i = (i + 1) & (c->memocap - 1))
		if (c->memo[i].s == s && c->memo[i].x == x && c->memo[i].scope == scope)
			return &c->memo[i];
	return NULL;
}

/* Keeps the pair, marked busy: 1, or 0 when the table is full (it is then evaluated each time,
 * within MAX_EVAL_STEPS), or -1 when out of memory (evaluation stops). */
static int memo_add(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	size_t i, k;

	if (!c->memocap) {
		memset(c->small_memo, 0, sizeof(c->small_memo));
		c->memo = c->small_memo;
		c->memocap = SMALL_MEMO;
	}
	if (2 * (c->memon + 1) > c->memocap) {
		schema_mslot *t = c->memocap < MAX_MEMO_SLOTS ? calloc(2 * c->memocap, sizeof(*t)) : NULL;

		if (!t && c->memocap >= MAX_MEMO_SLOTS)
			return 0;
		if (!t) {
			c->rc = secex_error_nomem();
			c->aborted = true;
			return -1;
		}
		for (k = 0; k < c->memocap; k++) {
			if (!c->memo[k].state)
				continue;
			for (i = pair_hash(c->memo[k].s, c->memo[k].x, c->memo[k].scope) &
				 (2 * c->memocap - 1); t[i].state;
			     i = (i + 1) & (2 * c->memocap - 1))
				;
			t[i] = c->memo[k];
		}
		if (c->memo != c->small_memo)
			free(c->memo);
		c->memo = t;
		c->memocap *= 2;
	}
	for (i = pair_hash(s, x, current_scope(c)) & (c->memocap - 1); c->memo[i].state;
	     i = (i + 1) & (c->memocap - 1))
		;
	c->memo[i] = (schema_mslot){ s, x, current_scope(c), M_BUSY };
	c->memon++;
	return 1;
}

/* ---- the dynamic scope, kept only for a schema with a dynamic $dynamicRef ---- */

static size_t scope_hash(uint32_t parent, uint32_t res)
{
	return secex_schema_ptr_hash((void *)(uintptr_t)(((uint64_t)parent << 32) | res));
}

/* The number of the scope `parent` followed by `res`, the same each time: memoised results
 * are kept per scope. 0 when out of memory (evaluation stops). */
static uint32_t scope_number(schema_vctx *c, uint32_t parent, uint32_t res)
{
	size_t i, k, cap;
	schema_scope_slot *t;

	if (2 * (c->nscopes + 1) > c->scopecap) {
		cap = c->scopecap ? 2 * c->scopecap : 64;
		if (!(t = calloc(cap, sizeof(*t))) || c->nscopes >= UINT32_MAX - 1) {
			free(t);
			c->rc = secex_error_nomem();
			c->aborted = true;
			return 0;
		}
		for (k = 0; k < c->scopecap; k++) {
			if (!c->scopes[k].id)
				continue;
			for (i = scope_hash(c->scopes[k].parent, c->scopes[k].res) & (cap - 1); t[i].id;
			     i = (i + 1) & (cap - 1))
				;
			t[i] = c->scopes[k];
		}
		free(c->scopes);
		c->scopes = t;
		c->scopecap = cap;
	}
	for (i = scope_hash(parent, res) & (c->scopecap - 1); c->scopes[i].id;
	     i = (i + 1) & (c->scopecap - 1))
		if (c->scopes[i].parent == parent && c->scopes[i].res == res)
			return c->scopes[i].id;
	c->scopes[i] = (schema_scope_slot){ parent, res, (uint32_t)++c->nscopes };
	return c->scopes[i].id;
}

/* Enters the resource of s: 1 when it was pushed, 0 when it is already the innermost. */
static size_t scope_enter(schema_vctx *c, const schema_sub *s)
{
	uint32_t id;

	if (!c->S->dynamic || s->boolean >= 0 || (c->nscope && c->scope[c->nscope - 1] == s->res) ||
	    c->nscope >= sizeof(c->scope) / sizeof(c->scope[0]))
		return 0;
	if (!(id = scope_number(c, current_scope(c), s->res)))
		return 0;
	c->scope[c->nscope] = s->res;
	c->scope_id[c->nscope++] = id;
	return 1;
}

/* What the $dynamicRef of s means here: the outermost resource in the dynamic scope with a
 * $dynamicAnchor of its name, else its target as a $ref would resolve it. */
const schema_sub *secex_schema_dynamic_target(schema_vctx *c, const schema_sub *s)
{
	const secex_schema *S = c->S;
	size_t i, k;

	for (i = 0; s->dyn_name && i < c->nscope; i++) {
		c->steps += S->ndyn;
		for (k = 0; k < S->ndyn; k++)
			if (S->dyn[k].res == c->scope[i] && strcmp(S->dyn[k].name, s->dyn_name) == 0)
				return S->dyn[k].s;
	}
	return s->dynref;
}

/* Evaluates s on x, keeping the result when s->memo says that it may come back: a result
 * already known is returned, or reported once when it is wanted with findings. */
bool secex_schema_v_schema(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep,
		     const char *kw)
{
	bool ok = true, keep = s->memo && !c->in_name;
	schema_mslot *m = NULL;
	size_t scoped;
	int k;

	if (c->aborted)
		return false;
	if (c->eval >= MAX_EVAL_DEPTH) {
		loop_found(c, x, false);
		return false;
	}
	if (++c->steps > MAX_EVAL_STEPS) {
		too_complex(c, x, kw);
		return false;
	}
	if (keep && (m = memo_find(c, s, x))) {
		if (m->state == M_BUSY) {
			loop_found(c, x, true);
			return false;
		}
		if (!rep || m->state != M_INVALID)
			return m->state == M_VALID;
		m->state = M_BUSY; /* known invalid, now wanted with its findings */
	} else if (keep && (k = memo_add(c, s, x)) <= 0) {
		if (k < 0)
			return false;
		keep = false;
	}
	scoped = scope_enter(c, s);
	c->eval++;
	if (s->boolean == 0) {
		ok = false;
		if (rep)
			REPORT_AT(c, x, kw, "no value is allowed here (the schema is false); remove it");
	} else if (s->boolean < 0) {
		ok = secex_schema_v_keywords(c, s, x, rep);
	}
	c->eval--;
	c->nscope -= scoped;
	ok = ok && !c->aborted;
	if (keep && !c->aborted && (m = memo_find(c, s, x)))
		m->state = ok ? M_VALID : rep ? M_REPORTED : M_INVALID;
	return ok;
}
