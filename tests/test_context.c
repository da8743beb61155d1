/* Tests for context.c: whether a concept match is negated, historical,
 * hypothetical or someone else's, and which words said so.  Inputs are
 * written already normalised (lowercase, apostrophes removed), as the
 * daemon hands them over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "context.h"

enum {
	NEG = CONTEXT_NEGATED,
	HIST = CONTEXT_HISTORICAL,
	HYP = CONTEXT_HYPOTHETICAL,
	OTHER = CONTEXT_OTHER,
};

static const char *
flags_str(unsigned f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned b = 0; b < CONTEXT_FLAGS; b++)
		if (f & (1u << b))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			                      o ? "," : "",
			                      context_flag_name(1u << b));
	if (o == 0)
		snprintf(buf, len, "none");
	return buf;
}

/* One memo for the whole run, reset for each message, as a concept scratch
 * uses it. */
static struct context_memo *memo;

static int
setup(void **state)
{
	(void)state;
	memo = context_memo_new();
	return memo == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	context_memo_free(memo);
	return 0;
}

/* context_judge_memo must answer as context_judge does: flags and cues,
 * with a result and without. */
static void
same_with_memo(const char *text, const struct token *t, size_t n, size_t first,
               size_t last)
{
	struct context_result r1, r2;
	unsigned f1 = context_judge(text, t, n, first, last, &r1);
	unsigned f2 = context_judge_memo(memo, first, last, &r2);

	if (f1 != f2 || memcmp(&r1, &r2, sizeof(r1)) != 0)
		fail_msg("\"%s\" [%zu, %zu]: judge %u, memo %u", text, first,
		         last, f1, f2);
	for (unsigned b = 0; b < CONTEXT_FLAGS; b++)
		if (f1 & (1u << b))
			assert_memory_equal(&r1.cue[b], &r2.cue[b],
			                    sizeof(r1.cue[b]));
	assert_int_equal(context_judge(text, t, n, first, last, NULL),
	                 context_judge_memo(memo, first, last, NULL));
}

/* Judges the match on the words of text that spell match (the first
 * occurrence starting at a word).  Checks the flags are exactly want and,
 * when cue is given, that the cue of the lowest flag of want spells it. */
static void
judge(const char *text, const char *match, unsigned want, const char *cue)
{
	struct token t[TOKEN_MAX];
	size_t n = token_split(text, strlen(text), t, TOKEN_MAX);
	size_t off = 0, first = SIZE_MAX, last = SIZE_MAX;
	const char *m = text;
	struct context_result r;
	char a[64], b[64];

	while ((m = strstr(m, match)) != NULL) {
		off = (size_t)(m - text);
		if (off == 0 || text[off - 1] == ' ')
			break;
		m++;
	}
	if (m == NULL)
		fail_msg("\"%s\" not a word of \"%s\"", match, text);
	for (size_t i = 0; i < n; i++) {
		if (t[i].start == off)
			first = i;
		if (first != SIZE_MAX && t[i].end <= off + strlen(match))
			last = i;
	}
	if (first == SIZE_MAX || last == SIZE_MAX || last < first)
		fail_msg("\"%s\": no tokens for \"%s\"", text, match);
	context_memo_reset(memo, text, t, n);
	unsigned got = context_judge(text, t, n, first, last, &r);
	if (got != r.flags)
		fail_msg("\"%s\": returned %u, result %u", text, got, r.flags);
	same_with_memo(text, t, n, first, last);
	if (got != want)
		fail_msg("\"%s\" in \"%s\": got %s, want %s", match, text,
		         flags_str(got, a, sizeof(a)),
		         flags_str(want, b, sizeof(b)));
	if (cue == NULL)
		return;
	unsigned bit = 0;
	while (!(want & (1u << bit)))
		bit++;
	const struct context_cue *c = &r.cue[bit];
	assert_true(c->first <= c->last && c->last < n);
	size_t s = t[c->first].start, e = t[c->last].end;
	if (e - s != strlen(cue) || memcmp(text + s, cue, e - s) != 0)
		fail_msg("\"%s\" in \"%s\": %s cue is \"%.*s\", want \"%s\"",
		         match, text, context_flag_name(1u << bit),
		         (int)(e - s), text + s, cue);
}

static void
test_negated_before(void **state)
{
	(void)state;
	judge("no numbness", "numbness", NEG, "no");
	judge("never had any leg pain", "leg pain", NEG, "never");
	judge("without any tingling", "tingling", NEG, "without");
	judge("i dont have tingling", "tingling", NEG, "dont");
	judge("my client denies numbness", "numbness", NEG | OTHER, NULL);
	judge("no sign of any numbness", "numbness", NEG, "no");
	judge("free of numbness for now", "numbness", NEG, "free of");
	judge("neither numbness nor tingling", "tingling", NEG, "nor");
	judge("zero numbness", "numbness", NEG, "zero");
	judge("back sore, nothing going down my legs", "going down", NEG,
	      "nothing");
	/* but not "nothing i do", "nothing helps", "nothing else" */
	judge("nothing i do makes the tingling stop", "tingling", 0, NULL);
	judge("nothing else, just numb toes", "numb", 0, NULL);
	/* "and" before a new subject ends the scope */
	judge("no safeties and the bar came down on my back", "came down", 0,
	      NULL);
	judge("no pain and i cant feel my foot", "cant feel", 0, NULL);
	judge("no numbness and tingling", "tingling", NEG, "no");
	judge("sore back, no numbness or tingling", "tingling", NEG, "no");
	judge("havent noticed in my legs any tingling", "tingling", NEG,
	      "havent");
	/* what the writer would not say */
	judge("i wouldnt say theres any numbness or tingling at all",
	      "numbness", NEG, "wouldnt say");
	judge("cant say ive had any tingling", "tingling", NEG, "cant say");
	judge("i wouldnt say its numb exactly", "numb", 0, NULL);
	judge("i wouldnt say my leg is weak, just sore", "weak", NEG,
	      "wouldnt say");
	judge("i wouldnt say much, my foot is numb", "numb", 0, NULL);
}

static void
test_negated_spanish_portuguese(void **state)
{
	(void)state;
	judge("dolor de espalda sin hormigueo", "hormigueo", NEG, "sin");
	judge("nunca tengo entumecimiento", "entumecimiento", NEG, "nunca");
	judge("dor nas costas sem formigamento", "formigamento", NEG, "sem");
	judge("nao tenho dormencia", "dormencia", NEG, "nao");
	judge("ni dolor ni hormigueo", "hormigueo", NEG, "ni");
}

static void
test_negated_after(void **state)
{
	(void)state;
	judge("numbness? nope", "numbness", NEG, "nope");
	judge("numbness - none", "numbness", NEG, "none");
	judge("tingling: no", "tingling", NEG, "no");
	judge("leg pain? never", "leg pain", NEG, "never");
	judge("numbness not really", "numbness", NEG, "not really");
	judge("numb? nah", "numb", NEG, "nah");
	judge("numbness at all? no", "numbness", NEG, "no");
	judge("fever? no. numbness? yes", "numbness", 0, NULL);
	judge("fever? no. numbness? yes", "fever", NEG, "no");
}

static void
test_not_negated_after(void **state)
{
	(void)state;
	/* An answer must end its clause; "not" needs "really" or "at all". */
	judge("my leg is numb, not sure why", "numb", 0, NULL);
	judge("numb leg, no idea", "numb leg", 0, NULL);
	judge("numbness? no its constant burning", "numbness", 0, NULL);
	judge("numbness? never had it before", "numbness", 0, NULL);
	/* A full stop is not an answer's question mark. */
	judge("my leg went numb. no", "numb", 0, NULL);
	judge("numbness no pain", "numbness", 0, NULL);
	judge("bladder: no control", "bladder", 0, NULL);
	/* "nothing" after a feeling word is what was felt */
	judge("i peed and felt nothing at all", "peed", 0, NULL);
	judge("numb leg, feel nothing", "numb leg", 0, NULL);
}

static void
test_pseudo_negation(void **state)
{
	(void)state;
	judge("not sure if its numbness", "numbness", 0, NULL);
	judge("no idea why my leg is numb", "numb", 0, NULL);
	judge("not only numbness", "numbness", 0, NULL);
	judge("not just tingling", "tingling", 0, NULL);
	judge("no change in the numbness", "numbness", 0, NULL);
	judge("dont know if its numbness", "numbness", 0, NULL);
	judge("cant tell if its numbness", "numbness", 0, NULL);
	judge("never felt anything like this numbness", "numbness", 0, NULL);
	judge("i never felt any numbness", "numbness", NEG, "never");
}

/* A feeling said lost, and where: the negating word is the loss, and the
 * place it names counts.  Any other word after the feeling keeps the
 * negation. */
static void
test_pseudo_negation_lost_feeling(void **state)
{
	(void)state;
	judge("no feeling in my bum", "bum", 0, NULL);
	judge("no sensation down there since the lift", "there", 0, NULL);
	judge("is it normal to not feel your own poop", "poop", 0, NULL);
	judge("i dont feel my foot at all", "foot", 0, NULL);
	judge("no feeling of numbness", "numbness", NEG, "no");
	judge("nie ma dretwienia, tylko plecy", "dretwienia", NEG, "nie");
	judge("i dont feel any tingling", "tingling", NEG, "dont");
	judge("i dont feel the numbness now", "numbness", NEG, "dont");
	judge("no feeling like pins and needles", "pins", NEG, "no");
	judge("no control down there since the lift", "there", 0, NULL);
	judge("no control over my bladder", "bladder", 0, NULL);
	judge("is it normal to not feel anything during sex", "sex", 0, NULL);
}

static void
test_cue_inside_match(void **state)
{
	(void)state;
	/* The negating word belongs to the symptom. */
	judge("cant feel my leg", "cant feel my leg", 0, NULL);
	judge("i cant feel my leg", "cant feel", 0, NULL);
	judge("no feeling down there", "no feeling", 0, NULL);
	judge("not able to pee", "not able to pee", 0, NULL);
}

static void
test_negation_scope_ends(void **state)
{
	(void)state;
	judge("no numbness but my leg tingles", "tingles", 0, NULL);
	judge("no numbness but my leg tingles", "numbness", NEG, "no");
	judge("no back pain, my foot is numb", "numb", 0, NULL);
	/* a list across commas closed by "or" is negated to its end; a
	 * symptom after a negated item with no "or" is told */
	judge("sore but no tingling, numbness or anything down my legs",
	      "numbness", NEG, "no");
	judge("no fever, numbness or tingling in my legs", "tingling", NEG,
	      "no");
	judge("i dont have tingling, numbness or weakness", "weakness", NEG,
	      "dont");
	judge("no numbness, fever, weight loss or bladder trouble", "fever",
	      NEG, "no");
	judge("no fever, numbness in my left leg", "numbness", 0, NULL);
	judge("no fever, numbness in my leg, weakness or anything", "numbness",
	      0, NULL);
	judge("no fever, but numbness or tingling in my legs", "numbness", 0,
	      NULL);
	judge("no fever. numbness or tingling in my legs", "numbness", 0, NULL);
	judge("no pain however tingling", "tingling", 0, NULL);
	judge("no pain except numbness", "numbness", 0, NULL);
	judge("no pain now numbness", "numbness", 0, NULL);
	judge("no pain still numbness", "numbness", 0, NULL);
	judge("no pain though numbness", "numbness", 0, NULL);
	judge("no pain aside from numbness", "numbness", 0, NULL);
	judge("no pain my leg is numb", "numb", 0, NULL);
	judge("no pain. tingling", "tingling", 0, NULL);
	/* The window: two content words, fillers do not count. */
	judge("no leg or foot numbness", "numbness", NEG, "no");
	judge("no lower leg or foot numbness", "numbness", 0, NULL);
	/* A checklist of "no"s negates each word, not how long after it. */
	judge("back pain no tingling no numbness no fever 3 weeks", "3 weeks",
	      0, NULL);
	judge("back pain no tingling no numbness no fever 3 weeks", "fever",
	      NEG, "no");
	judge("no tingling no numbness", "numbness", NEG, "no");
	judge("no fever 3 weeks", "3 weeks", NEG, "no");
}

static void
test_historical(void **state)
{
	(void)state;
	judge("had sciatica five years ago", "sciatica", HIST,
	      "five years ago");
	judge("sciatica 5 years ago", "sciatica", HIST, "5 years ago");
	judge("used to get numb toes", "numb toes", HIST, "used to");
	judge("back in 2019 my leg went numb", "numb", HIST, "back in 2019");
	judge("had numbness last year", "numbness", HIST, "last year");
	judge("in the past i had numbness", "numbness", HIST, "in the past");
	judge("history of sciatica", "sciatica", HIST, "history of");
	judge("previously had sciatica", "sciatica", HIST, "previously");
	judge("i once had sciatica", "sciatica", HIST, "once had");
	judge("when i was younger i had sciatica", "sciatica", HIST,
	      "when i was younger");
	judge("had sciatica back in high school", "sciatica", HIST,
	      "back in high school");
	judge("as a kid i had sciatica", "sciatica", HIST, "as a kid");
	judge("had numb feet a few years back", "numb feet", HIST,
	      "a few years back");
	judge("my foot went numb a long time ago", "numb", HIST,
	      "long time ago");
	judge("had a fever last month", "fever", HIST, "last month");
	judge("had a bad fall at the gym in 2019", "fall", HIST, "in 2019");
	judge("in 2021 i had sciatica", "sciatica", HIST, "in 2021");
	/* a year right after the match, an age */
	judge("hurt my back in a car accident 2019, fine now", "car accident",
	      HIST, "2019");
	judge("when i was 20 i had a bladder problem", "bladder", HIST,
	      "when i was 20");
	judge("when i was 12 i had a fall off my bike", "fall", HIST,
	      "when i was 12");
	/* not an age, not a past year */
	judge("when i was 2 weeks into my program my leg went numb", "numb", 0,
	      NULL);
	judge("my leg has been numb since 2019", "numb", 0, NULL);
	/* someone else's past illness, not when the clause says when */
	judge("my uncle had cauda equina, im scared", "cauda equina",
	      HIST | OTHER, "my uncle had");
	judge("my dads mate had cauda equina", "cauda equina", HIST | OTHER,
	      "my dads mate had");
	judge("my wife had a fall this morning", "fall", OTHER, "my wife");
	judge("my dad had numbness in his leg yesterday", "numbness", OTHER,
	      "my dad");
}

/* Passed: a sensation that went once its cause did, said anywhere after it
 * in its sentence or at the start of the next. */
static void
test_passed(void **state)
{
	(void)state;
	judge("my butt went numb on the rower lol, fine once i stood up",
	      "numb", HIST, "fine once");
	judge("legs went numb walking in shorts, warmed up fine after 5 mins",
	      "numb", HIST, "warmed up fine");
	judge("i thought my leg was going numb but id been sitting on it for "
	      "ages lol. totally fine now.",
	      "numb", HIST, "totally fine now");
	/* it comes back, or it is asked about, or something else is fine */
	judge("my leg goes numb every time i squat, fine once i stop", "numb",
	      0, NULL);
	judge("my foot went numb, fine after a few mins but it keeps happening",
	      "numb", 0, NULL);
	judge("i cant feel my toe, is that fine after a tweak?", "cant feel", 0,
	      NULL);
	judge("my foot is still numb. totally fine now otherwise", "numb", 0,
	      NULL);
	judge("my foot is numb. my back is totally fine now", "numb", 0, NULL);
	judge("had a zap in my leg after a pull, gone completely now, havent "
	      "felt it again",
	      "zap", HIST, "havent felt it again");
	judge("i felt my leg go tingly for a sec, it went away straight away",
	      "tingly", HIST, "went away straight");
	judge("my legs go numb when i sit, fine once i stand", "numb", 0, NULL);
	/* new, not over: "which hasnt happened since i was a kid" */
	judge("ive wet the bed which hasnt happened since i was a kid",
	      "wet the bed", 0, NULL);
	judge("my foot went numb and the feeling hasnt come back", "numb", 0,
	      NULL);
}

static void
test_not_historical(void **state)
{
	(void)state;
	judge("had an accident in my pants", "accident", 0, NULL);
	judge("had sciatica years ago and its back again", "sciatica", 0, NULL);
	judge("had numbness years ago, now my foot is numb", "foot is numb", 0,
	      NULL);
	judge("used to get numb toes, still do", "numb toes", 0, NULL);
	judge("sciatica 5 years ago, it came back this week", "sciatica", 0,
	      NULL);
	judge("numb since 2 years ago", "numb", 0, NULL);
	judge("had sciatica years ago, back is better but foot still tingles",
	      "tingles", 0, NULL);
	judge("my foot keeps going numb since last year", "numb", 0, NULL);
	judge("my leg has been numb since last month", "numb", 0, NULL);
	judge("numb toes in 2 days", "numb toes", 0, NULL);
	judge("numb since 2019 and still numb", "numb", 0, NULL);
	judge("numb toes currently, used to be fine", "numb toes", 0, NULL);
	judge("i had numbness 3 days ago", "numbness", 0, NULL);
	judge("numb in the past few days", "numb", 0, NULL);
	judge("i got used to the numbness", "numbness", 0, NULL);
	judge("what im not used to is being unable to pee", "pee", 0, NULL);
	judge("had sciatica years ago but my foot is numb", "numb", 0, NULL);
	judge("pain in my back in the morning and numb toes", "numb toes", 0,
	      NULL);
	judge("when i was lifting my leg went numb", "numb", 0, NULL);
	/* A new subject ends the scope, before or after the match. */
	judge("last year i hurt my back and i cant feel my leg",
	      "cant feel my leg", 0, NULL);
	judge("my leg is numb, i hurt it 5 years ago", "numb", 0, NULL);
}

/* Old trouble, then a present-now word in another clause about another
 * thing: the old trouble stays historical. */
static void
test_historical_other_clause(void **state)
{
	(void)state;
	judge("I was in a car accident 5 years ago, back fully healed, now "
	      "it's just sore after leg day",
	      "car accident", HIST, "5 years ago");
	judge("old back injury from a motorbike crash in 2015, fine for "
	      "years, now mild soreness from training, stretches?",
	      "motorbike crash", HIST, NULL);
	judge("old back injury, fine for years", "injury", HIST, "old");
	judge("was rear ended back in march, doc cleared me", "rear ended",
	      HIST, "back in march");
	judge("fell off a ladder back in 2019, been fine since, just a "
	      "little sore from rows this week",
	      "fell off a ladder", HIST, "back in 2019");
	judge("had sciatica in 2023, totally gone, now just mild stiffness "
	      "after deadlifts",
	      "sciatica", HIST, "in 2023");
	judge("hurt my back 2 years ago and had leg numbness back then, all "
	      "cleared up ages ago, now just a bit sore after squats",
	      "leg numbness", HIST, NULL);
	judge("had leg numbness back then", "leg numbness", HIST, "back then");
	judge("my leg was numb at the time", "numb", HIST, "at the time");
	judge("had sciatica, totally gone, now just stiff", "sciatica", HIST,
	      "totally gone");
	judge("i had numbness in my foot, all cleared up", "numbness", HIST,
	      "all cleared up");
	judge("had a bad fall, been fine since", "fall", HIST,
	      "been fine since");
	judge("used to get pins and needles years ago but not since",
	      "pins and needles", HIST, "used to");
	judge("my buddys sciatica cleared up years ago, he says to never "
	      "deadlift again",
	      "sciatica", HIST | OTHER, NULL);
}

/* The symptom back, still there, or "now" in its own clause: present,
 * whatever history is near (a red flag stands). */
static void
test_historical_present_again(void **state)
{
	(void)state;
	judge("my leg went numb in 2019 and now it's numb again", "numb again",
	      0, NULL);
	judge("the tingling from 2 years ago never went away", "tingling", 0,
	      NULL);
	judge("had sciatica last year, now the foot tingles again", "tingles",
	      0, NULL);
	judge("back healed but my foot is still numb", "numb", 0, NULL);
	judge("car accident 5 years ago, back healed, foot still numb", "numb",
	      0, NULL);
	judge("sciatica in 2019, now sciatica in my left leg", "sciatica in my",
	      0, NULL);
	judge("numb since 2019", "numb", 0, NULL);
	judge("old injury, my foot is numb now", "numb", 0, NULL);
	/* "over" is said of something else, or the match is not had */
	judge("my foot is numb, back pain totally gone", "numb", 0, NULL);
	judge("had numbness this morning, totally gone now", "numbness", 0,
	      NULL);
	judge("had numbness, totally gone, but now it is back", "numbness", 0,
	      NULL);
}

/* Resolved: words after the symptom say it is over; the judgement is
 * historical, its cue the words that say so. */
static void
test_resolved(void **state)
{
	(void)state;
	judge("the numbness in my foot went away", "numbness", HIST,
	      "went away");
	judge("tingling is gone now", "tingling", HIST, "gone");
	judge("my leg tingling from the summer totally cleared up", "tingling",
	      HIST, "cleared up");
	judge("the numb bum thing from yesterday is totally gone today", "numb",
	      HIST, "gone");
	judge("couldnt feel my foot for a bit last month but it came back 100",
	      "couldnt feel", HIST, "came back 100");
	judge("the foot drop i had after surgery in 2020 resolved, now just "
	      "general soreness",
	      "foot drop", HIST, "resolved");
	judge("i had numbness in my leg 2 yrs ago, thats gone, but now back "
	      "pain again for 3 weeks",
	      "numbness", HIST, "gone");
	judge("my sciatica cleared up months ago, can i deadlift again",
	      "sciatica", HIST, "cleared up");
	judge("yesterday my leg was tingly for like an hour but it went away "
	      "fully",
	      "tingly", HIST, "went away");
	judge("my leg used to tingle last year but thats completely gone now",
	      "tingle", HIST, "used to");
}

/* Not over: negated or partial over-words, a return, "gone" as a change
 * ("gone numb"), or the over-words about something else. */
static void
test_not_resolved(void **state)
{
	(void)state;
	judge("the tingling hasnt gone away", "tingling", 0, NULL);
	judge("the tingling never went away", "tingling", 0, NULL);
	judge("numbness almost gone", "numbness", 0, NULL);
	judge("the numbness is not fully gone", "numbness", 0, NULL);
	judge("the numbness went away for a bit", "numbness", 0, NULL);
	judge("the tingling went away but came back", "tingling", 0, NULL);
	judge("the tingling went away but now i have it again", "tingling", 0,
	      NULL);
	judge("numbness goes away then comes back", "numbness", 0, NULL);
	judge("my groin has gone numb", "groin", 0, NULL);
	judge("my leg has gone dead since my back went", "leg", 0, NULL);
	judge("numbness stopped me from sleeping", "numbness", 0, NULL);
	judge("my foot is numb and the back pain went away", "numb", 0, NULL);
	judge("my foot is numb, my knee pain is gone", "numb", 0, NULL);
	judge("numb toes, still there even though the pain is gone",
	      "numb toes", 0, NULL);
}

/* A belief taken back: negated, its cue the answer. */
static void
test_taken_back(void **state)
{
	(void)state;
	judge("thought my leg was numb but nope, just sat on it wrong", "numb",
	      NEG, "nope");
	judge("pretty sure my leg was numb this morning. no actually it was my "
	      "arm",
	      "numb", NEG, "no actually");
	/* no belief, or the answer is of something else */
	judge("my leg is numb but no pain", "numb", 0, NULL);
	judge("my leg was numb. no actually it still is", "numb", 0, NULL);
	judge("i thought it was a pulled muscle but my foot is numb", "numb", 0,
	      NULL);
	judge("pretty sure my leg is numb but no idea why", "numb", 0, NULL);
	/* a joke or a figure of speech takes it back, not "not joking" */
	judge("i feel numb... emotionally lol", "numb", NEG, "emotionally");
	judge("my legs went numb... from boredom on the bike jk. real question",
	      "numb", NEG, "jk");
	judge("my leg is numb, not joking", "numb", 0, NULL);
	judge("my leg is numb and im not kidding", "numb", 0, NULL);
	judge("my leg is numb. my friend was joking about it", "numb", 0, NULL);
}

/* Curious questions that ask about a thing in general: hypothetical. */
static void
test_curious_triggers(void **state)
{
	(void)state;
	judge("can you get sciatica from leg press", "sciatica", HYP,
	      "can you get");
	judge("how common is numbness after deadlifts", "numbness", HYP,
	      "how common is");
	judge("do lifters get tingling in their feet", "tingling", HYP | OTHER,
	      "do lifters get");
	judge("is it true deadlifts give you sciatica", "sciatica", HYP,
	      "is it true");
	judge("can squats make your legs go numb", "numb", HYP,
	      "can squats make");
	/* the asker's own, after a subject */
	judge("can you get me in today, my leg is numb", "numb", 0, NULL);
	judge("can you help, my foot tingles", "tingles", 0, NULL);
	judge("is it true that my leg numbness is serious", "numbness", 0,
	      NULL);
}

static void
test_hypothetical(void **state)
{
	(void)state;
	judge("can deadlifts cause numbness", "numbness", HYP,
	      "can deadlifts cause");
	judge("what if my leg goes numb", "numb", HYP, "what if");
	judge("in case i get numbness", "numbness", HYP, "in case");
	judge("im terrified of getting sciatica like my dad", "sciatica", HYP,
	      "terrified of getting");
	judge("i worry every time i deadlift that ill get cauda equina",
	      "cauda equina", HYP, "that ill get");
	judge("i get numbness in my foot when i sit", "numbness", 0, NULL);
	judge("not sure whether to worry", "worry", 0, NULL);
	judge("should i worry if my leg tingles", "tingles", HYP, "if");
	/* a symptom named as known inside the if is there */
	judge("if the tingling in my leg only happens when i squat, is it "
	      "fine",
	      "tingling", 0, NULL);
	judge("should i worry if my numbness gets worse", "numbness", 0, NULL);
	/* a definition asked; a thing seen on a screen */
	judge("whats cauda equina, my coach mentioned it", "cauda equina", HYP,
	      "whats");
	judge("what is sciatica", "sciatica", HYP, "what is");
	judge("whats this numbness in my foot", "numbness", 0, NULL);
	judge("watched a car crash video, back sore", "car crash", HYP,
	      "video");
	judge("i was in a car crash today", "car crash", 0, NULL);
	judge("is it possible to get numbness from squats", "numbness", HYP,
	      "possible to");
	judge("how do i prevent sciatica", "sciatica", HYP, "prevent");
	judge("what are the signs of cauda equina", "cauda equina", HYP,
	      "signs of");
	judge("symptoms of nerve damage", "nerve damage", HYP, "symptoms of");
	judge("what does numbness feel like", "numbness", HYP, "what does");
	judge("what to watch out for numbness", "numbness", HYP,
	      "watch out for");
	judge("risk of nerve damage", "nerve damage", HYP, "risk of");
	judge("stretches to avoid sciatica", "sciatica", HYP, "avoid");
	judge("does lifting cause my leg to go numb", "numb", HYP,
	      "does lifting cause");
	judge("would squats give me sciatica", "sciatica", HYP,
	      "would squats give");
	judge("ive heard tingling is a bad sign", "tingling", HYP, "ive heard");
	judge("i read about cauda equina online", "cauda equina", HYP,
	      "read about");
}

static void
test_safety_net(void **state)
{
	const char *net = "if you notice numbness, tingling, pain down a leg, "
	                  "a weak leg or bladder trouble, see a doctor today";
	const char *words[] = { "numbness",        "tingling",
		                "pain down a leg", "weak leg",
		                "bladder trouble", NULL };

	(void)state;
	for (size_t i = 0; words[i]; i++)
		judge(net, words[i], HYP, "if");
	/* After a tip, in its own sentence. */
	judge("stretch gently. if you notice numbness or tingling, see a "
	      "doctor today.",
	      "tingling", HYP, "if");
}

static void
test_not_hypothetical(void **state)
{
	(void)state;
	/* A real symptom under a condition. */
	judge("if i lift my leg goes numb", "numb", 0, NULL);
	judge("my leg goes numb if i sit long", "numb", 0, NULL);
	judge("if i sit long it gets numb", "numb", 0, NULL);
	judge("it does cause numbness in my leg", "numbness", 0, NULL);
	judge("i have symptoms of cauda equina", "cauda equina", 0, NULL);
	judge("feels as if my leg is asleep", "asleep", 0, NULL);
	judge("not sure if its numbness", "numbness", 0, NULL);
	judge("what if it happens again but my leg is already numb", "numb", 0,
	      NULL);
	judge("can i stretch? my leg is numb", "numb", 0, NULL);
	judge("if it hurts i stop because my foot goes numb", "numb", 0, NULL);
	judge("what if i fall and now my leg is numb", "numb", 0, NULL);
	judge("lifting gave me numbness", "numbness", 0, NULL);
	judge("i cant avoid numbness when sitting", "numbness", 0, NULL);
	judge("any chance of the numbness going away", "numbness", 0, NULL);
}

static void
test_someone_else(void **state)
{
	(void)state;
	judge("my dads leg is numb", "numb", OTHER, "my dads");
	judge("my client has tingling", "tingling", OTHER, "my client");
	judge("my training partner has sciatica", "sciatica", OTHER,
	      "my training partner");
	judge("my wife, her foot is numb", "numb", OTHER, "her");
	judge("he has numbness in both legs", "numbness", OTHER, "he");
	judge("numbness in his left leg", "numbness", OTHER, "his");
	judge("a friend of mine has numb toes", "numb toes", OTHER, "a friend");
	judge("my wife says my leg is numb", "numb", 0, NULL);
	judge("as a kid i had sciatica", "sciatica", HIST, NULL);
	judge("dad has numbness", "numbness", 0, NULL);
	judge("i told her my leg is numb", "numb", 0, NULL);
	judge("my dad had sciatica but my leg is numb", "numb", 0, NULL);
	/* It does not hide the other flags. */
	judge("my mom has no numbness", "numbness", NEG | OTHER, NULL);
	judge("my dad had sciatica years ago", "sciatica", HIST | OTHER, NULL);
}

static void
test_cue_span(void **state)
{
	const char *t = "well no numbness? nope";
	struct token tk[16];
	size_t n = token_split(t, strlen(t), tk, 16);
	struct context_result r;

	(void)state;
	assert_int_equal(n, 4);
	assert_int_equal(context_judge(t, tk, n, 2, 2, &r), CONTEXT_NEGATED);
	/* The nearest trigger before the match wins. */
	assert_int_equal(r.cue[0].first, 1);
	assert_int_equal(r.cue[0].last, 1);
	/* NULL result is allowed. */
	assert_int_equal(context_judge(t, tk, n, 2, 2, NULL), CONTEXT_NEGATED);
	/* Spans outside the message, or backwards, have no flags. */
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(context_judge(t, tk, n, 2, 4, &r), 0);
	assert_int_equal(r.flags, 0);
	assert_int_equal(context_judge(t, tk, n, 3, 2, &r), 0);
	assert_int_equal(context_judge(t, tk, 0, 0, 0, &r), 0);
	judge("numbness? no at all", "numbness", NEG, "no at all");
	judge("had sciatica years ago", "sciatica", HIST, "years ago");
	judge("what happens if my leg goes numb", "numb", HYP,
	      "what happens if");
}

/* A memo gives every span of a message the answer context_judge gives,
 * whatever the order of the judgements, and carries nothing from one
 * message to the next (the texts share one buffer, as in a scratch). */
static void
test_memo(void **state)
{
	static const char *const texts[] = {
		"no numbness but my leg tingles, not sure why",
		"had sciatica 5 years ago and now my foot is numb again",
		"what if my leg goes numb? can deadlifts cause numbness",
		"my dad has no feeling in his leg, in the past few days",
		"numbness? nope. tingling: no at all. free of pain",
		"i used to get pins and needles back in 2019 when i was a kid",
		"signs of cauda equina, i have signs of it, watch out for it",
		"how do i prevent it, i cant avoid lifting, risk of injury",
		"no",
		"",
		"as a kid i got used to it, last year my bladder",
		"ive heard that if you lift wrong it leads to numbness",
	};
	char buf[256];
	struct token t[64];

	(void)state;
	for (int order = 0; order < 2; order++)
		for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
			snprintf(buf, sizeof(buf), "%s", texts[k]);
			size_t n = token_split(buf, strlen(buf), t, 64);
			context_memo_reset(memo, buf, t, n);
			for (size_t a = 0; a < n + 1; a++)
				for (size_t d = 0; d < 4; d++) {
					/* forwards, then backwards */
					size_t f = order ? n - a : a;
					same_with_memo(buf, t, n, f, f + d);
				}
		}
}

/* Triggers further than CONTEXT_REACH tokens away do not count. */
static void
test_reach(void **state)
{
	char t[512];
	size_t o;

	(void)state;
	o = (size_t)snprintf(t, sizeof(t), "if");
	for (int i = 0; i < CONTEXT_REACH; i++)
		o += (size_t)snprintf(t + o, sizeof(t) - o, " tingling");
	snprintf(t + o, sizeof(t) - o, " numbness");
	judge(t, "numbness", 0, NULL);
	judge(t, "tingling", HYP, "if");
}

static void
test_flag_names(void **state)
{
	(void)state;
	assert_string_equal(context_flag_name(CONTEXT_NEGATED), "negated");
	assert_string_equal(context_flag_name(CONTEXT_HISTORICAL),
	                    "historical");
	assert_string_equal(context_flag_name(CONTEXT_HYPOTHETICAL),
	                    "hypothetical");
	assert_string_equal(context_flag_name(CONTEXT_OTHER), "someone else");
	assert_string_equal(context_flag_name((enum context_flag)0), "?");
}

/* A question about a symptom, with nothing of the asker's own in it, in a
 * message that denies having it, is curiosity; a question about the
 * asker's own symptom, or a message that says the asker has it, is not. */
static void
test_curious_question(void **state)
{
	(void)state;
	judge("is saddle numbness from cycling a back thing? asking before "
	      "spin class, no symptoms",
	      "numbness", HYP, "no symptoms");
	judge("what causes sciatica? just curious", "sciatica", HYP,
	      "just curious");
	judge("just curious, does tingling in the leg mean a pinched nerve? "
	      "i dont have it",
	      "tingling", HYP, "just curious");
	/* the asker's own leg */
	judge("does the tingling in my leg mean a pinched nerve? just curious",
	      "tingling", 0, NULL);
	/* not a question */
	judge("tingling in the leg. just curious", "tingling", 0, NULL);
	/* the asker says they have it */
	judge("what does groin numbness mean? just curious, it started today",
	      "numbness", 0, NULL);
	judge("is groin numbness bad? i have it, just curious", "numbness", 0,
	      NULL);
	/* a denial of the rest only */
	judge("is groin numbness serious? no symptoms otherwise", "numbness", 0,
	      NULL);
	/* who told the asker is not the asker's own */
	judge("my friend told me numb groin is serious, why? i dont have it",
	      "numb", HYP, "dont have it");
	judge("my friend told me my groin is numb? i dont have it", "numb", 0,
	      NULL);
}

/* Something watched or heard about: "a video about", "a podcast on". */
static void
test_seen(void **state)
{
	(void)state;
	judge("watched a youtube vid about cauda equina and now im scared",
	      "cauda equina", HYP, "vid");
	judge("i saw a documentary where a guy lost control of his bladder",
	      "lost control", HYP | OTHER, "documentary");
	judge("saw a video about it and now my leg is numb", "numb", 0, NULL);
	judge("read a horror story on reddit about a guy who lost bladder "
	      "control",
	      "lost bladder control", HYP, "reddit");
}

/* Portuguese "no" is "in the" before a place or a body part: "caí no
 * chão", "dormente no pé"; Spanish "no" still negates, and so does "sin". */
static void
test_pt_no_in_the(void **state)
{
	(void)state;
	judge("cai no chao de costas", "de costas", 0, NULL);
	judge("escorreguei no banheiro e cai de costas", "cai", 0, NULL);
	judge("fiquei dormente no bumbum e na virilha", "bumbum", 0, NULL);
	judge("formigamento no pe esquerdo", "pe", 0, NULL);
	judge("no banheiro nao consigo fazer xixi", "nao consigo fazer xixi", 0,
	      NULL);
	/* an inability is not a denial: "no puedo", "nie mogę" */
	judge("no puedo orinar desde ayer", "orinar", 0, NULL);
	judge("nie moge sie wyprostowac", "wyprostowac", 0, NULL);
	judge("no quiero orinar", "orinar", NEG, "no");
	judge("sin dolor en la pierna", "pierna", NEG, "sin");
	judge("no numbness in my leg", "numbness", NEG, "no");
}

/* Negations of the other languages writers mix in: French, Tagalog,
 * Hindi. */
static void
test_negated_other_languages(void **state)
{
	(void)state;
	judge("mal au dos, pas de fourmis, je dois voir un kine", "fourmis",
	      NEG, "pas");
	judge("masakit likod ko, wala namang pamamanhid", "pamamanhid", NEG,
	      "wala");
	judge("back pain hai, koi numbness nahi, doctor", "numbness", NEG,
	      "nahi");
	judge("sans douleur dans la jambe", "jambe", NEG, "sans");
	judge("fourmis dans la jambe depuis hier", "fourmis", 0, NULL);
}

/* A hedge says a symptom is there, not imagined: "idk if its numb",
 * "might be tingling?", "kinda weak". */
static void
test_hedges(void **state)
{
	(void)state;
	judge("idk if its numb but my left foot feels off", "numb", 0, NULL);
	judge("dunno if its tingling or what, right calf", "tingling", 0, NULL);
	judge("no idea if this is numbness or cold", "numbness", 0, NULL);
	judge("might be tingling? in my calf since deadlifts", "tingling", 0,
	      NULL);
	judge("my left leg is kinda weak since the squat", "weak", 0, NULL);
	judge("maybe a little numb in my left foot", "numb", 0, NULL);
	judge("if my leg goes numb should i stop", "numb", HYP, "if");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negated_before),
		cmocka_unit_test(test_pseudo_negation_lost_feeling),
		cmocka_unit_test(test_negated_spanish_portuguese),
		cmocka_unit_test(test_negated_after),
		cmocka_unit_test(test_pt_no_in_the),
		cmocka_unit_test(test_negated_other_languages),
		cmocka_unit_test(test_not_negated_after),
		cmocka_unit_test(test_pseudo_negation),
		cmocka_unit_test(test_cue_inside_match),
		cmocka_unit_test(test_negation_scope_ends),
		cmocka_unit_test(test_historical),
		cmocka_unit_test(test_historical_other_clause),
		cmocka_unit_test(test_historical_present_again),
		cmocka_unit_test(test_not_historical),
		cmocka_unit_test(test_passed),
		cmocka_unit_test(test_seen),
		cmocka_unit_test(test_resolved),
		cmocka_unit_test(test_not_resolved),
		cmocka_unit_test(test_taken_back),
		cmocka_unit_test(test_curious_triggers),
		cmocka_unit_test(test_hypothetical),
		cmocka_unit_test(test_safety_net),
		cmocka_unit_test(test_not_hypothetical),
		cmocka_unit_test(test_hedges),
		cmocka_unit_test(test_someone_else),
		cmocka_unit_test(test_cue_span),
		cmocka_unit_test(test_reach),
		cmocka_unit_test(test_flag_names),
		cmocka_unit_test(test_curious_question),
		cmocka_unit_test(test_memo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
