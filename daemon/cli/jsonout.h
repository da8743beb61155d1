/* JSON text of a string, for output written a line at a time. */
#ifndef BACKTALK_JSONOUT_H
#define BACKTALK_JSONOUT_H

#include <stddef.h>

/* Writes the JSON encoding of the len bytes at s into buf, as jansson's
 * json_dumpb(json_stringn(s, len), JSON_COMPACT | JSON_ENCODE_ANY) writes
 * it (jansson does all of it: no JSON is written by hand), and returns its
 * length: 0 when s is not valid UTF-8 or out of memory, more than cap when
 * buf is too small (then buf holds nothing useful). */
size_t jsonout_string(const char *s, size_t len, char *buf, size_t cap);

#endif
