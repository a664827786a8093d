/*
 * Test driver: secex's verdict on raw commit objects. usage: pgp_verify [--time] KEYFILE...
 * < LIST, where each KEYFILE holds an armoured public key (the roster) and each line of LIST
 * is the path of a raw commit object (as `git cat-file commit` prints it). For each object
 * prints "<status> <primary fingerprint or -> <message>". With --time, every object is read
 * first and one line gives the verifications' total and per-signature wall-clock time.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "secex.h"

#define MAX_OBJECT (1024 * 1024)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Splits raw and verifies it; the verdict in *status and r. */
static int verify(secex_openpgp_keyring *kr, const secex_buf *raw, const char **status,
		  secex_sig_result *r, secex_signed_commit *c)
{
	int rc = secex_commit_split(c, raw->ptr, raw->size);

	*status = "unsigned";
	if (rc < 0 || c->state == SECEX_COMMIT_UNSIGNED)
		return rc;
	if (c->state == SECEX_COMMIT_MALFORMED) {
		*status = "malformed-commit";
		return 0;
	}
	rc = secex_signature_verify(r, kr, c->signature.ptr, c->signature.size, c->payload.ptr,
				    c->payload.size);
	*status = secex_sig_status_name(r->status);
	return rc;
}

static int load_keys(secex_openpgp_keyring *kr, char **files, int n)
{
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		secex_buf text = SECEX_BUF_INIT;

		if ((rc = secex_file_read(&text, files[i], MAX_OBJECT)) == 0)
			rc = secex_openpgp_keyring_add(kr, text.ptr, text.size, NULL);
		if (rc < 0)
			fprintf(stderr, "pgp_verify: %s: %s\n", files[i], secex_error_last());
		secex_buf_release(&text);
	}
	return rc;
}

static int read_list(secex_vec *objects)
{
	char line[4096];
	int rc = 0;

	while (rc == 0 && fgets(line, sizeof(line), stdin)) {
		secex_buf *raw = calloc(1, sizeof(*raw));

		line[strcspn(line, "\n")] = '\0';
		if (!raw || (rc = secex_file_read(raw, line, MAX_OBJECT)) < 0 ||
		    (rc = secex_vec_push(objects, raw)) < 0) {
			fprintf(stderr, "pgp_verify: %s: %s\n", line, secex_error_last());
			free(raw);
			rc = rc < 0 ? rc : -1;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	secex_openpgp_keyring *kr = NULL;
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_vec objects = SECEX_VEC_INIT;
	int timing = argc > 1 && strcmp(argv[1], "--time") == 0, rc, first = 1 + timing;
	size_t i;
	double t0;

	if ((rc = secex_openpgp_keyring_new(&kr, NULL, 0)) < 0 ||
	    (rc = load_keys(kr, argv + first, argc - first)) < 0 || (rc = read_list(&objects)) < 0)
		goto cleanup;
	t0 = now_us();
	for (i = 0; i < objects.n && rc == 0; i++) {
		const char *status;

		secex_sig_result_release(&r);
		if ((rc = verify(kr, objects.items[i], &status, &r, &c)) < 0)
			fprintf(stderr, "pgp_verify: %s\n", secex_error_last());
		else if (!timing)
			printf("%s %s %s\n", status, r.fingerprint.size ? r.fingerprint.ptr : "-",
			       secex_buf_cstr(&r.message));
	}
	if (timing && rc == 0)
		printf("%zu signatures in %.1f ms: %.1f us each\n", objects.n, (now_us() - t0) / 1e3,
		       objects.n ? (now_us() - t0) / (double)objects.n : 0.0);
cleanup:
	for (i = 0; i < objects.n; i++) {
		secex_buf_release(objects.items[i]);
		free(objects.items[i]);
	}
	secex_vec_release(&objects);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_openpgp_keyring_free(kr);
	return rc < 0 ? 1 : 0;
}
