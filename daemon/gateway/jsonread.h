/* Small bounded readers over jansson shared by the gateway parsers. */
#ifndef BACKTALK_JSONREAD_H
#define BACKTALK_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

/* Parses buf as a JSON object (duplicate keys rejected); NULL with err
 * filled when it is not JSON or not an object.  err never quotes the
 * input: it may hold a message body. */
json_t *jsonread_object(const char *buf, size_t len, char *err, size_t errlen);

/* Parses a gateway's list of inbound messages so that one bad message
 * cannot spoil the others: in a copy of buf, a \u0000 escape, a lone
 * surrogate escape and a byte that is not UTF-8 inside a string become
 * U+FFFD and a raw control character inside a string is escaped; then
 * the copy is decoded with duplicate keys allowed (the last one counts).
 * So every string in the result is valid UTF-8 without NUL.  NULL with
 * err filled (never quoting the input) when the copy is still not JSON
 * (cut short, not JSON at all) or not an object. */
json_t *jsonread_page(const char *buf, size_t len, char *err, size_t errlen);

/* The string member key, or NULL when it is missing, not a string, holds
 * a NUL, or is longer than max bytes. */
const char *jsonread_string(const json_t *obj, const char *key, size_t max);

#endif
