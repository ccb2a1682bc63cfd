// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative cases for gem_handle_ref.cocci: nothing here may be reported.
 * The code is never built.
 */

#include <drm/drm_gem.h>

struct demo_bo {
	struct drm_gem_object base;
	u64 offset;
};

/* The kernel uses its own reference and puts it last. */
int demo_ioctl_create(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	if (ret)
		goto out;

	ret = demo_map(bo, file);
	args->offset = bo->offset;
out:
	drm_gem_object_put(&bo->base);
	return ret;
}

/* Put right after the handle and nothing touches the object again. */
int demo_dumb_create(struct drm_file *file, struct drm_device *dev,
		     struct drm_mode_create_dumb *args)
{
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_put(&bo->base);
	return ret;
}

/* A failed handle leaves the object to this function, which frees it. */
struct demo_bo *demo_create_checked(struct drm_file *file,
				    struct drm_device *dev, size_t size,
				    u32 *handle)
{
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, size);
	if (IS_ERR(bo))
		return bo;

	ret = drm_gem_handle_create(file, &bo->base, handle);
	if (ret) {
		demo_bo_free(bo);
		return ERR_PTR(ret);
	}
	return bo;
}

/* A reference of its own is taken before the creator's goes. */
int demo_ioctl_own_ref(struct drm_device *dev, void *data,
		       struct drm_file *file)
{
	struct demo_args *args = data;
	struct demo_bo *bo;
	int ret;

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);

	ret = drm_gem_handle_create(file, &bo->base, &args->handle);
	drm_gem_object_get(&bo->base);
	drm_gem_object_put(&bo->base);
	if (!ret)
		args->offset = bo->offset;
	drm_gem_object_put(&bo->base);
	return ret;
}

/* The variable gets a new object before it is used again. */
int demo_ioctl_two(struct drm_device *dev, void *data, struct drm_file *file)
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

	bo = demo_bo_create(dev, args->size);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	args->offset = bo->offset;
	drm_gem_object_put(&bo->base);
	return 0;
}
