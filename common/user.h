/* Naming the user credstored runs as, on command lines and in
 * configuration files: a user name, or a uid. */
#ifndef CREDSTORE_USER_H
#define CREDSTORE_USER_H

#include <sys/types.h>

/* 0, or -1 when text is neither a user nor a number. */
int cs_parse_user(const char *text, uid_t *uid);

#endif
