/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few TAP helpers the test bed's own guest programs share. Exit status as kselftest's:
 * 0 every test passed, 1 one failed, 4 the whole program was skipped.
 */
#ifndef SELFTESTS_TAP_H
#define SELFTESTS_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAP_SKIP_EXIT 4

static __attribute__((unused)) int tap_n, tap_failed;

static __attribute__((unused)) void tap_plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
}

static __attribute__((unused)) void tap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	tap_failed += !ok;
}

static __attribute__((unused)) void tap_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %d # SKIP ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static __attribute__((unused)) void __attribute__((noreturn)) tap_skip_all(const char *why)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	exit(TAP_SKIP_EXIT);
}

static __attribute__((unused)) void __attribute__((noreturn)) tap_exit(void)
{
	printf("# %d tests, %d failed\n", tap_n, tap_failed);
	exit(tap_failed ? 1 : 0);
}

/* Write a string to a file (a debugfs knob, a /proc file); 0 or -errno. */
static __attribute__((unused)) int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Read a small file into buf (NUL-terminated, trailing newline cut); 0 or -errno. */
static __attribute__((unused)) int read_file(const char *path, char *buf, size_t size)
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

/* How many of the pages of [addr, addr + len) are resident, by mincore(). */
#include <sys/mman.h>
static __attribute__((unused)) long resident_pages(void *addr, size_t len)
{
	long psz = sysconf(_SC_PAGESIZE), n = (len + psz - 1) / psz, i, r = 0;
	unsigned char *vec = malloc(n);

	if (!vec || mincore(addr, len, vec)) {
		free(vec);
		return -1;
	}
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

#endif
