/* credstore-coapd: options, the DTLS endpoint and the event loop. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "coapd.h"
#include "user.h"

#define VERSION "1.0"
#define KEY_CACHE_ENTRIES	4096
#define KEY_CACHE_SECONDS	30

static volatile sig_atomic_t stopping;
static bool quiet;
static const char *identity;	/* certificate mode: the store's identity */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: credstore-coapd [OPTIONS] -l ADDR:PORT\n"
"CoAP over DTLS for devices: the PSK identity is the device id, the key its\n"
"master secret in credstore (CoAP devices have no sub).  Resources: GET\n"
"/whoami, POST or PUT /report (logged with the device id).\n"
"\n"
"  -l, --listen=ADDR:PORT      DTLS here (default 0.0.0.0:5684)\n"
"  -c, --key-cache=N           keep up to N devices' master secrets between\n"
"                              handshakes (default %d; 0: ask the store each time)\n"
"      --key-cache-seconds=S   for S seconds at most (default %d)\n"
"  -i, --identity=NAME         also certificates: serve the store's identity NAME\n"
"                              and admit a device whose certificate's SHA-256\n"
"                              fingerprint is its master fingerprint\n"
"  -t, --transport=WHICH       auto (default), kernel or daemon\n"
"  -u, --daemon-user=USER      the user credstored runs as (default: root)\n"
"  -q, --quiet                 log refusals and errors only\n"
"  -h, --help                  this text\n"
"  -V, --version               the version\n"
"Reading secrets needs CAP_NET_ADMIN or the module's reader group\n"
"(credstore.ko), or root or credstored's admin group (daemon).\n",
		KEY_CACHE_ENTRIES, KEY_CACHE_SECONDS);
}

static int parse_listen(const char *text, coap_address_t *addr)
{
	char host[256], *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *res;
	int r;

	if (strlen(text) >= sizeof(host))
		return -1;
	strcpy(host, text);
	colon = strrchr(host, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {	/* [::1]:5684 */
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	r = getaddrinfo(host, colon + 1, &hints, &res);
	if (r)
		return -1;
	coap_address_init(addr);
	addr->size = res->ai_addrlen;
	memcpy(&addr->addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* A decimal number from min to max. */
static int parse_count(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno || end == text || *end || text[0] == '-' || *out < min || *out > max ? -1 : 0;
}

/* Handshakes that end: who got in, who did not; the sessions open. */
static int on_event(coap_session_t *session, const coap_event_t event)
{
	char id[CREDSTORE_DEVICE_ID_MAX], peer[64], why[CREDSTORE_MESSAGE_MAX];
	bool by_cert;

	switch (event) {
	case COAP_EVENT_DTLS_CONNECTED:
		handshake_ended(session, true);
		sessions_add(session);
		if (quiet)
			break;
		by_cert = pki_session_device(session, id);
		session_device(session, id);
		session_peer(session, peer, sizeof(peer));
		fprintf(stderr, "credstore-coapd: admitted device %s (master %s) from %s\n", id,
			by_cert ? "certificate" : "secret", peer);
		break;
	case COAP_EVENT_DTLS_ERROR:
		if (pki_refusal(session, why)) {
			session_peer(session, peer, sizeof(peer));
			fprintf(stderr, "credstore-coapd: refused %s: %s\n", peer, why);
		}
		/* fall through */
	case COAP_EVENT_DTLS_CLOSED:
	case COAP_EVENT_SERVER_SESSION_DEL:
		handshake_ended(session, false);
		sessions_remove(session);
		break;
	case COAP_EVENT_SESSION_CLOSED:
		sessions_remove(session);
		break;
	default:
		break;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* One round of libcoap's loop that also wakes for the store's
 * notifications, which may end open sessions. */
static int serve_round(coap_context_t *ctx, struct psk_source *src)
{
	int fd = events_fd(src);
	fd_set readable;

	FD_ZERO(&readable);
	if (fd < 0 || fd >= FD_SETSIZE) {	/* none: events_watch() retries */
		if (coap_io_process(ctx, 1000) < 0)
			return -1;
		events_watch(src);
		return 0;
	}
	FD_SET(fd, &readable);
	if (coap_io_process_with_fds(ctx, 1000, fd + 1, &readable, NULL, NULL) < 0)
		return -1;
	if (FD_ISSET(fd, &readable))
		events_watch(src);
	return 0;
}

static int serve(struct psk_source *src, const coap_address_t *addr)
{
	coap_dtls_spsk_t spsk = {
		.version = COAP_DTLS_SPSK_SETUP_VERSION,
		.validate_id_call_back = psk_for_identity,
		.id_call_back_arg = src,
		.psk_info.hint = { .s = (const uint8_t *)"credstore", .length = 9 },
	};
	coap_context_t *ctx = coap_new_context(NULL);
	char where[64];
	int ret = 1;

	if (!ctx || !coap_context_set_psk2(ctx, &spsk)) {
		fprintf(stderr, "credstore-coapd: libcoap cannot do DTLS with PSK\n");
		goto out;
	}
	if (!coap_new_endpoint(ctx, addr, COAP_PROTO_DTLS)) {
		fprintf(stderr, "credstore-coapd: cannot listen on the address given\n");
		goto out;
	}
	if (identity && pki_setup(ctx, src, identity) < 0)
		goto out;
	if (resources_add(ctx, quiet)) {
		fprintf(stderr, "credstore-coapd: out of memory\n");
		goto out;
	}
	coap_register_event_handler(ctx, on_event);
	coap_print_addr(addr, (unsigned char *)where, sizeof(where));
	fprintf(stderr, "credstore-coapd: serving DTLS on %s, keys from %s\n", where,
		src->cs ? (credstore_transport(src->cs) == CREDSTORE_TRANSPORT_KERNEL ?
			   "credstore.ko" : "credstored") : "the store (not reachable yet)");
	while (!stopping) {
		if (serve_round(ctx, src) < 0) {
			fprintf(stderr, "credstore-coapd: the event loop failed\n");
			goto out;
		}
		psk_wipe(src);
		psk_expire(src);
		handshakes_expire();
	}
	ret = 0;
out:
	if (ctx)
		coap_free_context(ctx);
	pki_free();
	sessions_free();
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "key-cache", required_argument, NULL, 'c' },
		{ "key-cache-seconds", required_argument, NULL, 'K' },
		{ "identity", required_argument, NULL, 'i' },
		{ "transport", required_argument, NULL, 't' },
		{ "daemon-user", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct psk_source src = { 0 };
	const char *listen = "0.0.0.0:5684";
	unsigned long cache_entries = KEY_CACHE_ENTRIES, cache_seconds = KEY_CACHE_SECONDS;
	coap_address_t addr;
	int c, ret;

	while ((c = getopt_long(argc, argv, "l:c:i:t:u:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'c':
			if (parse_count(optarg, 0, KEYCACHE_ENTRIES_MAX, &cache_entries))
				goto bad;
			break;
		case 'K':
			if (parse_count(optarg, 1, KEYCACHE_SECONDS_MAX, &cache_seconds))
				goto bad;
			break;
		case 'i':
			identity = optarg;
			break;
		case 't':
			if (!strcmp(optarg, "auto"))
				src.opt.transport = CREDSTORE_TRANSPORT_AUTO;
			else if (!strcmp(optarg, "kernel"))
				src.opt.transport = CREDSTORE_TRANSPORT_KERNEL;
			else if (!strcmp(optarg, "daemon"))
				src.opt.transport = CREDSTORE_TRANSPORT_DAEMON;
			else
				goto bad;
			break;
		case 'u':
			if (cs_parse_user(optarg, &src.opt.daemon_uid))
				goto bad;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("credstore-coapd %s (libcoap %s)\n", VERSION, coap_package_version());
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc || parse_listen(listen, &addr))
		goto bad;
	src.quiet = quiet;
	if (cache_entries && !(src.cache = keycache_new(cache_entries, (unsigned int)cache_seconds))) {
		fprintf(stderr, "credstore-coapd: out of memory for a key cache of %lu\n", cache_entries);
		return 1;
	}
	if (src.cache)
		fprintf(stderr, "credstore-coapd: keys cached: up to %lu devices, %lu s each\n",
			cache_entries, cache_seconds);
	else
		fprintf(stderr, "credstore-coapd: keys not cached: each handshake asks the store\n");
	coap_startup();
	coap_set_log_level(LOG_ERR);
	coap_dtls_set_log_level(LOG_ERR);
	if (!coap_dtls_is_supported()) {
		fprintf(stderr, "credstore-coapd: this libcoap has no DTLS\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* A store not up yet is no reason to stop: each handshake tries. */
	coapd_store(&src);
	ret = serve(&src, &addr);
	psk_close(&src);
	coap_cleanup();
	return ret;
bad:
	usage(stderr);
	return 2;
}
