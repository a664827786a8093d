/* The draft 2020-12 metaschema, built in: parsed once per process; a document of it joins a
 * compilation when a $ref names it and neither the schema nor the caller has that URI. */

#include <pthread.h>
#include <string.h>
#include "secex/embedded.h"
#include "secex/json.h"
#include "schema_int.h"
#include "secex/banned.h"

#define META_DOCS 8

static struct {
	secex_doc *docs[META_DOCS];
	secex_schema_resource res[META_DOCS];
	size_t n;
} meta;

static pthread_once_t meta_once = PTHREAD_ONCE_INIT;

/* Each document's $id is its URI. One that does not parse (which a build would have to
 * break) is left out, and a $ref to it fails as a $ref to any unknown document does. */
static void meta_load(void)
{
	const secex_embedded *e;

	for (e = secex_embedded_metaschema; e->name && meta.n < META_DOCS; e++) {
		secex_diags diags = SECEX_DIAGS_INIT;
		secex_doc *doc = NULL;
		const secex_node *id;
		int rc = secex_json_parse(&doc, e->data, e->size, e->name, &diags);

		secex_diag_release(&diags);
		if (rc < 0 || !doc)
			continue;
		id = secex_node_get(secex_doc_root(doc), "$id");
		if (!id || id->type != SECEX_NODE_STRING) {
			secex_doc_free(doc);
			continue;
		}
		meta.docs[meta.n] = doc;
		meta.res[meta.n].uri = secex_node_str(id);
		meta.res[meta.n].root = secex_doc_root(doc);
		meta.n++;
	}
}

const secex_schema_resource *secex_schema_meta_resources(size_t *n)
{
	pthread_once(&meta_once, meta_load);
	*n = meta.n;
	return meta.res;
}
