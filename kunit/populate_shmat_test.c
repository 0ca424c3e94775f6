// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmat(): do_shmat() maps the segment under the write lock and populates it afterwards when the
 * mapping is VM_LOCKED (mlockall(MCL_FUTURE)).
 */
#include <kunit/test.h>
#include <linux/ipc.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/shm.h>
#include <uapi/linux/shm.h>
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16

static void shm_remove(void *data)
{
	sys_shmctl((int)(long)data, IPC_RMID, NULL);
}

/* A private segment of NR pages, removed when the test ends. */
static long shm_create(struct kunit *test)
{
	long id;

	if (!IS_ENABLED(CONFIG_SYSVIPC))
		kunit_skip(test, "needs CONFIG_SYSVIPC");
	id = ksys_shmget(IPC_PRIVATE, POP_LEN(NR), IPC_CREAT | 0600);
	KUNIT_ASSERT_GE_MSG(test, id, 0L, "shmget");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, shm_remove, (void *)id), 0);
	return id;
}

/* A new segment attached with shmflg (at addr, if not 0); its address. */
static unsigned long shm_attach_at(struct kunit *test, unsigned long addr, int shmflg)
{
	long id = shm_create(test);
	unsigned long raddr;

	KUNIT_ASSERT_EQ(test, do_shmat(id, (char __user *)addr, shmflg, &raddr, SHMLBA), 0L);
	return raddr;
}

static unsigned long shm_attach(struct kunit *test)
{
	return shm_attach_at(test, 0, 0);
}

/* Expect the NR pages at addr present, mlocked and shmem's, as a locked attach leaves them. */
static void expect_populated_and_mlocked(struct kunit *test, unsigned long addr)
{
	struct pop_pages pp = {};

	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

static void shmat_under_mlockall_future_populates_the_segment(struct kunit *test)
{
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = shm_attach(test);
	expect_populated_and_mlocked(test, addr);
	KUNIT_EXPECT_EQ(test, ksys_shmdt((char __user *)addr), 0L);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

/* Read-only, the segment is populated all the same: by read faults, which allocate shmem pages. */
static void shmat_read_only_under_mlockall_future_populates_the_segment(struct kunit *test)
{
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = shm_attach_at(test, 0, SHM_RDONLY);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_WRITE);
	expect_populated_and_mlocked(test, addr);
}

/* SHM_REMAP replaces what was mapped there (MAP_FIXED) and populates the segment in its place. */
static void shmat_remap_under_mlockall_future_replaces_and_populates(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR + SHMLBA / PAGE_SIZE, PROT_READ,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);

	addr = ALIGN(addr, SHMLBA);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_ASSERT_EQ(test, shm_attach_at(test, addr, SHM_REMAP), addr);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_SHARED);
	expect_populated_and_mlocked(test, addr);
}

static void shmat_under_mlockall_future_onfault_populates_nothing(struct kunit *test)
{
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE | MCL_ONFAULT), 0L);
	addr = shm_attach(test);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKONFAULT);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
}

/* Over a mapping without SHM_REMAP: -EINVAL, and the mapping there is left as it was. */
static void shmat_refused_over_a_mapping_populates_nothing(struct kunit *test)
{
	unsigned long addr = pop_mmap(test, NULL, 0, NR + SHMLBA / PAGE_SIZE, PROT_READ,
				      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	unsigned long raddr = 0;

	addr = ALIGN(addr, SHMLBA);
	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	KUNIT_EXPECT_EQ(test, do_shmat(shm_create(test), (char __user *)addr, 0, &raddr, SHMLBA),
			(long)-EINVAL);
	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & (VM_SHARED | VM_LOCKED));
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), 0UL);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, 0UL);
}

static void shmat_without_mlockall_populates_nothing(struct kunit *test)
{
	unsigned long addr = shm_attach(test);

	KUNIT_EXPECT_FALSE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	KUNIT_EXPECT_EQ(test, pop_present(test, addr, NR), 0UL);
	KUNIT_EXPECT_EQ(test, ksys_shmdt((char __user *)addr), 0L);
}

static struct kunit_case populate_shmat_cases[] = {
	KUNIT_CASE(shmat_under_mlockall_future_populates_the_segment),
	KUNIT_CASE(shmat_read_only_under_mlockall_future_populates_the_segment),
	KUNIT_CASE(shmat_remap_under_mlockall_future_replaces_and_populates),
	KUNIT_CASE(shmat_under_mlockall_future_onfault_populates_nothing),
	KUNIT_CASE(shmat_refused_over_a_mapping_populates_nothing),
	KUNIT_CASE(shmat_without_mlockall_populates_nothing),
	{}
};

static struct kunit_suite populate_shmat_suite = {
	.name = "mm_populate_shmat",
	.init = pop_init,
	.exit = pop_exit,
	.test_cases = populate_shmat_cases,
};

kunit_test_suite(populate_shmat_suite);

MODULE_LICENSE("GPL");
