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
 * - gc_device_fini() waits until every queue and every VM of the device
 *   is released, then reports each owned reference still held in the
 *   device's scope. The references gpucore holds to BOs (a job's, a
 *   mapping's) go with those queues and VMs, so once it returns no BO is
 *   held by gpucore: the DRM device may go.
 *
 * gc_device_fini() never frees an object someone still holds: that would
 * be a use after free. If a queue or a VM is still held after
 * &gc_device.fini_timeout_ms, it reports each one (its name or address,
 * its references, the stack that created it in debug builds) and keeps
 * waiting, reporting again after each further period.
 */

/**
 * struct gc_device - gpucore state of a DRM device
 * @drm: the DRM device
 * @refs: tracking scope of the device's objects
 * @lock: protects @queues, @vms and the queues' &gc_queue.dying
 * @queues: queues not yet torn down
 * @vms: VMs not yet freed
 * @idle_lock: protects @nr_queues and @nr_vms; the last thing the teardown
 *	of a queue or a VM touches
 * @nr_queues: queues not yet torn down
 * @nr_vms: VMs not yet freed
 * @idle: woken when a queue or a VM finishes its teardown
 * @fini_timeout_ms: how long gc_device_fini() waits before it reports what
 *	is still held (and again after each such period); 0, as set by
 *	gc_device_init(), for gpucore's fini_timeout_ms module parameter
 */
struct gc_device {
	struct drm_device *drm;
	struct gc_track_dir refs;
	struct mutex lock;		/* queues, vms, gc_queue.dying */
	struct list_head queues;
	struct list_head vms;
	spinlock_t idle_lock;		/* nr_queues, nr_vms */
	unsigned int nr_queues;
	unsigned int nr_vms;
	wait_queue_head_t idle;
	unsigned int fini_timeout_ms;
};

void gc_device_init(struct gc_device *gdev, struct drm_device *drm);
void gc_device_unplug(struct gc_device *gdev);
unsigned int gc_device_fini(struct gc_device *gdev);

#endif /* _GPUCORE_DEVICE_H_ */
