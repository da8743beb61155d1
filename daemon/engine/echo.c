/* Echo detection.  Each reply is kept as the hashes of its normalised
 * words and a 64-bit signature of them; a message is compared only with
 * the replies its length and signature allow, by the longest common
 * subsequence of words (two rows of at most BT_REPLY_MAX / 2 + 1). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "echo.h"
#include "normalise.h"

/* A reply has at most this many words (one letter and a space each). */
#define ECHO_REPLY_WORDS (BT_REPLY_MAX / 2 + 1)
/* A message with more words than this is no reply's echo. */
#define ECHO_MESSAGE_WORDS (ECHO_REPLY_WORDS + ECHO_EXTRA_MAX)

struct echo_reply {
	uint32_t *words;
	size_t n;
	uint64_t sig; /* bit (hash & 63) of every word */
};

struct echo {
	struct echo_reply *r;
	size_t n, cap;
};

static bool
echo_is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Splits normalised text into word hashes, at most max of them.  Returns
 * the number of words, or max + 1 when there are more. */
static size_t
echo_words(const char *s, uint32_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		while (*s && !echo_is_word_byte((unsigned char)*s))
			s++;
		if (!*s)
			break;
		uint32_t h = UINT32_C(2166136261);
		while (*s && echo_is_word_byte((unsigned char)*s)) {
			h ^= (unsigned char)*s++;
			h *= UINT32_C(16777619);
		}
		if (n == max)
			return max + 1;
		out[n++] = h;
	}
	return n;
}

static uint64_t
echo_sig(const uint32_t *w, size_t n)
{
	uint64_t sig = 0;

	for (size_t i = 0; i < n; i++)
		sig |= UINT64_C(1) << (w[i] & 63);
	return sig;
}

/* Longest common subsequence of a and b (b at most ECHO_REPLY_WORDS). */
static size_t
echo_lcs(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	uint16_t row[2][ECHO_REPLY_WORDS + 1];
	uint16_t *prev = row[0], *cur = row[1];

	memset(prev, 0, (nb + 1) * sizeof(*prev));
	for (size_t i = 0; i < na; i++) {
		cur[0] = 0;
		for (size_t j = 0; j < nb; j++) {
			if (a[i] == b[j])
				cur[j + 1] = (uint16_t)(prev[j] + 1);
			else
				cur[j + 1] =
				    prev[j + 1] > cur[j] ? prev[j + 1] : cur[j];
		}
		uint16_t *t = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}

/* The thresholds of echo.h, for a message of n words against a reply. */
static bool
echo_similar(const uint32_t *msg, size_t n, const struct echo_reply *r)
{
	size_t outside = 0;

	if (n == 0 || r->n == 0 || n > r->n + ECHO_EXTRA_MAX)
		return false;
	/* Words the signature rules out are words of the message's own. */
	for (size_t i = 0; i < n && outside <= ECHO_EXTRA_MAX; i++)
		if (!((r->sig >> (msg[i] & 63)) & 1))
			outside++;
	if (outside > ECHO_EXTRA_MAX)
		return false;
	size_t k = echo_lcs(msg, n, r->words, r->n);
	size_t min = r->n < ECHO_MIN_WORDS ? r->n : ECHO_MIN_WORDS;
	return n - k <= ECHO_EXTRA_MAX && k * 100 >= n * ECHO_SHARE_PCT &&
	       k >= min;
}

struct echo *
echo_new(void)
{
	return calloc(1, sizeof(struct echo));
}

void
echo_free(struct echo *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->r[i].words);
	free(e->r);
	free(e);
}

/* Normalises reply and splits it into r.  Returns 0 or -1. */
static int
echo_prepare(const char *reply, struct echo_reply *r, uint32_t *words)
{
	char norm[BT_MESSAGE_MAX + 1];
	struct normalise_result nr;

	if (normalise_text(reply, strlen(reply), NORMALISE_RUNS_TWO, norm,
	                   &nr) != NORMALISE_OK)
		return -1;
	r->n = echo_words(norm, words, ECHO_REPLY_WORDS);
	if (r->n > ECHO_REPLY_WORDS)
		r->n = ECHO_REPLY_WORDS; /* longer than a reply may be */
	r->sig = echo_sig(words, r->n);
	r->words = words;
	return 0;
}

int
echo_add(struct echo *e, const char *reply)
{
	uint32_t words[ECHO_REPLY_WORDS + 1];
	struct echo_reply r;

	if (echo_prepare(reply, &r, words) < 0)
		return -1;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct echo_reply *t = realloc(e->r, cap * sizeof(*t));
		if (t == NULL)
			return -1;
		e->r = t;
		e->cap = cap;
	}
	r.words = malloc((r.n ? r.n : 1) * sizeof(*r.words));
	if (r.words == NULL)
		return -1;
	memcpy(r.words, words, r.n * sizeof(*r.words));
	e->r[e->n++] = r;
	return 0;
}

bool
echo_match(const struct echo *e, const char *body_norm, size_t *ret_reply)
{
	uint32_t msg[ECHO_MESSAGE_WORDS + 1];
	size_t n = echo_words(body_norm, msg, ECHO_MESSAGE_WORDS);

	if (e == NULL || n == 0 || n > ECHO_MESSAGE_WORDS)
		return false;
	for (size_t i = 0; i < e->n; i++)
		if (echo_similar(msg, n, &e->r[i])) {
			if (ret_reply != NULL)
				*ret_reply = i;
			return true;
		}
	return false;
}

bool
echo_match_text(const char *reply, const char *body_norm)
{
	uint32_t words[ECHO_REPLY_WORDS + 1];
	uint32_t msg[ECHO_MESSAGE_WORDS + 1];
	struct echo_reply r;
	size_t n = echo_words(body_norm, msg, ECHO_MESSAGE_WORDS);

	if (reply == NULL || n == 0 || n > ECHO_MESSAGE_WORDS ||
	    echo_prepare(reply, &r, words) < 0)
		return false;
	return echo_similar(msg, n, &r);
}
