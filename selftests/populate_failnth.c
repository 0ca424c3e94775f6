// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/thread-self/fail-nth sweeps: for n = 1, 2, ... make the n-th fault-injection point
 * that one mmap(MAP_POPULATE) call (then one mlock() call) passes fail, until the call completes
 * with nothing injected. Every point is hit once. Each outcome must be clean: the call succeeds
 * with a fully usable range, or fails with ENOMEM/EAGAIN and leaves no new mapping behind; and
 * the process goes on working.
 *
 * fail-nth ignores probability and task-filter, but each fault attr has its own filters first:
 * failslab and fail_page_alloc skip GFP_KERNEL (ignore-gfp-wait) and order 0 (min-order) by
 * default, which is nearly every allocation on this path; they are cleared here.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "../kselftest_harness.h"
#include "populate_util.h"

#define NPAGES 16
#define MAX_N 5000

static const char *const knobs[][2] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	{ "/sys/kernel/debug/fail_gup_fault/verbose", "0" },
	{ "/sys/kernel/debug/fail_gup_retry/verbose", "0" },
};

static long page;
static int nth_fd;

static int count_maps(void)
{
	char buf[4096];
	int fd = open("/proc/self/maps", O_RDONLY), lines = 0;
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	if (fd >= 0)
		close(fd);
	return lines;
}

/* Arm fail-nth for the next call: the writes go straight to the syscall. */
static int arm(int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%d", n);

	return pwrite(nth_fd, s, len, 0) == len ? 0 : -1;
}

/* 0 if the armed point was hit (a fault injected); otherwise disarm and return the rest. */
static int injected(void)
{
	char s[16] = "";
	ssize_t n = pread(nth_fd, s, sizeof(s) - 1, 0);
	int left = n > 0 ? atoi(s) : -1;

	if (left)
		pwrite(nth_fd, "0", 1, 0);
	return left;
}

/* The range is usable: every page can be written and read back. */
static int usable(char *p)
{
	for (int i = 0; i < NPAGES; i++)
		p[(long)i * page] = (char)i;
	for (int i = 0; i < NPAGES; i++)
		if (p[(long)i * page] != (char)i)
			return 0;
	return 1;
}

/*
 * For n = 1, 2, ...: fail the n-th injection point that one mmap(MAP_POPULATE) passes, until the
 * call completes with nothing injected. Returns the bad outcomes; *points the points hit.
 */
static int sweep_mmap(int *points)
{
	int n, hits = 0, bad = 0, maps = count_maps();
	char *p;

	for (n = 1; n <= MAX_N; n++) {
		if (arm(n))
			return -1;
		p = (char *)syscall(SYS_mmap, NULL, NPAGES * page, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		int e = errno;
		if (injected())
			break;
		hits++;
		if (p == MAP_FAILED) {
			if ((e != ENOMEM && e != EAGAIN) || count_maps() != maps) {
				bad++;
				printf("# n=%d: mmap failed with %s, %d maps before, %d after\n",
				       n, strerror(e), maps, count_maps());
			}
			continue;
		}
		if (!usable(p)) {
			bad++;
			printf("# n=%d: mmap succeeded but the range is not usable\n", n);
		}
		munmap(p, NPAGES * page);
	}
	*points = hits;
	return n > MAX_N ? -1 : bad;
}

/* The same for mlock() of a fresh mapping: success populates all of it, failure is clean. */
static int sweep_mlock(int *points)
{
	int n, hits = 0, bad = 0;
	char *p;

	for (n = 1; n <= MAX_N; n++) {
		p = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || arm(n))
			return -1;
		long r = syscall(SYS_mlock, p, NPAGES * page);
		int e = errno;
		int left = injected();

		if (!left) {
			hits++;
			if (r && e != ENOMEM && e != EAGAIN) {
				bad++;
				printf("# n=%d: mlock failed with %s\n", n, strerror(e));
			}
		}
		if (!r && resident_pages(p, NPAGES * page) != NPAGES) {
			bad++;
			printf("# n=%d: mlock succeeded but only %ld of %d pages are resident\n",
			       n, resident_pages(p, NPAGES * page), NPAGES);
		}
		if (munlock(p, NPAGES * page) || !usable(p) || munmap(p, NPAGES * page)) {
			bad++;
			printf("# n=%d: munlock/use/munmap after mlock failed\n", n);
		}
		if (left)
			break;
	}
	*points = hits;
	return n > MAX_N ? -1 : bad;
}

FIXTURE(fail_nth) {};

FIXTURE_SETUP(fail_nth)
{
	unsigned int i;

	page = sysconf(_SC_PAGESIZE);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
	if (access("/sys/kernel/debug/failslab", F_OK) &&
	    access("/sys/kernel/debug/fail_page_alloc", F_OK))
		SKIP(return, "neither failslab nor fail_page_alloc in debugfs: nothing to fail");
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		write_file(knobs[i][0], knobs[i][1]);
}

FIXTURE_TEARDOWN(fail_nth) {}

/* Then, with nothing armed, the same call populates every page: the sweep left no damage. */
TEST_F(fail_nth, mmap_populate_fails_cleanly_or_populates_at_each_injection_point)
{
	int points = 0;
	char *p;

	EXPECT_EQ(0, sweep_mmap(&points)) TH_LOG("-1: the sweep did not complete");
	EXPECT_LT(1, points);
	TH_LOG("%d injection points", points);
	p = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(NPAGES, resident_pages(p, NPAGES * page)) TH_LOG("after the sweep");
	EXPECT_TRUE(usable(p));
}

TEST_F(fail_nth, mlock_fails_cleanly_or_populates_at_each_injection_point)
{
	int points = 0;

	EXPECT_EQ(0, sweep_mlock(&points)) TH_LOG("-1: the sweep did not complete");
	EXPECT_LT(1, points);
	TH_LOG("%d injection points", points);
}

TEST_HARNESS_MAIN
