/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_VM_H_
#define _GPUCORE_VM_H_

#include <linux/dma-resv.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/stackdepot.h>
#include <linux/workqueue.h>
#include <drm/drm_mm.h>

#include <gpucore/bo.h>
#include <gpucore/device.h>
#include <gpucore/fence.h>

/**
 * DOC: GPU virtual memory
 *
 * A &struct gc_vm is one GPU address space (one per DRM file, typically):
 * ranges of BOs bound at GPU virtual addresses. The rules:
 *
 * - A mapping owns a pin of its BO (&struct gc_bo_pin), hence a reference:
 *   the BO and its backing pages live as long as the mapping, whatever the
 *   handles and the driver's references do.
 * - Work that uses the VM adds its done fence with gc_vm_add_fence().
 *   Unbinding a range while such work is unfinished is deferred: the range
 *   stays reserved and mapped until that work's fences signal, then it is
 *   torn down from a worker, in process context.
 * - gc_vm_destroy() consumes the creator's reference and unbinds
 *   everything under the same rule; the VM is freed after its last
 *   reference: the deferred mappings', the jobs' and those taken with
 *   gc_vm_get(), each dropped once with gc_vm_put(). gc_device_fini()
 *   waits for that.
 *
 * The backend's page-table updates are the &struct gc_vm_ops callbacks,
 * called with the VM lock held, in process context.
 */

struct gc_vm;

/**
 * define GC_VM_READ - the GPU may read through the mapping
 */
#define GC_VM_READ	BIT(0)
/**
 * define GC_VM_WRITE - the GPU may write through the mapping
 */
#define GC_VM_WRITE	BIT(1)

/**
 * struct gc_vm_mapping - a BO range bound into a VM
 * @node: the VA range; @node.start is the GPU VA, @node.size the length
 * @pin: the mapping's pin of its BO (and reference to it)
 * @sgt: the pages of the mapped range (its first page is the one at
 *	@bo_offset in the BO), or NULL if the BO has no get_sg_table operation
 * @bo_offset: offset of the range in the BO
 * @flags: %GC_VM_READ, %GC_VM_WRITE
 * @link: in the VM's list of live or deferred mappings
 * @vm: the VM
 * @busy: when deferred, the fence whose signal lets it go: the work that
 *	used the VM at the unbind
 * @cb: callback on @busy
 */
struct gc_vm_mapping {
	struct drm_mm_node node;
	struct gc_bo_pin pin;
	struct sg_table *sgt;
	u64 bo_offset;
	u32 flags;
	struct list_head link;
	struct gc_vm *vm;
	struct gc_fence_ref busy;
	struct dma_fence_cb cb;
};

/**
 * struct gc_vm_ops - page-table updates of a backend
 * @map: make @m's range translate to its BO pages; may fail (the bind then
 *	fails and nothing stays bound)
 * @unmap: remove @m's translations; the GPU no longer uses them
 */
struct gc_vm_ops {
	int (*map)(struct gc_vm *vm, const struct gc_vm_mapping *m);
	void (*unmap)(struct gc_vm *vm, const struct gc_vm_mapping *m);
};

/**
 * struct gc_vm - a GPU address space
 * @kref: held by the creator, by each deferred mapping and by @reap_work
 *	while it is queued or running
 * @lock: protects @mm, @mappings, @deferred and the page tables
 * @mm: the VA allocator
 * @mappings: live mappings
 * @deferred: mappings unbound while work was in flight
 * @resv: fences of the work that uses the VM
 * @reap_work: tears down deferred mappings whose work finished
 * @ops: the backend's page-table updates, or NULL
 * @priv: the backend's data
 * @gdev: the device, which waits for the VM in gc_device_fini()
 * @link: in the device's list of VMs, under &gc_device.lock
 * @destroyed: gc_vm_destroy() was called; under &gc_device.lock
 * @created: stack depot handle of the creator's stack (debug builds), for
 *	gc_device_fini()'s report of a VM still held
 */
struct gc_vm {
	struct kref kref;
	struct mutex lock;	/* mm, mappings, deferred, page tables */
	struct drm_mm mm;
	struct list_head mappings;
	struct list_head deferred;
	struct dma_resv resv;
	struct work_struct reap_work;
	const struct gc_vm_ops *ops;
	void *priv;
	struct gc_device *gdev;
	struct list_head link;
	bool destroyed;
	depot_stack_handle_t created;
};

struct gc_vm *gc_vm_create(struct gc_device *gdev, u64 start, u64 size,
			   const struct gc_vm_ops *ops, void *priv);
void gc_vm_destroy(struct gc_vm *vm);
struct gc_vm *gc_vm_get(struct gc_vm *vm);
void gc_vm_put(struct gc_vm *vm);
int gc_vm_bind(struct gc_vm *vm, struct gc_bo *bo, u64 bo_offset, u64 va, u64 size,
	       u32 flags);
int gc_vm_unbind(struct gc_vm *vm, u64 va, u64 size);
int gc_vm_add_fence(struct gc_vm *vm, struct dma_fence *fence);
struct gc_vm_mapping *gc_vm_find(struct gc_vm *vm, u64 va);
unsigned int gc_vm_nr_deferred(struct gc_vm *vm);
void gc_vm_flush(struct gc_vm *vm);

#endif /* _GPUCORE_VM_H_ */
