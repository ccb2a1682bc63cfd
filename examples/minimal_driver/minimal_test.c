// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Smoke test of the minimal driver, through its ioctls: bring a device up,
 * create BOs, fill them on the simulated engine and read back what it
 * wrote; in-syncobj dependencies, bad arguments, a handle closed while its
 * BO is being filled, a hang, unplug with work on the engine and queued,
 * and probe/unbind through the platform bus. Every case ends with the
 * driver's own teardown, which must find no gpucore reference left, and
 * with no gpucore report at all.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>

/* The report catcher, for tests only. */
#include "../../gpucore/report.h"
#include "minimal_drm.h"
#include "minimal_drv.h"

#define WAIT		(10 * HZ)	/* a bound the passing cases never reach */
#define BO_SIZE		(3 * PAGE_SIZE)
#define VALUE		0xc0ffee01u

/* A DRM file on a minimal device, as user space would have it. */
struct client {
	struct kunit *test;
	struct minimal_device *mdev;
	struct file *filp;
	struct drm_file *file;
};

struct fixture {
	struct client c;
	struct device *parent;
	struct gc_report_catcher catcher;
};

static void client_open(struct kunit *test, struct client *c, struct minimal_device *mdev)
{
	struct file *filp = mock_drm_getfile(mdev->drm.render, O_RDWR);

	c->test = test;
	c->mdev = mdev;
	KUNIT_ASSERT_FALSE(test, IS_ERR(filp));
	c->filp = filp;
	c->file = filp->private_data;
}

/* Close the file now: the release of a file from a kthread is deferred. */
static void client_close(struct client *c)
{
	if (!c->filp)
		return;
	fput(c->filp);
	flush_delayed_fput();
	c->filp = NULL;
	c->file = NULL;
}

static u32 gem_create(struct client *c, u64 size)
{
	struct drm_minimal_gem_create args = { .size = size };

	KUNIT_ASSERT_EQ(c->test, minimal_ioctl_gem_create(&c->mdev->drm, &args, c->file), 0);
	KUNIT_EXPECT_NE(c->test, args.handle, 0u);
	KUNIT_EXPECT_NE(c->test, args.mmap_offset, 0ull);
	return args.handle;
}

/* A binary syncobj holding @fence (may be NULL); returns its handle. */
static u32 syncobj_create(struct client *c, struct dma_fence *fence)
{
	struct drm_syncobj *s;
	u32 handle;

	KUNIT_ASSERT_EQ(c->test, drm_syncobj_create(&s, 0, fence), 0);
	KUNIT_ASSERT_EQ(c->test, drm_syncobj_get_handle(c->file, s, &handle), 0);
	drm_syncobj_put(s);
	return handle;
}

static int fill(struct client *c, u32 handle, u64 offset, u64 size, u32 value, u32 in, u32 out)
{
	struct drm_minimal_submit_fill args = {
		.handle = handle, .value = value, .offset = offset, .size = size,
		.in_syncobj = in, .out_syncobj = out,
	};

	return minimal_ioctl_submit_fill(&c->mdev->drm, &args, c->file);
}

/* The status of the fence of syncobj @handle: 0 while it runs, 1 once done. */
static int syncobj_status(struct client *c, u32 handle)
{
	struct dma_fence *fence;
	int status;

	KUNIT_ASSERT_EQ(c->test, drm_syncobj_find_fence(c->file, handle, 0, 0, &fence), 0);
	status = dma_fence_get_status(fence);
	dma_fence_put(fence);
	return status;
}

/* Wait for the fence of syncobj @handle; its status (1: done, no error). */
static int wait_syncobj(struct client *c, u32 handle)
{
	struct gc_fence_ref done __free(gc_fence_put) = {};
	struct dma_fence *fence;

	KUNIT_ASSERT_EQ(c->test, drm_syncobj_find_fence(c->file, handle, 0, 0, &fence), 0);
	done = gc_fence_adopt(fence);
	KUNIT_EXPECT_GT(c->test, gc_fence_wait(&done, false, WAIT), 0L);
	return dma_fence_get_status(gc_fence_borrow(&done));
}

/* The BO behind @handle must hold @value in [@offset, @offset + @size), @other elsewhere. */
static void expect_bytes(struct client *c, u32 handle, size_t offset, size_t size, u32 value,
			 u32 other)
{
	struct gc_bo_cpu_access acc __free(gc_bo_cpu_end) = {};
	struct gc_bo_vmap map __free(gc_bo_vunmap) = {};
	struct gc_bo_ref ref __free(gc_bo_put) = {};
	struct drm_gem_object *obj = drm_gem_object_lookup(c->file, handle);
	struct gc_bo *bo;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(c->test, obj);
	ref = gc_bo_adopt(&container_of(obj, struct gc_shmem_bo, shmem.base)->gc);
	bo = gc_bo_borrow(&ref);
	/* A CPU read waits for the GPU's writers, found in the BO's dma_resv. */
	KUNIT_ASSERT_EQ(c->test, gc_bo_cpu_begin(&acc, bo, GC_ACCESS_READ, false, WAIT), 0);
	KUNIT_ASSERT_EQ(c->test, gc_bo_vmap(&map, bo), 0);
	for (i = 0; i < gc_bo_size(bo); i += 4) {
		u32 want = i >= offset && i < offset + size ? value : other;
		u32 got = iosys_map_rd(&map.map, i, u32);

		if (got != want) {
			KUNIT_FAIL(c->test, "offset %zu: %#x, expected %#x", i, got, want);
			break;
		}
	}
}

static unsigned int engine_ring_len(struct minimal_engine *e)
{
	struct minimal_cmd *cmd;
	unsigned int n = 0;

	spin_lock(&e->lock);
	list_for_each_entry(cmd, &e->ring, link)
		n++;
	spin_unlock(&e->lock);
	return n;
}

/* Wait until @n commands are on the (stalled) engine's ring. */
static bool wait_on_engine(struct minimal_engine *e, unsigned int n)
{
	unsigned long end = jiffies + WAIT;

	while (engine_ring_len(e) < n) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

static void expect_no_reports(struct kunit *test, struct gc_report_catcher *catcher)
{
	unsigned int kind;

	for (kind = 0; kind < GC_REPORT_NR; kind++)
		KUNIT_EXPECT_EQ_MSG(test, catcher->count[kind], 0u, "report kind %u", kind);
}

/* Close the file and run the driver's teardown; returns the leaks it found. */
static unsigned int fixture_teardown(struct fixture *fx)
{
	unsigned int leaks;

	client_close(&fx->c);
	leaks = minimal_device_fini(fx->c.mdev);
	fx->c.mdev = NULL;
	/* Drops the DRM device's last reference: it is freed. */
	root_device_unregister(fx->parent);
	fx->parent = NULL;
	return leaks;
}

/* A device initialised as minimal_probe() does, outside the platform bus. */
static int minimal_test_init(struct kunit *test)
{
	struct fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct minimal_device *mdev;

	if (!fx)
		return -ENOMEM;
	gc_report_catch_begin(&fx->catcher);
	test->priv = fx;
	fx->parent = root_device_register("gpucore-minimal-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->parent));
	mdev = devm_drm_dev_alloc(fx->parent, &minimal_drm_driver, struct minimal_device, drm);
	KUNIT_ASSERT_FALSE(test, IS_ERR(mdev));
	KUNIT_ASSERT_EQ(test, minimal_device_init(mdev), 0);
	/* From here on the teardown runs minimal_device_fini(). */
	client_open(test, &fx->c, mdev);
	return 0;
}

static void minimal_test_exit(struct kunit *test)
{
	struct fixture *fx = test->priv;

	if (!fx)
		return;
	/* A case that failed early leaves its device to this. */
	if (fx->c.mdev)
		fixture_teardown(fx);
	else if (!IS_ERR_OR_NULL(fx->parent))
		root_device_unregister(fx->parent);
	gc_report_catch_end(&fx->catcher);
}

static void minimal_fill(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	u32 bo = gem_create(c, BO_SIZE);
	u32 out = syncobj_create(c, NULL);

	KUNIT_ASSERT_EQ(test, fill(c, bo, PAGE_SIZE, PAGE_SIZE + 8, VALUE, 0, out), 0);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, out), 1);
	expect_bytes(c, bo, PAGE_SIZE, PAGE_SIZE + 8, VALUE, 0);
	/* A second fill over the first: the engine runs them in order. */
	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, BO_SIZE, ~VALUE, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, 4, VALUE, 0, out), 0);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, out), 1);
	expect_bytes(c, bo, 4, BO_SIZE - 4, ~VALUE, VALUE);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

static void minimal_fill_waits_for_in_syncobj(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	struct gc_timeline *tl = gc_timeline_create("minimal-test", "gate", NULL);
	struct gc_fence_signaller gate;
	struct gc_fence_ref gate_fence;
	u32 bo, in, out;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	gate = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(gate));
	gate_fence = gc_fence_signaller_fence(&gate);
	bo = gem_create(c, BO_SIZE);
	in = syncobj_create(c, gc_fence_borrow(&gate_fence));
	out = syncobj_create(c, NULL);

	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, BO_SIZE, VALUE, in, out), 0);
	/* Held back by the dependency, not by the engine. */
	msleep(50);
	KUNIT_EXPECT_EQ(test, syncobj_status(c, out), 0);
	KUNIT_EXPECT_EQ(test, engine_ring_len(&c->mdev->engine), 0u);
	gc_fence_signal(&gate);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, out), 1);
	expect_bytes(c, bo, 0, BO_SIZE, VALUE, 0);
	gc_fence_put(&gate_fence);
	gc_timeline_put(tl);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

static void minimal_bad_arguments(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	struct drm_minimal_gem_create create = { .size = PAGE_SIZE, .pad = 1 };
	u32 bo = gem_create(c, BO_SIZE);

	KUNIT_EXPECT_EQ(test, minimal_ioctl_gem_create(&c->mdev->drm, &create, c->file), -EINVAL);
	create = (struct drm_minimal_gem_create){ .size = 0 };
	KUNIT_EXPECT_EQ(test, minimal_ioctl_gem_create(&c->mdev->drm, &create, c->file), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 0, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 2, 4, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 6, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, BO_SIZE - 4, 8, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, BO_SIZE + 4, 4, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 4, (u64)-4, VALUE, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fill(c, bo + 100, 0, 4, VALUE, 0, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 4, VALUE, 0, 1000), -ENOENT);
	/* A failure after gc_job_init(): the job is freed through free_job. */
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 4, VALUE, 1000, 0), -ENOENT);
	expect_bytes(c, bo, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

/* The job's own references keep the BO while user space closes its handle. */
static void minimal_handle_closed_while_filling(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	struct minimal_engine *e = &c->mdev->engine;
	u32 bo = gem_create(c, BO_SIZE);
	u32 out = syncobj_create(c, NULL);

	minimal_engine_stall(e, true);
	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, BO_SIZE, VALUE, 0, out), 0);
	KUNIT_ASSERT_TRUE(test, wait_on_engine(e, 1));
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(c->file, bo), 0);
	/* The engine writes the BO after its last handle is gone (KASAN watches). */
	minimal_engine_stall(e, false);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, out), 1);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

/* A job that never completes: -ETIMEDOUT, then the queue refuses work. */
static void minimal_hang_bans_queue(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	u32 bo = gem_create(c, BO_SIZE);
	u32 out = syncobj_create(c, NULL);

	minimal_engine_stall(&c->mdev->engine, true);
	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, BO_SIZE, VALUE, 0, out), 0);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, out), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, engine_ring_len(&c->mdev->engine), 0u);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 4, VALUE, 0, 0), -EIO);
	minimal_engine_stall(&c->mdev->engine, false);
	expect_bytes(c, bo, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

/*
 * Unplug with one job on the engine and one queued behind a dependency:
 * both complete with -ENODEV, nothing is written, new work is refused, the
 * file and its BOs stay usable until closed, and the teardown is clean.
 */
static void minimal_unplug_with_job_in_flight(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct client *c = &fx->c;
	struct minimal_engine *e = &c->mdev->engine;
	struct gc_timeline *tl = gc_timeline_create("minimal-test", "gate", NULL);
	struct gc_fence_signaller gate;
	struct gc_fence_ref gate_fence;
	u32 bo, in, running, queued;

	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	gate = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(gate));
	gate_fence = gc_fence_signaller_fence(&gate);
	bo = gem_create(c, BO_SIZE);
	in = syncobj_create(c, gc_fence_borrow(&gate_fence));
	running = syncobj_create(c, NULL);
	queued = syncobj_create(c, NULL);

	minimal_engine_stall(e, true);
	KUNIT_ASSERT_EQ(test, fill(c, bo, 0, PAGE_SIZE, VALUE, 0, running), 0);
	KUNIT_ASSERT_EQ(test, fill(c, bo, PAGE_SIZE, PAGE_SIZE, VALUE, in, queued), 0);
	KUNIT_ASSERT_TRUE(test, wait_on_engine(e, 1));

	gc_device_unplug(&c->mdev->gdev);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, running), -ENODEV);
	gc_fence_signal(&gate);
	KUNIT_EXPECT_EQ(test, wait_syncobj(c, queued), -ENODEV);
	KUNIT_EXPECT_EQ(test, fill(c, bo, 0, 4, VALUE, 0, 0), -ENODEV);
	/* Memory objects do not need the hardware. */
	expect_bytes(c, gem_create(c, PAGE_SIZE), 0, 0, 0, 0);
	expect_bytes(c, bo, 0, 0, 0, 0);
	minimal_engine_stall(e, false);
	gc_fence_put(&gate_fence);
	gc_timeline_put(tl);
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

/*
 * The real life cycle: probe on the platform bus, a fill, unbind with the
 * file open, then the last close runs minimal_release(), whose leak
 * check reports through gpucore (caught here).
 */
static void minimal_probe_unbind(struct kunit *test)
{
	struct fixture *fx = test->priv;
	struct platform_device *pdev;
	struct minimal_device *mdev;
	struct client c = {};
	u32 bo, out;

	pdev = platform_device_register_simple(MINIMAL_DRIVER_NAME, PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pdev));
	mdev = platform_get_drvdata(pdev);
	if (!mdev)
		platform_device_unregister(pdev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, mdev, "probe failed");
	KUNIT_EXPECT_TRUE(test, mdev->drm.registered);
	client_open(test, &c, mdev);
	bo = gem_create(&c, BO_SIZE);
	out = syncobj_create(&c, NULL);
	KUNIT_EXPECT_EQ(test, fill(&c, bo, 8, 16, VALUE, 0, out), 0);
	KUNIT_EXPECT_EQ(test, wait_syncobj(&c, out), 1);
	expect_bytes(&c, bo, 8, 16, VALUE, 0);

	platform_device_unregister(pdev);
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&mdev->drm));
	KUNIT_EXPECT_EQ(test, fill(&c, bo, 0, 4, VALUE, 0, 0), -ENODEV);
	expect_bytes(&c, bo, 8, 16, VALUE, 0);
	client_close(&c);	/* the last reference: the device is torn down */
	KUNIT_EXPECT_EQ(test, fixture_teardown(fx), 0u);
	expect_no_reports(test, &fx->catcher);
}

static struct kunit_case minimal_cases[] = {
	KUNIT_CASE(minimal_fill),
	KUNIT_CASE(minimal_fill_waits_for_in_syncobj),
	KUNIT_CASE(minimal_bad_arguments),
	KUNIT_CASE(minimal_handle_closed_while_filling),
	KUNIT_CASE(minimal_hang_bans_queue),
	KUNIT_CASE(minimal_unplug_with_job_in_flight),
	KUNIT_CASE(minimal_probe_unbind),
	{}
};

static struct kunit_suite minimal_suite = {
	.name = "gpucore_minimal",
	.init = minimal_test_init,
	.exit = minimal_test_exit,
	.test_cases = minimal_cases,
};

kunit_test_suite(minimal_suite);
