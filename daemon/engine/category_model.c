/* The category model in the rule files (category_model.h). */
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "category_model.h"
#include "model.h"

struct category_model_map {
	char *cls;
	char *rule_id;
	int line;
};

struct category_model {
	struct model *model; /* NULL when it did not load */
	char *file;          /* where category_model is set, or NULL */
	int line;
	char *rules_file; /* where category_rules is set, or NULL */
	int rules_line;
	struct category_model_map map[MODEL_CLASSES_MAX];
	size_t nmap;
	long rule[MODEL_CLASSES_MAX]; /* each class's rule, or -1 */
};

static int
category_model_line(const config_setting_t *s)
{
	return s ? (int)config_setting_source_line(s) : 0;
}

/* rs->catmodel, made on first use; NULL when out of memory (reported). */
static struct category_model *
category_model_get(struct ruleset *rs, const char *file,
                   const config_setting_t *s, struct diag *d)
{
	if (rs->catmodel == NULL) {
		rs->catmodel = calloc(1, sizeof(*rs->catmodel));
		if (rs->catmodel == NULL)
			diag_add(d, DIAG_ERROR, file, category_model_line(s),
			         "out of memory");
	}
	return rs->catmodel;
}

void
category_model_parse_file(struct ruleset *rs, const char *file,
                          const config_setting_t *s, struct diag *d)
{
	const char *name = config_setting_get_string(s);
	int line = category_model_line(s);
	char err[512];

	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL) {
		diag_add(d, DIAG_ERROR, file, line,
		         "category_model must be a file name in the rule "
		         "file's directory: category_model = "
		         "\"categories.model\";");
		return;
	}
	struct category_model *cm = category_model_get(rs, file, s, d);
	if (cm == NULL)
		return;
	if (cm->file != NULL) {
		diag_add(d, DIAG_ERROR, file, line,
		         "a second category_model: %s:%d already gives one",
		         cm->file, cm->line);
		return;
	}
	cm->file = strdup(file);
	cm->line = line;
	cm->model = model_load_kind(file, name, true, err, sizeof(err));
	if (cm->model == NULL)
		diag_add(d, DIAG_ERROR, file, line, "category_model: %s", err);
}

void
category_model_parse_rules(struct ruleset *rs, const char *file,
                           const config_setting_t *s, struct diag *d)
{
	int line = category_model_line(s);

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		diag_add(d, DIAG_ERROR, file, line,
		         "category_rules must be a group: category_rules = "
		         "{ tip = \"tip-recovery\"; referral = "
		         "\"see-a-doctor\"; };");
		return;
	}
	struct category_model *cm = category_model_get(rs, file, s, d);
	if (cm == NULL)
		return;
	if (cm->rules_file != NULL) {
		diag_add(d, DIAG_ERROR, file, line,
		         "a second category_rules: %s:%d already gives them",
		         cm->rules_file, cm->rules_line);
		return;
	}
	cm->rules_file = strdup(file);
	cm->rules_line = line;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *id = config_setting_get_string(e);
		if (id == NULL) {
			diag_add(d, DIAG_ERROR, file, category_model_line(e),
			         "category_rules: %s must name a rule: %s = "
			         "\"RULE-ID\";",
			         config_setting_name(e),
			         config_setting_name(e));
			continue;
		}
		if (cm->nmap == MODEL_CLASSES_MAX) {
			diag_add(d, DIAG_ERROR, file, category_model_line(e),
			         "category_rules: more than %u classes",
			         MODEL_CLASSES_MAX);
			return;
		}
		struct category_model_map *m = &cm->map[cm->nmap++];
		m->cls = strdup(config_setting_name(e));
		m->rule_id = strdup(id);
		m->line = category_model_line(e);
	}
}

/* The index of the rule id in rs->rules, or -1. */
static long
category_model_find_rule(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return (long)i;
	return -1;
}

/* Checks one category_rules line against the model and the rules; sets the
 * rule of its class. */
static void
category_model_resolve(struct ruleset *rs, const struct category_model_map *m,
                       struct diag *d)
{
	struct category_model *cm = rs->catmodel;
	uint32_t k = cm->model != NULL ? model_classes(cm->model) : 0, j = 0;
	enum category c;

	while (j < k && strcmp(model_class_name(cm->model, j), m->cls) != 0)
		j++;
	if ((cm->model != NULL && j == k) || strcmp(m->cls, "fallback") == 0) {
		diag_add(d, DIAG_ERROR, cm->rules_file, m->line,
		         "category_rules: \"%s\" is not a class of the "
		         "category model that a rule answers (see its "
		         "classes line)",
		         m->cls);
		return;
	}
	long r = category_model_find_rule(rs, m->rule_id);
	if (r < 0) {
		diag_add(d, DIAG_ERROR, cm->rules_file, m->line,
		         "category_rules: %s = \"%s\": no rule has that id",
		         m->cls, m->rule_id);
		return;
	}
	if (!category_parse(m->cls, &c) || rs->rules[r].category != c) {
		diag_add(d, DIAG_ERROR, cm->rules_file, m->line,
		         "category_rules: %s = \"%s\": that rule's category "
		         "is %s, not %s",
		         m->cls, m->rule_id,
		         category_name(rs->rules[r].category), m->cls);
		return;
	}
	if (cm->model != NULL)
		cm->rule[j] = r;
}

void
category_model_finish(struct ruleset *rs, struct diag *d)
{
	struct category_model *cm = rs->catmodel;
	enum category c;

	if (cm == NULL)
		return;
	for (size_t j = 0; j < MODEL_CLASSES_MAX; j++)
		cm->rule[j] = -1;
	if (cm->file == NULL) {
		diag_add(d, DIAG_ERROR, cm->rules_file, cm->rules_line,
		         "category_rules without a category_model = "
		         "\"FILE\";");
		return;
	}
	if (cm->rules_file == NULL) {
		diag_add(d, DIAG_ERROR, cm->file, cm->line,
		         "a category_model needs category_rules = { CLASS = "
		         "\"RULE-ID\"; ... }; for every class but fallback");
		return;
	}
	for (size_t i = 0; i < cm->nmap; i++)
		category_model_resolve(rs, &cm->map[i], d);
	if (cm->model == NULL)
		return; /* reported */
	uint32_t k = model_classes(cm->model);
	for (uint32_t j = 0; j < k; j++) {
		const char *name = model_class_name(cm->model, j);
		if (!category_parse(name, &c) ||
		    (c != CATEGORY_TIP && c != CATEGORY_REFERRAL &&
		     c != CATEGORY_INFO && c != CATEGORY_FALLBACK))
			diag_add(d, DIAG_ERROR, cm->file, cm->line,
			         "category_model: class \"%s\" is not tip, "
			         "referral, info or fallback: the model only "
			         "answers in the fallback's place",
			         name);
	}
	for (uint32_t j = 0; j < k; j++) {
		const char *name = model_class_name(cm->model, j);
		if (cm->rule[j] < 0 && strcmp(name, "fallback") != 0)
			diag_add(d, DIAG_ERROR, cm->rules_file, cm->rules_line,
			         "category_rules: no rule for the class "
			         "\"%s\": add %s = \"RULE-ID\";",
			         name, name);
	}
}

void
category_model_free(struct category_model *cm)
{
	if (cm == NULL)
		return;
	model_free(cm->model);
	free(cm->file);
	free(cm->rules_file);
	for (size_t i = 0; i < cm->nmap; i++) {
		free(cm->map[i].cls);
		free(cm->map[i].rule_id);
	}
	free(cm);
}

bool
category_model_decide(const struct category_model *cm, const char *text,
                      const struct token *toks, size_t ntok,
                      struct category_model_verdict *ret)
{
	double p[MODEL_CLASSES_MAX];
	uint32_t best = 0;

	if (cm == NULL || cm->model == NULL)
		return false;
	uint32_t k = model_probs(cm->model, text, toks, ntok, p);
	for (uint32_t j = 1; j < k; j++)
		if (p[j] > p[best])
			best = j;
	ret->cls = model_class_name(cm->model, best);
	ret->prob = p[best];
	ret->threshold = model_threshold(cm->model);
	ret->rule = p[best] >= ret->threshold ? cm->rule[best] : -1;
	return true;
}
