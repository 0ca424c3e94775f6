// SPDX-License-Identifier: GPL-2.0
/*
 * One thread's mmap(MAP_POPULATE) is paused in an injected fail_gup_retry sleep (GUP dropped
 * mmap_lock and sleeps delay-us before it retries) while another thread changes the range
 * under it: munmap of the upper half, then a new mapping there; then munmap of all of it.
 * The populating mmap() must still return its address, the survivors must be usable, and the
 * kernel must stay quiet (the runner checks its log). Needs /sys/kernel/debug/fail_gup_retry.
 */
#include <pthread.h>
#include <sys/mman.h>
#include "tap.h"

#define DBG "/sys/kernel/debug/fail_gup_retry/"
#define NPAGES 64
#define DELAY_US "20000"	/* two jiffies at HZ=100 */
/* Each injection decrements times: the injections are what was used of this budget. */
#define BUDGET 1000000
#define STR_(x) #x
#define STR(x) STR_(x)

static long page;
static char *base;
static char *volatile result;

static long injected(void)
{
	char s[32];

	return read_file(DBG "times", s, sizeof(s)) ? -1 : BUDGET - atol(s);
}

static void *populate(void *arg)
{
	(void)arg;
	/* Only this thread is failed (task-filter): it is the one that waits. */
	write_file("/proc/thread-self/make-it-fail", "1");
	result = mmap(base, NPAGES * page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	write_file("/proc/thread-self/make-it-fail", "0");
	return NULL;
}

/* Start the populating thread, wait until it sleeps in an injected retry, then run change(). */
static int race(const char *what, int (*change)(void))
{
	long before = injected();
	pthread_t t;
	int i, ok;

	result = NULL;
	if (pthread_create(&t, NULL, populate, NULL)) {
		tap_result(0, "%s: pthread_create", what);
		return 0;
	}
	/* Up to 2 s: usleep() has jiffy (10 ms) resolution on UML. */
	for (i = 0; i < 200 && injected() == before; i++)
		usleep(10000);
	ok = injected() != before;
	ok = !change() && ok;
	pthread_join(t, NULL);
	tap_result(ok && result == base, "%s: mmap(MAP_POPULATE) returned %s while paused in a retry",
		   what, result == base ? "its address" : "something else");
	return ok && result == base;
}

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

int main(void)
{
	static const char *const knobs[][2] = {
		{ DBG "probability", "100" }, { DBG "interval", "1" }, { DBG "times", STR(BUDGET) },
		{ DBG "task-filter", "Y" }, { DBG "verbose", "0" }, { DBG "delay-us", DELAY_US },
	};
	char saved[6][32];
	unsigned int i;
	int ok;

	page = sysconf(_SC_PAGESIZE);
	if (access(DBG, F_OK))
		tap_skip_all("no " DBG " (fail_gup_retry not in this kernel)");
	tap_plan(4);
	for (i = 0; i < 6; i++) {
		if (read_file(knobs[i][0], saved[i], sizeof(saved[i])) || write_file(knobs[i][0], knobs[i][1])) {
			printf("# cannot set %s\n", knobs[i][0]);
			tap_exit();
		}
	}
	/* A reserved hole the populating mmap(MAP_FIXED) lands in: the other thread knows where. */
	base = mmap(NULL, NPAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok = race("munmap upper half + remap", unmap_upper_and_remap);
	if (ok) {
		long r = resident_pages(base, NPAGES / 2 * page);
		int j;

		for (j = 0; j < NPAGES / 2; j++)
			base[(long)j * page] = 1;
		tap_result(r >= 1, "the lower half survived and is usable (%ld of %d pages were populated)",
			   r, NPAGES / 2);
	} else {
		tap_result(0, "the lower half survived and is usable (not reached)");
	}
	munmap(base, NPAGES * page);
	base = mmap(NULL, NPAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	race("munmap all of it", unmap_all);
	/* The address space is still sane: a fresh populate works with injection off. */
	write_file(DBG "probability", "0");
	base = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	tap_result(base != MAP_FAILED && resident_pages(base, NPAGES * page) == NPAGES,
		   "afterwards mmap(MAP_POPULATE) populates every page");
	for (i = 0; i < 6; i++)
		write_file(knobs[i][0], saved[i]);
	tap_exit();
}
