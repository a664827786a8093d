/* --branches: requests that exist only on other branches, with who must still approve them
 * as each branch's own history judges it. Shown marked with their branch, never counted as
 * approved on the branch being reported. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static bool listed(const cli_pending_list *list, const char *id)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->items[i].exc->id, id) == 0)
			return true;
	return false;
}

/* "group 1 (roles): who; risk owner (id)" for what st still lacks. */
static char *waiting_text(const secex_approval_state *st, const secex_roster *roster)
{
	secex_buf b = SECEX_BUF_INIT, roles = SECEX_BUF_INIT, who = SECEX_BUF_INIT;
	size_t g;

	for (g = 0; st->level && g < st->ngroups; g++) {
		if (st->filled_by[g] >= 0)
			continue;
		secex_buf_clear(&roles);
		secex_buf_clear(&who);
		secex_approvals_group_roles(&roles, st, g);
		secex_approvals_who_can(&who, st, roster, g);
		secex_buf_printf(&b, "%sgroup %zu (%s): %s", b.size ? "; " : "", g + 1, secex_buf_cstr(&roles),
				 secex_buf_cstr(&who));
	}
	if (st->need_risk_owner && st->risk_owner_by < 0)
		secex_buf_printf(&b, "%srisk owner (%s)", b.size ? "; " : "", st->risk_owner ? st->risk_owner : "?");
	if (!st->level)
		secex_buf_puts(&b, "its priority is not a level of the policy");
	secex_buf_release(&roles);
	secex_buf_release(&who);
	return cli_xalloc(secex_buf_detach(&b));
}

static int add(cli_pending_list *out, cli_history *h, const char *branch, const secex_exception *e)
{
	secex_approval_state st;
	cli_pending *items, *p;
	int rc = secex_approvals_judge(&st, h->history, h->s.snap, e, false, NULL);

	if (rc == 0) {
		items = cli_xalloc(realloc(out->items, (out->n + 1) * sizeof(*items)));
		out->items = items;
		p = &items[out->n++];
		p->branch = cli_xalloc(secex_util_strndup(branch, strlen(branch)));
		p->exc = e;
		p->snap = h->s.snap;
		p->waiting = waiting_text(&st, h->s.snap->roster);
		p->proven = st.complete;
	}
	secex_approvals_state_release(&st);
	return rc;
}

/* The requests of one branch that `here` does not hold; the branch's history is kept in out
 * when it gave any. */
static int load_branch(cli_pending_list *out, const cli_snapshot *here, const char *branch)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags scratch = SECEX_DIAGS_INIT;
	cli_history *h = cli_xalloc(calloc(1, sizeof(*h)));
	size_t i, before = out->n;
	int rc;

	hopts.head = branch;
	hopts.audit = false;
	if ((rc = cli_history_open(h, &hopts, &scratch)) == 0)
		rc = cli_history_complete(h->history);
	for (i = 0; rc == 0 && i < h->s.snap->n; i++) {
		const secex_exception *e = &h->s.snap->items[i];

		if (e->id && e->doc && !secex_snapshot_find(here->snap, e->id) && !listed(out, e->id))
			rc = add(out, h, branch, e);
	}
	if (rc == 0 && out->n > before && secex_vec_push(&out->histories, h) == 0)
		h = NULL;
	if (h) {
		cli_history_close(h);
		free(h);
	}
	secex_diag_release(&scratch);
	return rc;
}

int cli_pending_load(cli_pending_list *out, const cli_snapshot *here, const char *pattern)
{
	secex_vec names = SECEX_VEC_INIT;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!here->repo)
		return secex_error_set(SECEX_EREPO, "--branches reads the branches of a git repository, and "
				       "this is none; run it in the repository's clone");
	rc = secex_repo_branches(&names, here->repo, pattern);
	for (i = 0; rc == 0 && i < names.n; i++)
		rc = load_branch(out, here, names.items[i]);
	for (i = 0; i < names.n; i++)
		free(names.items[i]);
	secex_vec_release(&names);
	return rc;
}

void cli_pending_release(cli_pending_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->items[i].branch);
		free(list->items[i].waiting);
	}
	free(list->items);
	for (i = 0; i < list->histories.n; i++) {
		cli_history_close(list->histories.items[i]);
		free(list->histories.items[i]);
	}
	secex_vec_release(&list->histories);
	memset(list, 0, sizeof(*list));
}
