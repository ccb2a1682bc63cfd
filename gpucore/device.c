// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Per-device state: the tracking scope, the queues and VMs, unplug and
 * teardown.
 */

#include <linux/jiffies.h>
#include <linux/module.h>
#include <drm/drm_drv.h>

#include <gpucore/device.h>
#include <gpucore/queue.h>
#include <gpucore/vm.h>

#include "internal.h"

#define GC_FINI_TIMEOUT_MS	10000

static unsigned int gc_fini_timeout_ms = GC_FINI_TIMEOUT_MS;
module_param_named(fini_timeout_ms, gc_fini_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fini_timeout_ms,
		 "Time a device teardown waits for its queues and VMs before it reports those still held, and between two reports, in ms (default 10000)");

/**
 * gc_device_init() - initialise gpucore's state of a DRM device
 * @gdev: the state, embedded in the driver's device structure
 * @drm: the DRM device
 *
 * Context: process context.
 */
void gc_device_init(struct gc_device *gdev, struct drm_device *drm)
{
	gdev->drm = drm;
	gc_track_dir_init(&gdev->refs, drm->driver->name);
	mutex_init(&gdev->lock);
	INIT_LIST_HEAD(&gdev->queues);
	INIT_LIST_HEAD(&gdev->vms);
	spin_lock_init(&gdev->idle_lock);
	gdev->nr_queues = 0;
	gdev->nr_vms = 0;
	init_waitqueue_head(&gdev->idle);
	gdev->fini_timeout_ms = 0;
}
EXPORT_SYMBOL_NS_GPL(gc_device_init, GPUCORE_NS);

/**
 * gc_device_unplug() - the hardware is gone: fail all work, refuse new work
 * @gdev: the device
 *
 * Unplugs the DRM device (drm_dev_unplug(), which waits until no code is
 * inside the device gate), then has each queue's backend complete the jobs
 * on the hardware with -ENODEV. Queued jobs fail the gate and complete
 * with -ENODEV; gc_job_init() fails with -ENODEV. Open files, their BOs,
 * VMs and queues stay valid until closed.
 *
 * Context: process context; may sleep.
 */
void gc_device_unplug(struct gc_device *gdev)
{
	struct gc_queue *queue;

	drm_dev_unplug(gdev->drm);
	mutex_lock(&gdev->lock);
	list_for_each_entry(queue, &gdev->queues, link) {
		WRITE_ONCE(queue->unplugged, true);
		/* A queue whose last reference is gone is being released: no more ops. */
		if (!kref_get_unless_zero(&queue->kref))
			continue;
		if (queue->ops->stop)
			queue->ops->stop(queue, -ENODEV);
		wake_up_all(&queue->space);
		gc_queue_put(queue);
	}
	mutex_unlock(&gdev->lock);
}
EXPORT_SYMBOL_NS_GPL(gc_device_unplug, GPUCORE_NS);

static bool gc_device_idle(struct gc_device *gdev)
{
	lockdep_assert_held(&gdev->idle_lock);
	return !gdev->nr_queues && !gdev->nr_vms;
}

/*
 * Name every queue and VM of @gdev still held, with what holds it: the
 * objects stay listed, under the lock, until their memory is freed.
 */
static void gc_device_report_held(struct gc_device *gdev, unsigned int waited_ms)
{
	struct gc_report_stack stack = { .what = "created" };
	struct gc_queue *queue;
	struct gc_vm *vm;

	mutex_lock(&gdev->lock);
	list_for_each_entry(queue, &gdev->queues, link) {
		stack.stack = queue->created;
		gc_report(GC_REPORT_STILL_HELD, &stack, 1,
			  "%s: queue %s still held after %u ms: %u references (%s, %d jobs)",
			  gdev->drm->driver->name, queue->name, waited_ms,
			  kref_read(&queue->kref),
			  queue->dying ? "destroyed" : "never destroyed",
			  atomic_read(&queue->nr_jobs));
	}
	list_for_each_entry(vm, &gdev->vms, link) {
		stack.stack = vm->created;
		gc_report(GC_REPORT_STILL_HELD, &stack, 1,
			  "%s: VM %p still held after %u ms: %u references (%s)",
			  gdev->drm->driver->name, vm, waited_ms, kref_read(&vm->kref),
			  vm->destroyed ? "destroyed" : "never destroyed");
	}
	mutex_unlock(&gdev->lock);
}

/**
 * gc_device_fini() - wait for the device's queues and VMs to go, report leaks
 * @gdev: the device; every queue and VM must have been destroyed
 *
 * Waits until every queue has been torn down (each after its last
 * reference, its last job's included) and every VM freed (each after its
 * last reference, its deferred mappings' included), then ends the device's
 * tracking scope: every owned reference to one of the device's objects
 * still held is reported with the stack that took it.
 *
 * While something is still held after &gc_device.fini_timeout_ms it is
 * reported, and again after each further period; the wait goes on, since
 * freeing an object under its holder would be a use after free.
 *
 * Context: process context; may sleep.
 * Return: the number of leaked references (always 0 without
 * CONFIG_DRM_GPUCORE_DEBUG).
 */
unsigned int gc_device_fini(struct gc_device *gdev)
{
	unsigned int period = gdev->fini_timeout_ms ?: READ_ONCE(gc_fini_timeout_ms) ?:
			      GC_FINI_TIMEOUT_MS;
	unsigned int waited = 0;

	/*
	 * The condition is checked under idle_lock, which a queue's or VM's
	 * teardown releases last: once it holds, no teardown touches @gdev
	 * again.
	 */
	spin_lock_irq(&gdev->idle_lock);
	while (!wait_event_lock_irq_timeout(gdev->idle, gc_device_idle(gdev), gdev->idle_lock,
					    msecs_to_jiffies(period))) {
		spin_unlock_irq(&gdev->idle_lock);
		waited += period;
		gc_device_report_held(gdev, waited);
		spin_lock_irq(&gdev->idle_lock);
	}
	spin_unlock_irq(&gdev->idle_lock);
	mutex_destroy(&gdev->lock);
	return gc_track_dir_exit(&gdev->refs);
}
EXPORT_SYMBOL_NS_GPL(gc_device_fini, GPUCORE_NS);
