/* Delivering the digest: an HTTP(S) POST of Slack message JSON to a webhook, and one message
 * over SMTP. The only code in secex that uses the network, and the only user of libcurl. */

#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "secex/report.h"
#include "secex/banned.h"

#define ANSWER_MAX 300 /* bytes of a server's answer kept for the message */

typedef struct {
	const char *data;
	size_t len, pos;
} reader;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	reader *r = userdata;
	size_t n = size * nitems;

	if (n > r->len - r->pos)
		n = r->len - r->pos;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return n;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	secex_buf *answer = userdata;
	size_t n = size * nmemb, room = answer->size < ANSWER_MAX ? ANSWER_MAX - answer->size : 0;

	if (room && secex_buf_put(answer, ptr, n < room ? n : room) < 0)
		return 0;
	return n;
}

static bool scheme(const char *url, const char *a, const char *b)
{
	return strncasecmp(url, a, strlen(a)) == 0 || strncasecmp(url, b, strlen(b)) == 0;
}

static int start(CURL **out, const char *protocols, long timeout, char *errbuf)
{
	if (!(*out = curl_easy_init()))
		return secex_error_set(SECEX_ENOMEM, "libcurl could not start: out of memory");
	errbuf[0] = '\0';
	if (curl_easy_setopt(*out, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK ||
	    curl_easy_setopt(*out, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(*out, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(*out, CURLOPT_TIMEOUT, timeout) != CURLE_OK ||
	    curl_easy_setopt(*out, CURLOPT_CONNECTTIMEOUT, timeout) != CURLE_OK ||
	    curl_easy_setopt(*out, CURLOPT_USERAGENT, "secex") != CURLE_OK)
		return secex_error_set(SECEX_ERROR, "this libcurl lacks an option secex needs (%s); it needs 7.85 or later",
				       curl_version());
	return 0;
}

/* The failure of a transfer, in words: curl's reason, and the server's last answer if any. */
static int failed(CURLcode res, const char *errbuf, const char *what)
{
	return secex_error_set(SECEX_EIO, "could not %s: %s", what, *errbuf ? errbuf : curl_easy_strerror(res));
}

static int http_status(CURL *c, secex_buf *answer)
{
	long code = 0;
	size_t i, len = answer->size;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)answer->ptr[i] < 0x20)
			answer->ptr[i] = ' ';
	return secex_error_set(SECEX_EIO, "the webhook answered HTTP %ld%s%.*s; check that the webhook URL is "
			       "current and that the app may post to its channel", code, len ? ": " : "", (int)len,
			       len ? answer->ptr : "");
}

int secex_report_post_json(const char *url, const char *body, size_t len, long timeout)
{
	char errbuf[CURL_ERROR_SIZE];
	secex_buf answer = SECEX_BUF_INIT;
	struct curl_slist *headers = NULL;
	CURL *c = NULL;
	CURLcode res;
	int rc;

	if (!scheme(url, "http://", "https://"))
		return secex_error_set(SECEX_EINVALID, "the webhook URL must start with https:// (or http://)");
	if ((rc = start(&c, "http,https", timeout, errbuf)) < 0)
		goto cleanup;
	if (!(headers = curl_slist_append(NULL, "Content-Type: application/json"))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	if ((res = curl_easy_perform(c)) != CURLE_OK)
		rc = failed(res, errbuf, "post to the webhook");
	else
		rc = http_status(c, &answer);
cleanup:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	secex_buf_release(&answer);
	return rc;
}

static int smtp_failed(CURL *c, CURLcode res, const char *errbuf)
{
	long code = 0;

	if (res == CURLE_USE_SSL_FAILED)
		return secex_error_set(SECEX_EIO, "the mail server does not offer STARTTLS, and secex sends "
				       "neither mail nor credentials in clear; use smtps://, a server with STARTTLS, "
				       "or --smtp-insecure for a server on a trusted network");
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 400)
		return secex_error_set(SECEX_EIO, "the mail server refused the message (SMTP %ld): %s", code,
				       *errbuf ? errbuf : curl_easy_strerror(res));
	return failed(res, errbuf, "send the message");
}

int secex_report_send_mail(const char *url, const char *from_addr, const char *to_addr, const char *message,
			   size_t len, long timeout, bool allow_plain)
{
	char errbuf[CURL_ERROR_SIZE];
	secex_buf from = SECEX_BUF_INIT, to = SECEX_BUF_INIT;
	struct curl_slist *rcpt = NULL;
	reader r = { message, len, 0 };
	CURL *c = NULL;
	CURLcode res;
	int rc;

	if (!scheme(url, "smtp://", "smtps://"))
		return secex_error_set(SECEX_EINVALID, "the mail server URL must start with smtp:// or smtps://");
	if ((rc = start(&c, "smtp,smtps", timeout, errbuf)) < 0 ||
	    (rc = secex_buf_printf(&from, "<%s>", from_addr)) < 0 || (rc = secex_buf_printf(&to, "<%s>", to_addr)) < 0)
		goto cleanup;
	if (!(rcpt = curl_slist_append(NULL, to.ptr))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.ptr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	/* TRY would go on in clear when STARTTLS is missing from the server's answer, which
	 * anyone on the path can strip */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(allow_plain ? CURLUSESSL_TRY : CURLUSESSL_ALL));
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	if ((res = curl_easy_perform(c)) != CURLE_OK)
		rc = smtp_failed(c, res, errbuf);
cleanup:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	secex_buf_release(&from);
	secex_buf_release(&to);
	return rc;
}
