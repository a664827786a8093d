/*
 * Signed commits: splitting raw commits, SSH signatures (SSHSIG), OpenPGP signatures, and
 * agreement with `git verify-commit`. Keys are made for real by ssh-keygen and gpg, commits
 * by git, all in a temporary directory with HOME and GNUPGHOME pointing into it.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <secex/signature.h>

#define NSSH 5
static const char *const ssh_types[NSSH] = { "ed25519", "ecdsa256", "ecdsa384", "ecdsa521",
					     "rsa3072" };

static struct {
	char dir[200];        /* everything lives here */
	char repo[260];
	char gnupg[260];      /* the signers' GNUPGHOME */
	char verifyhome[260]; /* GNUPGHOME for git verify-commit: the roster's key only */
	char tmp[260];        /* TMPDIR, to see that keyrings clean up */
	char *old_path;
	secex_buf ssh_commit[NSSH]; /* a commit signed with each SSH key type */
	secex_buf other_commit;     /* signed with an SSH key not in the roster */
	secex_buf rsa1024_commit;
	secex_buf pgp_commit, pgp_other_commit, pgp_sub_commit;
	char pgp_fpr[41], pgp_other_fpr[41], pgp_sub_fpr[41], pgp_old_fpr[41], pgp_rev_fpr[41];
	secex_buf pgp_pub, pgp_other_pub, pgp_sub_pub, pgp_old_pub, pgp_rev_pub, pgp_secret;
	secex_buf old_sig, rev_sig; /* detached signatures over "payload\n" */
} fx;

/* Helpers: files and commands. */

static int run_quiet(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Runs a shell command, its output in DIR/log; prints the log when it fails. */
static int run_quiet(const char *fmt, ...)
{
	char cmd[4096], full[4400];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >'%s/log' 2>&1", cmd, fx.dir);
	rc = system(full);
	rc = rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	return rc;
}

static void must(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

static void must(const char *fmt, ...)
{
	char cmd[4096], log[300];
	secex_buf out = SECEX_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = run_quiet("%s", cmd);
	if (rc != 0) {
		snprintf(log, sizeof(log), "%s/log", fx.dir);
		secex_file_read(&out, log, 1 << 20);
		fprintf(stderr, "command failed (%d): %s\n%s\n", rc, cmd, secex_buf_cstr(&out));
		secex_buf_release(&out);
		fail_msg("command failed: %s", cmd);
	}
}

static void capture(secex_buf *out, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Runs a command and keeps its stdout (binary-safe). */
static void capture(secex_buf *out, const char *fmt, ...)
{
	char cmd[4096], chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	secex_buf_clear(out);
	/* stderr goes to the log, so that gpg's chatter does not fill the test output */
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " 2>>'%s/log'", fx.dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(secex_buf_put(out, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
}

static void write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void read_all(secex_buf *out, const char *path)
{
	secex_buf_clear(out);
	assert_int_equal(secex_file_read(out, path, 1 << 24), 0);
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", fx.dir, name);
}

/* The raw object of a commit. */
static void cat_commit(secex_buf *raw, const char *rev)
{
	capture(raw, "git -C '%s' cat-file commit '%s'", fx.repo, rev);
}

static void head_id(char id[41])
{
	secex_buf out = SECEX_BUF_INIT;

	capture(&out, "git -C '%s' rev-parse HEAD", fx.repo);
	assert_true(out.size >= 40);
	memcpy(id, out.ptr, 40);
	id[40] = '\0';
	secex_buf_release(&out);
}

static int commit_counter;

/* Makes an empty commit signed with the SSH key keys/<name>; raw receives the object. */
static void commit_ssh(secex_buf *raw, char id[41], const char *name)
{
	char myid[41];

	must("cd '%s' && git -c gpg.format=ssh -c user.signingkey='%s/keys/%s' "
	     "commit -q -S --allow-empty -m 'approve EXC-%04d with %s'",
	     fx.repo, fx.dir, name, ++commit_counter, name);
	head_id(id ? id : myid);
	cat_commit(raw, "HEAD");
}

/* Makes an empty commit signed by gpg with the key of the given fingerprint. */
static void commit_pgp(secex_buf *raw, char id[41], const char *fpr)
{
	char myid[41];

	must("cd '%s' && git -c gpg.format=openpgp -c gpg.program=gpg -c user.signingkey=%s "
	     "commit -q -S --allow-empty -m 'approve EXC-%04d with OpenPGP'",
	     fx.repo, fpr, ++commit_counter);
	head_id(id ? id : myid);
	cat_commit(raw, "HEAD");
}

/* Writes a commit object into the repository; id receives its name. */
static void hash_object(char id[41], const char *data, size_t len)
{
	char file[300];
	secex_buf out = SECEX_BUF_INIT;

	path_of(file, sizeof(file), "object");
	write_all(file, data, len);
	capture(&out, "git -C '%s' hash-object -t commit -w '%s'", fx.repo, file);
	assert_true(out.size >= 40);
	memcpy(id, out.ptr, 40);
	id[40] = '\0';
	secex_buf_release(&out);
}

static void gpg_fingerprint(char out[41], const char *who)
{
	secex_buf list = SECEX_BUF_INIT;
	const char *p;

	capture(&list, "gpg --batch --with-colons --list-keys '%s'", who);
	p = strstr(list.ptr, "\nfpr:::::::::");
	assert_non_null(p);
	memcpy(out, p + 13, 40);
	out[40] = '\0';
	secex_buf_release(&list);
}

static void parse_pub(secex_ssh_key *key, const char *name)
{
	char path[300];
	secex_buf line = SECEX_BUF_INIT;

	snprintf(path, sizeof(path), "%s/keys/%s.pub", fx.dir, name);
	read_all(&line, path);
	assert_int_equal(secex_sshsig_key_parse(key, line.ptr, line.size), 0);
	secex_buf_release(&line);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Fixture: keys, a repository, signed commits. */

static int setup(void **state)
{
	static const char *const keygen[] = {
		"ed25519", "-t ed25519",
		"ecdsa256", "-t ecdsa -b 256 -m PEM",
		"ecdsa384", "-t ecdsa -b 384 -m PEM",
		"ecdsa521", "-t ecdsa -b 521 -m PEM",
		"rsa3072", "-t rsa -b 3072 -m PEM",
		"rsa1024", "-t rsa -b 1024",
		"other", "-t ed25519",
		"ca", "-t ed25519",
	};
	const char *tmp = getenv("TMPDIR");
	char path[300];
	size_t i;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "%s/secex-test-signature-XXXXXX",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(fx.dir))
		return -1;
	snprintf(fx.repo, sizeof(fx.repo), "%s/repo", fx.dir);
	snprintf(fx.gnupg, sizeof(fx.gnupg), "%s/gnupg", fx.dir);
	snprintf(fx.verifyhome, sizeof(fx.verifyhome), "%s/verifyhome", fx.dir);
	snprintf(fx.tmp, sizeof(fx.tmp), "%s/tmp", fx.dir);
	path_of(path, sizeof(path), "home");
	if (mkdir(path, 0700) || mkdir(fx.gnupg, 0700) || mkdir(fx.verifyhome, 0700) ||
	    mkdir(fx.tmp, 0700))
		return -1;
	fx.old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("HOME", path, 1);
	setenv("GNUPGHOME", fx.gnupg, 1);
	setenv("TMPDIR", fx.tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
	unsetenv("GIT_DIR");
	unsetenv("SSH_AUTH_SOCK");

	must("mkdir '%s/keys'", fx.dir);
	for (i = 0; i < sizeof(keygen) / sizeof(keygen[0]); i += 2)
		must("ssh-keygen -q %s -N '' -C '%s@test' -f '%s/keys/%s'", keygen[i + 1],
		     keygen[i], fx.dir, keygen[i]);
	must("git init -q '%s'", fx.repo);

	/* OpenPGP keys: a plain one, another signer, one that signs with a subkey */
	must("gpg --batch --passphrase '' --quick-gen-key 'Alice <alice@example.com>' "
	     "ed25519 sign never");
	must("gpg --batch --passphrase '' --quick-gen-key 'Mallory <mallory@example.com>' "
	     "ed25519 sign never");
	must("gpg --batch --passphrase '' --quick-gen-key 'Sub <sub@example.com>' "
	     "ed25519 cert never");
	gpg_fingerprint(fx.pgp_fpr, "alice@example.com");
	gpg_fingerprint(fx.pgp_other_fpr, "mallory@example.com");
	gpg_fingerprint(fx.pgp_sub_fpr, "sub@example.com");
	must("gpg --batch --passphrase '' --quick-add-key %s ed25519 sign never", fx.pgp_sub_fpr);
	capture(&fx.pgp_pub, "gpg --batch --armor --export %s", fx.pgp_fpr);
	capture(&fx.pgp_other_pub, "gpg --batch --armor --export %s", fx.pgp_other_fpr);
	capture(&fx.pgp_sub_pub, "gpg --batch --armor --export %s", fx.pgp_sub_fpr);
	capture(&fx.pgp_secret, "gpg --batch --armor --pinentry-mode loopback --passphrase '' "
		"--export-secret-keys %s", fx.pgp_fpr);

	/* a key that expired in 2020, and a key revoked after it signed */
	path_of(path, sizeof(path), "payload");
	write_all(path, "payload\n", 8);
	must("gpg --batch --faked-system-time 20200101T000000 --passphrase '' "
	     "--quick-gen-key 'Old <old@example.com>' ed25519 sign 1d");
	gpg_fingerprint(fx.pgp_old_fpr, "old@example.com");
	capture(&fx.old_sig, "gpg --batch --faked-system-time 20200101T010000 -u %s "
		"--armor --detach-sign -o - '%s'", fx.pgp_old_fpr, path);
	capture(&fx.pgp_old_pub, "gpg --batch --armor --export %s", fx.pgp_old_fpr);
	must("gpg --batch --passphrase '' --quick-gen-key 'Rev <rev@example.com>' ed25519 sign never");
	gpg_fingerprint(fx.pgp_rev_fpr, "rev@example.com");
	capture(&fx.rev_sig, "gpg --batch -u %s --armor --detach-sign -o - '%s'", fx.pgp_rev_fpr,
		path);
	must("sed 's/^:-----/-----/' '%s/openpgp-revocs.d/%s.rev' | gpg --batch --import",
	     fx.gnupg, fx.pgp_rev_fpr);
	capture(&fx.pgp_rev_pub, "gpg --batch --armor --export %s", fx.pgp_rev_fpr);

	/* git verify-commit's keyring holds the roster's key only */
	path_of(path, sizeof(path), "alice.asc");
	write_all(path, fx.pgp_pub.ptr, fx.pgp_pub.size);
	must("GNUPGHOME='%s' gpg --batch --import '%s'", fx.verifyhome, path);

	for (i = 0; i < NSSH; i++)
		commit_ssh(&fx.ssh_commit[i], NULL, ssh_types[i]);
	commit_ssh(&fx.other_commit, NULL, "other");
	commit_ssh(&fx.rsa1024_commit, NULL, "rsa1024");
	commit_pgp(&fx.pgp_commit, NULL, fx.pgp_fpr);
	commit_pgp(&fx.pgp_other_commit, NULL, fx.pgp_other_fpr);
	commit_pgp(&fx.pgp_sub_commit, NULL, fx.pgp_sub_fpr);
	return 0;
}

static int teardown(void **state)
{
	secex_buf *bufs[] = { &fx.other_commit, &fx.rsa1024_commit, &fx.pgp_commit,
			      &fx.pgp_other_commit, &fx.pgp_sub_commit, &fx.pgp_pub,
			      &fx.pgp_other_pub, &fx.pgp_sub_pub, &fx.pgp_old_pub, &fx.pgp_rev_pub,
			      &fx.pgp_secret, &fx.old_sig, &fx.rev_sig };
	size_t i;

	(void)state;
	if (fx.old_path)
		setenv("PATH", fx.old_path, 1);
	free(fx.old_path);
	if (fx.dir[0]) {
		run_quiet("gpgconf --homedir '%s' --kill all", fx.gnupg);
		run_quiet("gpgconf --homedir '%s' --kill all", fx.verifyhome);
		run_quiet("rm -rf '%s'", fx.dir);
	}
	for (i = 0; i < NSSH; i++)
		secex_buf_release(&fx.ssh_commit[i]);
	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		secex_buf_release(bufs[i]);
	return 0;
}

/* secex_commit_split */

#define TREE "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
#define AUTHOR "author A U Thor <author@example.com> 1700000000 +0100\n"
#define COMMITTER "committer C O Mitter <committer@example.com> 1700000100 -0230\n"

static void split(secex_signed_commit *c, const char *data)
{
	assert_int_equal(secex_commit_split(c, data, strlen(data)), 0);
}

static void test_split_unsigned(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;

	(void)state;
	split(&c, TREE AUTHOR COMMITTER "\nsubject\n\nbody\n");
	assert_int_equal(c.state, SECEX_COMMIT_UNSIGNED);
	assert_int_equal(c.signature.size, 0);
	assert_int_equal(c.payload.size, 0);
	assert_true(c.time == 1700000100);
	assert_int_equal(c.tz_offset, -150);
	/* the message may say anything, even look like a header */
	split(&c, TREE AUTHOR COMMITTER "\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n"
	      " -----END SSH SIGNATURE-----\n");
	assert_int_equal(c.state, SECEX_COMMIT_UNSIGNED);
	assert_int_equal(c.signature.size, 0);
	/* an empty message */
	split(&c, TREE AUTHOR "committer X <x@y> 0 +0000\n\n");
	assert_int_equal(c.state, SECEX_COMMIT_UNSIGNED);
	assert_true(c.time == 0);
	secex_commit_release(&c);
	secex_commit_release(NULL);
}

static void test_split_signed(void **state)
{
	static const char object[] =
		TREE AUTHOR COMMITTER
		"gpgsig -----BEGIN SSH SIGNATURE-----\n"
		" U1NIU0lHAAAAAQ\n"
		" \n"
		" -----END SSH SIGNATURE-----\n"
		"mergetag object 1234\n"
		" type commit\n"
		" gpgsig not a signature: a continuation of mergetag\n"
		"encoding ISO-8859-1\n"
		"\n"
		"subject\n";
	secex_signed_commit c;

	(void)state;
	secex_commit_init(&c);
	split(&c, object);
	assert_int_equal(c.state, SECEX_COMMIT_SIGNED);
	assert_string_equal(c.signature.ptr, "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ\n\n"
			    "-----END SSH SIGNATURE-----\n");
	assert_string_equal(c.payload.ptr, TREE AUTHOR COMMITTER
			    "mergetag object 1234\n"
			    " type commit\n"
			    " gpgsig not a signature: a continuation of mergetag\n"
			    "encoding ISO-8859-1\n\nsubject\n");
	assert_true(c.time == 1700000100);
	assert_string_equal(secex_buf_cstr(&c.message), "");
	/* reused for an unsigned commit: nothing of the last one stays */
	split(&c, TREE AUTHOR COMMITTER "\nx\n");
	assert_int_equal(c.state, SECEX_COMMIT_UNSIGNED);
	assert_int_equal(c.signature.size + c.payload.size, 0);
	secex_commit_release(&c);
}

static void expect_malformed(const char *data, size_t len, const char *why)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;

	assert_int_equal(secex_commit_split(&c, data, len), 0);
	assert_int_equal(c.state, SECEX_COMMIT_MALFORMED);
	assert_int_equal(c.signature.size + c.payload.size, 0);
	if (!strstr(secex_buf_cstr(&c.message), why))
		fail_msg("message '%s' does not mention '%s'", secex_buf_cstr(&c.message), why);
	secex_commit_release(&c);
}

static void test_split_malformed(void **state)
{
	static const char two[] = TREE AUTHOR COMMITTER
		"gpgsig -----BEGIN SSH SIGNATURE-----\n -----END SSH SIGNATURE-----\n"
		"gpgsig -----BEGIN PGP SIGNATURE-----\n -----END PGP SIGNATURE-----\n\nm\n";
	static const char sha256[] = TREE AUTHOR COMMITTER
		"gpgsig -----BEGIN SSH SIGNATURE-----\n -----END SSH SIGNATURE-----\n"
		"gpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n -----END SSH SIGNATURE-----\n\nm\n";
	static const char nul[] = TREE AUTHOR "committer C <c@x> 1 +0000\nx\0y\n\nm\n";
	const char *s;

	(void)state;
	expect_malformed(two, strlen(two), "more than one 'gpgsig'");
	expect_malformed(sha256, strlen(sha256), "gpgsig-sha256");
	s = TREE AUTHOR COMMITTER "gpgsigx y\n\nm\n";
	expect_malformed(s, strlen(s), "gpgsigx");
	expect_malformed(nul, sizeof(nul) - 1, "NUL");
	s = TREE AUTHOR COMMITTER "gpgsig -----BEGIN SSH SIGNATURE-----\n";
	expect_malformed(s, strlen(s), "truncated");
	expect_malformed(s, strlen(s) - 1, "truncated");
	expect_malformed("", 0, "truncated");
	s = TREE AUTHOR "\nm\n";
	expect_malformed(s, strlen(s), "no 'committer'");
	s = TREE AUTHOR COMMITTER COMMITTER "\nm\n";
	expect_malformed(s, strlen(s), "more than one 'committer'");
	s = TREE AUTHOR "committer C <c@x> soon +0000\n\nm\n";
	expect_malformed(s, strlen(s), "committer date");
	s = TREE AUTHOR "committer C <c@x> 1700000000 +000\n\nm\n";
	expect_malformed(s, strlen(s), "committer date");
	s = TREE AUTHOR "committer C <c@x> 99999999999999999999 +0000\n\nm\n";
	expect_malformed(s, strlen(s), "committer date");
}

/* Every truncation of a real signed commit either is malformed or does not verify. */
static void test_split_truncated(void **state)
{
	const secex_buf *raw = &fx.ssh_commit[0];
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	size_t len, signed_seen = 0;

	(void)state;
	for (len = 0; len < raw->size; len++) {
		assert_int_equal(secex_commit_split(&c, raw->ptr, len), 0);
		assert_int_not_equal(c.state, SECEX_COMMIT_UNSIGNED);
		if (c.state != SECEX_COMMIT_SIGNED)
			continue;
		signed_seen++;
		assert_int_equal(secex_signature_verify(&r, NULL, c.signature.ptr, c.signature.size,
							c.payload.ptr, c.payload.size), 0);
		assert_int_equal(r.status, SECEX_SIG_BAD_SIGNATURE);
	}
	assert_true(signed_seen > 0); /* cuts inside the message */
	assert_int_equal(secex_commit_split(&c, raw->ptr, raw->size), 0);
	assert_int_equal(c.state, SECEX_COMMIT_SIGNED);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
}

/* A commit whose message carries a copy of another commit's signature header is unsigned,
 * as git says; libgit2 1.5.1 calls it signed. */
static void test_split_signature_in_message(void **state)
{
	secex_signed_commit orig = SECEX_SIGNED_COMMIT_INIT, c = SECEX_SIGNED_COMMIT_INIT;
	secex_buf forged = SECEX_BUF_INIT, raw = SECEX_BUF_INIT;
	const char *p, *end;
	char id[41];

	(void)state;
	split(&orig, fx.ssh_commit[0].ptr);
	assert_int_equal(orig.state, SECEX_COMMIT_SIGNED);
	/* headers of a new commit, then the message: the signature header block, copied */
	assert_int_equal(secex_buf_puts(&forged, TREE AUTHOR COMMITTER "\ngpgsig "), 0);
	for (p = orig.signature.ptr, end = p + orig.signature.size; p < end; p++) {
		assert_int_equal(secex_buf_putc(&forged, *p), 0);
		if (*p == '\n' && p + 1 < end)
			assert_int_equal(secex_buf_putc(&forged, ' '), 0);
	}
	assert_int_equal(secex_buf_puts(&forged, "\nLooks approved.\n"), 0);
	split(&c, forged.ptr);
	assert_int_equal(c.state, SECEX_COMMIT_UNSIGNED);
	assert_int_equal(c.signature.size, 0);
	/* and git agrees: the object exists and does not verify */
	hash_object(id, forged.ptr, forged.size);
	cat_commit(&raw, id);
	assert_int_equal(raw.size, forged.size);
	assert_int_not_equal(run_quiet("git -C '%s' verify-commit %s", fx.repo, id), 0);
	secex_commit_release(&orig);
	secex_commit_release(&c);
	secex_buf_release(&forged);
	secex_buf_release(&raw);
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(secex_signature_detect("-----BEGIN SSH SIGNATURE-----\n", 30),
			 SECEX_SIGKIND_SSH);
	assert_int_equal(secex_signature_detect("-----BEGIN PGP SIGNATURE-----\n", 30),
			 SECEX_SIGKIND_OPENPGP);
	assert_int_equal(secex_signature_detect("-----BEGIN PGP MESSAGE-----\n", 28),
			 SECEX_SIGKIND_OPENPGP);
	assert_int_equal(secex_signature_detect("-----BEGIN SIGNED MESSAGE-----\n", 31),
			 SECEX_SIGKIND_X509);
	assert_int_equal(secex_signature_detect("-----BEGIN SSH", 14), SECEX_SIGKIND_UNKNOWN);
	assert_int_equal(secex_signature_detect("", 0), SECEX_SIGKIND_UNKNOWN);
	assert_string_equal(secex_sig_status_name(SECEX_SIG_WRONG_NAMESPACE), "wrong-namespace");
}

/* SSH */

static void verify_ssh(secex_sig_result *r, const secex_buf *sig, const char *payload,
		       size_t len, secex_sig_status want)
{
	assert_int_equal(secex_sshsig_verify(r, sig->ptr, sig->size, payload, len, "git"), 0);
	if (r->status != want)
		fail_msg("status %s (%s), expected %s", secex_sig_status_name(r->status),
			 secex_buf_cstr(&r->message), secex_sig_status_name(want));
	if (want == SECEX_SIG_OK)
		assert_string_equal(secex_buf_cstr(&r->message), "");
	else
		assert_true(r->message.size > 0);
}

static void expect_message(const secex_sig_result *r, const char *needle)
{
	if (!strstr(secex_buf_cstr(&r->message), needle))
		fail_msg("message '%s' does not mention '%s'", secex_buf_cstr(&r->message), needle);
}

static void test_ssh_valid(void **state)
{
	static const unsigned bits[NSSH] = { 256, 256, 384, 521, 3072 };
	static const secex_ssh_keytype types[NSSH] = { SECEX_SSH_ED25519, SECEX_SSH_ECDSA_P256,
		SECEX_SSH_ECDSA_P384, SECEX_SSH_ECDSA_P521, SECEX_SSH_RSA };
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_ssh_key key = SECEX_SSH_KEY_INIT, other = SECEX_SSH_KEY_INIT;
	secex_buf fp = SECEX_BUF_INIT;
	size_t i;

	(void)state;
	parse_pub(&other, "other");
	for (i = 0; i < NSSH; i++) {
		split(&c, fx.ssh_commit[i].ptr);
		assert_int_equal(c.state, SECEX_COMMIT_SIGNED);
		assert_int_equal(secex_signature_detect(c.signature.ptr, c.signature.size),
				 SECEX_SIGKIND_SSH);
		verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size, SECEX_SIG_OK);
		parse_pub(&key, ssh_types[i]);
		assert_int_equal(key.type, types[i]);
		assert_int_equal(key.bits, bits[i]);
		assert_true(secex_sshsig_key_equal(&key, &r.key));
		assert_false(secex_sshsig_key_equal(&other, &r.key));
		/* the fingerprint is ssh-keygen's */
		capture(&fp, "ssh-keygen -l -E sha256 -f '%s/keys/%s.pub' | cut -d' ' -f2",
			fx.dir, ssh_types[i]);
		assert_true(fp.size > 1);
		fp.ptr[--fp.size] = '\0';
		assert_string_equal(r.fingerprint.ptr, fp.ptr);
		/* the dispatcher agrees */
		assert_int_equal(secex_signature_verify(&r, NULL, c.signature.ptr, c.signature.size,
							c.payload.ptr, c.payload.size), 0);
		assert_int_equal(r.status, SECEX_SIG_OK);
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_sshsig_key_release(&key);
	secex_sshsig_key_release(&other);
	secex_buf_release(&fp);
}

static void test_ssh_tampered(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	size_t i, k;

	(void)state;
	for (i = 0; i < NSSH; i++) {
		size_t where[3];

		split(&c, fx.ssh_commit[i].ptr);
		where[0] = 0;
		where[1] = c.payload.size / 2;
		where[2] = c.payload.size - 2; /* the message */
		for (k = 0; k < 3; k++) {
			c.payload.ptr[where[k]] ^= 0x20;
			verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size,
				   SECEX_SIG_BAD_SIGNATURE);
			expect_message(&r, "does not verify");
			assert_true(r.key.size > 0); /* who claimed to sign is still said */
			c.payload.ptr[where[k]] ^= 0x20;
		}
		/* one byte more or less */
		verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size - 1,
			   SECEX_SIG_BAD_SIGNATURE);
		assert_int_equal(secex_buf_putc(&c.payload, '\n'), 0);
		verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size,
			   SECEX_SIG_BAD_SIGNATURE);
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
}

static void test_ssh_wrong_namespace(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_buf sig = SECEX_BUF_INIT;
	char path[300];
	size_t i;

	(void)state;
	for (i = 0; i < NSSH; i++) {
		split(&c, fx.ssh_commit[i].ptr);
		path_of(path, sizeof(path), "payload-ns");
		write_all(path, c.payload.ptr, c.payload.size);
		run_quiet("rm -f '%s.sig'", path);
		must("ssh-keygen -q -Y sign -f '%s/keys/%s' -n file '%s'", fx.dir, ssh_types[i], path);
		snprintf(path + strlen(path), sizeof(path) - strlen(path), ".sig");
		read_all(&sig, path);
		verify_ssh(&r, &sig, c.payload.ptr, c.payload.size, SECEX_SIG_WRONG_NAMESPACE);
		expect_message(&r, "'file'");
		/* the namespace is the only thing wrong with it */
		assert_int_equal(secex_sshsig_verify(&r, sig.ptr, sig.size, c.payload.ptr,
						     c.payload.size, "file"), 0);
		assert_int_equal(r.status, SECEX_SIG_OK);
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&sig);
}

static void test_ssh_other_key(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_ssh_key key = SECEX_SSH_KEY_INIT, other = SECEX_SSH_KEY_INIT;
	size_t i;

	(void)state;
	split(&c, fx.other_commit.ptr);
	verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size, SECEX_SIG_OK);
	parse_pub(&other, "other");
	assert_true(secex_sshsig_key_equal(&other, &r.key));
	for (i = 0; i < NSSH; i++) {
		parse_pub(&key, ssh_types[i]);
		assert_false(secex_sshsig_key_equal(&key, &r.key));
	}
	secex_sshsig_key_release(&key);
	assert_false(secex_sshsig_key_equal(&key, &r.key)); /* an empty key equals nothing */
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_sshsig_key_release(&other);
}

static void test_ssh_rsa1024(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_ssh_key key = SECEX_SSH_KEY_INIT;
	secex_buf line = SECEX_BUF_INIT;
	char path[300];

	(void)state;
	split(&c, fx.rsa1024_commit.ptr);
	verify_ssh(&r, &c.signature, c.payload.ptr, c.payload.size, SECEX_SIG_UNSUPPORTED);
	expect_message(&r, "1024 bits");
	path_of(path, sizeof(path), "keys/rsa1024.pub");
	read_all(&line, path);
	assert_int_equal(secex_sshsig_key_parse(&key, line.ptr, line.size), SECEX_EINVALID);
	assert_non_null(strstr(secex_error_last(), "2048"));
	assert_int_equal(key.blob.size, 0);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&line);
	secex_sshsig_key_release(&key);
}

/* SSHSIG blobs made here, to reach what ssh-keygen never writes. */

static void put_u32(secex_buf *b, uint32_t v)
{
	char n[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };

	assert_int_equal(secex_buf_put(b, n, 4), 0);
}

static void put_str(secex_buf *b, const void *s, size_t len)
{
	put_u32(b, (uint32_t)len);
	assert_int_equal(secex_buf_put(b, s, len), 0);
}

static void put_cstr(secex_buf *b, const char *s)
{
	put_str(b, s, strlen(s));
}

/* What an SSHSIG signature signs. */
static void sshsig_data(secex_buf *out, const char *ns, const char *reserved, const char *halg,
			const char *payload, size_t len)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;

	assert_int_equal(EVP_Digest(payload, len, h, &hlen, strcmp(halg, "sha256") == 0 ?
				    EVP_sha256() : EVP_sha512(), NULL), 1);
	secex_buf_clear(out);
	assert_int_equal(secex_buf_put(out, "SSHSIG", 6), 0);
	put_cstr(out, ns);
	put_cstr(out, reserved);
	put_cstr(out, halg);
	put_str(out, h, hlen);
}

/* The signature field: string(type), string(raw signature). */
static void sign_field(secex_buf *out, EVP_PKEY *pkey, const EVP_MD *md, const char *type,
		       const secex_buf *data)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)data->ptr,
					data->size), 1);
	EVP_MD_CTX_free(ctx);
	secex_buf_clear(out);
	put_cstr(out, type);
	put_str(out, sig, siglen);
}

typedef struct {
	uint32_t version;
	const secex_buf *key, *sig;
	const char *ns, *reserved, *halg;
	bool trailing;
} sshsig_parts;

static void sshsig_blob(secex_buf *out, const sshsig_parts *p)
{
	secex_buf_clear(out);
	assert_int_equal(secex_buf_put(out, "SSHSIG", 6), 0);
	put_u32(out, p->version);
	put_str(out, p->key->ptr, p->key->size);
	put_cstr(out, p->ns);
	put_cstr(out, p->reserved);
	put_cstr(out, p->halg);
	put_str(out, p->sig->ptr, p->sig->size);
	if (p->trailing)
		assert_int_equal(secex_buf_putc(out, 0), 0);
}

static void armour(secex_buf *out, const void *blob, size_t len)
{
	unsigned char *b64 = malloc(len / 3 * 4 + 8);
	size_t n, i;

	assert_non_null(b64);
	n = (size_t)EVP_EncodeBlock(b64, blob, (int)len);
	secex_buf_clear(out);
	assert_int_equal(secex_buf_puts(out, "-----BEGIN SSH SIGNATURE-----\n"), 0);
	for (i = 0; i < n; i += 70) {
		assert_int_equal(secex_buf_put(out, (char *)b64 + i, n - i < 70 ? n - i : 70), 0);
		assert_int_equal(secex_buf_putc(out, '\n'), 0);
	}
	assert_int_equal(secex_buf_puts(out, "-----END SSH SIGNATURE-----\n"), 0);
	free(b64);
}

/* The blob inside an armoured signature (ssh-keygen's or ours). */
static void unarmour(secex_buf *blob, const secex_buf *sig)
{
	secex_buf b64 = SECEX_BUF_INIT;
	const char *p = strchr(sig->ptr, '\n') + 1, *end = strstr(sig->ptr, "-----END");
	unsigned char *out;
	int n;

	for (; p < end; p++)
		if (*p != '\n')
			assert_int_equal(secex_buf_putc(&b64, *p), 0);
	out = malloc(b64.size);
	assert_non_null(out);
	n = EVP_DecodeBlock(out, (const unsigned char *)b64.ptr, (int)b64.size);
	assert_true(n > 0);
	/* EVP_DecodeBlock counts padding as zero bytes */
	if (b64.size >= 1 && b64.ptr[b64.size - 1] == '=')
		n--;
	if (b64.size >= 2 && b64.ptr[b64.size - 2] == '=')
		n--;
	secex_buf_clear(blob);
	assert_int_equal(secex_buf_put(blob, (char *)out, (size_t)n), 0);
	free(out);
	secex_buf_release(&b64);
}

typedef struct {
	EVP_PKEY *ed, *rsa;
	secex_buf edkey, rsakey, data, sigfield, blob, armoured;
} crafter;

static void crafter_init(crafter *c)
{
	unsigned char pub[32];
	size_t publen = sizeof(pub);
	secex_ssh_key key = SECEX_SSH_KEY_INIT;
	char path[300];
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(c->ed);
	assert_int_equal(EVP_PKEY_get_raw_public_key(c->ed, pub, &publen), 1);
	put_cstr(&c->edkey, "ssh-ed25519");
	put_str(&c->edkey, pub, publen);
	/* ssh-keygen wrote the RSA key as PEM: OpenSSL reads it */
	path_of(path, sizeof(path), "keys/rsa3072");
	f = fopen(path, "r");
	assert_non_null(f);
	c->rsa = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(c->rsa);
	parse_pub(&key, "rsa3072");
	assert_int_equal(secex_buf_put(&c->rsakey, key.blob.ptr, key.blob.size), 0);
	secex_sshsig_key_release(&key);
}

static void crafter_release(crafter *c)
{
	EVP_PKEY_free(c->ed);
	EVP_PKEY_free(c->rsa);
	secex_buf_release(&c->edkey);
	secex_buf_release(&c->rsakey);
	secex_buf_release(&c->data);
	secex_buf_release(&c->sigfield);
	secex_buf_release(&c->blob);
	secex_buf_release(&c->armoured);
}

#define PAYLOAD "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" COMMITTER "\nok\n"

/* Signs PAYLOAD with the Ed25519 key as the given parts say, into c->armoured. */
static void craft_ed(crafter *c, sshsig_parts p)
{
	sshsig_data(&c->data, p.ns, p.reserved, p.halg, PAYLOAD, strlen(PAYLOAD));
	sign_field(&c->sigfield, c->ed, NULL, "ssh-ed25519", &c->data);
	p.key = p.key ? p.key : &c->edkey;
	p.sig = &c->sigfield;
	sshsig_blob(&c->blob, &p);
	armour(&c->armoured, c->blob.ptr, c->blob.size);
}

static const sshsig_parts good = { 1, NULL, NULL, "git", "", "sha512", false };

static secex_sig_status check_crafted(crafter *c)
{
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_sig_status st;

	assert_int_equal(secex_sshsig_verify(&r, c->armoured.ptr, c->armoured.size, PAYLOAD,
					     strlen(PAYLOAD), NULL), 0);
	st = r.status;
	assert_true(st == SECEX_SIG_OK ? r.message.size == 0 : r.message.size > 0);
	secex_sig_result_release(&r);
	return st;
}

static void test_sshsig_crafted(void **state)
{
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_buf key = SECEX_BUF_INIT;
	sshsig_parts p;
	crafter c;

	(void)state;
	crafter_init(&c);
	/* the crafter itself is right: a signature it makes verifies, with both hashes */
	craft_ed(&c, good);
	assert_int_equal(check_crafted(&c), SECEX_SIG_OK);
	p = good;
	p.halg = "sha256";
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_OK);

	p = good;
	p.reserved = "x"; /* signed over the non-empty reserved field, still refused */
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_MALFORMED);
	p = good;
	p.halg = "sha1";
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_UNSUPPORTED);
	p = good;
	p.version = 2;
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_UNSUPPORTED);
	p = good;
	p.trailing = true;
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_MALFORMED);
	p = good;
	p.ns = "gi"; /* a prefix of the namespace is not the namespace */
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_WRONG_NAMESPACE);
	p = good;
	p.ns = "git2";
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_WRONG_NAMESPACE);

	/* key types secex refuses, inside the signature */
	put_cstr(&key, "ssh-foo");
	put_str(&key, "0123456789abcdef0123456789abcdef", 32);
	p = good;
	p.key = &key;
	craft_ed(&c, p);
	assert_int_equal(secex_sshsig_verify(&r, c.armoured.ptr, c.armoured.size, PAYLOAD,
					     strlen(PAYLOAD), "git"), 0);
	assert_int_equal(r.status, SECEX_SIG_UNSUPPORTED);
	expect_message(&r, "unknown SSH key type 'ssh-foo'");
	secex_buf_clear(&key);
	put_cstr(&key, "sk-ssh-ed25519@openssh.com");
	put_str(&key, "0123456789abcdef0123456789abcdef", 32);
	put_cstr(&key, "ssh:");
	craft_ed(&c, p);
	assert_int_equal(secex_sshsig_verify(&r, c.armoured.ptr, c.armoured.size, PAYLOAD,
					     strlen(PAYLOAD), "git"), 0);
	assert_int_equal(r.status, SECEX_SIG_UNSUPPORTED);
	expect_message(&r, "security-key");
	secex_buf_clear(&key);
	put_cstr(&key, "ssh-ed25519-cert-v01@openssh.com");
	put_str(&key, "nonce", 5);
	craft_ed(&c, p);
	assert_int_equal(secex_sshsig_verify(&r, c.armoured.ptr, c.armoured.size, PAYLOAD,
					     strlen(PAYLOAD), "git"), 0);
	assert_int_equal(r.status, SECEX_SIG_UNSUPPORTED);
	expect_message(&r, "certificates");
	/* an ed25519 key of the wrong size; an ed25519 key with a trailing byte */
	secex_buf_clear(&key);
	put_cstr(&key, "ssh-ed25519");
	put_str(&key, "short", 5);
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_MALFORMED);
	secex_buf_clear(&key);
	assert_int_equal(secex_buf_put(&key, c.edkey.ptr, c.edkey.size), 0);
	assert_int_equal(secex_buf_putc(&key, 0), 0);
	craft_ed(&c, p);
	assert_int_equal(check_crafted(&c), SECEX_SIG_MALFORMED);

	/* an Ed25519 signature presented as another type */
	sshsig_data(&c.data, "git", "", "sha512", PAYLOAD, strlen(PAYLOAD));
	sign_field(&c.sigfield, c.ed, NULL, "ssh-rsa", &c.data);
	p = good;
	p.key = &c.edkey;
	p.sig = &c.sigfield;
	sshsig_blob(&c.blob, &p);
	armour(&c.armoured, c.blob.ptr, c.blob.size);
	assert_int_equal(check_crafted(&c), SECEX_SIG_MALFORMED);

	/* RSA: rsa-sha2-256 and rsa-sha2-512 are fine, ssh-rsa (SHA-1) is refused */
	sign_field(&c.sigfield, c.rsa, EVP_sha256(), "rsa-sha2-256", &c.data);
	p.key = &c.rsakey;
	sshsig_blob(&c.blob, &p);
	armour(&c.armoured, c.blob.ptr, c.blob.size);
	assert_int_equal(check_crafted(&c), SECEX_SIG_OK);
	sign_field(&c.sigfield, c.rsa, EVP_sha256(), "rsa-sha2-512", &c.data);
	sshsig_blob(&c.blob, &p);
	armour(&c.armoured, c.blob.ptr, c.blob.size);
	assert_int_equal(check_crafted(&c), SECEX_SIG_BAD_SIGNATURE); /* type says SHA-512 */
	sign_field(&c.sigfield, c.rsa, EVP_sha1(), "ssh-rsa", &c.data);
	sshsig_blob(&c.blob, &p);
	armour(&c.armoured, c.blob.ptr, c.blob.size);
	assert_int_equal(secex_sshsig_verify(&r, c.armoured.ptr, c.armoured.size, PAYLOAD,
					     strlen(PAYLOAD), "git"), 0);
	assert_int_equal(r.status, SECEX_SIG_UNSUPPORTED);
	expect_message(&r, "SHA-1");

	secex_buf_release(&key);
	secex_sig_result_release(&r);
	crafter_release(&c);
}

static void expect_armour(const char *text, secex_sig_status want)
{
	secex_sig_result r = SECEX_SIG_RESULT_INIT;

	assert_int_equal(secex_sshsig_verify(&r, text, strlen(text), "x", 1, "git"), 0);
	if (r.status != want)
		fail_msg("'%s': status %s (%s)", text, secex_sig_status_name(r.status),
			 secex_buf_cstr(&r.message));
	secex_sig_result_release(&r);
}

static void test_sshsig_armour(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_buf sig = SECEX_BUF_INIT;
	char *p;

	(void)state;
	expect_armour("", SECEX_SIG_MALFORMED);
	expect_armour("U1NIU0lH", SECEX_SIG_MALFORMED);
	expect_armour("-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED);
	expect_armour("-----BEGIN SSH SIGNATURE-----\nU1NIU0l\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED); /* length not a multiple of 4 */
	expect_armour("-----BEGIN SSH SIGNATURE-----\nU1NIU0lI\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED); /* decodes, but not the magic */
	expect_armour("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAB==\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED); /* bits left over after the padding */
	expect_armour("-----BEGIN SSH SIGNATURE-----\nU1NI=U0lH\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED); /* padding in the middle */
	expect_armour("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n", SECEX_SIG_MALFORMED);
	expect_armour("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
		      SECEX_SIG_MALFORMED);
	/* a real signature with text after its END line, or with a character changed */
	split(&c, fx.ssh_commit[0].ptr);
	assert_int_equal(secex_buf_put(&sig, c.signature.ptr, c.signature.size), 0);
	assert_int_equal(secex_buf_puts(&sig, "trailing\n"), 0);
	expect_armour(sig.ptr, SECEX_SIG_MALFORMED);
	secex_buf_clear(&sig);
	assert_int_equal(secex_buf_put(&sig, c.signature.ptr, c.signature.size), 0);
	p = strchr(sig.ptr, '\n') + 5;
	*p = '*';
	expect_armour(sig.ptr, SECEX_SIG_MALFORMED);
	/* CRLF line ends are fine */
	secex_buf_clear(&sig);
	for (p = c.signature.ptr; *p; p++) {
		if (*p == '\n')
			assert_int_equal(secex_buf_putc(&sig, '\r'), 0);
		assert_int_equal(secex_buf_putc(&sig, *p), 0);
	}
	{
		secex_sig_result r = SECEX_SIG_RESULT_INIT;

		verify_ssh(&r, &sig, c.payload.ptr, c.payload.size, SECEX_SIG_OK);
		secex_sig_result_release(&r);
	}
	secex_commit_release(&c);
	secex_buf_release(&sig);
}

/* Truncations, huge lengths and bit flips of real signatures of every type: clean
 * results, never OK. */
static void test_sshsig_mutations(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_buf blob = SECEX_BUF_INIT, sig = SECEX_BUF_INIT;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < NSSH; i++) {
		split(&c, fx.ssh_commit[i].ptr);
		unarmour(&blob, &c.signature);
		armour(&sig, blob.ptr, blob.size);
		verify_ssh(&r, &sig, c.payload.ptr, c.payload.size, SECEX_SIG_OK);
		n = blob.size;
		for (k = 0; k < n; k++) {
			armour(&sig, blob.ptr, k);
			verify_ssh(&r, &sig, c.payload.ptr, c.payload.size, SECEX_SIG_MALFORMED);
		}
		for (k = 6; k + 4 <= n; k++) {
			char saved[4];

			memcpy(saved, blob.ptr + k, 4);
			memcpy(blob.ptr + k, "\xff\xff\xff\xff", 4);
			armour(&sig, blob.ptr, n);
			assert_int_equal(secex_sshsig_verify(&r, sig.ptr, sig.size, c.payload.ptr,
							     c.payload.size, "git"), 0);
			assert_int_not_equal(r.status, SECEX_SIG_OK);
			memcpy(blob.ptr + k, "\x7f\xff\xff\xf0", 4);
			armour(&sig, blob.ptr, n);
			assert_int_equal(secex_sshsig_verify(&r, sig.ptr, sig.size, c.payload.ptr,
							     c.payload.size, "git"), 0);
			assert_int_not_equal(r.status, SECEX_SIG_OK);
			memcpy(blob.ptr + k, saved, 4);
		}
		/* the length of the public key field (just after magic and version) */
		memcpy(blob.ptr + 10, "\xff\xff\xff\xff", 4);
		armour(&sig, blob.ptr, n);
		verify_ssh(&r, &sig, c.payload.ptr, c.payload.size, SECEX_SIG_MALFORMED);
		expect_message(&r, "length");
		unarmour(&blob, &c.signature);
		for (k = 0; k < n; k++) {
			blob.ptr[k] ^= 0x01;
			armour(&sig, blob.ptr, n);
			assert_int_equal(secex_sshsig_verify(&r, sig.ptr, sig.size, c.payload.ptr,
							     c.payload.size, "git"), 0);
			if (r.status == SECEX_SIG_OK)
				fail_msg("%s: flipping byte %zu still verifies", ssh_types[i], k);
			blob.ptr[k] ^= 0x01;
		}
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&blob);
	secex_buf_release(&sig);
}

static void expect_key_refused(const char *line, const char *why)
{
	secex_ssh_key key = SECEX_SSH_KEY_INIT;

	assert_int_equal(secex_sshsig_key_parse(&key, line, strlen(line)), SECEX_EINVALID);
	if (!strstr(secex_error_last(), why))
		fail_msg("'%s': message '%s' does not mention '%s'", line, secex_error_last(), why);
	assert_int_equal(key.blob.size, 0);
	secex_sshsig_key_release(&key);
}

static void test_ssh_key_parse(void **state)
{
	secex_ssh_key key = SECEX_SSH_KEY_INIT, again = SECEX_SSH_KEY_INIT;
	secex_buf line = SECEX_BUF_INIT, blob = SECEX_BUF_INIT, text = SECEX_BUF_INIT;
	unsigned char b64[1024];
	char path[300], *sp;
	int n;

	(void)state;
	/* surrounding blanks and no comment are fine */
	path_of(path, sizeof(path), "keys/ed25519.pub");
	read_all(&line, path);
	assert_int_equal(secex_sshsig_key_parse(&key, line.ptr, line.size), 0);
	assert_string_equal(key.type_name, "ssh-ed25519");
	sp = strchr(strchr(line.ptr, ' ') + 1, ' ');
	assert_non_null(sp);
	assert_int_equal(secex_buf_puts(&text, "  "), 0);
	assert_int_equal(secex_buf_put(&text, line.ptr, (size_t)(sp - line.ptr)), 0);
	assert_int_equal(secex_buf_puts(&text, "\t\n"), 0);
	assert_int_equal(secex_sshsig_key_parse(&again, text.ptr, text.size), 0);
	assert_true(secex_sshsig_key_equal(&key, &again.blob));

	expect_key_refused("", "not an SSH public key");
	expect_key_refused("ssh-ed25519", "not an SSH public key");
	expect_key_refused("ssh-ed25519 AAAA!!!!", "base64");
	expect_key_refused("ssh-dss AAAAB3NzaC1kc3M=", "DSA");
	expect_key_refused("ssh-foo AAAA", "unknown SSH key type 'ssh-foo'");
	expect_key_refused("no-touch-required ssh-ed25519 AAAA", "unknown SSH key type");
	expect_key_refused("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t",
			   "security-key");
	/* the line's type must be the key's type */
	secex_buf_clear(&text);
	assert_int_equal(secex_buf_puts(&text, "ssh-rsa "), 0);
	assert_int_equal(secex_buf_puts(&text, strchr(line.ptr, ' ') + 1), 0);
	expect_key_refused(text.ptr, "is ssh-ed25519");
	/* a certificate made by ssh-keygen -s */
	must("ssh-keygen -q -s '%s/keys/ca' -I test -n test '%s/keys/ed25519.pub'", fx.dir, fx.dir);
	path_of(path, sizeof(path), "keys/ed25519-cert.pub");
	read_all(&text, path);
	expect_key_refused(text.ptr, "certificates");
	/* an ECDSA point moved off its curve */
	parse_pub(&key, "ecdsa256");
	assert_int_equal(secex_buf_put(&blob, key.blob.ptr, key.blob.size), 0);
	blob.ptr[blob.size - 1] ^= 0x01;
	n = EVP_EncodeBlock(b64, (const unsigned char *)blob.ptr, (int)blob.size);
	secex_buf_clear(&text);
	assert_int_equal(secex_buf_printf(&text, "ecdsa-sha2-nistp256 %.*s x", n, b64), 0);
	expect_key_refused(text.ptr, "not valid");
	/* ... and unchanged it is fine */
	n = EVP_EncodeBlock(b64, (const unsigned char *)key.blob.ptr, (int)key.blob.size);
	secex_buf_clear(&text);
	assert_int_equal(secex_buf_printf(&text, "ecdsa-sha2-nistp256 %.*s x", n, b64), 0);
	assert_int_equal(secex_sshsig_key_parse(&again, text.ptr, text.size), 0);
	assert_true(secex_sshsig_key_equal(&key, &again.blob));

	secex_sshsig_key_release(&key);
	secex_sshsig_key_release(&again);
	secex_buf_release(&line);
	secex_buf_release(&blob);
	secex_buf_release(&text);
}

/* OpenPGP */

static void verify_pgp(secex_sig_result *r, secex_openpgp_keyring *kr, const char *sig,
		       size_t siglen, const char *payload, size_t len, secex_sig_status want)
{
	int rc = secex_openpgp_verify(r, kr, sig, siglen, payload, len);

	if (rc != 0)
		fail_msg("secex_openpgp_verify: %d %s", rc, secex_error_last());
	if (r->status != want)
		fail_msg("status %s (%s), expected %s", secex_sig_status_name(r->status),
			 secex_buf_cstr(&r->message), secex_sig_status_name(want));
	if (want == SECEX_SIG_OK)
		assert_string_equal(secex_buf_cstr(&r->message), "");
	else
		assert_true(r->message.size > 0);
}

static secex_openpgp_keyring *keyring_of(const secex_buf *key)
{
	const char *keys[1];
	secex_openpgp_keyring *kr = NULL;

	keys[0] = key->ptr;
	assert_int_equal(secex_openpgp_keyring_new(&kr, keys, 1), 0);
	assert_non_null(kr);
	return kr;
}

static void test_openpgp_valid(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_openpgp_keyring *kr;
	secex_buf fprs = SECEX_BUF_INIT;
	size_t before = count_entries(fx.tmp);
	char want[42];

	(void)state;
	assert_int_equal(secex_openpgp_keyring_new(&kr, NULL, 0), 0);
	assert_int_equal(secex_openpgp_keyring_add(kr, fx.pgp_pub.ptr, fx.pgp_pub.size, &fprs), 0);
	assert_int_equal(secex_openpgp_keyring_add(kr, fx.pgp_sub_pub.ptr, fx.pgp_sub_pub.size,
						   &fprs), 0);
	snprintf(want, sizeof(want), "%s\n", fx.pgp_fpr);
	assert_true(strncmp(fprs.ptr, want, 41) == 0);
	assert_string_equal(fprs.ptr + 41, (snprintf(want, sizeof(want), "%s\n", fx.pgp_sub_fpr), want));

	split(&c, fx.pgp_commit.ptr);
	assert_int_equal(c.state, SECEX_COMMIT_SIGNED);
	assert_int_equal(secex_signature_detect(c.signature.ptr, c.signature.size),
			 SECEX_SIGKIND_OPENPGP);
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_OK);
	assert_string_equal(r.fingerprint.ptr, fx.pgp_fpr);
	assert_int_equal(r.key.size, 0);
	/* the signature time is the commit time, give or take the time to sign */
	assert_true(r.signed_at >= c.time - 60 && r.signed_at <= c.time + 60);
	/* through the dispatcher too */
	assert_int_equal(secex_signature_verify(&r, kr, c.signature.ptr, c.signature.size,
						c.payload.ptr, c.payload.size), 0);
	assert_int_equal(r.status, SECEX_SIG_OK);
	assert_int_equal(secex_signature_verify(&r, NULL, c.signature.ptr, c.signature.size,
						c.payload.ptr, c.payload.size), 0);
	assert_int_equal(r.status, SECEX_SIG_UNKNOWN_KEY);

	/* a signing subkey: the fingerprint that comes back is the primary key's */
	split(&c, fx.pgp_sub_commit.ptr);
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_OK);
	assert_string_equal(r.fingerprint.ptr, fx.pgp_sub_fpr);

	/* one byte changed */
	split(&c, fx.pgp_commit.ptr);
	c.payload.ptr[c.payload.size - 2] ^= 0x20;
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_BAD_SIGNATURE);
	assert_int_equal(r.fingerprint.size, 0);

	/* a key that is not in the keyring */
	split(&c, fx.pgp_other_commit.ptr);
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_UNKNOWN_KEY);
	expect_message(&r, fx.pgp_other_fpr);

	assert_int_equal(count_entries(fx.tmp), before); /* native: no files, no directory */
	secex_openpgp_keyring_free(kr);
	secex_openpgp_keyring_free(NULL);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&fprs);
}

static void test_openpgp_expired_revoked(void **state)
{
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_openpgp_keyring *kr;
	const char *keys[2];

	(void)state;
	keys[0] = fx.pgp_old_pub.ptr;
	keys[1] = fx.pgp_rev_pub.ptr;
	assert_int_equal(secex_openpgp_keyring_new(&kr, keys, 2), 0);
	verify_pgp(&r, kr, fx.old_sig.ptr, fx.old_sig.size, "payload\n", 8, SECEX_SIG_EXPIRED);
	expect_message(&r, "expired");
	verify_pgp(&r, kr, fx.rev_sig.ptr, fx.rev_sig.size, "payload\n", 8, SECEX_SIG_REVOKED);
	expect_message(&r, "revoked");
	secex_openpgp_keyring_free(kr);
	secex_sig_result_release(&r);
}

static void armour_pgp(secex_buf *out, const char *label, const void *data, size_t len)
{
	unsigned char b64[4096];
	int n;

	assert_true(len < 3000);
	n = EVP_EncodeBlock(b64, data, (int)len);
	secex_buf_clear(out);
	assert_int_equal(secex_buf_printf(out, "-----BEGIN PGP %s-----\n\n%.*s\n-----END PGP %s-----\n",
					  label, n, b64, label), 0);
}

static void test_openpgp_garbage(void **state)
{
	static const unsigned char literal[] = { 0xcb, 0x08, 'b', 0, 0, 0, 0, 0, 'h', 'i' };
	static const unsigned char junk_sig[] = { 0xc2, 0x06, 4, 0, 22, 8, 0, 0 };
	static const unsigned char partial[] = { 0xc2, 0xe1, 4, 0 };
	static const unsigned char notpgp[] = { 0x01, 0x02, 0x03 };
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_openpgp_keyring *kr = keyring_of(&fx.pgp_pub);
	secex_buf sig = SECEX_BUF_INIT, two = SECEX_BUF_INIT;
	char *p;

	(void)state;
	split(&c, fx.pgp_commit.ptr);
	verify_pgp(&r, kr, "", 0, "x", 1, SECEX_SIG_MALFORMED);
	verify_pgp(&r, kr, "-----BEGIN PGP SIGNATURE-----\n\n!!!!\n-----END PGP SIGNATURE-----\n",
		   67, "x", 1, SECEX_SIG_MALFORMED);
	armour_pgp(&sig, "SIGNATURE", notpgp, sizeof(notpgp));
	verify_pgp(&r, kr, sig.ptr, sig.size, "x", 1, SECEX_SIG_MALFORMED);
	expect_message(&r, "not OpenPGP packets");
	armour_pgp(&sig, "SIGNATURE", literal, sizeof(literal));
	verify_pgp(&r, kr, sig.ptr, sig.size, "x", 1, SECEX_SIG_MALFORMED);
	expect_message(&r, "not a detached signature");
	armour_pgp(&sig, "SIGNATURE", partial, sizeof(partial));
	verify_pgp(&r, kr, sig.ptr, sig.size, "x", 1, SECEX_SIG_MALFORMED);
	/* well framed, garbage inside: gpgv has to say no */
	armour_pgp(&sig, "SIGNATURE", junk_sig, sizeof(junk_sig));
	verify_pgp(&r, kr, sig.ptr, sig.size, c.payload.ptr, c.payload.size, SECEX_SIG_MALFORMED);
	/* a real signature with its checksum damaged, or cut short */
	secex_buf_clear(&sig);
	assert_int_equal(secex_buf_put(&sig, c.signature.ptr, c.signature.size), 0);
	p = strstr(sig.ptr, "\n=");
	assert_non_null(p);
	p[2] = p[2] == 'A' ? 'B' : 'A';
	verify_pgp(&r, kr, sig.ptr, sig.size, c.payload.ptr, c.payload.size, SECEX_SIG_MALFORMED);
	expect_message(&r, "checksum");
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size / 2, c.payload.ptr, c.payload.size,
		   SECEX_SIG_MALFORMED);
	/* two signatures in one */
	secex_buf_clear(&two);
	{
		secex_buf bin = SECEX_BUF_INIT;
		const char *q = strstr(c.signature.ptr, "\n\n") + 2, *end = strstr(q, "\n=");
		unsigned char out[2048];
		int n;

		for (; q < end; q++)
			if (*q != '\n')
				assert_int_equal(secex_buf_putc(&bin, *q), 0);
		n = EVP_DecodeBlock(out, (const unsigned char *)bin.ptr, (int)bin.size);
		n -= (bin.ptr[bin.size - 1] == '=') + (bin.ptr[bin.size - 2] == '=');
		assert_int_equal(secex_buf_put(&two, (char *)out, (size_t)n), 0);
		assert_int_equal(secex_buf_put(&two, (char *)out, (size_t)n), 0);
		armour_pgp(&sig, "SIGNATURE", two.ptr, two.size);
		verify_pgp(&r, kr, sig.ptr, sig.size, c.payload.ptr, c.payload.size,
			   SECEX_SIG_MALFORMED);
		expect_message(&r, "more than one");
		/* the same packet alone, re-armoured without a checksum, verifies */
		armour_pgp(&sig, "SIGNATURE", out, (size_t)n);
		verify_pgp(&r, kr, sig.ptr, sig.size, c.payload.ptr, c.payload.size, SECEX_SIG_OK);
		secex_buf_release(&bin);
	}
	/* an inline-signed message is not a detached signature */
	capture(&sig, "echo other | gpg --batch -u %s --sign --armor", fx.pgp_fpr);
	verify_pgp(&r, kr, sig.ptr, sig.size, "other\n", 6, SECEX_SIG_MALFORMED);
	/* X.509 and unknown kinds, through the dispatcher */
	assert_int_equal(secex_signature_verify(&r, kr, "-----BEGIN SIGNED MESSAGE-----\n", 31,
						"x", 1), 0);
	assert_int_equal(r.status, SECEX_SIG_UNSUPPORTED);
	assert_int_equal(secex_signature_verify(&r, kr, "hello", 5, "x", 1), 0);
	assert_int_equal(r.status, SECEX_SIG_MALFORMED);

	secex_openpgp_keyring_free(kr);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&sig);
	secex_buf_release(&two);
}

static void expect_pgp_key_refused(const char *text, const char *why)
{
	secex_openpgp_keyring *kr = NULL;
	const char *keys[1] = { text };

	assert_int_equal(secex_openpgp_keyring_new(&kr, keys, 1), SECEX_EINVALID);
	assert_null(kr);
	if (!strstr(secex_error_last(), why))
		fail_msg("message '%s' does not mention '%s'", secex_error_last(), why);
}

static void test_openpgp_keys(void **state)
{
	static const unsigned char secret[] = { 0xc5, 0x01, 4 };
	static const unsigned char uid_first[] = { 0xcd, 0x01, 'x' };
	secex_buf text = SECEX_BUF_INIT;
	size_t before = count_entries(fx.tmp);
	char *p;

	(void)state;
	expect_pgp_key_refused("", "found nothing");
	expect_pgp_key_refused("ssh-ed25519 AAAA", "BEGIN PGP");
	expect_pgp_key_refused(fx.pgp_secret.ptr, "SECRET");
	expect_pgp_key_refused(fx.old_sig.ptr, "found 'PGP SIGNATURE'");
	armour_pgp(&text, "PUBLIC KEY BLOCK", secret, sizeof(secret));
	expect_pgp_key_refused(text.ptr, "SECRET");
	armour_pgp(&text, "PUBLIC KEY BLOCK", uid_first, sizeof(uid_first));
	expect_pgp_key_refused(text.ptr, "does not start with a public key");
	/* damaged: checksum, one base64 character, the END line */
	secex_buf_clear(&text);
	assert_int_equal(secex_buf_put(&text, fx.pgp_pub.ptr, fx.pgp_pub.size), 0);
	p = strstr(text.ptr, "\n\n") + 10;
	*p = *p == 'A' ? 'B' : 'A';
	expect_pgp_key_refused(text.ptr, "checksum");
	*p = '%';
	expect_pgp_key_refused(text.ptr, "not base64");
	secex_buf_clear(&text);
	assert_int_equal(secex_buf_put(&text, fx.pgp_pub.ptr, fx.pgp_pub.size - 10), 0);
	expect_pgp_key_refused(text.ptr, "END");
	/* two keys in one block, and text indented as YAML would keep it: fine */
	secex_buf_clear(&text);
	for (p = fx.pgp_pub.ptr; *p; p++) {
		if (p == fx.pgp_pub.ptr || p[-1] == '\n')
			assert_int_equal(secex_buf_puts(&text, "  "), 0);
		assert_int_equal(secex_buf_putc(&text, *p), 0);
	}
	assert_int_equal(secex_buf_put(&text, fx.pgp_other_pub.ptr, fx.pgp_other_pub.size), 0);
	{
		secex_openpgp_keyring *kr = NULL;
		secex_buf fprs = SECEX_BUF_INIT;
		char want[100];

		assert_int_equal(secex_openpgp_keyring_new(&kr, NULL, 0), 0);
		assert_int_equal(secex_openpgp_keyring_add(kr, text.ptr, text.size, &fprs), 0);
		snprintf(want, sizeof(want), "%s\n%s\n", fx.pgp_fpr, fx.pgp_other_fpr);
		assert_string_equal(fprs.ptr, want);
		secex_openpgp_keyring_free(kr);
		secex_buf_release(&fprs);
	}
	assert_int_equal(count_entries(fx.tmp), before); /* refused keys left nothing either */
	secex_buf_release(&text);
}

/* Malformed packets, crafted byte by byte. */

/* The binary inside an armoured block (no checksum check: the tests damage it on purpose). */
static void pgp_unarmour(secex_buf *out, const char *text)
{
	const char *q = strstr(text, "\n\n"), *end;
	secex_buf b64 = SECEX_BUF_INIT;
	unsigned char bin[8192];
	int n;

	assert_non_null(q);
	end = strstr(q + 2, "\n=");
	if (!end)
		end = strstr(q + 2, "\n-----END");
	assert_non_null(end);
	for (q += 2; q < end; q++)
		if (*q != '\n' && *q != ' ')
			assert_int_equal(secex_buf_putc(&b64, *q), 0);
	assert_true(b64.size / 4 * 3 <= sizeof(bin));
	n = EVP_DecodeBlock(bin, (const unsigned char *)b64.ptr, (int)b64.size);
	assert_true(n > 0);
	n -= (b64.ptr[b64.size - 1] == '=') + (b64.ptr[b64.size - 2] == '=');
	secex_buf_clear(out);
	assert_int_equal(secex_buf_put(out, (const char *)bin, (size_t)n), 0);
	secex_buf_release(&b64);
}

/* A version 4 signature packet: hashed and unhashed subpacket areas, then material. */
static void craft_sig(secex_buf *out, int type, int hash, const unsigned char *hashed, size_t hlen,
		      const unsigned char *mat, size_t mlen)
{
	unsigned char body[600];
	size_t n = 0;

	assert_true(hlen + mlen + 10 < 192);
	body[n++] = 4;
	body[n++] = (unsigned char)type;
	body[n++] = 22; /* EdDSA, like alice's key */
	body[n++] = (unsigned char)hash;
	body[n++] = (unsigned char)(hlen >> 8);
	body[n++] = (unsigned char)hlen;
	memcpy(body + n, hashed, hlen);
	n += hlen;
	body[n++] = 0;
	body[n++] = 0;
	body[n++] = 0xab; /* left 16 bits of the digest */
	body[n++] = 0xcd;
	memcpy(body + n, mat, mlen);
	n += mlen;
	secex_buf_clear(out);
	assert_int_equal(secex_buf_putc(out, (char)0xc2), 0);
	assert_int_equal(secex_buf_putc(out, (char)n), 0);
	assert_int_equal(secex_buf_put(out, (const char *)body, n), 0);
}

static void expect_sig(const secex_buf *bin, secex_sig_status want, const char *needle)
{
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_buf text = SECEX_BUF_INIT;

	armour_pgp(&text, "SIGNATURE", bin->ptr, bin->size);
	assert_int_equal(secex_openpgp_verify_key(&r, fx.pgp_pub.ptr, fx.pgp_pub.size, text.ptr,
						  text.size, "payload\n", 8), 0);
	if (r.status != want || (needle && !strstr(secex_buf_cstr(&r.message), needle)))
		fail_msg("status %s (%s), expected %s with '%s'", secex_sig_status_name(r.status),
			 secex_buf_cstr(&r.message), secex_sig_status_name(want), needle ? needle : "");
	assert_int_equal(r.fingerprint.size, 0);
	secex_sig_result_release(&r);
	secex_buf_release(&text);
}

static void expect_raw_sig(const void *data, size_t len, secex_sig_status want, const char *needle)
{
	secex_buf bin = SECEX_BUF_INIT;

	assert_int_equal(secex_buf_put(&bin, data, len), 0);
	expect_sig(&bin, want, needle);
	secex_buf_release(&bin);
}

static void test_openpgp_malformed_sigs(void **state)
{
	static const unsigned char cut2[] = { 0xc2, 0xc5 };
	static const unsigned char cut4[] = { 0xc2, 0xff, 0x00, 0x00 };
	static const unsigned char old_cut[] = { 0x89, 0x01 };
	static const unsigned char huge[] = { 0xc2, 0xff, 0xff, 0xff, 0xff, 0xff, 4, 0 };
	static const unsigned char old_huge[] = { 0x8a, 0xff, 0xff, 0xff, 0xff, 4 };
	static const unsigned char partial[] = { 0xc2, 0xe1, 4, 0 };
	static const unsigned char v3[] = { 0xc2, 0x03, 3, 5, 0 };
	static const unsigned char v5[] = { 0xc2, 0x03, 5, 0, 22 };
	static const unsigned char mpis[] = { 0, 8, 0xff, 0, 8, 0xff };
	unsigned char fpr[20], sub[64];
	secex_buf bin = SECEX_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 20; i++)
		fpr[i] = (unsigned char)(secex_util_hexval(fx.pgp_fpr[2 * i]) << 4 | secex_util_hexval(fx.pgp_fpr[2 * i + 1]));
	expect_raw_sig(cut2, sizeof(cut2), SECEX_SIG_MALFORMED, "truncated");
	expect_raw_sig(cut4, sizeof(cut4), SECEX_SIG_MALFORMED, "truncated");
	expect_raw_sig(old_cut, sizeof(old_cut), SECEX_SIG_MALFORMED, "truncated");
	expect_raw_sig(huge, sizeof(huge), SECEX_SIG_MALFORMED, "truncated");
	expect_raw_sig(old_huge, sizeof(old_huge), SECEX_SIG_MALFORMED, "truncated");
	expect_raw_sig(partial, sizeof(partial), SECEX_SIG_MALFORMED, "partial");
	expect_raw_sig(v3, sizeof(v3), SECEX_SIG_MALFORMED, "version 3");
	expect_raw_sig(v5, sizeof(v5), SECEX_SIG_MALFORMED, "only version 4");

	/* subpackets: created (2), issuer fingerprint (33) naming alice */
	sub[0] = 5, sub[1] = 2, sub[2] = 0x7f, sub[3] = 0, sub[4] = 0, sub[5] = 0;
	sub[6] = 22, sub[7] = 33, sub[8] = 4;
	memcpy(sub + 9, fpr, 20);
	craft_sig(&bin, 0, 8, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_BAD_SIGNATURE, "does not verify");
	craft_sig(&bin, 0, 1, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNSUPPORTED, "MD5");
	craft_sig(&bin, 0, 3, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNSUPPORTED, "RIPEMD-160");
	craft_sig(&bin, 0x10, 8, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNSUPPORTED, "not a document signature");
	craft_sig(&bin, 0, 8, sub + 6, 23, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_MALFORMED, "no creation time");
	craft_sig(&bin, 0, 8, sub, 6, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNKNOWN_KEY, "(unnamed)");
	fpr[0] ^= 1;
	memcpy(sub + 9, fpr, 20);
	craft_sig(&bin, 0, 8, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNKNOWN_KEY, "not in the roster");
	fpr[0] ^= 1;
	memcpy(sub + 9, fpr, 20);
	/* an unknown critical subpacket (type 100), in the hashed area */
	sub[29] = 2, sub[30] = 0x80 | 100, sub[31] = 0;
	craft_sig(&bin, 0, 8, sub, 32, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_UNSUPPORTED, "critical subpacket of type 100");
	sub[30] = 100; /* the same, not critical: ignored */
	craft_sig(&bin, 0, 8, sub, 32, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_BAD_SIGNATURE, NULL);
	/* subpacket lengths: zero, past the area, a hashed area past the packet */
	sub[29] = 0;
	craft_sig(&bin, 0, 8, sub, 32, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_MALFORMED, "malformed subpacket");
	sub[29] = 9;
	craft_sig(&bin, 0, 8, sub, 32, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_MALFORMED, "malformed subpacket");
	sub[29] = 0xff;
	craft_sig(&bin, 0, 8, sub, 32, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_MALFORMED, "malformed subpacket");
	craft_sig(&bin, 0, 8, sub, 29, mpis, sizeof(mpis));
	bin.ptr[6] = 100; /* hashed length */
	expect_sig(&bin, SECEX_SIG_MALFORMED, "truncated");
	/* a creation time of the wrong size */
	sub[0] = 4;
	craft_sig(&bin, 0, 8, sub, 29, mpis, sizeof(mpis));
	expect_sig(&bin, SECEX_SIG_MALFORMED, "malformed subpacket");
	secex_buf_release(&bin);
}

static void expect_crafted_key_refused(const void *data, size_t len, const char *why)
{
	secex_buf text = SECEX_BUF_INIT;

	armour_pgp(&text, "PUBLIC KEY BLOCK", data, len);
	expect_pgp_key_refused(text.ptr, why);
	secex_buf_release(&text);
}

static void test_openpgp_malformed_keys(void **state)
{
	static const unsigned char v3[] = { 0xc6, 0x06, 3, 0, 0, 0, 0, 1 };
	static const unsigned char v5[] = { 0xc6, 0x06, 5, 0, 0, 0, 0, 22 };
	static const unsigned char v6[] = { 0xc6, 0x06, 6, 0, 0, 0, 0, 27 };
	static const unsigned char short_mpi[] = { 0xc6, 0x09, 4, 0, 0, 0, 0, 1, 0x08, 0x00, 0x01 };
	static const unsigned char cut[] = { 0xc6, 0x20, 4, 0, 0 };
	static const unsigned char partial[] = { 0xc6, 0xe1, 4, 0 };
	static const unsigned char huge[] = { 0xc6, 0xff, 0x7f, 0xff, 0xff, 0xff, 4 };
	static const unsigned char bad_ed[] = { 0xc6, 0x0f, 4, 0, 0, 0, 0, 27, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	secex_buf text = SECEX_BUF_INIT, bin = SECEX_BUF_INIT, fprs = SECEX_BUF_INIT;
	secex_openpgp_keyring *kr = NULL;
	char *p;

	(void)state;
	expect_crafted_key_refused(v3, sizeof(v3), "version 3 key");
	expect_crafted_key_refused(v5, sizeof(v5), "only version 4 keys");
	expect_crafted_key_refused(v6, sizeof(v6), "only version 4 keys");
	expect_crafted_key_refused(short_mpi, sizeof(short_mpi), "malformed");
	expect_crafted_key_refused(cut, sizeof(cut), "truncated");
	expect_crafted_key_refused(partial, sizeof(partial), "partial lengths");
	expect_crafted_key_refused(huge, sizeof(huge), "truncated");
	expect_crafted_key_refused(bad_ed, sizeof(bad_ed), "malformed");
	/* a damaged checksum line */
	assert_int_equal(secex_buf_put(&text, fx.pgp_pub.ptr, fx.pgp_pub.size), 0);
	p = strstr(text.ptr, "\n=");
	assert_non_null(p);
	p[3] = p[3] == 'A' ? 'B' : 'A';
	expect_pgp_key_refused(text.ptr, "checksum");
	/* a key without its self-signature is kept, and says why it cannot be used */
	pgp_unarmour(&bin, fx.pgp_pub.ptr);
	bin.size = 2 + (unsigned char)bin.ptr[1];
	armour_pgp(&text, "PUBLIC KEY BLOCK", bin.ptr, bin.size);
	assert_int_equal(secex_openpgp_keyring_new(&kr, NULL, 0), 0);
	assert_int_equal(secex_openpgp_keyring_add(kr, text.ptr, text.size, &fprs), 0);
	assert_int_equal(strncmp(fprs.ptr, fx.pgp_fpr, 40), 0);
	{
		secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
		secex_sig_result r = SECEX_SIG_RESULT_INIT;

		split(&c, fx.pgp_commit.ptr);
		verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr,
			   c.payload.size, SECEX_SIG_UNKNOWN_KEY);
		expect_message(&r, "no valid self-signature");
		secex_commit_release(&c);
		secex_sig_result_release(&r);
	}
	secex_openpgp_keyring_free(kr);
	secex_buf_release(&text);
	secex_buf_release(&bin);
	secex_buf_release(&fprs);
}

/* Every truncation and every byte flipped of a real key and a real signature: never a
 * crash, never a good verdict but for the original. */
static void test_openpgp_mutations(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	secex_buf key = SECEX_BUF_INIT, sig = SECEX_BUF_INIT, text = SECEX_BUF_INIT;
	secex_buf ktext = SECEX_BUF_INIT;
	size_t i, hend, uend;
	int ok = 0;

	(void)state;
	split(&c, fx.pgp_commit.ptr);
	pgp_unarmour(&key, fx.pgp_pub.ptr);
	pgp_unarmour(&sig, c.signature.ptr);
	armour_pgp(&ktext, "PUBLIC KEY BLOCK", key.ptr, key.size);
	/* a one-octet length header: the body starts at 2; the unhashed area after the hashed */
	assert_true((unsigned char)sig.ptr[1] < 192);
	hend = 2 + 6 + ((size_t)(unsigned char)sig.ptr[6] << 8 | (unsigned char)sig.ptr[7]);
	uend = hend + 2 + ((size_t)(unsigned char)sig.ptr[hend] << 8 | (unsigned char)sig.ptr[hend + 1]);
	for (i = 0; i <= sig.size; i++) {
		armour_pgp(&text, "SIGNATURE", sig.ptr, i);
		assert_int_equal(secex_openpgp_verify_key(&r, ktext.ptr, ktext.size, text.ptr, text.size,
							  c.payload.ptr, c.payload.size), 0);
		assert_true((r.status == SECEX_SIG_OK) == (i == sig.size));
	}
	for (i = 0; i < sig.size; i++) {
		sig.ptr[i] ^= 0x5a;
		armour_pgp(&text, "SIGNATURE", sig.ptr, sig.size);
		assert_int_equal(secex_openpgp_verify_key(&r, ktext.ptr, ktext.size, text.ptr, text.size,
							  c.payload.ptr, c.payload.size), 0);
		/* only the unhashed area may change: the issuer key id there is a hint */
		if (r.status == SECEX_SIG_OK && !(i >= hend + 2 && i < uend))
			fail_msg("byte %zu changed and the signature still verifies", i);
		ok += r.status == SECEX_SIG_OK;
		sig.ptr[i] ^= 0x5a;
	}
	assert_true(ok <= 10);
	armour_pgp(&text, "SIGNATURE", sig.ptr, sig.size);
	for (i = 0; i < key.size; i += 1 + (i > 200) * 3) {
		int rc;

		armour_pgp(&ktext, "PUBLIC KEY BLOCK", key.ptr, i);
		rc = secex_openpgp_verify_key(&r, ktext.ptr, ktext.size, text.ptr, text.size,
					      c.payload.ptr, c.payload.size);
		assert_true(rc == 0 || rc == SECEX_EINVALID);
		assert_true(rc != 0 || r.status != SECEX_SIG_OK || i == key.size);
		key.ptr[i] ^= 0x21;
		armour_pgp(&ktext, "PUBLIC KEY BLOCK", key.ptr, key.size);
		rc = secex_openpgp_verify_key(&r, ktext.ptr, ktext.size, text.ptr, text.size,
					      c.payload.ptr, c.payload.size);
		assert_true(rc == 0 || rc == SECEX_EINVALID);
		key.ptr[i] ^= 0x21;
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	secex_buf_release(&key);
	secex_buf_release(&sig);
	secex_buf_release(&text);
	secex_buf_release(&ktext);
}

/* Verification is native: it needs neither gpg nor gpgv, and writes no file. */
static void test_openpgp_programs(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	size_t before = count_entries(fx.tmp);
	secex_openpgp_keyring *kr;
	int i;

	(void)state;
	setenv("PATH", "/nonexistent", 1);
	kr = keyring_of(&fx.pgp_pub);
	split(&c, fx.pgp_commit.ptr);
	for (i = 0; i < 3; i++)
		verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr,
			   c.payload.size, SECEX_SIG_OK);
	split(&c, fx.pgp_other_commit.ptr);
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_UNKNOWN_KEY);
	/* a key added later counts at once */
	assert_int_equal(secex_openpgp_keyring_add(kr, fx.pgp_other_pub.ptr,
						   fx.pgp_other_pub.size, NULL), 0);
	verify_pgp(&r, kr, c.signature.ptr, c.signature.size, c.payload.ptr, c.payload.size,
		   SECEX_SIG_OK);
	assert_string_equal(r.fingerprint.ptr, fx.pgp_other_fpr);
	/* the one-key entry point gives the same verdicts */
	assert_int_equal(secex_openpgp_verify_key(&r, fx.pgp_other_pub.ptr, fx.pgp_other_pub.size,
						  c.signature.ptr, c.signature.size, c.payload.ptr,
						  c.payload.size), 0);
	assert_int_equal(r.status, SECEX_SIG_OK);
	assert_int_equal(secex_openpgp_verify_key(&r, fx.pgp_pub.ptr, fx.pgp_pub.size,
						  c.signature.ptr, c.signature.size, c.payload.ptr,
						  c.payload.size), 0);
	assert_int_equal(r.status, SECEX_SIG_UNKNOWN_KEY);
	assert_int_equal(secex_openpgp_verify_key(&r, "junk", 4, c.signature.ptr, c.signature.size,
						  c.payload.ptr, c.payload.size), SECEX_EINVALID);
	setenv("PATH", fx.old_path, 1);
	secex_openpgp_keyring_free(kr);
	assert_int_equal(count_entries(fx.tmp), before);
	secex_commit_release(&c);
	secex_sig_result_release(&r);
}

/* Agreement with git verify-commit */

typedef struct {
	secex_ssh_key ssh[NSSH];   /* the roster's SSH keys */
	secex_openpgp_keyring *kr; /* and its OpenPGP key */
	double secex_ssh, secex_pgp, git_ssh, git_pgp;
	int n_ssh, n_pgp, accepted, refused;
} roster;

/* secex's verdict: signed, verifies, and by a roster key. */
static bool secex_accepts(roster *ro, const secex_buf *raw, bool *is_ssh)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	bool ok = false;
	double t0;
	size_t i;

	*is_ssh = true;
	assert_int_equal(secex_commit_split(&c, raw->ptr, raw->size), 0);
	if (c.state == SECEX_COMMIT_SIGNED) {
		*is_ssh = secex_signature_detect(c.signature.ptr, c.signature.size) ==
			  SECEX_SIGKIND_SSH;
		t0 = now_seconds();
		assert_int_equal(secex_signature_verify(&r, ro->kr, c.signature.ptr,
							c.signature.size, c.payload.ptr,
							c.payload.size), 0);
		if (*is_ssh) {
			ro->secex_ssh += now_seconds() - t0;
			ro->n_ssh++;
		} else {
			ro->secex_pgp += now_seconds() - t0;
			ro->n_pgp++;
		}
		if (r.status == SECEX_SIG_OK && *is_ssh) {
			for (i = 0; i < NSSH; i++)
				ok = ok || secex_sshsig_key_equal(&ro->ssh[i], &r.key);
		} else if (r.status == SECEX_SIG_OK) {
			ok = strcmp(r.fingerprint.ptr, fx.pgp_fpr) == 0;
		}
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
	return ok;
}

static bool git_accepts(roster *ro, const char *id, bool is_ssh)
{
	double t0 = now_seconds();
	int rc = run_quiet("GNUPGHOME='%s' git -C '%s' -c gpg.ssh.allowedSignersFile='%s/allowed' "
			   "verify-commit %s", fx.verifyhome, fx.repo, fx.dir, id);

	if (is_ssh)
		ro->git_ssh += now_seconds() - t0;
	else
		ro->git_pgp += now_seconds() - t0;
	return rc == 0;
}

static void agree(roster *ro, const char *id, const char *what)
{
	secex_buf raw = SECEX_BUF_INIT;
	bool is_ssh, ours, theirs;

	cat_commit(&raw, id);
	ours = secex_accepts(ro, &raw, &is_ssh);
	theirs = git_accepts(ro, id, is_ssh);
	if (ours != theirs)
		fail_msg("%s (%s): secex %s it, git verify-commit %s it", what, id,
			 ours ? "accepts" : "refuses", theirs ? "accepts" : "refuses");
	if (ours)
		ro->accepted++;
	else
		ro->refused++;
	secex_buf_release(&raw);
}

/* The same commit with one byte of its message changed. */
static void tampered(char id[41], const secex_buf *raw)
{
	secex_buf copy = SECEX_BUF_INIT;

	assert_int_equal(secex_buf_put(&copy, raw->ptr, raw->size), 0);
	copy.ptr[copy.size - 2] ^= 0x20;
	hash_object(id, copy.ptr, copy.size);
	secex_buf_release(&copy);
}

/* The same commit signed by ssh-keygen for namespace "file" instead of "git". */
static void wrong_namespace(char id[41], const secex_buf *raw, const char *key)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_buf sig = SECEX_BUF_INIT, obj = SECEX_BUF_INIT;
	char path[300];
	const char *blank, *p;

	split(&c, raw->ptr);
	path_of(path, sizeof(path), "payload-diff");
	write_all(path, c.payload.ptr, c.payload.size);
	run_quiet("rm -f '%s.sig'", path);
	must("ssh-keygen -q -Y sign -f '%s/keys/%s' -n file '%s'", fx.dir, key, path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".sig");
	read_all(&sig, path);
	/* the header goes last, before the empty line, as git puts it */
	blank = strstr(c.payload.ptr, "\n\n");
	assert_non_null(blank);
	assert_int_equal(secex_buf_put(&obj, c.payload.ptr, (size_t)(blank - c.payload.ptr) + 1), 0);
	assert_int_equal(secex_buf_puts(&obj, "gpgsig "), 0);
	for (p = sig.ptr; *p; p++) {
		assert_int_equal(secex_buf_putc(&obj, *p), 0);
		if (*p == '\n' && p[1])
			assert_int_equal(secex_buf_putc(&obj, ' '), 0);
	}
	assert_int_equal(secex_buf_puts(&obj, blank + 1), 0);
	hash_object(id, obj.ptr, obj.size);
	secex_commit_release(&c);
	secex_buf_release(&sig);
	secex_buf_release(&obj);
}

static void test_differential(void **state)
{
	enum { N = 2 };
	roster ro;
	secex_buf raw = SECEX_BUF_INIT, allowed = SECEX_BUF_INIT, line = SECEX_BUF_INIT;
	char id[41], path[300];
	size_t i;
	int k;

	(void)state;
	memset(&ro, 0, sizeof(ro));
	for (i = 0; i < NSSH; i++) {
		parse_pub(&ro.ssh[i], ssh_types[i]);
		snprintf(path, sizeof(path), "%s/keys/%s.pub", fx.dir, ssh_types[i]);
		read_all(&line, path);
		assert_int_equal(secex_buf_printf(&allowed, "test@example.com %s", line.ptr), 0);
	}
	path_of(path, sizeof(path), "allowed");
	write_all(path, allowed.ptr, allowed.size);
	ro.kr = keyring_of(&fx.pgp_pub);

	for (k = 0; k < N; k++) {
		for (i = 0; i < NSSH; i++) {
			commit_ssh(&raw, id, ssh_types[i]);
			agree(&ro, id, "SSH signature");
			tampered(id, &raw);
			agree(&ro, id, "SSH signature, message changed");
			wrong_namespace(id, &raw, ssh_types[i]);
			agree(&ro, id, "SSH signature for namespace 'file'");
		}
		commit_ssh(&raw, id, "other");
		agree(&ro, id, "SSH key not in allowed_signers");
		commit_ssh(&raw, id, "rsa1024");
		tampered(id, &raw);
		agree(&ro, id, "RSA-1024 signature, message changed");
		commit_pgp(&raw, id, fx.pgp_fpr);
		agree(&ro, id, "OpenPGP signature");
		tampered(id, &raw);
		agree(&ro, id, "OpenPGP signature, message changed");
		commit_pgp(&raw, id, fx.pgp_other_fpr);
		agree(&ro, id, "OpenPGP key not in the keyring");
		commit_pgp(&raw, id, fx.pgp_sub_fpr);
		agree(&ro, id, "OpenPGP subkey not in the keyring");
		must("cd '%s' && git commit -q --allow-empty -m unsigned", fx.repo);
		head_id(id);
		agree(&ro, id, "unsigned commit");
	}
	assert_int_equal(ro.accepted, N * (NSSH + 1));
	assert_true(ro.refused >= N * (2 * NSSH + 5));
	fprintf(stderr, "timing: SSH: secex %.0f us per verification, git verify-commit %.1f ms "
		"(%.0fx); OpenPGP: secex %.1f ms, git verify-commit %.1f ms\n",
		ro.secex_ssh / ro.n_ssh * 1e6, ro.git_ssh / ro.n_ssh * 1e3,
		ro.git_ssh / ro.secex_ssh, ro.secex_pgp / ro.n_pgp * 1e3,
		ro.git_pgp / ro.n_pgp * 1e3);

	for (i = 0; i < NSSH; i++)
		secex_sshsig_key_release(&ro.ssh[i]);
	secex_openpgp_keyring_free(ro.kr);
	secex_buf_release(&raw);
	secex_buf_release(&allowed);
	secex_buf_release(&line);
}

/* Many verifications of one commit per key type, for the record. */
static void test_speed(void **state)
{
	secex_signed_commit c = SECEX_SIGNED_COMMIT_INIT;
	secex_sig_result r = SECEX_SIG_RESULT_INIT;
	double t0;
	size_t i;
	int k, n = 200;

	(void)state;
	for (i = 0; i < NSSH; i++) {
		split(&c, fx.ssh_commit[i].ptr);
		t0 = now_seconds();
		for (k = 0; k < n; k++) {
			assert_int_equal(secex_sshsig_verify(&r, c.signature.ptr, c.signature.size,
							     c.payload.ptr, c.payload.size, "git"), 0);
			assert_int_equal(r.status, SECEX_SIG_OK);
		}
		fprintf(stderr, "timing: %-9s %6.0f us per verification\n", ssh_types[i],
			(now_seconds() - t0) / n * 1e6);
	}
	secex_commit_release(&c);
	secex_sig_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_unsigned),
		cmocka_unit_test(test_split_signed),
		cmocka_unit_test(test_split_malformed),
		cmocka_unit_test(test_split_truncated),
		cmocka_unit_test(test_split_signature_in_message),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_ssh_valid),
		cmocka_unit_test(test_ssh_tampered),
		cmocka_unit_test(test_ssh_wrong_namespace),
		cmocka_unit_test(test_ssh_other_key),
		cmocka_unit_test(test_ssh_rsa1024),
		cmocka_unit_test(test_sshsig_crafted),
		cmocka_unit_test(test_sshsig_armour),
		cmocka_unit_test(test_sshsig_mutations),
		cmocka_unit_test(test_ssh_key_parse),
		cmocka_unit_test(test_openpgp_valid),
		cmocka_unit_test(test_openpgp_expired_revoked),
		cmocka_unit_test(test_openpgp_garbage),
		cmocka_unit_test(test_openpgp_keys),
		cmocka_unit_test(test_openpgp_malformed_sigs),
		cmocka_unit_test(test_openpgp_malformed_keys),
		cmocka_unit_test(test_openpgp_mutations),
		cmocka_unit_test(test_openpgp_programs),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
