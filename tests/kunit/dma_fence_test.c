// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The dma_fence contract, checked on gpucore fences: the cases of the
 * kernel's own dma-fence selftest (signalling, callbacks, status, error,
 * waits, the stub, and the signal/add-callback race), so that gpucore
 * fences behave like any other dma_fence for every consumer.
 */

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/timer.h>

#include <gpucore/compat.h>
#include <gpucore/fence.h>

#include "gc_test.h"

/* One fence on its own timeline: what each case starts from. */
struct mock {
	struct gc_timeline *tl;
	struct gc_fence_signaller sig;
	struct gc_fence_ref ref;
	struct dma_fence *f;
};

static void mock_init(struct kunit *test, struct mock *m)
{
	m->tl = gc_timeline_create("gc-test", "mock", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->tl));
	m->sig = gc_fence_create(m->tl, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, gc_is_err(m->sig));
	m->ref = gc_fence_signaller_fence(&m->sig);
	m->f = gc_fence_borrow(&m->ref);
}

static void mock_fini(struct mock *m)
{
	if (m->sig.ptr)
		gc_fence_signal(&m->sig);
	gc_fence_put(&m->ref);
	gc_timeline_put(m->tl);
}

struct simple_cb {
	struct dma_fence_cb cb;
	bool seen;
};

static void simple_callback(struct dma_fence *f, struct dma_fence_cb *cb)
{
	/* Pairs with the READ_ONCE() of the thread waiting for the callback. */
	smp_store_mb(container_of(cb, struct simple_cb, cb)->seen, true);
}

static void dma_fence_sanitycheck(struct kunit *test)
{
	struct mock m;

	mock_init(test, &m);
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&m.sig), 0);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_signaling(struct kunit *test)
{
	struct mock m;

	mock_init(test, &m);
	gc_compat_fence_enable_signaling(m.f);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(m.f));
	KUNIT_EXPECT_EQ(test, gc_fence_signal(&m.sig), 0);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(m.f));
	/* A second signal is refused, and reported. */
	KUNIT_EXPECT_NE(test, gc_fence_signal(&m.sig), 0);
	KUNIT_EXPECT_EQ(test, GC_REPORTS(test, GC_REPORT_FENCE_DOUBLE_SIGNAL), 1u);
	mock_fini(&m);
}

static void dma_fence_add_callback_fires(struct kunit *test)
{
	struct simple_cb cb = {};
	struct mock m;

	mock_init(test, &m);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(m.f, &cb.cb, simple_callback), 0);
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_TRUE(test, cb.seen);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_late_add_callback(struct kunit *test)
{
	struct simple_cb cb = {};
	struct mock m;

	mock_init(test, &m);
	gc_compat_fence_enable_signaling(m.f);
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_EQ(test, dma_fence_add_callback(m.f, &cb.cb, simple_callback), -ENOENT);
	KUNIT_EXPECT_FALSE(test, cb.seen);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_rm_callback(struct kunit *test)
{
	struct simple_cb cb = {};
	struct mock m;

	mock_init(test, &m);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(m.f, &cb.cb, simple_callback), 0);
	KUNIT_EXPECT_TRUE(test, dma_fence_remove_callback(m.f, &cb.cb));
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_FALSE(test, cb.seen);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_late_rm_callback(struct kunit *test)
{
	struct simple_cb cb = {};
	struct mock m;

	mock_init(test, &m);
	KUNIT_ASSERT_EQ(test, dma_fence_add_callback(m.f, &cb.cb, simple_callback), 0);
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_TRUE(test, cb.seen);
	KUNIT_EXPECT_FALSE(test, dma_fence_remove_callback(m.f, &cb.cb));
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_status(struct kunit *test)
{
	struct mock m;

	mock_init(test, &m);
	gc_compat_fence_enable_signaling(m.f);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(m.f), 0);
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(m.f), 1);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_error(struct kunit *test)
{
	struct mock m;

	mock_init(test, &m);
	gc_compat_fence_enable_signaling(m.f);
	KUNIT_EXPECT_EQ(test, m.f->error, 0);
	gc_fence_signal_error(&m.sig, -EIO);
	KUNIT_EXPECT_EQ(test, m.f->error, -EIO);
	KUNIT_EXPECT_EQ(test, dma_fence_get_status(m.f), -EIO);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_wait_zero(struct kunit *test)
{
	struct mock m;

	mock_init(test, &m);
	gc_compat_fence_enable_signaling(m.f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(m.f, false, 0), 0L);
	gc_fence_signal(&m.sig);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(m.f, false, 0), 1L);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

struct wait_timer {
	struct timer_list timer;
	struct gc_fence_signaller sig;
};

static void wait_timer_fn(struct timer_list *timer)
{
	struct wait_timer *wt = container_of(timer, struct wait_timer, timer);

	/* Signalling from a timer: the hard-irq-like completion path. */
	gc_fence_signal(&wt->sig);
}

static void dma_fence_wait_timeout_timer(struct kunit *test)
{
	struct wait_timer wt;
	struct mock m;

	mock_init(test, &m);
	wt.sig = gc_move(&m.sig);
	timer_setup_on_stack(&wt.timer, wait_timer_fn, 0);
	gc_compat_fence_enable_signaling(m.f);
	KUNIT_EXPECT_EQ(test, dma_fence_wait_timeout(m.f, false, 1), 0L);
	mod_timer(&wt.timer, jiffies + 1);
	/* Generous: the machine may be slow; the timer must fire well within. */
	KUNIT_EXPECT_GT(test, dma_fence_wait_timeout(m.f, false, 10 * HZ), 0L);
	timer_delete_sync(&wt.timer);
	gc_compat_destroy_timer_on_stack(&wt.timer);
	KUNIT_EXPECT_NULL(test, wt.sig.ptr);
	mock_fini(&m);
	gc_expect_no_reports(test);
}

static void dma_fence_stub_signalled(struct kunit *test)
{
	struct gc_fence_ref stubs[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(stubs); i++) {
		stubs[i] = gc_fence_adopt(dma_fence_get_stub());
		KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gc_fence_borrow(&stubs[i])));
	}
	for (i = 0; i < ARRAY_SIZE(stubs); i++)
		gc_fence_put(&stubs[i]);
	gc_expect_no_reports(test);
}

/*
 * The race of signalling against adding a callback, between two threads
 * that each publish a fence and add a callback to the other's. Bounded by
 * iterations and time; yields every pass so it also runs on one CPU.
 */
struct race_thread {
	struct dma_fence __rcu **fences;
	struct task_struct *task;
	struct gc_timeline *tl;
	unsigned long passes;
	bool before;
	int id;
};

#define RACE_PASSES	2000
#define RACE_SECONDS	5

static int race_fn(void *arg)
{
	struct race_thread *t = arg;
	unsigned long deadline = jiffies + RACE_SECONDS * HZ;
	int err = 0;

	while (!err && !kthread_should_stop()) {
		struct gc_fence_signaller sig;
		struct gc_fence_ref mine, other = {};
		struct dma_fence *f2 = NULL;
		struct simple_cb cb;

		if (t->passes >= RACE_PASSES || time_after(jiffies, deadline)) {
			/* Done; wait to be stopped. */
			schedule_timeout_interruptible(1);
			continue;
		}
		sig = gc_fence_create(t->tl, GFP_KERNEL);
		if (gc_is_err(sig))
			return gc_err(sig);
		mine = gc_fence_signaller_fence(&sig);
		gc_compat_fence_enable_signaling(gc_fence_borrow(&mine));
		rcu_assign_pointer(t->fences[t->id], gc_fence_borrow(&mine));

		while (!f2 && !kthread_should_stop()) {
			rcu_read_lock();
			f2 = dma_fence_get_rcu_safe(&t->fences[!t->id]);
			rcu_read_unlock();
			if (!f2)
				cond_resched();
		}
		other = gc_fence_adopt(f2);

		if (t->before)
			gc_fence_signal(&sig);
		/* Reset before the callback can run on another thread. */
		smp_store_mb(cb.seen, false);
		if (!f2 || dma_fence_add_callback(f2, &cb.cb, simple_callback))
			cb.seen = true;
		if (!t->before)
			gc_fence_signal(&sig);
		if (!cb.seen) {
			dma_fence_wait(f2, false);
			/* Let running callbacks finish. */
			spin_lock_irq(gc_compat_fence_lock(f2));
			spin_unlock_irq(gc_compat_fence_lock(f2));
		}
		if (!READ_ONCE(cb.seen))
			err = -EINVAL;

		gc_fence_put(&other);
		rcu_assign_pointer(t->fences[t->id], NULL);
		gc_fence_put(&mine);
		t->passes++;
		cond_resched();
	}
	return err;
}

static void dma_fence_race_signal_callback(struct kunit *test)
{
	struct dma_fence __rcu *fences[2] = {};
	int pass;

	for (pass = 0; pass <= 1; pass++) {
		struct race_thread t[2] = {};
		int i;

		for (i = 0; i < ARRAY_SIZE(t); i++) {
			t[i].fences = fences;
			t[i].id = i;
			t[i].before = pass;
			t[i].tl = gc_timeline_create("gc-test", "race", NULL);
			KUNIT_ASSERT_FALSE(test, IS_ERR(t[i].tl));
			t[i].task = kthread_run(race_fn, &t[i], "gc-race:%d", i);
			KUNIT_ASSERT_FALSE(test, IS_ERR(t[i].task));
			get_task_struct(t[i].task);
		}
		msleep(100);
		for (i = 0; i < ARRAY_SIZE(t); i++) {
			KUNIT_EXPECT_EQ(test, kthread_stop(t[i].task), 0);
			put_task_struct(t[i].task);
			KUNIT_EXPECT_GT(test, t[i].passes, 0ul);
			gc_timeline_put(t[i].tl);
		}
	}
	gc_expect_no_reports(test);
}

static struct kunit_case gc_dma_fence_cases[] = {
	KUNIT_CASE(dma_fence_sanitycheck),
	KUNIT_CASE(dma_fence_signaling),
	KUNIT_CASE(dma_fence_add_callback_fires),
	KUNIT_CASE(dma_fence_late_add_callback),
	KUNIT_CASE(dma_fence_rm_callback),
	KUNIT_CASE(dma_fence_late_rm_callback),
	KUNIT_CASE(dma_fence_status),
	KUNIT_CASE(dma_fence_error),
	KUNIT_CASE(dma_fence_wait_zero),
	KUNIT_CASE(dma_fence_wait_timeout_timer),
	KUNIT_CASE(dma_fence_stub_signalled),
	KUNIT_CASE(dma_fence_race_signal_callback),
	{}
};

static struct kunit_suite gc_dma_fence_suite = {
	.name = "gpucore_dma_fence",
	.init = gc_test_init,
	.exit = gc_test_exit,
	.test_cases = gc_dma_fence_cases,
};

kunit_test_suite(gc_dma_fence_suite);
