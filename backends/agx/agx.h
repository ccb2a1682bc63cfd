/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The AGX-style DRM driver on gpucore: device, file, VM, queue and job
 * structures shared by agx_drv.c, agx_ioctl.c and agx_job.c. agx_drv.c
 * (probe, file hooks, the ioctl table) uses the other two; they use only
 * this header, so the driver's files form no loop.
 */
#ifndef _AGX_H_
#define _AGX_H_

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>

#include <gpucore/gpucore.h>

#include "gpucore_agx_drm.h"

struct agx_fw;
struct agx_fw_queue;

#define AGX_DRIVER_NAME		"gpucore-agx"

/* Limits reported by GET_PARAMS. */
#define AGX_VA_START		SZ_1M
#define AGX_VA_END		BIT_ULL(40)
#define AGX_MAX_QUEUES		64
#define AGX_MAX_COMMAND_BYTES	SZ_64K
#define AGX_MAX_SYNCS		64

/* Limits that are not reported. */
#define AGX_MAX_BO_SIZE		SZ_1G
#define AGX_MAX_OP_STRIDE	PAGE_SIZE
#define AGX_RING_SIZE		16
#define AGX_MAX_JOBS		64

/*
 * Bounds on what one client makes the kernel hold (their errno is -ENOSPC):
 * VMs per file and mappings per VM, unbinds still deferred included. The
 * device-wide bound on queues is the module parameter max_queues.
 */
#define AGX_MAX_VMS_PER_FILE	16
#define AGX_MAX_MAPPINGS_PER_VM	16384

extern unsigned int agx_timeout_ms;
extern bool agx_test_opcodes;

/**
 * struct agx_device - one simulated AGX GPU
 * @drm: the DRM device
 * @gdev: gpucore's state: tracking scope, queues, VMs, unplug gate
 * @fw: the firmware, created at probe, destroyed with the last reference
 *	to @drm
 * @queue_seq: numbers queues in their names
 * @nr_queues: queues not yet released, those being torn down included:
 *	taken before a queue is created, given back by its release
 */
struct agx_device {
	struct drm_device drm;
	struct gc_device gdev;
	struct agx_fw *fw;
	atomic_t queue_seq;
	atomic_t nr_queues;
};

/**
 * struct agx_file - per-file state
 * @adev: the device
 * @lock: serialises the changes of @vms and @queues and the binds, so
 *	that a bind never races the destruction of its VM
 * @vms: the file's VMs (&struct agx_vm), by id
 * @queues: the file's queues (&struct agx_queue), by id; each entry holds
 *	the creator's reference to its gc_queue
 * @nr_vms: entries of @vms, at most AGX_MAX_VMS_PER_FILE
 */
struct agx_file {
	struct agx_device *adev;
	struct mutex lock;		/* vms, queues, binds */
	struct xarray vms;
	struct xarray queues;
	unsigned int nr_vms;
};

/**
 * struct agx_vm - a GPU VM of a file
 * @vm: the gpucore VM, with the creator's reference
 * @nr_mappings: mappings bound and not unbound, under &agx_file.lock
 */
struct agx_vm {
	struct gc_vm *vm;
	unsigned int nr_mappings;
};

/**
 * struct agx_queue - the driver's side of a queue, freed by its release
 * @adev: the device
 * @gq: the gpucore queue, whose &gc_queue.priv this is
 * @fwq: the firmware queue
 * @hw_tl: timeline of the hardware fences
 * @vm: the VM the queue's commands address, with a reference
 * @lock: protects @running, @last_stamp, @stopped and the pushes to @fwq
 * @running: jobs pushed to the firmware whose hardware fence has not
 *	signalled, in stamp order
 * @last_stamp: stamp of the last record pushed
 * @stopped: the firmware queue was stopped; nothing more is pushed
 * @stop_error: the error of the stop
 * @priority: DRM_AGX_PRIORITY_*, kept for information only
 */
struct agx_queue {
	struct agx_device *adev;
	struct gc_queue *gq;
	struct agx_fw_queue *fwq;
	struct gc_timeline *hw_tl;
	struct gc_vm *vm;
	spinlock_t lock;		/* running, stamps, stopped, pushes */
	struct list_head running;
	u64 last_stamp;
	bool stopped;
	int stop_error;
	u32 priority;
};

/**
 * struct agx_job - a submission
 * @base: gpucore's job
 * @queue: the queue; valid while the job exists (the job holds its gc_queue)
 * @words: the command stream, copied from user space
 * @nr_words: number of words at @words
 * @result_map: kernel mapping of the result BO, or empty
 * @result: the result record inside @result_map, or NULL
 * @hw: the hardware fence's signaller, from run until it is signalled
 * @stamp: the firmware record's stamp, 0 until pushed
 * @link: in &agx_queue.running while on the firmware
 * @hung: the job was found guilty of a hang
 */
struct agx_job {
	struct gc_job base;
	struct agx_queue *queue;
	u32 *words;
	u32 nr_words;
	struct gc_bo_vmap result_map;
	struct drm_agx_result *result;
	struct gc_fence_signaller hw;
	u64 stamp;
	struct list_head link;
	bool hung;
};

static inline struct agx_device *to_agx_device(struct drm_device *drm)
{
	return container_of(drm, struct agx_device, drm);
}

DEFINE_FREE(agx_kvfree, void *, kvfree(_T))

/* agx_ioctl.c */
int agx_ioctl_get_params(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_vm_create(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_vm_destroy(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_vm_bind(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_gem_create(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_gem_mmap_offset(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_queue_create(struct drm_device *dev, void *data, struct drm_file *file);
int agx_ioctl_queue_destroy(struct drm_device *dev, void *data, struct drm_file *file);
void agx_vm_destroy(struct agx_vm *avm);

/* agx_job.c */
struct agx_queue *agx_queue_create(struct agx_device *adev, struct gc_vm *vm, u32 priority);
void agx_queue_destroy(struct agx_queue *aq);
int agx_ioctl_submit(struct drm_device *dev, void *data, struct drm_file *file);
struct gc_fence_ref agx_queue_submit(struct agx_queue *aq, const u32 *words, u32 nr_words,
				     struct gc_bo *result, u64 result_offset,
				     struct dma_fence *dep);

#endif /* _AGX_H_ */
