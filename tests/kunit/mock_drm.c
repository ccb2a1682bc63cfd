// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* A DRM device with no hardware for the KUnit suites. */

#include <kunit/resource.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include <gpucore/compat.h>
#include <gpucore/shmem.h>

#include "mock_drm.h"

DEFINE_DRM_GEM_FOPS(gc_mock_fops);

static const struct drm_driver gc_mock_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.gem_create_object = gc_shmem_gem_create_object,
	.fops = &gc_mock_fops,
	.name = "gc-mock",
	.desc = "gpucore KUnit device",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

/* The same, for a driver that never adopted gpucore BOs. */
static const struct drm_driver gc_mock_plain_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.fops = &gc_mock_fops,
	.name = "gc-mock-plain",
	.desc = "gpucore KUnit device without gpucore BOs",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

static void gc_mock_device_free(struct kunit_resource *res)
{
	struct gc_mock_device *mdev = res->data;
	struct device *parent = mdev->parent;

	/* Deferred closes of the test's files drop their device references. */
	flush_delayed_fput();
	/* Waits for the test's VMs, as a driver's teardown does. */
	gc_device_fini(&mdev->gdev);
	gc_track_dir_exit(&mdev->refs);
	/* Releases the devm-managed drm_device. */
	root_device_unregister(parent);
}

struct gc_mock_device *gc_mock_device(struct kunit *test, bool shmem_bos)
{
	struct gc_mock_device *mdev;
	struct device *parent;

	parent = root_device_register("gpucore-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(parent));
	mdev = devm_drm_dev_alloc(parent, shmem_bos ? &gc_mock_driver : &gc_mock_plain_driver,
				  struct gc_mock_device, drm);
	if (IS_ERR(mdev)) {
		root_device_unregister(parent);
		KUNIT_ASSERT_FALSE(test, IS_ERR(mdev));
	}
	mdev->parent = parent;
	gc_track_dir_init(&mdev->refs, "gc-mock device");
	gc_device_init(&mdev->gdev, &mdev->drm);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, gc_mock_device_free,
							 GFP_KERNEL, mdev));
	return mdev;
}

static void gc_mock_file_free(struct kunit_resource *res)
{
	fput(res->data);
	flush_delayed_fput();
}

static bool gc_mock_file_match(struct kunit *test, struct kunit_resource *res,
			       void *match_data)
{
	return res->free == gc_mock_file_free && res->data == match_data;
}

struct drm_file *gc_mock_file(struct kunit *test, struct gc_mock_device *mdev)
{
	struct file *filp = mock_drm_getfile(mdev->drm.render, O_RDWR);

	KUNIT_ASSERT_FALSE(test, IS_ERR(filp));
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, gc_mock_file_free,
							 GFP_KERNEL, filp));
	return filp->private_data;
}

void gc_mock_file_close(struct kunit *test, struct drm_file *file)
{
	KUNIT_EXPECT_EQ(test, kunit_destroy_resource(test, gc_mock_file_match, file->filp), 0);
}
