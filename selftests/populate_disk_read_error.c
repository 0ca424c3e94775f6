// SPDX-License-Identifier: GPL-2.0
/*
 * Populating a file range whose disk reads fail: every entry point must come back.
 *
 * A file on a real disk is read once (its inode and block map stay cached), its page cache is
 * dropped (POSIX_FADV_DONTNEED), then the block layer's own fault injection (fail_make_request:
 * /sys/block/<disk>/make-it-fail, debugfs knobs, task-filter) fails every bio the child submits:
 * readahead fails, and the fault reads the page again synchronously, as on a bad sector. Each case
 * runs in a child, which is killed if it has not returned after BOUND_SECONDS: __mm_populate() of
 * Linux 5.1 to 6.12 (at least) faults the page in again and again, each time a first attempt that
 * drops mmap_lock, until a fatal signal. The failed bios are counted from the attribute's "times".
 *
 * Usage: populate_disk_read_error [file]   (default /mnt/disk/data: the test bed's ext2 image)
 * The file must be at least NPAGES pages long, on a disk (not tmpfs), and the program run as root
 * with debugfs mounted. Skips when that cannot be arranged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"

#define NPAGES		16
#define BOUND_SECONDS	3
/* A call that is not stuck fails a few reads: readahead, the fault's read, its retry's read. */
#define MAX_FAILED	8
/* Failed bios a child may cause; a call that uses it all up was retrying without end. */
#define BUDGET		1000000000
#define BUDGET_STR	"1000000000"
#define ATTR		"/sys/kernel/debug/fail_make_request/"

static const char *path = "/mnt/disk/data";
static char disk[PATH_MAX];	/* the disk's sysfs directory */
static long page_size;

static int write_str(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static long read_long(const char *file)
{
	char buf[32] = "";
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* A file of the disk's sysfs directory: /sys/dev/block/M:m of the file's device, or its parent. */
static const char *disk_file(const char *name)
{
	static char file[PATH_MAX + 64];

	snprintf(file, sizeof(file), "%s/%s", disk, name);
	return file;
}

static int find_disk(dev_t dev)
{
	char part[PATH_MAX];

	snprintf(part, sizeof(part), "/sys/dev/block/%u:%u/partition", major(dev), minor(dev));
	snprintf(disk, sizeof(disk), "/sys/dev/block/%u:%u%s", major(dev), minor(dev),
		 access(part, F_OK) ? "" : "/..");
	return access(disk_file("make-it-fail"), W_OK);
}

/* Read the file once (metadata cached), then drop its pages: 0 if none is left resident. */
static int cold_file(int fd)
{
	size_t len = NPAGES * page_size;
	unsigned char vec[NPAGES];
	char *buf = malloc(len);
	void *p;
	int i, resident = 0;

	if (!buf || pread(fd, buf, len, 0) != (ssize_t)len)
		return -1;
	free(buf);
	if (posix_fadvise(fd, 0, len, POSIX_FADV_DONTNEED))
		return -1;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || mincore(p, len, vec))
		return -1;
	for (i = 0; i < NPAGES; i++)
		resident += vec[i] & 1;
	munmap(p, len);
	return resident ? -1 : 0;
}

/* What the child does once its bios fail; 0 or an errno. */
enum entry { MLOCK, MLOCK2, MLOCKALL, POPULATE_SHARED, POPULATE_PRIVATE, LOCKED, MCL_FUTURE_MMAP,
	     MREMAP_LOCKED, MADV_POPULATE };

static const char *const names[] = {
	[MLOCK] = "mlock()",
	[MLOCK2] = "mlock2(0)",
	[MLOCKALL] = "mlockall(MCL_CURRENT)",
	[POPULATE_SHARED] = "mmap(MAP_SHARED|MAP_POPULATE)",
	[POPULATE_PRIVATE] = "mmap(MAP_PRIVATE|MAP_POPULATE)",
	[LOCKED] = "mmap(MAP_LOCKED)",
	[MCL_FUTURE_MMAP] = "mmap() under mlockall(MCL_FUTURE)",
	[MREMAP_LOCKED] = "mremap() growing a VM_LOCKED mapping",
	[MADV_POPULATE] = "madvise(MADV_POPULATE_READ)",
};

static int child(enum entry e, int fd)
{
	size_t len = NPAGES * page_size;
	void *p = NULL;

	/* Set up what must not fail yet: an unlocked mapping, or a locked first page. */
	if (e == MLOCK || e == MLOCK2 || e == MLOCKALL || e == MADV_POPULATE)
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	else if (e == MREMAP_LOCKED)
		p = mmap(NULL, page_size, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0);
	if (p == MAP_FAILED)
		return 100;
	/* Faulting the locked first page read ahead the rest: drop that again. */
	if (e == MREMAP_LOCKED &&
	    posix_fadvise(fd, page_size, len - page_size, POSIX_FADV_DONTNEED))
		return 104;
	if (e == MCL_FUTURE_MMAP && mlockall(MCL_FUTURE))
		return 101;
	if (write_str("/proc/self/make-it-fail", "1"))
		return 102;

	switch (e) {
	case MLOCK:
		return mlock(p, len) ? errno : 0;
	case MLOCK2:
		return syscall(SYS_mlock2, p, len, 0) ? errno : 0;
	case MLOCKALL:
		return mlockall(MCL_CURRENT) ? errno : 0;
	case POPULATE_SHARED:
	case POPULATE_PRIVATE:
		p = mmap(NULL, len, PROT_READ, (e == POPULATE_SHARED ? MAP_SHARED : MAP_PRIVATE) |
			 MAP_POPULATE, fd, 0);
		return p == MAP_FAILED ? errno : 0;
	case LOCKED:
	case MCL_FUTURE_MMAP:
		p = mmap(NULL, len, PROT_READ, MAP_SHARED | (e == LOCKED ? MAP_LOCKED : 0), fd, 0);
		return p == MAP_FAILED ? errno : 0;
	case MREMAP_LOCKED:
		return mremap(p, page_size, len, MREMAP_MAYMOVE) == MAP_FAILED ? errno : 0;
	case MADV_POPULATE:
		return madvise(p, len, MADV_POPULATE_READ) ? errno : 0;
	}
	return 103;
}

/* One case: "returned <errno>" or "still retrying", with the number of failed bios. */
static void run(enum entry e)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long failed;
	int fd, status, i;
	pid_t pid;

	fd = open(path, O_RDONLY);
	if (fd < 0 || cold_file(fd)) {
		ksft_test_result_skip("%s: cannot make %s cold in the page cache\n", names[e], path);
		return;
	}
	write_str(ATTR "times", BUDGET_STR);
	pid = fork();
	if (pid == 0)
		_exit(child(e, fd));
	for (i = 0; i < BOUND_SECONDS * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&tick, NULL);
	}
	failed = BUDGET - read_long(ATTR "times");
	close(fd);
	if (i == BOUND_SECONDS * 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ksft_test_result_fail("%s: still retrying after %d s, %ld failed reads (killed)\n",
				      names[e], BOUND_SECONDS, failed);
		return;
	}
	if (failed >= BUDGET) {
		ksft_test_result_fail("%s: retried until all %d injections were used, then returned\n",
				      names[e], BUDGET);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= 100) {
		ksft_test_result_fail("%s: child ended with status %#x\n", names[e], status);
		return;
	}
	ksft_test_result(failed >= 1 && failed <= MAX_FAILED,
			 "%s: returned %s, %ld failed reads (want 1 to %d)\n", names[e],
			 WEXITSTATUS(status) ? strerror(WEXITSTATUS(status)) : "0", failed,
			 MAX_FAILED);
}

int main(int argc, char **argv)
{
	static const char *const knobs[][2] = {
		{ "verbose", "0" }, { "task-filter", "Y" }, { "interval", "1" }, { "space", "0" },
		{ "times", BUDGET_STR }, { "probability", "100" },
	};
	char file[PATH_MAX], ra[32];
	struct stat st;
	unsigned int i;
	long ra_kb;

	ksft_print_header();
	page_size = sysconf(_SC_PAGESIZE);
	if (argc > 1)
		path = argv[1];
	if (stat(path, &st) || st.st_size < NPAGES * page_size)
		ksft_exit_skip("no file of %d pages at %s\n", NPAGES, path);
	if (access(ATTR "probability", W_OK))
		ksft_exit_skip("no %s: needs CONFIG_FAIL_MAKE_REQUEST, debugfs and root\n", ATTR);
	if (find_disk(st.st_dev))
		ksft_exit_skip("%s is not on a disk with make-it-fail (%s)\n", path, disk);
	/* Default readahead, as on a real disk: the fault reads through ->readahead first. */
	ra_kb = read_long(disk_file("queue/read_ahead_kb"));
	if (ra_kb >= 0)
		write_str(disk_file("queue/read_ahead_kb"), "128");
	/* Only the child fails (task-filter), and only once its setup is done. */
	write_str("/proc/self/make-it-fail", "0");
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(file, sizeof(file), ATTR "%s", knobs[i][0]);
		if (write_str(file, knobs[i][1]))
			ksft_exit_skip("cannot write %s\n", file);
	}
	if (write_str(disk_file("make-it-fail"), "1"))
		ksft_exit_skip("cannot write %s\n", disk_file("make-it-fail"));

	ksft_set_plan(sizeof(names) / sizeof(names[0]));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		run(i);

	write_str(disk_file("make-it-fail"), "0");
	write_str(ATTR "probability", "0");
	if (ra_kb >= 0) {
		snprintf(ra, sizeof(ra), "%ld", ra_kb);
		write_str(disk_file("queue/read_ahead_kb"), ra);
	}
	ksft_finished();
}
