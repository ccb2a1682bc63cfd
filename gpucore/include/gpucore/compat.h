/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gpucore/compat.h - every difference between the kernels gpucore builds on
 *
 * gpucore, its backends and its test modules build unchanged on Linux 6.1
 * (Debian 12), 6.12 (Debian 12's backports) and 7.3 (Debian 13's
 * backports). Where the kernels differ,
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
 * - Up to 6.16, gc_compat_sched_requeue() puts a timed-out job back on
 *   &drm_gpu_scheduler.pending_list: drm_sched takes it off before calling
 *   the driver and puts it back only from drm_sched_stop(), which also
 *   forgets the hardware fences of the other pending jobs. From 6.17 the
 *   handler returns DRM_GPU_SCHED_STAT_NO_HANG and drm_sched puts it back.
 * - On 6.1 only, gc_compat_sched_pause() parks &drm_gpu_scheduler.thread;
 *   6.8 has the public drm_sched_wqueue_stop() for it.
 *
 * What newer kernels offer and gpucore does not need:
 *
 * - &drm_sched_backend_ops.cancel_job (6.17) lets drm_sched_fini() complete
 *   the jobs still pending. gpucore never gets there with a job pending, on
 *   any kernel: every job holds a reference to its queue, and the scheduler
 *   is torn down only when the last one is gone (gpucore/queue.c).
 * - Fence ops that detach when the fence signals (6.17) let a signalled
 *   fence outlive the module of its ops. gpucore's fences implement
 *   &dma_fence_ops.release, which keeps them attached, and pin gpucore's
 *   module until they are freed, on every kernel. Nor do they let a job
 *   publish drm_sched's finished fence instead of its own done fence: that
 *   fence has a release op too (up to 7.3 at least), so it stays attached
 *   to gpu-sched's ops and slab, which nothing keeps loaded once gpucore
 *   and its drivers are gone.
 */
#ifndef _GPUCORE_COMPAT_H_
#define _GPUCORE_COMPAT_H_

#include <linux/dma-fence-array.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/timer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
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
#ifdef GC_HAVE_SCHED_NUM_RQS
		/*
		 * A run queue per priority, as 6.1 always has: from 6.8 the
		 * count is the driver's, and with none, entities cannot be
		 * created (Debian's 6.1.y backport of the struct lacks it).
		 */
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
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
 * 6.1, where every job is one hardware submission. On every supported
 * kernel drm_sched_job_init() zeroes @job before it fills it in, so the
 * caller leaves the drm_sched part as it found it.
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
	/* Unnecessary once 6.12 is dropped (drm_client_id). */
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
 * gc_compat_sched_requeue() - put a timed-out job back on the pending list
 * @sched: the scheduler, paused
 * @job: the job the timeout handler was called for
 *
 * gpucore's timeout handler recovers by itself: a job that was not hung
 * goes on running, and a guilty one has its hardware fence completed by
 * the backend's stop. Either way the job must return to the pending list,
 * to be freed through its hardware fence like any other job, and drm_sched
 * must not reset anything. From 6.17 drm_sched does it itself for a handler
 * that returns gc_compat_sched_timeout_status(); before, the job is put
 * back by hand, before the hardware fence can signal, so that the
 * scheduler's wake-up on completion finds it (unnecessary from 6.17).
 *
 * Context: the scheduler's timeout handler, with the scheduler paused.
 */
static inline void gc_compat_sched_requeue(struct drm_gpu_scheduler *sched,
					   struct drm_sched_job *job)
{
#ifndef GC_HAVE_SCHED_STAT_NO_HANG
	spin_lock(&sched->job_list_lock);
	list_add(&job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
#endif
}

/**
 * gc_compat_sched_timeout_status() - what gpucore's timeout handler returns
 *
 * Return: DRM_GPU_SCHED_STAT_NO_HANG from 6.17, after which drm_sched puts
 * the job back itself and resets nothing (see gc_compat_sched_requeue());
 * DRM_GPU_SCHED_STAT_NOMINAL before.
 */
static inline enum drm_gpu_sched_stat gc_compat_sched_timeout_status(void)
{
#ifdef GC_HAVE_SCHED_STAT_NO_HANG
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
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
 * Up to 6.12 at least, dma_fence_signal() returns -EINVAL for a signalled
 * fence; later kernels (7.3) return nothing from it and tell with
 * dma_fence_check_and_signal() (the second branch is unnecessary once 6.12
 * is dropped).
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
 * Kernels after 6.12 dropped signal_on_any, which gpucore never sets
 * (unnecessary once 6.12 is dropped).
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

/**
 * gc_compat_fence_enable_signaling() - ask a fence's signaller to signal it
 * @fence: the fence
 *
 * dma_fence_enable_sw_signaling() until its rename to
 * dma_fence_enable_signaling() after 6.12 (the first branch is unnecessary
 * once 6.12 is dropped).
 *
 * Context: any.
 */
static inline void gc_compat_fence_enable_signaling(struct dma_fence *fence)
{
#ifdef GC_HAVE_FENCE_ENABLE_SW_SIGNALING
	dma_fence_enable_sw_signaling(fence);
#else
	dma_fence_enable_signaling(fence);
#endif
}

/**
 * gc_compat_fence_lock() - the spinlock a fence signals under
 * @fence: the fence
 *
 * After 6.12 a fence may hold its lock inline and dma_fence_spinlock() finds
 * it; before, &dma_fence.lock points to it (unnecessary once 6.12 is
 * dropped).
 *
 * Return: the lock.
 */
static inline spinlock_t *gc_compat_fence_lock(struct dma_fence *fence)
{
#ifdef GC_HAVE_FENCE_SPINLOCK
	return dma_fence_spinlock(fence);
#else
	return fence->lock;
#endif
}

/**
 * gc_compat_destroy_timer_on_stack() - undo timer_setup_on_stack()
 * @timer: the timer
 *
 * Renamed timer_destroy_on_stack() after 6.12 (the second branch is
 * unnecessary once 6.12 is dropped).
 */
static inline void gc_compat_destroy_timer_on_stack(struct timer_list *timer)
{
#ifdef GC_HAVE_TIMER_DESTROY_ON_STACK
	timer_destroy_on_stack(timer);
#else
	destroy_timer_on_stack(timer);
#endif
}

/**
 * gc_compat_shmem_pins() - how many pins hold a shmem object's pages
 * @shmem: the object
 *
 * For the tests, which check that pages are held and released. Up to 6.12
 * at least, every pin (and kernel mapping) counts in
 * &drm_gem_shmem_object.pages_use_count; later kernels (7.3) count pins in
 * a refcount_t of their own, pages_pin_count, and the use count stays at
 * one (unnecessary once 6.12 is dropped).
 *
 * Return: the count.
 */
static inline unsigned int gc_compat_shmem_pins(struct drm_gem_shmem_object *shmem)
{
#ifdef GC_HAVE_SHMEM_REFCOUNT
	return refcount_read(&shmem->pages_pin_count);
#else
	return shmem->pages_use_count;
#endif
}

/**
 * gc_compat_shmem_vmap_use_count() - how many users a shmem object's vmap has
 * @shmem: the object
 *
 * As gc_compat_shmem_pins(), for the kernel mapping.
 *
 * Return: the count.
 */
static inline unsigned int gc_compat_shmem_vmap_use_count(struct drm_gem_shmem_object *shmem)
{
#ifdef GC_HAVE_SHMEM_REFCOUNT
	return refcount_read(&shmem->vmap_use_count);
#else
	return shmem->vmap_use_count;
#endif
}

/**
 * gc_compat_vm_flags_init() - set the flags of a VMA not yet in any tree
 * @vma: the VMA
 * @flags: its flags
 *
 * From 6.3 &vm_area_struct.vm_flags is written through vm_flags_init() only
 * (unnecessary from 6.3).
 */
static inline void gc_compat_vm_flags_init(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef GC_HAVE_VM_FLAGS_INIT
	vm_flags_init(vma, flags);
#else
	vma->vm_flags = flags;
#endif
}

/**
 * gc_compat_gem_vmap() - map a GEM object into the kernel's address space
 * @obj: the object; it has a vmap callback
 * @map: the mapping
 *
 * The public call, which takes the reservation lock the callback expects:
 * drm_gem_vmap(), or drm_gem_vmap_unlocked() before it took that name
 * (unnecessary once 6.12 is dropped). 6.1 has no public call and its
 * callbacks lock for themselves (unnecessary once 6.1 is dropped).
 *
 * Context: process context; may sleep.
 * Return: 0 or the callback's error.
 */
static inline int gc_compat_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
#if defined(GC_HAVE_GEM_VMAP)
	return drm_gem_vmap(obj, map);
#elif defined(GC_HAVE_GEM_VMAP_UNLOCKED)
	return drm_gem_vmap_unlocked(obj, map);
#else
	return obj->funcs->vmap(obj, map);
#endif
}

/**
 * gc_compat_gem_vunmap() - undo gc_compat_gem_vmap()
 * @obj: the object
 * @map: the mapping
 *
 * Context: process context; may sleep.
 */
static inline void gc_compat_gem_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
#if defined(GC_HAVE_GEM_VMAP)
	drm_gem_vunmap(obj, map);
#elif defined(GC_HAVE_GEM_VMAP_UNLOCKED)
	drm_gem_vunmap_unlocked(obj, map);
#else
	if (obj->funcs->vunmap)
		obj->funcs->vunmap(obj, map);
#endif
}

/**
 * gc_compat_gem_pin() - pin a GEM object's backing storage
 * @obj: the object; it has a pin callback
 *
 * DRM keeps its own pin call internal, so gpucore calls the callback,
 * under the reservation lock from 6.8, where the callback expects it
 * (unnecessary once 6.1 is dropped: the first branch then stands alone).
 *
 * Context: process context; may sleep.
 * Return: 0 or the callback's error.
 */
static inline int gc_compat_gem_pin(struct drm_gem_object *obj)
{
#ifdef GC_HAVE_GEM_PIN_LOCKED
	int ret;

	dma_resv_lock(obj->resv, NULL);
	ret = obj->funcs->pin(obj);
	dma_resv_unlock(obj->resv);
	return ret;
#else
	return obj->funcs->pin(obj);
#endif
}

/**
 * gc_compat_gem_unpin() - undo gc_compat_gem_pin()
 * @obj: the object; it has an unpin callback
 *
 * Context: process context; may sleep.
 */
static inline void gc_compat_gem_unpin(struct drm_gem_object *obj)
{
#ifdef GC_HAVE_GEM_PIN_LOCKED
	dma_resv_lock(obj->resv, NULL);
	obj->funcs->unpin(obj);
	dma_resv_unlock(obj->resv);
#else
	obj->funcs->unpin(obj);
#endif
}

/**
 * gc_compat_gem_pin_holds_resv() - does DRM call GEM pin callbacks locked?
 *
 * Return: true if the pin and unpin callbacks of &drm_gem_object_funcs run
 * with the object's reservation held, as from 6.8; false if the callback
 * locks for itself (unnecessary once 6.1 is dropped).
 */
static inline bool gc_compat_gem_pin_holds_resv(void)
{
#ifdef GC_HAVE_GEM_PIN_LOCKED
	return true;
#else
	return false;
#endif
}

/**
 * gc_compat_gem_vmap_holds_resv() - does DRM call GEM vmap callbacks locked?
 *
 * Return: true if the vmap and vunmap callbacks of &drm_gem_object_funcs
 * run with the object's reservation held, as from 6.2; false if the
 * callback locks for itself (unnecessary once 6.1 is dropped).
 */
static inline bool gc_compat_gem_vmap_holds_resv(void)
{
#if defined(GC_HAVE_GEM_VMAP) || defined(GC_HAVE_GEM_VMAP_UNLOCKED)
	return true;
#else
	return false;
#endif
}

#endif /* _GPUCORE_COMPAT_H_ */
