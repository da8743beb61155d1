/* Strict UTF-8 decoding shared by normalisation and SMS segment counting. */
#ifndef BACKTALK_UTF8_H
#define BACKTALK_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (len > 0).  Returns the number of bytes used
 * (1-4) and stores the code point in *ret_cp, or returns 0 when the bytes are
 * not well-formed UTF-8 (overlong forms, surrogates and values above U+10FFFF
 * included). */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp);

/* Returns the offset of the first invalid byte, or len when s is valid. */
size_t utf8_invalid_offset(const char *s, size_t len);

/* Largest n <= len such that s[0..n) does not end inside a character. */
size_t utf8_truncate(const char *s, size_t len);

#endif
