// SPDX-License-Identifier: GPL-2.0-only
/*
 * mlock(), mlock2() and munlock(): mlock sets VM_LOCKED under the write lock, then populates with
 * __mm_populate() under the read lock and reports errors.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

static void mlock_populates_and_mlocks_every_page(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_ASSERT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.anon, (unsigned long)NR, "not write-faulted");
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static void mlock_of_a_middle_part_populates_only_that_part(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_ASSERT_EQ(test, sys_mlock(POP_ADDR(addr, 4), POP_LEN(8)), 0L);
	pop_expect_present_run(test, addr, NR, 4, 8);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 3UL);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, 4)) & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, POP_ADDR(addr, 12)) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 8UL);
}

static void mlock_of_a_file_reads_every_page_with_the_lock_dropped(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads_locked), 0,
			    "file pages were read with mmap_lock held");
}

static void mlock2_onfault_populates_nothing_until_a_page_is_touched(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};
	vm_flags_t flags;

	KUNIT_ASSERT_EQ(test, sys_mlock2(addr, POP_LEN(NR), MLOCK_ONFAULT), 0L);
	flags = pop_vm_flags(test, addr);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKONFAULT);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);

	/* A touch faults in that page, and only it, mlocked. */
	KUNIT_ASSERT_EQ(test, put_user(1UL, (unsigned long __user *)POP_ADDR(addr, 3)), 0);
	pop_expect_present_run(test, addr, NR, 3, 1);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 1UL);
}

static void munlock_clears_vm_locked_and_unlocks_pages_left_present(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_ASSERT_EQ(test, sys_munlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static void mlock_of_prot_none_fails_with_enomem_and_maps_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), (long)-ENOMEM);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
}

static void mlock_of_an_onfault_range_populates_it_and_clears_onfault(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};
	vm_flags_t flags;

	KUNIT_ASSERT_EQ(test, sys_mlock2(addr, POP_LEN(NR), MLOCK_ONFAULT), 0L);
	KUNIT_ASSERT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);

	flags = pop_vm_flags(test, addr);
	KUNIT_EXPECT_TRUE(test, flags & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, flags & VM_LOCKONFAULT);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	/* Locked twice, counted once. */
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);

	KUNIT_ASSERT_EQ(test, sys_munlockall(), 0L);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

/* Pages 4.25 to 7.25 of the range: the call covers pages 4 to 7, all four of them. */
static void mlock_of_an_unaligned_range_locks_every_page_it_touches(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(POP_ADDR(addr, 4) + PAGE_SIZE / 4, POP_LEN(3)), 0L);
	pop_expect_present_run(test, addr, NR, 4, 4);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 4UL);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 3UL);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, POP_ADDR(addr, 3)) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, 4)) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, 7)) & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, POP_ADDR(addr, 8)) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 4UL);
}

/* Pages 2.5 to 4.5: pages 2, 3 and 4 are locked on fault, none is populated. */
static void mlock2_onfault_of_an_unaligned_range_locks_every_page_it_touches(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	vm_flags_t locked = VM_LOCKED | VM_LOCKONFAULT;

	KUNIT_ASSERT_EQ(test, sys_mlock2(POP_ADDR(addr, 2) + PAGE_SIZE / 2, POP_LEN(2),
					 MLOCK_ONFAULT), 0L);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 3UL);
	KUNIT_EXPECT_EQ(test, pop_vm_flags(test, POP_ADDR(addr, 1)) & locked, 0UL);
	KUNIT_EXPECT_EQ(test, pop_vm_flags(test, POP_ADDR(addr, 2)) & locked, locked);
	KUNIT_EXPECT_EQ(test, pop_vm_flags(test, POP_ADDR(addr, 4)) & locked, locked);
	KUNIT_EXPECT_EQ(test, pop_vm_flags(test, POP_ADDR(addr, 5)) & locked, 0UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 3UL);
}

/* Pages 2.5 to 4.5 of a locked range: pages 2, 3 and 4 are unlocked, the others stay locked. */
static void munlock_of_an_unaligned_range_unlocks_every_page_it_touches(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_ASSERT_EQ(test, sys_munlock(POP_ADDR(addr, 2) + PAGE_SIZE / 2, POP_LEN(2)), 0L);
	KUNIT_EXPECT_EQ(test, pop_vma_count(addr, NR), 3UL);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, 1)) & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, POP_ADDR(addr, 2)) & VM_LOCKED);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, POP_ADDR(addr, 4)) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, 5)) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, NR - 3UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, NR - 3UL);
}

/*
 * An execute-only vma is accessible: populate_vma_page_range() reads it with FOLL_FORCE, which maps
 * the zero page (unlike PROT_NONE, which it refuses).
 */
static void mlock_of_an_exec_only_vma_maps_the_zero_page(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/* A write-only private vma is populated as a writable one: write faults, real anon pages. */
static void mlock_of_a_write_only_private_vma_write_faults_anon_pages(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, 0UL);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

static void mlock2_with_an_unknown_flag_fails_and_changes_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_EXPECT_EQ(test, sys_mlock2(addr, POP_LEN(NR), MLOCK_ONFAULT << 1), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, sys_mlock2(addr, POP_LEN(NR), MLOCK_ONFAULT | (MLOCK_ONFAULT << 1)),
			(long)-EINVAL);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED_MASK);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

/*
 * One mlock() over three vmas of three kinds: __mm_populate() goes from one to the next, each
 * populated its own way (anonymous write faults, file reads with the lock dropped, shmem pages).
 */
static void mlock_across_anon_file_and_shmem_vmas_populates_each_its_own_way(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_hole(test, 3 * NR);
	struct pop_pages pp = {};

	pop_mmap(test, NULL, addr, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	pop_mmap(test, pf->file, POP_ADDR(addr, NR), NR, PROT_READ, MAP_SHARED | MAP_FIXED, 0);
	pop_mmap(test, NULL, POP_ADDR(addr, 2 * NR), NR, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 0);
	KUNIT_ASSERT_EQ(test, pop_vma_count(addr, 3 * NR), 3UL);
	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(3 * NR)), 0L);
	pop_pages(test, addr, 3 * NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, 3UL * NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 3UL * NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 3UL * NR);
}

/*
 * Pages faulted in before mlock() are not faulted again: mlock_fixup() -> mlock_vma_pages_range()
 * walks the present PTEs and mlocks their folios (mm/mlock.c, mlock_pte_range():
 * "if (vma->vm_flags & VM_LOCKED) mlock_folio(folio);").
 */
static void mlock_mlocks_the_pages_that_were_present_before_it(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_WRITE), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_ASSERT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_ASSERT_EQ(test, pp.mlocked, 0UL);
	pop_faults_reset(test);

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_EQ_MSG(test, pop_faults(test)->count, 0UL, "present pages faulted again");
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.unevictable, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/*
 * A folio mapped by two VM_LOCKED vmas counts both in its mlock_count; munlock of one vma takes
 * one off and leaves it mlocked on the unevictable LRU (mm/mlock.c, __munlock_folio():
 * "if (folio->mlock_count) goto out;"). The munlock drains the mlock batches before and after its
 * walk (mlock_vma_pages_range()), so every folio is on the LRU and its count exact when read.
 * NR_MLOCK is a zone counter that other tasks move: the folios' own state is checked instead.
 */
static void munlock_of_one_of_two_locked_mappings_keeps_their_folios_mlocked(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long a = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	unsigned long b = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(a, POP_LEN(NR)), 0L);
	KUNIT_ASSERT_EQ(test, sys_mlock(b, POP_LEN(NR)), 0L);
	KUNIT_ASSERT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_ASSERT_EQ(test, sys_munlock(a, POP_LEN(NR)), 0L);

	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, a) & VM_LOCKED);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, b) & VM_LOCKED);
	pop_pages(test, b, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.unevictable, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.mlock_count, (unsigned long)NR, "one mlock left per folio");
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);

	/* The last munlock unlocks them. */
	KUNIT_ASSERT_EQ(test, sys_munlock(b, POP_LEN(NR)), 0L);
	pop_pages(test, b, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 0UL);
	KUNIT_EXPECT_EQ(test, pp.unevictable, 0UL);
}

/* The last mapping of the mm ends at POP_ADDR(addr, NR): nothing lies above it. */
static unsigned long map_last(struct kunit *test)
{
	unsigned long addr = pop_hole(test, 2 * NR);
	struct vm_area_struct *vma;

	pop_mmap(test, NULL, addr, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, POP_ADDR(addr, NR));
	mmap_read_unlock(current->mm);
	KUNIT_ASSERT_NULL_MSG(test, vma, "a mapping above the test's last one");
	return addr;
}

/*
 * A range that runs past the last mapping: apply_vma_lock_flags() locks the vmas it finds, then
 * fails (mm/mlock.c: "if (tmp < end) return -ENOMEM;"), and do_mlock() returns before
 * __mm_populate(): the mapped part is left VM_LOCKED and counted, but not populated.
 */
static void mlock_past_the_last_mapping_fails_with_enomem(struct kunit *test)
{
	unsigned long addr = map_last(test);

	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(2 * NR)), (long)-ENOMEM);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, 2 * NR), 0UL);
}

/* The same check in apply_vma_lock_flags(): the mapped part is unlocked all the same. */
static void munlock_past_the_last_mapping_fails_with_enomem(struct kunit *test)
{
	unsigned long addr = map_last(test);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	KUNIT_EXPECT_EQ(test, sys_munlock(addr, POP_LEN(2 * NR)), (long)-ENOMEM);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, 0UL);
}

/*
 * A writable private range that a read population mapped with the zero page: mlock populates it
 * with FOLL_WRITE (populate_vma_page_range()), and GUP must not take a read-only zero-page PTE for
 * a written one (mm/gup.c, follow_page_pte(): "if ((flags & FOLL_WRITE) &&
 * !can_follow_write_pte(pte, page, vma, flags))"): the write fault breaks COW.
 */
static void mlock_breaks_cow_of_the_zero_pages_a_read_population_mapped(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	struct pop_pages pp = {};

	KUNIT_ASSERT_EQ(test, sys_madvise(addr, POP_LEN(NR), MADV_POPULATE_READ), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_ASSERT_EQ(test, pp.zero, (unsigned long)NR);

	KUNIT_ASSERT_EQ(test, sys_mlock(addr, POP_LEN(NR)), 0L);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.zero, 0UL, "zero pages left in a locked writable range");
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

/*
 * A file mapping longer than its file: filemap_fault() refuses a page at or past EOF (mm/filemap.c:
 * "if (unlikely(index >= max_idx)) return VM_FAULT_SIGBUS;"), GUP makes it -EFAULT and mlock()
 * reports it as -ENOMEM (__mlock_posix_error_return()). Every page of the file is populated and
 * mlocked, none past it is read or mapped, and the whole range stays VM_LOCKED.
 */
static void mlock_past_the_end_of_the_file_populates_up_to_it_and_fails(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR / 2);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	struct pop_pages pp = {};

	KUNIT_EXPECT_EQ(test, sys_mlock(addr, POP_LEN(NR)), (long)-ENOMEM);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR / 2);
	pop_expect_present_run(test, addr, NR, 0, NR / 2);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.mlocked, NR / 2UL);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, POP_ADDR(addr, NR - 1)) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/*
 * SIGKILL while the population reads page K: the next page __get_user_pages() would fault sees
 * the signal (mm/gup.c: "if (fatal_signal_pending(current)) { ret = -EINTR; ...") and mlock()
 * returns -EINTR with the pages before K present and no page after K read.
 */
#define KILL_AT 5
static void mlock_ends_its_population_at_a_fatal_signal(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED, 0);
	long ret;

	pop_file_kill_at(test, pf, KILL_AT);
	ret = sys_mlock(addr, POP_LEN(NR));
	KUNIT_ASSERT_TRUE_MSG(test, pop_take_sigkill(), "no SIGKILL at page %d", KILL_AT);
	KUNIT_EXPECT_EQ(test, ret, (long)-EINTR);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), KILL_AT + 1, "pages read after SIGKILL");
	pop_expect_present_run(test, addr, NR, 0, KILL_AT);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
}

static struct kunit_case populate_mlock_cases[] = {
	KUNIT_CASE(mlock_populates_and_mlocks_every_page),
	KUNIT_CASE(mlock_of_a_middle_part_populates_only_that_part),
	KUNIT_CASE(mlock_of_a_file_reads_every_page_with_the_lock_dropped),
	KUNIT_CASE(mlock_across_anon_file_and_shmem_vmas_populates_each_its_own_way),
	KUNIT_CASE(mlock2_onfault_populates_nothing_until_a_page_is_touched),
	KUNIT_CASE(munlock_clears_vm_locked_and_unlocks_pages_left_present),
	KUNIT_CASE(mlock_of_prot_none_fails_with_enomem_and_maps_nothing),
	KUNIT_CASE(mlock_of_an_onfault_range_populates_it_and_clears_onfault),
	KUNIT_CASE(mlock_of_an_unaligned_range_locks_every_page_it_touches),
	KUNIT_CASE(mlock2_onfault_of_an_unaligned_range_locks_every_page_it_touches),
	KUNIT_CASE(munlock_of_an_unaligned_range_unlocks_every_page_it_touches),
	KUNIT_CASE(mlock_of_an_exec_only_vma_maps_the_zero_page),
	KUNIT_CASE(mlock_of_a_write_only_private_vma_write_faults_anon_pages),
	KUNIT_CASE(mlock2_with_an_unknown_flag_fails_and_changes_nothing),
	KUNIT_CASE(mlock_mlocks_the_pages_that_were_present_before_it),
	KUNIT_CASE(munlock_of_one_of_two_locked_mappings_keeps_their_folios_mlocked),
	KUNIT_CASE(mlock_past_the_last_mapping_fails_with_enomem),
	KUNIT_CASE(munlock_past_the_last_mapping_fails_with_enomem),
	KUNIT_CASE(mlock_breaks_cow_of_the_zero_pages_a_read_population_mapped),
	KUNIT_CASE(mlock_past_the_end_of_the_file_populates_up_to_it_and_fails),
	KUNIT_CASE(mlock_ends_its_population_at_a_fatal_signal),
	{}
};

static struct kunit_suite populate_mlock_suite = {
	.name = "mm_populate_mlock",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_mlock_cases,
};

kunit_test_suite(populate_mlock_suite);

MODULE_LICENSE("GPL");
