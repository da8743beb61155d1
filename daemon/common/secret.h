/* Secrets (gateway credentials) from a file, an environment variable or a
 * systemd credential.  Never logged, never stored in the database. */
#ifndef BACKTALK_SECRET_H
#define BACKTALK_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The prefix systemd gives the files of a credential directory loaded as
 * LoadCredential=backtalk:DIR (backtalkd.service): a credential named
 * NAME in the configuration is read from $CREDENTIALS_DIRECTORY/NAME, or
 * when there is none, from $CREDENTIALS_DIRECTORY/backtalk_NAME. */
#define SECRET_CREDENTIAL_PREFIX "backtalk_"

/* Reads the secret src names into a new string (trailing newline removed).
 * A file readable by group or others is refused when strict, else *ret_warn
 * is set to a warning for the caller to log.  Returns 0, or -1 with err
 * filled (without the secret). */
int secret_load(const struct config_secret *src, bool strict, char **ret,
                char *warn, size_t warnlen, char *err, size_t errlen);
/* Overwrites and frees a secret. */
void secret_free(char *s);

#endif
