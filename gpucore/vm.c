// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GPU VMs: BO ranges bound at GPU virtual addresses. A mapping pins its
 * BO; a range unbound while work still uses the VM stays mapped until that
 * work is done, and is torn down from a worker, never from the signalling
 * path.
 *
 * Nothing here allocates under the VM lock: backends take it on the
 * fence-signalling path (to translate GPU addresses for work that is
 * running), and an allocation that enters reclaim there could wait for a
 * fence that cannot signal until the lock is released.
 *
 * The reap worker holds a VM reference from the moment it is queued until
 * it has run, so a VM is never freed with its work queued or running.
 */

#include <linux/dma-fence.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <gpucore/compat.h>
#include <gpucore/fence_set.h>
#include <gpucore/vm.h>

#include "internal.h"

static void gc_vm_reap_work(struct work_struct *work);

static void gc_vm_free(struct kref *kref)
{
	struct gc_vm *vm = container_of(kref, struct gc_vm, kref);
	struct gc_device *gdev = vm->gdev;

	WARN_ON(!list_empty(&vm->mappings) || !list_empty(&vm->deferred));
	WARN_ON(work_pending(&vm->reap_work));
	mutex_lock(&gdev->lock);
	list_del(&vm->link);
	mutex_unlock(&gdev->lock);
	drm_mm_takedown(&vm->mm);
	dma_resv_fini(&vm->resv);
	mutex_destroy(&vm->lock);
	kfree(vm);

	/* The last thing the VM touches: gc_device_fini() may return after it. */
	spin_lock_irq(&gdev->idle_lock);
	gdev->nr_vms--;
	wake_up_all(&gdev->idle);
	spin_unlock_irq(&gdev->idle_lock);
}

/**
 * gc_vm_create() - create a GPU address space
 * @gdev: the device; gc_device_fini() waits until the VM is freed
 * @start: lowest usable GPU VA, page aligned
 * @size: size of the usable range, page aligned, not 0
 * @ops: the backend's page-table updates, or NULL
 * @priv: the backend's data, stored in &gc_vm.priv
 *
 * Context: process context; may sleep.
 * Return: the VM, holding the creator's reference, which gc_vm_destroy()
 * consumes; ERR_PTR(-EINVAL) for a bad device or range, ERR_PTR(-ENOMEM).
 */
struct gc_vm *gc_vm_create(struct gc_device *gdev, u64 start, u64 size,
			   const struct gc_vm_ops *ops, void *priv)
{
	struct gc_vm *vm;

	if (!gdev || !size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size) ||
	    start + size < start)
		return ERR_PTR(-EINVAL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->kref);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, start, size);
	INIT_LIST_HEAD(&vm->mappings);
	INIT_LIST_HEAD(&vm->deferred);
	dma_resv_init(&vm->resv);
	INIT_WORK(&vm->reap_work, gc_vm_reap_work);
	vm->ops = ops;
	vm->priv = priv;
	vm->gdev = gdev;
	vm->created = gc_track_stack(GFP_KERNEL);
	mutex_lock(&gdev->lock);
	list_add_tail(&vm->link, &gdev->vms);
	mutex_unlock(&gdev->lock);
	spin_lock_irq(&gdev->idle_lock);
	gdev->nr_vms++;
	spin_unlock_irq(&gdev->idle_lock);
	return vm;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_create, GPUCORE_NS);

/**
 * gc_vm_get() - take a reference to a VM
 * @vm: the VM; the caller holds a reference
 *
 * The VM stays valid until the matching gc_vm_put(), even past
 * gc_vm_destroy() (its ranges are unbound then).
 *
 * Context: any.
 * Return: @vm.
 */
struct gc_vm *gc_vm_get(struct gc_vm *vm)
{
	kref_get(&vm->kref);
	return vm;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_get, GPUCORE_NS);

/**
 * gc_vm_put() - drop a reference taken by gc_vm_get()
 * @vm: the VM, or NULL
 *
 * Context: process context: the last put frees the VM.
 */
void gc_vm_put(struct gc_vm *vm)
{
	if (vm)
		kref_put(&vm->kref, gc_vm_free);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_put, GPUCORE_NS);

/* Free a mapping that is out of the VM's lists and page tables. */
static void gc_vm_mapping_free(struct gc_vm_mapping *m)
{
	struct gc_bo *bo = gc_bo_borrow(&m->pin.ref);

	/* The idle callback may still be running on the signalling CPU. */
	if (m->busy.ptr)
		dma_fence_remove_callback(gc_fence_borrow(&m->busy), &m->cb);
	if (m->sgt) {
		sg_free_table(m->sgt);
		kfree(m->sgt);
	}
	if (bo)
		atomic_dec(&bo->nr_vm_mappings);
	gc_bo_unpin(&m->pin);
	gc_fence_put(&m->busy);
	kfree(m);
}

/* Take a mapping out of the page tables and the VA space; VM lock held. */
static void gc_vm_mapping_remove(struct gc_vm *vm, struct gc_vm_mapping *m)
{
	lockdep_assert_held(&vm->lock);
	if (vm->ops && vm->ops->unmap)
		vm->ops->unmap(vm, m);
	drm_mm_remove_node(&m->node);
	list_del(&m->link);
}

/*
 * The pages of bytes [@offset, @offset + @size) of @bo, in a table of their
 * own: a mapping costs what its range costs, whatever the BO's size. The
 * BO's full table is only built for the copy and freed at once.
 */
static struct sg_table *gc_vm_range_sgt(struct gc_bo *bo, u64 offset, u64 size)
{
	unsigned long i, n = size >> PAGE_SHIFT;
	struct sg_table *full, *sgt;
	struct sg_page_iter iter;
	struct page **pages;
	int ret = -EFAULT;

	full = bo->gem->funcs->get_sg_table(bo->gem);
	if (IS_ERR(full))
		return full;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL_ACCOUNT);
	if (!pages || !sgt) {
		ret = -ENOMEM;
		goto out;
	}
	i = 0;
	for_each_sgtable_page(full, &iter, offset >> PAGE_SHIFT) {
		if (i == n)
			break;
		pages[i++] = sg_page_iter_page(&iter);
	}
	/* A table shorter than the BO: the backing store is inconsistent. */
	if (i == n)
		ret = sg_alloc_table_from_pages(sgt, pages, n, 0, size, GFP_KERNEL_ACCOUNT);
out:
	kvfree(pages);
	sg_free_table(full);
	kfree(full);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	return sgt;
}

/**
 * gc_vm_bind() - bind a BO range at a GPU VA
 * @vm: the VM
 * @bo: the BO; the mapping takes its own pin and reference
 * @bo_offset: offset of the range in the BO, page aligned
 * @va: GPU VA, page aligned
 * @size: length, page aligned, not 0
 * @flags: %GC_VM_READ and/or %GC_VM_WRITE
 *
 * The mapping's memory (its bookkeeping and the table of its pages) is
 * charged to the caller's memory cgroup and grows with @size, not with
 * the BO's size.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad range or flags; -EEXIST if part of the VA
 * range is bound (or still held by a deferred unbind); -ENOMEM; the
 * backend's or the backing storage's error. On failure nothing is bound.
 */
int gc_vm_bind(struct gc_vm *vm, struct gc_bo *bo, u64 bo_offset, u64 va, u64 size,
	       u32 flags)
{
	struct gc_vm_mapping *m;
	u64 end;
	int ret;

	if (!vm || !bo || !size || !flags || (flags & ~(GC_VM_READ | GC_VM_WRITE)))
		return -EINVAL;
	if (!PAGE_ALIGNED(bo_offset) || !PAGE_ALIGNED(va) || !PAGE_ALIGNED(size))
		return -EINVAL;
	if (check_add_overflow(bo_offset, size, &end) || end > gc_bo_size(bo))
		return -EINVAL;
	if (check_add_overflow(va, size, &end))
		return -EINVAL;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->bo_offset = bo_offset;
	m->flags = flags;
	m->vm = vm;
	m->node.start = va;
	m->node.size = size;
	ret = gc_bo_pin(&m->pin, bo);
	if (ret)
		goto err_free;
	if (bo->gem->funcs->get_sg_table) {
		m->sgt = gc_vm_range_sgt(bo, bo_offset, size);
		if (IS_ERR(m->sgt)) {
			ret = PTR_ERR(m->sgt);
			m->sgt = NULL;
			goto err_unpin;
		}
	}

	mutex_lock(&vm->lock);
	ret = drm_mm_reserve_node(&vm->mm, &m->node);
	if (ret) {
		/* -ENOSPC: outside the VM (-EINVAL) or overlapping (-EEXIST). */
		ret = __drm_mm_interval_first(&vm->mm, va, end - 1) != &vm->mm.head_node ?
		      -EEXIST : -EINVAL;
		mutex_unlock(&vm->lock);
		goto err_unpin;
	}
	if (vm->ops && vm->ops->map) {
		ret = vm->ops->map(vm, m);
		if (ret) {
			drm_mm_remove_node(&m->node);
			mutex_unlock(&vm->lock);
			goto err_unpin;
		}
	}
	list_add_tail(&m->link, &vm->mappings);
	atomic_inc(&bo->nr_vm_mappings);
	mutex_unlock(&vm->lock);
	return 0;

err_unpin:
	if (m->sgt) {
		sg_free_table(m->sgt);
		kfree(m->sgt);
	}
	gc_bo_unpin(&m->pin);
err_free:
	kfree(m);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_bind, GPUCORE_NS);

/*
 * Queue the reap worker with a VM reference of its own, dropped when it has
 * run. If the work is already queued, its reference covers this request
 * too, so the put below is never the last one.
 */
static void gc_vm_queue_reap(struct gc_vm *vm)
{
	gc_vm_get(vm);
	if (!queue_work(system_unbound_wq, &vm->reap_work))
		gc_vm_put(vm);
}

static void gc_vm_mapping_idle(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct gc_vm_mapping *m = container_of(cb, struct gc_vm_mapping, cb);

	/*
	 * Signalling context: only hand over to process context. The mapping
	 * holds a VM reference until it is freed, and it is not freed before
	 * this callback has returned (see gc_vm_mapping_free()).
	 */
	gc_vm_queue_reap(m->vm);
}

/*
 * Whether @fence has signalled, without signalling it: under the VM lock,
 * dma_fence_is_signaled() could signal a fence whose ops say it is done
 * (a fence array), and signalling under the lock the GPU needs is the
 * deadlock lockdep is told to watch for.
 */
static bool gc_vm_fence_done(struct dma_fence *fence)
{
	return test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags);
}

/* Tear down the deferred mappings whose work is done; caller holds @vm. */
static void gc_vm_reap(struct gc_vm *vm)
{
	struct gc_vm_mapping *m, *next;
	LIST_HEAD(done);
	unsigned int n = 0;

	mutex_lock(&vm->lock);
	list_for_each_entry_safe(m, next, &vm->deferred, link) {
		if (!gc_vm_fence_done(gc_fence_borrow(&m->busy)))
			continue;
		gc_vm_mapping_remove(vm, m);
		list_add_tail(&m->link, &done);
	}
	mutex_unlock(&vm->lock);
	list_for_each_entry_safe(m, next, &done, link) {
		gc_vm_mapping_free(m);
		n++;
	}
	/* Each deferred mapping held the VM; the caller's reference remains. */
	while (n--)
		gc_vm_put(vm);
}

static void gc_vm_reap_work(struct work_struct *work)
{
	struct gc_vm *vm = container_of(work, struct gc_vm, reap_work);

	gc_vm_reap(vm);
	/* The reference gc_vm_queue_reap() took; this may free the VM. */
	gc_vm_put(vm);
}

/*
 * One fence for everything that uses the VM now, or NULL if nothing does.
 * Allocates: never called with the VM lock held.
 */
static struct gc_fence_ref gc_vm_busy_fence(struct gc_vm *vm)
{
	struct gc_fence_set set;
	struct gc_fence_ref busy;
	int ret;

	gc_fence_set_init(&set);
	ret = gc_fence_set_add_resv(&set, &vm->resv, DMA_RESV_USAGE_BOOKKEEP, GFP_KERNEL);
	busy = ret ? (struct gc_fence_ref){ .ptr = ERR_PTR(ret) } :
		     gc_fence_set_merge(&set, GFP_KERNEL);
	gc_fence_set_fini(&set);
	if (!gc_is_err(busy) && busy.ptr && dma_fence_is_signaled(gc_fence_borrow(&busy)))
		gc_fence_put(&busy);
	return busy;
}

/*
 * Unbind one mapping, VM lock held. While @busy (work that used the VM at
 * the unbind) is unfinished the mapping moves to the deferred list; returns
 * the mapping if it can be freed now (after the lock is dropped), NULL if
 * deferred.
 */
static struct gc_vm_mapping *gc_vm_unbind_locked(struct gc_vm *vm, struct gc_vm_mapping *m,
						 struct dma_fence *busy)
{
	if (!busy) {
		gc_vm_mapping_remove(vm, m);
		return m;
	}
	m->busy = gc_fence_get(busy);
	list_move_tail(&m->link, &vm->deferred);
	gc_vm_get(vm);
	if (dma_fence_add_callback(busy, &m->cb, gc_vm_mapping_idle))
		gc_vm_queue_reap(vm);
	return NULL;
}

/**
 * gc_vm_unbind() - unbind a range bound by gc_vm_bind()
 * @vm: the VM
 * @va: the GPU VA the range was bound at
 * @size: its length
 *
 * If work added with gc_vm_add_fence() before the call is unfinished, the
 * range stays mapped and reserved until that work finishes; the BO pin and
 * reference go with it.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a NULL @vm; -ENOENT if no mapping is bound at
 * exactly this range; -ENOMEM, with the mapping still bound.
 */
int gc_vm_unbind(struct gc_vm *vm, u64 va, u64 size)
{
	struct gc_vm_mapping *m, *freeable = NULL;
	struct gc_fence_ref busy;
	int ret = -ENOENT;

	if (!vm)
		return -EINVAL;
	busy = gc_vm_busy_fence(vm);
	if (gc_is_err(busy))
		return gc_err(busy);
	mutex_lock(&vm->lock);
	list_for_each_entry(m, &vm->mappings, link) {
		if (m->node.start == va && m->node.size == size) {
			freeable = gc_vm_unbind_locked(vm, m, gc_fence_borrow(&busy));
			ret = 0;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	if (freeable)
		gc_vm_mapping_free(freeable);
	gc_fence_put(&busy);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_unbind, GPUCORE_NS);

/**
 * gc_vm_add_fence() - record that work uses a VM until a fence signals
 * @vm: the VM
 * @fence: the work's done fence
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM.
 */
int gc_vm_add_fence(struct gc_vm *vm, struct dma_fence *fence)
{
	int ret;

	if (!vm || !fence)
		return -EINVAL;
	dma_resv_lock(&vm->resv, NULL);
	ret = dma_resv_reserve_fences(&vm->resv, 1);
	if (!ret)
		dma_resv_add_fence(&vm->resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(&vm->resv);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_add_fence, GPUCORE_NS);

/**
 * gc_vm_find() - the live mapping that translates a GPU VA
 * @vm: the VM; its lock must be held while the result is used
 * @va: the GPU VA
 *
 * Deferred (unbound) mappings still translate while the work they wait for
 * runs; once it has finished they translate no more, even before the
 * worker has torn them down, so that work submitted after the unbind and
 * after that work faults as it would on an unmapped range.
 *
 * Context: VM lock held.
 * Return: the mapping, or NULL (a GPU fault).
 */
struct gc_vm_mapping *gc_vm_find(struct gc_vm *vm, u64 va)
{
	struct drm_mm_node *node;
	struct gc_vm_mapping *m;

	lockdep_assert_held(&vm->lock);
	node = __drm_mm_interval_first(&vm->mm, va, va);
	if (!node || node == &vm->mm.head_node)
		return NULL;
	m = container_of(node, struct gc_vm_mapping, node);
	if (m->busy.ptr && gc_vm_fence_done(gc_fence_borrow(&m->busy)))
		return NULL;
	return m;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_find, GPUCORE_NS);

/**
 * gc_vm_nr_deferred() - number of unbound mappings waiting for work
 * @vm: the VM
 *
 * Return: how many mappings are deferred.
 */
unsigned int gc_vm_nr_deferred(struct gc_vm *vm)
{
	struct gc_vm_mapping *m;
	unsigned int n = 0;

	mutex_lock(&vm->lock);
	list_for_each_entry(m, &vm->deferred, link)
		n++;
	mutex_unlock(&vm->lock);
	return n;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_nr_deferred, GPUCORE_NS);

/**
 * gc_vm_flush() - run pending teardown of deferred mappings now
 * @vm: the VM; the caller must hold a reference
 *
 * Tears down the deferred mappings whose work has finished; waits for
 * nothing else.
 *
 * Context: process context; may sleep.
 */
void gc_vm_flush(struct gc_vm *vm)
{
	flush_work(&vm->reap_work);
	/*
	 * A waiter on the last fence may wake before that fence's callback
	 * queued the work: reap here too, so nothing idle is left deferred.
	 */
	gc_vm_reap(vm);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_flush, GPUCORE_NS);

/**
 * gc_vm_destroy() - unbind everything and drop the creator's reference
 * @vm: the VM, or NULL; the creator's reference, consumed
 *
 * Mappings whose work is unfinished are deferred as for gc_vm_unbind(); the
 * VM is freed when the last of them is torn down and every other reference
 * is put. Without the memory to track that work, waits for it instead
 * (uninterruptibly, without the VM lock): destroy cannot fail. A second
 * destroy of the same VM is reported as a double put and does nothing.
 *
 * Context: process context; may sleep.
 */
void gc_vm_destroy(struct gc_vm *vm)
{
	struct gc_vm_mapping *m, *next, *freeable;
	struct gc_fence_ref busy;
	LIST_HEAD(done);
	bool again;

	if (!vm)
		return;
	mutex_lock(&vm->gdev->lock);
	again = vm->destroyed;
	vm->destroyed = true;
	mutex_unlock(&vm->gdev->lock);
	if (again) {
		gc_report(GC_REPORT_DOUBLE_PUT, NULL, 0, "VM %p destroyed twice", vm);
		return;
	}
	busy = gc_vm_busy_fence(vm);
	if (gc_is_err(busy)) {
		dma_resv_wait_timeout(&vm->resv, DMA_RESV_USAGE_BOOKKEEP, false,
				      MAX_SCHEDULE_TIMEOUT);
		busy.ptr = NULL;
	}
	mutex_lock(&vm->lock);
	list_for_each_entry_safe(m, next, &vm->mappings, link) {
		freeable = gc_vm_unbind_locked(vm, m, gc_fence_borrow(&busy));
		if (freeable)
			list_add_tail(&freeable->link, &done);
	}
	mutex_unlock(&vm->lock);
	list_for_each_entry_safe(m, next, &done, link)
		gc_vm_mapping_free(m);
	gc_fence_put(&busy);
	gc_vm_put(vm);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_destroy, GPUCORE_NS);
