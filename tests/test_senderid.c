/* Tests for senderid.c: which senders a reply may go to. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "senderid.h"

static void
test_answerable(void **state)
{
	static const char *const yes[] = {
		"+15551234567",     "+447700900123", "447700900123",
		"+123456789012345", "12345678",      "123",
		"+12345678",        "88888",
	};
	static const char *const no[] = {
		"",
		"+",
		"+1",
		"+1234567",
		"+1234567890123456",
		"1234567890123456",
		"12",
		"VERIFY",
		"Amazon",
		"+1555abc0001",
		"+1 555 123 4567",
		"+15551234567\n",
		"++15551234567",
		"15551234567+",
		"whatsapp:+15551234567",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!senderid_answerable(yes[i]))
			fail_msg("\"%s\" should be answerable", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (senderid_answerable(no[i]))
			fail_msg("\"%s\" should not be answerable", no[i]);
	assert_false(senderid_answerable(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answerable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
