/* Negation scope, in the spirit of NegEx: a fixed list of cues, a clause
 * boundary and a short window.  Deliberately conservative: when in doubt a
 * red flag is not treated as negated. */
#include <stdint.h>
#include <string.h>

#include "negation.h"

const char *const negation_cues[] = {
	"no",    "not",     "never",   "without",  "none",
	"nor",   "neither", "dont",    "doesnt",   "didnt",
	"isnt",  "arent",   "wasnt",   "werent",   "havent",
	"hasnt", "hadnt",   "aint",    "denies",   "deny",
	"zero",  "nope",    "nothing", "nothings", NULL,
};

/* A cue followed by one of these is not a negation ("not sure if", "dont
 * know", "doesnt stop tingling", "no idea why"), nor is an inability in
 * another language ("nie mogę się wyprostować", "não consigo levantar",
 * "no puedo sentir"). */
const char *const negation_pseudo[] = {
	"sure",  "certain", "know",    "only",    "just",    "idea",
	"clue",  "stop",    "stops",   "ease",    "improve", "better",
	"until", "matter",  "doubt",   "wonder",  "think",   "help",
	"helps", "helping", "change",  "changes", "changed", "worse",
	"works", "worked",  "i",       "seems",   "makes",   "made",
	"else",  "moge",    "consigo", "posso",   "puedo",   NULL,
};

/* Words that end a clause: contrast, time and cause words, and subjects that
 * start a new statement ("no pain aside from numbness"). */
const char *const negation_terminators[] = {
	"but",   "however", "though",  "although", "yet",   "except", "still",
	"now",   "then",    "because", "cause",    "since", "until",  "when",
	"while", "which",   "who",     "after",    "my",    "i",      "im",
	"ive",   "id",      "me",      "it",       "its",   "he",     "she",
	"they",  "we",      "you",     "this",     "that",  "theres", "aside",
	"apart", "besides", "whereas", NULL,
};

/* Words that do not use up the window between a cue and the match. */
const char *const negation_fillers[] = {
	"any",     "have",     "has",        "had",          "having", "feel",
	"feeling", "felt",     "get",        "getting",      "got",    "or",
	"and",     "a",        "an",         "the",          "some",   "sign",
	"signs",   "of",       "real",       "really",       "much",   "more",
	"notice",  "noticed",  "experience", "experiencing", "any",    "other",
	"in",      "my",       "whatsoever", "at",           "all",    "kind",
	"type",    "symptoms", "symptom",    "like",         "there",  "is",
	"was",     "been",     "be",         "do",           "does",   "did",
	"am",      "are",      "were",       NULL,
};

/* The bit of a word's first byte in a list's letter set: a to z, then one
 * bit for anything else. */
static uint32_t
negation_letter_bit(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 1u << 26;
}

uint32_t
negation_list_letters(const char *const *list)
{
	/* Each thread remembers the first letters of the lists it has
	 * asked about, so that a word no entry starts with is turned away
	 * without walking the list. */
	static _Thread_local struct {
		const char *const *list;
		uint32_t letters;
	} memo[64];
	size_t slot = ((uintptr_t)list >> 4) & 63;

	if (memo[slot].list != list) {
		uint32_t letters = 0;
		for (const char *const *p = list; *p; p++)
			letters |= negation_letter_bit((unsigned char)(*p)[0]);
		memo[slot].list = list;
		memo[slot].letters = letters;
	}
	return memo[slot].letters;
}

bool
negation_word_in(const char *const *list, const char *w, size_t n)
{
	if (n == 0 || !(negation_list_letters(list) &
	                negation_letter_bit((unsigned char)w[0])))
		return false;
	/* the first letter first: most words differ there */
	for (; *list; list++)
		if ((*list)[0] == w[0] && strncmp(*list, w, n) == 0 &&
		    (*list)[n] == '\0')
			return true;
	return false;
}

static bool
negation_is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 ||
	       c == '-';
}

static bool
negation_is_boundary(unsigned char c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' ||
	       c == '?' || c == '(' || c == ')' || c == '\n' || c == '"' ||
	       c == '/';
}

/* Returns the word after [ws, we) in text, or an empty span. */
static void
negation_next_word(const char *text, size_t len, size_t from, size_t *ws,
                   size_t *we)
{
	size_t i = from;

	while (i < len && text[i] == ' ')
		i++;
	*ws = i;
	while (i < len && negation_is_word_byte((unsigned char)text[i]))
		i++;
	*we = i;
}

bool
negation_find(const char *text, size_t len, size_t match_start,
              struct negation_cue *ret_cue)
{
	size_t i = match_start > len ? len : match_start;
	unsigned content = 0;

	/* The match may begin inside a word ("...numbness" matched from
	 * "numb"); start from the beginning of the word it is in. */
	while (i > 0 && negation_is_word_byte((unsigned char)text[i - 1]))
		i--;

	while (i > 0) {
		size_t we, ws;

		/* Skip spaces; stop at clause punctuation. */
		while (i > 0 &&
		       !negation_is_word_byte((unsigned char)text[i - 1])) {
			if (negation_is_boundary((unsigned char)text[i - 1]))
				return false;
			i--;
		}
		if (i == 0)
			break;
		we = i;
		while (i > 0 &&
		       negation_is_word_byte((unsigned char)text[i - 1]))
			i--;
		ws = i;

		const char *w = text + ws;
		size_t n = we - ws;
		if (negation_word_in(negation_cues, w, n)) {
			size_t ns, ne;
			negation_next_word(text, len, we, &ns, &ne);
			if (ne > ns && negation_word_in(negation_pseudo,
			                                text + ns, ne - ns))
				return false;
			if (ret_cue) {
				ret_cue->start = ws;
				ret_cue->end = we;
			}
			return true;
		}
		if (negation_word_in(negation_terminators, w, n) &&
		    !negation_word_in(negation_fillers, w, n))
			return false;
		/* "in my leg" is a filler inside a clause, but "my" opening
		 * a new statement ends it: only treat "my" as a filler
		 * right after a preposition. */
		if (n == 2 && memcmp(w, "my", 2) == 0) {
			size_t k = ws;
			while (k > 0 && text[k - 1] == ' ')
				k--;
			size_t pe = k;
			while (k > 0 && negation_is_word_byte(
			                    (unsigned char)text[k - 1]))
				k--;
			if (!(pe - k == 2 && memcmp(text + k, "in", 2) == 0))
				return false;
		}
		if (!negation_word_in(negation_fillers, w, n) &&
		    ++content > NEGATION_WINDOW)
			return false;
	}
	return false;
}
