// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Buffer objects on a mock DRM device: unique setup, handle publication,
 * references, busy tracking, CPU access, mappings and pins, and catalogue
 * entries 2 (handle published before the kernel's reference), 4 (object
 * used after a failed constructor) and 5 (a CPU mapping keeps the object
 * alive after the handle is closed).
 */

#include <linux/iosys-map.h>
#include <drm/drm_gem.h>

#include <gpucore/compat.h>
#include <gpucore/bo.h>
#include <gpucore/fence_set.h>
#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_drm.h"

static struct gc_bo_ref test_bo(struct kunit *test, struct gc_mock_device *mdev, size_t size)
{
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, size, &mdev->refs);

	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	return gc_bo_share(&u);
}

static void bo_unique_setup_then_share(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_ref ref;
	struct gc_bo *bo;

	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	KUNIT_EXPECT_EQ(test, gc_bo_set_label(&u, "cmdbuf"), 0);
	ref = gc_bo_share(&u);
	KUNIT_EXPECT_NULL(test, u.ptr);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	KUNIT_EXPECT_STREQ(test, bo->label, "cmdbuf");
	KUNIT_EXPECT_TRUE(test, bo->shared);
	KUNIT_EXPECT_EQ(test, gc_bo_size(bo), (size_t)4096);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	/* Setup through the emptied unique handle does nothing. */
	KUNIT_EXPECT_EQ(test, gc_bo_set_label(&u, "late"), -EINVAL);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

static void bo_setup_after_share_refused(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_unique stale = u;	/* the bug: a copy kept past sharing */
	struct gc_bo_ref ref = gc_bo_share(&u);

	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)) {
		KUNIT_EXPECT_EQ(test, gc_bo_set_label(&stale, "late"), -EINVAL);
		KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 1u);
	} else {
		KUNIT_EXPECT_EQ(test, gc_bo_set_label(&stale, "late"), -EBUSY);
		KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_NOT_UNIQUE), 1u);
	}
	KUNIT_EXPECT_STREQ(test, gc_bo_borrow(&ref)->label, "");
	gc_bo_put(&ref);
}

/* Catalogue 4: a failed constructor leaves nothing to use or put. */
static void bo_catalogue_4_failed_constructor(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 0, &mdev->refs);
	struct gc_bo_ref ref;

	KUNIT_EXPECT_TRUE(test, gc_is_err(u));
	KUNIT_EXPECT_EQ(test, gc_err(u), -EINVAL);
	KUNIT_EXPECT_NULL(test, gc_bo_unique_borrow(&u));
	KUNIT_EXPECT_EQ(test, gc_bo_set_label(&u, "x"), -EINVAL);
	ref = gc_bo_share(&u);	/* the error travels; nothing is owned */
	KUNIT_EXPECT_TRUE(test, gc_is_err(ref));
	KUNIT_EXPECT_NULL(test, gc_bo_borrow(&ref));
	gc_bo_put(&ref);
	gc_bo_unique_drop(&u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

static void bo_create_needs_gpucore_driver(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, false);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);

	/* The bare shmem object was freed, not misused as a bigger struct. */
	KUNIT_EXPECT_TRUE(test, gc_is_err(u));
	KUNIT_EXPECT_EQ(test, gc_err(u), -EINVAL);
	gc_expect_no_reports(test);
}

static void bo_unique_drop_frees(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);

	{
		struct gc_bo_unique u __free(gc_bo_unique_drop) =
			gc_shmem_bo_create(&mdev->drm, 8192, &mdev->refs);

		KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 1u);
	}
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

/*
 * Catalogue 2: user space closes the handle the moment it exists; the
 * kernel's reference, secured first, keeps the BO usable.
 */
static void bo_catalogue_2_publish_then_close(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_vmap map;
	struct gc_bo_ref ref;
	u32 handle = 0;

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	KUNIT_EXPECT_NE(test, handle, 0u);
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	/* Still ours: map it and write to it (KASAN watches). */
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), 0);
	iosys_map_memset(&map.map, 0, 0xa5, 4096);
	gc_bo_vunmap(&map);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 1u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static void bo_adopt_lookup(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_ref ref, found;
	struct drm_gem_object *gem;
	u32 handle;

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	gem = drm_gem_object_lookup(file, handle);
	KUNIT_ASSERT_NOT_NULL(test, gem);
	found = gc_bo_adopt(&container_of(gem, struct gc_shmem_bo, shmem.base)->gc);
	KUNIT_EXPECT_PTR_EQ(test, gc_bo_borrow(&found), gc_bo_borrow(&ref));
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 3u);	/* ours, the handle's, found */
	gc_bo_put(&found);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 2u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/* gc_bo_lookup(): a handle of a gpucore BO gives an owned reference. */
static void bo_lookup_owned(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_ref ref, found;
	u32 handle;

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	found = gc_bo_lookup(file, handle, gc_shmem_bo_from_gem);
	KUNIT_ASSERT_FALSE(test, gc_is_err(found));
	KUNIT_EXPECT_PTR_EQ(test, gc_bo_borrow(&found), gc_bo_borrow(&ref));
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 3u);
	gc_bo_put(&found);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 2u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/* No such handle, never created or closed: -ENOENT, nothing reported. */
static void bo_lookup_unknown_handle(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 4096, &mdev->refs);
	struct gc_bo_ref ref, found;
	u32 handle;

	found = gc_bo_lookup(file, 0xdead, gc_shmem_bo_from_gem);
	KUNIT_EXPECT_TRUE(test, gc_is_err(found));
	KUNIT_EXPECT_EQ(test, gc_err(found), -ENOENT);
	gc_bo_put(&found);	/* an error handle owns nothing */

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	found = gc_bo_lookup(file, handle, gc_shmem_bo_from_gem);
	KUNIT_EXPECT_EQ(test, gc_err(found), -ENOENT);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 1u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/*
 * A GEM object that is not a gpucore BO is -EINVAL, not reported (user
 * space chose the handle), and the lookup's reference is dropped. Here a
 * bare shmem object, which the conversion does not know.
 */
static void bo_lookup_foreign_object(struct kunit *test)
{
	struct gc_mock_device *bare = gc_mock_device(test, false);
	struct drm_file *file = gc_mock_file(test, bare);
	struct drm_gem_shmem_object *foreign;
	struct gc_bo_ref found;
	u32 handle;

	foreign = drm_gem_shmem_create(&bare->drm, 4096);
	KUNIT_ASSERT_FALSE(test, IS_ERR(foreign));
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &foreign->base, &handle), 0);
	KUNIT_EXPECT_NULL(test, gc_shmem_bo_from_gem(&foreign->base));
	found = gc_bo_lookup(file, handle, gc_shmem_bo_from_gem);
	KUNIT_EXPECT_EQ(test, gc_err(found), -EINVAL);
	KUNIT_EXPECT_EQ(test, kref_read(&foreign->base.refcount), 2u);
	drm_gem_object_put(&foreign->base);
	gc_expect_no_reports(test);
}

/* The same for a gpucore shmem object that gpucore was never attached to. */
static void bo_lookup_unattached_object(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct drm_gem_shmem_object *unattached;
	struct gc_bo_ref found;
	u32 handle;

	unattached = drm_gem_shmem_create(&mdev->drm, 4096);
	KUNIT_ASSERT_FALSE(test, IS_ERR(unattached));
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &unattached->base, &handle), 0);
	KUNIT_ASSERT_NOT_NULL(test, gc_shmem_bo_from_gem(&unattached->base));
	found = gc_bo_lookup(file, handle, gc_shmem_bo_from_gem);
	KUNIT_EXPECT_EQ(test, gc_err(found), -EINVAL);
	KUNIT_EXPECT_EQ(test, kref_read(&unattached->base.refcount), 2u);
	drm_gem_object_put(&unattached->base);
	gc_expect_no_reports(test);
}

static void bo_get_put_and_move(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref a = test_bo(test, mdev, 4096);
	struct gc_bo_ref b = gc_bo_get(gc_bo_borrow(&a));
	struct gc_bo_ref c = gc_move(&b);

	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 2u);
	KUNIT_EXPECT_NULL(test, b.ptr);
	gc_bo_put(&b);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 2u);
	gc_bo_put(&c);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 1u);
	{
		struct gc_bo_ref scoped __free(gc_bo_put) = gc_bo_get(gc_bo_borrow(&a));

		KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 2u);
	}
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 1u);
	gc_bo_put(&a);
	gc_expect_no_reports(test);
}

/*
 * gc_bo_get() of a pointer gpucore is not attached to (here a BO whose
 * magic was overwritten) is reported and takes no GEM reference.
 */
static void bo_get_of_foreign_bo_takes_nothing(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref a = test_bo(test, mdev, 4096);
	struct gc_bo *bo = gc_bo_borrow(&a);
	struct gc_bo_ref b;
	u32 magic = bo->magic;

	bo->magic = 0;
	b = gc_bo_get(bo);
	bo->magic = magic;
	KUNIT_EXPECT_NULL(test, b.ptr);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_BAD_HANDLE), 1u);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	gc_bo_put(&a);
}

static void bo_double_put_through_copy(struct kunit *test)
{
	struct gc_mock_device *mdev;
	struct gc_bo_ref a, extra, copy;

	GC_NEED_TRACKING(test);
	mdev = gc_mock_device(test, true);
	a = test_bo(test, mdev, 4096);
	extra = gc_bo_get(gc_bo_borrow(&a));
	copy = extra;	/* the bug */
	gc_bo_put(&extra);
	gc_bo_put(&copy);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	/* The BO kept the one reference it should have. */
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&a)), 1u);
	KUNIT_EXPECT_NULL(test, gc_bo_borrow(&copy));
	gc_bo_put(&a);
}

static void bo_use_after_put_through_copy(struct kunit *test)
{
	struct gc_mock_device *mdev;
	struct gc_bo_ref a, stale;

	GC_NEED_TRACKING(test);
	mdev = gc_mock_device(test, true);
	a = test_bo(test, mdev, 4096);
	stale = a;
	gc_bo_put(&a);	/* the BO is freed */
	KUNIT_EXPECT_NULL(test, gc_bo_borrow(&stale));
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 1u);
}

static noinline struct gc_bo_ref bo_leaky_holder(struct gc_bo *bo)
{
	return gc_bo_get(bo);
}

static void bo_leak_names_holder(struct kunit *test)
{
	struct gc_track_dir dir;
	struct gc_mock_device *mdev;
	struct gc_bo_unique u;
	struct gc_bo_ref a, leaked;

	GC_NEED_TRACKING(test);
	mdev = gc_mock_device(test, true);
	gc_track_dir_init(&dir, "kunit file");
	u = gc_shmem_bo_create(&mdev->drm, 4096, &dir);
	a = gc_bo_share(&u);
	leaked = bo_leaky_holder(gc_bo_borrow(&a));
	gc_bo_put(&a);
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(&dir), 1u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_LEAK, "bo_leaky_holder"));
	gc_bo_put(&leaked);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 0u);
}

/* Catalogue 5: a CPU mapping keeps the BO alive on its own. */
static void bo_catalogue_5_mapping_outlives_handles(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 2 * PAGE_SIZE, &mdev->refs);
	struct gc_bo_vmap map;
	struct gc_bo_ref ref;
	u32 handle, i;

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), 0);
	drm_gem_handle_delete(file, handle);
	gc_bo_put(&ref);
	/* Only the mapping holds the BO now; its memory must still be there. */
	for (i = 0; i < 2 * PAGE_SIZE / 4; i++)
		iosys_map_wr(&map.map, i * 4, u32, i);
	for (i = 0; i < 2 * PAGE_SIZE / 4; i += 97)
		KUNIT_EXPECT_EQ(test, iosys_map_rd(&map.map, i * 4, u32), i);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&map.ref)), 1u);
	gc_bo_vunmap(&map);
	gc_bo_vunmap(&map);	/* a second unmap is a no-op */
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

static void bo_vmap_scope_cleanup(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_shmem_bo *sbo = to_gc_shmem_bo(gc_bo_borrow(&ref));

	{
		struct gc_bo_vmap map __free(gc_bo_vunmap) = {};

		KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), 0);
		KUNIT_EXPECT_EQ(test, gc_compat_shmem_vmap_use_count(&sbo->shmem), 1u);
	}
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_vmap_use_count(&sbo->shmem), 0u);
	KUNIT_EXPECT_EQ(test, kref_read(&sbo->shmem.base.refcount), 1u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static void bo_pin_holds_pages(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_shmem_bo *sbo = to_gc_shmem_bo(gc_bo_borrow(&ref));
	struct gc_bo_pin pin;

	KUNIT_ASSERT_EQ(test, gc_bo_pin(&pin, gc_bo_borrow(&ref)), 0);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 1u);
	KUNIT_EXPECT_NOT_NULL(test, sbo->shmem.pages);
	gc_bo_put(&ref);
	/* The pin's own reference keeps BO and pages. */
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 1u);
	gc_bo_unpin(&pin);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

/* A fence on its own timeline, for GPU work that uses a BO. */
struct work_fence {
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
	struct gc_fence_ref ref;
};

static void work_fence_init(struct kunit *test, struct work_fence *w)
{
	w->tl = gc_timeline_create("gc-test", "gpu", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->tl));
	w->sig = gc_fence_create(w->tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(w->sig));
	w->ref = gc_fence_signaller_fence(&w->sig);
}

static void work_fence_fini(struct work_fence *w)
{
	if (w->sig.ptr)
		gc_fence_signal(&w->sig);
	gc_fence_put(&w->ref);
	gc_timeline_put(w->tl);
}

static void bo_add(struct kunit *test, struct gc_bo *bo, struct work_fence *w,
		   enum gc_access access)
{
	dma_resv_lock(bo->gem->resv, NULL);
	KUNIT_EXPECT_EQ(test, gc_bo_add_fence(bo, gc_fence_borrow(&w->ref), access), 0);
	dma_resv_unlock(bo->gem->resv);
}

static void bo_wait_idle_for_writer(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_bo *bo = gc_bo_borrow(&ref);
	struct work_fence w;

	work_fence_init(test, &w);
	bo_add(test, bo, &w, GC_ACCESS_WRITE);
	KUNIT_EXPECT_EQ(test, gc_bo_wait_idle(bo, GC_ACCESS_READ, false, 1), 0L);
	KUNIT_EXPECT_EQ(test, gc_bo_wait_idle(bo, GC_ACCESS_WRITE, false, 1), 0L);
	gc_fence_signal(&w.sig);
	KUNIT_EXPECT_GT(test, gc_bo_wait_idle(bo, GC_ACCESS_WRITE, false, HZ), 0L);
	work_fence_fini(&w);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static void bo_readers_share(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_bo *bo = gc_bo_borrow(&ref);
	struct work_fence w;

	work_fence_init(test, &w);
	bo_add(test, bo, &w, GC_ACCESS_READ);
	/* A reader does not wait for a GPU reader; a writer does. */
	KUNIT_EXPECT_GT(test, gc_bo_wait_idle(bo, GC_ACCESS_READ, false, 1), 0L);
	KUNIT_EXPECT_EQ(test, gc_bo_wait_idle(bo, GC_ACCESS_WRITE, false, 1), 0L);
	KUNIT_EXPECT_EQ(test, gc_bo_add_fence(bo, NULL, GC_ACCESS_READ), -EINVAL);
	work_fence_fini(&w);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static void bo_cpu_access_waits_for_gpu(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_bo *bo = gc_bo_borrow(&ref);
	struct gc_bo_cpu_access acc;
	struct work_fence w;

	work_fence_init(test, &w);
	bo_add(test, bo, &w, GC_ACCESS_WRITE);
	KUNIT_EXPECT_EQ(test, gc_bo_cpu_begin(&acc, bo, GC_ACCESS_READ, false, 1), -ETIMEDOUT);
	KUNIT_EXPECT_NULL(test, acc.ref.ptr);
	KUNIT_EXPECT_EQ(test, gc_bo_cpu_begin(&acc, bo, GC_ACCESS_WRITE, false, 1), -ETIMEDOUT);
	KUNIT_EXPECT_NULL(test, acc.cpu_done.ptr);
	gc_fence_signal(&w.sig);
	KUNIT_EXPECT_EQ(test, gc_bo_cpu_begin(&acc, bo, GC_ACCESS_READ, false, HZ), 0);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 2u);
	gc_bo_cpu_end(&acc);
	gc_bo_cpu_end(&acc);	/* closing twice is a no-op */
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	work_fence_fini(&w);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static void bo_gpu_waits_for_cpu_write(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct gc_bo_ref ref = test_bo(test, mdev, 4096);
	struct gc_bo *bo = gc_bo_borrow(&ref);
	struct gc_fence_set deps;
	struct gc_fence_ref merged;

	gc_fence_set_init(&deps);
	{
		struct gc_bo_cpu_access acc __free(gc_bo_cpu_end) = {};

		KUNIT_ASSERT_EQ(test, gc_bo_cpu_begin(&acc, bo, GC_ACCESS_WRITE, false, HZ), 0);
		/* GPU work submitted now collects the BO's fences, as a job does. */
		KUNIT_EXPECT_EQ(test, gc_fence_set_add_resv(&deps, bo->gem->resv,
							    DMA_RESV_USAGE_READ, GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, gc_fence_set_count(&deps), 1u);
		merged = gc_fence_set_merge(&deps, GFP_KERNEL);
		KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&merged)));
	}
	/* The end of the CPU write released the GPU work. */
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&merged)));
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&merged)), 1);
	gc_fence_put(&merged);
	gc_fence_set_fini(&deps);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/*
 * A driver whose BOs are not shmem (TTM, VRAM): its own GEM object and
 * operations, gpucore attached with gc_bo_attach().
 */
struct vram_bo {
	struct drm_gem_object base;
	struct gc_bo gc;
	int pins;
	bool *freed;
};

static void vram_bo_free(struct drm_gem_object *obj)
{
	struct vram_bo *vbo = container_of(obj, struct vram_bo, base);

	gc_bo_release(&vbo->gc);
	*vbo->freed = true;
	drm_gem_object_release(obj);
	kfree(vbo);
}

static int vram_bo_pin(struct drm_gem_object *obj)
{
	container_of(obj, struct vram_bo, base)->pins++;
	return 0;
}

static void vram_bo_unpin(struct drm_gem_object *obj)
{
	container_of(obj, struct vram_bo, base)->pins--;
}

static const struct drm_gem_object_funcs vram_bo_funcs = {
	.free = vram_bo_free,
	.pin = vram_bo_pin,
	.unpin = vram_bo_unpin,
};

static void bo_non_shmem_backend(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct vram_bo *vbo = kzalloc(sizeof(*vbo), GFP_KERNEL);
	bool freed = false;
	struct gc_bo_unique u;
	struct gc_bo_ref ref;
	struct gc_bo_pin pin;
	struct gc_bo_vmap map;

	KUNIT_ASSERT_NOT_NULL(test, vbo);
	vbo->base.funcs = &vram_bo_funcs;
	vbo->freed = &freed;
	drm_gem_private_object_init(&mdev->drm, &vbo->base, 65536);
	u = gc_bo_attach(&vbo->gc, &vbo->base, &mdev->refs);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	ref = gc_bo_share(&u);
	KUNIT_EXPECT_EQ(test, gc_bo_pin(&pin, gc_bo_borrow(&ref)), 0);
	KUNIT_EXPECT_EQ(test, vbo->pins, 1);
	KUNIT_EXPECT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, map.ref.ptr);
	gc_bo_put(&ref);
	KUNIT_EXPECT_FALSE(test, freed);
	gc_bo_unpin(&pin);
	KUNIT_EXPECT_TRUE(test, freed);
	KUNIT_EXPECT_PTR_EQ(test, gc_bo_attach(NULL, NULL, NULL).ptr,
			    (struct gc_bo *)ERR_PTR(-EINVAL));
	gc_expect_no_reports(test);
}

static struct kunit_case gc_bo_cases[] = {
	KUNIT_CASE(bo_unique_setup_then_share),
	KUNIT_CASE(bo_setup_after_share_refused),
	KUNIT_CASE(bo_catalogue_4_failed_constructor),
	KUNIT_CASE(bo_create_needs_gpucore_driver),
	KUNIT_CASE(bo_unique_drop_frees),
	KUNIT_CASE(bo_catalogue_2_publish_then_close),
	KUNIT_CASE(bo_adopt_lookup),
	KUNIT_CASE(bo_lookup_owned),
	KUNIT_CASE(bo_lookup_unknown_handle),
	KUNIT_CASE(bo_lookup_foreign_object),
	KUNIT_CASE(bo_lookup_unattached_object),
	KUNIT_CASE(bo_get_put_and_move),
	KUNIT_CASE(bo_get_of_foreign_bo_takes_nothing),
	KUNIT_CASE(bo_double_put_through_copy),
	KUNIT_CASE(bo_use_after_put_through_copy),
	KUNIT_CASE(bo_leak_names_holder),
	KUNIT_CASE(bo_catalogue_5_mapping_outlives_handles),
	KUNIT_CASE(bo_vmap_scope_cleanup),
	KUNIT_CASE(bo_pin_holds_pages),
	KUNIT_CASE(bo_wait_idle_for_writer),
	KUNIT_CASE(bo_readers_share),
	KUNIT_CASE(bo_cpu_access_waits_for_gpu),
	KUNIT_CASE(bo_gpu_waits_for_cpu_write),
	KUNIT_CASE(bo_non_shmem_backend),
	{}
};

static struct kunit_suite gc_bo_suite = {
	.name = "gpucore_bo",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_bo_cases,
};

kunit_test_suite(gc_bo_suite);
