/* credstored's admin socket through the common client: the CGI runs as the
 * web server's user, which the daemon admits when it is in the daemon's
 * --admin-group (see credstore-cgi(8)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgi.h"

#define STORE_TIMEOUT_MS 10000

int store_open(struct store *s, const struct cgi_config *cfg)
{
	memset(s, 0, sizeof(*s));
	if (cs_client_open(&s->client, cfg->runtime_dir[0] ? cfg->runtime_dir : NULL, CS_ADMIN_SOCKET,
			   cfg->daemon_uid, STORE_TIMEOUT_MS, &s->err))
		return -s->err.code;
	s->open = true;
	return 0;
}

void store_close(struct store *s)
{
	if (s->open)
		cs_client_close(&s->client);
	s->open = false;
}

int store_transact(struct store *s, struct nl_msg *req, cs_reply_fn fn, void *arg)
{
	if (!req)
		return cs_err_set(&s->err, ENOMEM, "out of memory");
	return cs_client_transact(&s->client, req, fn, arg, &s->err);
}

int store_dump(struct store *s, uint8_t cmd, int cursor_attr, cs_reply_fn fn, void *arg)
{
	return cs_client_dump(&s->client, cmd, cursor_attr, fn, arg, &s->err);
}

struct nl_msg *store_request(uint8_t cmd, int key_attr, const char *key)
{
	struct nl_msg *req = cs_client_request(cmd, 0);

	if (req && key && nla_put_string(req, key_attr, key) < 0) {
		nlmsg_free(req);
		return NULL;
	}
	return req;
}

struct blob {
	uint8_t *data;
	size_t len;
};

static int on_chain(struct nlattr **tb, void *arg)
{
	struct blob *b = arg;

	if (!tb[CREDSTORE_A_CHAIN] || b->data)
		return -EBADMSG;
	b->len = (size_t)nla_len(tb[CREDSTORE_A_CHAIN]);
	b->data = malloc(b->len);
	if (!b->data)
		return -ENOMEM;
	memcpy(b->data, nla_data(tb[CREDSTORE_A_CHAIN]), b->len);
	return 0;
}

int store_identity_chain(struct store *s, const char *name, uint8_t **der, size_t *len)
{
	struct blob b = { 0 };
	int r = store_transact(s, store_request(CREDSTORE_CMD_GET_IDENTITY, CREDSTORE_A_NAME, name),
			       on_chain, &b);

	if (r) {
		free(b.data);
		return r;
	}
	*der = b.data;
	*len = b.len;
	return 0;
}
