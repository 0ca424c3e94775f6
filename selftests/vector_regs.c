// SPDX-License-Identifier: GPL-2.0
/*
 * The guest keeps a process's whole register state: values loaded into the SSE, AVX and AVX-512
 * registers (the widest this CPU has; xmm, ymm, zmm and the opmasks) are still there after a
 * system call, a page fault, a switch to another thread of the process that loads values of its
 * own (sched_yield) and an involuntary switch to it (the timer preempts a spin loop).
 *
 * UML keeps these registers in its FP area and gives them back to the host process with
 * PTRACE_SETREGSET at every return to user space; an area smaller than the host's XSAVE state
 * (AMX hosts) or a fallback to FXSAVE loses them, as glibc's string functions would notice.
 * Each event is proven to have happened (the system call's return, mincore() before and after
 * the fault, the other thread's counter moving while the registers were held).
 *
 * For sched_yield() both threads are SCHED_FIFO at one priority: POSIX then puts the caller at
 * the tail of its priority's list, so the other thread always runs next. Under SCHED_OTHER
 * (EEVDF) sched_yield() only pushes the caller's deadline on: a thread charged with time the
 * host took from the guest (UML has no steal time) is not eligible, and the caller runs again
 * at once, as happened in boots on a loaded host.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "../kselftest_harness.h"

enum width { SSE, AVX, AVX512, NWIDTHS };
enum event { SYSCALL, PAGE_FAULT, YIELD, PREEMPT, NEVENTS };

static const char *const width_name[] = {
	[SSE] = "xmm0-15",
	[AVX] = "ymm0-15",
	[AVX512] = "zmm0-31 and k0-7",
};

static const char *const event_name[] = {
	[SYSCALL] = "a system call",
	[PAGE_FAULT] = "a page fault",
	[YIELD] = "sched_yield() to a thread with other values",
	[PREEMPT] = "preemption by a thread with other values",
};

/* Bytes the registers of a width take in the buffers: 32 zmm of 64 bytes, then 8 opmasks. */
#define REGS_BYTES (32 * 64 + 8 * 8)

/* Spin iterations before PREEMPT gives up waiting for the other thread (a few seconds). */
#define SPIN_LIMIT 4000000000UL

struct regs {
	unsigned char b[REGS_BYTES];
} __attribute__((aligned(64)));

/* Bumped by the other thread each time it has loaded its values; stop ends it. */
static volatile uint64_t other_count;
static volatile int stop, other_bad;
static enum width other_width;

/*
 * The event, between loading in and storing out. %rax, %rcx, %r11 (syscall), %r8, %r9 are
 * clobbered; before/after are the other thread's counter around the event.
 */
#define EVENT_ASM							\
	"mov (%[ctr]), %%r8\n\t"					\
	"cmpl $" EV(SYSCALL) ", %[ev]\n\t"				\
	"jne 1f\n\t"							\
	"mov $" NR(SYS_getppid) ", %%eax\n\t"				\
	"syscall\n\t"							\
	"mov %%rax, %[ret]\n\t"						\
	"jmp 9f\n"							\
	"1: cmpl $" EV(PAGE_FAULT) ", %[ev]\n\t"			\
	"jne 2f\n\t"							\
	"movb $1, (%[page])\n\t"					\
	"jmp 9f\n"							\
	"2: cmpl $" EV(YIELD) ", %[ev]\n\t"				\
	"jne 3f\n\t"							\
	"mov $" NR(SYS_sched_yield) ", %%eax\n\t"			\
	"syscall\n\t"							\
	"jmp 9f\n"							\
	"3: mov %[spin], %%rcx\n"					\
	"4: cmp (%[ctr]), %%r8\n\t"					\
	"jne 9f\n\t"							\
	"dec %%rcx\n\t"							\
	"jnz 4b\n"							\
	"9: mov (%[ctr]), %%r9\n\t"					\
	"mov %%r8, %[before]\n\t"					\
	"mov %%r9, %[after]\n\t"

#define STR(x) #x
#define XSTR(x) STR(x)
#define EV(e) XSTR(e##_NUM)
#define NR(n) XSTR(n)
#define SYSCALL_NUM 0
#define PAGE_FAULT_NUM 1
#define YIELD_NUM 2
#define PREEMPT_NUM 3

#define LOAD_SSE ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"			\
		 "movdqu \\r*64(%[in]), %%xmm\\r\n\t.endr\n\t"
#define STORE_SSE ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"			\
		  "movdqu %%xmm\\r, \\r*64(%[out])\n\t.endr\n\t"
#define LOAD_AVX ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"			\
		 "vmovdqu \\r*64(%[in]), %%ymm\\r\n\t.endr\n\t"
#define STORE_AVX ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"			\
		  "vmovdqu %%ymm\\r, \\r*64(%[out])\n\t.endr\n\t"
#define ZMMS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define LOAD_AVX512 ".irp r," ZMMS "\n\t"						\
		    "vmovdqu64 \\r*64(%[in]), %%zmm\\r\n\t.endr\n\t"			\
		    ".irp r,0,1,2,3,4,5,6,7\n\t"					\
		    "kmovq 2048+\\r*8(%[in]), %%k\\r\n\t.endr\n\t"
#define STORE_AVX512 ".irp r," ZMMS "\n\t"						\
		     "vmovdqu64 %%zmm\\r, \\r*64(%[out])\n\t.endr\n\t"			\
		     ".irp r,0,1,2,3,4,5,6,7\n\t"					\
		     "kmovq %%k\\r, 2048+\\r*8(%[out])\n\t.endr\n\t"

#define HOLD(load, store)							\
	asm volatile(load EVENT_ASM store					\
		     : [ret] "=m" (*ret), [before] "=m" (*before),		\
		       [after] "=m" (*after)					\
		     : [in] "r" (in), [out] "r" (out), [ev] "r" ((int)ev),	\
		       [page] "r" (page), [ctr] "r" (&other_count),		\
		       [spin] "r" (SPIN_LIMIT)					\
		     : "rax", "rcx", "r8", "r9", "r11", "memory", "cc")

/* Load in, run the event, store the same registers to out. */
static void hold(enum width w, enum event ev, const struct regs *in, struct regs *out,
		 char *page, long *ret, uint64_t *before, uint64_t *after)
{
	switch (w) {
	case SSE:
		HOLD(LOAD_SSE, STORE_SSE);
		break;
	case AVX:
		HOLD(LOAD_AVX, STORE_AVX);
		break;
	default:
		HOLD(LOAD_AVX512, STORE_AVX512);
		break;
	}
}

/* The bytes of the buffers that width w uses. */
static int same(enum width w, const struct regs *a, const struct regs *b)
{
	static const int bytes[] = { [SSE] = 16, [AVX] = 32, [AVX512] = 64 };
	int n = w == AVX512 ? 32 : 16;

	for (int r = 0; r < n; r++)
		if (memcmp(a->b + r * 64, b->b + r * 64, bytes[w]))
			return 0;
	return w != AVX512 || !memcmp(a->b + 2048, b->b + 2048, 64);
}

static void fill(struct regs *r, unsigned int seed)
{
	for (size_t i = 0; i < sizeof(r->b); i++) {
		seed = seed * 1103515245 + 12345;
		r->b[i] = seed >> 16;
	}
}

/* The other thread: its own values, held across sched_yield(), over and over. */
static void *other(void *arg)
{
	struct regs in, out;
	uint64_t b, a;
	long ret;

	fill(&in, (unsigned int)(uintptr_t)arg);
	while (!stop) {
		/* Counted once its values are loaded: YIELD's event bumps the counter. */
		hold(other_width, YIELD, &in, &out, NULL, &ret, &b, &a);
		__atomic_add_fetch(&other_count, 1, __ATOMIC_SEQ_CST);
		if (!same(other_width, &in, &out))
			other_bad = 1;
	}
	return NULL;
}

static int resident(char *page)
{
	unsigned char v = 0;

	return mincore(page, getpagesize(), &v) == 0 && (v & 1);
}

static void run(struct __test_metadata *_metadata, enum width w, enum event ev)
{
	struct regs in, out;
	uint64_t before = 0, after = 0;
	char *page = NULL;
	pthread_t t;
	long ret = 0;
	const char *why = NULL;
	cpu_set_t one;

	/* One CPU for both threads, so that they take turns (the UML guest has only one anyway). */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	__builtin_cpu_init();
	if (w == AVX && !__builtin_cpu_supports("avx"))
		SKIP(return, "this CPU has no AVX");
	/* kmovq needs AVX512BW. */
	if (w == AVX512 && !(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")))
		SKIP(return, "this CPU has no AVX-512F/BW");

	fill(&in, getpid() * 31 + w * 7 + ev);
	memset(&out, 0, sizeof(out));
	if (ev == PAGE_FAULT) {
		page = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, page);
		ASSERT_FALSE(resident(page)) TH_LOG("the page was resident before the write");
	}
	if (ev == YIELD) {
		struct sched_param fifo = { .sched_priority = 1 };

		/* The other thread inherits it (PTHREAD_INHERIT_SCHED). */
		ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO, &fifo))
			TH_LOG("SCHED_FIFO: %s", strerror(errno));
	}
	if (ev == YIELD || ev == PREEMPT) {
		stop = 0;
		other_bad = 0;
		other_count = 0;
		other_width = w;
		ASSERT_EQ(0, pthread_create(&t, NULL, other,
					    (void *)(uintptr_t)(getpid() + 1000 + ev)));
		if (ev == YIELD) {
			struct sched_param sp;
			int policy;

			ASSERT_EQ(0, pthread_getschedparam(t, &policy, &sp));
			ASSERT_EQ(SCHED_FIFO, policy);
		}
		/* Let it load its values once before ours are held. */
		while (!other_count)
			sched_yield();
	}

	hold(w, ev, &in, &out, page, &ret, &before, &after);

	if (ev == YIELD || ev == PREEMPT) {
		stop = 1;
		pthread_join(t, NULL);
	}
	if (ev == SYSCALL && ret != getppid())
		why = "getppid() returned something else: no system call";
	if (!why && ev == PAGE_FAULT && !resident(page))
		why = "the page is not resident after the write: no fault";
	if (!why && (ev == YIELD || ev == PREEMPT) && before == after)
		why = "the other thread did not run while the registers were held";
	if (!why && (ev == YIELD || ev == PREEMPT) && other_bad)
		why = "the other thread's registers changed";
	if (!why && !same(w, &in, &out))
		why = "the registers changed";
	EXPECT_TRUE(why == NULL) TH_LOG("%s around %s: %s", width_name[w], event_name[ev], why);
	if (page)
		munmap(page, getpagesize());
}

FIXTURE(registers) {};
FIXTURE_SETUP(registers) {}
FIXTURE_TEARDOWN(registers) {}

FIXTURE_VARIANT(registers) {
	enum width width;
};

FIXTURE_VARIANT_ADD(registers, xmm) { .width = SSE };
FIXTURE_VARIANT_ADD(registers, ymm) { .width = AVX };
FIXTURE_VARIANT_ADD(registers, zmm_and_opmasks) { .width = AVX512 };

TEST_F(registers, survive_a_system_call)
{
	run(_metadata, variant->width, SYSCALL);
}

TEST_F(registers, survive_a_page_fault)
{
	run(_metadata, variant->width, PAGE_FAULT);
}

TEST_F(registers, survive_sched_yield_to_a_thread_with_other_values)
{
	run(_metadata, variant->width, YIELD);
}

TEST_F(registers, survive_preemption_by_a_thread_with_other_values)
{
	run(_metadata, variant->width, PREEMPT);
}

TEST_HARNESS_MAIN
