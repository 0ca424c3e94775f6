// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every suite's .init and .exit: the test gets an mm of its own, every GUP fault it takes is
 * observed, and after it, whatever it checked itself, what the series promises of every
 * population must hold.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pagewalk.h>
#include <linux/sched/mm.h>
#include <linux/xarray.h>

#include "populate_ctx.h"

/*
 * Skipped, with the reason, on a kernel without tracepoints: every test relies on the observer
 * to fail a fault taken with mmap_lock held for write.
 */
int pop_init(struct kunit *test)
{
	struct pop_ctx *ctx;
	struct mm_struct *mm;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs the gup:gup_fault tracepoint (CONFIG_TRACEPOINTS)");
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;

	mm = pop_attach_fresh_mm();
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ctx->mm = mm;
	return pop_observe_start(test);
}

/* Each folio mapped mlocked, once, with a reference: it must be munlocked by the unmapping. */
static int pop_collect_mlocked(pte_t *pte, unsigned long addr, unsigned long next,
			       struct mm_walk *walk)
{
	struct xarray *mlocked = walk->private;
	pte_t ptent = ptep_get(pte);
	struct folio *folio;
	struct page *page;

	if (!pte_present(ptent))
		return 0;
	page = vm_normal_page(walk->vma, addr, ptent);
	if (!page)
		return 0;
	folio = page_folio(page);
	if (!folio_test_mlocked(folio) || xa_load(mlocked, folio_pfn(folio)))
		return 0;
	/* Under the PTE lock: no sleeping allocation. */
	if (xa_is_err(xa_store(mlocked, folio_pfn(folio), folio, GFP_NOWAIT)))
		return -ENOMEM;
	folio_get(folio);
	return 0;
}

static const struct mm_walk_ops pop_collect_ops = {
	.pte_entry = pop_collect_mlocked,
	.walk_lock = PGWALK_RDLOCK,
};

/* Folios of the test's files still in their page cache and mlocked: none may be mapped now. */
static unsigned long pop_files_mlocked(struct pop_ctx *ctx)
{
	unsigned long n = 0;
	struct folio *folio;
	unsigned int i;

	for (i = 0; i < ctx->nfiles; i++) {
		XA_STATE(xas, &ctx->files[i]->file->f_mapping->i_pages, 0);

		rcu_read_lock();
		xas_for_each(&xas, folio, ULONG_MAX) {
			if (!xas_retry(&xas, folio) && !xa_is_value(folio) &&
			    folio_test_mlocked(folio))
				n++;
		}
		rcu_read_unlock();
	}
	return n;
}

/*
 * Runs in KUnit's cleanup kthread, after the test kthread is gone: unmaps everything and expects
 * the mm's counters back at 0 and no folio the test mapped left mlocked. The kernel's own drains
 * must have run: nothing here drains the mlock batches.
 */
void pop_exit(struct kunit *test)
{
	struct pop_ctx *ctx = pop_ctx(test);
	unsigned long index, left_mlocked = 0;
	struct folio *folio;
	struct mm_struct *mm;
	struct xarray mlocked;
	long injected = 0;
	bool armed = false;
	int i, ret;

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
	if (!ctx->write_locked_ok)
		KUNIT_EXPECT_EQ_MSG(test, ctx->faults.write_locked, 0UL,
				    "GUP faults made with mmap_lock held for write");

	/* On the stack: xa_init() gives its lock a lockdep key (DEFINE_XARRAY() is for statics). */
	xa_init(&mlocked);
	kthread_use_mm(mm);
	mmap_read_lock(mm);
	ret = walk_page_range(mm, 0, TASK_SIZE, &pop_collect_ops, &mlocked);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "collecting the mlocked folios");
	KUNIT_EXPECT_EQ(test, vm_munmap(0, TASK_SIZE), 0);
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_ANONPAGES), 0UL, "MM_ANONPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_FILEPAGES), 0UL, "MM_FILEPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_rss(MM_SHMEMPAGES), 0UL, "MM_SHMEMPAGES after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, mm->locked_vm, 0UL, "locked_vm after unmapping all");
	xa_for_each(&mlocked, index, folio) {
		left_mlocked += folio_test_mlocked(folio);
		folio_put(folio);
	}
	xa_destroy(&mlocked);
	KUNIT_EXPECT_EQ_MSG(test, left_mlocked, 0UL, "folios left mlocked after unmapping all");
	KUNIT_EXPECT_EQ_MSG(test, pop_files_mlocked(ctx), 0UL,
			    "test files' folios left mlocked after unmapping all");
	kthread_unuse_mm(mm);
	mmput(mm);
	ctx->mm = NULL;
}
