// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Locking the reservations of many BOs with deadlock back-off. */

#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <gpucore/compat.h>
#include <gpucore/exec.h>

#include "internal.h"

/**
 * gc_exec_init() - prepare to lock a set of BOs
 * @exec: the lock set
 * @interruptible: whether waiting for a lock may be interrupted by a signal
 *
 * Context: process context.
 */
void gc_exec_init(struct gc_exec *exec, bool interruptible)
{
	memset(exec, 0, sizeof(*exec));
	ww_acquire_init(&exec->ctx, &reservation_ww_class);
	exec->interruptible = interruptible;
}
EXPORT_SYMBOL_NS_GPL(gc_exec_init, GPUCORE_NS);

static int gc_exec_lock_one(struct gc_exec *exec, struct dma_resv *resv, bool slow)
{
	if (slow)
		return exec->interruptible ?
			dma_resv_lock_slow_interruptible(resv, &exec->ctx) :
			(dma_resv_lock_slow(resv, &exec->ctx), 0);
	return exec->interruptible ? dma_resv_lock_interruptible(resv, &exec->ctx) :
				     dma_resv_lock(resv, &exec->ctx);
}

/**
 * gc_exec_unlock() - unlock every BO of a lock set
 * @exec: the lock set; it may lock again afterwards
 *
 * Context: process context.
 */
void gc_exec_unlock(struct gc_exec *exec)
{
	while (exec->nr_locked)
		dma_resv_unlock(exec->locked[--exec->nr_locked]);
}
EXPORT_SYMBOL_NS_GPL(gc_exec_unlock, GPUCORE_NS);

/*
 * Lock @resvs, recording them in exec->locked, which has room for @count.
 * The caller ends the acquire phase (ww_acquire_done()) once it locks
 * nothing more in the context: a job's validate step may still lock.
 */
static int gc_exec_lock_array(struct gc_exec *exec, struct dma_resv *const *resvs,
			      unsigned int count)
{
	struct dma_resv *contended = NULL;
	unsigned int i;
	int ret;

retry:
	for (i = 0; i < count; i++) {
		if (resvs[i] == contended) {
			/* Locked by the slow path already. */
			contended = NULL;
			continue;
		}
		ret = gc_exec_lock_one(exec, resvs[i], false);
		if (ret == -EALREADY)
			continue;
		if (ret == -EDEADLK) {
			/* An older transaction holds it: let it finish first. */
			gc_exec_unlock(exec);
			exec->nr_backoffs++;
			contended = resvs[i];
			ret = gc_exec_lock_one(exec, contended, true);
			if (ret)
				goto err;
			exec->locked[exec->nr_locked++] = contended;
			goto retry;
		}
		if (ret)
			goto err;
		exec->locked[exec->nr_locked++] = resvs[i];
	}
	return 0;

err:
	gc_exec_unlock(exec);
	return ret;
}

/**
 * gc_exec_lock() - lock the reservations of a set of BOs
 * @exec: the lock set, just initialised: one gc_exec_lock() per
 *	gc_exec_init()
 * @bos: the BOs; duplicates are allowed
 * @count: number of entries in @bos
 *
 * Backs off and retries on -EDEADLK until every BO is locked, so callers
 * never see it.
 *
 * Context: process context; may sleep.
 * Return: 0 with every BO locked; -EINVAL; -ENOMEM; -ERESTARTSYS or
 * -EINTR when interrupted. On failure no BO is locked.
 */
int gc_exec_lock(struct gc_exec *exec, struct gc_bo *const *bos, unsigned int count)
{
	struct dma_resv **resvs;
	unsigned int i;
	int ret;

	if (exec->nr_locked || (count && !bos))
		return -EINVAL;
	kfree(exec->locked);
	/* One allocation: the reservations locked, then those to lock. */
	exec->locked = kmalloc_array(count, 2 * sizeof(*exec->locked), GFP_KERNEL);
	if (count && !exec->locked)
		return -ENOMEM;
	resvs = exec->locked + count;
	for (i = 0; i < count; i++) {
		if (!bos[i])
			return -EINVAL;
		resvs[i] = bos[i]->gem->resv;
	}
	ret = gc_exec_lock_array(exec, resvs, count);
	if (!ret)
		ww_acquire_done(&exec->ctx);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_exec_lock, GPUCORE_NS);

/**
 * gc_exec_lock_resvs() - gc_exec_lock() of reservations, in the caller's memory
 * @exec: the lock set, just initialised
 * @resvs: the reservations; duplicates are allowed
 * @count: number of entries in @resvs
 * @locked: room for @count entries, which @exec uses until
 *	gc_exec_fini_resvs()
 *
 * For jobs, which lock without allocating. Unlike gc_exec_lock(), the
 * acquire phase stays open: the caller calls ww_acquire_done() once it has
 * locked everything (after the job's validate step).
 *
 * Return: as gc_exec_lock(), never -ENOMEM.
 */
int gc_exec_lock_resvs(struct gc_exec *exec, struct dma_resv *const *resvs,
		       unsigned int count, struct dma_resv **locked)
{
	if (exec->nr_locked || exec->locked)
		return -EINVAL;
	exec->locked = locked;
	return gc_exec_lock_array(exec, resvs, count);
}

/**
 * gc_exec_fini_resvs() - gc_exec_fini() after gc_exec_lock_resvs()
 * @exec: the lock set; its memory for locked entries goes back to the caller
 */
void gc_exec_fini_resvs(struct gc_exec *exec)
{
	gc_exec_unlock(exec);
	ww_acquire_fini(&exec->ctx);
	exec->locked = NULL;
}

/**
 * gc_exec_fini() - unlock everything and end the acquire context
 * @exec: the lock set
 *
 * Context: process context.
 */
void gc_exec_fini(struct gc_exec *exec)
{
	gc_exec_unlock(exec);
	ww_acquire_fini(&exec->ctx);
	kfree(exec->locked);
	exec->locked = NULL;
}
EXPORT_SYMBOL_NS_GPL(gc_exec_fini, GPUCORE_NS);
