/* Escaping text that came from outside (gateway ids, phone numbers,
 * message bodies, gateway error texts) before it reaches a terminal or a
 * log line, so that it can neither act on the terminal nor disguise
 * itself.  Escaped visibly: C0 controls as \n, \r, \t or \xNN, DEL as
 * \x7f, C1 controls (U+0080 to U+009F) and the Unicode bidi overrides and
 * isolates (U+202A to U+202E, U+2066 to U+2069) as \uNNNN, and a byte that
 * is not part of valid UTF-8 as \xNN.  Everything else is copied. */
#ifndef BACKTALK_ESCAPE_H
#define BACKTALK_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest escape of one character: "\u202e". */
#define ESCAPE_MAX 6

/* Writes s escaped into buf[0..size) without a NUL; returns the bytes
 * written and sets *cut when not all of s fitted (an escape or a character
 * is never split). */
size_t escape_text(char *buf, size_t size, const char *s, bool *cut);

/* s escaped into buf, NUL-terminated (cut short when it does not fit);
 * returns buf.  NULL s gives "". */
const char *escape_str(const char *s, char *buf, size_t size);

/* Writes s escaped to fp. */
void escape_fputs(const char *s, FILE *fp);

#endif
