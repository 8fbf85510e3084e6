/* The CGI's configuration file.  A web server hands a CGI only the
 * variables of the request (a client cannot set CREDSTORE_CGI_CONFIG), so
 * the file's path may come from the environment the server is given. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi.h"
#include "user.h"

#ifndef CGI_CONFIG_PATH
#define CGI_CONFIG_PATH "/etc/credstore/cgi.conf"
#endif

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

static int copy(char *to, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -1;
	strcpy(to, value);
	return 0;
}

static int set_bool(bool *to, const char *value)
{
	if (!strcmp(value, "yes"))
		*to = true;
	else if (!strcmp(value, "no"))
		*to = false;
	else
		return -1;
	return 0;
}

static int set_option(struct cgi_config *cfg, const char *key, char *value)
{
	char *end, *colon;
	unsigned long n;

	if (!strcmp(key, "identity"))
		return copy(cfg->identity, sizeof(cfg->identity), value);
	if (!strcmp(key, "anchor"))
		return copy(cfg->anchor, sizeof(cfg->anchor), value);
	if (!strcmp(key, "require-remote-user"))
		return set_bool(&cfg->require_remote_user, value);
	if (!strcmp(key, "daemon-user"))
		return cs_parse_user(value, &cfg->daemon_uid);
	if (!strcmp(key, "runtime-dir"))
		return value[0] == '/' ? copy(cfg->runtime_dir, sizeof(cfg->runtime_dir), value) : -1;
	if (!strcmp(key, "upload-limit")) {
		errno = 0;
		n = strtoul(value, &end, 10);
		if (errno || *end || end == value || n < 1024 || n > CGI_UPLOAD_MAX)
			return -1;
		cfg->upload_limit = n;
		return 0;
	}
	if (!strcmp(key, "url-credentials")) {
		if (!strcmp(value, "no")) {
			cfg->url_user[0] = cfg->url_hash[0] = '\0';
			return 0;
		}
		colon = strchr(value, ':');
		if (!colon || colon == value || colon[1] != '$')
			return -1;
		*colon = '\0';
		return copy(cfg->url_user, sizeof(cfg->url_user), value) ||
		       copy(cfg->url_hash, sizeof(cfg->url_hash), colon + 1);
	}
	return -1;
}

int config_load(struct cgi_config *cfg)
{
	const char *path = getenv("CREDSTORE_CGI_CONFIG");
	char line[512], *eq;
	int lineno = 0, ret = 0;
	FILE *f;

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->identity, "https");
	strcpy(cfg->anchor, "root");
	cfg->upload_limit = CGI_UPLOAD_DEFAULT;
	cfg->require_remote_user = true;
	if (!path || !*path)
		path = CGI_CONFIG_PATH;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line);

		lineno++;
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		if (!eq || set_option(cfg, trim(s), trim(eq + 1))) {
			fprintf(stderr, "credstore-cgi: %s:%d: bad line (see credstore-cgi(8))\n", path,
				lineno);
			ret = -1;
		}
	}
	fclose(f);
	return ret;
}
