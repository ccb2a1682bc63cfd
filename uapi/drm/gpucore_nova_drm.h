/* SPDX-License-Identifier: MIT */
/**
 * DOC: gpucore nova uapi
 *
 * Userspace interface of the gpucore Nova-style stub driver: a render node
 * whose buffers live in the video memory the (simulated) GSP firmware
 * manages. It offers one device parameter, BO creation and BO inspection;
 * work submission is in-kernel only in this stub.
 *
 * The interface is ABI-compatible with the uapi of the upstream nova DRM
 * driver of Linux 7.x (include/uapi/drm/nova_drm.h, checked against
 * mainline at commit b08494a8f741): the same ioctl numbers, the same
 * struct layouts, the same field meanings and the same parameter numbers,
 * and nothing more in those ioctls. A client built against either header
 * runs on either driver. Names are upstream's too, so code written for one
 * header compiles against the other.
 *
 * Where upstream leaves a choice open, this driver is strict: pad fields
 * must be zero (-EINVAL otherwise) and a parameter number it does not know,
 * including one with any of the upper 32 bits set, is -EINVAL. Sizes are
 * fixed and checked at compile time in the driver.
 */
#ifndef _GPUCORE_NOVA_DRM_H_
#define _GPUCORE_NOVA_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * define NOVA_GETPARAM_VRAM_BAR_SIZE - GETPARAM parameter, size of the VRAM BAR
 *
 * Bytes of video memory the CPU can reach through the BAR, from video
 * memory offset 0.
 */
#define NOVA_GETPARAM_VRAM_BAR_SIZE	0x1

/**
 * struct drm_nova_getparam - argument of DRM_IOCTL_NOVA_GETPARAM
 * @param: in: a NOVA_GETPARAM_* number; any other fails with -EINVAL
 * @value: out: the parameter's value
 */
struct drm_nova_getparam {
	__u64 param;
	__u64 value;
};

/**
 * struct drm_nova_gem_create - argument of DRM_IOCTL_NOVA_GEM_CREATE
 * @handle: out: the GEM handle of the new BO, local to the DRM file
 * @pad: zero
 * @size: in: bytes, at least 1; rounded up to whole pages. The memory is
 *	zeroed.
 *
 * Fails with -EINVAL for a zero size or one larger than the driver allows,
 * and with -ENOSPC when video memory has no free range of that size.
 */
struct drm_nova_gem_create {
	__u32 handle;
	__u32 pad;
	__u64 size;
};

/**
 * struct drm_nova_gem_info - argument of DRM_IOCTL_NOVA_GEM_INFO
 * @handle: in: a GEM handle of the DRM file; -ENOENT if it has none such
 * @pad: zero
 * @size: out: the BO's size in bytes (whole pages)
 *
 * Where the BO sits in video memory is the kernel's business and is not
 * reported.
 */
struct drm_nova_gem_info {
	__u32 handle;
	__u32 pad;
	__u64 size;
};

/**
 * define DRM_NOVA_GETPARAM - ioctl number of GETPARAM, relative to
 * DRM_COMMAND_BASE
 */
#define DRM_NOVA_GETPARAM		0x00

/**
 * define DRM_NOVA_GEM_CREATE - ioctl number of GEM_CREATE, relative to
 * DRM_COMMAND_BASE
 */
#define DRM_NOVA_GEM_CREATE		0x01

/**
 * define DRM_NOVA_GEM_INFO - ioctl number of GEM_INFO, relative to
 * DRM_COMMAND_BASE
 */
#define DRM_NOVA_GEM_INFO		0x02

/**
 * define DRM_IOCTL_NOVA_GETPARAM - request number; argument &struct drm_nova_getparam
 */
#define DRM_IOCTL_NOVA_GETPARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NOVA_GETPARAM, struct drm_nova_getparam)

/**
 * define DRM_IOCTL_NOVA_GEM_CREATE - request number; argument &struct drm_nova_gem_create
 */
#define DRM_IOCTL_NOVA_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NOVA_GEM_CREATE, struct drm_nova_gem_create)

/**
 * define DRM_IOCTL_NOVA_GEM_INFO - request number; argument &struct drm_nova_gem_info
 */
#define DRM_IOCTL_NOVA_GEM_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NOVA_GEM_INFO, struct drm_nova_gem_info)

#if defined(__cplusplus)
}
#endif

#endif /* _GPUCORE_NOVA_DRM_H_ */
