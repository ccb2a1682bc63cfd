// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Per-device state: the tracking scope, the queues, unplug and teardown. */

#include <linux/module.h>
#include <drm/drm_drv.h>

#include <gpucore/device.h>
#include <gpucore/queue.h>

#include "internal.h"

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
	spin_lock_init(&gdev->idle_lock);
	gdev->nr_queues = 0;
	init_waitqueue_head(&gdev->idle);
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
		/* A queue whose last job is gone is being torn down: nothing to stop. */
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

/**
 * gc_device_fini() - wait for the device's queues to go, report leaks
 * @gdev: the device; every queue must have been destroyed
 *
 * Waits until every queue has been torn down (each after its last job),
 * then ends the device's tracking scope: every owned reference to one of
 * the device's objects still held is reported with the stack that took
 * it.
 *
 * Context: process context; may sleep.
 * Return: the number of leaked references (always 0 without
 * CONFIG_DRM_GPUCORE_DEBUG).
 */
unsigned int gc_device_fini(struct gc_device *gdev)
{
	/*
	 * The condition is checked under idle_lock, which a queue's teardown
	 * releases last: once it reads 0, no teardown touches @gdev again.
	 */
	spin_lock_irq(&gdev->idle_lock);
	wait_event_lock_irq(gdev->idle, !gdev->nr_queues, gdev->idle_lock);
	spin_unlock_irq(&gdev->idle_lock);
	mutex_destroy(&gdev->lock);
	return gc_track_dir_exit(&gdev->refs);
}
EXPORT_SYMBOL_NS_GPL(gc_device_fini, GPUCORE_NS);
