// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm_populate() on a kernel without an MMU (built only if !MMU, on riscv).
 *
 * "My understanding is that these always populate mappings when they are created, so that
 * MAP_POPULATE and MAP_LOCKED are actually no-ops." Each test answers one part of that for
 * mm/nommu.c: it makes the calls user space makes, through the system call table (a call the
 * kernel does not implement returns what user space would get), and checks what the call did to
 * the mapping, against the same call without the flag where the answer is "no difference".
 *
 * Without an MMU a mapping is memory of the kernel's own address space: the test reads and writes
 * it directly. The pages that back anonymous and private copies are counted in
 * mmap_pages_allocated, so "backed when mmap returns" is that counter having grown by the
 * mapping's pages before anything touched them.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/poison.h>
#include <linux/sched/mm.h>
#include <linux/shm.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <uapi/linux/shm.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "populate_helpers.h"

#define NM_PAGES 8
#define NM_LEN ((unsigned long)NM_PAGES << PAGE_SHIFT)

struct nm_ctx {
	struct mm_struct *mm;
	long pages_at_start;	/* mmap_pages_allocated when the test began */
};

/* A system call as user space makes it: the table's entry, with the arguments in pt_regs. */
static long nm_syscall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	struct pt_regs regs = {
		.a7 = nr, .orig_a0 = a0, .a0 = a0,
		.a1 = a1, .a2 = a2, .a3 = a3, .a4 = a4, .a5 = a5,
	};

	syscall_handler(&regs, nr);
	return regs.a0;
}

/* What user space gets from a system call the kernel does not have (-ENOSYS). */
static long nm_not_implemented(void)
{
	struct pt_regs regs = {};

	return __riscv_sys_ni_syscall(&regs);
}

static long nm_pages_allocated(void)
{
	return atomic_long_read(&mmap_pages_allocated);
}

static int nm_init(struct kunit *test)
{
	struct nm_ctx *ctx;
	struct mm_struct *mm;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	mm = pop_attach_fresh_mm();
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ctx->mm = mm;
	ctx->pages_at_start = nm_pages_allocated();
	return 0;
}

/* Runs in KUnit's cleanup kthread: unmap what the test left, and expect every page given back. */
static void nm_exit(struct kunit *test)
{
	struct nm_ctx *ctx = test->priv;
	struct vm_area_struct *vma;
	unsigned long start, len;

	if (!ctx || !ctx->mm)
		return;
	kthread_use_mm(ctx->mm);
	for (;;) {
		mmap_read_lock(ctx->mm);
		/* Without an MMU, find_vma() only finds the vma that holds the address. */
		vma = find_vma_intersection(ctx->mm, 0, TASK_SIZE);
		if (vma) {
			start = vma->vm_start;
			len = vma->vm_end - vma->vm_start;
		}
		mmap_read_unlock(ctx->mm);
		if (!vma || vm_munmap(start, len))
			break;
	}
	KUNIT_EXPECT_NULL_MSG(test, vma, "a mapping that munmap() refused");
	KUNIT_EXPECT_EQ_MSG(test, nm_pages_allocated(), ctx->pages_at_start,
			    "mmap_pages_allocated after unmapping all");
	kthread_unuse_mm(ctx->mm);
	mmput(ctx->mm);
	ctx->mm = NULL;
}

static struct mm_struct *nm_mm(struct kunit *test)
{
	return ((struct nm_ctx *)test->priv)->mm;
}

/* mmap(2) of anonymous memory, asserting success. */
static unsigned long nm_mmap_anon(struct kunit *test, unsigned long len, unsigned long flags)
{
	long addr = nm_syscall(__NR_mmap, 0, len, PROT_READ | PROT_WRITE,
			       flags | MAP_ANONYMOUS, -1UL, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", addr);
	return addr;
}

/* mmap of a file: what mmap(2) does once it has the struct file of the fd. */
static unsigned long nm_mmap_file(struct kunit *test, struct file *file, unsigned long prot,
				  unsigned long flags)
{
	unsigned long addr = vm_mmap(file, 0, NM_LEN, prot, flags, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap: %ld", (long)addr);
	return addr;
}

struct nm_vma {
	vm_flags_t flags;
	unsigned long start, end;
	unsigned long region_start, region_end;
};

static struct nm_vma nm_vma(struct kunit *test, unsigned long addr)
{
	struct mm_struct *mm = nm_mm(test);
	struct vm_area_struct *vma;
	struct nm_vma v = {};

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr) {
		v.flags = vma->vm_flags;
		v.start = vma->vm_start;
		v.end = vma->vm_end;
		v.region_start = vma->vm_region->vm_start;
		v.region_end = vma->vm_region->vm_end;
	}
	mmap_read_unlock(mm);
	KUNIT_ASSERT_NE_MSG(test, v.end, 0UL, "no mapping at %#lx", addr);
	return v;
}

/* Everything a mapping's flag could change that the test can see. */
struct nm_seen {
	unsigned long addr;
	vm_flags_t vm_flags;
	long pages;			/* mmap_pages_allocated grew by */
	unsigned long total_vm;		/* mm->total_vm grew by */
	unsigned long locked_vm;	/* mm->locked_vm grew by */
	unsigned long rss;		/* get_mm_rss() grew by */
	bool contents_ok;		/* every byte reads 0 (anonymous) or 'f' (file) */
};

static struct nm_seen nm_mmap_anon_seen(struct kunit *test, unsigned long flags)
{
	struct mm_struct *mm = nm_mm(test);
	unsigned long total_vm = mm->total_vm, locked_vm = mm->locked_vm, rss = get_mm_rss(mm);
	long pages = nm_pages_allocated();
	struct nm_seen s;

	s.addr = nm_mmap_anon(test, NM_LEN, flags);
	s.pages = nm_pages_allocated() - pages;
	s.total_vm = mm->total_vm - total_vm;
	s.locked_vm = mm->locked_vm - locked_vm;
	s.rss = get_mm_rss(mm) - rss;
	s.vm_flags = nm_vma(test, s.addr).flags;
	s.contents_ok = !memchr_inv((void *)s.addr, 0, NM_LEN);
	return s;
}

/*
 * Memory handed out without clearing it must not read as zero by luck: with page_poison=1 every
 * free page holds PAGE_POISON. Skip the test when that cannot be shown on a fresh allocation.
 */
static void nm_require_poisoned_free_memory(struct kunit *test)
{
	void *p;
	bool poisoned;

	if (!page_poisoning_enabled() || want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "needs page_poison=1, no init_on_alloc: else unzeroed may read 0");
	p = alloc_pages_exact(NM_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	poisoned = !memchr_inv(p, PAGE_POISON, NM_LEN);
	free_pages_exact(p, NM_LEN);
	if (!poisoned)
		kunit_skip(test, "a fresh allocation did not read as PAGE_POISON");
}

struct nm_anon_case {
	const char *name;
	unsigned long flags;
};

static const struct nm_anon_case nm_anon_cases[] = {
	{ "private", MAP_PRIVATE },
	{ "shared", MAP_SHARED },
	{ "private MAP_POPULATE", MAP_PRIVATE | MAP_POPULATE },
	{ "shared MAP_POPULATE", MAP_SHARED | MAP_POPULATE },
	{ "private MAP_LOCKED", MAP_PRIVATE | MAP_LOCKED },
	{ "shared MAP_LOCKED", MAP_SHARED | MAP_LOCKED },
};

KUNIT_ARRAY_PARAM_DESC(nm_anon, nm_anon_cases, name);

/* Every page is allocated by mmap itself; touching them all afterwards allocates nothing. */
static void anon_mmap_backs_every_page_before_it_returns(struct kunit *test)
{
	const struct nm_anon_case *c = test->param_value;
	long before = nm_pages_allocated();
	unsigned long addr = nm_mmap_anon(test, NM_LEN, c->flags);
	long after_mmap = nm_pages_allocated();
	struct nm_vma v = nm_vma(test, addr);

	KUNIT_EXPECT_EQ(test, after_mmap - before, (long)NM_PAGES);
	/* The mapping is the allocation, a range of the kernel's own memory: nothing to fault. */
	KUNIT_EXPECT_EQ(test, v.start, addr);
	KUNIT_EXPECT_EQ(test, v.end, addr + NM_LEN);
	KUNIT_EXPECT_EQ(test, v.region_start, addr);
	KUNIT_EXPECT_TRUE(test, virt_addr_valid((void *)addr));
	KUNIT_EXPECT_TRUE(test, virt_addr_valid((void *)(addr + NM_LEN - 1)));
	memset((void *)addr, 0x5a, NM_LEN);
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), after_mmap);
}

/* ... and zeroed: poisoned free memory comes back as zeros. */
static void anon_mmap_returns_zeroed_pages(struct kunit *test)
{
	const struct nm_anon_case *c = test->param_value;
	unsigned long addr;

	const u8 *bad;

	nm_require_poisoned_free_memory(test);
	addr = nm_mmap_anon(test, NM_LEN, c->flags);
	bad = memchr_inv((void *)addr, 0, NM_LEN);
	KUNIT_EXPECT_PTR_EQ_MSG(test, bad, NULL, "byte %lu of the mapping reads %#x",
				bad ? (unsigned long)bad - addr : 0, bad ? *bad : 0);
}

/* A flag against its absence: what differs, everything else equal. */
struct nm_flag_case {
	const char *name;
	unsigned long base, flag;
	vm_flags_t vm_flags;		/* the vm_flags the flag adds */
};

static const struct nm_flag_case nm_anon_flag_cases[] = {
	{ "MAP_POPULATE on private", MAP_PRIVATE, MAP_POPULATE, 0 },
	{ "MAP_POPULATE on shared", MAP_SHARED, MAP_POPULATE, 0 },
	{ "MAP_LOCKED on private", MAP_PRIVATE, MAP_LOCKED, VM_LOCKED },
	{ "MAP_LOCKED on shared", MAP_SHARED, MAP_LOCKED, VM_LOCKED },
	/* MAP_SHARED instead of MAP_PRIVATE: the "flag" is the difference of the two. */
	{ "MAP_SHARED for MAP_PRIVATE", MAP_PRIVATE, MAP_SHARED ^ MAP_PRIVATE, 0 },
};

KUNIT_ARRAY_PARAM_DESC(nm_anon_flag, nm_anon_flag_cases, name);

static void anon_flag_changes_nothing_but_the_listed_vm_flags(struct kunit *test)
{
	const struct nm_flag_case *c = test->param_value;
	struct nm_seen without = nm_mmap_anon_seen(test, c->base);
	struct nm_seen with = nm_mmap_anon_seen(test, c->base ^ c->flag);

	kunit_info(test, "vm_flags %#lx / %#lx, pages %ld / %ld, total_vm %lu / %lu, locked_vm %lu / %lu",
		   without.vm_flags, with.vm_flags, without.pages, with.pages,
		   without.total_vm, with.total_vm, without.locked_vm, with.locked_vm);

	KUNIT_EXPECT_EQ(test, with.vm_flags ^ without.vm_flags, c->vm_flags);
	KUNIT_EXPECT_EQ(test, with.pages, without.pages);
	KUNIT_EXPECT_EQ(test, with.total_vm, without.total_vm);
	KUNIT_EXPECT_EQ(test, with.locked_vm, without.locked_vm);
	KUNIT_EXPECT_EQ(test, with.rss, without.rss);
	KUNIT_EXPECT_TRUE(test, with.contents_ok);
	KUNIT_EXPECT_TRUE(test, without.contents_ok);
}

/* MAP_LOCKED sets VM_LOCKED and nothing counts it: locked_vm stays 0, RLIMIT_MEMLOCK unasked. */
static void anon_map_locked_is_not_counted_in_locked_vm(struct kunit *test)
{
	struct nm_seen s = nm_mmap_anon_seen(test, MAP_PRIVATE | MAP_LOCKED);

	KUNIT_EXPECT_TRUE(test, s.vm_flags & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, s.locked_vm, 0UL);
	KUNIT_EXPECT_EQ(test, nm_mm(test)->locked_vm, 0UL);
}

KUNIT_DEFINE_ACTION_WRAPPER(nm_fput, fput, struct file *);

/* A file of tmpfs, which without an MMU is ramfs: its pages are contiguous, allocated up front. */
static struct file *nm_tmpfs_file(struct kunit *test)
{
	struct file *file = shmem_file_setup("populate_nommu", NM_LEN, VM_NORESERVE);
	loff_t pos = 0;
	char *buf;

	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nm_fput, file), 0);
	buf = kunit_kmalloc(test, NM_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 'f', NM_LEN);
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, NM_LEN, &pos), (ssize_t)NM_LEN);
	return file;
}

/* The address of the file's page cache page 0. */
static unsigned long nm_page_cache(struct kunit *test, struct file *file)
{
	struct folio *folio = filemap_get_folio(file->f_mapping, 0);
	unsigned long addr;

	KUNIT_ASSERT_FALSE(test, IS_ERR(folio));
	addr = (unsigned long)folio_address(folio);
	folio_put(folio);
	return addr;
}

/* Write byte c at offset off of the file, as write(2) would. */
static void nm_file_poke(struct kunit *test, struct file *file, loff_t off, char c)
{
	KUNIT_ASSERT_EQ(test, kernel_write(file, &c, 1, &off), 1);
}

static char nm_file_peek(struct kunit *test, struct file *file, loff_t off)
{
	char c = 0;

	KUNIT_ASSERT_EQ(test, kernel_read(file, &c, 1, &off), 1);
	return c;
}

/* MAP_SHARED maps the page cache itself: no copy, no allocation, writes go both ways. */
static void shared_file_mapping_is_the_page_cache(struct kunit *test)
{
	struct file *file = nm_tmpfs_file(test);
	long before = nm_pages_allocated();
	unsigned long addr = nm_mmap_file(test, file, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *p = (char *)addr;

	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), before);
	KUNIT_EXPECT_EQ(test, addr, nm_page_cache(test, file));
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(p, 'f', NM_LEN), NULL);
	nm_file_poke(test, file, NM_LEN - 1, 'w');
	KUNIT_EXPECT_EQ(test, p[NM_LEN - 1], 'w');
	p[0] = 'm';
	KUNIT_EXPECT_EQ(test, nm_file_peek(test, file, 0), 'm');
}

/* A read-only private mapping of a ramfs file overlays the page cache: later writes show. */
static void read_only_private_file_mapping_is_the_page_cache(struct kunit *test)
{
	struct file *file = nm_tmpfs_file(test);
	long before = nm_pages_allocated();
	unsigned long addr = nm_mmap_file(test, file, PROT_READ, MAP_PRIVATE);

	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), before);
	KUNIT_EXPECT_EQ(test, addr, nm_page_cache(test, file));
	KUNIT_EXPECT_FALSE(test, nm_vma(test, addr).flags & VM_MAPPED_COPY);
	nm_file_poke(test, file, 1, 'w');
	KUNIT_EXPECT_EQ(test, ((char *)addr)[1], 'w');
}

/* A writable private mapping is a copy read whole at mmap time: later writes do not show. */
static void writable_private_file_mapping_is_a_copy_made_by_mmap(struct kunit *test)
{
	struct file *file = nm_tmpfs_file(test);
	long before = nm_pages_allocated();
	unsigned long addr = nm_mmap_file(test, file, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	KUNIT_EXPECT_EQ(test, nm_pages_allocated() - before, (long)NM_PAGES);
	KUNIT_EXPECT_NE(test, addr, nm_page_cache(test, file));
	KUNIT_EXPECT_TRUE(test, nm_vma(test, addr).flags & VM_MAPPED_COPY);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv((void *)addr, 'f', NM_LEN), NULL);
	nm_file_poke(test, file, 1, 'w');
	KUNIT_EXPECT_EQ(test, ((char *)addr)[1], 'f');
}

struct nm_file_flag_case {
	const char *name;
	unsigned long prot, base, flag;
	vm_flags_t vm_flags;
};

static const struct nm_file_flag_case nm_file_flag_cases[] = {
	{ "MAP_POPULATE on shared", PROT_READ | PROT_WRITE, MAP_SHARED, MAP_POPULATE, 0 },
	{ "MAP_LOCKED on shared", PROT_READ | PROT_WRITE, MAP_SHARED, MAP_LOCKED, VM_LOCKED },
	{ "MAP_POPULATE on read-only private", PROT_READ, MAP_PRIVATE, MAP_POPULATE, 0 },
	{ "MAP_LOCKED on read-only private", PROT_READ, MAP_PRIVATE, MAP_LOCKED, VM_LOCKED },
	{ "MAP_POPULATE on writable private", PROT_READ | PROT_WRITE, MAP_PRIVATE, MAP_POPULATE,
	  0 },
	{ "MAP_LOCKED on writable private", PROT_READ | PROT_WRITE, MAP_PRIVATE, MAP_LOCKED,
	  VM_LOCKED },
};

KUNIT_ARRAY_PARAM_DESC(nm_file_flag, nm_file_flag_cases, name);

static struct nm_seen nm_mmap_file_seen(struct kunit *test, struct file *file,
					unsigned long prot, unsigned long flags)
{
	struct mm_struct *mm = nm_mm(test);
	unsigned long total_vm = mm->total_vm, locked_vm = mm->locked_vm, rss = get_mm_rss(mm);
	long pages = nm_pages_allocated();
	struct nm_seen s;

	s.addr = nm_mmap_file(test, file, prot, flags);
	s.pages = nm_pages_allocated() - pages;
	s.total_vm = mm->total_vm - total_vm;
	s.locked_vm = mm->locked_vm - locked_vm;
	s.rss = get_mm_rss(mm) - rss;
	s.vm_flags = nm_vma(test, s.addr).flags;
	s.contents_ok = !memchr_inv((void *)s.addr, 'f', NM_LEN);
	return s;
}

static void file_flag_changes_nothing_but_the_listed_vm_flags(struct kunit *test)
{
	const struct nm_file_flag_case *c = test->param_value;
	struct file *file = nm_tmpfs_file(test);
	struct nm_seen without = nm_mmap_file_seen(test, file, c->prot, c->base);
	struct nm_seen with = nm_mmap_file_seen(test, file, c->prot, c->base | c->flag);
	bool direct = without.addr == nm_page_cache(test, file);

	kunit_info(test, "%s: vm_flags %#lx / %#lx, pages %ld / %ld, locked_vm %lu / %lu",
		   direct ? "page cache" : "copy", without.vm_flags, with.vm_flags,
		   without.pages, with.pages, without.locked_vm, with.locked_vm);

	KUNIT_EXPECT_EQ(test, with.vm_flags ^ without.vm_flags, c->vm_flags);
	KUNIT_EXPECT_EQ(test, with.pages, without.pages);
	KUNIT_EXPECT_EQ(test, with.locked_vm, without.locked_vm);
	KUNIT_EXPECT_EQ(test, with.rss, without.rss);
	KUNIT_EXPECT_TRUE(test, with.contents_ok);
	KUNIT_EXPECT_TRUE(test, without.contents_ok);
	/* Both map the page cache, or both are copies. */
	KUNIT_EXPECT_EQ(test, with.addr == without.addr, direct);
}

/*
 * The calls a no-MMU kernel does not implement: each returns what an absent system call returns
 * (-ENOSYS) and changes nothing.
 */
struct nm_absent_case {
	const char *name;
	unsigned long nr, flags, a1, a2, a3, a4;
	bool no_addr;			/* a0: MCL_CURRENT | MCL_FUTURE, not the mapping */
};

static const struct nm_absent_case nm_absent_cases[] = {
	{ "mlock", __NR_mlock, MAP_PRIVATE, NM_LEN },
	{ "mlock2 MLOCK_ONFAULT", __NR_mlock2, MAP_PRIVATE, NM_LEN, MLOCK_ONFAULT },
	{ "munlock of MAP_LOCKED", __NR_munlock, MAP_PRIVATE | MAP_LOCKED, NM_LEN },
	{ "mlockall MCL_CURRENT|MCL_FUTURE", __NR_mlockall, MAP_PRIVATE, 0, 0, 0, 0, true },
	{ "munlockall", __NR_munlockall, MAP_PRIVATE | MAP_LOCKED, 0, 0, 0, 0, true },
	{ "remap_file_pages", __NR_remap_file_pages, MAP_SHARED, NM_LEN, 0, 1, 0 },
	{ "madvise MADV_POPULATE_READ", __NR_madvise, MAP_PRIVATE, NM_LEN, MADV_POPULATE_READ },
	{ "madvise MADV_POPULATE_WRITE", __NR_madvise, MAP_PRIVATE, NM_LEN, MADV_POPULATE_WRITE },
};

KUNIT_ARRAY_PARAM_DESC(nm_absent, nm_absent_cases, name);

static void call_is_not_implemented_and_changes_nothing(struct kunit *test)
{
	const struct nm_absent_case *c = test->param_value;
	struct mm_struct *mm = nm_mm(test);
	unsigned long addr = nm_mmap_anon(test, NM_LEN, c->flags);
	struct nm_vma before = nm_vma(test, addr), after;
	long pages = nm_pages_allocated();
	unsigned long a0 = c->no_addr ? MCL_CURRENT | MCL_FUTURE : addr;

	memset((void *)addr, 0x5a, NM_LEN);
	KUNIT_EXPECT_EQ(test, nm_syscall(c->nr, a0, c->a1, c->a2, c->a3, c->a4, 0),
			nm_not_implemented());
	after = nm_vma(test, addr);
	KUNIT_EXPECT_EQ(test, after.flags, before.flags);
	KUNIT_EXPECT_EQ(test, after.start, before.start);
	KUNIT_EXPECT_EQ(test, after.end, before.end);
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, 0UL);
	KUNIT_EXPECT_EQ(test, mm->def_flags, 0UL);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv((void *)addr, 0x5a, NM_LEN), NULL);
}

/* brk() only moves mm->brk inside the heap the binary loader set aside: it maps nothing. */
static void brk_moves_only_inside_the_loaders_heap(struct kunit *test)
{
	struct mm_struct *mm = nm_mm(test);
	unsigned long heap = nm_mmap_anon(test, NM_LEN, MAP_PRIVATE);
	long pages;
	int vmas;

	/* What binfmt_flat and binfmt_elf_fdpic do: the heap is part of a mapping of theirs. */
	mmap_write_lock(mm);
	mm->start_brk = heap;
	mm->brk = heap;
	mm->context.end_brk = heap + NM_LEN;
	vmas = mm->map_count;
	mmap_write_unlock(mm);
	pages = nm_pages_allocated();

	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_brk, heap + PAGE_SIZE, 0, 0, 0, 0, 0),
			(long)(heap + PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_brk, heap + NM_LEN, 0, 0, 0, 0, 0),
			(long)(heap + NM_LEN));
	/* Past the end: refused, brk(2) returns the old break. */
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_brk, heap + NM_LEN + PAGE_SIZE, 0, 0, 0, 0, 0),
			(long)(heap + NM_LEN));
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_EQ(test, mm->map_count, vmas);
}

/* mlockall(MCL_FUTURE) fails, so a later brk() is the same as without it: nothing is locked. */
static void brk_after_mcl_future_is_brk_without_it(struct kunit *test)
{
	struct mm_struct *mm = nm_mm(test);
	unsigned long heap = nm_mmap_anon(test, NM_LEN, MAP_PRIVATE);
	long pages;

	mmap_write_lock(mm);
	mm->start_brk = heap;
	mm->brk = heap;
	mm->context.end_brk = heap + NM_LEN;
	mmap_write_unlock(mm);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mlockall, MCL_FUTURE, 0, 0, 0, 0, 0),
			nm_not_implemented());
	KUNIT_EXPECT_EQ(test, mm->def_flags & VM_LOCKED, 0UL);
	pages = nm_pages_allocated();
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_brk, heap + NM_LEN, 0, 0, 0, 0, 0),
			(long)(heap + NM_LEN));
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_EQ(test, nm_vma(test, heap).flags & VM_LOCKED, 0UL);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, 0UL);
}

/* A fresh mm has no heap (end_brk 0): brk() returns the break it has, whatever it is asked. */
static void brk_without_a_heap_stays_where_it_is(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_brk, PAGE_SIZE, 0, 0, 0, 0, 0), 0L);
	KUNIT_EXPECT_EQ(test, nm_mm(test)->brk, 0UL);
}

/* mremap() cannot grow a mapping past the length mmap() gave it, moved or not. */
static void mremap_cannot_grow_a_mapping(struct kunit *test)
{
	unsigned long addr = nm_mmap_anon(test, NM_LEN, MAP_PRIVATE);

	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mremap, addr, NM_LEN, 2 * NM_LEN, 0, 0, 0),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mremap, addr, NM_LEN, 2 * NM_LEN, MREMAP_MAYMOVE,
					 0, 0), -ENOMEM);
	KUNIT_EXPECT_EQ(test, nm_vma(test, addr).end, addr + NM_LEN);
}

/* Shrunk, it grows back up to that length in place, with its pages and contents as they were. */
static void mremap_grows_back_within_the_mmap_length(struct kunit *test)
{
	unsigned long addr = nm_mmap_anon(test, NM_LEN, MAP_PRIVATE);
	long pages = nm_pages_allocated();

	memset((void *)addr, 0x5a, NM_LEN);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mremap, addr, NM_LEN, PAGE_SIZE, 0, 0, 0),
			(long)addr);
	KUNIT_EXPECT_EQ(test, nm_vma(test, addr).end, addr + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mremap, addr, PAGE_SIZE, NM_LEN, 0, 0, 0),
			(long)addr);
	KUNIT_EXPECT_EQ(test, nm_vma(test, addr).end, addr + NM_LEN);
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv((void *)addr, 0x5a, NM_LEN), NULL);
}

/* A System V segment: shmget() and shmat(2) through the table; IPC_RMID at the end. */
static long nm_shmget(struct kunit *test)
{
	long id = nm_syscall(__NR_shmget, IPC_PRIVATE, NM_LEN, IPC_CREAT | 0600, 0, 0, 0);

	KUNIT_ASSERT_GE_MSG(test, id, 0L, "shmget");
	return id;
}

static void nm_shmrm(struct kunit *test, long id)
{
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_shmctl, id, IPC_RMID, 0, 0, 0, 0), 0L);
}

/* shmat(2) through the table, asserting success. */
static unsigned long nm_shmat(struct kunit *test, long id, unsigned long shmflg)
{
	long addr = nm_syscall(__NR_shmat, id, 0, shmflg, 0, 0, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "shmat: %ld", addr);
	return addr;
}

static void nm_shmdt(struct kunit *test, unsigned long addr)
{
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_shmdt, addr, 0, 0, 0, 0, 0), 0L);
}

/* shm_nattch as IPC_STAT reports it, into a buffer of the test's mm. */
static long nm_nattch(struct kunit *test, long id, struct shmid64_ds *buf)
{
	KUNIT_ASSERT_EQ(test, nm_syscall(__NR_shmctl, id, IPC_STAT, (unsigned long)buf, 0, 0, 0),
			0L);
	return buf->shm_nattch;
}

/*
 * shmat() maps the segment's own pages (ramfs allocated them, zeroed, when shmget() made the
 * segment): a shared mapping, no copy, nothing allocated, and shmdt() takes it away.
 */
static void shmat_maps_the_segment_in_place(struct kunit *test)
{
	struct mm_struct *mm = nm_mm(test);
	long id = nm_shmget(test);
	long pages = nm_pages_allocated();
	int vmas = mm->map_count;
	unsigned long addr = nm_shmat(test, id, 0);
	struct nm_vma v = nm_vma(test, addr);

	kunit_info(test, "vm_flags %#lx", v.flags);
	KUNIT_EXPECT_EQ(test, mm->map_count, vmas + 1);
	KUNIT_EXPECT_EQ(test, v.start, addr);
	KUNIT_EXPECT_EQ(test, v.end, addr + NM_LEN);
	KUNIT_EXPECT_EQ(test, v.flags & (VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE),
			VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE);
	KUNIT_EXPECT_FALSE(test, v.flags & VM_MAPPED_COPY);
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_TRUE(test, virt_addr_valid((void *)addr));
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv((void *)addr, 0, NM_LEN), NULL);
	nm_shmdt(test, addr);
	KUNIT_EXPECT_EQ(test, mm->map_count, vmas);
	nm_shmrm(test, id);
}

/*
 * Two processes attach the segment and see each other's stores: the second attachment is made
 * from a second mm put in place of the test's. Without an MMU both map the segment's pages, so
 * both get the same address. The segment keeps its contents across detach and attach.
 */
static void shmat_attachments_share_the_segment(struct kunit *test)
{
	struct mm_struct *mm = nm_mm(test), *other;
	struct shmid64_ds *buf = (void *)nm_mmap_anon(test, PAGE_SIZE, MAP_PRIVATE);
	long id = nm_shmget(test);
	char *a = (char *)nm_shmat(test, id, 0);
	char seen_first = 0, seen_last = 0;
	long b, both = -1;

	a[0] = 'a';
	a[NM_LEN - 1] = 'z';
	KUNIT_EXPECT_EQ(test, nm_nattch(test, id, buf), 1L);

	other = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, other);
	other->task_size = TASK_SIZE;
	kthread_unuse_mm(mm);
	kthread_use_mm(other);
	b = nm_syscall(__NR_shmat, id, 0, 0, 0, 0, 0);
	if (!IS_ERR_VALUE(b)) {
		seen_first = ((char *)b)[0];
		seen_last = ((char *)b)[NM_LEN - 1];
		((char *)b)[1] = 'b';
		/* Without an MMU the test's buffer is addressable from any mm. */
		if (!nm_syscall(__NR_shmctl, id, IPC_STAT, (unsigned long)buf, 0, 0, 0))
			both = buf->shm_nattch;
	}
	kthread_unuse_mm(other);
	/* The other process exits: its attachment goes with its mm. */
	mmput(other);
	kthread_use_mm(mm);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(b), "second shmat: %ld", b);
	KUNIT_EXPECT_EQ(test, (unsigned long)b, (unsigned long)a);
	KUNIT_EXPECT_EQ(test, seen_first, 'a');
	KUNIT_EXPECT_EQ(test, seen_last, 'z');
	KUNIT_EXPECT_EQ(test, both, 2L);
	KUNIT_EXPECT_EQ(test, a[1], 'b');
	KUNIT_EXPECT_EQ(test, nm_nattch(test, id, buf), 1L);
	nm_shmdt(test, (unsigned long)a);
	KUNIT_EXPECT_EQ(test, nm_nattch(test, id, buf), 0L);

	a = (char *)nm_shmat(test, id, 0);
	KUNIT_EXPECT_EQ(test, a[0], 'a');
	KUNIT_EXPECT_EQ(test, a[1], 'b');
	nm_shmdt(test, (unsigned long)a);
	nm_shmrm(test, id);
}

/*
 * SHM_RDONLY attaches for reading only: no VM_WRITE, the segment's contents, and no mprotect()
 * (absent without an MMU) to make it writable.
 */
static void shmat_rdonly_maps_without_write(struct kunit *test)
{
	long id = nm_shmget(test);
	char *rw = (char *)nm_shmat(test, id, 0);
	unsigned long ro;
	struct nm_vma v;

	memset(rw, 's', NM_LEN);
	nm_shmdt(test, (unsigned long)rw);
	ro = nm_shmat(test, id, SHM_RDONLY);
	v = nm_vma(test, ro);

	kunit_info(test, "vm_flags %#lx", v.flags);
	KUNIT_EXPECT_EQ(test, v.flags & (VM_READ | VM_WRITE | VM_SHARED), VM_READ | VM_SHARED);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv((void *)ro, 's', NM_LEN), NULL);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mprotect, ro, NM_LEN, PROT_READ | PROT_WRITE,
					 0, 0, 0), nm_not_implemented());
	KUNIT_EXPECT_EQ(test, nm_vma(test, ro).flags, v.flags);
	nm_shmdt(test, ro);
	nm_shmrm(test, id);
}

/*
 * Locking and populating an attachment, the ways an MMU kernel has: mlockall(MCL_FUTURE) before
 * shmat, mlock and MADV_POPULATE_WRITE after it, all absent (-ENOSYS); SHM_LOCK succeeds and
 * does nothing. The attachment is the same as without them: no VM_LOCKED, nothing allocated or
 * counted in locked_vm.
 */
static void shmat_lock_and_populate_change_nothing(struct kunit *test)
{
	struct mm_struct *mm = nm_mm(test);
	long id = nm_shmget(test);
	long pages = nm_pages_allocated();
	unsigned long addr;
	struct nm_vma v;

	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mlockall, MCL_FUTURE, 0, 0, 0, 0, 0),
			nm_not_implemented());
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_shmctl, id, SHM_LOCK, 0, 0, 0, 0), 0L);
	addr = nm_shmat(test, id, 0);
	v = nm_vma(test, addr);
	KUNIT_EXPECT_EQ(test, v.flags & VM_LOCKED, 0UL);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_mlock, addr, NM_LEN, 0, 0, 0, 0),
			nm_not_implemented());
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_madvise, addr, NM_LEN, MADV_POPULATE_WRITE, 0, 0, 0),
			nm_not_implemented());
	KUNIT_EXPECT_EQ(test, nm_vma(test, addr).flags, v.flags);
	KUNIT_EXPECT_EQ(test, nm_pages_allocated(), pages);
	KUNIT_EXPECT_EQ(test, mm->locked_vm, 0UL);
	nm_shmdt(test, addr);
	KUNIT_EXPECT_EQ(test, nm_syscall(__NR_shmctl, id, SHM_UNLOCK, 0, 0, 0, 0), 0L);
	nm_shmrm(test, id);
}

static struct kunit_case nm_cases[] = {
	KUNIT_CASE_PARAM(anon_mmap_backs_every_page_before_it_returns, nm_anon_gen_params),
	KUNIT_CASE_PARAM(anon_mmap_returns_zeroed_pages, nm_anon_gen_params),
	KUNIT_CASE_PARAM(anon_flag_changes_nothing_but_the_listed_vm_flags,
			 nm_anon_flag_gen_params),
	KUNIT_CASE(anon_map_locked_is_not_counted_in_locked_vm),
	KUNIT_CASE(shared_file_mapping_is_the_page_cache),
	KUNIT_CASE(read_only_private_file_mapping_is_the_page_cache),
	KUNIT_CASE(writable_private_file_mapping_is_a_copy_made_by_mmap),
	KUNIT_CASE_PARAM(file_flag_changes_nothing_but_the_listed_vm_flags,
			 nm_file_flag_gen_params),
	KUNIT_CASE_PARAM(call_is_not_implemented_and_changes_nothing, nm_absent_gen_params),
	KUNIT_CASE(brk_moves_only_inside_the_loaders_heap),
	KUNIT_CASE(brk_after_mcl_future_is_brk_without_it),
	KUNIT_CASE(brk_without_a_heap_stays_where_it_is),
	KUNIT_CASE(mremap_cannot_grow_a_mapping),
	KUNIT_CASE(mremap_grows_back_within_the_mmap_length),
	KUNIT_CASE(shmat_maps_the_segment_in_place),
	KUNIT_CASE(shmat_attachments_share_the_segment),
	KUNIT_CASE(shmat_rdonly_maps_without_write),
	KUNIT_CASE(shmat_lock_and_populate_change_nothing),
	{}
};

static struct kunit_suite nm_suite = {
	.name = "mm_populate_nommu",
	.init = nm_init,
	.exit = nm_exit,
	.test_cases = nm_cases,
};

kunit_test_suite(nm_suite);

MODULE_DESCRIPTION("mm_populate() on a kernel without an MMU");
MODULE_LICENSE("GPL");
