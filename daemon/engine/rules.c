/* Rule files: libconfig parsing, validation with file:line for every
 * problem, and compilation into the ruleset the classifier runs. */
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compliance.h"
#include "concept.h"
#include "convo_parse.h"
#include "bounds.h"
#include "echo.h"
#include "normalise.h"
#include "pattern.h"
#include "prefilter.h"
#include "regfile.h"
#include "model.h"
#include "category_model.h"
#include "rules.h"
#include "strjoin.h"
#include "utf8.h"

/* State while loading: rules gathered from every file. */
struct rules_loader {
	struct ruleset *rs;
	size_t cap;
	struct diag *d;
	size_t order;
	bool have_replies;
};

static const char *const rules_rule_keys[] = {
	"id",        "category", "topic", "priority", "patterns",
	"exclude",   "keywords", "reply", "examples", "counter_examples",
	"negatable", "when",     NULL,
};

static const char *const rules_reply_keys[REPLY__COUNT + 1] = {
	"fallback",   "help",           "stop",        "start",
	"safety_net", "stop_emergency", "stop_urgent", NULL,
};

static bool
rules_key_known(const char *const *keys, const char *name)
{
	for (; *keys; keys++)
		if (strcmp(*keys, name) == 0)
			return true;
	return false;
}

static int
rules_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

static void
rules_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].text);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void
rules_rule_free(struct rule *r)
{
	free(r->id);
	free(r->reply);
	free(r->file);
	rules_list_free(&r->patterns);
	rules_list_free(&r->exclude);
	rules_list_free(&r->keywords);
	rules_list_free(&r->examples);
	rules_list_free(&r->counter_examples);
	rules_list_free(&r->when);
}

void
rules_free(struct ruleset *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->nrules; i++)
		rules_rule_free(&rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->npatterns; i++)
		pcre2_code_free(rs->patterns[i].re);
	free(rs->patterns);
	free(rs->keywords);
	for (int i = 0; i < REPLY__COUNT; i++) {
		free(rs->replies[i]);
		free(rs->reply_files[i]);
	}
	prefilter_free(rs->prefilter);
	prefilter_free(rs->prefilter_ex);
	echo_free(rs->echo);
	concept_set_free(rs->concepts);
	model_free(rs->model);
	free(rs->model_file);
	category_model_free(rs->catmodel);
	free(rs->combos);
	free(rs->combo_rule);
	convo_parse_free(rs->convos);
	free(rs);
}

/* Checks a string from a rule file: valid UTF-8, bounded, not empty. */
static bool
rules_text_ok(struct rules_loader *ld, const char *file, int line,
              const char *what, const char *id, const char *s, size_t max)
{
	size_t len = strlen(s);

	if (utf8_invalid_offset(s, len) != len) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": %s is not valid UTF-8", id, what);
		return false;
	}
	if (len == 0) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": %s is empty", id, what);
		return false;
	}
	if (len > max) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": %s is %zu bytes long; the limit is %zu",
		         id, what, len, max);
		return false;
	}
	return true;
}

/* Reads a list of strings ("patterns", "examples", ...).  A single string
 * is accepted as a list of one. */
static bool
rules_read_list(struct rules_loader *ld, const char *file, config_setting_t *s,
                const char *id, size_t max_items, size_t max_len,
                bool normalise, struct rule_list *ret)
{
	const char *name = config_setting_name(s);
	int type = config_setting_type(s);
	int n;

	if (type == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
	} else {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
		         "rule \"%s\": %s must be a list of strings, like "
		         "%s = [ \"...\", \"...\" ];",
		         id, name, name);
		return false;
	}
	if ((size_t)n > max_items) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
		         "rule \"%s\": %s has %d entries; the limit is %zu", id,
		         name, n, max_items);
		return false;
	}
	ret->items = calloc(n ? (size_t)n : 1, sizeof(*ret->items));
	if (ret->items == NULL)
		return false;
	bool ok = true;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = type == CONFIG_TYPE_STRING
		                          ? s
		                          : config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		int line = rules_line(e);
		if (v == NULL) {
			diag_add(ld->d, DIAG_ERROR, file, line,
			         "rule \"%s\": entry %d of %s is not a string",
			         id, i + 1, name);
			ok = false;
			continue;
		}
		if (!rules_text_ok(ld, file, line, name, id, v, max_len)) {
			ok = false;
			continue;
		}
		char *text;
		if (normalise) {
			char buf[BT_MESSAGE_MAX + 1];
			struct normalise_result nr;
			normalise_text(v, strlen(v), NORMALISE_RUNS_TWO, buf,
			               &nr);
			if (nr.len == 0) {
				diag_add(ld->d, DIAG_ERROR, file, line,
				         "rule \"%s\": keyword \"%s\" has no "
				         "letters or digits",
				         id, v);
				ok = false;
				continue;
			}
			text = strdup(buf);
		} else {
			text = strdup(v);
		}
		if (text == NULL)
			return false;
		ret->items[ret->count].text = text;
		ret->items[ret->count].line = line;
		ret->count++;
	}
	return ok;
}

static struct rule *
rules_push(struct rules_loader *ld)
{
	struct ruleset *rs = ld->rs;

	if (rs->nrules == ld->cap) {
		size_t ncap = ld->cap ? ld->cap * 2 : 64;
		struct rule *n = realloc(rs->rules, ncap * sizeof(*n));
		if (n == NULL)
			return NULL;
		rs->rules = n;
		ld->cap = ncap;
	}
	struct rule *r = &rs->rules[rs->nrules++];
	memset(r, 0, sizeof(*r));
	return r;
}

bool
rules_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > BT_RULE_ID_MAX)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static void
rules_parse_rule(struct rules_loader *ld, const char *file, config_setting_t *g,
                 int index)
{
	char fallback_id[32];
	const char *id = NULL, *s;
	config_setting_t *m;
	int line = rules_line(g);

	if (!config_setting_is_group(g)) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "entry %d of rules is not a rule; each rule is a "
		         "group in braces: { id = \"...\"; ... }",
		         index + 1);
		return;
	}
	if (ld->rs->nrules >= BT_RULES_MAX) {
		if (ld->rs->nrules == BT_RULES_MAX)
			diag_add(ld->d, DIAG_ERROR, file, line,
			         "more than %d rules; the rest are ignored",
			         BT_RULES_MAX);
		return;
	}

	m = config_setting_get_member(g, "id");
	if (m == NULL) {
		snprintf(fallback_id, sizeof(fallback_id), "#%d", index + 1);
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule %d has no id; add id = \"some-name\";",
		         index + 1);
		id = fallback_id;
	} else if ((s = config_setting_get_string(m)) == NULL ||
	           !rules_id_ok(s)) {
		snprintf(fallback_id, sizeof(fallback_id), "#%d", index + 1);
		diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
		         "rule %d: id must be a string of lowercase letters, "
		         "digits, '-', '_' or '.', at most %d long",
		         index + 1, BT_RULE_ID_MAX);
		id = fallback_id;
	} else {
		id = s;
	}

	struct rule *r = rules_push(ld);
	if (r == NULL)
		return;
	r->id = strdup(id);
	r->file = strdup(file);
	r->line = line;
	r->order = ld->order++;
	r->category = CATEGORY__COUNT;

	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *k = config_setting_get_elem(g, i);
		const char *name = config_setting_name(k);
		if (!rules_key_known(rules_rule_keys, name)) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(k),
			         "rule \"%s\": unknown key \"%s\" (known: id, "
			         "category, topic, priority, patterns, "
			         "exclude, keywords, reply, examples, "
			         "counter_examples, negatable)",
			         id, name);
		}
	}

	m = config_setting_get_member(g, "category");
	if (m == NULL) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": missing category (one of emergency, "
		         "urgent, referral, tip, info)",
		         id);
	} else if ((s = config_setting_get_string(m)) == NULL ||
	           !category_parse_rule(s, &r->category)) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
		         "rule \"%s\": category must be one of emergency, "
		         "urgent, referral, tip, info",
		         id);
	}

	m = config_setting_get_member(g, "topic");
	if (m != NULL) {
		if ((s = config_setting_get_string(m)) == NULL ||
		    !topic_parse(s, &r->topic)) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
			         "rule \"%s\": topic must be one of causes, "
			         "form, stretch, recovery, warning",
			         id);
		} else if (r->category != CATEGORY_TIP &&
		           r->category != CATEGORY__COUNT) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
			         "rule \"%s\": only tip rules have a topic",
			         id);
		}
	} else if (r->category == CATEGORY_TIP) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": a tip needs a topic (causes, form, "
		         "stretch, recovery or warning)",
		         id);
	}

	m = config_setting_get_member(g, "priority");
	if (m != NULL) {
		if (config_setting_type(m) != CONFIG_TYPE_INT) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
			         "rule \"%s\": priority must be a whole number",
			         id);
		} else {
			int p = config_setting_get_int(m);
			if (p < -1000 || p > 1000) {
				diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
				         "rule \"%s\": priority %d is outside "
				         "-1000..1000",
				         id, p);
			}
			r->priority = p;
		}
	}

	r->negatable = category_is_red_flag(r->category);
	m = config_setting_get_member(g, "negatable");
	if (m != NULL) {
		if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
			         "rule \"%s\": negatable must be true or false",
			         id);
		} else {
			r->negatable = config_setting_get_bool(m);
		}
	}

	m = config_setting_get_member(g, "reply");
	if (m == NULL) {
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": missing reply", id);
	} else if ((s = config_setting_get_string(m)) == NULL) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(m),
		         "rule \"%s\": reply must be a string", id);
	} else if (rules_text_ok(ld, file, rules_line(m), "reply", id, s,
	                         BT_REPLY_MAX)) {
		r->reply = strdup(s);
		r->reply_line = rules_line(m);
	} else {
	}

	static const struct {
		const char *key;
		size_t off;
		size_t max_items, max_len;
		bool normalise;
	} lists[] = {
		{ "patterns", offsetof(struct rule, patterns),
		  BT_RULE_PATTERNS_MAX, BT_PATTERN_MAX, false },
		{ "exclude", offsetof(struct rule, exclude),
		  BT_RULE_PATTERNS_MAX, BT_PATTERN_MAX, false },
		{ "keywords", offsetof(struct rule, keywords),
		  BT_RULE_KEYWORDS_MAX, 64, true },
		{ "examples", offsetof(struct rule, examples),
		  BT_RULE_EXAMPLES_MAX, BT_MESSAGE_MAX, false },
		{ "counter_examples", offsetof(struct rule, counter_examples),
		  BT_RULE_EXAMPLES_MAX, BT_MESSAGE_MAX, false },
		{ "when", offsetof(struct rule, when), BT_RULE_PATTERNS_MAX,
		  BT_PATTERN_MAX, false },
	};
	bool bad_match_list = false;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		m = config_setting_get_member(g, lists[i].key);
		if (m == NULL)
			continue;
		struct rule_list *l =
		    (struct rule_list *)((char *)r + lists[i].off);
		if (!rules_read_list(ld, file, m, id, lists[i].max_items,
		                     lists[i].max_len, lists[i].normalise, l) &&
		    (l == &r->patterns || l == &r->keywords || l == &r->when))
			bad_match_list = true;
	}
	/* A list that was wrong is reported already. */
	if (r->patterns.count == 0 && r->keywords.count == 0 &&
	    r->when.count == 0 && !bad_match_list)
		diag_add(ld->d, DIAG_ERROR, file, line,
		         "rule \"%s\": has no when, patterns or keywords, so "
		         "it can never match",
		         id);
	if (r->examples.count == 0)
		diag_add(ld->d, DIAG_WARNING, file, line,
		         "rule \"%s\": has no examples; add a few messages "
		         "it must answer so check can test it",
		         id);
}

static void
rules_parse_replies(struct rules_loader *ld, const char *file,
                    config_setting_t *g)
{
	if (!config_setting_is_group(g)) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(g),
		         "replies must be a group: replies = { fallback = "
		         "\"...\"; help = \"...\"; };");
		return;
	}
	if (ld->have_replies) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(g),
		         "replies are defined in %s already; keep one "
		         "replies group",
		         ld->rs->reply_files[REPLY_FALLBACK]
		             ? ld->rs->reply_files[REPLY_FALLBACK]
		             : "another file");
		return;
	}
	ld->have_replies = true;
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *k = config_setting_get_elem(g, i);
		const char *name = config_setting_name(k);
		int slot;
		for (slot = 0; slot < REPLY__COUNT; slot++)
			if (strcmp(rules_reply_keys[slot], name) == 0)
				break;
		if (slot == REPLY__COUNT) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(k),
			         "replies: unknown key \"%s\" (known: "
			         "fallback, help, stop, start, safety_net, "
			         "stop_emergency, stop_urgent)",
			         name);
			continue;
		}
		const char *s = config_setting_get_string(k);
		if (s == NULL) {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(k),
			         "replies: %s must be a string", name);
			continue;
		}
		if (!rules_text_ok(ld, file, rules_line(k), name, "replies", s,
		                   BT_REPLY_MAX))
			continue;
		ld->rs->replies[slot] = strdup(s);
		ld->rs->reply_files[slot] = strdup(file);
		ld->rs->reply_lines[slot] = rules_line(k);
	}
}

/* concepts = { name = [ "term", ... ]; ... }; */
static void
rules_parse_concepts(struct rules_loader *ld, const char *file,
                     config_setting_t *g)
{
	char err[256];

	if (!config_setting_is_group(g)) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(g),
		         "concepts must be a group: concepts = { name = [ "
		         "\"term\", \"term\" ]; };");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *c = config_setting_get_elem(g, i);
		const char *name = config_setting_name(c);
		int line = rules_line(c);
		long id = concept_define(ld->rs->concepts, name, file, line,
		                         err, sizeof(err));
		if (id < 0) {
			diag_add(ld->d, DIAG_ERROR, file, line, "%s", err);
			continue;
		}
		int n = config_setting_length(c);
		if (!(config_setting_is_array(c) ||
		      config_setting_is_list(c)) ||
		    n == 0) {
			diag_add(ld->d, DIAG_ERROR, file, line,
			         "concept \"%s\" must be a list of terms: %s = "
			         "[ \"term\", \"another term\" ];",
			         name, name);
			continue;
		}
		for (int j = 0; j < n; j++) {
			config_setting_t *t = config_setting_get_elem(c, j);
			const char *term = config_setting_get_string(t);
			int tl = rules_line(t) ? rules_line(t) : line;
			if (term == NULL) {
				diag_add(ld->d, DIAG_ERROR, file, tl,
				         "concept \"%s\": term %d is not a "
				         "string",
				         name, j + 1);
				continue;
			}
			if (!rules_text_ok(ld, file, tl, "a term", name, term,
			                   BT_PATTERN_MAX))
				continue;
			if (concept_add_term(ld->rs->concepts, (uint32_t)id,
			                     term, err, sizeof(err)) < 0)
				diag_add(ld->d, DIAG_ERROR, file, tl,
				         "concept \"%s\": %s", name, err);
		}
	}
}

#define RULES_JOIN_SCAN_MAX (8u << 20) /* bytes of a file scanned */

/* A comma left out in a list joins two strings into one (libconfig reads
 * "a" "b" as "ab"): each such place is an error, with its line.  The file
 * is read again from fp, up to RULES_JOIN_SCAN_MAX bytes. */
static void
rules_check_joins(struct rules_loader *ld, const char *file, FILE *fp)
{
	unsigned lines[8];
	size_t n, got, size;
	long end;
	char *text;

	/* as large as the file (a rule file is a few kB), not the cap */
	if (fseek(fp, 0, SEEK_END) != 0 || (end = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		return;
	size = (size_t)end < RULES_JOIN_SCAN_MAX ? (size_t)end
	                                         : RULES_JOIN_SCAN_MAX;
	text = malloc(size);
	if (text == NULL)
		return;
	got = fread(text, 1, size, fp);
	n = strjoin_find(text, got, lines, sizeof(lines) / sizeof(lines[0]));
	for (size_t i = 0; i < n && i < sizeof(lines) / sizeof(lines[0]); i++)
		diag_add(ld->d, DIAG_ERROR, file, (int)lines[i],
		         "two strings with no comma between them: libconfig "
		         "joins them into one (\"a\" \"b\" reads as \"ab\"); "
		         "put a comma between them");
	if (n > sizeof(lines) / sizeof(lines[0]))
		diag_add(ld->d, DIAG_ERROR, file, 0,
		         "%zu more places where two strings have no comma "
		         "between them",
		         n - sizeof(lines) / sizeof(lines[0]));
	free(text);
}

/* model = "redflag.model";: the red-flag model (model.h), its file named
 * relative to the rule file's directory.  One per rule set. */
static void
rules_parse_model(struct rules_loader *ld, const char *file,
                  config_setting_t *s)
{
	const char *name = config_setting_get_string(s);
	char err[512];

	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
		         "model must be a file name in the rule file's "
		         "directory: model = \"redflag.model\";");
		return;
	}
	if (ld->rs->model_file != NULL) {
		diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
		         "a second model: %s:%d already gives one",
		         ld->rs->model_file, ld->rs->model_line);
		return;
	}
	ld->rs->model_file = strdup(file);
	ld->rs->model_line = rules_line(s);
	ld->rs->model = model_load_kind(file, name, false, err, sizeof(err));
	if (ld->rs->model == NULL)
		diag_add(ld->d, DIAG_ERROR, file, rules_line(s), "model: %s",
		         err);
}

static void
rules_parse_file(struct rules_loader *ld, const char *file)
{
	config_t cfg;
	config_setting_t *root;
	char dir[PATH_MAX], why[256];
	const char *slash = strrchr(file, '/');
	bool read_ok;
	FILE *fp;

	config_init(&cfg);
	if (slash != NULL && (size_t)(slash - file) < sizeof(dir)) {
		memcpy(dir, file, (size_t)(slash - file));
		dir[slash - file] = '\0';
		config_set_include_dir(&cfg, dir);
	}
	/* Opened here: a FIFO named *.conf must not hang a load. */
	fp = regfile_fopen(file, why, sizeof(why));
	if (fp == NULL) {
		diag_add(ld->d, DIAG_ERROR, file, 0, "cannot read: %s", why);
		config_destroy(&cfg);
		return;
	}
	read_ok = config_read(&cfg, fp) == CONFIG_TRUE;
	if (read_ok)
		rules_check_joins(ld, file, fp);
	fclose(fp);
	if (!read_ok) {
		const char *ef = config_error_file(&cfg);
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			diag_add(ld->d, DIAG_ERROR, ef ? ef : file, 0,
			         "cannot read: %s", config_error_text(&cfg));
		else
			diag_add(ld->d, DIAG_ERROR, ef ? ef : file,
			         config_error_line(&cfg), "%s",
			         config_error_text(&cfg));
		config_destroy(&cfg);
		return;
	}
	ld->rs->nfiles++;
	root = config_root_setting(&cfg);
	for (int i = 0; i < config_setting_length(root); i++) {
		config_setting_t *s = config_setting_get_elem(root, i);
		const char *name = config_setting_name(s);
		if (strcmp(name, "rules") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_LIST) {
				diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
				         "rules must be a list in parentheses: "
				         "rules = ( { ... }, { ... } );");
				continue;
			}
			for (int j = 0; j < config_setting_length(s); j++)
				rules_parse_rule(
				    ld, file, config_setting_get_elem(s, j), j);
		} else if (strcmp(name, "replies") == 0) {
			rules_parse_replies(ld, file, s);
		} else if (strcmp(name, "concepts") == 0) {
			rules_parse_concepts(ld, file, s);
		} else if (strcmp(name, "conversations") == 0) {
			convo_parse_setting(ld->rs, file, s, ld->d);
		} else if (strcmp(name, "model") == 0) {
			rules_parse_model(ld, file, s);
		} else if (strcmp(name, "category_model") == 0) {
			category_model_parse_file(ld->rs, file, s, ld->d);
		} else if (strcmp(name, "category_rules") == 0) {
			category_model_parse_rules(ld->rs, file, s, ld->d);
		} else {
			diag_add(ld->d, DIAG_ERROR, file, rules_line(s),
			         "unknown setting \"%s\" (a rule file holds "
			         "rules = ( ... ); and optionally concepts = "
			         "{ ... };, conversations = ( ... );, "
			         "replies = { ... };, model = \"FILE\";, "
			         "category_model = \"FILE\"; and "
			         "category_rules = { ... };)",
			         name);
		}
	}
	config_destroy(&cfg);
}

static int
rules_conf_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 5 &&
	       strcmp(e->d_name + n - 5, ".conf") == 0;
}

static int
rules_name_sort(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Collects the files to read: path itself, or its *.conf in name order. */
static void
rules_parse_path(struct rules_loader *ld, const char *path)
{
	struct stat st;
	struct dirent **names;
	int n;

	if (stat(path, &st) != 0) {
		diag_add(ld->d, DIAG_ERROR, path, 0, "cannot open: %s",
		         strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		rules_parse_file(ld, path);
		return;
	}
	n = scandir(path, &names, rules_conf_filter, rules_name_sort);
	if (n < 0) {
		diag_add(ld->d, DIAG_ERROR, path, 0, "cannot list: %s",
		         strerror(errno));
		return;
	}
	if (n == 0)
		diag_add(ld->d, DIAG_ERROR, path, 0,
		         "no *.conf rule files in this directory");
	for (int i = 0; i < n; i++) {
		char file[PATH_MAX];
		size_t pl = strlen(path);
		const char *sep = pl > 0 && path[pl - 1] == '/' ? "" : "/";
		if (i < BT_RULE_FILES_MAX &&
		    (size_t)snprintf(file, sizeof(file), "%s%s%s", path, sep,
		                     names[i]->d_name) < sizeof(file))
			rules_parse_file(ld, file);
		free(names[i]);
	}
	if (n > BT_RULE_FILES_MAX)
		diag_add(ld->d, DIAG_ERROR, path, 0,
		         "%d rule files; only the first %d are read", n,
		         BT_RULE_FILES_MAX);
	free(names);
}

int
rules_compare(const struct rule *a, const struct rule *b)
{
	if (a->category != b->category)
		return a->category < b->category ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return 0;
}

static int
rules_qsort_cmp(const void *a, const void *b)
{
	return rules_compare(a, b);
}

static int
rules_keyword_cmp(const void *a, const void *b)
{
	const struct keyword_entry *x = a, *y = b;
	return strcmp(x->keyword, y->keyword);
}

/* Duplicate ids, looked for in load order so that the error is reported at
 * the later definition and names the earlier one. */
static void
rules_check_ids(struct rules_loader *ld)
{
	struct ruleset *rs = ld->rs;

	for (size_t i = 0; i < rs->nrules; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(rs->rules[i].id, rs->rules[j].id) == 0) {
				diag_add(ld->d, DIAG_ERROR, rs->rules[i].file,
				         rs->rules[i].line,
				         "duplicate rule id \"%s\" (first "
				         "defined at %s:%d)",
				         rs->rules[i].id, rs->rules[j].file,
				         rs->rules[j].line);
				break;
			}
}

/* Duplicate keywords, and keywords that shadow compliance words. */
static void
rules_check_keywords(struct rules_loader *ld)
{
	struct ruleset *rs = ld->rs;

	for (size_t i = 0; i < rs->nkeywords; i++) {
		const struct keyword_entry *k = &rs->keywords[i];
		const struct rule *r = &rs->rules[k->rule];
		enum category c;
		int line = 0;
		for (size_t j = 0; j < r->keywords.count; j++)
			if (r->keywords.items[j].text == k->keyword)
				line = r->keywords.items[j].line;
		if (compliance_keyword(k->keyword, &c))
			diag_add(ld->d, DIAG_ERROR, r->file, line,
			         "rule \"%s\": keyword \"%s\" is the built-in "
			         "%s keyword and cannot be used by a rule",
			         r->id, k->keyword, category_name(c));
		if (i > 0 &&
		    strcmp(rs->keywords[i - 1].keyword, k->keyword) == 0)
			diag_add(ld->d, DIAG_ERROR, r->file, line,
			         "rule \"%s\": keyword \"%s\" is also a "
			         "keyword of rule \"%s\"",
			         r->id, k->keyword,
			         rs->rules[rs->keywords[i - 1].rule].id);
	}
}

static bool
rules_add_pattern(struct rules_loader *ld, size_t *cap, pcre2_code *re,
                  bool jit, enum pattern_kind kind, uint32_t rule,
                  const char *src)
{
	struct ruleset *rs = ld->rs;

	if (rs->npatterns == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct pattern *n = realloc(rs->patterns, ncap * sizeof(*n));
		if (n == NULL)
			return false;
		rs->patterns = n;
		*cap = ncap;
	}
	rs->patterns[rs->npatterns++] = (struct pattern){
		.re = re, .kind = kind, .rule = rule, .src = src, .jit = jit
	};
	return true;
}

static void
rules_compile_list(struct rules_loader *ld, size_t *cap, uint32_t ri,
                   struct rule_list *l, enum pattern_kind kind)
{
	struct rule *r = &ld->rs->rules[ri];

	for (size_t i = 0; i < l->count; i++) {
		char err[256];
		size_t off = 0;
		bool jit = false;
		pcre2_code *re = pattern_compile(l->items[i].text, &jit, err,
		                                 sizeof(err), &off);
		if (re == NULL) {
			diag_add(ld->d, DIAG_ERROR, r->file, l->items[i].line,
			         "rule \"%s\": pattern \"%s\" does not "
			         "compile at offset %zu: %s",
			         r->id, l->items[i].text, off, err);
			continue;
		}
		if (!jit)
			ld->rs->jit = false;
		rules_add_pattern(ld, cap, re, jit, kind, ri, l->items[i].text);
	}
}

static void
rules_compile(struct rules_loader *ld)
{
	struct ruleset *rs = ld->rs;
	size_t cap = 0, i;

	rs->jit = true;
	for (i = 0; i < compliance_stop_pattern_count; i++) {
		char err[256];
		size_t off;
		bool jit = false;
		pcre2_code *re = pattern_compile(compliance_stop_patterns[i],
		                                 &jit, err, sizeof(err), &off);
		if (re == NULL) {
			diag_add(ld->d, DIAG_ERROR, NULL, 0,
			         "built-in pattern %zu: %s", i, err);
			continue;
		}
		rules_add_pattern(ld, &cap, re, jit, PATTERN_COMPLIANCE,
		                  CATEGORY_STOP, compliance_stop_patterns[i]);
	}
	for (i = 0; i < compliance_request_count; i++) {
		char err[256];
		size_t off;
		bool jit = false;
		const struct compliance_request *q = &compliance_requests[i];
		pcre2_code *re =
		    pattern_compile(q->pattern, &jit, err, sizeof(err), &off);
		if (re == NULL) {
			diag_add(ld->d, DIAG_ERROR, NULL, 0,
			         "built-in request pattern %zu: %s", i, err);
			continue;
		}
		rules_add_pattern(ld, &cap, re, jit, PATTERN_COMPLIANCE,
		                  q->category, q->pattern);
	}
	for (i = 0; i < rs->nrules; i++) {
		rs->rules[i].first_pattern = (uint32_t)rs->npatterns;
		rules_compile_list(ld, &cap, (uint32_t)i,
		                   &rs->rules[i].patterns, PATTERN_MATCH);
	}
	rs->nmatch_end = rs->npatterns;
	for (i = 0; i < rs->nrules; i++) {
		rs->rules[i].first_exclude = (uint32_t)rs->npatterns;
		rules_compile_list(ld, &cap, (uint32_t)i, &rs->rules[i].exclude,
		                   PATTERN_EXCLUDE);
	}
}

static bool
rules_build_keywords(struct ruleset *rs)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->nrules; i++)
		n += rs->rules[i].keywords.count;
	rs->keywords = calloc(n ? n : 1, sizeof(*rs->keywords));
	if (rs->keywords == NULL)
		return false;
	for (size_t i = 0; i < rs->nrules; i++)
		for (size_t j = 0; j < rs->rules[i].keywords.count; j++) {
			const char *k = rs->rules[i].keywords.items[j].text;
			rs->keywords[rs->nkeywords++] =
			    (struct keyword_entry){ .keyword = k,
				                    .rule = (uint32_t)i };
			if (strlen(k) > rs->keyword_max)
				rs->keyword_max = strlen(k);
		}
	if (rs->nkeywords > 1)
		qsort(rs->keywords, rs->nkeywords, sizeof(*rs->keywords),
		      rules_keyword_cmp);
	return true;
}

static bool
rules_build_prefilter(struct ruleset *rs)
{
	const char **ex =
	    calloc(rs->npatterns ? rs->npatterns : 1, sizeof(*ex));

	if (ex == NULL)
		return false;
	for (size_t i = 0; i < rs->npatterns; i++)
		ex[i] = rs->patterns[i].src;
	rs->prefilter = prefilter_new(ex, rs->nmatch_end);
	rs->prefilter_ex =
	    prefilter_new(ex + rs->nmatch_end, rs->npatterns - rs->nmatch_end);
	free(ex);
	return rs->prefilter != NULL && rs->prefilter_ex != NULL;
}

/* Every reply, for telling our own replies from texts when they come
 * back. */
static bool
rules_build_echo(struct ruleset *rs)
{
	rs->echo = echo_new();
	if (rs->echo == NULL)
		return false;
	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].reply != NULL &&
		    echo_add(rs->echo, rs->rules[i].reply) < 0)
			return false;
	for (int i = 0; i < REPLY__COUNT; i++)
		if (rs->replies[i] != NULL &&
		    echo_add(rs->echo, rs->replies[i]) < 0)
			return false;
	return true;
}

/* Indexes the concepts and parses every rule's combinations; unknown
 * concepts are errors at the line that names them, unused ones warnings at
 * their definition. */
static bool
rules_build_concepts(struct rules_loader *ld)
{
	struct ruleset *rs = ld->rs;
	struct concept_set *cs = rs->concepts;
	char err[256];
	size_t n = 0;

	if (concept_finish(cs, err, sizeof(err)) < 0) {
		/* reported here; the caller then fails on the error count */
		diag_add(ld->d, DIAG_ERROR, NULL, 0, "%s", err);
		return true;
	}
	concept_set_model(cs, rs->model);
	for (size_t i = 0; i < rs->nrules; i++)
		n += rs->rules[i].when.count;
	rs->combos = calloc(n ? n : 1, sizeof(*rs->combos));
	rs->combo_rule = calloc(n ? n : 1, sizeof(*rs->combo_rule));
	if (rs->combos == NULL || rs->combo_rule == NULL)
		return false;
	for (size_t i = 0; i < rs->nrules; i++) {
		struct rule *r = &rs->rules[i];
		r->first_combo = (uint32_t)rs->ncombos;
		if (r->when.count > 0)
			rs->ncombo_rules++;
		for (size_t j = 0; j < r->when.count; j++) {
			if (concept_combo_parse(cs, r->when.items[j].text,
			                        &rs->combos[rs->ncombos], err,
			                        sizeof(err)) < 0) {
				diag_add(ld->d, DIAG_ERROR, r->file,
				         r->when.items[j].line,
				         "rule \"%s\": when: %s", r->id, err);
				/* keep the index in step: a combination that
				 * never holds */
				memset(&rs->combos[rs->ncombos], 0,
				       sizeof(rs->combos[0]));
			}
			rs->combo_rule[rs->ncombos++] = (uint32_t)i;
		}
	}
	if (concept_index_combos(cs, rs->combos, rs->ncombos) < 0)
		return false;
	for (uint32_t c = 0; c < concept_count(cs); c++) {
		const char *file;
		int line;
		if (concept_is_builtin(cs, c) || concept_is_used(cs, c))
			continue;
		concept_where(cs, c, &file, &line);
		diag_add(ld->d, DIAG_WARNING, file, line,
		         "concept \"%s\" is not used by any rule",
		         concept_name(cs, c));
	}
	if (rs->model != NULL && !concept_is_used(cs, CONCEPT_MODEL))
		diag_add(ld->d, DIAG_WARNING, rs->model_file, rs->model_line,
		         "a model is loaded but no rule uses @model");
	if (rs->model_file == NULL && concept_is_used(cs, CONCEPT_MODEL))
		diag_add(ld->d, DIAG_WARNING, NULL, 0,
		         "a rule uses @model but no file sets model = "
		         "\"...\";: @model never matches");
	return true;
}

int
rules_load(const char *path, struct ruleset **ret, struct diag *d)
{
	struct rules_loader ld = { 0 };
	size_t errors = d->errors;

	ld.rs = calloc(1, sizeof(*ld.rs));
	ld.d = d;
	if (ld.rs == NULL)
		return -1;
	ld.rs->concepts = concept_set_new();
	if (ld.rs->concepts == NULL) {
		free(ld.rs);
		return -1;
	}

	rules_parse_path(&ld, path);
	rules_check_ids(&ld);
	if (ld.rs->nrules > 1)
		qsort(ld.rs->rules, ld.rs->nrules, sizeof(*ld.rs->rules),
		      rules_qsort_cmp);
	if (!rules_build_keywords(ld.rs))
		goto fail;
	rules_check_keywords(&ld);
	if (ld.rs->nfiles > 0 && ld.rs->replies[REPLY_FALLBACK] == NULL)
		diag_add(d, DIAG_ERROR, path, 0,
		         "no fallback reply: add replies = { fallback = "
		         "\"...\"; }; to one rule file");
	convo_parse_finish(ld.rs, d);
	category_model_finish(ld.rs, d);
	rules_compile(&ld);
	if (!rules_build_concepts(&ld)) {
		diag_add(d, DIAG_ERROR, path, 0, "out of memory");
		goto fail;
	}
	if (d->errors != errors)
		goto fail;
	if (!rules_build_prefilter(ld.rs)) {
		diag_add(d, DIAG_ERROR, path, 0,
		         "cannot build the vectorscan database");
		goto fail;
	}
	if (!rules_build_echo(ld.rs)) {
		diag_add(d, DIAG_ERROR, path, 0, "out of memory");
		goto fail;
	}
	*ret = ld.rs;
	return 0;
fail:
	rules_free(ld.rs);
	return -1;
}

long
rules_find_keyword(const struct ruleset *rs, const char *norm)
{
	struct keyword_entry key = { .keyword = norm };
	const struct keyword_entry *k =
	    bsearch(&key, rs->keywords, rs->nkeywords, sizeof(*rs->keywords),
	            rules_keyword_cmp);

	return k ? (long)k->rule : -1;
}

const char *
rules_builtin_reply(const struct ruleset *rs, enum category c)
{
	switch (c) {
	case CATEGORY_FALLBACK:
		return rs->replies[REPLY_FALLBACK];
	case CATEGORY_HELP:
		return rs->replies[REPLY_HELP];
	case CATEGORY_STOP:
		return rs->replies[REPLY_STOP];
	case CATEGORY_START:
		return rs->replies[REPLY_START];
	default:
		return NULL;
	}
}

const char *
rules_stop_reply(const struct ruleset *rs, enum category c)
{
	switch (c) {
	case CATEGORY_EMERGENCY:
		return rs->replies[REPLY_STOP_EMERGENCY];
	case CATEGORY_URGENT:
		return rs->replies[REPLY_STOP_URGENT];
	default:
		return NULL;
	}
}
