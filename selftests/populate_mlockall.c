// SPDX-License-Identifier: GPL-2.0
/*
 * mlockall(MCL_FUTURE), then let the heap grow the ways a real process does: malloc's mmap, brk
 * through malloc, sbrk, a plain mmap. Each new range must be populated (mincore) without being
 * touched. After munlockall() a new mapping must not be.
 */
#include <stdint.h>
#include "tap.h"

#define PAGES(n) ((size_t)(n) * page)

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *before, *after, *p;
	size_t len;
	long r;
	int i;

	tap_plan(6);
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		tap_result(0, "mlockall(MCL_CURRENT | MCL_FUTURE): %s", strerror(errno));
		tap_exit();
	}
	tap_result(1, "mlockall(MCL_CURRENT | MCL_FUTURE)");

	/* Above M_MMAP_THRESHOLD (128 KiB): malloc maps it. */
	len = PAGES(1024);
	p = malloc(len);
	r = p ? resident_pages((void *)((uintptr_t)p & ~(page - 1)), len) : -1;
	tap_result(r >= 1024, "malloc(4 MiB) is populated: %ld of 1024 pages resident", r);

	/* Small blocks: malloc grows the brk heap. */
	before = sbrk(0);
	for (i = 0; i < 4096 && (char *)sbrk(0) - before < (long)PAGES(64); i++)
		if (!malloc(1000))
			break;
	after = sbrk(0);
	len = after - before;
	r = len ? resident_pages(before, len) : -1;
	tap_result(len && r == (long)(len / page),
		   "malloc's brk growth is populated: %ld of %zu pages resident", r, len / page);

	before = sbrk(PAGES(32));
	r = before != (void *)-1 ? resident_pages(before, PAGES(32)) : -1;
	tap_result(r == 32, "sbrk(32 pages) is populated: %ld of 32 resident", r);

	p = mmap(NULL, PAGES(64), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = p != MAP_FAILED ? resident_pages(p, PAGES(64)) : -1;
	tap_result(r == 64, "mmap() without MAP_POPULATE is populated: %ld of 64 resident", r);

	munlockall();
	p = mmap(NULL, PAGES(64), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = p != MAP_FAILED ? resident_pages(p, PAGES(64)) : -1;
	tap_result(r == 0, "after munlockall() a new mmap() is not populated: %ld of 64 resident", r);
	tap_exit();
}
