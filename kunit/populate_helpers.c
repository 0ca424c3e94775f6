// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared helpers of the mm_populate() suites (see populate_helpers.h).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pagewalk.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/swap.h>
#include <linux/vmstat.h>
#include <trace/events/gup.h>
#include <trace/events/mmap_lock.h>

/* The fault-injection capabilities, once the kernel has them. */
#if IS_ENABLED(CONFIG_FAIL_GUP_FAULT) || IS_ENABLED(CONFIG_FAIL_GUP_RETRY) || \
	IS_ENABLED(CONFIG_FAIL_FILEMAP_READ) || IS_ENABLED(CONFIG_FAIL_FILEMAP_DELAY)
#include <linux/fail_populate.h>
#define POP_HAVE_FAIL 1
#endif

#include "populate_helpers.h"

struct pop_ctx {
	struct mm_struct *mm;
	struct task_struct *task;	/* the test's kthread: only its faults are observed */
	long nr_mlock_start;
	bool observing;
	struct pop_faults faults;
	bool tracing;
	struct pop_lock_events lock;
	bool armed[POP_NR_FAIL];
	/* should_fail() decrements times per injection: times as set, what earlier arms used. */
	int times_set[POP_NR_FAIL];
	long injected[POP_NR_FAIL];
	/* pop_arm_from(): the observer arms which after fault number from_at - 1. */
	bool from_pending;
	enum pop_fail from_which;
	unsigned long from_at;
	u32 from_arg;
	/* The test's files, whose failed reads count as injected faults. */
	struct pop_file *files[8];
	unsigned int nfiles;
};

static void pop_fail_set(struct pop_ctx *ctx, enum pop_fail which, unsigned long nth, int times,
			 u32 arg);

static struct pop_ctx *pop_ctx(struct kunit *test)
{
	return test->priv;
}

/* ---- page tables ---- */

struct pop_walk {
	unsigned long start;
	struct pop_pages *pp;
};

static int pop_pte_entry(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct pop_walk *w = walk->private;
	struct pop_pages *pp = w->pp;
	pte_t ptent = ptep_get(pte);
	struct page *page;
	struct folio *folio;

	if (!pte_present(ptent))
		return 0;
	pp->present++;
	if (pp->map)
		__set_bit((addr - w->start) >> PAGE_SHIFT, pp->map);
	if (pte_dirty(ptent))
		pp->dirty++;
	if (is_zero_pfn(pte_pfn(ptent))) {
		pp->zero++;
		return 0;
	}
	page = vm_normal_page(walk->vma, addr, ptent);
	if (!page)
		return 0;
	folio = page_folio(page);
	if (folio_test_anon(folio))
		pp->anon++;
	if (folio_test_mlocked(folio))
		pp->mlocked++;
	return 0;
}

static const struct mm_walk_ops pop_walk_ops = {
	.pte_entry = pop_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

void pop_pages(struct kunit *test, unsigned long start, unsigned long npages,
	       struct pop_pages *pp)
{
	struct mm_struct *mm = current->mm;
	unsigned long *map = pp->map;
	struct pop_walk w = { .start = start, .pp = pp };
	int ret;

	memset(pp, 0, sizeof(*pp));
	pp->map = map;
	if (map)
		bitmap_zero(map, npages);
	/* Pending mlock/munlock batches decide PG_mlocked: settle them first. */
	lru_add_drain();
	mmap_read_lock(mm);
	ret = walk_page_range(mm, start, start + POP_LEN(npages), &pop_walk_ops, &w);
	mmap_read_unlock(mm);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

unsigned long pop_present(struct kunit *test, unsigned long start, unsigned long npages)
{
	struct pop_pages pp = {};

	pop_pages(test, start, npages, &pp);
	return pp.present;
}

void pop_expect_present_run(struct kunit *test, unsigned long start, unsigned long npages,
			    unsigned long first, unsigned long count)
{
	struct pop_pages pp = {};
	unsigned long i;

	pp.map = kunit_kcalloc(test, BITS_TO_LONGS(npages), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pp.map);
	pop_pages(test, start, npages, &pp);
	KUNIT_EXPECT_EQ_MSG(test, pp.present, count, "present pages of %lu", npages);
	for (i = 0; i < npages; i++) {
		bool want = i >= first && i < first + count;

		if (test_bit(i, pp.map) != want) {
			KUNIT_FAIL(test, "page %lu of %lu is %s, expected pages %lu..%lu present",
				   i, npages, want ? "absent" : "present", first,
				   first + count - 1);
			break;
		}
	}
}

/* ---- the test's mm and counters ---- */

unsigned long pop_rss(int member)
{
	return percpu_counter_sum_positive(&current->mm->rss_stat[member]);
}

long pop_nr_mlock(void)
{
	struct zone *zone;
	long n = 0;

	lru_add_drain();
	for_each_populated_zone(zone)
		n += zone_page_state_snapshot(zone, NR_MLOCK);
	return n;
}

vm_flags_t pop_vm_flags(struct kunit *test, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	vm_flags_t flags = 0;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma)
		flags = vma->vm_flags;
	mmap_read_unlock(mm);
	KUNIT_ASSERT_NOT_NULL_MSG(test, vma, "no vma at %#lx", addr);
	return flags;
}

unsigned long pop_vma_count(unsigned long start, unsigned long npages)
{
	VMA_ITERATOR(vmi, current->mm, start);
	struct vm_area_struct *vma;
	unsigned long n = 0;

	mmap_read_lock(current->mm);
	for_each_vma_range(vmi, vma, start + POP_LEN(npages))
		n++;
	mmap_read_unlock(current->mm);
	return n;
}

unsigned long pop_mmap(struct kunit *test, struct file *file, unsigned long addr,
		       unsigned long npages, unsigned long prot, unsigned long flags,
		       unsigned long pgoff)
{
	unsigned long ret = vm_mmap(file, addr, POP_LEN(npages), prot, flags, POP_LEN(pgoff));

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(ret), "vm_mmap: %ld", (long)ret);
	return ret;
}

unsigned long pop_hole(struct kunit *test, unsigned long npages)
{
	unsigned long addr = pop_mmap(test, NULL, 0, npages, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, POP_LEN(npages)), 0);
	return addr;
}

/* ---- observer: the gup:gup_fault tracepoint ---- */

/* After each GUP fault, lock dropped or not (result VM_FAULT_RETRY or _COMPLETED). Atomic. */
static void pop_gup_fault(void *data, struct mm_struct *mm, unsigned long address,
			  unsigned int flags, vm_fault_t result)
{
	struct pop_ctx *ctx = data;
	struct pop_faults *f = &ctx->faults;

	if (current != ctx->task)
		return;
	f->count++;
	/* Without lockdep, lockdep_is_held_type() says "held" whatever the lock. */
	if (IS_ENABLED(CONFIG_LOCKDEP) && !(result & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) &&
	    lockdep_is_held_type(&mm->mmap_lock, 0))
		f->write_locked++;
	if (f->logged < POP_FAULT_LOG)
		f->addr[f->logged++] = address & PAGE_MASK;
	if (ctx->from_pending && f->count + 1 == ctx->from_at) {
		ctx->from_pending = false;
		pop_fail_set(ctx, ctx->from_which, 1, -1, ctx->from_arg);
	}
	if (f->notify && f->count == f->notify_at)
		complete(f->notify);
}

static void pop_observe_stop(void *data)
{
	unregister_trace_gup_fault(pop_gup_fault, data);
	tracepoint_synchronize_unregister();
}

bool pop_observing(struct kunit *test)
{
	return pop_ctx(test)->observing;
}

void pop_require_observer(struct kunit *test)
{
	if (!pop_observing(test))
		kunit_skip(test, "needs the gup:gup_fault tracepoint (CONFIG_TRACEPOINTS)");
}

void pop_faults_notify_at(struct kunit *test, unsigned long n, struct completion *done)
{
	struct pop_faults *f = pop_faults(test);

	pop_require_observer(test);
	f->notify_at = f->count + n;
	WRITE_ONCE(f->notify, done);
}

struct pop_faults *pop_faults(struct kunit *test)
{
	return &pop_ctx(test)->faults;
}

void pop_faults_reset(struct kunit *test)
{
	struct pop_faults *f = pop_faults(test);
	unsigned long write_locked = f->write_locked;

	/* Never forget a fault made under the write lock: pop_exit checks it. */
	memset(f, 0, sizeof(*f));
	f->write_locked = write_locked;
}

unsigned long pop_faults_at(struct kunit *test, unsigned long addr)
{
	struct pop_faults *f = pop_faults(test);
	unsigned long i, n = 0;

	KUNIT_EXPECT_LT_MSG(test, f->logged, (unsigned long)POP_FAULT_LOG, "fault log overflowed");
	for (i = 0; i < f->logged; i++)
		n += f->addr[i] == (addr & PAGE_MASK);
	return n;
}

/* ---- mmap_lock tracepoints ---- */

static void pop_lock_acquired(void *data, struct mm_struct *mm, const char *memcg_path,
			      bool write, bool success)
{
	struct pop_ctx *ctx = data;

	if (mm != ctx->mm || !success)
		return;
	atomic_inc(write ? &ctx->lock.write_acquired : &ctx->lock.read_acquired);
}

static void pop_lock_released(void *data, struct mm_struct *mm, const char *memcg_path,
			      bool write)
{
	struct pop_ctx *ctx = data;

	if (mm != ctx->mm)
		return;
	atomic_inc(write ? &ctx->lock.write_released : &ctx->lock.read_released);
}

static void pop_lock_trace_stop(void *data)
{
	unregister_trace_mmap_lock_released(pop_lock_released, data);
	unregister_trace_mmap_lock_acquire_returned(pop_lock_acquired, data);
	tracepoint_synchronize_unregister();
}

struct pop_lock_events *pop_lock_events(struct kunit *test)
{
	struct pop_ctx *ctx = pop_ctx(test);

	if (!ctx->tracing) {
		if (!IS_ENABLED(CONFIG_TRACEPOINTS))
			kunit_skip(test, "needs the mmap_lock tracepoints (CONFIG_TRACING)");
		KUNIT_ASSERT_EQ(test, register_trace_mmap_lock_acquire_returned(pop_lock_acquired,
										ctx), 0);
		if (register_trace_mmap_lock_released(pop_lock_released, ctx)) {
			unregister_trace_mmap_lock_acquire_returned(pop_lock_acquired, ctx);
			tracepoint_synchronize_unregister();
			KUNIT_FAIL_AND_ABORT(test, "register_trace_mmap_lock_released failed");
		}
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pop_lock_trace_stop, ctx), 0);
		ctx->tracing = true;
	}
	atomic_set(&ctx->lock.read_acquired, 0);
	atomic_set(&ctx->lock.read_released, 0);
	atomic_set(&ctx->lock.write_acquired, 0);
	atomic_set(&ctx->lock.write_released, 0);
	return &ctx->lock;
}

/* ---- fault injection ---- */

static const char *const pop_fail_names[POP_NR_FAIL] = {
	[POP_FAIL_GUP_FAULT] = "fail_gup_fault (CONFIG_FAIL_GUP_FAULT)",
	[POP_FAIL_GUP_RETRY] = "fail_gup_retry (CONFIG_FAIL_GUP_RETRY)",
	[POP_FAIL_FILEMAP_READ] = "fail_filemap_read (CONFIG_FAIL_FILEMAP_READ)",
	[POP_FAIL_FILEMAP_DELAY] = "fail_filemap_delay (CONFIG_FAIL_FILEMAP_DELAY)",
};

#ifdef POP_HAVE_FAIL
static struct fail_populate *pop_fail_attr(enum pop_fail which)
{
	switch (which) {
#ifdef CONFIG_FAIL_GUP_FAULT
	case POP_FAIL_GUP_FAULT:
		return &fail_gup_fault;
#endif
#ifdef CONFIG_FAIL_GUP_RETRY
	case POP_FAIL_GUP_RETRY:
		return &fail_gup_retry;
#endif
#ifdef CONFIG_FAIL_FILEMAP_READ
	case POP_FAIL_FILEMAP_READ:
		return &fail_filemap_read;
#endif
#ifdef CONFIG_FAIL_FILEMAP_DELAY
	case POP_FAIL_FILEMAP_DELAY:
		return &fail_filemap_delay;
#endif
	default:
		return NULL;
	}
}

static void pop_fail_reset(struct fail_populate *fp)
{
	atomic_set(&fp->attr.times, 0);
	fp->attr.probability = 0;
	fp->attr.interval = 1;
	fp->attr.count = 0;
	fp->attr.task_filter = false;
	fp->delay_us = 0;
	fp->vm_fault = 0;
	fp->ino = 0;
	fp->dev = 0;
}

static void pop_disarm_action(void *data)
{
	pop_fail_reset(data);
}
#endif

#ifdef POP_HAVE_FAIL
/* Move what the current arming injected into ctx->injected; no KUnit calls (see below). */
static void pop_fail_account(struct pop_ctx *ctx, enum pop_fail which, struct fail_populate *fp)
{
	ctx->injected[which] += ctx->times_set[which] - atomic_read(&fp->attr.times);
	ctx->times_set[which] = 0;
}
#endif

/* No KUnit calls: the observer uses it in the middle of a fault. */
static void pop_fail_set(struct pop_ctx *ctx, enum pop_fail which, unsigned long nth, int times,
			 u32 arg)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);

	if (!fp)
		return;
	pop_fail_account(ctx, which, fp);
	/* should_fail_ex(): fails when ++count % interval == 0, while times != 0. */
	pop_fail_reset(fp);
	if (which == POP_FAIL_GUP_FAULT)
		fp->vm_fault = arg;
	else
		fp->delay_us = arg;
	fp->attr.verbose = 0;
	fp->attr.task_filter = true;
	current->make_it_fail = 1;
	fp->attr.interval = nth;
	fp->attr.count = 0;
	atomic_set(&fp->attr.space, 0);
	fp->attr.probability = 100;
	/* A bound even for "no limit", so that what is left tells how many were injected. */
	ctx->times_set[which] = times < 0 ? INT_MAX : times;
	atomic_set(&fp->attr.times, ctx->times_set[which]);
#endif
}

bool pop_fail_available(enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	return pop_fail_attr(which);
#else
	return false;
#endif
}

void pop_arm(struct kunit *test, enum pop_fail which, unsigned long nth, int times, u32 arg)
{
#ifdef POP_HAVE_FAIL
	struct pop_ctx *ctx = pop_ctx(test);
	struct fail_populate *fp = pop_fail_attr(which);

	if (!fp)
		kunit_skip(test, "needs %s", pop_fail_names[which]);
	KUNIT_ASSERT_GE(test, nth, 1UL);
	if (!ctx->armed[which]) {
		/* From a known state: times 0, nothing to account. */
		pop_fail_reset(fp);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pop_disarm_action, fp), 0);
		ctx->armed[which] = true;
	}
	ctx->from_pending = false;
	pop_fail_set(ctx, which, nth, times, arg);
#else
	kunit_skip(test, "needs <linux/fail_populate.h> and %s", pop_fail_names[which]);
#endif
}

void pop_arm_from(struct kunit *test, enum pop_fail which, unsigned long nth, u32 arg)
{
	struct pop_ctx *ctx = pop_ctx(test);

	if (nth == 1) {
		pop_arm(test, which, 1, -1, arg);
		return;
	}
	/* Disarmed until the observer has seen fault nth - 1 (and skipped if it cannot). */
	pop_arm(test, which, 1, 0, arg);
	pop_require_observer(test);
	ctx->from_which = which;
	ctx->from_arg = arg;
	ctx->from_at = ctx->faults.count + nth;
	ctx->from_pending = true;
}

void pop_disarm(struct kunit *test, enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);

	if (pop_ctx(test)->from_which == which)
		pop_ctx(test)->from_pending = false;
	if (fp) {
		pop_fail_account(pop_ctx(test), which, fp);
		pop_fail_reset(fp);
	}
#endif
}

void pop_arm_only_file(struct kunit *test, enum pop_fail which, struct file *file)
{
#ifdef POP_HAVE_FAIL
	struct fail_populate *fp = pop_fail_attr(which);
	struct inode *inode = file_inode(file);

	KUNIT_ASSERT_TRUE_MSG(test, fp && pop_ctx(test)->armed[which], "pop_arm() first");
	KUNIT_ASSERT_TRUE(test, which == POP_FAIL_FILEMAP_READ || which == POP_FAIL_FILEMAP_DELAY);
	WRITE_ONCE(fp->ino, inode->i_ino);
	WRITE_ONCE(fp->dev, new_encode_dev(inode->i_sb->s_dev));
#endif
}

long pop_injected(struct kunit *test, enum pop_fail which)
{
#ifdef POP_HAVE_FAIL
	struct pop_ctx *ctx = pop_ctx(test);
	struct fail_populate *fp = pop_fail_attr(which);

	if (fp && ctx->armed[which])
		return ctx->injected[which] + ctx->times_set[which] - atomic_read(&fp->attr.times);
#endif
	return 0;
}

/* ---- the test file system ---- */

#define POP_FS_MAGIC 0x706f7055	/* "Upop" */

static DEFINE_MUTEX(pop_fs_lock);
static struct vfsmount *pop_mnt;

static bool pop_mm_locked(struct mm_struct *mm)
{
#ifdef CONFIG_LOCKDEP
	return lockdep_is_held(&mm->mmap_lock);
#else
	return rwsem_is_locked(&mm->mmap_lock);
#endif
}

static int pop_read_folio(struct file *file, struct folio *folio)
{
	struct pop_file *pf = folio->mapping->host->i_private;
	void *kaddr;

	if (pf) {
		atomic_inc(&pf->reads);
		if (pf->mm && pop_mm_locked(pf->mm))
			atomic_inc(&pf->reads_locked);
		if (pf->read_hook)
			pf->read_hook(pf, folio->index);
		if (folio->index == READ_ONCE(pf->fail_index) &&
		    atomic_add_unless(&pf->fail_left, -1, 0)) {
			atomic_inc(&pf->reads_failed);
			folio_unlock(folio);
			return -EIO;
		}
	}
	/* Page i holds i in its first word: a mapping shows which file page it maps. */
	folio_zero_range(folio, 0, folio_size(folio));
	kaddr = kmap_local_folio(folio, 0);
	*(unsigned long *)kaddr = folio->index;
	kunmap_local(kaddr);
	folio_mark_uptodate(folio);
	folio_unlock(folio);
	return 0;
}

static const struct address_space_operations pop_aops = {
	.read_folio = pop_read_folio,
	.dirty_folio = noop_dirty_folio,
};

static const struct file_operations pop_fops = {
	.mmap = generic_file_mmap,
};

static int pop_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, POP_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type pop_fs_type = {
	.name = "mm_populate_test",
	.init_fs_context = pop_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct vfsmount *pop_fs_mount(void)
{
	struct vfsmount *mnt;

	mutex_lock(&pop_fs_lock);
	if (!pop_mnt) {
		mnt = kern_mount(&pop_fs_type);
		if (!IS_ERR(mnt))
			pop_mnt = mnt;
	} else {
		mnt = pop_mnt;
	}
	mutex_unlock(&pop_fs_lock);
	return mnt;
}

static void pop_file_put(void *data)
{
	struct pop_file *pf = data;

	/* The inode may outlive the test (delayed fput): forget the test's counters. */
	file_inode(pf->file)->i_private = NULL;
	fput(pf->file);
}

struct pop_file *pop_file_create(struct kunit *test, unsigned long npages)
{
	struct vfsmount *mnt = pop_fs_mount();
	struct pop_file *pf;
	struct inode *inode;
	struct file *file;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "kern_mount: %ld", PTR_ERR(mnt));
	pf = kunit_kzalloc(test, sizeof(*pf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pf);
	pf->npages = npages;
	pf->mm = current->mm;
	pf->fail_index = ULONG_MAX;

	inode = alloc_anon_inode(mnt->mnt_sb);
	KUNIT_ASSERT_FALSE(test, IS_ERR(inode));
	inode->i_mode |= S_IFREG;
	inode->i_mapping->a_ops = &pop_aops;
	inode->i_private = pf;
	i_size_write(inode, POP_LEN(npages));

	file = alloc_file_pseudo(inode, mnt, "mm_populate_test", O_RDWR, &pop_fops);
	if (IS_ERR(file)) {
		iput(inode);
		KUNIT_FAIL_AND_ABORT(test, "alloc_file_pseudo: %ld", PTR_ERR(file));
	}
	/* alloc_file_pseudo() leaves readahead off already; make it explicit. */
	file->f_ra.ra_pages = 0;
	pf->file = file;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pop_file_put, pf), 0);
	if (pop_ctx(test)->nfiles < ARRAY_SIZE(pop_ctx(test)->files))
		pop_ctx(test)->files[pop_ctx(test)->nfiles++] = pf;
	return pf;
}

void pop_file_fail(struct pop_file *pf, pgoff_t index, int times)
{
	WRITE_ONCE(pf->fail_index, index);
	atomic_set(&pf->fail_left, times);
}

static struct folio *pop_file_folio(struct pop_file *pf, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(pf->file->f_mapping, index);

	return IS_ERR(folio) ? NULL : folio;
}

bool pop_file_dirty(struct pop_file *pf, pgoff_t index)
{
	struct folio *folio = pop_file_folio(pf, index);
	bool ret;

	if (!folio)
		return false;
	ret = folio_test_dirty(folio);
	folio_put(folio);
	return ret;
}

/* ---- another kthread in the test's mm ---- */

struct pop_mm_thread {
	struct mm_struct *mm;
	void (*fn)(void *data);
	void *data;
	struct completion done;
};

static int pop_mm_threadfn(void *arg)
{
	struct pop_mm_thread *t = arg;

	kthread_use_mm(t->mm);
	t->fn(t->data);
	kthread_unuse_mm(t->mm);
	complete(&t->done);
	return 0;
}

struct pop_mm_thread *pop_start_in_mm(struct kunit *test, void (*fn)(void *data), void *data)
{
	struct pop_mm_thread *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->mm = current->mm;
	t->fn = fn;
	t->data = data;
	init_completion(&t->done);
	mmget(t->mm);
	task = kthread_run(pop_mm_threadfn, t, "pop_mm_thread");
	if (IS_ERR(task)) {
		mmput(t->mm);
		kfree(t);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run: %ld", PTR_ERR(task));
	}
	return t;
}

static void pop_free_in_mm(struct pop_mm_thread *t)
{
	mmput(t->mm);
	kfree(t);
}

void pop_wait_in_mm(struct pop_mm_thread *t)
{
	wait_for_completion(&t->done);
	pop_free_in_mm(t);
}

bool pop_wait_in_mm_timeout(struct pop_mm_thread *t, unsigned long timeout)
{
	if (!wait_for_completion_timeout(&t->done, timeout))
		return false;
	pop_free_in_mm(t);
	return true;
}

void pop_run_in_mm(struct kunit *test, void (*fn)(void *data), void *data)
{
	pop_wait_in_mm(pop_start_in_mm(test, fn, data));
}

/* ---- init and exit ---- */

int pop_init(struct kunit *test)
{
	struct pop_ctx *ctx;
	struct mm_struct *mm;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;

	mm = pop_attach_fresh_mm();
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ctx->mm = mm;
	ctx->nr_mlock_start = pop_nr_mlock();

	ctx->task = current;
	if (IS_ENABLED(CONFIG_TRACEPOINTS)) {
		if (register_trace_gup_fault(pop_gup_fault, ctx))
			return -EINVAL;
		if (kunit_add_action_or_reset(test, pop_observe_stop, ctx))
			return -ENOMEM;
		ctx->observing = true;
	}
	return 0;
}

/* Runs in KUnit's cleanup kthread, after the test kthread is gone. */
void pop_exit(struct kunit *test)
{
	struct pop_ctx *ctx = pop_ctx(test);
	struct mm_struct *mm;
	long injected = 0;
	bool armed = false;
	int i;

	if (!ctx || !ctx->mm)
		return;
	mm = ctx->mm;

	for (i = 0; i < POP_NR_FAIL; i++) {
		if (ctx->armed[i]) {
			pop_disarm(test, i);
			injected += pop_injected(test, i);
			armed = true;
		}
	}
	for (i = 0; i < ctx->nfiles; i++) {
		injected += atomic_read(&ctx->files[i]->reads_failed);
		armed |= atomic_read(&ctx->files[i]->reads_failed) > 0;
	}
	if (armed)
		kunit_info(test, "faults injected: %ld", injected);
	if (ctx->observing)
		KUNIT_EXPECT_EQ_MSG(test, ctx->faults.write_locked, 0UL,
				    "GUP faults made with mmap_lock held for write");

	kthread_use_mm(mm);
	KUNIT_EXPECT_EQ(test, vm_munmap(0, TASK_SIZE), 0);
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_ANONPAGES), 0UL, "MM_ANONPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_FILEPAGES), 0UL, "MM_FILEPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_SHMEMPAGES), 0UL, "MM_SHMEMPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, mm->locked_vm, 0UL, "locked_vm after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_nr_mlock(), ctx->nr_mlock_start,
			    "NR_MLOCK after unmapping all");
	kthread_unuse_mm(mm);
	mmput(mm);
	ctx->mm = NULL;
}
