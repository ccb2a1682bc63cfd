// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fence sets: dependency collection where every allocation happens before
 * anything is changed, so a failure can neither leak a reference nor leave
 * a half-updated set.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <gpucore/compat.h>
#include <gpucore/fence_set.h>

/**
 * gc_fence_set_init() - initialise an empty fence set
 * @set: the set
 */
void gc_fence_set_init(struct gc_fence_set *set)
{
	*set = (struct gc_fence_set){};
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_init, GPUCORE_NS);

/**
 * gc_fence_set_fini() - release every fence of a set
 * @set: the set; empty (and reusable) on return
 *
 * Context: any; frees memory.
 */
void gc_fence_set_fini(struct gc_fence_set *set)
{
	unsigned int i;

	for (i = 0; i < set->count; i++)
		gc_fence_put(&set->refs[i]);
	kfree(set->refs);
	*set = (struct gc_fence_set){};
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_fini, GPUCORE_NS);

/* Make room for @extra more fences; the set is unchanged on failure. */
static int gc_fence_set_reserve(struct gc_fence_set *set, unsigned int extra, gfp_t gfp)
{
	struct gc_fence_ref *refs;
	unsigned int want;

	if (check_add_overflow(set->count, extra, &want))
		return -ENOMEM;
	if (want <= set->capacity)
		return 0;
	want = max(want, 2 * set->capacity);
	refs = krealloc_array(set->refs, want, sizeof(*refs), gfp);
	if (!refs)
		return -ENOMEM;
	set->refs = refs;
	set->capacity = want;
	return 0;
}

/* Add one non-container fence; room must have been reserved. */
static void gc_fence_set_insert(struct gc_fence_set *set, struct dma_fence *fence)
{
	unsigned int i;

	if (dma_fence_is_signaled(fence))
		return;
	for (i = 0; i < set->count; i++) {
		struct dma_fence *old = set->refs[i].ptr;

		if (old->context != fence->context)
			continue;
		if (dma_fence_is_later(fence, old)) {
			gc_fence_put(&set->refs[i]);
			set->refs[i] = gc_fence_get(fence);
		}
		return;
	}
	set->refs[set->count++] = gc_fence_get(fence);
}

static unsigned int gc_fence_nr_components(struct dma_fence *fence)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;
	unsigned int n = 0;

	dma_fence_unwrap_for_each(f, &iter, fence)
		n++;
	return n;
}

static void gc_fence_set_insert_unwrapped(struct gc_fence_set *set, struct dma_fence *fence)
{
	struct dma_fence_unwrap iter;
	struct dma_fence *f;

	dma_fence_unwrap_for_each(f, &iter, fence)
		gc_fence_set_insert(set, f);
}

/**
 * gc_fence_set_add() - add a fence to a set
 * @set: the set
 * @fence: any dma_fence, including containers; the caller keeps its
 *	reference, the set takes its own
 * @gfp: allocation flags
 *
 * Signalled fences are skipped; a fence of a context already in the set
 * replaces the earlier one.
 *
 * Context: any, if @gfp allows it.
 * Return: 0; -EINVAL for a NULL @fence; -ENOMEM, with @set unchanged.
 */
int gc_fence_set_add(struct gc_fence_set *set, struct dma_fence *fence, gfp_t gfp)
{
	int ret;

	if (IS_ERR_OR_NULL(fence))
		return -EINVAL;
	ret = gc_fence_set_reserve(set, gc_fence_nr_components(fence), gfp);
	if (ret)
		return ret;
	gc_fence_set_insert_unwrapped(set, fence);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_add, GPUCORE_NS);

/**
 * gc_fence_set_add_resv() - add the fences of a reservation object
 * @set: the set
 * @resv: the reservation object; need not be locked
 * @usage: which fences, as for dma_resv_get_fences()
 * @gfp: allocation flags for the set (the snapshot of @resv allocates
 *	with GFP_KERNEL)
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM with @set unchanged.
 */
int gc_fence_set_add_resv(struct gc_fence_set *set, struct dma_resv *resv,
			  enum dma_resv_usage usage, gfp_t gfp)
{
	struct dma_fence **fences;
	unsigned int i, num, extra = 0;
	int ret;

	ret = dma_resv_get_fences(resv, usage, &num, &fences);
	if (ret)
		return ret;
	for (i = 0; i < num; i++)
		extra += gc_fence_nr_components(fences[i]);
	ret = gc_fence_set_reserve(set, extra, gfp);
	for (i = 0; i < num; i++) {
		if (!ret)
			gc_fence_set_insert_unwrapped(set, fences[i]);
		dma_fence_put(fences[i]);
	}
	kfree(fences);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_add_resv, GPUCORE_NS);

/**
 * gc_fence_set_merge() - one fence that signals when all of a set have
 * @set: the set; unchanged
 * @gfp: allocation flags
 *
 * Context: any, if @gfp allows it, for a set of at most one fence; process
 * context for more (dma_fence_array_create() allocates with GFP_KERNEL).
 * Return: an owned reference: the stub fence for an empty set, the fence
 * itself for a set of one, else a new dma_fence_array. ERR_PTR(-ENOMEM)
 * (check with gc_is_err()) with nothing leaked.
 */
struct gc_fence_ref gc_fence_set_merge(struct gc_fence_set *set, gfp_t gfp)
{
	struct dma_fence_array *array;
	struct dma_fence **fences;
	unsigned int i;

	if (!set->count)
		return gc_fence_adopt(dma_fence_get_stub());
	if (set->count == 1)
		return gc_fence_get(set->refs[0].ptr);

	might_sleep();
	fences = kmalloc_array(set->count, sizeof(*fences), gfp);
	if (!fences)
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	for (i = 0; i < set->count; i++)
		fences[i] = dma_fence_get(set->refs[i].ptr);
	/* On success the array owns fences[] and the references in it. */
	array = gc_compat_fence_array_create(set->count, fences, dma_fence_context_alloc(1), 1);
	if (!array) {
		for (i = 0; i < set->count; i++)
			dma_fence_put(fences[i]);
		kfree(fences);
		return (struct gc_fence_ref){ .ptr = ERR_PTR(-ENOMEM) };
	}
	return gc_fence_adopt(&array->base);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_merge, GPUCORE_NS);

/**
 * gc_fence_set_wait() - wait for every fence of a set
 * @set: the set
 * @intr: interruptible wait
 * @timeout: total timeout in jiffies, or MAX_SCHEDULE_TIMEOUT
 *
 * Context: process context; may sleep.
 * Return: the remaining timeout (at least 1) when all signalled, 0 on
 * timeout, -ERESTARTSYS if interrupted.
 */
long gc_fence_set_wait(struct gc_fence_set *set, bool intr, long timeout)
{
	unsigned int i;
	long ret = timeout ? timeout : 1;

	for (i = 0; i < set->count && ret > 0; i++)
		ret = dma_fence_wait_timeout(set->refs[i].ptr, intr, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_fence_set_wait, GPUCORE_NS);
