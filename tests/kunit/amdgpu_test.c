// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gpucore_amdgpu: the amdgpu-style stub backend. The ring and its pointers
 * across wrap-around, what each packet does to memory, seqno fences
 * retired in order from the interrupt, a hang and the ring reset with the
 * documented errors, VRAM/GTT placement and eviction, unplug, and teardown
 * with nothing leaked; and the simulated hardware alone, which reaches its
 * driver only through the interrupt handler registered at its creation.
 *
 * Raw ring cases write packets to a ring with no queue in front, as the
 * driver's ring test does; the others go through gpucore queues.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>
#include <linux/workqueue.h>

#include "amdgpu.h"
#include "gc_test.h"

#define WAIT		(10 * HZ)
#define PENDING_MS	50
#define HANG_MS		300
#define LONG_MS		10000
#define FX_BOS		8
#define FX_FENCES	64
#define NR_WRAP		60	/* batches of the wrap-around case */

struct amd_fx {
	struct kunit *test;
	struct device *parent;
	struct amdsim_device *adev;
	struct amdsim_ring *q[AMDSIM_NUM_RINGS];
	struct gc_bo_ref bo[FX_BOS];
	unsigned int nr_bo;
	struct gc_fence_ref f[FX_FENCES];
	bool finished;
};

/* Drop every handle, destroy the queues, tear the device down. */
static unsigned int amd_fx_teardown(struct amd_fx *fx)
{
	unsigned int i, leaks;

	if (fx->finished)
		return 0;
	fx->finished = true;
	for (i = 0; i < FX_FENCES; i++)
		gc_fence_put(&fx->f[i]);
	for (i = 0; i < FX_BOS; i++)
		gc_bo_put(&fx->bo[i]);
	for (i = 0; i < AMDSIM_NUM_RINGS; i++) {
		if (fx->q[i])
			amdsim_queue_destroy(fx->q[i]);
		fx->q[i] = NULL;
	}
	leaks = amdsim_device_fini(fx->adev);
	return leaks;
}

static void amd_fx_free(struct kunit_resource *res)
{
	struct amd_fx *fx = res->data;

	amd_fx_teardown(fx);
	root_device_unregister(fx->parent);
}

static struct amd_fx *amd_fx_init(struct kunit *test, const struct amdsim_config *cfg)
{
	struct amd_fx *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->test = test;
	fx->parent = root_device_register("gc-amdgpu-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fx->parent));
	fx->adev = amdsim_device_create(fx->parent, cfg);
	if (IS_ERR(fx->adev))
		root_device_unregister(fx->parent);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(fx->adev), "amdsim_device_create: %ld",
			       PTR_ERR(fx->adev));
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, amd_fx_free, GFP_KERNEL,
							 fx));
	return fx;
}

/* The normal end of a case: nothing leaked, every BO freed. */
static void amd_fx_finish(struct amd_fx *fx)
{
	KUNIT_EXPECT_EQ(fx->test, amd_fx_teardown(fx), 0u);
	KUNIT_EXPECT_EQ(fx->test, atomic_read(&fx->adev->nr_bos), 0);
	gc_expect_no_reports(fx->test);
}

static struct amdsim_ring *amd_queue(struct amd_fx *fx, unsigned int timeout_ms)
{
	struct amdsim_ring *ring = amdsim_queue_create(fx->adev, timeout_ms);

	KUNIT_ASSERT_FALSE_MSG(fx->test, IS_ERR(ring), "queue: %ld", PTR_ERR(ring));
	KUNIT_ASSERT_NULL(fx->test, fx->q[ring->idx]);
	fx->q[ring->idx] = ring;
	return ring;
}

static void amd_queue_destroy(struct amd_fx *fx, struct amdsim_ring *ring)
{
	fx->q[ring->idx] = NULL;
	amdsim_queue_destroy(ring);
}

static struct amdsim_bo *amd_bo(struct amd_fx *fx, size_t size, u32 domains)
{
	struct gc_bo_unique u;

	KUNIT_ASSERT_LT(fx->test, fx->nr_bo, (unsigned int)FX_BOS);
	u = amdsim_bo_create(fx->adev, size, domains);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(u), "bo: %ld", gc_err(u));
	fx->bo[fx->nr_bo] = gc_bo_share(&u);
	return to_amdsim_bo(gc_bo_borrow(&fx->bo[fx->nr_bo++]));
}

/* Wait (10 s at most) until every job of @q was freed. */
static bool amd_wait_freed(struct amdsim_ring *q)
{
	unsigned long end = jiffies + 10 * HZ;

	while (READ_ONCE(q->nr_jobs)) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

/* The GPU address of a BO, for building packets; pinned until unpinned. */
static u64 amd_pin(struct amd_fx *fx, struct amdsim_bo *bo)
{
	u64 addr = 0;

	KUNIT_ASSERT_EQ(fx->test, amdsim_bo_pin(bo, &addr), 0);
	return addr;
}

static u32 bo_rd(struct kunit *test, struct amdsim_bo *bo, size_t off)
{
	struct gc_bo_vmap map;
	u32 v;

	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, &bo->gc), 0);
	v = iosys_map_rd(&map.map, off, u32);
	gc_bo_vunmap(&map);
	return v;
}

static void bo_wr(struct kunit *test, struct amdsim_bo *bo, size_t off, u32 v)
{
	struct gc_bo_vmap map;

	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, &bo->gc), 0);
	iosys_map_wr(&map.map, off, u32, v);
	gc_bo_vunmap(&map);
}

/* Write packets to a ring with no queue, with a fence after them, into f[@i]. */
static int amd_raw(struct amd_fx *fx, struct amdsim_ring *ring, const u32 *ib, u32 n,
		   unsigned int i)
{
	struct gc_fence_signaller sig;
	unsigned long flags;
	u64 seq;
	int ret;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)FX_FENCES);
	KUNIT_ASSERT_NULL(fx->test, fx->f[i].ptr);
	sig = gc_fence_create(ring->tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(fx->test, gc_is_err(sig));
	fx->f[i] = gc_fence_signaller_fence(&sig);
	spin_lock_irqsave(&ring->lock, flags);
	ret = amdsim_ring_emit(ring, ib, n, &sig, &seq);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (ret) {
		gc_fence_signal_error(&sig, ret);
		gc_fence_put(&fx->f[i]);
	}
	return ret;
}

/* Submit a job on a queue; its done fence into f[@i]. */
static void amd_job(struct amd_fx *fx, struct amdsim_ring *ring, const u32 *ib, u32 n,
		    struct amdsim_bo *bo, unsigned int i, struct dma_fence *dep)
{
	struct amdsim_job_bo jbo = { .bo = bo, .access = GC_ACCESS_WRITE };
	struct amdsim_job_desc desc = {
		.ib = ib, .ib_dw = n, .bos = &jbo, .nr_bos = bo ? 1 : 0, .dep = dep,
	};
	struct gc_fence_ref done;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)FX_FENCES);
	done = amdsim_job_submit(ring, &desc);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(done), "submit: %ld", gc_err(done));
	fx->f[i] = done;
}

/* A job writing @v at @off of @bo. */
static void amd_write(struct amd_fx *fx, struct amdsim_ring *ring, struct amdsim_bo *bo,
		      size_t off, u32 v, unsigned int i)
{
	u64 addr = amd_pin(fx, bo);
	u32 ib[4];

	amd_job(fx, ring, ib, amdsim_pm4_write_data(ib, addr + off, &v, 1), bo, i, NULL);
	amdsim_bo_unpin(bo);
}

/* A job the CP never finishes: it waits for (x & 0) == 1. */
static void amd_hang(struct amd_fx *fx, struct amdsim_ring *ring, unsigned int i)
{
	u32 ib[5];

	amd_job(fx, ring, ib, amdsim_pm4_wait_mem(ib, amdsim_wb_gpu_addr(fx->adev, 0), 1, 0),
		NULL, i, NULL);
}

static int amd_status(struct amd_fx *fx, unsigned int i)
{
	long ret = gc_fence_wait(&fx->f[i], false, WAIT);

	if (ret <= 0) {
		KUNIT_FAIL(fx->test, "fence %u: no signal (%ld)", i, ret);
		return 0;
	}
	return dma_fence_get_status(gc_fence_borrow(&fx->f[i]));
}

static void amd_expect_pending(struct amd_fx *fx, unsigned int i)
{
	KUNIT_EXPECT_EQ_MSG(fx->test, gc_fence_wait(&fx->f[i], false,
						    msecs_to_jiffies(PENDING_MS)), 0L,
			    "fence %u signalled", i);
}

/*
 * Wrap-around: batches of WRITE_DATA of varying lengths go round a
 * 256-dword ring several times, some packets straddling its end; every
 * dword lands, and the CP ends where the driver did. Then, with the CP
 * halted, the ring fills up: the next write is refused with -ENOSPC and
 * leaves the write pointer alone, and everything runs once the CP resumes.
 */
static void amd_ring_wrap(struct kunit *test)
{
	static const struct amdsim_config cfg = {
		.vram_size = SZ_1M, .gtt_size = SZ_1M, .ring_dw = 256,
	};
	struct amd_fx *fx = amd_fx_init(test, &cfg);
	struct amdsim_ring *ring = &fx->adev->rings[0];
	struct amdsim_bo *bo = amd_bo(fx, SZ_16K, AMDSIM_DOMAIN_GTT);
	u64 addr = amd_pin(fx, bo);
	unsigned int i, j, k, straddles = 0, fit = 0;
	u32 ib[AMDSIM_IB_DW], data[40], off = 0, len, wptr;

	for (i = 0; i < NR_WRAP; i++) {
		k = 5 + (i * 7) % 29;
		for (j = 0; j < k; j++)
			data[j] = i << 16 | j;
		len = amdsim_pm4_write_data(ib, addr + off * 4, data, k);
		if ((ring->wptr & ring->mask) + len > ring->size_dw)
			straddles++;
		/* At most three batches in flight: the ring never fills here. */
		if (i >= 3)
			KUNIT_ASSERT_EQ(test, amd_status(fx, i - 3), 1);
		KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, len, i), 0);
		off += k;
	}
	for (i = NR_WRAP - 3; i < NR_WRAP; i++)
		KUNIT_EXPECT_EQ(test, amd_status(fx, i), 1);
	KUNIT_EXPECT_GT(test, straddles, 0u);
	KUNIT_EXPECT_GT(test, ring->wptr, 4 * ring->size_dw);
	/*
	 * The fence is written before the CP moves rptr past the packet that
	 * wrote it: on another CPU the last move may still be under way.
	 */
	for (j = 0; j < 100 && amdsim_ring_rptr(ring) != ring->wptr; j++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, amdsim_ring_rptr(ring), ring->wptr);
	KUNIT_EXPECT_EQ(test, amdsim_hw_bad_packets(ring->adev->hw, ring->idx), 0);
	for (i = 0, off = 0; i < NR_WRAP; i++) {
		k = 5 + (i * 7) % 29;
		for (j = 0; j < k; j++, off++) {
			if (bo_rd(test, bo, off * 4) != (i << 16 | j)) {
				KUNIT_FAIL(test, "batch %u dword %u: %#x", i, j,
					   bo_rd(test, bo, off * 4));
				break;
			}
		}
	}
	for (i = 0; i < NR_WRAP; i++)
		gc_fence_put(&fx->f[i]);

	/* Full ring: 20-dword submissions while the CP is halted. */
	amdsim_hw_cp_halt(ring->adev->hw, ring->idx);
	for (i = 0; i < 16; i++) {
		data[0] = 0xf000 + i;
		wptr = ring->wptr;
		len = amdsim_pm4_write_data(ib, addr + SZ_8K + i * 4, data, 11);
		if (amd_raw(fx, ring, ib, len, i)) {
			KUNIT_EXPECT_EQ(test, ring->wptr, wptr);
			break;
		}
		fit++;
	}
	KUNIT_EXPECT_EQ(test, fit, (ring->size_dw - 1) / (len + AMDSIM_PM4_FENCE_DW));
	amdsim_hw_cp_resume(ring->adev->hw, ring->idx);
	for (i = 0; i < fit; i++) {
		KUNIT_EXPECT_EQ(test, amd_status(fx, i), 1);
		KUNIT_EXPECT_EQ(test, bo_rd(test, bo, SZ_8K + i * 4), 0xf000 + i);
	}
	amdsim_bo_unpin(bo);
	amd_fx_finish(fx);
}

/*
 * Each packet's effect in memory: WRITE_DATA to VRAM and across a GTT page
 * boundary, a NOP whose payload looks like a write (skipped whole),
 * COPY_DATA from VRAM to GTT over several pages, FENCE to a BO and to the
 * ring's fence memory, WAIT_MEM holding the CP until the CPU writes the
 * value, a fault that drops one write and nothing else, and a packet the
 * CP cannot parse, which hangs the ring until it is recovered.
 */
static void amd_packets(struct kunit *test)
{
	struct amd_fx *fx = amd_fx_init(test, NULL);
	struct amdsim_ring *ring = &fx->adev->rings[1];
	struct amdsim_bo *v = amd_bo(fx, 2 * PAGE_SIZE, AMDSIM_DOMAIN_VRAM);
	struct amdsim_bo *g = amd_bo(fx, 4 * PAGE_SIZE, AMDSIM_DOMAIN_GTT);
	u64 va = amd_pin(fx, v), ga = amd_pin(fx, g), seq;
	u32 ib[AMDSIM_IB_DW], w[3] = { 0x11, 0x22, 0x33 }, x = 0x5a5a, n, i;
	unsigned int faults;

	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(v), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(g), (u32)AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_GE(test, va, AMDSIM_VRAM_BASE);
	KUNIT_EXPECT_GE(test, ga, AMDSIM_GART_BASE);

	/* WRITE_DATA */
	n = amdsim_pm4_write_data(ib, va + 8, w, 3);
	n += amdsim_pm4_write_data(ib + n, ga + PAGE_SIZE - 4, w, 2);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 0), 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 0), 1);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, bo_rd(test, v, 8 + 4 * i), w[i]);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, PAGE_SIZE - 4), w[0]);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, PAGE_SIZE), w[1]);

	/* NOP: its payload is a whole WRITE_DATA, which must not run. */
	ib[0] = AMDSIM_PACKET3(AMDSIM_PM4_NOP, 4);
	amdsim_pm4_write_data(ib + 1, va + 64, &x, 1);
	n = 5 + amdsim_pm4_write_data(ib + 5, va + 68, &x, 1);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 1), 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 1), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 64), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 68), x);

	/* COPY_DATA: 6000 bytes from VRAM into GTT, across two GTT pages. */
	for (i = 0; i < 1500; i++)
		bo_wr(test, v, 0x40 + 4 * i, 0xc0000000 | i);
	n = amdsim_pm4_copy_data(ib, ga + 0x100, va + 0x40, 6000);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 2), 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 2), 1);
	for (i = 0; i < 1500; i++) {
		if (bo_rd(test, g, 0x100 + 4 * i) != (0xc0000000 | i)) {
			KUNIT_FAIL(test, "copy: dword %u is %#x", i, bo_rd(test, g, 0x100 + 4 * i));
			break;
		}
	}

	/* FENCE to a BO, without interrupt; the ring's own fence memory. */
	n = amdsim_pm4_fence(ib, ga + 0x2000, 0x123456789abcull, 0);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 3), 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 3), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, 0x2000), 0x56789abcu);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, 0x2004), 0x1234u);
	seq = ring->sync_seq;
	KUNIT_EXPECT_EQ(test, READ_ONCE(*ring->fence_cpu), seq);
	KUNIT_EXPECT_TRUE(test, amdsim_fence_passed(ring, seq));

	/* WAIT_MEM: the write after it waits for the CPU's value. */
	n = amdsim_pm4_wait_mem(ib, ga + 0x2800, 7, 0xff);
	n += amdsim_pm4_write_data(ib + n, va + 0x1c00, &x, 1);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 4), 0);
	amd_expect_pending(fx, 4);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 0x1c00), 0u);
	bo_wr(test, g, 0x2800, 0x307);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 4), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 0x1c00), x);

	/* A fault drops its write; the next packet runs. */
	faults = amdsim_hw_faults(ring->adev->hw, ring->idx);
	n = amdsim_pm4_write_data(ib, 0x10, &x, 1);
	n += amdsim_pm4_write_data(ib + n, va + 0x1d00, &x, 1);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 5), 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 5), 1);
	KUNIT_EXPECT_EQ(test, amdsim_hw_faults(ring->adev->hw, ring->idx), faults + 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 0x1d00), x);

	/* Garbage: the CP stops on it; recovery completes the fence. */
	ib[0] = 0x12345678;
	n = 1 + amdsim_pm4_write_data(ib + 1, va + 0x1e00, &x, 1);
	KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, 6), 0);
	amd_expect_pending(fx, 6);
	KUNIT_EXPECT_EQ(test, amdsim_hw_bad_packets(ring->adev->hw, ring->idx), 1);
	mutex_lock(&fx->adev->rings_lock);
	amdsim_ring_recover(ring, -ECANCELED);
	mutex_unlock(&fx->adev->rings_lock);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 6), -ECANCELED);
	KUNIT_EXPECT_EQ(test, bo_rd(test, v, 0x1e00), 0u);
	KUNIT_EXPECT_EQ(test, ring->resets, 1u);
	KUNIT_EXPECT_EQ(test, amdsim_ring_rptr(ring), 0u);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*ring->fence_cpu), ring->sync_seq);
	/* A stopped ring refuses raw packets until a queue takes it. */
	KUNIT_EXPECT_EQ(test, amd_raw(fx, ring, ib + 1, n - 1, 7), -ECANCELED);

	amdsim_bo_unpin(v);
	amdsim_bo_unpin(g);
	amd_fx_finish(fx);
}

/* Records the order in which hardware fences signal, and from where. */
struct amd_seen {
	struct dma_fence_cb cb;
	atomic_t *order;
	int at;
	bool hardirq;
};

static void amd_seen_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct amd_seen *s = container_of(cb, struct amd_seen, cb);

	s->hardirq = in_hardirq();
	s->at = atomic_inc_return(s->order);
}

/*
 * Seqno fences: four submissions, the second waiting on memory. The first
 * retires alone, from the interrupt handler; the fence memory holds its
 * seqno and the rest stay in flight. Once the CPU releases the wait, the
 * rest retire in seqno order, each from the interrupt handler.
 */
static void amd_seqno_order(struct kunit *test)
{
	struct amd_fx *fx = amd_fx_init(test, NULL);
	struct amdsim_ring *ring = &fx->adev->rings[2];
	struct amdsim_bo *g = amd_bo(fx, PAGE_SIZE, AMDSIM_DOMAIN_GTT);
	u64 ga = amd_pin(fx, g), first = 0;
	struct amd_seen seen[4] = {};
	atomic_t order = ATOMIC_INIT(0);
	unsigned int irqs = amdsim_hw_irqs(fx->adev->hw);
	u32 ib[8], n, i;

	/* Halted while the callbacks go on: none of the fences can signal yet. */
	amdsim_hw_cp_halt(ring->adev->hw, ring->idx);
	for (i = 0; i < 4; i++) {
		u32 v = 100 + i;

		if (i == 1)
			n = amdsim_pm4_wait_mem(ib, ga, 1, 1);
		else
			n = amdsim_pm4_write_data(ib, ga + 4 + 4 * i, &v, 1);
		KUNIT_ASSERT_EQ(test, amd_raw(fx, ring, ib, n, i), 0);
		if (!i)
			first = ring->sync_seq;
		seen[i].order = &order;
		KUNIT_ASSERT_EQ(test, dma_fence_add_callback(gc_fence_borrow(&fx->f[i]),
							     &seen[i].cb, amd_seen_cb), 0);
	}
	KUNIT_EXPECT_EQ(test, ring->sync_seq, first + 3);
	amdsim_hw_cp_resume(ring->adev->hw, ring->idx);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 0), 1);
	for (i = 1; i < 4; i++)
		amd_expect_pending(fx, i);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*ring->fence_cpu), first);
	KUNIT_EXPECT_EQ(test, amdsim_fence_pending(ring), 3u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, 12), 0u);

	bo_wr(test, g, 0, 1);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, amd_status(fx, i), 1);
		KUNIT_EXPECT_EQ_MSG(test, seen[i].at, (int)i + 1, "fence %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, seen[i].hardirq, "fence %u", i);
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(*ring->fence_cpu), first + 3);
	KUNIT_EXPECT_EQ(test, amdsim_fence_pending(ring), 0u);
	KUNIT_EXPECT_GT(test, amdsim_hw_irqs(fx->adev->hw), irqs);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, 12), 102u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, g, 16), 103u);
	amdsim_bo_unpin(g);
	amd_fx_finish(fx);
}

/* Wait (bounded) until no queue or job holds @ring. */
static bool amd_ring_free(struct amd_fx *fx, struct amdsim_ring *ring)
{
	unsigned long end = jiffies + WAIT;
	bool free;

	for (;;) {
		mutex_lock(&fx->adev->rings_lock);
		free = !ring->gq && !ring->queue_live;
		mutex_unlock(&fx->adev->rings_lock);
		if (free || time_after(jiffies, end))
			return free;
		usleep_range(2000, 5000);
	}
}

/*
 * A hang: the job that ran before it keeps its result (0), the hung job
 * fails with -ETIMEDOUT, the job behind it on the ring is cancelled
 * (-ECANCELED) and wrote nothing, the ring was reset once and the queue is
 * banned (-EIO); a queue on another ring ran meanwhile. Once the banned
 * queue is gone, a new queue gets the reset ring and runs on it.
 */
static void amd_hang_reset(struct kunit *test)
{
	struct amd_fx *fx = amd_fx_init(test, NULL);
	struct amdsim_ring *qa = amd_queue(fx, HANG_MS);
	struct amdsim_ring *qb = amd_queue(fx, LONG_MS);
	struct amdsim_ring *again;
	struct amdsim_bo *bo[3];
	struct amdsim_job_desc desc;
	struct gc_fence_ref refused;
	u32 ib[4], i;

	for (i = 0; i < 3; i++)
		bo[i] = amd_bo(fx, PAGE_SIZE, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	KUNIT_ASSERT_PTR_NE(test, qa, qb);
	amd_write(fx, qa, bo[0], 0, 0xa0, 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 0), 1);
	amd_hang(fx, qa, 1);
	amd_write(fx, qa, bo[1], 0, 0xa1, 2);
	amd_write(fx, qb, bo[2], 0, 0xb0, 3);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 3), 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gc_fence_borrow(&fx->f[1])));

	KUNIT_EXPECT_EQ(test, amd_status(fx, 1), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo[0], 0), 0xa0u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo[1], 0), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo[2], 0), 0xb0u);
	KUNIT_EXPECT_EQ(test, qa->resets, 1u);
	KUNIT_EXPECT_EQ(test, qb->resets, 0u);
	KUNIT_EXPECT_EQ(test, amdsim_ring_rptr(qa), 0u);
	KUNIT_EXPECT_EQ(test, amdsim_hw_doorbell_wptr(qa->adev->hw, qa->idx), 0u);
	KUNIT_EXPECT_EQ(test, READ_ONCE(*qa->fence_cpu), qa->sync_seq);
	KUNIT_EXPECT_EQ(test, amdsim_fence_pending(qa), 0u);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(qa->gq->banned));

	desc = (struct amdsim_job_desc){ .ib = ib, .ib_dw = 1 };
	ib[0] = AMDSIM_PACKET3(AMDSIM_PM4_NOP, 1);
	refused = amdsim_job_submit(qa, &desc);
	KUNIT_EXPECT_TRUE(test, gc_is_err(refused));
	if (gc_is_err(refused))
		KUNIT_EXPECT_EQ(test, gc_err(refused), -EIO);
	else
		gc_fence_put(&refused);

	/* The reset ring serves a new queue. */
	amd_queue_destroy(fx, qa);
	KUNIT_ASSERT_TRUE(test, amd_ring_free(fx, qa));
	again = amd_queue(fx, LONG_MS);
	KUNIT_EXPECT_PTR_EQ(test, again, qa);
	amd_write(fx, again, bo[1], 4, 0xa2, 4);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 4), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo[1], 4), 0xa2u);
	KUNIT_EXPECT_EQ(test, again->resets, 1u);
	amd_fx_finish(fx);
}

/*
 * Placement: BOs go to VRAM while it has room; a new one evicts the least
 * recently used unpinned BO to GTT (contents kept); with VRAM full of
 * pinned BOs a new BO falls back to GTT, and a VRAM-only one fails. GPU
 * use brings an evicted BO back to VRAM, evicting in turn; a job then
 * writes it in VRAM and copies it into a GTT BO.
 */
static void amd_placement(struct kunit *test)
{
	static const struct amdsim_config cfg = {
		.vram_size = SZ_64K, .gtt_size = SZ_1M, .ring_dw = 1024,
	};
	struct amd_fx *fx = amd_fx_init(test, &cfg);
	struct amdsim_device *adev = fx->adev;
	struct amdsim_bo *a, *b, *c, *d;
	struct amdsim_ring *q;
	struct gc_bo_unique e;
	u64 aa, da, ba;
	u32 ib[16], n, i;

	a = amd_bo(fx, SZ_32K, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	for (i = 0; i < SZ_32K / 4; i += 64)
		bo_wr(test, a, 4 * i, 0xa000 + i);
	b = amd_bo(fx, SZ_32K, AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(a), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(b), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 0);

	c = amd_bo(fx, SZ_16K, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(c), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(a), (u32)AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(b), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 1);
	for (i = 0; i < SZ_32K / 4; i += 64)
		KUNIT_EXPECT_EQ(test, bo_rd(test, a, 4 * i), 0xa000 + i);

	/*
	 * VRAM full of pinned BOs: creation and GPU use fall back to GTT, and
	 * a VRAM-only BO fails.
	 */
	amd_pin(fx, b);
	amd_pin(fx, c);
	d = amd_bo(fx, SZ_32K, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(d), (u32)AMDSIM_DOMAIN_GTT);
	da = amd_pin(fx, d);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(d), (u32)AMDSIM_DOMAIN_GTT);
	e = amdsim_bo_create(adev, SZ_32K, AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_TRUE(test, gc_is_err(e));
	if (gc_is_err(e))
		KUNIT_EXPECT_EQ(test, gc_err(e), -ENOMEM);
	else
		gc_bo_unique_drop(&e);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 1);
	amdsim_bo_unpin(b);
	amdsim_bo_unpin(c);

	/* GPU use: a returns to VRAM, b (least recently used) leaves it. */
	aa = amd_pin(fx, a);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(a), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(b), (u32)AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(c), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 2);
	KUNIT_EXPECT_GE(test, aa, AMDSIM_VRAM_BASE);
	KUNIT_EXPECT_LT(test, aa, AMDSIM_GART_BASE);
	KUNIT_EXPECT_GE(test, da, AMDSIM_GART_BASE);
	q = amd_queue(fx, LONG_MS);
	n = amdsim_pm4_write_data(ib, aa, (u32[]){ 0xfeed }, 1);
	n += amdsim_pm4_copy_data(ib + n, da, aa, PAGE_SIZE);
	{
		struct amdsim_job_bo jbo[2] = {
			{ .bo = a, .access = GC_ACCESS_WRITE },
			{ .bo = d, .access = GC_ACCESS_WRITE },
		};
		struct amdsim_job_desc desc = { .ib = ib, .ib_dw = n, .bos = jbo, .nr_bos = 2 };

		fx->f[0] = amdsim_job_submit(q, &desc);
		KUNIT_ASSERT_FALSE(test, gc_is_err(fx->f[0]));
	}
	amdsim_bo_unpin(a);
	amdsim_bo_unpin(d);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 0), 1);
	/*
	 * The done fence signals before drm_sched frees the job, which holds
	 * its BOs placed until then: wait for that before moving them.
	 */
	KUNIT_ASSERT_TRUE(test, amd_wait_freed(q));
	KUNIT_EXPECT_EQ(test, bo_rd(test, a, 0), 0xfeedu);
	KUNIT_EXPECT_EQ(test, bo_rd(test, d, 0), 0xfeedu);
	for (i = 64; i < PAGE_SIZE / 4; i += 64)
		KUNIT_EXPECT_EQ(test, bo_rd(test, d, 4 * i), 0xa000 + i);

	/* b, VRAM only, goes back to VRAM for its next GPU use. */
	ba = amd_pin(fx, b);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(b), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_LT(test, ba, AMDSIM_GART_BASE);
	amdsim_bo_unpin(b);
	amd_fx_finish(fx);
}

/*
 * Unplug with a hang on the ring and a job behind it: both complete with
 * -ENODEV, the CP stays halted, new queues and jobs are refused, BOs stay
 * readable, and the device goes with nothing leaked.
 */
static void amd_unplug(struct kunit *test)
{
	struct amd_fx *fx = amd_fx_init(test, NULL);
	struct amdsim_ring *q = amd_queue(fx, LONG_MS);
	struct amdsim_bo *bo = amd_bo(fx, PAGE_SIZE, AMDSIM_DOMAIN_VRAM);
	struct amdsim_ring *late;

	amd_write(fx, q, bo, 0, 0x77, 0);
	KUNIT_ASSERT_EQ(test, amd_status(fx, 0), 1);
	amd_hang(fx, q, 1);
	amd_write(fx, q, bo, 4, 0x78, 2);
	amd_expect_pending(fx, 1);
	amdsim_device_unplug(fx->adev);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 1), -ENODEV);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 2), -ENODEV);
	KUNIT_EXPECT_TRUE(test, amdsim_hw_cp_halted(q->adev->hw, q->idx));
	KUNIT_EXPECT_EQ(test, amdsim_fence_pending(q), 0u);
	late = amdsim_queue_create(fx->adev, LONG_MS);
	KUNIT_EXPECT_TRUE(test, IS_ERR(late));
	if (!IS_ERR(late))
		amdsim_queue_destroy(late);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo, 0), 0x77u);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo, 4), 0u);
	amd_fx_finish(fx);
}

/*
 * Teardown with work in flight on every ring (hangs, writes, a chain
 * across queues, raw packets waiting on memory) and every handle dropped
 * first: the device goes with no reference leaked and every BO freed.
 */
static void amd_teardown(struct kunit *test)
{
	struct amd_fx *fx = amd_fx_init(test, NULL);
	struct amdsim_ring *qa = amd_queue(fx, HANG_MS);
	struct amdsim_ring *qb = amd_queue(fx, LONG_MS);
	struct amdsim_ring *raw = &fx->adev->rings[3];
	struct amdsim_bo *bo[4];
	u64 addr;
	u32 ib[8], i;

	for (i = 0; i < 4; i++)
		bo[i] = amd_bo(fx, PAGE_SIZE, i % 2 ? AMDSIM_DOMAIN_GTT : AMDSIM_DOMAIN_VRAM);
	for (i = 0; i < 16; i++)
		amd_write(fx, i % 2 ? qb : qa, bo[i % 4], 4 * i, i, i);
	KUNIT_EXPECT_EQ(test, amd_status(fx, 15), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, bo[3], 60), 15u);
	amd_hang(fx, qa, 16);
	amd_write(fx, qa, bo[0], 0, 1, 17);
	amd_write(fx, qb, bo[1], 0, 1, 18);
	/* The scratch slot is 0: this waits until the device goes. */
	addr = amdsim_wb_gpu_addr(fx->adev, AMDSIM_WB_SCRATCH(raw->idx));
	KUNIT_ASSERT_EQ(test, amd_raw(fx, raw, ib, amdsim_pm4_wait_mem(ib, addr, 9, ~0u), 19),
			0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->adev->nr_bos), 4);
	amd_fx_finish(fx);
}

struct amd_irq_seen {
	atomic_t calls;
	unsigned long rings;
	bool hardirq;
};

static void amd_irq_record(void *data, unsigned long rings)
{
	struct amd_irq_seen *s = data;

	s->rings |= rings;
	s->hardirq = in_hardirq();
	/* Ordered after the fields: the test reads them once it sees the call. */
	smp_mb__before_atomic();
	atomic_inc(&s->calls);
}

/*
 * The hardware without its driver: a FENCE packet that asks for the
 * interrupt writes its seqno, then calls the handler given at creation,
 * in hard interrupt context, with the ring's bit; a FENCE without the
 * flag writes its seqno and calls nothing.
 */
static void amd_sim_irq_through_registered_handler(struct kunit *test)
{
	struct amd_irq_seen seen = { .calls = ATOMIC_INIT(0) };
	struct amdsim_hw_config cfg = {
		.name = "amdsim-test",
		.vram_size = PAGE_SIZE,
		.gtt_size = 2 * PAGE_SIZE,
		.irq_handler = amd_irq_record,
		.irq_data = &seen,
	};
	struct amdsim_hw *hw = amdsim_hw_create(&cfg);
	u32 *ring = kunit_kcalloc(test, 256, sizeof(u32), GFP_KERNEL);
	u64 *vram;
	u32 n;
	int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(hw));
	KUNIT_ASSERT_NOT_NULL(test, ring);
	vram = amdsim_hw_vram(hw);
	amdsim_hw_ring_setup(hw, 2, ring, 256);
	n = amdsim_pm4_fence(ring, AMDSIM_VRAM_BASE, 6, 0);
	amdsim_hw_doorbell(hw, 2, n);
	for (i = 0; i < 50 && amdsim_hw_rptr(hw, 2) != n; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vram[0]), 6ull);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen.calls), 0);

	n += amdsim_pm4_fence(ring + n, AMDSIM_VRAM_BASE + 8, 7, AMDSIM_FENCE_INT);
	amdsim_hw_doorbell(hw, 2, n);
	for (i = 0; i < 50 && !atomic_read(&seen.calls); i++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, atomic_read(&seen.calls), 1);
	/* Pairs with the handler's barrier: its fields after its count. */
	smp_mb__after_atomic();
	KUNIT_EXPECT_EQ(test, READ_ONCE(vram[1]), 7ull);
	KUNIT_EXPECT_EQ(test, seen.rings, BIT(2));
	KUNIT_EXPECT_TRUE(test, seen.hardirq);
	KUNIT_EXPECT_EQ(test, amdsim_hw_irqs(hw), 1u);
	KUNIT_EXPECT_EQ(test, amdsim_hw_faults(hw, 2), 0u);
	amdsim_hw_stop(hw);
	amdsim_hw_destroy(hw);
}

/* Wait (10 s at most) until TTM has destroyed all but @n BOs. */
static bool amd_wait_ttm_bos(struct amdsim_device *adev, int n)
{
	unsigned long end = jiffies + 10 * HZ;

	while (atomic_read(&adev->nr_ttm_bos) != n) {
		if (time_after(jiffies, end))
			return false;
		msleep(20);
	}
	return true;
}

/*
 * Make @bo busy until @sig signals: a new fence of @tl, held in f[0], in
 * the BO's reservation as a read.
 */
static void amd_make_busy(struct amd_fx *fx, struct gc_timeline *tl, struct amdsim_bo *bo,
			  struct gc_fence_signaller *sig)
{
	struct dma_resv *resv = bo->tbo.base.resv;
	int ret;

	*sig = gc_fence_create(tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(fx->test, gc_is_err(*sig));
	fx->f[0] = gc_fence_signaller_fence(sig);
	dma_resv_lock(resv, NULL);
	ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		ret = gc_bo_add_fence(&bo->gc, gc_fence_borrow(&fx->f[0]), GC_ACCESS_READ);
	dma_resv_unlock(resv);
	KUNIT_ASSERT_EQ(fx->test, ret, 0);
}

/*
 * A BO whose last handle goes while a fence in its reservation is pending
 * is destroyed by TTM only once that fence has signalled: its memory stays
 * (KASAN would see TTM use it after a free), and goes after the signal.
 */
static void amd_delayed_destroy(struct kunit *test)
{
	static const struct amdsim_config cfg = {
		.vram_size = SZ_64K, .gtt_size = SZ_1M, .ring_dw = 1024,
	};
	struct amd_fx *fx = amd_fx_init(test, &cfg);
	struct amdsim_device *adev = fx->adev;
	struct gc_fence_signaller sig;
	struct gc_timeline *tl;
	struct amdsim_bo *bo;

	tl = gc_timeline_create("amd-test", "pending", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	bo = amd_bo(fx, SZ_16K, AMDSIM_DOMAIN_VRAM);
	bo_wr(test, bo, 0, 0x5eed);
	amd_make_busy(fx, tl, bo, &sig);

	gc_bo_put(&fx->bo[0]);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->nr_bos), 0);
	msleep(PENDING_MS);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->nr_ttm_bos), 1);

	KUNIT_EXPECT_EQ(test, gc_fence_signal(&sig), 0);
	KUNIT_EXPECT_TRUE(test, amd_wait_ttm_bos(adev, 0));
	gc_timeline_put(tl);
	amd_fx_finish(fx);
}

/* A fence signalled from a work item, later. */
struct amd_late_signal {
	struct delayed_work work;
	struct gc_fence_signaller sig;
};

static void amd_late_signal_fn(struct work_struct *work)
{
	struct amd_late_signal *late =
		container_of(to_delayed_work(work), struct amd_late_signal, work);

	gc_fence_signal(&late->sig);
}

/*
 * A BO that fences say is in use is not evicted, not even by waiting for
 * them: with VRAM full of such a BO, whose fence signals only later, a
 * VRAM-only BO is refused at once and one that may fall back goes to GTT,
 * the busy BO's contents untouched. (Evicting it by waiting would place
 * both in VRAM once the fence signalled.) After the signal, the next BO
 * that needs the room evicts it.
 */
static void amd_busy_bo_not_evicted(struct kunit *test)
{
	static const struct amdsim_config cfg = {
		.vram_size = SZ_64K, .gtt_size = SZ_1M, .ring_dw = 1024,
	};
	struct amd_fx *fx = amd_fx_init(test, &cfg);
	struct amdsim_device *adev = fx->adev;
	struct amd_late_signal late;
	struct amdsim_bo *busy, *b, *c;
	struct gc_timeline *tl;
	struct gc_bo_unique u;

	tl = gc_timeline_create("amd-test", "busy", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tl));
	busy = amd_bo(fx, SZ_64K, AMDSIM_DOMAIN_VRAM);
	bo_wr(test, busy, 0, 0xb0b0);
	amd_make_busy(fx, tl, busy, &late.sig);
	INIT_DELAYED_WORK_ONSTACK(&late.work, amd_late_signal_fn);
	schedule_delayed_work(&late.work, 2 * HZ);

	/* No assertion until the work is flushed: it is on this stack. */
	u = amdsim_bo_create(adev, SZ_16K, AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, gc_err(u), -ENOMEM);
	if (!gc_is_err(u))
		gc_bo_unique_drop(&u);
	u = amdsim_bo_create(adev, SZ_16K, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_FALSE(test, gc_is_err(u));
	if (!gc_is_err(u)) {
		fx->bo[fx->nr_bo] = gc_bo_share(&u);
		b = to_amdsim_bo(gc_bo_borrow(&fx->bo[fx->nr_bo++]));
		KUNIT_EXPECT_EQ(test, amdsim_bo_domain(b), (u32)AMDSIM_DOMAIN_GTT);
	}
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(busy), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 0);

	flush_delayed_work(&late.work);
	destroy_delayed_work_on_stack(&late.work);
	c = amd_bo(fx, SZ_16K, AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(c), (u32)AMDSIM_DOMAIN_VRAM);
	KUNIT_EXPECT_EQ(test, amdsim_bo_domain(busy), (u32)AMDSIM_DOMAIN_GTT);
	KUNIT_EXPECT_EQ(test, atomic_read(&adev->evictions), 1);
	KUNIT_EXPECT_EQ(test, bo_rd(test, busy, 0), 0xb0b0u);
	gc_timeline_put(tl);
	amd_fx_finish(fx);
}

/*
 * An eviction storm: eight 16 KiB BOs that prefer VRAM, twice what the
 * 64 KiB of VRAM holds, written by jobs on two queues, a round of eight
 * jobs at a time. Each job pins its BO, so within a round BOs move into
 * VRAM, evicting the ones no job holds, or fall back to GTT while the
 * jobs before them are in flight. Every value lands where it was written
 * and survives the moves after it; nothing leaks.
 */
static void amd_eviction_storm(struct kunit *test)
{
	static const struct amdsim_config cfg = {
		.vram_size = SZ_64K, .gtt_size = SZ_1M, .ring_dw = 1024,
	};
	struct amd_fx *fx = amd_fx_init(test, &cfg);
	const unsigned int rounds = FX_FENCES / FX_BOS;
	struct amdsim_bo *bo[FX_BOS];
	struct amdsim_ring *q[2];
	unsigned int r, i, j;
	int created;

	q[0] = amd_queue(fx, LONG_MS);
	q[1] = amd_queue(fx, LONG_MS);
	for (i = 0; i < FX_BOS; i++)
		bo[i] = amd_bo(fx, SZ_16K, AMDSIM_DOMAIN_VRAM | AMDSIM_DOMAIN_GTT);
	created = atomic_read(&fx->adev->evictions);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < FX_BOS; i++)
			amd_write(fx, q[i % 2], bo[(i + r) % FX_BOS], 4 * r,
				  0xe0000 | (r << 8) | i, r * FX_BOS + i);
		for (i = 0; i < FX_BOS; i++)
			KUNIT_EXPECT_EQ_MSG(test, amd_status(fx, r * FX_BOS + i), 1,
					    "round %u, job %u", r, i);
		KUNIT_ASSERT_TRUE(test, amd_wait_freed(q[0]));
		KUNIT_ASSERT_TRUE(test, amd_wait_freed(q[1]));
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < FX_BOS; i++) {
			j = (i + r) % FX_BOS;
			KUNIT_EXPECT_EQ_MSG(test, bo_rd(test, bo[j], 4 * r),
					    0xe0000 | (r << 8) | i, "round %u, BO %u", r, j);
		}
	}
	/* A round starts with VRAM full of BOs no job holds. */
	KUNIT_EXPECT_GT(test, atomic_read(&fx->adev->evictions), created);
	kunit_info(test, "%u jobs on 2 queues, 2x VRAM: %d evictions (%d at creation)\n",
		   FX_FENCES, atomic_read(&fx->adev->evictions), created);
	amd_fx_finish(fx);
}

static struct kunit_case amd_cases[] = {
	KUNIT_CASE(amd_sim_irq_through_registered_handler),
	KUNIT_CASE(amd_ring_wrap),
	KUNIT_CASE(amd_packets),
	KUNIT_CASE(amd_seqno_order),
	KUNIT_CASE(amd_hang_reset),
	KUNIT_CASE(amd_placement),
	KUNIT_CASE(amd_delayed_destroy),
	KUNIT_CASE(amd_busy_bo_not_evicted),
	KUNIT_CASE(amd_eviction_storm),
	KUNIT_CASE(amd_unplug),
	KUNIT_CASE(amd_teardown),
	{}
};

static struct kunit_suite amd_suite = {
	.name = "gpucore_amdgpu",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = amd_cases,
};

kunit_test_suite(amd_suite);
