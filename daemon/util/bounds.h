/* Hard limits on everything that comes from outside (rule files, messages). */
#ifndef BACKTALK_BOUNDS_H
#define BACKTALK_BOUNDS_H

/* Longest message body considered, in bytes; longer bodies are cut at a
 * character boundary.  Ten concatenated SMS parts in UTF-8 fit well inside. */
#define BT_MESSAGE_MAX 8192

#define BT_RULES_MAX         10000
#define BT_RULE_PATTERNS_MAX 64
#define BT_RULE_KEYWORDS_MAX 32
#define BT_RULE_EXAMPLES_MAX 64
#define BT_RULE_ID_MAX       64
#define BT_PATTERN_MAX       1024
#define BT_REPLY_MAX         1600
#define BT_RULE_FILES_MAX    1000

/* PCRE2 limits: no pattern may run longer than this on one message. */
#define BT_PCRE2_MATCH_LIMIT   100000
#define BT_PCRE2_DEPTH_LIMIT   2000
#define BT_PCRE2_HEAP_LIMIT_KB 2048
#define BT_PCRE2_JIT_STACK_MAX (512 * 1024)

/* Budget for a reply: two GSM-7 segments. */
#define BT_REPLY_SEGMENTS_MAX 2

#endif
