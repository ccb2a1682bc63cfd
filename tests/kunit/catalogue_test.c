// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The failure catalogue (DESIGN.md section 6): one case per bug class that
 * C GPU drivers keep shipping. Each case writes the driver code the way the
 * buggy driver did, but on gpucore, and checks two things: the bug is
 * either impossible (the API leaves nothing to misuse) or caught as a
 * report naming the owner; and it did no damage (every object is alive
 * exactly while something owns it, freed once, and no reference leaks).
 * KASAN, kmemleak and the leak check of each tracking scope watch the rest.
 *
 *  1 a fence used after its last put while waiting on it
 *  2 a handle published before the kernel holds its own reference
 *  3 an error path that releases a resource twice
 *  4 an object used again after its constructor freed it
 *  5 a CPU mapping that must keep its object alive by itself
 *  6 an object (a job) that uses a buffer without counting a reference
 *  7 device unplug with files open and work in flight
 *  8 backing pages freed while a GPU mapping points at them
 *  9 scheduler teardown with jobs pending, an aborted job freed twice
 * 10 fence merge and get-fences paths on allocation failure
 */

#include <linux/delay.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/irq_work.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include <gpucore/compat.h>
#include <gpucore/bo.h>
#include <gpucore/fence.h>
#include <gpucore/fence_set.h>
#include <gpucore/queue.h>
#include <gpucore/shmem.h>
#include <gpucore/vm.h>

#include "gc_test.h"
#include "mock_gpu.h"

#define LONG_MS		10000	/* a job timeout no case reaches */
#define VA_BASE		0x100000ull
#define VA_SIZE		0x10000000ull

/* Reports of every kind caught by the current case. */
static unsigned int cat_reports(struct kunit *test)
{
	unsigned int kind, n = 0;

	for (kind = 0; kind < GC_REPORT_NR; kind++)
		n += GC_REPORTS(test, kind);
	return n;
}

/*
 * A driver BO that is not shmem, whose frees the cases count: "freed
 * exactly once, exactly then" is checked on it, not inferred.
 */
struct cat_bo {
	struct drm_gem_object base;
	struct gc_bo gc;
	unsigned int *frees;
};

static void cat_bo_free(struct drm_gem_object *obj)
{
	struct cat_bo *cbo = container_of(obj, struct cat_bo, base);

	gc_bo_release(&cbo->gc);
	(*cbo->frees)++;
	drm_gem_object_release(obj);
	kfree(cbo);
}

static const struct drm_gem_object_funcs cat_bo_funcs = {
	.free = cat_bo_free,
};

static struct gc_bo_unique cat_bo_create(struct kunit *test, struct drm_device *drm,
					 struct gc_track_dir *dir, unsigned int *frees)
{
	struct cat_bo *cbo = kzalloc(sizeof(*cbo), GFP_KERNEL);
	struct gc_bo_unique u;

	KUNIT_ASSERT_NOT_NULL(test, cbo);
	cbo->base.funcs = &cat_bo_funcs;
	cbo->frees = frees;
	drm_gem_private_object_init(drm, &cbo->base, PAGE_SIZE);
	u = gc_bo_attach(&cbo->gc, &cbo->base, dir);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	return u;
}

static struct gc_bo *cat_bo_of(struct drm_gem_object *gem)
{
	return &container_of(gem, struct cat_bo, base)->gc;
}

/* A submission: a mock job that uses @bo (if any) and runs in @vm (if any). */
static struct gc_fence_ref cat_submit(struct kunit *test, struct mock_ring *ring,
				      struct mock_job *mj, struct gc_bo *bo, struct gc_vm *vm)
{
	struct gc_job_pending pending = gc_job_init(&mj->base, ring->queue, 0);
	struct gc_job_armed armed;
	struct gc_fence_ref done;

	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	if (bo)
		KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, bo, GC_ACCESS_WRITE), 0);
	if (vm)
		KUNIT_EXPECT_EQ(test, gc_job_use_vm(&pending, vm), 0);
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	return done;
}

/* A user mapping of @size bytes at the fake offset @pgoff, not yet mmapped. */
static struct vm_area_struct *cat_vma(struct kunit *test, unsigned long pgoff, size_t size)
{
	struct vm_area_struct *vma = kunit_kzalloc(test, sizeof(*vma), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vma);
	vma->vm_start = 0x40000000ul;
	vma->vm_end = vma->vm_start + size;
	vma->vm_pgoff = pgoff;
	/* MAP_SHARED, read-write: what a client mapping a BO asks for. */
	gc_compat_vm_flags_init(vma, VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD | VM_MAYWRITE |
				     VM_MAYSHARE);
	return vma;
}

/* mmap(2) on a DRM file: the file's own mmap operation, as the syscall calls it. */
static int cat_mmap(struct drm_file *file, struct vm_area_struct *vma)
{
	return file->filp->f_op->mmap(file->filp, vma);
}

/*
 * 1. amdgpu's wait ioctl looked a fence up, waited, put it, then read its
 * error: the put could be the last one, because the submitter's reference
 * went while the waiter slept. With gpucore the waiter's lookup is an owned
 * reference, which keeps the fence alive through the wait however the
 * other owners race; the error is read through it before the put, and the
 * put empties it. The buggy order needs a copy of the handle: reading
 * through it, waiting on it or putting it again is reported and touches
 * nothing.
 */
struct cat01_submitter {
	struct work_struct work;
	struct gc_fence_signaller sig;
	struct gc_fence_ref ref;	/* the submitter's own reference */
	bool saw_waiter;		/* completed while the waiter slept */
};

static bool cat01_has_waiter(struct dma_fence *fence)
{
	unsigned long flags;
	bool waiting;

	spin_lock_irqsave(gc_compat_fence_lock(fence), flags);
	waiting = !list_empty(&fence->cb_list);
	spin_unlock_irqrestore(gc_compat_fence_lock(fence), flags);
	return waiting;
}

static void cat01_complete_and_drop(struct work_struct *work)
{
	struct cat01_submitter *s = container_of(work, struct cat01_submitter, work);
	struct dma_fence *fence = gc_fence_borrow(&s->ref);
	unsigned int i;

	/* Let the waiter go to sleep on the fence first (bounded). */
	for (i = 0; i < 1000 && !cat01_has_waiter(fence); i++)
		usleep_range(1000, 2000);
	s->saw_waiter = cat01_has_waiter(fence);
	gc_fence_signal_error(&s->sig, -EIO);
	gc_fence_put(&s->ref);
}

/* The wait ioctl finds the fence (in a context, a syncobj) and owns a reference. */
static noinline struct gc_fence_ref cat01_wait_lookup(struct dma_fence *fence)
{
	return gc_fence_get(fence);
}

static void catalogue_01_fence_put_while_waiting(struct kunit *test)
{
	struct cat01_submitter s = {};
	struct gc_fence_ref waiter, stale;
	struct gc_timeline *tl;
	struct gc_track_dir dir;

	GC_NEED_TRACKING(test);
	gc_track_dir_init(&dir, "catalogue file");
	tl = gc_timeline_create("gc-test", "cat01", &dir);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	s.sig = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(s.sig));
	s.ref = gc_fence_signaller_fence(&s.sig);
	gc_timeline_put(tl);

	waiter = cat01_wait_lookup(gc_fence_borrow(&s.ref));
	stale = waiter;		/* the bug: the raw pointer the C code kept */
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(gc_fence_borrow(&waiter)), 3u);

	/* The submitter completes the work and drops its references mid-wait. */
	INIT_WORK_ONSTACK(&s.work, cat01_complete_and_drop);
	schedule_work(&s.work);
	KUNIT_EXPECT_GT(test, gc_fence_wait(&waiter, false, 10 * HZ), 0L);
	flush_work(&s.work);
	destroy_work_on_stack(&s.work);
	KUNIT_EXPECT_TRUE(test, s.saw_waiter);

	/* Only the waiter's reference is left, and it is enough. */
	KUNIT_EXPECT_EQ(test, gc_fence_refcount(gc_fence_borrow(&waiter)), 1u);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(gc_fence_borrow(&waiter)), -EIO);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&dir), 1u);
	KUNIT_EXPECT_EQ(test, cat_reports(test), 0u);

	/* The last put frees the fence and empties the handle. */
	gc_fence_put(&waiter);
	KUNIT_EXPECT_NULL(test, gc_fence_borrow(&waiter));
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&dir), 0u);
	KUNIT_EXPECT_EQ(test, cat_reports(test), 0u);

	/* amdgpu's order: read the error after the put, through the copy. */
	KUNIT_EXPECT_NULL(test, gc_fence_borrow(&stale));
	KUNIT_EXPECT_EQ(test, gc_fence_wait(&stale, false, HZ), -EINVAL);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 2u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_USE_AFTER_PUT,
						    "cat01_wait_lookup"));
	/* And a deliberate extra put: reported, never a second release. */
	gc_fence_put(&stale);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_DOUBLE_PUT,
						    "cat01_wait_lookup"));
	KUNIT_EXPECT_EQ(test, cat_reports(test), 3u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_exit(&dir), 0u);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_LEAK), 0u);
}

/*
 * 2. panfrost's and i915's create ioctls made the GEM handle, dropped their
 * reference, then went on using the BO, so a thread closing the fresh
 * handle freed it under them. gc_bo_publish() creates the handle only once
 * the kernel's reference is secured and returns that reference: closing
 * the handle at once leaves the kernel's BO valid, and the ioctl's put at
 * its end is the release.
 */
static void catalogue_02_handle_published_before_ref(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 2 * PAGE_SIZE, &mdev->refs);
	struct gc_vm *vm = gc_vm_create(&mdev->gdev, VA_BASE, VA_SIZE, NULL, NULL);
	struct gc_bo_vmap map;
	struct gc_bo_ref ref;
	struct gc_bo *bo;
	u32 handle = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	KUNIT_EXPECT_NULL(test, u.ptr);
	KUNIT_EXPECT_NE(test, handle, 0u);
	bo = gc_bo_borrow(&ref);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 2u);	/* the kernel's and the handle's */

	/* Another thread of the client closes the handle the moment it exists. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	KUNIT_EXPECT_NULL(test, drm_gem_object_lookup(file, handle));
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	/* Closing it again cannot reach the kernel's reference. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), -EINVAL);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);

	/* The rest of the ioctl: map the BO for the GPU, clear it (KASAN watches). */
	KUNIT_EXPECT_EQ(test, gc_vm_bind(vm, bo, 0, VA_BASE, 2 * PAGE_SIZE,
					 GC_VM_READ | GC_VM_WRITE), 0);
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, bo), 0);
	iosys_map_memset(&map.map, 0, 0, 2 * PAGE_SIZE);
	gc_bo_vunmap(&map);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 2u);	/* the kernel's and the mapping's */
	gc_bo_put(&ref);
	KUNIT_EXPECT_NULL(test, gc_bo_borrow(&ref));
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 1u);	/* the mapping */

	gc_vm_destroy(vm);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

/*
 * 3. amdgpu passed a resource to a helper whose error path released it,
 * then released it again on its own error path. The gpucore form of the
 * ambiguity is a handle passed by value: two copies, two puts. The second
 * put is caught as a double put naming the owner that took the reference
 * (the log also shows the stack that released it), the refcount is not
 * touched, and the BO is freed once, by its real last owner.
 */
struct cat03_ctx {
	struct gc_bo_ref bo;
};

/* Takes the context's reference: the owner a report must name. */
static noinline void cat03_ctx_init(struct cat03_ctx *ctx, struct gc_bo *bo)
{
	ctx->bo = gc_bo_get(bo);
}

/* A step that fails and, on its way out, releases what it was handed. */
static noinline int cat03_step_fails(struct gc_bo_ref ref)
{
	gc_bo_put(&ref);
	return -ENOMEM;
}

static void catalogue_03_double_release_on_error_path(struct kunit *test)
{
	struct gc_mock_device *mdev;
	struct cat03_ctx ctx;
	unsigned int frees = 0;
	struct gc_bo_unique u;
	struct gc_bo_ref owner;
	struct gc_bo *bo;

	GC_NEED_TRACKING(test);
	mdev = gc_mock_device(test, true);
	u = cat_bo_create(test, &mdev->drm, &mdev->refs, &frees);
	owner = gc_bo_share(&u);
	bo = gc_bo_borrow(&owner);
	cat03_ctx_init(&ctx, bo);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 2u);

	KUNIT_EXPECT_EQ(test, cat03_step_fails(ctx.bo), -ENOMEM);
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	/* The caller's error path releases the context's reference too. */
	gc_bo_put(&ctx.bo);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
	KUNIT_EXPECT_EQ(test, cat_reports(test), 1u);
	KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, GC_REPORT_DOUBLE_PUT,
						    "cat03_ctx_init"));
	/* Not carried out: the owner's reference and the BO are intact. */
	KUNIT_EXPECT_EQ(test, gem_refs(bo), 1u);
	KUNIT_EXPECT_EQ(test, frees, 0u);
	KUNIT_EXPECT_PTR_EQ(test, gc_bo_borrow(&owner), bo);

	gc_bo_put(&owner);
	KUNIT_EXPECT_EQ(test, frees, 1u);
	gc_bo_put(&owner);	/* emptied by the put: nothing happens */
	gc_bo_put(&ctx.bo);
	KUNIT_EXPECT_EQ(test, frees, 1u);
	KUNIT_EXPECT_EQ(test, cat_reports(test), 1u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
}

/*
 * 4. nouveau's constructors freed the object when they failed and their
 * callers used or released it again. A gpucore constructor that fails
 * returns an error handle that owns nothing: every use of it is refused,
 * every release does nothing. Four constructors fail here: a BO whose GEM
 * object was allocated and freed inside the constructor, a fence whose
 * allocation fails, a job refused by a full queue (the driver still owns
 * its job), and an arm that fails and frees the prepared job and what it
 * held (the pending handle is emptied; a stale copy is reported).
 */
static void catalogue_04_use_after_failed_constructor(struct kunit *test)
{
	struct gc_job_pending prepared, full, stale;
	struct gc_fence_signaller sig, next;
	struct mock_job *mj_prepared, *mj_full;
	unsigned int bo_frees = 0;
	struct gc_bo_ref ref, got;
	struct gc_job_armed armed;
	struct gc_timeline *tl;
	struct mock_ring *ring;
	struct drm_file *file;
	struct gc_bo_unique u;
	struct gc_bo_vmap map;
	struct gc_bo_pin pin;
	struct mock_gpu gpu;
	u32 handle = 0;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);

	/*
	 * A size no shmem file can have: the driver's GEM object is allocated,
	 * then freed by the constructor's error path.
	 */
	u = gc_shmem_bo_create(&gpu.mdev->drm, (size_t)-PAGE_SIZE, &gpu.gdev.refs);
	KUNIT_ASSERT_TRUE(test, gc_is_err(u));
	KUNIT_EXPECT_EQ(test, gc_err(u), -EINVAL);
	KUNIT_EXPECT_NULL(test, gc_bo_unique_borrow(&u));
	KUNIT_EXPECT_EQ(test, gc_bo_set_label(&u, "reused"), -EINVAL);
	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_EXPECT_TRUE(test, gc_is_err(ref));
	KUNIT_EXPECT_EQ(test, handle, 0u);	/* no handle reached user space */
	KUNIT_EXPECT_NULL(test, gc_bo_borrow(&ref));
	got = gc_bo_get(gc_bo_borrow(&ref));
	KUNIT_EXPECT_NULL(test, got.ptr);
	KUNIT_EXPECT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), -EINVAL);
	KUNIT_EXPECT_NULL(test, map.ref.ptr);
	KUNIT_EXPECT_EQ(test, gc_bo_pin(&pin, gc_bo_borrow(&ref)), -EINVAL);
	KUNIT_EXPECT_NULL(test, pin.ref.ptr);
	gc_bo_put(&ref);
	gc_bo_unique_drop(&u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&gpu.gdev.refs), 0u);

	/* A fence whose allocation fails: nothing to signal, the timeline unchanged. */
	tl = gc_timeline_create("gc-test", "cat04", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	if (gc_test_fail_nth(1)) {
		sig = gc_fence_create(tl, GFP_NOWAIT);
		gc_test_fail_nth(0);
		KUNIT_EXPECT_TRUE(test, gc_is_err(sig));
		KUNIT_EXPECT_EQ(test, gc_err(sig), -ENOMEM);
		KUNIT_EXPECT_NULL(test, gc_fence_signaller_fence(&sig).ptr);
		KUNIT_EXPECT_EQ(test, gc_fence_signaller_seqno(&sig), 0ull);
		KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), -EINVAL);
		gc_fence_signaller_drop(&sig);
	}
	next = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(next));
	KUNIT_EXPECT_EQ(test, gc_fence_signaller_seqno(&next), 1ull);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&next), 0);
	gc_timeline_put(tl);

	/* A queue with room for one job; the prepared job holds a BO. */
	ring = mock_ring_create(test, &gpu, 1, 1, LONG_MS, 0);
	u = cat_bo_create(test, &gpu.mdev->drm, &gpu.gdev.refs, &bo_frees);
	ref = gc_bo_share(&u);
	mj_prepared = mock_job_alloc(test, ring);
	prepared = gc_job_init(&mj_prepared->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(prepared));
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&prepared, gc_bo_borrow(&ref), GC_ACCESS_READ), 0);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 2u);

	/* Refused: the driver's job struct was never taken over. */
	mj_full = mock_job_alloc(test, ring);
	full = gc_job_init(&mj_full->base, ring->queue, GC_JOB_NONBLOCK);
	KUNIT_EXPECT_EQ(test, gc_err(full), -EAGAIN);
	gc_job_abort(&full);
	KUNIT_EXPECT_EQ(test, gc_err(gc_job_arm(&full)), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 0);
	kfree(mj_full);

	/* The device goes between preparation and arm: arm fails and frees the job. */
	stale = prepared;	/* the bug: the caller's error path keeps a copy */
	gc_device_unplug(&gpu.gdev);
	armed = gc_job_arm(&prepared);
	KUNIT_EXPECT_EQ(test, gc_err(armed), -ENODEV);
	KUNIT_EXPECT_NULL(test, prepared.ptr);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	KUNIT_EXPECT_EQ(test, gem_refs(gc_bo_borrow(&ref)), 1u);
	gc_job_armed_drop(&armed);
	gc_job_abort(&prepared);	/* the usual error path: nothing left to free */
	KUNIT_EXPECT_EQ(test, cat_reports(test), 0u);
	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)) {
		gc_job_abort(&stale);
		KUNIT_EXPECT_EQ(test, cat_reports(test), 1u);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);

	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, bo_frees, 1u);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 0);
}

/*
 * 5. drm/prime mapped an object for user space without the mapping holding
 * a reference of its own, so closing the handle freed memory still
 * mapped. A user mmap of a gpucore BO goes through the GEM mmap path,
 * whose VMA holds a reference; a kernel mapping (gc_bo_vmap()) holds its
 * own too. With the handle closed and the driver's reference dropped, the
 * two mappings alone keep the object and its pages; it is freed when the
 * last of them goes, and not before.
 */
static bool cat05_offset_live(struct drm_device *drm, unsigned long pgoff, unsigned long pages)
{
	struct drm_vma_offset_node *node;

	drm_vma_offset_lock_lookup(drm->vma_offset_manager);
	node = drm_vma_offset_exact_lookup_locked(drm->vma_offset_manager, pgoff, pages);
	drm_vma_offset_unlock_lookup(drm->vma_offset_manager);
	return node;
}

static void catalogue_05_mmap_keeps_object_alive(struct kunit *test)
{
	struct gc_mock_device *mdev = gc_mock_device(test, true);
	struct drm_file *file = gc_mock_file(test, mdev);
	struct gc_bo_unique u = gc_shmem_bo_create(&mdev->drm, 2 * PAGE_SIZE, &mdev->refs);
	struct vm_area_struct *vma, *again;
	struct drm_gem_object *gem;
	struct gc_shmem_bo *sbo;
	unsigned long pgoff;
	struct gc_bo_vmap map;
	struct gc_bo_ref ref;
	u32 handle, *page;

	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	sbo = to_gc_shmem_bo(gc_bo_borrow(&ref));
	gem = &sbo->shmem.base;

	/* The client asks for the mmap offset and maps the BO. */
	KUNIT_ASSERT_EQ(test, drm_gem_create_mmap_offset(gem), 0);
	pgoff = drm_vma_node_start(&gem->vma_node);
	vma = cat_vma(test, pgoff, 2 * PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, cat_mmap(file, vma), 0);
	KUNIT_EXPECT_PTR_EQ(test, vma->vm_private_data, (void *)gem);
	/* The kernel maps it too. */
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, &sbo->gc), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 4u);

	/* The handle is closed and the driver lets go: only the mappings hold it. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 2u);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 1u);	/* the vmap's */
	KUNIT_EXPECT_TRUE(test, cat05_offset_live(&mdev->drm, pgoff, 2));

	/* Both see the same live pages (KASAN watches the accesses). */
	iosys_map_wr(&map.map, PAGE_SIZE + 8, u32, 0xc0ffee);
	page = kmap_local_page(sbo->shmem.pages[1]);
	KUNIT_EXPECT_EQ(test, page[2], 0xc0ffeeu);
	page[3] = 0xbeef;
	kunmap_local(page);
	KUNIT_EXPECT_EQ(test, iosys_map_rd(&map.map, PAGE_SIZE + 12, u32), 0xbeefu);

	/* The closed handle no longer grants this file a new mapping. */
	again = cat_vma(test, pgoff, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, cat_mmap(file, again), -EACCES);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 2u);

	/* munmap: the kernel mapping still holds the object. */
	vma->vm_ops->close(vma);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 1u);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 1u);
	KUNIT_EXPECT_TRUE(test, cat05_offset_live(&mdev->drm, pgoff, 2));
	/* The last mapping goes: so does the object, and its offset with it. */
	gc_bo_vunmap(&map);
	KUNIT_EXPECT_FALSE(test, cat05_offset_live(&mdev->drm, pgoff, 2));
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&mdev->refs), 0u);
	gc_expect_no_reports(test);
}

/*
 * 6. vmwgfx's command checker looked buffers up by handle and kept the
 * pointers in the command's state without a reference of their own; the
 * client closed the handle while the command was queued. A gpucore job can
 * only be given a BO through gc_job_use_bo(), which takes the job's own
 * reference: the handle closed in flight leaves the BO to the job, which
 * releases it when it retires, and only then is it freed. A pointer kept
 * past the lookup's put (the C bug) is reported when used, and even a put
 * through it cannot take the job's reference away.
 */
static void catalogue_06_job_holds_bo_reference(struct kunit *test)
{
	struct gc_bo_ref ref, lookup, cached;
	struct gc_job_pending pending;
	struct gc_job_armed armed;
	struct drm_gem_object *gem;
	unsigned int bo_frees = 0;
	struct gc_fence_ref done;
	struct mock_ring *ring;
	struct drm_file *file;
	bool job_freed = false;
	struct gc_bo_unique u;
	struct mock_gpu gpu;
	struct mock_job *mj;
	u32 handle;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);
	ring = mock_ring_create(test, &gpu, 1, 4, LONG_MS, 0);

	/* The create ioctl: the handle is the BO's only owner afterwards. */
	u = cat_bo_create(test, &gpu.mdev->drm, &gpu.gdev.refs, &bo_frees);
	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	gc_bo_put(&ref);

	/* The submit ioctl looks the handle up and gives the BO to the job. */
	mj = mock_job_alloc(test, ring);
	mj->freed = &job_freed;
	pending = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	gem = drm_gem_object_lookup(file, handle);
	KUNIT_ASSERT_NOT_NULL(test, gem);
	lookup = gc_bo_adopt(cat_bo_of(gem));
	cached = lookup;	/* the bug: kept in the command state */
	KUNIT_EXPECT_EQ(test, gc_job_use_bo(&pending, gc_bo_borrow(&lookup), GC_ACCESS_WRITE), 0);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 3u);	/* handle, lookup, job */
	gc_bo_put(&lookup);	/* the end of the ioctl */
	armed = gc_job_arm(&pending);
	KUNIT_ASSERT_FALSE(test, gc_is_err(armed));
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	/* The client closes the handle while the job runs. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	KUNIT_EXPECT_EQ(test, bo_frees, 0u);
	KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 1u);	/* the job's */
	KUNIT_EXPECT_EQ(test, cat_reports(test), 0u);
	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)) {
		KUNIT_EXPECT_NULL(test, gc_bo_borrow(&cached));
		KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_USE_AFTER_PUT), 1u);
		gc_bo_put(&cached);
		KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_DOUBLE_PUT), 1u);
		KUNIT_EXPECT_EQ(test, cat_reports(test), 2u);
		KUNIT_EXPECT_EQ(test, kref_read(&gem->refcount), 1u);
		KUNIT_EXPECT_EQ(test, bo_frees, 0u);
	}

	/* The job retires; releasing it frees the BO, once. */
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&done), 1);
	gc_fence_put(&done);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);	/* after every job's release */
	KUNIT_EXPECT_TRUE(test, job_freed);
	KUNIT_EXPECT_EQ(test, bo_frees, 1u);
}

/*
 * 7. nouveau freed its device state on unbind while files were still open
 * and work was queued; the files' later calls and closes used it. After
 * gc_device_unplug() the work in flight completes with -ENODEV (every
 * fence signals), new work, queues and mappings are refused with -ENODEV,
 * and the open file's objects stay valid until the file closes, after
 * which nothing of the device is left.
 */
static void catalogue_07_unplug_with_work_in_flight(struct kunit *test)
{
	struct gc_queue_params params = { .name = "late", .hw_jobs = 1, .max_jobs = 1,
					  .timeout_ms = LONG_MS };
	struct gc_fence_ref running, queued;
	struct gc_job_pending refused;
	struct drm_gem_object *gem;
	struct mock_ring *ring;
	struct drm_file *file;
	struct gc_queue *queue;
	struct gc_bo_vmap map;
	struct gc_bo_ref ref;
	struct mock_gpu gpu;
	struct mock_job *mj;
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
	KUNIT_ASSERT_EQ(test, drm_gem_create_mmap_offset(bo->gem), 0);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, bo, 0, VA_BASE, PAGE_SIZE,
					 GC_VM_READ | GC_VM_WRITE), 0);
	running = cat_submit(test, ring, mock_job_alloc(test, ring), bo, vm);
	queued = cat_submit(test, ring, mock_job_alloc(test, ring), bo, vm);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	gc_device_unplug(&gpu.gdev);

	/* Every fence of the work in flight signals, with -ENODEV. */
	KUNIT_EXPECT_GT(test, wait_done(&running), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&running), -ENODEV);
	KUNIT_EXPECT_GT(test, wait_done(&queued), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&queued), -ENODEV);
	/* New work, queues and mappings are refused with -ENODEV. */
	mj = mock_job_alloc(test, ring);
	refused = gc_job_init(&mj->base, ring->queue, 0);
	KUNIT_EXPECT_EQ(test, gc_err(refused), -ENODEV);
	kfree(mj);
	queue = gc_queue_create(&gpu.gdev, &params, &mock_queue_ops, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(queue), -ENODEV);
	KUNIT_EXPECT_EQ(test, cat_mmap(file, cat_vma(test, drm_vma_node_start(&bo->gem->vma_node),
						     PAGE_SIZE)), -ENODEV);

	/* The open file's objects are still valid. */
	gem = drm_gem_object_lookup(file, handle);
	KUNIT_EXPECT_PTR_EQ(test, gem, bo->gem);
	if (gem)
		drm_gem_object_put(gem);
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, bo), 0);
	iosys_map_memset(&map.map, 0, 0x5a, PAGE_SIZE);
	gc_bo_vunmap(&map);

	/* The file closes after the device is gone: queue, VM, BO, handle. */
	mock_ring_destroy(ring);
	gc_vm_destroy(vm);
	gc_bo_put(&ref);
	gc_fence_put(&running);
	gc_fence_put(&queued);
	gc_mock_file_close(test, file);
	mock_gpu_fini(test, &gpu);	/* no queue left, no reference leaked */
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 2);
	gc_expect_no_reports(test);
}

/*
 * 8. i915 released the pages of an object while the GPU could still reach
 * them through its page tables. A gpucore VM mapping pins its BO; an unbind
 * (or the VM's destruction) while work that uses the VM runs is deferred:
 * the translation and the pages stay until that work is done, then the
 * backend unmaps first and the pages are released after, in process
 * context. Every CPU-side owner lets go while the GPU runs, the GPU keeps
 * reaching the same live pages through its translations, and the BO goes
 * with the last mapping.
 */
struct cat08_mmu {
	unsigned int unmaps;
	unsigned int unmaps_while_busy;	/* translations removed before the GPU was done */
	unsigned int min_pages_pinned;	/* the BO's page pins when a translation went */
	struct dma_fence *gpu_work;
};

static int cat08_map(struct gc_vm *vm, const struct gc_vm_mapping *m)
{
	return 0;
}

static void cat08_unmap(struct gc_vm *vm, const struct gc_vm_mapping *m)
{
	struct cat08_mmu *mmu = vm->priv;
	struct gc_bo *bo = gc_bo_borrow(&m->pin.ref);
	unsigned int pins = bo ? gc_compat_shmem_pins(&to_gc_shmem_bo(bo)->shmem) : 0;

	mmu->unmaps++;
	mmu->min_pages_pinned = min(mmu->min_pages_pinned, pins);
	if (!mmu->gpu_work || !dma_fence_is_signaled(mmu->gpu_work))
		mmu->unmaps_while_busy++;
}

static const struct gc_vm_ops cat08_vm_ops = {
	.map = cat08_map,
	.unmap = cat08_unmap,
};

/* A GPU access at @va: translate through @vm, write @value if >= 0, read. */
static int cat08_gpu_access(struct gc_vm *vm, u64 va, int value)
{
	struct gc_vm_mapping *m;
	struct gc_bo *bo = NULL;
	int ret = -EFAULT;
	u64 off;
	u8 *p;

	mutex_lock(&vm->lock);
	m = gc_vm_find(vm, va);
	if (m)
		bo = gc_bo_borrow(&m->pin.ref);
	if (bo) {
		off = va - m->node.start + m->bo_offset;
		p = kmap_local_page(to_gc_shmem_bo(bo)->shmem.pages[off >> PAGE_SHIFT]);
		if (value >= 0)
			p[offset_in_page(off)] = value;
		ret = p[offset_in_page(off)];
		kunmap_local(p);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * The done fence wakes its waiters before it runs the VM's callbacks, so a
 * waiter may get here before the teardown is even queued: flush until the
 * deferred mappings are gone (bounded).
 */
static bool cat08_wait_reaped(struct gc_vm *vm)
{
	unsigned long end = jiffies + 10 * HZ;

	for (;;) {
		gc_vm_flush(vm);
		if (!gc_vm_nr_deferred(vm))
			return true;
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
}

static void catalogue_08_pages_freed_under_gpu_mapping(struct kunit *test)
{
	struct cat08_mmu mmu = { .min_pages_pinned = UINT_MAX };
	struct gc_shmem_bo *sbo;
	struct gc_fence_ref done;
	struct mock_ring *ring;
	struct drm_file *file;
	struct gc_vm *vm, *held;
	struct gc_bo_unique u;
	struct gc_bo_ref ref;
	struct mock_gpu gpu;
	u32 handle;

	mock_gpu_init(test, &gpu);
	file = gc_mock_file(test, gpu.mdev);
	ring = mock_ring_create(test, &gpu, 1, 2, LONG_MS, 0);
	vm = gc_vm_create(&gpu.gdev, VA_BASE, VA_SIZE, &cat08_vm_ops, &mmu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	held = gc_vm_get(vm);	/* the case's view of the teardown */
	u = gc_shmem_bo_create(&gpu.mdev->drm, 2 * PAGE_SIZE, &gpu.gdev.refs);
	ref = gc_bo_publish(&u, file, &handle);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	sbo = to_gc_shmem_bo(gc_bo_borrow(&ref));
	/* Two translations of the BO's second page: one range of both, one of it. */
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, &sbo->gc, 0, VA_BASE, 2 * PAGE_SIZE,
					 GC_VM_READ | GC_VM_WRITE), 0);
	KUNIT_ASSERT_EQ(test, gc_vm_bind(vm, &sbo->gc, PAGE_SIZE, VA_BASE + 16 * PAGE_SIZE,
					 PAGE_SIZE, GC_VM_READ), 0);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 2u);

	/* A job that reaches the BO only through the VM. */
	done = cat_submit(test, ring, mock_job_alloc(test, ring), NULL, vm);
	mmu.gpu_work = gc_fence_borrow(&done);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	/* Handle closed, driver reference dropped, one range unbound, VM destroyed. */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, gc_vm_unbind(vm, VA_BASE, 2 * PAGE_SIZE), 0);
	gc_vm_destroy(vm);

	/* Nothing was torn down under the GPU. */
	KUNIT_EXPECT_EQ(test, mmu.unmaps, 0u);
	KUNIT_EXPECT_EQ(test, gc_vm_nr_deferred(held), 2u);
	KUNIT_EXPECT_EQ(test, gc_compat_shmem_pins(&sbo->shmem), 2u);
	KUNIT_EXPECT_EQ(test, kref_read(&sbo->shmem.base.refcount), 2u);
	/* The GPU writes through one translation and reads through the other. */
	KUNIT_EXPECT_EQ(test, cat08_gpu_access(held, VA_BASE + PAGE_SIZE + 64, 0x5a), 0x5a);
	KUNIT_EXPECT_EQ(test, cat08_gpu_access(held, VA_BASE + 16 * PAGE_SIZE + 64, -1), 0x5a);

	/* The job retires: the translations go, then the pages, then the BO. */
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&done), 0L);
	KUNIT_EXPECT_TRUE(test, cat08_wait_reaped(held));
	KUNIT_EXPECT_EQ(test, mmu.unmaps, 2u);
	KUNIT_EXPECT_EQ(test, mmu.unmaps_while_busy, 0u);
	KUNIT_EXPECT_GE(test, mmu.min_pages_pinned, 1u);
	KUNIT_EXPECT_EQ(test, cat08_gpu_access(held, VA_BASE + PAGE_SIZE, -1), -EFAULT);
	mmu.gpu_work = NULL;
	gc_fence_put(&done);
	KUNIT_EXPECT_EQ(test, gc_track_dir_live(&gpu.gdev.refs), 0u);	/* the BO is gone */
	gc_vm_put(held);
	mock_ring_destroy(ring);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);
	gc_expect_no_reports(test);
}

/*
 * 9. drm_sched users tore schedulers down with jobs pending (leaking them,
 * or freeing them under the scheduler), killed entities without waiting for
 * the jobs' dependencies, freed an aborted submission's job twice, and
 * handed out scheduler fences that outlived the scheduler. Here: a
 * submission aborted on two error paths (the emptied handle does nothing,
 * a stale copy is reported, the job is freed once); then the queue is
 * destroyed with a job running, one queued and one waiting on an
 * unsignalled dependency: the running job completes, the queued one is
 * cancelled without running, the waiting one is neither run nor freed
 * until its dependency signals, the scheduler goes after the last job, and
 * the done fences stay readable after queue and device are gone.
 */

/* The submit path that prepares the job: the owner a report must name. */
static noinline struct gc_job_pending cat09_prepare(struct mock_ring *ring, struct mock_job *mj)
{
	return gc_job_init(&mj->base, ring->queue, 0);
}

static void catalogue_09_sched_teardown_with_jobs_pending(struct kunit *test)
{
	struct dma_fence *dep = gc_test_foreign_fence(test);
	struct gc_fence_ref run_done, queued_done, dep_done;
	bool aborted_freed = false, dep_freed = false;
	struct gc_job_pending pending, copy;
	enum gc_report_kind kind;
	struct mock_ring *ring;
	struct mock_gpu gpu;
	struct mock_job *mj;
	struct dma_fence *f;

	mock_gpu_init(test, &gpu);
	ring = mock_ring_create(test, &gpu, 1, 8, LONG_MS, 0);

	/* An aborted submission, released by the callee and by the caller. */
	mj = mock_job_alloc(test, ring);
	mj->freed = &aborted_freed;
	pending = cat09_prepare(ring, mj);
	KUNIT_ASSERT_FALSE(test, gc_is_err(pending));
	copy = pending;
	gc_job_abort(&pending);
	KUNIT_EXPECT_TRUE(test, aborted_freed);
	gc_job_abort(&pending);		/* emptied: nothing happens, nothing reported */
	KUNIT_EXPECT_EQ(test, cat_reports(test), 0u);
	if (IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)) {
		gc_job_abort(&copy);	/* the second free of the C bug: caught */
		KUNIT_EXPECT_EQ(test, cat_reports(test), 1u);
		kind = GC_REPORTS(test, GC_REPORT_DOUBLE_PUT) ? GC_REPORT_DOUBLE_PUT :
								 GC_REPORT_USE_AFTER_PUT;
		KUNIT_EXPECT_TRUE(test, gc_report_stack_has(test, kind, "cat09_prepare"));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 1);

	/* One job on the hardware, one queued, one waiting for a dependency. */
	run_done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	queued_done = mock_submit(test, ring, mock_job_alloc(test, ring), NULL);
	mj = mock_job_alloc(test, ring);
	mj->freed = &dep_freed;
	dep_done = mock_submit(test, ring, mj, dep);
	KUNIT_ASSERT_TRUE(test, mock_ring_wait_running(ring, 1));

	mock_ring_destroy(ring);
	KUNIT_EXPECT_EQ(test, mock_ring_complete(ring, 1), 1u);
	KUNIT_EXPECT_GT(test, wait_done(&run_done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&run_done), 1);
	KUNIT_EXPECT_GT(test, wait_done(&queued_done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&queued_done), -ECANCELED);
	/* The killed queue still waits for the last job's dependency. */
	msleep(50);
	KUNIT_EXPECT_FALSE(test, dep_freed);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&dep_done)));
	dma_fence_signal(dep);
	KUNIT_EXPECT_GT(test, wait_done(&dep_done), 0L);
	KUNIT_EXPECT_EQ(test, done_status(&dep_done), -ECANCELED);

	/* The scheduler is torn down after its last job; nothing was leaked. */
	f = gc_fence_into_raw(&dep_done);
	gc_fence_put(&run_done);
	gc_fence_put(&queued_done);
	mock_gpu_fini(test, &gpu);
	KUNIT_EXPECT_TRUE(test, dep_freed);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.frees), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&gpu.runs), 1);
	/* A done fence outlives queue, scheduler and device. */
	KUNIT_EXPECT_TRUE(test, gc_is_fence(f));
	KUNIT_EXPECT_STREQ(test, f->ops->get_timeline_name(f), "mock-ring");
	KUNIT_EXPECT_STREQ(test, f->ops->get_driver_name(f), "gc-mock");
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(f), -ECANCELED);
	dma_fence_put(f);
	dma_fence_put(dep);
	/* Only the injected second abort was reported. */
	KUNIT_EXPECT_EQ(test, cat_reports(test), IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG) ? 1u : 0u);
}

/*
 * 10. sync_file merge and dma_resv's get-fences leaked fence references,
 * or left callers with freed ones, when an allocation failed half-way.
 * Every gpucore fence-set operation is swept with fail-nth: the n-th
 * fault-injectable allocation fails, for n = 1, 2, ... until the call
 * succeeds. Each failure must return -ENOMEM and leave the set and every
 * fence's refcount exactly as they were (all the fences are read again,
 * under KASAN); then the successful call must be right, and at the end
 * every reference is returned. failslab ignores sleeping allocations by
 * default, so the calls are made with GFP_NOWAIT.
 */
#define CAT10_NR	4
#define CAT10_MAX_NTH	16

struct cat10_fx {
	struct dma_fence *f[CAT10_NR];	/* foreign fences, distinct contexts */
	struct gc_fence_ref container;	/* an array of f[1] and f[2] */
	struct dma_resv resv;		/* f[3] written, f[0] read */
	struct gc_fence_set set;
	struct gc_fence_ref merged;
};

struct cat10_state {
	unsigned int count;
	unsigned int capacity;
	struct dma_fence *refs[CAT10_NR];
	unsigned int refcount[CAT10_NR];
};

static void cat10_state(struct kunit *test, struct cat10_fx *fx, struct cat10_state *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->count = gc_fence_set_count(&fx->set);
	st->capacity = fx->set.capacity;
	/* Reading each fence the set holds: a freed one would be a KASAN report. */
	for (i = 0; i < st->count && i < CAT10_NR; i++)
		st->refs[i] = fx->set.refs[i].ptr;
	for (i = 0; i < st->count && i < CAT10_NR; i++)
		KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(st->refs[i]));
	for (i = 0; i < CAT10_NR; i++)
		st->refcount[i] = gc_fence_refcount(fx->f[i]);
}

enum cat10_op { CAT10_ADD, CAT10_ADD_RESV, CAT10_MERGE };

static int cat10_call(struct cat10_fx *fx, enum cat10_op op)
{
	switch (op) {
	case CAT10_ADD:
		return gc_fence_set_add(&fx->set, gc_fence_borrow(&fx->container), GFP_NOWAIT);
	case CAT10_ADD_RESV:
		return gc_fence_set_add_resv(&fx->set, &fx->resv, DMA_RESV_USAGE_READ, GFP_NOWAIT);
	case CAT10_MERGE:
		fx->merged = gc_fence_set_merge(&fx->set, GFP_NOWAIT);
		return gc_is_err(fx->merged) ? gc_err(fx->merged) : 0;
	}
	return -EINVAL;
}

/* Fail the 1st, 2nd, ... allocation of @op until it succeeds; failure points. */
static unsigned int cat10_sweep(struct kunit *test, struct cat10_fx *fx, enum cat10_op op)
{
	struct cat10_state before, after;
	unsigned int nth, i, points = 0;
	int ret = -ENOMEM;

	cat10_state(test, fx, &before);
	for (nth = 1; nth <= CAT10_MAX_NTH && ret; nth++) {
		gc_test_fail_nth(nth);
		ret = cat10_call(fx, op);
		gc_test_fail_nth(0);
		if (!ret)
			break;
		points++;
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "op %d nth %u", op, nth);
		if (op == CAT10_MERGE) {
			/* The error handle owns nothing; putting it is harmless. */
			gc_fence_put(&fx->merged);
		}
		cat10_state(test, fx, &after);
		KUNIT_EXPECT_EQ_MSG(test, after.count, before.count, "op %d nth %u", op, nth);
		KUNIT_EXPECT_EQ_MSG(test, after.capacity, before.capacity, "op %d nth %u", op, nth);
		for (i = 0; i < CAT10_NR; i++) {
			KUNIT_EXPECT_PTR_EQ_MSG(test, after.refs[i], before.refs[i],
						"op %d nth %u entry %u", op, nth, i);
			KUNIT_EXPECT_EQ_MSG(test, after.refcount[i], before.refcount[i],
					    "op %d nth %u fence %u", op, nth, i);
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "op %d never succeeded", op);
	return points;
}

static void catalogue_10_fence_merge_alloc_failure(struct kunit *test)
{
	unsigned int i, points[3];
	struct gc_fence_set src;
	struct cat10_fx fx = {};
	struct dma_fence *m;

	if (!gc_test_fail_nth(0))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	for (i = 0; i < CAT10_NR; i++)
		fx.f[i] = gc_test_foreign_fence(test);
	gc_fence_set_init(&src);
	KUNIT_ASSERT_EQ(test, gc_fence_set_add(&src, fx.f[1], GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, gc_fence_set_add(&src, fx.f[2], GFP_KERNEL), 0);
	fx.container = gc_fence_set_merge(&src, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(fx.container));
	gc_fence_set_fini(&src);
	dma_resv_init(&fx.resv);
	KUNIT_ASSERT_EQ(test, dma_resv_lock(&fx.resv, NULL), 0);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(&fx.resv, 2), 0);
	dma_resv_add_fence(&fx.resv, fx.f[3], DMA_RESV_USAGE_WRITE);
	dma_resv_add_fence(&fx.resv, fx.f[0], DMA_RESV_USAGE_READ);
	dma_resv_unlock(&fx.resv);
	gc_fence_set_init(&fx.set);
	KUNIT_ASSERT_EQ(test, gc_fence_set_add(&fx.set, fx.f[0], GFP_KERNEL), 0);

	/* A container, unwrapped: the set grows to f[0], f[1], f[2]. */
	points[0] = cat10_sweep(test, &fx, CAT10_ADD);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 3u);
	/* The reservation's fences: f[3] joins, f[0] is already there. */
	points[1] = cat10_sweep(test, &fx, CAT10_ADD_RESV);
	KUNIT_EXPECT_EQ(test, gc_fence_set_count(&fx.set), 4u);
	/* The merge: an array of the four. */
	points[2] = cat10_sweep(test, &fx, CAT10_MERGE);
	for (i = 0; i < ARRAY_SIZE(points); i++)
		KUNIT_EXPECT_GE_MSG(test, points[i], 1u, "op %u had no failure point", i);
	kunit_info(test, "failure points: add %u, add_resv %u, merge %u\n",
		   points[0], points[1], points[2]);

	/* What succeeded is right: the merge signals when all four have. */
	m = gc_fence_borrow(&fx.merged);
	KUNIT_ASSERT_NOT_NULL(test, to_dma_fence_array(m));
	KUNIT_EXPECT_EQ(test, to_dma_fence_array(m)->num_fences, CAT10_NR);
	gc_compat_fence_enable_signaling(m);
	for (i = 0; i < CAT10_NR; i++) {
		KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(m));
		dma_fence_signal(fx.f[i]);
	}
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(m));
	/* The array drops its callbacks' references from an irq_work. */
	irq_work_sync(&to_dma_fence_array(m)->work);

	/* Every reference comes back. */
	gc_fence_put(&fx.merged);
	gc_fence_put(&fx.container);
	gc_fence_set_fini(&fx.set);
	dma_resv_fini(&fx.resv);
	for (i = 0; i < CAT10_NR; i++) {
		KUNIT_EXPECT_EQ(test, gc_fence_refcount(fx.f[i]), 1u);
		dma_fence_put(fx.f[i]);
	}
	gc_expect_no_reports(test);
}

static struct kunit_case gc_catalogue_cases[] = {
	KUNIT_CASE(catalogue_01_fence_put_while_waiting),
	KUNIT_CASE(catalogue_02_handle_published_before_ref),
	KUNIT_CASE(catalogue_03_double_release_on_error_path),
	KUNIT_CASE(catalogue_04_use_after_failed_constructor),
	KUNIT_CASE(catalogue_05_mmap_keeps_object_alive),
	KUNIT_CASE(catalogue_06_job_holds_bo_reference),
	KUNIT_CASE(catalogue_07_unplug_with_work_in_flight),
	KUNIT_CASE(catalogue_08_pages_freed_under_gpu_mapping),
	KUNIT_CASE(catalogue_09_sched_teardown_with_jobs_pending),
	KUNIT_CASE(catalogue_10_fence_merge_alloc_failure),
	{}
};

static struct kunit_suite gc_catalogue_suite = {
	.name = "gpucore_catalogue",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_catalogue_cases,
};

kunit_test_suite(gc_catalogue_suite);
