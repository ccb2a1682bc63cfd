// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The ioctls of the AGX driver but SUBMIT (agx_job.c): parameters, VMs,
 * BOs and queues. Each checks every field it is given and undoes all it
 * did when it fails.
 */

#include <linux/capability.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <drm/drm_auth.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "agx.h"
#include "sim/agx_sim.h"

/* The uapi structs are fixed: size and 64-bit padding. */
#define AGX_UAPI_SIZE(type, size) \
	static_assert(sizeof(struct type) == (size) && sizeof(struct type) % 8 == 0)

AGX_UAPI_SIZE(drm_agx_params, 56);
AGX_UAPI_SIZE(drm_agx_get_params, 16);
AGX_UAPI_SIZE(drm_agx_vm_create, 8);
AGX_UAPI_SIZE(drm_agx_vm_destroy, 8);
AGX_UAPI_SIZE(drm_agx_vm_bind_op, 40);
AGX_UAPI_SIZE(drm_agx_vm_bind, 24);
AGX_UAPI_SIZE(drm_agx_gem_create, 16);
AGX_UAPI_SIZE(drm_agx_gem_mmap_offset, 16);
AGX_UAPI_SIZE(drm_agx_queue_create, 16);
AGX_UAPI_SIZE(drm_agx_queue_destroy, 8);
AGX_UAPI_SIZE(drm_agx_sync, 16);
AGX_UAPI_SIZE(drm_agx_result, 24);
AGX_UAPI_SIZE(drm_agx_submit, 64);

/* The first versions' sizes, the smallest strides user space may pass. */
static_assert(sizeof(struct drm_agx_vm_bind_op) >= DRM_AGX_VM_BIND_OP_MIN_SIZE);
static_assert(sizeof(struct drm_agx_sync) >= DRM_AGX_SYNC_MIN_SIZE);
static_assert(sizeof(struct drm_agx_result) >= DRM_AGX_RESULT_MIN_SIZE);

/**
 * agx_ioctl_get_params() - DRM_IOCTL_AGX_GET_PARAMS: what the driver supports
 * @drm: the DRM device
 * @data: a &struct drm_agx_get_params
 * @file: the DRM file
 *
 * Writes the first min(@size, sizeof(struct drm_agx_params)) bytes of the
 * parameters and returns the kernel's size in @size.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a non-zero pad, -EFAULT.
 */
int agx_ioctl_get_params(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_agx_get_params *args = data;
	struct drm_agx_params params = {
		.uapi_version = DRM_AGX_UAPI_VERSION,
		.features = DRM_AGX_FEATURE_TIMELINE_SYNCOBJ | DRM_AGX_FEATURE_RESULT_RECORD,
		.va_start = AGX_VA_START,
		.va_end = AGX_VA_END,
		.page_size = PAGE_SIZE,
		.max_queues = AGX_MAX_QUEUES,
		.max_command_bytes = AGX_MAX_COMMAND_BYTES,
		.max_syncs = AGX_MAX_SYNCS,
		.timestamp_frequency = agx_fw_timestamp_frequency(),
	};
	size_t len = min_t(size_t, args->size, sizeof(params));

	if (args->pad)
		return -EINVAL;
	if (copy_to_user(u64_to_user_ptr(args->pointer), &params, len))
		return -EFAULT;
	args->size = sizeof(params);
	return 0;
}

/**
 * agx_vm_destroy() - destroy a VM removed from its file
 * @avm: the VM
 *
 * Unbinds everything; mappings still used by unfinished work go when it is
 * done (gc_vm_destroy()). Queues created on the VM keep the now empty
 * address space: their later work faults.
 *
 * Context: process context; may sleep.
 */
void agx_vm_destroy(struct agx_vm *avm)
{
	gc_vm_destroy(avm->vm);
	kfree(avm);
}

/**
 * agx_ioctl_vm_create() - DRM_IOCTL_AGX_VM_CREATE: create a GPU VM
 * @drm: the DRM device
 * @data: a &struct drm_agx_vm_create
 * @file: the DRM file
 *
 * The VM spans the whole bindable range of &struct drm_agx_params.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for non-zero flags, -ENOMEM, -ENOSPC when the file has
 * AGX_MAX_VMS_PER_FILE VMs, -EBUSY when it has no free id.
 */
int agx_ioctl_vm_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct agx_device *adev = to_agx_device(drm);
	struct drm_agx_vm_create *args = data;
	struct agx_file *af = file->driver_priv;
	struct agx_vm *avm;
	struct gc_vm *vm;
	u32 id;
	int ret;

	if (args->flags)
		return -EINVAL;
	avm = kzalloc(sizeof(*avm), GFP_KERNEL_ACCOUNT);
	if (!avm)
		return -ENOMEM;
	vm = gc_vm_create(&adev->gdev, AGX_VA_START, AGX_VA_END - AGX_VA_START, NULL, NULL);
	if (IS_ERR(vm)) {
		kfree(avm);
		return PTR_ERR(vm);
	}
	avm->vm = vm;

	mutex_lock(&af->lock);
	/* A file kept alive by mmaps after close must not gather VMs. */
	ret = af->nr_vms < AGX_MAX_VMS_PER_FILE ?
	      xa_alloc(&af->vms, &id, avm, xa_limit_32b, GFP_KERNEL_ACCOUNT) : -ENOSPC;
	if (!ret)
		af->nr_vms++;
	mutex_unlock(&af->lock);
	if (ret) {
		agx_vm_destroy(avm);
		return ret;
	}
	args->vm_id = id;
	return 0;
}

/**
 * agx_ioctl_vm_destroy() - DRM_IOCTL_AGX_VM_DESTROY: destroy a GPU VM
 * @drm: the DRM device
 * @data: a &struct drm_agx_vm_destroy
 * @file: the DRM file
 *
 * Allowed while queues use the VM: see agx_vm_destroy(). An unknown id
 * changes nothing.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a non-zero pad, -ENOENT for an unknown VM.
 */
int agx_ioctl_vm_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_agx_vm_destroy *args = data;
	struct agx_file *af = file->driver_priv;
	struct agx_vm *avm;

	if (args->pad)
		return -EINVAL;
	mutex_lock(&af->lock);
	/*
	 * Erase only an entry that is there: erasing an id of an allocating
	 * xarray marks it free, and id 0, never allocated, would be handed out.
	 */
	avm = xa_load(&af->vms, args->vm_id);
	if (avm) {
		xa_erase(&af->vms, args->vm_id);
		af->nr_vms--;
	}
	mutex_unlock(&af->lock);
	if (!avm)
		return -ENOENT;
	agx_vm_destroy(avm);
	return 0;
}

static int agx_vm_map(struct drm_file *file, struct agx_vm *avm,
		      const struct drm_agx_vm_bind_op *op)
{
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	struct gc_bo *bo;
	u32 flags = 0;
	int ret;

	if (!op->flags || (op->flags & ~(DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE)))
		return -EINVAL;
	if (!op->handle || !PAGE_ALIGNED(op->bo_offset))
		return -EINVAL;
	ref = gc_bo_lookup(file, op->handle, gc_shmem_bo_from_gem);
	if (gc_is_err(ref))
		return gc_err(ref);
	bo = gc_bo_borrow(&ref);
	/* The GPU reaches memory through our own shmem pages only. */
	if (bo->gem->import_attach)
		return -EOPNOTSUPP;
	if (op->flags & DRM_AGX_BIND_READ)
		flags |= GC_VM_READ;
	if (op->flags & DRM_AGX_BIND_WRITE)
		flags |= GC_VM_WRITE;
	/* Unbinds still deferred hold their mapping and its pin too. */
	if (avm->nr_mappings + gc_vm_nr_deferred(avm->vm) >= AGX_MAX_MAPPINGS_PER_VM)
		return -ENOSPC;
	ret = gc_vm_bind(avm->vm, bo, op->bo_offset, op->va, op->size, flags);
	if (!ret)
		avm->nr_mappings++;
	return ret;
}

static int agx_vm_bind_op(struct drm_file *file, struct agx_vm *avm,
			  const struct drm_agx_vm_bind_op *op)
{
	u64 end;
	int ret;

	if (op->pad)
		return -EINVAL;
	if (!op->size || !PAGE_ALIGNED(op->va) || !PAGE_ALIGNED(op->size))
		return -EINVAL;
	if (check_add_overflow(op->va, op->size, &end) || op->va < AGX_VA_START ||
	    end > AGX_VA_END)
		return -EINVAL;
	switch (op->op) {
	case DRM_AGX_BIND_OP_MAP:
		return agx_vm_map(file, avm, op);
	case DRM_AGX_BIND_OP_UNMAP:
		if (op->flags || op->handle || op->bo_offset)
			return -EINVAL;
		ret = gc_vm_unbind(avm->vm, op->va, op->size);
		if (!ret)
			avm->nr_mappings--;
		return ret;
	default:
		return -EINVAL;
	}
}

/**
 * agx_ioctl_vm_bind() - DRM_IOCTL_AGX_VM_BIND: map and unmap BO ranges
 * @drm: the DRM device
 * @data: a &struct drm_agx_vm_bind
 * @file: the DRM file
 *
 * Runs the ops in order and stops at the first failure or at a signal
 * pending between two ops; @num_ops is set to the number of ops done, 0
 * when the call fails before its first op. A map pins the BO until the
 * range is unmapped; an unmap while queued or running work uses the VM
 * takes effect when that work is done. Bytes of an op beyond the ones the
 * kernel knows must be zero.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad field, more than %DRM_AGX_MAX_BIND_OPS ops, a
 * stride below %DRM_AGX_VM_BIND_OP_MIN_SIZE or above a page, a range
 * outside the VA range of &struct drm_agx_params or not page aligned;
 * -ENOENT for an unknown VM or GEM handle or an unmap of a range not mapped
 * exactly; -EEXIST for a map over a mapped range; -EOPNOTSUPP for an
 * imported BO; -E2BIG for non-zero unknown op bytes; -ENOSPC for a map into
 * a VM holding AGX_MAX_MAPPINGS_PER_VM mappings (deferred unbinds
 * included); -EINTR for a signal (not -ERESTARTSYS: the ops done are not
 * undone, a restart would redo them); -EFAULT; -ENOMEM.
 */
int agx_ioctl_vm_bind(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_agx_vm_bind *args = data;
	struct agx_file *af = file->driver_priv;
	struct drm_agx_vm_bind_op op;
	u32 num_ops = args->num_ops;
	struct agx_vm *avm;
	u64 uptr;
	u32 i = 0;
	int ret = 0;

	/* Until an op is done, a failure reports none done. */
	args->num_ops = 0;
	if (args->pad)
		return -EINVAL;
	/* Against the frozen first size: an older binary's ops stay valid. */
	if (args->op_stride < DRM_AGX_VM_BIND_OP_MIN_SIZE ||
	    args->op_stride > AGX_MAX_OP_STRIDE)
		return -EINVAL;
	/* The file's lock is held throughout: the call must stay short. */
	if (num_ops > DRM_AGX_MAX_BIND_OPS)
		return -EINVAL;
	if (check_add_overflow(args->ops, (u64)num_ops * args->op_stride, &uptr))
		return -EFAULT;

	mutex_lock(&af->lock);
	avm = xa_load(&af->vms, args->vm_id);
	if (!avm)
		ret = -ENOENT;
	for (; avm && i < num_ops; i++) {
		if (i && signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		uptr = args->ops + (u64)i * args->op_stride;
		ret = copy_struct_from_user(&op, sizeof(op), u64_to_user_ptr(uptr),
					    args->op_stride);
		if (!ret)
			ret = agx_vm_bind_op(file, avm, &op);
		if (ret)
			break;
		cond_resched();
	}
	mutex_unlock(&af->lock);
	args->num_ops = i;
	return ret;
}

/**
 * agx_ioctl_gem_create() - DRM_IOCTL_AGX_GEM_CREATE: create a shmem BO
 * @drm: the DRM device
 * @data: a &struct drm_agx_gem_create
 * @file: the DRM file
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for non-zero flags, a zero size or one over
 * AGX_MAX_BO_SIZE; -ENOMEM; -ENOSPC when shmem cannot set up the BO's
 * file (it reports a failed inode allocation so).
 */
int agx_ioctl_gem_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct agx_device *adev = to_agx_device(drm);
	struct drm_agx_gem_create *args = data;
	struct gc_bo_unique unique __free(gc_bo_unique_drop) = {};
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	u32 handle;

	if (args->flags)
		return -EINVAL;
	if (!args->size || args->size > AGX_MAX_BO_SIZE)
		return -EINVAL;
	unique = gc_shmem_bo_create(drm, args->size, &adev->gdev.refs);
	if (gc_is_err(unique))
		return gc_err(unique);
	gc_bo_set_label(&unique, "agx-bo");
	ref = gc_bo_publish(&unique, file, &handle);
	if (gc_is_err(ref))
		return gc_err(ref);
	args->handle = handle;
	return 0;
}

/**
 * agx_ioctl_gem_mmap_offset() - DRM_IOCTL_AGX_GEM_MMAP_OFFSET: where to
 * mmap() a BO
 * @drm: the DRM device
 * @data: a &struct drm_agx_gem_mmap_offset
 * @file: the DRM file
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for non-zero flags, -ENOENT for an unknown handle,
 * -ENOMEM.
 */
int agx_ioctl_gem_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_agx_gem_mmap_offset *args = data;
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	struct gc_bo *bo;
	int ret;

	if (args->flags)
		return -EINVAL;
	ref = gc_bo_lookup(file, args->handle, gc_shmem_bo_from_gem);
	if (gc_is_err(ref))
		return gc_err(ref);
	bo = gc_bo_borrow(&ref);
	ret = drm_gem_create_mmap_offset(bo->gem);
	if (ret)
		return ret;
	args->offset = drm_vma_node_offset_addr(&bo->gem->vma_node);
	return 0;
}

/**
 * agx_ioctl_queue_create() - DRM_IOCTL_AGX_QUEUE_CREATE: create a queue
 * @drm: the DRM device
 * @data: a &struct drm_agx_queue_create
 * @file: the DRM file
 *
 * The queue keeps its VM alive, even past VM_DESTROY. The priority is
 * checked and recorded; the simulated firmware has one level. A high
 * priority queue may starve the other clients' work: it takes
 * CAP_SYS_NICE, as raising a task's priority does, or the DRM master.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for non-zero flags or an unknown priority; -EPERM for
 * %DRM_AGX_PRIORITY_HIGH without the right; -ENOENT for an unknown VM;
 * -ENOSPC when the file has AGX_MAX_QUEUES queues or the device max_queues
 * (a module parameter), those being torn down included; -ENODEV after
 * unplug; -ENOMEM.
 */
int agx_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct agx_device *adev = to_agx_device(drm);
	struct drm_agx_queue_create *args = data;
	struct agx_file *af = file->driver_priv;
	struct agx_queue *aq;
	struct agx_vm *avm;
	u32 id;
	int ret;

	if (args->flags || args->priority > DRM_AGX_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_AGX_PRIORITY_HIGH && !capable(CAP_SYS_NICE) &&
	    !drm_is_current_master(file))
		return -EPERM;

	mutex_lock(&af->lock);
	avm = xa_load(&af->vms, args->vm_id);
	if (!avm) {
		ret = -ENOENT;
		goto out;
	}
	/* Reserve the id first: no queue is created over the limit. */
	ret = xa_alloc(&af->queues, &id, NULL, XA_LIMIT(1, AGX_MAX_QUEUES), GFP_KERNEL_ACCOUNT);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto out;
	}
	aq = agx_queue_create(adev, avm->vm, args->priority);
	if (IS_ERR(aq)) {
		xa_erase(&af->queues, id);
		ret = PTR_ERR(aq);
		goto out;
	}
	/* Storing over a reserved entry allocates nothing. */
	xa_store(&af->queues, id, aq, GFP_KERNEL);
	args->queue_id = id;
out:
	mutex_unlock(&af->lock);
	return ret;
}

/**
 * agx_ioctl_queue_destroy() - DRM_IOCTL_AGX_QUEUE_DESTROY: destroy a queue
 * @drm: the DRM device
 * @data: a &struct drm_agx_queue_destroy
 * @file: the DRM file
 *
 * Returns at once: queued work is cancelled, running work completes or
 * times out, and the queue goes after its last job.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a non-zero pad, -ENOENT for an unknown queue.
 */
int agx_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_agx_queue_destroy *args = data;
	struct agx_file *af = file->driver_priv;
	struct agx_queue *aq;

	if (args->pad)
		return -EINVAL;
	mutex_lock(&af->lock);
	/* As for VMs: an unknown id changes nothing, not even its free mark. */
	aq = xa_load(&af->queues, args->queue_id);
	if (aq)
		xa_erase(&af->queues, args->queue_id);
	mutex_unlock(&af->lock);
	if (!aq)
		return -ENOENT;
	agx_queue_destroy(aq);
	return 0;
}
