/* SPDX-License-Identifier: MIT */
/*
 * The runner shared by the reliability programs of the AGX driver
 * (failnth, stress, fuzz, unplug). Each program is a list of checks; a
 * check runs in a child process with a time limit, so that a crash or an
 * ioctl that never returns is that check's failure. Output, one line per
 * check and a summary:
 *
 *   NAME: PASS what (figures)
 *   NAME: FAIL what: why
 *   NAME: N passed, N failed
 *
 * Lines "NAME: # ..." carry figures and notes. The runner also implements
 * the reporting side of tests/uapi/harness.h (expect() and friends), so the
 * helpers of tests/uapi/agx.c work unchanged: a failed expect() inside a
 * check fails that check, with the first reason.
 */
#ifndef AGX_REL_H
#define AGX_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "agx.h"
#include "harness.h"

/* Common options: -s SEED -t SECONDS -n COUNT -j THREADS -v. */
struct rel_opts {
	const char *name;
	__u64 seed;
	double seconds;
	unsigned long count;
	unsigned int threads;
	bool verbose;
	/* the program takes arguments besides the options (then in args) */
	bool takes_args;
	char **args;
	int nargs;
};

extern struct rel_opts opts;

/*
 * rel_init(): parse the common options over the defaults in @defaults
 * (whose name is the program's NAME); @usage describes what -t, -n and -j
 * mean for the program. Exits with status 2 on a bad option.
 */
void rel_init(const struct rel_opts *defaults, const char *usage, int argc, char **argv);

/*
 * rel_run(): run @fn(@arg) in a child process and print its PASS or FAIL
 * line. The check fails if an expect() failed, if the child crashed, or if
 * it ran past @limit_s seconds (or a watched call past its own limit).
 */
bool rel_run(const char *what, double limit_s, void (*fn)(void *arg), void *arg);

/*
 * Output. The macros format into the calling thread's rel_buf (so that the
 * compiler checks the format, as for expect()) and pass the text on:
 *
 * rel_note(fmt, ...): the figures of the PASS line of the running check;
 * rel_say(fmt, ...): a "NAME: # ..." line, always printed;
 * rel_result(ok, what, fmt, ...): a result line of its own, printed and
 *	counted at once, from the parent or from a check's child (the counters
 *	are shared); the text is the reason of a failure or the figures of a
 *	pass ("%s", "" for none);
 * rel_kmsg(fmt, ...): a line "NAME: ..." in the kernel log, to place kernel
 *	messages.
 */
extern __thread char rel_buf[1024];

#define rel_fmt(...)	(snprintf(rel_buf, sizeof(rel_buf), __VA_ARGS__), rel_buf)
#define rel_note(...)	rel_note_text(rel_fmt(__VA_ARGS__))
#define rel_say(...)	rel_say_text(rel_fmt(__VA_ARGS__))
#define rel_result(ok, what, ...) rel_result_text((ok), (what), rel_fmt(__VA_ARGS__))
#define rel_kmsg(...)	rel_kmsg_text(rel_fmt(__VA_ARGS__))

void rel_note_text(const char *text);
void rel_say_text(const char *text);
bool rel_result_text(bool ok, const char *what, const char *text);
void rel_kmsg_text(const char *text);

/* rel_finish(): print the summary; the exit status for main(). */
int rel_finish(void);

/* rel_failures(): failures recorded so far by the running check. */
int rel_failures(void);

/*
 * rel_watch_begin(), rel_watch_end(): around a call that must return
 * within @limit_s; the parent fails the check naming @what if it does not.
 * One watched call per process at a time (the last begin wins).
 */
void rel_watch_begin(const char *what, double limit_s);
void rel_watch_end(void);

/* A small seedable generator (splitmix64): reproducible runs from a seed. */
struct rel_rng {
	__u64 s;
};

void rel_rng_seed(struct rel_rng *r, __u64 seed);
__u64 rel_rand(struct rel_rng *r);
/* rel_below(): uniform in [0, n), n > 0. */
__u32 rel_below(struct rel_rng *r, __u32 n);
/* rel_chance(): true with probability pct percent. */
bool rel_chance(struct rel_rng *r, unsigned int pct);

/* errno names, for the lines: "ENOMEM", "success" for 0. */
const char *rel_errname(int err);

/*
 * The AXPY check: three buffers bound in a fixture's VM; rel_axpy_check()
 * fills x and y with random words, poisons dst, runs dst = a * x + y on
 * @queue and compares every byte of dst with what the CPU computes.
 */
struct rel_axpy {
	struct agx_buf x, y, dst;
	unsigned int n;
};

bool rel_axpy_init(struct agx *a, struct rel_axpy *v, unsigned int n);
void rel_axpy_fini(struct agx *a, struct rel_axpy *v);
bool rel_axpy_check(struct agx *a, __u32 queue, struct rel_axpy *v, struct rel_rng *r,
		    const char *what);

/* rel_works(): a fresh file, VM and queue compute an AXPY correctly. */
bool rel_works(struct rel_rng *r, const char *what);

/* rel_cmp(): compare @len bytes; on a difference, fail naming the first byte. */
bool rel_cmp(const void *got, const void *want, size_t len, const char *what);

/* rel_has_vgem(): a vgem device is there (fences that user space signals). */
bool rel_has_vgem(void);

#endif /* AGX_REL_H */
