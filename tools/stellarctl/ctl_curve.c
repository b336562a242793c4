/* CURVE keys for the control API's tcp endpoint: making them, reading them. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "config.h"
#include "ctl.h"

int ctl_keygen(bool json)
{
	char public_key[CONTROL_KEY_TEXT], secret_key[CONTROL_KEY_TEXT];

	if (zmq_curve_keypair(public_key, secret_key) != 0) {
		fprintf(stderr, "stellarctl: cannot make a key pair: %s (libzmq without CURVE?)\n",
			zmq_strerror(zmq_errno()));
		return CTL_FAILED;
	}
	if (json) {
		json_t *j = json_pack("{s:s,s:s}", "public", public_key, "secret", secret_key);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
		json_decref(j);
	} else {
		/* The format --key-file reads; the public half goes into the
		 * server's control.clients (or is the server's key for clients). */
		printf("public: %s\nsecret: %s\n", public_key, secret_key);
	}
	return CTL_OK;
}

int ctl_read_key_file(const char *path, char *public_key, char *secret_key)
{
	FILE *f = fopen(path, "r");
	char line[256], key[64];

	if (!f) {
		fprintf(stderr, "stellarctl: cannot read the key file %s\n", path);
		return -1;
	}
	public_key[0] = secret_key[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		/* Anything but 40 characters is left for ctl_use_curve to refuse. */
		if (sscanf(line, " public: %63s", key) == 1)
			snprintf(public_key, 64, "%s", key);
		else if (sscanf(line, " secret: %63s", key) == 1)
			snprintf(secret_key, 64, "%s", key);
	}
	fclose(f);
	if (!public_key[0] || !secret_key[0]) {
		fprintf(stderr, "stellarctl: %s needs a 'public:' and a 'secret:' line (see `stellarctl keygen`)\n",
			path);
		return -1;
	}
	return 0;
}
