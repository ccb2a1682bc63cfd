/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_EXEC_H_
#define _GPUCORE_EXEC_H_

#include <linux/ww_mutex.h>

#include <gpucore/bo.h>

/**
 * DOC: locking many BOs
 *
 * A submission locks the reservation of every BO it uses. Two submissions
 * that lock overlapping sets in different orders would deadlock; the
 * reservation locks are wait-die ww_mutexes, and &struct gc_exec does the
 * back-off dance for the driver: on -EDEADLK it drops every lock it holds,
 * sleeps on the contended one, and starts again with that one held.
 *
 * ::
 *
 *	struct gc_exec exec;
 *
 *	gc_exec_init(&exec, true);
 *	ret = gc_exec_lock(&exec, bos, nr_bos);
 *	if (!ret)
 *		... add fences ...
 *	gc_exec_fini(&exec);
 */

/**
 * struct gc_exec - a set of BO reservations locked together
 * @ctx: the acquire context
 * @locked: the reservations locked, @nr_locked of them
 * @nr_locked: number of reservations in @locked
 * @nr_backoffs: how many times gc_exec_lock() had to back off
 * @interruptible: lock interruptibly
 */
struct gc_exec {
	struct ww_acquire_ctx ctx;
	struct dma_resv **locked;
	unsigned int nr_locked;
	unsigned int nr_backoffs;
	bool interruptible;
};

void gc_exec_init(struct gc_exec *exec, bool interruptible);
int gc_exec_lock(struct gc_exec *exec, struct gc_bo *const *bos, unsigned int count);
void gc_exec_unlock(struct gc_exec *exec);
void gc_exec_fini(struct gc_exec *exec);

DEFINE_FREE(gc_exec_fini, struct gc_exec *, if (_T) gc_exec_fini(_T))

#endif /* _GPUCORE_EXEC_H_ */
