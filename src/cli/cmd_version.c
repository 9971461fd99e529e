#include <stdio.h>

#include "cli.h"

int cmd_version(int argc, char **argv)
{
	struct cli_common common;

	cli_common_init(&common, "version");
	for (int i = 1; i < argc; i++) {
		if (cli_common_option(&common, argc, argv, &i) <= 0) {
			cli_error(&common, CLI_TEXT(&common, "option inconnue « %s »",
						    "unknown option '%s'"),
				  argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (common.json)
		printf("{\"version\":\"%s\"}\n", PERMANENCE_VERSION);
	else
		printf("permanence %s\n", PERMANENCE_VERSION);
	return CLI_EXIT_OK;
}
