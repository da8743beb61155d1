/* Pattern compilation.  Patterns run over normalised text that is already
 * known to be valid UTF-8, so matching skips the UTF check. */
#include <stdio.h>

#include "bounds.h"
#include "pattern.h"

pcre2_code *
pattern_compile(const char *src, bool *ret_jit, char *err, size_t errlen,
                size_t *ret_offset)
{
	pcre2_code *re;
	int rc;
	PCRE2_SIZE off;
	uint32_t opts =
	    PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C;

	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &rc,
	                   &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR buf[256];
		pcre2_get_error_message(rc, buf, sizeof(buf));
		snprintf(err, errlen, "%s", (const char *)buf);
		*ret_offset = off;
		return NULL;
	}
	*ret_jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	return re;
}
