// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest of `make cost` (scripts/run-cost.sh): how long one population of a whole mapping
 * takes, in nanoseconds, on one line per run:
 *
 *   time_populate MODE FILE|- MIB RUNS [DISK]
 *
 * the line being "MODE RUN NS READS SECTORS MAJFAULTS CPU_NS": besides the time, what the run
 * cost the disk (read requests completed and 512-byte sectors read, from /sys/block/DISK/stat,
 * -1 -1 without DISK) and the major faults it took (/proc/vmstat pgmajfault): readahead shows
 * there, as fewer and larger reads. CPU_NS is the CPU time the thread spent in the population
 * (CLOCK_THREAD_CPUTIME_ID): the work done, without the waits for the disk.
 *
 * MODE file-populate: mmap(MAP_SHARED | MAP_POPULATE) of FILE's first MIB MiB;
 *      file-mlock:    mmap(MAP_SHARED) of it, then mlock() of the whole mapping (timed alone);
 *      anon-populate: mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE), the control.
 * File modes drop the page cache before each run (the data are read from the disk every time).
 * Every run checks with mincore() that every page is resident afterwards: a run that left a page
 * out is an error, not a time.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void drop_page_cache(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		die("drop_caches");
	close(fd);
}

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The disk's completed read requests and sectors read (its stat file's fields 1 and 3). */
static void disk_reads(const char *disk, long long *reads, long long *sectors)
{
	char path[256];
	long long merges;
	FILE *f;

	*reads = *sectors = -1;
	if (!disk)
		return;
	snprintf(path, sizeof(path), "/sys/block/%s/stat", disk);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lld %lld %lld", reads, &merges, sectors) != 3)
		die(path);
	fclose(f);
}

static long long majfaults(void)
{
	char name[64];
	long long value;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		die("/proc/vmstat");
	while (fscanf(f, "%63s %lld", name, &value) == 2)
		if (!strcmp(name, "pgmajfault")) {
			fclose(f);
			return value;
		}
	fprintf(stderr, "no pgmajfault in /proc/vmstat\n");
	exit(1);
}

/* Resident pages of [p, p + len), and the file's pages in the page cache beforehand. */
static size_t resident(void *p, size_t len)
{
	size_t n = len / 4096, i, count = 0;
	unsigned char *vec = malloc(n);

	if (!vec || mincore(p, len, vec))
		die("mincore");
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	free(vec);
	return count;
}

int main(int argc, char **argv)
{
	const char *mode, *path, *disk;
	size_t len;
	int runs, r;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s MODE FILE|- MIB RUNS [DISK]\n"
			"MODE: file-populate, file-mlock or anon-populate\n", argv[0]);
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	len = strtoul(argv[3], NULL, 0) << 20;
	runs = atoi(argv[4]);
	disk = argc == 6 ? argv[5] : NULL;
	for (r = 0; r < runs; r++) {
		int anon = !strcmp(mode, "anon-populate");
		int lock = !strcmp(mode, "file-mlock");
		int fd = -1;
		long long t0, t1, c0, c1, reads0, sectors0, reads1, sectors1, maj0;
		void *p;

		if (!anon && !lock && strcmp(mode, "file-populate")) {
			fprintf(stderr, "unknown mode %s\n", mode);
			return 2;
		}
		if (!anon) {
			drop_page_cache();
			fd = open(path, O_RDONLY);
			if (fd < 0)
				die(path);
		}
		disk_reads(disk, &reads0, &sectors0);
		maj0 = majfaults();
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		t0 = clock_ns(CLOCK_MONOTONIC);
		if (anon)
			p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		else
			p = mmap(NULL, len, PROT_READ,
				 MAP_SHARED | (lock ? 0 : MAP_POPULATE), fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		if (lock) {
			/* The mapping alone is not the population: time mlock() only. */
			c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
			t0 = clock_ns(CLOCK_MONOTONIC);
			if (mlock(p, len))
				die("mlock");
		}
		t1 = clock_ns(CLOCK_MONOTONIC);
		c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		disk_reads(disk, &reads1, &sectors1);
		if (resident(p, len) != len / 4096) {
			fprintf(stderr, "%s run %d: %zu of %zu pages resident\n", mode, r,
				resident(p, len), len / 4096);
			return 1;
		}
		printf("%s %d %lld %lld %lld %lld %lld\n", mode, r, t1 - t0,
		       disk ? reads1 - reads0 : -1, disk ? sectors1 - sectors0 : -1,
		       majfaults() - maj0, c1 - c0);
		fflush(stdout);
		munmap(p, len);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
