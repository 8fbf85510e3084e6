#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "pins.h"

struct pin {
	char device_id[CREDSTORE_DEVICE_ID_MAX];
	uint8_t fp[2][CREDSTORE_FINGERPRINT_LEN];	/* master, sub */
	int count;
};

struct pins {
	struct pin *pin;
	size_t n;
};

/* 0, or -EINVAL with why filled. */
static int parse_line(char *line, struct pin *pin, char *why)
{
	char *fields[4];
	int n = 0;

	for (char *tok = strtok(line, " \t\r\n"); tok && n < 4; tok = strtok(NULL, " \t\r\n"))
		fields[n++] = tok;
	if (n < 2 || n > 3) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "want DEVICE-ID MASTER-FP [SUB-FP]");
		return -EINVAL;
	}
	if (strlen(fields[0]) >= sizeof(pin->device_id)) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "device id too long");
		return -EINVAL;
	}
	strcpy(pin->device_id, fields[0]);
	pin->count = n - 1;
	for (int i = 0; i < pin->count; i++)
		if (cs_fingerprint_parse(fields[i + 1], pin->fp[i]) < 0) {
			snprintf(why, CREDSTORE_MESSAGE_MAX, "not a SHA-256 fingerprint: %.80s",
				 fields[i + 1]);
			return -EINVAL;
		}
	return 0;
}

static int add_line(struct pins *pins, char *line, char *why)
{
	struct pin pin, *grown;

	line[strcspn(line, "#")] = '\0';
	if (line[strspn(line, " \t\r\n")] == '\0')
		return 0;
	if (parse_line(line, &pin, why) < 0)
		return -EINVAL;
	grown = realloc(pins->pin, (pins->n + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "out of memory");
		return -ENOMEM;
	}
	pins->pin = grown;
	pins->pin[pins->n++] = pin;
	return 0;
}

struct pins *pins_load(const char *path, char *why)
{
	struct pins *pins = calloc(1, sizeof(*pins));
	FILE *f = fopen(path, "r");
	char line[512], reason[CREDSTORE_MESSAGE_MAX];
	int lineno = 0, ret = 0;

	if (!f || !pins) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		free(pins);
		return NULL;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		ret = add_line(pins, line, reason);
	}
	fclose(f);
	if (ret) {
		snprintf(why, CREDSTORE_MESSAGE_MAX, "%s:%d: %.160s", path, lineno, reason);
		pins_free(pins);
		return NULL;
	}
	return pins;
}

void pins_free(struct pins *pins)
{
	if (!pins)
		return;
	free(pins->pin);
	free(pins);
}

int pins_lookup(void *arg, const uint8_t fp[CREDSTORE_FINGERPRINT_LEN],
		struct credstore_verdict *out, char *reason)
{
	const struct pins *pins = arg;

	(void)reason;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < pins->n; i++)
		for (int k = 0; k < pins->pin[i].count; k++)
			if (memcmp(pins->pin[i].fp[k], fp, CREDSTORE_FINGERPRINT_LEN) == 0) {
				out->match = k == 0 ? CREDSTORE_MATCH_MASTER : CREDSTORE_MATCH_SUB;
				strcpy(out->device_id, pins->pin[i].device_id);
				return 0;
			}
	return 0;
}
