/* What the commands of backtalk share (cmd.h): where the rules are, loading
 * them, and the day dates in messages are read against. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "cmd.h"
#include "diag.h"
#include "rules.h"
#include "version.h"

const char *
cmd_rules_path(const char *opt)
{
	const char *env = getenv("BACKTALK_RULES");

	if (opt != NULL)
		return opt;
	if (env != NULL && *env != '\0')
		return env;
	return BACKTALK_DEFAULT_RULES;
}

bool
cmd_date(const char *cmd, const char *opt, int32_t *day)
{
	if (opt == NULL) {
		*day = calendar_from_time(time(NULL));
		return true;
	}
	if (calendar_parse(opt, day))
		return true;
	fprintf(stderr, "backtalk %s: --date %s: not a date (YYYY-MM-DD)\n",
	        cmd, opt);
	return false;
}

struct ruleset *
cmd_load_rules(const char *path)
{
	struct ruleset *rs = NULL;
	struct diag d;

	diag_init(&d);
	if (rules_load(path, &rs, &d) != 0) {
		diag_print(&d, stderr);
		fprintf(stderr,
		        "backtalk: cannot load rules from %s (%zu errors); "
		        "run 'backtalk check --rules %s' for details\n",
		        path, d.errors, path);
		rs = NULL;
	}
	diag_free(&d);
	return rs;
}
