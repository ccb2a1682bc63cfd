/* SPDX-License-Identifier: MIT */
/*
 * Userspace interface of the gpucore minimal driver. AN EXAMPLE, not a
 * stable ABI: a vendor's driver copies the shape (64-bit aligned structs
 * of fixed size, pad fields that must be zero, fields only ever appended)
 * and puts its own header under include/uapi/drm/.
 *
 * Two ioctls on a render node: create a BO, and fill a range of a BO with
 * a 32-bit value on the simulated engine. The fill may wait for a binary
 * syncobj and signals another one when done; its outcome is that fence's
 * error (0, -ETIMEDOUT, -ECANCELED, -ENODEV after unplug).
 */
#ifndef _MINIMAL_DRM_H_
#define _MINIMAL_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_MINIMAL_GEM_CREATE		0x00
#define DRM_MINIMAL_SUBMIT_FILL		0x01

/**
 * struct drm_minimal_gem_create - DRM_IOCTL_MINIMAL_GEM_CREATE
 * @size: in: size in bytes, rounded up to pages
 * @handle: out: the GEM handle
 * @pad: must be zero
 * @mmap_offset: out: offset to mmap() the BO at on the DRM file
 */
struct drm_minimal_gem_create {
	__u64 size;
	__u32 handle;
	__u32 pad;
	__u64 mmap_offset;
};

/**
 * struct drm_minimal_submit_fill - DRM_IOCTL_MINIMAL_SUBMIT_FILL
 * @handle: the BO to fill
 * @value: the 32-bit value written to every word of the range
 * @offset: start of the range in bytes; a multiple of 4
 * @size: length of the range in bytes; a non-zero multiple of 4
 * @in_syncobj: a binary syncobj whose fence the fill waits for, or 0
 * @out_syncobj: a binary syncobj that receives the fill's done fence, or 0
 */
struct drm_minimal_submit_fill {
	__u32 handle;
	__u32 value;
	__u64 offset;
	__u64 size;
	__u32 in_syncobj;
	__u32 out_syncobj;
};

#define DRM_IOCTL_MINIMAL_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_MINIMAL_GEM_CREATE, struct drm_minimal_gem_create)
#define DRM_IOCTL_MINIMAL_SUBMIT_FILL \
	DRM_IOW(DRM_COMMAND_BASE + DRM_MINIMAL_SUBMIT_FILL, struct drm_minimal_submit_fill)

#if defined(__cplusplus)
}
#endif

#endif /* _MINIMAL_DRM_H_ */
