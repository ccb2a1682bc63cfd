/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Declarations shared between gpucore's own files; not part of the API. */
#ifndef _GPUCORE_INTERNAL_H_
#define _GPUCORE_INTERNAL_H_

#include <gpucore/compat.h>
#include <gpucore/fence.h>

#include "track_internal.h"

/*
 * A job's done fence: gc_fence_create() in two steps, the memory with the
 * job and the fence (its seqno, a lock class of its own) at arm.
 */
struct gc_fence *gc_fence_alloc_done(gfp_t gfp);
struct gc_fence_signaller gc_fence_init_done(struct gc_fence *gf, struct gc_timeline *tl);
void gc_fence_free_unused(struct gc_fence *gf);

#define GC_BO_MAGIC	0x6763626f	/* "gcbo" */

struct gc_bo;

/* The BO behind a handle, if it may be used (reported if not). */
struct gc_bo *gc_bo_check(struct gc_bo *bo, struct gc_track_slot track,
			  enum gc_report_kind reuse);
/* Record a new owned reference to @bo, for the slot of its handle. */
struct gc_track_slot gc_bo_take(struct gc_bo *bo, const char *kind);
/* The handle with @track puts its reference: false for a double put. */
bool gc_bo_drop(struct gc_track_slot track, struct gc_bo *bo);
/* The tracking scope of references to a fence. */
u32 gc_fence_dir_id(struct dma_fence *fence);

struct dma_resv;
struct gc_exec;

/*
 * gc_exec_lock() of @count reservations, with @locked (room for @count)
 * given by the caller, so that it allocates nothing; end with
 * gc_exec_fini_resvs().
 */
int gc_exec_lock_resvs(struct gc_exec *exec, struct dma_resv *const *resvs,
		       unsigned int count, struct dma_resv **locked);
void gc_exec_fini_resvs(struct gc_exec *exec);

#endif /* _GPUCORE_INTERNAL_H_ */
