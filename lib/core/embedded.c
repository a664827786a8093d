/* The files built into the program (schemas, default policy and roster), found by name. */

#include <string.h>
#include "secex/embedded.h"
#include "secex/banned.h"

const secex_embedded *secex_embedded_find(const secex_embedded *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}
