// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gpucore_conformance: what every backend on gpucore must do, run on each
 * backend's simulated hardware through the interface of conformance.h.
 * Each case is parameterised over the backends built in; KUnit names each
 * run after its backend ("ok 1 agx").
 *
 * Every value a case checks was written by the backend's hardware model; a
 * case only says which value to write where. Everything a case creates is
 * kept in a fixture so that a case that fails half-way still tears its
 * device down: no queue, job or fence of one case outlives it.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/random.h>

#include <gpucore/compat.h>
#include <gpucore/bo.h>
#include <gpucore/fence.h>

#include "conformance.h"
#include "gc_test.h"

#define LONG_MS		10000	/* a timeout the cases never reach */
#define SHORT_MS	300	/* the timeout of queues that see a hang */
#define WATCH_MS	2000	/* the timeout of a hang the case watches first */
#define WAIT_JIFFIES	(10 * HZ)
#define PENDING_MS	50	/* how long an unsignalled fence is watched */
#define FX_QUEUES	4
#define FX_BOS		8
#define FX_GATES	4
#define FX_DONE		32
#define NR_SPREAD	16
#define NR_BACK_TO_BACK	8

static const struct gc_conf_backend *const conf_backends[] = {
#if GC_CONF_BUILTIN(CONFIG_DRM_GPUCORE_AGX)
	&gc_conf_agx,
#endif
#if GC_CONF_BUILTIN(CONFIG_DRM_GPUCORE_NOVA)
	&gc_conf_nova,
#endif
#if GC_CONF_BUILTIN(CONFIG_DRM_GPUCORE_AMDGPU)
	&gc_conf_amdgpu,
#endif
};

/* KUnit parameters: the backends, named after themselves. */
static void conf_backend_desc(const struct gc_conf_backend *const *p, char *desc)
{
	strscpy(desc, (*p)->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(conf, conf_backends, conf_backend_desc);

/* A fence the case signals itself, to hold jobs back. */
struct fx_gate {
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
};

struct conf_fx {
	struct kunit *test;
	const struct gc_conf_backend *be;
	struct gc_conf_dev *dev;
	struct gc_conf_queue *q[FX_QUEUES];
	unsigned int nr_q;
	struct gc_bo_ref bo[FX_BOS];
	unsigned int nr_bo;
	struct fx_gate gate[FX_GATES];
	unsigned int nr_gate;
	struct gc_fence_ref done[FX_DONE];
	bool torn_down;
};

/* Drop every handle the case holds; gates open with -ECANCELED. */
static void fx_drop_all(struct conf_fx *fx)
{
	unsigned int i;

	for (i = 0; i < FX_DONE; i++)
		gc_fence_put(&fx->done[i]);
	for (i = 0; i < FX_BOS; i++)
		gc_bo_put(&fx->bo[i]);
	for (i = 0; i < fx->nr_gate; i++) {
		if (fx->gate[i].sig.ptr)
			gc_fence_signal_error(&fx->gate[i].sig, -ECANCELED);
	}
}

static void fx_destroy_queues(struct conf_fx *fx)
{
	unsigned int i;

	for (i = 0; i < fx->nr_q; i++) {
		if (fx->q[i])
			fx->be->queue_destroy(fx->q[i]);
		fx->q[i] = NULL;
	}
}

/* Tear the device down; the number of leaked references. */
static unsigned int fx_teardown(struct conf_fx *fx)
{
	unsigned int i, leaks;

	if (fx->torn_down)
		return 0;
	fx->torn_down = true;
	fx_drop_all(fx);
	fx_destroy_queues(fx);
	leaks = fx->be->destroy(fx->dev);
	for (i = 0; i < fx->nr_gate; i++)
		gc_timeline_put(fx->gate[i].tl);
	return leaks;
}

static void fx_free(struct kunit_resource *res)
{
	fx_teardown(res->data);
}

static struct conf_fx *fx_init(struct kunit *test)
{
	const struct gc_conf_backend *const *p = test->param_value;
	struct conf_fx *fx;
	struct gc_conf_dev *dev;

	KUNIT_ASSERT_NOT_NULL(test, p);
	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->test = test;
	fx->be = *p;
	dev = fx->be->create(test);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(dev), "create: %ld", PTR_ERR(dev));
	KUNIT_ASSERT_PTR_EQ(test, dev->backend, fx->be);
	KUNIT_ASSERT_NOT_NULL(test, dev->gdev);
	KUNIT_ASSERT_NOT_NULL(test, dev->drm);
	fx->dev = dev;
	/* Registered after whatever create() registered: released before it. */
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, fx_free, GFP_KERNEL, fx));
	return fx;
}

/* The normal end of a case: the device goes with nothing leaked. */
static void fx_finish(struct conf_fx *fx)
{
	struct kunit *test = fx->test;

	KUNIT_EXPECT_EQ(test, fx_teardown(fx), 0u);
	KUNIT_EXPECT_EQ(test, atomic_read_acquire(&fx->dev->nr_bos), 0);
	gc_expect_no_reports(test);
}

static struct gc_conf_queue *fx_queue(struct conf_fx *fx, unsigned int timeout_ms)
{
	struct gc_conf_queue *q;

	KUNIT_ASSERT_LT(fx->test, fx->nr_q, (unsigned int)FX_QUEUES);
	q = fx->be->queue_create(fx->dev, timeout_ms);
	KUNIT_ASSERT_FALSE_MSG(fx->test, IS_ERR_OR_NULL(q), "queue_create: %ld", PTR_ERR(q));
	KUNIT_ASSERT_NOT_NULL(fx->test, q->gq);
	fx->q[fx->nr_q++] = q;
	return q;
}

static void fx_queue_destroy(struct conf_fx *fx, struct gc_conf_queue *q)
{
	unsigned int i;

	for (i = 0; i < fx->nr_q; i++) {
		if (fx->q[i] == q) {
			fx->q[i] = NULL;
			fx->be->queue_destroy(q);
			return;
		}
	}
	KUNIT_FAIL(fx->test, "unknown queue");
}

/* A BO whose handle the fixture keeps in fx->bo[*@slot]. */
static struct gc_bo *fx_bo(struct conf_fx *fx, size_t size, unsigned int *slot)
{
	struct gc_bo_ref ref;
	unsigned int i = fx->nr_bo;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)FX_BOS);
	ref = fx->be->bo_create(fx->dev, size);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(ref), "bo_create: %ld", gc_err(ref));
	KUNIT_ASSERT_NOT_NULL(fx->test, ref.ptr);
	fx->bo[i] = ref;
	fx->nr_bo++;
	if (slot)
		*slot = i;
	return gc_bo_borrow(&fx->bo[i]);
}

static struct dma_fence *fx_gate(struct conf_fx *fx, unsigned int *slot)
{
	struct fx_gate *g;
	struct gc_fence_ref f;
	struct dma_fence *raw;

	KUNIT_ASSERT_LT(fx->test, fx->nr_gate, (unsigned int)FX_GATES);
	g = &fx->gate[fx->nr_gate];
	/* A timeline each: gates may open in any order. */
	g->tl = gc_timeline_create("gc-conformance", "gate", NULL);
	KUNIT_ASSERT_FALSE(fx->test, IS_ERR(g->tl));
	g->sig = gc_fence_create(g->tl, GFP_KERNEL);
	if (gc_is_err(g->sig))
		gc_timeline_put(g->tl);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(g->sig), "gc_fence_create: %ld",
			       gc_err(g->sig));
	*slot = fx->nr_gate++;
	/* Borrowed: the signaller's reference keeps it alive until opened. */
	f = gc_fence_signaller_fence(&g->sig);
	raw = gc_fence_borrow(&f);
	gc_fence_put(&f);
	return raw;
}

static void fx_open(struct conf_fx *fx, unsigned int slot)
{
	KUNIT_EXPECT_EQ(fx->test, gc_fence_signal(&fx->gate[slot].sig), 0);
}

/* Submit a write; its done fence goes to fx->done[@i]. */
static void fx_write(struct conf_fx *fx, unsigned int i, struct gc_conf_queue *q,
		     struct gc_bo *bo, size_t offset, u32 value, struct dma_fence *dep)
{
	struct gc_fence_ref done;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)FX_DONE);
	KUNIT_ASSERT_NULL(fx->test, fx->done[i].ptr);
	done = fx->be->submit_write(q, bo, offset, value, dep);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(done), "submit_write: %ld", gc_err(done));
	KUNIT_ASSERT_NOT_NULL(fx->test, done.ptr);
	fx->done[i] = done;
}

static void fx_hang(struct conf_fx *fx, unsigned int i, struct gc_conf_queue *q,
		    struct dma_fence *dep)
{
	struct gc_fence_ref done;

	KUNIT_ASSERT_LT(fx->test, i, (unsigned int)FX_DONE);
	KUNIT_ASSERT_NULL(fx->test, fx->done[i].ptr);
	done = fx->be->submit_hang(q, dep);
	KUNIT_ASSERT_FALSE_MSG(fx->test, gc_is_err(done), "submit_hang: %ld", gc_err(done));
	fx->done[i] = done;
}

static struct dma_fence *fx_fence(struct conf_fx *fx, unsigned int i)
{
	return gc_fence_borrow(&fx->done[i]);
}

/* Wait (bounded) for done fence @i; its status: 1, or its error. */
static int fx_status(struct conf_fx *fx, unsigned int i)
{
	long ret = gc_fence_wait(&fx->done[i], false, WAIT_JIFFIES);

	if (ret <= 0) {
		KUNIT_FAIL(fx->test, "done fence %u: no signal (%ld)", i, ret);
		return 0;
	}
	return dma_fence_get_status(fx_fence(fx, i));
}

static u32 fx_read(struct conf_fx *fx, struct gc_bo *bo, size_t offset)
{
	u32 value = 0;

	KUNIT_EXPECT_EQ(fx->test, fx->be->bo_read(fx->dev, bo, offset, &value), 0);
	return value;
}

/* Watch fence @i for a while: it must not signal. */
static void fx_expect_pending(struct conf_fx *fx, unsigned int i)
{
	KUNIT_EXPECT_EQ_MSG(fx->test, gc_fence_wait(&fx->done[i], false,
						    msecs_to_jiffies(PENDING_MS)), 0L,
			    "done fence %u signalled", i);
}

/* Wait (bounded) until the device has @n BOs left. */
static bool fx_wait_bos(struct conf_fx *fx, int n)
{
	unsigned long end = jiffies + WAIT_JIFFIES;

	while (atomic_read_acquire(&fx->dev->nr_bos) != n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 5000);
	}
	return true;
}

/* A value no earlier case left behind. */
static u32 fx_value(unsigned int i)
{
	return (get_random_u32() & 0xffff0000u) | 0x100u | i;
}

/*
 * BO lifetime through jobs: the only handle of a BO is dropped while a job
 * that writes it is queued (and, for the second BO, while it may be on
 * the hardware). The job's own reference keeps the BO: the job still
 * writes it, and the BO is freed after the job, with the job's value in it.
 */
static void conf_bo_lifetime(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *q = fx_queue(fx, LONG_MS);
	unsigned int a, b, gate;
	struct gc_bo *bo;
	struct dma_fence *g;
	u32 va = fx_value(1), vb = fx_value(2);

	bo = fx_bo(fx, PAGE_SIZE, &a);
	g = fx_gate(fx, &gate);
	fx_write(fx, 0, q, bo, 0, va, g);
	gc_bo_put(&fx->bo[a]);
	/* The job holds it: not freed, and the job has not run yet. */
	fx_expect_pending(fx, 0);
	KUNIT_EXPECT_EQ(test, atomic_read_acquire(&fx->dev->nr_bos), 1);
	fx_open(fx, gate);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 0), 1);
	KUNIT_ASSERT_TRUE_MSG(test, fx_wait_bos(fx, 0), "BO not freed after its job");
	KUNIT_EXPECT_EQ(test, READ_ONCE(fx->dev->freed_word), va);

	/* Dropped right after the submission, with no gate in front. */
	bo = fx_bo(fx, 2 * PAGE_SIZE, &b);
	fx_write(fx, 1, q, bo, 0, vb, NULL);
	gc_bo_put(&fx->bo[b]);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 1), 1);
	KUNIT_ASSERT_TRUE_MSG(test, fx_wait_bos(fx, 0), "BO not freed after its job");
	KUNIT_EXPECT_EQ(test, READ_ONCE(fx->dev->freed_word), vb);
	fx_finish(fx);
}

/*
 * Job chains: A1 (queue a, behind a gate) -> B1 (queue b) -> A2 -> B2, each
 * waiting for the previous one's done fence, each writing its own BO.
 * While the gate is closed none of them runs, although B1 is at the head
 * of queue b, and the device runs other work meanwhile (queue c). A job on
 * queue c that writes A1's BO, with no explicit dependency, waits for A1
 * by implicit sync. Then all complete, each after the one it waited for.
 */
static void conf_job_chain(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *qb = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *qc = fx_queue(fx, LONG_MS);
	struct gc_bo *bo[5];
	u32 v[6];
	unsigned int i, gate;
	struct dma_fence *g;

	for (i = 0; i < ARRAY_SIZE(bo); i++)
		bo[i] = fx_bo(fx, PAGE_SIZE, NULL);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = fx_value(i);
	g = fx_gate(fx, &gate);
	fx_write(fx, 0, qa, bo[0], 0, v[0], g);
	fx_write(fx, 1, qb, bo[1], 0, v[1], fx_fence(fx, 0));
	fx_write(fx, 2, qa, bo[2], 0, v[2], fx_fence(fx, 1));
	fx_write(fx, 3, qb, bo[3], 0, v[3], fx_fence(fx, 2));

	/* Work that depends on nothing runs meanwhile. */
	fx_write(fx, 5, qc, bo[4], 0, v[5], NULL);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 5), 1);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[4], 0), v[5]);
	/* Implicit: the same BO as A1, at another offset. */
	fx_write(fx, 4, qc, bo[0], 4, v[4], NULL);
	for (i = 0; i < 5; i++)
		fx_expect_pending(fx, i);

	fx_open(fx, gate);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_status(fx, i), 1, "job %u", i);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_read(fx, bo[i], 0), v[i], "job %u", i);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[0], 4), v[4]);
	/* Each one completed after the one it waited for. */
	for (i = 1; i < 4; i++)
		KUNIT_EXPECT_LE_MSG(test, ktime_to_ns(fx_fence(fx, i - 1)->timestamp),
				    ktime_to_ns(fx_fence(fx, i)->timestamp), "job %u", i);
	KUNIT_EXPECT_LE(test, ktime_to_ns(fx_fence(fx, 0)->timestamp),
			ktime_to_ns(fx_fence(fx, 4)->timestamp));
	fx_finish(fx);
}

/*
 * Back to back on one queue: writes, then a hang right behind the last of
 * them, on the hardware together. A job is complete only once the hardware
 * finished it: when the writes are done the hang is not, and it times out
 * later, while each write kept its value.
 */
static void conf_back_to_back(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *q = fx_queue(fx, WATCH_MS);
	struct gc_bo *bo = fx_bo(fx, PAGE_SIZE, NULL);
	u32 v[NR_BACK_TO_BACK];
	unsigned int i;

	for (i = 0; i < NR_BACK_TO_BACK; i++) {
		v[i] = fx_value(i);
		fx_write(fx, i, q, bo, i * sizeof(u32), v[i], NULL);
	}
	fx_hang(fx, NR_BACK_TO_BACK, q, NULL);
	for (i = 0; i < NR_BACK_TO_BACK; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_status(fx, i), 1, "job %u", i);
	/* Not done with the writes before it. */
	fx_expect_pending(fx, NR_BACK_TO_BACK);
	for (i = 0; i < NR_BACK_TO_BACK; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_read(fx, bo, i * sizeof(u32)), v[i], "job %u", i);
	KUNIT_EXPECT_EQ(test, fx_status(fx, NR_BACK_TO_BACK), -ETIMEDOUT);
	fx_finish(fx);
}

/*
 * Queue destroy with work in flight: a job that ran keeps its result; a
 * job held back by a gate is cancelled without running when the gate
 * opens after the destroy; on a second queue, a hang on the hardware at
 * destroy still times out, and the job behind it is cancelled.
 */
static void conf_queue_destroy_in_flight(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *qb = fx_queue(fx, SHORT_MS);
	struct gc_bo *bo[3];
	u32 v[4];
	unsigned int i, gate;
	struct dma_fence *g;

	for (i = 0; i < ARRAY_SIZE(bo); i++)
		bo[i] = fx_bo(fx, PAGE_SIZE, NULL);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = fx_value(i);

	fx_write(fx, 0, qa, bo[0], 0, v[0], NULL);
	KUNIT_ASSERT_EQ(test, fx_status(fx, 0), 1);
	g = fx_gate(fx, &gate);
	fx_write(fx, 1, qa, bo[1], 0, v[1], g);
	fx_hang(fx, 2, qb, NULL);
	fx_write(fx, 3, qb, bo[2], 0, v[2], NULL);
	/* Long enough for the hang to reach the hardware. */
	fx_expect_pending(fx, 2);
	fx_queue_destroy(fx, qa);
	fx_queue_destroy(fx, qb);

	fx_expect_pending(fx, 1);
	fx_open(fx, gate);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 1), -ECANCELED);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 2), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 3), -ECANCELED);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[0], 0), v[0]);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[1], 0), 0u);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[2], 0), 0u);
	fx_finish(fx);
}

/*
 * Timeout and recovery: a hang on queue a fails with -ETIMEDOUT, the job
 * behind it is cancelled without writing, queue a is banned (-EIO), while
 * queue b keeps running work before, during and after the hang. A new
 * queue on the same device works.
 */
static void conf_timeout_recovery(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, SHORT_MS);
	struct gc_conf_queue *qb = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *qc;
	struct gc_fence_ref refused;
	struct gc_bo *bo[3];
	u32 v[5];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bo); i++)
		bo[i] = fx_bo(fx, PAGE_SIZE, NULL);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = fx_value(i);

	fx_write(fx, 0, qa, bo[0], 0, v[0], NULL);
	KUNIT_ASSERT_EQ(test, fx_status(fx, 0), 1);
	fx_hang(fx, 1, qa, NULL);
	fx_write(fx, 2, qa, bo[1], 0, v[1], NULL);
	/* Queue b is not held up by the hang on queue a. */
	fx_write(fx, 3, qb, bo[2], 0, v[2], NULL);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 3), 1);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(fx_fence(fx, 1)));
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[2], 0), v[2]);

	KUNIT_EXPECT_EQ(test, fx_status(fx, 1), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 2), -ECANCELED);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[1], 0), 0u);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[0], 0), v[0]);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(qa->gq->banned));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(qb->gq->banned));

	refused = fx->be->submit_write(qa, bo[0], 0, v[3], NULL);
	KUNIT_EXPECT_TRUE(test, gc_is_err(refused));
	if (gc_is_err(refused))
		KUNIT_EXPECT_EQ(test, gc_err(refused), -EIO);
	else
		gc_fence_put(&refused);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[0], 0), v[0]);

	fx_write(fx, 4, qb, bo[2], 4, v[3], NULL);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 4), 1);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[2], 4), v[3]);

	qc = fx_queue(fx, LONG_MS);
	fx_write(fx, 5, qc, bo[1], 0, v[4], NULL);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 5), 1);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[1], 0), v[4]);
	fx_finish(fx);
}

/*
 * Unplug with work in flight: a hung job on the hardware, a job behind it
 * and a job held by a gate on another queue all complete with -ENODEV and
 * write nothing; new work and new queues are refused; BOs stay readable
 * with what was written before.
 */
static void conf_unplug_in_flight(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *qb = fx_queue(fx, LONG_MS);
	struct gc_conf_queue *late;
	struct gc_fence_ref refused;
	struct gc_bo *bo[3];
	struct dma_fence *g;
	unsigned int i, gate;
	u32 v[4];

	for (i = 0; i < ARRAY_SIZE(bo); i++)
		bo[i] = fx_bo(fx, PAGE_SIZE, NULL);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = fx_value(i);

	fx_write(fx, 0, qa, bo[0], 0, v[0], NULL);
	KUNIT_ASSERT_EQ(test, fx_status(fx, 0), 1);
	fx_hang(fx, 1, qa, NULL);
	fx_write(fx, 2, qa, bo[1], 0, v[1], NULL);
	g = fx_gate(fx, &gate);
	fx_write(fx, 3, qb, bo[2], 0, v[2], g);
	fx_expect_pending(fx, 1);

	fx->be->unplug(fx->dev);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 1), -ENODEV);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 2), -ENODEV);
	fx_expect_pending(fx, 3);
	fx_open(fx, gate);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 3), -ENODEV);

	refused = fx->be->submit_write(qb, bo[0], 0, v[3], NULL);
	KUNIT_EXPECT_TRUE(test, gc_is_err(refused));
	if (gc_is_err(refused))
		KUNIT_EXPECT_EQ(test, gc_err(refused), -ENODEV);
	else
		gc_fence_put(&refused);
	late = fx->be->queue_create(fx->dev, LONG_MS);
	KUNIT_EXPECT_TRUE(test, IS_ERR(late));
	if (!IS_ERR_OR_NULL(late))
		fx->be->queue_destroy(late);

	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[0], 0), v[0]);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[1], 0), 0u);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo[2], 0), 0u);
	fx_finish(fx);
}

/*
 * Unplug after a queue's destroy: the backend's state of a destroyed queue
 * stays valid until gpucore releases it, so the unplug still stops the
 * hang on its hardware (-ENODEV, not a timeout), and the job queued behind
 * it is cancelled without writing.
 */
static void conf_unplug_after_destroy(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, LONG_MS);
	struct gc_bo *bo = fx_bo(fx, PAGE_SIZE, NULL);

	fx_hang(fx, 0, qa, NULL);
	fx_write(fx, 1, qa, bo, 0, fx_value(0), NULL);
	fx_expect_pending(fx, 0);
	fx_queue_destroy(fx, qa);
	fx_expect_pending(fx, 0);

	fx->be->unplug(fx->dev);
	KUNIT_EXPECT_EQ(test, fx_status(fx, 0), -ENODEV);
	KUNIT_EXPECT_LT(test, fx_status(fx, 1), 0);
	KUNIT_EXPECT_EQ(test, fx_read(fx, bo, 0), 0u);
	fx_finish(fx);
}

/*
 * Leak-free teardown: work spread over two queues lands where it should;
 * then a device is torn down with everything in flight (a chain behind a
 * gate, a hang, writes) and every handle dropped first. Destroy finds no
 * reference leaked and every BO freed.
 */
static void conf_teardown_leak_free(struct kunit *test)
{
	struct conf_fx *fx = fx_init(test);
	struct gc_conf_queue *qa = fx_queue(fx, SHORT_MS);
	struct gc_conf_queue *qb = fx_queue(fx, LONG_MS);
	struct gc_bo *spread, *bo[2];
	u32 v[NR_SPREAD];
	struct dma_fence *g;
	unsigned int i, gate;

	spread = fx_bo(fx, PAGE_SIZE, NULL);
	for (i = 0; i < NR_SPREAD; i++) {
		v[i] = fx_value(i);
		fx_write(fx, i, i % 2 ? qb : qa, spread, i * sizeof(u32), v[i], NULL);
	}
	for (i = 0; i < NR_SPREAD; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_status(fx, i), 1, "job %u", i);
	for (i = 0; i < NR_SPREAD; i++)
		KUNIT_EXPECT_EQ_MSG(test, fx_read(fx, spread, i * sizeof(u32)), v[i], "job %u", i);
	for (i = 0; i < NR_SPREAD; i++)
		gc_fence_put(&fx->done[i]);

	bo[0] = fx_bo(fx, PAGE_SIZE, NULL);
	bo[1] = fx_bo(fx, PAGE_SIZE, NULL);
	g = fx_gate(fx, &gate);
	/* A hang on the hardware of queue a, a write behind it. */
	fx_hang(fx, 2, qa, NULL);
	fx_write(fx, 3, qa, spread, 0, v[2], NULL);
	/* A chain across both queues behind a gate. */
	fx_write(fx, 0, qb, bo[0], 0, v[0], g);
	fx_write(fx, 1, qa, bo[1], 0, v[1], fx_fence(fx, 0));
	fx_write(fx, 4, qb, bo[1], 4, v[3], fx_fence(fx, 3));
	KUNIT_EXPECT_EQ(test, atomic_read_acquire(&fx->dev->nr_bos), 3);

	/* Drop everything while the work is in flight, then the queues. */
	for (i = 0; i < FX_DONE; i++)
		gc_fence_put(&fx->done[i]);
	for (i = 0; i < FX_BOS; i++)
		gc_bo_put(&fx->bo[i]);
	fx_destroy_queues(fx);
	fx_open(fx, gate);
	fx_finish(fx);
}

static struct kunit_case conf_cases[] = {
	KUNIT_CASE_PARAM(conf_bo_lifetime, conf_gen_params),
	KUNIT_CASE_PARAM(conf_job_chain, conf_gen_params),
	KUNIT_CASE_PARAM(conf_back_to_back, conf_gen_params),
	KUNIT_CASE_PARAM(conf_queue_destroy_in_flight, conf_gen_params),
	KUNIT_CASE_PARAM(conf_timeout_recovery, conf_gen_params),
	KUNIT_CASE_PARAM(conf_unplug_in_flight, conf_gen_params),
	KUNIT_CASE_PARAM(conf_unplug_after_destroy, conf_gen_params),
	KUNIT_CASE_PARAM(conf_teardown_leak_free, conf_gen_params),
	{}
};

static struct kunit_suite conf_suite = {
	.name = "gpucore_conformance",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = conf_cases,
};

kunit_test_suite(conf_suite);

/**
 * gc_conf_bo_read_vmap() - read a BO through gpucore's CPU access and vmap
 * @dev: the device
 * @bo: the BO
 * @offset: byte offset, 4-byte aligned, inside the BO
 * @value: where the u32 read goes
 *
 * Waits for the GPU's writers of @bo first (gc_bo_cpu_begin()).
 *
 * Return: 0, -EINVAL for a bad offset, or the error of the wait or vmap.
 */
int gc_conf_bo_read_vmap(struct gc_conf_dev *dev, struct gc_bo *bo, size_t offset, u32 *value)
{
	struct gc_bo_cpu_access acc;
	struct gc_bo_vmap map;
	int ret;

	if (!IS_ALIGNED(offset, sizeof(u32)) || offset + sizeof(u32) > gc_bo_size(bo))
		return -EINVAL;
	ret = gc_bo_cpu_begin(&acc, bo, GC_ACCESS_READ, false, WAIT_JIFFIES);
	if (ret)
		return ret;
	ret = gc_bo_vmap(&map, bo);
	if (!ret) {
		*value = iosys_map_rd(&map.map, offset, u32);
		gc_bo_vunmap(&map);
	}
	gc_bo_cpu_end(&acc);
	return ret;
}
