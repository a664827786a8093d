/* SSH signatures (SSHSIG, openssh PROTOCOL.sshsig) and SSH public keys, with OpenSSL 3. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include "secex/sshsig.h"
#include "sig_int.h"
#include "secex/banned.h"

#define ARMOUR_MAX (64 * 1024) /* far above any real signature: RSA-16384 needs ~6 KiB */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BYTES 2048      /* 16384 bits, openssh's SSHBUF_MAX_BIGNUM */
#define RSA_MAX_E_BYTES 8
#define BEGIN_SSHSIG "-----BEGIN SSH SIGNATURE-----"
#define END_SSHSIG "-----END SSH SIGNATURE-----"

typedef struct {
	const char *name;
	secex_ssh_keytype type;
	const char *curve; /* ECDSA: the curve identifier inside the key blob */
	const char *group; /* ECDSA: OpenSSL's group name */
	size_t field;      /* ECDSA: bytes per coordinate */
	unsigned bits;
} keytype;

static const keytype keytypes[] = {
	{ "ssh-ed25519", SECEX_SSH_ED25519, NULL, NULL, 0, 256 },
	{ "ecdsa-sha2-nistp256", SECEX_SSH_ECDSA_P256, "nistp256", "P-256", 32, 256 },
	{ "ecdsa-sha2-nistp384", SECEX_SSH_ECDSA_P384, "nistp384", "P-384", 48, 384 },
	{ "ecdsa-sha2-nistp521", SECEX_SSH_ECDSA_P521, "nistp521", "P-521", 66, 521 },
	{ "ssh-rsa", SECEX_SSH_RSA, NULL, NULL, 0, 0 },
};

/* A public key decoded from its wire blob; the pointers point into the blob. */
typedef struct {
	const keytype *kt;
	const unsigned char *pk; /* Ed25519 key or uncompressed EC point */
	size_t pklen;
	const unsigned char *e, *n; /* RSA, without leading zeros */
	size_t elen, nlen;
	unsigned bits;
} pubkey;

typedef struct {
	const unsigned char *p;
	size_t n;
} reader;

static bool get_u32(reader *r, uint32_t *v)
{
	if (r->n < 4)
		return false;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->n -= 4;
	return true;
}

/* A length-prefixed string; the length is checked against what remains. */
static bool get_string(reader *r, const unsigned char **s, size_t *len)
{
	uint32_t n;

	if (r->n < 4)
		return false;
	n = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	if (n > r->n - 4)
		return false;
	*s = r->p + 4;
	*len = n;
	r->p += 4 + (size_t)n;
	r->n -= 4 + (size_t)n;
	return true;
}

/* A positive mpint of at most max bytes once leading zeros are trimmed (as openssh). */
static bool get_mpint(reader *r, const unsigned char **s, size_t *len, size_t max)
{
	if (!get_string(r, s, len))
		return false;
	if (*len && ((*s)[0] & 0x80))
		return false;
	while (*len && (*s)[0] == 0) {
		(*s)++;
		(*len)--;
	}
	return *len <= max;
}

static bool str_eq(const unsigned char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static const keytype *keytype_find(const unsigned char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(keytypes) / sizeof(keytypes[0]); i++)
		if (str_eq(name, len, keytypes[i].name))
			return &keytypes[i];
	return NULL;
}

static bool has_text(const unsigned char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* Says why a key type is refused: appends to why, returns the status or SECEX_ENOMEM. */
static int refuse_type(secex_buf *why, const unsigned char *name, size_t len)
{
	int rc = 0;

	if (len >= 3 && memcmp(name, "sk-", 3) == 0) {
		rc = secex_buf_puts(why, "security-key (FIDO) SSH keys ('");
		rc = rc ? rc : secex_sig_put_untrusted(why, name, len);
		rc = rc ? rc : secex_buf_puts(why, "') are not supported; use an ed25519, ecdsa "
					      "or rsa key without -sk");
	} else if (has_text(name, len, "-cert-v0")) {
		rc = secex_buf_puts(why, "SSH certificates ('");
		rc = rc ? rc : secex_sig_put_untrusted(why, name, len);
		rc = rc ? rc : secex_buf_puts(why, "') are not supported; use the plain public key");
	} else if (str_eq(name, len, "ssh-dss")) {
		rc = secex_buf_puts(why, "DSA keys ('ssh-dss') are not supported: they are weak; "
					 "use ed25519");
	} else {
		rc = secex_buf_puts(why, "unknown SSH key type '");
		rc = rc ? rc : secex_sig_put_untrusted(why, name, len);
		rc = rc ? rc : secex_buf_puts(why, "'; secex supports ssh-ed25519, "
					      "ecdsa-sha2-nistp256/384/521 and ssh-rsa");
	}
	return rc < 0 ? rc : (int)SECEX_SIG_UNSUPPORTED;
}

static unsigned bit_length(const unsigned char *s, size_t len)
{
	unsigned top = len ? s[0] : 0, bits = 0;

	while (top) {
		bits++;
		top >>= 1;
	}
	return len ? (unsigned)(len - 1) * 8 + bits : 0;
}

/* Appends a reason to why and returns status, or SECEX_ENOMEM. */
static int refuse(secex_buf *why, secex_sig_status status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int refuse(secex_buf *why, secex_sig_status status, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return secex_buf_puts(why, msg) < 0 ? SECEX_ENOMEM : (int)status;
}

/*
 * Decodes a wire-format public key. Returns SECEX_SIG_OK, or UNSUPPORTED or MALFORMED with
 * the reason appended to why, or SECEX_ENOMEM.
 */
static int key_decode(pubkey *k, const unsigned char *blob, size_t len, secex_buf *why)
{
	reader r = { blob, len };
	const unsigned char *name, *curve;
	size_t namelen, curvelen;

	memset(k, 0, sizeof(*k));
	if (!get_string(&r, &name, &namelen))
		return refuse(why, SECEX_SIG_MALFORMED, "public key blob too short for its type");
	if (!(k->kt = keytype_find(name, namelen)))
		return refuse_type(why, name, namelen);
	k->bits = k->kt->bits;
	switch (k->kt->type) {
	case SECEX_SSH_ED25519:
		if (!get_string(&r, &k->pk, &k->pklen) || k->pklen != 32)
			return refuse(why, SECEX_SIG_MALFORMED, "ssh-ed25519 key is not 32 bytes");
		break;
	case SECEX_SSH_ECDSA_P256:
	case SECEX_SSH_ECDSA_P384:
	case SECEX_SSH_ECDSA_P521:
		if (!get_string(&r, &curve, &curvelen) || !str_eq(curve, curvelen, k->kt->curve))
			return refuse(why, SECEX_SIG_MALFORMED, "%s key does not name the curve '%s'",
				      k->kt->name, k->kt->curve);
		if (!get_string(&r, &k->pk, &k->pklen) ||
		    k->pklen != 1 + 2 * k->kt->field || k->pk[0] != 4)
			return refuse(why, SECEX_SIG_MALFORMED, "%s key is not an uncompressed point "
				      "of %zu bytes", k->kt->name, 1 + 2 * k->kt->field);
		break;
	case SECEX_SSH_RSA:
		if (!get_mpint(&r, &k->e, &k->elen, RSA_MAX_BYTES) ||
		    !get_mpint(&r, &k->n, &k->nlen, RSA_MAX_BYTES))
			return refuse(why, SECEX_SIG_MALFORMED, "ssh-rsa key has a negative, truncated "
				      "or oversized number");
		k->bits = bit_length(k->n, k->nlen);
		if (k->elen == 0 || !(k->e[k->elen - 1] & 1) || (k->elen == 1 && k->e[0] < 3))
			return refuse(why, SECEX_SIG_MALFORMED, "ssh-rsa key has an invalid public "
				      "exponent");
		if (k->elen > RSA_MAX_E_BYTES)
			return refuse(why, SECEX_SIG_UNSUPPORTED, "ssh-rsa key has a public exponent "
				      "longer than 64 bits; secex refuses it");
		if (k->bits < RSA_MIN_BITS)
			return refuse(why, SECEX_SIG_UNSUPPORTED, "RSA key of %u bits is too short; "
				      "secex requires 2048 bits or more (ed25519 is better)", k->bits);
		break;
	}
	if (r.n)
		return refuse(why, SECEX_SIG_MALFORMED, "%s key has %zu trailing bytes",
			      k->kt->name, r.n);
	return SECEX_SIG_OK;
}

/* Builds an OpenSSL key; NULL when OpenSSL refuses it (a point not on its curve). */
static EVP_PKEY *key_to_evp(const pubkey *k)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *n = NULL, *e = NULL;

	switch (k->kt->type) {
	case SECEX_SSH_ED25519:
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pk, k->pklen);
		break;
	case SECEX_SSH_ECDSA_P256:
	case SECEX_SSH_ECDSA_P384:
	case SECEX_SSH_ECDSA_P521:
		if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
		    !(bld = OSSL_PARAM_BLD_new()) ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->kt->group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->pk, k->pklen) ||
		    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
		    EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		break;
	case SECEX_SSH_RSA:
		if (!(n = BN_bin2bn(k->n, (int)k->nlen, NULL)) ||
		    !(e = BN_bin2bn(k->e, (int)k->elen, NULL)) ||
		    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) ||
		    !(bld = OSSL_PARAM_BLD_new()) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
		    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
		    EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		break;
	}
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return pkey;
}

void secex_sshsig_key_init(secex_ssh_key *key)
{
	secex_ssh_key zero = SECEX_SSH_KEY_INIT;

	*key = zero;
}

void secex_sshsig_key_release(secex_ssh_key *key)
{
	if (!key)
		return;
	secex_buf_release(&key->blob);
	key->type = (secex_ssh_keytype)0;
	key->type_name = NULL;
	key->bits = 0;
}

bool secex_sshsig_key_equal(const secex_ssh_key *key, const secex_buf *blob)
{
	return key->blob.size != 0 && key->blob.size == blob->size &&
	       memcmp(key->blob.ptr, blob->ptr, blob->size) == 0;
}

int secex_sshsig_fingerprint(secex_buf *out, const void *blob, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return secex_error_set(SECEX_ERROR, "cannot compute SHA-256");
	if ((rc = secex_buf_puts(out, "SHA256:")) < 0)
		return rc;
	return secex_sig_base64_encode(out, md, mdlen, false);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int secex_sshsig_key_parse(secex_ssh_key *out, const char *line, size_t len)
{
	secex_buf why = SECEX_BUF_INIT;
	const char *end = line + len, *type, *b64;
	size_t typelen, b64len;
	EVP_PKEY *pkey = NULL;
	pubkey k;
	int rc = 0, st;

	secex_buf_clear(&out->blob);
	out->type = (secex_ssh_keytype)0;
	out->type_name = NULL;
	out->bits = 0;
	while (line < end && is_space(*line))
		line++;
	for (type = line; line < end && !is_space(*line); line++)
		;
	typelen = (size_t)(line - type);
	while (line < end && is_space(*line))
		line++;
	for (b64 = line; line < end && !is_space(*line); line++)
		;
	b64len = (size_t)(line - b64);
	if (!typelen || !b64len) {
		rc = secex_error_set(SECEX_EINVALID, "not an SSH public key line; expected "
				     "'ssh-ed25519 AAAA... comment'");
		goto cleanup;
	}
	if (!keytype_find((const unsigned char *)type, typelen)) {
		if ((st = refuse_type(&why, (const unsigned char *)type, typelen)) < 0)
			rc = st;
		else
			rc = secex_error_set(SECEX_EINVALID, "%s", secex_buf_cstr(&why));
		goto cleanup;
	}
	if ((rc = secex_sig_base64_decode(&out->blob, b64, b64len)) < 0) {
		if (rc == SECEX_EINVALID)
			rc = secex_error_set(SECEX_EINVALID, "the key of this '%.*s' line is not "
					     "valid base64", (int)typelen, type);
		goto cleanup;
	}
	st = key_decode(&k, (const unsigned char *)out->blob.ptr, out->blob.size, &why);
	if (st < 0) {
		rc = st;
		goto cleanup;
	}
	if (st != SECEX_SIG_OK) {
		rc = secex_error_set(SECEX_EINVALID, "%s", secex_buf_cstr(&why));
		goto cleanup;
	}
	if (!str_eq((const unsigned char *)type, typelen, k.kt->name)) {
		rc = secex_error_set(SECEX_EINVALID, "the line says '%.*s' but the key is %s",
				     (int)typelen, type, k.kt->name);
		goto cleanup;
	}
	if (!(pkey = key_to_evp(&k))) {
		rc = secex_error_set(SECEX_EINVALID, "%s key is not valid (a point not on its "
				     "curve?)", k.kt->name);
		goto cleanup;
	}
	out->type = k.kt->type;
	out->type_name = k.kt->name;
	out->bits = k.bits;
cleanup:
	if (rc < 0)
		secex_buf_clear(&out->blob);
	EVP_PKEY_free(pkey);
	secex_buf_release(&why);
	ERR_clear_error();
	return rc;
}

/* Sets the result and returns 1 (a verdict), or SECEX_ENOMEM. */
static int verdict(secex_sig_result *out, secex_sig_status status, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int verdict(secex_sig_result *out, secex_sig_status status, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_sig_result_vfail(out, status, fmt, ap);
	va_end(ap);
	return rc < 0 ? SECEX_ENOMEM : 1;
}

static bool line_next(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* Decodes the armour into blob: 0, 1 (a verdict) or SECEX_ENOMEM. */
static int dearmor(secex_sig_result *out, secex_buf *blob, const char *sig, size_t siglen)
{
	secex_buf b64 = SECEX_BUF_INIT;
	const char *p = sig, *end = sig + siglen, *line;
	size_t len, i, lineno = 1;
	bool ended = false;
	int rc = 0;

	if (siglen > ARMOUR_MAX)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature of %zu bytes is too large",
			       siglen);
	if (!line_next(&p, end, &line, &len) || len != strlen(BEGIN_SSHSIG) ||
	    memcmp(line, BEGIN_SSHSIG, len) != 0)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature does not start with "
			       "'" BEGIN_SSHSIG "'");
	while (line_next(&p, end, &line, &len)) {
		lineno++;
		if (len == strlen(END_SSHSIG) && memcmp(line, END_SSHSIG, len) == 0) {
			ended = true;
			break;
		}
		for (i = 0; i < len; i++) {
			char c = line[i];

			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=')) {
				rc = verdict(out, SECEX_SIG_MALFORMED, "SSH signature line %zu has a "
					     "character that is not base64", lineno);
				goto cleanup;
			}
		}
		if ((rc = secex_buf_put(&b64, line, len)) < 0)
			goto cleanup;
	}
	if (!ended) {
		rc = verdict(out, SECEX_SIG_MALFORMED, "SSH signature has no '" END_SSHSIG "' line");
		goto cleanup;
	}
	for (; p < end; p++) {
		if (!is_space(*p)) {
			rc = verdict(out, SECEX_SIG_MALFORMED, "SSH signature has text after '"
				     END_SSHSIG "'");
			goto cleanup;
		}
	}
	rc = secex_sig_base64_decode(blob, b64.ptr ? b64.ptr : "", b64.size);
	if (rc == SECEX_EINVALID)
		rc = verdict(out, SECEX_SIG_MALFORMED, "SSH signature is not valid base64 "
			     "(bad length or padding)");
cleanup:
	secex_buf_release(&b64);
	return rc;
}

static int put_string(secex_buf *b, const void *s, size_t len)
{
	unsigned char n[4] = { (unsigned char)(len >> 24), (unsigned char)(len >> 16),
			       (unsigned char)(len >> 8), (unsigned char)len };
	int rc;

	if ((rc = secex_buf_put(b, (const char *)n, 4)) < 0)
		return rc;
	return secex_buf_put(b, s, len);
}

static bool evp_verify(EVP_PKEY *pkey, const EVP_MD *md, const unsigned char *sig, size_t siglen,
		       const secex_buf *data)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)data->ptr, data->size) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* ECDSA signature blob (mpint r, mpint s) to DER; returns its length, 0 when malformed. */
static size_t ecdsa_der(unsigned char *der, size_t cap, const unsigned char *blob, size_t len,
			size_t field)
{
	reader r = { blob, len };
	const unsigned char *rp, *sp;
	size_t rlen, slen, out = 0;
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *w = der;
	int n;

	if (!get_mpint(&r, &rp, &rlen, field) || !get_mpint(&r, &sp, &slen, field) || r.n)
		return 0;
	if (!(es = ECDSA_SIG_new()) || !(br = BN_bin2bn(rp, (int)rlen, NULL)) ||
	    !(bs = BN_bin2bn(sp, (int)slen, NULL)) || !ECDSA_SIG_set0(es, br, bs))
		goto cleanup;
	br = bs = NULL; /* owned by es now */
	n = i2d_ECDSA_SIG(es, NULL);
	if (n > 0 && (size_t)n <= cap && i2d_ECDSA_SIG(es, &w) == n)
		out = (size_t)n;
cleanup:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	return out;
}

static const EVP_MD *ecdsa_md(secex_ssh_keytype type)
{
	return type == SECEX_SSH_ECDSA_P256 ? EVP_sha256() :
	       type == SECEX_SSH_ECDSA_P384 ? EVP_sha384() : EVP_sha512();
}

/* The fields of an SSHSIG blob, pointing into it, and what they select. */
typedef struct {
	const unsigned char *pk, *ns, *reserved, *halg, *sigblob, *stype, *sraw;
	size_t pklen, nslen, reslen, halglen, sigbloblen, stypelen, srawlen;
	const EVP_MD *hmd; /* the message hash the signer chose */
	const EVP_MD *md;  /* the signature's digest (NULL for Ed25519) */
	pubkey k;
} sshsig;

/* Each step below returns 0 to go on, 1 once it has given out its verdict, or a negative
 * SECEX_E... code. */

/* MAGIC, version 1, and the five strings with nothing after them. */
static int sshsig_split(sshsig *x, secex_sig_result *out, const secex_buf *blob)
{
	reader r = { (const unsigned char *)blob->ptr, blob->size };
	uint32_t version;

	if (r.n < 6 || memcmp(r.p, "SSHSIG", 6) != 0)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature does not start with the "
			       "'SSHSIG' magic");
	r.p += 6;
	r.n -= 6;
	if (!get_u32(&r, &version))
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature is truncated after its magic");
	if (version != 1)
		return verdict(out, SECEX_SIG_UNSUPPORTED, "SSH signature has version %u; secex "
			       "knows version 1", (unsigned)version);
	if (!get_string(&r, &x->pk, &x->pklen) || !get_string(&r, &x->ns, &x->nslen) ||
	    !get_string(&r, &x->reserved, &x->reslen) || !get_string(&r, &x->halg, &x->halglen) ||
	    !get_string(&r, &x->sigblob, &x->sigbloblen))
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature is truncated or has a length "
			       "field past its end");
	if (r.n)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature has %zu trailing bytes", r.n);
	return 0;
}

/* The signer's key (kept in out, whatever comes next), the namespace and reserved field. */
static int sshsig_key(sshsig *x, secex_sig_result *out, const char *ns, secex_buf *why)
{
	int rc, st = key_decode(&x->k, x->pk, x->pklen, why);

	if (st < 0)
		return st;
	if (st != SECEX_SIG_OK)
		return verdict(out, (secex_sig_status)st, "SSH signature: %s", secex_buf_cstr(why));
	if ((rc = secex_buf_put(&out->key, (const char *)x->pk, x->pklen)) < 0 ||
	    (rc = secex_sshsig_fingerprint(&out->fingerprint, x->pk, x->pklen)) < 0)
		return rc;
	if (!str_eq(x->ns, x->nslen, ns)) {
		if ((rc = secex_buf_puts(why, "")) < 0 ||
		    (rc = secex_sig_put_untrusted(why, x->ns, x->nslen)) < 0)
			return rc;
		return verdict(out, SECEX_SIG_WRONG_NAMESPACE, "SSH signature was made for namespace "
			       "'%s', not '%s' (ssh-keygen -Y sign -n %s); sign with git commit -S",
			       why->ptr, ns, why->ptr);
	}
	if (x->reslen)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature has a non-empty reserved field");
	return 0;
}

/* The message hash, then the signature field and its algorithm, which must fit the key. */
static int sshsig_algorithms(sshsig *x, secex_sig_result *out, secex_buf *why)
{
	secex_ssh_keytype type = x->k.kt->type;
	reader s = { x->sigblob, x->sigbloblen };
	int rc;

	if (str_eq(x->halg, x->halglen, "sha512")) {
		x->hmd = EVP_sha512();
	} else if (str_eq(x->halg, x->halglen, "sha256")) {
		x->hmd = EVP_sha256();
	} else {
		secex_buf_clear(why);
		if ((rc = secex_buf_puts(why, "")) < 0 ||
		    (rc = secex_sig_put_untrusted(why, x->halg, x->halglen)) < 0)
			return rc;
		return verdict(out, SECEX_SIG_UNSUPPORTED, "SSH signature uses the hash '%s'; secex "
			       "accepts sha256 and sha512", why->ptr);
	}
	if (!get_string(&s, &x->stype, &x->stypelen) || !get_string(&s, &x->sraw, &x->srawlen) || s.n)
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature: the signature field is "
			       "truncated or has trailing bytes");
	if (type == SECEX_SSH_RSA && str_eq(x->stype, x->stypelen, "rsa-sha2-512"))
		x->md = EVP_sha512();
	else if (type == SECEX_SSH_RSA && str_eq(x->stype, x->stypelen, "rsa-sha2-256"))
		x->md = EVP_sha256();
	else if (type == SECEX_SSH_RSA && str_eq(x->stype, x->stypelen, "ssh-rsa"))
		return verdict(out, SECEX_SIG_UNSUPPORTED, "SSH signature uses 'ssh-rsa', RSA with "
			       "SHA-1, which secex refuses; sign again with rsa-sha2-512 (any current "
			       "ssh-keygen does)");
	else if (type != SECEX_SSH_RSA && str_eq(x->stype, x->stypelen, x->k.kt->name))
		x->md = type == SECEX_SSH_ED25519 ? NULL : ecdsa_md(type);
	else
		return verdict(out, SECEX_SIG_MALFORMED, "SSH signature type does not match its %s "
			       "key", x->k.kt->name);
	return 0;
}

/* The signed data: MAGIC, string(ns), string(reserved = ""), string(halg), string(H). */
static int sshsig_signed_data(secex_buf *data, const sshsig *x, const char *ns,
			      const char *payload, size_t len)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	int rc;

	if (EVP_Digest(payload, len, h, &hlen, x->hmd, NULL) != 1)
		return secex_error_set(SECEX_ERROR, "cannot hash the payload");
	if ((rc = secex_buf_put(data, "SSHSIG", 6)) < 0 || (rc = put_string(data, ns, strlen(ns))) < 0 ||
	    (rc = put_string(data, "", 0)) < 0 || (rc = put_string(data, x->halg, x->halglen)) < 0 ||
	    (rc = put_string(data, h, hlen)) < 0)
		return rc;
	return 0;
}

/* *ok: whether the raw signature verifies over data with the key, as its type encodes it. */
static int sshsig_check(bool *ok, secex_sig_result *out, const sshsig *x, EVP_PKEY *pkey,
			const secex_buf *data)
{
	unsigned char der[256], *padded;
	size_t derlen, nlen = x->k.nlen;

	switch (x->k.kt->type) {
	case SECEX_SSH_ED25519:
		*ok = x->srawlen == 64 && evp_verify(pkey, NULL, x->sraw, x->srawlen, data);
		return 0;
	case SECEX_SSH_ECDSA_P256:
	case SECEX_SSH_ECDSA_P384:
	case SECEX_SSH_ECDSA_P521:
		if (!(derlen = ecdsa_der(der, sizeof(der), x->sraw, x->srawlen, x->k.kt->field)))
			return verdict(out, SECEX_SIG_MALFORMED, "SSH signature: the ECDSA values r "
				       "and s are malformed");
		*ok = evp_verify(pkey, x->md, der, derlen, data);
		return 0;
	case SECEX_SSH_RSA:
		if (x->srawlen >= nlen) {
			*ok = x->srawlen == nlen && evp_verify(pkey, x->md, x->sraw, x->srawlen, data);
			return 0;
		}
		/* openssh pads short signatures on the left, as OpenSSL needs them full */
		SECEX_ERROR_CHECK_ALLOC(padded = calloc(1, nlen));
		if (x->srawlen)
			memcpy(padded + nlen - x->srawlen, x->sraw, x->srawlen);
		*ok = evp_verify(pkey, x->md, padded, nlen, data);
		free(padded);
		return 0;
	}
	*ok = false;
	return 0;
}

int secex_sshsig_verify(secex_sig_result *out, const char *sig, size_t siglen,
			const char *payload, size_t len, const char *ns)
{
	secex_buf blob = SECEX_BUF_INIT, why = SECEX_BUF_INIT, data = SECEX_BUF_INIT;
	EVP_PKEY *pkey = NULL;
	sshsig x;
	bool ok = false;
	int rc;

	secex_sig_result_reset(out);
	memset(&x, 0, sizeof(x));
	if (!ns)
		ns = "git";
	if ((rc = dearmor(out, &blob, sig, siglen)) != 0 || (rc = sshsig_split(&x, out, &blob)) != 0 ||
	    (rc = sshsig_key(&x, out, ns, &why)) != 0 || (rc = sshsig_algorithms(&x, out, &why)) != 0 ||
	    (rc = sshsig_signed_data(&data, &x, ns, payload, len)) != 0)
		goto cleanup;
	if (!(pkey = key_to_evp(&x.k))) {
		rc = verdict(out, SECEX_SIG_MALFORMED, "SSH signature: the %s key is not valid "
			     "(a point not on its curve?)", x.k.kt->name);
		goto cleanup;
	}
	if ((rc = sshsig_check(&ok, out, &x, pkey, &data)) == 0 && !ok)
		rc = verdict(out, SECEX_SIG_BAD_SIGNATURE, "SSH signature by %s does not verify: "
			     "the commit was changed after it was signed, or the signature was "
			     "made over something else", secex_buf_cstr(&out->fingerprint));
cleanup:
	EVP_PKEY_free(pkey);
	secex_buf_release(&blob);
	secex_buf_release(&why);
	secex_buf_release(&data);
	ERR_clear_error();
	return rc < 0 ? rc : 0;
}
