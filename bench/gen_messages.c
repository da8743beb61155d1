/* gen_messages: writes N realistic SMS messages, one a line, for the
 * classification benchmark.  The texts are what people who lift weights
 * send about lower back pain: questions about causes, form, stretching,
 * recovery and doctors, red flags (some negated), bare keywords, opt-outs
 * and chit-chat, with typos, stretched letters ("sooo"), text speak, emoji
 * and lengths from 2 to about 300 bytes.
 *
 * The output depends only on the seed and the count: a small grammar is
 * expanded with a private PRNG (splitmix64), never rand(), so every machine
 * writes the same bytes.
 *
 * usage: gen_messages [-n COUNT] [-s SEED] [-o FILE] */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_CAP     2048 /* working buffer; messages are cut to MSG_LIMIT */
#define MSG_LIMIT   300
#define COUNT(a)    (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a)  ((a)[rng_below((r), (unsigned)COUNT(a))])
#define DEPTH_LIMIT 8

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

/* Uniform in [0, n). */
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

/* The grammar.  "{name}" expands to one alternative of the symbol name;
 * "{kg}" and "{n}" are numbers. */
static const char *const g_opener[] = {
	"",
	"",
	"",
	"",
	"",
	"hey",
	"hi",
	"hey coach",
	"yo",
	"ok so",
	"quick question",
	"so",
	"um",
	"hello",
	"morning",
	"sorry to bug you",
	"hi there",
	"hiya",
	"question",
	"hey its me again",
	"random q but",
	"hey man",
	"ok",
	"right so",
};

static const char *const g_lift[] = {
	"deadlifts",
	"deadlifting",
	"deads",
	"squats",
	"squatting",
	"back squats",
	"front squats",
	"rdls",
	"romanian deadlifts",
	"good mornings",
	"barbell rows",
	"bent over rows",
	"overhead press",
	"bench",
	"power cleans",
	"cleans",
	"sumo deads",
	"hip thrusts",
	"kettlebell swings",
	"leg press",
	"back extensions",
	"farmers carries",
	"snatches",
	"trap bar deadlifts",
	"pendlay rows",
	"deficit deadlifts",
	"box squats",
};

static const char *const g_when[] = {
	"yesterday",        "last night",    "this morning",
	"on monday",        "last week",     "a few days ago",
	"since saturday",   "{n} days ago",  "today",
	"over the weekend", "after leg day", "at the gym earlier",
	"{n} weeks ago",    "tuesday",       "earlier",
};

static const char *const g_context[] = {
	"after {lift} {when}",
	"since {lift} {when}",
	"after hitting {kg} on {lift}",
	"going for a pr on {lift}",
	"{when} doing {lift}",
	"after {n} sets of {lift}",
	"when i bend over to pick stuff up",
	"after sitting at my desk all day",
	"when i get out of bed",
	"after a heavy {lift} session",
	"doing {lift} at {kg}",
	"trying to pull {kg}",
	"on my last rep of {lift}",
	"after {lift} and {lift}",
	"since my {lift} pr",
	"",
	"",
};

static const char *const g_move[] = {
	"bend over",
	"sit down",
	"stand up",
	"put my socks on",
	"sneeze",
	"cough",
	"get out of the car",
	"tie my shoes",
	"roll over in bed",
	"walk",
	"twist",
	"lean forward",
	"pick up my kid",
	"get off the couch",
	"hinge",
};

static const char *const g_side[] = { "left", "right" };

static const char *const g_pain[] = {
	"my lower back is killing me",
	"my lower back is so sore",
	"lower back feels super tight",
	"my back is really stiff",
	"i tweaked my back",
	"i pulled something in my lower back",
	"sharp pain in my lower back",
	"dull ache in my low back",
	"my back locked up",
	"back spasms all day",
	"my back is sore",
	"my back hurts when i {move}",
	"it hurts to {move}",
	"the {side} side of my lower back hurts",
	"my si joint is acting up",
	"my lumbar is aching",
	"something popped in my back",
	"i felt a twinge in my back",
	"my back is on fire",
	"my back is wrecked",
	"back feels weird",
	"my lower back hurts",
	"i can barely {move}",
	"lower back pain again",
	"my back went out",
	"low back is stiff as a board",
	"my spine feels jammed",
	"my back is tight and achy",
	"sore back",
	"pain right above my belt line",
	"my erectors are fried",
	"my QL is super tight on the {side}",
	"ugh my back is so sore",
	"ow ow ow my back",
	"my back is really bad today",
	"both sides of my lower back ache",
};

static const char *const g_q_causes[] = {
	"why does my back hurt after {lift}",
	"what causes this",
	"is it my form or just fatigue",
	"could it be a disc thing",
	"is this a muscle or a disc",
	"why is it always my {side} side",
	"is it from going too heavy",
	"what did i do wrong",
	"why does this keep happening",
	"is it bc of my tight hamstrings",
	"could my mattress be causing it",
	"is it normal to be sore there",
	"why does it hurt more in the morning",
	"is it because i sit all day",
	"did i herniate something",
	"why",
};

static const char *const g_q_form[] = {
	"how should i brace on {lift}",
	"is my form off",
	"should my back be flat or arched on {lift}",
	"how do i keep a neutral spine",
	"my hips shoot up on {lift} is that bad",
	"should i wear a belt",
	"how wide should my stance be",
	"am i rounding my back",
	"should i film my {lift} to check form",
	"is butt wink bad",
	"how do i stop my lower back rounding",
	"whats the right form for {lift}",
	"should i lower the weight and fix my technique",
	"how do i hinge properly",
	"any cues for {lift}",
};

static const char *const g_q_stretch[] = {
	"what stretches help",
	"any good stretches for lower back",
	"should i stretch my hamstrings",
	"is cat cow good for this",
	"does foam rolling help",
	"should i stretch my hip flexors",
	"is childs pose ok",
	"what mobility work should i do",
	"any yoga poses for this",
	"is it ok to stretch when its this sore",
	"should i do mckenzie press ups",
	"how long should i hold a stretch",
	"should i stretch before or after {lift}",
};

static const char *const g_q_recovery[] = {
	"how long until i can lift again",
	"should i rest or keep training",
	"ice or heat",
	"how long does this take to heal",
	"can i still train upper body",
	"when can i do {lift} again",
	"is walking ok",
	"should i take ibuprofen",
	"how many days off should i take",
	"can i go to the gym tomorrow",
	"will it get better on its own",
	"should i sleep on my side",
	"is it ok to train through it",
	"how do i recover faster",
	"should i deload",
};

static const char *const g_q_doctor[] = {
	"should i see a doctor",
	"do i need a physio",
	"should i get an mri",
	"is it worth seeing a chiro",
	"when should i go to the er",
	"do i need an xray",
	"should i go to urgent care",
	"who should i see for this",
	"is this serious",
	"my gp said rest, is that right",
	"should i see a sports doc",
	"is it worth paying for physio",
};

static const char *const g_question[] = {
	"{q_causes}",
	"{q_causes}",
	"{q_form}",
	"{q_form}",
	"{q_stretch}",
	"{q_stretch}",
	"{q_recovery}",
	"{q_recovery}",
	"{q_doctor}",
	"{q_doctor}",
	"{q_causes} or {q_form}",
	"{q_stretch} or {q_recovery}",
	"{q_recovery} and {q_doctor}",
};

static const char *const g_redflag[] = {
	"my {side} leg is numb",
	"tingling down my {side} leg",
	"pain shooting down my {side} leg",
	"numbness in my groin",
	"i cant feel my {side} foot",
	"trouble peeing since {when}",
	"i cant control my bladder",
	"lost control of my bowels",
	"my {side} foot feels weak",
	"pins and needles in my toes",
	"numb around my butt and inner thighs",
	"both my legs feel numb",
	"my leg keeps giving out",
	"i have a fever and my back hurts",
	"the pain wakes me up at night",
	"my {side} leg feels tingly",
	"burning pain down the back of my leg",
	"cant lift my {side} foot properly",
	"my toes are numb",
	"i peed myself a bit",
	"sciatica down my {side} leg",
	"my calf has been numb since {when}",
	"electric pain into my {side} leg",
};

static const char *const g_negated[] = {
	"no numbness",
	"no tingling or anything",
	"not numb just sore",
	"no pain down my legs",
	"i dont have any tingling",
	"never had numbness",
	"no bladder issues",
	"no numbness or tingling",
	"without any tingling",
	"no shooting pain",
	"legs feel fine no numbness",
	"no pins and needles",
	"nothing going down my leg",
	"no numbness in my legs",
	"havent had any tingling",
};

static const char *const g_closer[] = {
	"",
	"",
	"",
	"",
	"",
	"thanks",
	"any advice?",
	"pls help",
	"??",
	"thx in advance",
	"cheers",
	"help",
	"what do i do",
	"appreciate it",
	"{emoji}",
	"{emoji}{emoji}",
	"lol",
	"ty",
	"thank you!!",
};

static const char *const g_emoji[] = {
	"\xf0\x9f\x98\xa9",             /* weary face */
	"\xf0\x9f\x98\xad",             /* loudly crying */
	"\xf0\x9f\x92\xaa",             /* flexed biceps */
	"\xf0\x9f\x99\x8f",             /* folded hands */
	"\xf0\x9f\x98\xac",             /* grimacing */
	"\xf0\x9f\xa4\x95",             /* head bandage */
	"\xf0\x9f\x98\x85",             /* sweat smile */
	"\xf0\x9f\x91\x8d",             /* thumbs up */
	"\xf0\x9f\x94\xa5",             /* fire */
	"\xf0\x9f\x8f\x8b\xef\xb8\x8f", /* weight lifter + VS16 */
	"\xf0\x9f\x8f\x8b\xef\xb8\x8f\xe2\x80\x8d"
	"\xe2\x99\x82\xef\xb8\x8f", /* man lifting (ZWJ) */
	"\xe2\x9d\xa4\xef\xb8\x8f", /* red heart */
	"\xf0\x9f\x98\x82",         /* tears of joy */
	"\xf0\x9f\xa5\xb2",         /* smiling with tear */
	"\xf0\x9f\x98\xa3",         /* persevering */
	"\xf0\x9f\xab\xa0",         /* melting */
	"\xf0\x9f\x92\x80",         /* skull */
	"\xf0\x9f\x98\x96",         /* confounded */
};

static const char *const g_keyword[] = {
	"WHY",      "why",      "Why",     "WHY?",    "why??",   "FORM",
	"form",     "Form",     "form?",   "STRETCH", "stretch", "Stretch",
	"STRETCH!", "RECOVER",  "recover", "Recover", "DOCTOR",  "doctor",
	"Doctor",   "STOP",     "stop",    "Stop",    "stop.",   "HELP",
	"help",     "Help",     "HELP!!",  "START",   "INFO",    "  WHY ",
	"Doctor?",  "recover.", "STOP!",
};

static const char *const g_optout[] = {
	"stop texting me",
	"please stop",
	"unsubscribe",
	"stop sending me messages",
	"remove me from this list",
	"dont text me anymore",
	"STOP ALL",
	"opt me out",
	"quit",
	"cancel",
	"stop pls",
	"no more texts please",
};

static const char *const g_chat[] = {
	"thanks!",
	"ok",
	"cool thanks",
	"lol",
	"{emoji}",
	"ok will try that",
	"that helped a lot",
	"who is this",
	"haha nice",
	"good morning",
	"hit a pr today {emoji}",
	"gym was packed",
	"thx",
	"kk",
	"got it",
	"appreciate it",
	"are you a bot?",
	"how are you",
	"feeling better today",
	"yes",
	"no",
	"maybe",
	"sounds good",
	"will do",
	"nice one",
	"cheers mate",
	"back feels a bit better {emoji}",
	"going to try the stretches",
	"did the stretches, feels ok",
	"what time is it",
	"{emoji}{emoji}",
	"ok cool",
	"hmm",
	"??",
	"thank you so much",
	"you guys are great",
	"wrong number",
	"see you tomorrow",
};

static const char *const g_misc[] = {
	"did 5x5 at {kg} today",
	"{kg} deadlift pr {emoji}",
	"what program should i run",
	"is creatine safe",
	"how much protein do i need",
	"can i squat every day",
	"my gym has no belts",
	"whats a good warm up",
	"how often should i deadlift",
	"is it ok to lift fasted",
	"what shoes for {lift}",
	"hit {kg} for {n} reps on {lift}",
	"should i use straps for {lift}",
	"how many sets of {lift} per week",
};

/* Messages with letters outside ASCII: names, loan words, Spanish. */
static const char *const g_foreign[] = {
	"my back hurts after my shift at the caf\xc3\xa9",
	"Jos\xc3\xa9 here, {pain}",
	"me duele la espalda baja despu\xc3\xa9s de {lift}",
	"tengo hormigueo en la pierna {side}, \xc2\xbf"
	"es grave?",
	"\xc2\xbfqu\xc3\xa9 estiramientos me recomiendas?",
	"dolor de espalda, \xc2\xbf"
	"debo ver a un m\xc3\xa9"
	"dico?",
	"{pain}, my physio Ren\xc3\xa9"
	"e said rest",
	"na\xc3\xafve question but {question}",
	"Zo\xc3\xab again, {pain} {context}",
	"{pain} after pi\xc3\xb1"
	"ata night lol",
	"r\xc3\xbc"
	"ckenschmerzen nach dem kreuzheben",
	"\xd1\x81\xd0\xbf\xd0\xb8\xd0\xbd\xd0\xb0 "
	"\xd0\xb1\xd0\xbe\xd0\xbb\xd0\xb8\xd1\x82", /* Russian */
};

/* Whole messages, by kind. */
static const char *const g_t_question[] = {
	"{opener} {context} {pain}. {question} {closer}",
	"{opener} {pain} {context}, {question}",
	"{question}",
	"{question}?",
	"{question} {closer}",
	"{pain}. {question}?",
	"{opener} {question}?",
	"{pain} {context}",
	"{opener} {pain}",
	"{pain} {context}. {question}? {closer}",
	"{opener}, {pain} {context} {emoji} {question}",
};

static const char *const g_t_redflag[] = {
	"{opener} {pain} and {redflag}. {question}",
	"{redflag} {context}",
	"{redflag}, {q_doctor}?",
	"{pain} {context} and now {redflag} {closer}",
	"{redflag}",
	"{opener} {redflag} and {redflag}",
	"{pain}. also {redflag}. {question} {closer}",
};

static const char *const g_t_negated[] = {
	"{pain} {context}, {negated}. {question}",
	"{negated} but {pain}",
	"{pain}. {negated}, {question}",
	"{negated}. {q_recovery}?",
	"{opener} {pain} {context} but {negated}",
	"{negated}, {redflag} though",
};

static const char *const g_clause[] = {
	"{pain}",
	"{pain} {context}",
	"{question}",
	"{context}",
	"{redflag}",
	"{negated}",
	"it hurts to {move}",
	"idk",
	"i cant even {move}",
	"{chat}",
	"{misc}",
	"{emoji}",
};

static const char *const g_joiner[] = {
	" and ",      " but ",  " also ",   " like ", " so ",  ", ",
	" and then ", " plus ", " anyway ", " ",      " tbh ",
};

struct symbol {
	const char *name;
	const char *const *alts;
	size_t n;
};

#define SYM(name, arr)                \
	{                             \
		name, arr, COUNT(arr) \
	}

static const struct symbol symbols[] = {
	SYM("opener", g_opener),
	SYM("lift", g_lift),
	SYM("when", g_when),
	SYM("context", g_context),
	SYM("move", g_move),
	SYM("side", g_side),
	SYM("pain", g_pain),
	SYM("q_causes", g_q_causes),
	SYM("q_form", g_q_form),
	SYM("q_stretch", g_q_stretch),
	SYM("q_recovery", g_q_recovery),
	SYM("q_doctor", g_q_doctor),
	SYM("question", g_question),
	SYM("redflag", g_redflag),
	SYM("negated", g_negated),
	SYM("closer", g_closer),
	SYM("emoji", g_emoji),
	SYM("chat", g_chat),
	SYM("misc", g_misc),
};

struct buf {
	char s[MSG_CAP];
	size_t len;
};

static void
buf_put(struct buf *b, const char *s, size_t n)
{
	if (n > sizeof(b->s) - 1 - b->len)
		n = sizeof(b->s) - 1 - b->len;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void expand(struct rng *r, struct buf *b, const char *t, int depth);

static void
expand_symbol(struct rng *r, struct buf *b, const char *name, size_t n,
              int depth)
{
	char num[32];

	if (n == 2 && memcmp(name, "kg", 2) == 0) {
		static const char *const units[] = {
			"kg", "kg", "lbs", "", " kilos", " pounds"
		};
		unsigned v = 60 + 5 * rng_below(r, 45);
		const char *u = PICK(r, units);
		if (strcmp(u, "lbs") == 0 || strcmp(u, " pounds") == 0 ||
		    u[0] == '\0')
			v = v * 2 + 5 * rng_below(r, 3);
		snprintf(num, sizeof(num), "%u%s", v, u);
		buf_puts(b, num);
		return;
	}
	if (n == 1 && name[0] == 'n') {
		snprintf(num, sizeof(num), "%u", 2 + rng_below(r, 9));
		buf_puts(b, num);
		return;
	}
	for (size_t i = 0; i < COUNT(symbols); i++)
		if (strlen(symbols[i].name) == n &&
		    memcmp(symbols[i].name, name, n) == 0) {
			const char *alt =
			    symbols[i]
			        .alts[rng_below(r, (unsigned)symbols[i].n)];
			expand(r, b, alt, depth + 1);
			return;
		}
	fprintf(stderr, "gen_messages: unknown symbol {%.*s}\n", (int)n, name);
	exit(70);
}

static void
expand(struct rng *r, struct buf *b, const char *t, int depth)
{
	if (depth > DEPTH_LIMIT)
		return;
	while (*t) {
		const char *open = strchr(t, '{');
		if (open == NULL) {
			buf_puts(b, t);
			return;
		}
		buf_put(b, t, (size_t)(open - t));
		const char *close = strchr(open, '}');
		if (close == NULL) {
			buf_puts(b, open);
			return;
		}
		expand_symbol(r, b, open + 1, (size_t)(close - open - 1),
		              depth);
		t = close + 1;
	}
}

/* Collapses runs of spaces, drops spaces before punctuation left by empty
 * alternatives, and trims the ends. */
static void
tidy(struct buf *b)
{
	size_t o = 0;

	for (size_t i = 0; i < b->len; i++) {
		char c = b->s[i];
		if (c == ' ' && (o == 0 || b->s[o - 1] == ' '))
			continue;
		if ((c == ',' || c == '.' || c == '?') && o > 0 &&
		    b->s[o - 1] == ' ')
			o--;
		if ((c == ',' || c == '.') && o == 0)
			continue;
		b->s[o++] = c;
	}
	while (o > 0 && b->s[o - 1] == ' ')
		o--;
	b->len = o;
	b->s[o] = '\0';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Word-level noise: text speak, apostrophes, typos, stretched letters. */
static const struct {
	const char *from, *to;
} speak[] = {
	{ "you", "u" },         { "your", "ur" },    { "because", "bc" },
	{ "please", "pls" },    { "thanks", "thx" }, { "though", "tho" },
	{ "probably", "prob" }, { "really", "rly" }, { "tomorrow", "tmrw" },
	{ "should", "shud" },   { "what", "wat" },   { "with", "w" },
	{ "and", "n" },         { "are", "r" },      { "to", "2" },
};

static const struct {
	const char *from, *to;
} apostrophe[] = {
	{ "dont", "don't" },     { "cant", "can't" },   { "im", "i'm" },
	{ "its", "it's" },       { "whats", "what's" }, { "childs", "child's" },
	{ "havent", "haven't" }, { "didnt", "didn't" }, { "ive", "i've" },
	{ "doesnt", "doesn't" },
};

static void
noise_word(struct rng *r, struct buf *out, const char *w, size_t n,
           unsigned typo_pct, unsigned speak_pct, unsigned apos_pct, bool curly)
{
	char tmp[128];

	if (n >= sizeof(tmp) / 2) {
		buf_put(out, w, n);
		return;
	}
	memcpy(tmp, w, n);
	tmp[n] = '\0';

	for (size_t i = 0; i < COUNT(speak); i++)
		if (strcmp(tmp, speak[i].from) == 0 &&
		    rng_percent(r, speak_pct)) {
			buf_puts(out, speak[i].to);
			return;
		}
	for (size_t i = 0; i < COUNT(apostrophe); i++)
		if (strcmp(tmp, apostrophe[i].from) == 0 &&
		    rng_percent(r, apos_pct)) {
			const char *q = strchr(apostrophe[i].to, '\'');
			buf_put(out, apostrophe[i].to,
			        (size_t)(q - apostrophe[i].to));
			buf_puts(out, curly ? "\xe2\x80\x99" : "'");
			buf_puts(out, q + 1);
			return;
		}

	bool alpha = n >= 4;
	for (size_t i = 0; i < n; i++)
		if (!is_lower(tmp[i]))
			alpha = false;
	if (alpha && rng_percent(r, typo_pct)) {
		size_t i = 1 + rng_below(r, (unsigned)(n - 2));
		char t;
		switch (rng_below(r, 4)) {
		case 0: /* swap */
			t = tmp[i];
			tmp[i] = tmp[i + 1];
			tmp[i + 1] = t;
			break;
		case 1: /* drop */
			memmove(tmp + i, tmp + i + 1, n - i);
			n--;
			break;
		case 2: /* double */
			memmove(tmp + i + 1, tmp + i, n - i + 1);
			n++;
			break;
		default: /* neighbouring key, roughly */
			tmp[i] = "qwertyuiopasdfghjklzxcvbnm"[rng_below(r, 26)];
			break;
		}
	}
	buf_put(out, tmp, n);
}

/* Stretches the last stretchable letter of a word: "so" -> "sooo". */
static bool
stretch_word(struct rng *r, struct buf *b)
{
	static const char *const targets[] = { "so",     "sore",   "hurts",
		                               "please", "really", "bad",
		                               "pain",   "ow",     "help",
		                               "tight",  "now",    "killing",
		                               "why",    "ugh",    "stiff" };
	const char *t = PICK(r, targets);
	size_t tn = strlen(t);
	char *p = b->s;

	while ((p = strstr(p, t)) != NULL) {
		bool start = p == b->s || !is_lower(p[-1]);
		bool end = !is_lower(p[tn]);
		if (start && end)
			break;
		p += tn;
	}
	if (p == NULL)
		return false;
	size_t at = (size_t)(p - b->s) + tn - 1; /* last letter */
	unsigned extra = 2 + rng_below(r, 5);
	if (b->len + extra >= sizeof(b->s))
		return false;
	memmove(b->s + at + 1 + extra, b->s + at + 1, b->len - at);
	memset(b->s + at + 1, b->s[at], extra);
	b->len += extra;
	return true;
}

static void
noise(struct rng *r, struct buf *b)
{
	struct buf out = { .len = 0 };
	unsigned typo = rng_percent(r, 40) ? 4 + rng_below(r, 8) : 0;
	unsigned spk = rng_percent(r, 30) ? 60 : 0;
	unsigned apos = rng_percent(r, 35) ? 80 : 0;
	bool curly = rng_percent(r, 30);
	size_t i = 0;

	while (i < b->len) {
		size_t j = i;
		while (j < b->len && is_lower(b->s[j]))
			j++;
		if (j > i) {
			noise_word(r, &out, b->s + i, j - i, typo, spk, apos,
			           curly);
			i = j;
		} else {
			buf_put(&out, b->s + i, 1);
			i++;
		}
	}
	*b = out;

	if (rng_percent(r, 15)) {
		for (int tries = 0; tries < 8 && !stretch_word(r, b); tries++)
			;
		if (rng_percent(r, 25))
			stretch_word(r, b);
	}
}

static void
casing(struct rng *r, struct buf *b)
{
	unsigned k = rng_below(r, 100);

	if (k < 6) { /* ALL CAPS */
		for (size_t i = 0; i < b->len; i++)
			if (is_lower(b->s[i]))
				b->s[i] = (char)(b->s[i] - 32);
	} else if (k < 35) { /* Sentence case, capital I */
		bool first = true;
		for (size_t i = 0; i < b->len; i++) {
			char c = b->s[i];
			if (first && is_lower(c)) {
				b->s[i] = (char)(c - 32);
				first = false;
			} else if (c == '.' || c == '?' || c == '!') {
				first = true;
			} else if (c != ' ') {
				first = false;
			}
			if (c == 'i' && (i == 0 || b->s[i - 1] == ' ') &&
			    (i + 1 == b->len || b->s[i + 1] == ' ' ||
			     b->s[i + 1] == '\'' || b->s[i + 1] == '\xe2'))
				b->s[i] = 'I';
		}
	}
}

static void
ending(struct rng *r, struct buf *b)
{
	static const char *const ends[] = { "",    "",    "",  "?",  "??", "!",
		                            "!!!", "...", ".", " ?", "?!" };
	static const char *const emo_pos[] = { " ", "" };

	if (b->len > 0 && b->s[b->len - 1] != '?' && b->s[b->len - 1] != '!')
		buf_puts(b, PICK(r, ends));
	if (rng_percent(r, 12)) {
		buf_puts(b, PICK(r, emo_pos));
		buf_puts(b, PICK(r, g_emoji));
	}
}

/* Cuts at the last space before MSG_LIMIT bytes: never inside a UTF-8
 * sequence, since multi-byte characters contain no spaces. */
static void
limit(struct buf *b)
{
	if (b->len <= MSG_LIMIT)
		return;
	size_t i = MSG_LIMIT;
	while (i > 0 && b->s[i] != ' ')
		i--;
	if (i == 0) {
		i = MSG_LIMIT;
		while (i > 0 && ((unsigned char)b->s[i] & 0xc0) == 0x80)
			i--;
	}
	b->len = i;
	b->s[i] = '\0';
	tidy(b);
}

static void
run_on(struct rng *r, struct buf *b)
{
	size_t target = 150 + rng_below(r, 150);

	expand(r, b, "{opener} {pain}", 0);
	while (b->len < target) {
		buf_puts(b, PICK(r, g_joiner));
		expand(r, b, PICK(r, g_clause), 0);
	}
}

static void
message(struct rng *r, struct buf *b)
{
	unsigned k = rng_below(r, 1000);

	b->len = 0;
	b->s[0] = '\0';
	if (k < 60) { /* bare keyword: leave it as typed */
		buf_puts(b, PICK(r, g_keyword));
		return;
	} else if (k < 85) {
		expand(r, b, PICK(r, g_optout), 0);
	} else if (k < 230) {
		expand(r, b, "{chat}", 0);
	} else if (k < 560) {
		expand(r, b, PICK(r, g_t_question), 0);
	} else if (k < 700) {
		expand(r, b, PICK(r, g_t_redflag), 0);
	} else if (k < 780) {
		expand(r, b, PICK(r, g_t_negated), 0);
	} else if (k < 900) {
		run_on(r, b);
	} else if (k < 985) {
		expand(r, b, "{opener} {misc}", 0);
	} else {
		expand(r, b, PICK(r, g_foreign), 0);
	}
	tidy(b);
	noise(r, b);
	casing(r, b);
	if (k >= 230)
		ending(r, b);
	limit(b);
	if (b->len < 2)
		buf_puts(b, "?");
}

int
main(int argc, char **argv)
{
	unsigned long long count = 100000, seed = 1;
	const char *path = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "n:s:o:h")) != -1) {
		char *end;
		switch (ch) {
		case 'n':
			errno = 0;
			count = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg)
				goto usage;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg)
				goto usage;
			break;
		case 'o':
			path = optarg;
			break;
		case 'h':
			printf("usage: gen_messages [-n COUNT] [-s SEED] "
			       "[-o FILE]\n");
			return 0;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;

	FILE *fp = path ? fopen(path, "w") : stdout;
	if (fp == NULL) {
		fprintf(stderr, "gen_messages: %s: %s\n", path,
		        strerror(errno));
		return 1;
	}
	struct rng r = { .s = seed };
	struct buf b;
	for (unsigned long long i = 0; i < count; i++) {
		message(&r, &b);
		fwrite(b.s, 1, b.len, fp);
		fputc('\n', fp);
	}
	if (fflush(fp) != 0 || ferror(fp) || (path && fclose(fp) != 0)) {
		fprintf(stderr, "gen_messages: write error: %s\n",
		        strerror(errno));
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "usage: gen_messages [-n COUNT] [-s SEED] [-o FILE]\n");
	return 2;
}
