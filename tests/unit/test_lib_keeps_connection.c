/* credstore_error_keeps_connection(): the front ends keep their store
 * connection after a refusal of the request itself and drop it after
 * anything else.  Keeping it after a transport failure would leave them
 * asking a dead socket, or reading a late answer as the next request's;
 * dropping it after a refusal would reconnect at every unknown device. */
#include <errno.h>
#include <string.h>

#include "credstore/credstore.h"
#include "tap.h"

int main(void)
{
	/* What the store answers about the request: no such name or device,
	 * a malformed or too long argument, a caller not allowed. */
	static const int refusals[] = { ENOENT, EINVAL, ENAMETOOLONG, EPERM };
	/* What the library returns when the exchange did not complete: no
	 * answer in time, the daemon gone, a reply it could not read, a
	 * socket error, a request it could not send. */
	static const int failures[] = { EIO, ETIMEDOUT, ETIME, EPIPE, ECONNABORTED, ECONNREFUSED,
					ENOTCONN, EBADMSG, EPROTO, EMSGSIZE, ENOMEM, EAGAIN };

	ok(credstore_error_keeps_connection(0) == 1, "success keeps the connection");
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		ok(credstore_error_keeps_connection(-refusals[i]) == 1, "-%s (a refusal) keeps it",
		   strerrorname_np(refusals[i]));
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++)
		ok(credstore_error_keeps_connection(-failures[i]) == 0, "-%s drops it",
		   strerrorname_np(failures[i]));
	return tap_done();
}
