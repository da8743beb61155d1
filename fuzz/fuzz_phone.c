/* Fuzzes phone_normalise, the parser of numbers an operator types: with
 * and without a default country, what it accepts is "+" and 8 to 15
 * digits, and normalising that again gives the same number; what it
 * refuses comes with a reason. */
#include <string.h>

#include "fuzz.h"
#include "phone.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_phone_one(const char *in, const struct phone_country *home)
{
	char buf[PHONE_E164_MAX], again[PHONE_E164_MAX], err[256];
	size_t n;

	err[0] = '\0';
	if (!phone_normalise(in, home, buf, sizeof(buf), err, sizeof(err))) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	n = strlen(buf);
	FUZZ_CHECK(buf[0] == '+');
	FUZZ_CHECK(n >= 2 && n <= 16);
	FUZZ_CHECK(strspn(buf + 1, "0123456789") == n - 1);
	FUZZ_CHECK(
	    phone_normalise(buf, home, again, sizeof(again), err, sizeof(err)));
	FUZZ_CHECK(strcmp(buf, again) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const homes[] = { NULL, "US", "GB", "DE", "AU" };
	char *in = malloc(size + 1);

	if (in == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
		fuzz_phone_one(in,
		               homes[i] ? phone_country_find(homes[i]) : NULL);
	free(in);
	return 0;
}
