// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GPU VMs: BO ranges bound at GPU virtual addresses. A mapping pins its
 * BO; a range unbound while work still uses the VM stays mapped until that
 * work is done, and is torn down from a worker, never from the signalling
 * path.
 */

#include <linux/dma-fence.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <gpucore/fence_set.h>
#include <gpucore/vm.h>

static void gc_vm_reap(struct work_struct *work);

static void gc_vm_free(struct kref *kref)
{
	struct gc_vm *vm = container_of(kref, struct gc_vm, kref);

	WARN_ON(!list_empty(&vm->mappings) || !list_empty(&vm->deferred));
	drm_mm_takedown(&vm->mm);
	dma_resv_fini(&vm->resv);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/**
 * gc_vm_create() - create a GPU address space
 * @start: lowest usable GPU VA, page aligned
 * @size: size of the usable range, page aligned, not 0
 * @ops: the backend's page-table updates, or NULL
 * @priv: the backend's data, stored in &gc_vm.priv
 *
 * Context: process context; may sleep.
 * Return: the VM, ERR_PTR(-EINVAL) for a bad range, ERR_PTR(-ENOMEM).
 */
struct gc_vm *gc_vm_create(u64 start, u64 size, const struct gc_vm_ops *ops, void *priv)
{
	struct gc_vm *vm;

	if (!size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size) || start + size < start)
		return ERR_PTR(-EINVAL);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->kref);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, start, size);
	INIT_LIST_HEAD(&vm->mappings);
	INIT_LIST_HEAD(&vm->deferred);
	dma_resv_init(&vm->resv);
	INIT_WORK(&vm->reap_work, gc_vm_reap);
	vm->ops = ops;
	vm->priv = priv;
	return vm;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_create, GPUCORE);

/**
 * gc_vm_get() - take a reference to a VM
 * @vm: the VM
 *
 * Return: @vm.
 */
struct gc_vm *gc_vm_get(struct gc_vm *vm)
{
	kref_get(&vm->kref);
	return vm;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_get, GPUCORE);

/**
 * gc_vm_put() - drop a reference to a VM
 * @vm: the VM, or NULL
 *
 * Context: process context: the last put frees the VM.
 */
void gc_vm_put(struct gc_vm *vm)
{
	if (vm)
		kref_put(&vm->kref, gc_vm_free);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_put, GPUCORE);

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

/**
 * gc_vm_bind() - bind a BO range at a GPU VA
 * @vm: the VM
 * @bo: the BO; the mapping takes its own pin and reference
 * @bo_offset: offset of the range in the BO, page aligned
 * @va: GPU VA, page aligned
 * @size: length, page aligned, not 0
 * @flags: %GC_VM_READ and/or %GC_VM_WRITE
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a bad range or flags; -EEXIST if part of the VA
 * range is bound (or still held by a deferred unbind); -ENOMEM; the
 * backend's or the backing storage's error. On failure nothing is bound.
 */
int gc_vm_bind(struct gc_vm *vm, struct gc_bo *bo, u64 bo_offset, u64 va, u64 size,
	       u32 flags)
{
	const struct drm_gem_object_funcs *funcs;
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

	m = kzalloc(sizeof(*m), GFP_KERNEL);
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
	funcs = bo->gem->funcs;
	if (funcs->get_sg_table) {
		m->sgt = funcs->get_sg_table(bo->gem);
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
EXPORT_SYMBOL_NS_GPL(gc_vm_bind, GPUCORE);

static void gc_vm_mapping_idle(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct gc_vm_mapping *m = container_of(cb, struct gc_vm_mapping, cb);

	/* Signalling context: only hand over to process context. */
	queue_work(system_unbound_wq, &m->vm->reap_work);
}

static void gc_vm_reap(struct work_struct *work)
{
	struct gc_vm *vm = container_of(work, struct gc_vm, reap_work);
	struct gc_vm_mapping *m, *next;
	LIST_HEAD(done);
	unsigned int n = 0;
	u64 waited;

	/*
	 * Mappings deferred without a fence of their own wait for everything
	 * the VM had at their unbind; wait without the lock the GPU needs.
	 */
	mutex_lock(&vm->lock);
	waited = vm->nofence_seq;
	mutex_unlock(&vm->lock);
	if (waited)
		dma_resv_wait_timeout(&vm->resv, DMA_RESV_USAGE_BOOKKEEP, false,
				      MAX_SCHEDULE_TIMEOUT);

	mutex_lock(&vm->lock);
	list_for_each_entry_safe(m, next, &vm->deferred, link) {
		if (m->busy.ptr ? !dma_fence_is_signaled(gc_fence_borrow(&m->busy)) :
				  m->wait_seq > waited)
			continue;
		gc_vm_mapping_remove(vm, m);
		list_add_tail(&m->link, &done);
	}
	mutex_unlock(&vm->lock);
	list_for_each_entry_safe(m, next, &done, link) {
		gc_vm_mapping_free(m);
		n++;
	}
	/* Each deferred mapping held the VM; this may free it. */
	while (n--)
		gc_vm_put(vm);
}

/*
 * Unbind one mapping, VM lock held. If work that uses the VM is unfinished
 * the mapping moves to the deferred list; returns the mapping if it can be
 * freed now (after the lock is dropped), NULL if deferred.
 */
static struct gc_vm_mapping *gc_vm_unbind_locked(struct gc_vm *vm, struct gc_vm_mapping *m)
{
	struct gc_fence_set set;
	struct gc_fence_ref busy;
	int ret;

	gc_fence_set_init(&set);
	ret = gc_fence_set_add_resv(&set, &vm->resv, DMA_RESV_USAGE_BOOKKEEP, GFP_KERNEL);
	busy = ret ? (struct gc_fence_ref){ .ptr = ERR_PTR(ret) } :
		     gc_fence_set_merge(&set, GFP_KERNEL);
	gc_fence_set_fini(&set);
	if (gc_is_err(busy)) {
		/*
		 * No memory to merge the fences: defer to the worker, which waits
		 * for the whole VM without holding the lock the GPU needs.
		 */
		m->wait_seq = ++vm->nofence_seq;
		list_move_tail(&m->link, &vm->deferred);
		gc_vm_get(vm);
		queue_work(system_unbound_wq, &vm->reap_work);
		return NULL;
	}
	if (!busy.ptr || dma_fence_is_signaled(gc_fence_borrow(&busy))) {
		gc_fence_put(&busy);
		gc_vm_mapping_remove(vm, m);
		return m;
	}
	m->busy = gc_move(&busy);
	list_move_tail(&m->link, &vm->deferred);
	gc_vm_get(vm);
	if (dma_fence_add_callback(gc_fence_borrow(&m->busy), &m->cb, gc_vm_mapping_idle))
		queue_work(system_unbound_wq, &vm->reap_work);
	return NULL;
}

/**
 * gc_vm_unbind() - unbind a range bound by gc_vm_bind()
 * @vm: the VM
 * @va: the GPU VA the range was bound at
 * @size: its length
 *
 * If work added with gc_vm_add_fence() is unfinished, the range stays
 * mapped and reserved until it finishes; the BO pin and reference go with
 * it.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOENT if no mapping is bound at exactly this range.
 */
int gc_vm_unbind(struct gc_vm *vm, u64 va, u64 size)
{
	struct gc_vm_mapping *m, *found = NULL;

	if (!vm)
		return -EINVAL;
	mutex_lock(&vm->lock);
	list_for_each_entry(m, &vm->mappings, link) {
		if (m->node.start == va && m->node.size == size) {
			found = gc_vm_unbind_locked(vm, m);
			mutex_unlock(&vm->lock);
			if (found)
				gc_vm_mapping_free(found);
			return 0;
		}
	}
	mutex_unlock(&vm->lock);
	return -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_unbind, GPUCORE);

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
EXPORT_SYMBOL_NS_GPL(gc_vm_add_fence, GPUCORE);

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
	if (m->busy.ptr && dma_fence_is_signaled(gc_fence_borrow(&m->busy)))
		return NULL;
	return m;
}
EXPORT_SYMBOL_NS_GPL(gc_vm_find, GPUCORE);

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
EXPORT_SYMBOL_NS_GPL(gc_vm_nr_deferred, GPUCORE);

/**
 * gc_vm_flush() - run pending teardown of deferred mappings now
 * @vm: the VM; the caller must hold a reference
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
	gc_vm_reap(&vm->reap_work);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_flush, GPUCORE);

/**
 * gc_vm_destroy() - unbind everything and drop the creator's reference
 * @vm: the VM, or NULL
 *
 * Mappings whose work is unfinished are deferred as for gc_vm_unbind(); the
 * VM is freed when the last of them is torn down.
 *
 * Context: process context; may sleep.
 */
void gc_vm_destroy(struct gc_vm *vm)
{
	struct gc_vm_mapping *m, *next, *freeable;
	LIST_HEAD(done);

	if (!vm)
		return;
	mutex_lock(&vm->lock);
	list_for_each_entry_safe(m, next, &vm->mappings, link) {
		freeable = gc_vm_unbind_locked(vm, m);
		if (freeable)
			list_add_tail(&freeable->link, &done);
	}
	mutex_unlock(&vm->lock);
	list_for_each_entry_safe(m, next, &done, link)
		gc_vm_mapping_free(m);
	gc_vm_put(vm);
}
EXPORT_SYMBOL_NS_GPL(gc_vm_destroy, GPUCORE);
