// SPDX-License-Identifier: GPL-2.0
/*
 * fork() after mmap(MAP_POPULATE): the pages are present in both processes, and copy-on-write
 * keeps them apart both ways: the child's writes never show in the parent, nor the parent's in
 * the child. Anonymous and a MAP_PRIVATE file mapping (memfd).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>
#include "../kselftest_harness.h"
#include "populate_util.h"

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

FIXTURE(populated) {
	long page;
	char *p;
};

FIXTURE_VARIANT(populated) {
	bool memfd;
};

FIXTURE_VARIANT_ADD(populated, anonymous) { .memfd = false };
FIXTURE_VARIANT_ADD(populated, memfd_private) { .memfd = true };

FIXTURE_SETUP(populated)
{
	int fd = -1;

	self->page = sysconf(_SC_PAGESIZE);
	if (variant->memfd) {
		fd = memfd_create("cow", 0);
		if (fd < 0)
			SKIP(return, "memfd_create: %s", strerror(errno));
		ASSERT_EQ(0, ftruncate(fd, NPAGES * self->page));
	}
	self->p = mmap(NULL, NPAGES * self->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_POPULATE | (fd < 0 ? MAP_ANONYMOUS : 0), fd, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap(MAP_POPULATE): %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

FIXTURE_TEARDOWN(populated)
{
	if (self->p && self->p != MAP_FAILED)
		munmap(self->p, NPAGES * self->page);
}

/*
 * Fill with 'P', fork; the child checks it sees 'P' on every resident page, writes 'C', tells the
 * parent, waits until the parent wrote 'Q', and exits 0 if it still sees its own 'C'. Returns
 * whether the parent still saw 'P' after the child's write; *status is the child's.
 */
static bool cow_both_ways(struct __test_metadata *_metadata, char *p, long page, int *status)
{
	int up[2], down[2];
	bool parent_ok;
	char c = 0;
	pid_t pid;

	fill(p, page, 'P');
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ok = all(p, page, 'P') && resident_pages(p, NPAGES * page) == NPAGES;

		fill(p, page, 'C');
		ok = ok && all(p, page, 'C');
		if (write(up[1], "w", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(2);
		_exit(ok && all(p, page, 'C') ? 0 : 1);
	}
	if (read(up[0], &c, 1) != 1)
		c = 0;
	parent_ok = c == 'w' && all(p, page, 'P');
	fill(p, page, 'Q');
	EXPECT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, status, 0));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	return parent_ok;
}

TEST_F(populated, mapping_is_resident_before_any_access)
{
	EXPECT_EQ(NPAGES, resident_pages(self->p, NPAGES * self->page));
}

TEST_F(populated, child_writes_do_not_show_in_the_parent)
{
	int status;

	EXPECT_TRUE(cow_both_ways(_metadata, self->p, self->page, &status));
}

TEST_F(populated, child_sees_the_populated_data_and_not_the_parents_later_writes)
{
	int status = -1;

	cow_both_ways(_metadata, self->p, self->page, &status);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);
}

TEST_HARNESS_MAIN
