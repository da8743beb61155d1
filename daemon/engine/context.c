/* Context of a concept match, after NegEx (Chapman et al. 2001) and ConText
 * (Harkema et al. 2009): fixed trigger lists, pseudo-triggers that look
 * like a trigger but are not one, terminators that end a trigger's scope,
 * and a scope of a clause (negation, someone else) or a sentence (history,
 * hypothesis).  The negation lists are negation.c's, shared with the
 * pattern rules.  Deliberately conservative: a red flag that is not
 * clearly negated, past or hypothetical stands. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "hash.h"
#include "negation.h"

/* The message and its tokens; memo, when not NULL, holds what the
 * judgements of this message have worked out about its words. */
struct context_msg {
	const char *text;
	const struct token *t;
	size_t n;
	struct context_memo *memo;
};

/* Negating words of Spanish and Portuguese (accents are stripped by
 * normalisation: "não" -> "nao"), on top of negation_cues; and of the other
 * languages writers mix in: French "pas de fourmis", "sans", Tagalog "wala
 * namang pamamanhid", Hindi "bina", Polish "nie ma drętwienia". */
static const char *const context_neg_cues[] = {
	"sin",    "sem",    "nunca",   "nao",    "ni",      "nem",     "jamas",
	"jamais", "ningun", "ninguna", "nenhum", "nenhuma", "tampoco", "pas",
	"sans",   "wala",   "walang",  "bina",   "nie",     NULL,
};

/* Portuguese "no" is also "em o", in the: "caí no chão", "no banheiro",
 * "dormente no pé".  Before these words it is that, never a negation
 * (Spanish "no" always negates: "no puedo orinar"). */
static const char *const context_pt_no_before[] = {
	"chao",        "banheiro",     "pe",        "bumbum",   "joelho",
	"quadril",     "tornozelo",    "calcanhar", "pescoco",  "ombro",
	"braco",       "peito",        "gluteo",    "trabalho", "treino",
	"agachamento", "levantamento", "supino",    "carro",    "onibus",
	"sofa",        "chuveiro",     "quarto",    "meio",     "fim",
	"final",       "inicio",       "dia",       "domingo",  "sabado",
	"mes",         "ano",          "hospital",  "pronto",   "meu",
	"seu",         "lado",         "coccix",    "coccyx",   "sacro",
	"osso",        "nervo",        "gelo",      "degrau",   "piso",
	"tapete",      "colchao",      "posto",     "tendao",   "box",
	"cu",          "rabo",         "gesso",     "corpo",    "momento",
	"ultimo",      "primeiro",     "mesmo",     NULL,
};

/* Spanish and Portuguese fillers, on top of negation_fillers. */
static const char *const context_neg_fillers[] = {
	"de",     "la",    "el",    "los",     "las",    "en",     "mi",
	"meu",    "minha", "o",     "y",       "e",      "um",     "uma",
	"un",     "una",   "tengo", "tenho",   "tenia",  "tinha",  "siento",
	"sinto",  "hay",   "ha",    "tenido",  "tido",   "ningun", "nenhum",
	"namang", "naman", "ng",    "koi",     "des",    "du",     "le",
	"les",    "ma",    "mam",   "zadnego", "zadnej", "ani",    NULL,
};

/* An answer after the match: "numbness? nope", "tingling: no". */
static const char *const context_neg_answers[] = {
	"no",  "nope",  "nah", "none",    "never", "nada",  "negative", "zero",
	"nao", "nunca", "not", "nothing", "nahi",  "nahin", "wala",     NULL,
};

/* Contrast words: they end every scope ("had sciatica years ago but my
 * foot is numb"). */
static const char *const context_contrast[] = {
	"but",     "however", "though", "although", "yet",     "except",
	"whereas", "aside",   "apart",  "besides",  "instead", NULL,
};

/* Units of "N years ago" and "years back": days and weeks are recent. */
static const char *const context_hist_units[] = {
	"year",   "years",  "yr",      "yrs", "month",
	"months", "decade", "decades", NULL,
};

/* Words that may count a time unit: "a few years ago", "5 years ago". */
static const char *const context_quantity[] = {
	"a",      "an",    "few",   "couple", "many",   "several", "some",
	"one",    "two",   "three", "four",   "five",   "six",     "seven",
	"eight",  "nine",  "ten",   "eleven", "twelve", "fifteen", "twenty",
	"thirty", "forty", "fifty", NULL,
};

/* "in the past" is not historical when a span of time follows: "in the
 * past few days" is now. */
static const char *const context_past_span[] = {
	"few",   "couple", "several", "day",   "days",  "week",   "weeks",
	"month", "months", "year",    "years", "hour",  "hours",  "while",
	"two",   "three",  "24",      "48",    "night", "nights", NULL,
};

/* After "last": "last year", "last summer", "last month" (a week is
 * recent). */
static const char *const context_last_what[] = {
	"year",   "summer", "winter", "spring", "fall",
	"autumn", "decade", "month",  NULL,
};

/* After "when i was" or "as a": being young. */
static const char *const context_young[] = {
	"younger",  "young", "little", "small",   "kid",  "child", "teen",
	"teenager", "boy",   "girl",   "student", "kids", NULL,
};

/* What may follow an age after "when i was": "when i was 20 i had a
 * bladder problem", "when i was 12, ..." (a clause's end also will). */
static const char *const context_age_after[] = {
	"i", "and", "or", "my", "yrs", "years", "year", "yo", "old", "we", NULL,
};

/* After "back in": "back in 2019", "back in college". */
static const char *const context_back_in[] = {
	"college",  "school",   "highschool", "uni",       "university",
	"january",  "february", "march",      "april",     "may",
	"june",     "july",     "august",     "september", "october",
	"november", "december", "spring",     "summer",    "winter",
	"fall",     "autumn",   NULL,
};

/* "got used to it" is not "used to", nor is "not used to": "what im not
 * used to is being unable to pee" is new. */
static const char *const context_used_pseudo[] = {
	"got", "get", "gets", "getting", "am",     "im",  "be", "been",
	"is",  "are", "was",  "were",    "become", "not", NULL,
};

/* Words saying the symptom is there again or yet: anywhere in the
 * sentence they stop the match being historical ("had sciatica last year,
 * now the foot tingles again", "the tingling never went away"). */
static const char *const context_present[] = {
	"still",    "again",     "keeps",   "keep",  "keeping",
	"returned", "recurring", "ongoing", "never", NULL,
};

/* Words saying when: they stop the match being historical only in its own
 * clause ("my leg has been numb since 2019"), not in another clause about
 * another thing ("car accident 5 years ago, now just sore"). */
static const char *const context_present_when[] = {
	"now",       "currently", "current",  "today",    "since", "tonight",
	"yesterday", "lately",    "recently", "nowadays", NULL,
};

/* After "old" (or "old back"): an old injury is a past one. */
static const char *const context_old_what[] = {
	"injury",   "injuries", "crash",  "accident",
	"fracture", "break",    "trauma", NULL,
};

/* After "this": "this morning". */
static const char *const context_this_when[] = {
	"morning", "afternoon", "evening", "week", "weekend", "time", NULL,
};

/* Hypothetical triggers, each a phrase of words, checked where it starts.
 * "if" and "what if" are handled apart. */
static const char *const context_hyp_phrases[] = {
	"in case",
	"watch out for",
	"look out for",
	"watch for",
	"risk of",
	"risk for",
	"risks of",
	"possible to",
	"signs of",
	"sign of",
	"symptoms of",
	"symptom of",
	"warning signs",
	"ive heard",
	"i heard that",
	"read about",
	"reading about",
	"read that",
	"an article about",
	"can you get",
	"can you have",
	"can you fracture",
	"can you break",
	"can you develop",
	"can people get",
	"can lifters get",
	"can anyone get",
	"do people get",
	"do lifters get",
	"do people ever get",
	"how common is",
	"how common are",
	"how likely is",
	"how often do people",
	"how often do lifters",
	"is it common to",
	"is it common for",
	"is it true",
	"is that true",
	"hypothetically",
	"theoretically",
	/* a fear of what has not happened: "terrified of getting sciatica",
	 * "i worry that ill get cauda equina" */
	"scared of getting",
	"afraid of getting",
	"terrified of getting",
	"frightened of getting",
	"fear of getting",
	"worried about getting",
	"worried of getting",
	"paranoid about getting",
	"scared ill get",
	"afraid ill get",
	"worried ill get",
	"worry ill get",
	"that ill get",
	"dont want to get",
	"dont wanna get",
	"dont want to end up with",
	"never want to get",
	NULL,
};

/* "how do i prevent", "stretches to avoid", not "i cant avoid it". */
static const char *const context_hyp_prevent[] = {
	"prevent", "prevents", "preventing", "avoid", "avoiding", NULL,
};
static const char *const context_hyp_prevent_after[] = {
	"to", "i", "how", "we", "you", "help", "helps", NULL,
};

/* "can X cause": a verb of causing after a modal. */
static const char *const context_hyp_cause[] = {
	"cause",    "causes",    "give",       "gives",   "lead to",
	"leads to", "result in", "results in", "trigger", "triggers",
	"bring on", "make",      "makes",      NULL,
};

/* Modals that ask anywhere in a sentence, and those that ask only at its
 * start ("does lifting cause it", not "it does cause it"). */
static const char *const context_modal_any[] = {
	"can", "could", "might", "may", NULL,
};
static const char *const context_modal_first[] = {
	"does", "do", "would", "will", "did", NULL,
};
static const char *const context_wh[] = {
	"how", "why", "what", "when", "and", "or", NULL,
};

/* Before "if" or "whether": the writer is unsure of something real ("not
 * sure if its numbness", "cant tell if"), or it is a comparison ("feels as
 * if"). */
static const char *const context_if_pseudo[] = {
	"as",      "see",  "sure",  "know", "wonder", "wondering",
	"unsure",  "tell", "check", "ask",  "asking", "asked",
	"curious", "idk",  "dunno", "idek", "idea",   "clue",
	"certain", "kno",  "knw",   NULL,
};

/* Before "signs of": the writer has them ("i have signs of"). */
static const char *const context_signs_pseudo[] = {
	"have", "has",   "having", "had", "got",          "getting", "showing",
	"show", "shows", "ive",    "im",  "experiencing", NULL,
};

/* Subjects that end a hypothetical or historical scope from the 2nd word
 * after the trigger on. */
static const char *const context_subjects[] = {
	"my", "i", "im", "it", "its", "he", "she", "ive", "id", NULL,
};

/* Words that end a hypothetical scope wherever they are. */
static const char *const context_hyp_enders[] = {
	"but", "because", "already", "cuz", "coz", NULL,
};

/* Someone else: people a writer asks for. */
static const char *const context_people[] = {
	"dad",         "dads",       "father",      "fathers",   "mom",
	"moms",        "mum",        "mums",        "mother",    "mothers",
	"wife",        "wifes",      "husband",     "husbands",  "hubby",
	"son",         "sons",       "daughter",    "daughters", "brother",
	"brothers",    "sister",     "sisters",     "friend",    "friends",
	"buddy",       "buddys",     "client",      "clients",   "partner",
	"partners",    "girlfriend", "girlfriends", "boyfriend", "boyfriends",
	"gf",          "bf",         "coworker",    "coworkers", "worker",
	"colleague",   "colleagues", "grandma",     "grandpa",   "grandmother",
	"grandfather", "uncle",      "aunt",        "cousin",    "kid",
	"kids",        "child",      "children",    "boss",      "patient",
	"patients",    "roommate",   "teammate",    "teammates", "neighbor",
	"neighbour",   "fiance",     "fiancee",     "spouse",    "nephew",
	"niece",       "parent",     "parents",     "bro",       "athlete",
	"athletes",    "trainee",    "trainees",    "student",   "students",
	"mate",        "mates",      NULL,
};

/* Owners of a person: "my dad", "their kid". */
static const char *const context_owners[] = {
	"my", "our", "his", "her", "their", NULL,
};

/* Third persons as subject or owner. */
static const char *const context_third[] = {
	"he",   "she", "they", "his",    "her",    "their", "hes",
	"shes", "him", "them", "theyre", "theirs", NULL,
};

/* First persons: the writer speaks of themself again. */
static const char *const context_first[] = {
	"i", "im", "ive", "id", "ill", "me", "my", "mine", "myself", NULL,
};

/* ---- the words of a message against the lists, once per message ---- */

/* The lists a memo knows, one bit each: the word lists context_in asks
 * about, and the phrase lists of context_phrase_in (by their first words).
 * A list not named here is still right, only slower: context_in then walks
 * it every time. */
/* The words a historical trigger can end on (context_hist_end), besides
 * those of context_last_what, context_back_in and context_young and a
 * number: a word that is none of them is passed over without reading the
 * trigger's phrases.  A new trigger in context_hist_end adds its last word
 * here (test_context's test_gates checks every trigger still works). */
static const char *const context_hist_last[] = {
	"previously", "then", "time", "old",  "ago",      "back",
	"to",         "of",   "had",  "got",  "suffered", "experienced",
	"school",     "day",  "days", "past", NULL,
};

/* The words a hypothetical trigger can start on (context_hyp_trigger),
 * besides the first words of context_hyp_cause, context_hyp_prevent and
 * context_hyp_phrases. */
static const char *const context_hyp_first[] = {
	"if", "whether", "whats", "wats", "what", NULL,
};

#define CONTEXT_MEMO_WORDS  1024 /* slots for the lists' words, a power of 2 */
#define CONTEXT_MEMO_LSLOTS 256  /* slots for the lists, a power of 2 */

struct context_memo_word {
	const char *word; /* NULL: empty slot */
	size_t len;
	uint64_t lists; /* bit b: a word of context_memo_lists[b] */
};

struct context_memo {
	/* Built once by context_memo_new and then only read.  A list's slot
	 * is its address shifted right by shift: one without a collision is
	 * chosen, so a lookup reads one slot.  When none is found, or the
	 * words do not fit, lists stays empty and every list is walked. */
	struct context_memo_word words[CONTEXT_MEMO_WORDS];
	struct {
		const char *const *list;
		unsigned bit;
	} lists[CONTEXT_MEMO_LSLOTS];
	unsigned shift;
	/* The gates of the historical and hypothetical triggers as masks of
	 * lists (gates_known false: not every list of a gate has a bit). */
	uint64_t hist_gate, hyp_gate;
	bool gates_known;
	/* The message of the last context_memo_reset. */
	const char *text;
	const struct token *toks;
	size_t ntok;
	uint64_t tok_lists[TOKEN_MAX]; /* the lists each token is a word of */
	bool known[TOKEN_MAX];         /* tok_lists[i] worked out */
	/* The lists any token of the message is a word of, when every
	 * token's are known (msg_known). */
	uint64_t msg_lists;
	bool msg_known;
	/* The sentence of token sent_of (SIZE_MAX: none yet) runs from
	 * sent_start to sent_end: a judgement asks up to four times. */
	size_t sent_of, sent_start, sent_end;
};

static size_t
context_memo_hash(const char *s, size_t n)
{
	return hash_fnv1a(s, n);
}

static size_t
context_memo_list_slot(const char *const *list, unsigned shift)
{
	return ((uintptr_t)list >> shift) & (CONTEXT_MEMO_LSLOTS - 1);
}

/* Adds word (the first word of a phrase) to list bit b; false when full. */
static bool
context_memo_add(struct context_memo *memo, const char *word, unsigned b)
{
	const char *sp = strchr(word, ' ');
	size_t n = sp ? (size_t)(sp - word) : strlen(word);
	size_t i = context_memo_hash(word, n) & (CONTEXT_MEMO_WORDS - 1);

	for (size_t tries = 0; tries < CONTEXT_MEMO_WORDS; tries++) {
		struct context_memo_word *w = &memo->words[i];
		if (w->word == NULL) {
			w->word = word;
			w->len = n;
		}
		if (w->len == n && memcmp(w->word, word, n) == 0) {
			w->lists |= UINT64_C(1) << b;
			return true;
		}
		i = (i + 1) & (CONTEXT_MEMO_WORDS - 1);
	}
	return false;
}

void
context_memo_free(struct context_memo *memo)
{
	free(memo);
}

void
context_memo_reset(struct context_memo *memo, const char *text,
                   const struct token *toks, size_t ntok)
{
	if (ntok > TOKEN_MAX)
		ntok = TOKEN_MAX;
	memo->text = text;
	memo->toks = toks;
	memo->ntok = ntok;
	memset(memo->known, 0, ntok * sizeof(memo->known[0]));
	memo->sent_of = SIZE_MAX;
	memo->msg_known = false;
}

/* The bit of list in a memo, or -1 when the memo does not know it. */
static inline int
context_memo_bit(const struct context_memo *memo, const char *const *list)
{
	size_t i = context_memo_list_slot(list, memo->shift);

	return memo->lists[i].list == list ? (int)memo->lists[i].bit : -1;
}

uint64_t
context_memo_word(const struct context_memo *memo, const char *w, size_t n)
{
	for (size_t j = context_memo_hash(w, n) & (CONTEXT_MEMO_WORDS - 1);
	     memo->words[j].word != NULL;
	     j = (j + 1) & (CONTEXT_MEMO_WORDS - 1))
		if (memo->words[j].len == n &&
		    memcmp(memo->words[j].word, w, n) == 0)
			return memo->words[j].lists;
	return 0;
}

void
context_memo_reset_known(struct context_memo *memo, const char *text,
                         const struct token *toks, size_t ntok,
                         const uint64_t *lists)
{
	context_memo_reset(memo, text, toks, ntok);
	memcpy(memo->tok_lists, lists, memo->ntok * sizeof(*lists));
	memset(memo->known, 1, memo->ntok * sizeof(memo->known[0]));
	memo->msg_lists = 0;
	for (size_t i = 0; i < memo->ntok; i++)
		memo->msg_lists |= lists[i];
	memo->msg_known = true;
}

/* Works out the lists token i is a word of. */
static uint64_t
context_memo_lookup(const struct context_msg *m, size_t i)
{
	struct context_memo *memo = m->memo;
	uint64_t lists = context_memo_word(memo, m->text + m->t[i].start,
	                                   m->t[i].end - m->t[i].start);

	memo->tok_lists[i] = lists;
	memo->known[i] = true;
	return lists;
}

/* The lists token i (< m->n) is a word of, worked out on first use. */
static inline uint64_t
context_memo_token(const struct context_msg *m, size_t i)
{
	return m->memo->known[i] ? m->memo->tok_lists[i]
	                         : context_memo_lookup(m, i);
}

/* Whether a word of the message may be in list (or start a phrase of
 * it): false only when the memo knows every token's lists and none is. */
static inline bool
context_msg_may_have(const struct context_msg *m, const char *const *list)
{
	if (m->memo == NULL || !m->memo->msg_known)
		return true;
	int b = context_memo_bit(m->memo, list);
	return b < 0 || ((m->memo->msg_lists >> b) & 1);
}

static inline bool
context_in(const struct context_msg *m, size_t i, const char *const *list)
{
	if (i >= m->n)
		return false;
	if (m->memo != NULL) {
		int b = context_memo_bit(m->memo, list);
		if (b >= 0)
			return (context_memo_token(m, i) >> b) & 1;
	}
	return negation_word_in(list, m->text + m->t[i].start,
	                        m->t[i].end - m->t[i].start);
}

/* The mask of lists' bits, or false when a list has none. */
static bool
context_memo_mask(const struct context_memo *memo,
                  const char *const *const *lists, size_t n, uint64_t *mask)
{
	*mask = 0;
	for (size_t k = 0; k < n; k++) {
		int b = context_memo_bit(memo, lists[k]);
		if (b < 0)
			return false;
		*mask |= UINT64_C(1) << b;
	}
	return true;
}

/* Whether token i may be a word of one of the lists of a gate (mask, made
 * once by context_memo_new): false only when the memo knows every list and
 * the token is a word (or a phrase's first word) of none, true when it
 * cannot tell. */
static bool
context_maybe_in(const struct context_msg *m, size_t i, uint64_t mask)
{
	if (m->memo == NULL || !m->memo->gates_known || i >= m->n)
		return true;
	return (context_memo_token(m, i) & mask) != 0;
}

/* Inlined so that each call site's word has a constant length. */
__attribute__((always_inline)) static inline bool
context_is(const struct context_msg *m, size_t i, const char *word)
{
	return i < m->n && token_is(m->text, &m->t[i], word);
}

/* Whether tokens i and j are in the same clause. */
static bool
context_same_clause(const struct context_msg *m, size_t i, size_t j)
{
	return i < m->n && j < m->n && m->t[i].clause == m->t[j].clause;
}

/* Whether token k is "my" after "in", "on" or "down" ("numb in my toes"),
 * which does not start a new statement. */
static bool
context_in_my(const struct context_msg *m, size_t k)
{
	return context_is(m, k, "my") && k > 0 &&
	       (context_is(m, k - 1, "in") || context_is(m, k - 1, "on") ||
	        context_is(m, k - 1, "down"));
}

/* The number of words of phrase (words separated by one space) that the
 * tokens from i spell, all in one clause, or 0. */
__attribute__((always_inline)) static inline size_t
context_phrase(const struct context_msg *m, size_t i, const char *phrase)
{
	const char *p = phrase;
	size_t k = 0;

	while (*p != '\0') {
		size_t j = i + k;
		/* most phrases fail on their first letter */
		if (j >= m->n || m->text[m->t[j].start] != *p)
			return 0;
		/* the word of the phrase is the token's bytes followed by a
		 * space or the end: compared without measuring it first */
		const char *w = m->text + m->t[j].start;
		size_t len = m->t[j].end - m->t[j].start, q = 1;

		while (q < len && p[q] != '\0' && p[q] != ' ' && p[q] == w[q])
			q++;
		if (q < len || (p[len] != ' ' && p[len] != '\0') ||
		    !context_same_clause(m, i, j))
			return 0;
		k++;
		p += len;
		if (*p == ' ')
			p++;
	}
	return k;
}

/* The first phrase of list spelled from i: its number of words, or 0. */
static size_t
context_phrase_in(const struct context_msg *m, size_t i,
                  const char *const *list)
{
	if (i >= m->n)
		return 0;
	unsigned char c = (unsigned char)m->text[m->t[i].start];
	uint32_t bit = c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 1u << 26;
	if (!(negation_list_letters(list) & bit))
		return 0;
	if (m->memo != NULL) { /* no phrase of the list starts with it */
		int b = context_memo_bit(m->memo, list);
		if (b >= 0 && !((context_memo_token(m, i) >> b) & 1))
			return 0;
	}
	for (; *list; list++) {
		size_t k = context_phrase(m, i, *list);
		if (k > 0)
			return k;
	}
	return 0;
}

static void
context_set(struct context_result *r, enum context_flag f, size_t first,
            size_t last)
{
	unsigned bit = 0;

	while (bit + 1 < CONTEXT_FLAGS && !((unsigned)f & (1u << bit)))
		bit++;
	r->flags |= (unsigned)f;
	r->cue[bit].first = (uint16_t)first;
	r->cue[bit].last = (uint16_t)last;
}

/* The first and last tokens of the sentence token i is in. */
static void
context_sentence(const struct context_msg *m, size_t i, size_t *start,
                 size_t *end)
{
	size_t s = i, e = i;

	if (m->memo != NULL && m->memo->sent_of == i) {
		*start = m->memo->sent_start;
		*end = m->memo->sent_end;
		return;
	}
	while (s > 0 && m->t[s - 1].sentence == m->t[i].sentence)
		s--;
	while (e + 1 < m->n && m->t[e + 1].sentence == m->t[i].sentence)
		e++;
	*start = s;
	*end = e;
	if (m->memo != NULL) {
		m->memo->sent_of = i;
		m->memo->sent_start = s;
		m->memo->sent_end = e;
	}
}

/* ---- negation ---- */

/* A negating word at k: its last token in *last ("free of" has two). */
static bool
context_neg_cue(const struct context_msg *m, size_t k, size_t *last)
{
	if (context_in(m, k, negation_cues) ||
	    context_in(m, k, context_neg_cues)) {
		if (context_in(m, k + 1, context_pt_no_before) &&
		    context_is(m, k, "no"))
			return false; /* "caí no chão": in the floor */
		*last = k;
		return true;
	}
	if (context_is(m, k, "free") && context_is(m, k + 1, "of")) {
		*last = k + 1;
		return true;
	}
	return false;
}

/* A feeling or control that a negating word says is lost, and where: "no
 * feeling in my bum", "no sensation down there", "not feel your own poop",
 * "dont feel my foot", "no control down there", "no control over my
 * bladder".  The words are the loss itself (cant_feel), not a denial
 * of what follows; "no feeling of numbness", "dont feel any tingling" and
 * "dont feel the numbness now" stay negations. */
static const char *const context_neg_lost[] = {
	"feel", "feeling", "sensation", "control", NULL,
};
static const char *const context_neg_lost_where[] = {
	"in",   "on",    "around", "at",       "down", "below",
	"from", "my",    "your",   "own",      "his",  "her",
	"when", "while", "over",   "anything", NULL,
};

/* Whether the words after a negating word ending at k undo it: "not sure",
 * "no idea", "no change", "never felt anything like"; a feeling said lost
 * (context_neg_lost). */
static bool
context_neg_pseudo(const struct context_msg *m, size_t k)
{
	if (context_in(m, k + 1, negation_pseudo))
		return true;
	if (context_in(m, k + 1, context_neg_lost) &&
	    context_in(m, k + 2, context_neg_lost_where) &&
	    context_same_clause(m, k, k + 2))
		return true;
	for (size_t j = k + 1; j <= k + 2; j++)
		if ((context_is(m, j, "anything") ||
		     context_is(m, j, "something")) &&
		    context_is(m, j + 1, "like"))
			return true;
	return false;
}

static bool
context_neg_filler(const struct context_msg *m, size_t k)
{
	return context_in(m, k, negation_fillers) ||
	       context_in(m, k, context_neg_fillers);
}

/* Subjects after "and" that start a new statement, out of a negation's
 * scope. */
static const char *const context_and_subject[] = {
	"the", "i", "it", "he", "she", "they", "then", "suddenly", "now", NULL,
};

/* What a writer would not say: "i wouldnt say theres any numbness", "cant
 * say ive had tingling", "i wouldnt say my leg is weak".  The word after
 * "say" at k, a subject that would end the negation's scope, starts no new
 * statement; the cue is "wouldnt say" before it (not "its": "i wouldnt say
 * its numb exactly" hedges). */
static const char *const context_say_not[] = {
	"wouldnt",
	"cant",
	"couldnt",
	NULL,
};
static const char *const context_say_what[] = {
	"theres", "i", "ive", "my", NULL,
};

static bool
context_neg_say(const struct context_msg *m, size_t k, struct context_cue *cue)
{
	if (k < 2 || !context_is(m, k - 1, "say") ||
	    !context_in(m, k, context_say_what) ||
	    !context_in(m, k - 2, context_say_not) ||
	    !context_same_clause(m, k - 2, k))
		return false;
	cue->first = (uint16_t)(k - 2);
	cue->last = (uint16_t)(k - 1);
	return true;
}

/* A negating word before the match, in its clause, within the window. */
/* A checklist of negations, "no tingling no numbness no fever 3 weeks":
 * when the cue at k..cl follows another cue of its clause, it negates the
 * word after it, not a count further on ("3 weeks" is how long). */
static bool
context_neg_list_ends(const struct context_msg *m, size_t k, size_t cl,
                      size_t first)
{
	size_t ocl;

	if (first <= cl + 1 || !((m->t[first].flags & TOKEN_NUMBER) ||
	                         context_in(m, first, context_quantity)))
		return false;
	for (size_t j = k; j-- > 0 && context_same_clause(m, j, k);)
		if (context_neg_cue(m, j, &ocl) && ocl < k)
			return true;
	return false;
}

/* A list of negated things across commas: "no tingling, numbness or
 * anything down my legs".  The match opens its clause (or follows an
 * "or", "nor" or "and" of its first few words: "no fever, numbness or
 * tingling"), the clause has an "or" or "nor" that closes the list, and
 * the clauses before it back to a negating word are single items of up to
 * three words: "no fever, numbness in my left leg" names a symptom. */
static bool
context_neg_list_before(const struct context_msg *m, size_t first,
                        struct context_cue *cue)
{
	size_t cs = first, k, cl;
	bool closes = false;

	while (cs > 0 && context_same_clause(m, cs - 1, first))
		cs--;
	if (cs == 0 || (cs != first && !(first - cs <= 3 &&
	                                 (context_is(m, first - 1, "or") ||
	                                  context_is(m, first - 1, "nor") ||
	                                  context_is(m, first - 1, "and")))))
		return false;
	/* the "or" may come in a later item: "no numbness, fever, weight
	 * loss or bladder trouble" */
	for (size_t is = cs, items = 0; items < 4 && !closes; items++) {
		for (k = is; k < m->n && context_same_clause(m, k, is); k++)
			closes = closes || context_is(m, k, "or") ||
			         context_is(m, k, "nor");
		if (closes || k >= m->n || k - is > 3 ||
		    m->t[k].sentence != m->t[first].sentence)
			break;
		is = k;
	}
	if (!closes)
		return false;
	for (unsigned items = 0; items < 4 && cs > 0; items++) {
		size_t pe = cs - 1, ps = pe;
		if (m->t[pe].sentence != m->t[first].sentence)
			return false;
		while (ps > 0 && context_same_clause(m, ps - 1, pe))
			ps--;
		/* the negating word may open the item or follow a few words
		 * ("back sore but no tingling") */
		for (k = ps; k <= pe; k++)
			if (context_neg_cue(m, k, &cl) && cl < pe &&
			    pe - cl <= 3 && !context_neg_pseudo(m, cl)) {
				cue->first = (uint16_t)k;
				cue->last = (uint16_t)cl;
				return true;
			}
		if (pe - ps >= 3)
			return false;
		cs = ps;
	}
	return false;
}

static bool
context_negated_before(const struct context_msg *m, size_t first,
                       struct context_cue *cue)
{
	unsigned content = 0;

	for (size_t k = first; k-- > 0 && first - k <= CONTEXT_REACH;) {
		size_t cl;

		if (!context_same_clause(m, k, first))
			return context_neg_list_before(m, first, cue);
		if (context_neg_cue(m, k, &cl) && cl < first) {
			if (context_neg_pseudo(m, cl))
				return false;
			if (context_neg_list_ends(m, k, cl, first))
				return false;
			cue->first = (uint16_t)k;
			cue->last = (uint16_t)cl;
			return true;
		}
		bool filler = context_neg_filler(m, k);
		if (context_in(m, k, negation_terminators) && !filler)
			return context_neg_say(m, k, cue);
		if (context_in(m, k, context_contrast))
			return false;
		/* "my" opens a new statement, except in "in my leg" */
		if (context_is(m, k, "my") &&
		    !(k > 0 && context_is(m, k - 1, "in")))
			return context_neg_say(m, k, cue);
		/* so does "and" before a subject: "no safeties and the bar
		 * came down on me" */
		if (context_is(m, k, "and") && k + 1 < first &&
		    context_in(m, k + 1, context_and_subject))
			return false;
		if (!filler && ++content > NEGATION_WINDOW)
			return false;
	}
	return false;
}

/* Feeling words: "nothing" after one is what was felt. */
static const char *const context_felt[] = {
	"felt", "feel", "feels", "feeling", NULL,
};

/* An answer after the match: "numbness? nope", "numb not really". */
static bool
context_negated_after(const struct context_msg *m, size_t last,
                      struct context_cue *cue)
{
	bool crossed = false;

	for (size_t k = last + 1; k < m->n && k <= last + 3; k++) {
		const struct token *p = &m->t[k - 1];

		if (p->flags & TOKEN_CLAUSE_END) {
			if (crossed || !(p->after == '?' || p->after == ':' ||
			                 p->after == '-' || p->after == ','))
				return false;
			crossed = true;
		}
		if (context_in(m, k, context_neg_answers)) {
			size_t cl = k;

			/* "peed and felt nothing": what was felt, no answer */
			if (k > last + 1 && context_in(m, k - 1, context_felt))
				return false;
			bool end = (m->t[k].flags & TOKEN_CLAUSE_END) != 0;

			if (context_same_clause(m, k, k + 1) &&
			    context_is(m, k + 1, "really")) {
				cl = k + 1;
				end = true;
			} else if (context_same_clause(m, k, k + 2) &&
			           context_is(m, k + 1, "at") &&
			           context_is(m, k + 2, "all")) {
				cl = k + 2;
				end = true;
			} else if (context_is(m, k, "not")) {
				end = false; /* "numb not sure why" */
			}
			if (!end)
				return false;
			cue->first = (uint16_t)k;
			cue->last = (uint16_t)cl;
			return true;
		}
		if (!context_in(m, k, negation_fillers))
			return false;
	}
	return false;
}

/* Words of a belief the writer may take back: "thought my leg was numb". */
static const char *const context_belief[] = {
	"thought", "thot",    "sure",    "seemed",
	"assumed", "figured", "guessed", NULL,
};

/* Words taking back what was just said as a joke or a figure of speech:
 * "my legs went numb... from boredom jk", "i feel numb... emotionally";
 * context_joke_strong may also do it from the next sentence. */
static const char *const context_joke[] = {
	"jk",
	"just kidding",
	"just joking",
	"kidding",
	"joking",
	"emotionally",
	"not literally",
	"figuratively",
	"metaphorically",
	"jking",
	NULL,
};
static const char *const context_joke_strong[] = {
	"jk",          "jking",         "just kidding", "just joking",
	"emotionally", "not literally", NULL,
};

/* A joke word after the match in its sentence, not denied ("not
 * joking"), or a strong one in a short next sentence ("my legs went
 * numb... from boredom on the bike jk"): its span in *cue. */
static bool
context_joke_after(const struct context_msg *m, size_t last, size_t se,
                   struct context_cue *cue)
{
	size_t ns = se + 1, ne = se;

	if (!context_msg_may_have(m, context_joke))
		return false;
	if (ns < m->n) {
		size_t s0;
		context_sentence(m, ns, &s0, &ne);
		if (ne - ns > 10)
			ne = se;
	}
	for (size_t k = last + 1; k <= ne; k++) {
		size_t n = context_phrase_in(
		    m, k, k <= se ? context_joke : context_joke_strong);
		if (n == 0)
			continue;
		if (k > 0 && (context_is(m, k - 1, "not") ||
		              context_is(m, k - 1, "no") ||
		              context_is(m, k - 1, "never") ||
		              context_is(m, k - 1, "im")))
			return false;
		cue->first = (uint16_t)k;
		cue->last = (uint16_t)(k + n - 1);
		return true;
	}
	return false;
}

/* A belief taken back after the match: "thought my leg was numb but nope",
 * "pretty sure my leg was numb. no actually it was my arm".  Only after a
 * word of belief before the match in its sentence; the answer is "nope",
 * "nah" or "no" ending its clause after "but", or "no actually" / "no
 * wait" opening the next sentence. */
static bool
context_taken_back(const struct context_msg *m, size_t first, size_t last,
                   struct context_cue *cue)
{
	size_t ss, se, a = SIZE_MAX, b = 0;

	context_sentence(m, first, &ss, &se);
	if (context_joke_after(m, last, se, cue))
		return true;
	for (size_t k = last + 1; k <= se && k <= last + 4; k++)
		if (context_is(m, k, "but") &&
		    (context_is(m, k + 1, "nope") ||
		     context_is(m, k + 1, "nah") ||
		     context_is(m, k + 1, "no")) &&
		    (k + 2 >= m->n || !context_same_clause(m, k + 1, k + 2))) {
			a = b = k + 1;
			break;
		}
	if (a == SIZE_MAX && se + 2 < m->n && m->t[se].after == '.' &&
	    (context_is(m, se + 1, "no") || context_is(m, se + 1, "nope") ||
	     context_is(m, se + 1, "nah")) &&
	    (context_is(m, se + 2, "actually") ||
	     context_is(m, se + 2, "wait"))) {
		a = se + 1;
		b = se + 2;
	}
	if (a == SIZE_MAX)
		return false;
	for (size_t k = ss; k < first; k++)
		if (context_in(m, k, context_belief)) {
			cue->first = (uint16_t)a;
			cue->last = (uint16_t)b;
			return true;
		}
	return false;
}

/* ---- historical ---- */

/* Words naming a symptom as a thing: "the numb bum thing". */
static const char *const context_over_thing[] = {
	"thing", "feeling", "sensation", "issue", "problem", "stuff", NULL,
};

/* Words before "now" that make it say a thing is over: "gone now". */
static const char *const context_over_now[] = {
	"gone",   "away", "resolved", "healed", "fine",
	"better", "over", "cleared",  NULL,
};

/* Whether a word of the sentence [s, e] says the match [first, last] is
 * present now: one of context_present anywhere, one of when in the
 * match's own clause. */
static bool
context_present_now(const struct context_msg *m, size_t s, size_t e,
                    size_t first, size_t last)
{
	bool present = context_msg_may_have(m, context_present),
	     when = context_msg_may_have(m, context_present_when),
	     this_when = context_msg_may_have(m, context_this_when);

	for (size_t k = s; k <= e; k++) {
		bool own = context_same_clause(m, k, first) ||
		           context_same_clause(m, k, last);
		if (present && context_in(m, k, context_present))
			return true;
		/* "thats gone now", "fine now", "but not since": over, not
		 * present */
		if (when && own && context_in(m, k, context_present_when) &&
		    !(k > 0 && context_same_clause(m, k - 1, k) &&
		      (context_in(m, k - 1, context_over_now) ||
		       context_is(m, k - 1, "not") ||
		       context_is(m, k - 1, "never"))))
			return true;
		if (context_is(m, k + 1, "back") &&
		    (context_is(m, k, "came") || context_is(m, k, "comes") ||
		     context_is(m, k, "coming") || context_is(m, k, "is") ||
		     context_is(m, k, "its")))
			return true;
		if (this_when && own && context_is(m, k, "this") &&
		    context_in(m, k + 1, context_this_when))
			return true;
	}
	return false;
}

/* The start of a count before a time unit at u: "a few years", "5
 * years", "years". */
static size_t
context_count_start(const struct context_msg *m, size_t u)
{
	size_t s = u;

	if (s > 0 && context_same_clause(m, s - 1, u) &&
	    ((m->t[s - 1].flags & TOKEN_NUMBER) ||
	     context_in(m, s - 1, context_quantity)))
		s--;
	if (s < u && s > 0 && context_same_clause(m, s - 1, u) &&
	    (context_is(m, s, "few") || context_is(m, s, "couple")) &&
	    context_is(m, s - 1, "a"))
		s--;
	return s;
}

/* Whether phrase starts d tokens before k, in the clause of k; its start
 * in *s. */
static bool
context_phrase_back(const struct context_msg *m, size_t k, size_t d,
                    const char *phrase, size_t *s)
{
	if (k < d || !context_same_clause(m, k - d, k) ||
	    context_phrase(m, k - d, phrase) == 0)
		return false;
	*s = k - d;
	return true;
}

/* A historical trigger ending at token k: its span in *s, *e.  Anchored at
 * its last word, so "5 years ago" is found at "ago". */
static bool
context_hist_end(const struct context_msg *m, size_t k, size_t ss, size_t first,
                 size_t last, size_t *s, size_t *e)
{
	(void)ss;
	(void)first;
	*s = *e = k;
	if (k < m->n && !(m->t[k].flags & TOKEN_NUMBER) &&
	    !context_maybe_in(m, k, m->memo ? m->memo->hist_gate : 0))
		return false;
	if (context_is(m, k, "previously"))
		return true;
	/* "back then", "at the time" */
	if (context_is(m, k, "then") && k > 0 && context_is(m, k - 1, "back") &&
	    context_same_clause(m, k - 1, k)) {
		*s = k - 1;
		return true;
	}
	if (context_is(m, k, "time") && k > 1 && context_is(m, k - 1, "the") &&
	    context_is(m, k - 2, "at") && context_same_clause(m, k - 2, k)) {
		*s = k - 2;
		return true;
	}
	/* "old injury", "old back injury" */
	if (context_is(m, k, "old") &&
	    (context_in(m, k + 1, context_old_what) ||
	     (context_is(m, k + 1, "back") &&
	      context_in(m, k + 2, context_old_what))))
		return true;
	/* "5 years ago", "a few years back", "a long time ago", "long ago" */
	if ((context_is(m, k, "ago") || context_is(m, k, "back")) && k > 0 &&
	    context_same_clause(m, k - 1, k)) {
		if (context_in(m, k - 1, context_hist_units)) {
			*s = context_count_start(m, k - 1);
			return true;
		}
		if (context_is(m, k, "ago") && context_is(m, k - 1, "long")) {
			*s = k - 1;
			return true;
		}
		if (context_is(m, k, "ago") && context_is(m, k - 1, "time") &&
		    k > 1 && context_is(m, k - 2, "long")) {
			*s = k - 2;
			return true;
		}
	}
	if (k == 0)
		return false;
	*s = k - 1;
	/* "used to", unless "got used to" */
	if (context_is(m, k, "to") && context_is(m, k - 1, "used") &&
	    context_same_clause(m, k - 1, k))
		return !(k > 1 && context_same_clause(m, k - 2, k) &&
		         context_in(m, k - 2, context_used_pseudo));
	if (context_phrase(m, k - 1, "history of") == 2 ||
	    context_phrase(m, k - 1, "hx of") == 2)
		return true;
	/* "once had" */
	if (context_is(m, k - 1, "once") && context_same_clause(m, k - 1, k) &&
	    (context_is(m, k, "had") || context_is(m, k, "got") ||
	     context_is(m, k, "experienced") || context_is(m, k, "suffered")))
		return true;
	/* "last year" */
	if (context_is(m, k - 1, "last") && context_same_clause(m, k - 1, k) &&
	    context_in(m, k, context_last_what))
		return true;
	/* "back in 2019", "back in college", "back in high school", "back in
	 * the day" */
	if (((m->t[k].flags & TOKEN_NUMBER) ||
	     context_in(m, k, context_back_in)) &&
	    context_phrase_back(m, k, 2, "back in", s))
		return true;
	/* "in 2019": a year of the past century or this one; "car accident
	 * 2019" with the year right after the match, not "since 2019" */
	if ((m->t[k].flags & TOKEN_NUMBER) &&
	    m->t[k].end - m->t[k].start == 4 &&
	    (strncmp(m->text + m->t[k].start, "19", 2) == 0 ||
	     strncmp(m->text + m->t[k].start, "20", 2) == 0)) {
		if (context_phrase_back(m, k, 1, "in", s))
			return true;
		if (k == last + 1 && context_same_clause(m, last, k)) {
			*s = k;
			return true;
		}
	}
	if (((context_is(m, k, "school") && context_is(m, k - 1, "high")) ||
	     ((context_is(m, k, "day") || context_is(m, k, "days")) &&
	      context_is(m, k - 1, "the"))) &&
	    context_phrase_back(m, k, 3, "back in", s))
		return true;
	/* "when i was younger", "when i was a kid", "when i was in college",
	 * "when i was in high school" */
	if (context_in(m, k, context_young) &&
	    context_phrase_back(m, k, 3, "when i was", s))
		return true;
	if ((context_in(m, k, context_young) ||
	     context_in(m, k, context_back_in)) &&
	    (context_is(m, k - 1, "a") || context_is(m, k - 1, "in")) &&
	    context_phrase_back(m, k, 4, "when i was", s))
		return true;
	if (context_is(m, k, "school") && context_is(m, k - 1, "high") &&
	    context_phrase_back(m, k, 5, "when i was in", s))
		return true;
	/* "when i was 12", "when i was 20 i had": an age, not "when i was 2
	 * weeks in" */
	if ((m->t[k].flags & TOKEN_NUMBER) &&
	    context_phrase_back(m, k, 3, "when i was", s))
		return !(k + 1 < m->n && context_same_clause(m, k, k + 1) &&
		         !context_in(m, k + 1, context_age_after));
	if (k < 2)
		return false;
	*s = k - 2;
	/* "in the past", unless "in the past few days" */
	if (context_phrase(m, k - 2, "in the past") == 3)
		return !(context_same_clause(m, k, k + 1) &&
		         (context_in(m, k + 1, context_past_span) ||
		          (m->t[k + 1].flags & TOKEN_NUMBER)));
	if (context_phrase(m, k - 2, "as a") == 2 &&
	    context_same_clause(m, k - 2, k) && context_in(m, k, context_young))
		return true;
	return false;
}

/* Finds a trigger, either before the match (the span it returns ends before
 * first) or after it; the start of the sentence is ss. */
typedef bool context_trigger_fn(const struct context_msg *m, size_t k,
                                size_t ss, size_t first, size_t last, size_t *s,
                                size_t *e);

/* Walks back from the match to the nearest trigger whose scope reaches it:
 * in the sentence and CONTEXT_REACH, not beyond an ender or "and now", and
 * with no subject two or more words after the trigger ("if i lift my leg
 * goes numb"); with in_my, "in my" is no subject. */
static bool
context_scope_back(const struct context_msg *m, size_t ss, size_t first,
                   size_t last, context_trigger_fn *trigger,
                   const char *const *enders, bool in_my,
                   struct context_cue *cue)
{
	size_t s, e, subject = SIZE_MAX; /* the subject nearest the match */

	for (size_t k = first; k-- > ss && first - k <= CONTEXT_REACH;) {
		if (trigger(m, k, ss, first, last, &s, &e) && s >= ss &&
		    (subject == SIZE_MAX || subject < e + 2)) {
			cue->first = (uint16_t)s;
			cue->last = (uint16_t)e;
			return true;
		}
		if (context_in(m, k, enders) ||
		    (context_is(m, k, "now") && k > ss &&
		     context_is(m, k - 1, "and")))
			return false;
		if (subject == SIZE_MAX && context_in(m, k, context_subjects) &&
		    !(in_my && context_in_my(m, k)))
			subject = k;
	}
	return false;
}

/* Said to be over, at the start of the clause after a match: "totally
 * gone", "all cleared up", "fine for years". */
static const char *const context_resolved[] = {
	"totally gone",
	"completely gone",
	"long gone",
	"all gone",
	"cleared up",
	"all cleared up",
	"fully healed",
	"totally healed",
	"completely healed",
	"fully recovered",
	"recovered completely",
	"recovered fully",
	"fine for years",
	"fine since",
	"been fine since",
	"no issues since",
	"no problems since",
	"resolved",
	NULL,
};

/* Verbs of having had something: "had sciatica", "got numbness". */
static const char *const context_had[] = {
	"had", "got", "suffered", "experienced", NULL,
};

/* "had sciatica, totally gone": a match in a clause that says it was had,
 * and the next clause of the sentence starting (after "and", "its", "all"
 * or "but") with a phrase saying it is over.  Only then: "my foot is numb,
 * back pain totally gone" is not over. */
static bool
context_resolved_after(const struct context_msg *m, size_t first, size_t last,
                       size_t ss, size_t se, struct context_cue *cue)
{
	size_t cs = first, k = last + 1;
	bool had = false;

	while (cs > ss && context_same_clause(m, cs - 1, first))
		cs--;
	for (size_t j = cs; j < first; j++)
		had = had || context_in(m, j, context_had);
	while (k <= se && context_same_clause(m, k, last))
		k++;
	if (!had || k > se)
		return false;
	for (size_t j = k; j <= se && j < k + 3 && context_same_clause(m, j, k);
	     j++) {
		size_t n = context_phrase_in(m, j, context_resolved);
		if (n > 0) {
			cue->first = (uint16_t)j;
			cue->last = (uint16_t)(j + n - 1);
			return true;
		}
		if (!context_is(m, j, "and") && !context_is(m, j, "its") &&
		    !context_is(m, j, "it") && !context_is(m, j, "but") &&
		    !context_is(m, j, "all") && !context_is(m, j, "is"))
			return false;
	}
	return false;
}

/* ---- resolved ---- */

/* Words saying a symptom is over, after it: "went away", "is gone",
 * "cleared up", "it came back 100%" (the feeling did), "ja passou". */
static const char *const context_over[] = {
	"went away",
	"gone away",
	"gone",
	"resolved",
	"disappeared",
	"subsided",
	"faded",
	"healed",
	"recovered",
	"cleared up",
	"cleared",
	"vanished",
	"stopped",
	"wore off",
	"worn off",
	"back to normal",
	"came back 100",
	"came back fully",
	"came back completely",
	"came back totally",
	"came back normal",
	"all better",
	"recuperado",
	"recuperada",
	"curado",
	"curada",
	"passou",
	"se fue",
	"se me paso",
	"desaparecio",
	"sumiu",
	NULL,
};

/* Words that may stand between a symptom and the words saying it is over:
 * "the numb bum thing from yesterday is totally gone", "the foot drop i
 * had after surgery in 2020 resolved".  Any other word (a new subject, a
 * pain, a body part outside "in my ...") ends the search: "my foot is numb
 * and the back pain went away" is not over. */
static const char *const context_over_between[] = {
	"is",
	"was",
	"has",
	"had",
	"have",
	"been",
	"it",
	"its",
	"that",
	"thats",
	"this",
	"which",
	"all",
	"totally",
	"completely",
	"fully",
	"finally",
	"now",
	"pretty",
	"much",
	"and",
	"then",
	"just",
	"thing",
	"feeling",
	"sensation",
	"stuff",
	"issue",
	"problem",
	"for",
	"a",
	"an",
	"the",
	"bit",
	"few",
	"last",
	"month",
	"months",
	"week",
	"weeks",
	"day",
	"days",
	"year",
	"years",
	"yr",
	"yrs",
	"ago",
	"yesterday",
	"from",
	"after",
	"surgery",
	"op",
	"operation",
	"i",
	"got",
	"felt",
	"but",
	"later",
	"eventually",
	"slowly",
	"ja",
	"ya",
	"ano",
	"anos",
	"passado",
	"pasado",
	"hace",
	"ha",
	"de",
	"el",
	"la",
	"o",
	"a",
	"mes",
	"meses",
	"semana",
	"in",
	"on",
	"completamente",
	"totalmente",
	"already",
	"long",
	"since",
	"told",
	"you",
	"about",
	"mentioned",
	"said",
	"like",
	"hour",
	"hours",
	"minute",
	"minutes",
	"min",
	"mins",
	"while",
	"moment",
	"were",
	"couple",
	"morning",
	"night",
	"summer",
	"winter",
	"spring",
	"autumn",
	"earlier",
	"weekend",
	"entirely",
	NULL,
};

/* Words after which an over-word means less than over ("almost gone",
 * "not fully gone"), and words anywhere in the sentence saying it is not
 * over or not for good ("went away for a bit", "comes and goes"). */
static const char *const context_over_partly[] = {
	"almost", "nearly",   "mostly", "partly", "partially", "half",
	"kinda",  "somewhat", "never",  "not",    NULL,
};
static const char *const context_over_not[] = {
	"sometimes",      "until",      "except",     "briefly", "temporarily",
	"mostly",         "almost",     "nearly",     "partly",  "partially",
	"then",           "but then",

	"comes and goes", "on and off", "off and on", "kinda",   NULL,
};

/* What may follow the words saying it is over in their clause: "gone
 * now", "went away in a day"; any other word makes them something else
 * ("has gone numb", "gone dead", "stopped me"). */
static const char *const context_over_trail[] = {
	"now",   "today",   "completely", "totally", "fully",  "entirely",
	"since", "already", "thankfully", "lol",     "though", "tho",
	"and",   "but",     "pretty",     "quickly", "after",  "within",
	"by",    "in",      "on",         "itself",  "haha",   "long",
	"ago",   "last",    "yesterday",  "with",    "when",   "ja",
	"so",    "thank",   "thanks",     "too",     "a",      "the",
	"over",  "days",    "weeks",      "months",  "years",  "overnight",
	NULL,
};

/* Pronouns that point back at the symptom in a later clause: "but now it
 * is numb again" is still it. */
static const char *const context_over_back[] = {
	"it", "its", "that", "thats", "same", "they", "them", "theyre", NULL,
};

/* "in my left leg", "on the right": a place after the symptom, up to two
 * words after its "my" or "the"; the last token of it in *end. */
static bool
context_over_place(const struct context_msg *m, size_t k, size_t *end)
{
	if (!(context_is(m, k, "in") || context_is(m, k, "on") ||
	      context_is(m, k, "down") || context_is(m, k, "after")) ||
	    !(context_is(m, k + 1, "my") || context_is(m, k + 1, "the") ||
	      context_is(m, k + 1, "his") || context_is(m, k + 1, "her")))
		return false;
	*end = k + 2;
	if (k + 3 < m->n && context_same_clause(m, k + 2, k + 3) &&
	    !context_in(m, k + 3, context_over_between) &&
	    context_phrase_in(m, k + 3, context_over) == 0)
		*end = k + 3;
	return true;
}

/* Whether a word of the sentence [ss, se] says the symptom is not over:
 * context_present's words ("still", "again", "keeps"), "comes back", "its
 * back", a word of context_over_not.  A later clause starting "now" (or
 * "but now") with no word pointing back at the symptom speaks of something
 * else and is passed over: "had numbness 2 yrs ago, thats gone, but now
 * back pain again". */
static bool
context_over_denied(const struct context_msg *m, size_t ss, size_t se,
                    size_t over_end)
{
	for (size_t k = ss; k <= se; k++) {
		if (k > over_end &&
		    (k == ss || !context_same_clause(m, k - 1, k))) {
			size_t c = k, ce = k;
			if (context_in(m, c, context_contrast))
				c++;
			while (ce < se && context_same_clause(m, ce + 1, k))
				ce++;
			bool back = false;
			for (size_t j = k; j <= ce; j++)
				back =
				    back || context_in(m, j, context_over_back);
			/* "can i deadlift again", "he says to never deadlift
			 * again" */
			bool own = false;
			for (size_t j = k; j <= ce; j++)
				own = own || context_is(m, j, "i") ||
				      context_is(m, j, "im") ||
				      context_is(m, j, "ive") ||
				      context_is(m, j, "he") ||
				      context_is(m, j, "she") ||
				      context_is(m, j, "they");
			if ((context_is(m, c, "now") || own) && !back) {
				k = ce;
				continue;
			}
		}
		if (context_in(m, k, context_present) ||
		    context_phrase_in(m, k, context_over_not) > 0)
			return true;
		if ((context_is(m, k, "came") || context_is(m, k, "comes") ||
		     context_is(m, k, "coming") || context_is(m, k, "is") ||
		     context_is(m, k, "its")) &&
		    context_is(m, k + 1, "back") &&
		    context_phrase_in(m, k, context_over) == 0)
			return true;
	}
	return false;
}

/* Resolved: words after the match, in its sentence, say it is over ("the
 * numbness went away", "tingling is gone now", "couldnt feel my foot for a
 * bit but it came back 100%"), with only words of context_over_between, a
 * number or a place between, not after a negating or partial word ("hasnt
 * gone away", "almost gone"), and nothing in the sentence saying it is not
 * over. */
static bool
context_over_after(const struct context_msg *m, size_t first, size_t last,
                   size_t ss, size_t se, struct context_cue *cue)
{
	size_t k, end = se < last + 14 ? se : last + 14;

	(void)first;
	for (k = last + 1; k <= end; k++) {
		size_t n = context_phrase_in(m, k, context_over), pe;
		if (n > 0) {
			size_t b = k;
			while (b > last + 1 &&
			       (context_is(m, b - 1, "totally") ||
			        context_is(m, b - 1, "completely") ||
			        context_is(m, b - 1, "fully") ||
			        context_is(m, b - 1, "all") ||
			        context_is(m, b - 1, "is") ||
			        context_is(m, b - 1, "has") ||
			        context_is(m, b - 1, "really")))
				b--;
			size_t cl;
			if (b > 0 &&
			    (context_in(m, b - 1, context_over_partly) ||
			     (context_neg_cue(m, b - 1, &cl) && cl == b - 1) ||
			     context_in(m, b, context_over_partly)))
				return false;
			/* "gone for a bit", "gone numb", "stopped me" */
			if (k + n < m->n && context_same_clause(m, k, k + n) &&
			    !(m->t[k + n].flags & TOKEN_NUMBER) &&
			    !context_in(m, k + n, context_over_trail))
				return false;
			if (context_over_denied(m, ss, se, k + n - 1))
				return false;
			cue->first = (uint16_t)k;
			cue->last = (uint16_t)(k + n - 1);
			return true;
		}
		/* "couldnt feel my foot": what the match is of */
		if (k == last + 1 &&
		    (context_is(m, k, "my") || context_is(m, k, "the")) &&
		    context_same_clause(m, k, k + 1) &&
		    context_phrase_in(m, k + 1, context_over) == 0) {
			k++;
			continue;
		}
		if (context_over_place(m, k, &pe)) {
			k = pe;
			continue;
		}
		/* "today", "this morning" before it: over too soon to tell */
		if (context_is(m, k, "today") ||
		    (context_is(m, k, "this") &&
		     context_in(m, k + 1, context_this_when)))
			return false;
		/* "the numb bum thing": the word before a thing-word */
		if (!(m->t[k].flags & TOKEN_NUMBER) &&
		    !context_in(m, k, context_over_between) &&
		    !(k == last + 1 &&
		      context_in(m, k + 1, context_over_thing)))
			return false;
	}
	return false;
}

/* ---- passed ---- */

/* Words saying a sensation passed once its cause did: "my bum went numb
 * on the rower, fine once i stood up", "legs went numb in the cold,
 * warmed up fine after 5 mins".  Unlike context_over they say so with
 * what ended it, so any words may stand between them and the match. */
static const char *const context_passed[] = {
	"fine once",
	"fine as soon as",
	"fine straight after",
	"fine after",
	"fine within",
	"normal again",
	"back to normal after",
	"back to normal once",
	"back to normal when",
	"went away when",
	"went away once",
	"went away after",
	"went away as soon as",
	"went away straight",
	"wore off after",
	"wore off once",
	"warmed up fine",
	"totally fine now",
	"completely fine now",
	"all fine now",
	"was fine after",
	"then its fine",
	"then im fine",
	"went away and hasnt",
	"went away straight away",
	"havent had it since",
	"havent felt it again",
	"havent felt it since",
	"hasnt returned",
	"gone completely now",
	NULL,
};

/* Words that may open the sentence after the match's and still say it
 * passed: "... on the toilet for ages lol. totally fine now." */
static const char *const context_passed_lead[] = {
	"but", "and", "its", "it", "was", "lol", "haha", "then", NULL,
};

/* Words saying the sensation comes back each time its cause does: "goes
 * numb every time i squat, fine once i stop" has not passed. */
static const char *const context_passed_not[] = {
	"every",   "each", "everytime", "whenever", "always",     "often",
	"usually", "goes", "go",        "daily",    "constantly", NULL,
};

/* Whether a word of [s, e] outside the phrase [ps, pe] that says it
 * passed says the sensation keeps coming back ("hasnt come back",
 * "havent felt it again" are the phrase's own words). */
static bool
context_passed_again(const struct context_msg *m, size_t s, size_t e, size_t ps,
                     size_t pe)
{
	for (size_t k = s; k <= e; k++)
		/* "felt my leg go tingly" is what was felt, not a habit */
		if ((k < ps || k > pe) &&
		    context_in(m, k, context_passed_not) &&
		    !(context_is(m, k, "go") &&
		      ((k > 1 && context_is(m, k - 2, "felt")) ||
		       (k > 2 && context_is(m, k - 3, "felt")))))
			return true;
	if (ps > s && context_over_denied(m, s, ps - 1, ps - 1))
		return true;
	return pe < e && context_over_denied(m, pe + 1, e, pe);
}

/* Passed: a phrase of context_passed after the match in its sentence, or
 * opening the next one, in a sentence that tells rather than asks, and
 * nothing in either sentence saying it is still there or comes and goes
 * ("still", "every time", "keeps"). */
static bool
context_passed_after(const struct context_msg *m, size_t last, size_t ss,
                     size_t se, struct context_cue *cue)
{
	if (!context_msg_may_have(m, context_passed))
		return false;
	/* "is it fine after a tweak?" asks, it does not tell */
	for (size_t k = last + 1; k <= se && m->t[se].after != '?'; k++) {
		size_t n = context_phrase_in(m, k, context_passed);
		if (n > 0 && !context_passed_again(m, ss, se, k, k + n - 1)) {
			cue->first = (uint16_t)k;
			cue->last = (uint16_t)(k + n - 1);
			return true;
		}
	}
	size_t ns = se + 1, ne, k;
	if (ns >= m->n)
		return false;
	context_sentence(m, ns, &ns, &ne);
	for (k = ns;
	     k <= ne && k < ns + 2 && context_in(m, k, context_passed_lead);
	     k++)
		;
	size_t n = k <= ne ? context_phrase_in(m, k, context_passed) : 0;
	if (n == 0 || m->t[ne].after == '?' ||
	    context_passed_again(m, ss, se, se + 1, se + 1) ||
	    context_passed_again(m, ns, ne, k, k + n - 1))
		return false;
	cue->first = (uint16_t)k;
	cue->last = (uint16_t)(k + n - 1);
	return true;
}

static bool context_owner(const struct context_msg *m, size_t k, size_t *owner);

/* Someone else's past illness: "my uncle had cauda equina", "my dad's
 * mate had sciatica years back": "had" just before the match, someone
 * else its subject, and nothing in the match's clause saying when
 * ("my wife had a fall this morning" is now). */
static bool
context_other_had(const struct context_msg *m, size_t first, size_t last,
                  size_t ss, size_t se, struct context_cue *cue)
{
	size_t h = first, owner;

	if (h > ss && (context_is(m, h - 1, "a") || context_is(m, h - 1, "an")))
		h--;
	if (h == ss || !context_is(m, h - 1, "had") ||
	    !context_same_clause(m, h - 1, first))
		return false;
	h--;
	if (h == ss || !context_in(m, h - 1, context_people) ||
	    !context_owner(m, h - 1, &owner))
		return false;
	if (context_present_now(m, ss, se, first, last))
		return false;
	cue->first = (uint16_t)owner;
	cue->last = (uint16_t)h;
	return true;
}

/* A historical trigger in the sentence of the match, with no contrast word
 * between it and the match, and nothing saying it is present now. */
static bool
context_historical(const struct context_msg *m, size_t first, size_t last,
                   struct context_cue *cue)
{
	size_t ss, se, s, e;
	size_t subject = SIZE_MAX; /* the subject word nearest the match */

	context_sentence(m, first, &ss, &se);
	if (context_other_had(m, first, last, ss, se, cue))
		return true;
	if (context_present_now(
	        m,
	        first - ss > 2 * CONTEXT_REACH ? first - 2 * CONTEXT_REACH : ss,
	        se - last > 2 * CONTEXT_REACH ? last + 2 * CONTEXT_REACH : se,
	        first, last))
		return context_over_after(m, first, last, ss, se, cue) ||
		       context_passed_after(m, last, ss, se, cue);
	/* Before the match, nearest first; like a hypothesis, ended by a
	 * new subject ("last year i hurt my back and i cant feel my leg"). */
	if (context_scope_back(m, ss, first, last, context_hist_end,
	                       context_contrast, true, cue))
		return true;
	/* After it, with no subject between ("my leg is numb, i hurt it 5
	 * years ago"). */
	for (size_t k = last + 1; k <= se && k - last <= CONTEXT_REACH; k++) {
		if (context_in(m, k, context_contrast) ||
		    (subject != SIZE_MAX && k > subject + 4))
			break;
		if (context_hist_end(m, k, ss, first, last, &s, &e) &&
		    s > last && (subject == SIZE_MAX || subject >= s)) {
			cue->first = (uint16_t)s;
			cue->last = (uint16_t)e;
			return true;
		}
		if (subject == SIZE_MAX && context_in(m, k, context_subjects) &&
		    !context_in_my(m, k))
			subject = k;
	}
	return context_resolved_after(m, first, last, ss, se, cue) ||
	       context_over_after(m, first, last, ss, se, cue) ||
	       context_passed_after(m, last, ss, se, cue);
}

/* ---- hypothetical ---- */

/* "can deadlifts cause": a causing verb at i asked by a modal a few words
 * before it; the modal in *start. */
static bool
context_hyp_modal(const struct context_msg *m, size_t i, size_t ss,
                  size_t *start)
{
	for (size_t j = i; j-- > ss && i - j <= 4;) {
		if (context_in(m, j, context_modal_any) ||
		    (context_in(m, j, context_modal_first) &&
		     (j == ss || context_in(m, j - 1, context_wh)))) {
			*start = j;
			return true;
		}
	}
	return false;
}

/* Words that make what was named something seen or heard of, not lived:
 * "a car crash video", "a documentary about cauda equina". */
static const char *const context_media[] = {
	"video",       "videos",  "vid",     "movie",   "movies", "film",
	"documentary", "clip",    "podcast", "youtube", "tiktok", "reel",
	"reels",       "article", "episode", "show",    "story",  "stories",
	"reddit",      "thread",  "forum",   "news",    NULL,
};

/* Words before a symptom that say it is there ("whats this numbness"). */
static const char *const context_known[] = {
	"this", "the", "my", "that", "these", "those", NULL,
};

/* A hypothetical trigger starting at i and ending before first: its span
 * in *s, *e. */
static bool
context_hyp_trigger(const struct context_msg *m, size_t i, size_t ss,
                    size_t first, size_t last, size_t *s, size_t *e)
{
	size_t k;

	*s = i;
	if (!context_maybe_in(m, i, m->memo ? m->memo->hyp_gate : 0))
		return false;
	if (context_is(m, i, "if") || context_is(m, i, "whether")) {
		if (i > ss && context_in(m, i - 1, context_if_pseudo))
			return false;
		/* "if the tingling in my leg only comes when i squat": the
		 * symptom named as known is there, whatever the if asks. */
		if (first > i + 1 && (context_is(m, first - 1, "the") ||
		                      context_is(m, first - 1, "this") ||
		                      context_is(m, first - 1, "my")))
			return false;
		*e = i;
		if (i > ss && context_is(m, i - 1, "what"))
			*s = i - 1;
		else if (i > ss + 1 &&
		         context_phrase(m, i - 2, "what happens") == 2)
			*s = i - 2;
		return *e < first;
	}
	/* "whats cauda equina", "what is sciatica": a definition asked,
	 * unless the thing is named as known ("whats this numbness") */
	if ((context_is(m, i, "whats") || context_is(m, i, "wats") ||
	     (context_is(m, i, "what") && context_is(m, i + 1, "is"))) &&
	    first > i && !context_in(m, first - 1, context_known)) {
		*e = context_is(m, i, "what") ? i + 1 : i;
		return *e < first;
	}
	/* "what does numbness feel like" */
	if (context_is(m, i, "what") &&
	    (context_is(m, i + 1, "does") || context_is(m, i + 1, "do") ||
	     context_is(m, i + 1, "would") || context_is(m, i + 1, "will")) &&
	    i + 1 < first) {
		for (size_t j = last + 1; j <= last + 3 && j + 1 < m->n; j++)
			if (m->t[j].sentence == m->t[last].sentence &&
			    (context_is(m, j, "feel") ||
			     context_is(m, j, "feels") ||
			     context_is(m, j, "look") ||
			     context_is(m, j, "looks")) &&
			    context_is(m, j + 1, "like")) {
				*e = i + 1;
				return true;
			}
		return false;
	}
	k = context_phrase_in(m, i, context_hyp_cause);
	if (k > 0 && i + k - 1 < first) {
		*e = i + k - 1;
		return context_hyp_modal(m, i, ss, s);
	}
	if (context_in(m, i, context_hyp_prevent)) {
		*e = i;
		return i > ss && i < first &&
		       context_in(m, i - 1, context_hyp_prevent_after);
	}
	k = context_phrase_in(m, i, context_hyp_phrases);
	if (k == 0 || i + k - 1 >= first)
		return false;
	*e = i + k - 1;
	/* "i have signs of", "no sign of" (that is a negation) */
	if ((context_is(m, i, "signs") || context_is(m, i, "sign") ||
	     context_is(m, i, "symptoms") || context_is(m, i, "symptom") ||
	     context_is(m, i, "warning")) &&
	    i > ss &&
	    (context_in(m, i - 1, context_signs_pseudo) ||
	     context_in(m, i - 1, negation_cues) ||
	     (i > ss + 1 && (context_in(m, i - 2, context_signs_pseudo) ||
	                     context_in(m, i - 2, negation_cues)))))
		return false;
	return true;
}

/* ---- a curious question ---- */

/* Said elsewhere in the message, these deny having what the question asks
 * about ("what causes sciatica? just curious, i dont have it"). */
static const char *const context_curious_denials[] = {
	"no symptoms",
	"dont have any symptoms",
	"dont have it",
	"dont have that",
	"dont have those",
	"dont have any of that",
	"dont have any of those",
	"im fine",
	"im totally fine",
	"im completely fine",
	"im perfectly fine",
	"just curious",
	"just wondering",
	"out of curiosity",
	"purely curious",
	"hypothetically",
	"for future reference",
	"want to avoid it",
	"want to avoid that",
	"trying to avoid it",
	"just read an article",
	"read an article",
	"saw a video",
	NULL,
};

/* Words of the asker's own experience: a question holding one is about
 * what the asker has ("does the tingling in my foot mean"). */
static const char *const context_curious_own[] = {
	"my", "me", "im", "ive", "mine", "myself", NULL,
};

/* Said anywhere, these say the asker has it after all. */
static const char *const context_curious_has[] = {
	"i have it",          "i do have",         "i have that",
	"i have some",        "ive got it",        "i get it",
	"i got it",           "i have had it",     "it started",
	"started today",      "started yesterday", "since yesterday",
	"since this morning", "since last night",  NULL,
};

/* After a denial these limit it to the rest ("no symptoms otherwise"). */
static const char *const context_curious_but[] = {
	"otherwise", "besides", "other", "apart", "except", "but", NULL,
};

/* Verbs of being told: "my friend told me", "my physio said". */
static const char *const context_told[] = {
	"told", "tells", "tell", "said", "says", "mentioned", "showed", NULL,
};

/* Whether the own word at k only says who told the asker: "my friend told
 * me numb groin is serious", "my physio said". */
static bool
context_curious_told(const struct context_msg *m, size_t k)
{
	if (context_is(m, k, "my"))
		return context_in(m, k + 1, context_people) ||
		       context_in(m, k + 2, context_told);
	if (context_is(m, k, "me"))
		return k > 0 && context_in(m, k - 1, context_told);
	return false;
}

/* A question about the match, asked with nothing of the asker's own in it
 * ("is saddle numbness from cycling a back thing?"), in a message that
 * elsewhere denies having it ("no symptoms", "im totally fine") and never
 * says the asker has it. */
static bool
context_curious(const struct context_msg *m, size_t first, size_t last,
                struct context_cue *cue)
{
	size_t ss, se, k, found = SIZE_MAX, flen = 0;

	context_sentence(m, first, &ss, &se);
	if (m->t[se].after != '?')
		return false;
	for (k = ss; k <= se; k++)
		if (context_in(m, k, context_curious_own) &&
		    !context_curious_told(m, k))
			return false;
	for (k = 0; k < m->n; k++) {
		size_t n;
		if (context_phrase_in(m, k, context_curious_has) > 0)
			return false;
		if (found == SIZE_MAX && (k < first || k > last) &&
		    (n = context_phrase_in(m, k, context_curious_denials)) >
		        0 &&
		    !(k + n < m->n &&
		      context_in(m, k + n, context_curious_but))) {
			found = k;
			flen = n;
		}
	}
	if (found == SIZE_MAX)
		return false;
	cue->first = (uint16_t)found;
	cue->last = (uint16_t)(found + flen - 1);
	return true;
}

/* A video, a film, an article right after the match, in its clause. */
static bool
context_seen(const struct context_msg *m, size_t last, struct context_cue *cue)
{
	for (size_t k = last + 1; k < m->n && k <= last + 2; k++) {
		if (!context_same_clause(m, k, last))
			return false;
		if (context_in(m, k, context_media)) {
			cue->first = cue->last = (uint16_t)k;
			return true;
		}
	}
	return false;
}

/* Words after a video or an article that say what it showed: "a video
 * about cauda equina", "a documentary where a guy lost control". */
static const char *const context_media_of[] = {
	"about", "on", "where", "of", "with", "showing", "regarding", NULL,
};

/* A video, a podcast, an article before the match, followed by what it
 * was about, with the match a few words on in the same clause and no new
 * subject or "now" between: "watched a youtube vid about cauda equina",
 * "a podcast on sciatica". */
static bool
context_seen_before(const struct context_msg *m, size_t first, size_t ss,
                    struct context_cue *cue)
{
	if (!context_msg_may_have(m, context_media))
		return false;
	for (size_t k = first; k-- > ss && first - k <= 8;) {
		/* "saw a video about it and now my leg is numb" */
		if (!context_same_clause(m, k, first) ||
		    context_in(m, k, context_subjects) ||
		    context_is(m, k, "now"))
			return false;
		if (context_in(m, k, context_media) &&
		    (context_in(m, k + 1, context_media_of) ||
		     (context_in(m, k + 1, context_media) &&
		      context_in(m, k + 2, context_media_of)))) {
			cue->first = cue->last = (uint16_t)k;
			return true;
		}
	}
	return false;
}

/* A hypothetical trigger before the match whose scope reaches it, a
 * curious question about it, or something seen on a screen. */
static bool
context_hypothetical(const struct context_msg *m, size_t first, size_t last,
                     struct context_cue *cue)
{
	size_t ss, se;

	context_sentence(m, first, &ss, &se);
	return context_scope_back(m, ss, first, last, context_hyp_trigger,
	                          context_hyp_enders, false, cue) ||
	       context_curious(m, first, last, cue) ||
	       context_seen(m, last, cue) ||
	       context_seen_before(m, first, ss, cue);
}

/* ---- someone else ---- */

/* Whether the person at k has an owner one or two words before it, in
 * *owner: "my dad", "my gym buddy", "a friend" (not "as a kid"). */
static bool
context_owner(const struct context_msg *m, size_t k, size_t *owner)
{
	for (size_t j = k; j-- > 0 && k - j <= 2;) {
		if (!context_same_clause(m, j, k))
			return false;
		if (context_in(m, j, context_owners)) {
			*owner = j;
			return true;
		}
		if ((context_is(m, j, "a") || context_is(m, j, "an")) &&
		    !(j > 0 && (context_is(m, j - 1, "as") ||
		                context_is(m, j - 1, "was")))) {
			*owner = j;
			return true;
		}
	}
	return false;
}

/* Someone else before the match in its clause, or "his/her" just after. */
static bool
context_other(const struct context_msg *m, size_t first, size_t last,
              struct context_cue *cue)
{
	for (size_t k = first; k-- > 0 && first - k <= CONTEXT_REACH;) {
		if (!context_same_clause(m, k, first) ||
		    context_in(m, k, context_contrast))
			break;
		size_t owner;
		if (context_in(m, k, context_people) &&
		    context_owner(m, k, &owner)) {
			cue->first = (uint16_t)owner;
			cue->last = (uint16_t)k;
			return true;
		}
		if (context_in(m, k, context_third)) {
			cue->first = cue->last = (uint16_t)k;
			return true;
		}
		/* "a friend of mine" */
		if (context_in(m, k, context_first) &&
		    !(context_is(m, k, "mine") && k > 0 &&
		      context_is(m, k - 1, "of")))
			break;
	}
	for (size_t k = last + 1; k < m->n && k <= last + 3; k++) {
		if (!context_same_clause(m, k, last) ||
		    context_in(m, k, context_first))
			break;
		if (context_is(m, k, "his") || context_is(m, k, "her") ||
		    context_is(m, k, "their")) {
			cue->first = cue->last = (uint16_t)k;
			return true;
		}
	}
	return false;
}

/* ---- the memo's lists ---- */

/* Every list of the words above: the memo knows each word's lists. */
static const char *const *const context_memo_lists[] = {
	negation_cues,
	negation_pseudo,
	negation_terminators,
	negation_fillers,
	context_neg_cues,
	context_neg_fillers,
	context_neg_answers,
	context_neg_lost,
	context_neg_lost_where,
	context_say_not,
	context_say_what,
	context_felt,
	context_contrast,
	context_hist_units,
	context_quantity,
	context_past_span,
	context_last_what,
	context_young,
	context_back_in,
	context_used_pseudo,
	context_present,
	context_this_when,
	context_hyp_phrases,
	context_hyp_prevent,
	context_hyp_prevent_after,
	context_hyp_cause,
	context_modal_any,
	context_modal_first,
	context_wh,
	context_if_pseudo,
	context_signs_pseudo,
	context_subjects,
	context_hyp_enders,
	context_people,
	context_owners,
	context_third,
	context_first,
	context_hist_last,
	context_hyp_first,
	context_resolved,
	context_present_when,
	context_media,
	context_had,
	context_curious_own,
	context_curious_has,
	context_curious_denials,
	context_known,
	context_over,
	context_over_between,
	context_over_partly,
	context_over_not,
	context_over_back,
	context_over_trail,
	context_over_now,
	context_over_thing,
	context_passed,
	context_passed_not,
	context_joke,
	context_media_of,
	context_told,
	context_belief,
	context_pt_no_before,
};

#define CONTEXT_MEMO_NLISTS \
	(sizeof(context_memo_lists) / sizeof(context_memo_lists[0]))
_Static_assert(CONTEXT_MEMO_NLISTS <= 64, "a memo has 64 bits a word");

/* A shift that gives every list a slot of its own, or 0 when none does. */
static unsigned
context_memo_shift(void)
{
	for (unsigned shift = 3; shift < 24; shift++) {
		bool taken[CONTEXT_MEMO_LSLOTS] = { false }, clash = false;
		for (size_t b = 0; b < CONTEXT_MEMO_NLISTS && !clash; b++) {
			size_t i = context_memo_list_slot(context_memo_lists[b],
			                                  shift);
			clash = taken[i];
			taken[i] = true;
		}
		if (!clash)
			return shift;
	}
	return 0;
}

struct context_memo *
context_memo_new(void)
{
	struct context_memo *memo = calloc(1, sizeof(*memo));

	if (memo == NULL)
		return NULL;
	memo->sent_of = SIZE_MAX;
	bool ok = true;
	for (unsigned b = 0; b < CONTEXT_MEMO_NLISTS; b++)
		for (const char *const *p = context_memo_lists[b]; *p != NULL;
		     p++)
			if (!context_memo_add(memo, *p, b))
				ok = false;
	memo->shift = context_memo_shift();
	if (!ok || memo->shift == 0)
		return memo; /* no list known: each walked as before */
	for (unsigned b = 0; b < CONTEXT_MEMO_NLISTS; b++) {
		size_t i =
		    context_memo_list_slot(context_memo_lists[b], memo->shift);
		memo->lists[i].list = context_memo_lists[b];
		memo->lists[i].bit = b;
	}
	/* The lists whose words may end a historical trigger and start a
	 * hypothetical one: a token in none of them is skipped at once. */
	static const char *const *const hist[] = {
		context_hist_last,
		context_last_what,
		context_back_in,
		context_young,
	};
	static const char *const *const hyp[] = {
		context_hyp_first,
		context_hyp_cause,
		context_hyp_prevent,
		context_hyp_phrases,
	};
	memo->gates_known =
	    context_memo_mask(memo, hist, sizeof(hist) / sizeof(hist[0]),
	                      &memo->hist_gate) &&
	    context_memo_mask(memo, hyp, sizeof(hyp) / sizeof(hyp[0]),
	                      &memo->hyp_gate);
	return memo;
}

static unsigned
context_judge_msg(const struct context_msg *m, size_t first, size_t last,
                  struct context_result *ret)
{
	struct context_result r;
	struct context_cue c;

	memset(&r, 0, sizeof(r));
	/* Without ret only whether the match counts is asked: the first
	 * flag that stops it is enough, and someone else's never does. */
	bool full = ret != NULL;
	if (m->text != NULL && m->t != NULL && first <= last && last < m->n) {
		if (context_negated_before(m, first, &c) ||
		    context_negated_after(m, last, &c))
			context_set(&r, CONTEXT_NEGATED, c.first, c.last);
		if ((full || r.flags == 0) &&
		    context_historical(m, first, last, &c))
			context_set(&r, CONTEXT_HISTORICAL, c.first, c.last);
		if ((full || r.flags == 0) &&
		    context_hypothetical(m, first, last, &c))
			context_set(&r, CONTEXT_HYPOTHETICAL, c.first, c.last);
		/* a belief taken back is rare: looked for last */
		if ((full || r.flags == 0) && !(r.flags & CONTEXT_NEGATED) &&
		    context_taken_back(m, first, last, &c))
			context_set(&r, CONTEXT_NEGATED, c.first, c.last);
		if (full && context_other(m, first, last, &c))
			context_set(&r, CONTEXT_OTHER, c.first, c.last);
	}
	if (ret != NULL)
		*ret = r;
	return r.flags;
}

unsigned
context_judge(const char *text, const struct token *toks, size_t ntok,
              size_t first, size_t last, struct context_result *ret)
{
	struct context_msg m = { text, toks,
		                 ntok > TOKEN_MAX ? TOKEN_MAX : ntok, NULL };

	return context_judge_msg(&m, first, last, ret);
}

unsigned
context_judge_memo(struct context_memo *memo, size_t first, size_t last,
                   struct context_result *ret)
{
	struct context_msg m = { memo->text, memo->toks, memo->ntok, memo };

	return context_judge_msg(&m, first, last, ret);
}

const char *
context_flag_name(enum context_flag f)
{
	switch (f) {
	case CONTEXT_NEGATED:
		return "negated";
	case CONTEXT_HISTORICAL:
		return "historical";
	case CONTEXT_HYPOTHETICAL:
		return "hypothetical";
	case CONTEXT_OTHER:
		return "someone else";
	}
	return "?";
}
