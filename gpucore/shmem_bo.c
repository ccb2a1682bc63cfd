// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* shmem-backed gpucore BOs, for unified-memory GPUs. */

#include <linux/module.h>
#include <linux/slab.h>

#include <gpucore/compat.h>
#include <gpucore/shmem.h>

static void gc_shmem_bo_free(struct drm_gem_object *obj)
{
	struct gc_shmem_bo *bo = container_of(obj, struct gc_shmem_bo, shmem.base);

	gc_bo_release(&bo->gc);
	drm_gem_shmem_free(&bo->shmem);
}

/* The shmem helper's operations, with gpucore's free. */
static const struct drm_gem_object_funcs gc_shmem_funcs = {
	.free = gc_shmem_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * gc_shmem_bo_prepare() - make a newly allocated BO a gpucore shmem BO
 * @bo: the BO, zeroed, allocated by the driver's gem_create_object
 *
 * Context: any.
 */
void gc_shmem_bo_prepare(struct gc_shmem_bo *bo)
{
	bo->shmem.base.funcs = &gc_shmem_funcs;
}
EXPORT_SYMBOL_NS_GPL(gc_shmem_bo_prepare, GPUCORE_NS);

/**
 * gc_shmem_bo_from_gem() - the gpucore state of a shmem BO's GEM object
 * @gem: any GEM object
 *
 * The conversion gc_bo_lookup() takes for drivers whose BOs are
 * &struct gc_shmem_bo: only objects prepared by gc_shmem_bo_prepare() are
 * known, so a bare shmem object (or another driver's) is never misread.
 *
 * Context: any.
 * Return: the &struct gc_bo embedded in @gem's BO, attached or not; NULL
 * if @gem is not a &struct gc_shmem_bo.
 */
struct gc_bo *gc_shmem_bo_from_gem(struct drm_gem_object *gem)
{
	if (gem->funcs != &gc_shmem_funcs)
		return NULL;
	return &container_of(gem, struct gc_shmem_bo, shmem.base)->gc;
}
EXPORT_SYMBOL_NS_GPL(gc_shmem_bo_from_gem, GPUCORE_NS);

/**
 * gc_shmem_gem_create_object() - &drm_driver.gem_create_object for drivers
 * whose BOs are plain &struct gc_shmem_bo
 * @dev: the DRM device
 * @size: the BO size
 *
 * Context: process context; may sleep.
 * Return: the new GEM object, or ERR_PTR(-ENOMEM).
 */
struct drm_gem_object *gc_shmem_gem_create_object(struct drm_device *dev, size_t size)
{
	struct gc_shmem_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	gc_shmem_bo_prepare(bo);
	return &bo->shmem.base;
}
EXPORT_SYMBOL_NS_GPL(gc_shmem_gem_create_object, GPUCORE_NS);

/**
 * gc_shmem_bo_create() - create a shmem BO
 * @dev: the DRM device; its driver's gem_create_object must allocate
 *	&struct gc_shmem_bo (see gc_shmem_gem_create_object())
 * @size: size in bytes, rounded up to pages
 * @dir: tracking scope for references to the BO, or NULL
 *
 * Context: process context; may sleep.
 * Return: the unique handle. On failure an error handle that owns nothing:
 * -EINVAL for a zero size or a driver that does not allocate gpucore BOs,
 * -ENOMEM, or the shmem helper's error.
 */
struct gc_bo_unique gc_shmem_bo_create(struct drm_device *dev, size_t size,
				       struct gc_track_dir *dir)
{
	struct drm_gem_shmem_object *shmem;
	struct gc_shmem_bo *bo;

	if (!dev || !size)
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-EINVAL) };
	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return (struct gc_bo_unique){ .ptr = ERR_CAST(shmem) };
	if (shmem->base.funcs != &gc_shmem_funcs) {
		/* Not ours to extend: the driver allocated a bare shmem object. */
		drm_gem_object_put(&shmem->base);
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-EINVAL) };
	}
	bo = container_of(shmem, struct gc_shmem_bo, shmem);
	return gc_bo_attach(&bo->gc, &shmem->base, dir);
}
EXPORT_SYMBOL_NS_GPL(gc_shmem_bo_create, GPUCORE_NS);
