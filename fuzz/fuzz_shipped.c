/* The rule set the classifying targets fuzz against (fuzz.h): loaded once
 * from $BACKTALK_FUZZ_RULES, else the repository's rules/, with a
 * classifier for it; freed at exit.  A rule set that does not load stops
 * the target with the reasons, since every input would be wasted. */
#include "classify.h"
#include "diag.h"
#include "fuzz.h"
#include "rules.h"

#ifndef BACKTALK_FUZZ_RULES_DEFAULT
#define BACKTALK_FUZZ_RULES_DEFAULT "rules"
#endif

static struct fuzz_shipped fuzz_shipped_set;

static void
fuzz_shipped_free(void)
{
	classify_free(fuzz_shipped_set.c);
	rules_free(fuzz_shipped_set.rs);
}

const struct fuzz_shipped *
fuzz_shipped_load(const char *target, bool need_convos)
{
	const char *path = getenv("BACKTALK_FUZZ_RULES");
	struct diag d;

	if (path == NULL || *path == '\0')
		path = BACKTALK_FUZZ_RULES_DEFAULT;
	diag_init(&d);
	if (rules_load(path, &fuzz_shipped_set.rs, &d) != 0) {
		diag_print(&d, stderr);
		fprintf(stderr,
		        "%s: cannot load rules from %s (%zu errors); set "
		        "BACKTALK_FUZZ_RULES to a rule set that loads\n",
		        target, path, d.errors);
		exit(1);
	}
	diag_free(&d);
	if (need_convos && fuzz_shipped_set.rs->convos == NULL) {
		fprintf(stderr, "%s: no conversations load from %s\n", target,
		        path);
		exit(1);
	}
	fuzz_shipped_set.c = classify_new(fuzz_shipped_set.rs);
	if (fuzz_shipped_set.c == NULL) {
		fprintf(stderr, "%s: out of memory\n", target);
		exit(1);
	}
	atexit(fuzz_shipped_free);
	fprintf(stderr, "%s: %zu rules, %zu patterns from %s\n", target,
	        fuzz_shipped_set.rs->nrules, fuzz_shipped_set.rs->npatterns,
	        path);
	return &fuzz_shipped_set;
}
