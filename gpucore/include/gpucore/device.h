/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_DEVICE_H_
#define _GPUCORE_DEVICE_H_

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <gpucore/track.h>

struct drm_device;

/**
 * DOC: devices and unplug
 *
 * A &struct gc_device is gpucore's per-device state, embedded in the
 * driver's device structure. It is the tracking scope of the device's
 * objects and it knows the device's queues, so that:
 *
 * - hardware is only touched inside drm_dev_enter()/drm_dev_exit(): every
 *   queue runs its jobs inside that gate;
 * - gc_device_unplug(), called after drm_dev_unplug(), makes each queue's
 *   backend complete the work on the hardware with -ENODEV; queued work then
 *   fails the gate and completes with -ENODEV too, so every fence signals;
 *   new jobs are refused with -ENODEV. Files stay open and their objects
 *   stay valid until closed;
 * - gc_device_fini() waits for every queue to finish its teardown, then
 *   reports each owned reference still held in the device's scope.
 */

/**
 * struct gc_device - gpucore state of a DRM device
 * @drm: the DRM device
 * @refs: tracking scope of the device's objects
 * @lock: protects @queues
 * @queues: queues not yet torn down
 * @idle_lock: protects @nr_queues; the last thing a queue's teardown touches
 * @nr_queues: queues not yet torn down
 * @idle: woken when a queue finishes its teardown
 */
struct gc_device {
	struct drm_device *drm;
	struct gc_track_dir refs;
	struct mutex lock;		/* queues */
	struct list_head queues;
	spinlock_t idle_lock;		/* nr_queues */
	unsigned int nr_queues;
	wait_queue_head_t idle;
};

void gc_device_init(struct gc_device *gdev, struct drm_device *drm);
void gc_device_unplug(struct gc_device *gdev);
unsigned int gc_device_fini(struct gc_device *gdev);

#endif /* _GPUCORE_DEVICE_H_ */
