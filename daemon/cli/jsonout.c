/* JSON text of a string, written by jansson into a caller's buffer (no
 * allocation of the output), for a line put together and written once.
 * The string is made with json_stringn_nocheck: json_dumpb checks the
 * UTF-8 as it writes (utf8_iterate accepts exactly what json_stringn's
 * utf8_check_string does) and fails on what json_stringn would refuse, so
 * the bytes and the 0 on invalid UTF-8 are as before, read once.  One
 * string value per thread is made once and then given each text with
 * json_string_setn_nocheck, so a line costs one copy of the text instead of
 * a value made and freed. */
#include <jansson.h>

#include "jsonout.h"

size_t
jsonout_string(const char *s, size_t len, char *buf, size_t cap)
{
	static _Thread_local json_t *t;

	if (t == NULL && (t = json_stringn_nocheck(s, len)) == NULL)
		return 0;
	if (json_string_setn_nocheck(t, s, len) != 0)
		return 0;
	return json_dumpb(t, buf, cap, JSON_COMPACT | JSON_ENCODE_ANY);
}
