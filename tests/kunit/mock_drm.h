/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A DRM device with no hardware for the KUnit suites: a root device, a
 * render driver with GEM and gpucore shmem BOs, and DRM files made without
 * user space.
 */
#ifndef _GPUCORE_MOCK_DRM_H_
#define _GPUCORE_MOCK_DRM_H_

#include <kunit/test.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include <gpucore/device.h>
#include <gpucore/track.h>

struct gc_mock_device {
	struct drm_device drm;
	struct device *parent;
	struct gc_track_dir refs;	/* the device's tracking scope */
	struct gc_device gdev;		/* of the VMs the suites create on it */
};

/*
 * A device released when the test ends. With @shmem_bos false, its driver
 * allocates bare shmem objects (a driver that did not adopt gpucore BOs).
 */
struct gc_mock_device *gc_mock_device(struct kunit *test, bool shmem_bos);

/* A DRM file of @mdev, closed when the test ends (or by gc_mock_file_close). */
struct drm_file *gc_mock_file(struct kunit *test, struct gc_mock_device *mdev);
void gc_mock_file_close(struct kunit *test, struct drm_file *file);

#endif /* _GPUCORE_MOCK_DRM_H_ */
