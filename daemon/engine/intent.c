/* Plain requests to stop, to start again or for the menu (intent.h).
 *
 * Each word of a clause is looked up in one table of words, each with the
 * requests it may belong to.  A clause is a request when every word is a
 * filler or a word of that request, and it holds the request's sign: a
 * strong word ("unsubscribe", "resume", "menu"), or the messages named
 * with a word that turns them off ("no more texts") or on again ("the tips
 * again"). */
#include <stdlib.h>
#include <string.h>

#include "intent.h"
#include "token.h"

enum intent_flag {
	INTENT_FILLER = 1 << 0,     /* any request: "please", "i", "the" */
	INTENT_STOP = 1 << 1,       /* "sending", "out" */
	INTENT_STOP_SIGN = 1 << 2,  /* "stop", "unsubscribe", "basta" */
	INTENT_STOP_NEG = 1 << 3,   /* "no", "dont", "done", "enough" */
	INTENT_START = 1 << 4,      /* "up", "turn", "receive" */
	INTENT_START_SIGN = 1 << 5, /* "resume", "subscribe", "rejoin" */
	INTENT_START_BACK = 1 << 6, /* "back", "again", "on" */
	INTENT_HELP = 1 << 7,       /* "how", "use", "ask" */
	INTENT_HELP_SIGN = 1 << 8,  /* "menu", "options", "commands" */
	INTENT_HOW_VERB = 1 << 9,   /* "use", "work", "ask" after "how" */
	INTENT_OBJECT = 1 << 10,    /* the messages: "texts", "service" */
	INTENT_WANT = 1 << 11,      /* "want", "let": "i want back in" */
	INTENT_BREAK = 1 << 12,     /* "but", "and": a new clause */
	INTENT_HOW = 1 << 13,       /* "how" */
	INTENT_BACK_IN = 1 << 14,   /* "in", "on" after "back" */
	INTENT_OPT = 1 << 16,       /* "opt": "opt in", "opt out" */
	INTENT_NO = 1 << 17,        /* "no": "no more" */
	INTENT_MORE = 1 << 18,      /* "more" after "no" */
	INTENT_OUT = 1 << 19,       /* "out": "i want out" */
	INTENT_TELL = 1 << 15,      /* "text", "reply": "text STOP to..." */
};

struct intent_key {
	const char *w;
	size_t n;
};

#define INTENT_F  INTENT_FILLER
#define INTENT_O  (INTENT_OBJECT | INTENT_STOP | INTENT_START)
#define INTENT_SS (INTENT_STOP | INTENT_STOP_SIGN)
#define INTENT_SN (INTENT_STOP | INTENT_STOP_NEG)
#define INTENT_TS (INTENT_START | INTENT_START_SIGN)
#define INTENT_HS (INTENT_HELP | INTENT_HELP_SIGN)

/* Every word any request uses, in strcmp order (intent_table_ok), each
 * once with all its flags. */
static const struct intent_word {
	const char *word;
	unsigned flags;
} intent_words[] = {
	{ "a", INTENT_F | INTENT_F },
	{ "activate", INTENT_TS },
	{ "add", INTENT_START },
	{ "again", INTENT_START | INTENT_START_BACK | INTENT_HELP },
	{ "ajuda", INTENT_HS },
	{ "alerts", INTENT_O },
	{ "all", INTENT_F },
	{ "alone", INTENT_SS },
	{ "already", INTENT_F },
	{ "am", INTENT_F },
	{ "an", INTENT_F },
	{ "and", INTENT_BREAK },
	{ "any", INTENT_F },
	{ "anymore", INTENT_F },
	{ "are", INTENT_F },
	{ "arrete", INTENT_SS },
	{ "arretez", INTENT_SS },
	{ "asap", INTENT_F },
	{ "ask", INTENT_HELP | INTENT_HOW_VERB },
	{ "available", INTENT_HELP },
	{ "ayuda", INTENT_HS },
	{ "back", INTENT_START | INTENT_START_BACK },
	{ "backtalk", INTENT_F },
	{ "baja", INTENT_SS },
	{ "basta", INTENT_SS },
	{ "be", INTENT_F },
	{ "bitte", INTENT_F },
	{ "but", INTENT_BREAK },
	{ "can", INTENT_F },
	{ "cancel", INTENT_SS },
	{ "cease", INTENT_SS },
	{ "chega", INTENT_SS },
	{ "command", INTENT_HS },
	{ "commands", INTENT_HS },
	{ "contact", INTENT_STOP },
	{ "contacting", INTENT_STOP },
	{ "could", INTENT_F },
	{ "de", INTENT_F },
	{ "deja", INTENT_SS },
	{ "dejen", INTENT_SS },
	{ "delete", INTENT_SS },
	{ "des", INTENT_F },
	{ "do", INTENT_F },
	{ "does", INTENT_F },
	{ "done", INTENT_SN },
	{ "dont", INTENT_SN },
	{ "el", INTENT_F },
	{ "enough", INTENT_SN },
	{ "enviar", INTENT_STOP | INTENT_START },
	{ "enviarme", INTENT_STOP | INTENT_START },
	{ "envoyer", INTENT_STOP },
	{ "explain", INTENT_HELP },
	{ "favor", INTENT_F },
	{ "finished", INTENT_SN },
	{ "for", INTENT_F },
	{ "from", INTENT_F },
	{ "get", INTENT_F },
	{ "getting", INTENT_START },
	{ "give", INTENT_HELP },
	{ "gracias", INTENT_F },
	{ "guys", INTENT_F },
	{ "halp", INTENT_HS },
	{ "halt", INTENT_SS },
	{ "hello", INTENT_F },
	{ "help", INTENT_HS },
	{ "here", INTENT_HELP },
	{ "hey", INTENT_F },
	{ "hi", INTENT_F },
	{ "how", INTENT_HELP | INTENT_HOW },
	{ "i", INTENT_F },
	{ "id", INTENT_F },
	{ "im", INTENT_F },
	{ "immediately", INTENT_F },
	{ "in", INTENT_START | INTENT_BACK_IN },
	{ "instructions", INTENT_HS },
	{ "is", INTENT_F },
	{ "it", INTENT_STOP | INTENT_HELP },
	{ "ive", INTENT_F },
	{ "join", INTENT_TS },
	{ "just", INTENT_F },
	{ "k", INTENT_F },
	{ "keine", INTENT_SN | INTENT_NO },
	{ "keyword", INTENT_HS },
	{ "keywords", INTENT_HS },
	{ "la", INTENT_F },
	{ "las", INTENT_F },
	{ "leave", INTENT_SN },
	{ "let", INTENT_F | INTENT_WANT },
	{ "like", INTENT_F },
	{ "list", INTENT_O | INTENT_HELP },
	{ "lol", INTENT_F },
	{ "los", INTENT_F },
	{ "m", INTENT_F },
	{ "mais", INTENT_SN | INTENT_MORE },
	{ "mandar", INTENT_STOP },
	{ "mandarme", INTENT_STOP },
	{ "mas", INTENT_SN | INTENT_MORE },
	{ "me", INTENT_F },
	{ "mehr", INTENT_SN | INTENT_MORE },
	{ "mensagem", INTENT_O },
	{ "mensagens", INTENT_O },
	{ "mensaje", INTENT_O },
	{ "mensajes", INTENT_O },
	{ "menu", INTENT_HS },
	{ "menvoyer", INTENT_STOP },
	{ "message", INTENT_O },
	{ "messages", INTENT_O },
	{ "messaging", INTENT_STOP | INTENT_START },
	{ "meu", INTENT_F },
	{ "mi", INTENT_F },
	{ "minha", INTENT_F },
	{ "more", INTENT_SN | INTENT_MORE },
	{ "msg", INTENT_O },
	{ "msgs", INTENT_O },
	{ "my", INTENT_F },
	{ "nao", INTENT_SN | INTENT_NO },
	{ "ne", INTENT_SN | INTENT_NO },
	{ "need", INTENT_SN | INTENT_HELP },
	{ "never", INTENT_SN },
	{ "no", INTENT_SN | INTENT_NO },
	{ "not", INTENT_SN },
	{ "notifications", INTENT_O },
	{ "now", INTENT_F },
	{ "number", INTENT_STOP },
	{ "obrigada", INTENT_F },
	{ "obrigado", INTENT_F },
	{ "of", INTENT_F },
	{ "off", INTENT_SS },
	{ "ok", INTENT_F },
	{ "okay", INTENT_F },
	{ "omg", INTENT_F },
	{ "on", INTENT_START | INTENT_BACK_IN },
	{ "opt", INTENT_STOP | INTENT_START | INTENT_OPT },
	{ "optin", INTENT_TS },
	{ "option", INTENT_HS },
	{ "options", INTENT_HS },
	{ "optout", INTENT_SS },
	{ "out", INTENT_STOP | INTENT_OUT },
	{ "para", INTENT_SS },
	{ "parar", INTENT_SS },
	{ "pare", INTENT_SS },
	{ "parem", INTENT_SS },
	{ "please", INTENT_F },
	{ "pls", INTENT_F },
	{ "plse", INTENT_F },
	{ "plus", INTENT_SN | INTENT_MORE },
	{ "plz", INTENT_F },
	{ "por", INTENT_F },
	{ "porfa", INTENT_F },
	{ "put", INTENT_START },
	{ "quero", INTENT_F },
	{ "question", INTENT_HELP },
	{ "questions", INTENT_HELP },
	{ "quiero", INTENT_F },
	{ "quit", INTENT_SS },
	{ "re", INTENT_START },
	{ "reactivate", INTENT_TS },
	{ "really", INTENT_F },
	{ "receber", INTENT_START },
	{ "receive", INTENT_START },
	{ "receiving", INTENT_START },
	{ "recibir", INTENT_START },
	{ "reinstate", INTENT_TS },
	{ "rejoin", INTENT_TS },
	{ "remind", INTENT_HS },
	{ "remove", INTENT_SS },
	{ "removed", INTENT_SS },
	{ "renew", INTENT_TS },
	{ "reply", INTENT_HELP | INTENT_TELL },
	{ "restart", INTENT_TS },
	{ "resubscribe", INTENT_TS },
	{ "resume", INTENT_TS },
	{ "say", INTENT_HELP },
	{ "send", INTENT_STOP | INTENT_START | INTENT_HELP | INTENT_TELL },
	{ "sending", INTENT_STOP | INTENT_START },
	{ "seriously", INTENT_F },
	{ "service", INTENT_O },
	{ "show", INTENT_HELP },
	{ "sign", INTENT_TS },
	{ "signup", INTENT_TS },
	{ "sms", INTENT_O },
	{ "so", INTENT_BREAK },
	{ "sorry", INTENT_F },
	{ "sotp", INTENT_SS },
	{ "spam", INTENT_STOP },
	{ "spamming", INTENT_STOP },
	{ "stahp", INTENT_SS },
	{ "start", INTENT_TS },
	{ "started", INTENT_HELP | INTENT_HOW_VERB },
	{ "stop", INTENT_SS },
	{ "stopp", INTENT_SS },
	{ "stuff", INTENT_STOP },
	{ "subscribe", INTENT_TS },
	{ "subscription", INTENT_O },
	{ "system", INTENT_O },
	{ "take", INTENT_STOP },
	{ "team", INTENT_F },
	{ "text", INTENT_O | INTENT_TELL },
	{ "texting", INTENT_STOP | INTENT_START },
	{ "textos", INTENT_O },
	{ "texts", INTENT_O },
	{ "thank", INTENT_F },
	{ "thanks", INTENT_F },
	{ "that", INTENT_F },
	{ "the", INTENT_F },
	{ "them", INTENT_O },
	{ "then", INTENT_BREAK },
	{ "there", INTENT_HELP },
	{ "these", INTENT_F },
	{ "this", INTENT_F },
	{ "those", INTENT_F },
	{ "thx", INTENT_F },
	{ "tips", INTENT_O },
	{ "to", INTENT_F },
	{ "turn", INTENT_START | INTENT_STOP },
	{ "txt", INTENT_O | INTENT_TELL },
	{ "txts", INTENT_O },
	{ "ty", INTENT_F },
	{ "type", INTENT_HELP | INTENT_TELL },
	{ "u", INTENT_F },
	{ "unblock", INTENT_TS },
	{ "understand", INTENT_HELP },
	{ "unstop", INTENT_TS },
	{ "unsub", INTENT_SS },
	{ "unsubscribe", INTENT_SS },
	{ "up", INTENT_START },
	{ "ur", INTENT_F },
	{ "use", INTENT_HELP | INTENT_HOW_VERB },
	{ "using", INTENT_START | INTENT_HELP | INTENT_HOW_VERB },
	{ "voltar", INTENT_TS },
	{ "volver", INTENT_TS },
	{ "wanna", INTENT_F | INTENT_WANT },
	{ "want", INTENT_F | INTENT_WANT },
	{ "what", INTENT_HELP },
	{ "with", INTENT_F },
	{ "words", INTENT_HS },
	{ "work", INTENT_HELP | INTENT_HOW_VERB },
	{ "works", INTENT_HELP | INTENT_HOW_VERB },
	{ "would", INTENT_F },
	{ "write", INTENT_HELP },
	{ "x", INTENT_F },
	{ "xx", INTENT_F },
	{ "ya", INTENT_F },
	{ "yo", INTENT_F },
	{ "you", INTENT_F },
	{ "your", INTENT_F },
};

static int
intent_cmp(const void *key, const void *elem)
{
	const struct intent_key *k = key;
	const char *w = ((const struct intent_word *)elem)->word;
	int c = strncmp(k->w, w, k->n);

	return c != 0 ? c : (w[k->n] != '\0' ? -1 : 0);
}

/* The flags of the word [w, w + n), 0 when it is in no table. */
static unsigned
intent_word(const char *w, size_t n)
{
	struct intent_key k = { w, n };
	const struct intent_word *e = bsearch(
	    &k, intent_words, sizeof(intent_words) / sizeof(intent_words[0]),
	    sizeof(intent_words[0]), intent_cmp);

	return e != NULL ? e->flags : 0;
}

bool
intent_table_ok(void)
{
	for (size_t i = 1; i < sizeof(intent_words) / sizeof(intent_words[0]);
	     i++)
		if (strcmp(intent_words[i - 1].word, intent_words[i].word) >= 0)
			return false;
	return true;
}

/* A clause read so far: the flags of its words and what they allow. */
struct intent_clause {
	unsigned seen;                   /* every flag of every word */
	bool ok_stop, ok_start, ok_help; /* every word fits the request */
	bool back_in;                    /* "back in", "back on" */
	bool how_verb;                   /* "how ... use/work/ask" */
	bool told;                       /* "text STOP": an instruction */
	bool stop_pair, start_pair;      /* "opt out", "no more"; "opt in" */
	size_t words;
};

static void
intent_clause_reset(struct intent_clause *c)
{
	memset(c, 0, sizeof(*c));
	c->ok_stop = c->ok_start = c->ok_help = true;
}

/* What the clause asks for, or CATEGORY_FALLBACK. */
static enum category
intent_clause_ask(const struct intent_clause *c, bool no_stop)
{
	unsigned s = c->seen;

	if (c->words == 0 || c->told)
		return CATEGORY_FALLBACK;
	if (!no_stop && c->ok_stop &&
	    ((s & INTENT_STOP_SIGN) || c->stop_pair ||
	     ((s & INTENT_OUT) && (s & INTENT_WANT)) ||
	     ((s & INTENT_OBJECT) && (s & INTENT_STOP_NEG))))
		return CATEGORY_STOP;
	if (c->ok_start && ((s & INTENT_START_SIGN) || c->start_pair ||
	                    (c->back_in && c->words <= 3) ||
	                    ((s & INTENT_OBJECT) && (s & INTENT_START_BACK)) ||
	                    (c->back_in && (s & INTENT_WANT))))
		return CATEGORY_START;
	if (c->ok_help && ((s & INTENT_HELP_SIGN) || c->how_verb))
		return CATEGORY_HELP;
	return CATEGORY_FALLBACK;
}

/* The requests found so far in a message. */
struct intent_found {
	enum category category; /* CATEGORY_FALLBACK: none yet */
	bool conflict;          /* two clauses ask for different things */
	bool all_help;          /* every clause could be part of a help */
};

/* Ends clause c and adds what it asks for to *fd.  The menu is asked for
 * by a whole message ("options pls"), never by one clause of it
 * ("Backtalk help: text FORM"), so a help needs all_help. */
static void
intent_clause_end(struct intent_clause *c, bool no_stop,
                  struct intent_found *fd)
{
	enum category a = intent_clause_ask(c, no_stop);

	if (c->words > 0 && (!c->ok_help || c->told))
		fd->all_help = false;
	intent_clause_reset(c);
	if (a == CATEGORY_FALLBACK)
		return;
	if (fd->category != CATEGORY_FALLBACK && fd->category != a)
		fd->conflict = true;
	fd->category = a;
}

/* Adds word flags f to clause c; prev: the flags of the word before. */
static void
intent_clause_add(struct intent_clause *c, unsigned f, unsigned prev)
{
	c->words++;
	c->seen |= f;
	if (!(f & (INTENT_FILLER | INTENT_STOP)))
		c->ok_stop = false;
	if (!(f & (INTENT_FILLER | INTENT_START)))
		c->ok_start = false;
	if (!(f & (INTENT_FILLER | INTENT_HELP)))
		c->ok_help = false;
	/* "text STOP to opt out", "reply HELP": a sign after a word that
	 * tells what to send is an instruction, not a request */
	if ((prev & INTENT_TELL) &&
	    (f & (INTENT_STOP_SIGN | INTENT_START_SIGN | INTENT_HELP_SIGN)))
		c->told = true;
	if (((prev & INTENT_OPT) && (f & INTENT_OUT)) ||
	    ((prev & INTENT_NO) && (f & INTENT_MORE)))
		c->stop_pair = true;
	if ((prev & INTENT_OPT) && (f & INTENT_BACK_IN))
		c->start_pair = true;
	if ((prev & INTENT_START_BACK) && (f & INTENT_BACK_IN))
		c->back_in = true;
	if ((c->seen & INTENT_HOW) && (f & INTENT_HOW_VERB))
		c->how_verb = true;
}

bool
intent_find(const char *norm, size_t len, bool no_stop, enum category *ret)
{
	struct token toks[64];
	struct intent_clause c;
	struct intent_found fd = { CATEGORY_FALLBACK, false, true };
	unsigned prev = 0;

	if (len == 0 || len > INTENT_TEXT_MAX)
		return false;
	size_t n = token_split(norm, len, toks, sizeof(toks) / sizeof(toks[0]));
	if (n == sizeof(toks) / sizeof(toks[0]))
		return false;
	intent_clause_reset(&c);
	for (size_t i = 0; i < n; i++) {
		const struct token *t = &toks[i];
		unsigned f = intent_word(norm + t->start, t->end - t->start);
		if (f & INTENT_BREAK) {
			intent_clause_end(&c, no_stop, &fd);
			prev = 0;
			continue;
		}
		intent_clause_add(&c, f, prev);
		prev = f;
		if (t->flags & (TOKEN_CLAUSE_END | TOKEN_SENTENCE_END)) {
			intent_clause_end(&c, no_stop, &fd);
			prev = 0;
		}
	}
	intent_clause_end(&c, no_stop, &fd);
	if (fd.category == CATEGORY_FALLBACK || fd.conflict ||
	    (fd.category == CATEGORY_HELP && !fd.all_help))
		return false;
	*ret = fd.category;
	return true;
}
