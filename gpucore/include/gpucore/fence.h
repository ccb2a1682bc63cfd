/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_FENCE_H_
#define _GPUCORE_FENCE_H_

#include <linux/dma-fence.h>
#include <linux/err.h>

#include <gpucore/cleanup.h>
#include <gpucore/track.h>

/**
 * DOC: fences
 *
 * gpucore fences are &struct dma_fence, so every consumer of dma_fence
 * (dma_resv, sync_file, drm_syncobj, drm_sched) takes them as they are.
 * gpucore adds ownership rules on top:
 *
 * - A fence is created on a &struct gc_timeline, which gives it a context
 *   and the next seqno. Creation returns a &struct gc_fence_signaller: the
 *   unique right to signal the fence. Waiters hold &struct gc_fence_ref
 *   handles, which can never signal.
 * - A signaller must be consumed by gc_fence_signal() or
 *   gc_fence_signal_error(). Dropping it unconsumed (gc_fence_signaller_drop(),
 *   usually through __free()) is a bug: it is reported with the stack that
 *   created the fence, and the fence is signalled with -ECANCELED so no
 *   waiter hangs.
 * - Signalling twice is reported and does nothing. Signalling a fence
 *   without error after a later fence of the same timeline signalled
 *   without error is reported (waiters may already assume it done). A fence
 *   completed with an error may complete early: that is how cancelled work
 *   leaves the timeline.
 * - Fences point at nothing outside gpucore: the lock is inside the fence
 *   and the names are the timeline's, which each fence keeps allocated
 *   until it is freed, so a fence may outlive the driver's reference to its
 *   timeline, its device, its file and the driver module. gpucore's module
 *   cannot be unloaded while one of its fences exists.
 * - Signalling runs inside dma_fence_begin_signalling(), so lockdep reports
 *   an allocation or lock inversion on a completion path.
 *
 * &struct gc_fence_ref also holds foreign fences (sync_file, other drivers):
 * gc_fence_get() takes a new reference, gc_fence_adopt() takes over one the
 * caller already holds.
 */

struct gc_timeline;
struct gc_fence;

/**
 * struct gc_fence_ref - an owned reference to a &struct dma_fence
 * @ptr: the fence; NULL for an empty handle, an ERR_PTR() after a failed
 *	constructor. Use gc_fence_borrow() to read it.
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 *
 * Obtained from gc_fence_get(), gc_fence_adopt() or
 * gc_fence_signaller_fence(); released by gc_fence_put(), which empties it.
 * Transfer it with gc_move(); never copy it by assignment.
 */
struct gc_fence_ref {
	struct dma_fence *ptr;
	struct gc_track_slot track;
};

/**
 * struct gc_fence_signaller - the unique right to signal a gpucore fence
 * @ptr: the fence; NULL once consumed, an ERR_PTR() after a failed
 *	gc_fence_create()
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 *
 * Holds a reference to the fence, so the fence lives at least until it is
 * signalled. Consumed by gc_fence_signal(), gc_fence_signal_error() or
 * gc_fence_signaller_drop(); transfer it with gc_move().
 */
struct gc_fence_signaller {
	struct gc_fence *ptr;
	struct gc_track_slot track;
};

struct gc_timeline *gc_timeline_create(const char *driver_name, const char *name,
				       struct gc_track_dir *dir);
void gc_timeline_put(struct gc_timeline *tl);
u64 gc_timeline_context(const struct gc_timeline *tl);

struct gc_fence_signaller gc_fence_create(struct gc_timeline *tl, gfp_t gfp);
struct gc_fence_ref gc_fence_signaller_fence(const struct gc_fence_signaller *sig);
u64 gc_fence_signaller_seqno(const struct gc_fence_signaller *sig);
int gc_fence_signal(struct gc_fence_signaller *sig);
int gc_fence_signal_error(struct gc_fence_signaller *sig, int error);
void gc_fence_signaller_drop(struct gc_fence_signaller *sig);
bool gc_is_fence(const struct dma_fence *fence);

long gc_fence_wait(const struct gc_fence_ref *ref, bool intr, long timeout);

/*
 * The handle operations below are inline: without CONFIG_DRM_GPUCORE_DEBUG
 * each is the dma_fence refcount operation and nothing else; with it, each
 * calls its tracked form in fence.c.
 */
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
struct gc_fence_ref __gc_fence_adopt(struct dma_fence *fence);
void __gc_fence_put(struct gc_fence_ref *ref);
struct dma_fence *__gc_fence_borrow(const struct gc_fence_ref *ref);
struct dma_fence *__gc_fence_into_raw(struct gc_fence_ref *ref);
#endif

/**
 * gc_fence_adopt() - take over a reference the caller already holds
 * @fence: a fence with a reference owned by the caller (for example from
 *	sync_file_get_fence() or drm_syncobj_find_fence()), or NULL
 *
 * Any dma_fence may be adopted, gpucore's or not.
 *
 * Context: any.
 * Return: an owned reference; empty for a NULL @fence.
 */
static inline struct gc_fence_ref gc_fence_adopt(struct dma_fence *fence)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_fence_adopt(fence);
#else
	return (struct gc_fence_ref){ .ptr = __gc_no_ptr(fence) ? NULL : fence };
#endif
}

/**
 * gc_fence_get() - take a new owned reference to a fence
 * @fence: any dma_fence, or NULL
 *
 * Context: any.
 * Return: an owned reference; empty for a NULL @fence.
 */
static inline struct gc_fence_ref gc_fence_get(struct dma_fence *fence)
{
	if (__gc_no_ptr(fence))
		return (struct gc_fence_ref){};
	return gc_fence_adopt(dma_fence_get(fence));
}

/**
 * gc_fence_put() - release an owned fence reference
 * @ref: the handle; empty on return
 *
 * Does nothing for an empty handle. With CONFIG_DRM_GPUCORE_DEBUG, putting
 * a reference already put through a copy of the handle is reported and
 * does not touch the fence.
 *
 * Context: any.
 */
static inline void gc_fence_put(struct gc_fence_ref *ref)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	__gc_fence_put(ref);
#else
	struct dma_fence *fence = ref->ptr;

	ref->ptr = NULL;
	if (!__gc_no_ptr(fence))
		dma_fence_put(fence);
#endif
}

/**
 * gc_fence_borrow() - the fence behind an owned reference
 * @ref: the handle
 *
 * The pointer is valid while @ref is held; do not store it past that.
 * With CONFIG_DRM_GPUCORE_DEBUG a handle whose reference was put through a
 * copy is reported and yields NULL.
 *
 * Context: any.
 * Return: the fence, or NULL for an empty or stale handle.
 */
static inline struct dma_fence *gc_fence_borrow(const struct gc_fence_ref *ref)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_fence_borrow(ref);
#else
	return __gc_no_ptr(ref->ptr) ? NULL : ref->ptr;
#endif
}

/**
 * gc_fence_into_raw() - hand an owned reference to code that takes raw ones
 * @ref: the handle; empty on return
 *
 * For APIs that consume a dma_fence reference (dma_fence_chain_init(),
 * dma_fence_array_create()). The reference is no longer tracked.
 *
 * Context: any.
 * Return: the fence with the reference @ref held, or NULL.
 */
static inline struct dma_fence *gc_fence_into_raw(struct gc_fence_ref *ref)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_fence_into_raw(ref);
#else
	struct dma_fence *fence = ref->ptr;

	ref->ptr = NULL;
	return __gc_no_ptr(fence) ? NULL : fence;
#endif
}

DEFINE_FREE(gc_fence_put, struct gc_fence_ref, gc_fence_put(&_T))
DEFINE_FREE(gc_fence_signaller_drop, struct gc_fence_signaller,
	    gc_fence_signaller_drop(&_T))

#endif /* _GPUCORE_FENCE_H_ */
