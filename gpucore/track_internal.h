/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Owner tracking inside gpucore: the only place, with track.c, that knows
 * whether CONFIG_DRM_GPUCORE_DEBUG is set. Handles keep a
 * &struct gc_track_slot; the functions below fill and check it, and
 * compile to nothing (no record, every check passes) without the option.
 */
#ifndef _GPUCORE_TRACK_INTERNAL_H_
#define _GPUCORE_TRACK_INTERNAL_H_

#include <linux/stackdepot.h>
#include <linux/types.h>

#include <gpucore/track.h>

#include "report.h"

#if IS_ENABLED(CONFIG_DRM_GPUCORE_DEBUG)

int gc_track_init(void);
void gc_track_exit(void);

/* The records themselves, by id (track.c); tests call them directly. */
u32 gc_track_take(const void *obj, const char *kind, u32 dir_id);
bool gc_track_drop(u32 id, const void *obj, enum gc_report_kind reuse);
bool gc_track_check(u32 id, const void *obj, enum gc_report_kind reuse);
u32 gc_track_set_next_id(u32 next);

/* The id by which an object names its scope; 0 for none. */
static inline u32 gc_track_dir_id(const struct gc_track_dir *dir)
{
	return dir ? dir->id : 0;
}

/*
 * The slots go by value, never by address: without tracking they are empty
 * and nothing of them is left, not even an address the compiler could
 * confuse with the member after the handle.
 */

/* Record a new owned reference to @obj, for the slot of its handle. */
static inline struct gc_track_slot gc_track_slot_take(const void *obj, const char *kind,
						      u32 dir_id)
{
	return (struct gc_track_slot){ .id = gc_track_take(obj, kind, dir_id) };
}

/*
 * The handle with @slot gives up its reference to @obj: false (reported
 * as @reuse) if it was given up already, through a copy.
 */
static inline bool gc_track_slot_drop(struct gc_track_slot slot, const void *obj,
				      enum gc_report_kind reuse)
{
	return gc_track_drop(slot.id, obj, reuse);
}

/* May the handle with @slot use @obj? Reported as @reuse if not. */
static inline bool gc_track_slot_check(struct gc_track_slot slot, const void *obj,
				       enum gc_report_kind reuse)
{
	return gc_track_check(slot.id, obj, reuse);
}

/* The caller's stack, for reports that name an object's creator. */
static inline depot_stack_handle_t gc_track_stack(gfp_t gfp)
{
	return gc_stack_save(gfp);
}

#else

static inline int gc_track_init(void) { return 0; }
static inline void gc_track_exit(void) { }
static inline u32 gc_track_dir_id(const struct gc_track_dir *dir) { return 0; }

static inline struct gc_track_slot gc_track_slot_take(const void *obj, const char *kind,
						      u32 dir_id)
{
	return (struct gc_track_slot){};
}

static inline bool gc_track_slot_drop(struct gc_track_slot slot, const void *obj,
				      enum gc_report_kind reuse)
{
	return true;
}

static inline bool gc_track_slot_check(struct gc_track_slot slot, const void *obj,
				       enum gc_report_kind reuse)
{
	return true;
}

static inline depot_stack_handle_t gc_track_stack(gfp_t gfp) { return 0; }

#endif

#endif /* _GPUCORE_TRACK_INTERNAL_H_ */
