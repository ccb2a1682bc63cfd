/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_SHMEM_H_
#define _GPUCORE_SHMEM_H_

#include <drm/drm_gem_shmem_helper.h>

#include <gpucore/bo.h>

/**
 * DOC: shmem buffer objects
 *
 * For unified-memory GPUs: a &struct gc_shmem_bo is a GEM shmem object with
 * gpucore attached. A driver with a larger BO struct embeds it first and
 * allocates it from its &drm_driver.gem_create_object, calling
 * gc_shmem_bo_prepare(); a driver with no BO fields of its own points
 * gem_create_object at gc_shmem_gem_create_object().
 */

/**
 * struct gc_shmem_bo - a shmem GEM object with gpucore attached
 * @shmem: the GEM shmem object; must stay the first member
 * @gc: gpucore's state
 */
struct gc_shmem_bo {
	struct drm_gem_shmem_object shmem;
	struct gc_bo gc;
};

struct drm_gem_object *gc_shmem_gem_create_object(struct drm_device *dev, size_t size);
void gc_shmem_bo_prepare(struct gc_shmem_bo *bo);
struct gc_bo *gc_shmem_bo_from_gem(struct drm_gem_object *gem);
struct gc_bo_unique gc_shmem_bo_create(struct drm_device *dev, size_t size,
				       struct gc_track_dir *dir);

/**
 * to_gc_shmem_bo() - the shmem BO a gpucore BO belongs to
 * @bo: a BO created by gc_shmem_bo_create()
 *
 * Return: the containing &struct gc_shmem_bo.
 */
static inline struct gc_shmem_bo *to_gc_shmem_bo(struct gc_bo *bo)
{
	return container_of(bo, struct gc_shmem_bo, gc);
}

#endif /* _GPUCORE_SHMEM_H_ */
