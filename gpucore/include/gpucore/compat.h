/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gpucore/compat.h - every difference between the kernels gpucore builds on
 *
 * gpucore, its backends and its test modules build unchanged on Linux 6.1
 * (Debian 12) and 6.12 (Debian 12's backports). Where the kernels differ,
 * the code calls a helper or macro of this header; the GC_HAVE_* switches
 * come from the Kbuild feature probes of gpucore/compat/probes.mk, and no
 * other file tests the kernel version. Each entry says which kernel makes
 * its older branch unnecessary, so that dropping a kernel is a deletion.
 *
 * gpucore's own API is the same on every kernel: these helpers are for the
 * code of this repository, not for drivers built on gpucore, with one
 * exception, GPUCORE_NS, which every driver names.
 *
 * Reaches into drm_sched's private state, because no kernel supported here
 * has a public way (each is documented where it is done):
 *
 * - Up to 6.16, gc_compat_sched_timeout_done() puts a timed-out job back on
 *   &drm_gpu_scheduler.pending_list: drm_sched takes it off before calling
 *   the driver and puts it back only from drm_sched_stop(), which also
 *   forgets the hardware fences of the other pending jobs. From 6.17 the
 *   handler returns DRM_GPU_SCHED_STAT_NO_HANG and drm_sched puts it back.
 * - On 6.1 only, gc_compat_sched_pause() parks &drm_gpu_scheduler.thread;
 *   6.8 has the public drm_sched_wqueue_stop() for it.
 */
#ifndef _GPUCORE_COMPAT_H_
#define _GPUCORE_COMPAT_H_

#include <linux/dma-fence-array.h>
#include <linux/dma-fence.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <drm/drm_mm.h>
#include <drm/drm_prime.h>
#include <drm/gpu_scheduler.h>

/**
 * define GPUCORE_NS - the symbol namespace of gpucore's exports
 *
 * A module that calls gpucore says MODULE_IMPORT_NS(GPUCORE_NS). Up to 6.12
 * the kernel's export and import macros stringify a bare namespace token;
 * from 6.13 they take a string (the token is unnecessary from 6.13).
 */
#ifdef GC_HAVE_NS_STRING
#define GPUCORE_NS	"GPUCORE"
#else
#define GPUCORE_NS	GPUCORE
#endif

/**
 * gc_compat_sched_init() - drm_sched_init() for a one-entity scheduler
 * @sched: the scheduler
 * @ops: its backend operations
 * @credit_limit: jobs (one credit each) on the hardware at once
 * @timeout: the job timeout, in jiffies
 * @name: the scheduler's name
 * @dev: the device, for messages
 *
 * The argument struct is upstream from 6.15 (Debian's 6.1.y has it too);
 * 6.8 to 6.14 take the scheduler's workqueue and run-queue count as
 * arguments, 6.1 takes neither. The defaults are the same everywhere: the
 * scheduler allocates its own ordered submit workqueue (6.8+), the timeout
 * work runs on system_wq, no hang limit, no score.
 *
 * Context: process context; may sleep.
 * Return: 0, or the error of drm_sched_init().
 */
static inline int gc_compat_sched_init(struct drm_gpu_scheduler *sched,
				       const struct drm_sched_backend_ops *ops, u32 credit_limit,
				       long timeout, const char *name, struct device *dev)
{
#if defined(GC_HAVE_SCHED_INIT_ARGS)
	const struct drm_sched_init_args args = {
		.ops = ops,
		.credit_limit = credit_limit,
		.timeout = timeout,
		.name = name,
		.dev = dev,
	};

	return drm_sched_init(sched, &args);
#elif defined(GC_HAVE_SCHED_WQUEUE)
	/* Unnecessary from 6.15 (drm_sched_init_args). */
	return drm_sched_init(sched, ops, NULL, DRM_SCHED_PRIORITY_COUNT, credit_limit, 0,
			      timeout, NULL, NULL, name, dev);
#else
	/* 6.1 without the backport. */
	return drm_sched_init(sched, ops, credit_limit, 0, timeout, NULL, NULL, name, dev);
#endif
}

/**
 * gc_compat_sched_job_init() - drm_sched_job_init() for a one-credit job
 * @job: the job
 * @entity: the entity it is pushed to
 * @owner: the owner, for the scheduler's accounting, or %NULL
 *
 * 6.7 counts a job's cost in credits; gpucore's jobs cost one each, as on
 * 6.1, where every job is one hardware submission.
 *
 * Context: process context; may sleep.
 * Return: 0, or the error of drm_sched_job_init().
 */
static inline int gc_compat_sched_job_init(struct drm_sched_job *job,
					   struct drm_sched_entity *entity, void *owner)
{
#if defined(GC_HAVE_SCHED_JOB_CLIENT_ID)
	/*
	 * The client id only labels the scheduler's trace events; gpucore's
	 * jobs are not tied to a DRM file, so none is given.
	 */
	return drm_sched_job_init(job, entity, 1, owner, 0);
#elif defined(GC_HAVE_SCHED_JOB_CREDITS)
	/* Unnecessary from 6.17 (drm_client_id). */
	return drm_sched_job_init(job, entity, 1, owner);
#else
	/* 6.1: unnecessary from 6.7 (credits). */
	return drm_sched_job_init(job, entity, owner);
#endif
}

/**
 * gc_compat_sched_pause() - stop the scheduler from running and freeing jobs
 * @sched: the scheduler
 *
 * For the timeout handler, which drm_sched calls with its submission side
 * still running: while paused, no run_job or free_job callback runs, and
 * one that was running has returned. From 6.8 the scheduler runs on
 * workqueues and drm_sched_wqueue_stop() is the public way; 6.1 has only
 * its private thread, which is parked (unnecessary from 6.8).
 *
 * Context: process context; may sleep.
 */
static inline void gc_compat_sched_pause(struct drm_gpu_scheduler *sched)
{
#ifdef GC_HAVE_SCHED_WQUEUE
	drm_sched_wqueue_stop(sched);
#else
	kthread_park(sched->thread);
#endif
}

/**
 * gc_compat_sched_resume() - undo gc_compat_sched_pause()
 * @sched: the scheduler
 *
 * Context: process context.
 */
static inline void gc_compat_sched_resume(struct drm_gpu_scheduler *sched)
{
#ifdef GC_HAVE_SCHED_WQUEUE
	drm_sched_wqueue_start(sched);
#else
	kthread_unpark(sched->thread);
#endif
}

/**
 * GC_PLATFORM_REMOVE() - the platform driver's remove callback initializer
 * @fn: a void (*)(struct platform_device *) on every kernel
 *
 * .remove from 6.11, .remove_new before (unnecessary from 6.11).
 */
#ifdef GC_HAVE_PLATFORM_REMOVE_VOID
#define GC_PLATFORM_REMOVE(fn)	.remove = (fn)
#else
#define GC_PLATFORM_REMOVE(fn)	.remove_new = (fn)
#endif

/**
 * define GC_DRM_DRIVER_PRIME_MMAP - the drm_driver member that lets user space
 * mmap an exported dma-buf: 6.1 calls the driver's gem_prime_mmap hook;
 * from 6.6 the core does so itself and the hook is gone (unnecessary from
 * 6.6). Stands as an initializer line of its own, comma included.
 */
#ifdef GC_HAVE_DRIVER_GEM_PRIME_MMAP
#define GC_DRM_DRIVER_PRIME_MMAP	.gem_prime_mmap = drm_gem_prime_mmap,
#else
#define GC_DRM_DRIVER_PRIME_MMAP
#endif

/**
 * gc_compat_drm_mm_move_node() - move an allocation to another node
 * @old: the allocated node
 * @new: the node that takes its place; not allocated
 *
 * The allocation keeps its range: drm_mm_replace_node() on 6.1; after its
 * removal, the range is freed and reserved again for @new, which cannot
 * fail while the caller holds the lock that serialises the allocator
 * (unnecessary once 6.1 is dropped: the second branch then stands alone).
 */
static inline void gc_compat_drm_mm_move_node(struct drm_mm_node *old, struct drm_mm_node *new)
{
#ifdef GC_HAVE_DRM_MM_REPLACE_NODE
	drm_mm_replace_node(old, new);
#else
	struct drm_mm *mm = old->mm;

	new->start = old->start;
	new->size = old->size;
	new->color = old->color;
	drm_mm_remove_node(old);
	WARN_ON(drm_mm_reserve_node(mm, new));
#endif
}

/**
 * gc_compat_sched_timeout_done() - hand a timed-out job back to drm_sched
 * @sched: the scheduler
 * @job: the job the timeout handler was called for
 *
 * gpucore's timeout handler recovers by itself: a job that was not hung
 * goes on running, and a guilty one has had its hardware fence completed
 * by the backend's stop. Either way the job must return to the pending
 * list, to be freed through its hardware fence like any other job, and
 * drm_sched must not reset anything. From 6.17 that is what
 * DRM_GPU_SCHED_STAT_NO_HANG means to drm_sched; before, no status does
 * it, so the job is put back by hand (unnecessary from 6.17).
 *
 * Context: the scheduler's timeout handler, with the scheduler paused.
 * Return: the status the handler returns.
 */
static inline enum drm_gpu_sched_stat
gc_compat_sched_timeout_done(struct drm_gpu_scheduler *sched, struct drm_sched_job *job)
{
#ifdef GC_HAVE_SCHED_STAT_NO_HANG
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	spin_lock(&sched->job_list_lock);
	list_add(&job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	return DRM_GPU_SCHED_STAT_NOMINAL;
#endif
}

/**
 * define GC_DRM_DRIVER_DATE - the date initializer of a drm_driver
 *
 * Up to 6.13 DRM_IOCTL_VERSION copies &drm_driver.date out; the member is
 * gone from 6.14 (unnecessary from 6.14). Stands as an initializer line of
 * its own, comma included.
 */
#ifdef GC_HAVE_DRIVER_DATE
#define GC_DRM_DRIVER_DATE	.date = "20260101",
#else
#define GC_DRM_DRIVER_DATE
#endif

/**
 * gc_compat_nth_page() - the page @n pages after @page in one scatterlist entry
 * @page: the entry's first page
 * @n: the offset in pages
 *
 * Up to 6.17 the pages of a range need not be contiguous in the memmap
 * (SPARSEMEM without VMEMMAP), which nth_page() covers; from 6.18 such a
 * range never crosses a memory section and plain arithmetic is right
 * (unnecessary from 6.18).
 *
 * Return: the page.
 */
static inline struct page *gc_compat_nth_page(struct page *page, unsigned long n)
{
#ifdef GC_HAVE_NTH_PAGE
	return nth_page(page, n);
#else
	return page + n;
#endif
}

/**
 * gc_compat_fence_signal() - signal a fence, telling whether it already was
 * @fence: the fence
 *
 * Up to 6.16 dma_fence_signal() returns -EINVAL for a signalled fence; from
 * 6.17 it returns nothing and dma_fence_check_and_signal() tells (the
 * first branch is unnecessary from 6.17).
 *
 * Context: any; takes the fence's lock.
 * Return: true if @fence had been signalled before.
 */
static inline bool gc_compat_fence_signal(struct dma_fence *fence)
{
#ifdef GC_HAVE_FENCE_CHECK_AND_SIGNAL
	return dma_fence_check_and_signal(fence);
#else
	return dma_fence_signal(fence) != 0;
#endif
}

/**
 * gc_compat_fence_array_create() - a fence array that signals when all do
 * @num_fences: the number of fences
 * @fences: the fences; the array takes the references and the array itself
 * @context: the array's fence context
 * @seqno: its sequence number
 *
 * 6.17 dropped signal_on_any, which gpucore never sets (unnecessary from
 * 6.17).
 *
 * Context: may allocate with GFP_KERNEL.
 * Return: the array, or %NULL without memory.
 */
static inline struct dma_fence_array *
gc_compat_fence_array_create(int num_fences, struct dma_fence **fences, u64 context,
			     unsigned int seqno)
{
#ifdef GC_HAVE_FENCE_ARRAY_SIGNAL_ON_ANY
	return dma_fence_array_create(num_fences, fences, context, seqno, false);
#else
	return dma_fence_array_create(num_fences, fences, context, seqno);
#endif
}

#endif /* _GPUCORE_COMPAT_H_ */
