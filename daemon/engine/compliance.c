/* Compliance keywords.  The list follows the CTIA and carrier opt-out
 * keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT)
 * and opt-in and help keywords. */
#include <string.h>

#include "compliance.h"

static const struct {
	const char *word;
	enum category category;
} compliance_words[] = {
	{ "cancel", CATEGORY_STOP },      { "end", CATEGORY_STOP },
	{ "help", CATEGORY_HELP },        { "info", CATEGORY_HELP },
	{ "opt out", CATEGORY_STOP },     { "opt-out", CATEGORY_STOP },
	{ "optout", CATEGORY_STOP },      { "quit", CATEGORY_STOP },
	{ "revoke", CATEGORY_STOP },      { "start", CATEGORY_START },
	{ "stop", CATEGORY_STOP },        { "stop all", CATEGORY_STOP },
	{ "stopall", CATEGORY_STOP },     { "unstop", CATEGORY_START },
	{ "unsubscribe", CATEGORY_STOP }, { "yes", CATEGORY_START },
};

bool
compliance_keyword(const char *norm, enum category *ret)
{
	size_t i;

	for (i = 0; i < sizeof(compliance_words) / sizeof(compliance_words[0]);
	     i++)
		if (norm[0] == compliance_words[i].word[0] &&
		    strcmp(norm, compliance_words[i].word) == 0) {
			*ret = compliance_words[i].category;
			return true;
		}
	return false;
}

/* Explicit requests to stop receiving messages.  Each names the messages or
 * the sender, so "how do i stop my back hurting" is not one. */
const char *const compliance_stop_patterns[] = {
	"^(?:please |pls |plz )?(?:stop|unsubscribe|cancel|quit|end|opt out|"
	"optout)(?: (?:it|this|that|now|please|pls|plz|all|everything|"
	"thanks|thank you|thx|stop|quit|end|cancel|unsubscribe))*$",
	"\\b(?:stop|quit|cease|no more)\\s+(?:sending\\s+(?:me\\s+)?)?"
	"(?:text|txt|messag|msg|sms|contact|spamm|email|notif|alert)\\w*"
	"(?:\\s+(?:me|us|this number))?\\b",
	"\\b(?:do not|dont|never)\\s+(?:text|txt|message|msg|sms|contact)\\w*"
	"\\s+(?:me|us|this number)\\b",
	"\\b(?:unsubscribe|opt me out|opt out of|remove me from|take me off)"
	"\\b",
	"\\bstop\\s+sending\\s+(?:me\\s+)?(?:these|this|them|that|anything|"
	"stuff|"
	"messages|texts)\\b",
	"\\b(?:cancel|end|stop)\\s+(?:my\\s+|the\\s+|this\\s+)?(?:subscription|"
	"service|alerts|texts|messages)\\b",
	/* Spanish and Portuguese: "deja de mandarme mensajes", "para de me
	 * mandar mensagem", "no me mandes mas" */
	"\\b(?:para|pare|parem|parar|deja|dejen|deje|dejar) de (?:me )?"
	"(?:mandar|enviar|escribir|textear)\\w*",
	"\\bno me (?:mandes|manden|envies|envien|escribas) mas\\b",
	"\\b(?:darme|dame|denme|me da|me den) de baja\\b",
	/* "remove my number", "i want out of these texts", "i dont want any
	 * more messages", "não quero mais mensagens" */
	"\\b(?:remove|delete|erase)\\s+my\\s+(?:number|phone number|phone|"
	"cell|cell number|mobile|mobile number)\\b",
	"\\b(?:i want|i wanna|let me|get me)\\s+out\\s+of\\s+(?:these|this|"
	"the|your)\\s+(?:texts?|messages?|msgs?|list|service|program)\\b",
	"\\b(?:dont|do not)\\s+want\\s+(?:these|this|any more|anymore|more|"
	"your|the|any)\\s+(?:texts?|messages?|msgs?|sms)\\b",
	"\\b(?:nao|no)\\s+(?:quero|quiero)\\s+(?:mais\\s+|mas\\s+|recibir\\s+|"
	"receber\\s+)?(?:mensagens|mensajes|mensagem|mensaje|textos|sms)\\b",
	/* A first sentence that is the keyword alone: "cancel. my back is
	 * fine now", "STOP!! leg still numb" (a red flag in the rest is
	 * answered beside the STOP). */
	"^(?:please |pls |plz )?(?:stop|unsubscribe|cancel|opt out|optout|"
	"stopall|stop all)(?: (?:it|this|now|please|pls|plz|all))*\\s*[.!]+"
	"(?:\\s|$)",
};

const size_t compliance_stop_pattern_count =
    sizeof(compliance_stop_patterns) / sizeof(compliance_stop_patterns[0]);

const struct compliance_request compliance_requests[] = {
	{ "\\b(?:re-?subscribe|opt me back in|opt me in|sign me (?:back "
	  "up|up again|up for (?:the |your )?(?:texts|messages|tips))|add me "
	  "back|put me back on|turn (?:the )?(?:texts|messages|alerts) back "
	  "on)\\b",
	  CATEGORY_START },
	{ "\\b(?:start|resume|restart) (?:sending|texting|messaging) me\\b",
	  CATEGORY_START },
	/* "can i get back on the list", "quiero volver a recibir mensajes" */
	{ "\\b(?:get|put|add|sign)\\s+(?:me\\s+)?back\\s+(?:on|in|into|onto)"
	  "\\s+"
	  "(?:the|your|this)\\s+(?:list|texts|messages|service|program)\\b",
	  CATEGORY_START },
	{ "\\b(?:volver|voltar) a (?:recibir|receber)\\b", CATEGORY_START },
	{ "\\bopt (?:me )?(?:back in|in again)\\b|\\bturn (?:it|them|this|the "
	  "texts|the messages) back on\\b",
	  CATEGORY_START },
	{ "\\b(?:i want|id like|can i get|send me) (?:the |your )?(?:texts|"
	  "messages|tips) again\\b",
	  CATEGORY_START },
	{ "^(?:please |pls )?(?:start|unstop|subscribe)(?: (?:again|me|please|"
	  "pls|now|back))+$",
	  CATEGORY_START },
	{ "^(?:please |pls )?(?:menu|the menu|options|commands|keywords|help "
	  "me|help please|help pls|what can i (?:text|send|ask)|what can you "
	  "do|what do i (?:text|send)|how does this work|how do i use this)$",
	  CATEGORY_HELP },
	{ "\\b(?:send|show|give|text) me (?:the |your |a )?(?:menu|options|"
	  "list of (?:options|commands|keywords)|commands|keywords)\\b",
	  CATEGORY_HELP },
	{ "\\bwhat (?:are|r) (?:the|my|your) (?:options|commands|keywords)\\b",
	  CATEGORY_HELP },
	{ "\\bwhat (?:commands|keywords|options|words) (?:are there|do you "
	  "(?:have|take|know)|can i (?:use|send|text))\\b",
	  CATEGORY_HELP },
	{ "\\b(?:how do i|how to|how can i) use (?:this|you|the service|this "
	  "service|this number|this line)\\b",
	  CATEGORY_HELP },
	{ "\\bwhat (?:can|should|do) i (?:text|send|ask|say|type|write)\\b",
	  CATEGORY_HELP },
	{ "\\bhow (?:does|do) (?:this|it|the service|this service|this line|"
	  "you) work\\b",
	  CATEGORY_HELP },
	/* "ayuda", "what words do i send", "what do i reply", "i dont know
	 * what to type", "help me use this thing" */
	{ "^(?:ayuda|ajuda)(?: (?:por favor|porfa|pls|please))?$",
	  CATEGORY_HELP },
	{ "\\bwhat (?:words?|keywords?|commands?|codes?) (?:do|should|can) i "
	  "(?:send|text|type|use|reply|write)\\b",
	  CATEGORY_HELP },
	{ "\\bwhat (?:do|should) i (?:reply|respond)\\b", CATEGORY_HELP },
	{ "\\b(?:dont|do not) know what to (?:type|text|send|write|reply)\\b",
	  CATEGORY_HELP },
	{ "\\b(?:help|teach|show) me (?:how to )?use (?:this|you|the service|"
	  "this service|this thing|this line|it)\\b",
	  CATEGORY_HELP },
	/* "what am i supposed to send", "how do i talk to this thing", "can
	 * you send the list of commands", "ayuda, como funciona esto", "no se
	 * que escribir" */
	{ "\\bwhat (?:am i|are we|do i) (?:supposed|meant|expected|need) to "
	  "(?:send|text|txt|type|say|write|reply|ask)\\b",
	  CATEGORY_HELP },
	{ "\\bhow (?:do|can|should|would) (?:i|we) (?:talk|chat|speak|text) "
	  "(?:to|with) (?:this|you|it|the bot|this bot|this thing|this "
	  "number|this service|the service)\\b",
	  CATEGORY_HELP },
	{ "\\bhow (?:does|do) (?:this thing|this bot|the bot|this app|these "
	  "texts|the texts) work\\b",
	  CATEGORY_HELP },
	{ "\\blist of (?:the |your )?(?:text )?(?:commands|keywords|codes)\\b",
	  CATEGORY_HELP },
	{ "^(?:ayuda|ajuda)\\b|\\bcomo (?:funciona|se usa|uso) (?:esto|isso|"
	  "este servicio|este numero|o servico|este servico)\\b|\\b(?:no se|"
	  "nao sei) (?:que|o que) (?:escribir|mandar|enviar|escrever|"
	  "responder)\\b",
	  CATEGORY_HELP },
	/* "can you add me again", "turn my messages back on", "i unsubscribed
	 * by accident", "i want to get the tips again" */
	{ "\\b(?:add|put|sign) me (?:again|back)\\b|\\bre-?add me\\b",
	  CATEGORY_START },
	{ "\\bturn (?:my|the|your|these) (?:texts|messages|msgs|alerts|"
	  "notifications|tips|sms) (?:back on|on again)\\b",
	  CATEGORY_START },
	{ "\\b(?:unsubscribed|opted out|stopped it|hit stop|texted stop|sent "
	  "stop|pressed stop|replied stop) (?:by|on) (?:accident|mistake)\\b",
	  CATEGORY_START },
	{ "\\b(?:get|getting|receive|receiving) (?:the |your |these )?(?:texts|"
	  "messages|tips|msgs) again\\b",
	  CATEGORY_START },
};

const size_t compliance_request_count =
    sizeof(compliance_requests) / sizeof(compliance_requests[0]);
