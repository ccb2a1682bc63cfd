/* SPDX-License-Identifier: MIT */
/*
 * Userspace interface of the gpucore Nova-style stub driver: a render node
 * whose buffers live in the video memory the (simulated) GSP firmware
 * manages. It offers device parameters and BO creation and inspection;
 * work submission is in-kernel only in this stub.
 *
 * Rules for every struct: 64-bit aligned, sizes fixed (checked at compile
 * time in the driver), pad fields must be zero (-EINVAL otherwise), unknown
 * flags are rejected (-EINVAL), and new fields are only ever appended.
 */
#ifndef _GPUCORE_NOVA_DRM_H_
#define _GPUCORE_NOVA_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * define DRM_NOVA_UAPI_VERSION - the version of this interface
 *
 * Reported by %DRM_NOVA_PARAM_UAPI_VERSION; raised when ioctls, parameters
 * or fields are added.
 */
#define DRM_NOVA_UAPI_VERSION		1

/**
 * enum drm_nova_ioctl_id - driver ioctl numbers, relative to DRM_COMMAND_BASE
 * @DRM_NOVA_GET_PARAM: query one device or driver parameter
 * @DRM_NOVA_GEM_CREATE: create a BO in video memory
 * @DRM_NOVA_GEM_INFO: describe a BO
 */
enum drm_nova_ioctl_id {
	DRM_NOVA_GET_PARAM = 0x00,
	DRM_NOVA_GEM_CREATE = 0x01,
	DRM_NOVA_GEM_INFO = 0x02,
};

/**
 * enum drm_nova_param - what &struct drm_nova_get_param can ask for
 * @DRM_NOVA_PARAM_UAPI_VERSION: %DRM_NOVA_UAPI_VERSION of the driver
 * @DRM_NOVA_PARAM_VRAM_SIZE: bytes of video memory the GSP manages
 * @DRM_NOVA_PARAM_VRAM_VISIBLE_SIZE: bytes of video memory, from offset 0,
 *	that the CPU can reach (BOs created with %DRM_NOVA_GEM_CPU_VISIBLE
 *	are placed there)
 * @DRM_NOVA_PARAM_VRAM_PAGE_SIZE: allocation granule of video memory; BO
 *	sizes are rounded up to it
 * @DRM_NOVA_PARAM_MAX_BO_SIZE: largest BO size GEM_CREATE accepts
 * @DRM_NOVA_PARAM_NR_CHANNELS: number of GSP channels (hardware queues)
 */
enum drm_nova_param {
	DRM_NOVA_PARAM_UAPI_VERSION = 0,
	DRM_NOVA_PARAM_VRAM_SIZE = 1,
	DRM_NOVA_PARAM_VRAM_VISIBLE_SIZE = 2,
	DRM_NOVA_PARAM_VRAM_PAGE_SIZE = 3,
	DRM_NOVA_PARAM_MAX_BO_SIZE = 4,
	DRM_NOVA_PARAM_NR_CHANNELS = 5,
};

/**
 * struct drm_nova_get_param - DRM_IOCTL_NOVA_GET_PARAM
 * @param: a DRM_NOVA_PARAM_* value; others fail with -EINVAL
 * @pad: zero
 * @value: out: the parameter's value
 */
struct drm_nova_get_param {
	__u32 param;
	__u32 pad;
	__u64 value;
};

/**
 * enum drm_nova_gem_flags - flags of &struct drm_nova_gem_create
 * @DRM_NOVA_GEM_CPU_VISIBLE: place the BO in the part of video memory the
 *	CPU can reach (%DRM_NOVA_PARAM_VRAM_VISIBLE_SIZE); only such BOs can
 *	be mapped by the kernel
 */
enum drm_nova_gem_flags {
	DRM_NOVA_GEM_CPU_VISIBLE = 1 << 0,
};

/**
 * struct drm_nova_gem_create - DRM_IOCTL_NOVA_GEM_CREATE
 * @size: bytes, 1 to %DRM_NOVA_PARAM_MAX_BO_SIZE; rounded up to
 *	%DRM_NOVA_PARAM_VRAM_PAGE_SIZE. The memory is zeroed.
 * @flags: DRM_NOVA_GEM_* bits
 * @handle: out: the GEM handle
 *
 * Fails with -ENOSPC when video memory has no free range of that size.
 */
struct drm_nova_gem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_nova_gem_info - DRM_IOCTL_NOVA_GEM_INFO
 * @handle: a GEM handle of the file
 * @pad: zero
 * @size: out: the BO's size in bytes
 * @vram_offset: out: where the BO starts in video memory
 * @flags: out: the DRM_NOVA_GEM_* flags it was created with
 */
struct drm_nova_gem_info {
	__u32 handle;
	__u32 pad;
	__u64 size;
	__u64 vram_offset;
	__u64 flags;
};

/**
 * define DRM_IOCTL_NOVA_GET_PARAM - request number; argument &struct drm_nova_get_param
 */
#define DRM_IOCTL_NOVA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_NOVA_GET_PARAM, struct drm_nova_get_param)

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
