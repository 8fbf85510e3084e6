/* credstore-cgi: which front door a request came to. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cgi.h"

int main(void)
{
	struct cgi_config cfg;
	char script[256];
	const char *path = env("PATH_INFO");

	if (!*env("GATEWAY_INTERFACE")) {
		fprintf(stderr, "credstore-cgi: a CGI program, run by a web server "
			"(see credstore-cgi(8))\n");
		return 2;
	}
	if (config_load(&cfg)) {
		out_text_answer("500 Internal Server Error", "ERROR: internal error. bad configuration");
		return 0;
	}
	snprintf(script, sizeof(script), "%s", env("SCRIPT_NAME"));
	if (!strcmp(basename(script), "update"))
		return camera_main(&cfg);
	if (!strcmp(path, "/anchors.pem") || !strcmp(path, "/server.pem"))
		return downloads_main(&cfg, path);
	if (!strcmp(path, "/manage") || !strcmp(path, "/manage/device"))
		return page_main(&cfg, path);
	out_text_answer("404 Not Found", "Not here: /manage, /anchors.pem or /server.pem");
	return 0;
}
