/* The spool: answers of a gateway that hands each message out once only
 * (Infobip), kept on disk from before they are parsed until their messages
 * are staged, so that a fault in parsing or a crash cannot lose them.
 *
 * One directory (mode 0700) beside the state database, one file (0600) per
 * answer: PREFIX-TIME.json.  A file is written as .tmp, synced, renamed and
 * the directory synced, so a .json file is always whole.  An answer that
 * cannot be parsed is renamed .unreadable and left for the operator; one
 * read again at start is renamed .reading first, so that if reading it
 * kills the daemon it is set aside at the next start, not read in a loop. */
#ifndef BACKTALK_SPOOL_H
#define BACKTALK_SPOOL_H

#include <stddef.h>

/* Longest file name spool_put makes. */
#define SPOOL_NAME_MAX 96

/* The spool directory for the database at state_path; free() it. */
char *spool_dir(const char *state_path);

/* Writes buf durably as a new file of the spool dir (created if missing)
 * named after prefix; copies its name to name.  0, or -1 with err set. */
int spool_put(const char *dir, const char *prefix, const char *buf, size_t len,
              char *name, size_t namelen, char *err, size_t errlen);
/* Reads a kept file whole into *ret (NUL-terminated; free() it).  0, or -1
 * with err set. */
int spool_read(const char *dir, const char *name, char **ret, size_t *ret_len,
               char *err, size_t errlen);
/* Removes a file whose messages are staged.  0, or -1 with err set. */
int spool_drop(const char *dir, const char *name, char *err, size_t errlen);
/* Renames NAME to NAME + suffix (a SPOOL_READING at the end of NAME
 * replaced), durably: SPOOL_UNREADABLE for a file that cannot be parsed,
 * SPOOL_READING for one about to be read again.  0, or -1 with err set. */
int spool_rename(const char *dir, const char *name, const char *suffix,
                 char *err, size_t errlen);
#define SPOOL_UNREADABLE ".unreadable"
#define SPOOL_READING    ".reading"
/* The name spool_rename gives NAME with suffix, in buf. */
void spool_renamed(const char *name, const char *suffix, char *buf, size_t len);
/* The oldest file of the spool named PREFIX-*.json + suffix ("" for the
 * answers spool_put writes), copied to name: 1 found, 0 none (or no spool
 * directory), -1 with err set. */
int spool_oldest(const char *dir, const char *prefix, const char *suffix,
                 char *name, size_t namelen, char *err, size_t errlen);

#endif
