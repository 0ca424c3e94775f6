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
#include <linux/syscalls.h>

#include "populate_helpers.h"

#define NR 16

static void shm_remove(void *data)
{
	sys_shmctl((int)(long)data, IPC_RMID, NULL);
}

/* A private segment of NR pages, removed when the test ends; attached, its address. */
static unsigned long shm_attach(struct kunit *test)
{
	unsigned long addr;
	long id;

	if (!IS_ENABLED(CONFIG_SYSVIPC))
		kunit_skip(test, "needs CONFIG_SYSVIPC");
	id = ksys_shmget(IPC_PRIVATE, POP_LEN(NR), IPC_CREAT | 0600);
	KUNIT_ASSERT_GE_MSG(test, id, 0L, "shmget");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, shm_remove, (void *)id), 0);
	KUNIT_ASSERT_EQ(test, do_shmat(id, NULL, 0, &addr, SHMLBA), 0L);
	return addr;
}

static void shmat_under_mlockall_future_populates_the_segment(struct kunit *test)
{
	struct pop_pages pp = {};
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, sys_mlockall(MCL_FUTURE), 0L);
	addr = shm_attach(test);
	KUNIT_EXPECT_TRUE(test, pop_vm_flags(test, addr) & VM_LOCKED);
	pop_pages(test, addr, NR, &pp);
	KUNIT_EXPECT_EQ(test, pp.present, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pp.mlocked, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, pop_rss(MM_SHMEMPAGES), (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, current->mm->locked_vm, (unsigned long)NR);
	KUNIT_EXPECT_EQ(test, ksys_shmdt((char __user *)addr), 0L);
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
