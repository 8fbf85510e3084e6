/* What terminals fetch, without authentication: the trust bundle (every
 * anchor, PEM) and the server certificate chain (PEM).  Certificates
 * only: nothing here is secret. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi.h"

static int print_anchor(struct nlattr **tb, void *arg)
{
	(void)arg;
	if (!tb[CREDSTORE_A_CHAIN])
		return -EBADMSG;
	return print_pem_chain(nla_data(tb[CREDSTORE_A_CHAIN]),
			       (size_t)nla_len(tb[CREDSTORE_A_CHAIN])) ? -EBADMSG : 0;
}

static const char *const pem_headers =
	"Content-type: application/x-pem-file\r\nCache-Control: no-cache\r\n\r\n";

int downloads_main(const struct cgi_config *cfg, const char *path)
{
	struct store s;
	uint8_t *chain = NULL;
	size_t len;
	int r;

	if (strcmp(env("REQUEST_METHOD"), "GET") || *env("QUERY_STRING")) {
		out_text_answer("400 Bad Request", "GET, without parameters");
		return 0;
	}
	if (store_open(&s, cfg)) {
		out_text_answer("503 Service Unavailable", s.err.msg);
		return 0;
	}
	if (!strcmp(path, "/anchors.pem")) {
		/* Headers first: an anchor that fails midway cuts the body,
		 * which a terminal sees as a truncated PEM. */
		fputs(pem_headers, stdout);
		store_dump(&s, CREDSTORE_CMD_GET_ANCHOR, CREDSTORE_A_NAME, print_anchor, NULL);
	} else {
		r = store_identity_chain(&s, cfg->identity, &chain, &len);
		if (r == -ENOENT)
			out_text_answer("404 Not Found", "no server certificate is installed");
		else if (r)
			out_text_answer("503 Service Unavailable", s.err.msg);
		else if (fputs(pem_headers, stdout) < 0 || print_pem_chain(chain, len))
			r = -EIO;
		free(chain);
	}
	store_close(&s);
	return 0;
}
