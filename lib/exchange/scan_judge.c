/* The verdict of every scanner finding as a finding of secex (SX601 to SX607). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/health.h"
#include "secex/list.h"
#include "secex/scan.h"
#include "secex/banned.h"

int secex_scan_describe(secex_buf *out, const secex_scan_finding *f)
{
	int rc = secex_buf_puts(out, f->id);

	if (f->purl)
		rc |= secex_buf_printf(out, " in %s", f->purl);
	else if (f->name)
		rc |= secex_buf_printf(out, " in %s%s%s", f->name, f->version ? "@" : "", f->version ? f->version : "");
	if (f->npaths)
		rc |= secex_buf_printf(out, " at %s", f->paths[0]);
	return rc;
}

/* Single quotes for the shell, when the text holds anything but safe characters. */
static int shell_word(secex_buf *out, const char *s)
{
	const char *p;
	int rc = 0;

	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,:/@+%") == strlen(s))
		return secex_buf_puts(out, s);
	rc |= secex_buf_putc(out, '\'');
	for (p = s; *p; p++)
		rc |= *p == '\'' ? secex_buf_puts(out, "'\\''") : secex_buf_putc(out, *p);
	return rc | secex_buf_putc(out, '\'');
}

int secex_scan_new_command(secex_buf *out, const secex_scan_report *r, const secex_scan_finding *f)
{
	secex_buf arg = SECEX_BUF_INIT;
	int rc = secex_buf_puts(out, "secex new --from-scan ");

	rc |= shell_word(out, r->file);
	rc |= secex_buf_puts(out, " --finding ");
	rc |= secex_buf_puts(&arg, f->id);
	if (f->purl)
		rc |= secex_buf_printf(&arg, ",%s", f->purl);
	rc |= shell_word(out, secex_buf_cstr(&arg));
	secex_buf_release(&arg);
	return rc;
}

static int add(secex_diags *diags, const char *code, const secex_scan_report *r, const secex_scan_finding *f,
	       const secex_scan_entry *en, const char *text)
{
	return secex_diag_add(diags, code, r->file, f->line, f->column, en ? en->id : NULL, NULL, "%s", text);
}

static int verdict_diag(secex_diags *diags, const secex_scan_report *r, const secex_scan_finding *f,
			const secex_scan_verdict *v, const secex_scan_options *o)
{
	secex_buf m = SECEX_BUF_INIT;
	const secex_scan_entry *en = v->entry;
	const char *sev = secex_scan_severity_name(f->severity);
	bool below = o->fail_severity != SECEX_SCAN_SEV_UNKNOWN && f->severity != SECEX_SCAN_SEV_UNKNOWN &&
		     f->severity < o->fail_severity;
	int rc = secex_scan_describe(&m, f);

	if (v->kind == SECEX_VERDICT_ACCEPTED) {
		rc |= secex_buf_printf(&m, " (%s): accepted by %s, approved, due %s", sev, en->id, en->due_date ? en->due_date : "?");
		rc = rc ? rc : add(diags, "SX601", r, f, en, secex_buf_cstr(&m));
	} else if (v->kind == SECEX_VERDICT_LAPSED) {
		rc |= secex_buf_printf(&m, " (%s): covered only by %s, which no longer covers it: %s; fix the finding, or "
				       "request a new exception and have it approved", sev, en->id, en->why);
		rc = rc ? rc : add(diags, "SX602", r, f, en, secex_buf_cstr(&m));
	} else if (v->kind == SECEX_VERDICT_PENDING) {
		rc |= secex_buf_printf(&m, " (%s): covered only by %s, a request still awaiting approval (%s); have it "
				       "approved (secex status %s shows who must approve)", sev, en->id, en->why, en->id);
		rc = rc ? rc : add(diags, "SX603", r, f, en, secex_buf_cstr(&m));
		if (rc == 0 && o->strict)
			diags->items[diags->n - 1].severity = SECEX_SEV_ERROR;
	} else {
		rc |= secex_buf_printf(&m, " (%s): not covered by any exception%s; fix it, or start a request: ", sev,
				       below ? ", below --fail-on-severity" : "");
		rc |= secex_scan_new_command(&m, r, f);
		rc = rc ? rc : add(diags, below ? "SX607" : "SX604", r, f, NULL, secex_buf_cstr(&m));
	}
	secex_buf_release(&m);
	return rc < 0 ? secex_error_nomem() : rc;
}

static int stale(secex_diags *diags, const secex_scan_entry *en)
{
	const secex_member *m = secex_node_member(secex_doc_root(en->exception->doc), "findings");

	return secex_diag_add(diags, "SX605", en->exception->path, m ? m->line : 1, m ? m->column : 1, en->id, NULL,
			       "stale: nothing %s covers was found in the reports given; fix confirmed? run "
			       "'secex close %s'", en->id, en->id);
}

int secex_scan_judge(secex_scan_verdict *verdicts, secex_scan_report *const *reports, size_t nreports,
		     secex_scan_register *reg, const secex_scan_options *opts, secex_diags *diags)
{
	static const secex_scan_options defaults = SECEX_SCAN_OPTIONS_INIT;
	secex_scan_verdict v;
	size_t i, k, n = 0;
	int rc = 0;

	if (!opts)
		opts = &defaults;
	for (i = 0; rc == 0 && i < nreports; i++)
		for (k = 0; rc == 0 && k < reports[i]->n; k++) {
			if ((rc = secex_scan_match(&v, reg, &reports[i]->items[k])) == 0)
				rc = verdict_diag(diags, reports[i], &reports[i]->items[k], &v, opts);
			if (verdicts)
				verdicts[n++] = v;
		}
	for (i = 0; rc == 0 && opts->complete && i < secex_scan_register_count(reg); i++) {
		const secex_scan_entry *en = secex_scan_register_entry(reg, i);

		if (en->state == SECEX_SCAN_ACCEPTED && !en->found)
			rc = stale(diags, en);
	}
	return rc;
}

int secex_scan_finding_key(secex_buf *out, const secex_scan_finding *f)
{
	int rc = secex_scan_normalise_id(out, f->id, strlen(f->id));

	return rc ? rc : secex_buf_printf(out, "\n%s\n%s\n%s", f->purl ? f->purl : f->name ? f->name : "",
					  f->version ? f->version : "", f->npaths ? f->paths[0] : "");
}

int secex_scan_open_risks(size_t *out, secex_scan_report *const *reports, size_t nreports)
{
	secex_map seen = SECEX_MAP_INIT;
	secex_buf key = SECEX_BUF_INIT;
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < nreports; i++)
		for (k = 0; rc == 0 && k < reports[i]->n; k++)
			if ((rc = secex_scan_finding_key(&key, &reports[i]->items[k])) == 0 &&
			    !secex_map_get(&seen, key.ptr, key.size))
				rc = secex_map_put(&seen, key.ptr, key.size, &seen);
	*out = seen.n;
	secex_map_release(&seen);
	secex_buf_release(&key);
	return rc < 0 ? secex_error_nomem() : 0;
}

/* ---- the state of each exception, from the signed history ---- */

typedef struct {
	const secex_snapshot *snap;
	secex_approval_claim *claims; /* per snapshot item */
	int64_t now;
} state_ctx;

static int state_of(secex_scan_entry *en, void *payload)
{
	state_ctx *x = payload;
	const char *status = secex_node_str(secex_node_get(secex_doc_root(en->exception->doc), "status"));
	size_t i = (size_t)(en->exception - x->snap->items);
	bool approved = i < x->snap->n && x->claims[i] == SECEX_CLAIM_VERIFIED;
	int64_t due;

	en->state = SECEX_SCAN_LAPSED;
	if (status && !secex_list_is_open(status)) /* denied, withdrawn, closed: whatever its date */
		snprintf(en->why, sizeof(en->why), "it is %s", status);
	else if (secex_health_due(&due, en->exception) && due < x->now)
		snprintf(en->why, sizeof(en->why), "it expired on %s", en->due_date);
	else if (approved)
		en->state = SECEX_SCAN_ACCEPTED;
	else if (status && strcmp(status, "approved") == 0)
		snprintf(en->why, sizeof(en->why), "its status is approved but its approvals do not verify "
			 "(SX210; secex status %s says why)", en->id);
	else if (status && secex_list_is_open(status)) {
		en->state = SECEX_SCAN_PENDING;
		snprintf(en->why, sizeof(en->why), "status %s", status);
	} else
		snprintf(en->why, sizeof(en->why), "it is %s", status ? status : "without a status");
	return 0;
}

int secex_scan_register_judged(secex_scan_register **out, const secex_snapshot *snap, secex_history *history,
			       int64_t now)
{
	state_ctx x = { snap, NULL, now };
	int rc;

	*out = NULL;
	if ((rc = secex_approvals_claims(&x.claims, history, snap)) == 0)
		rc = secex_scan_register_new(out, snap, state_of, &x);
	free(x.claims);
	return rc;
}
