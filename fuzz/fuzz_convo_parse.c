/* Fuzzes the conversation parser: the input, after a fixed pair of rules
 * and replies, is written to a rule file (fuzz_file.c) and loaded, so the
 * conversations it defines are parsed, resolved and shape-checked; a set
 * that loads is checked as `backtalk check` would, which plays its
 * examples through convo_step. */
#include <stdbool.h>
#include <string.h>

#include "convo.h"
#include "diag.h"
#include "fuzz.h"
#include "rulecheck.h"
#include "rules.h"

static const char fuzz_convo_parse_head[] =
    "replies = { fallback = \"menu\"; stop = \"bye\"; };\n"
    "rules = (\n"
    "  { id = \"numb\"; category = \"urgent\"; patterns = [ \"\\\\bnumb\" ];\n"
    "    reply = \"See a doctor today.\"; },\n"
    "  { id = \"sore\"; category = \"tip\"; topic = \"recovery\";\n"
    "    patterns = [ \"\\\\bsore\\\\b\" ]; reply = \"Rest a bit.\"; }\n"
    ");\n";

static const char *fuzz_convo_parse_path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_convo_parse_path = fuzz_file_init("fuzz-convo-parse");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t head = sizeof(fuzz_convo_parse_head) - 1;
	struct ruleset *rs = NULL;
	struct diag d;
	uint8_t *text;

	if (fuzz_file_includes(data, size) || size > 65536)
		return -1;
	text = malloc(head + size);
	if (text == NULL)
		return 0;
	memcpy(text, fuzz_convo_parse_head, head);
	memcpy(text + head, data, size);
	fuzz_file_write(text, head + size);
	free(text);

	diag_init(&d);
	int rc = rules_load(fuzz_convo_parse_path, &rs, &d);
	if (rc == 0) {
		FUZZ_CHECK(rs != NULL);
		/* what loaded is whole: every option leads somewhere real */
		for (size_t i = 0; rs->convos != NULL && i < rs->convos->n;
		     i++) {
			const struct convo *c = &rs->convos->convos[i];
			FUZZ_CHECK(c->nsteps > 0 &&
			           c->nsteps <= CONVO_STEPS_MAX);
			for (size_t j = 0; j < c->nsteps; j++)
				for (size_t k = 0; k < c->steps[j].nanswers;
				     k++) {
					const struct convo_answer *a =
					    &c->steps[j].answers[k];
					FUZZ_CHECK(a->to != CONVO_TO_STEP ||
					           a->target < c->nsteps);
					FUZZ_CHECK(a->to != CONVO_TO_RULE ||
					           a->target < rs->nrules);
					FUZZ_CHECK(a->to != CONVO_TO_REPLY ||
					           a->target < c->nreplies);
				}
		}
		size_t before = d.errors;
		size_t added = rulecheck_run(rs, false, &d);
		FUZZ_CHECK(added == d.errors - before);
	} else {
		FUZZ_CHECK(rc == -1 && rs == NULL && d.errors > 0);
	}
	rules_free(rs);
	diag_free(&d);
	return 0;
}
