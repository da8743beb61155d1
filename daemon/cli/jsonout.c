/* JSON text of a string, written by jansson into a caller's buffer (no
 * allocation of the output), for a line put together and written once. */
#include <jansson.h>

#include "jsonout.h"

size_t
jsonout_string(const char *s, size_t len, char *buf, size_t cap)
{
	json_t *t = json_stringn(s, len);
	if (t == NULL)
		return 0;
	size_t n = json_dumpb(t, buf, cap, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(t);
	return n;
}
