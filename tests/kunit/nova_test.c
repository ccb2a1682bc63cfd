// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gpucore_nova: the nova backend as a driver. Its ioctls, called through
 * DRM files of a device made for the case, with every bad argument;
 * what the GSP's allocation and work RPCs do to video memory, read back by
 * the CPU; lost completions; hangs, slow work, unplug and teardown with
 * work in flight. Every case ends with the device's final teardown finding
 * no leaked reference.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>

#include <gpucore/shmem.h>

#include "gc_test.h"
#include "mock_drm.h"
#include "nova_drv.h"

#define NT_WAIT		(10 * HZ)	/* a bound the passing cases never reach */
#define NT_LONG_MS	10000		/* a job timeout the cases never reach */
#define NT_CHANS	NOVA_GSP_CHANNELS
#define NT_BOS		8
#define NT_DONE		16
#define NT_FILES	2
#define NT_VRAM		SZ_1M
#define NT_VISIBLE	SZ_512K
/* A GSP channel no nova channel of the cases uses. */
#define NT_RAW_CHAN	(NOVA_GSP_CHANNELS - 1)

/* Everything a case holds, so that a case failing half-way still cleans up. */
struct nt_fx {
	struct kunit *test;
	struct device *parent;
	struct nova_device *ndev;
	struct nova_chan *chan[NT_CHANS];
	struct gc_bo_ref bo[NT_BOS];
	unsigned int nr_bos;
	struct gc_fence_ref done[NT_DONE];
	struct file *filp[NT_FILES];
	unsigned int leaks;
};

static void nt_close(struct nt_fx *fx, unsigned int i)
{
	if (!fx->filp[i])
		return;
	fput(fx->filp[i]);
	fx->filp[i] = NULL;
	/* The close runs from a workqueue for kernel threads: wait for it. */
	flush_delayed_fput();
}

static void nt_destroy_chans(struct nt_fx *fx)
{
	unsigned int i;

	for (i = 0; i < NT_CHANS; i++) {
		nova_chan_destroy(fx->chan[i]);
		fx->chan[i] = NULL;
	}
}

/* Drop every handle, channel and file the case holds. */
static void nt_drop(struct nt_fx *fx)
{
	unsigned int i;

	for (i = 0; i < NT_DONE; i++)
		gc_fence_put(&fx->done[i]);
	for (i = 0; i < NT_BOS; i++)
		gc_bo_put(&fx->bo[i]);
	nt_destroy_chans(fx);
	for (i = 0; i < NT_FILES; i++)
		nt_close(fx, i);
}

static void nt_fx_free(struct kunit_resource *res)
{
	struct nt_fx *fx = res->data;

	if (!fx->parent)
		return;
	nt_drop(fx);
	root_device_unregister(fx->parent);
}

static struct nt_fx *nt_fx_init(struct kunit *test, unsigned int rpc_timeout_ms)
{
	struct nova_config cfg = nova_default_config;
	struct nt_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct nova_device *ndev;
	struct device *parent;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->test = test;
	fx->leaks = UINT_MAX;
	cfg.cmdq_size = SZ_4K;
	cfg.msgq_size = SZ_4K;
	cfg.vram_size = NT_VRAM;
	cfg.vram_visible = NT_VISIBLE;
	cfg.rpc_timeout_ms = rpc_timeout_ms;
	cfg.leaks = &fx->leaks;
	parent = root_device_register("gpucore-nova-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(parent));
	fx->parent = parent;
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, nt_fx_free, GFP_KERNEL, fx));
	ndev = nova_device_create(parent, &cfg);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(ndev), "nova_device_create: %ld", PTR_ERR(ndev));
	fx->ndev = ndev;
	return fx;
}

/* The end of a passing case: the final teardown finds nothing leaked. */
static void nt_fx_fini(struct nt_fx *fx)
{
	nt_drop(fx);
	root_device_unregister(fx->parent);
	fx->parent = NULL;
	KUNIT_EXPECT_EQ(fx->test, fx->leaks, 0u);
	gc_expect_no_reports(fx->test);
}

static struct drm_file *nt_file(struct nt_fx *fx, unsigned int i)
{
	struct file *filp = mock_drm_getfile(fx->ndev->drm.render, O_RDWR);

	KUNIT_ASSERT_FALSE(fx->test, IS_ERR(filp));
	fx->filp[i] = filp;
	return filp->private_data;
}

static struct nova_chan *nt_chan(struct nt_fx *fx, unsigned int i, unsigned int timeout_ms)
{
	struct nova_chan *chan = nova_chan_create(fx->ndev, timeout_ms);

	KUNIT_ASSERT_FALSE_MSG(fx->test, IS_ERR(chan), "nova_chan_create: %ld", PTR_ERR(chan));
	fx->chan[i] = chan;
	return chan;
}

static struct gc_bo *nt_bo(struct nt_fx *fx, u64 size, u32 flags)
{
	struct gc_bo_unique u;
	unsigned int i = fx->nr_bos;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)NT_BOS);
	u = nova_bo_create(fx->ndev, size, flags);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(u), "nova_bo_create: %ld", gc_err(u));
	fx->bo[i] = gc_bo_share(&u);
	fx->nr_bos++;
	return gc_bo_borrow(&fx->bo[i]);
}

/* The CPU's view of a CPU-visible BO, as 32-bit words. */
static u32 *nt_words(struct gc_bo *bo)
{
	return nova_bo_cpu_addr(nova_bo_from_gc(bo));
}

static void nt_submit(struct nt_fx *fx, unsigned int i, struct nova_chan *chan,
		      const struct nova_work *w, struct dma_fence *dep)
{
	struct gc_fence_ref done;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)NT_DONE);
	done = nova_submit(chan, w, dep);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(done), "nova_submit: %ld", gc_err(done));
	fx->done[i] = done;
}

static void nt_write(struct nt_fx *fx, unsigned int i, struct nova_chan *chan, struct gc_bo *bo,
		     u64 offset, u32 value)
{
	struct nova_work w = { .op = NOVA_OP_WRITE, .dst = bo, .dst_offset = offset,
			       .value = value };

	nt_submit(fx, i, chan, &w, NULL);
}

static void nt_op(struct nt_fx *fx, unsigned int i, struct nova_chan *chan, u32 op, u32 value)
{
	struct nova_work w = { .op = op, .value = value };

	nt_submit(fx, i, chan, &w, NULL);
}

/* Wait (bounded) for done fence @i: 1, or its error. */
static int nt_status(struct nt_fx *fx, unsigned int i)
{
	long ret = gc_fence_wait(&fx->done[i], false, NT_WAIT);

	if (ret <= 0) {
		KUNIT_FAIL(fx->test, "done fence %u: no signal (%ld)", i, ret);
		return 0;
	}
	return dma_fence_get_status(gc_fence_borrow(&fx->done[i]));
}

static struct dma_fence *nt_fence(struct nt_fx *fx, unsigned int i)
{
	return gc_fence_borrow(&fx->done[i]);
}

/* Wait (bounded) until every job of @chan is released. */
static bool nt_wait_idle(struct nt_fx *fx, struct nova_chan *chan)
{
	unsigned long end = jiffies + NT_WAIT;

	while (atomic_read(&chan->gq->nr_jobs) && time_before(jiffies, end))
		usleep_range(2000, 5000);
	return !atomic_read(&chan->gq->nr_jobs);
}

static u64 nt_vram_used(struct nt_fx *fx)
{
	return nova_gsp_vram_used(fx->ndev->gsp);
}

/* Wait (bounded) until the GSP has @bytes of video memory allocated. */
static u64 nt_wait_vram(struct nt_fx *fx, u64 bytes)
{
	unsigned long end = jiffies + NT_WAIT;

	while (nt_vram_used(fx) != bytes && time_before(jiffies, end))
		usleep_range(2000, 5000);
	return nt_vram_used(fx);
}

/* One RPC straight to the GSP; its status, or the call's error. */
static int nt_rpc(struct nt_fx *fx, u32 fn, const void *req, u32 len, void *reply, u32 rlen)
{
	struct nova_rpc_msg msg = { .function = fn, .req = req, .req_len = len,
				    .reply = reply, .reply_len = rlen };
	int ret = nova_rpc_call(&fx->ndev->rpc, &msg, 0);

	return ret ?: msg.status;
}

static int nt_raw_submit(struct nt_fx *fx, struct nova_msg_submit w)
{
	return nt_rpc(fx, NOVA_FN_SUBMIT, &w, sizeof(w), NULL, 0);
}

static struct nova_msg_chan_status nt_chan_status(struct nt_fx *fx, u32 channel)
{
	struct nova_msg_chan req = { .channel = channel };
	struct nova_msg_chan_status st = {};

	KUNIT_EXPECT_EQ(fx->test, nt_rpc(fx, NOVA_FN_CHAN_STATUS, &req, sizeof(req), &st,
					 sizeof(st)), 0);
	return st;
}

/* Wait (bounded) until GSP channel @channel completed @stamp. */
static struct nova_msg_chan_status nt_wait_stamp(struct nt_fx *fx, u32 channel, u64 stamp)
{
	unsigned long end = jiffies + NT_WAIT;
	struct nova_msg_chan_status st;

	do {
		st = nt_chan_status(fx, channel);
		if (st.completed >= stamp)
			break;
		usleep_range(2000, 5000);
	} while (time_before(jiffies, end));
	KUNIT_EXPECT_EQ(fx->test, st.completed, stamp);
	return st;
}

/* Wait (bounded) until GSP channel @channel holds @pending submissions. */
static struct nova_msg_chan_status nt_wait_pending(struct nt_fx *fx, u32 channel, u32 pending)
{
	unsigned long end = jiffies + NT_WAIT;
	struct nova_msg_chan_status st;

	do {
		st = nt_chan_status(fx, channel);
		if (st.pending >= pending)
			break;
		usleep_range(2000, 5000);
	} while (time_before(jiffies, end));
	KUNIT_EXPECT_EQ(fx->test, st.pending, pending);
	return st;
}

/* A read-write DRM request number with a 16-byte argument: 0xc01064nn on x86. */
#define NT_IOWR16(nr)	_IOC(_IOC_READ | _IOC_WRITE, 'd', (nr), 16)

static u64 nt_param(struct nt_fx *fx, struct drm_file *file, u64 param)
{
	struct drm_nova_getparam p = { .param = param };

	KUNIT_EXPECT_EQ(fx->test, nova_ioctl_get_param(&fx->ndev->drm, &p, file), 0);
	return p.value;
}

/*
 * The uapi is upstream nova's (include/uapi/drm/nova_drm.h of Linux 7.x),
 * byte for byte: the request numbers from literals (read-write, 'd',
 * number, 16 bytes), each struct's size and field offsets, and the parameter
 * numbering. Any drift, like a field order or a size of its own, fails the
 * build. The driver's ioctl table, which drm_ioctl() dispatches through
 * and whose request numbers set how many bytes it copies, must match.
 */
static void nova_uapi_abi(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	const struct drm_driver *drv = fx->ndev->drm.driver;
	static const struct {
		unsigned int cmd;
		drm_ioctl_t *func;
	} want[] = {
		{ NT_IOWR16(0x40), nova_ioctl_get_param },
		{ NT_IOWR16(0x41), nova_ioctl_gem_create },
		{ NT_IOWR16(0x42), nova_ioctl_gem_info },
	};
	unsigned int i;

	BUILD_BUG_ON(DRM_NOVA_GETPARAM != 0x00);
	BUILD_BUG_ON(DRM_NOVA_GEM_CREATE != 0x01);
	BUILD_BUG_ON(DRM_NOVA_GEM_INFO != 0x02);
	BUILD_BUG_ON(NT_IOWR16(0x40) != DRM_IOCTL_NOVA_GETPARAM);
	BUILD_BUG_ON(NT_IOWR16(0x41) != DRM_IOCTL_NOVA_GEM_CREATE);
	BUILD_BUG_ON(NT_IOWR16(0x42) != DRM_IOCTL_NOVA_GEM_INFO);
	BUILD_BUG_ON(NOVA_GETPARAM_VRAM_BAR_SIZE != 0x1);

	BUILD_BUG_ON(sizeof(struct drm_nova_getparam) != 16);
	BUILD_BUG_ON(offsetof(struct drm_nova_getparam, param) != 0);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_getparam, param) != 8);
	BUILD_BUG_ON(offsetof(struct drm_nova_getparam, value) != 8);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_getparam, value) != 8);

	BUILD_BUG_ON(sizeof(struct drm_nova_gem_create) != 16);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_create, handle) != 0);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_create, handle) != 4);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_create, pad) != 4);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_create, pad) != 4);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_create, size) != 8);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_create, size) != 8);

	/* Handle and size only: no room for where the BO is in video memory. */
	BUILD_BUG_ON(sizeof(struct drm_nova_gem_info) != 16);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_info, handle) != 0);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_info, handle) != 4);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_info, pad) != 4);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_info, pad) != 4);
	BUILD_BUG_ON(offsetof(struct drm_nova_gem_info, size) != 8);
	BUILD_BUG_ON(sizeof_field(struct drm_nova_gem_info, size) != 8);

	KUNIT_ASSERT_EQ(test, drv->num_ioctls, (int)ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct drm_ioctl_desc *d = &drv->ioctls[i];

		KUNIT_EXPECT_EQ_MSG(test, d->cmd, want[i].cmd, "ioctl %u", i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, d->func, want[i].func, "ioctl %u", i);
		KUNIT_EXPECT_EQ_MSG(test, d->flags, (enum drm_ioctl_flags)DRM_RENDER_ALLOW,
				    "ioctl %u", i);
	}
	nt_fx_fini(fx);
}

/*
 * GETPARAM: NOVA_GETPARAM_VRAM_BAR_SIZE (1) is the CPU's window into video
 * memory, as the GSP reported it. Every other number is -EINVAL and leaves
 * the value alone: 0, the ones after 1, and 1 with upper bits set (the
 * number is 64 bits wide, and a truncated compare would alias it).
 */
static void nova_get_param(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct drm_file *file = nt_file(fx, 0);
	static const u64 bad[] = { 0, 2, 3, 4, 5, 6, U32_MAX, BIT_ULL(32) | 1, U64_MAX };
	struct drm_nova_getparam p;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, nt_param(fx, file, 1), (u64)NT_VISIBLE);
	KUNIT_EXPECT_EQ(test, nt_param(fx, file, NOVA_GETPARAM_VRAM_BAR_SIZE), (u64)NT_VISIBLE);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = (struct drm_nova_getparam){ .param = bad[i], .value = 0x5a5a };
		KUNIT_EXPECT_EQ_MSG(test, nova_ioctl_get_param(&fx->ndev->drm, &p, file), -EINVAL,
				    "param %#llx", bad[i]);
		KUNIT_EXPECT_EQ(test, p.value, 0x5a5aull);
	}
	nt_fx_fini(fx);
}

/*
 * GEM_CREATE with upstream's layout: handle, pad, then size. A BO is sized
 * to whole pages and, with no placement in the uapi, goes anywhere in
 * video memory (above the CPU's window while there is room there). A
 * non-zero pad, a zero size and one over the limit are refused and create
 * nothing; a range video memory cannot give is -ENOSPC. Closing the file
 * frees the BOs' memory.
 */
static void nova_gem_create_info(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct drm_device *drm = &fx->ndev->drm;
	struct drm_file *file = nt_file(fx, 0);
	struct drm_nova_gem_create c = { .size = 5000 };
	struct drm_nova_gem_create d = { .size = SZ_64K };
	struct drm_nova_gem_info info = {};
	struct gc_bo_ref ref = {};
	u64 used;

	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_create(drm, &c, file), 0);
	KUNIT_EXPECT_NE(test, c.handle, 0u);
	KUNIT_EXPECT_EQ(test, c.pad, 0u);
	KUNIT_EXPECT_EQ(test, c.size, 5000ull);
	info.handle = c.handle;
	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_info(drm, &info, file), 0);
	KUNIT_EXPECT_EQ(test, info.size, (u64)ALIGN(5000, PAGE_SIZE));

	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_create(drm, &d, file), 0);
	KUNIT_EXPECT_NE(test, d.handle, c.handle);
	info = (struct drm_nova_gem_info){ .handle = d.handle };
	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_info(drm, &info, file), 0);
	KUNIT_EXPECT_EQ(test, info.size, (u64)SZ_64K);
	ref = gc_bo_lookup(file, d.handle, nova_gem_to_bo);
	KUNIT_ASSERT_FALSE(test, gc_is_err(ref));
	KUNIT_EXPECT_GE(test, nova_bo_from_gc(gc_bo_borrow(&ref))->vram_offset, (u64)NT_VISIBLE);
	KUNIT_EXPECT_FALSE(test, nova_bo_from_gc(gc_bo_borrow(&ref))->flags & NOVA_BO_CPU_VISIBLE);
	gc_bo_put(&ref);
	used = nt_vram_used(fx);
	KUNIT_EXPECT_EQ(test, used, (u64)(ALIGN(5000, PAGE_SIZE) + SZ_64K));

	/* Refused, and nothing created. */
	c = (struct drm_nova_gem_create){ .size = SZ_4K, .pad = 1 };
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -EINVAL);
	c.pad = U32_MAX;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -EINVAL);
	c = (struct drm_nova_gem_create){ .size = 0 };
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -EINVAL);
	c.size = NT_VRAM + 1;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -EINVAL);
	c.size = U64_MAX;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -EINVAL);
	KUNIT_EXPECT_EQ(test, c.handle, 0u);
	/* No room: all of video memory. */
	c = (struct drm_nova_gem_create){ .size = NT_VRAM };
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &c, file), -ENOSPC);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), used);

	info = (struct drm_nova_gem_info){ .handle = d.handle, .pad = 1 };
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_info(drm, &info, file), -EINVAL);
	KUNIT_EXPECT_EQ(test, info.size, 0ull);
	info = (struct drm_nova_gem_info){ .handle = d.handle + 100 };
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_info(drm, &info, file), -ENOENT);
	info.handle = 0;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_info(drm, &info, file), -ENOENT);

	/* Another file does not see them; closing this one frees them. */
	info.handle = d.handle;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_info(drm, &info, nt_file(fx, 1)), -ENOENT);
	nt_close(fx, 0);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), 0ull);
	nt_fx_fini(fx);
}

/*
 * What an upstream client puts in memory, built by hand so no field name
 * of this driver's header is involved: GEM_CREATE reads the size from
 * bytes 8-15 and writes the handle to bytes 0-3; GEM_INFO reads the handle
 * from bytes 0-3 and writes only the size, to bytes 8-15. Nothing is
 * written past the 16 bytes of the struct, so no output holds where the BO
 * sits in video memory (as a 32-byte GEM_INFO with an offset did).
 */
static void nova_uapi_wire_layout(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct drm_device *drm = &fx->ndev->drm;
	struct drm_file *file = nt_file(fx, 0);
	u64 buf[4], canary = 0xc5c5c5c5c5c5c5c5ull;
	u32 handle;

	memset(buf, 0xc5, sizeof(buf));
	buf[0] = 0;			/* handle (out) and pad */
	buf[1] = 3 * SZ_4K + 1;		/* size */
	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_create(drm, buf, file), 0);
	handle = lower_32_bits(buf[0]);
	KUNIT_EXPECT_NE(test, handle, 0u);
	KUNIT_EXPECT_EQ(test, upper_32_bits(buf[0]), 0u);
	KUNIT_EXPECT_EQ(test, buf[1], (u64)(3 * SZ_4K + 1));
	KUNIT_EXPECT_EQ(test, buf[2], canary);
	KUNIT_EXPECT_EQ(test, buf[3], canary);

	memset(buf, 0xc5, sizeof(buf));
	buf[0] = handle;		/* handle, pad 0 */
	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_info(drm, buf, file), 0);
	KUNIT_EXPECT_EQ(test, buf[0], (u64)handle);
	KUNIT_EXPECT_EQ(test, buf[1], (u64)ALIGN(3 * SZ_4K + 1, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, buf[2], canary);
	KUNIT_EXPECT_EQ(test, buf[3], canary);

	/* GETPARAM: the number in bytes 0-7, the value out in bytes 8-15. */
	memset(buf, 0xc5, sizeof(buf));
	buf[0] = 1;
	KUNIT_ASSERT_EQ(test, nova_ioctl_get_param(drm, buf, file), 0);
	KUNIT_EXPECT_EQ(test, buf[0], 1ull);
	KUNIT_EXPECT_EQ(test, buf[1], (u64)NT_VISIBLE);
	KUNIT_EXPECT_EQ(test, buf[2], canary);
	nt_fx_fini(fx);
}

/*
 * The allocation RPCs in video memory: a new BO is zeroed, even where an
 * earlier BO left data; freeing gives the range back; a BO outside the
 * CPU's window cannot be mapped. An allocation whose reply is lost or
 * corrupted fails, and the GSP's allocation is undone.
 */
static void nova_vram_alloc_free(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 300);
	struct gc_bo_unique u;
	struct gc_bo_ref ref;
	struct gc_bo_vmap map;
	struct nova_bo *nbo;
	u64 offset;
	u8 *p;

	u = nova_bo_create(fx->ndev, SZ_8K, NOVA_BO_CPU_VISIBLE);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	ref = gc_bo_share(&u);
	nbo = nova_bo_from_gc(gc_bo_borrow(&ref));
	KUNIT_ASSERT_NOT_NULL(test, nbo);
	offset = nbo->vram_offset;
	p = nova_bo_cpu_addr(nbo);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, (void *)p, (void *)(nova_gsp_vram(fx->ndev->gsp) + offset));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, SZ_8K));
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), (u64)SZ_8K);
	memset(p, 0xab, SZ_8K);
	/* gpucore's kernel mapping is the same window. */
	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), 0);
	KUNIT_EXPECT_PTR_EQ(test, map.map.vaddr, (void *)p);
	gc_bo_vunmap(&map);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), 0ull);

	/* The same range again, wiped by the GSP. */
	u = nova_bo_create(fx->ndev, SZ_8K, NOVA_BO_CPU_VISIBLE);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	ref = gc_bo_share(&u);
	nbo = nova_bo_from_gc(gc_bo_borrow(&ref));
	KUNIT_EXPECT_EQ(test, nbo->vram_offset, offset);
	KUNIT_EXPECT_NULL(test, memchr_inv(nova_bo_cpu_addr(nbo), 0, SZ_8K));
	gc_bo_put(&ref);

	/* Outside the window: no CPU address, no kernel mapping. */
	u = nova_bo_create(fx->ndev, SZ_4K, 0);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	ref = gc_bo_share(&u);
	nbo = nova_bo_from_gc(gc_bo_borrow(&ref));
	KUNIT_EXPECT_NULL(test, nova_bo_cpu_addr(nbo));
	KUNIT_EXPECT_EQ(test, gc_bo_vmap(&map, gc_bo_borrow(&ref)), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, map.ref.ptr);
	gc_bo_put(&ref);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), 0ull);

	/* The reply lost or corrupted: the allocation is undone. */
	nova_gsp_inject(fx->ndev->gsp, NOVA_GSP_FAULT_DROP_REPLY);
	u = nova_bo_create(fx->ndev, SZ_4K, 0);
	KUNIT_EXPECT_EQ(test, gc_err(u), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), 0ull);
	nova_gsp_inject(fx->ndev->gsp, NOVA_GSP_FAULT_CORRUPT);
	u = nova_bo_create(fx->ndev, SZ_4K, NOVA_BO_CPU_VISIBLE);
	KUNIT_EXPECT_EQ(test, gc_err(u), -EBADMSG);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), 0ull);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ndev->rpc.stats.bad_checksum), 1);

	KUNIT_EXPECT_EQ(test, gc_err(nova_bo_create(fx->ndev, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_err(nova_bo_create(fx->ndev, SZ_4K, BIT(3))), -EINVAL);
	KUNIT_EXPECT_EQ(test, gc_err(nova_bo_create(fx->ndev, NT_VRAM + 1, 0)), -EINVAL);
	nt_fx_fini(fx);
}

/*
 * The work RPCs in video memory: FILL, COPY and WRITE change exactly the
 * bytes they name. A COPY on another channel that reads what a FILL,
 * delayed on its channel, writes waits for it (implicit sync through the
 * BO). Malformed work is refused before any job exists.
 */
static void nova_submit_effects(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_chan *c1 = nt_chan(fx, 0, NT_LONG_MS);
	struct nova_chan *c2 = nt_chan(fx, 1, NT_LONG_MS);
	struct gc_bo *a = nt_bo(fx, SZ_16K, NOVA_BO_CPU_VISIBLE);
	struct gc_bo *b = nt_bo(fx, SZ_16K, NOVA_BO_CPU_VISIBLE);
	struct nova_work w = { .op = NOVA_OP_FILL, .dst = a, .dst_offset = SZ_4K,
			       .size = SZ_8K, .value = 0xdeadbeef };
	u32 *wa = nt_words(a), *wb = nt_words(b);
	struct gc_mock_device *mdev;
	struct gc_bo_unique u;
	struct gc_bo_ref foreign;
	unsigned int i;

	nt_submit(fx, 0, c1, &w, NULL);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 0), 1);
	for (i = 0; i < SZ_16K / 4; i++) {
		u32 want = i >= SZ_4K / 4 && i < 3 * SZ_4K / 4 ? 0xdeadbeef : 0;

		KUNIT_EXPECT_EQ_MSG(test, wa[i], want, "word %u", i);
	}

	w = (struct nova_work){ .op = NOVA_OP_COPY, .dst = b, .src = a, .src_offset = SZ_8K - 8,
				.size = 16 };
	nt_submit(fx, 1, c1, &w, NULL);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 1), 1);
	KUNIT_EXPECT_EQ(test, wb[0], 0xdeadbeefu);
	KUNIT_EXPECT_EQ(test, wb[1], 0xdeadbeefu);
	KUNIT_EXPECT_EQ(test, wb[2], 0xdeadbeefu);
	KUNIT_EXPECT_EQ(test, wb[3], 0xdeadbeefu);
	KUNIT_EXPECT_EQ(test, wb[4], 0u);

	nt_write(fx, 2, c2, b, SZ_8K + 4, 0x1234);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 2), 1);
	KUNIT_EXPECT_EQ(test, wb[(SZ_8K + 4) / 4], 0x1234u);
	KUNIT_EXPECT_EQ(test, wb[SZ_8K / 4], 0u);
	KUNIT_EXPECT_EQ(test, wb[(SZ_8K + 8) / 4], 0u);

	/* Implicit sync: the COPY on c2 waits for the FILL held back on c1. */
	nt_op(fx, 3, c1, NOVA_OP_STALL, 50 * USEC_PER_MSEC);
	w = (struct nova_work){ .op = NOVA_OP_FILL, .dst = a, .size = SZ_4K, .value = 0x5555 };
	nt_submit(fx, 4, c1, &w, NULL);
	w = (struct nova_work){ .op = NOVA_OP_COPY, .dst = b, .dst_offset = SZ_4K, .src = a,
				.size = SZ_4K };
	nt_submit(fx, 5, c2, &w, NULL);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 5), 1);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 4), 1);
	KUNIT_EXPECT_LE(test, ktime_to_ns(nt_fence(fx, 4)->timestamp),
			ktime_to_ns(nt_fence(fx, 5)->timestamp));
	KUNIT_EXPECT_EQ(test, wb[SZ_4K / 4], 0x5555u);
	KUNIT_EXPECT_EQ(test, wb[SZ_8K / 4 - 1], 0x5555u);

	/* Malformed: refused, no job. */
	KUNIT_ASSERT_TRUE(test, nt_wait_idle(fx, c1));
	mdev = gc_mock_device(test, true);
	u = gc_shmem_bo_create(&mdev->drm, SZ_4K, &mdev->refs);
	KUNIT_ASSERT_FALSE(test, gc_is_err(u));
	foreign = gc_bo_share(&u);
	{
		const struct nova_work bad[] = {
			{ .op = NOVA_OP_WRITE, .dst = a, .dst_offset = SZ_16K },
			{ .op = NOVA_OP_WRITE, .dst = a, .dst_offset = 2 },
			{ .op = NOVA_OP_WRITE, .dst = a, .dst_offset = U64_MAX - 1 },
			{ .op = NOVA_OP_WRITE },
			{ .op = NOVA_OP_FILL, .dst = a, .size = 6 },
			{ .op = NOVA_OP_FILL, .dst = a, .size = 0 },
			{ .op = NOVA_OP_FILL, .dst = a, .dst_offset = SZ_8K, .size = SZ_16K },
			{ .op = NOVA_OP_COPY, .dst = a, .src = a, .size = 4 },
			{ .op = NOVA_OP_COPY, .dst = a, .src = b, .src_offset = SZ_16K - 4,
			  .size = 8 },
			{ .op = NOVA_OP_COPY, .dst = a, .size = 4 },
			{ .op = NOVA_OP_STALL, .dst = a },
			{ .op = NOVA_OP_HANG, .src = b },
			{ .op = 0 },
			{ .op = 99, .dst = a },
			{ .op = NOVA_OP_WRITE, .dst = gc_bo_borrow(&foreign) },
		};
		struct gc_fence_ref f;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			f = nova_submit(c1, &bad[i], NULL);
			KUNIT_EXPECT_EQ_MSG(test, gc_err(f), -EINVAL, "work %u", i);
		}
	}
	gc_bo_put(&foreign);
	KUNIT_EXPECT_EQ(test, atomic_read(&c1->gq->nr_jobs), 0);
	nt_fx_fini(fx);
}

/*
 * The GSP checks work as hardware would: malformed submissions are
 * refused in the reply, and an access to video memory nobody allocated,
 * or past the end of an allocation, ends the submission with -EFAULT
 * before it writes anything.
 */
static void nova_gsp_checks_work(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_msg_chan ch = { .channel = NT_RAW_CHAN };
	struct gc_bo *a = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	u64 at = nova_bo_from_gc(a)->vram_offset, nowhere = NT_VRAM - SZ_4K;
	u8 *vram = nova_gsp_vram(fx->ndev->gsp);
	struct nova_msg_submit w = { .channel = NT_RAW_CHAN };
	struct nova_msg_chan_status st;

	KUNIT_ASSERT_EQ(test, nt_rpc(fx, NOVA_FN_CHAN_RESET, &ch, sizeof(ch), NULL, 0), 0);
	w.op = 99;
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), -EINVAL);
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_COPY, .dst = at,
				      .src = at + 8, .size = 16 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), -EINVAL);
	w = (struct nova_msg_submit){ .channel = NOVA_GSP_CHANNELS, .op = NOVA_OP_WRITE };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), -EINVAL);
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_WRITE, .pad = 1 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), -EINVAL);
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_WRITE, .dst = at + 2 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), -EINVAL);
	ch.channel = NOVA_GSP_CHANNELS;
	KUNIT_EXPECT_EQ(test, nt_rpc(fx, NOVA_FN_CHAN_RESET, &ch, sizeof(ch), NULL, 0), -EINVAL);

	/* A write where nothing is allocated: a fault, nothing written. */
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_WRITE, .stamp = 1,
				      .dst = nowhere, .value = 0x77 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), 0);
	st = nt_wait_stamp(fx, NT_RAW_CHAN, 1);
	KUNIT_EXPECT_EQ(test, st.last_status, -EFAULT);
	KUNIT_EXPECT_NULL(test, memchr_inv(vram + nowhere, 0, SZ_4K));

	/* A fill that runs past the BO's end: refused whole. */
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_FILL, .stamp = 2,
				      .dst = at, .size = SZ_8K, .value = 0x99 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), 0);
	st = nt_wait_stamp(fx, NT_RAW_CHAN, 2);
	KUNIT_EXPECT_EQ(test, st.last_status, -EFAULT);
	KUNIT_EXPECT_NULL(test, memchr_inv(vram + at, 0, SZ_8K));

	/* The same channel goes on: a valid write lands. */
	w = (struct nova_msg_submit){ .channel = NT_RAW_CHAN, .op = NOVA_OP_WRITE, .stamp = 3,
				      .dst = at + 12, .value = 0x77 };
	KUNIT_EXPECT_EQ(test, nt_raw_submit(fx, w), 0);
	st = nt_wait_stamp(fx, NT_RAW_CHAN, 3);
	KUNIT_EXPECT_EQ(test, st.last_status, 0);
	KUNIT_EXPECT_EQ(test, nt_words(a)[3], 0x77u);
	KUNIT_EXPECT_EQ(test, st.pending, 0u);
	KUNIT_EXPECT_EQ(test, st.hung, 0u);
	nt_fx_fini(fx);
}

/*
 * A completion event corrupted on its way: the job's work is done, but
 * its fence learns it only from the timeout, which asks the GSP, finds
 * the job completed, with its status, and bans nothing. A later
 * completion on the channel ends the jobs before it at once, with -EIO:
 * their status was lost with their event.
 */
static void nova_lost_completion(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_chan *c1 = nt_chan(fx, 0, 300);
	struct nova_chan *c2 = nt_chan(fx, 1, NT_LONG_MS);
	struct gc_bo *a = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	unsigned long start;

	nova_gsp_inject(fx->ndev->gsp, NOVA_GSP_FAULT_CORRUPT_EVENT);
	nt_write(fx, 0, c1, a, 0, 0xa1);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 0), 1);
	KUNIT_EXPECT_EQ(test, nt_words(a)[0], 0xa1u);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ndev->rpc.stats.bad_checksum), 1);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(c1->gq->banned));
	KUNIT_EXPECT_EQ(test, c1->gq->nr_timeouts, 0u);
	nt_write(fx, 1, c1, a, 4, 0xa2);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 1), 1);
	KUNIT_EXPECT_EQ(test, nt_words(a)[1], 0xa2u);

	/* No timeout needed: the stall's completion retires the write. */
	start = jiffies;
	nova_gsp_inject(fx->ndev->gsp, NOVA_GSP_FAULT_CORRUPT_EVENT);
	nt_write(fx, 2, c2, a, 8, 0xa3);
	nt_op(fx, 3, c2, NOVA_OP_STALL, 50 * USEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 2), -EIO);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 3), 1);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(jiffies - start), NT_LONG_MS / 2u);
	KUNIT_EXPECT_EQ(test, nt_words(a)[2], 0xa3u);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->ndev->rpc.stats.bad_checksum), 2);
	KUNIT_EXPECT_EQ(test, c2->gq->nr_timeouts, 0u);
	nt_fx_fini(fx);
}

/*
 * Hang recovery: a hung job on channel a times out (-ETIMEDOUT), gpucore
 * finds it guilty, the GSP resets the channel, and the job behind it is
 * cancelled without writing; the channel is banned (-EIO). Channel b runs
 * throughout; a new channel works.
 */
static void nova_hang_recovery(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_chan *ca = nt_chan(fx, 0, 500);
	struct nova_chan *cb = nt_chan(fx, 1, NT_LONG_MS);
	struct gc_bo *a = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	struct gc_bo *b = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	struct nova_work w = { .op = NOVA_OP_WRITE, .dst = a, .value = 0xbad };
	struct nova_msg_chan_status st;
	struct gc_fence_ref refused;
	unsigned int resets;
	struct nova_chan *cc;

	nt_write(fx, 0, ca, a, 0, 0xc0);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 0), 1);
	resets = nova_gsp_resets(fx->ndev->gsp);
	nt_op(fx, 1, ca, NOVA_OP_HANG, 0);
	nt_write(fx, 2, ca, a, 4, 0xc1);
	nt_write(fx, 3, cb, b, 0, 0xc2);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 3), 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(nt_fence(fx, 1)));

	KUNIT_EXPECT_EQ(test, nt_status(fx, 1), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, nt_words(a)[0], 0xc0u);
	KUNIT_EXPECT_EQ(test, nt_words(a)[1], 0u);
	KUNIT_EXPECT_EQ(test, nova_gsp_resets(fx->ndev->gsp), resets + 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ca->gq->banned));
	KUNIT_EXPECT_EQ(test, ca->gq->nr_timeouts, 1u);
	st = nt_chan_status(fx, ca->id);
	KUNIT_EXPECT_EQ(test, st.hung, 0u);
	KUNIT_EXPECT_EQ(test, st.pending, 0u);

	refused = nova_submit(ca, &w, NULL);
	KUNIT_EXPECT_EQ(test, gc_err(refused), -EIO);
	KUNIT_EXPECT_EQ(test, nt_words(a)[0], 0xc0u);

	nt_write(fx, 4, cb, b, 4, 0xc3);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 4), 1);
	KUNIT_EXPECT_EQ(test, nt_words(b)[1], 0xc3u);
	cc = nt_chan(fx, 2, NT_LONG_MS);
	nt_write(fx, 5, cc, a, 4, 0xc4);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 5), 1);
	KUNIT_EXPECT_EQ(test, nt_words(a)[1], 0xc4u);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(cb->gq->banned));
	nt_fx_fini(fx);
}

/*
 * A job longer than the timeout that keeps making progress is not a hang:
 * each timeout finds the GSP's progress counter moved and lets it go on.
 */
static void nova_slow_job_continues(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_chan *c = nt_chan(fx, 0, 100);
	unsigned long start = jiffies;

	nt_op(fx, 0, c, NOVA_OP_STALL, 350 * USEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 0), 1);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start), 350u - jiffies_to_msecs(1));
	KUNIT_EXPECT_EQ(test, c->gq->nr_timeouts, 0u);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(c->gq->banned));
	nt_fx_fini(fx);
}

/* All GSP channels in use: -EBUSY, until one is destroyed. */
static void nova_channel_limit(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct nova_chan *extra;
	unsigned int i;

	for (i = 0; i < NT_CHANS; i++)
		nt_chan(fx, i, NT_LONG_MS);
	extra = nova_chan_create(fx->ndev, NT_LONG_MS);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(extra), -EBUSY);
	nova_chan_destroy(fx->chan[3]);
	fx->chan[3] = NULL;
	nt_chan(fx, 3, NT_LONG_MS);
	KUNIT_EXPECT_EQ(test, fx->chan[3]->id, 3u);
	nt_fx_fini(fx);
}

/*
 * Unplug with work in flight: the hung job and the one behind it complete
 * with -ENODEV and write nothing; new BOs, channels and work are refused
 * with -ENODEV; what needs no hardware (parameters, BO info, reading a
 * BO) still works; the device goes leak-free once everything is closed.
 */
static void nova_unplug_in_flight(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct drm_device *drm = &fx->ndev->drm;
	struct drm_file *file = nt_file(fx, 0);
	struct nova_chan *c = nt_chan(fx, 0, NT_LONG_MS);
	struct gc_bo *a = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	struct drm_nova_gem_create create = { .size = SZ_4K };
	struct drm_nova_gem_info info = {};
	struct nova_work w = { .op = NOVA_OP_WRITE, .dst = a, .value = 1 };
	struct gc_fence_ref refused;
	struct nova_chan *late;
	u32 handle;

	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_create(drm, &create, file), 0);
	handle = create.handle;
	nt_write(fx, 0, c, a, 0, 0xd0);
	KUNIT_ASSERT_EQ(test, nt_status(fx, 0), 1);
	nt_op(fx, 1, c, NOVA_OP_HANG, 0);
	nt_write(fx, 2, c, a, 4, 0xd1);
	KUNIT_EXPECT_EQ(test, nt_wait_pending(fx, c->id, 2).hung, 1u);

	nova_device_unplug(fx->ndev);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 1), -ENODEV);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 2), -ENODEV);
	KUNIT_EXPECT_EQ(test, nt_words(a)[0], 0xd0u);
	KUNIT_EXPECT_EQ(test, nt_words(a)[1], 0u);

	KUNIT_EXPECT_EQ(test, gc_err(nova_bo_create(fx->ndev, SZ_4K, 0)), -ENODEV);
	create.handle = 0;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_create(drm, &create, file), -ENODEV);
	KUNIT_EXPECT_EQ(test, create.handle, 0u);
	late = nova_chan_create(fx->ndev, NT_LONG_MS);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(late), -ENODEV);
	refused = nova_submit(c, &w, NULL);
	KUNIT_EXPECT_EQ(test, gc_err(refused), -ENODEV);

	KUNIT_EXPECT_EQ(test, nt_param(fx, file, NOVA_GETPARAM_VRAM_BAR_SIZE), (u64)NT_VISIBLE);
	info.handle = handle;
	KUNIT_EXPECT_EQ(test, nova_ioctl_gem_info(drm, &info, file), 0);
	KUNIT_EXPECT_EQ(test, info.size, (u64)SZ_4K);
	nt_fx_fini(fx);
}

/*
 * Teardown with work in flight: a stall with a write behind it, a hang on
 * a channel with a short timeout with a write behind it, all on the GSP;
 * the only handles of their BOs dropped, a file with a BO; then the
 * channels are destroyed and the file closed. The work on the GSP runs to
 * its end (the hang to its timeout), every BO's memory goes back to the
 * GSP once its jobs are done, and the device goes leak-free.
 */
static void nova_teardown_in_flight(struct kunit *test)
{
	struct nt_fx *fx = nt_fx_init(test, 1000);
	struct drm_file *file = nt_file(fx, 0);
	struct nova_chan *ca = nt_chan(fx, 0, 1000);
	struct nova_chan *cb = nt_chan(fx, 1, NT_LONG_MS);
	struct gc_bo *a = nt_bo(fx, SZ_4K, NOVA_BO_CPU_VISIBLE);
	struct gc_bo *b = nt_bo(fx, SZ_8K, 0);
	struct drm_nova_gem_create create = { .size = SZ_16K };

	KUNIT_ASSERT_EQ(test, nova_ioctl_gem_create(&fx->ndev->drm, &create, file), 0);
	nt_op(fx, 0, cb, NOVA_OP_STALL, 200 * USEC_PER_MSEC);
	nt_write(fx, 1, cb, a, 0, 0xe1);
	nt_op(fx, 2, ca, NOVA_OP_HANG, 0);
	nt_write(fx, 3, ca, b, 0, 0xe3);
	/* All four on the GSP: none can be cancelled before it runs. */
	KUNIT_EXPECT_EQ(test, nt_wait_pending(fx, ca->id, 2).hung, 1u);
	nt_wait_pending(fx, cb->id, 2);
	gc_bo_put(&fx->bo[0]);
	gc_bo_put(&fx->bo[1]);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), (u64)(SZ_4K + SZ_8K + SZ_16K));
	nt_destroy_chans(fx);
	nt_close(fx, 0);
	KUNIT_EXPECT_EQ(test, nt_vram_used(fx), (u64)(SZ_4K + SZ_8K));

	KUNIT_EXPECT_EQ(test, nt_status(fx, 0), 1);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 1), 1);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 2), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, nt_status(fx, 3), -ECANCELED);
	KUNIT_EXPECT_EQ(test, nt_wait_vram(fx, 0), 0ull);
	nt_fx_fini(fx);
}

static struct kunit_case nova_cases[] = {
	KUNIT_CASE(nova_uapi_abi),
	KUNIT_CASE(nova_get_param),
	KUNIT_CASE(nova_gem_create_info),
	KUNIT_CASE(nova_uapi_wire_layout),
	KUNIT_CASE(nova_vram_alloc_free),
	KUNIT_CASE(nova_submit_effects),
	KUNIT_CASE(nova_gsp_checks_work),
	KUNIT_CASE(nova_lost_completion),
	KUNIT_CASE(nova_hang_recovery),
	KUNIT_CASE(nova_slow_job_continues),
	KUNIT_CASE(nova_channel_limit),
	KUNIT_CASE(nova_unplug_in_flight),
	KUNIT_CASE(nova_teardown_in_flight),
	{}
};

static struct kunit_suite nova_suite = {
	.name = "gpucore_nova",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = nova_cases,
};

kunit_test_suite(nova_suite);
