/* Which URLs the gateways may be sent to, checked where the configuration
 * is read and again before each request: https, or plain http to loopback
 * only unless allowed.  Pure: parses with libcurl's URL API, no I/O. */
#ifndef BACKTALK_HTTP_URL_H
#define BACKTALK_HTTP_URL_H

#include <stdbool.h>

/* Whether url may be fetched under the options: https, or http to
 * 127.0.0.0/8, ::1 or localhost, or http anywhere when allowed. */
bool http_url_allowed(const char *url, bool allow_insecure_http);
/* Whether url carries a user name or password ("https://user:pw@host"):
 * then it holds a secret, or is a mistake.  False for a URL libcurl
 * cannot parse (http_url_allowed refuses that). */
bool http_url_has_userinfo(const char *url);

#endif
