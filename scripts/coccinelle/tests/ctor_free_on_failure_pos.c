// SPDX-License-Identifier: GPL-2.0-only
/*
 * Positive cases for ctor_free_on_failure.cocci: every line marked "expect"
 * must be reported, and no other. The code is never built.
 */

#include <drm/ttm/ttm_bo_api.h>

struct demo_bo {
	struct ttm_buffer_object tbo;
	u32 domain;
};

static void demo_bo_destroy(struct ttm_buffer_object *tbo)
{
	kfree(container_of(tbo, struct demo_bo, tbo));
}

/* TTM calls demo_bo_destroy() when this fails: so does this wrapper. */
int demo_bo_init(struct demo_bo *bo, struct ttm_device *bdev, size_t size)
{
	int ret;

	ret = ttm_bo_init_validate(bdev, &bo->tbo, ttm_bo_type_device, NULL, 0,
				   false, NULL, NULL, demo_bo_destroy);
	if (ret)
		return ret;
	bo->domain = 1;
	return 0;
}

/* A wrapper around the wrapper, with an out-parameter. */
int demo_bo_new(struct ttm_device *bdev, size_t size, struct demo_bo **out)
{
	int ret;

	*out = kzalloc(sizeof(**out), GFP_KERNEL);
	if (!*out)
		return -ENOMEM;
	ret = demo_bo_init(*out, bdev, size);
	return ret;
}

/* The error branch releases what the constructor already freed. */
int demo_gem_new(struct ttm_device *bdev, size_t size, struct demo_bo **pbo)
{
	struct demo_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;

	ret = demo_bo_init(bo, bdev, size);
	if (ret) {
		drm_gem_object_release(&bo->tbo.base); /* expect: ctor_free_on_failure */
		kfree(bo); /* expect: ctor_free_on_failure */
		return ret;
	}
	*pbo = bo;
	return 0;
}

/* The same through a label. */
struct drm_gem_object *demo_prime_import(struct ttm_device *bdev, size_t size)
{
	struct drm_gem_object *obj;
	struct demo_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	ret = demo_bo_init(bo, bdev, size);
	if (ret)
		goto err;
	return &bo->tbo.base;

err:
	obj = ERR_PTR(ret);
	ttm_bo_put(&bo->tbo); /* expect: ctor_free_on_failure */
	return obj;
}

/* TTM's own constructor, called directly, in the condition. */
int demo_direct(struct ttm_device *bdev, struct demo_bo *bo)
{
	if (ttm_bo_init_validate(bdev, &bo->tbo, ttm_bo_type_device, NULL, 0,
				 false, NULL, NULL, demo_bo_destroy)) {
		pr_err("init of %p failed\n", bo); /* expect: ctor_free_on_failure */
		return -ENOMEM;
	}
	return 0;
}

/* Frees its argument itself when the hardware refuses it. */
int demo_bo_define(struct demo_bo *bo)
{
	int ret;

	ret = demo_hw_define(bo);
	if (ret) {
		kfree(bo);
		return ret;
	}
	bo->domain = 2;
	return 0;
}

int demo_bo_define_ioctl(struct ttm_device *bdev, struct demo_args *args)
{
	struct demo_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;
	ret = demo_bo_define(bo);
	if (ret < 0) {
		kfree(bo); /* expect: ctor_free_on_failure */
		return ret;
	}
	args->domain = bo->domain;
	return 0;
}

/* The out-parameter's object is put before the result is looked at. */
int demo_dumb_create(struct ttm_device *bdev, size_t size)
{
	struct demo_bo *bo;
	int ret;

	ret = demo_bo_new(bdev, size, &bo);
	ttm_bo_put(&bo->tbo); /* expect: ctor_free_on_failure */
	return ret;
}
