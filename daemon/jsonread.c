/* Bounded JSON readers for the gateway parsers. */
#include <stdio.h>

#include "jsonread.h"

json_t *
jsonread_object(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL) {
		snprintf(err, errlen, "not JSON: %s at offset %d", jerr.text,
		         jerr.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

const char *
jsonread_string(const json_t *obj, const char *key, size_t max)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) > max)
		return NULL;
	return json_string_value(v);
}
