#ifndef SECEX_YAMLOUT_H
#define SECEX_YAMLOUT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_DOC)
#error "a layer below doc/ may not use it: see Hacking in the README"
#endif

/*
 * Writing YAML text that secex (and other YAML readers) read back as exactly the strings
 * written: plain where that is safe, double-quoted with escapes otherwise, and long or
 * multi-line text as block scalars, in the block style of hand-written files.
 */

#include <stdbool.h>
#include <stddef.h>
#include "common.h"
#include "util.h"

/* Where folded text wraps: no line of a block scalar runs past this column if it can. */
#define SECEX_YAML_WIDTH 92

typedef enum {
	SECEX_YAML_LINE, /* one line: plain or double-quoted (ids, titles, dates) */
	SECEX_YAML_TEXT  /* free text: also a literal block (|) or a folded block (>-) */
} secex_yaml_kind;

/*
 * Whether str, written plain after "key: " or "- " in a block collection, reads back as the
 * same string under the YAML 1.2 core schema and YAML 1.1 alike. Conservative: false for
 * "", leading or trailing white space, a leading indicator character, ": " or " #", a
 * trailing ':', tabs, line breaks, characters that need an escape, and anything a reader
 * may resolve as null, a boolean (yes, no, on, off...), a number or a timestamp.
 */
bool secex_yamlout_plain_safe(const char *str);

/* Appends str (valid UTF-8) as a double-quoted scalar that reads back as str. */
int secex_yamlout_put_quoted(secex_buf *out, const char *str);

/*
 * Appends str (valid UTF-8) as the value of a block mapping key or sequence item, and a
 * line break. `column` is the 0-based column the value starts at (after "key: "), `indent`
 * the indentation of a block scalar's lines (more than the key's or the dash's). A LINE is
 * plain when safe, else double-quoted. A TEXT with line breaks is a literal block (|, |-)
 * when its lines allow, one too long for a line of SECEX_YAML_WIDTH columns even as a block
 * a folded block (>-) wrapped at single spaces, else it is written as a LINE.
 */
int secex_yamlout_put_value(secex_buf *out, const char *str, secex_yaml_kind kind, size_t column,
			 size_t indent);

#endif
