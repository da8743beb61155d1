/* Plain requests to stop, to start again or for the menu (intent.h).
 *
 * Each word of a clause is looked up in one table of words, each with the
 * requests it may belong to.  A clause is a request when every word is a
 * filler or a word of that request, and it holds the request's sign: a
 * strong word ("unsubscribe", "resume", "menu"), or the messages named
 * with a word that turns them off ("no more texts") or on again ("the tips
 * again"). */
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

#define INTENT_F  INTENT_FILLER
#define INTENT_O  (INTENT_OBJECT | INTENT_STOP | INTENT_START)
#define INTENT_SS (INTENT_STOP | INTENT_STOP_SIGN)
#define INTENT_SN (INTENT_STOP | INTENT_STOP_NEG)
#define INTENT_TS (INTENT_START | INTENT_START_SIGN)
#define INTENT_HS (INTENT_HELP | INTENT_HELP_SIGN)

static const struct {
	const char *word;
	unsigned flags;
} intent_words[] = {
	/* fillers */
	{ "please", INTENT_F },
	{ "pls", INTENT_F },
	{ "plz", INTENT_F },
	{ "plse", INTENT_F },
	{ "thanks", INTENT_F },
	{ "thank", INTENT_F },
	{ "thx", INTENT_F },
	{ "ty", INTENT_F },
	{ "you", INTENT_F },
	{ "u", INTENT_F },
	{ "ok", INTENT_F },
	{ "okay", INTENT_F },
	{ "k", INTENT_F },
	{ "hi", INTENT_F },
	{ "hey", INTENT_F },
	{ "hello", INTENT_F },
	{ "yo", INTENT_F },
	{ "sorry", INTENT_F },
	{ "just", INTENT_F },
	{ "i", INTENT_F },
	{ "im", INTENT_F },
	{ "id", INTENT_F },
	{ "ive", INTENT_F },
	{ "me", INTENT_F },
	{ "my", INTENT_F },
	{ "the", INTENT_F },
	{ "a", INTENT_F },
	{ "an", INTENT_F },
	{ "this", INTENT_F },
	{ "that", INTENT_F },
	{ "these", INTENT_F },
	{ "those", INTENT_F },
	{ "all", INTENT_F },
	{ "to", INTENT_F },
	{ "would", INTENT_F },
	{ "like", INTENT_F },
	{ "can", INTENT_F },
	{ "could", INTENT_F },
	{ "do", INTENT_F },
	{ "does", INTENT_F },
	{ "really", INTENT_F },
	{ "seriously", INTENT_F },
	{ "lol", INTENT_F },
	{ "omg", INTENT_F },
	{ "already", INTENT_F },
	{ "now", INTENT_F },
	{ "asap", INTENT_F },
	{ "immediately", INTENT_F },
	{ "guys", INTENT_F },
	{ "team", INTENT_F },
	{ "backtalk", INTENT_F },
	{ "por", INTENT_F },
	{ "favor", INTENT_F },
	{ "porfa", INTENT_F },
	{ "gracias", INTENT_F },
	{ "obrigado", INTENT_F },
	{ "obrigada", INTENT_F },
	{ "de", INTENT_F },
	{ "la", INTENT_F },
	{ "el", INTENT_F },
	{ "los", INTENT_F },
	{ "las", INTENT_F },
	{ "mi", INTENT_F },
	{ "meu", INTENT_F },
	{ "minha", INTENT_F },
	{ "quiero", INTENT_F },
	{ "quero", INTENT_F },
	{ "is", INTENT_F },
	{ "am", INTENT_F },
	{ "are", INTENT_F },
	{ "be", INTENT_F },
	{ "of", INTENT_F },
	{ "for", INTENT_F },
	{ "from", INTENT_F },
	{ "with", INTENT_F },
	{ "any", INTENT_F },
	{ "anymore", INTENT_F },
	{ "get", INTENT_F },
	{ "x", INTENT_F },
	{ "xx", INTENT_F },
	/* clause breaks */
	{ "but", INTENT_BREAK },
	{ "and", INTENT_BREAK },
	{ "so", INTENT_BREAK },
	{ "then", INTENT_BREAK },
	/* the messages */
	{ "text", INTENT_O | INTENT_TELL },
	{ "texts", INTENT_O },
	{ "txt", INTENT_O | INTENT_TELL },
	{ "txts", INTENT_O },
	{ "message", INTENT_O },
	{ "messages", INTENT_O },
	{ "msg", INTENT_O },
	{ "msgs", INTENT_O },
	{ "sms", INTENT_O },
	{ "tips", INTENT_O },
	{ "alerts", INTENT_O },
	{ "notifications", INTENT_O },
	{ "service", INTENT_O },
	{ "subscription", INTENT_O },
	{ "list", INTENT_O },
	{ "mensajes", INTENT_O },
	{ "mensaje", INTENT_O },
	{ "mensagens", INTENT_O },
	{ "mensagem", INTENT_O },
	{ "textos", INTENT_O },
	/* stop */
	{ "stop", INTENT_SS },
	{ "stopp", INTENT_SS },
	{ "stahp", INTENT_SS },
	{ "sotp", INTENT_SS },
	{ "halt", INTENT_SS },
	{ "para", INTENT_SS },
	{ "arrete", INTENT_SS },
	{ "quit", INTENT_SS },
	{ "cease", INTENT_SS },
	{ "unsubscribe", INTENT_SS },
	{ "unsub", INTENT_SS },
	{ "cancel", INTENT_SS },
	{ "optout", INTENT_SS },
	{ "remove", INTENT_SS },
	{ "delete", INTENT_SS },
	{ "alone", INTENT_SS },
	{ "basta", INTENT_SS },
	{ "chega", INTENT_SS },
	{ "pare", INTENT_SS },
	{ "parem", INTENT_SS },
	{ "dejen", INTENT_SS },
	{ "deja", INTENT_SS },
	{ "baja", INTENT_SS },
	{ "no", INTENT_SN | INTENT_NO },
	{ "ne", INTENT_SN | INTENT_NO },
	{ "plus", INTENT_SN | INTENT_MORE },
	{ "nao", INTENT_SN | INTENT_NO },
	{ "not", INTENT_SN },
	{ "dont", INTENT_SN },
	{ "never", INTENT_SN },
	{ "done", INTENT_SN },
	{ "finished", INTENT_SN },
	{ "enough", INTENT_SN },
	{ "more", INTENT_SN | INTENT_MORE },
	{ "mas", INTENT_SN | INTENT_MORE },
	{ "mais", INTENT_SN | INTENT_MORE },
	{ "leave", INTENT_SN },
	{ "need", INTENT_SN | INTENT_HELP },
	{ "out", INTENT_STOP | INTENT_OUT },
	{ "opt", INTENT_STOP | INTENT_START | INTENT_OPT },
	{ "sending", INTENT_STOP | INTENT_START },
	{ "send", INTENT_STOP | INTENT_START | INTENT_HELP | INTENT_TELL },
	{ "texting", INTENT_STOP | INTENT_START },
	{ "messaging", INTENT_STOP | INTENT_START },
	{ "contact", INTENT_STOP },
	{ "contacting", INTENT_STOP },
	{ "spam", INTENT_STOP },
	{ "spamming", INTENT_STOP },
	{ "stuff", INTENT_STOP },
	{ "them", INTENT_O },
	{ "it", INTENT_STOP | INTENT_HELP },
	{ "number", INTENT_STOP },
	{ "mandar", INTENT_STOP },
	{ "mandarme", INTENT_STOP },
	{ "enviar", INTENT_STOP | INTENT_START },
	{ "enviarme", INTENT_STOP | INTENT_START },
	{ "envoyer", INTENT_STOP },
	{ "menvoyer", INTENT_STOP },
	{ "m", INTENT_F },
	{ "ya", INTENT_F },
	/* start */
	{ "start", INTENT_TS },
	{ "restart", INTENT_TS },
	{ "resume", INTENT_TS },
	{ "subscribe", INTENT_TS },
	{ "resubscribe", INTENT_TS },
	{ "rejoin", INTENT_TS },
	{ "join", INTENT_TS },
	{ "unstop", INTENT_TS },
	{ "unblock", INTENT_TS },
	{ "reactivate", INTENT_TS },
	{ "activate", INTENT_TS },
	{ "reinstate", INTENT_TS },
	{ "renew", INTENT_TS },
	{ "signup", INTENT_TS },
	{ "sign", INTENT_TS },
	{ "optin", INTENT_TS },
	{ "volver", INTENT_TS },
	{ "voltar", INTENT_TS },
	{ "re", INTENT_START },
	{ "up", INTENT_START },
	{ "turn", INTENT_START },
	{ "put", INTENT_START },
	{ "add", INTENT_START },
	{ "receive", INTENT_START },
	{ "receiving", INTENT_START },
	{ "getting", INTENT_START },
	{ "recibir", INTENT_START },
	{ "receber", INTENT_START },
	{ "a", INTENT_F },
	{ "back", INTENT_START | INTENT_START_BACK },
	{ "again", INTENT_START | INTENT_START_BACK },
	{ "on", INTENT_START | INTENT_BACK_IN },
	{ "in", INTENT_START | INTENT_BACK_IN },
	{ "want", INTENT_F | INTENT_WANT },
	{ "wanna", INTENT_F | INTENT_WANT },
	{ "let", INTENT_F | INTENT_WANT },
	/* help */
	{ "menu", INTENT_HS },
	{ "options", INTENT_HS },
	{ "option", INTENT_HS },
	{ "commands", INTENT_HS },
	{ "command", INTENT_HS },
	{ "keywords", INTENT_HS },
	{ "keyword", INTENT_HS },
	{ "instructions", INTENT_HS },
	{ "help", INTENT_HS },
	{ "halp", INTENT_HS },
	{ "remind", INTENT_HS },
	{ "ayuda", INTENT_HS },
	{ "ajuda", INTENT_HS },
	{ "how", INTENT_HELP | INTENT_HOW },
	{ "what", INTENT_HELP },
	{ "use", INTENT_HELP | INTENT_HOW_VERB },
	{ "work", INTENT_HELP | INTENT_HOW_VERB },
	{ "works", INTENT_HELP | INTENT_HOW_VERB },
	{ "ask", INTENT_HELP | INTENT_HOW_VERB },
	{ "question", INTENT_HELP },
	{ "questions", INTENT_HELP },
	{ "here", INTENT_HELP },
	{ "reply", INTENT_HELP | INTENT_TELL },
	{ "type", INTENT_HELP | INTENT_TELL },
	{ "write", INTENT_HELP },
	{ "say", INTENT_HELP },
	{ "explain", INTENT_HELP },
	{ "understand", INTENT_HELP },
	{ "words", INTENT_HS },
	{ "show", INTENT_HELP },
	{ "give", INTENT_HELP },
	{ "available", INTENT_HELP },
	{ "there", INTENT_HELP },
	{ "your", INTENT_F },
	{ "ur", INTENT_F },
};

/* The flags of the word [w, w + n), 0 when it is in no table. */
static unsigned
intent_word(const char *w, size_t n)
{
	unsigned flags = 0;

	for (size_t i = 0; i < sizeof(intent_words) / sizeof(intent_words[0]);
	     i++)
		if (intent_words[i].word[0] == w[0] &&
		    strlen(intent_words[i].word) == n &&
		    memcmp(intent_words[i].word, w, n) == 0)
			flags |= intent_words[i].flags;
	return flags;
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
