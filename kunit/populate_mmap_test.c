// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap(MAP_POPULATE) and mmap(MAP_LOCKED): the vma is set up under the write lock, then populated
 * by mm_populate() after the write lock is dropped (errors ignored: mmap still succeeds).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/mman.h>

#include "populate_helpers.h"

#define NR 16
#define RW (PROT_READ | PROT_WRITE)

static void mmap_without_populate_maps_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0);

	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
}

static void populate_of_anon_private_write_faults_real_anon_pages(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.zero, 0UL, "a writable private mapping got the zero page");
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.dirty, (unsigned long)NR, "pages were not write-faulted");
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

static void populate_of_readonly_anon_private_maps_the_zero_page(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_READ,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
}

static void populate_of_anon_shared_allocates_shmem_pages(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW,
				      MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, 0UL);
	KUNIT_EXPECT_EQ(test, pp.anon, 0UL);
	KUNIT_EXPECT_EQ_MSG(test, pp.dirty, 0UL, "a shared mapping was write-faulted");
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), (unsigned long)NR);
}

static void populate_of_file_shared_reads_every_page_without_dirtying_it(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_pages pp = {};
	unsigned long addr, i;

	addr = pop_mmap(test, pf->file, 0, NR, RW, MAP_SHARED | MAP_POPULATE, 0);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, 0UL);
	KUNIT_EXPECT_EQ_MSG(test, pp.dirty, 0UL, "a shared file mapping was write-faulted");
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads_locked), 0,
			    "file pages were read with mmap_lock held");
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), (unsigned long)NR);
	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_FALSE_MSG(test, pop_file_dirty(pf, i), "file page %lu dirtied", i);
}

static void populate_of_file_private_breaks_cow_into_anon_pages(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_pages pp = {};
	unsigned long addr;

	addr = pop_mmap(test, pf->file, 0, NR, RW, MAP_PRIVATE | MAP_POPULATE, 0);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), 0UL);
}

static void populate_with_nonblock_populates_nothing(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long anon, file;

	anon = pop_mmap(test, NULL, 0, NR, RW,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NONBLOCK, 0);
	file = pop_mmap(test, pf->file, 0, NR, RW, MAP_SHARED | MAP_POPULATE | MAP_NONBLOCK, 0);
	KUNIT_EXPECT_EQ(test, pop_present(test, anon, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_present(test, file, NR), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), 0);
}

static void populate_of_prot_none_succeeds_and_maps_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);

	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
}

static void map_locked_populates_and_mlocks_every_page(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, RW,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, 0);

	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static void map_locked_file_reads_and_mlocks_every_page(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ, MAP_SHARED | MAP_LOCKED, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads_locked), 0);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/*
 * Vmas without VM_READ that are still accessible (VM_EXEC or VM_WRITE): populate_vma_page_range()
 * populates them with a forced read fault, or a write fault when private and writable.
 */
static void populate_of_exec_only_anon_private_maps_the_zero_page(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_EXEC,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.zero, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), 0UL);
}

static void populate_of_write_only_anon_private_write_faults_anon_pages(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ_MSG(test, pp.zero, 0UL, "a writable private mapping got the zero page");
	KUNIT_EXPECT_EQ(test, pp.anon, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.dirty, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_ANONPAGES), (unsigned long)NR);
}

static void populate_of_write_only_anon_shared_reads_shmem_pages_in(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr = pop_mmap(test, NULL, 0, NR, PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, 0);

	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.anon, 0UL);
	KUNIT_EXPECT_EQ_MSG(test, pp.dirty, 0UL, "a shared mapping was write-faulted");
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), (unsigned long)NR);
}

static void map_locked_of_write_only_file_shared_reads_and_mlocks_every_page(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	struct pop_pages pp = {};
	unsigned long addr, i;

	addr = pop_mmap(test, pf->file, 0, NR, PROT_WRITE, MAP_SHARED | MAP_LOCKED, 0);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.dirty, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_FALSE_MSG(test, pop_file_dirty(pf, i), "file page %lu dirtied", i);
}

/*
 * SIGKILL while MAP_POPULATE reads page KILL_AT: __get_user_pages() sees it at the next page
 * (mm/gup.c: "if (fatal_signal_pending(current)) { ret = -EINTR; ..."), and __mm_populate(), which
 * ignores errors for mmap, goes on to the next vma: there is none. The mapping is made, with the
 * pages before KILL_AT present and none after it read.
 */
#define KILL_AT 5
static void populate_ends_at_a_fatal_signal(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR);
	unsigned long addr;

	pop_file_kill_at(test, pf, KILL_AT);
	addr = vm_mmap(pf->file, 0, POP_LEN(NR), PROT_READ, MAP_SHARED | MAP_POPULATE, 0);
	KUNIT_ASSERT_TRUE_MSG(test, pop_take_sigkill(), "no SIGKILL at page %d", KILL_AT);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "vm_mmap: %ld", (long)addr);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pf->reads), KILL_AT + 1, "pages read after SIGKILL");
	pop_expect_present_run(test, addr, NR, 0, KILL_AT);
}

/*
 * A mapping longer than its file: filemap_fault() refuses the pages past EOF (mm/filemap.c: "if
 * (unlikely(index >= max_idx)) return VM_FAULT_SIGBUS;"), which mmap ignores: every page of the
 * file is populated, none past it read or mapped.
 */
static void populate_of_a_mapping_past_the_end_of_its_file_populates_up_to_it(struct kunit *test)
{
	struct pop_file *pf = pop_file_create(test, NR / 2);
	unsigned long addr = pop_mmap(test, pf->file, 0, NR, PROT_READ,
				      MAP_SHARED | MAP_POPULATE, 0);

	KUNIT_EXPECT_EQ(test, atomic_read(&pf->reads), NR / 2);
	pop_expect_present_run(test, addr, NR, 0, NR / 2);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_FILEPAGES), NR / 2UL);
}

static struct kunit_case populate_mmap_cases[] = {
	KUNIT_CASE(mmap_without_populate_maps_nothing),
	KUNIT_CASE(populate_of_anon_private_write_faults_real_anon_pages),
	KUNIT_CASE(populate_of_readonly_anon_private_maps_the_zero_page),
	KUNIT_CASE(populate_of_anon_shared_allocates_shmem_pages),
	KUNIT_CASE(populate_of_file_shared_reads_every_page_without_dirtying_it),
	KUNIT_CASE(populate_of_file_private_breaks_cow_into_anon_pages),
	KUNIT_CASE(populate_with_nonblock_populates_nothing),
	KUNIT_CASE(populate_of_prot_none_succeeds_and_maps_nothing),
	KUNIT_CASE(map_locked_populates_and_mlocks_every_page),
	KUNIT_CASE(map_locked_file_reads_and_mlocks_every_page),
	KUNIT_CASE(populate_of_exec_only_anon_private_maps_the_zero_page),
	KUNIT_CASE(populate_of_write_only_anon_private_write_faults_anon_pages),
	KUNIT_CASE(populate_of_write_only_anon_shared_reads_shmem_pages_in),
	KUNIT_CASE(map_locked_of_write_only_file_shared_reads_and_mlocks_every_page),
	KUNIT_CASE(populate_ends_at_a_fatal_signal),
	KUNIT_CASE(populate_of_a_mapping_past_the_end_of_its_file_populates_up_to_it),
	{}
};

static struct kunit_suite populate_mmap_suite = {
	.name = "mm_populate_mmap",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_mmap_cases,
};

kunit_test_suite(populate_mmap_suite);

MODULE_LICENSE("GPL");
