/*
 * OpenPGP armour, packets and subpackets (RFC 4880, RFC 9580 where it agrees): the parsing
 * half of native verification, without crypto. See openpgp_int.h.
 */

#include <string.h>
#include "secex/openpgp.h"
#include "openpgp_int.h"
#include "sig_int.h"
#include "secex/banned.h"

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
 * SECEX_EINVALID with *why set, or SECEX_ENOMEM. Long on purpose: RFC 4880's armour (begin
 * line, headers, base64 body, checksum, end line) read in one pass, in the order it is written.
 */
int secex_openpgp_dearmor(secex_buf *out, char *label, size_t labelcap, const char *text, size_t len,
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


bool secex_openpgp_rest_blank(const char *text, size_t len, size_t pos)
{
	const char *line;
	size_t n;

	while (line_next(text, len, &pos, &line, &n))
		if (n)
			return false;
	return true;
}

/* Packets (RFC 4880 section 4.2). */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int secex_openpgp_packet_next(const unsigned char *d, size_t n, size_t *pos, pgp_packet *pk, const char **why)
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
			len = be32(d + p);
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
	pk->body.p = d + p;
	pk->body.n = len;
	*pos = p + len;
	return 1;
truncated:
	*why = "a packet is truncated (its length runs past the end of the data)";
	return SECEX_EINVALID;
}

bool secex_openpgp_mpi(pgp_span s, size_t *pos, pgp_span *out)
{
	size_t p = *pos, bits, len;

	if (p > s.n || s.n - p < 2)
		return false;
	bits = (size_t)s.p[p] << 8 | s.p[p + 1];
	len = (bits + 7) / 8;
	p += 2;
	if (len > s.n - p)
		return false;
	out->p = s.p + p;
	out->n = len;
	*pos = p + len;
	while (out->n && out->p[0] == 0) {
		out->p++;
		out->n--;
	}
	return true;
}

/* Signature subpackets (RFC 4880 5.2.3.1). */

/* Types secex does not read whose meaning does not change whether a signature verifies,
 * so that their critical bit may be ignored. */
static bool harmless(int type)
{
	switch (type) {
	case 4:  /* exportable */
	case 5:  /* trust */
	case 7:  /* revocable */
	case 11: /* preferred symmetric algorithms */
	case 12: /* revocation key */
	case 21: /* preferred hashes */
	case 22: /* preferred compression */
	case 23: /* key server preferences */
	case 24: /* preferred key server */
	case 26: /* policy URI */
	case 28: /* signer's user id */
	case 29: /* reason for revocation */
	case 30: /* features */
	case 34: /* preferred AEAD algorithms */
	case 35: /* intended recipient */
	case 39: /* preferred AEAD cipher suites */
		return true;
	}
	return false;
}

static bool sub_u32(const unsigned char *v, size_t n, uint32_t *out)
{
	if (n != 4)
		return false;
	*out = be32(v);
	return true;
}

/* One subpacket's value; false when it is malformed. */
static bool subpacket(pgp_sig *s, int type, bool critical, bool hashed, const unsigned char *v, size_t n)
{
	uint32_t u = 0;

	switch (type) {
	case 2:
		if (!sub_u32(v, n, &u))
			return false;
		if (hashed && s->created < 0)
			s->created = u;
		return true;
	case 3:
		if (!sub_u32(v, n, &u))
			return false;
		if (hashed)
			s->expires = u;
		return true;
	case 9:
		if (!sub_u32(v, n, &u))
			return false;
		if (hashed)
			s->key_expires = u;
		return true;
	case 16:
		if (n != 8)
			return false;
		if (!s->has_issuer)
			memcpy(s->issuer, v, 8);
		s->has_issuer = true;
		return true;
	case 25:
		if (n != 1)
			return false;
		if (hashed)
			s->primary_uid = v[0] != 0;
		return true;
	case 27:
		if (hashed) {
			s->key_flags = n ? v[0] : 0;
			s->has_key_flags = true;
		}
		return true;
	case 32:
		if (!s->embedded.n) {
			s->embedded.p = v;
			s->embedded.n = n;
		}
		return true;
	case 33:
		if (n < 1)
			return false;
		if (v[0] == 4 && n == 21 && !s->has_issuer_fpr) {
			memcpy(s->issuer_fpr, v + 1, 20);
			s->has_issuer_fpr = true;
		}
		return true;
	}
	if (critical && !harmless(type) && !s->critical)
		s->critical = type;
	return true;
}

static bool subpackets(pgp_sig *s, const unsigned char *d, size_t n, bool hashed)
{
	size_t p = 0, len;

	while (p < n) {
		unsigned o1 = d[p++];

		if (o1 < 192) {
			len = o1;
		} else if (o1 < 255) {
			if (p >= n)
				return false;
			len = ((size_t)(o1 - 192) << 8) + d[p++] + 192;
		} else {
			if (n - p < 4)
				return false;
			len = be32(d + p);
			p += 4;
		}
		if (len == 0 || len > n - p)
			return false;
		if (!subpacket(s, d[p] & 0x7f, (d[p] & 0x80) != 0, hashed, d + p + 1, len - 1))
			return false;
		p += len;
	}
	return true;
}

int secex_openpgp_sig_parse(pgp_sig *out, pgp_span body, const char **why)
{
	const unsigned char *d = body.p;
	size_t n = body.n, hlen, ulen, p;

	memset(out, 0, sizeof(*out));
	out->created = -1;
	if (n < 1) {
		*why = "a signature packet is empty";
		return SECEX_EINVALID;
	}
	out->version = d[0];
	if (d[0] != 4) {
		*why = d[0] == 3 ? "it is a version 3 signature, which is obsolete; sign with a current "
				   "key and gpg" : "only version 4 signatures are supported (the kind "
				   "gpg 2.2 and 2.4 make)";
		return SECEX_EINVALID;
	}
	if (n < 6)
		goto truncated;
	out->type = d[1];
	out->pkalgo = d[2];
	out->hashalgo = d[3];
	hlen = (size_t)d[4] << 8 | d[5];
	if (hlen > n - 6 || n - 6 - hlen < 2)
		goto truncated;
	out->hashed_part.p = d;
	out->hashed_part.n = 6 + hlen;
	p = 6 + hlen;
	ulen = (size_t)d[p] << 8 | d[p + 1];
	p += 2;
	if (ulen > n - p || n - p - ulen < 2)
		goto truncated;
	if (!subpackets(out, d + 6, hlen, true) || !subpackets(out, d + p, ulen, false)) {
		*why = "a signature has a malformed subpacket";
		return SECEX_EINVALID;
	}
	p += ulen;
	out->left16[0] = d[p];
	out->left16[1] = d[p + 1];
	out->material.p = d + p + 2;
	out->material.n = n - p - 2;
	return 0;
truncated:
	*why = "a signature packet is truncated";
	return SECEX_EINVALID;
}

/* Public keys (RFC 4880 5.5.2, RFC 6637, RFC 9580 5.5.5). */

static const struct {
	const char *name;
	unsigned char len;
	unsigned char oid[10];
	int algo; /* the algorithm the curve serves */
} curves[] = {
	{ "P-256", 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, PGP_ECDSA },
	{ "P-384", 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 }, PGP_ECDSA },
	{ "P-521", 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 }, PGP_ECDSA },
	/* 1.3.6.1.4.1.11591.15.1 */
	{ "ED25519", 9, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01 }, PGP_EDDSA_LEGACY },
};

static bool parse_curve(pgp_pubkey *k, pgp_span b, size_t *p)
{
	size_t len, i;

	if (*p >= b.n)
		return false;
	len = b.p[(*p)++];
	if (len == 0 || len == 0xff || len > b.n - *p)
		return false;
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].algo == k->algo && curves[i].len == len &&
		    memcmp(curves[i].oid, b.p + *p, len) == 0)
			k->curve = curves[i].name;
	*p += len;
	return true;
}

int secex_openpgp_pubkey_parse(pgp_pubkey *out, pgp_span b, const char **why)
{
	size_t p = 6;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->body = b;
	if (b.n < 1 || b.p[0] != 4) {
		*why = b.n && b.p[0] < 4 ? "it is a version 3 key, which is obsolete; make a current key"
					 : "only version 4 keys are supported (the kind gpg 2.2 and 2.4 make "
					   "by default)";
		return SECEX_EINVALID;
	}
	if (b.n < 6 || b.n > 0xffff) {
		*why = b.n < 6 ? "a public key packet is truncated" : "a public key packet is too large";
		return SECEX_EINVALID;
	}
	out->version = 4;
	out->created = be32(b.p + 1);
	out->algo = b.p[5];
	switch (out->algo) {
	case PGP_RSA:
	case PGP_RSA_SIGN:
		ok = secex_openpgp_mpi(b, &p, &out->n) && secex_openpgp_mpi(b, &p, &out->e) && p == b.n;
		break;
	case PGP_ECDSA:
		ok = parse_curve(out, b, &p) && secex_openpgp_mpi(b, &p, &out->point) && p == b.n;
		break;
	case PGP_EDDSA_LEGACY:
		ok = parse_curve(out, b, &p) && secex_openpgp_mpi(b, &p, &out->point) && p == b.n;
		/* the point is 0x40 followed by the 32-byte key */
		if (ok && out->curve && (out->point.n != 33 || out->point.p[0] != 0x40))
			ok = false;
		if (ok && out->curve) {
			out->point.p++;
			out->point.n--;
		}
		break;
	case PGP_ED25519:
		ok = b.n - p == 32;
		out->point.p = b.p + p;
		out->point.n = 32;
		out->curve = "ED25519";
		break;
	default:
		break; /* not one secex verifies with: parsed no further */
	}
	if (!ok) {
		*why = "a public key packet is malformed (its key material does not parse)";
		return SECEX_EINVALID;
	}
	return 0;
}

const char *secex_openpgp_hash_name(int algo)
{
	switch (algo) {
	case 1: return "MD5";
	case 2: return "SHA-1";
	case 3: return "RIPEMD-160";
	case 8: return "SHA-256";
	case 9: return "SHA-384";
	case 10: return "SHA-512";
	case 11: return "SHA-224";
	case 12: return "SHA3-256";
	case 14: return "SHA3-512";
	}
	return "an unknown hash";
}

const char *secex_openpgp_algo_name(int algo)
{
	switch (algo) {
	case PGP_RSA:
	case PGP_RSA_SIGN: return "RSA";
	case PGP_RSA_ENCRYPT: return "encrypt-only RSA";
	case PGP_ELGAMAL: return "ElGamal";
	case PGP_DSA: return "DSA";
	case PGP_ECDH: return "ECDH";
	case PGP_ECDSA: return "ECDSA";
	case PGP_EDDSA_LEGACY: return "EdDSA";
	case PGP_X25519: return "X25519";
	case PGP_X448: return "X448";
	case PGP_ED25519: return "Ed25519";
	case PGP_ED448: return "Ed448";
	}
	return "an unknown algorithm";
}
