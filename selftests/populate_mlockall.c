// SPDX-License-Identifier: GPL-2.0
/*
 * mlockall(MCL_FUTURE), then let the heap grow the ways a real process does: malloc's mmap, brk
 * through malloc, sbrk, a plain mmap. Each new range must be populated (mincore) without being
 * touched. After munlockall() a new mapping must not be.
 */
#include <stdint.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "populate_util.h"

#define PAGES(n) ((size_t)(n) * page)

FIXTURE(locked) {
	long page;
};

FIXTURE_SETUP(locked)
{
	self->page = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE)) TH_LOG("mlockall: %s", strerror(errno));
}

FIXTURE_TEARDOWN(locked)
{
	munlockall();
}

/* Above M_MMAP_THRESHOLD (128 KiB): malloc maps it. */
TEST_F(locked, malloc_of_4_mib_is_populated)
{
	long page = self->page;
	char *p = malloc(PAGES(1024));

	ASSERT_NE(NULL, p);
	EXPECT_EQ(1024, resident_pages((void *)((uintptr_t)p & ~(page - 1)), PAGES(1024)));
}

/* Small blocks: malloc grows the brk heap. */
TEST_F(locked, malloc_growing_the_brk_heap_is_populated)
{
	long page = self->page;
	char *before = sbrk(0), *after;
	int i;

	for (i = 0; i < 4096 && (char *)sbrk(0) - before < (long)PAGES(64); i++)
		ASSERT_NE(NULL, malloc(1000));
	after = sbrk(0);
	ASSERT_LT(before, after);
	EXPECT_EQ((after - before) / page, resident_pages(before, after - before));
}

TEST_F(locked, sbrk_of_32_pages_is_populated)
{
	long page = self->page;
	char *p = sbrk(PAGES(32));

	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(32, resident_pages(p, PAGES(32)));
}

TEST_F(locked, mmap_without_map_populate_is_populated)
{
	long page = self->page;
	char *p = mmap(NULL, PAGES(64), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(64, resident_pages(p, PAGES(64)));
}

TEST_F(locked, mmap_after_munlockall_is_not_populated)
{
	long page = self->page;
	char *p;

	ASSERT_EQ(0, munlockall());
	p = mmap(NULL, PAGES(64), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, resident_pages(p, PAGES(64)));
}

TEST_HARNESS_MAIN
