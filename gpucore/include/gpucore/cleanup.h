/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Scope-based cleanup for gpucore handles.
 *
 * The kernel's <linux/cleanup.h> appeared in 6.5 and was backported to later
 * 6.1 stable releases. Where it is missing, gpucore carries the two macros
 * its handles need, DEFINE_FREE() and __free();
 * GPUCORE_FORCE_CLEANUP_FALLBACK selects them on any kernel so the fallback
 * stays compile-tested.
 */
#ifndef _GPUCORE_CLEANUP_H_
#define _GPUCORE_CLEANUP_H_

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/spinlock.h>	/* brings in <linux/cleanup.h> where it exists */
#include <linux/string.h>

#ifdef GPUCORE_FORCE_CLEANUP_FALLBACK
#undef DEFINE_FREE
#undef __free
#endif

#ifndef DEFINE_FREE
#define DEFINE_FREE(_name, _type, _free) \
	static inline void __free_##_name(void *p) { __auto_type _T = *(typeof(_type) *)p; _free; }
#define __free(_name)	__attribute__((__cleanup__(__free_##_name)))
#endif

/**
 * gc_move() - move an owned handle out of a variable
 * @h: pointer to any gpucore owned handle (a ref, a signaller, a job)
 *
 * Ownership moves to the value returned; *@h is left empty, so its scope
 * cleanup and any later put through it do nothing. This is the handle
 * counterpart of no_free_ptr(), which only works on plain pointers.
 *
 * Return: the handle *@h held.
 */
#define gc_move(h) ({						\
	__auto_type __gc_h = (h);					\
	typeof(*__gc_h) __gc_moved = *__gc_h;				\
	memset(__gc_h, 0, sizeof(*__gc_h));				\
	__gc_moved;							\
})

/**
 * gc_is_err() - does a handle returned by a constructor hold an error?
 * @h: a handle returned by value
 *
 * Constructors return their handle by value with an ERR_PTR() in place of
 * the object when they fail. Such a handle owns nothing: it need not (but
 * may) be put.
 */
#define gc_is_err(h)	IS_ERR((h).ptr)

/**
 * gc_err() - the errno of a failed constructor's handle
 * @h: a handle for which gc_is_err() is true
 *
 * Return: the negative errno stored in @h.
 */
#define gc_err(h)	PTR_ERR((h).ptr)

/**
 * __gc_no_ptr() - IS_ERR_OR_NULL() in one unsigned comparison
 * @ptr: the pointer a handle holds or is given
 *
 * NULL wraps round to the top of the errno range, so one comparison tests
 * both, and the compiler can hoist it out of a loop: the inline handle
 * operations test their pointers with it.
 *
 * Return: true for NULL or an ERR_PTR().
 */
static inline bool __gc_no_ptr(const void *ptr)
{
	return unlikely((unsigned long)ptr - 1 >= (unsigned long)-MAX_ERRNO - 1);
}

#endif /* _GPUCORE_CLEANUP_H_ */
