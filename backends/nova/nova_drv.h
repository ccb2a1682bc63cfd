/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The Nova-style stub driver on gpucore: device, BO, channel and job
 * structures shared by nova_drv.c, nova_bo.c, nova_ioctl.c and nova_job.c,
 * and the in-kernel API the tests use.
 */
#ifndef _NOVA_DRV_H_
#define _NOVA_DRV_H_

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <drm/drm_device.h>

#include <gpucore/gpucore.h>

#include "gpucore_nova_drm.h"
#include "nova_cmdq.h"
#include "sim/nova_sim.h"
#include "nova_rpc.h"

struct device;

#define NOVA_DRIVER_NAME	"gpucore-nova"

/* Largest BO GEM_CREATE accepts (and no more than video memory). */
#define NOVA_MAX_BO_SIZE	SZ_256M
/* Jobs of a channel on the GSP at once; at most NOVA_GSP_CHAN_SLOTS. */
#define NOVA_CHAN_HW_JOBS	16
/* Jobs of a channel from gc_job_init() to release; more wait. */
#define NOVA_CHAN_MAX_JOBS	64
/* A job running longer than this hangs, unless the channel says otherwise. */
#define NOVA_CHAN_TIMEOUT_MS	2000

/**
 * define NOVA_BO_CPU_VISIBLE - BO flag, placement in the CPU's window
 *
 * A flag of nova_bo_create(): place the BO in the part of video memory the
 * CPU reaches (the VRAM BAR). In-kernel only: the uapi, upstream nova's,
 * has no placement flags, so BOs userspace creates go anywhere in video
 * memory.
 */
#define NOVA_BO_CPU_VISIBLE	BIT(0)

/**
 * struct nova_config - how a device is set up
 * @cmdq_size: bytes of the command queue
 * @msgq_size: bytes of the message queue
 * @vram_size: bytes of video memory the GSP manages
 * @vram_visible: bytes of it the CPU reaches
 * @rpc_timeout_ms: how long an RPC waits for room, then for its reply
 * @leaks: if not NULL, where the device's final teardown stores
 *	gc_device_fini()'s count of leaked references (for tests)
 */
struct nova_config {
	u32 cmdq_size;
	u32 msgq_size;
	u64 vram_size;
	u64 vram_visible;
	unsigned int rpc_timeout_ms;
	unsigned int *leaks;
};

struct nova_chan;

/**
 * struct nova_device - one simulated GSP-driven GPU
 * @drm: the DRM device
 * @gdev: gpucore's state: tracking scope, queues, unplug gate
 * @cfg: the configuration it was created with
 * @shm: the memory shared with the GSP
 * @rpc: the RPC channel to the GSP
 * @gsp: the simulated GSP
 * @info: what the GSP said about itself at boot
 * @chan_lock: protects @chans and, in each channel, the running list,
 *	stamps and stop state; taken from the interrupt handler
 * @chans: the live channels, by GSP channel number
 * @next_alloc: names the GSP allocations of BOs
 */
struct nova_device {
	struct drm_device drm;
	struct gc_device gdev;
	struct nova_config cfg;
	struct nova_shm shm;
	struct nova_rpc rpc;
	struct nova_gsp *gsp;
	struct nova_msg_info info;
	spinlock_t chan_lock;	/* chans, channels' running lists and stop state */
	struct nova_chan *chans[NOVA_GSP_CHANNELS];
	atomic_t next_alloc;
};

/**
 * struct nova_bo - a BO in video memory
 * @base: the GEM object (no shmem backing: the memory is the GSP's)
 * @gc: gpucore's state
 * @ndev: the device
 * @vram_offset: where the BO starts in video memory
 * @handle: the GSP's allocation
 * @flags: NOVA_BO_* flags
 * @on_free: if set, called just before the BO's memory is freed, with
 *	its contents still there (for tests)
 * @on_free_data: for @on_free
 */
struct nova_bo {
	struct drm_gem_object base;
	struct gc_bo gc;
	struct nova_device *ndev;
	u64 vram_offset;
	u32 handle;
	u32 flags;
	void (*on_free)(struct nova_bo *bo, void *data);
	void *on_free_data;
};

/**
 * struct nova_chan - a GSP channel with its gpucore queue, freed by its
 *	release
 * @ndev: the device
 * @gq: the gpucore queue
 * @hw_tl: timeline of the hardware fences
 * @id: the GSP channel number
 * @submit_lock: serialises sending a job to the GSP with stopping the
 *	channel, so no job reaches the GSP after the reset of a stop
 * @running: jobs sent to the GSP whose hardware fence has not signalled,
 *	in stamp order; under &nova_device.chan_lock
 * @last_stamp: stamp of the last job sent; under &nova_device.chan_lock
 * @stopped: the channel was stopped (hang, unplug): nothing more runs;
 *	under &nova_device.chan_lock
 * @stop_error: the error of the stop
 * @seen_progress: the GSP's progress counter at the last timeout
 */
struct nova_chan {
	struct nova_device *ndev;
	struct gc_queue *gq;
	struct gc_timeline *hw_tl;
	u32 id;
	struct mutex submit_lock;	/* sending jobs vs. stopping */
	struct list_head running;
	u64 last_stamp;
	bool stopped;
	int stop_error;
	u64 seen_progress;
};

/**
 * struct nova_work - what a job does, for nova_submit()
 * @op: a &enum nova_op
 * @dst: the BO written (FILL, COPY, WRITE), or NULL
 * @dst_offset: byte offset in @dst
 * @src: the BO read (COPY), another than @dst, or NULL
 * @src_offset: byte offset in @src
 * @size: bytes (FILL, COPY)
 * @value: FILL pattern, WRITE value, STALL microseconds
 */
struct nova_work {
	u32 op;
	struct gc_bo *dst;
	u64 dst_offset;
	struct gc_bo *src;
	u64 src_offset;
	u64 size;
	u32 value;
};

/**
 * struct nova_job - a job on a channel
 * @base: gpucore's job
 * @chan: the channel; valid while the job exists
 * @desc: the submission sent to the GSP
 * @hw: the hardware fence's signaller, from run until signalled
 * @stamp: the job's stamp, 0 until run
 * @link: in &nova_chan.running while on the GSP
 */
struct nova_job {
	struct gc_job base;
	struct nova_chan *chan;
	struct nova_msg_submit desc;
	struct gc_fence_signaller hw;
	u64 stamp;
	struct list_head link;
};

static inline struct nova_device *to_nova_device(struct drm_device *drm)
{
	return container_of(drm, struct nova_device, drm);
}

/* nova_drv.c */
extern const struct nova_config nova_default_config;
struct nova_device *nova_device_create(struct device *parent, const struct nova_config *cfg);
void nova_device_unplug(struct nova_device *ndev);

/* nova_bo.c */
struct gc_bo_unique nova_bo_create(struct nova_device *ndev, u64 size, u32 flags);
struct nova_bo *nova_bo_from_gc(struct gc_bo *bo);
struct gc_bo *nova_gem_to_bo(struct drm_gem_object *obj);
void *nova_bo_cpu_addr(struct nova_bo *bo);
u64 nova_max_bo_size(struct nova_device *ndev);

/* nova_ioctl.c */
int nova_ioctl_get_param(struct drm_device *drm, void *data, struct drm_file *file);
int nova_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file);
int nova_ioctl_gem_info(struct drm_device *drm, void *data, struct drm_file *file);

/* nova_job.c */
struct nova_chan *nova_chan_create(struct nova_device *ndev, unsigned int timeout_ms);
void nova_chan_destroy(struct nova_chan *chan);
struct gc_fence_ref nova_submit(struct nova_chan *chan, const struct nova_work *work,
				struct dma_fence *dep);
void nova_job_event(void *data, const struct nova_rec_hdr *hdr, const void *payload);

#endif /* _NOVA_DRV_H_ */
