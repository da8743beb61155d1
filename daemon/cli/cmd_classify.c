/* backtalk classify: one JSON object per message.  The part of the output
 * that depends only on the decision (category, rule, reply and its SMS
 * measure) is encoded once per rule and reused, so classifying a large file
 * costs little more than the classification itself. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "concept.h"
#include "context.h"
#include "cmd.h"
#include "gsm7.h"
#include "jsonout.h"
#include "rules.h"
#include "utf8.h"

struct cmd_classify {
	const struct ruleset *rs;
	struct classify *c;
	bool explain;
	/* Encoded tails, one per rule, then one per built-in category. */
	char **tails;
	size_t ntails;
	struct classify_explain *ex;
};

static json_t *
cmd_classify_decision(const struct classify_result *res)
{
	json_t *o = json_object();
	const char *topic = topic_name(res->topic);
	struct gsm7_info info;

	json_object_set_new(o, "category",
	                    json_string(category_name(res->category)));
	json_object_set_new(o, "topic",
	                    topic ? json_string(topic) : json_null());
	json_object_set_new(
	    o, "rule", res->rule_id ? json_string(res->rule_id) : json_null());
	if (res->reply != NULL &&
	    gsm7_measure(res->reply, strlen(res->reply), &info) == 0) {
		json_object_set_new(o, "reply", json_string(res->reply));
		json_object_set_new(
		    o, "encoding",
		    json_string(gsm7_encoding_name(info.encoding)));
		json_object_set_new(o, "segments",
		                    json_integer((json_int_t)info.segments));
	} else {
		json_object_set_new(o, "reply", json_null());
		json_object_set_new(o, "encoding", json_null());
		json_object_set_new(o, "segments", json_integer(0));
	}
	return o;
}

/* The decision encoded as JSON members without the braces. */
static const char *
cmd_classify_tail(struct cmd_classify *cc, const struct classify_result *res)
{
	size_t slot =
	    res->rule >= 0 ? (size_t)res->rule : cc->rs->nrules + res->category;

	if (cc->tails[slot] == NULL) {
		json_t *o = cmd_classify_decision(res);
		char *s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s == NULL)
			return NULL;
		size_t n = strlen(s);
		memmove(s, s + 1, n - 2); /* drop { and } */
		s[n - 2] = '\0';
		cc->tails[slot] = s;
	}
	return cc->tails[slot];
}

/* The concepts found, each with its context, and the combination that
 * decided. */
static void
cmd_classify_concepts(struct cmd_classify *cc, json_t *o)
{
	static const char *const how[] = { "word", "prefix", "one edit",
		                           "number", "model" };
	static const enum context_flag flags[] = { CONTEXT_NEGATED,
		                                   CONTEXT_HISTORICAL,
		                                   CONTEXT_HYPOTHETICAL,
		                                   CONTEXT_OTHER };
	const struct classify_explain *ex = cc->ex;
	json_t *arr = json_array();

	for (size_t i = 0; i < ex->nconcepts; i++) {
		const struct classify_concept *k = &ex->concepts[i];
		json_t *j = json_object(), *ctx = json_array();
		json_object_set_new(
		    j, "concept",
		    json_string(concept_name(cc->rs->concepts, k->concept)));
		json_object_set_new(
		    j, "text",
		    json_stringn(ex->norm + k->start, k->end - k->start));
		json_object_set_new(j, "span",
		                    json_pack("[I,I]", (json_int_t)k->start,
		                              (json_int_t)k->end));
		json_object_set_new(
		    j, "how", json_string(k->how < 4 ? how[k->how] : "?"));
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if (k->context & flags[f])
				json_array_append_new(
				    ctx,
				    json_string(context_flag_name(flags[f])));
		json_object_set_new(j, "context", ctx);
		if (k->context != 0)
			json_object_set_new(
			    j, "cue",
			    json_stringn(ex->norm + k->cue_start,
			                 k->cue_end - k->cue_start));
		json_array_append_new(arr, j);
	}
	json_object_set_new(o, "concepts", arr);
	if (ex->combo < 0)
		return;
	for (size_t r = 0; r < cc->rs->nrules; r++) {
		const struct rule *ru = &cc->rs->rules[r];
		if ((size_t)ex->combo >= ru->first_combo &&
		    (size_t)ex->combo < ru->first_combo + ru->when.count) {
			json_object_set_new(
			    o, "decided_by",
			    json_pack(
			        "{s:s,s:s}", "rule", ru->id, "when",
			        ru->when.items[ex->combo - ru->first_combo]
			            .text));
			return;
		}
	}
}

/* A probability to three places: the output stays short and stable. */
static json_t *
cmd_classify_prob(double p)
{
	return json_real(round(p * 1000) / 1000);
}

/* The category model's verdict, when it was asked, and whether it
 * decided. */
static void
cmd_classify_model(const struct classify_result *res, json_t *o)
{
	if (res->model_class == NULL)
		return;
	json_object_set_new(
	    o, "category_model",
	    json_pack("{s:s,s:o,s:o}", "class", res->model_class, "probability",
	              cmd_classify_prob(res->model_prob), "threshold",
	              cmd_classify_prob(res->model_threshold)));
	if (res->via == CLASSIFY_VIA_CATEGORY_MODEL)
		json_object_set_new(
		    o, "decided_by",
		    json_pack("{s:s,s:s,s:o}", "rule", res->rule_id,
		              "category_model", res->model_class, "probability",
		              cmd_classify_prob(res->model_prob)));
}

static void
cmd_classify_explain(struct cmd_classify *cc, json_t *o,
                     const struct classify_result *res)
{
	const struct classify_explain *ex = cc->ex;
	json_t *matches = json_array(), *negated = json_array();

	json_object_set_new(o, "normalised",
	                    json_stringn(ex->norm, ex->norm_len));
	json_object_set_new(o, "via", json_string(classify_via_name(res->via)));
	for (size_t i = 0; i < ex->count; i++) {
		const struct classify_match *m = &ex->matches[i];
		const struct pattern *p = &cc->rs->patterns[m->pattern];
		json_t *j = json_object();
		if (p->kind == PATTERN_COMPLIANCE)
			json_object_set_new(j, "rule", json_null());
		else
			json_object_set_new(
			    j, "rule", json_string(cc->rs->rules[p->rule].id));
		json_object_set_new(
		    j, "kind",
		    json_string(p->kind == PATTERN_EXCLUDE ? "exclude"
		                : p->kind == PATTERN_MATCH ? "match"
		                                           : "compliance"));
		json_object_set_new(j, "pattern", json_string(p->src));
		json_object_set_new(j, "span",
		                    json_pack("[I,I]", (json_int_t)m->start,
		                              (json_int_t)m->end));
		json_object_set_new(
		    j, "text",
		    json_stringn(ex->norm + m->start, m->end - m->start));
		if (m->negated) {
			json_object_set_new(
			    j, "negated_by",
			    json_stringn(ex->norm + m->cue_start,
			                 m->cue_end - m->cue_start));
			json_array_append_new(negated, j);
		} else {
			if (m->winner)
				json_object_set_new(j, "decided", json_true());
			json_array_append_new(matches, j);
		}
	}
	json_object_set_new(o, "matches", matches);
	json_object_set_new(o, "negated", negated);
	cmd_classify_concepts(cc, o);
	cmd_classify_model(res, o);
	if (res->limit_hits)
		json_object_set_new(o, "limit_hits",
		                    json_integer(res->limit_hits));
}

/* Classifies one message and prints its line.  Returns false for input
 * that is not valid UTF-8. */
static bool
cmd_classify_one(struct cmd_classify *cc, const char *text, size_t len,
                 size_t lineno)
{
	struct classify_result res;

	if (classify_message(cc->c, text, len, &res,
	                     cc->explain ? cc->ex : NULL) != 0) {
		char where[32] = "";
		if (lineno > 0)
			snprintf(where, sizeof(where), "line %zu: ", lineno);
		fprintf(stderr,
		        "backtalk classify: %sinvalid UTF-8 at byte %zu; "
		        "message skipped\n",
		        where, res.bad_offset);
		json_t *o = json_object();
		if (lineno > 0)
			json_object_set_new(o, "line", json_integer(lineno));
		json_object_set_new(o, "error", json_string("invalid UTF-8"));
		json_object_set_new(o, "offset",
		                    json_integer((json_int_t)res.bad_offset));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
		return false;
	}

	if (cc->explain) {
		json_t *o = json_object();
		json_object_set_new(o, "text", json_stringn(text, len));
		json_t *d = cmd_classify_decision(&res);
		json_object_update(o, d);
		json_decref(d);
		if (res.truncated)
			json_object_set_new(o, "truncated", json_true());
		cmd_classify_explain(cc, o, &res);
		json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(o);
		return true;
	}

	/* Echo what was classified: a body over BT_MESSAGE_MAX is cut at a
	 * character boundary, as classification cut it.  The line is put
	 * together in buf and written at once. */
	static const char head[] = "{\"text\":",
	                  trunc[] = ",\"truncated\":true";
	char buf[sizeof(head) + BT_MESSAGE_MAX * 6 + 64];
	if (len > BT_MESSAGE_MAX)
		len = utf8_truncate(text, BT_MESSAGE_MAX);
	size_t o = sizeof(head) - 1;
	memcpy(buf, head, o);
	size_t n = jsonout_string(text, len, buf + o, sizeof(buf) - o);
	const char *tail = cmd_classify_tail(cc, &res);
	if (n == 0 || n > sizeof(buf) - o || tail == NULL) {
		fprintf(stderr, "backtalk classify: out of memory\n");
		exit(EXIT_SOFTWARE);
	}
	o += n;
	buf[o++] = ',';
	size_t tn = strlen(tail);
	if (tn + sizeof(trunc) + 2 <= sizeof(buf) - o) { /* one write */
		memcpy(buf + o, tail, tn);
		o += tn;
		if (res.truncated) {
			memcpy(buf + o, trunc, sizeof(trunc) - 1);
			o += sizeof(trunc) - 1;
		}
		buf[o++] = '}';
		buf[o++] = '\n';
		fwrite(buf, 1, o, stdout);
		return true;
	}
	fwrite(buf, 1, o, stdout);
	fputs(tail, stdout);
	if (res.truncated)
		fputs(trunc, stdout);
	fputs("}\n", stdout);
	return true;
}

int
cmd_classify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "explain", no_argument, NULL, 'e' },
		{ "date", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
	    "usage: backtalk classify [--rules PATH] [--explain] "
	    "[--date YYYY-MM-DD] [TEXT ...]\n"
	    "  --date  read dates in the texts (\"pain since nov 1st\") as "
	    "written on\n"
	    "          that day (default: today, UTC)\n";
	struct cmd_classify cc = { 0 };
	const char *path = NULL, *date = NULL;
	int32_t today;
	bool rejected = false;
	int ch, rc = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:ed:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			path = optarg;
			break;
		case 'd':
			date = optarg;
			break;
		case 'e':
			cc.explain = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!cmd_date("classify", date, &today))
		return EXIT_USAGE;
	struct ruleset *rs = cmd_load_rules(cmd_rules_path(path));
	if (rs == NULL)
		return EXIT_RULES;
	cc.rs = rs;
	cc.c = classify_new(rs);
	if (cc.c != NULL)
		classify_set_date(cc.c, today);
	cc.ntails = rs->nrules + CATEGORY__COUNT;
	cc.tails = calloc(cc.ntails, sizeof(*cc.tails));
	cc.ex = cc.explain ? malloc(sizeof(*cc.ex)) : NULL;
	if (cc.c == NULL || cc.tails == NULL || (cc.explain && !cc.ex)) {
		fprintf(stderr, "backtalk classify: out of memory\n");
		rc = EXIT_SOFTWARE;
		goto out;
	}

	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			if (!cmd_classify_one(&cc, argv[i], strlen(argv[i]), 0))
				rejected = true;
	} else {
		/* Many lines: read and written 64 KiB at a time (stdout
		 * stays as it was on a terminal), without stream locks:
		 * this command has one thread. */
		static char inbuf[1 << 16], outbuf[1 << 16];
		char *line = NULL;
		size_t cap = 0, lineno = 0;
		ssize_t n;
		setvbuf(stdin, inbuf, _IOFBF, sizeof(inbuf));
		if (!isatty(fileno(stdout)))
			setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
		__fsetlocking(stdin, FSETLOCKING_BYCALLER);
		__fsetlocking(stdout, FSETLOCKING_BYCALLER);
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			lineno++;
			while (n > 0 &&
			       (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			if (!cmd_classify_one(&cc, line, (size_t)n, lineno))
				rejected = true;
		}
		free(line);
	}
	if (fflush(stdout) != 0) {
		perror("backtalk classify: stdout");
		rc = EXIT_SOFTWARE;
	} else if (rejected) {
		rc = EXIT_INPUT;
	}
out:
	if (cc.tails)
		for (size_t i = 0; i < cc.ntails; i++)
			free(cc.tails[i]);
	free(cc.tails);
	free(cc.ex);
	classify_free(cc.c);
	rules_free(rs);
	return rc;
}
