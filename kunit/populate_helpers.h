/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The helpers of the mm_populate() suites, one file per concern: read the section of the file a
 * test uses; each function is described where it is defined. Every suite has
 * .init = pop_init, .exit = pop_exit (populate_suite.c).
 */
#ifndef MM_POPULATE_TEST_HELPERS_H
#define MM_POPULATE_TEST_HELPERS_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/mman.h>

/*
 * An architecture with syscall wrappers (x86_64: make smp) has no sys_*() a test can call: each
 * entry point takes the caller's registers. Make the call as user space makes it, through the
 * table, with the arguments in pt_regs. (Without an MMU, the suite has its own: make nommu.)
 */
#if defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER) && defined(CONFIG_MMU)
#ifndef CONFIG_X86_64
#error "mm_populate suites: no pop_syscall() for this architecture"
#endif
#include <asm/syscall.h>
#include <asm/unistd.h>

struct shmid_ds;

static inline long pop_syscall(unsigned int nr, unsigned long a0, unsigned long a1,
			       unsigned long a2, unsigned long a3, unsigned long a4)
{
	struct pt_regs regs = {
		.orig_ax = nr,
		.di = a0, .si = a1, .dx = a2, .r10 = a3, .r8 = a4,
	};

	return x64_sys_call(&regs, nr);
}

static inline long sys_brk(unsigned long brk)
{
	return pop_syscall(__NR_brk, brk, 0, 0, 0, 0);
}

static inline long sys_madvise(unsigned long start, size_t len, int behavior)
{
	return pop_syscall(__NR_madvise, start, len, behavior, 0, 0);
}

static inline long sys_mlock(unsigned long start, size_t len)
{
	return pop_syscall(__NR_mlock, start, len, 0, 0, 0);
}

static inline long sys_mlock2(unsigned long start, size_t len, int flags)
{
	return pop_syscall(__NR_mlock2, start, len, flags, 0, 0);
}

static inline long sys_mlockall(int flags)
{
	return pop_syscall(__NR_mlockall, flags, 0, 0, 0, 0);
}

static inline long sys_mprotect(unsigned long start, size_t len, unsigned long prot)
{
	return pop_syscall(__NR_mprotect, start, len, prot, 0, 0);
}

static inline long sys_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
			      unsigned long flags, unsigned long new_addr)
{
	return pop_syscall(__NR_mremap, addr, old_len, new_len, flags, new_addr);
}

static inline long sys_munlock(unsigned long start, size_t len)
{
	return pop_syscall(__NR_munlock, start, len, 0, 0, 0);
}

static inline long sys_munlockall(void)
{
	return pop_syscall(__NR_munlockall, 0, 0, 0, 0, 0);
}

static inline long sys_remap_file_pages(unsigned long start, unsigned long size,
					unsigned long prot, unsigned long pgoff,
					unsigned long flags)
{
	return pop_syscall(__NR_remap_file_pages, start, size, prot, pgoff, flags);
}

static inline long sys_shmctl(int shmid, int cmd, struct shmid_ds __user *buf)
{
	return pop_syscall(__NR_shmctl, shmid, cmd, (unsigned long)buf, 0, 0);
}
#endif /* CONFIG_ARCH_HAS_SYSCALL_WRAPPER && CONFIG_MMU */

#define POP_LEN(npages) ((unsigned long)(npages) << PAGE_SHIFT)
#define POP_ADDR(base, page) ((base) + POP_LEN(page))

/* populate_suite.c: the test's own mm, and what must hold after every test. */
int pop_init(struct kunit *test);
void pop_exit(struct kunit *test);

/* populate_mm.c (also without an MMU): a fresh mm for the test kthread. */
struct mm_struct *pop_attach_fresh_mm(void);

/* populate_pages.c: what the page tables, the vmas and the mm's counters say. */
struct pop_pages {
	unsigned long present;
	unsigned long zero;		/* the shared zero page */
	unsigned long anon;		/* an anonymous folio */
	unsigned long mlocked;		/* a folio with PG_mlocked */
	unsigned long dirty;		/* pte_dirty() */
	unsigned long unevictable;	/* a folio with PG_unevictable */
	/* The sum of mlock_count over the folios on the unevictable LRU, once per PTE. */
	unsigned long mlock_count;
	unsigned long *map;		/* if set: bit i = page i of the range is present */
};

void pop_pages(struct kunit *test, unsigned long start, unsigned long npages,
	       struct pop_pages *pp);
unsigned long pop_present(struct kunit *test, unsigned long start, unsigned long npages);
void pop_expect_present_run(struct kunit *test, unsigned long start, unsigned long npages,
			    unsigned long first, unsigned long count);
unsigned long pop_rss(int member);
vm_flags_t pop_vm_flags(struct kunit *test, unsigned long addr);
unsigned long pop_vma_count(unsigned long start, unsigned long npages);
unsigned long pop_mmap(struct kunit *test, struct file *file, unsigned long addr,
		       unsigned long npages, unsigned long prot, unsigned long flags,
		       unsigned long pgoff);
unsigned long pop_hole(struct kunit *test, unsigned long npages);
unsigned long pop_brk_heap(struct kunit *test, unsigned long npages);

/* populate_file.c: a file whose reads the test counts, fails and hooks. */
struct pop_file {
	struct file *file;
	unsigned long npages;
	struct mm_struct *mm;		/* reads with its mmap_lock held: reads_locked */
	atomic_t reads;
	atomic_t reads_locked;
	atomic_t reads_failed;
	pgoff_t fail_index;
	atomic_t fail_left;
	/* Called by the read of every page, folio locked, before it completes. */
	void (*read_hook)(struct pop_file *pf, pgoff_t index);
	void *hook_data;
};

struct pop_file *pop_file_create(struct kunit *test, unsigned long npages);
void pop_file_fail(struct pop_file *pf, pgoff_t index, int times);
bool pop_file_dirty(struct pop_file *pf, pgoff_t index);
void pop_file_kill_at(struct kunit *test, struct pop_file *pf, pgoff_t index);
bool pop_take_sigkill(void);

/* populate_threads.c: another kthread in the test's mm. */
struct pop_mm_thread;
void pop_run_in_mm(struct kunit *test, void (*fn)(void *data), void *data);
struct pop_mm_thread *pop_start_in_mm(struct kunit *test, void (*fn)(void *data), void *data);
void pop_wait_in_mm(struct pop_mm_thread *t);

/* populate_observe.c: the test's GUP faults and its mm's mmap_lock events, from tracepoints. */
#define POP_FAULT_LOG 512
struct pop_faults {
	unsigned long count;
	unsigned long write_locked;	/* with mmap_lock held for write: the series forbids it */
	unsigned long logged;
	unsigned long addr[POP_FAULT_LOG];
	struct completion *notify;	/* pop_faults_notify_at() */
	unsigned long notify_at;
};

struct pop_lock_events {
	atomic_t read_acquired, read_released, write_acquired, write_released;
};

struct pop_faults *pop_faults(struct kunit *test);
void pop_faults_reset(struct kunit *test);
unsigned long pop_faults_at(struct kunit *test, unsigned long addr);
void pop_faults_notify_at(struct kunit *test, unsigned long n, struct completion *done);
void pop_faults_allow_write_locked(struct kunit *test);
struct pop_lock_events *pop_lock_events(struct kunit *test);

/* populate_inject.c: the capabilities of <linux/fail_populate.h>, armed for the test kthread. */
enum pop_fail {
	POP_FAIL_GUP_FAULT,	/* faultin_page() fails with vm_fault (VM_FAULT_SIGBUS, ...) */
	POP_FAIL_GUP_RETRY,	/* faultin_page() drops the lock, sleeps arg µs, VM_FAULT_RETRY */
	POP_FAIL_FILEMAP_READ,	/* a page cache read (or readahead batch) fails, -EIO */
	POP_FAIL_FILEMAP_DELAY,	/* a page cache read (or readahead batch) sleeps arg µs first */
	POP_NR_FAIL
};

void pop_arm(struct kunit *test, enum pop_fail which, unsigned long nth, int times, u32 arg);
void pop_arm_from(struct kunit *test, enum pop_fail which, unsigned long nth, u32 arg);
void pop_disarm(struct kunit *test, enum pop_fail which);
void pop_arm_only_file(struct kunit *test, enum pop_fail which, struct file *file);
long pop_injected(struct kunit *test, enum pop_fail which);
bool pop_fail_available(enum pop_fail which);

#endif
