// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Owner tracking (CONFIG_DRM_GPUCORE_DEBUG): one record per owned
 * reference, found by id so that stale handles never lead to freed memory.
 *
 * Everything here is under gc_track_lock, an irq-safe spinlock, because
 * references are taken and put from any context (dma_fence callbacks run
 * in hard irq). The xarrays are only touched with that lock held.
 */

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "internal.h"

/* Released records kept to name both stacks in a late double put. */
#define GC_TRACK_GRAVES	4096

/**
 * struct gc_ref_rec - the record of one owned reference
 * @node: in its scope's live list; in gc_graves once released; in
 *	gc_orphans when its scope ended while it was live
 * @obj: the object referenced, compared with the handle's on every use
 * @kind: the kind of handle, for reports
 * @taken: stack of the code that took the reference
 * @released: stack of the code that put it
 * @id: the id stored in the handle
 * @is_released: the reference was put
 */
struct gc_ref_rec {
	struct list_head node;
	const void *obj;
	const char *kind;
	depot_stack_handle_t taken;
	depot_stack_handle_t released;
	u32 id;
	bool is_released;
};

static DEFINE_SPINLOCK(gc_track_lock);
static DEFINE_XARRAY_ALLOC1(gc_recs);
static DEFINE_XARRAY_ALLOC1(gc_dirs);
/* The next ids to hand out; 0 once the 32-bit space is used up. */
static u32 gc_next_rec_id = 1;
static u32 gc_next_dir_id = 1;
static LIST_HEAD(gc_graves);
static unsigned int gc_nr_graves;
static LIST_HEAD(gc_orphans);
/* Scope of references to objects that name none (foreign fences). */
static struct gc_track_dir gc_unscoped = {
	.live = LIST_HEAD_INIT(gc_unscoped.live),
	.name = "unscoped",
};

/*
 * Bookkeeping allocations must not consume the failure that a fail-nth
 * test aims at the driver's own allocations: hide the task's fail_nth
 * while tracking allocates.
 */
static unsigned int gc_track_nofail_begin(void)
{
	unsigned int nth = 0;

#ifdef CONFIG_FAULT_INJECTION
	if (in_task()) {
		nth = current->fail_nth;
		current->fail_nth = 0;
	}
#endif
	return nth;
}

static void gc_track_nofail_end(unsigned int nth)
{
#ifdef CONFIG_FAULT_INJECTION
	if (in_task())
		current->fail_nth = nth;
#endif
}

/*
 * A new id for @entry in @xa, tracking lock held. Ids are handed out in
 * increasing order and never reused, so a stale handle can never match a
 * newer record: once the 32-bit space is used up, no more are given (0,
 * untracked), and that is said once.
 */
static u32 gc_track_new_id(struct xarray *xa, void *entry, u32 *next)
{
	u32 id;

	lockdep_assert_held(&gc_track_lock);
	if (!*next) {
		pr_warn_once("gpucore: tracking ids used up; new references are not tracked\n");
		return 0;
	}
	if (xa_alloc(xa, &id, entry, XA_LIMIT(*next, U32_MAX), GFP_ATOMIC | __GFP_NOWARN) < 0)
		return 0;
	/* Wraps to 0 after U32_MAX: used up. */
	*next = id + 1;
	return id;
}

/**
 * gc_track_set_next_id() - set the id the next record gets (tests only)
 * @next: the id; 0 means the ids are used up
 *
 * Context: any.
 * Return: the previous value.
 */
u32 gc_track_set_next_id(u32 next)
{
	unsigned long flags;
	u32 old;

	spin_lock_irqsave(&gc_track_lock, flags);
	old = gc_next_rec_id;
	gc_next_rec_id = next;
	spin_unlock_irqrestore(&gc_track_lock, flags);
	return old;
}

/**
 * gc_track_dir_init() - start a tracking scope
 * @dir: the scope, usually embedded in a device or file structure
 * @name: name for leak reports; must outlive @dir
 *
 * Objects created in the scope (see gc_track_dir_id()) account every owned
 * reference taken to them in @dir until gc_track_dir_exit().
 *
 * Context: any.
 */
void gc_track_dir_init(struct gc_track_dir *dir, const char *name)
{
	unsigned long flags;
	unsigned int nth;

	INIT_LIST_HEAD(&dir->live);
	dir->name = name;
	dir->id = 0;
	nth = gc_track_nofail_begin();
	spin_lock_irqsave(&gc_track_lock, flags);
	/* On failure the scope still works; its objects become unscoped. */
	dir->id = gc_track_new_id(&gc_dirs, dir, &gc_next_dir_id);
	spin_unlock_irqrestore(&gc_track_lock, flags);
	gc_track_nofail_end(nth);
}
EXPORT_SYMBOL_NS_GPL(gc_track_dir_init, GPUCORE_NS);

/**
 * gc_track_dir_exit() - end a tracking scope and report what it leaked
 * @dir: the scope
 *
 * Every reference still live in @dir is reported as a leak with the stack
 * that took it. The leaked references stay valid: putting one later is
 * not an error, and it no longer touches @dir, which may be freed as soon
 * as this returns.
 *
 * Context: any.
 * Return: the number of leaked references.
 */
unsigned int gc_track_dir_exit(struct gc_track_dir *dir)
{
	struct gc_ref_rec *rec, *next;
	unsigned int leaks = 0;
	unsigned long flags;

	spin_lock_irqsave(&gc_track_lock, flags);
	if (dir->id)
		xa_erase(&gc_dirs, dir->id);
	list_for_each_entry_safe(rec, next, &dir->live, node) {
		struct gc_report_stack stack = { "taken", rec->taken };

		gc_report(GC_REPORT_LEAK, &stack, 1, "%s ref #%u still held at end of %s",
			  rec->kind, rec->id, dir->name);
		list_move_tail(&rec->node, &gc_orphans);
		leaks++;
	}
	spin_unlock_irqrestore(&gc_track_lock, flags);
	return leaks;
}
EXPORT_SYMBOL_NS_GPL(gc_track_dir_exit, GPUCORE_NS);

/**
 * gc_track_dir_live() - count the live references of a scope
 * @dir: the scope
 *
 * Context: any.
 * Return: the number of references taken in @dir and not yet put.
 */
unsigned int gc_track_dir_live(const struct gc_track_dir *dir)
{
	const struct gc_ref_rec *rec;
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&gc_track_lock, flags);
	list_for_each_entry(rec, &dir->live, node)
		n++;
	spin_unlock_irqrestore(&gc_track_lock, flags);
	return n;
}
EXPORT_SYMBOL_NS_GPL(gc_track_dir_live, GPUCORE_NS);

/**
 * gc_track_take() - record a new owned reference
 * @obj: the object referenced
 * @kind: the kind of handle, for reports; must be a string constant
 * @dir_id: the id of the object's scope (gc_track_dir_id()); 0 or the id
 *	of a scope that already ended means unscoped
 *
 * Called by gpucore's get functions after taking the reference itself.
 *
 * Context: any.
 * Return: the id to store in the handle; 0 if the record could not be
 * allocated, in which case the reference works but is not tracked.
 */
u32 gc_track_take(const void *obj, const char *kind, u32 dir_id)
{
	struct gc_track_dir *dir = NULL;
	struct gc_ref_rec *rec;
	unsigned long flags;
	unsigned int nth;
	u32 id = 0;

	nth = gc_track_nofail_begin();
	rec = kzalloc(sizeof(*rec), GFP_NOWAIT | __GFP_NOWARN);
	if (!rec)
		goto out;
	rec->obj = obj;
	rec->kind = kind;
	rec->taken = gc_stack_save(GFP_NOWAIT);

	spin_lock_irqsave(&gc_track_lock, flags);
	if (dir_id)
		dir = xa_load(&gc_dirs, dir_id);
	if (!dir)
		dir = &gc_unscoped;
	id = gc_track_new_id(&gc_recs, rec, &gc_next_rec_id);
	if (id) {
		rec->id = id;
		list_add_tail(&rec->node, &dir->live);
		rec = NULL;
	}
	spin_unlock_irqrestore(&gc_track_lock, flags);
	kfree(rec);
out:
	gc_track_nofail_end(nth);
	return id;
}

/* Report a handle whose record is not live; called with gc_track_lock held. */
static void gc_track_report_stale(struct gc_ref_rec *rec, u32 id, const void *obj,
				  enum gc_report_kind kind)
{
	struct gc_report_stack stacks[2];

	if (!rec) {
		gc_report(kind, NULL, 0, "ref #%u is not live (released long ago, or never taken)",
			  id);
	} else if (rec->obj != obj) {
		gc_report(GC_REPORT_BAD_HANDLE, NULL, 0,
			  "%s ref #%u does not point at the object it was taken on",
			  rec->kind, id);
	} else {
		stacks[0] = (struct gc_report_stack){ "taken", rec->taken };
		stacks[1] = (struct gc_report_stack){ "released", rec->released };
		gc_report(kind, stacks, 2, "%s ref #%u", rec->kind, id);
	}
}

/**
 * gc_track_drop() - retire the record of an owned reference being put
 * @id: the handle's tracking id; 0 for an untracked reference
 * @obj: the object the handle points at
 * @reuse: the report to make if the record is already released
 *	(%GC_REPORT_DOUBLE_PUT for refs, %GC_REPORT_FENCE_DOUBLE_SIGNAL for
 *	signallers)
 *
 * Called by gpucore's put functions before dropping the reference. If the
 * reference was already put through another copy of the handle, or the
 * handle does not match its record, a report is made and the caller must
 * not drop anything.
 *
 * Context: any.
 * Return: true if the caller may drop the reference.
 */
bool gc_track_drop(u32 id, const void *obj, enum gc_report_kind reuse)
{
	struct gc_ref_rec *rec, *evicted = NULL;
	depot_stack_handle_t stack;
	unsigned long flags;
	bool ok;

	if (!id)
		return true;
	stack = gc_stack_save(GFP_NOWAIT);

	spin_lock_irqsave(&gc_track_lock, flags);
	rec = xa_load(&gc_recs, id);
	ok = rec && !rec->is_released && rec->obj == obj;
	if (!ok) {
		gc_track_report_stale(rec, id, obj, reuse);
	} else {
		rec->is_released = true;
		rec->released = stack;
		list_move_tail(&rec->node, &gc_graves);
		if (++gc_nr_graves > GC_TRACK_GRAVES) {
			evicted = list_first_entry(&gc_graves, struct gc_ref_rec, node);
			list_del(&evicted->node);
			xa_erase(&gc_recs, evicted->id);
			gc_nr_graves--;
		}
	}
	spin_unlock_irqrestore(&gc_track_lock, flags);
	kfree(evicted);
	return ok;
}

/**
 * gc_track_check() - check that a handle's reference is still live
 * @id: the handle's tracking id; 0 for an untracked reference
 * @obj: the object the handle points at
 * @reuse: the report to make if it is not (%GC_REPORT_USE_AFTER_PUT)
 *
 * Called by gpucore's borrow functions. A stale handle is reported and the
 * caller must not touch @obj.
 *
 * Context: any.
 * Return: true if @obj may be used.
 */
bool gc_track_check(u32 id, const void *obj, enum gc_report_kind reuse)
{
	struct gc_ref_rec *rec;
	unsigned long flags;
	bool ok;

	if (!id)
		return true;
	spin_lock_irqsave(&gc_track_lock, flags);
	rec = xa_load(&gc_recs, id);
	ok = rec && !rec->is_released && rec->obj == obj;
	if (!ok)
		gc_track_report_stale(rec, id, obj, reuse);
	spin_unlock_irqrestore(&gc_track_lock, flags);
	return ok;
}

/**
 * gc_track_init() - prepare owner tracking at module load
 *
 * Return: 0, or the stack depot's error.
 */
int gc_track_init(void)
{
	return stack_depot_init();
}

/**
 * gc_track_exit() - report what is still tracked at module unload, free it
 */
void gc_track_exit(void)
{
	struct gc_ref_rec *rec;
	unsigned long id;

	gc_track_dir_exit(&gc_unscoped);
	xa_for_each(&gc_recs, id, rec)
		kfree(rec);
	xa_destroy(&gc_recs);
	xa_destroy(&gc_dirs);
}
