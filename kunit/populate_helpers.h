/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the mm_populate() suites: each suite file holds only its scenarios.
 *
 * Every suite uses .init = pop_init and .exit = pop_exit. pop_init gives the test kthread a fresh
 * mm of its own and, through the gup:gup_fault tracepoint, watches every GUP fault of the test
 * (no fault may run with mmap_lock held for write). pop_exit unmaps everything and checks that the
 * mm's RSS counters, locked_vm and the system's NR_MLOCK are back where they started, and logs
 * "faults injected: <N>" when the test injected faults (capabilities, failed test-file reads).
 */
#ifndef MM_POPULATE_TEST_HELPERS_H
#define MM_POPULATE_TEST_HELPERS_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mm.h>
#include <linux/mman.h>

#define POP_LEN(npages) ((unsigned long)(npages) << PAGE_SHIFT)
#define POP_ADDR(base, page) ((base) + POP_LEN(page))

/* What the page tables say about a range: counts of present PTEs and what they map. */
struct pop_pages {
	unsigned long present;
	unsigned long zero;		/* the shared zero page */
	unsigned long anon;		/* an anonymous folio */
	unsigned long mlocked;		/* a folio with PG_mlocked */
	unsigned long dirty;		/* pte_dirty() */
	unsigned long *map;		/* if set: bit i = page i of the range is present */
};

void pop_pages(struct kunit *test, unsigned long start, unsigned long npages,
	       struct pop_pages *pp);
unsigned long pop_present(struct kunit *test, unsigned long start, unsigned long npages);
/* Expect exactly pages [first, first + count) of the npages at start to be present. */
void pop_expect_present_run(struct kunit *test, unsigned long start, unsigned long npages,
			    unsigned long first, unsigned long count);

/* The test's mm and counters. */
int pop_init(struct kunit *test);
void pop_exit(struct kunit *test);
unsigned long pop_rss(int member);		/* exact MM_ANONPAGES/MM_FILEPAGES/MM_SHMEMPAGES */
long pop_nr_mlock(void);			/* exact NR_MLOCK of the whole system */
vm_flags_t pop_vm_flags(struct kunit *test, unsigned long addr);	/* asserts a vma is there */
unsigned long pop_vma_count(unsigned long start, unsigned long npages);

/* vm_mmap() asserting success; pop_hole() returns an unmapped range of npages. */
unsigned long pop_mmap(struct kunit *test, struct file *file, unsigned long addr,
		       unsigned long npages, unsigned long prot, unsigned long flags,
		       unsigned long pgoff);
unsigned long pop_hole(struct kunit *test, unsigned long npages);

/*
 * A file of a test-owned pseudo filesystem: cold page cache, no readahead (every page is its own
 * fault), a read_folio that counts reads and fails page fail_index with -EIO fail_left times.
 */
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
/* Is page index of the file dirty in its page cache? */
bool pop_file_dirty(struct pop_file *pf, pgoff_t index);

/*
 * Run fn(data) in a new kthread that uses the test's mm (kthread_use_mm), and wait for it to end.
 * Its mmap_lock calls count in the test's lock events; it has no KUnit context.
 */
void pop_run_in_mm(struct kunit *test, void (*fn)(void *data), void *data);
/* The same, without waiting: pop_wait_in_mm() waits for it and frees the handle. */
struct pop_mm_thread;
struct pop_mm_thread *pop_start_in_mm(struct kunit *test, void (*fn)(void *data), void *data);
void pop_wait_in_mm(struct pop_mm_thread *t);
/*
 * Wait at most timeout jiffies: true when it ended (and is freed); false when it still runs (a
 * thread blocked on a lock the waiter holds), and pop_wait_in_mm() must wait for it later.
 */
bool pop_wait_in_mm_timeout(struct pop_mm_thread *t, unsigned long timeout);

/*
 * GUP faults of the test's kthread, counted after each one from the gup:gup_fault tracepoint.
 * write_locked needs lockdep (CONFIG_LOCKDEP) and counts only faults that kept the lock.
 */
#define POP_FAULT_LOG 512
struct pop_faults {
	unsigned long count;
	unsigned long write_locked;	/* with mmap_lock held for write: the series forbids it */
	unsigned long logged;
	unsigned long addr[POP_FAULT_LOG];
	struct completion *notify;	/* pop_faults_notify_at() */
	unsigned long notify_at;
};

bool pop_observing(struct kunit *test);
/* Skip the test unless every GUP fault is observed. */
void pop_require_observer(struct kunit *test);
struct pop_faults *pop_faults(struct kunit *test);
void pop_faults_reset(struct kunit *test);
/* How often the observer saw a fault at addr. */
unsigned long pop_faults_at(struct kunit *test, unsigned long addr);
/* Complete done (from the tracepoint, atomically) once n more faults have been taken. */
void pop_faults_notify_at(struct kunit *test, unsigned long n, struct completion *done);

/* mmap_lock events of the test's mm, counted with the kernel's mmap_lock tracepoints. */
struct pop_lock_events {
	atomic_t read_acquired, read_released, write_acquired, write_released;
};

/* Start counting (skips the test without tracepoints); the counts, zeroed. */
struct pop_lock_events *pop_lock_events(struct kunit *test);

/* Fault injection through the capabilities of <linux/fail_populate.h>. */
enum pop_fail {
	POP_FAIL_GUP_FAULT,	/* faultin_page() fails with vm_fault (VM_FAULT_SIGBUS, ...) */
	POP_FAIL_GUP_RETRY,	/* faultin_page() drops the lock, sleeps arg µs, VM_FAULT_RETRY */
	POP_FAIL_FILEMAP_READ,	/* a page cache read (or readahead batch) fails, -EIO */
	POP_FAIL_FILEMAP_DELAY,	/* a page cache read (or readahead batch) sleeps arg µs first */
	POP_NR_FAIL
};

/*
 * Inject at the nth call (counted from now, in this kthread only), then at every nth call after it
 * until times injections were made (times -1: no limit). arg: vm_fault for POP_FAIL_GUP_FAULT,
 * delay_us for the others. Skips the test when the kernel lacks the capability; disarmed by a
 * cleanup action whatever the outcome.
 */
void pop_arm(struct kunit *test, enum pop_fail which, unsigned long nth, int times, u32 arg);
/*
 * Inject at every GUP fault from the nth on (counted from now, in this kthread), until disarmed:
 * the fault at one page keeps failing however often it is retried. Past the first fault this needs
 * the fault observer (the test is skipped without it).
 */
void pop_arm_from(struct kunit *test, enum pop_fail which, unsigned long nth, u32 arg);
void pop_disarm(struct kunit *test, enum pop_fail which);
/* After pop_arm(): a page cache capability fails only the reads of file (its ino and dev). */
void pop_arm_only_file(struct kunit *test, enum pop_fail which, struct file *file);
/* Injections of that kind since this test first armed it. */
long pop_injected(struct kunit *test, enum pop_fail which);
bool pop_fail_available(enum pop_fail which);

/*
 * A fresh mm for the test kthread, as kunit_vm_mmap() would attach (populate_mm.c, built with and
 * without an MMU), with a reference of its own for the suite's exit; an ERR_PTR() on failure.
 */
struct mm_struct *pop_attach_fresh_mm(void);

#endif
