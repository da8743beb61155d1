/* gen_rules: writes a directory of generated rules in the libconfig rule
 * format, for measuring how classification cost grows with the number of
 * rules.  The patterns have the shapes real rules have: word alternations
 * ("\b(?:numb|tingl)\w*"), phrases with optional words, bounded gaps
 * between two words, a few character classes (weights, set x rep schemes,
 * spinal levels) and some exclusions.  Their vocabulary overlaps the
 * messages gen_messages writes, so a realistic share of messages is
 * decided by some generated rule and the rest fall through to the
 * fallback.
 *
 * With -c PERCENT, that share of the rules is written in the concept
 * language instead: 05-gen-concepts.conf defines six concepts a group, each
 * a list of the group's words as terms (a few as prefixes), and such a rule
 * has one or two "when" combinations of one to three concepts, sometimes
 * with "within N".
 *
 * The output depends only on the seed, the count and the percent.  Rules
 * carry no examples, so backtalk check warns about each one; it reports no
 * errors.
 *
 * usage: gen_rules [-n COUNT] [-s SEED] [-p PER_FILE] [-c PERCENT] -o DIR */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COUNT(a)   (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[rng_below((r), (unsigned)COUNT(a))])
#define PAT_MAX    512
#define MAX_PATS   4

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static bool
rng_percent(struct rng *r, unsigned p)
{
	return rng_below(r, 100) < p;
}

/* A vocabulary group: the category and topic its rules get, and the stems
 * their patterns are built from.  Stems are lowercase letters and spaces
 * only, so they need no escaping in a regex. */
struct group {
	const char *name;
	const char *category;
	const char *topic; /* NULL unless category is tip */
	unsigned weight;   /* share of the rules, in per mille */
	const char *const *stems;
	size_t nstems;
	const char *const *keywords;
	size_t nkeywords;
	const char *reply;
};

static const char *const s_emergency[] = {
	"bladder",   "bowel",     "incontinen",  "peed myself",  "wet myself",
	"cant pee",  "saddle",    "groin",       "cauda equina", "both legs",
	"fever",     "chills",    "chest pain",  "lost weight",  "cancer",
	"car crash", "fell off",  "fell down",   "trauma",       "paralys",
	"cant walk", "cant move", "inner thigh", "crotch",
};
static const char *const s_urgent[] = {
	"numb",       "tingl",   "pins and needles", "shooting",   "radiat",
	"sciatic",    "weak",    "foot drop",        "giving out", "wakes me",
	"night pain", "burning", "electric",         "calf",       "toes",
	"shin",       "nerve",   "pinched",          "zing",       "dead leg",
	"cant feel",  "pins",    "needles",          "spreading",
};
static const char *const s_referral[] = {
	"doctor",      "doc",       "physio",     "physiotherap",
	"chiro",       "gp",        "mri",        "xray",
	"x ray",       "scan",      "specialist", "sports doc",
	"urgent care", "er",        "hospital",   "osteo",
	"massage",     "injection", "surgeon",    "orthop",
	"appointment", "referral",  "serious",    "who should i see",
};
static const char *const s_causes[] = {
	"why",      "cause",     "disc",      "bulg",           "herniat",
	"muscle",   "strain",    "sprain",    "fatigue",        "overtrain",
	"mattress", "desk",      "posture",   "sitting",        "weak core",
	"ego",      "too heavy", "imbalance", "spasm",          "tweak",
	"pulled",   "popped",    "twinge",    "keep happening", "wrong",
};
static const char *const s_form[] = {
	"form",     "brace",     "bracing", "belt",       "neutral",
	"rounding", "round",     "arch",    "hips shoot", "butt wink",
	"stance",   "grip",      "hinge",   "technique",  "film",
	"cue",      "lats",      "setup",   "valsalva",   "bar path",
	"depth",    "flat back", "spine",   "lockout",    "tempo",
};
static const char *const s_stretch[] = {
	"stretch",     "mobility",   "yoga",         "foam roll", "cat cow",
	"childs pose", "hip flexor", "hamstring",    "pigeon",    "mckenzie",
	"press up",    "cobra",      "glute bridge", "dead bug",  "bird dog",
	"plank",       "flexib",     "loosen",       "pose",      "hold a",
};
static const char *const s_recovery[] = {
	"rest",          "recover",   "heal",        "ice",
	"heat",          "ibuprofen", "advil",       "sleep",
	"walk",          "deload",    "time off",    "back to lifting",
	"train through", "days off",  "tylenol",     "nap",
	"epsom",         "hot bath",  "massage gun", "light weight",
	"get better",    "how long",  "tomorrow",    "upper body",
};
static const char *const s_info[] = {
	"program",  "protein", "creatine", "warm up",     "warmup",
	"gym",      "coach",   "sets",     "reps",        "pr",
	"schedule", "shoes",   "straps",   "who is this", "bot",
	"price",    "plan",    "macros",   "diet",        "cardio",
	"sign up",  "app",     "fasted",   "per week",    "every day",
};

static const char *const k_emergency[] = { "EMERGENCY" };
static const char *const k_urgent[] = { "NUMB", "SCIATICA" };
static const char *const k_referral[] = { "DOCTOR", "PHYSIO", "MRI" };
static const char *const k_causes[] = { "WHY", "CAUSE", "DISC" };
static const char *const k_form[] = { "FORM", "BRACE", "BELT" };
static const char *const k_stretch[] = { "STRETCH", "YOGA", "MOBILITY" };
static const char *const k_recovery[] = { "RECOVER", "REST", "ICE" };
static const char *const k_info[] = { "PROGRAM", "PROTEIN", "GYM" };

#define GROUP(n, c, t, w, s, k, reply)                      \
	{                                                   \
		n, c, t, w, s, COUNT(s), k, COUNT(k), reply \
	}

static const struct group groups[] = {
	GROUP("emergency", "emergency", NULL, 50, s_emergency, k_emergency,
	      "Call 911 or go to an emergency room now."),
	GROUP("urgent", "urgent", NULL, 100, s_urgent, k_urgent,
	      "See a doctor today: what you describe needs a check."),
	GROUP("referral", "referral", NULL, 150, s_referral, k_referral,
	      "A doctor or physio can examine you; book one if pain lasts "
	      "over 2 weeks."),
	GROUP("causes", "tip", "causes", 130, s_causes, k_causes,
	      "Most lifting back pain is a strained muscle, not damage."),
	GROUP("form", "tip", "form", 130, s_form, k_form,
	      "Brace before each rep and keep a neutral spine."),
	GROUP("stretch", "tip", "stretch", 120, s_stretch, k_stretch,
	      "Gentle hip flexor and hamstring stretches, 30s each."),
	GROUP("recovery", "tip", "recovery", 120, s_recovery, k_recovery,
	      "Keep moving gently; most strains settle in 1 to 2 weeks."),
	GROUP("info", "info", NULL, 200, s_info, k_info,
	      "We send back pain tips for lifters."),
};

static const char *const lifts[] = {
	"deadlift",     "deads",      "squat", "rdl",       "romanian",
	"good morning", "row",        "bench", "press",     "clean",
	"snatch",       "hip thrust", "swing", "leg press", "extension",
	"carr",         "trap bar",   "sumo",
};
static const char *const body[] = {
	"back",      "spine",   "lumbar", "hip",      "glute",    "butt", "leg",
	"hamstring", "erector", "ql",     "si joint", "tailbone", "side",
};
static const char *const painw[] = {
	"hurt", "sore",  "ach",   "pain",   "tight", "stiff",
	"kill", "throb", "spasm", "tender", "wreck", "fried",
};
static const char *const limbs[] = {
	"leg", "foot", "calf", "thigh", "toe", "butt", "groin", "knee", "shin",
};

/* The shapes a pattern takes; %A is an alternation of 1-3 stems from the
 * rule's group, %L of lifts, %B of body parts, %P of pain words, %M of
 * limbs.  The rest is copied as it is. */
static const char *const shapes[] = {
	"\\b(?:%A)\\w*",
	"\\b(?:%A)\\w*",
	"\\b(?:%A)\\w*",
	"\\b(?:%A)\\b",
	"\\b(?:%A)\\b",
	"\\b(?:my |the )?(?:lower |low )?(?:%B)s? (?:is |feels |are )?(?:%A)",
	"\\b(?:%A)\\w*(?: (?:in|down|into|around|on))? (?:my |the )?"
	"(?:left |right )?(?:%M)s?\\b",
	"\\b(?:should|do|can|could|would) i (?:\\w+ ){0,2}(?:%A)",
	"\\b(?:how|what|why|when|is|does)\\b[^.?!]{0,30}\\b(?:%A)",
	"\\b(?:%L)\\w*\\b.{0,20}\\b(?:%A)",
	"\\b(?:%A)\\w*\\s+(?:after|from|during|on|since)\\s+(?:my\\s+)?(?:%L)",
	"\\b(?:%P)\\w*\\s+(?:\\w+\\s+){0,3}(?:%A)",
	"\\b(?:%A)(?:ing|ed|es|s)?\\b",
	"\\b(?:%A)\\b.{0,40}\\b(?:%B)\\b",
	"^(?:%A)\\w*$",
	"\\b(?:%A)\\w*\\W+(?:\\w+\\W+){0,2}?(?:%P)",
};

/* Character classes: weights, set schemes, spinal levels, durations. */
static const char *const classy[] = {
	"\\b[0-9]{2,3} ?(?:kg|kilos?|lbs?|pounds)\\b.{0,30}\\b(?:%A)",
	"\\b[0-9]+ ?x ?[0-9]+\\b.{0,30}\\b(?:%A)",
	"\\b(?:l[1-5]|s1)(?:[- /]?(?:l[1-5]|s1))?\\b",
	"\\b[0-9]+ (?:days?|weeks?|months?) (?:ago|off|of rest|now)\\b",
	"\\b(?:left|right)[- ]?(?:side|leg|hip|glute)s?\\b.{0,30}(?:%A)",
	"\\bs[i1][- ]?joint\\b",
	"\\b(?:%A)[a-z]{0,4}\\b[^0-9]{0,20}[0-9]+",
	"\\b[0-9]+(?:st|nd|rd|th)? (?:time|day|week)\\b.{0,30}(?:%A)",
};

static const char *const exclusions[] = {
	"\\b(?:no|not|never|without) (?:any )?(?:%A)",
	"\\b(?:%A) (?:video|app|class|channel)\\b",
	"\\b(?:my )?(?:friend|wife|husband|brother|sister|mate)s?\\b.{0,30}"
	"(?:%A)",
	"\\b(?:%A)\\w* (?:is|are|feels?) (?:fine|ok|okay|better|good)\\b",
};

struct text {
	char s[PAT_MAX];
	size_t len;
};

static void
text_put(struct text *t, const char *s, size_t n)
{
	if (n > sizeof(t->s) - 1 - t->len)
		n = sizeof(t->s) - 1 - t->len;
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Appends an alternation of 1 to max distinct words from list. */
static void
alternation(struct rng *r, struct text *t, const char *const *list, size_t n,
            unsigned max)
{
	unsigned k = 1 + rng_below(r, max), used[8];
	unsigned m = 0;

	if (k > n)
		k = (unsigned)n;
	while (m < k) {
		unsigned i = rng_below(r, (unsigned)n);
		bool dup = false;
		for (unsigned j = 0; j < m; j++)
			if (used[j] == i)
				dup = true;
		if (dup)
			continue;
		if (m > 0)
			text_put(t, "|", 1);
		text_put(t, list[i], strlen(list[i]));
		used[m++] = i;
	}
}

static void
fill(struct rng *r, struct text *t, const char *shape, const struct group *g)
{
	t->len = 0;
	t->s[0] = '\0';
	for (const char *p = shape; *p; p++) {
		if (p[0] != '%' || p[1] == '\0') {
			text_put(t, p, 1);
			continue;
		}
		p++;
		switch (*p) {
		case 'A':
			alternation(r, t, g->stems, g->nstems, 3);
			break;
		case 'L':
			alternation(r, t, lifts, COUNT(lifts), 3);
			break;
		case 'B':
			alternation(r, t, body, COUNT(body), 3);
			break;
		case 'P':
			alternation(r, t, painw, COUNT(painw), 3);
			break;
		case 'M':
			alternation(r, t, limbs, COUNT(limbs), 3);
			break;
		default:
			text_put(t, p - 1, 2);
			break;
		}
	}
}

/* Every pattern written so far, to keep them distinct. */
static char **seen;
static size_t nseen, capseen;

static bool
seen_add(const char *s)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], s) == 0)
			return false;
	if (nseen == capseen) {
		size_t cap = capseen ? capseen * 2 : 1024;
		char **n = realloc(seen, cap * sizeof(*n));
		if (n == NULL) {
			perror("gen_rules");
			exit(70);
		}
		seen = n;
		capseen = cap;
	}
	seen[nseen] = strdup(s);
	if (seen[nseen] == NULL) {
		perror("gen_rules");
		exit(70);
	}
	nseen++;
	return true;
}

static void
pattern(struct rng *r, const struct group *g, bool exclude, struct text *t)
{
	for (int tries = 0; tries < 50; tries++) {
		const char *shape;
		if (exclude)
			shape = PICK(r, exclusions);
		else if (rng_percent(r, 6))
			shape = PICK(r, classy);
		else
			shape = PICK(r, shapes);
		fill(r, t, shape, g);
		if (seen_add(t->s))
			return;
	}
}

/* Writes s as a libconfig string: backslashes and quotes escaped. */
static void
put_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static const struct group *
pick_group(struct rng *r)
{
	unsigned k = rng_below(r, 1000), acc = 0;

	for (size_t i = 0; i < COUNT(groups); i++) {
		acc += groups[i].weight;
		if (k < acc)
			return &groups[i];
	}
	return &groups[COUNT(groups) - 1];
}

#define CONCEPTS_A_GROUP 6
#define TERMS_A_CONCEPT  6

/* Concept k of group g: its name. */
static void
concept_name(const struct group *g, unsigned k, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%u", g->name, k);
}

/* 05-gen-concepts.conf: every group's concepts, each a spread of its
 * words. */
static int
write_concepts(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs("# Generated by bench/gen_rules.\nconcepts = {\n", fp);
	for (size_t gi = 0; gi < COUNT(groups); gi++) {
		const struct group *g = &groups[gi];
		for (unsigned k = 0; k < CONCEPTS_A_GROUP; k++) {
			char name[64];
			concept_name(g, k, name, sizeof(name));
			fprintf(fp, "  %s = [ ", name);
			for (unsigned t = 0; t < TERMS_A_CONCEPT; t++) {
				const char *w =
				    g->stems[(k * TERMS_A_CONCEPT + t * 5) %
				             g->nstems];
				bool prefix = t == 0 &&
				              strchr(w, ' ') == NULL &&
				              strlen(w) >= 4;
				fprintf(fp, "%s\"%s%s\"", t ? ", " : "", w,
				        prefix ? "*" : "");
			}
			fputs(" ];\n", fp);
		}
	}
	fputs("};\n", fp);
	return fclose(fp);
}

static void
write_when(FILE *fp, struct rng *r, const struct group *g)
{
	unsigned ncombo = 1 + rng_below(r, 2);

	fputs("    when = [ ", fp);
	for (unsigned c = 0; c < ncombo; c++) {
		unsigned n = 1 + rng_below(r, 3);
		unsigned first = rng_below(r, CONCEPTS_A_GROUP);
		char name[64];
		if (c > 0)
			fputs(", ", fp);
		fputc('"', fp);
		for (unsigned k = 0; k < n; k++) {
			const struct group *cg = g;
			/* now and then a concept of another group */
			if (k > 0 && rng_percent(r, 20))
				cg = &groups[rng_below(r, COUNT(groups))];
			concept_name(cg, (first + k) % CONCEPTS_A_GROUP, name,
			             sizeof(name));
			fprintf(fp, "%s%s", k ? " + " : "", name);
		}
		if (n > 1 && rng_percent(r, 50))
			fprintf(fp, " within %u", 4 + rng_below(r, 8));
		fputc('"', fp);
	}
	fputs(" ];\n", fp);
}

static void
write_rule(FILE *fp, struct rng *r, size_t index, size_t *kw_used,
           unsigned concept_percent)
{
	const struct group *g = pick_group(r);
	size_t gi = (size_t)(g - groups);
	unsigned npat = 1 + rng_below(r, 3);
	struct text t;

	if (rng_percent(r, 10))
		npat = MAX_PATS;
	fprintf(fp, "  {\n    id = \"gen-%s-%04zu\";\n", g->name, index);
	fprintf(fp, "    category = \"%s\";\n", g->category);
	if (g->topic)
		fprintf(fp, "    topic = \"%s\";\n", g->topic);
	if (rng_percent(r, 40))
		fprintf(fp, "    priority = %d;\n", (int)rng_below(r, 41) - 20);
	if (concept_percent > 0 && rng_percent(r, concept_percent)) {
		write_when(fp, r, g);
		fprintf(fp, "    reply = \"%s (rule %zu)\";\n  }", g->reply,
		        index);
		return;
	}
	fputs("    patterns = [ ", fp);
	for (unsigned i = 0; i < npat; i++) {
		pattern(r, g, false, &t);
		if (i > 0)
			fputs(",\n                 ", fp);
		put_string(fp, t.s);
	}
	fputs(" ];\n", fp);
	if (rng_percent(r, 10)) {
		pattern(r, g, true, &t);
		fputs("    exclude = [ ", fp);
		put_string(fp, t.s);
		fputs(" ];\n", fp);
	}
	if (kw_used[gi] < g->nkeywords && rng_percent(r, 30)) {
		fputs("    keywords = [ ", fp);
		put_string(fp, g->keywords[kw_used[gi]++]);
		fputs(" ];\n", fp);
	}
	fprintf(fp, "    reply = \"%s (rule %zu)\";\n  }", g->reply, index);
}

static int
write_file(const char *path, const char *body_text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(body_text, fp) == EOF || fclose(fp) != 0) {
		fprintf(stderr, "gen_rules: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long long count = 1000, seed = 1, per_file = 100,
	                   concept_percent = 0;
	const char *dir = NULL;
	size_t kw_used[COUNT(groups)] = { 0 };
	char path[4096];
	int ch;

	while ((ch = getopt(argc, argv, "n:s:p:c:o:h")) != -1) {
		char *end;
		unsigned long long *v = NULL;
		switch (ch) {
		case 'n':
			v = &count;
			break;
		case 's':
			v = &seed;
			break;
		case 'p':
			v = &per_file;
			break;
		case 'c':
			v = &concept_percent;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			printf("usage: gen_rules [-n COUNT] [-s SEED] "
			       "[-p PER_FILE] [-c PERCENT] -o DIR\n");
			return 0;
		default:
			goto usage;
		}
		if (v != NULL) {
			errno = 0;
			*v = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg)
				goto usage;
		}
	}
	if (dir == NULL || optind != argc || per_file == 0 || count == 0 ||
	    concept_percent > 100)
		goto usage;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_rules: %s: %s\n", dir, strerror(errno));
		return 1;
	}

	snprintf(path, sizeof(path), "%s/00-replies.conf", dir);
	if (write_file(path,
	               "# Generated by bench/gen_rules.\n"
	               "replies = {\n"
	               "  fallback = \"Bench: text WHY, FORM, STRETCH, "
	               "RECOVER or DOCTOR. Reply STOP to opt out.\";\n"
	               "  help = \"Bench: back pain tips for lifters. Reply "
	               "STOP to opt out.\";\n"
	               "  stop = \"Bench: you are unsubscribed.\";\n"
	               "  start = \"Bench: you are subscribed again.\";\n"
	               "};\n") != 0)
		return 1;

	snprintf(path, sizeof(path), "%s/05-gen-concepts.conf", dir);
	if (concept_percent > 0 && write_concepts(path) != 0)
		goto write_error;

	struct rng r = { .s = seed };
	FILE *fp = NULL;
	for (size_t i = 0; i < count; i++) {
		if (i % per_file == 0) {
			if (fp != NULL) {
				fputs("\n);\n", fp);
				if (fclose(fp) != 0)
					goto write_error;
			}
			snprintf(path, sizeof(path), "%s/10-gen-%05zu.conf",
			         dir, (size_t)(i / per_file));
			fp = fopen(path, "w");
			if (fp == NULL)
				goto write_error;
			fprintf(fp,
			        "# Generated by bench/gen_rules (seed %llu): "
			        "rules %zu to %zu.\nrules = (\n",
			        seed, i,
			        (size_t)(i + per_file > count ? count
			                                      : i + per_file) -
			            1);
		} else {
			fputs(",\n", fp);
		}
		write_rule(fp, &r, i, kw_used, (unsigned)concept_percent);
	}
	fputs("\n);\n", fp);
	if (fclose(fp) != 0)
		goto write_error;
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	return 0;
write_error:
	fprintf(stderr, "gen_rules: %s: %s\n", path, strerror(errno));
	return 1;
usage:
	fprintf(stderr, "usage: gen_rules [-n COUNT] [-s SEED] [-p PER_FILE] "
	                "[-c PERCENT] -o DIR\n");
	return 2;
}
