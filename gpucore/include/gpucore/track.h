/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
#ifndef _GPUCORE_TRACK_H_
#define _GPUCORE_TRACK_H_

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/types.h>

/**
 * DOC: owner tracking
 *
 * With CONFIG_DRM_GPUCORE_DEBUG every owned reference taken through gpucore
 * gets a record: a never-reused id, the object, and the stack of the code
 * that took it (after 2^32 - 1 ids, new references go untracked rather
 * than reuse one). The handle carries only the id, in its
 * &struct gc_track_slot, so a stale copy of a handle never makes gpucore
 * touch freed memory:
 *
 * - putting a reference whose record is already released is a double put;
 *   it is reported with the stacks that took and released it, and the
 *   object's refcount is left alone;
 * - borrowing through such a handle is a use after put, reported the same
 *   way, and the borrow yields NULL;
 * - each record belongs to a &struct gc_track_dir (a device, a file, a
 *   test); gc_track_dir_exit() reports every record still live in it as a
 *   leak, with the stack that took it.
 *
 * Released records are kept for a while (the most recent 4096) so a late
 * double put can still name both stacks; older ones are forgotten and
 * a double put through them is reported without stacks.
 *
 * Without the option the records, the slot in each handle (an empty
 * structure) and every check compile away; drivers never test the option
 * themselves.
 */

/**
 * DOC: debug ABI
 *
 * CONFIG_DRM_GPUCORE_DEBUG changes the layout of every handle and of
 * &struct gc_device, so a module must be built with the same setting as
 * the gpucore it loads against. gpucore exports one symbol that names its
 * setting, gpucore_abi_debug_tracking_on or gpucore_abi_debug_tracking_off,
 * and every file that includes this header refers to the one matching its
 * own build. A module built with the other setting is refused at load:
 *
 *	gpucore_agx: Unknown symbol gpucore_abi_debug_tracking_off (err -2)
 *
 * means the module was built without CONFIG_DRM_GPUCORE_DEBUG and the
 * loaded gpucore with it (and _on the other way round): rebuild the module
 * with gpucore's configuration. When both are built together, modpost
 * reports the same symbol as undefined.
 */

#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
#define GC_ABI_SYMBOL	gpucore_abi_debug_tracking_on
#else
#define GC_ABI_SYMBOL	gpucore_abi_debug_tracking_off
#endif

extern const u32 GC_ABI_SYMBOL;

/*
 * The reference that makes the loader look for gpucore's symbol: one
 * pointer per file, kept although nothing reads it.
 */
static const u32 *const gc_abi_ref __used = &GC_ABI_SYMBOL;

/**
 * struct gc_track_slot - the tracking part of an owned handle
 * @id: the id of the reference's record; 0 for an untracked reference
 *	(CONFIG_DRM_GPUCORE_DEBUG only)
 *
 * Empty, so that a handle is just its pointer, without
 * CONFIG_DRM_GPUCORE_DEBUG. Only gpucore reads or writes it.
 */
struct gc_track_slot {
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	u32 id;
#endif
};

/**
 * struct gc_track_dir - a scope whose owned references are checked at its end
 * @live: records of live references in this scope, under gpucore's
 *	tracking lock
 * @name: name used in leak reports
 * @id: the scope's id, by which objects name it without pointing at it
 */
struct gc_track_dir {
#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)
	struct list_head live;
	const char *name;
	u32 id;
#endif
};

#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)

void gc_track_dir_init(struct gc_track_dir *dir, const char *name);
unsigned int gc_track_dir_exit(struct gc_track_dir *dir);
unsigned int gc_track_dir_live(const struct gc_track_dir *dir);

#else

static inline void gc_track_dir_init(struct gc_track_dir *dir, const char *name) { }
static inline unsigned int gc_track_dir_exit(struct gc_track_dir *dir) { return 0; }
static inline unsigned int gc_track_dir_live(const struct gc_track_dir *dir) { return 0; }

#endif

#endif /* _GPUCORE_TRACK_H_ */
