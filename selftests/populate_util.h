/* SPDX-License-Identifier: GPL-2.0 */
/* What the guest's populate_* programs share, as the mm selftests share vm_util.h. */
#ifndef POPULATE_UTIL_H
#define POPULATE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* How many of the pages of [addr, addr + len) are resident, by mincore(); -errno on error. */
static inline long resident_pages(void *addr, size_t len)
{
	long psz = sysconf(_SC_PAGESIZE), n = (len + psz - 1) / psz, i, r = 0;
	unsigned char *vec = malloc(n);

	if (!vec)
		return -ENOMEM;
	if (mincore(addr, len, vec)) {
		free(vec);
		return -errno;
	}
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

/* Write a string to a file (a debugfs knob, a /proc file); 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

#endif
