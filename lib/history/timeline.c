/* The timeline of one exception: who changed what, when, signed by whom. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "history_int.h"
#include "secex/banned.h"

static const char *show(const char *s)
{
	return s ? s : "(none)";
}

static int followed_changes(secex_buf *b, const secex_facts *old, const secex_facts *new)
{
	int i, rc = 0;

	for (i = 1; rc == 0 && i < SECEX_F_COUNT; i++) {
		const char *x = old->value[i], *y = new->value[i];

		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			rc = secex_buf_printf(b, "%s%s %s -> %s", b->size ? "; " : "", secex_facts_field_name((secex_field)i),
					      show(x), show(y));
	}
	return rc;
}

static int approval_changes(secex_buf *b, const secex_facts *old, const secex_facts *new)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && new && i < new->napprovals; i++)
		if (!secex_facts_has(old, new->approvals[i].digest))
			rc = secex_buf_printf(b, "%s%s by %s as %s recorded", b->size ? "; " : "",
					      show(new->approvals[i].decision), show(new->approvals[i].by),
					      show(new->approvals[i].role));
	for (i = 0; rc == 0 && old && i < old->napprovals; i++)
		if (!secex_facts_has(new, old->approvals[i].digest))
			rc = secex_buf_printf(b, "%s%s by %s removed", b->size ? "; " : "",
					      show(old->approvals[i].decision), show(old->approvals[i].by));
	return rc;
}

static int describe(secex_buf *b, const hist_change *ch)
{
	secex_buf other = SECEX_BUF_INIT;
	int rc;

	if (!ch->new)
		return secex_buf_printf(b, "deleted (was %s)", show(ch->old->value[SECEX_F_STATUS]));
	if (!ch->old)
		rc = secex_buf_printf(b, "created as %s", show(ch->new->value[SECEX_F_STATUS]));
	else if ((rc = followed_changes(b, ch->old, ch->new)) == 0 &&
		 (rc = secex_facts_changed_fields(&other, ch->old, ch->new)) == 0 && other.size)
		rc = secex_buf_printf(b, "%sedited %s", b->size ? "; " : "", other.ptr);
	if (rc == 0)
		rc = approval_changes(b, ch->old, ch->new);
	if (rc == 0 && !b->size)
		rc = secex_buf_puts(b, "moved or reformatted, same content");
	secex_buf_release(&other);
	return rc;
}

/* The line of the first followed field that changed, else of the id (0 when deleted). */
static uint32_t changed_line(const hist_change *ch)
{
	int i;

	if (!ch->new)
		return 0;
	for (i = 1; ch->old && i < SECEX_F_COUNT; i++) {
		const char *x = ch->old->value[i], *y = ch->new->value[i];

		if (ch->new->line[i] && ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)))
			return ch->new->line[i];
	}
	return ch->new->line[SECEX_F_ID];
}

static int add_event(secex_history *h, const hist_change *ch, secex_buf *what)
{
	secex_timeline_event *ev = calloc(1, sizeof(*ev));
	const git_signature *a = git_commit_author(ch->commit);
	secex_buf author = SECEX_BUF_INIT, signer = SECEX_BUF_INIT;
	int rc;

	if (!ev || secex_vec_push(&h->timeline, ev) < 0) {
		free(ev);
		secex_buf_release(what);
		return secex_error_nomem();
	}
	git_oid_tostr(ev->commit, sizeof(ev->commit), git_commit_id(ch->commit));
	ev->time = a ? a->when.time : 0;
	ev->line = changed_line(ch);
	if ((rc = secex_buf_printf(&author, "%s <%s>", a && a->name ? a->name : "?", a && a->email ? a->email : "?")) == 0)
		rc = secex_trust_describe_signer(&signer, h, ch->commit);
	ev->author = secex_buf_detach(&author);
	ev->signer = secex_buf_detach(&signer);
	ev->what = secex_buf_detach(what);
	ev->path = strdup(ch->path);
	if (rc == 0 && (!ev->author || !ev->signer || !ev->what || !ev->path))
		rc = secex_error_nomem();
	return rc;
}

int secex_timeline_change(secex_history *h, const hist_change *ch)
{
	secex_buf what = SECEX_BUF_INIT;
	int rc = describe(&what, ch);

	if (rc < 0) {
		secex_buf_release(&what);
		return rc;
	}
	return add_event(h, ch, &what);
}

int secex_timeline_move(secex_history *h, const hist_change *ch, const char *old_path)
{
	secex_buf what = SECEX_BUF_INIT;

	if (secex_buf_printf(&what, "moved from %s, content unchanged", old_path) < 0)
		return SECEX_ENOMEM;
	return add_event(h, ch, &what);
}

const secex_timeline_event *const *secex_timeline_build(const secex_history *h, size_t *n)
{
	*n = h->timeline.n;
	return (const secex_timeline_event *const *)h->timeline.items;
}

void secex_timeline_free(secex_history *h)
{
	size_t i;

	for (i = 0; i < h->timeline.n; i++) {
		secex_timeline_event *ev = h->timeline.items[i];

		free(ev->author);
		free(ev->signer);
		free(ev->path);
		free(ev->what);
		free(ev);
	}
	secex_vec_release(&h->timeline);
}
