/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_FENCE_SET_H_
#define _GPUCORE_FENCE_SET_H_

#include <linux/dma-resv.h>

#include <gpucore/fence.h>

/**
 * DOC: fence sets
 *
 * A &struct gc_fence_set collects the fences some work must wait for, as
 * owned references, at most one per fence context (the later one wins, as
 * fences of one context signal in order). Containers (dma_fence_array,
 * dma_fence_chain) are unwrapped into their fences.
 *
 * Every operation is all-or-nothing: when an allocation fails the set is
 * exactly as before, the caller's fences are untouched and nothing leaks.
 * gc_fence_set_fini() releases whatever the set holds on every path.
 */

/**
 * struct gc_fence_set - owned references to fences of distinct contexts
 * @refs: the references; @count of them are used
 * @count: number of fences in the set
 * @capacity: number of entries allocated in @refs
 */
struct gc_fence_set {
	struct gc_fence_ref *refs;
	unsigned int count;
	unsigned int capacity;
};

void gc_fence_set_init(struct gc_fence_set *set);
void gc_fence_set_fini(struct gc_fence_set *set);
int gc_fence_set_add(struct gc_fence_set *set, struct dma_fence *fence, gfp_t gfp);
int gc_fence_set_add_resv(struct gc_fence_set *set, struct dma_resv *resv,
			  enum dma_resv_usage usage, gfp_t gfp);
struct gc_fence_ref gc_fence_set_merge(struct gc_fence_set *set, gfp_t gfp);
long gc_fence_set_wait(struct gc_fence_set *set, bool intr, long timeout);

/**
 * gc_fence_set_count() - number of fences in a set
 * @set: the set
 *
 * Return: how many fences (one per context) @set holds.
 */
static inline unsigned int gc_fence_set_count(const struct gc_fence_set *set)
{
	return set->count;
}

DEFINE_FREE(gc_fence_set_fini, struct gc_fence_set *, if (_T) gc_fence_set_fini(_T))

#endif /* _GPUCORE_FENCE_SET_H_ */
