/* The resources a device reaches once its handshake succeeded: the
 * server knows which device it is (the PSK identity) in every handler. */
#include <stdio.h>
#include <string.h>

#include "coapd.h"

void session_device(const coap_session_t *session, char out[CREDSTORE_DEVICE_ID_MAX])
{
	const coap_bin_const_t *id = coap_session_get_psk_identity(session);

	/* A certificate session has an empty PSK identity. */
	if ((!id || id->length == 0) && pki_session_device(session, out))
		return;
	if (!id || id->length == 0 || id->length >= CREDSTORE_DEVICE_ID_MAX) {
		strcpy(out, "?");
		return;
	}
	memcpy(out, id->s, id->length);
	out[id->length] = '\0';
}

void session_peer(const coap_session_t *session, char *out, size_t size)
{
	const coap_address_t *a = coap_session_get_addr_remote(session);

	if (!a || coap_print_addr(a, (unsigned char *)out, size) == 0)
		snprintf(out, size, "?");
}

static void answer_text(coap_pdu_t *response, coap_pdu_code_t code, const char *text)
{
	unsigned char format[4];

	coap_pdu_set_code(response, code);
	coap_add_option(response, COAP_OPTION_CONTENT_FORMAT,
			coap_encode_var_safe(format, sizeof(format), COAP_MEDIATYPE_TEXT_PLAIN), format);
	coap_add_data(response, strlen(text), (const uint8_t *)text);
}

/* GET /whoami: "device ID", as the store admitted it. */
static void on_whoami(coap_resource_t *resource, coap_session_t *session,
		      const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
	char id[CREDSTORE_DEVICE_ID_MAX], text[CREDSTORE_DEVICE_ID_MAX + 16];

	(void)resource;
	(void)request;
	(void)query;
	session_device(session, id);
	snprintf(text, sizeof(text), "device %s\n", id);
	answer_text(response, COAP_RESPONSE_CODE_CONTENT, text);
}

/* POST or PUT /report: the payload is logged with the device's id (where
 * a platform's own handler would take over). */
static void on_report(coap_resource_t *resource, coap_session_t *session,
		      const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
	const bool *quiet = coap_resource_get_userdata(resource);
	char id[CREDSTORE_DEVICE_ID_MAX];
	const uint8_t *data = NULL;
	char shown[201];
	size_t len = 0, i;

	(void)query;
	session_device(session, id);
	coap_get_data(request, &len, &data);
	/* A device's bytes, made printable for the log. */
	for (i = 0; i < len && i < sizeof(shown) - 1; i++)
		shown[i] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '.';
	shown[i] = '\0';
	if (!*quiet) {
		printf("credstore-coapd: report from device %s: %s\n", id, shown);
		fflush(stdout);
	}
	answer_text(response, COAP_RESPONSE_CODE_CHANGED, "ok\n");
}

int resources_add(coap_context_t *ctx, bool quiet)
{
	static bool quiet_flag;
	coap_resource_t *whoami = coap_resource_init(coap_make_str_const("whoami"), 0);
	coap_resource_t *report = coap_resource_init(coap_make_str_const("report"), 0);

	if (!whoami || !report)
		return -1;
	quiet_flag = quiet;
	coap_register_handler(whoami, COAP_REQUEST_GET, on_whoami);
	coap_register_handler(report, COAP_REQUEST_POST, on_report);
	coap_register_handler(report, COAP_REQUEST_PUT, on_report);
	coap_resource_set_userdata(report, &quiet_flag);
	coap_add_resource(ctx, whoami);
	coap_add_resource(ctx, report);
	return 0;
}
