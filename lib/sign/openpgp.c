/*
 * OpenPGP signatures verified natively with OpenSSL against the roster's keys alone: v4
 * keys and signatures, RSA (2048 bits or more), ECDSA P-256/384/521, EdDSA Ed25519 (the
 * legacy algorithm 22 and RFC 9580's algorithm 27), SHA-256/384/512 (and SHA-224). A
 * key counts with a valid self-signature; a subkey signs only with a valid binding from
 * its primary that allows signing and carries the subkey's back-signature. Key expiry,
 * signature expiry and revocations are judged as gpgv judges them: at the time of
 * verification. Parsing is in openpgp_packet.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include "secex/openpgp.h"
#include "openpgp_int.h"
#include "sig_int.h"
#include "secex/array.h"
#include "secex/banned.h"

#define KEY_MAX (1024 * 1024) /* one armoured key block */
#define SIG_MAX (64 * 1024)   /* one armoured signature */

/* What a self-signature or a subkey binding says about a key. */
typedef struct {
	int64_t at;           /* its creation; -1: no valid one */
	bool primary_uid;     /* a self-signature on the primary user id */
	uint32_t key_expires; /* seconds after the key's creation; 0: never */
	unsigned flags;
	bool has_flags;
} binding;

/* A primary key or a subkey of the keyring, with what its self-signatures say. */
typedef struct {
	pgp_pubkey pk;
	unsigned char fpr[20];
	char hex[41];
	EVP_PKEY *evp;          /* NULL: secex cannot verify with it (see unusable) */
	size_t primary;         /* index of its primary key (itself for a primary) */
	const char *unusable;   /* why it may not sign data; NULL when it may */
	secex_sig_status unusable_status;
	bool revoked;
	bool no_sign;           /* a primary whose key flags do not allow signing data */
	binding bound;          /* the self-signature or binding in force */
} kr_key;

struct secex_openpgp_keyring {
	kr_key *keys;
	size_t n, cap;
	secex_vec blobs; /* the decoded key blocks keys point into */
};

/* Keys as OpenSSL objects. */

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	OSSL_PARAM *params = bld ? OSSL_PARAM_BLD_to_param(bld) : NULL;
	EVP_PKEY *pkey = NULL;

	if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static size_t bit_length(pgp_span s)
{
	size_t bits = s.n * 8;
	unsigned char top = s.n ? s.p[0] : 0;

	if (!s.n)
		return 0;
	while (!(top & 0x80)) {
		top = (unsigned char)(top << 1);
		bits--;
	}
	return bits;
}

/* Sets k->evp, or k->unusable with the reason. */
static void make_evp(kr_key *k)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;

	k->unusable_status = SECEX_SIG_UNSUPPORTED;
	switch (k->pk.algo) {
	case PGP_RSA:
	case PGP_RSA_SIGN:
		if (bit_length(k->pk.n) < 2048) {
			k->unusable = "it is an RSA key of fewer than 2048 bits, which is too weak; make "
				      "an Ed25519 key or an RSA key of 3072 bits";
			return;
		}
		if ((n = BN_bin2bn(k->pk.n.p, (int)k->pk.n.n, NULL)) &&
		    (e = BN_bin2bn(k->pk.e.p, (int)k->pk.e.n, NULL)) && (bld = OSSL_PARAM_BLD_new()) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			k->evp = from_params("RSA", bld);
		break;
	case PGP_ECDSA:
		if (!k->pk.curve) {
			k->unusable = "it is an ECDSA key on a curve secex does not support (only "
				      "NIST P-256, P-384 and P-521)";
			return;
		}
		if ((bld = OSSL_PARAM_BLD_new()) &&
		    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, k->pk.curve, 0) &&
		    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k->pk.point.p,
						     k->pk.point.n))
			k->evp = from_params("EC", bld);
		break;
	case PGP_EDDSA_LEGACY:
	case PGP_ED25519:
		if (!k->pk.curve) {
			k->unusable = "it is an EdDSA key on a curve secex does not support (only "
				      "Ed25519)";
			return;
		}
		k->evp = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->pk.point.p, k->pk.point.n);
		break;
	case PGP_DSA:
		k->unusable = "it is a DSA key, which secex does not verify (DSA is deprecated); "
			      "make an Ed25519 or RSA-3072 key";
		return;
	default:
		k->unusable = "its algorithm cannot sign, or secex does not support it; make an "
			      "Ed25519 or RSA-3072 key";
		return;
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	if (!k->evp)
		k->unusable = "its public key is not valid (OpenSSL refuses it)";
}

static void put_hex(char *out, const unsigned char *d, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Digests. */

static const EVP_MD *md_of(int algo)
{
	switch (algo) {
	case 2: return EVP_sha1();
	case 8: return EVP_sha256();
	case 9: return EVP_sha384();
	case 10: return EVP_sha512();
	case 11: return EVP_sha224();
	}
	return NULL;
}

static bool hash_key(EVP_MD_CTX *c, const pgp_pubkey *k)
{
	unsigned char head[3] = { 0x99, (unsigned char)(k->body.n >> 8), (unsigned char)k->body.n };

	return EVP_DigestUpdate(c, head, 3) == 1 && EVP_DigestUpdate(c, k->body.p, k->body.n) == 1;
}

static bool hash_user_id(EVP_MD_CTX *c, const pgp_packet *uid)
{
	unsigned char head[5] = { uid->tag == PGP_TAG_USER_ATTRIBUTE ? 0xd1 : 0xb4,
				  (unsigned char)(uid->body.n >> 24), (unsigned char)(uid->body.n >> 16),
				  (unsigned char)(uid->body.n >> 8), (unsigned char)uid->body.n };

	return EVP_DigestUpdate(c, head, 5) == 1 && EVP_DigestUpdate(c, uid->body.p, uid->body.n) == 1;
}

/* A canonical text document: every line end becomes CR LF, as gpg's text filter makes it
 * (carriage returns before a line end are dropped; trailing blanks are kept). */
static bool hash_text(EVP_MD_CTX *c, const unsigned char *d, size_t n)
{
	size_t p = 0;

	while (p < n) {
		const unsigned char *nl = memchr(d + p, '\n', n - p);
		size_t end = nl ? (size_t)(nl - d) : n, e = end;

		while (e > p && d[e - 1] == '\r')
			e--;
		if (EVP_DigestUpdate(c, d + p, e - p) != 1 || (nl && EVP_DigestUpdate(c, "\r\n", 2) != 1))
			return false;
		p = nl ? end + 1 : n;
	}
	return true;
}

/* The v4 trailer, then the digest. */
static bool digest_finish(EVP_MD_CTX *c, const pgp_sig *s, unsigned char *md, unsigned *mdlen)
{
	size_t n = s->hashed_part.n;
	unsigned char trailer[6] = { 4, 0xff, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
				     (unsigned char)(n >> 8), (unsigned char)n };

	return EVP_DigestUpdate(c, s->hashed_part.p, n) == 1 && EVP_DigestUpdate(c, trailer, 6) == 1 &&
	       EVP_DigestFinal_ex(c, md, mdlen) == 1;
}

/* Public key operations. */

static bool pad_into(unsigned char *out, size_t width, pgp_span v)
{
	if (v.n > width)
		return false;
	memset(out, 0, width - v.n);
	memcpy(out + width - v.n, v.p, v.n);
	return true;
}

static bool verify_ctx(EVP_PKEY *pkey, const EVP_MD *md, bool rsa, const unsigned char *sig,
		       size_t siglen, const unsigned char *dig, size_t dlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
		  (!rsa || (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
			    EVP_PKEY_CTX_set_signature_md(ctx, md) == 1)) &&
		  EVP_PKEY_verify(ctx, sig, siglen, dig, dlen) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static bool verify_ecdsa(EVP_PKEY *pkey, pgp_span r, pgp_span s, const unsigned char *dig, size_t dlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(r.p, (int)r.n, NULL), *bs = BN_bin2bn(s.p, (int)s.n, NULL);
	unsigned char der[160], *w = der;
	bool ok = false;
	int len;

	if (es && br && bs && ECDSA_SIG_set0(es, br, bs)) {
		br = bs = NULL;
		len = i2d_ECDSA_SIG(es, NULL);
		ok = len > 0 && (size_t)len <= sizeof(der) && i2d_ECDSA_SIG(es, &w) == len &&
		     verify_ctx(pkey, NULL, false, der, (size_t)len, dig, dlen);
	}
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	return ok;
}

static bool verify_eddsa(EVP_PKEY *pkey, const unsigned char sig[64], const unsigned char *dig, size_t dlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c && EVP_DigestVerifyInit(c, NULL, NULL, NULL, pkey) == 1 &&
		  EVP_DigestVerify(c, sig, 64, dig, dlen) == 1;

	EVP_MD_CTX_free(c);
	return ok;
}

/* Whether s's fields verify dig with k (the algorithm of s must be k's). */
static bool pk_verify(const kr_key *k, const pgp_sig *s, const unsigned char *dig, size_t dlen)
{
	unsigned char buf[1024];
	pgp_span a = { NULL, 0 }, b = { NULL, 0 };
	size_t p = 0;

	if (!k->evp || s->pkalgo != k->pk.algo || dlen < 2 || memcmp(dig, s->left16, 2) != 0)
		return false;
	switch (k->pk.algo) {
	case PGP_RSA:
	case PGP_RSA_SIGN: {
		size_t width = (size_t)EVP_PKEY_get_size(k->evp);

		return secex_openpgp_mpi(s->material, &p, &a) && p == s->material.n && width <= sizeof(buf) &&
		       pad_into(buf, width, a) &&
		       verify_ctx(k->evp, md_of(s->hashalgo), true, buf, width, dig, dlen);
	}
	case PGP_ECDSA:
		return secex_openpgp_mpi(s->material, &p, &a) && secex_openpgp_mpi(s->material, &p, &b) &&
		       p == s->material.n && verify_ecdsa(k->evp, a, b, dig, dlen);
	case PGP_EDDSA_LEGACY:
		return secex_openpgp_mpi(s->material, &p, &a) && secex_openpgp_mpi(s->material, &p, &b) &&
		       p == s->material.n && pad_into(buf, 32, a) && pad_into(buf + 32, 32, b) &&
		       verify_eddsa(k->evp, buf, dig, dlen);
	case PGP_ED25519:
		return s->material.n == 64 && verify_eddsa(k->evp, s->material.p, dig, dlen);
	}
	return false;
}

/* Whether sig, by signer, is valid over primary [+ uid or subkey] (a key signature). */
static bool key_sig_valid(const pgp_sig *s, const kr_key *signer, const pgp_pubkey *primary,
			  const pgp_packet *uid, const pgp_pubkey *subkey)
{
	const EVP_MD *md = md_of(s->hashalgo);
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	EVP_MD_CTX *c;
	bool ok;

	if (!md || s->critical || s->created < 0 || !signer->evp)
		return false;
	c = EVP_MD_CTX_new();
	ok = c && EVP_DigestInit_ex(c, md, NULL) == 1 && hash_key(c, primary) &&
	     (!uid || hash_user_id(c, uid)) && (!subkey || hash_key(c, subkey)) &&
	     digest_finish(c, s, dig, &dlen);
	EVP_MD_CTX_free(c);
	return ok && pk_verify(signer, s, dig, dlen);
}

/* Building keys from a key block. */

static bool names(const pgp_sig *s, const kr_key *k)
{
	if (s->has_issuer_fpr)
		return memcmp(s->issuer_fpr, k->fpr, 20) == 0;
	return !s->has_issuer || memcmp(s->issuer, k->fpr + 12, 8) == 0;
}

/* Keeps s in b if it is the better one: on the primary user id first, then the newest. */
static void take(binding *b, const pgp_sig *s, bool primary_uid)
{
	if (b->at >= 0 && (b->primary_uid > primary_uid ||
			   (b->primary_uid == primary_uid && s->created < b->at)))
		return;
	b->at = s->created;
	b->primary_uid = primary_uid;
	b->key_expires = s->key_expires;
	b->flags = s->key_flags;
	b->has_flags = s->has_key_flags;
}

/* The back-signature embedded in a signing subkey's binding, made by the subkey. */
static bool backsig_valid(const pgp_sig *bind, const kr_key *sub, const pgp_pubkey *primary)
{
	const char *why = NULL;
	pgp_sig back;

	return bind->embedded.n && secex_openpgp_sig_parse(&back, bind->embedded, &why) == 0 &&
	       back.type == PGP_SIG_PRIMARY_BINDING && names(&back, sub) &&
	       key_sig_valid(&back, sub, primary, NULL, &sub->pk);
}

typedef struct {
	kr_key *primary;
	kr_key *sub;      /* the subkey the signatures that follow are about */
	pgp_packet uid;   /* the user id they are about (tag 0: none) */
	bool skip;        /* they follow a subkey secex cannot read */
	binding by_uid, direct;
	int64_t now;
	size_t budget;    /* bytes the key signatures of this key text may still hash */
} block_state;

static void subkey_binding(kr_key *pri, kr_key *sub, const pgp_sig *s)
{
	if (sub->bound.at >= 0 && s->created < sub->bound.at)
		return;
	take(&sub->bound, s, false);
	sub->unusable_status = SECEX_SIG_UNKNOWN_KEY;
	if (!sub->evp) {
		sub->unusable_status = SECEX_SIG_UNSUPPORTED; /* make_evp said why */
		return;
	}
	if (!s->has_key_flags || !(s->key_flags & PGP_FLAG_SIGN))
		sub->unusable = "its binding signature does not allow it to sign";
	else if (!backsig_valid(s, sub, &pri->pk))
		sub->unusable = "it is not cross-certified (its binding has no valid back-signature "
				"by the subkey)";
	else
		sub->unusable = NULL;
}

static void key_signature(block_state *b, pgp_span body)
{
	kr_key *pri = b->primary, *sub = b->sub;
	const char *why = NULL;
	pgp_sig s;

	size_t cost = pri->pk.body.n + (sub ? sub->pk.body.n : b->uid.body.n) + body.n;

	if (b->skip || secex_openpgp_sig_parse(&s, body, &why) < 0 || !names(&s, pri) || s.created < 0 ||
	    (s.expires && s.created + (int64_t)s.expires <= b->now) || s.pkalgo != pri->pk.algo)
		return;
	/* linear time on any key text: a bounded amount of hashing per byte of it */
	if (cost > b->budget)
		return;
	b->budget -= cost;
	if (sub) {
		if (s.type == PGP_SIG_SUBKEY_BINDING && s.created >= sub->pk.created &&
		    key_sig_valid(&s, pri, &pri->pk, NULL, &sub->pk))
			subkey_binding(pri, sub, &s);
		else if (s.type == PGP_SIG_SUBKEY_REVOCATION && key_sig_valid(&s, pri, &pri->pk, NULL, &sub->pk))
			sub->revoked = true;
	} else if (b->uid.tag) {
		if (s.type >= PGP_SIG_CERT_GENERIC && s.type <= PGP_SIG_CERT_POSITIVE &&
		    s.created >= pri->pk.created && key_sig_valid(&s, pri, &pri->pk, &b->uid, NULL))
			take(&b->by_uid, &s, s.primary_uid);
	} else if (s.type == PGP_SIG_DIRECT_KEY) {
		if (s.created >= pri->pk.created && key_sig_valid(&s, pri, &pri->pk, NULL, NULL))
			take(&b->direct, &s, false);
	} else if (s.type == PGP_SIG_KEY_REVOCATION && key_sig_valid(&s, pri, &pri->pk, NULL, NULL)) {
		pri->revoked = true;
	}
}

static int add_key(secex_openpgp_keyring *kr, pgp_span body, size_t primary, const char **why)
{
	unsigned char head[3] = { 0x99, (unsigned char)(body.n >> 8), (unsigned char)body.n };
	unsigned mdlen = 0;
	EVP_MD_CTX *c;
	kr_key *k;
	bool ok;

	SECEX_ERROR_CHECK_ALLOC(k = secex_array_grow(kr->keys, &kr->cap, kr->n, sizeof(*k), 8));
	kr->keys = k;
	k = &kr->keys[kr->n];
	memset(k, 0, sizeof(*k));
	if (secex_openpgp_pubkey_parse(&k->pk, body, why) < 0)
		return SECEX_EINVALID;
	c = EVP_MD_CTX_new();
	ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(c, head, 3) == 1 &&
	     EVP_DigestUpdate(c, body.p, body.n) == 1 && EVP_DigestFinal_ex(c, k->fpr, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok || mdlen != 20)
		return secex_error_set(SECEX_ERROR, "cannot compute SHA-1");
	put_hex(k->hex, k->fpr, 20);
	k->primary = primary == (size_t)-1 ? kr->n : primary;
	k->bound.at = -1;
	make_evp(k);
	if (!k->unusable) { /* until a self-signature or a binding says otherwise */
		k->unusable = primary == (size_t)-1 ? "it has no valid self-signature (no user id "
			      "signed by the key itself)" : "it has no valid binding signature from "
			      "its primary key";
		k->unusable_status = SECEX_SIG_UNKNOWN_KEY;
	}
	kr->n++;
	return 0;
}

/* After a primary key's packets: whether its self-signatures made it usable. */
static void finish_primary(kr_key *pri, const block_state *b)
{
	pri->bound = b->by_uid.at >= 0 ? b->by_uid : b->direct;
	if (!pri->evp || pri->bound.at < 0)
		return;
	pri->unusable = NULL;
	pri->no_sign = pri->bound.has_flags && !(pri->bound.flags & PGP_FLAG_SIGN);
}

static void block_start(block_state *b, kr_key *primary)
{
	int64_t now = b->now;
	size_t budget = b->budget;

	memset(b, 0, sizeof(*b));
	b->now = now;
	b->budget = budget;
	b->primary = primary;
	b->by_uid.at = b->direct.at = -1;
}

/* Reads the keys of d (already checked by check_keys) into the keyring. */
static int build_keys(secex_openpgp_keyring *kr, const unsigned char *d, size_t n, secex_buf *fprs,
		      const char **why)
{
	block_state b;
	size_t pos = 0, pri = 0;
	pgp_packet pk;
	int rc;

	memset(&b, 0, sizeof(b));
	b.now = (int64_t)time(NULL);
	b.budget = 1024 * 1024 + 16 * n;
	while ((rc = secex_openpgp_packet_next(d, n, &pos, &pk, why)) == 1) {
		if (pk.tag == PGP_TAG_PUBLIC_KEY) {
			if (b.primary)
				finish_primary(&kr->keys[pri], &b);
			if ((rc = add_key(kr, pk.body, (size_t)-1, why)) < 0)
				return rc;
			pri = kr->n - 1;
			block_start(&b, &kr->keys[pri]);
			if (fprs && ((rc = secex_buf_puts(fprs, kr->keys[pri].hex)) < 0 ||
				     (rc = secex_buf_putc(fprs, '\n')) < 0))
				return rc;
			continue;
		}
		b.primary = &kr->keys[pri]; /* add_key may have moved the array */
		if (pk.tag == PGP_TAG_PUBLIC_SUBKEY) {
			rc = add_key(kr, pk.body, pri, why);
			if (rc < 0 && rc != SECEX_EINVALID)
				return rc;
			b.primary = &kr->keys[pri];
			b.sub = rc == 0 ? &kr->keys[kr->n - 1] : NULL;
			b.skip = rc != 0; /* a subkey secex cannot read signs nothing */
			b.uid.tag = 0;
		} else if (pk.tag == PGP_TAG_USER_ID || pk.tag == PGP_TAG_USER_ATTRIBUTE) {
			b.uid = pk;
			b.sub = NULL;
			b.skip = false;
		} else if (pk.tag == PGP_TAG_SIGNATURE) {
			key_signature(&b, pk.body);
		}
	}
	if (rc < 0)
		return rc;
	if (b.primary)
		finish_primary(&kr->keys[pri], &b);
	return 0;
}

/* Checks that d holds transferable public keys of version 4 only. */
static int check_keys(const unsigned char *d, size_t n, const char **why)
{
	size_t pos = 0, nkeys = 0;
	pgp_packet pk;
	pgp_pubkey key;
	int rc;

	while ((rc = secex_openpgp_packet_next(d, n, &pos, &pk, why)) == 1) {
		switch (pk.tag) {
		case PGP_TAG_PUBLIC_KEY:
			if ((rc = secex_openpgp_pubkey_parse(&key, pk.body, why)) < 0)
				return rc;
			nkeys++;
			break;
		case PGP_TAG_SECRET_KEY:
		case PGP_TAG_SECRET_SUBKEY:
			*why = "it contains a SECRET key: remove it from the roster at once and "
			       "revoke that key";
			return SECEX_EINVALID;
		case PGP_TAG_SIGNATURE:
		case PGP_TAG_TRUST:
		case PGP_TAG_USER_ID:
		case PGP_TAG_PUBLIC_SUBKEY:
		case PGP_TAG_USER_ATTRIBUTE:
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

/* Keyring. */

void secex_openpgp_keyring_free(secex_openpgp_keyring *kr)
{
	size_t i;

	if (!kr)
		return;
	for (i = 0; i < kr->n; i++)
		EVP_PKEY_free(kr->keys[i].evp);
	for (i = 0; i < kr->blobs.n; i++)
		free(kr->blobs.items[i]);
	secex_vec_release(&kr->blobs);
	free(kr->keys);
	free(kr);
}

int secex_openpgp_keyring_new(secex_openpgp_keyring **out, const char *const *keys, size_t n)
{
	secex_openpgp_keyring *kr = calloc(1, sizeof(*kr));
	size_t i;
	int rc = 0;

	*out = NULL;
	SECEX_ERROR_CHECK_ALLOC(kr);
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
	secex_openpgp_keyring_free(kr);
	return rc;
}

static int dearmor_keys(secex_buf *bin, const char *armoured, size_t len, const char **why)
{
	char label[32];
	size_t pos = 0, nblocks = 0;
	int rc;

	while ((rc = secex_openpgp_dearmor(bin, label, sizeof(label), armoured, len, &pos, why)) == 1) {
		nblocks++;
		if (strcmp(label, "PRIVATE KEY BLOCK") == 0 || strcmp(label, "SECRET KEY BLOCK") == 0)
			return secex_error_set(SECEX_EINVALID, "this is a SECRET OpenPGP key: remove it "
					       "from the roster at once and revoke that key");
		if (strcmp(label, "PUBLIC KEY BLOCK") != 0)
			return secex_error_set(SECEX_EINVALID, "expected an armoured OpenPGP public key "
					       "('-----BEGIN PGP PUBLIC KEY BLOCK-----'), found 'PGP %s'",
					       label);
	}
	if (rc == SECEX_EINVALID)
		return secex_error_set(SECEX_EINVALID, "not a usable OpenPGP public key: %s", *why);
	if (rc < 0)
		return rc;
	if (!nblocks)
		return secex_error_set(SECEX_EINVALID, "expected an armoured OpenPGP public key "
				       "('-----BEGIN PGP PUBLIC KEY BLOCK-----'), found nothing");
	return 0;
}

static void drop_keys(secex_openpgp_keyring *kr, size_t from)
{
	while (kr->n > from)
		EVP_PKEY_free(kr->keys[--kr->n].evp);
}

int secex_openpgp_keyring_add(secex_openpgp_keyring *kr, const char *armoured, size_t len,
			      secex_buf *fingerprints)
{
	secex_buf bin = SECEX_BUF_INIT, fprs = SECEX_BUF_INIT;
	const char *why = NULL;
	size_t before = kr->n, size;
	char *blob = NULL;
	int rc;

	if (len > KEY_MAX)
		return secex_error_set(SECEX_EINVALID, "OpenPGP public key of %zu bytes is too "
				       "large", len);
	if ((rc = dearmor_keys(&bin, armoured, len, &why)) < 0)
		goto cleanup;
	if ((rc = check_keys((const unsigned char *)bin.ptr, bin.size, &why)) < 0) {
		if (rc == SECEX_EINVALID)
			rc = secex_error_set(SECEX_EINVALID, "not a usable OpenPGP public key: %s", why);
		goto cleanup;
	}
	size = bin.size;
	if (!(blob = secex_buf_detach(&bin)) || secex_vec_push(&kr->blobs, blob) < 0) {
		free(blob);
		rc = secex_error_nomem();
		goto cleanup;
	}
	if ((rc = build_keys(kr, (const unsigned char *)blob, size, &fprs, &why)) < 0) {
		if (rc == SECEX_EINVALID)
			rc = secex_error_set(SECEX_EINVALID, "not a usable OpenPGP public key: %s", why);
		drop_keys(kr, before);
		goto cleanup;
	}
	if (fingerprints)
		rc = secex_buf_put(fingerprints, secex_buf_cstr(&fprs), fprs.size);
cleanup:
	secex_buf_release(&bin);
	secex_buf_release(&fprs);
	return rc;
}

/* Verification. */

/* Checks the signature's framing (one armoured block holding one signature packet) and
 * parses it: 0, or 1 with out failed. */
static int read_signature(secex_sig_result *out, secex_buf *bin, pgp_sig *s, const char *sig,
			  size_t siglen)
{
	const char *why = NULL;
	char label[32];
	size_t pos = 0, ppos = 0, npackets = 0;
	pgp_packet pk = { 0, { NULL, 0 } }, first = { 0, { NULL, 0 } };
	int rc;

	if (siglen > SIG_MAX)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "OpenPGP signature of %zu "
					     "bytes is too large", siglen) < 0 ? SECEX_ENOMEM : 1;
	rc = secex_openpgp_dearmor(bin, label, sizeof(label), sig, siglen, &pos, &why);
	if (rc == SECEX_ENOMEM)
		return rc;
	if (rc == 0)
		why = "it is empty";
	if (rc == 1 && strcmp(label, "SIGNATURE") != 0 && strcmp(label, "MESSAGE") != 0)
		why = "its armour is not '-----BEGIN PGP SIGNATURE-----'";
	if (rc == 1 && !why && !secex_openpgp_rest_blank(sig, siglen, pos))
		why = "it has text after its armour";
	while (!why && (rc = secex_openpgp_packet_next((const unsigned char *)bin->ptr, bin->size, &ppos, &pk,
					     &why)) == 1) {
		if (npackets++ == 0)
			first = pk;
		if (pk.tag != PGP_TAG_SIGNATURE)
			why = "it is not a detached signature (it holds other packets than one "
			      "signature)";
	}
	if (!why && npackets != 1)
		why = "it holds more than one signature; secex requires exactly one";
	if (!why && secex_openpgp_sig_parse(s, first.body, &why) == 0)
		return 0;
	return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "not a valid OpenPGP signature: %s",
				     why) < 0 ? SECEX_ENOMEM : 1;
}

/* Whether the signature names key k as its signer. */
static bool signed_by(const pgp_sig *s, const kr_key *k)
{
	if (s->has_issuer_fpr)
		return memcmp(s->issuer_fpr, k->fpr, 20) == 0;
	return s->has_issuer && memcmp(s->issuer, k->fpr + 12, 8) == 0;
}

static void issuer_name(char *out, const pgp_sig *s)
{
	if (s->has_issuer_fpr)
		put_hex(out, s->issuer_fpr, 20);
	else if (s->has_issuer)
		put_hex(out, s->issuer, 8);
	else
		snprintf(out, 41, "%s", "(unnamed)");
}

static bool document_digest(const pgp_sig *s, const char *payload, size_t len, unsigned char *dig,
			    unsigned *dlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c && EVP_DigestInit_ex(c, md_of(s->hashalgo), NULL) == 1 &&
		  (s->type == PGP_SIG_TEXT ? hash_text(c, (const unsigned char *)payload, len)
					   : EVP_DigestUpdate(c, payload, len) == 1) &&
		  digest_finish(c, s, dig, dlen);

	EVP_MD_CTX_free(c);
	return ok;
}

/* What the signature itself allows before any key is tried: 0, or 1 with out failed. */
static int precheck(secex_sig_result *out, const pgp_sig *s, const char *who)
{
	int rc = 0;

	if (s->type != PGP_SIG_BINARY && s->type != PGP_SIG_TEXT)
		rc = secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature of class "
					   "%02X is not a document signature", (unsigned)s->type);
	else if (!md_of(s->hashalgo))
		rc = secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature by key %s "
					   "uses %s (hash %d), which secex does not accept; sign "
					   "again with SHA-256 or better", who, secex_openpgp_hash_name(s->hashalgo),
					   s->hashalgo);
	else if (s->critical)
		rc = secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature by key %s "
					   "has a critical subpacket of type %d that secex does not "
					   "know; sign again without it", who, s->critical);
	else if (s->created < 0)
		rc = secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "not a valid OpenPGP "
					   "signature: it has no creation time");
	else
		return 0;
	return rc < 0 ? rc : 1;
}

/* The verdict of one key the signature names; out->status OK when it signed. */
static int judge_key(secex_sig_result *out, const secex_openpgp_keyring *kr, const kr_key *k,
		     const pgp_sig *s, const unsigned char *dig, size_t dlen, int64_t now)
{
	const kr_key *pri = &kr->keys[k->primary];
	const kr_key *bad = pri->unusable ? pri : k->unusable ? k : NULL;
	int64_t kexp = k->bound.key_expires ? k->pk.created + (int64_t)k->bound.key_expires : 0;
	int64_t pexp = pri->bound.key_expires ? pri->pk.created + (int64_t)pri->bound.key_expires : 0;

	if (bad && bad == pri)
		return secex_sig_result_fail(out, bad->unusable_status, "OpenPGP signature by key %s, "
					     "which cannot be used: %s", pri->hex, bad->unusable);
	if (bad)
		return secex_sig_result_fail(out, bad->unusable_status, "OpenPGP signature by subkey "
					     "%s of key %s, which cannot be used: %s", k->hex, pri->hex,
					     bad->unusable);
	if (k->no_sign)
		return secex_sig_result_fail(out, SECEX_SIG_UNKNOWN_KEY, "OpenPGP signature by key %s, "
					     "whose self-signature does not allow it to sign data (only "
					     "its signing subkey may)", k->hex);
	if (s->created < k->pk.created)
		return secex_sig_result_fail(out, SECEX_SIG_MALFORMED, "OpenPGP signature by key %s "
					     "is dated before the key was made", k->hex);
	if (!pk_verify(k, s, dig, dlen))
		return secex_sig_result_fail(out, SECEX_SIG_BAD_SIGNATURE, "OpenPGP signature by "
					     "key %s does not verify: the commit was changed after it "
					     "was signed, or the signature was made over something "
					     "else", k->hex);
	if (s->expires && s->created + (int64_t)s->expires <= now)
		return secex_sig_result_fail(out, SECEX_SIG_EXPIRED, "OpenPGP signature by key %s "
					     "has expired", k->hex);
	if ((kexp && kexp <= now) || (pexp && pexp <= now))
		return secex_sig_result_fail(out, SECEX_SIG_EXPIRED, "OpenPGP signature by key %s, "
					     "which has expired", k->hex);
	if (k->revoked || pri->revoked)
		return secex_sig_result_fail(out, SECEX_SIG_REVOKED, "OpenPGP signature by key %s, "
					     "which has been revoked", k->hex);
	if (s->hashalgo == 2)
		return secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED, "OpenPGP signature by key %s "
					     "uses SHA-1, which is broken: signature uses SHA-1; "
					     "re-sign with a SHA-256 key setting (gpg: "
					     "personal-digest-preferences SHA256)", pri->hex);
	out->status = SECEX_SIG_OK;
	out->signed_at = s->created;
	secex_buf_clear(&out->message);
	secex_buf_clear(&out->fingerprint);
	return secex_buf_puts(&out->fingerprint, pri->hex);
}

int secex_openpgp_verify(secex_sig_result *out, secex_openpgp_keyring *kr,
			 const char *sig, size_t siglen, const char *payload, size_t len)
{
	secex_buf bin = SECEX_BUF_INIT;
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	char who[41];
	size_t i, tried = 0;
	int64_t now = (int64_t)time(NULL);
	pgp_sig s;
	int rc;

	secex_sig_result_reset(out);
	if ((rc = read_signature(out, &bin, &s, sig, siglen)) != 0)
		goto cleanup;
	issuer_name(who, &s);
	if ((rc = precheck(out, &s, who)) != 0)
		goto cleanup;
	if (!document_digest(&s, payload, len, dig, &dlen)) {
		rc = secex_error_set(SECEX_ERROR, "cannot compute %s", secex_openpgp_hash_name(s.hashalgo));
		goto cleanup;
	}
	/* normally one key; a key id several keys share: the first that signed, or the
	 * verdict of the first one */
	for (i = 0; i < kr->n && rc == 0; i++) {
		secex_sig_result other = SECEX_SIG_RESULT_INIT;

		if (!signed_by(&s, &kr->keys[i]))
			continue;
		if (tried++ == 0) {
			rc = judge_key(out, kr, &kr->keys[i], &s, dig, dlen, now);
		} else if ((rc = judge_key(&other, kr, &kr->keys[i], &s, dig, dlen, now)) == 0 &&
			   other.status == SECEX_SIG_OK) {
			secex_sig_result_release(out);
			*out = other;
			secex_sig_result_init(&other);
		}
		secex_sig_result_release(&other);
		if (out->status == SECEX_SIG_OK)
			break;
	}
	if (!tried && rc == 0)
		rc = secex_sig_result_fail(out, SECEX_SIG_UNKNOWN_KEY, "OpenPGP signature by key %s, "
					   "which is not in the roster", who);
cleanup:
	secex_buf_release(&bin);
	if (rc == 0 && out->status != SECEX_SIG_OK)
		secex_buf_clear(&out->fingerprint);
	return rc < 0 ? rc : 0;
}

int secex_openpgp_verify_key(secex_sig_result *out, const char *key, size_t keylen,
			     const char *sig, size_t siglen, const char *payload, size_t len)
{
	secex_openpgp_keyring *kr = NULL;
	int rc;

	secex_sig_result_reset(out);
	if ((rc = secex_openpgp_keyring_new(&kr, NULL, 0)) == 0 &&
	    (rc = secex_openpgp_keyring_add(kr, key, keylen, NULL)) == 0)
		rc = secex_openpgp_verify(out, kr, sig, siglen, payload, len);
	secex_openpgp_keyring_free(kr);
	return rc;
}
