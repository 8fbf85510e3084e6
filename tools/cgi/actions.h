/* The management page's changes (actions.c) and what they answer. */
#ifndef CREDSTORE_CGI_ACTIONS_H
#define CREDSTORE_CGI_ACTIONS_H

#include <stdarg.h>

#include "cgi.h"

struct result {
	bool failed;
	char text[CREDSTORE_MESSAGE_MAX + 64];
	char csr[16384];		/* a CSR just made (PEM) */
	char secret[2 * CREDSTORE_SECRET_MAX + 1];	/* a secret the daemon generated */
};

/* Reply handlers that keep a CSR or a generated secret for the page. */
int result_keep_csr(struct nlattr **tb, void *arg);
int result_keep_secret(struct nlattr **tb, void *arg);

int action_appliance(struct store *s, const struct cgi_config *cfg, const struct form *f,
		     struct result *res);
int action_csr(struct store *s, const struct cgi_config *cfg, const struct form *f,
	       struct result *res);
int action_camera_upload(struct store *s, const struct cgi_config *cfg, const struct form *f,
			 struct result *res);
int action_camera_remove(struct store *s, const struct cgi_config *cfg, struct result *res);
/* promote, drop-sub, reset-secret, reset-fingerprint (fields slot,
 * secret, cert, fingerprint). */
int action_device(struct store *s, const char *id, const char *action, const struct form *f,
		  struct result *res);

#endif
