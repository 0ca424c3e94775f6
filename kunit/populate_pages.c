// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the page tables, the vmas and the mm's counters say about a range of the test's mm.
 *
 * Nothing here drains the LRU or mlock batches before it counts: what the kernel left undrained
 * when a system call returned is what a test must see.
 */
#include <kunit/test.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagewalk.h>

#include "populate_helpers.h"

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
	if (folio_test_unevictable(folio))
		pp->unevictable++;
	/* mlock_count shares the lru field: it means something only on the unevictable LRU. */
	if (folio_test_lru(folio) && folio_test_unevictable(folio)) {
		unsigned long flags;
		struct lruvec *lruvec = folio_lruvec_lock_irqsave(folio, &flags);

		pp->mlock_count += folio->mlock_count;
		unlock_page_lruvec_irqrestore(lruvec, flags);
	}
	return 0;
}

static const struct mm_walk_ops pop_walk_ops = {
	.pte_entry = pop_pte_entry,
	.walk_lock = PGWALK_RDLOCK,
};

/* Count the present PTEs of npages at start and what they map into *pp (pp->map kept). */
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

/* Expect exactly pages [first, first + count) of the npages at start to be present. */
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

/*
 * The exact MM_ANONPAGES, MM_FILEPAGES or MM_SHMEMPAGES of the test's mm. An underflow (a page
 * uncounted twice) is not clamped to 0: the negative sum reads as a huge count, which fails every
 * comparison a test makes.
 */
unsigned long pop_rss(int member)
{
	return (unsigned long)percpu_counter_sum(&current->mm->rss_stat[member]);
}

/* The flags of the vma at addr; fails the test when there is none. */
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

/* vm_mmap() of npages, failing the test if it fails. */
unsigned long pop_mmap(struct kunit *test, struct file *file, unsigned long addr,
		       unsigned long npages, unsigned long prot, unsigned long flags,
		       unsigned long pgoff)
{
	unsigned long ret = vm_mmap(file, addr, POP_LEN(npages), prot, flags, POP_LEN(pgoff));

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(ret), "vm_mmap: %ld", (long)ret);
	return ret;
}

/* An unmapped range of npages, for a test that maps there with MAP_FIXED. */
unsigned long pop_hole(struct kunit *test, unsigned long npages)
{
	unsigned long addr = pop_mmap(test, NULL, 0, npages, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, POP_LEN(npages)), 0);
	return addr;
}

/* A fresh mm has start_brk = brk = 0: give it a heap in a free hole of npages; its base. */
unsigned long pop_brk_heap(struct kunit *test, unsigned long npages)
{
	struct mm_struct *mm = current->mm;
	unsigned long base = pop_hole(test, npages);

	mmap_write_lock(mm);
	mm->start_brk = base;
	mm->brk = base;
	mmap_write_unlock(mm);
	return base;
}
