/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A mock backend for the queue suites: each queue has a ring whose jobs
 * complete when the test says so, or after a delay, or never (a hang).
 */
#ifndef _GPUCORE_MOCK_GPU_H_
#define _GPUCORE_MOCK_GPU_H_

#include <linux/completion.h>
#include <linux/workqueue.h>

#include <gpucore/device.h>
#include <gpucore/queue.h>

#include "mock_drm.h"

struct mock_gpu {
	struct gc_mock_device *mdev;
	struct gc_device gdev;
	atomic_t runs;		/* jobs started on any ring */
	atomic_t frees;		/* jobs freed */
	atomic_t frees_in_irq;	/* jobs freed outside process context */
	atomic_t order;		/* run order stamp source */
	struct list_head rings;	/* every ring created, freed by mock_gpu_fini() */
};

struct mock_ring {
	struct mock_gpu *gpu;
	struct gc_queue *queue;
	struct gc_timeline *tl;		/* hardware fences */
	spinlock_t lock;		/* running */
	struct list_head running;
	unsigned int auto_ms;		/* complete jobs after this long; 0: by hand */
	struct delayed_work auto_work;
	atomic_t stops;
	int last_stop_error;
	bool stop_signalling;		/* last stop ran in a signalling section */
	bool timed_out_signalling;	/* last timed_out did */
	bool queue_created;		/* gc_queue_create() succeeded */
	atomic_t releases;		/* release calls: exactly one per queue */
	atomic_t ops_after_release;	/* ops that found the ring released */
	atomic_t validates;		/* validate calls */
	atomic_t validates_unlocked;	/* ... that found a reservation not held */
	struct list_head link;		/* in gpu->rings */
};

struct mock_job {
	struct gc_job base;
	struct mock_ring *ring;
	struct list_head link;			/* in ring->running */
	struct gc_fence_signaller hw;
	int *run_stamp;				/* if set: run order, from gpu->order */
	bool hang;				/* auto completion skips it */
	bool slow;				/* first timeout: not guilty */
	int fail_run;				/* run returns this error */
	int hw_error;				/* hardware fence error */
	bool *freed;				/* set when freed, if not NULL */
	struct completion *block_run;		/* run waits for it, if set */
	bool run_signalling;			/* run ran in a signalling section */
	struct dma_fence *move;			/* validate moves each BO behind it */
	int validate_error;			/* validate returns this */
};

/* Whether the caller runs inside dma_fence_begin_signalling() (lockdep). */
bool mock_in_signalling(void);

extern const struct gc_queue_ops mock_queue_ops;

void mock_gpu_init(struct kunit *test, struct mock_gpu *gpu);
/*
 * Destroyed queues must have drained: gc_device_fini() and leak check; each
 * ring was released once, and no op reached it afterwards.
 */
void mock_gpu_fini(struct kunit *test, struct mock_gpu *gpu);

struct mock_ring *mock_ring_create(struct kunit *test, struct mock_gpu *gpu,
				   unsigned int hw_jobs, unsigned int max_jobs,
				   unsigned int timeout_ms, unsigned int auto_ms);
void mock_ring_destroy(struct mock_ring *ring);
/* Complete the @n oldest running jobs (hanging ones too); returns how many. */
unsigned int mock_ring_complete(struct mock_ring *ring, unsigned int n);
unsigned int mock_ring_nr_running(struct mock_ring *ring);
/* Wait until at least @n jobs are running on @ring; false on timeout. */
bool mock_ring_wait_running(struct mock_ring *ring, unsigned int n);
/*
 * Wait (10 s at most) until @n jobs were freed: a job's done fence signals
 * before the scheduler frees it.
 */
bool mock_gpu_wait_frees(struct mock_gpu *gpu, int n);

struct mock_job *mock_job_alloc(struct kunit *test, struct mock_ring *ring);
/* A shmem BO of @size on the mock GPU's device, shared; asserts success. */
struct gc_bo_ref mock_gpu_bo(struct kunit *test, struct mock_gpu *gpu, size_t size);
/* A one-page shmem BO published in @file as *@handle; asserts success. */
struct gc_bo_ref mock_gpu_file_bo(struct kunit *test, struct mock_gpu *gpu,
				  struct drm_file *file, u32 *handle);
/* Init + arm + push a mock job; returns its done fence. */
struct gc_fence_ref mock_submit(struct kunit *test, struct mock_ring *ring,
				struct mock_job *job, struct dma_fence *dep);

/* Wait (bounded) for a job's done fence; its status once signalled. */
static inline long wait_done(struct gc_fence_ref *done)
{
	return gc_fence_wait(done, false, 10 * HZ);
}

static inline int done_status(struct gc_fence_ref *done)
{
	return dma_fence_get_status(gc_fence_borrow(done));
}

#endif /* _GPUCORE_MOCK_GPU_H_ */
