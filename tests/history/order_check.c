/*
 * Test driver: the walk's order against libgit2's. usage: order_check REPOSITORY REV
 * Prints "same N" when secex's order of the commits reachable from REV (secex_order_list)
 * is the one git_revwalk gives with GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE, else where
 * they first differ, and exits 1.
 */

#include <stdio.h>
#include <string.h>
#include <git2.h>
#include "secex.h"

static int libgit2_order(secex_buf *out, const char *path, const char *rev)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	git_object *obj = NULL;
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = -1;

	if (git_repository_open(&repo, path) == 0 && git_revparse_single(&obj, repo, rev) == 0 &&
	    git_revwalk_new(&walk, repo) == 0 && git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) == 0 &&
	    git_revwalk_push(walk, git_object_id(obj)) == 0) {
		rc = 0;
		while (rc == 0 && git_revwalk_next(&oid, walk) == 0) {
			git_oid_tostr(hex, sizeof(hex), &oid);
			rc = secex_buf_printf(out, "%s\n", hex);
		}
	}
	git_revwalk_free(walk);
	git_object_free(obj);
	git_repository_free(repo);
	return rc;
}

int main(int argc, char **argv)
{
	secex_buf mine = SECEX_BUF_INIT, theirs = SECEX_BUF_INIT;
	secex_repo *repo = NULL;
	size_t i, line = 1;
	int status = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: order_check REPOSITORY REV\n");
		return 2;
	}
	git_libgit2_init();
	if (secex_repo_open(&repo, argv[1], NULL) < 0 || secex_order_list(&mine, repo, argv[2]) < 0 ||
	    libgit2_order(&theirs, argv[1], argv[2]) < 0) {
		fprintf(stderr, "order_check: %s\n", secex_error_last());
		return 2;
	}
	for (i = 0; i < mine.size && i < theirs.size && mine.ptr[i] == theirs.ptr[i]; i++)
		line += mine.ptr[i] == '\n';
	if (mine.size == theirs.size && i == mine.size) {
		printf("same %zu\n", line - 1);
		status = 0;
	} else {
		printf("differ at commit %zu (of %zu bytes against %zu)\n", line, mine.size, theirs.size);
	}
	secex_buf_release(&mine);
	secex_buf_release(&theirs);
	secex_repo_free(repo);
	git_libgit2_shutdown();
	return status;
}
