/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_BO_H_
#define _GPUCORE_BO_H_

#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <drm/drm_gem.h>

#include <gpucore/cleanup.h>
#include <gpucore/fence.h>
#include <gpucore/track.h>

struct drm_file;

/**
 * DOC: buffer objects
 *
 * A &struct gc_bo is gpucore's state attached to a driver's own
 * &struct drm_gem_object: the driver keeps its BO struct, GEM, PRIME and
 * mmap keep working, and every reference the driver holds is an owned,
 * tracked handle.
 *
 * - Creation returns a &struct gc_bo_unique: the only reference, so setup
 *   (gc_bo_set_label()) is allowed. gc_bo_share() turns it into a
 *   &struct gc_bo_ref; setup on a shared BO is refused and reported.
 * - gc_bo_publish() creates the GEM handle only after the kernel's own
 *   reference is secured, so user space closing the handle at once cannot
 *   free the BO under the kernel.
 * - A constructor that fails returns an error handle that owns nothing.
 * - The BO's &dma_resv says when the GPU is busy with it: jobs add their
 *   fences with gc_bo_add_fence(); gc_bo_cpu_begin() waits for the GPU
 *   before the CPU touches the BO, and while CPU write access is open, new
 *   GPU work that waits on the BO's fences waits for gc_bo_cpu_end().
 * - Kernel CPU mappings (gc_bo_vmap()) and pins (gc_bo_pin()) hold their
 *   own reference: they keep the BO alive after every handle is gone.
 *
 * Nothing here assumes shmem: the backing storage is reached through the
 * GEM object's &drm_gem_object_funcs (pin, vmap, get_sg_table), so a TTM or
 * VRAM driver attaches with gc_bo_attach(). gc_shmem_bo_create() is the
 * helper for unified-memory drivers.
 */

/**
 * enum gc_access - how the GPU or the CPU uses a buffer
 * @GC_ACCESS_READ: reads only; waits for writers
 * @GC_ACCESS_WRITE: reads and writes; waits for readers and writers
 */
enum gc_access {
	GC_ACCESS_READ,
	GC_ACCESS_WRITE,
};

/**
 * struct gc_bo - gpucore state embedded in a driver's buffer object
 * @gem: the GEM object this state is attached to
 * @magic: a constant while attached, poisoned when released
 * @dir_id: tracking scope of references to the BO
 * @shared: setup is closed: the BO may have more than one owner
 * @nr_vm_mappings: GPU VM mappings that reference the BO
 * @label: a name for debugging, set while the BO is unique
 */
struct gc_bo {
	struct drm_gem_object *gem;
	u32 magic;
	u32 dir_id;
	bool shared;
	atomic_t nr_vm_mappings;
	char label[32];
};

/**
 * struct gc_bo_unique - the only reference to a BO still being set up
 * @ptr: the BO; NULL once shared or dropped; an ERR_PTR() after a failed
 *	constructor
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 */
struct gc_bo_unique {
	struct gc_bo *ptr;
	struct gc_track_slot track;
};

/**
 * struct gc_bo_ref - an owned reference to a BO
 * @ptr: the BO; NULL for an empty handle, an ERR_PTR() after a failed
 *	constructor. Read it with gc_bo_borrow().
 * @track: owner tracking; empty without CONFIG_DRM_GPUCORE_DEBUG
 */
struct gc_bo_ref {
	struct gc_bo *ptr;
	struct gc_track_slot track;
};

/**
 * struct gc_bo_vmap - a kernel CPU mapping of a BO
 * @ref: the mapping's own reference to the BO
 * @map: the mapping; valid between gc_bo_vmap() and gc_bo_vunmap()
 */
struct gc_bo_vmap {
	struct gc_bo_ref ref;
	struct iosys_map map;
};

/**
 * struct gc_bo_pin - a pin of a BO's backing storage
 * @ref: the pin's own reference to the BO
 */
struct gc_bo_pin {
	struct gc_bo_ref ref;
};

/**
 * struct gc_bo_cpu_access - an open CPU access to a BO
 * @ref: the access's own reference to the BO
 * @access: read or write
 * @cpu_done: for write access, the signaller of the fence that GPU work
 *	queued meanwhile waits for
 */
struct gc_bo_cpu_access {
	struct gc_bo_ref ref;
	enum gc_access access;
	struct gc_fence_signaller cpu_done;
};

struct gc_bo_unique gc_bo_attach(struct gc_bo *bo, struct drm_gem_object *gem,
				 struct gc_track_dir *dir);
int gc_bo_set_label(struct gc_bo_unique *unique, const char *label);
struct gc_bo *gc_bo_unique_borrow(const struct gc_bo_unique *unique);
struct gc_bo_ref gc_bo_share(struct gc_bo_unique *unique);
void gc_bo_unique_drop(struct gc_bo_unique *unique);
void gc_bo_release(struct gc_bo *bo);
struct gc_bo_ref gc_bo_publish(struct gc_bo_unique *unique, struct drm_file *file,
			       u32 *handle);

struct gc_bo_ref gc_bo_lookup(struct drm_file *file, u32 handle,
			      struct gc_bo *(*to_bo)(struct drm_gem_object *gem));

/*
 * The handle operations below are inline: without CONFIG_DRM_GPUCORE_DEBUG
 * each is the GEM refcount operation and nothing else; with it, each calls
 * its checked, tracked form in bo.c.
 */
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
struct gc_bo_ref __gc_bo_get(struct gc_bo *bo);
struct gc_bo_ref __gc_bo_adopt(struct gc_bo *bo);
void __gc_bo_put(struct gc_bo_ref *ref);
struct gc_bo *__gc_bo_borrow(const struct gc_bo_ref *ref);
#endif

/**
 * gc_bo_adopt() - take over a GEM reference the caller already holds
 * @bo: a BO whose GEM object the caller holds a reference to, for example
 *	from drm_gem_object_lookup(); NULL gives an empty handle
 *
 * With CONFIG_DRM_GPUCORE_DEBUG a pointer that is not a BO gpucore is
 * attached to is reported and gives an empty handle; the caller then still
 * owns its reference.
 *
 * Context: any.
 * Return: an owned reference.
 */
static inline struct gc_bo_ref gc_bo_adopt(struct gc_bo *bo)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_bo_adopt(bo);
#else
	return (struct gc_bo_ref){ .ptr = __gc_no_ptr(bo) ? NULL : bo };
#endif
}

/**
 * gc_bo_get() - take a new owned reference to a BO
 * @bo: the BO, borrowed from a live handle; NULL gives an empty handle
 *
 * With CONFIG_DRM_GPUCORE_DEBUG a pointer that is not a BO gpucore is
 * attached to is reported and gives an empty handle, taking no reference.
 *
 * Context: any.
 * Return: an owned reference.
 */
static inline struct gc_bo_ref gc_bo_get(struct gc_bo *bo)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_bo_get(bo);
#else
	if (__gc_no_ptr(bo))
		return (struct gc_bo_ref){};
	drm_gem_object_get(bo->gem);
	return (struct gc_bo_ref){ .ptr = bo };
#endif
}

/**
 * gc_bo_put() - release an owned BO reference
 * @ref: the handle; empty on return
 *
 * Does nothing for an empty or error handle. With CONFIG_DRM_GPUCORE_DEBUG a
 * reference already put through a copy of the handle is reported and the
 * BO is left alone.
 *
 * Context: process context: the last put frees the BO.
 */
static inline void gc_bo_put(struct gc_bo_ref *ref)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	__gc_bo_put(ref);
#else
	struct gc_bo *bo = ref->ptr;

	ref->ptr = NULL;
	if (!__gc_no_ptr(bo))
		drm_gem_object_put(bo->gem);
#endif
}

/**
 * gc_bo_borrow() - the BO behind an owned reference
 * @ref: the handle
 *
 * The pointer is valid while @ref is held. With CONFIG_DRM_GPUCORE_DEBUG a
 * handle whose reference was put through a copy, or whose BO is no longer
 * attached, is reported and yields NULL.
 *
 * Context: any.
 * Return: the BO, or NULL for an empty or stale handle.
 */
static inline struct gc_bo *gc_bo_borrow(const struct gc_bo_ref *ref)
{
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	return __gc_bo_borrow(ref);
#else
	return __gc_no_ptr(ref->ptr) ? NULL : ref->ptr;
#endif
}

int gc_bo_add_fence(struct gc_bo *bo, struct dma_fence *fence, enum gc_access access);
long gc_bo_wait_idle(struct gc_bo *bo, enum gc_access access, bool intr, long timeout);
int gc_bo_cpu_begin(struct gc_bo_cpu_access *acc, struct gc_bo *bo,
		    enum gc_access access, bool intr, long timeout);
void gc_bo_cpu_end(struct gc_bo_cpu_access *acc);

int gc_bo_vmap(struct gc_bo_vmap *vmap, struct gc_bo *bo);
void gc_bo_vunmap(struct gc_bo_vmap *vmap);
int gc_bo_pin(struct gc_bo_pin *pin, struct gc_bo *bo);
void gc_bo_unpin(struct gc_bo_pin *pin);

/**
 * gc_bo_size() - size of a BO in bytes
 * @bo: the BO
 *
 * Return: the GEM object's size.
 */
static inline size_t gc_bo_size(const struct gc_bo *bo)
{
	return bo->gem->size;
}

DEFINE_FREE(gc_bo_put, struct gc_bo_ref, gc_bo_put(&_T))
DEFINE_FREE(gc_bo_unique_drop, struct gc_bo_unique, gc_bo_unique_drop(&_T))
DEFINE_FREE(gc_bo_vunmap, struct gc_bo_vmap, gc_bo_vunmap(&_T))
DEFINE_FREE(gc_bo_unpin, struct gc_bo_pin, gc_bo_unpin(&_T))
DEFINE_FREE(gc_bo_cpu_end, struct gc_bo_cpu_access, gc_bo_cpu_end(&_T))

#endif /* _GPUCORE_BO_H_ */
