// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The release contract: a backend's queue state stays valid for every op
 * until its release op, which runs once, after the last reference; a
 * queue and a VM outlive the file that made them while their work runs;
 * gc_device_fini() waits for queues and VMs, and names those still held
 * once its timeout has passed instead of hanging silently.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/workqueue.h>
#include <drm/drm_gem.h>

#include <gpucore/shmem.h>
#include <gpucore/vm.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000
#define VA_BASE		0x100000ULL
#define VA_SIZE		0x1000000ULL
#define FINI_MS		50

/*
 * Ops after gc_queue_destroy() reach the backend with its state valid: a
 * stop (unplug) while a reference taken with gc_queue_get() and a running
 * job hold the queue, then the job's free. The release waits for the last
 * reference, then runs once (mock_gpu_fini() checks the count).
 */
static void release_ops_after_destroy(struct kunit *test)
{
	struct gc_fence_ref running, queued;
	struct mock_ring *ring;
	struct gc_queue *held;
	struct mock_gpu gpu;
	unsigned int n;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	running = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	queued = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));
	held = gc_queue_get(ring->queue);
	mock_ring_destroy(ring);

	/* The queue is destroyed: the unplug still stops its hardware. */
	gc_device_unplug(&gpu.gdev);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 1);
	KUNIT_EXPECT_GT(test, wait_done(&running), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&running), -ENODEV);
	KUNIT_EXPECT_GT(test, wait_done(&queued), 0L);
	/* Cancelled by the destroy or failed by the unplug, whichever came first. */
	KUNIT_EXPECT_LT(test, done_status(&queued), 0);

	/* Both jobs are freed; the reference still holds the backend's state. */
	for (n = 0; n < 500 && atomic_read(&gpu.frees) < 2; n++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 2);
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->releases), 0);
	gc_queue_put(held);
	gc_queue_put(NULL);
	gc_fence_put(&running);
	gc_fence_put(&queued);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->ops_after_release), 0);
	gc_expect_no_reports(test);
}

/*
 * A queue and a VM outlive the file that made them: the file closes (its
 * BO handle with it) and destroys both while a job that uses the VM and
 * the BO runs; the job completes normally, then the queue is released and
 * the VM freed, and gc_device_fini() finds nothing left.
 */
static void release_outlive_file(struct kunit *test)
{
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	struct mock_ring *ring;
	struct drm_file *file;
	struct gc_bo_ref ref;
	struct mock_gpu gpu;
	struct gc_vm *vm;
	struct gc_bo *bo;
	u32 handle;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	vm = gc_vm_create(&gpu.gdev, VA_BASE, VA_SIZE, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	ref = mock_gpu_file_bo(test, &gpu, file, &handle);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, bo, 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ | GC_VM_WRITE), 0);
	pending = gc_job_init(&mock_job_alloc(test, ring)->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, vm), 0);
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, bo, GC_ACCESS_WRITE), 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	/* The file closes: its handle, then its queue and VM, as a postclose does. */
	gc_bo_put(&ref);
	gc_mock_file_close(test, file);
	mock_ring_destroy(ring);
	gc_vm_destroy(vm);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&done)));
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->stops), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->releases), 0);

	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), 1);
	gc_fence_put(&done);
	/* Waits for the queue's release and the VM's free, with the BO's last pin. */
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

/* A second destroy of a queue or a VM is a double put: reported, ignored. */
static void release_destroy_twice(struct kunit *test)
{
	struct mock_ring *ring;
	struct gc_queue *queue;
	struct gc_vm *vm, *held;
	struct mock_gpu gpu;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	queue = gc_queue_get(ring->queue);
	mock_ring_destroy(ring);
	gc_queue_destroy(queue);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	gc_queue_put(queue);

	vm = gc_vm_create(&gpu.gdev, VA_BASE, VA_SIZE, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	held = gc_vm_get(vm);
	gc_vm_destroy(vm);
	gc_vm_destroy(vm);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 2u);
	gc_vm_put(held);
	mock_gpu_fini(test, &gpu);
}

/* gc_device_fini() in a worker, so that the case can watch it wait. */
struct fini_waiter {
	struct work_struct work;
	struct gc_device *gdev;
	struct completion done;
	unsigned int leaks;
};

static void fini_waiter_work(struct work_struct *work)
{
	struct fini_waiter *w = container_of(work, struct fini_waiter, work);

	w->leaks = gc_device_fini(w->gdev);
	complete(&w->done);
}

/* Wait until the case caught at least @n reports of objects still held. */
static bool wait_held_reports(struct kunit *test, unsigned int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (READ_ONCE(GC_REPORTS(test, GC_REPORT_STILL_HELD)) < n) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

/*
 * A queue and a VM held past the fini timeout: gc_device_fini() reports
 * each, keeps waiting and reports again; once the queue is put it still
 * waits for the VM, reported with the stack of this case, which created
 * it (debug builds); once the VM is put it returns.
 */
static void release_fini_reports_held(struct kunit *test)
{
	struct fini_waiter w = { .leaks = UINT_MAX };
	struct gc_queue *queue;
	struct mock_ring *ring;
	struct gc_vm *vm, *held;
	struct mock_gpu gpu;
	unsigned int n;

	mock_gpu_init(test, &gpu);
	gpu.gdev.fini_timeout_ms = FINI_MS;
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);
	queue = gc_queue_get(ring->queue);
	mock_ring_destroy(ring);
	vm = gc_vm_create(&gpu.gdev, VA_BASE, VA_SIZE, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	held = gc_vm_get(vm);
	gc_vm_destroy(vm);

	INIT_WORK_ONSTACK(&w.work, fini_waiter_work);
	init_completion(&w.done);
	w.gdev = &gpu.gdev;
	queue_work(system_unbound_wq, &w.work);

	/* One report per object per period, repeated while they are held. */
	KUNIT_EXPECT_TRUE(test, wait_held_reports(test, 4));
	KUNIT_EXPECT_FALSE(test, completion_done(&w.done));

	gc_queue_put(queue);
	n = READ_ONCE(GC_REPORTS(test, GC_REPORT_STILL_HELD));
	KUNIT_EXPECT_TRUE(test, wait_held_reports(test, n + 2));
	KUNIT_EXPECT_FALSE(test, completion_done(&w.done));
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->releases), 1);
	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG))
		KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_STILL_HELD,
							    "release_fini_reports_held"));

	gc_vm_put(held);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&w.done, 10 * HZ), 0UL);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	KUNIT_EXPECT_EQ(test, w.leaks, 0u);
	KUNIT_EXPECT_EQ(test, atomic_read(&ring->releases), 1);
	/* mock_gpu_fini() but for the device, which the worker finished. */
	cancel_delayed_work_sync(&ring->auto_work);
	gc_timeline_put(ring->tl);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 0u);
}

static struct kunit_case gc_release_cases[] = {
	KUNIT_CASE(release_ops_after_destroy),
	KUNIT_CASE(release_outlive_file),
	KUNIT_CASE(release_destroy_twice),
	KUNIT_CASE(release_fini_reports_held),
	{}
};

static struct kunit_suite gc_release_suite = {
	.name = "gpucore_release",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_release_cases,
};

kunit_test_suite(gc_release_suite);
