#ifndef SECEX_NODE_H
#define SECEX_NODE_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_DOC)
#error "a layer below doc/ may not use it: see Hacking in the README"
#endif

/* The document tree secex reads every file into (YAML and JSON alike), and loading a
 * document by its name. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"

typedef enum {
	SECEX_NODE_NULL,
	SECEX_NODE_BOOL,
	SECEX_NODE_INT,    /* fits in int64_t */
	SECEX_NODE_FLOAT,  /* any other number, including integers too large for int64_t */
	SECEX_NODE_STRING,
	SECEX_NODE_ARRAY,
	SECEX_NODE_OBJECT
} secex_node_type;

typedef struct secex_node secex_node;
typedef struct secex_member secex_member;

struct secex_node {
	secex_node_type type;
	uint32_t line, column; /* 1-based position of the node's first character */
	union {
		bool boolean;
		int64_t integer;
		double number;
		struct {
			const char *ptr; /* NUL-terminated; may not contain NUL */
			size_t len;      /* bytes */
		} string;
		struct {
			secex_node **items;
			size_t n;
		} array;
		struct {
			secex_member *members; /* in document order */
			size_t n;
		} object;
	} u;
};

struct secex_member {
	const char *key;
	size_t keylen;
	uint32_t line, column; /* position of the key */
	secex_node *value;
};

/* A loaded document: the tree and the memory that holds it. */
typedef struct secex_doc secex_doc;

#define SECEX_MAX_FILE_SIZE (1024 * 1024) /* SX107 */
#define SECEX_MAX_DEPTH 64                /* SX108 */

/* Picks the JSON loader for names ending in ".json", the YAML loader otherwise. */
int secex_doc_parse(secex_doc **out, const char *data, size_t len, const char *file,
		    secex_diags *diags);

/* Reads (with secex_file_read) and parses a file on disk. A file over SECEX_MAX_FILE_SIZE is
 * SX107 and is never read; a FIFO, device, directory (or, with SECEX_FILE_NOFOLLOW, a link)
 * is SX109 and is never read either; both return 0 with *out NULL. Findings name
 * display_name. A missing file is SECEX_ENOTFOUND. */
int secex_doc_load_file(secex_doc **out, const char *path, const char *display_name,
			secex_diags *diags);
int secex_doc_load_file_ext(secex_doc **out, const char *path, const char *display_name,
			    unsigned flags, secex_diags *diags);

/* An empty document whose arena can hold nodes built by hand (tests, merged schemas). */
int secex_doc_new(secex_doc **out);
void secex_doc_free(secex_doc *doc);

secex_node *secex_doc_root(const secex_doc *doc);
void secex_doc_set_root(secex_doc *doc, secex_node *root);
/* Allocates a zeroed node (or other memory) that lives as long as doc. */
void *secex_doc_alloc(secex_doc *doc, size_t size);
const char *secex_doc_strndup(secex_doc *doc, const char *str, size_t len);

/* Object member lookup (first match), or NULL. */
const secex_node *secex_node_get(const secex_node *object, const char *key);
const secex_member *secex_node_member(const secex_node *object, const char *key);
/* The string of a string node, or NULL for any other node (or NULL). */
const char *secex_node_str(const secex_node *node);
bool secex_node_is_number(const secex_node *node);
double secex_node_number(const secex_node *node);
/* Deep equality as JSON Schema defines it (1 equals 1.0, key order does not matter). */
bool secex_node_equal(const secex_node *a, const secex_node *b);
const char *secex_node_type_name(secex_node_type type);

#endif
