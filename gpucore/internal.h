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
