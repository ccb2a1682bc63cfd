/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The amdgpu-style stub driver: device, memory, ring, BO and job
 * structures shared by its files, and the API its users (the platform
 * driver, the KUnit suites) call. The hardware it drives is simulated
 * under sim/ and reached through sim/amdgpu_sim.h only (see README).
 *
 * Files, one job each:
 *   amdgpu_drv.c    device creation and teardown, unplug, the interrupt
 *                   handler, the platform driver
 *   amdgpu_mem.c    the TTM device: VRAM and GART managers, moves between
 *                   them; the writeback page
 *   amdgpu_bo.c     BOs: TTM + GEM + gpucore, VRAM/GTT placement, pins
 *   amdgpu_ring.c   ring buffers: space, writes, commit (the doorbell), reset
 *   amdgpu_fence.c  seqno fences: emission (packets and the fence after
 *                   them), retirement, forced completion
 *   amdgpu_job.c    gpucore queues in front of the rings; jobs; hang recovery
 */
#ifndef _AMDGPU_H_
#define _AMDGPU_H_

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <drm/drm_device.h>
#include <drm/drm_gem.h>

#include <gpucore/compat_ttm.h>
#include <gpucore/gpucore.h>

#include "sim/amdgpu_sim.h"

#define AMDSIM_DRIVER_NAME	"gpucore-amdgpu"

/* Jobs on a ring at once (drm_sched credits), and in a queue at once. */
#define AMDSIM_HW_JOBS		8
#define AMDSIM_MAX_JOBS		64
/* Fence slots of a ring: twice what can be in flight, like amdgpu. */
#define AMDSIM_NUM_FENCES	(2 * AMDSIM_HW_JOBS)
/* The largest job: its packets, without the FENCE the driver appends. */
#define AMDSIM_IB_DW		64
#define AMDSIM_JOB_BOS		4

/* Defaults of &struct amdsim_config. */
#define AMDSIM_DEFAULT_VRAM	SZ_4M
#define AMDSIM_DEFAULT_GTT	SZ_16M
#define AMDSIM_DEFAULT_RING_DW	1024

/*
 * The writeback page, at the start of the GART: one 64-bit fence slot per
 * ring, then one 64-bit scratch slot per ring for ring tests.
 */
#define AMDSIM_WB_FENCE(i)	(i)
#define AMDSIM_WB_SCRATCH(i)	(AMDSIM_NUM_RINGS + (i))

/**
 * enum amdsim_domain - where a BO's memory may be
 * @AMDSIM_DOMAIN_VRAM: device memory, preferred when allowed
 * @AMDSIM_DOMAIN_GTT: system memory (TTM's pages) seen through the GART
 *
 * A BO evicted from the GART when it is full is in neither: its pages are
 * in system memory, unseen by the GPU (amdsim_bo_domain() gives 0), until
 * its next use places it again.
 */
enum amdsim_domain {
	AMDSIM_DOMAIN_VRAM = BIT(0),
	AMDSIM_DOMAIN_GTT = BIT(1),
};

/**
 * struct amdsim_config - the simulated hardware's sizes
 * @vram_size: bytes of VRAM, a multiple of PAGE_SIZE
 * @gtt_size: bytes of GART aperture, a multiple of PAGE_SIZE
 * @ring_dw: dwords of each ring, a power of two, at least 256
 */
struct amdsim_config {
	size_t vram_size;
	size_t gtt_size;
	u32 ring_dw;
};

struct amdsim_device;

/**
 * struct amdsim_ring - a ring buffer, the driver's side of a CP
 * @adev: the device
 * @idx: index in &amdsim_device.rings
 * @name: for the hardware timeline and the queue
 * @buf: the ring memory, @size_dw dwords
 * @size_dw: a power of two
 * @mask: @size_dw - 1
 * @lock: the driver's side: @wptr, @wptr_old, the fence state, @stopped;
 *	taken with interrupts off (the interrupt handler takes it)
 * @wptr: free-running count of dwords written by the driver
 * @wptr_old: @wptr at the last amdsim_ring_alloc(), for amdsim_ring_undo()
 * @sync_seq: the last seqno emitted
 * @last_seq: the last seqno retired (its fence signalled)
 * @fences: signallers of the hardware fences in flight, by seqno modulo
 *	%AMDSIM_NUM_FENCES
 * @fence_cpu: the ring's fence memory, as the CPU reads it
 * @fence_gpu: its GPU address, where FENCE packets write
 * @tl: timeline of the hardware fences
 * @stopped: the ring was stopped (hang recovery, unplug); nothing is
 *	emitted until a new queue takes the ring
 * @stop_error: the error emission fails with while @stopped
 * @resets: ring resets so far
 * @gq: the gpucore queue in front, while it or one of its jobs lives;
 *	under &amdsim_device.rings_lock
 * @queue_live: @gq was not destroyed yet; under the same lock
 * @nr_jobs: jobs of @gq not freed yet; under the same lock
 */
struct amdsim_ring {
	struct amdsim_device *adev;
	unsigned int idx;
	char name[24];
	u32 *buf;
	u32 size_dw;
	u32 mask;

	spinlock_t lock;	/* wptr, fences, seqnos, stopped */
	u32 wptr;
	u32 wptr_old;
	u64 sync_seq;
	u64 last_seq;
	struct gc_fence_signaller fences[AMDSIM_NUM_FENCES];
	u64 *fence_cpu;
	u64 fence_gpu;
	struct gc_timeline *tl;
	bool stopped;
	int stop_error;
	unsigned int resets;

	struct gc_queue *gq;
	bool queue_live;
	unsigned int nr_jobs;
};

/**
 * struct amdsim_device - one simulated GPU
 * @drm: the DRM device its BOs belong to
 * @gdev: gpucore's state: tracking scope, queues, unplug gate
 * @cfg: the sizes it was created with
 * @hw: the simulated hardware
 * @ttm: the TTM device: its VRAM manager, and its GART manager, whose
 *	first page is the writeback page's
 * @vram: the VRAM as the CPU sees it (amdsim_hw_vram())
 * @wb_page: the writeback page
 * @wb: its kernel address
 * @nr_bos: BOs whose GEM object was not freed yet
 * @nr_ttm_bos: BOs TTM has not destroyed yet: those of @nr_bos, and those
 *	whose destruction waits for their fences
 * @evictions: BOs moved out of VRAM to make room
 * @rings: the rings
 * @rings_lock: ring ownership (&amdsim_ring.gq and what goes with it) and
 *	hang recovery
 */
struct amdsim_device {
	struct drm_device drm;
	struct gc_device gdev;
	struct amdsim_config cfg;
	struct amdsim_hw *hw;

	struct ttm_device ttm;
	void *vram;
	struct page *wb_page;
	u64 *wb;
	atomic_t nr_bos;
	atomic_t nr_ttm_bos;
	atomic_t evictions;

	struct amdsim_ring rings[AMDSIM_NUM_RINGS];
	struct mutex rings_lock;	/* ring ownership, recovery */
};

/**
 * struct amdsim_bo - a buffer object
 * @tbo: the TTM BO; its GEM object, @tbo.base, is the one user space and
 *	gpucore see, and its reservation is the BO's lock
 * @gc: gpucore's state
 * @domains: where the BO may be used by the GPU (&enum amdsim_domain)
 * @vaddr: the kernel address of its memory while it is placed: in VRAM, or
 *	a mapping of its pages; NULL before its first placement
 *
 * Where the BO is and @vaddr are under the reservation; @vaddr and the GPU
 * address stay valid without it while the BO is pinned.
 */
struct amdsim_bo {
	struct ttm_buffer_object tbo;
	struct gc_bo gc;
	u32 domains;
	void *vaddr;
};

/**
 * struct amdsim_job_bo - a BO a job uses
 * @bo: the BO, pinned by the caller (amdsim_bo_pin()) while it builds the
 *	job's packets with its GPU address
 * @access: how the job uses it
 */
struct amdsim_job_bo {
	struct amdsim_bo *bo;
	enum gc_access access;
};

/**
 * struct amdsim_job_desc - what amdsim_job_submit() runs
 * @ib: the job's packets
 * @ib_dw: their length in dwords, 1 to %AMDSIM_IB_DW
 * @bos: the BOs the packets address
 * @nr_bos: entries in @bos, at most %AMDSIM_JOB_BOS
 * @dep: a fence the job waits for, or NULL
 */
struct amdsim_job_desc {
	const u32 *ib;
	u32 ib_dw;
	const struct amdsim_job_bo *bos;
	unsigned int nr_bos;
	struct dma_fence *dep;
};

/**
 * struct amdsim_job - a job: packets copied to the ring when it runs
 * @base: gpucore's job
 * @ring: the ring; the job is counted in &amdsim_ring.nr_jobs
 * @ib: the packets
 * @ib_dw: their length
 * @pins: the job's own references to its BOs, each with a pin taken at
 *	submission, both released in free_job
 * @nr_pins: entries in @pins
 * @seq: the seqno of its FENCE, 0 until it runs
 */
struct amdsim_job {
	struct gc_job base;
	struct amdsim_ring *ring;
	u32 ib[AMDSIM_IB_DW];
	u32 ib_dw;
	struct gc_bo_ref pins[AMDSIM_JOB_BOS];
	unsigned int nr_pins;
	u64 seq;
};

static inline struct amdsim_device *to_amdsim_device(struct drm_device *drm)
{
	return container_of(drm, struct amdsim_device, drm);
}

static inline struct amdsim_bo *to_amdsim_bo(struct gc_bo *bo)
{
	return container_of(bo, struct amdsim_bo, gc);
}

static inline struct amdsim_bo *ttm_to_amdsim_bo(struct ttm_buffer_object *tbo)
{
	return container_of(tbo, struct amdsim_bo, tbo);
}

static inline struct amdsim_bo *gem_to_amdsim_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct amdsim_bo, tbo.base);
}

/* amdgpu_drv.c */
struct amdsim_device *amdsim_device_create(struct device *parent,
					   const struct amdsim_config *cfg);
void amdsim_device_unplug(struct amdsim_device *adev);
unsigned int amdsim_device_fini(struct amdsim_device *adev);
int amdsim_ring_test(struct amdsim_ring *ring);

/* amdgpu_mem.c */
int amdsim_mem_init(struct amdsim_device *adev);
void amdsim_mem_fini(struct amdsim_device *adev);
u64 amdsim_wb_gpu_addr(struct amdsim_device *adev, unsigned int slot);
extern const struct ttm_place amdsim_place_vram, amdsim_place_gtt;

/* amdgpu_bo.c */
struct gc_bo_unique amdsim_bo_create(struct amdsim_device *adev, size_t size, u32 domains);
int amdsim_bo_pin(struct amdsim_bo *bo, u64 *gpu_addr);
void amdsim_bo_unpin(struct amdsim_bo *bo);
u32 amdsim_bo_domain(struct amdsim_bo *bo);

/* amdgpu_ring.c */
int amdsim_ring_init(struct amdsim_ring *ring, struct amdsim_device *adev, unsigned int idx);
void amdsim_ring_fini(struct amdsim_ring *ring);
int amdsim_ring_alloc(struct amdsim_ring *ring, u32 ndw);
void amdsim_ring_write(struct amdsim_ring *ring, const u32 *dw, u32 ndw);
void amdsim_ring_undo(struct amdsim_ring *ring);
void amdsim_ring_commit(struct amdsim_ring *ring);
void amdsim_ring_reset(struct amdsim_ring *ring);
u32 amdsim_ring_rptr(struct amdsim_ring *ring);

/* amdgpu_fence.c */
int amdsim_ring_emit(struct amdsim_ring *ring, const u32 *ib, u32 ndw,
		     struct gc_fence_signaller *sig, u64 *seq);
int amdsim_fence_emit(struct amdsim_ring *ring, struct gc_fence_signaller *sig, u64 *seq);
void amdsim_fence_process(struct amdsim_ring *ring);
bool amdsim_fence_passed(struct amdsim_ring *ring, u64 seq);
void amdsim_fence_force_completion(struct amdsim_ring *ring, int error);
unsigned int amdsim_fence_pending(struct amdsim_ring *ring);

/* amdgpu_job.c */
struct amdsim_ring *amdsim_queue_create(struct amdsim_device *adev, unsigned int timeout_ms);
void amdsim_queue_destroy(struct amdsim_ring *ring);
struct gc_fence_ref amdsim_job_submit(struct amdsim_ring *ring,
				      const struct amdsim_job_desc *desc);
void amdsim_ring_recover(struct amdsim_ring *ring, int error);

#endif /* _AMDGPU_H_ */
