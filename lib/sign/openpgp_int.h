#ifndef SECEX_OPENPGP_INT_H
#define SECEX_OPENPGP_INT_H

/*
 * OpenPGP parsing shared by openpgp_packet.c (armour, packets, subpackets: no crypto) and
 * openpgp.c (keys, bindings, verification with OpenSSL). Every parser reads from a span
 * with bounds checks, never recurses, and takes time linear in its input. Spans point into
 * buffers the caller keeps.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "secex/openpgp.h"

typedef struct {
	const unsigned char *p;
	size_t n;
} pgp_span;

/* Packet tags (RFC 4880 section 4.3). */
enum {
	PGP_TAG_SIGNATURE = 2,
	PGP_TAG_SECRET_KEY = 5,
	PGP_TAG_PUBLIC_KEY = 6,
	PGP_TAG_SECRET_SUBKEY = 7,
	PGP_TAG_TRUST = 12,
	PGP_TAG_USER_ID = 13,
	PGP_TAG_PUBLIC_SUBKEY = 14,
	PGP_TAG_USER_ATTRIBUTE = 17
};

/* Public key algorithms (RFC 4880 9.1, RFC 9580 9.1). */
enum {
	PGP_RSA = 1,
	PGP_RSA_ENCRYPT = 2,
	PGP_RSA_SIGN = 3,
	PGP_ELGAMAL = 16,
	PGP_DSA = 17,
	PGP_ECDH = 18,
	PGP_ECDSA = 19,
	PGP_EDDSA_LEGACY = 22,
	PGP_X25519 = 25,
	PGP_X448 = 26,
	PGP_ED25519 = 27,
	PGP_ED448 = 28
};

/* Signature types. */
enum {
	PGP_SIG_BINARY = 0x00,
	PGP_SIG_TEXT = 0x01,
	PGP_SIG_CERT_GENERIC = 0x10,
	PGP_SIG_CERT_POSITIVE = 0x13,
	PGP_SIG_SUBKEY_BINDING = 0x18,
	PGP_SIG_PRIMARY_BINDING = 0x19,
	PGP_SIG_DIRECT_KEY = 0x1f,
	PGP_SIG_KEY_REVOCATION = 0x20,
	PGP_SIG_SUBKEY_REVOCATION = 0x28
};

#define PGP_FLAG_SIGN 0x02 /* key flags subpacket: may sign data */

typedef struct {
	int tag;
	pgp_span body;
} pgp_packet;

/* A version 4 signature packet, as far as secex reads it. */
typedef struct {
	int version, type, pkalgo, hashalgo;
	pgp_span hashed_part; /* version .. end of hashed subpackets: what the trailer hashes */
	unsigned char left16[2];
	pgp_span material;    /* the algorithm-specific signature fields */
	int64_t created;      /* subpacket 2 (hashed); -1 when absent */
	uint32_t expires;     /* subpacket 3: seconds after creation; 0: never */
	uint32_t key_expires; /* subpacket 9: seconds after the key's creation; 0: never */
	unsigned key_flags;   /* subpacket 27, first octet */
	bool has_key_flags, primary_uid;
	bool has_issuer_fpr, has_issuer;
	unsigned char issuer_fpr[20]; /* subpacket 33, version 4 */
	unsigned char issuer[8];      /* subpacket 16 */
	pgp_span embedded;            /* subpacket 32: the primary key binding of a subkey */
	int critical;                 /* an unknown critical subpacket's type; 0: none */
} pgp_sig;

/* A version 4 public key or subkey packet. */
typedef struct {
	pgp_span body;    /* the whole packet body: fingerprints and signatures hash it */
	int version, algo;
	int64_t created;
	pgp_span n, e;    /* RSA */
	const char *curve; /* ECDSA, EdDSA: OpenSSL's name ("P-256", "ED25519"); NULL: unknown */
	pgp_span point;   /* ECDSA: 04||x||y; EdDSA: the 32-byte public key */
} pgp_pubkey;

/*
 * Decodes the next armoured block from text at *pos into out (appending); label receives
 * what follows "BEGIN PGP ". Checks the CRC-24 when the armour has one. Returns 1 for a
 * block, 0 when only blank lines are left, SECEX_EINVALID with *why set, or SECEX_ENOMEM.
 */
int secex_openpgp_dearmor(secex_buf *out, char *label, size_t labelcap, const char *text, size_t len,
		size_t *pos, const char **why);
/* Whether only blank lines follow *pos. */
bool secex_openpgp_rest_blank(const char *text, size_t len, size_t pos);

/* The next packet of d from *pos: 1, 0 at the end, SECEX_EINVALID with *why. Partial and
 * indeterminate lengths are refused: keys and detached signatures never need them. */
int secex_openpgp_packet_next(const unsigned char *d, size_t n, size_t *pos, pgp_packet *pk,
		    const char **why);

/* Parses a signature packet body: 0, or SECEX_EINVALID with *why (a version other than 4
 * says so). */
int secex_openpgp_sig_parse(pgp_sig *out, pgp_span body, const char **why);

/* Parses a public key packet body: 0, or SECEX_EINVALID with *why. An algorithm secex
 * does not verify with still parses (algo says which); its fields stay empty. */
int secex_openpgp_pubkey_parse(pgp_pubkey *out, pgp_span body, const char **why);

/* Reads an MPI at *pos of s: its magnitude without leading zero octets. */
bool secex_openpgp_mpi(pgp_span s, size_t *pos, pgp_span *out);

/* "SHA-256", "RSA", ... for messages. */
const char *secex_openpgp_hash_name(int algo);
const char *secex_openpgp_algo_name(int algo);

#endif
