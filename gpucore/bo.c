// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Buffer objects: owned references to a driver's GEM objects, unique
 * setup, safe handle publication, busy tracking through dma_resv, and
 * CPU access, mapping and pinning that hold their own references.
 */

#include <linux/module.h>
#include <linux/string.h>
#include <drm/drm_gem.h>

#include <gpucore/compat.h>
#include <gpucore/bo.h>

#include "internal.h"

#define GC_BO_POISON	0x6763dead

/**
 * gc_bo_check() - the BO behind a handle, if it may be used
 * @bo: the handle's pointer
 * @track: the handle's tracking slot
 * @reuse: the report for a handle whose reference was already put
 *
 * Return: @bo if the handle is not empty, not stale (debug tracking) and
 * holds an attached BO; NULL otherwise (reported, unless empty).
 */
struct gc_bo *gc_bo_check(struct gc_bo *bo, struct gc_track_slot track,
			  enum gc_report_kind reuse)
{
	if (IS_ERR_OR_NULL(bo))
		return NULL;
	if (!gc_track_slot_check(track, bo, reuse))
		return NULL;
	if (bo->magic != GC_BO_MAGIC) {
		gc_report(GC_REPORT_BAD_HANDLE, NULL, 0, "handle does not hold a live BO");
		return NULL;
	}
	return bo;
}

/**
 * gc_bo_take() - record a new owned reference to a BO
 * @bo: the BO
 * @kind: what holds the reference, for reports
 *
 * Return: the tracking slot of the handle that holds it.
 */
struct gc_track_slot gc_bo_take(struct gc_bo *bo, const char *kind)
{
	return gc_track_slot_take(bo, kind, bo->dir_id);
}

/**
 * gc_bo_drop() - the handle with @track puts its reference to @bo
 * @track: the handle's tracking slot
 * @bo: the BO
 *
 * Return: false for a double put (reported): the caller must not put.
 */
bool gc_bo_drop(struct gc_track_slot track, struct gc_bo *bo)
{
	return gc_track_slot_drop(track, bo, GC_REPORT_DOUBLE_PUT);
}

/**
 * gc_bo_attach() - attach gpucore to a newly initialised GEM object
 * @bo: the gpucore state, embedded in the driver's BO
 * @gem: the driver's GEM object, just initialised (drm_gem_object_init()
 *	or drm_gem_private_object_init()), holding only its creation reference
 * @dir: tracking scope for references to the BO (a device), or NULL
 *
 * The creation reference becomes the returned unique handle. A driver that
 * attaches a BO must call gc_bo_release() from its &drm_gem_object_funcs.free.
 *
 * Context: any.
 * Return: the unique handle; ERR_PTR(-EINVAL) in it (and @gem left to the
 * caller) for a NULL argument.
 */
struct gc_bo_unique gc_bo_attach(struct gc_bo *bo, struct drm_gem_object *gem,
				 struct gc_track_dir *dir)
{
	struct gc_bo_unique unique = {};

	if (!bo || !gem) {
		unique.ptr = ERR_PTR(-EINVAL);
		return unique;
	}
	bo->gem = gem;
	bo->magic = GC_BO_MAGIC;
	bo->dir_id = gc_track_dir_id(dir);
	bo->shared = false;
	atomic_set(&bo->nr_vm_mappings, 0);
	bo->label[0] = '\0';
	unique.ptr = bo;
	unique.track = gc_bo_take(bo, "bo (unique)");
	return unique;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_attach, GPUCORE_NS);

/**
 * gc_bo_release() - detach gpucore from a BO being freed
 * @bo: the BO, from the driver's &drm_gem_object_funcs.free
 *
 * Poisons the state so that a stale handle is recognised, not trusted.
 * VM mappings hold references, so none can remain here.
 *
 * Context: the GEM free path.
 */
void gc_bo_release(struct gc_bo *bo)
{
	WARN_ON(atomic_read(&bo->nr_vm_mappings));
	bo->magic = GC_BO_POISON;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_release, GPUCORE_NS);

/**
 * gc_bo_unique_borrow() - the BO behind a unique handle, for setup
 * @unique: the handle
 *
 * Return: the BO, or NULL for an empty, failed or stale handle.
 */
struct gc_bo *gc_bo_unique_borrow(const struct gc_bo_unique *unique)
{
	return gc_bo_check(unique->ptr, unique->track, GC_REPORT_USE_AFTER_PUT);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_unique_borrow, GPUCORE_NS);

/**
 * gc_bo_set_label() - name a BO while it is being set up
 * @unique: the BO's unique handle
 * @label: the name, copied (at most 31 characters kept)
 *
 * Context: any.
 * Return: 0; -EINVAL for an empty handle or a NULL label; -EBUSY, reported,
 * if the BO is already shared (reached through a stale copy of the handle).
 */
int gc_bo_set_label(struct gc_bo_unique *unique, const char *label)
{
	struct gc_bo *bo = gc_bo_unique_borrow(unique);

	if (!bo || !label)
		return -EINVAL;
	if (bo->shared) {
		gc_report(GC_REPORT_NOT_UNIQUE, NULL, 0, "set_label on shared BO \"%s\"",
			  bo->label);
		return -EBUSY;
	}
	strscpy(bo->label, label, sizeof(bo->label));
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_set_label, GPUCORE_NS);

/**
 * gc_bo_share() - end setup: turn the unique handle into a shared reference
 * @unique: the handle; empty on return
 *
 * Context: any.
 * Return: an owned reference carrying the unique handle's reference; an
 * empty or error handle if @unique was one.
 */
struct gc_bo_ref gc_bo_share(struct gc_bo_unique *unique)
{
	struct gc_bo_ref ref = {};
	struct gc_bo *bo = unique->ptr;

	if (IS_ERR(bo)) {
		ref.ptr = bo;
		unique->ptr = NULL;
		return ref;
	}
	bo = gc_bo_check(bo, unique->track, GC_REPORT_USE_AFTER_PUT);
	unique->ptr = NULL;
	if (!bo || !gc_bo_drop(unique->track, bo))
		return ref;
	bo->shared = true;
	ref.ptr = bo;
	ref.track = gc_bo_take(bo, "bo");
	return ref;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_share, GPUCORE_NS);

/**
 * gc_bo_unique_drop() - abandon a BO during setup
 * @unique: the handle; empty on return
 *
 * Drops the only reference: the BO is freed. Does nothing for an empty or
 * failed handle, so it is the scope cleanup of unique handles.
 *
 * Context: process context (the GEM free path may sleep).
 */
void gc_bo_unique_drop(struct gc_bo_unique *unique)
{
	struct gc_bo_ref ref = gc_bo_share(unique);

	gc_bo_put(&ref);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_unique_drop, GPUCORE_NS);

/**
 * gc_bo_publish() - end setup and give user space a GEM handle
 * @unique: the handle; empty on return
 * @file: the DRM file that gets the GEM handle
 * @handle: where the GEM handle is stored
 *
 * The kernel's reference is secured before the handle exists: user space
 * closing the handle at once (from another thread) cannot free the BO
 * while the kernel still uses the returned reference.
 *
 * Context: process context; may sleep.
 * Return: the kernel's owned reference. On failure an error handle: the
 * BO was freed and there is nothing to put.
 */
struct gc_bo_ref gc_bo_publish(struct gc_bo_unique *unique, struct drm_file *file,
			       u32 *handle)
{
	struct gc_bo_ref ref = gc_bo_share(unique);
	struct gc_bo *bo;
	int ret;

	/* A failed constructor's errno goes back as it was. */
	if (gc_is_err(ref))
		return ref;
	bo = gc_bo_borrow(&ref);
	if (!bo) {
		gc_bo_put(&ref);
		return (struct gc_bo_ref){ .ptr = ERR_PTR(-EINVAL) };
	}
	ret = drm_gem_handle_create(file, bo->gem, handle);
	if (ret) {
		gc_bo_put(&ref);
		return (struct gc_bo_ref){ .ptr = ERR_PTR(ret) };
	}
	return ref;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_publish, GPUCORE_NS);

/**
 * gc_bo_lookup() - an owned reference to the BO behind a GEM handle
 * @file: the DRM file the handle belongs to
 * @handle: the GEM handle, from user space
 * @to_bo: the driver's conversion from one of its GEM objects to the
 *	&struct gc_bo embedded next to it, NULL for an object that is not of
 *	its BO type (gc_shmem_bo_from_gem() for &struct gc_shmem_bo)
 *
 * The one rule for every driver: an unknown handle is -ENOENT; a GEM
 * object that gpucore is not attached to (@to_bo does not know it, or it
 * was never attached, or is being freed) is -EINVAL and is not reported,
 * since user space chose the handle.
 *
 * Context: process context (the lookup's reference may be the last one).
 * Return: an owned reference; on failure an error handle that owns
 * nothing: -ENOENT or -EINVAL.
 */
struct gc_bo_ref gc_bo_lookup(struct drm_file *file, u32 handle,
			      struct gc_bo *(*to_bo)(struct drm_gem_object *gem))
{
	struct drm_gem_object *gem = drm_gem_object_lookup(file, handle);
	struct gc_bo *bo;

	if (!gem)
		return (struct gc_bo_ref){ .ptr = ERR_PTR(-ENOENT) };
	bo = to_bo(gem);
	if (!bo || bo->gem != gem || bo->magic != GC_BO_MAGIC) {
		drm_gem_object_put(gem);
		return (struct gc_bo_ref){ .ptr = ERR_PTR(-EINVAL) };
	}
	return gc_bo_adopt(bo);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_lookup, GPUCORE_NS);

static enum dma_resv_usage gc_access_usage(enum gc_access access)
{
	return access == GC_ACCESS_WRITE ? DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ;
}

/* Which fences a new access must wait for: writers only for a read. */
static enum dma_resv_usage gc_access_waits_for(enum gc_access access)
{
	return access == GC_ACCESS_WRITE ? DMA_RESV_USAGE_READ : DMA_RESV_USAGE_WRITE;
}

/**
 * gc_bo_add_fence() - record that GPU work uses a BO until a fence signals
 * @bo: the BO; its reservation lock must be held
 * @fence: the work's done fence
 * @access: how the work uses the BO
 *
 * Context: process context, reservation lock held.
 * Return: 0, -EINVAL for bad arguments, -ENOMEM.
 */
int gc_bo_add_fence(struct gc_bo *bo, struct dma_fence *fence, enum gc_access access)
{
	int ret;

	if (!bo || !fence || access > GC_ACCESS_WRITE)
		return -EINVAL;
	dma_resv_assert_held(bo->gem->resv);
	ret = dma_resv_reserve_fences(bo->gem->resv, 1);
	if (ret)
		return ret;
	dma_resv_add_fence(bo->gem->resv, fence, gc_access_usage(access));
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_add_fence, GPUCORE_NS);

/**
 * gc_bo_wait_idle() - wait until an access to a BO would not race the GPU
 * @bo: the BO
 * @access: %GC_ACCESS_READ waits for GPU writers, %GC_ACCESS_WRITE for all
 *	GPU users
 * @intr: interruptible wait
 * @timeout: in jiffies, or MAX_SCHEDULE_TIMEOUT
 *
 * Context: process context; may sleep.
 * Return: as dma_resv_wait_timeout(): the remaining time (> 0), 0 on
 * timeout, or a negative errno.
 */
long gc_bo_wait_idle(struct gc_bo *bo, enum gc_access access, bool intr, long timeout)
{
	if (!bo || access > GC_ACCESS_WRITE)
		return -EINVAL;
	return dma_resv_wait_timeout(bo->gem->resv, gc_access_waits_for(access), intr,
				     timeout);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_wait_idle, GPUCORE_NS);

/* Publish a fence GPU work must wait for while the CPU writes. */
static int gc_bo_cpu_fence(struct gc_bo_cpu_access *acc, struct gc_bo *bo,
			   bool intr, long timeout)
{
	struct dma_resv *resv = bo->gem->resv;
	struct gc_timeline *tl;
	long ret;

	tl = gc_timeline_create("gpucore", "cpu-write", NULL);
	if (IS_ERR(tl))
		return PTR_ERR(tl);
	acc->cpu_done = gc_fence_create(tl, GFP_KERNEL);
	gc_timeline_put(tl);
	if (gc_is_err(acc->cpu_done))
		return gc_err(acc->cpu_done);

	/* Idle and fenced under one hold of the lock: no GPU work slips in. */
	for (;;) {
		ret = intr ? dma_resv_lock_interruptible(resv, NULL) : dma_resv_lock(resv, NULL);
		if (ret)
			break;
		if (dma_resv_test_signaled(resv, gc_access_waits_for(GC_ACCESS_WRITE))) {
			ret = dma_resv_reserve_fences(resv, 1);
			if (!ret) {
				struct gc_fence_ref f = gc_fence_signaller_fence(&acc->cpu_done);

				dma_resv_add_fence(resv, gc_fence_borrow(&f), DMA_RESV_USAGE_WRITE);
				gc_fence_put(&f);
			}
			dma_resv_unlock(resv);
			break;
		}
		dma_resv_unlock(resv);
		ret = gc_bo_wait_idle(bo, GC_ACCESS_WRITE, intr, timeout);
		if (ret <= 0) {
			ret = ret ? ret : -ETIMEDOUT;
			break;
		}
		timeout = ret;
	}
	if (ret < 0)
		gc_fence_signal_error(&acc->cpu_done, -ECANCELED);
	return ret < 0 ? ret : 0;
}

/**
 * gc_bo_cpu_begin() - open CPU access to a BO
 * @acc: the access; holds its own BO reference until gc_bo_cpu_end()
 * @bo: the BO
 * @access: %GC_ACCESS_READ waits for GPU writers; %GC_ACCESS_WRITE waits for
 *	all GPU users, and makes GPU work that waits on the BO's fences wait
 *	for gc_bo_cpu_end()
 * @intr: interruptible wait
 * @timeout: in jiffies, or MAX_SCHEDULE_TIMEOUT
 *
 * Use with __free(gc_bo_cpu_end) so the access cannot stay open by mistake.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL; -ETIMEDOUT if the GPU stayed busy; -ERESTARTSYS;
 * -ENOMEM. On failure @acc holds nothing.
 */
int gc_bo_cpu_begin(struct gc_bo_cpu_access *acc, struct gc_bo *bo,
		    enum gc_access access, bool intr, long timeout)
{
	long ret;

	memset(acc, 0, sizeof(*acc));
	if (!bo || access > GC_ACCESS_WRITE)
		return -EINVAL;
	if (access == GC_ACCESS_WRITE) {
		ret = gc_bo_cpu_fence(acc, bo, intr, timeout);
		if (ret)
			return ret;
	} else {
		ret = gc_bo_wait_idle(bo, access, intr, timeout);
		if (ret <= 0)
			return ret ? ret : -ETIMEDOUT;
	}
	acc->access = access;
	acc->ref = gc_bo_get(bo);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_cpu_begin, GPUCORE_NS);

/**
 * gc_bo_cpu_end() - close CPU access to a BO
 * @acc: the access; empty on return. Does nothing if already closed.
 *
 * Context: process context.
 */
void gc_bo_cpu_end(struct gc_bo_cpu_access *acc)
{
	if (acc->cpu_done.ptr)
		gc_fence_signal(&acc->cpu_done);
	gc_bo_put(&acc->ref);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_cpu_end, GPUCORE_NS);

/**
 * gc_bo_vmap() - map a BO into the kernel's address space
 * @vmap: the mapping; holds its own BO reference until gc_bo_vunmap()
 * @bo: the BO
 *
 * The mapping keeps the BO alive by itself: every other reference and
 * handle may go first.
 *
 * Context: process context; may sleep.
 * Return: 0; -EOPNOTSUPP if the BO cannot be mapped; the backing storage's
 * error. On failure @vmap holds nothing.
 */
int gc_bo_vmap(struct gc_bo_vmap *vmap, struct gc_bo *bo)
{
	int ret;

	memset(vmap, 0, sizeof(*vmap));
	if (!bo)
		return -EINVAL;
	if (!bo->gem->funcs->vmap)
		return -EOPNOTSUPP;
	ret = gc_compat_gem_vmap(bo->gem, &vmap->map);
	if (ret)
		return ret;
	if (iosys_map_is_null(&vmap->map))
		return -ENOMEM;
	vmap->ref = gc_bo_get(bo);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_vmap, GPUCORE_NS);

/**
 * gc_bo_vunmap() - unmap a kernel mapping of a BO
 * @vmap: the mapping; empty on return. Does nothing if already unmapped.
 *
 * Context: process context; may sleep.
 */
void gc_bo_vunmap(struct gc_bo_vmap *vmap)
{
	struct gc_bo *bo = gc_bo_borrow(&vmap->ref);

	if (!bo) {	/* empty, or stale and reported */
		iosys_map_clear(&vmap->map);
		vmap->ref.ptr = NULL;
		return;
	}
	gc_compat_gem_vunmap(bo->gem, &vmap->map);
	iosys_map_clear(&vmap->map);
	gc_bo_put(&vmap->ref);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_vunmap, GPUCORE_NS);

/**
 * gc_bo_pin() - keep a BO's backing storage resident
 * @pin: the pin; holds its own BO reference until gc_bo_unpin()
 * @bo: the BO
 *
 * BOs whose GEM object has no pin operation are always resident.
 *
 * Context: process context; may sleep.
 * Return: 0, or the backing storage's error; on failure @pin holds nothing.
 */
int gc_bo_pin(struct gc_bo_pin *pin, struct gc_bo *bo)
{
	int ret = 0;

	memset(pin, 0, sizeof(*pin));
	if (!bo)
		return -EINVAL;
	if (bo->gem->funcs->pin)
		ret = gc_compat_gem_pin(bo->gem);
	if (ret)
		return ret;
	pin->ref = gc_bo_get(bo);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(gc_bo_pin, GPUCORE_NS);

/**
 * gc_bo_unpin() - release a pin
 * @pin: the pin; empty on return. Does nothing if already released.
 *
 * Context: process context; may sleep.
 */
void gc_bo_unpin(struct gc_bo_pin *pin)
{
	struct gc_bo *bo = gc_bo_borrow(&pin->ref);

	if (!bo) {	/* empty, or stale and reported */
		pin->ref.ptr = NULL;
		return;
	}
	if (bo->gem->funcs->unpin)
		gc_compat_gem_unpin(bo->gem);
	gc_bo_put(&pin->ref);
}
EXPORT_SYMBOL_NS_GPL(gc_bo_unpin, GPUCORE_NS);
