/* SPDX-License-Identifier: MIT */
/*
 * The part of vgem's uapi (include/uapi/drm/vgem_drm.h of the kernel) the
 * tests and benchmarks use: vgem attaches a fence to a BO and signals it
 * when user space asks. It is not among libdrm's headers.
 */
#ifndef GPUCORE_TESTS_VGEM_H
#define GPUCORE_TESTS_VGEM_H

#include <linux/types.h>
#include <xf86drm.h>

struct vgem_fence_attach {
	__u32 handle;
	__u32 flags;
	__u32 out_fence;
	__u32 pad;
};

struct vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

#endif /* GPUCORE_TESTS_VGEM_H */
