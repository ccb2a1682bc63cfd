// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * gpucore fences: dma_fence with a unique signaller, checked signalling
 * rules, and nothing that points outside gpucore once it has signalled.
 */

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <gpucore/compat.h>
#include <gpucore/fence.h>

#include "track_internal.h"

#include "internal.h"

#define GC_FENCE_MAGIC		0x67636665	/* "gcfe" */
#define GC_FENCE_POISON		0x6763dead
/* Set once the signaller has been consumed. */
#define GC_FENCE_FLAG_CONSUMED	DMA_FENCE_FLAG_USER_BITS

/**
 * struct gc_timeline - a fence context with ordered seqnos
 * @kref: held by the creator and by every fence until the fence is freed
 * @context: dma_fence context of the timeline's fences
 * @seqno: seqno of the newest fence
 * @last_signalled: highest seqno signalled without error
 * @dir_id: tracking scope of the timeline's fences
 * @driver_name: reported by each fence
 * @name: reported by each fence
 * @rcu: the timeline is freed after a grace period, like its fences
 *
 * No lock: fences take their seqno with one atomic increment and raise
 * @last_signalled with a compare-and-exchange, so that neither creating
 * nor signalling a fence takes a lock shared by the whole timeline.
 */
struct gc_timeline {
	struct kref kref;
	u64 context;
	atomic64_t seqno;
	atomic64_t last_signalled;
	u32 dir_id;
	char driver_name[16];
	char name[32];
	struct rcu_head rcu;
};

/**
 * struct gc_fence - a gpucore fence
 * @base: the dma_fence every consumer sees
 * @lock: the fence's own lock, so it needs no lock of its signaller
 * @magic: %GC_FENCE_MAGIC while alive, poisoned on release
 * @dir_id: tracking scope of references to the fence
 * @created: stack of the code that created the fence (debug builds)
 * @tl: the timeline, held until the fence is freed: the order check
 *	needs it until the fence signals, and its names are the fence's
 *	names for as long as anyone may ask for them. It is gpucore's
 *	memory, and keeps gpucore's module loaded.
 */
struct gc_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the dma_fence lock, inside the fence */
	u32 magic;
	u32 dir_id;
	depot_stack_handle_t created;
	struct gc_timeline *tl;
};

static const struct dma_fence_ops gc_fence_ops;

static struct gc_fence *to_gc_fence(struct dma_fence *fence)
{
	return container_of(fence, struct gc_fence, base);
}

/**
 * gc_is_fence() - was a dma_fence created by gpucore?
 * @fence: any fence, or NULL
 *
 * Return: true if @fence is a gpucore fence.
 */
bool gc_is_fence(const struct dma_fence *fence)
{
	return fence && fence->ops == &gc_fence_ops;
}
EXPORT_SYMBOL_NS_GPL(gc_is_fence, GPUCORE_NS);

/**
 * gc_fence_dir_id() - the tracking scope of references to a fence
 * @fence: any fence
 *
 * Return: the scope of the fence's timeline for a gpucore fence, else 0.
 */
u32 gc_fence_dir_id(struct dma_fence *fence)
{
	return gc_is_fence(fence) ? to_gc_fence(fence)->dir_id : 0;
}

static const char *gc_fence_get_driver_name(struct dma_fence *fence)
{
	return to_gc_fence(fence)->tl->driver_name;
}

static const char *gc_fence_get_timeline_name(struct dma_fence *fence)
{
	return to_gc_fence(fence)->tl->name;
}

static void gc_timeline_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct gc_timeline, rcu));
}

static void gc_timeline_free(struct kref *kref)
{
	struct gc_timeline *tl = container_of(kref, struct gc_timeline, kref);

	/*
	 * RCU readers of a freed fence may still read the timeline's names.
	 * gpucore's exit waits for the callback (rcu_barrier()), so the
	 * module reference can go now: unloading right after the last fence
	 * is freed works.
	 */
	call_rcu(&tl->rcu, gc_timeline_free_rcu);
	/* Pairs with __module_get() in gc_timeline_create(). */
	module_put(THIS_MODULE);
}

static void gc_fence_release(struct dma_fence *fence)
{
	struct gc_fence *gf = to_gc_fence(fence);
	struct gc_timeline *tl = gf->tl;

	gf->magic = GC_FENCE_POISON;
	kfree_rcu(gf, base.rcu);
	/* Last: the timeline's reference may be what keeps gpucore loaded. */
	kref_put(&tl->kref, gc_timeline_free);
}

static const struct dma_fence_ops gc_fence_ops = {
	.get_driver_name = gc_fence_get_driver_name,
	.get_timeline_name = gc_fence_get_timeline_name,
	.release = gc_fence_release,
};

/**
 * gc_timeline_create() - create a fence timeline
 * @driver_name: driver name reported by the timeline's fences (copied,
 *	at most 15 characters kept)
 * @name: timeline name reported by its fences (copied, at most 31 kept)
 * @dir: tracking scope for references to the timeline's fences, or NULL
 *
 * A timeline is one dma_fence context: its fences get increasing seqnos
 * and must signal in that order. It stays allocated while any of its fences
 * does (the fences report its names), so gc_timeline_put() may be called
 * with work in flight. It holds nothing but its own memory.
 *
 * Context: process context; may sleep.
 * Return: the timeline, ERR_PTR(-EINVAL) for a NULL name,
 * ERR_PTR(-ENOMEM) when out of memory.
 */
struct gc_timeline *gc_timeline_create(const char *driver_name, const char *name,
				       struct gc_track_dir *dir)
{
	struct gc_timeline *tl;

	if (!driver_name || !name)
		return ERR_PTR(-EINVAL);
	tl = kzalloc(sizeof(*tl), GFP_KERNEL);
	if (!tl)
		return ERR_PTR(-ENOMEM);
	kref_init(&tl->kref);
	tl->context = dma_fence_context_alloc(1);
	tl->dir_id = gc_track_dir_id(dir);
	strscpy(tl->driver_name, driver_name, sizeof(tl->driver_name));
	strscpy(tl->name, name, sizeof(tl->name));
	/* For its fences: their ops and release are gpucore's code. */
	__module_get(THIS_MODULE);
	return tl;
}
EXPORT_SYMBOL_NS_GPL(gc_timeline_create, GPUCORE_NS);

/**
 * gc_timeline_put() - drop the creator's reference to a timeline
 * @tl: the timeline, or NULL
 *
 * Fences already created keep working; the timeline is freed with the last
 * of them.
 *
 * Context: any.
 */
void gc_timeline_put(struct gc_timeline *tl)
{
	if (tl)
		kref_put(&tl->kref, gc_timeline_free);
}
EXPORT_SYMBOL_NS_GPL(gc_timeline_put, GPUCORE_NS);

/**
 * gc_timeline_context() - the dma_fence context of a timeline
 * @tl: the timeline
 *
 * Return: the context shared by all fences of @tl.
 */
u64 gc_timeline_context(const struct gc_timeline *tl)
{
	return tl->context;
}
EXPORT_SYMBOL_NS_GPL(gc_timeline_context, GPUCORE_NS);

/* A fence's memory, before it has a timeline: nothing in it is live yet. */
static struct gc_fence *gc_fence_alloc(gfp_t gfp)
{
	struct gc_fence *gf = kzalloc(sizeof(*gf), gfp);

	if (gf)
		gf->created = gc_track_stack(gfp);
	return gf;
}

/*
 * Make @gf the next fence of @tl, its lock in @class if not NULL, and
 * return its signaller. Allocates nothing (tracking records aside), so a
 * job can do it between arm and push.
 */
static struct gc_fence_signaller gc_fence_init(struct gc_fence *gf, struct gc_timeline *tl,
					       struct lock_class_key *class)
{
	struct gc_fence_signaller sig = {};

	spin_lock_init(&gf->lock);
	if (class)
		lockdep_set_class(&gf->lock, class);
	gf->magic = GC_FENCE_MAGIC;
	gf->dir_id = tl->dir_id;
	kref_get(&tl->kref);
	gf->tl = tl;
	dma_fence_init(&gf->base, &gc_fence_ops, &gf->lock, tl->context,
		       atomic64_inc_return(&tl->seqno));
	sig.ptr = gf;
	sig.track = gc_track_slot_take(gf, "fence signaller", gf->dir_id);
	return sig;
}

/**
 * gc_fence_create() - create a fence and the right to signal it
 * @tl: the timeline; the fence gets its next seqno
 * @gfp: allocation flags
 *
 * The returned signaller holds a reference to the fence; take references
 * for waiters with gc_fence_signaller_fence(). gpucore's module stays
 * loaded until the fence is freed.
 *
 * Context: any, if @gfp allows it.
 * Return: the signaller. On failure it holds ERR_PTR(-EINVAL) (no
 * timeline) or ERR_PTR(-ENOMEM), check with gc_is_err(), and owns nothing.
 */
struct gc_fence_signaller gc_fence_create(struct gc_timeline *tl, gfp_t gfp)
{
	struct gc_fence *gf;

	if (!tl)
		return (struct gc_fence_signaller){ .ptr = ERR_PTR(-EINVAL) };
	gf = gc_fence_alloc(gfp);
	if (!gf)
		return (struct gc_fence_signaller){ .ptr = ERR_PTR(-ENOMEM) };
	return gc_fence_init(gf, tl, NULL);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_create, GPUCORE_NS);

/*
 * A job's done fence signals from the callback of drm_sched's finished
 * fence, which signals under the lock of the hardware fence, itself often
 * a gpucore fence: done fences get a lock class of their own, so that
 * lockdep sees two kinds of fence nested, not one lock taken twice.
 */
static struct lock_class_key gc_fence_done_class;

/**
 * gc_fence_alloc_done() - the memory of a job's done fence, allocated with the job
 * @gfp: allocation flags
 *
 * The creator's stack (debug builds) is the caller's.
 *
 * Return: the memory, to give to gc_fence_init_done() or
 * gc_fence_free_unused(); NULL when out of memory.
 */
struct gc_fence *gc_fence_alloc_done(gfp_t gfp)
{
	return gc_fence_alloc(gfp);
}

/**
 * gc_fence_init_done() - gc_fence_create() of a job's done fence, in its memory
 * @gf: from gc_fence_alloc_done(); the fence owns it from now on
 * @tl: the queue's timeline
 *
 * Allocates nothing: arm calls it.
 *
 * Return: the signaller.
 */
struct gc_fence_signaller gc_fence_init_done(struct gc_fence *gf, struct gc_timeline *tl)
{
	return gc_fence_init(gf, tl, &gc_fence_done_class);
}

/**
 * gc_fence_free_unused() - free memory from gc_fence_alloc_done() never made a fence
 * @gf: the memory, or NULL
 */
void gc_fence_free_unused(struct gc_fence *gf)
{
	kfree(gf);
}

/*
 * The signaller's fence if the signaller may be used: the same checks as
 * for a ref, with the report kinds of signalling.
 */
static struct gc_fence *gc_signaller_fence(const struct gc_fence_signaller *sig,
					   enum gc_report_kind reuse)
{
	struct gc_fence *gf = sig->ptr;

	if (IS_ERR_OR_NULL(gf))
		return NULL;
	if (!gc_track_slot_check(sig->track, gf, reuse))
		return NULL;
	if (gf->magic != GC_FENCE_MAGIC) {
		gc_report(GC_REPORT_BAD_HANDLE, NULL, 0, "signaller does not hold a live fence");
		return NULL;
	}
	return gf;
}

/**
 * gc_fence_signaller_fence() - take a waiter's reference to a signaller's fence
 * @sig: the signaller
 *
 * Context: any.
 * Return: a new owned reference; empty if @sig holds no fence.
 */
struct gc_fence_ref gc_fence_signaller_fence(const struct gc_fence_signaller *sig)
{
	struct gc_fence *gf = gc_signaller_fence(sig, GC_REPORT_USE_AFTER_PUT);

	return gc_fence_get(gf ? &gf->base : NULL);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_signaller_fence, GPUCORE_NS);

/**
 * gc_fence_signaller_seqno() - the seqno of a signaller's fence
 * @sig: the signaller
 *
 * Return: the seqno, or 0 if @sig holds no fence.
 */
u64 gc_fence_signaller_seqno(const struct gc_fence_signaller *sig)
{
	struct gc_fence *gf = gc_signaller_fence(sig, GC_REPORT_USE_AFTER_PUT);

	return gf ? gf->base.seqno : 0;
}
EXPORT_SYMBOL_NS_GPL(gc_fence_signaller_seqno, GPUCORE_NS);

/*
 * Check the timeline order: a fence signalled without error must have a
 * higher seqno than every fence of its timeline signalled before it.
 */
static void gc_fence_check_order(struct gc_fence *gf, int error)
{
	struct gc_timeline *tl = gf->tl;
	s64 seqno = gf->base.seqno;
	s64 last = atomic64_read(&tl->last_signalled);
	struct gc_report_stack stack;

	if (error)
		return;
	do {
		if (seqno <= last)
			goto late;
	} while (!atomic64_try_cmpxchg(&tl->last_signalled, &last, seqno));
	return;
late:
	stack = (struct gc_report_stack){ "created", gf->created };
	gc_report(GC_REPORT_FENCE_ORDER, &stack, 1,
		  "fence %s:%s seqno %llu signalled after seqno %lld",
		  tl->driver_name, tl->name, gf->base.seqno, last);
}

static int gc_fence_complete(struct gc_fence_signaller *sig, int error)
{
	struct gc_fence *gf = gc_signaller_fence(sig, GC_REPORT_FENCE_DOUBLE_SIGNAL);
	bool cookie, already;

	if (!gf) {
		if (!sig->ptr)
			gc_report(GC_REPORT_FENCE_DOUBLE_SIGNAL, NULL, 0,
				  "signaller already consumed");
		sig->ptr = NULL;
		return -EINVAL;
	}
	sig->ptr = NULL;
	if (!gc_track_slot_drop(sig->track, gf, GC_REPORT_FENCE_DOUBLE_SIGNAL))
		return -EINVAL;
	if (test_and_set_bit(GC_FENCE_FLAG_CONSUMED, &gf->base.flags)) {
		gc_report(GC_REPORT_FENCE_DOUBLE_SIGNAL, NULL, 0,
			  "fence %s:%s seqno %llu: a copy of its signaller was used",
			  gf->tl->driver_name, gf->tl->name, gf->base.seqno);
		return -EINVAL;
	}

	gc_fence_check_order(gf, error);
	cookie = dma_fence_begin_signalling();
	if (error)
		dma_fence_set_error(&gf->base, error);
	already = gc_compat_fence_signal(&gf->base);
	dma_fence_end_signalling(cookie);
	if (already) {
		struct gc_report_stack stack = { "created", gf->created };

		gc_report(GC_REPORT_FENCE_DOUBLE_SIGNAL, &stack, 1,
			  "fence %s:%s seqno %llu was signalled behind its signaller's back",
			  gf->tl->driver_name, gf->tl->name, gf->base.seqno);
	}
	/* The signaller's reference. */
	dma_fence_put(&gf->base);
	return already ? -EINVAL : 0;
}

/**
 * gc_fence_signal() - signal a fence, consuming its signaller
 * @sig: the signaller; empty on return
 *
 * Signalling a fence whose signaller was already consumed is reported and
 * does nothing. So is a fence signalled before an earlier fence of its
 * timeline, though the fence is still signalled.
 *
 * Context: any; runs inside dma_fence_begin_signalling().
 * Return: 0, or -EINVAL if @sig could not signal (reported).
 */
int gc_fence_signal(struct gc_fence_signaller *sig)
{
	return gc_fence_complete(sig, 0);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_signal, GPUCORE_NS);

/**
 * gc_fence_signal_error() - complete a fence with an error
 * @sig: the signaller; empty on return unless @error is invalid
 * @error: a negative errno, e.g. -ETIMEDOUT for a hang, -ECANCELED for
 *	work that will never run, -ENODEV after unplug
 *
 * Waiters see the fence signalled with dma_fence_get_status() < 0. An error
 * completion may come before earlier fences of the timeline complete.
 *
 * Context: any; runs inside dma_fence_begin_signalling().
 * Return: 0; -EINVAL if @error is not a negative errno (the signaller is
 * left untouched) or if @sig could not signal (reported).
 */
int gc_fence_signal_error(struct gc_fence_signaller *sig, int error)
{
	if (error >= 0 || error < -MAX_ERRNO)
		return -EINVAL;
	return gc_fence_complete(sig, error);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_signal_error, GPUCORE_NS);

/**
 * gc_fence_signaller_drop() - scope cleanup for a signaller
 * @sig: the signaller; empty on return
 *
 * Does nothing for an empty or failed signaller. A signaller that still
 * holds an unsignalled fence is a lost fence: it is reported with the stack
 * that created the fence, and the fence is signalled with -ECANCELED so
 * that no waiter hangs. Use gc_fence_signal_error() for a deliberate
 * cancel.
 *
 * Context: any.
 */
void gc_fence_signaller_drop(struct gc_fence_signaller *sig)
{
	struct gc_fence *gf = sig->ptr;
	struct gc_report_stack stack;

	if (IS_ERR_OR_NULL(gf)) {
		sig->ptr = NULL;
		return;
	}
	gf = gc_signaller_fence(sig, GC_REPORT_FENCE_DOUBLE_SIGNAL);
	if (!gf) {
		sig->ptr = NULL;
		return;
	}
	stack = (struct gc_report_stack){ "created", gf->created };
	gc_report(GC_REPORT_FENCE_DROPPED, &stack, 1,
		  "fence %s:%s seqno %llu, signalled -ECANCELED instead",
		  gf->tl->driver_name, gf->tl->name, gf->base.seqno);
	gc_fence_complete(sig, -ECANCELED);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_signaller_drop, GPUCORE_NS);

/**
 * gc_fence_wait() - wait for the fence behind an owned reference
 * @ref: the handle, held for the whole wait
 * @intr: interruptible wait
 * @timeout: in jiffies, or MAX_SCHEDULE_TIMEOUT
 *
 * Context: process context; may sleep.
 * Return: as dma_fence_wait_timeout(); -EINVAL for an empty or stale
 * handle.
 */
long gc_fence_wait(const struct gc_fence_ref *ref, bool intr, long timeout)
{
	struct dma_fence *fence = gc_fence_borrow(ref);

	if (!fence)
		return -EINVAL;
	return dma_fence_wait_timeout(fence, intr, timeout);
}
EXPORT_SYMBOL_NS_GPL(gc_fence_wait, GPUCORE_NS);
