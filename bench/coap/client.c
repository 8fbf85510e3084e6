/* coap-bench-client: CoAP DTLS handshakes per second against one server.
 * Each handshake takes a random line of the identities file ("IDENTITY
 * KEY"), sends GET /.well-known/core in a new DTLS session, waits for the
 * answer and releases the session.  Prints "HANDSHAKES FAILED".
 * usage: coap-bench-client PORT SECONDS IDENTITIES-FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <coap3/coap.h>

#define IDS_MAX 100000

struct psk {
	char identity[64], key[80];
};

static struct psk *ids;
static size_t n_ids;
static int answered;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	(void)session;
	(void)sent;
	(void)mid;
	answered = COAP_RESPONSE_CLASS(coap_pdu_get_code(received)) == 2 ? 1 : -1;
	return COAP_RESPONSE_OK;
}

static int handshake(coap_context_t *ctx, const coap_address_t *server, const struct psk *p)
{
	coap_dtls_cpsk_t setup = {
		.version = COAP_DTLS_CPSK_SETUP_VERSION,
		.psk_info.identity = { .s = (const uint8_t *)p->identity, .length = strlen(p->identity) },
		.psk_info.key = { .s = (const uint8_t *)p->key, .length = strlen(p->key) },
	};
	coap_session_t *session = coap_new_client_session_psk2(ctx, NULL, server, COAP_PROTO_DTLS, &setup);
	coap_pdu_t *pdu;
	double give_up = now() + 2;

	if (!session)
		return -1;
	pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET, coap_new_message_id(session),
			    coap_session_max_pdu_size(session));
	answered = 0;
	if (pdu) {
		coap_add_option(pdu, COAP_OPTION_URI_PATH, 11, (const uint8_t *)".well-known");
		coap_add_option(pdu, COAP_OPTION_URI_PATH, 4, (const uint8_t *)"core");
		if (coap_send(session, pdu) == COAP_INVALID_MID)
			answered = -1;
	}
	while (!answered && now() < give_up)
		coap_io_process(ctx, 100);
	coap_session_release(session);
	coap_io_process(ctx, COAP_IO_NO_WAIT);
	return answered == 1 ? 0 : -1;
}

static int load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[200];

	ids = calloc(IDS_MAX, sizeof(*ids));
	if (!f || !ids)
		return -1;
	while (n_ids < IDS_MAX && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %79s", ids[n_ids].identity, ids[n_ids].key) == 2)
			n_ids++;
	fclose(f);
	return n_ids ? 0 : -1;
}

int main(int argc, char **argv)
{
	long done = 0, failed = 0;
	unsigned int seed = (unsigned int)time(NULL);
	coap_address_t server;
	coap_context_t *ctx;
	double deadline;

	if (argc != 4 || load(argv[3])) {
		fprintf(stderr, "usage: coap-bench-client PORT SECONDS IDENTITIES-FILE\n");
		return 2;
	}
	coap_startup();
	coap_set_log_level(LOG_EMERG);
	coap_dtls_set_log_level(LOG_EMERG);
	coap_address_init(&server);
	server.addr.sin.sin_family = AF_INET;
	server.addr.sin.sin_port = htons((uint16_t)atoi(argv[1]));
	server.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server.size = sizeof(server.addr.sin);
	ctx = coap_new_context(NULL);
	if (!ctx)
		return 1;
	coap_register_response_handler(ctx, on_response);
	deadline = now() + atof(argv[2]);
	while (now() < deadline) {
		if (handshake(ctx, &server, &ids[(size_t)rand_r(&seed) % n_ids]))
			failed++;
		else
			done++;
	}
	coap_free_context(ctx);
	coap_cleanup();
	printf("%ld %ld\n", done, failed);
	free(ids);
	return 0;
}
