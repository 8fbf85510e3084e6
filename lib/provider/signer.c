/* Connections to credstored for one key: a pool, because a server signs
 * from several threads at once (HAProxy) and a libcredstore connection
 * serves one request at a time; per process and credentials, because the
 * daemon may authorise the credentials a connection was made with, and
 * after a fork or a change of user those are not the caller's (an nginx
 * master runs as root, its workers as the signer group). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider.h"

struct idle {
	struct credstore *cs;
	struct idle *next;
};

struct cs_signer {
	struct credstore_options options;	/* runtime_dir: NULL or dir */
	char *dir;
	pthread_mutex_t lock;
	/* Who made the idle connections. */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	struct idle *idle;
};

static bool same_owner(const struct cs_signer *s)
{
	return s->pid == getpid() && s->uid == geteuid() && s->gid == getegid();
}

static void set_owner(struct cs_signer *s)
{
	s->pid = getpid();
	s->uid = geteuid();
	s->gid = getegid();
}

struct cs_signer *cs_signer_new(const struct credstore_options *options)
{
	struct cs_signer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->options = *options;
	s->options.transport = CREDSTORE_TRANSPORT_DAEMON;
	if (options->runtime_dir && !(s->options.runtime_dir = s->dir = strdup(options->runtime_dir))) {
		free(s);
		return NULL;
	}
	set_owner(s);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

static void close_idle(struct cs_signer *s)
{
	while (s->idle) {
		struct idle *i = s->idle;

		s->idle = i->next;
		credstore_close(i->cs);
		free(i);
	}
}

void cs_signer_free(struct cs_signer *s)
{
	if (!s)
		return;
	close_idle(s);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

const struct credstore_options *cs_signer_options(const struct cs_signer *s)
{
	return &s->options;
}

/* An idle connection of this process, or NULL. */
static struct credstore *take(struct cs_signer *s)
{
	struct credstore *cs = NULL;
	struct idle *i;

	pthread_mutex_lock(&s->lock);
	if (!same_owner(s)) {
		/* Closing the parent's connections here leaves the parent's own
		 * open: they are its descriptors, duplicated by fork(). */
		close_idle(s);
		set_owner(s);
	}
	i = s->idle;
	if (i) {
		s->idle = i->next;
		cs = i->cs;
		free(i);
	}
	pthread_mutex_unlock(&s->lock);
	return cs;
}

static void give_back(struct cs_signer *s, struct credstore *cs)
{
	struct idle *i = malloc(sizeof(*i));

	pthread_mutex_lock(&s->lock);
	if (i && same_owner(s)) {
		i->cs = cs;
		i->next = s->idle;
		s->idle = i;
		cs = NULL;
		i = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	free(i);
	credstore_close(cs);
}

/* A failure of the connection rather than a refusal by credstored: the
 * daemon restarted, or is not there yet. */
static bool broken(int ret)
{
	return ret == -ECONNREFUSED || ret == -ECONNRESET || ret == -EPIPE || ret == -ENOTCONN ||
	       ret == -EBADF;
}

int cs_signer_sign(struct cs_signer *s, const struct cs_prov *prov,
		   const struct credstore_sign_params *p, const unsigned char *data,
		   size_t len, unsigned char *sig, size_t *sig_len)
{
	char why[CREDSTORE_MESSAGE_MAX] = "";
	struct credstore *cs = take(s);
	size_t size = *sig_len;
	int ret = -ECONNREFUSED;
	bool answered = false;

	for (int attempt = 0; attempt < 2 && broken(ret); attempt++) {
		if (!cs && (ret = credstore_connect(&cs, &s->options, why)) < 0)
			continue;
		*sig_len = size;
		ret = credstore_sign(cs, p, data, len, sig, sig_len);
		answered = !broken(ret) && ret != -ETIMEDOUT;
		if (ret < 0) {
			snprintf(why, sizeof(why), "%s", credstore_last_error(cs));
			if (broken(ret)) {
				credstore_close(cs);
				cs = NULL;
			}
		}
	}
	if (cs)
		give_back(s, cs);
	/* credstored's refusals name the identity; a connection's failure
	 * does not. */
	if (ret < 0 && (broken(ret) || !answered))
		cs_prov_error(prov, CS_R_DAEMON, "identity '%s': %s", p->identity, why);
	else if (ret < 0)
		cs_prov_error(prov, CS_R_DAEMON, "%s", why);
	return ret;
}
