/* The baseline of SPEC §10: libyaml's bare event parse of every file named on the command
 * line, with nothing built from the events. */

#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		yaml_parser_t parser;
		yaml_event_t event;
		int done = 0;

		if (!f || !yaml_parser_initialize(&parser)) {
			bad++;
			if (f)
				fclose(f);
			continue;
		}
		yaml_parser_set_input_file(&parser, f);
		while (!done) {
			if (!yaml_parser_parse(&parser, &event)) {
				bad++;
				break;
			}
			done = event.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&event);
		}
		yaml_parser_delete(&parser);
		fclose(f);
	}
	printf("%d files, %d failed to parse\n", argc - 1, bad);
	return bad != 0;
}
