/* Small bounded readers over jansson shared by the gateway parsers. */
#ifndef BACKTALK_JSONREAD_H
#define BACKTALK_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

/* Parses buf as a JSON object (duplicate keys rejected); NULL with err
 * filled when it is not JSON or not an object. */
json_t *jsonread_object(const char *buf, size_t len, char *err, size_t errlen);

/* The string member key, or NULL when it is missing, not a string, or
 * longer than max bytes. */
const char *jsonread_string(const json_t *obj, const char *key, size_t max);

#endif
