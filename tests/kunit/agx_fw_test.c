// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The simulated AGX firmware and GPU MMU: what each command computes, read
 * back by the CPU; GPU faults, malformed records, full rings, hangs, stalls
 * and stops; and the completion stamps, statuses and events a driver
 * relies on.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/iosys-map.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/wait.h>

#include <gpucore/bo.h>
#include <gpucore/shmem.h>
#include <gpucore/vm.h>

#include "sim/agx_sim.h"
#include "sim/agx_mmu.h"
#include "gc_test.h"
#include "gpucore_agx_drm.h"
#include "mock_drm.h"

#define VA_BASE		0x100000ull
#define VA_SIZE		0x1000000ull
#define UNMAPPED_VA	(VA_BASE + 0x800000ull)
#define RW		(GC_VM_READ | GC_VM_WRITE)
#define WAIT_MS		5000	/* a bound the passing cases never reach */
#define NR_QUEUES	2
#define NR_BOS		4
#define NR_RECS		16
#define REC_WORDS	48

/*
 * A record's command stream and result, built by the rec_*() helpers;
 * pushed with STALL and HANG allowed unless @no_test_opcodes.
 */
struct fw_rec {
	u32 w[REC_WORDS];
	u32 n;
	bool no_test_opcodes;
	struct drm_agx_result res;
};

struct fw_fixture;

struct fw_queue {
	struct fw_fixture *fx;
	struct agx_fw_queue *q;
	atomic_t events;
};

struct fw_fixture {
	struct kunit *test;
	struct gc_mock_device *mdev;
	struct gc_vm *vm;
	struct agx_fw *fw;
	struct fw_queue queue[NR_QUEUES];
	struct gc_bo_ref bo[NR_BOS];
	unsigned int nr_bos;
	wait_queue_head_t wait;		/* woken by every event */
	/* Part of the fixture so that they outlive the queues using them. */
	struct fw_rec rec[NR_RECS];
};

static void fw_event(void *data)
{
	struct fw_queue *fq = data;

	atomic_inc(&fq->events);
	wake_up_all(&fq->fx->wait);
}

/* Tear down what is left; also run by KUnit if the case ends early. */
static void fixture_fini(struct fw_fixture *fx)
{
	unsigned int i;

	for (i = 0; i < NR_QUEUES; i++) {
		agx_fw_queue_destroy(fx->queue[i].q);
		fx->queue[i].q = NULL;
	}
	agx_fw_destroy(fx->fw);
	fx->fw = NULL;
	gc_vm_destroy(fx->vm);
	fx->vm = NULL;
	while (fx->nr_bos)
		gc_bo_put(&fx->bo[--fx->nr_bos]);
}

static void fixture_free(struct kunit_resource *res)
{
	fixture_fini(res->data);
}

static struct agx_fw_queue *fixture_queue(struct fw_fixture *fx, unsigned int i,
					  unsigned int ring_size, bool event)
{
	struct agx_fw_queue *q;

	q = agx_fw_queue_create(fx->fw, ring_size, event ? fw_event : NULL, &fx->queue[i]);
	KUNIT_ASSERT_FALSE(fx->test, IS_ERR(q));
	fx->queue[i].q = q;
	return q;
}

/* A VM, a firmware and queue 0, with an event callback. */
static struct fw_fixture *fixture_init(struct kunit *test, unsigned int ring_size)
{
	struct fw_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	struct agx_fw *fw;
	struct gc_vm *vm;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->test = test;
	init_waitqueue_head(&fx->wait);
	for (i = 0; i < NR_QUEUES; i++)
		fx->queue[i].fx = fx;
	fx->mdev = gc_mock_device(test, true);
	/* Registered after the device: released before it. */
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, fixture_free,
							 GFP_KERNEL, fx));
	vm = gc_vm_create(&fx->mdev->gdev, VA_BASE, VA_SIZE, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(vm));
	fx->vm = vm;
	fw = agx_fw_create("agx-fw-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fw));
	fx->fw = fw;
	fixture_queue(fx, 0, ring_size, true);
	return fx;
}

/* A zeroed shmem BO of @size bytes, bound whole at @va. */
static struct gc_bo *fixture_bo(struct fw_fixture *fx, size_t size, u64 va, u32 flags)
{
	struct gc_bo_unique u;
	struct gc_bo *bo;

	KUNIT_ASSERT_LT(fx->test, fx->nr_bos, (unsigned int)NR_BOS);
	u = gc_shmem_bo_create(&fx->mdev->drm, size, &fx->mdev->refs);
	KUNIT_ASSERT_FALSE(fx->test, gc_is_err(u));
	fx->bo[fx->nr_bos] = gc_bo_share(&u);
	bo = gc_bo_borrow(&fx->bo[fx->nr_bos++]);
	KUNIT_ASSERT_EQ(fx->test, gc_vm_bind(fx->vm, bo, 0, va, size, flags), 0);
	return bo;
}

static void bo_write(struct kunit *test, struct gc_bo *bo, size_t off, const u32 *data,
		     size_t n)
{
	struct gc_bo_vmap map;
	size_t i;

	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, bo), 0);
	for (i = 0; i < n; i++)
		iosys_map_wr(&map.map, off + i * 4, u32, data[i]);
	gc_bo_vunmap(&map);
}

/* Compare @n words at @off with @want; fail on the first difference. */
static void bo_expect(struct kunit *test, struct gc_bo *bo, size_t off, const u32 *want,
		      size_t n)
{
	struct gc_bo_vmap map;
	size_t i;

	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, bo), 0);
	for (i = 0; i < n; i++) {
		u32 got = iosys_map_rd(&map.map, off + i * 4, u32);

		if (got != want[i]) {
			KUNIT_FAIL(test, "offset %zu: %#x, expected %#x", off + i * 4, got,
				   want[i]);
			break;
		}
	}
	gc_bo_vunmap(&map);
}

static u32 bo_rd32(struct kunit *test, struct gc_bo *bo, size_t off)
{
	struct gc_bo_vmap map;
	u32 v;

	KUNIT_ASSERT_EQ(test, gc_bo_vmap(&map, bo), 0);
	v = iosys_map_rd(&map.map, off, u32);
	gc_bo_vunmap(&map);
	return v;
}

static u32 *words(struct kunit *test, size_t n)
{
	u32 *p = kunit_kcalloc(test, n, sizeof(u32), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static struct fw_rec *rec_begin(struct fw_fixture *fx, unsigned int i)
{
	struct fw_rec *r = &fx->rec[i];

	memset(r, 0, sizeof(*r));
	return r;
}

/* Streams longer than REC_WORDS are cut short, which the tests would see. */
static void rec_put(struct fw_rec *r, u32 word)
{
	if (r->n < REC_WORDS)
		r->w[r->n++] = word;
}

static void rec_put64(struct fw_rec *r, u64 v)
{
	rec_put(r, lower_32_bits(v));
	rec_put(r, upper_32_bits(v));
}

static void rec_op(struct fw_rec *r, u32 op)
{
	rec_put(r, DRM_AGX_CMD(op, 0));
}

static void rec_fill(struct fw_rec *r, u64 va, u32 bytes, u32 value)
{
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_FILL, 4));
	rec_put64(r, va);
	rec_put(r, bytes);
	rec_put(r, value);
}

static void rec_copy(struct fw_rec *r, u64 dst, u64 src, u32 bytes)
{
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_COPY, 5));
	rec_put64(r, dst);
	rec_put64(r, src);
	rec_put(r, bytes);
}

static void rec_axpy(struct fw_rec *r, u64 dst, u64 x, u64 y, u32 a, u32 n)
{
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_AXPY, 8));
	rec_put64(r, dst);
	rec_put64(r, x);
	rec_put64(r, y);
	rec_put(r, a);
	rec_put(r, n);
}

static void rec_timestamp(struct fw_rec *r, u64 va)
{
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_TIMESTAMP, 2));
	rec_put64(r, va);
}

static void rec_stall(struct fw_rec *r, u32 usecs)
{
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_STALL, 1));
	rec_put(r, usecs);
}

/* Push record @ri on queue @qi, in the fixture's VM. */
static int rec_push(struct fw_fixture *fx, unsigned int qi, unsigned int ri, u64 stamp)
{
	struct agx_fw_cmd cmd = {
		.stamp = stamp,
		.words = fx->rec[ri].w,
		.nr_words = fx->rec[ri].n,
		.vm = fx->vm,
		.result = &fx->rec[ri].res,
		.test_opcodes = !fx->rec[ri].no_test_opcodes,
	};

	return agx_fw_queue_push(fx->queue[qi].q, &cmd);
}

/* Wait, at most WAIT_MS, for queue @qi to complete @stamp. */
static bool fx_wait(struct fw_fixture *fx, unsigned int qi, u64 stamp)
{
	struct agx_fw_queue *q = fx->queue[qi].q;
	unsigned long end = jiffies + msecs_to_jiffies(WAIT_MS);

	/* In short waits: a queue without an event callback never wakes us. */
	while (agx_fw_queue_completed(q) < stamp) {
		if (time_after(jiffies, end))
			return false;
		wait_event_timeout(fx->wait, agx_fw_queue_completed(q) >= stamp,
				   msecs_to_jiffies(10));
	}
	return true;
}

static void expect_result(struct kunit *test, const struct drm_agx_result *res, u32 status,
			  u32 index, u64 fault_va)
{
	KUNIT_EXPECT_EQ(test, res->status, status);
	KUNIT_EXPECT_EQ(test, res->command_index, index);
	KUNIT_EXPECT_EQ(test, res->fault_va, fault_va);
}

static void fw_fill(struct kunit *test)
{
	const size_t size = 64 * PAGE_SIZE, start = 100 * 4, len = 2 * PAGE_SIZE;
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *bo = fixture_bo(fx, size, VA_BASE, RW);
	u32 *want = words(test, size / 4);
	struct fw_rec *r;
	size_t i;

	/* Unaligned to pages, across two page boundaries. */
	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE + start, len, 0xdeadbeef);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 1));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(fx->queue[0].q, 1), 0);
	expect_result(test, &r->res, DRM_AGX_STATUS_COMPLETE, 0, 0);
	KUNIT_EXPECT_NE(test, r->res.timestamp, 0ull);
	for (i = start / 4; i < (start + len) / 4; i++)
		want[i] = 0xdeadbeef;
	bo_expect(test, bo, 0, want, size / 4);

	/* The whole BO, many chunks; then an empty fill, which does nothing. */
	r = rec_begin(fx, 1);
	rec_fill(r, VA_BASE, size, 0x01020304);
	rec_fill(r, VA_BASE, 0, 0xffffffff);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 2));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(fx->queue[0].q, 2), 0);
	for (i = 0; i < size / 4; i++)
		want[i] = 0x01020304;
	bo_expect(test, bo, 0, want, size / 4);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_copy_across_mappings(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *a = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct gc_bo *b = fixture_bo(fx, PAGE_SIZE, VA_BASE + PAGE_SIZE, RW);
	struct gc_bo *c = fixture_bo(fx, 2 * PAGE_SIZE, VA_BASE + 4 * PAGE_SIZE, RW);
	const size_t page_words = PAGE_SIZE / 4, half = page_words / 2;
	u32 *pa = words(test, page_words), *pb = words(test, page_words);
	u32 *want = words(test, 2 * page_words);
	struct fw_rec *r = rec_begin(fx, 0);
	size_t i;

	for (i = 0; i < page_words; i++) {
		pa[i] = 0xa0000000 + i;
		pb[i] = 0xb0000000 + i;
	}
	bo_write(test, a, 0, pa, page_words);
	bo_write(test, b, 0, pb, page_words);
	/* Source: the second half of A then the first half of B, two BOs. */
	rec_copy(r, VA_BASE + 4 * PAGE_SIZE + 8, VA_BASE + PAGE_SIZE / 2, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 1));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(fx->queue[0].q, 1), 0);
	expect_result(test, &r->res, DRM_AGX_STATUS_COMPLETE, 0, 0);
	for (i = 0; i < half; i++) {
		want[2 + i] = pa[half + i];
		want[2 + half + i] = pb[i];
	}
	bo_expect(test, c, 0, want, 2 * page_words);
	/* The sources are untouched. */
	bo_expect(test, a, 0, pa, page_words);
	bo_expect(test, b, 0, pb, page_words);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_axpy_wraps(struct kunit *test)
{
	const u32 n = 1500, a = 0x9e3779b9;	/* crosses chunks and pages */
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *xb = fixture_bo(fx, 2 * PAGE_SIZE, VA_BASE, GC_VM_READ);
	struct gc_bo *yb = fixture_bo(fx, 2 * PAGE_SIZE, VA_BASE + 2 * PAGE_SIZE, GC_VM_READ);
	struct gc_bo *db = fixture_bo(fx, 2 * PAGE_SIZE, VA_BASE + 4 * PAGE_SIZE, RW);
	u32 *x = words(test, n), *y = words(test, n), *want = words(test, n + 2);
	struct fw_rec *r = rec_begin(fx, 0);
	u32 i;

	for (i = 0; i < n; i++) {
		x[i] = 0xfffffff0u + i * 0x10001u;
		y[i] = i * 0x01000193u;
		want[1 + i] = a * x[i] + y[i];
	}
	/* Computed in u64, the first products do not fit in 32 bits. */
	KUNIT_EXPECT_NE(test, (u64)a * x[0] + y[0], (u64)want[1]);
	bo_write(test, xb, 0, x, n);
	bo_write(test, yb, 0, y, n);
	rec_axpy(r, VA_BASE + 4 * PAGE_SIZE + 4, VA_BASE, VA_BASE + 2 * PAGE_SIZE, a, n);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 1));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(fx->queue[0].q, 1), 0);
	expect_result(test, &r->res, DRM_AGX_STATUS_COMPLETE, 0, 0);
	/* Every element, and the words on either side untouched. */
	bo_expect(test, db, 0, want, n + 2);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_timestamp_monotonic(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	u64 t0, t[2];

	fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	KUNIT_EXPECT_EQ(test, agx_fw_timestamp_frequency(), 1000000000ull);
	rec_timestamp(rec_begin(fx, 0), VA_BASE);
	rec_timestamp(rec_begin(fx, 1), VA_BASE + 8);
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 2));
	KUNIT_ASSERT_EQ(test, agx_mmu_read(fx->vm, VA_BASE, t, sizeof(t), NULL), 0);
	KUNIT_EXPECT_GE(test, t[0], t0);
	KUNIT_EXPECT_GE(test, fx->rec[0].res.timestamp, t[0]);
	/* The second record runs after the first one ended. */
	KUNIT_EXPECT_GE(test, t[1], fx->rec[0].res.timestamp);
	KUNIT_EXPECT_GE(test, fx->rec[1].res.timestamp, t[1]);
	KUNIT_EXPECT_LE(test, fx->rec[1].res.timestamp, ktime_get_ns());
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_records_in_order(struct kunit *test)
{
	const unsigned int nr = 8;
	struct fw_fixture *fx = fixture_init(test, nr);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	u32 want[9];
	unsigned int i;

	/* Stamps need not be consecutive, only increasing. */
	for (i = 0; i < nr; i++) {
		struct fw_rec *r = rec_begin(fx, i);

		rec_fill(r, VA_BASE, 4, i + 1);
		rec_fill(r, VA_BASE + 4 * (i + 1), 4, 3 + 4 * i);
		KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, 3 + 4 * i), 0);
		want[i + 1] = 3 + 4 * i;
	}
	want[0] = nr;
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 3 + 4 * (nr - 1)));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(q), 3ull + 4 * (nr - 1));
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 3 + 4 * i), 0);
		expect_result(test, &fx->rec[i].res, DRM_AGX_STATUS_COMPLETE, 0, 0);
		if (i)
			KUNIT_EXPECT_GE(test, fx->rec[i].res.timestamp,
					fx->rec[i - 1].res.timestamp);
	}
	/* The last record's value won the shared word: they ran in order. */
	bo_expect(test, bo, 0, want, ARRAY_SIZE(want));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 5), -ENOENT);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1000), -ENOENT);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_fault_unmapped(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *bo = fixture_bo(fx, 2 * PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	const u64 end = VA_BASE + 2 * PAGE_SIZE;
	u32 want[3] = { 0x11111111, 0, 0x22222222 };
	u32 tail[2] = { 0xfeedface, 0xfeedface };
	struct fw_rec *r;

	/* Runs off the end of the mapping: the part inside is written. */
	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE, 4, 0x11111111);
	rec_op(r, DRM_AGX_OP_NOP);
	rec_fill(r, end - 8, 16, 0xfeedface);
	rec_fill(r, VA_BASE + 4, 4, 0x33333333);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	/* Entirely unmapped, as a destination and as a source. */
	rec_fill(rec_begin(fx, 1), UNMAPPED_VA, 4, 1);
	rec_copy(rec_begin(fx, 2), VA_BASE + 12, UNMAPPED_VA + 0x100, 4);
	/* The queue goes on after the faults. */
	rec_fill(rec_begin(fx, 3), VA_BASE + 8, 4, 0x22222222);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 2, 3), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 3, 4), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 4));

	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -EFAULT);
	expect_result(test, &fx->rec[0].res, DRM_AGX_STATUS_FAULT, 2, end);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -EFAULT);
	expect_result(test, &fx->rec[1].res, DRM_AGX_STATUS_FAULT, 0, UNMAPPED_VA);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 3), -EFAULT);
	expect_result(test, &fx->rec[2].res, DRM_AGX_STATUS_FAULT, 0, UNMAPPED_VA + 0x100);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 4), 0);
	expect_result(test, &fx->rec[3].res, DRM_AGX_STATUS_COMPLETE, 0, 0);
	/* Word 1 stays 0: the command after the fault did not run. */
	bo_expect(test, bo, 0, want, ARRAY_SIZE(want));
	bo_expect(test, bo, 2 * PAGE_SIZE - 8, tail, ARRAY_SIZE(tail));
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_fault_permissions(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 8);
	const u64 ro = VA_BASE, wo = VA_BASE + PAGE_SIZE;
	struct gc_bo *rob = fixture_bo(fx, PAGE_SIZE, ro, GC_VM_READ);
	struct gc_bo *wob = fixture_bo(fx, PAGE_SIZE, wo, GC_VM_WRITE);
	struct agx_fw_queue *q = fx->queue[0].q;
	u32 pattern[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pattern); i++)
		pattern[i] = 0x5a5a0000 + i;
	bo_write(test, rob, 0, pattern, ARRAY_SIZE(pattern));
	rec_fill(rec_begin(fx, 0), ro, 4, 0);
	rec_copy(rec_begin(fx, 1), wo, ro, sizeof(pattern));
	rec_copy(rec_begin(fx, 2), ro + 64, wo, 4);
	rec_copy(rec_begin(fx, 3), wo + 64, wo, 4);
	rec_timestamp(rec_begin(fx, 4), ro + 64);
	rec_axpy(rec_begin(fx, 5), wo + 128, ro, wo, 2, 4);
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, i + 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 6));

	/* Writes to a read-only mapping. */
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -EFAULT);
	expect_result(test, &fx->rec[0].res, DRM_AGX_STATUS_FAULT, 0, ro);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 5), -EFAULT);
	expect_result(test, &fx->rec[4].res, DRM_AGX_STATUS_FAULT, 0, ro + 64);
	/* Reading read-only, writing write-only: allowed. */
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), 0);
	bo_expect(test, wob, 0, pattern, ARRAY_SIZE(pattern));
	/* Reads of a write-only mapping, whatever the destination. */
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 3), -EFAULT);
	expect_result(test, &fx->rec[2].res, DRM_AGX_STATUS_FAULT, 0, wo);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 4), -EFAULT);
	expect_result(test, &fx->rec[3].res, DRM_AGX_STATUS_FAULT, 0, wo);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 6), -EFAULT);
	expect_result(test, &fx->rec[5].res, DRM_AGX_STATUS_FAULT, 0, wo);
	/* Nothing reached the read-only BO. */
	bo_expect(test, rob, 0, pattern, ARRAY_SIZE(pattern));
	KUNIT_EXPECT_EQ(test, bo_rd32(test, rob, 64), 0u);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_mmu_helpers(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 1);
	const u64 boundary = VA_BASE + PAGE_SIZE;
	u32 in[4] = { 1, 2, 3, 4 }, out[4] = {};
	u64 fault = 0;

	fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	fixture_bo(fx, PAGE_SIZE, boundary, RW);
	fixture_bo(fx, PAGE_SIZE, boundary + 2 * PAGE_SIZE, GC_VM_READ);
	/* Across two BOs mapped back to back. */
	KUNIT_EXPECT_EQ(test, agx_mmu_write(fx->vm, boundary - 8, in, sizeof(in), &fault), 0);
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, boundary - 8, out, sizeof(out), &fault), 0);
	KUNIT_EXPECT_EQ(test, memcmp(in, out, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, fault, 0ull);
	/* Into the hole after them: the first part is written. */
	memset(out, 0, sizeof(out));
	KUNIT_EXPECT_EQ(test, agx_mmu_write(fx->vm, boundary + PAGE_SIZE - 4, in, sizeof(in),
					    &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault, boundary + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, boundary + PAGE_SIZE - 4, out, 4, NULL), 0);
	KUNIT_EXPECT_EQ(test, out[0], 1u);
	/* Read-only: reads work, writes fault. */
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, boundary + 2 * PAGE_SIZE, out, 8, NULL), 0);
	KUNIT_EXPECT_EQ(test, agx_mmu_write(fx->vm, boundary + 2 * PAGE_SIZE + 4, in, 4,
					    &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault, boundary + 2 * PAGE_SIZE + 4);
	/* Outside the VM altogether. */
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, 0, out, 4, &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault, 0ull);
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, VA_BASE + VA_SIZE, out, 4, &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, fault, VA_BASE + VA_SIZE);
	KUNIT_EXPECT_EQ(test, agx_mmu_read(fx->vm, UNMAPPED_VA, out, 0, NULL), 0);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_illegal_records(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 8);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	static const u32 bad_index[] = { 1, 0, 1, 0, 0, 0, 0 };
	struct fw_rec *r;
	unsigned int i;

	/* An unknown opcode after a valid command: neither runs. */
	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE, 4, 0x1);
	rec_put(r, DRM_AGX_CMD(0x7f, 0));
	/* FILL with three arguments. */
	r = rec_begin(fx, 1);
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_FILL, 3));
	rec_put64(r, VA_BASE);
	rec_put(r, 4);
	/* A header promising more words than the stream has. */
	r = rec_begin(fx, 2);
	rec_op(r, DRM_AGX_OP_NOP);
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_FILL, 4));
	rec_put64(r, VA_BASE);
	/* Byte counts not multiples of 4. */
	rec_fill(rec_begin(fx, 3), VA_BASE, 6, 0x1);
	rec_copy(rec_begin(fx, 4), VA_BASE, VA_BASE + 64, 2);
	/* A range past the top of the address space. */
	rec_axpy(rec_begin(fx, 5), U64_MAX - 15, VA_BASE, VA_BASE, 1, 8);
	/* NOP with an argument. */
	r = rec_begin(fx, 6);
	rec_put(r, DRM_AGX_CMD(DRM_AGX_OP_NOP, 1));
	rec_put(r, 0);
	/* And a valid record: the queue is still fine. */
	rec_fill(rec_begin(fx, 7), VA_BASE + 4, 4, 0x77);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, i + 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 8));

	for (i = 0; i < ARRAY_SIZE(bad_index); i++) {
		KUNIT_EXPECT_EQ_MSG(test, agx_fw_queue_status(q, i + 1), -EINVAL, "record %u", i);
		KUNIT_EXPECT_EQ_MSG(test, fx->rec[i].res.status, DRM_AGX_STATUS_ILLEGAL,
				    "record %u", i);
		KUNIT_EXPECT_EQ_MSG(test, fx->rec[i].res.command_index, bad_index[i],
				    "record %u", i);
	}
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 8), 0);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 0), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 4), 0x77u);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_ring_full(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 2);
	struct agx_fw_queue *q = fx->queue[0].q;

	rec_op(rec_begin(fx, 0), DRM_AGX_OP_HANG);
	rec_op(rec_begin(fx, 1), DRM_AGX_OP_NOP);
	rec_op(rec_begin(fx, 2), DRM_AGX_OP_NOP);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_EXPECT_EQ(test, rec_push(fx, 0, 2, 3), -ENOSPC);
	/* A refused push leaves the stamp free for the next try. */
	KUNIT_EXPECT_EQ(test, rec_push(fx, 0, 2, 3), -ENOSPC);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 3), -ENOENT);
	agx_fw_queue_stop(q);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -ECANCELED);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(q), 0ull);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[0].events), 0);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_status_until_slot_reused(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 2);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	u32 want[5] = { 1, 2, 3, 4, 5 };
	unsigned int i;

	/* Five records through a ring of two, each with a different fate. */
	for (i = 0; i < 5; i++) {
		struct fw_rec *r = rec_begin(fx, i);

		rec_fill(r, VA_BASE + 4 * i, 4, i + 1);
		if (i == 1)
			rec_fill(r, UNMAPPED_VA, 4, 0);
		KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, 10 * (i + 1)), 0);
		KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 10 * (i + 1)));
		KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 10 * (i + 1)), i == 1 ? -EFAULT : 0);
		if (i >= 2)
			KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 10 * (i - 1)), -ENOENT);
		if (i >= 1)
			KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 10 * i), i == 2 ? -EFAULT : 0);
	}
	bo_expect(test, bo, 0, want, ARRAY_SIZE(want));
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_hang_other_queue_runs(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *hung = fx->queue[0].q, *q1;
	unsigned long end = jiffies + msecs_to_jiffies(WAIT_MS);
	u32 v = 0;
	struct fw_rec *r;

	q1 = fixture_queue(fx, 1, 4, true);
	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE, 4, 0xa);
	rec_op(r, DRM_AGX_OP_HANG);
	rec_fill(r, VA_BASE + 12, 4, 0xe);
	rec_fill(rec_begin(fx, 1), VA_BASE + 4, 4, 0xb);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	/* The commands before the HANG run. */
	while (v != 0xa && time_before(jiffies, end)) {
		usleep_range(5000, 10000);
		KUNIT_ASSERT_EQ(test, agx_mmu_read(fx->vm, VA_BASE, &v, 4, NULL), 0);
	}
	KUNIT_ASSERT_EQ(test, v, 0xau);

	/* The other queue of the same firmware goes on. */
	rec_fill(rec_begin(fx, 2), VA_BASE + 8, 4, 0xc);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 1, 2, 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 1, 1));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q1, 1), 0);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 8), 0xcu);

	msleep(20);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(hung, 1), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(hung, 2), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(hung), 0ull);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[0].events), 0);

	agx_fw_queue_stop(hung);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(hung, 1), -ECANCELED);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(hung, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, rec_push(fx, 0, 1, 3), -ENODEV);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(hung), 0ull);
	/* Cancelled records get no result record and no event. */
	KUNIT_EXPECT_EQ(test, fx->rec[0].res.status, (u32)DRM_AGX_STATUS_PENDING);
	KUNIT_EXPECT_EQ(test, fx->rec[1].res.status, (u32)DRM_AGX_STATUS_PENDING);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[0].events), 0);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 4), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 12), 0u);
	agx_fw_queue_stop(hung);

	/* Still true after the stop. */
	rec_fill(rec_begin(fx, 3), VA_BASE + 16, 4, 0xd);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 1, 3, 2), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 1, 2));
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 16), 0xdu);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[1].events), 2);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_stall_then_stop(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct agx_fw_queue *q = fx->queue[0].q;
	struct fw_rec *r;
	u64 t0, ms;

	/* A short stall takes at least its time. */
	rec_stall(rec_begin(fx, 0), 3000);
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 1));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), 0);
	KUNIT_EXPECT_GE(test, fx->rec[0].res.timestamp - t0, 3000000ull);

	/* The longest stalls, three seconds in all; the stop does not wait. */
	r = rec_begin(fx, 1);
	rec_stall(r, DRM_AGX_MAX_STALL_US);
	rec_stall(r, DRM_AGX_MAX_STALL_US);
	rec_stall(r, DRM_AGX_MAX_STALL_US);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	msleep(50);
	t0 = ktime_get_ns();
	agx_fw_queue_stop(q);
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, ms, 500ull);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(q), 1ull);
	KUNIT_EXPECT_EQ(test, r->res.status, (u32)DRM_AGX_STATUS_PENDING);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[0].events), 1);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

/*
 * A STALL over DRM_AGX_MAX_STALL_US is malformed, not silently cut short:
 * nothing of the record runs and it ends at once.
 */
static void fw_stall_over_max_illegal(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	struct fw_rec *r;
	u64 t0, ms;

	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE, 4, 0x1);
	rec_stall(r, DRM_AGX_MAX_STALL_US + 1);
	rec_stall(rec_begin(fx, 1), U32_MAX);
	t0 = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 2));
	ms = div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, ms, 500ull);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -EINVAL);
	expect_result(test, &fx->rec[0].res, DRM_AGX_STATUS_ILLEGAL, 1, 0);
	expect_result(test, &fx->rec[1].res, DRM_AGX_STATUS_ILLEGAL, 0, 0);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 0), 0u);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

/*
 * STALL and HANG are test-only: in a record pushed without test_opcodes
 * they are unknown opcodes (ILLEGAL at their index, nothing runs); the same
 * streams with it run.
 */
static void fw_test_opcodes_gated(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 8);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	struct fw_rec *r;

	r = rec_begin(fx, 0);
	rec_fill(r, VA_BASE, 4, 0x1);
	rec_op(r, DRM_AGX_OP_HANG);
	r->no_test_opcodes = true;
	r = rec_begin(fx, 1);
	rec_fill(r, VA_BASE + 4, 4, 0x2);
	rec_op(r, DRM_AGX_OP_NOP);
	rec_stall(r, 10);
	r->no_test_opcodes = true;
	/* The same STALL allowed: it runs. */
	r = rec_begin(fx, 2);
	rec_fill(r, VA_BASE + 8, 4, 0x3);
	rec_stall(r, 10);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 1, 2), 0);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 0, 2, 3), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 3));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 3), 0);
	expect_result(test, &fx->rec[0].res, DRM_AGX_STATUS_ILLEGAL, 1, 0);
	expect_result(test, &fx->rec[1].res, DRM_AGX_STATUS_ILLEGAL, 2, 0);
	expect_result(test, &fx->rec[2].res, DRM_AGX_STATUS_COMPLETE, 0, 0);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 0), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 4), 0u);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 8), 0x3u);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_events_and_completed(struct kunit *test)
{
	const unsigned int nr = 6;
	struct fw_fixture *fx = fixture_init(test, nr);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q, *quiet;
	u32 want[6];
	unsigned int i;

	for (i = 0; i < nr; i++) {
		rec_fill(rec_begin(fx, i), VA_BASE + 4 * i, 4, 100 + i);
		want[i] = 100 + i;
		KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, i + 1), 0);
	}
	/* One event per record, each after its stamp was written. */
	KUNIT_EXPECT_GT(test, wait_event_timeout(fx->wait,
						 atomic_read(&fx->queue[0].events) == nr,
						 msecs_to_jiffies(WAIT_MS)), 0L);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(q), (u64)nr);
	bo_expect(test, bo, 0, want, nr);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[0].events), (int)nr);

	/* A queue without an event callback completes all the same. */
	quiet = fixture_queue(fx, 1, 2, false);
	rec_fill(rec_begin(fx, 8), VA_BASE + 64, 4, 0x99);
	KUNIT_ASSERT_EQ(test, rec_push(fx, 1, 8, 7), 0);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 1, 7));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_completed(quiet), 7ull);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 64), 0x99u);
	KUNIT_EXPECT_EQ(test, atomic_read(&fx->queue[1].events), 0);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static void fw_bad_arguments(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 4);
	struct gc_bo *bo = fixture_bo(fx, PAGE_SIZE, VA_BASE, RW);
	struct agx_fw_queue *q = fx->queue[0].q;
	struct fw_rec *r = rec_begin(fx, 0);
	struct agx_fw_cmd cmd;

	rec_fill(r, VA_BASE, 4, 0x5);
	cmd = (struct agx_fw_cmd){ .stamp = 5, .words = r->w, .nr_words = r->n, .vm = fx->vm };
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(NULL, &cmd), -EINVAL);
	cmd.words = NULL;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	cmd.words = r->w;
	cmd.nr_words = 0;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	cmd.nr_words = r->n;
	cmd.vm = NULL;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	cmd.vm = fx->vm;
	cmd.stamp = 0;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	/* No result record is fine. */
	cmd.stamp = 5;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), 0);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	cmd.stamp = 4;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -EINVAL);
	KUNIT_ASSERT_TRUE(test, fx_wait(fx, 0, 5));
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 5), 0);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 4), -ENOENT);
	KUNIT_EXPECT_EQ(test, bo_rd32(test, bo, 0), 5u);

	KUNIT_EXPECT_EQ(test, PTR_ERR(agx_fw_queue_create(fx->fw, 0, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(agx_fw_queue_create(fx->fw, 4097, NULL, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(agx_fw_queue_create(NULL, 4, NULL, NULL)), -EINVAL);
	agx_fw_queue_stop(NULL);
	agx_fw_queue_destroy(NULL);
	agx_fw_destroy(NULL);
	/* After a stop, even a good record is refused. */
	agx_fw_queue_stop(q);
	cmd.stamp = 6;
	KUNIT_EXPECT_EQ(test, agx_fw_queue_push(q, &cmd), -ENODEV);
	KUNIT_EXPECT_EQ(test, agx_fw_queue_status(q, 5), 0);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

/* Destroy queues while their work item runs, races KASAN would see. */
static void fw_destroy_while_running(struct kunit *test)
{
	struct fw_fixture *fx = fixture_init(test, 8);
	struct gc_bo *bo = fixture_bo(fx, 16 * PAGE_SIZE, VA_BASE, RW);
	unsigned int round, i;
	u32 v;

	for (round = 0; round < 4; round++) {
		if (!fx->queue[0].q)
			fixture_queue(fx, 0, 8, true);
		for (i = 0; i < 8; i++) {
			struct fw_rec *r = rec_begin(fx, i);

			rec_fill(r, VA_BASE, 16 * PAGE_SIZE, round * 8 + i + 1);
			KUNIT_ASSERT_EQ(test, rec_push(fx, 0, i, i + 1), 0);
		}
		/* Some rounds stop right away, others during the records. */
		if (round & 1)
			usleep_range(100 * round, 200 * round);
		agx_fw_queue_destroy(fx->queue[0].q);
		fx->queue[0].q = NULL;
		atomic_set(&fx->queue[0].events, 0);
	}
	/* Whatever ran wrote whole values of its round, or nothing. */
	v = bo_rd32(test, bo, 0);
	KUNIT_EXPECT_LE(test, v, 32u);
	fixture_fini(fx);
	gc_expect_no_reports(test);
}

static struct kunit_case agx_fw_cases[] = {
	KUNIT_CASE(fw_fill),
	KUNIT_CASE(fw_copy_across_mappings),
	KUNIT_CASE(fw_axpy_wraps),
	KUNIT_CASE(fw_timestamp_monotonic),
	KUNIT_CASE(fw_records_in_order),
	KUNIT_CASE(fw_fault_unmapped),
	KUNIT_CASE(fw_fault_permissions),
	KUNIT_CASE(fw_mmu_helpers),
	KUNIT_CASE(fw_illegal_records),
	KUNIT_CASE(fw_ring_full),
	KUNIT_CASE(fw_status_until_slot_reused),
	KUNIT_CASE(fw_hang_other_queue_runs),
	KUNIT_CASE(fw_stall_then_stop),
	KUNIT_CASE(fw_stall_over_max_illegal),
	KUNIT_CASE(fw_test_opcodes_gated),
	KUNIT_CASE(fw_events_and_completed),
	KUNIT_CASE(fw_bad_arguments),
	KUNIT_CASE(fw_destroy_while_running),
	{}
};

static struct kunit_suite agx_fw_suite = {
	.name = "gpucore_agx_fw",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = agx_fw_cases,
};

kunit_test_suite(agx_fw_suite);
