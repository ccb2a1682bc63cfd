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

struct gc_bo_ref gc_bo_get(struct gc_bo *bo);
struct gc_bo_ref gc_bo_adopt(struct gc_bo *bo);
struct gc_bo_ref gc_bo_lookup(struct drm_file *file, u32 handle,
			      struct gc_bo *(*to_bo)(struct drm_gem_object *gem));
void gc_bo_put(struct gc_bo_ref *ref);
struct gc_bo *gc_bo_borrow(const struct gc_bo_ref *ref);

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
