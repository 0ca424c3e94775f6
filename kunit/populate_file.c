// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files of a test-owned pseudo filesystem: cold page cache, no readahead (every page is its own
 * fault), a read_folio that counts the reads (and those made with the mmap_lock held), fails page
 * fail_index with -EIO fail_left times, and calls the test's read_hook while the population waits.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>

#include "populate_ctx.h"

#define POP_FS_MAGIC 0x706f7055	/* "Upop" */

static DEFINE_MUTEX(pop_fs_lock);
static struct vfsmount *pop_mnt;

static int pop_read_folio(struct file *file, struct folio *folio)
{
	struct pop_file *pf = folio->mapping->host->i_private;
	void *kaddr;

	if (pf) {
		atomic_inc(&pf->reads);
		/* Only the test's kthreads use its mm: held means held by the population. */
		if (pf->mm && rwsem_is_locked(&pf->mm->mmap_lock))
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

/* A file of npages, released when the test ends. */
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

/* Fail the next times reads of page index (keep times finite: 6.12 retries a failing read). */
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

/* Is page index of the file dirty in its page cache? */
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

struct pop_kill {
	struct task_struct *task;
	pgoff_t index;
};

static void pop_kill_hook(struct pop_file *pf, pgoff_t index)
{
	struct pop_kill *k = pf->hook_data;

	if (index == k->index && current == k->task)
		send_sig(SIGKILL, current, 1);
}

/*
 * The test kthread gets SIGKILL from inside the read of page index of pf: from the middle of its
 * own population, which must then end. A kthread ignores every signal unless it allows it, and
 * takes only those the kernel sends (send_sig() with priv 1), as SIGKILL is sent here.
 * pop_take_sigkill() tells whether it came, and clears it.
 */
void pop_file_kill_at(struct kunit *test, struct pop_file *pf, pgoff_t index)
{
	struct pop_kill *k = kunit_kzalloc(test, sizeof(*k), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	k->task = current;
	k->index = index;
	pf->hook_data = k;
	pf->read_hook = pop_kill_hook;
	allow_signal(SIGKILL);
}

/* Is a SIGKILL pending for the test kthread? Clears it, so that the test may go on. */
bool pop_take_sigkill(void)
{
	bool pending = fatal_signal_pending(current);

	flush_signals(current);
	disallow_signal(SIGKILL);
	return pending;
}
