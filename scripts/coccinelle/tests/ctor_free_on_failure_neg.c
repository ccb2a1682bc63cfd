// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative cases for ctor_free_on_failure.cocci: nothing here may be
 * reported. The code is never built.
 */

#include <drm/ttm/ttm_bo_api.h>

struct demo_bo {
	struct ttm_buffer_object tbo;
	struct kref refcount;
	u32 domain;
};

static void demo_bo_destroy(struct ttm_buffer_object *tbo)
{
	kfree(container_of(tbo, struct demo_bo, tbo));
}

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

/* The caller leaves the object alone when the constructor failed. */
int demo_gem_new(struct ttm_device *bdev, size_t size, struct demo_bo **pbo)
{
	struct demo_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;

	ret = demo_bo_init(bo, bdev, size);
	if (ret)
		return ret;
	bo->domain = 2;
	*pbo = bo;
	return 0;
}

/* The error branch forgets the pointer before the shared label. */
int demo_gem_label(struct ttm_device *bdev, size_t size)
{
	struct demo_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return -ENOMEM;

	ret = demo_bo_init(bo, bdev, size);
	if (ret) {
		bo = NULL;
		goto err;
	}
	ret = demo_bind(bo);
	if (ret)
		goto err;
	return 0;
err:
	kfree(bo);
	return ret;
}

static void demo_release(struct kref *kref)
{
	kfree(container_of(kref, struct demo_bo, refcount));
}

/* Drops a reference it took itself: the caller's object survives. */
int demo_bo_validate(struct demo_bo *bo)
{
	int ret;

	kref_get(&bo->refcount);
	ret = demo_hw_validate(bo);
	kref_put(&bo->refcount, demo_release);
	return ret;
}

/* Frees on every path: a destructor that reports an error, not a constructor. */
int demo_bo_retire(struct demo_bo *bo)
{
	int ret = demo_hw_idle(bo);

	kfree(bo);
	return ret;
}

/* Callers of functions that do not free on failure may clean up. */
int demo_caller(struct demo_bo *bo)
{
	int ret;

	ret = demo_bo_validate(bo);
	if (ret) {
		pr_err("validate of %p failed\n", bo);
		return ret;
	}
	ret = demo_bo_retire(bo);
	if (ret)
		pr_err("retire of %p timed out\n", bo);
	return ret;
}

/* A failed allocation clears the caller's pointer: it is NULL, not freed. */
int demo_bo_create_reserved(size_t size, struct demo_bo **bo_ptr)
{
	int ret;

	*bo_ptr = demo_bo_alloc(size);
	ret = demo_bo_pin(*bo_ptr);
	if (ret)
		demo_bo_unref(bo_ptr);
	return ret;
}

int demo_reserved_caller(size_t size)
{
	struct demo_bo *bo = NULL;
	int ret;

	ret = demo_bo_create_reserved(size, &bo);
	if (ret) {
		demo_bo_unref(&bo);
		return ret;
	}
	return 0;
}
