/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The gpucore minimal driver: the device, the simulated engine and the job,
 * shared by minimal_drv.c (DRM and gpucore glue), minimal_engine.c (the
 * "hardware") and the smoke test.
 */
#ifndef _MINIMAL_DRV_H_
#define _MINIMAL_DRV_H_

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <drm/drm_device.h>
#include <drm/drm_syncobj.h>

#include <gpucore/gpucore.h>

#define MINIMAL_DRIVER_NAME	"gpucore-minimal"

/* One fill command on the engine's ring. */
struct minimal_cmd {
	struct list_head link;		/* in the ring until the engine takes it */
	u32 *dst;			/* through a mapping the job holds */
	size_t count;			/* 32-bit words to write */
	u32 value;
	struct gc_fence_signaller hw;	/* the hardware fence: signalled when done */
};

/* The simulated engine: executes fills in order. */
struct minimal_engine {
	spinlock_t lock;		/* ring, stop_error, stalled */
	struct list_head ring;		/* pushed, not yet taken, oldest first */
	struct work_struct work;	/* the "GPU": runs the ring on wq */
	struct workqueue_struct *wq;	/* ordered: fences signal in seqno order */
	struct gc_timeline *tl;		/* of the hardware fences */
	int stop_error;			/* non-zero: stopped, refuses commands */
	bool stalled;			/* simulation knob: hold commands, run none */
};

struct minimal_device {
	struct drm_device drm;
	struct gc_device gdev;		/* tracking scope, device gate, queues */
	struct minimal_engine engine;
	struct gc_queue *queue;		/* the device's one queue, feeding engine */
};

/* gpucore owns the whole struct from gc_job_init() to free_job. */
struct minimal_job {
	struct gc_job base;
	struct gc_bo_vmap map;		/* holds its own reference to the BO */
	struct minimal_cmd cmd;
};

extern const struct drm_driver minimal_drm_driver;

int minimal_device_init(struct minimal_device *mdev);
unsigned int minimal_device_fini(struct minimal_device *mdev);
int minimal_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file);
int minimal_ioctl_submit_fill(struct drm_device *drm, void *data, struct drm_file *file);

int minimal_engine_init(struct minimal_engine *e, struct gc_track_dir *dir);
void minimal_engine_fini(struct minimal_engine *e);
struct dma_fence *minimal_engine_push(struct minimal_engine *e, struct minimal_cmd *cmd);
void minimal_engine_stop(struct minimal_engine *e, int error);
void minimal_engine_stall(struct minimal_engine *e, bool stalled);

DEFINE_FREE(minimal_syncobj_put, struct drm_syncobj *, if (_T) drm_syncobj_put(_T))

#endif /* _MINIMAL_DRV_H_ */
