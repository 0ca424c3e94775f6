// SPDX-License-Identifier: GPL-2.0
/*
 * One thread's mmap(MAP_POPULATE) sleeps in an injected fail_gup_retry delay (GUP dropped
 * mmap_lock and sleeps delay-us before it retries) while another thread changes the range under
 * it: munmap of the upper half, then a new mapping there; or munmap of all of it. The populating
 * mmap() must still return its address, the lower half must end fully populated and usable, and
 * the kernel must stay quiet (the runner checks its log). Needs /sys/kernel/debug/fail_gup_retry.
 *
 * That the change ran while the population slept is proven, not assumed: the change starts only
 * once an injection was counted, and its munmap() (which takes mmap_lock for writing) completes
 * before the populating mmap() returns. Anonymous population drops mmap_lock nowhere but in the
 * injected retry, so the munmap() ran in one. The injections before the change and in all are
 * logged (one, then one per page still mapped: 64 with the upper half remapped).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include "../kselftest_harness.h"
#include "populate_util.h"

#define DBG "/sys/kernel/debug/fail_gup_retry/"
#define NPAGES 64
#define DELAY_US "20000"	/* two jiffies at HZ=100 */
/* Each injection decrements times: the injections are what was used of this budget. */
#define BUDGET 1000000
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const knobs[][2] = {
	{ DBG "probability", "100" }, { DBG "interval", "1" }, { DBG "times", STR(BUDGET) },
	{ DBG "task-filter", "Y" }, { DBG "verbose", "0" }, { DBG "delay-us", DELAY_US },
};

static long page;
static char *base;
static char *volatile result;
static volatile int returned;

/* Read a small file into buf (NUL-terminated, trailing newline cut); 0 or -errno. */
static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static long injected(void)
{
	char s[32];

	return read_file(DBG "times", s, sizeof(s)) ? -1 : BUDGET - atol(s);
}

static void *populate(void *arg)
{
	(void)arg;
	/* Only this thread is failed (task-filter): it is the one that sleeps. */
	write_file("/proc/thread-self/make-it-fail", "1");
	result = mmap(base, NPAGES * page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	__atomic_store_n(&returned, 1, __ATOMIC_SEQ_CST);
	write_file("/proc/thread-self/make-it-fail", "0");
	return NULL;
}

FIXTURE(race) {
	char saved[ARRAY_SIZE(knobs)][32];
};

FIXTURE_SETUP(race)
{
	unsigned int i;

	page = sysconf(_SC_PAGESIZE);
	if (access(DBG, F_OK))
		SKIP(return, "no " DBG " (fail_gup_retry not in this kernel)");
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ASSERT_EQ(0, read_file(knobs[i][0], self->saved[i], sizeof(self->saved[i])));
		ASSERT_EQ(0, write_file(knobs[i][0], knobs[i][1])) TH_LOG("%s", knobs[i][0]);
	}
	/* A reserved hole the populating mmap(MAP_FIXED) lands in: the other thread knows where. */
	base = mmap(NULL, NPAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, base);
}

FIXTURE_TEARDOWN(race)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		write_file(knobs[i][0], self->saved[i]);
}

/*
 * Start the populating thread, wait until it sleeps in an injected retry, run change(), and
 * prove the order: change() completed before the mmap() returned.
 */
static void race(struct __test_metadata *_metadata, int (*change)(void))
{
	long before = injected(), at_change, after;
	int i, returned_before_change;
	pthread_t t;

	result = NULL;
	returned = 0;
	ASSERT_LE(0, before);
	ASSERT_EQ(0, pthread_create(&t, NULL, populate, NULL));
	/* Up to 2 s: usleep() has jiffy (10 ms) resolution on UML. */
	for (i = 0; i < 200 && injected() == before; i++)
		usleep(10000);
	at_change = injected();
	EXPECT_LT(before, at_change) TH_LOG("the population was never injected a retry");
	EXPECT_EQ(0, change()) TH_LOG("the change failed: %s", strerror(errno));
	returned_before_change = __atomic_load_n(&returned, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, pthread_join(t, NULL));
	after = injected();
	EXPECT_FALSE(returned_before_change)
		TH_LOG("mmap(MAP_POPULATE) returned before the change completed: no race");
	EXPECT_EQ(base, result);
	TH_LOG("injections: %ld before the change, %ld in all", at_change - before, after - before);
}

/* Population resumes after the change: the upper half is a new mapping it also populates. */
static int unmap_upper_and_remap(void)
{
	char *upper = base + NPAGES / 2 * page;

	return munmap(upper, NPAGES / 2 * page) ||
	       mmap(upper, NPAGES / 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		    -1, 0) != upper;
}

static int unmap_all(void)
{
	return munmap(base, NPAGES * page);
}

TEST_F(race, mmap_populate_returns_its_address_when_the_upper_half_is_unmapped_while_it_sleeps)
{
	race(_metadata, unmap_upper_and_remap);
}

/* The population went on after the sleep and finished the range that is still there. */
TEST_F(race, the_lower_half_ends_fully_populated_when_the_upper_half_is_unmapped_while_it_sleeps)
{
	long j;

	race(_metadata, unmap_upper_and_remap);
	EXPECT_EQ(NPAGES / 2, resident_pages(base, NPAGES / 2 * page));
	for (j = 0; j < NPAGES / 2; j++)
		base[j * page] = 1;
}

TEST_F(race, mmap_populate_returns_its_address_when_all_of_it_is_unmapped_while_it_sleeps)
{
	race(_metadata, unmap_all);
}

TEST_F(race, mmap_populate_populates_every_page_after_an_unmap_race)
{
	char *p;

	race(_metadata, unmap_all);
	ASSERT_EQ(0, write_file(DBG "probability", "0"));
	p = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(NPAGES, resident_pages(p, NPAGES * page));
}

TEST_HARNESS_MAIN
