/* SMS encoding and segment counting (GSM 03.38 default alphabet). */
#ifndef BACKTALK_GSM7_H
#define BACKTALK_GSM7_H

#include <stddef.h>
#include <stdint.h>

enum gsm7_encoding { GSM7_ENCODING_GSM7, GSM7_ENCODING_UCS2 };

struct gsm7_info {
	enum gsm7_encoding encoding;
	size_t chars;    /* Unicode code points */
	size_t units;    /* septets for GSM-7, UTF-16 code units for UCS-2 */
	size_t segments; /* SMS parts needed (0 for empty text) */
	uint32_t first_non_gsm;      /* first code point outside GSM-7 */
	size_t first_non_gsm_offset; /* its byte offset */
};

/* Septets a code point takes in GSM-7: 1 (basic table), 2 (escape plus
 * extension table) or 0 (not representable). */
unsigned gsm7_septets(uint32_t cp);

/* Measures UTF-8 text as an SMS would be sent.  Returns 0, or -1 when the
 * text is not valid UTF-8. */
int gsm7_measure(const char *text, size_t len, struct gsm7_info *ret);

const char *gsm7_encoding_name(enum gsm7_encoding enc);

#endif
