#include <errno.h>
#include <pwd.h>
#include <stdlib.h>

#include "user.h"

int cs_parse_user(const char *text, uid_t *uid)
{
	struct passwd *pw = getpwnam(text);
	char *end;
	unsigned long n;

	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno || *end || end == text || text[0] == '-' || n > (uid_t)-2)
		return -1;
	*uid = (uid_t)n;
	return 0;
}
