/*
 * OpenPGP signatures, verified by gpgv against a keyring that holds the roster's keys only,
 * in a private temporary directory. Armour and packet framing are checked here first, so
 * that gpgv only ever sees public keys and exactly one detached signature packet.
 */

#define _GNU_SOURCE /* mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "secex/run.h"
#include "secex/signature.h"
#include "signature_int.h"
#include "banned.h"

#define KEY_MAX (1024 * 1024)       /* one armoured key block */
#define SIG_MAX (64 * 1024)         /* one armoured signature */
#define STATUS_MAX (1024 * 1024)    /* what gpg or gpgv may print on the status fd */
#define GPG_TIMEOUT_MS 20000L        /* a gpg or gpgv that hangs must not hang CI */
#define FPR_MAX 64                  /* hex digits of a v5 fingerprint; v4 has 40 */

struct secex_openpgp_keyring {
	char *dir;               /* private temporary directory (0700) */
	char *keyring;           /* dir/roster.gpg */
	size_t nkeys;            /* key files written: dir/key-<i>.gpg */
	size_t nimported;        /* of those, handed to gpg --import */
	secex_buf pending;       /* fingerprints of the keys not imported yet, "\n" after each */
	secex_buf not_imported;  /* fingerprints gpg refused to import, ", " between */
};

/* Armour. */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Next line without its end and surrounding blanks; false at the end of the text. */
static bool line_next(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *s, *e, *nl;

	if (*pos >= len)
		return false;
	s = text + *pos;
	nl = memchr(s, '\n', len - *pos);
	e = nl ? nl : text + len;
	*pos = (size_t)(e - text) + (nl ? 1 : 0);
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	*line = s;
	*n = (size_t)(e - s);
	return true;
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

static bool is_header(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n && ((line[i] >= 'A' && line[i] <= 'Z') || (line[i] >= 'a' && line[i] <= 'z') ||
			      (line[i] >= '0' && line[i] <= '9') || line[i] == '-'); i++)
		;
	return i > 0 && i + 1 < n && line[i] == ':' && line[i + 1] == ' ';
}

static uint32_t crc24(const unsigned char *d, size_t n)
{
	uint32_t crc = 0xB704CEu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= (uint32_t)d[i] << 16;
		for (k = 0; k < 8; k++) {
			crc <<= 1;
			if (crc & 0x1000000u)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFFu;
}

/*
 * Decodes the next armoured block of text from *pos into out (appending). label receives
 * what follows "BEGIN PGP ". Returns 1 for a block, 0 when only blank lines are left,
 * SECEX_EINVALID with *why set, or SECEX_ENOMEM.
 */
static int dearmor(secex_buf *out, char *label, size_t labelcap, const char *text, size_t len,
		   size_t *pos, const char **why)
{
	static const char begin[] = "-----BEGIN PGP ", end[] = "-----END PGP ";
	secex_buf b64 = SECEX_BUF_INIT, crc = SECEX_BUF_INIT;
	const char *line;
	size_t n, i, start;
	bool headers = true;
	int rc = 0;

	do {
		if (!line_next(text, len, pos, &line, &n))
			return 0;
	} while (n == 0);
	if (n < sizeof(begin) - 1 + 5 || memcmp(line, begin, sizeof(begin) - 1) != 0 ||
	    memcmp(line + n - 5, "-----", 5) != 0 || n - (sizeof(begin) - 1) - 5 >= labelcap) {
		*why = "expected an armour line '-----BEGIN PGP ...-----'";
		return SECEX_EINVALID;
	}
	memcpy(label, line + sizeof(begin) - 1, n - (sizeof(begin) - 1) - 5);
	label[n - (sizeof(begin) - 1) - 5] = '\0';
	for (;;) {
		if (!line_next(text, len, pos, &line, &n)) {
			*why = "the armour has no '-----END PGP ...-----' line";
			rc = SECEX_EINVALID;
			goto cleanup;
		}
		if (headers) {
			if (n == 0) {
				headers = false;
				continue;
			}
			if (is_header(line, n))
				continue;
			headers = false; /* no header section: tolerated, like gpg */
		}
		if (n >= 5 && memcmp(line, "-----", 5) == 0)
			break;
		if (n && line[0] == '=' && crc.size == 0 && n == 5) {
			if ((rc = secex_buf_put(&crc, line + 1, 4)) < 0)
				goto cleanup;
			continue;
		}
		if (crc.size) {
			*why = "the armour has lines after its checksum";
			rc = SECEX_EINVALID;
			goto cleanup;
		}
		for (i = 0; i < n; i++) {
			if (!is_b64(line[i])) {
				*why = "the armour has a character that is not base64";
				rc = SECEX_EINVALID;
				goto cleanup;
			}
		}
		if ((rc = secex_buf_put(&b64, line, n)) < 0)
			goto cleanup;
	}
	if (n != sizeof(end) - 1 + strlen(label) + 5 || memcmp(line, end, sizeof(end) - 1) != 0 ||
	    memcmp(line + sizeof(end) - 1, label, strlen(label)) != 0 ||
	    memcmp(line + n - 5, "-----", 5) != 0) {
		*why = "the armour's END line does not match its BEGIN line";
		rc = SECEX_EINVALID;
		goto cleanup;
	}
	start = out->size;
	if ((rc = secex_sig_base64_decode(out, b64.ptr ? b64.ptr : "", b64.size)) < 0) {
		if (rc == SECEX_EINVALID)
			*why = "the armour is not valid base64 (bad length or padding)";
		goto cleanup;
	}
	if (out->size == start) {
		*why = "the armour is empty";
		rc = SECEX_EINVALID;
		goto cleanup;
	}
	if (crc.size) {
		secex_buf sum = SECEX_BUF_INIT;
		uint32_t want = 0;

		rc = secex_sig_base64_decode(&sum, crc.ptr, crc.size);
		if (rc == 0 && sum.size == 3)
			want = (uint32_t)(unsigned char)sum.ptr[0] << 16 |
			       (uint32_t)(unsigned char)sum.ptr[1] << 8 | (unsigned char)sum.ptr[2];
		if (rc == 0 && (sum.size != 3 ||
				want != crc24((const unsigned char *)out->ptr + start, out->size - start))) {
			*why = "the armour's checksum does not match: the text was damaged";
			rc = SECEX_EINVALID;
		} else if (rc == SECEX_EINVALID) {
			*why = "the armour's checksum line is not base64";
		}
		secex_buf_release(&sum);
		if (rc < 0)
			goto cleanup;
	}
	rc = 1;
cleanup:
	secex_buf_release(&b64);
	secex_buf_release(&crc);
	return rc;
}

/* Packets (RFC 4880 section 4.2). */

typedef struct {
	int tag;
	const unsigned char *body;
	size_t len;
} packet;

/* 1 and the packet at *pos, 0 at the end, SECEX_EINVALID with *why. */
static int packet_next(const unsigned char *d, size_t n, size_t *pos, packet *pk, const char **why)
{
	size_t p = *pos, len, k, nlen;
	unsigned char b;

	if (p >= n)
		return 0;
	b = d[p++];
	if (!(b & 0x80)) {
		*why = "the data is not OpenPGP packets (bad packet header)";
		return SECEX_EINVALID;
	}
	if (b & 0x40) {
		unsigned o1;

		pk->tag = b & 0x3f;
		if (p >= n)
			goto truncated;
		o1 = d[p++];
		if (o1 < 192) {
			len = o1;
		} else if (o1 < 224) {
			if (p >= n)
				goto truncated;
			len = ((size_t)(o1 - 192) << 8) + d[p++] + 192;
		} else if (o1 == 255) {
			if (n - p < 4)
				goto truncated;
			len = (size_t)d[p] << 24 | (size_t)d[p + 1] << 16 | (size_t)d[p + 2] << 8 | d[p + 3];
			p += 4;
		} else {
			*why = "a packet uses partial lengths, which keys and signatures may not";
			return SECEX_EINVALID;
		}
	} else {
		pk->tag = (b >> 2) & 0xf;
		if ((b & 3) == 3) {
			*why = "a packet has an indeterminate length";
			return SECEX_EINVALID;
		}
		nlen = (size_t)1 << (b & 3);
		if (n - p < nlen)
			goto truncated;
		for (len = 0, k = 0; k < nlen; k++)
			len = len << 8 | d[p + k];
		p += nlen;
	}
	if (len > n - p)
		goto truncated;
	pk->body = d + p;
	pk->len = len;
	*pos = p + len;
	return 1;
truncated:
	*why = "a packet is truncated";
	return SECEX_EINVALID;
}

static int put_fingerprint(secex_buf *out, const packet *pk)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char head[3] = { 0x99, (unsigned char)(pk->len >> 8), (unsigned char)pk->len };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = 0, ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, head, 3) == 1 && EVP_DigestUpdate(ctx, pk->body, pk->len) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return secex_error_set(SECEX_ERROR, "cannot compute SHA-1");
	for (i = 0; i < mdlen && rc == 0; i++) {
		rc = secex_buf_putc(out, hex[md[i] >> 4]);
		rc = rc ? rc : secex_buf_putc(out, hex[md[i] & 15]);
	}
	return rc ? rc : secex_buf_putc(out, '\n');
}

/* Checks that d holds transferable public keys only; appends their fingerprints. */
static int check_keys(const unsigned char *d, size_t n, secex_buf *fprs, const char **why)
{
	size_t pos = 0, nkeys = 0;
	packet pk;
	int rc;

	while ((rc = packet_next(d, n, &pos, &pk, why)) == 1) {
		switch (pk.tag) {
		case 6: /* public key */
			if (pk.len < 1 || pk.body[0] != 4 || pk.len > 0xffff) {
				*why = pk.len && pk.body[0] < 4 ? "it is a version 3 key, which is "
					"obsolete; make a current key" : "only version 4 keys are "
					"supported (gpgv 2.2 knows no others)";
				return SECEX_EINVALID;
			}
			nkeys++;
			if ((rc = put_fingerprint(fprs, &pk)) < 0)
				return rc;
			break;
		case 5: /* secret key */
		case 7: /* secret subkey */
			*why = "it contains a SECRET key: remove it from the roster at once and "
			       "revoke that key";
			return SECEX_EINVALID;
		case 2:  /* signature */
		case 12: /* trust */
		case 13: /* user id */
		case 14: /* public subkey */
		case 17: /* user attribute */
			if (!nkeys) {
				*why = "it does not start with a public key packet";
				return SECEX_EINVALID;
			}
			break;
		default:
			*why = "it has a packet that does not belong in a public key";
			return SECEX_EINVALID;
		}
	}
	if (rc < 0)
		return rc;
	if (!nkeys) {
		*why = "it contains no public key";
		return SECEX_EINVALID;
	}
	return 0;
}

/* Processes and files. */

static int write_file(const char *path, const void *data, size_t len, bool exclusive)
{
	const char *p = data;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0600);
	if (fd < 0)
		return secex_error_set(SECEX_EIO, "cannot create '%s': %s", path, strerror(errno));
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path, strerror(errno));
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path, strerror(errno));
	return rc;
}

/* Writes data to a new file dir/<prefix>XXXXXX; path receives its name. */
static int write_temp(secex_buf *path, const char *dir, const char *prefix, const void *data,
		      size_t len)
{
	const char *p = data;
	int fd, rc;

	secex_buf_clear(path);
	if ((rc = secex_buf_printf(path, "%s/%sXXXXXX", dir, prefix)) < 0)
		return rc;
	if ((fd = mkostemp(path->ptr, O_CLOEXEC)) < 0)
		return secex_error_set(SECEX_EIO, "cannot create a file in '%s': %s", dir,
				       strerror(errno));
	rc = 0;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path->ptr,
					     strerror(errno));
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path->ptr, strerror(errno));
	if (rc < 0)
		unlink(path->ptr);
	return rc;
}

/*
 * Runs argv through secex_run: no shell, stdin and stderr on /dev/null, PATH alone in the
 * environment, at most GPG_TIMEOUT_MS; stdout into out (at most STATUS_MAX bytes kept).
 */
static int run(char *const argv[], secex_buf *out, int *status)
{
	secex_run_options opts = SECEX_RUN_OPTIONS_INIT;
	const char *const *args;

	memcpy(&args, &argv, sizeof(args));
	opts.out = out;
	opts.max_out = STATUS_MAX;
	opts.quiet = opts.clean_env = true;
	opts.timeout_ms = GPG_TIMEOUT_MS;
	opts.hint = "install GnuPG (Debian: apt install gpgv gpg)";
	return secex_run(status, args, &opts);
}

/* Removes path and, if a directory, what it holds, without following symbolic links. */
static void remove_tree(const char *path, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode) || depth > 8) {
		unlink(path);
		return;
	}
	if ((d = opendir(path))) {
		while ((e = readdir(d))) {
			secex_buf child = SECEX_BUF_INIT;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (secex_buf_printf(&child, "%s/%s", path, e->d_name) == 0)
				remove_tree(child.ptr, depth + 1);
			secex_buf_release(&child);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Whether gpg left an agent socket (S.*) in dir. */
static bool has_sockets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = e->d_name[0] == 'S' && e->d_name[1] == '.';
	closedir(d);
	return found;
}

/* Keyring. */

void secex_openpgp_keyring_free(secex_openpgp_keyring *kr)
{
	if (!kr)
		return;
	if (kr->dir) {
		if (has_sockets(kr->dir)) {
			char *argv[] = { NULL, NULL, kr->dir, NULL, NULL, NULL };
			char gpgconf[] = "gpgconf", homedir[] = "--homedir", kill[] = "--kill",
			     all[] = "all";
			secex_buf ignored = SECEX_BUF_INIT;
			int status;

			argv[0] = gpgconf;
			argv[1] = homedir;
			argv[3] = kill;
			argv[4] = all;
			(void)run(argv, &ignored, &status);
			secex_buf_release(&ignored);
		}
		remove_tree(kr->dir, 0);
	}
	free(kr->dir);
	free(kr->keyring);
	secex_buf_release(&kr->pending);
	secex_buf_release(&kr->not_imported);
	free(kr);
}

int secex_openpgp_keyring_new(secex_openpgp_keyring **out, const char *const *keys, size_t n)
{
	secex_openpgp_keyring *kr = calloc(1, sizeof(*kr));
	secex_buf path = SECEX_BUF_INIT;
	const char *tmp = getenv("TMPDIR");
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!kr)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	if (!tmp || !*tmp || tmp[0] != '/')
		tmp = "/tmp";
	if ((rc = secex_buf_printf(&path, "%s/secex-openpgp-XXXXXX", tmp)) < 0)
		goto cleanup;
	if (!mkdtemp(path.ptr)) {
		rc = secex_error_set(SECEX_EIO, "cannot make a temporary directory in '%s': %s",
				     tmp, strerror(errno));
		goto cleanup;
	}
	kr->dir = secex_buf_detach(&path);
	if ((rc = secex_buf_printf(&path, "%s/roster.gpg", kr->dir)) < 0)
		goto cleanup;
	kr->keyring = secex_buf_detach(&path);
	if (!kr->dir || !kr->keyring) {
		rc = secex_error_set(SECEX_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* an empty keyring: gpgv then reports unknown keys rather than a missing file */
	if ((rc = write_file(kr->keyring, "", 0, true)) < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		if (!keys[i]) {
			rc = secex_error_set(SECEX_EINVALID, "OpenPGP key %zu is missing", i + 1);
			goto cleanup;
		}
		if ((rc = secex_openpgp_keyring_add(kr, keys[i], strlen(keys[i]), NULL)) < 0) {
			if (rc == SECEX_EINVALID) {
				char why[512];

				snprintf(why, sizeof(why), "%s", secex_error_last());
				rc = secex_error_set(rc, "OpenPGP key %zu: %s", i + 1, why);
			}
			goto cleanup;
		}
	}
	*out = kr;
	kr = NULL;
cleanup:
	secex_buf_release(&path);
	secex_openpgp_keyring_free(kr);
	return rc;
}

int secex_openpgp_keyring_add(secex_openpgp_keyring *kr, const char *armoured, size_t len,
			      secex_buf *fingerprints)
{
	secex_buf bin = SECEX_BUF_INIT, fprs = SECEX_BUF_INIT, path = SECEX_BUF_INIT;
	const char *why = NULL;
	char label[32];
	size_t pos = 0, nblocks = 0;
	int rc;

	if (len > KEY_MAX)
		return secex_error_set(SECEX_EINVALID, "OpenPGP public key of %zu bytes is too "
				       "large", len);
	while ((rc = dearmor(&bin, label, sizeof(label), armoured, len, &pos, &why)) == 1) {
		nblocks++;
		if (strcmp(label, "PRIVATE KEY BLOCK") == 0 || strcmp(label, "SECRET KEY BLOCK") == 0) {
			rc = secex_error_set(SECEX_EINVALID, "this is a SECRET OpenPGP key: remove it "
					     "from the roster at once and revoke that key");
			goto cleanup;
		}
		if (strcmp(label, "PUBLIC KEY BLOCK") != 0) {
			rc = secex_error_set(SECEX_EINVALID, "expected an armoured OpenPGP public key "
					     "('-----BEGIN PGP PUBLIC KEY BLOCK-----'), found 'PGP %s'",
					     label);
			goto cleanup;
		}
	}
	if (rc < 0)
		goto cleanup;
	if (!nblocks) {
		rc = secex_error_set(SECEX_EINVALID, "expected an armoured OpenPGP public key "
				     "('-----BEGIN PGP PUBLIC KEY BLOCK-----'), found nothing");
		goto cleanup;
	}
	if ((rc = check_keys((const unsigned char *)bin.ptr, bin.size, &fprs, &why)) < 0)
		goto cleanup;
	if ((rc = secex_buf_printf(&path, "%s/key-%zu.gpg", kr->dir, kr->nkeys)) < 0 ||
	    (rc = write_file(path.ptr, bin.ptr, bin.size, true)) < 0)
		goto cleanup;
	kr->nkeys++;
	if ((rc = secex_buf_put(&kr->pending, fprs.ptr, fprs.size)) < 0)
		goto cleanup;
	if (fingerprints)
		rc = secex_buf_put(fingerprints, fprs.ptr, fprs.size);
cleanup:
	if (rc == SECEX_EINVALID && why)
		rc = secex_error_set(SECEX_EINVALID, "not a usable OpenPGP public key: %s", why);
	secex_buf_release(&bin);
	secex_buf_release(&fprs);
	secex_buf_release(&path);
	return rc;
}

/* Status lines. */

static bool status_word(const char *line, size_t n, const char *word, const char **args)
{
	static const char prefix[] = "[GNUPG:] ";
	size_t k = strlen(word);

	if (n < sizeof(prefix) - 1 + k || memcmp(line, prefix, sizeof(prefix) - 1) != 0 ||
	    memcmp(line + sizeof(prefix) - 1, word, k) != 0)
		return false;
	line += sizeof(prefix) - 1 + k;
	n -= sizeof(prefix) - 1 + k;
	if (n && *line != ' ')
		return false;
	*args = n ? line + 1 : line;
	return true;
}

/* Copies the index-th (0-based) space-separated field of args (ending at end) into out. */
static bool field(const char *args, const char *end, int index, char *out, size_t cap)
{
	const char *s = args, *e;
	int i;

	for (i = 0;; i++) {
		while (s < end && *s == ' ')
			s++;
		for (e = s; e < end && *e != ' '; e++)
			;
		if (s == e)
			return false;
		if (i == index) {
			if ((size_t)(e - s) >= cap)
				return false;
			memcpy(out, s, (size_t)(e - s));
			out[e - s] = '\0';
			return true;
		}
		s = e;
	}
}

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

/* Whether the "\n"-terminated list holds the line s. */
static bool list_has(const secex_buf *list, const char *s, size_t n)
{
	const char *p = secex_buf_cstr(list), *end = p + list->size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len == n && memcmp(p, s, n) == 0)
			return true;
		p += len + 1;
	}
	return false;
}

static int import_pending(secex_openpgp_keyring *kr)
{
	secex_buf status = SECEX_BUF_INIT, ok = SECEX_BUF_INIT;
	char **argv = NULL;
	size_t i, nargs = 0, pending = kr->nkeys - kr->nimported, pos = 0;
	const char *line, *args;
	size_t n;
	int rc = 0, exitcode;
	static const char *const fixed[] = {
		"gpg", "--homedir", NULL, "--batch", "--quiet", "--no-tty", "--no-options",
		"--no-autostart", "--no-permission-warning", "--status-fd", "1",
		"--no-default-keyring", "--keyring", NULL, "--import",
	};
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);

	if (!pending)
		return 0;
	if (!(argv = calloc(nfixed + pending + 1, sizeof(*argv)))) {
		rc = secex_error_set(SECEX_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < nfixed; i++, nargs++) {
		const char *a = fixed[i] ? fixed[i] : i == 2 ? kr->dir : kr->keyring;

		if (!(argv[nargs] = secex_strndup(a, strlen(a)))) {
			rc = secex_error_set(SECEX_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (i = kr->nimported; i < kr->nkeys; i++, nargs++) {
		secex_buf p = SECEX_BUF_INIT;

		if ((rc = secex_buf_printf(&p, "%s/key-%zu.gpg", kr->dir, i)) < 0)
			goto cleanup;
		argv[nargs] = secex_buf_detach(&p);
	}
	if ((rc = run(argv, &status, &exitcode)) < 0)
		goto cleanup;
	/* which keys gpg took: "IMPORT_OK <reason> <fingerprint>" */
	while (line_next(status.ptr ? status.ptr : "", status.size, &pos, &line, &n)) {
		char fpr[FPR_MAX + 2];

		if (status_word(line, n, "IMPORT_OK", &args) && field(args, line + n, 1, fpr, sizeof(fpr))) {
			upper(fpr);
			if ((rc = secex_buf_puts(&ok, fpr)) < 0 || (rc = secex_buf_putc(&ok, '\n')) < 0)
				goto cleanup;
		}
	}
	pos = 0;
	while (line_next(secex_buf_cstr(&kr->pending), kr->pending.size, &pos, &line, &n)) {
		if (!n || list_has(&ok, line, n))
			continue;
		if (kr->not_imported.size && (rc = secex_buf_puts(&kr->not_imported, ", ")) < 0)
			goto cleanup;
		if ((rc = secex_buf_put(&kr->not_imported, line, n)) < 0)
			goto cleanup;
	}
	for (i = kr->nimported; i < kr->nkeys; i++)
		unlink(argv[nfixed + i - kr->nimported]);
	kr->nimported = kr->nkeys;
	secex_buf_clear(&kr->pending);
cleanup:
	if (argv)
		for (i = 0; i < nargs; i++)
			free(argv[i]);
	free(argv);
	secex_buf_release(&status);
	secex_buf_release(&ok);
	return rc;
}

typedef struct {
	int newsig, goodsig, validsig, badsig, errsig, expsig, expkeysig, revkeysig, nodata;
	char keyid[FPR_MAX + 2];   /* from GOODSIG, BADSIG, ERRSIG, ... */
	char errfpr[FPR_MAX + 2];  /* ERRSIG field 7, when gpg gives it */
	char errcode[8];           /* ERRSIG field 6: 9 = no public key, 4 = unknown algorithm */
	char fpr[FPR_MAX + 2];     /* VALIDSIG field 1: the signing (sub)key */
	char primary[FPR_MAX + 2]; /* VALIDSIG field 10 */
	char sigclass[4];
	char hashalgo[4];
	char timestamp[24];
} gstatus;

static void parse_status(gstatus *g, const char *text, size_t len)
{
	size_t pos = 0, n;
	const char *line, *args;

	memset(g, 0, sizeof(*g));
	while (line_next(text, len, &pos, &line, &n)) {
		const char *end = line + n;

		if (status_word(line, n, "NEWSIG", &args)) {
			g->newsig++;
		} else if (status_word(line, n, "GOODSIG", &args)) {
			g->goodsig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
		} else if (status_word(line, n, "VALIDSIG", &args)) {
			g->validsig++;
			field(args, end, 0, g->fpr, sizeof(g->fpr));
			field(args, end, 2, g->timestamp, sizeof(g->timestamp));
			field(args, end, 7, g->hashalgo, sizeof(g->hashalgo));
			field(args, end, 8, g->sigclass, sizeof(g->sigclass));
			field(args, end, 9, g->primary, sizeof(g->primary));
		} else if (status_word(line, n, "BADSIG", &args)) {
			g->badsig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
		} else if (status_word(line, n, "ERRSIG", &args)) {
			g->errsig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
			field(args, end, 5, g->errcode, sizeof(g->errcode));
			field(args, end, 6, g->errfpr, sizeof(g->errfpr));
		} else if (status_word(line, n, "EXPSIG", &args)) {
			g->expsig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
		} else if (status_word(line, n, "EXPKEYSIG", &args)) {
			g->expkeysig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
		} else if (status_word(line, n, "REVKEYSIG", &args)) {
			g->revkeysig++;
			field(args, end, 0, g->keyid, sizeof(g->keyid));
		} else if (status_word(line, n, "NODATA", &args)) {
			g->nodata++;
		}
	}
	if (!is_hex(g->keyid, 16, FPR_MAX))
		g->keyid[0] = '\0';
	if (!is_hex(g->errfpr, 40, FPR_MAX))
		g->errfpr[0] = '\0';
	upper(g->keyid);
	upper(g->errfpr);
	upper(g->fpr);
	upper(g->primary);
}

/* Checks the signature's framing: one armoured block holding one signature packet. */
static int check_signature(secex_sig_result *out, secex_buf *bin, const char *sig, size_t siglen)
{
	const char *why = NULL;
	char label[32];
	size_t pos = 0, ppos = 0, npackets = 0;
	packet pk;
	int rc;

	if (siglen > SIG_MAX)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "OpenPGP signature of %zu "
					     "bytes is too large", siglen) < 0 ? SECEX_ENOMEM : 1;
	rc = dearmor(bin, label, sizeof(label), sig, siglen, &pos, &why);
	if (rc == SECEX_ENOMEM)
		return rc;
	if (rc == 0)
		why = "it is empty";
	if (rc == 1 && strcmp(label, "SIGNATURE") != 0 && strcmp(label, "MESSAGE") != 0)
		why = "its armour is not '-----BEGIN PGP SIGNATURE-----'";
	if (rc == 1 && !why) {
		size_t rest = pos;
		const char *line;
		size_t n;

		while (line_next(sig, siglen, &rest, &line, &n) && !why)
			if (n)
				why = "it has text after its armour";
	}
	while (!why && (rc = packet_next((const unsigned char *)bin->ptr, bin->size, &ppos, &pk,
					 &why)) == 1) {
		npackets++;
		if (pk.tag != 2)
			why = "it is not a detached signature (it holds other packets than one "
			      "signature)";
	}
	if (!why && npackets != 1)
		why = "it holds more than one signature; secex requires exactly one";
	if (!why)
		return 0;
	return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "not a valid OpenPGP signature: %s",
				     why) < 0 ? SECEX_ENOMEM : 1;
}

static int judge(secex_sig_result *out, const secex_openpgp_keyring *kr, const gstatus *g,
		 int exitcode)
{
	const char *who = g->errfpr[0] ? g->errfpr : g->keyid[0] ? g->keyid : "an unknown key";
	size_t flen = strlen(g->fpr), klen = strlen(g->keyid);

	if (g->newsig == 0)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "gpgv found no OpenPGP "
					     "signature in it (damaged data?)");
	if (g->newsig > 1)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "gpgv found %d signatures; "
					     "secex requires exactly one", g->newsig);
	if (g->revkeysig)
		return secex_sig_result_fail(out, SECEX_SIG_REVOKED, "OpenPGP signature by key %s, "
					     "which has been revoked", who);
	if (g->expkeysig)
		return secex_sig_result_fail(out, SECEX_SIG_EXPIRED, "OpenPGP signature by key %s, "
					     "which has expired", who);
	if (g->expsig)
		return secex_sig_result_fail(out, SECEX_SIG_EXPIRED, "OpenPGP signature by key %s "
					     "has expired", who);
	if (g->badsig)
		return secex_sig_result_fail(out, SECEX_SIG_BAD_SIGNATURE, "OpenPGP signature by "
					     "key %s does not verify: the commit was changed after it "
					     "was signed, or the signature was made over something "
					     "else", who);
	if (g->errsig && strcmp(g->errcode, "9") == 0)
		return secex_sig_result_fail(out, SECEX_SIG_UNKNOWN_KEY, "OpenPGP signature by key "
					     "%s, which is not in the roster%s%s%s", who,
					     kr->not_imported.size ? " (gpg refused to import "
					     "roster keys " : "", secex_buf_cstr(&kr->not_imported),
					     kr->not_imported.size ? ")" : "");
	if (g->errsig && strcmp(g->errcode, "4") == 0)
		return secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature by key "
					     "%s uses an algorithm gpgv does not support", who);
	if (g->errsig)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "gpgv cannot check the "
					     "OpenPGP signature by key %s (error %s)", who,
					     g->errcode[0] ? g->errcode : "?");
	if (g->goodsig != 1 || g->validsig != 1 || exitcode != 0)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "gpgv did not report one "
					     "good signature (exit status %d)", exitcode);
	if (!is_hex(g->fpr, 40, FPR_MAX) || !is_hex(g->primary, 40, FPR_MAX) || klen < 16 ||
	    flen < klen || strcmp(g->fpr + flen - klen, g->keyid) != 0)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "gpgv's report is "
					     "inconsistent (GOODSIG and VALIDSIG name different keys)");
	if (strcmp(g->sigclass, "00") != 0 && strcmp(g->sigclass, "01") != 0)
		return secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature of "
					     "class %s is not a document signature", g->sigclass);
	if (strcmp(g->hashalgo, "1") == 0 || strcmp(g->hashalgo, "2") == 0 ||
	    strcmp(g->hashalgo, "3") == 0)
		return secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature by key "
					     "%s uses a broken hash (%s); sign again with SHA-256 or "
					     "better", g->primary,
					     g->hashalgo[0] == '1' ? "MD5" :
					     g->hashalgo[0] == '2' ? "SHA-1" : "RIPEMD-160");
	out->status = SECEX_SIG_OK;
	out->signed_at = strtoll(g->timestamp, NULL, 10);
	return secex_buf_puts(&out->fingerprint, g->primary);
}

int secex_openpgp_verify(secex_sig_result *out, secex_openpgp_keyring *kr,
			 const char *sig, size_t siglen, const char *payload, size_t len)
{
	secex_buf bin = SECEX_BUF_INIT, sigpath = SECEX_BUF_INIT, datapath = SECEX_BUF_INIT;
	secex_buf status = SECEX_BUF_INIT;
	char *argv[10] = { NULL };
	size_t i;
	int rc, exitcode;
	gstatus g;

	secex_sig_result_reset(out);
	if ((rc = check_signature(out, &bin, sig, siglen)) != 0)
		goto cleanup;
	if ((rc = import_pending(kr)) < 0)
		goto cleanup;
	if ((rc = write_temp(&sigpath, kr->dir, "sig-", bin.ptr, bin.size)) < 0 ||
	    (rc = write_temp(&datapath, kr->dir, "data-", payload, len)) < 0)
		goto cleanup;
	{
		const char *args[] = { "gpgv", "--homedir", kr->dir, "--status-fd=1", "--keyring",
				       kr->keyring, "--", sigpath.ptr, datapath.ptr };

		for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
			if (!(argv[i] = secex_strndup(args[i], strlen(args[i])))) {
				rc = secex_error_set(SECEX_ENOMEM, "out of memory");
				goto cleanup;
			}
		}
	}
	if ((rc = run(argv, &status, &exitcode)) < 0)
		goto cleanup;
	parse_status(&g, secex_buf_cstr(&status), status.size);
	rc = judge(out, kr, &g, exitcode);
cleanup:
	if (sigpath.size)
		unlink(sigpath.ptr);
	if (datapath.size)
		unlink(datapath.ptr);
	for (i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
		free(argv[i]);
	secex_buf_release(&bin);
	secex_buf_release(&sigpath);
	secex_buf_release(&datapath);
	secex_buf_release(&status);
	return rc < 0 ? rc : 0;
}
