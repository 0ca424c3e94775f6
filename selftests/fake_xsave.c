// SPDX-License-Identifier: GPL-2.0
/*
 * fake_xsave.so: preloaded into the UML kernel process (LD_PRELOAD), it makes this host look like
 * one whose XSAVE area is FAKE_XSAVE_SIZE bytes (11008: a host with AMX), so that the guest's
 * run-time sizing of its FP area is tested on any x86_64 host. Only NT_X86_XSTATE regsets change,
 * and as the host kernel would do them (kernel/ptrace.c, arch/x86/kernel/fpu/regset.c):
 *   GETREGSET of len bytes returns min(len, size) bytes, the real state then zeros (the "tiles");
 *   SETREGSET of fewer than size bytes fails with EFAULT, a longer one writes the real state.
 * make selftests builds it and uses it for the "host" presets of configs/presets.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MAX_XSAVE (64 * 1024)

static long (*real_ptrace)(enum __ptrace_request, pid_t, void *, void *);
static size_t real_size, fake_size;
static __thread char state[MAX_XSAVE];

static int setup(pid_t pid, void *addr)
{
	struct iovec iov = { state, sizeof(state) };
	const char *env = getenv("FAKE_XSAVE_SIZE");

	if (!real_ptrace)
		real_ptrace = (long (*)(enum __ptrace_request, pid_t, void *, void *))
			dlsym(RTLD_NEXT, "ptrace");
	if (real_size)
		return 0;
	if (real_ptrace(PTRACE_GETREGSET, pid, addr, &iov) < 0)
		return -1;
	real_size = iov.iov_len;
	fake_size = env ? strtoul(env, NULL, 0) : real_size;
	/* A fake smaller than the real state, or beyond the buffer, would corrupt it: refuse. */
	if (fake_size < real_size || fake_size > MAX_XSAVE || fake_size % 8)
		abort();
	return 0;
}

long ptrace(enum __ptrace_request req, ...)
{
	struct iovec *iov, real;
	va_list ap;
	pid_t pid;
	void *addr, *data;
	size_t n;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);

	if (!real_ptrace)
		real_ptrace = (long (*)(enum __ptrace_request, pid_t, void *, void *))
			dlsym(RTLD_NEXT, "ptrace");
	if ((req != PTRACE_GETREGSET && req != PTRACE_SETREGSET) || (long)addr != NT_X86_XSTATE)
		return real_ptrace(req, pid, addr, data);
	if (setup(pid, addr) < 0)
		return -1;

	iov = data;
	if (iov->iov_len % 8) {
		errno = EINVAL;
		return -1;
	}
	n = iov->iov_len < fake_size ? iov->iov_len : fake_size;
	real.iov_base = state;
	real.iov_len = real_size;
	if (req == PTRACE_GETREGSET) {
		if (real_ptrace(PTRACE_GETREGSET, pid, addr, &real) < 0)
			return -1;
		memset(state + real_size, 0, fake_size - real_size);
		memcpy(iov->iov_base, state, n);
		iov->iov_len = n;
		return 0;
	}
	if (n != fake_size) {
		errno = EFAULT;
		return -1;
	}
	real.iov_base = iov->iov_base;
	iov->iov_len = n;
	return real_ptrace(PTRACE_SETREGSET, pid, addr, &real);
}
