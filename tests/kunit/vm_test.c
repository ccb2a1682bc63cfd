// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GPU VMs: binding, deferred unbinding, teardown with work in flight, and
 * catalogue entries 6 (an object using a buffer holds a counted reference)
 * and 8 (backing pages stay while a GPU mapping points at them).
 */

#include <linux/delay.h>
#include <linux/scatterlist.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <drm/drm_gem.h>

#include <gpucore/compat.h>
#include <gpucore/bo.h>
#include <gpucore/shmem.h>
#include <gpucore/vm.h>

#include "gc_test.h"
#include "mock_drm.h"

#define VA_BASE		0x100000ull
#define VA_SIZE		0x10000000ull

/* A backend's page tables, reduced to counters. */
struct mock_mmu {
	int maps;
	int unmaps;
	int fail_map;		/* error the next map returns */
	u64 last_va;
	bool had_pages;
};

static int mock_map(struct gc_vm *vm, const struct gc_vm_mapping *m)
{
	struct mock_mmu *mmu = vm->priv;
	int ret = mmu->fail_map;

	mmu->fail_map = 0;
	if (ret)
		return ret;
	mmu->maps++;
	mmu->last_va = m->node.start;
	mmu->had_pages = m->sgt && m->sgt->nents;
	return 0;
}

static void mock_unmap(struct gc_vm *vm, const struct gc_vm_mapping *m)
{
	struct mock_mmu *mmu = vm->priv;

	mmu->unmaps++;
}

static const struct gc_vm_ops mock_vm_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
};

struct vm_fixture {
	struct gc_mock_device *mdev;
	struct mock_mmu mmu;
	struct gc_vm *vm;
};

static void fixture_init(struct kunit *test, struct vm_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->mdev = gc_mock_device(test, true);
	fx->vm = gc_vm_create(&fx->mdev->gdev, VA_BASE, VA_SIZE, &mock_vm_ops, &fx->mmu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->vm));
}

static struct gc_bo_ref fixture_bo(struct kunit *test, struct vm_fixture *fx, size_t size)
{
	struct gc_bo_unique u = gc_shmem_bo_create(&fx->mdev->drm, size, &fx->mdev->refs);

	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	return gc_bo_share(&u);
}

/* A fence standing for a job that uses the VM. */
struct vm_job {
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
};

static void vm_job_start(struct kunit *test, struct gc_vm *vm, struct vm_job *job)
{
	struct gc_fence_ref f;

	job->tl = gc_timeline_create("gc-test", "vm-job", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(job->tl));
	job->sig = gc_fence_create(job->tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(job->sig));
	f = gc_fence_signaller_fence(&job->sig);
	KUNIT_EXPECT_EQ(test, gc_vm_add_fence(vm, gc_fence_borrow(&f)), 0);
	gc_fence_put(&f);
}

static void vm_job_finish(struct vm_job *job)
{
	if (job->sig.ptr)
		gc_fence_signal(&job->sig);
	gc_timeline_put(job->tl);
}

static void vm_create_bad_args(struct kunit *test)
{
	struct gc_device *gdev = &gc_mock_device(test, true)->gdev;

	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_vm_create(NULL, 0, PAGE_SIZE, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_vm_create(gdev, 0, 0, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_vm_create(gdev, 1, PAGE_SIZE, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_vm_create(gdev, 0, PAGE_SIZE + 1, NULL, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(gc_vm_create(gdev, U64_MAX & PAGE_MASK, 2 * PAGE_SIZE,
						   NULL, NULL)), -EINVAL);
	gc_vm_destroy(NULL);
}

static void vm_bind_translate_unbind(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref bo;
	struct gc_vm_mapping *m;

	fixture_init(test, &fx);
	bo = fixture_bo(test, &fx, 4 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&bo), PAGE_SIZE, VA_BASE,
					 2 * PAGE_SIZE, GC_VM_READ | GC_VM_WRITE), 0);
	KUNIT_EXPECT_EQ(test, fx.mmu.maps, 1);
	KUNIT_EXPECT_EQ(test, fx.mmu.last_va, VA_BASE);
	KUNIT_EXPECT_TRUE(test, fx.mmu.had_pages);
	mutex_lock(&fx.vm->lock);
	m = gc_vm_find(fx.vm, VA_BASE + PAGE_SIZE + 5);
	KUNIT_EXPECT_NOT_NULL(test, m);
	if (m)
		KUNIT_EXPECT_EQ(test, m->bo_offset, (u64)PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, gc_vm_find(fx.vm, VA_BASE + 2 * PAGE_SIZE));
	KUNIT_EXPECT_NULL(test, gc_vm_find(fx.vm, VA_BASE - 1));
	mutex_unlock(&fx.vm->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&gc_bo_borrow(&bo)->nr_vm_mappings), 1);

	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 1);
	mutex_lock(&fx.vm->lock);
	KUNIT_EXPECT_NULL(test, gc_vm_find(fx.vm, VA_BASE));
	mutex_unlock(&fx.vm->lock);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, 2 * PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, atomic_read(&gc_bo_borrow(&bo)->nr_vm_mappings), 0);
	gc_bo_put(&bo);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

static void vm_bind_rejects_bad_ranges(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, 2 * PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE + 1, PAGE_SIZE, GC_VM_READ),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 1, VA_BASE, PAGE_SIZE, GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, 0, GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, PAGE_SIZE, VA_BASE, 2 * PAGE_SIZE,
					 GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, 0x80), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, 0, PAGE_SIZE, GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE + VA_SIZE, PAGE_SIZE,
					 GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, U64_MAX & PAGE_MASK, 2 * PAGE_SIZE,
					 GC_VM_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(NULL, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), -EINVAL);
	/* Nothing failed half-way: no pins, no references, no mappings left. */
	KUNIT_EXPECT_EQ(test, fx.mmu.maps, 0);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&to_gc_shmem_bo(bo)->shmem), 0u);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

static void vm_bind_overlap(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, 4 * PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, 2 * PAGE_SIZE, GC_VM_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE + PAGE_SIZE, 2 * PAGE_SIZE,
					 GC_VM_READ), -EEXIST);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
					 GC_VM_READ), 0);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 3u);	/* ours and two mappings' */
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), -ENOENT);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 2);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 0u);
	gc_expect_no_reports(test);
}

static void vm_map_failure_rolls_back(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	fx.mmu.fail_map = -ENOMEM;
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), -ENOMEM);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&to_gc_shmem_bo(bo)->shmem), 0u);
	/* The VA range was given back. */
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), 0);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

/* Catalogue 6: the mapping's own reference keeps the BO. */
static void vm_catalogue_6_mapping_holds_bo(struct kunit *test)
{
	struct vm_fixture fx;
	struct drm_file *file;
	struct gc_bo_unique u;
	struct gc_bo_ref ref;
	struct gc_bo *bo;
	u32 handle;

	fixture_init(test, &fx);
	file = gc_mock_file(test, fx.mdev);
	u = gc_shmem_bo_create(&fx.mdev->drm, PAGE_SIZE, &fx.mdev->refs);
	ref = gc_bo_publish(&u, file, &handle);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), 0);
	/* User space closes the handle, the driver drops its reference. */
	drm_gem_handle_delete(file, handle);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 1u);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 0u);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

/* Catalogue 8: the pages stay while the GPU mapping points at them. */
static void vm_catalogue_8_pages_pinned_while_mapped(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_shmem_bo *sbo;
	struct vm_job job;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, 2 * PAGE_SIZE);
	sbo = to_gc_shmem_bo(gc_bo_borrow(&ref));
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, &sbo->gc, 0, VA_BASE, 2 * PAGE_SIZE,
					 GC_VM_WRITE), 0);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 1u);
	vm_job_start(test, fx.vm, &job);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, 2 * PAGE_SIZE), 0);
	/* Unbound, but a job may still use it: the pages are still pinned. */
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 1u);
	KUNIT_EXPECT_NOT_NULL(test, sbo->shmem.pages);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(fx.vm), 1u);
	vm_job_finish(&job);
	gc_vm_flush(fx.vm);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(fx.vm), 0u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 0u);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

static void vm_unbind_deferred_until_job_done(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct vm_job job;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), 0);
	vm_job_start(test, fx.vm, &job);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), 0);
	/* Still translated for the running job; the VA range is still taken. */
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 0);
	mutex_lock(&fx.vm->lock);
	KUNIT_EXPECT_NOT_NULL(test, gc_vm_find(fx.vm, VA_BASE));
	mutex_unlock(&fx.vm->lock);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), -EEXIST);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), -ENOENT);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 2u);
	vm_job_finish(&job);
	/* The job is done: later work faults there, torn down or not yet. */
	mutex_lock(&fx.vm->lock);
	KUNIT_EXPECT_NULL(test, gc_vm_find(fx.vm, VA_BASE));
	mutex_unlock(&fx.vm->lock);
	gc_vm_flush(fx.vm);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 1);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	KUNIT_EXPECT_EQ(test, gc_vm_bind(fx.vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), 0);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

static void vm_unbind_after_job_done_is_immediate(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct vm_job job;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ), 0);
	vm_job_start(test, fx.vm, &job);
	vm_job_finish(&job);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(fx.vm), 0u);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 1);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

static void vm_destroy_with_live_mappings(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref[3];
	unsigned int i;

	fixture_init(test, &fx);
	for (i = 0; i < ARRAY_SIZE(ref); i++) {
		u64 va = VA_BASE + i * PAGE_SIZE;

		ref[i] = fixture_bo(test, &fx, PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref[i]), 0, va, PAGE_SIZE,
						 GC_VM_READ), 0);
	}
	gc_vm_destroy(fx.vm);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 3);
	for (i = 0; i < ARRAY_SIZE(ref); i++) {
		KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref[i])), 1u);
		gc_bo_put(&ref[i]);
	}
	gc_expect_no_reports(test);
}

static void vm_destroy_with_work_in_flight(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct vm_job job;
	struct gc_vm *held;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ), 0);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), PAGE_SIZE,
					 VA_BASE + PAGE_SIZE, PAGE_SIZE, GC_VM_READ), 0);
	vm_job_start(test, fx.vm, &job);
	gc_bo_put(&ref);
	held = gc_vm_get(fx.vm);	/* only to observe it */
	gc_vm_destroy(fx.vm);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(held), 2u);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 0);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 2u);
	vm_job_finish(&job);
	gc_vm_flush(held);
	KUNIT_EXPECT_EQ(test, fx.mmu.unmaps, 2);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&fx.mdev->refs), 0u);
	gc_vm_put(held);
	gc_expect_no_reports(test);
}

struct irq_signal {
	struct timer_list timer;
	struct gc_fence_signaller sig;
};

static void irq_signal_fn(struct timer_list *t)
{
	struct irq_signal *irq = container_of(t, struct irq_signal, timer);

	gc_fence_signal(&irq->sig);
}

static void vm_idle_from_irq_reaps_in_worker(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct irq_signal irq;
	struct vm_job job;
	struct gc_vm *held;
	unsigned long end;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ), 0);
	vm_job_start(test, fx.vm, &job);
	irq.sig = gc_move(&job.sig);
	timer_setup_on_stack(&irq.timer, irq_signal_fn, 0);
	held = gc_vm_get(fx.vm);
	gc_vm_destroy(fx.vm);
	/* The completion comes from a timer: teardown must wait for a worker. */
	mod_timer(&irq.timer, jiffies + 1);
	end = jiffies + 10 * HZ;
	while (gc_vm_nr_deferred(held) && time_before(jiffies, end))
		msleep(20);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(held), 0u);
	timer_delete_sync(&irq.timer);
	gc_compat_destroy_timer_on_stack(&irq.timer);
	vm_job_finish(&job);
	gc_vm_put(held);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 1u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/*
 * Signal a fence from a kworker, which holds none of the test's locks. The
 * test waits for the flag, not for the work: flushing under the VM lock
 * would tell lockdep that the VM lock waits for a signalling section.
 */
struct signal_work {
	struct work_struct work;
	struct gc_fence_signaller *sig;
	bool done;
};

static void signal_work_fn(struct work_struct *work)
{
	struct signal_work *sw = container_of(work, struct signal_work, work);

	gc_fence_signal(sw->sig);
	WRITE_ONCE(sw->done, true);
}

static bool signal_elsewhere(struct signal_work *sw, struct gc_fence_signaller *sig)
{
	unsigned long end = jiffies + 10 * HZ;

	sw->sig = sig;
	sw->done = false;
	INIT_WORK_ONSTACK(&sw->work, signal_work_fn);
	queue_work(system_unbound_wq, &sw->work);
	while (!READ_ONCE(sw->done) && time_before(jiffies, end))
		msleep(20);
	return READ_ONCE(sw->done);
}

/* After the test has dropped its locks. */
static void signal_work_fini(struct signal_work *sw)
{
	flush_work(&sw->work);
	destroy_work_on_stack(&sw->work);
}

/*
 * The reap work is queued again while it runs, and the run that is going
 * on drops the last mapping's VM reference: the VM must outlive the queued
 * work (a VM freed with its work queued is a use after free, which KASAN
 * and debugobjects report in the log). The interleaving is forced: the
 * test holds the VM lock, as the firmware does for every page it
 * translates, while the worker waits for it and the second fence signals.
 * The fences signal from a kworker: signalling under the VM lock is the
 * deadlock lockdep is taught to see.
 */
static void vm_reap_requeued_while_running(struct kunit *test)
{
	struct signal_work s1, s2;
	struct vm_job j1, j2;
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_vm *vm;
	unsigned long end;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	vm = fx.vm;
	ref = fixture_bo(test, &fx, 2 * PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, bo, 0, VA_BASE, PAGE_SIZE, GC_VM_READ), 0);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, bo, PAGE_SIZE, VA_BASE + PAGE_SIZE, PAGE_SIZE,
					 GC_VM_READ), 0);
	vm_job_start(test, vm, &j1);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(vm, VA_BASE, PAGE_SIZE), 0);
	vm_job_start(test, vm, &j2);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(vm, VA_BASE + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(vm), 2u);
	/* Only the deferred mappings hold the VM now. */
	gc_vm_destroy(vm);

	mutex_lock(&vm->lock);
	KUNIT_EXPECT_TRUE(test, signal_elsewhere(&s1, &j1.sig));
	end = jiffies + 10 * HZ;
	while (!(work_busy(&vm->reap_work) & WORK_BUSY_RUNNING) && time_before(jiffies, end))
		msleep(20);
	KUNIT_EXPECT_TRUE(test, work_busy(&vm->reap_work) & WORK_BUSY_RUNNING);
	KUNIT_EXPECT_TRUE(test, signal_elsewhere(&s2, &j2.sig));
	/* The second mapping's fence merges both jobs: it signals from irq_work. */
	while (!work_pending(&vm->reap_work) && time_before(jiffies, end))
		msleep(20);
	KUNIT_EXPECT_TRUE(test, work_pending(&vm->reap_work));
	mutex_unlock(&vm->lock);
	signal_work_fini(&s1);
	signal_work_fini(&s2);

	while (gem_refs(bo) > 1 && time_before(jiffies, end))
		msleep(20);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	/* Let the queued run happen while the test still watches the log. */
	msleep(100);
	vm_job_finish(&j1);
	vm_job_finish(&j2);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

/*
 * A mapping's page table covers its range, not its BO: one page of a
 * 256-page BO costs one entry, and that entry is the page at the offset.
 */
static void vm_mapping_cost_follows_range(struct kunit *test)
{
	struct gc_vm_mapping *m;
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct gc_bo *bo;

	fixture_init(test, &fx);
	ref = fixture_bo(test, &fx, 256 * PAGE_SIZE);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, bo, 100 * PAGE_SIZE, VA_BASE, PAGE_SIZE,
					 GC_VM_READ), 0);
	mutex_lock(&fx.vm->lock);
	m = gc_vm_find(fx.vm, VA_BASE);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, m->sgt);
	KUNIT_EXPECT_EQ(test, m->sgt->orig_nents, 1u);
	KUNIT_EXPECT_EQ(test, m->sgt->sgl->length, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, sg_page(m->sgt->sgl), to_gc_shmem_bo(bo)->shmem.pages[100]);
	mutex_unlock(&fx.vm->lock);
	gc_bo_put(&ref);
	gc_vm_destroy(fx.vm);
	gc_expect_no_reports(test);
}

/*
 * Backends take the VM lock on the fence-signalling path (the firmware
 * translating for running work). Teach lockdep that, then unbind and
 * destroy with work in flight: an allocation under the VM lock would now
 * be a reported inversion (reclaim -> fence -> VM lock -> reclaim).
 */
static void vm_no_allocation_under_lock(struct kunit *test)
{
	struct vm_fixture fx;
	struct gc_bo_ref ref;
	struct vm_job job;
	struct gc_vm *held;
	bool cookie;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "needs lockdep");
	fixture_init(test, &fx);
	cookie = dma_fence_begin_signalling();
	mutex_lock(&fx.vm->lock);
	mutex_unlock(&fx.vm->lock);
	dma_fence_end_signalling(cookie);

	ref = fixture_bo(test, &fx, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ), 0);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(fx.vm, gc_bo_borrow(&ref), PAGE_SIZE,
					 VA_BASE + PAGE_SIZE, PAGE_SIZE, GC_VM_READ), 0);
	vm_job_start(test, fx.vm, &job);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(fx.vm, VA_BASE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(fx.vm), 1u);
	held = gc_vm_get(fx.vm);
	gc_vm_destroy(fx.vm);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(held), 2u);
	vm_job_finish(&job);
	gc_vm_flush(held);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(held), 0u);
	gc_vm_put(held);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 1u);
	gc_bo_put(&ref);
	gc_expect_no_reports(test);
}

static struct kunit_case gc_vm_cases[] = {
	KUNIT_CASE(vm_create_bad_args),
	KUNIT_CASE(vm_bind_translate_unbind),
	KUNIT_CASE(vm_bind_rejects_bad_ranges),
	KUNIT_CASE(vm_bind_overlap),
	KUNIT_CASE(vm_map_failure_rolls_back),
	KUNIT_CASE(vm_catalogue_6_mapping_holds_bo),
	KUNIT_CASE(vm_catalogue_8_pages_pinned_while_mapped),
	KUNIT_CASE(vm_unbind_deferred_until_job_done),
	KUNIT_CASE(vm_unbind_after_job_done_is_immediate),
	KUNIT_CASE(vm_destroy_with_live_mappings),
	KUNIT_CASE(vm_destroy_with_work_in_flight),
	KUNIT_CASE(vm_idle_from_irq_reaps_in_worker),
	KUNIT_CASE(vm_reap_requeued_while_running),
	KUNIT_CASE(vm_mapping_cost_follows_range),
	KUNIT_CASE(vm_no_allocation_under_lock),
	{}
};

static struct kunit_suite gc_vm_suite = {
	.name = "gpucore_vm",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_vm_cases,
};

kunit_test_suite(gc_vm_suite);
