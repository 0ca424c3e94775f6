// SPDX-License-Identifier: GPL-2.0
/*
 * A file page that can never be read, populated by a real process: mlock() of the range and
 * mmap(MAP_POPULATE) must each read it at most twice (the fault, then one retry with the lock
 * held; once when an injected GUP retry already dropped the lock before the first read) and come
 * back: mlock() with ENOMEM, mmap() with the mapping and the page absent. Stock 6.12's
 * __mm_populate() re-reads it until the task is killed; the child is killed after SPIN_SECONDS
 * and the number of failed reads by then is reported.
 *
 * The file lives on the read-only ext2 disk image at /mnt/disk (tmpfs pages are never read), whose
 * readahead /init turns off so that every page is read alone by filemap_read_folio(); reads are
 * failed by fail_filemap_read, for the child only (task-filter, make-it-fail).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "../kselftest_harness.h"
#include "populate_util.h"

#define FILE_PATH "/mnt/disk/data"
#define NPAGES 16
#define SPIN_SECONDS 5
#define ATTR "/sys/kernel/debug/fail_filemap_read/"
/* Each injection decrements times: the failed reads are what a run used of this budget. */
#define BUDGET 1000000
#define STR_(x) #x
#define STR(x) STR_(x)

static long injected(void)
{
	char buf[32] = "";
	int fd = open(ATTR "times", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n <= 0 ? -1 : BUDGET - atol(buf);
}

static int knob(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), ATTR "%s", name);
	return write_file(path, val);
}

/* In a child that fails every read of the file: 0 success, errno on failure. */
static int child(int populate)
{
	size_t len = NPAGES * sysconf(_SC_PAGESIZE);
	int fd = open(FILE_PATH, O_RDONLY);
	void *p;

	if (fd < 0 || write_file("/proc/self/make-it-fail", "1"))
		return 100;
	if (populate) {
		p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED)
			return errno;
		return resident_pages(p, len) == 0 ? 0 : 101;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 102;
	return mlock(p, len) ? errno : 0;
}

/* Runs one case; returns the child's status, or -1 when it was still running and was killed. */
static int run(int populate, long *reads)
{
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	int status, i;
	pid_t pid;

	write_file("/proc/sys/vm/drop_caches", "3");
	if (knob("times", STR(BUDGET)))
		return -2;
	pid = fork();
	if (pid == 0)
		_exit(child(populate));
	for (i = 0; i < SPIN_SECONDS * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			*reads = injected();
			return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
		}
		nanosleep(&delay, NULL);
	}
	*reads = injected();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Fails every read of the file, for the child that populates it only. */
FIXTURE(unreadable) {};

FIXTURE_SETUP(unreadable)
{
	if (access(FILE_PATH, R_OK))
		SKIP(return, "no " FILE_PATH " (the guest's disk image)");
	if (access(ATTR "probability", W_OK))
		SKIP(return, "no fail_filemap_read in this kernel");
	/* Only the child fails, and only once it has the file open (a preset may have set ours). */
	ASSERT_EQ(0, write_file("/proc/self/make-it-fail", "0"));
	ASSERT_EQ(0, knob("task-filter", "Y"));
	ASSERT_EQ(0, knob("verbose", "0"));
	ASSERT_EQ(0, knob("interval", "1"));
	ASSERT_EQ(0, knob("probability", "100"));
}

FIXTURE_TEARDOWN(unreadable)
{
	knob("probability", "0");
}

/*
 * The fault, then one retry with the lock held: 2 reads; 1 when an injected GUP retry already
 * dropped the lock before the first read. -1: still retrying after SPIN_SECONDS, killed.
 */
static void check(struct __test_metadata *_metadata, int populate, int want)
{
	long reads = -1;
	int got = run(populate, &reads);

	ASSERT_NE(-2, got) TH_LOG("cannot set " ATTR "times");
	ASSERT_NE(-1, got) TH_LOG("still retrying after %d s, %ld failed reads of one page (killed)",
				  SPIN_SECONDS, reads);
	EXPECT_EQ(want, got);
	EXPECT_LE(1, reads);
	EXPECT_GE(2, reads);
}

TEST_F(unreadable, mlock_returns_enomem_after_at_most_two_failed_reads)
{
	check(_metadata, 0, ENOMEM);
}

TEST_F(unreadable, mmap_populate_returns_the_mapping_after_at_most_two_failed_reads)
{
	check(_metadata, 1, 0);
}

TEST_HARNESS_MAIN
