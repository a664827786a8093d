/* secex scan --format sarif: the scanners' results with SARIF suppressions on accepted ones. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "scan_out.h"
#include "secex/banned.h"

static void str(secex_buf *b, const char *s)
{
	secex_buf_putc(b, '"');
	secex_buf_put_json_string(b, s ? s : "", s ? strlen(s) : 0);
	secex_buf_putc(b, '"');
}

static void key(secex_buf *b, const char *k, size_t len)
{
	secex_buf_putc(b, '"');
	secex_buf_put_json_string(b, k, len);
	secex_buf_puts(b, "\":");
}

static void suppression(secex_buf *b, const secex_scan_entry *en)
{
	secex_buf just = SECEX_BUF_INIT;

	secex_buf_printf(&just, "%s: %s", en->id, en->justification ? en->justification : en->title ? en->title : "");
	secex_buf_puts(b, "{\"kind\":\"external\",\"status\":\"accepted\",\"justification\":");
	str(b, secex_buf_cstr(&just));
	secex_buf_puts(b, ",\"properties\":{\"exception\":");
	str(b, en->id);
	secex_buf_puts(b, ",\"due_date\":");
	str(b, en->due_date);
	secex_buf_puts(b, ",\"file\":");
	str(b, en->exception->path);
	secex_buf_puts(b, "}}");
	secex_buf_release(&just);
}

/* A result as it came, with our suppression added to its own. */
static void result(secex_buf *b, const secex_node *r, const secex_scan_verdict *v)
{
	const secex_node *own = NULL;
	bool accepted = v && v->kind == SECEX_VERDICT_ACCEPTED;
	size_t i, n = 0;

	secex_buf_putc(b, '{');
	for (i = 0; i < r->u.object.n; i++) {
		const secex_member *m = &r->u.object.members[i];

		if (accepted && strcmp(m->key, "suppressions") == 0) {
			own = m->value;
			continue;
		}
		if (n++)
			secex_buf_putc(b, ',');
		key(b, m->key, m->keylen);
		secex_export_node_json(b, m->value, 4);
	}
	if (accepted) {
		secex_buf_puts(b, n ? ",\"suppressions\":[" : "\"suppressions\":[");
		for (i = 0; own && own->type == SECEX_NODE_ARRAY && i < own->u.array.n; i++) {
			secex_export_node_json(b, own->u.array.items[i], 4);
			secex_buf_putc(b, ',');
		}
		suppression(b, v->entry);
		secex_buf_putc(b, ']');
	}
	secex_buf_putc(b, '}');
}

/* Each run of a SARIF report; findings are in result order, so a cursor finds verdicts. */
static void sarif_runs(secex_buf *b, const secex_scan_report *r, const secex_scan_verdict *v, bool *first)
{
	const secex_node *runs = secex_node_get(secex_doc_root(r->doc), "runs");
	size_t i, k, j, cursor = 0;

	for (i = 0; i < runs->u.array.n; i++) {
		const secex_node *run = runs->u.array.items[i];

		secex_buf_puts(b, *first ? "{" : ",{");
		*first = false;
		for (k = 0; run->type == SECEX_NODE_OBJECT && k < run->u.object.n; k++) {
			const secex_member *m = &run->u.object.members[k];

			if (k)
				secex_buf_putc(b, ',');
			key(b, m->key, m->keylen);
			if (strcmp(m->key, "results") != 0 || m->value->type != SECEX_NODE_ARRAY) {
				secex_export_node_json(b, m->value, 2);
				continue;
			}
			secex_buf_putc(b, '[');
			for (j = 0; j < m->value->u.array.n; j++) {
				const secex_node *res = m->value->u.array.items[j];
				bool mine = cursor < r->n && r->items[cursor].node == res;

				if (j)
					secex_buf_putc(b, ',');
				if (res->type == SECEX_NODE_OBJECT)
					result(b, res, mine ? &v[cursor] : NULL);
				else
					secex_export_node_json(b, res, 3);
				cursor += mine;
			}
			secex_buf_putc(b, ']');
		}
		secex_buf_putc(b, '}');
	}
}

static const char *level_of(secex_scan_severity s)
{
	return s >= SECEX_SCAN_SEV_HIGH ? "error" : s == SECEX_SCAN_SEV_LOW ? "note" : "warning";
}

static const char *score_of(secex_scan_severity s)
{
	static const char *const scores[] = { "5.0", "2.0", "5.5", "8.0", "9.5" };

	return scores[s];
}

/* A URI reference for a path: its segments percent-encoded. */
static void uri(secex_buf *b, const char *path)
{
	secex_buf norm = SECEX_BUF_INIT, enc = SECEX_BUF_INIT;
	const char *s;

	secex_scan_normalise_path(&norm, path);
	for (s = secex_buf_cstr(&norm); *s; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/", *s))
			secex_buf_putc(&enc, *s);
		else
			secex_buf_printf(&enc, "%%%02X", (unsigned char)*s);
	str(b, enc.size ? enc.ptr : "unknown");
	secex_buf_release(&norm);
	secex_buf_release(&enc);
}

static void rule(secex_buf *b, const secex_scan_finding *f, bool first)
{
	const char *title = f->title ? f->title : f->id;

	secex_buf_puts(b, first ? "{\"id\":" : ",{\"id\":");
	str(b, f->id);
	secex_buf_puts(b, ",\"shortDescription\":{\"text\":");
	str(b, title);
	secex_buf_puts(b, "},\"fullDescription\":{\"text\":");
	str(b, title);
	secex_buf_puts(b, "},\"help\":{\"text\":");
	str(b, title);
	secex_buf_printf(b, "},\"properties\":{\"security-severity\":\"%s\"}}", score_of(f->severity));
}

static void converted_result(secex_buf *b, const secex_scan_report *r, const secex_scan_finding *f,
			     const secex_scan_verdict *v, size_t rule_index, bool first)
{
	secex_buf text = SECEX_BUF_INIT;
	char hash[20];

	secex_scan_describe(&text, f);
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)secex_map_hash(text.ptr, text.size));
	if (f->title)
		secex_buf_printf(&text, ": %s", f->title);
	secex_buf_printf(b, "%s{\"ruleId\":", first ? "" : ",");
	str(b, f->id);
	secex_buf_printf(b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":", rule_index, level_of(f->severity));
	str(b, secex_buf_cstr(&text));
	secex_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
	uri(b, f->npaths ? f->paths[0] : r->file);
	secex_buf_printf(b, "},\"region\":{\"startLine\":1}}}],\"partialFingerprints\":{\"primaryLocationLineHash\":\"%s\"}",
			 hash);
	if (v->kind == SECEX_VERDICT_ACCEPTED) {
		secex_buf_puts(b, ",\"suppressions\":[");
		suppression(b, v->entry);
		secex_buf_putc(b, ']');
	}
	secex_buf_putc(b, '}');
	secex_buf_release(&text);
}

/* Another report as a run of its own: one rule per id. */
static void converted_run(secex_buf *b, const secex_scan_report *r, const secex_scan_verdict *v, bool *first)
{
	secex_map rules = SECEX_MAP_INIT;
	size_t *index = calloc(r->n + 1, sizeof(*index)), i, nrules = 0;

	secex_buf_puts(b, *first ? "{\"tool\":{\"driver\":{\"name\":" : ",{\"tool\":{\"driver\":{\"name\":");
	*first = false;
	str(b, r->n ? r->items[0].scanner : secex_scan_format_name(r->format));
	secex_buf_puts(b, ",\"informationUri\":\"https://github.com/\",\"rules\":[");
	for (i = 0; index && i < r->n; i++) {
		const char *id = r->items[i].id;
		size_t *known = secex_map_get(&rules, id, strlen(id));

		if (known) {
			index[i] = *known;
			continue;
		}
		index[i] = nrules++;
		secex_map_put(&rules, id, strlen(id), &index[i]);
		rule(b, &r->items[i], index[i] == 0);
	}
	secex_buf_puts(b, "]}},\"results\":[");
	for (i = 0; index && i < r->n; i++)
		converted_result(b, r, &r->items[i], &v[i], index[i], i == 0);
	secex_buf_puts(b, "]}");
	secex_map_release(&rules);
	free(index);
}

/* The stale exceptions (SX605) as a run of secex. */
static void own_run(secex_buf *b, const secex_diags *diags, bool first)
{
	size_t i, n = 0;

	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		if (strcmp(d->code, "SX605") != 0)
			continue;
		if (!n++) {
			secex_buf_puts(b, first ? "{" : ",{");
			secex_buf_puts(b, "\"tool\":{\"driver\":{\"name\":\"secex\",\"informationUri\":\"https://github.com/\","
				       "\"rules\":[{\"id\":\"SX605\",\"shortDescription\":{\"text\":\"stale exception\"},"
				       "\"fullDescription\":{\"text\":\"an approved exception none of whose findings was found\"},"
				       "\"help\":{\"text\":\"confirm the fix and close the exception\"}}]}},\"results\":[");
		}
		secex_buf_printf(b, "%s{\"ruleId\":\"SX605\",\"ruleIndex\":0,\"level\":\"%s\",\"message\":{\"text\":",
				 n > 1 ? "," : "", d->severity == SECEX_SEV_ERROR ? "error" : d->severity == SECEX_SEV_WARNING
				 ? "warning" : "note");
		str(b, d->message);
		secex_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
		uri(b, d->file);
		secex_buf_printf(b, "},\"region\":{\"startLine\":%u}}}]}", d->line ? d->line : 1);
	}
	if (n)
		secex_buf_puts(b, "]}");
}

int scan_out_sarif(FILE *out, secex_scan_report *const *reports, size_t n, const secex_scan_verdict *verdicts,
		   const secex_diags *diags)
{
	secex_buf b = SECEX_BUF_INIT;
	size_t i, base = 0;
	bool first = true;
	int rc = 0;

	secex_buf_puts(&b, "{\"version\":\"2.1.0\",\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"runs\":[");
	for (i = 0; i < n; i++) {
		if (reports[i]->format == SECEX_SCAN_SARIF)
			sarif_runs(&b, reports[i], verdicts + base, &first);
		else
			converted_run(&b, reports[i], verdicts + base, &first);
		base += reports[i]->n;
	}
	own_run(&b, diags, first);
	secex_buf_puts(&b, "]}\n");
	if (!b.ptr)
		rc = secex_error_nomem();
	else if (fwrite(b.ptr, 1, b.size, out) != b.size || fflush(out) != 0)
		rc = secex_error_set(SECEX_EIO, "cannot write the SARIF output");
	secex_buf_release(&b);
	return rc;
}
