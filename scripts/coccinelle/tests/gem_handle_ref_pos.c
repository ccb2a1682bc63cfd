// SPDX-License-Identifier: GPL-2.0-only
/*
 * Positive cases for gem_handle_ref.cocci: every line marked "expect" must
 * be reported, and no other. The code is never built.
 */

#include <drm/drm_gem.h>

struct demo_bo {
	struct drm_gem_object base;
	u64 offset;
};

/* The object comes back with the handle as its only owner. */
static struct demo_bo *demo_create_with_handle(struct drm_file *file,
					       struct drm_device *dev,
					       size_t size, u32 *handle)
{
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, size);
	if (IS_ERR(bo))
		return bo;

	ret = drm_gem_handle_create(file, &bo->base, handle);
	drm_gem_object_put(&bo->base);
	if (ret)
		return ERR_PTR(ret);

	return bo; /* expect: gem_handle_ref */
}

/* Its caller maps the object user space may have closed meanwhile. */
int demo_ioctl_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;

	bo = demo_create_with_handle(file, dev, args->size, &args->handle);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	return demo_map(bo, file); /* expect: gem_handle_ref */
}

/* The size is read after the reference went to the handle. */
int demo_ioctl_create_size(struct drm_device *dev, void *data,
			   struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_put(&bo->base);
	if (ret)
		return ret;

	args->offset = bo->offset; /* expect: gem_handle_ref */
	return 0;
}

/* The same through the GEM pointer taken from the driver object. */
static struct demo_bo *demo_create_alias(struct drm_file *file,
					 struct drm_device *dev, size_t size,
					 u32 *handle)
{
	struct drm_gem_object *gem;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, size);
	if (IS_ERR(bo))
		return bo;
	gem = &bo->base;

	ret = drm_gem_handle_create(file, gem, handle);
	drm_gem_object_put(gem);
	if (ret)
		return ERR_PTR(ret);

	return bo; /* expect: gem_handle_ref */
}

/* A handle for an object whose last kernel reference is already gone. */
int demo_ioctl_late(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	drm_gem_object_put(&bo->base);

	return drm_gem_handle_create(file, &bo->base, &args->handle); /* expect: gem_handle_ref */
}

int demo_unused(struct drm_file *file, struct drm_device *dev, u32 *handle)
{
	return PTR_ERR_OR_ZERO(demo_create_alias(file, dev, 4096, handle));
}
