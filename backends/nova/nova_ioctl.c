// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The ioctls of the nova driver: parameters, BO creation and BO info.
 * Each checks every field it is given before it does anything.
 */

#include <linux/stddef.h>
#include <drm/drm_file.h>

#include "nova_drv.h"

/*
 * The uapi is upstream nova's: these sizes and offsets are its ABI, so a
 * change here breaks every client built against upstream's header.
 */
#define NOVA_UAPI_SIZE(type, size) \
	static_assert(sizeof(struct type) == (size) && sizeof(struct type) % 8 == 0)

NOVA_UAPI_SIZE(drm_nova_getparam, 16);
NOVA_UAPI_SIZE(drm_nova_gem_create, 16);
NOVA_UAPI_SIZE(drm_nova_gem_info, 16);
static_assert(offsetof(struct drm_nova_getparam, value) == 8);
static_assert(offsetof(struct drm_nova_gem_create, size) == 8);
static_assert(offsetof(struct drm_nova_gem_info, size) == 8);

/**
 * nova_ioctl_get_param() - DRM_IOCTL_NOVA_GETPARAM: one parameter
 * @drm: the DRM device
 * @data: a &struct drm_nova_getparam
 * @file: the DRM file
 *
 * The parameter number is compared in full: one with upper bits set is
 * unknown, not an alias of the low bits.
 *
 * Context: process context.
 * Return: 0, -EINVAL for an unknown parameter.
 */
int nova_ioctl_get_param(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nova_device *ndev = to_nova_device(drm);
	struct drm_nova_getparam *args = data;

	switch (args->param) {
	case NOVA_GETPARAM_VRAM_BAR_SIZE:
		/* The BAR is the window of video memory the CPU reaches. */
		args->value = ndev->info.vram_visible;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * nova_ioctl_gem_create() - DRM_IOCTL_NOVA_GEM_CREATE: create a BO
 * @drm: the DRM device
 * @data: a &struct drm_nova_gem_create
 * @file: the DRM file
 *
 * The uapi has no placement: the BO goes anywhere in video memory. The
 * handle is published only once the kernel's own reference is secured
 * (gc_bo_publish()).
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a non-zero pad, a zero size or one over
 * nova_max_bo_size(); -ENOSPC if video memory has no room; -ENODEV after
 * unplug; -ENOMEM; -ETIMEDOUT or another error of the GSP channel.
 */
int nova_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct nova_device *ndev = to_nova_device(drm);
	struct drm_nova_gem_create *args = data;
	struct gc_bo_unique unique __free(gc_bo_unique_drop) = {};
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	u32 handle;

	if (args->pad)
		return -EINVAL;
	if (!args->size || args->size > nova_max_bo_size(ndev))
		return -EINVAL;
	unique = nova_bo_create(ndev, args->size, 0);
	if (gc_is_err(unique))
		return gc_err(unique);
	gc_bo_set_label(&unique, "nova-bo");
	ref = gc_bo_publish(&unique, file, &handle);
	if (gc_is_err(ref))
		return gc_err(ref);
	args->handle = handle;
	return 0;
}

/**
 * nova_ioctl_gem_info() - DRM_IOCTL_NOVA_GEM_INFO: describe a BO
 * @drm: the DRM device
 * @data: a &struct drm_nova_gem_info
 * @file: the DRM file
 *
 * Reports the size only: where the BO sits in video memory stays in the
 * kernel.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a non-zero pad, -ENOENT for an unknown handle.
 */
int nova_ioctl_gem_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_nova_gem_info *args = data;
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	struct nova_bo *nbo;

	if (args->pad)
		return -EINVAL;
	ref = gc_bo_lookup(file, args->handle, nova_gem_to_bo);
	if (gc_is_err(ref))
		return gc_err(ref);
	nbo = nova_bo_from_gc(gc_bo_borrow(&ref));
	args->size = nbo->base.size;
	return 0;
}
