/* strjoin.c: finds strings that libconfig would join inside a list
 * (strjoin.h).  A small lexer for libconfig's syntax: comments (#, //,
 * C-style), strings with backslash escapes, and the nesting of [ ], ( )
 * and { }. */
#include <stdbool.h>

#include "strjoin.h"

#define STRJOIN_DEPTH                                       \
	64 /* deeper nesting is not followed (libconfig has \
	      its own limits; this only reports) */

size_t
strjoin_find(const char *text, size_t len, unsigned *lines, size_t max)
{
	char stack[STRJOIN_DEPTH];
	size_t depth = 0, found = 0, i = 0;
	unsigned line = 1;
	bool after_string = false; /* the last token was a string */

	while (i < len) {
		char c = text[i];

		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			continue;
		}
		if (c == '#' ||
		    (c == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			i += 2;
			while (i < len && !(text[i] == '*' && i + 1 < len &&
			                    text[i + 1] == '/')) {
				if (text[i] == '\n')
					line++;
				i++;
			}
			i = i + 2 < len ? i + 2 : len;
			continue;
		}
		if (c == '"') {
			bool in_list = depth > 0 && depth <= STRJOIN_DEPTH &&
			               (stack[depth - 1] == '[' ||
			                stack[depth - 1] == '(');
			if (after_string && in_list) {
				if (found < max)
					lines[found] = line;
				found++;
			}
			i++;
			while (i < len && text[i] != '"') {
				if (text[i] == '\\' && i + 1 < len)
					i++;
				if (text[i] == '\n')
					line++;
				i++;
			}
			i++;
			after_string = true;
			continue;
		}
		if (c == '[' || c == '(' || c == '{') {
			if (depth < STRJOIN_DEPTH)
				stack[depth] = c;
			depth++;
		} else if ((c == ']' || c == ')' || c == '}') && depth > 0) {
			depth--;
		}
		after_string = false;
		i++;
	}
	return found;
}
