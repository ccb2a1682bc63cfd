/* SPDX-License-Identifier: MIT */
/*
 * A tiny test framework for the AGX uapi suite. Each case runs in a child
 * process with a time limit, so that a crash or a hang in one case is that
 * case's failure; the parent prints "uapi: PASS name" or
 * "uapi: FAIL name: reason" and at the end "uapi: N passed, N failed".
 *
 * Checks never abort a case: expect() and friends record the first failure
 * and return false, and the case decides whether it can go on (usually it
 * jumps to its cleanup).
 */
#ifndef AGX_UAPI_HARNESS_H
#define AGX_UAPI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct uapi_case {
	const char *name;
	void (*run)(void);
};

/* The groups of cases, in the order they run; each ends with { NULL }. */
extern const struct uapi_case uapi_object_cases[];
extern const struct uapi_case uapi_submit_cases[];
extern const struct uapi_case uapi_sync_cases[];
extern const struct uapi_case uapi_limit_cases[];
extern const struct uapi_case uapi_teardown_cases[];

extern char t_msg[512];
/* sizeof(t_msg), not a constant: long reasons are cut short, not warned of. */
extern const size_t t_msg_size;
extern bool t_verbose;

bool t_fail(const char *file, int line);
bool t_ok(int err, const char *what, const char *file, int line);
bool t_err(int err, int want, int also, const char *what, const char *file, int line);
void t_info(const char *msg);

/*
 * expect(cond, fmt, ...): a failure with a printf-style reason unless cond
 * holds. The reason is formatted by snprintf() at the call site, so the
 * compiler checks the format.
 */
#define expect(ok, ...) \
	((ok) ? true : (snprintf(t_msg, t_msg_size, __VA_ARGS__), t_fail(__FILE__, __LINE__)))

/* expect_ok(err, what): err is 0 or -errno, as the helpers of agx.h return. */
#define expect_ok(err, what) t_ok((err), (what), __FILE__, __LINE__)

/* expect_err(err, want, what): the call failed with -want. */
#define expect_err(err, want, what) t_err((err), (want), 0, (what), __FILE__, __LINE__)

/* expect_err2(): the call failed with -want or -also. */
#define expect_err2(err, want, also, what) \
	t_err((err), (want), (also), (what), __FILE__, __LINE__)

/* info(fmt, ...): a "uapi: # ..." note, printed with -v. */
#define info(...) (snprintf(t_msg, t_msg_size, __VA_ARGS__), t_info(t_msg))

double now_s(void);
void sleep_ms(unsigned int ms);

#endif /* AGX_UAPI_HARNESS_H */
