/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The differences between kernels in TTM, for drivers that keep their BOs
 * in it. Part of the compat layer of <gpucore/compat.h> (same rules: the
 * GC_HAVE_* switches come from gpucore/compat/probes.mk, each names the
 * kernel that makes its older branch unnecessary), in a header of its own
 * so that gpucore and drivers without TTM do not include TTM.
 */
#ifndef _GPUCORE_COMPAT_TTM_H_
#define _GPUCORE_COMPAT_TTM_H_

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_range_manager.h>
#include <drm/ttm/ttm_tt.h>
#ifdef GC_HAVE_TTM_BO_H
#include <drm/ttm/ttm_bo.h>
#else
/* Unnecessary once 6.1 is dropped. */
#include <drm/ttm/ttm_bo_api.h>
#include <drm/ttm/ttm_bo_driver.h>
#endif

/**
 * gc_compat_ttm_device_init() - ttm_device_init() for a DRM device
 * @bdev: the TTM device, embedded in the driver's device
 * @funcs: the driver's callbacks
 * @drm: the DRM device whose GEM objects the BOs are
 *
 * Pages come from TTM's pool without DMA mapping or DMA32 restriction.
 * 7.3 takes these as allocation flags, 6.12 and 6.1 as two bools
 * (unnecessary once 6.12 is dropped); 6.1 takes @funcs writable
 * (unnecessary once 6.1 is dropped). Running out of room is reported as
 * -ENOMEM on all of them.
 *
 * Context: process context; may sleep.
 * Return: 0 or the error of ttm_device_init().
 */
static inline int gc_compat_ttm_device_init(struct ttm_device *bdev,
					    const struct ttm_device_funcs *funcs,
					    struct drm_device *drm)
{
#ifdef GC_HAVE_TTM_FUNCS_CONST
	const struct ttm_device_funcs *f = funcs;
#else
	/* 6.1 takes them writable, but never writes them. */
	struct ttm_device_funcs *f = (struct ttm_device_funcs *)funcs;
#endif

#ifdef GC_HAVE_TTM_ALLOC_FLAGS
	return ttm_device_init(bdev, f, drm->dev, drm->anon_inode->i_mapping,
			       drm->vma_offset_manager, 0);
#else
	return ttm_device_init(bdev, f, drm->dev, drm->anon_inode->i_mapping,
			       drm->vma_offset_manager, false, false);
#endif
}

/**
 * gc_compat_ttm_bo_put() - drop the reference a BO's GEM object holds on it
 * @bo: the BO, from the GEM object's free callback
 *
 * 7.3 names it ttm_bo_fini() (unnecessary once 6.12 is dropped). TTM then
 * destroys the BO, at once if it is idle, else from its delayed-delete
 * work once its fences have signalled.
 *
 * Context: process context.
 */
static inline void gc_compat_ttm_bo_put(struct ttm_buffer_object *bo)
{
#ifdef GC_HAVE_TTM_BO_FINI
	ttm_bo_fini(bo);
#else
	ttm_bo_put(bo);
#endif
}

/**
 * gc_compat_ttm_placement() - a placement of one place, evicting for room
 * @pl: the placement to fill
 * @place: the one place
 *
 * 6.1 evicts only for the places of a second list, which is set to the
 * same place (unnecessary once 6.1 is dropped); later kernels evict for
 * any place without %TTM_PL_FLAG_DESIRED.
 */
static inline void gc_compat_ttm_placement(struct ttm_placement *pl,
					   const struct ttm_place *place)
{
	*pl = (struct ttm_placement){ .num_placement = 1, .placement = place };
#ifdef GC_HAVE_TTM_BUSY_PLACEMENT
	pl->num_busy_placement = 1;
	pl->busy_placement = place;
#endif
}

#endif /* _GPUCORE_COMPAT_TTM_H_ */
