// SPDX-License-Identifier: GPL-2.0
/*
 * fork() after mmap(MAP_POPULATE): the pages are present in both processes, and copy-on-write
 * keeps them apart both ways: the child's writes never show in the parent, nor the parent's in
 * the child. Anonymous and a MAP_PRIVATE file mapping (memfd).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"

#define NPAGES 64

/* Every page of p holds the byte v? */
static int all(const char *p, long page, char v)
{
	for (int i = 0; i < NPAGES; i++)
		if (p[(long)i * page] != v || p[(long)i * page + page - 1] != v)
			return 0;
	return 1;
}

static void fill(char *p, long page, char v)
{
	for (int i = 0; i < NPAGES; i++)
		memset(p + (long)i * page, v, page);
}

static void check(const char *what, char *p, long page)
{
	int up[2], down[2], status;
	char c = 0;
	pid_t pid;
	long r;

	r = resident_pages(p, NPAGES * page);
	tap_result(r == NPAGES, "%s: MAP_POPULATE made %ld of %d pages resident", what, r, NPAGES);
	fill(p, page, 'P');
	if (pipe(up) || pipe(down)) {
		tap_result(0, "%s: pipe: %s", what, strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* Child: sees the parent's data, writes its own, then waits for the parent's write. */
		int ok = all(p, page, 'P') && resident_pages(p, NPAGES * page) == NPAGES;

		fill(p, page, 'C');
		ok = ok && all(p, page, 'C');
		if (write(up[1], "w", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(2);
		_exit(ok && all(p, page, 'C') ? 0 : 1);
	}
	if (pid < 0) {
		tap_result(0, "%s: fork: %s", what, strerror(errno));
		return;
	}
	/* Parent: after the child wrote, our copy is unchanged; then write ours, let it check. */
	if (read(up[0], &c, 1) != 1)
		c = 0;
	tap_result(c == 'w' && all(p, page, 'P'), "%s: the child's writes do not show in the parent", what);
	fill(p, page, 'Q');
	if (write(down[1], "x", 1) != 1)
		c = 0;
	waitpid(pid, &status, 0);
	tap_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "%s: the child saw the populated data, and not the parent's later writes (status %#x)",
		   what, status);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;
	int fd;

	tap_plan(6);
	p = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		tap_result(0, "anonymous mmap(MAP_POPULATE): %s", strerror(errno));
		tap_exit();
	}
	check("anonymous", p, page);

	fd = memfd_create("cow", 0);
	if (fd < 0 || ftruncate(fd, NPAGES * page)) {
		tap_skip("memfd_create/ftruncate: %s", strerror(errno));
		tap_skip("no memfd");
		tap_skip("no memfd");
		tap_exit();
	}
	p = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		tap_result(0, "memfd MAP_PRIVATE mmap(MAP_POPULATE): %s", strerror(errno));
		tap_exit();
	}
	check("memfd MAP_PRIVATE", p, page);
	tap_exit();
}
