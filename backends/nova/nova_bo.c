// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * BOs in video memory. The GSP owns video memory: a BO is a GEM object
 * without shmem backing whose range the GSP allocated for it (ALLOC) and
 * frees when the GEM object goes (FREE). gpucore is attached with
 * gc_bo_attach(), so every reference the driver holds is an owned,
 * tracked handle, and a job holds the BO, and so its range, until the GSP
 * is done with it.
 *
 * The CPU reaches the BOs placed in the CPU-visible window of video memory
 * only; the kernel maps those (gc_bo_vmap()) straight through that window.
 */

#include <linux/align.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "nova_drv.h"

static const struct drm_gem_object_funcs nova_bo_funcs;

static struct nova_bo *to_nova_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct nova_bo, base);
}

/* Free a GSP allocation; the GSP being gone frees it too. */
static void nova_vram_free(struct nova_device *ndev, u32 handle)
{
	struct nova_msg_free req = { .handle = handle };
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_FREE,
		.req = &req,
		.req_len = sizeof(req),
	};
	int ret;

	ret = nova_rpc_call(&ndev->rpc, &msg, 0);
	if (!ret)
		ret = msg.status;
	if (ret && ret != -ENODEV)
		drm_err(&ndev->drm, "GSP allocation %u not freed: %d\n", handle, ret);
}

static void nova_bo_free(struct drm_gem_object *obj)
{
	struct nova_bo *nbo = to_nova_bo(obj);

	if (nbo->on_free)
		nbo->on_free(nbo, nbo->on_free_data);
	gc_bo_release(&nbo->gc);
	nova_vram_free(nbo->ndev, nbo->handle);
	drm_gem_object_release(obj);
	kfree(nbo);
}

/* A mapping through the CPU-visible window: nothing to set up or undo. */
static int nova_bo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	void *vaddr = nova_bo_cpu_addr(to_nova_bo(obj));

	if (!vaddr)
		return -EOPNOTSUPP;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static const struct drm_gem_object_funcs nova_bo_funcs = {
	.free = nova_bo_free,
	.vmap = nova_bo_vmap,
};

/**
 * nova_max_bo_size() - the largest BO the device creates
 * @ndev: the device
 *
 * Return: bytes.
 */
u64 nova_max_bo_size(struct nova_device *ndev)
{
	return min_t(u64, NOVA_MAX_BO_SIZE, ndev->info.vram_size);
}

/**
 * nova_bo_create() - create a BO in video memory
 * @ndev: the device
 * @size: bytes, 1 to nova_max_bo_size(); rounded up to the GSP's page
 * @flags: NOVA_BO_* flags
 *
 * The GSP allocates and zeroes the range. If its reply is lost, the
 * allocation it may have made is freed again: the GSP runs commands in
 * order, so the FREE follows the ALLOC.
 *
 * Context: process context; may sleep.
 * Return: the unique handle; in it -EINVAL for a bad size or flags,
 * -ENOSPC if video memory has no room, -ENODEV after unplug, -ENOMEM, or
 * the RPC's error.
 */
struct gc_bo_unique nova_bo_create(struct nova_device *ndev, u64 size, u32 flags)
{
	struct nova_msg_alloc req = {};
	struct nova_msg_alloc_reply rep = {};
	struct nova_rpc_msg msg = {
		.function = NOVA_FN_ALLOC,
		.req = &req,
		.req_len = sizeof(req),
		.reply = &rep,
		.reply_len = sizeof(rep),
	};
	struct nova_bo *nbo;
	u64 end;
	int ret;

	if (!size || size > nova_max_bo_size(ndev) || (flags & ~NOVA_BO_CPU_VISIBLE))
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-EINVAL) };
	/* Both the GSP's page and the CPU's: GEM objects are page sized. */
	size = ALIGN(ALIGN(size, PAGE_SIZE), ndev->info.page_size);
	nbo = kzalloc(sizeof(*nbo), GFP_KERNEL);
	if (!nbo)
		return (struct gc_bo_unique){ .ptr = ERR_PTR(-ENOMEM) };

	req.size = size;
	req.flags = (flags & NOVA_BO_CPU_VISIBLE) ? NOVA_ALLOC_VISIBLE : 0;
	do {
		req.handle = atomic_inc_return(&ndev->next_alloc);
	} while (!req.handle);
	ret = nova_rpc_call(&ndev->rpc, &msg, 0);
	if (ret && msg.seq)
		nova_vram_free(ndev, req.handle);
	if (!ret)
		ret = msg.status;
	/* What the firmware says is checked like anything from the device. */
	if (!ret && (check_add_overflow(rep.offset, size, &end) || end > ndev->info.vram_size ||
		     ((flags & NOVA_BO_CPU_VISIBLE) && end > ndev->info.vram_visible))) {
		drm_err(&ndev->drm, "GSP placed %llu bytes at %#llx, outside video memory\n",
			size, rep.offset);
		nova_vram_free(ndev, req.handle);
		ret = -EPROTO;
	}
	if (ret) {
		kfree(nbo);
		return (struct gc_bo_unique){ .ptr = ERR_PTR(ret) };
	}

	nbo->ndev = ndev;
	nbo->vram_offset = rep.offset;
	nbo->handle = req.handle;
	nbo->flags = flags;
	nbo->base.funcs = &nova_bo_funcs;
	drm_gem_private_object_init(&ndev->drm, &nbo->base, size);
	return gc_bo_attach(&nbo->gc, &nbo->base, &ndev->gdev.refs);
}

/**
 * nova_bo_from_gc() - the nova BO a gpucore BO belongs to
 * @bo: any gpucore BO, or NULL
 *
 * Return: the &struct nova_bo, or NULL if @bo is not one.
 */
struct nova_bo *nova_bo_from_gc(struct gc_bo *bo)
{
	if (!bo || bo->gem->funcs != &nova_bo_funcs)
		return NULL;
	return container_of(bo, struct nova_bo, gc);
}

/**
 * nova_gem_to_bo() - the gpucore state of a nova BO's GEM object
 * @obj: any GEM object
 *
 * The conversion gc_bo_lookup() takes: nova_bo_lookup(file, handle) is
 * gc_bo_lookup(file, handle, nova_gem_to_bo).
 *
 * Context: any.
 * Return: the &struct gc_bo of @obj's nova BO; NULL if @obj is not one.
 */
struct gc_bo *nova_gem_to_bo(struct drm_gem_object *obj)
{
	return obj->funcs == &nova_bo_funcs ? &to_nova_bo(obj)->gc : NULL;
}

/**
 * nova_bo_cpu_addr() - where the CPU reaches a BO
 * @bo: the BO
 *
 * Valid while the BO lives (after unplug too: the memory stays until the
 * device's final teardown).
 *
 * Return: the address of the BO's first byte in the CPU-visible window,
 * or NULL for a BO outside it.
 */
void *nova_bo_cpu_addr(struct nova_bo *bo)
{
	if (!(bo->flags & NOVA_BO_CPU_VISIBLE))
		return NULL;
	return nova_gsp_vram(bo->ndev->gsp) + bo->vram_offset;
}
