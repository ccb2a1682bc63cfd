// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc_bench: what gpucore's safety costs, measured in the kernel.
 *
 * Each measure does the same work two ways in one boot, interleaved round by
 * round (A then B, then B then A, ...): through gpucore, and through the
 * kernel primitives gpucore wraps, used the way a C driver uses them by hand
 * (drm_gem_object_get/put, a dma_fence with its own ops, drm_sched driven
 * directly). Both ways of running jobs share one mock backend whose hardware
 * is done the moment a job starts (run() returns the signalled stub fence):
 * the figures are the software cost alone, the case where gpucore's share
 * is the largest.
 *
 * Loading the module runs every measure and prints to the kernel log
 *
 *   gc_bench: result CFG KEY A_MIN A_MED A_MAX B_MIN B_MED B_MAX
 *   gc_bench: profile CFG KEY PHASE A B
 *   gc_bench: error CFG KEY ERRNO
 *
 * in nanoseconds per operation (min, median and max over the rounds), CFG
 * being "off" or "on" for gpucore's debug tracking. scripts/bench.sh turns
 * them into a table; nothing here judges the figures. The "profile" lines
 * split the cost of one operation into its phases, timed in a few extra
 * passes (the least of them is printed), so that a gap can be explained.
 */

#define pr_fmt(fmt) "gc_bench: " fmt

#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/wait.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/gpu_scheduler.h>

#include <gpucore/compat.h>
#include <gpucore/gpucore.h>

MODULE_IMPORT_NS(GPUCORE_NS);

#define BENCH_MAX_ROUNDS	15
#define BENCH_MAX_BOS		512
/* Jobs queued behind one gate for the measures of BOs per job. */
#define BENCH_BATCH		32
/* The in-flight measure: that many jobs queued at once, against a few. */
#define BENCH_MANY		10000
#define BENCH_FEW		10
/* Never wait forever for the scheduler, even on a slow emulator. */
#define BENCH_DRAIN_TIMEOUT	(60 * HZ)

static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds of each measure, A and B interleaved (default 7, at most 15)");

static unsigned int scale = 100;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "Percentage of the default operation counts (default 100)");

static unsigned int inflight_rounds = 3;
module_param(inflight_rounds, uint, 0444);
MODULE_PARM_DESC(inflight_rounds, "Rounds of the 10,000-jobs-in-flight measures (default 3)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Run only the measures whose key starts with this");

/* The DRM device the BOs and the queues live on; never registered. */
struct bench_dev {
	struct drm_device drm;
	struct gc_device gdev;
};

static const struct drm_driver bench_driver = {
	.driver_features = DRIVER_GEM,
	.gem_create_object = gc_shmem_gem_create_object,
	.name = "gc-bench",
	.desc = "gpucore benchmarks",
	GC_DRM_DRIVER_DATE
	.major = 1,
};

/* A plain dma_fence with its own ops: the gates and the raw fence measure. */
struct bench_fence {
	struct dma_fence base;	/* first: the default release frees it */
	spinlock_t lock;	/* the fence's lock */
};

static struct {
	struct device *parent;
	struct bench_dev *bdev;
	struct gc_bo_ref bos[BENCH_MAX_BOS];
	struct drm_gem_object *gems[BENCH_MAX_BOS];
	struct gc_queue *queue;
	struct drm_gpu_scheduler sched;
	struct drm_sched_entity entity;
	bool sched_ready;
	struct mutex raw_submit_lock;	/* from arm to push, as drm_sched needs */
	/* Jobs freed by either backend, and the count a waiter waits for. */
	atomic_t freed;
	int target;
	wait_queue_head_t drained;
	u64 fence_context;
	atomic64_t fence_seqno;
	const char *cfg;
} b;

/* Phases of one operation, for the profile pass. */
#define BENCH_PHASES	6

struct bench_phases {
	u64 ns[BENCH_PHASES];
	u64 last;
};

static void phase_start(struct bench_phases *p)
{
	if (p)
		p->last = ktime_get_ns();
}

/* Close phase @i: the time since the previous mark is charged to it. */
static void phase_end(struct bench_phases *p, unsigned int i)
{
	u64 now;

	if (!p)
		return;
	now = ktime_get_ns();
	p->ns[i] += now - p->last;
	p->last = now;
}

/* -- the mock hardware, shared by both ways of running jobs ------------- */

static struct dma_fence *bench_hw_run(void)
{
	/* Done at once: what is left to measure is the software around it. */
	return dma_fence_get_stub();
}

static void bench_retired(void)
{
	/* Only the last job of a batch wakes the waiter. */
	if (atomic_inc_return(&b.freed) >= READ_ONCE(b.target))
		wake_up(&b.drained);
}

/* Wait until @target jobs have been freed in all. */
static int bench_wait_freed(int target)
{
	WRITE_ONCE(b.target, target);
	if (!wait_event_timeout(b.drained, atomic_read(&b.freed) >= target,
				BENCH_DRAIN_TIMEOUT))
		return -ETIMEDOUT;
	return 0;
}

/*
 * Let the deferred work of the previous run finish before the next one is
 * timed: fences and jobs are freed after an RCU grace period, in batches,
 * and that work must not land in the other side's timed window.
 */
static void bench_settle(void)
{
	synchronize_rcu();
	msleep(50);
}

static const char *bench_fence_name(struct dma_fence *fence)
{
	return "gc-bench";
}

static const struct dma_fence_ops bench_fence_ops = {
	.get_driver_name = bench_fence_name,
	.get_timeline_name = bench_fence_name,
};

static struct dma_fence *bench_fence_create(void)
{
	struct bench_fence *f = kmalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &bench_fence_ops, &f->lock, b.fence_context,
		       atomic64_inc_return(&b.fence_seqno));
	return &f->base;
}

/* -- jobs through gpucore ----------------------------------------------- */

struct bench_gc_job {
	struct gc_job base;
};

static struct dma_fence *bench_gc_run(struct gc_job *job)
{
	return bench_hw_run();
}

static void bench_gc_stop(struct gc_queue *queue, int error)
{
	/* Nothing ever stays on the mock hardware. */
}

static void bench_gc_free_job(struct gc_job *job)
{
	kfree(container_of(job, struct bench_gc_job, base));
	bench_retired();
}

static const struct gc_queue_ops bench_gc_ops = {
	.run = bench_gc_run,
	.stop = bench_gc_stop,
	.free_job = bench_gc_free_job,
};

/* Submit one job using the first @nr_bos BOs for reading, after @gate. */
static int bench_gc_submit(struct dma_fence *gate, unsigned int nr_bos,
			   struct bench_phases *p)
{
	struct gc_job_pending pending __free(gc_job_abort) = {};
	struct bench_gc_job *gj;
	struct gc_job_armed armed;
	struct gc_fence_ref done;
	unsigned int i;
	int ret = 0;

	phase_start(p);
	gj = kzalloc(sizeof(*gj), GFP_KERNEL);
	if (!gj)
		return -ENOMEM;
	pending = gc_job_init(&gj->base, b.queue, 0);
	if (gc_is_err(pending)) {
		kfree(gj);
		return gc_err(pending);
	}
	if (gate)
		ret = gc_job_add_dep(&pending, gate);
	phase_end(p, 0);
	/* The submission knows its BO count, as a driver's BO list does. */
	if (!ret)
		ret = gc_job_reserve_bos(&pending, nr_bos);
	phase_end(p, 1);
	for (i = 0; !ret && i < nr_bos; i++)
		ret = gc_job_use_bo(&pending, gc_bo_borrow(&b.bos[i]), GC_ACCESS_READ);
	if (ret)
		return ret;
	phase_end(p, 2);
	armed = gc_job_arm(&pending);
	if (gc_is_err(armed))
		return gc_err(armed);
	phase_end(p, 3);
	/* What a SUBMIT ioctl does with it: publish it in a syncobj. */
	done = gc_job_done_fence(&armed);
	gc_job_push(&armed);
	gc_fence_put(&done);
	phase_end(p, 4);
	return 0;
}

/* -- jobs through drm_sched directly ------------------------------------ */

struct bench_raw_job {
	struct drm_sched_job base;
	struct drm_gem_object **bos;
	unsigned int nr_bos;
};

static struct bench_raw_job *to_raw_job(struct drm_sched_job *sched_job)
{
	return container_of(sched_job, struct bench_raw_job, base);
}

static void bench_raw_release(struct bench_raw_job *rj)
{
	unsigned int i;

	drm_sched_job_cleanup(&rj->base);
	for (i = 0; i < rj->nr_bos; i++)
		drm_gem_object_put(rj->bos[i]);
	kfree(rj->bos);
	kfree(rj);
}

static struct dma_fence *bench_raw_run_job(struct drm_sched_job *sched_job)
{
	return bench_hw_run();
}

static enum drm_gpu_sched_stat bench_raw_timedout_job(struct drm_sched_job *sched_job)
{
	/* Never reached (the timeout is long); the job goes on running. */
	gc_compat_sched_requeue(sched_job->sched, sched_job);
	return gc_compat_sched_timeout_status();
}

static void bench_raw_free_job(struct drm_sched_job *sched_job)
{
	bench_raw_release(to_raw_job(sched_job));
	bench_retired();
}

static const struct drm_sched_backend_ops bench_raw_ops = {
	.run_job = bench_raw_run_job,
	.timedout_job = bench_raw_timedout_job,
	.free_job = bench_raw_free_job,
};

/*
 * The same job as bench_gc_submit(), written against drm_sched the way a
 * driver without gpucore does: its own references to the BOs, implicit
 * sync through the reservations, the scheduler's finished fence published.
 */
static int bench_raw_submit(struct dma_fence *gate, unsigned int nr_bos,
			    struct bench_phases *p)
{
	struct ww_acquire_ctx ctx;
	struct bench_raw_job *rj;
	struct dma_fence *done;
	unsigned int i;
	int ret;

	phase_start(p);
	rj = kzalloc(sizeof(*rj), GFP_KERNEL);
	if (!rj)
		return -ENOMEM;
	ret = gc_compat_sched_job_init(&rj->base, &b.entity, NULL);
	if (ret) {
		kfree(rj);
		return ret;
	}
	if (gate) {
		ret = drm_sched_job_add_dependency(&rj->base, dma_fence_get(gate));
		if (ret)
			goto err_release;
	}
	phase_end(p, 0);
	rj->bos = kmalloc_array(nr_bos, sizeof(*rj->bos), GFP_KERNEL);
	if (!rj->bos) {
		ret = -ENOMEM;
		goto err_release;
	}
	phase_end(p, 1);
	for (i = 0; i < nr_bos; i++) {
		rj->bos[i] = b.gems[i];
		drm_gem_object_get(rj->bos[i]);
	}
	rj->nr_bos = nr_bos;
	phase_end(p, 2);

	mutex_lock(&b.raw_submit_lock);
	ret = drm_gem_lock_reservations(rj->bos, nr_bos, &ctx);
	if (ret)
		goto err_unlock;
	for (i = 0; !ret && i < nr_bos; i++) {
		ret = drm_sched_job_add_implicit_dependencies(&rj->base, rj->bos[i], false);
		if (!ret)
			ret = dma_resv_reserve_fences(rj->bos[i]->resv, 1);
	}
	if (ret) {
		drm_gem_unlock_reservations(rj->bos, nr_bos, &ctx);
		goto err_unlock;
	}
	drm_sched_job_arm(&rj->base);
	done = dma_fence_get(&rj->base.s_fence->finished);
	for (i = 0; i < nr_bos; i++)
		dma_resv_add_fence(rj->bos[i]->resv, done, DMA_RESV_USAGE_READ);
	drm_gem_unlock_reservations(rj->bos, nr_bos, &ctx);
	phase_end(p, 3);
	drm_sched_entity_push_job(&rj->base);
	mutex_unlock(&b.raw_submit_lock);
	dma_fence_put(done);
	phase_end(p, 4);
	return 0;

err_unlock:
	mutex_unlock(&b.raw_submit_lock);
err_release:
	bench_raw_release(rj);
	return ret;
}

static int bench_raw_sched_init(void)
{
	struct drm_gpu_scheduler *sched_list[] = { &b.sched };
	long timeout = msecs_to_jiffies(10000);
	int ret;

	ret = gc_compat_sched_init(&b.sched, &bench_raw_ops, 64, timeout, "gc-bench-raw",
				   b.bdev->drm.dev);
	if (ret)
		return ret;
	ret = drm_sched_entity_init(&b.entity, DRM_SCHED_PRIORITY_NORMAL, sched_list, 1, NULL);
	if (ret) {
		drm_sched_fini(&b.sched);
		return ret;
	}
	b.sched_ready = true;
	return 0;
}

/* -- running batches of jobs --------------------------------------------- */

/*
 * Run @njobs jobs of @nr_bos BOs each, through gpucore (@gc) or drm_sched,
 * in batches of @batch: a batch is queued behind a gate fence, so that all
 * of its jobs are in flight at once; then the gate opens and the batch
 * drains. Returns the time taken in ns, or a negative errno. With @p, the
 * phases of submission go to p->ns[0..4] and the drain to p->ns[5].
 */
static s64 bench_jobs(bool gc, unsigned int nr_bos, unsigned int njobs,
		      unsigned int batch, struct bench_phases *p)
{
	u64 t0 = ktime_get_ns(), t;
	unsigned int done = 0, i, n;
	struct dma_fence *gate;
	int base, ret = 0;

	while (done < njobs) {
		n = min(batch, njobs - done);
		base = atomic_read(&b.freed);
		WRITE_ONCE(b.target, INT_MAX);
		gate = bench_fence_create();
		if (!gate)
			return -ENOMEM;
		for (i = 0; i < n && !ret; i++)
			ret = gc ? bench_gc_submit(gate, nr_bos, p) :
				   bench_raw_submit(gate, nr_bos, p);
		t = p ? ktime_get_ns() : 0;
		dma_fence_signal(gate);
		dma_fence_put(gate);
		/*
		 * The jobs submitted before a failure still run; the failed
		 * one may or may not have gone through free_job.
		 */
		if (ret) {
			bench_wait_freed(base + i - 1);
			return ret;
		}
		ret = bench_wait_freed(base + n);
		if (ret)
			return ret;
		if (p)
			p->ns[5] += ktime_get_ns() - t;
		done += n;
	}
	return ktime_get_ns() - t0;
}

/* -- the measures -------------------------------------------------------- */

struct bench_profile;

/*
 * A measure runs its side 0 (A, usually gpucore) or side 1 (B, usually the
 * raw primitive) once, doing @ops operations; it returns the time in ns or
 * a negative errno.
 */
struct bench_measure {
	const char *key;
	s64 (*run)(const struct bench_measure *m, int side);
	int (*profile)(const struct bench_measure *m, struct bench_profile *p);
	unsigned int ops;
	unsigned int nr_bos;
	bool inflight;
	bool gc;
};

static unsigned int scaled(unsigned int n)
{
	return max(1u, n * scale / 100);
}

static s64 run_ref_bo(const struct bench_measure *m, int side)
{
	struct gc_bo *bo = gc_bo_borrow(&b.bos[0]);
	struct drm_gem_object *gem = b.gems[0];
	u64 t0 = ktime_get_ns();
	unsigned int i;

	if (side == 0) {
		for (i = 0; i < m->ops; i++) {
			struct gc_bo_ref ref = gc_bo_get(bo);

			gc_bo_put(&ref);
		}
	} else {
		for (i = 0; i < m->ops; i++) {
			drm_gem_object_get(gem);
			drm_gem_object_put(gem);
		}
	}
	return ktime_get_ns() - t0;
}

/* A gpucore fence held for the reference measures. */
static struct gc_fence_signaller ref_sig;

static s64 run_ref_fence(const struct bench_measure *m, int side)
{
	struct gc_fence_ref own = gc_fence_signaller_fence(&ref_sig);
	struct dma_fence *fence = gc_fence_borrow(&own);
	u64 t0 = ktime_get_ns(), t;
	unsigned int i;

	if (side == 0) {
		for (i = 0; i < m->ops; i++) {
			struct gc_fence_ref ref = gc_fence_get(fence);

			gc_fence_put(&ref);
		}
	} else {
		for (i = 0; i < m->ops; i++) {
			dma_fence_get(fence);
			dma_fence_put(fence);
		}
	}
	t = ktime_get_ns() - t0;
	gc_fence_put(&own);
	return t;
}

static struct gc_timeline *fence_tl;

static s64 run_fence(const struct bench_measure *m, int side)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < m->ops; i++) {
		if (side == 0) {
			struct gc_fence_signaller sig = gc_fence_create(fence_tl, GFP_KERNEL);

			if (gc_is_err(sig))
				return gc_err(sig);
			/* Consumes the signaller; its reference was the last one. */
			gc_fence_signal(&sig);
		} else {
			struct dma_fence *f = bench_fence_create();

			if (!f)
				return -ENOMEM;
			dma_fence_signal(f);
			dma_fence_put(f);
		}
	}
	return ktime_get_ns() - t0;
}

static s64 run_jobs(const struct bench_measure *m, int side)
{
	if (m->inflight)
		return bench_jobs(m->gc, m->nr_bos, m->ops, side ? BENCH_FEW : BENCH_MANY, NULL);
	return bench_jobs(side == 0, m->nr_bos, m->ops, BENCH_BATCH, NULL);
}

/*
 * One pass of a profile: per phase, A's and B's time per operation in ps.
 * Profiles run a few passes and keep each phase's minimum, the pass least
 * disturbed by interrupts and first-use costs.
 */
struct bench_profile {
	const char *const *names;
	unsigned int nr;
	u64 a[BENCH_PHASES + 1];
	u64 b[BENCH_PHASES + 1];
};

#define BENCH_PROFILE_PASSES	3

/* An out-of-line get and put: what a call costs compared with inline code. */
static noinline void bench_gem_get_call(struct drm_gem_object *gem)
{
	drm_gem_object_get(gem);
}

static noinline void bench_gem_put_call(struct drm_gem_object *gem)
{
	drm_gem_object_put(gem);
}

static const char *const ref_phases[] = {
	/* B of the last phase: the raw get and put, each behind a call. */
	"get", "put", "get+put_vs_outofline_raw",
};

static int profile_ref_bo(const struct bench_measure *m, struct bench_profile *p)
{
	unsigned int n = min(m->ops, 4096u), i;
	struct gc_bo *bo = gc_bo_borrow(&b.bos[0]);
	struct drm_gem_object *gem = b.gems[0];
	struct gc_bo_ref *refs;
	u64 t[6];

	refs = kvcalloc(n, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	t[0] = ktime_get_ns();
	for (i = 0; i < n; i++)
		refs[i] = gc_bo_get(bo);
	t[1] = ktime_get_ns();
	for (i = 0; i < n; i++)
		gc_bo_put(&refs[i]);
	t[2] = ktime_get_ns();
	for (i = 0; i < n; i++)
		drm_gem_object_get(gem);
	t[3] = ktime_get_ns();
	for (i = 0; i < n; i++)
		drm_gem_object_put(gem);
	t[4] = ktime_get_ns();
	for (i = 0; i < n; i++) {
		bench_gem_get_call(gem);
		bench_gem_put_call(gem);
	}
	t[5] = ktime_get_ns();
	kvfree(refs);
	p->names = ref_phases;
	p->nr = ARRAY_SIZE(ref_phases);
	p->a[0] = (t[1] - t[0]) * 1000 / n;
	p->b[0] = (t[3] - t[2]) * 1000 / n;
	p->a[1] = (t[2] - t[1]) * 1000 / n;
	p->b[1] = (t[4] - t[3]) * 1000 / n;
	p->a[2] = (t[2] - t[0]) * 1000 / n;
	p->b[2] = (t[5] - t[4]) * 1000 / n;
	return 0;
}

static const char *const fence_phases[] = { "create+ref", "signal", "release" };

static int profile_fence(const struct bench_measure *m, struct bench_profile *p)
{
	unsigned int n = min(m->ops, 2048u), i;
	struct gc_fence_signaller *sigs;
	struct gc_fence_ref *refs;
	struct dma_fence **raw;
	int ret = -ENOMEM;
	u64 t[7];

	sigs = kvcalloc(n, sizeof(*sigs), GFP_KERNEL);
	refs = kvcalloc(n, sizeof(*refs), GFP_KERNEL);
	raw = kvcalloc(n, sizeof(*raw), GFP_KERNEL);
	if (!sigs || !refs || !raw)
		goto out;
	/* A waiter's reference keeps each fence past its signal: release is apart. */
	t[0] = ktime_get_ns();
	for (i = 0; i < n; i++) {
		sigs[i] = gc_fence_create(fence_tl, GFP_KERNEL);
		refs[i] = gc_fence_signaller_fence(&sigs[i]);
	}
	t[1] = ktime_get_ns();
	for (i = 0; i < n; i++)
		gc_fence_signal(&sigs[i]);
	t[2] = ktime_get_ns();
	for (i = 0; i < n; i++)
		gc_fence_put(&refs[i]);
	t[3] = ktime_get_ns();
	for (i = 0; i < n; i++) {
		raw[i] = bench_fence_create();
		if (raw[i])
			dma_fence_get(raw[i]);
	}
	t[4] = ktime_get_ns();
	for (i = 0; i < n; i++) {
		if (raw[i]) {
			dma_fence_signal(raw[i]);
			dma_fence_put(raw[i]);
		}
	}
	t[5] = ktime_get_ns();
	for (i = 0; i < n; i++)
		dma_fence_put(raw[i]);
	t[6] = ktime_get_ns();
	p->names = fence_phases;
	p->nr = ARRAY_SIZE(fence_phases);
	for (i = 0; i < 3; i++) {
		p->a[i] = (t[i + 1] - t[i]) * 1000 / n;
		p->b[i] = (t[i + 4] - t[i + 3]) * 1000 / n;
	}
	ret = 0;
out:
	kvfree(raw);
	kvfree(refs);
	kvfree(sigs);
	return ret;
}

/* bo_room: the job's room for its BOs (A), the raw driver's array (B). */
static const char *const job_phases[BENCH_PHASES] = {
	"init", "bo_room", "add_bos", "arm", "publish+push", "drain",
};

static int profile_jobs(const struct bench_measure *m, struct bench_profile *p)
{
	unsigned int batch_a = m->inflight ? BENCH_MANY : BENCH_BATCH;
	unsigned int batch_b = m->inflight ? BENCH_FEW : BENCH_BATCH;
	/* The in-flight measures compare one way of running jobs with itself. */
	bool gc_a = m->inflight ? m->gc : true;
	bool gc_b = m->inflight ? m->gc : false;
	struct bench_phases pa = {}, pb = {};
	unsigned int i, n = m->ops;
	s64 ret;

	ret = bench_jobs(gc_a, m->nr_bos, n, batch_a, &pa);
	if (ret >= 0)
		ret = bench_jobs(gc_b, m->nr_bos, n, batch_b, &pb);
	if (ret < 0)
		return ret;
	p->names = job_phases;
	p->nr = BENCH_PHASES;
	for (i = 0; i < BENCH_PHASES; i++) {
		p->a[i] = pa.ns[i] * 1000 / n;
		p->b[i] = pb.ns[i] * 1000 / n;
	}
	return 0;
}

static void bench_profile(const struct bench_measure *m)
{
	/* The in-flight profiles are long, and one pass of them is plenty. */
	unsigned int passes = m->inflight ? 1 : BENCH_PROFILE_PASSES, pass, i;
	struct bench_profile best = {}, cur;
	int ret;

	for (pass = 0; pass < passes; pass++) {
		memset(&cur, 0, sizeof(cur));
		bench_settle();
		ret = m->profile(m, &cur);
		if (ret) {
			pr_info("error %s %s-profile %d\n", b.cfg, m->key, ret);
			return;
		}
		for (i = 0; i < cur.nr; i++) {
			best.a[i] = pass ? min(best.a[i], cur.a[i]) : cur.a[i];
			best.b[i] = pass ? min(best.b[i], cur.b[i]) : cur.b[i];
		}
		best.names = cur.names;
		best.nr = cur.nr;
	}
	for (i = 0; i < best.nr; i++)
		pr_info("profile %s %s %s %llu.%llu %llu.%llu\n", b.cfg, m->key, best.names[i],
			best.a[i] / 1000, best.a[i] % 1000 / 100,
			best.b[i] / 1000, best.b[i] % 1000 / 100);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Print min, median and max of @n per-operation times in picoseconds. */
static void print_stats(u64 *ps, unsigned int n, char *buf, size_t len)
{
	u64 lo, med, hi;

	sort(ps, n, sizeof(*ps), cmp_u64, NULL);
	lo = ps[0];
	med = n % 2 ? ps[n / 2] : (ps[n / 2 - 1] + ps[n / 2]) / 2;
	hi = ps[n - 1];
	snprintf(buf, len, "%llu.%llu %llu.%llu %llu.%llu",
		 lo / 1000, lo % 1000 / 100, med / 1000, med % 1000 / 100,
		 hi / 1000, hi % 1000 / 100);
}

static void bench_measure(const struct bench_measure *m)
{
	unsigned int nr = m->inflight ? inflight_rounds : rounds, r, s;
	u64 ps[2][BENCH_MAX_ROUNDS];
	char sa[64], sb[64];

	if (only && *only && strncmp(m->key, only, strlen(only)))
		return;
	nr = clamp(nr, 1u, (unsigned int)BENCH_MAX_ROUNDS);
	for (r = 0; r < nr; r++) {
		for (s = 0; s < 2; s++) {
			/* Alternate which side goes first, so drift hits both. */
			int side = s ^ (r & 1);
			s64 ns;

			bench_settle();
			ns = m->run(m, side);

			if (ns < 0) {
				pr_info("error %s %s %lld\n", b.cfg, m->key, ns);
				return;
			}
			ps[side][r] = (u64)ns * 1000 / m->ops;
		}
		cond_resched();
	}
	print_stats(ps[0], nr, sa, sizeof(sa));
	print_stats(ps[1], nr, sb, sizeof(sb));
	pr_info("result %s %s %s %s\n", b.cfg, m->key, sa, sb);
	if (m->profile)
		bench_profile(m);
}

/*
 * How the clock weighs bulk memory operations: the time of a 4 KiB memset
 * against a 64-byte one. Under an instruction-counting clock each byte of a
 * string instruction counts, which real CPUs do much faster.
 */
static void bench_calibrate(void)
{
	const unsigned int reps = 64;
	u64 t0, t1, t2, big, small;
	unsigned int r;
	void *buf;

	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf)
		return;
	t0 = ktime_get_ns();
	for (r = 0; r < reps; r++) {
		memset(buf, r, 4096);
		barrier();
	}
	t1 = ktime_get_ns();
	for (r = 0; r < reps; r++) {
		memset(buf, r, 64);
		barrier();
	}
	t2 = ktime_get_ns();
	kfree(buf);
	big = (t1 - t0) * 1000 / reps;
	small = (t2 - t1) * 1000 / reps;
	pr_info("profile %s calib memset_4KiB_vs_64B %llu.%llu %llu.%llu\n", b.cfg,
		big / 1000, big % 1000 / 100, small / 1000, small % 1000 / 100);
}

/* -- setup and teardown --------------------------------------------------- */

static void bench_teardown(void)
{
	unsigned int i, leaks;

	if (!IS_ERR_OR_NULL(ref_sig.ptr))
		gc_fence_signal(&ref_sig);
	for (i = 0; i < BENCH_MAX_BOS; i++)
		gc_bo_put(&b.bos[i]);
	gc_queue_destroy(b.queue);
	if (b.sched_ready) {
		drm_sched_entity_destroy(&b.entity);
		drm_sched_fini(&b.sched);
	}
	gc_timeline_put(fence_tl);
	if (b.bdev) {
		leaks = gc_device_fini(&b.bdev->gdev);
		if (leaks)
			pr_info("error %s leaks %u\n", b.cfg, leaks);
	}
	if (b.parent)
		root_device_unregister(b.parent);
}

static int bench_setup(void)
{
	static const struct gc_queue_params params = {
		.name = "gc-bench",
		.hw_jobs = 64,
		/* Room for the 10,000 jobs in flight. */
		.max_jobs = 16384,
		.timeout_ms = 10000,
	};
	struct gc_timeline *tl;
	unsigned int i;

	mutex_init(&b.raw_submit_lock);
	init_waitqueue_head(&b.drained);
	b.fence_context = dma_fence_context_alloc(1);
	b.cfg = IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG) ? "on" : "off";

	b.parent = root_device_register("gc-bench");
	if (IS_ERR(b.parent)) {
		int ret = PTR_ERR(b.parent);

		b.parent = NULL;
		return ret;
	}
	b.bdev = devm_drm_dev_alloc(b.parent, &bench_driver, struct bench_dev, drm);
	if (IS_ERR(b.bdev)) {
		int ret = PTR_ERR(b.bdev);

		b.bdev = NULL;
		return ret;
	}
	gc_device_init(&b.bdev->gdev, &b.bdev->drm);

	for (i = 0; i < BENCH_MAX_BOS; i++) {
		struct gc_bo_unique u = gc_shmem_bo_create(&b.bdev->drm, PAGE_SIZE,
							   &b.bdev->gdev.refs);

		if (gc_is_err(u))
			return gc_err(u);
		b.bos[i] = gc_bo_share(&u);
		b.gems[i] = gc_bo_borrow(&b.bos[i])->gem;
	}

	b.queue = gc_queue_create(&b.bdev->gdev, &params, &bench_gc_ops, NULL);
	if (IS_ERR(b.queue)) {
		int ret = PTR_ERR(b.queue);

		b.queue = NULL;
		return ret;
	}
	tl = gc_timeline_create("gc-bench", "fences", &b.bdev->gdev.refs);
	if (IS_ERR(tl))
		return PTR_ERR(tl);
	fence_tl = tl;
	/* On a timeline of its own: it signals last, after fence_tl's fences. */
	tl = gc_timeline_create("gc-bench", "refs", &b.bdev->gdev.refs);
	if (IS_ERR(tl))
		return PTR_ERR(tl);
	ref_sig = gc_fence_create(tl, GFP_KERNEL);
	gc_timeline_put(tl);
	if (gc_is_err(ref_sig))
		return gc_err(ref_sig);
	return bench_raw_sched_init();
}

static int __init gc_bench_init(void)
{
	static const unsigned int bo_counts[] = { 1, 8, 64, 512 };
	/* Jobs per round for each BO count: about the same time for each. */
	static const unsigned int bo_jobs[] = { 256, 256, 128, 32 };
	struct bench_measure measures[] = {
		{ .key = "ref_bo", .run = run_ref_bo, .profile = profile_ref_bo,
		  .ops = scaled(50000) },
		{ .key = "ref_fence", .run = run_ref_fence, .ops = scaled(50000) },
		{ .key = "fence", .run = run_fence, .profile = profile_fence,
		  .ops = scaled(5000) },
		{ .key = "inflight_gc", .run = run_jobs, .profile = profile_jobs,
		  .ops = BENCH_MANY, .nr_bos = 1, .inflight = true, .gc = true },
		{ .key = "inflight_raw", .run = run_jobs, .profile = profile_jobs,
		  .ops = BENCH_MANY, .nr_bos = 1, .inflight = true, .gc = false },
	};
	char key[16];
	u64 t0 = ktime_get_ns();
	unsigned int i;
	int ret;

	ret = bench_setup();
	if (ret) {
		pr_info("error %s setup %d\n", b.cfg, ret);
		bench_teardown();
		return ret;
	}
	pr_info("start %s rounds=%u inflight_rounds=%u scale=%u\n", b.cfg, rounds,
		inflight_rounds, scale);
	bench_calibrate();
	for (i = 0; i < 3; i++)
		bench_measure(&measures[i]);
	for (i = 0; i < ARRAY_SIZE(bo_counts); i++) {
		struct bench_measure m = {
			.key = key, .run = run_jobs, .ops = scaled(bo_jobs[i]),
			.nr_bos = bo_counts[i],
		};

		m.profile = profile_jobs;
		snprintf(key, sizeof(key), "job_%u", bo_counts[i]);
		bench_measure(&m);
	}
	for (i = 3; i < ARRAY_SIZE(measures); i++)
		bench_measure(&measures[i]);
	bench_teardown();
	pr_info("done %s %llu ms\n", b.cfg, (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	return 0;
}

static void __exit gc_bench_exit(void)
{
}

module_init(gc_bench_init);
module_exit(gc_bench_exit);

MODULE_DESCRIPTION("gpucore benchmarks against the raw kernel primitives");
MODULE_LICENSE("GPL");
