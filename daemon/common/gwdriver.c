/* gwdriver.c: the table of gateway drivers (gwdriver.h). */
#include <stddef.h>
#include <string.h>

#include "gwdriver.h"

static const struct gwdriver_require gwdriver_twilio_required[] = {
	{ "account_sid", "\"AC...\"", "from the Twilio console" },
	/* Needed with a Messaging Service too: the poll lists the messages
	 * sent to this number. */
	{ "number", "\"+15551234567\"",
	  "the number people text; needed with messaging_service_sid too, "
	  "to know which messages to answer" },
	{ NULL, NULL, NULL },
};

static const struct gwdriver_require gwdriver_infobip_required[] = {
	{ "base_url", "\"https://xxxx.api.infobip.com\"",
	  "your account's base URL, from the Infobip portal" },
	{ "number", "\"+447700900123\"", "the number people text" },
	{ NULL, NULL, NULL },
};

static const struct gwdriver_require gwdriver_none_required[] = {
	{ NULL, NULL, NULL },
};

const struct gwdriver gwdriver_table[] = {
	{
	    .name = "console",
	    .id = CONFIG_GATEWAY_CONSOLE,
	    .required = gwdriver_none_required,
	},
	{
	    .name = "twilio",
	    .id = CONFIG_GATEWAY_TWILIO,
	    .group = "twilio",
	    .group_example = "twilio = { account_sid = \"AC...\"; "
	                     "auth_token_credential = \"twilio-token\"; "
	                     "number = \"+1...\"; };",
	    .secret = "auth_token",
	    .secret_offset = offsetof(struct config, twilio.auth_token),
	    .required = gwdriver_twilio_required,
	    .handles_keywords = true,
	    .account_settings = "twilio.account_sid and twilio.base_url",
	},
	{
	    .name = "infobip",
	    .id = CONFIG_GATEWAY_INFOBIP,
	    .group = "infobip",
	    .group_example = "infobip = { base_url = "
	                     "\"https://xxxx.api.infobip.com\"; "
	                     "api_key_credential = \"infobip-key\"; number = "
	                     "\"+...\"; };",
	    .secret = "api_key",
	    .secret_offset = offsetof(struct config, infobip.api_key),
	    .required = gwdriver_infobip_required,
	    .account_settings = "infobip.base_url",
	},
};

const size_t gwdriver_count =
    sizeof(gwdriver_table) / sizeof(gwdriver_table[0]);

const struct gwdriver *
gwdriver_find(const char *name)
{
	for (size_t i = 0; i < gwdriver_count; i++)
		if (strcmp(gwdriver_table[i].name, name) == 0)
			return &gwdriver_table[i];
	return NULL;
}

const struct gwdriver *
gwdriver_of(enum config_gateway id)
{
	for (size_t i = 0; i < gwdriver_count; i++)
		if (gwdriver_table[i].id == id)
			return &gwdriver_table[i];
	return &gwdriver_table[0];
}

const struct config_secret *
gwdriver_secret(const struct config *cfg)
{
	const struct gwdriver *drv = gwdriver_of(cfg->gateway);

	if (drv->secret == NULL)
		return NULL;
	return (const struct config_secret *)(const void *)((const char *)cfg +
	                                                    drv->secret_offset);
}
