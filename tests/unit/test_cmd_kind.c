/* Which commands change nothing is one list (common/cmd_kind.c): the
 * daemon's command table must agree with it number by number (a command
 * the daemon serves and the list does not know would be sized as an
 * unknown one and be a change for credctl), and the sockets' buffers
 * follow it (a change's request holds a batch, a query's a page). */
#include <stdio.h>

#include "cmd_kind.h"
#include "server.h"
#include "tap.h"

/* The numbers for which bad() holds, as " n n n" in buf (" none"):
 * how many. */
static int offenders(int (*bad)(uint8_t cmd), char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	snprintf(buf, len, " none");
	for (unsigned int cmd = 0; cmd <= UINT8_MAX; cmd++) {
		if (!bad((uint8_t)cmd))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, " %u", cmd);
		n++;
	}
	return n;
}

static int served_unknown(uint8_t n)
{
	return (command_find(n) != NULL) != (cs_cmd_kind(n) != CS_CMD_UNKNOWN);
}

static int transaction_not_change(uint8_t n)
{
	const struct command *cmd = command_find(n);

	return cmd && (cmd->transaction || cmd->batchable) && cs_cmd_kind(n) != CS_CMD_CHANGE;
}

static int change_not_admin(uint8_t n)
{
	const struct command *cmd = command_find(n);

	return cmd && cs_cmd_kind(n) == CS_CMD_CHANGE && cmd->access != ACCESS_ADMIN;
}

/* The request's buffer: a page for a query (SIGN: a digest) and for a
 * read (asked by a name, a part's number, a password), a batch for a
 * change. */
static int request_misfit(uint8_t n)
{
	struct nl_msg *m = cs_client_request(n, 0);
	size_t size = m ? nlmsg_get_max_size(m) : 0;
	enum cs_cmd_kind k = cs_cmd_kind(n);
	int bad = !m || (k == CS_CMD_QUERY || k == CS_CMD_READ
			 ? size > 4096 && n != CREDSTORE_DAEMON_CMD_SIGN
			 : k == CS_CMD_CHANGE && size < CS_USERSOCK_REQUEST_MAX);

	nlmsg_free(m);
	return bad;
}

int main(void)
{
	char buf[1024];

	ok(cs_cmd_changes_nothing(CREDSTORE_CMD_GET_DEVICE) &&
	   cs_cmd_changes_nothing(CREDSTORE_ADMIN_CMD_STORE_STATUS) &&
	   !cs_cmd_changes_nothing(CREDSTORE_ADMIN_CMD_BATCH) &&
	   !cs_cmd_changes_nothing(CREDSTORE_ADMIN_CMD_IMPORT_CHUNK) && !cs_cmd_changes_nothing(UINT8_MAX),
	   "a device query and store status change nothing; a batch, an import's chunk and an "
	   "unknown command may");
	ok(!offenders(served_unknown, buf, sizeof(buf)),
	   "the daemon serves exactly the commands cmd_kind knows; differing:%s", buf);
	ok(!offenders(transaction_not_change, buf, sizeof(buf)),
	   "what runs in a transaction (or a batch) is a change; not:%s", buf);
	ok(!offenders(change_not_admin, buf, sizeof(buf)),
	   "every change is for the admin socket only; not:%s", buf);
	ok(!offenders(request_misfit, buf, sizeof(buf)),
	   "a query's or a read's request gets a small buffer, a change's a batch's; not:%s", buf);
	return tap_done();
}
