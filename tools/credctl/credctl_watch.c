/* credctl watch --identity NAME --chain-out FILE --key-ref-out FILE
 *               [--exec CMD]
 * Rotation for stock servers (nginx, HAProxy, lighttpd): on every change
 * of the identity, rewrite its chain file and key reference atomically,
 * then run CMD (a reload, or HAProxy's `set ssl cert` + `commit ssl
 * cert`).  A server keeps signing with the key it loaded until it
 * reloads: credstored still signs with an identity's previous key, so no
 * handshake fails in between.  Runs until killed; reconnects when
 * credstored restarts. */
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credctl.h"
#include "credstore/credstore.h"

struct watch {
	struct ctl *c;
	const char *identity, *chain_out, *ref_out, *exec;
	bool relevant;
};

static void say(const char *fmt, const char *a, const char *b)
{
	printf(fmt, a, b);
	putchar('\n');
	fflush(stdout);
}

/* Write the files if the identity changed them, and run the command. */
static void refresh(struct watch *w, struct credstore *cs)
{
	struct credstore_identity *id;
	bool changed = false;
	int status;

	if (credstore_get_identity(cs, w->identity, &id) < 0) {
		say("identity %s: %s (the files are left as they are)", w->identity,
		    credstore_last_error(cs));
		return;
	}
	if (identity_write_files(w->c, w->identity, id->chain, w->chain_out, w->ref_out,
				 &changed) == EXIT_OK && changed) {
		say("identity %s: wrote %s", w->identity, w->chain_out ? w->chain_out : w->ref_out);
		if (w->exec) {
			status = system(w->exec);
			say("ran %s: %s", w->exec, status == 0 ? "ok" : "failed");
		}
	}
	credstore_identity_free(id);
}

static void on_event(const struct credstore_event *e, void *arg)
{
	struct watch *w = arg;

	if (e->kind == CREDSTORE_KIND_SNAPSHOT ||
	    (e->kind == CREDSTORE_KIND_IDENTITY && strcmp(e->key, w->identity) == 0))
		w->relevant = true;
}

/* Until the connection fails. */
static void watch_connection(struct watch *w, struct credstore *cs)
{
	struct credstore_events *ev;
	struct pollfd p = { .events = POLLIN };

	if (credstore_events_open(cs, &ev) < 0) {
		say("%s%s", "cannot watch: ", credstore_last_error(cs));
		return;
	}
	p.fd = credstore_events_fd(ev);
	refresh(w, cs);
	while (poll(&p, 1, -1) >= 0) {
		w->relevant = false;
		if (credstore_events_read(ev, on_event, w) < 0)
			break;
		if (w->relevant)
			refresh(w, cs);
	}
	credstore_events_close(ev);
}

int ctl_watch(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "identity", required_argument, NULL, 'i' },
		{ "chain-out", required_argument, NULL, 'c' },
		{ "key-ref-out", required_argument, NULL, 'k' },
		{ "exec", required_argument, NULL, 'e' },
		{ 0 }
	};
	struct watch w = { .c = c };
	struct credstore_options o = { .transport = CREDSTORE_TRANSPORT_DAEMON,
				       .daemon_uid = c->daemon_uid, .timeout_ms = c->timeout_ms,
				       .runtime_dir = c->runtime_dir };
	char why[CREDSTORE_MESSAGE_MAX];
	struct credstore *cs;
	int ch;

	while ((ch = ctl_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'i': w.identity = optarg; break;
		case 'c': w.chain_out = optarg; break;
		case 'k': w.ref_out = optarg; break;
		case 'e': w.exec = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (no_more_args(c, argc, argv))
		return EXIT_USAGE;
	if (!w.identity || (!w.chain_out && !w.ref_out))
		return ctl_usage(c, "watch: give --identity NAME and --chain-out FILE and/or --key-ref-out FILE");
	for (;;) {
		if (credstore_connect(&cs, &o, why) < 0) {
			say("%s%s", "cannot reach credstored: ", why);
		} else {
			watch_connection(&w, cs);
			credstore_close(cs);
		}
		sleep(1);
	}
}

const struct subcmd watch_cmds[] = {
	{ "watch", "", "--identity NAME [--chain-out FILE] [--key-ref-out FILE] [--exec CMD]",
	  "Keep files of an identity current: its chain (--chain-out) and key reference\n"
	  "(--key-ref-out) are written again, atomically, whenever the store changes them, and\n"
	  "CMD runs after each change (a server's reload).  Runs until killed.",
	  0, NULL, NULL, ctl_watch },
	{ 0 }
};
