/* Context of a concept match, in the spirit of NegEx and ConText: whether
 * the words a concept matched are negated ("no numbness", "numbness?
 * nope"), historical ("had sciatica five years ago"), hypothetical ("can
 * deadlifts cause numbness", "if you notice numbness, ...") or someone
 * else's ("my dads leg is numb").  Works on the tokens of a normalised
 * message (token.h).  Pure: no allocation, no I/O, every loop bounded by
 * the number of tokens.  When in doubt a match is taken as it stands: a red
 * flag wins. */
#ifndef BACKTALK_CONTEXT_H
#define BACKTALK_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "token.h"

enum context_flag {
	CONTEXT_NEGATED = 1 << 0,      /* "no numbness", "numbness? nope" */
	CONTEXT_HISTORICAL = 1 << 1,   /* "had sciatica five years ago" */
	CONTEXT_HYPOTHETICAL = 1 << 2, /* "what if my leg goes numb" */
	CONTEXT_OTHER = 1 << 3,        /* "my dads leg is numb" */
};

/* No trigger further than this many tokens from the match counts, and
 * nothing further than twice as many says a match is present now: it keeps
 * the work per match small in a long message of one sentence. */
#define CONTEXT_REACH 32

/* Number of flags, and so of entries of context_result.cue. */
#define CONTEXT_FLAGS 4

/* The trigger of a flag: tokens [first, last] of the message. */
struct context_cue {
	uint16_t first, last;
};

struct context_result {
	unsigned flags;                        /* enum context_flag */
	struct context_cue cue[CONTEXT_FLAGS]; /* by flag bit index; set only
	                                        * for the flags in flags */
};

/* Judges the concept match on tokens [first, last] of a message of ntok
 * tokens (token_split over text).  Fills *ret (may be NULL) and returns
 * its flags; a span outside the message gets no flags.
 *
 * Negated: a negating word before the match in its clause with at most
 * NEGATION_WINDOW content words between ("no", "never", "without", "dont",
 * "free of", "sin", "nunca", ...), not undone by the word after it ("not
 * sure", "no idea", "no change", "never felt anything like"), and not cut
 * off by a contrast word or a new subject ("no numbness but my leg
 * tingles"); or an answer right after the match, across at most one ? : -
 * or , ("numbness? nope", "tingling: no", "numb not really").  A negating
 * word inside the match never negates it ("cant feel my leg").  Or a
 * belief taken back: "thought my leg was numb but nope", "pretty sure my
 * leg was numb. no actually".
 *
 * Historical: a time in the past in the same sentence ("5 years ago",
 * "years back", "last year", "back in 2019", "used to", "history of",
 * "previously", "once had", "in the past", "when i was younger") not cut
 * off by a contrast word, unless the sentence says it is present ("still",
 * "again", "now", "today", "since", "came back", "keeps", ...).  Or
 * resolved: words after the match in its sentence say it is over ("went
 * away", "is gone", "came back 100%"), only small words, a time or a place
 * between, not negated or partial ("hasnt gone away", "almost gone"), not
 * "gone numb", and nothing in the sentence says it is still there or back.
 *
 * Hypothetical: a trigger before the match in the same sentence ("if",
 * "what if", "in case", "whether", "can X cause", "possible to", "prevent",
 * "avoid", "signs of", "risk of", "watch out for", "what does X feel
 * like", "can you get", "how common is", "do lifters get", "is it true"), whose
 * scope runs to the end of the sentence across commas, ended early by "but",
 * "because", "already", "and now", or a subject ("my", "i", "it", "he", ...)
 * two or more words after the trigger: "what if my leg goes numb" is
 * hypothetical, "if i lift my leg goes numb" is not.
 *
 * Someone else: a relative, friend or client ("my dad", "my client") or
 * he/she/they/his/her before the match in its clause with no first-person
 * word in between, or his/her/their just after it ("numb in his leg").
 *
 * With ret NULL only whether the match counts is worked out: the flags
 * returned stop at the first of negated, historical and hypothetical, and
 * someone else's is not looked for. */
unsigned context_judge(const char *text, const struct token *toks, size_t ntok,
                       size_t first, size_t last, struct context_result *ret);

/* A memo of one message at a time: each of its words is looked up in the
 * trigger lists once, when a judgement first asks, and the answer kept for
 * the other judgements of the message.  One per thread (a concept
 * scratch has one); it holds nothing from one message to the next. */
struct context_memo;

struct context_memo *context_memo_new(void);
void context_memo_free(struct context_memo *memo);

/* Starts a message: forgets everything about the last one.  text and toks
 * must stay as they are until the next reset. */
void context_memo_reset(struct context_memo *memo, const char *text,
                        const struct token *toks, size_t ntok);

/* What the memo works out about a word: the trigger lists it is a word (or
 * a phrase's first word) of, as bits.  A pure function of the word, for a
 * caller that keeps it with the word (concept.c's word cache). */
uint64_t context_memo_word(const struct context_memo *memo, const char *w,
                           size_t n);

/* context_memo_reset with every token's context_memo_word already known:
 * lists[i] for token i, copied. */
void context_memo_reset_known(struct context_memo *memo, const char *text,
                              const struct token *toks, size_t ntok,
                              const uint64_t *lists);

/* context_judge on the message of the last reset: the same answer, for
 * less work when a message has several matches to judge. */
unsigned context_judge_memo(struct context_memo *memo, size_t first,
                            size_t last, struct context_result *ret);

/* "negated", "historical", "hypothetical", "someone else", or "?" for
 * anything else. */
const char *context_flag_name(enum context_flag f);

#endif
