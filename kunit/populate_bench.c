// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap_lock hold-time benchmark (CONFIG_MM_POPULATE_BENCH, run by the test bed's "make bench").
 *
 * The series "Avoid populating unbounded num of ptes with mmap_sem held" (Linux 3.9) sets up the
 * vma under mmap_lock held for write, drops it, then populates under the read lock. Its claim:
 * the longest write hold no longer grows with the size of the population. For sizes of 1 to
 * 256 MiB and four entry points (anonymous mmap(MAP_POPULATE), file mmap(MAP_POPULATE) of a
 * cold, slow file, the same of a block device whose reads sleep, brk() growth under
 * mlockall(MCL_FUTURE)) this measures, per run:
 *
 *   hold_max_ns, hold_total_ns, holds	write holds of mmap_lock by the populating task
 *   read_hold_max_ns			its longest read hold
 *   wall_ns				the call (vm_mmap() or sys_brk()) as the caller sees it
 *   writer_max_wait_ns, writer_max_op_ns, writer_ops
 *					the same population again, with another kthread of the
 *					same mm doing mmap+munmap of one page in a loop: its
 *					longest wait for the write lock, its slowest
 *					mmap+munmap, and how many it made
 *   writer_pop_wall_ns, writer_pop_reads
 *					that population's wall time, and how often it took the
 *					read lock (once, plus once per lock drop)
 *   writer_rt_*				the same with a SCHED_FIFO writer
 *   reader_max_wait_ns, reader_ops	once more, the other kthread taking the lock for read
 *					and dropping it in a loop, as page faults of another
 *					thread would
 *
 * and prints one KTAP diagnostic line per run ("# <case>: bench: workload=... size_mib=..."),
 * which scripts/bench-report.py reads. Holds are timed by probes on the kernel's mmap_lock
 * tracepoints (acquire_returned to released, or to the downgrade that ends a write hold), waits
 * from start_locking to acquire_returned.
 *
 * The other kthread starts at the population's first fault (the gup:gup_fault tracepoint of the
 * test bed's series), and the population gives it the CPU at its next cond_resched(): UML has one
 * CPU and the kernel does not preempt (PREEMPT_NONE), so a thread that is merely runnable would
 * only get the CPU at the next tick, after small populations are done. A tracepoint probe cannot
 * sleep, so the probe marks the population as needing to reschedule instead of waiting for it.
 * On SMP (make bench ENGINE=qemu) the other thread may as well run on another CPU.
 *
 * Clock: ktime_get_ns() (~256 ns resolution on UML). On UML local_clock() and sched_clock() tick
 * with jiffies (HZ=100: 10 ms steps), so lock_stat's hold times and the default trace clock of
 * the mmap_lock trace events cannot see a hold shorter than 10 ms; they are not used here.
 *
 * The slow file: every read of the test file's pages is delayed by the fail_filemap_delay
 * capability, BENCH_READ_DELAY_US µs (fsleep() below 10 µs is udelay(), a busy wait; on UML any
 * real sleep lasts up to a jiffy), in the populating kthread only. 256 MiB is 65536 reads, so
 * about 0.3 s of delay per run.
 *
 * The block device: null_blk's nullb0, whose every request completes on a timer after
 * null_blk.completion_nsec (irqmode=2), so the populating task sleeps in the read with the lock
 * dropped, as on a real disk. Its page cache is dropped before each run; it is read through the
 * readahead of a file opened by open(2). Only make bench ENGINE=qemu boots with it: on UML any
 * sleep lasts a jiffy.
 */
#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/syscalls.h>
#include <linux/timekeeping.h>
#include <trace/events/gup.h>
#include <trace/events/mmap_lock.h>

#include "populate_helpers.h"

#define BENCH_REPS		5
#define BENCH_READ_DELAY_US	5
/* brk() grows from here: far above the bottom-up mmap area the other mappings come from. */
#define BENCH_BRK_BASE		0x1000000000UL

static const unsigned long bench_sizes_mib[] = { 1, 4, 16, 64, 256 };

enum bench_workload { BENCH_ANON, BENCH_FILE, BENCH_BLK, BENCH_BRK };

static const char *const bench_names[] = {
	[BENCH_ANON] = "anon",
	[BENCH_FILE] = "file",
	[BENCH_BLK] = "blk",
	[BENCH_BRK] = "brk",
};

/*
 * Probe state. Each field is written by one task only (the populating task, or the other thread),
 * in its own lock calls; the test reads them once the other thread has stopped.
 */
struct bench_probe {
	struct mm_struct *mm;
	struct task_struct *pop_task;
	struct task_struct *other_task;
	/* The populating task. */
	u64 write_since;	/* 0: not holding it for write */
	u64 read_since;
	u64 hold_max;
	u64 hold_total;
	u64 read_hold_max;
	unsigned long holds;
	unsigned long read_acquired;
	/* The other thread. */
	u64 wait_since;
	u64 wait_max;
};

static void bench_hold_end(struct bench_probe *p, u64 now)
{
	u64 d = now - p->write_since;

	p->write_since = 0;
	p->hold_max = max(p->hold_max, d);
	p->hold_total += d;
	p->holds++;
}

static void bench_start_locking(void *data, struct mm_struct *mm, const char *memcg_path,
				bool write)
{
	struct bench_probe *p = data;

	if (mm == p->mm && current == READ_ONCE(p->other_task))
		p->wait_since = ktime_get_ns();
}

static void bench_acquired(void *data, struct mm_struct *mm, const char *memcg_path, bool write,
			   bool success)
{
	struct bench_probe *p = data;
	u64 now = ktime_get_ns();

	if (mm != p->mm || !success)
		return;
	if (current == p->pop_task) {
		/* A read "acquisition" while holding it for write is mmap_write_downgrade(). */
		if (!write && p->write_since)
			bench_hold_end(p, now);
		if (write) {
			p->write_since = now;
		} else {
			p->read_since = now;
			p->read_acquired++;
		}
	} else if (current == READ_ONCE(p->other_task) && p->wait_since) {
		p->wait_max = max(p->wait_max, now - p->wait_since);
		p->wait_since = 0;
	}
}

static void bench_released(void *data, struct mm_struct *mm, const char *memcg_path, bool write)
{
	struct bench_probe *p = data;
	u64 now = ktime_get_ns();

	if (mm != p->mm || current != p->pop_task)
		return;
	if (write && p->write_since) {
		bench_hold_end(p, now);
	} else if (!write && p->read_since) {
		p->read_hold_max = max(p->read_hold_max, now - p->read_since);
		p->read_since = 0;
	}
}

static void bench_probes_off(void *data)
{
	unregister_trace_mmap_lock_released(bench_released, data);
	unregister_trace_mmap_lock_acquire_returned(bench_acquired, data);
	unregister_trace_mmap_lock_start_locking(bench_start_locking, data);
	tracepoint_synchronize_unregister();
}

static struct bench_probe *bench_probes_on(struct kunit *test)
{
	struct bench_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->mm = current->mm;
	p->pop_task = current;
	KUNIT_ASSERT_EQ(test, register_trace_mmap_lock_start_locking(bench_start_locking, p), 0);
	if (register_trace_mmap_lock_acquire_returned(bench_acquired, p)) {
		unregister_trace_mmap_lock_start_locking(bench_start_locking, p);
		tracepoint_synchronize_unregister();
		KUNIT_FAIL_AND_ABORT(test, "register_trace_mmap_lock_acquire_returned failed");
	}
	if (register_trace_mmap_lock_released(bench_released, p)) {
		unregister_trace_mmap_lock_acquire_returned(bench_acquired, p);
		unregister_trace_mmap_lock_start_locking(bench_start_locking, p);
		tracepoint_synchronize_unregister();
		KUNIT_FAIL_AND_ABORT(test, "register_trace_mmap_lock_released failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bench_probes_off, p), 0);
	return p;
}

static void bench_probe_reset(struct bench_probe *p)
{
	p->write_since = 0;
	p->read_since = 0;
	p->hold_max = 0;
	p->hold_total = 0;
	p->read_hold_max = 0;
	p->holds = 0;
	p->read_acquired = 0;
	p->wait_since = 0;
	p->wait_max = 0;
}

/*
 * The other thread of the mm: from the population's first fault until the population has
 * returned, a writer (mmap+munmap of one page) or a reader (mmap_read_lock(), unlock), in a loop.
 */
struct bench_other {
	struct bench_probe *probe;
	bool write;
	bool rt;
	bool stop;
	struct completion go;		/* the population's first fault */
	unsigned long ops;
	u64 op_max;
	long err;
};

/* Whom the next GUP fault of the test's kthread starts. */
static struct bench_other *bench_armed;
static struct task_struct *bench_populator;

static void bench_observe_fault(void *data, struct mm_struct *mm, unsigned long address,
				unsigned int flags, vm_fault_t result)
{
	struct bench_other *o = READ_ONCE(bench_armed);

	if (!o || current != bench_populator)
		return;
	WRITE_ONCE(bench_armed, NULL);
	complete(&o->go);
	/* It takes the CPU at the population's next cond_resched(): one CPU, no preemption. */
	set_tsk_need_resched(current);
	set_preempt_need_resched();
}

static void bench_other_fn(void *data)
{
	struct bench_other *o = data;
	struct mm_struct *mm = current->mm;
	unsigned long addr;
	u64 t0;

	if (o->rt)
		sched_set_fifo(current);
	WRITE_ONCE(o->probe->other_task, current);
	wait_for_completion(&o->go);
	do {
		t0 = ktime_get_ns();
		if (o->write) {
			addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, 0);
			if (IS_ERR_VALUE(addr)) {
				o->err = (long)addr;
				break;
			}
			o->err = vm_munmap(addr, PAGE_SIZE);
			if (o->err)
				break;
		} else {
			mmap_read_lock(mm);
			mmap_read_unlock(mm);
		}
		o->op_max = max(o->op_max, ktime_get_ns() - t0);
		o->ops++;
		cond_resched();
	} while (!READ_ONCE(o->stop));
	WRITE_ONCE(o->probe->other_task, NULL);
}

struct bench_result {
	u64 wall;
	u64 hold_max, hold_total, read_hold_max;
	unsigned long holds;
	u64 writer_wait_max, writer_op_max, reader_wait_max;
	unsigned long writer_ops, reader_ops;
	/* The population with the writer: its wall time and read-lock acquisitions. */
	u64 writer_pop_wall;
	unsigned long writer_pop_reads;
	/* The same with a SCHED_FIFO writer. */
	u64 writer_rt_wait_max, writer_rt_op_max, writer_rt_pop_wall;
	unsigned long writer_rt_ops, writer_rt_pop_reads;
};

struct bench_ctx {
	struct kunit *test;
	enum bench_workload workload;
	unsigned long npages;
	struct pop_file *pf;
	struct file *blk;
	unsigned long addr;
};

#ifdef CONFIG_BLOCK
static void bench_blk_close(void *file)
{
	fput(file);
}

/* nullb0, opened for read, with the readahead of open(2); NULL without null_blk. */
static struct file *bench_blk_open(struct kunit *test)
{
	struct device *dev;
	struct file *file;
	dev_t devt;

	dev = class_find_device_by_name(&block_class, "nullb0");
	if (!dev)
		return NULL;
	devt = dev->devt;
	put_device(dev);
	file = bdev_file_open_by_dev(devt, BLK_OPEN_READ, NULL, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "nullb0: open failed (%ld)", PTR_ERR(file));
	/* alloc_file_pseudo() leaves readahead off; open(2) would set it up. */
	file_ra_state_init(&file->f_ra, file->f_mapping);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bench_blk_close, file), 0);
	return file;
}

/*
 * Cold: the device's page cache dropped, every page read again. Truncated, as
 * kill_bdev() does, not invalidated: readahead past the end of the last run's
 * mapping may still be reading, and invalidation skips the locked folios.
 */
static void bench_blk_drop_cache(struct kunit *test, struct file *file)
{
	truncate_inode_pages(file->f_mapping, 0);
	KUNIT_ASSERT_EQ_MSG(test, file->f_mapping->nrpages, 0UL,
			    "nullb0: pages left in the page cache");
}
#else
static struct file *bench_blk_open(struct kunit *test)
{
	return NULL;
}

static void bench_blk_drop_cache(struct kunit *test, struct file *file)
{
}
#endif

/* The population being measured: the one call that maps (or grows) and populates. */
static void bench_populate(struct bench_ctx *c)
{
	struct kunit *test = c->test;
	unsigned long addr;

	switch (c->workload) {
	case BENCH_ANON:
		c->addr = pop_mmap(test, NULL, 0, c->npages, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
		break;
	case BENCH_FILE:
		c->addr = pop_mmap(test, c->pf->file, 0, c->npages, PROT_READ,
				   MAP_SHARED | MAP_POPULATE, 0);
		break;
	case BENCH_BLK:
		c->addr = pop_mmap(test, c->blk, 0, c->npages, PROT_READ,
				   MAP_SHARED | MAP_POPULATE, 0);
		break;
	case BENCH_BRK:
		addr = BENCH_BRK_BASE + POP_LEN(c->npages);
		KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(addr), addr);
		c->addr = BENCH_BRK_BASE;
		break;
	}
}

static void bench_prepare(struct bench_ctx *c)
{
	struct kunit *test = c->test;
	struct mm_struct *mm = current->mm;

	switch (c->workload) {
	case BENCH_ANON:
		break;
	case BENCH_FILE:
		/* A new, cold file each time; every read of it is delayed. */
		c->pf = pop_file_create(test, c->npages);
		pop_arm(test, POP_FAIL_FILEMAP_DELAY, 1, -1, BENCH_READ_DELAY_US);
		break;
	case BENCH_BLK:
		bench_blk_drop_cache(test, c->blk);
		break;
	case BENCH_BRK:
		mmap_write_lock(mm);
		mm->start_brk = BENCH_BRK_BASE;
		mm->brk = BENCH_BRK_BASE;
		mmap_write_unlock(mm);
		KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
		break;
	}
}

/* Undo the population, check that it happened, and free its memory before the next run. */
static void bench_cleanup(struct bench_ctx *c)
{
	struct kunit *test = c->test;

	KUNIT_EXPECT_EQ_MSG(test, pop_present(test, c->addr, c->npages), c->npages,
			    "%s: pages present after the population", bench_names[c->workload]);
	switch (c->workload) {
	case BENCH_ANON:
		KUNIT_ASSERT_EQ(test, vm_munmap(c->addr, POP_LEN(c->npages)), 0);
		break;
	case BENCH_FILE:
		pop_disarm(test, POP_FAIL_FILEMAP_DELAY);
		KUNIT_ASSERT_EQ(test, vm_munmap(c->addr, POP_LEN(c->npages)), 0);
		/* The page cache of a file the test keeps open until it ends: drop it now. */
		truncate_inode_pages(c->pf->file->f_mapping, 0);
		break;
	case BENCH_BLK:
		KUNIT_ASSERT_EQ(test, vm_munmap(c->addr, POP_LEN(c->npages)), 0);
		break;
	case BENCH_BRK:
		KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);
		KUNIT_ASSERT_EQ(test, (unsigned long)sys_brk(BENCH_BRK_BASE), BENCH_BRK_BASE);
		KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
		break;
	}
}

/* The population again, with the other thread; its longest wait for the lock. */
static u64 bench_contended(struct bench_ctx *c, struct bench_probe *p, bool write, bool rt,
			   u64 *op_max, unsigned long *ops, u64 *wall, unsigned long *reads)
{
	struct kunit *test = c->test;
	struct bench_other *o;
	struct pop_mm_thread *t;
	u64 wait_max, t0;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	o->probe = p;
	o->write = write;
	o->rt = rt;
	init_completion(&o->go);
	bench_prepare(c);
	t = pop_start_in_mm(test, bench_other_fn, o);
	bench_probe_reset(p);
	bench_populator = current;
	KUNIT_ASSERT_EQ(test, register_trace_gup_fault(bench_observe_fault, NULL), 0);
	WRITE_ONCE(bench_armed, o);
	t0 = ktime_get_ns();
	bench_populate(c);
	*wall = ktime_get_ns() - t0;
	*reads = p->read_acquired;
	WRITE_ONCE(o->stop, true);
	if (bench_armed) {
		/* No fault at all: let it make one round and end. */
		bench_armed = NULL;
		complete(&o->go);
	}
	pop_wait_in_mm(t);
	/*
	 * Only once the other thread has ended: unregistering patches the
	 * tracepoint's call site in __get_user_pages(), which its mmap() may
	 * be running (under MCL_FUTURE, or on the experiment kernel). Under
	 * QEMU's TCG with 2 vCPUs that once ended in "Oops: int3" there.
	 */
	unregister_trace_gup_fault(bench_observe_fault, NULL);
	tracepoint_synchronize_unregister();
	KUNIT_EXPECT_EQ_MSG(test, o->err, 0L, "the other thread's mmap/munmap failed");
	wait_max = p->wait_max;
	*op_max = o->op_max;
	*ops = o->ops;
	bench_cleanup(c);
	kunit_kfree(test, o);
	return wait_max;
}

static void bench_one(struct kunit *test, struct bench_probe *p, enum bench_workload workload,
		      struct file *blk, unsigned long npages, struct bench_result *r)
{
	struct bench_ctx c = { .test = test, .workload = workload, .npages = npages, .blk = blk };
	u64 t0, unused, unused_wall;
	unsigned long unused_reads;

	/* Alone: the hold times and the wall time. */
	bench_prepare(&c);
	bench_probe_reset(p);
	t0 = ktime_get_ns();
	bench_populate(&c);
	r->wall = ktime_get_ns() - t0;
	r->hold_max = p->hold_max;
	r->hold_total = p->hold_total;
	r->holds = p->holds;
	r->read_hold_max = p->read_hold_max;
	bench_cleanup(&c);

	r->writer_wait_max = bench_contended(&c, p, true, false, &r->writer_op_max,
					     &r->writer_ops, &r->writer_pop_wall,
					     &r->writer_pop_reads);
	/*
	 * On one CPU a SCHED_FIFO thread in a loop would leave the population
	 * only what RT throttling gives back: UML reports the RT writer as 0.
	 */
	if (num_online_cpus() > 1)
		r->writer_rt_wait_max =
			bench_contended(&c, p, true, true, &r->writer_rt_op_max,
					&r->writer_rt_ops, &r->writer_rt_pop_wall,
					&r->writer_rt_pop_reads);
	r->reader_wait_max = bench_contended(&c, p, false, false, &unused, &r->reader_ops,
					     &unused_wall, &unused_reads);
}

static void bench_workload(struct kunit *test, enum bench_workload workload)
{
	struct file *blk = NULL;
	struct bench_probe *p;
	struct bench_result r;
	unsigned long size;
	int rep, i;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs the gup:gup_fault tracepoint (CONFIG_TRACEPOINTS)");
	if (workload == BENCH_FILE && !pop_fail_available(POP_FAIL_FILEMAP_DELAY))
		kunit_skip(test, "needs fail_filemap_delay (CONFIG_FAIL_FILEMAP_DELAY)");
	if (workload == BENCH_BLK) {
		blk = bench_blk_open(test);
		if (!blk)
			kunit_skip(test, "needs null_blk's nullb0 (make bench ENGINE=qemu)");
	}
	/* The experiment kernel populates under the write lock: that is what it measures. */
	pop_faults_allow_write_locked(test);
	p = bench_probes_on(test);
	for (rep = 1; rep <= BENCH_REPS; rep++) {
		for (i = 0; i < ARRAY_SIZE(bench_sizes_mib); i++) {
			size = bench_sizes_mib[i];
			memset(&r, 0, sizeof(r));
			bench_one(test, p, workload, blk, (size << 20) >> PAGE_SHIFT, &r);
			kunit_info(test,
				   "bench: workload=%s size_mib=%lu rep=%d hold_max_ns=%llu hold_total_ns=%llu holds=%lu read_hold_max_ns=%llu wall_ns=%llu writer_max_wait_ns=%llu writer_max_op_ns=%llu writer_ops=%lu reader_max_wait_ns=%llu reader_ops=%lu read_delay_us=%d writer_pop_wall_ns=%llu writer_pop_reads=%lu writer_rt_max_wait_ns=%llu writer_rt_max_op_ns=%llu writer_rt_ops=%lu writer_rt_pop_wall_ns=%llu writer_rt_pop_reads=%lu",
				   bench_names[workload], size, rep, r.hold_max, r.hold_total,
				   r.holds, r.read_hold_max, r.wall, r.writer_wait_max,
				   r.writer_op_max, r.writer_ops, r.reader_wait_max, r.reader_ops,
				   workload == BENCH_FILE ? BENCH_READ_DELAY_US : 0,
				   r.writer_pop_wall, r.writer_pop_reads, r.writer_rt_wait_max,
				   r.writer_rt_op_max, r.writer_rt_ops, r.writer_rt_pop_wall,
				   r.writer_rt_pop_reads);
		}
	}
}

static void bench_anon(struct kunit *test)
{
	bench_workload(test, BENCH_ANON);
}

static void bench_file(struct kunit *test)
{
	bench_workload(test, BENCH_FILE);
}

static void bench_blk(struct kunit *test)
{
	bench_workload(test, BENCH_BLK);
}

static void bench_brk(struct kunit *test)
{
	bench_workload(test, BENCH_BRK);
}

static struct kunit_case populate_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_anon),
	KUNIT_CASE_SLOW(bench_file),
	KUNIT_CASE_SLOW(bench_blk),
	KUNIT_CASE_SLOW(bench_brk),
	{}
};

static struct kunit_suite populate_bench_suite = {
	.name = "mm_populate_bench",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_bench_cases,
};

kunit_test_suite(populate_bench_suite);
