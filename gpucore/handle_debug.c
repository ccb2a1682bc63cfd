// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The debug build's handle operations (CONFIG_DRM_GPUCORE_DEBUG): the
 * inline get/put/borrow of <gpucore/bo.h> and <gpucore/fence.h> call these
 * instead of the kernel's refcount operations, to check the handle and
 * record its owner. Built only with tracking, like track.c.
 */

#include <linux/module.h>
#include <drm/drm_gem.h>

#include <gpucore/bo.h>
#include <gpucore/fence.h>

#include "internal.h"

/* Whether @bo is a BO gpucore is attached to; reports it if not. */
static bool gc_bo_attached(struct gc_bo *bo, const char *what)
{
	if (bo->magic == GC_BO_MAGIC)
		return true;
	gc_report(GC_REPORT_BAD_HANDLE, NULL, 0, "%s of a BO gpucore is not attached to", what);
	return false;
}

/**
 * __gc_bo_adopt() - gc_bo_adopt() with its checks and owner tracking
 * @bo: as for gc_bo_adopt()
 *
 * Return: as gc_bo_adopt().
 */
struct gc_bo_ref __gc_bo_adopt(struct gc_bo *bo)
{
	struct gc_bo_ref ref = {};

	if (IS_ERR_OR_NULL(bo) || !gc_bo_attached(bo, "adopt"))
		return ref;
	ref.ptr = bo;
	ref.track = gc_bo_take(bo, "bo");
	return ref;
}
EXPORT_SYMBOL_NS_GPL(__gc_bo_adopt, GPUCORE_NS);

/**
 * __gc_bo_get() - gc_bo_get() with its checks and owner tracking
 * @bo: as for gc_bo_get()
 *
 * Return: as gc_bo_get().
 */
struct gc_bo_ref __gc_bo_get(struct gc_bo *bo)
{
	if (IS_ERR_OR_NULL(bo) || !gc_bo_attached(bo, "get"))
		return (struct gc_bo_ref){};
	drm_gem_object_get(bo->gem);
	return __gc_bo_adopt(bo);
}
EXPORT_SYMBOL_NS_GPL(__gc_bo_get, GPUCORE_NS);

/**
 * __gc_bo_put() - gc_bo_put() with its checks and owner tracking
 * @ref: as for gc_bo_put()
 */
void __gc_bo_put(struct gc_bo_ref *ref)
{
	struct gc_bo *bo = ref->ptr;

	ref->ptr = NULL;
	if (IS_ERR_OR_NULL(bo))
		return;
	if (!gc_bo_drop(ref->track, bo))
		return;
	drm_gem_object_put(bo->gem);
}
EXPORT_SYMBOL_NS_GPL(__gc_bo_put, GPUCORE_NS);

/**
 * __gc_bo_borrow() - gc_bo_borrow() with its checks
 * @ref: as for gc_bo_borrow()
 *
 * Return: as gc_bo_borrow().
 */
struct gc_bo *__gc_bo_borrow(const struct gc_bo_ref *ref)
{
	return gc_bo_check(ref->ptr, ref->track, GC_REPORT_USE_AFTER_PUT);
}
EXPORT_SYMBOL_NS_GPL(__gc_bo_borrow, GPUCORE_NS);

/**
 * __gc_fence_adopt() - gc_fence_adopt() with owner tracking
 * @fence: as for gc_fence_adopt()
 *
 * Return: as gc_fence_adopt().
 */
struct gc_fence_ref __gc_fence_adopt(struct dma_fence *fence)
{
	struct gc_fence_ref ref = {};

	if (IS_ERR_OR_NULL(fence))
		return ref;
	ref.ptr = fence;
	ref.track = gc_track_slot_take(fence, "fence", gc_fence_dir_id(fence));
	return ref;
}
EXPORT_SYMBOL_NS_GPL(__gc_fence_adopt, GPUCORE_NS);

/**
 * __gc_fence_put() - gc_fence_put() with its checks and owner tracking
 * @ref: as for gc_fence_put()
 */
void __gc_fence_put(struct gc_fence_ref *ref)
{
	struct dma_fence *fence = ref->ptr;

	ref->ptr = NULL;
	if (IS_ERR_OR_NULL(fence))
		return;
	if (!gc_track_slot_drop(ref->track, fence, GC_REPORT_DOUBLE_PUT))
		return;
	dma_fence_put(fence);
}
EXPORT_SYMBOL_NS_GPL(__gc_fence_put, GPUCORE_NS);

/**
 * __gc_fence_borrow() - gc_fence_borrow() with its checks
 * @ref: as for gc_fence_borrow()
 *
 * Return: as gc_fence_borrow().
 */
struct dma_fence *__gc_fence_borrow(const struct gc_fence_ref *ref)
{
	if (IS_ERR_OR_NULL(ref->ptr))
		return NULL;
	if (!gc_track_slot_check(ref->track, ref->ptr, GC_REPORT_USE_AFTER_PUT))
		return NULL;
	return ref->ptr;
}
EXPORT_SYMBOL_NS_GPL(__gc_fence_borrow, GPUCORE_NS);

/**
 * __gc_fence_into_raw() - gc_fence_into_raw() with its checks and tracking
 * @ref: as for gc_fence_into_raw()
 *
 * Return: as gc_fence_into_raw().
 */
struct dma_fence *__gc_fence_into_raw(struct gc_fence_ref *ref)
{
	struct dma_fence *fence = __gc_fence_borrow(ref);

	ref->ptr = NULL;
	if (fence && !gc_track_slot_drop(ref->track, fence, GC_REPORT_DOUBLE_PUT))
		return NULL;
	return fence;
}
EXPORT_SYMBOL_NS_GPL(__gc_fence_into_raw, GPUCORE_NS);
