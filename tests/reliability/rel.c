// SPDX-License-Identifier: MIT
/*
 * The runner of the reliability programs (see rel.h), and the reporting
 * side of tests/uapi/harness.h for the helpers of tests/uapi/agx.c. The
 * uapi suite's runner (harness.c) carries that suite's main() and case
 * table, so these programs bring their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rel.h"

/* Calls watched at once (one per thread of a check). */
#define REL_WATCH_SLOTS	32
/* How long a killed child may take to go before the runner gives up on it. */
#define REL_KILL_GRACE_S	5.0

char t_msg[512];
const size_t t_msg_size = sizeof(t_msg);
bool t_verbose;

struct rel_opts opts;
__thread char rel_buf[1024];

struct rel_watch {
	__s64 started_us;	/* 0 when idle */
	double limit;
	char what[128];
};

/* Shared between the runner and the child of the running check. */
struct rel_shared {
	unsigned int passed, failed;
	int failures;
	unsigned int next_slot;
	char reason[sizeof(t_msg) + 64];
	char note[512];
	struct rel_watch watch[REL_WATCH_SLOTS];
};

static struct rel_shared *sh;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int watch_slot = -1;

const char *rel_errname(int err)
{
	const char *name;

	if (!err)
		return "success";
	name = strerrorname_np(err < 0 ? -err : err);
	return name ? name : "unknown errno";
}

bool t_fail(const char *file, int line)
{
	const char *base = strrchr(file, '/');

	pthread_mutex_lock(&fail_lock);
	if (!sh->failures++)
		snprintf(sh->reason, sizeof(sh->reason), "%s (%s:%d)", t_msg,
			 base ? base + 1 : file, line);
	else if (opts.verbose)
		printf("%s: #   also: %s (%s:%d)\n", opts.name, t_msg, base ? base + 1 : file,
		       line);
	pthread_mutex_unlock(&fail_lock);
	return false;
}

bool t_ok(int err, const char *what, const char *file, int line)
{
	if (!err)
		return true;
	snprintf(t_msg, sizeof(t_msg), "%s: %s", what, rel_errname(err));
	return t_fail(file, line);
}

bool t_err(int err, int want, int also, const char *what, const char *file, int line)
{
	if (err == -want || (also && err == -also))
		return true;
	if (also)
		snprintf(t_msg, sizeof(t_msg), "%s: want %s or %s, got %s", what,
			 rel_errname(want), rel_errname(also), rel_errname(err));
	else
		snprintf(t_msg, sizeof(t_msg), "%s: want %s, got %s", what, rel_errname(want),
			 rel_errname(err));
	return t_fail(file, line);
}

void t_info(const char *msg)
{
	if (t_verbose)
		printf("%s: # %s\n", opts.name, msg);
}

int rel_failures(void)
{
	return __atomic_load_n(&sh->failures, __ATOMIC_RELAXED);
}

void rel_note_text(const char *text)
{
	snprintf(sh->note, sizeof(sh->note), "%s", text);
}

void rel_say_text(const char *text)
{
	printf("%s: # %s\n", opts.name, text);
}

bool rel_result_text(bool ok, const char *what, const char *text)
{
	if (ok) {
		__atomic_add_fetch(&sh->passed, 1, __ATOMIC_RELAXED);
		printf("%s: PASS %s%s%s%s\n", opts.name, what, *text ? " (" : "", text,
		       *text ? ")" : "");
	} else {
		__atomic_add_fetch(&sh->failed, 1, __ATOMIC_RELAXED);
		printf("%s: FAIL %s: %s\n", opts.name, what, *text ? text : "failed");
	}
	fflush(stdout);
	return ok;
}

void rel_kmsg_text(const char *text)
{
	char line[256];
	int fd, len;

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%s: %s\n", opts.name, text);
	if (len >= (int)sizeof(line)) {
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	/* The marker only helps to read the log: a failed write is no failure. */
	len = write(fd, line, len);
	close(fd);
}

void rel_watch_begin(const char *what, double limit_s)
{
	struct rel_watch *w;

	if (watch_slot < 0)
		watch_slot = __atomic_fetch_add(&sh->next_slot, 1, __ATOMIC_RELAXED) %
			     REL_WATCH_SLOTS;
	w = &sh->watch[watch_slot];
	__atomic_store_n(&w->started_us, 0, __ATOMIC_RELEASE);
	snprintf(w->what, sizeof(w->what), "%s", what);
	w->limit = limit_s;
	__atomic_store_n(&w->started_us, (__s64)(now_s() * 1e6) + 1, __ATOMIC_RELEASE);
}

void rel_watch_end(void)
{
	if (watch_slot >= 0)
		__atomic_store_n(&sh->watch[watch_slot].started_us, 0, __ATOMIC_RELEASE);
}

/* A watched call past its limit: its description, or NULL. */
static const char *overdue(void)
{
	double t = now_s();
	int i;

	for (i = 0; i < REL_WATCH_SLOTS; i++) {
		struct rel_watch *w = &sh->watch[i];
		__s64 started = __atomic_load_n(&w->started_us, __ATOMIC_ACQUIRE);

		if (started && t - started / 1e6 > w->limit)
			return w->what;
	}
	return NULL;
}

bool rel_run(const char *what, double limit_s, void (*fn)(void *arg), void *arg)
{
	double start = now_s(), limit = start + limit_s;
	char why[sizeof(sh->reason) + 256] = "";
	bool killed = false;
	const char *late;
	int status = 0;
	pid_t pid, ret;

	sh->failures = 0;
	sh->reason[0] = 0;
	sh->note[0] = 0;
	sh->next_slot = 0;
	memset(sh->watch, 0, sizeof(sh->watch));
	rel_kmsg("check %s", what);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return rel_result(false, what, "fork: %s", strerror(errno));
	if (!pid) {
		fn(arg);
		fflush(stdout);
		_exit(sh->failures ? 1 : 0);
	}
	for (;;) {
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid || (ret < 0 && errno != EINTR))
			break;
		if (!killed) {
			late = overdue();
			if (late || now_s() > limit) {
				if (late)
					snprintf(why, sizeof(why), "%.127s did not return in time",
						 late);
				else
					snprintf(why, sizeof(why), "no result after %.0f s",
						 limit_s);
				killed = true;
				kill(pid, SIGKILL);
				limit = now_s() + REL_KILL_GRACE_S;
			}
		} else if (now_s() > limit) {
			/* Stuck in the kernel: give up on it. */
			strncat(why, " (the process is stuck and could not be killed)",
				sizeof(why) - strlen(why) - 1);
			break;
		}
		sleep_ms(5);
	}
	if (opts.verbose)
		rel_say("%s took %.2f s", what, now_s() - start);
	if (killed) {
		if (sh->failures)
			rel_say("  first failure before that: %s", sh->reason);
		return rel_result(false, what, "%s", why);
	}
	if (WIFSIGNALED(status))
		return rel_result(false, what, "killed by signal %d (%s)%s%s", WTERMSIG(status),
				  strsignal(WTERMSIG(status)), sh->failures ? " after: " : "",
				  sh->failures ? sh->reason : "");
	if (sh->failures)
		return rel_result(false, what, "%s", sh->reason);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return rel_result(false, what, "exited with status %d", WEXITSTATUS(status));
	return rel_result(true, what, "%s", sh->note);
}

int rel_finish(void)
{
	printf("%s: %u passed, %u failed\n", opts.name, sh->passed, sh->failed);
	fflush(stdout);
	return sh->failed ? 1 : 0;
}

static void print_usage(const char *argv0, const char *text)
{
	fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-n COUNT] [-j THREADS] [-v]%s\n%s",
		argv0, opts.takes_args ? " [ARG...]" : "", text);
}

void rel_init(const struct rel_opts *defaults, const char *text, int argc, char **argv)
{
	char *end;
	int c;

	opts = *defaults;
	opts.seed = (__u64)time(NULL) * 1000003u ^ (__u64)getpid();
	while ((c = getopt(argc, argv, "s:t:n:j:vh")) != -1) {
		end = NULL;
		switch (c) {
		case 's':
			opts.seed = strtoull(optarg, &end, 0);
			break;
		case 't':
			opts.seconds = strtod(optarg, &end);
			break;
		case 'n':
			opts.count = strtoul(optarg, &end, 0);
			break;
		case 'j':
			opts.threads = strtoul(optarg, &end, 0);
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'h':
			print_usage(argv[0], text);
			exit(0);
		default:
			print_usage(argv[0], text);
			exit(2);
		}
		if (end && *end) {
			print_usage(argv[0], text);
			exit(2);
		}
	}
	opts.args = argv + optind;
	opts.nargs = argc - optind;
	if ((opts.nargs && !opts.takes_args) || !opts.threads) {
		print_usage(argv[0], text);
		exit(2);
	}
	t_verbose = opts.verbose;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	/* Checks run in children: the parent needs nothing of theirs. */
	signal(SIGPIPE, SIG_IGN);
}

/* -- random numbers ------------------------------------------------------- */

void rel_rng_seed(struct rel_rng *r, __u64 seed)
{
	r->s = seed;
}

__u64 rel_rand(struct rel_rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

__u32 rel_below(struct rel_rng *r, __u32 n)
{
	return (__u32)((rel_rand(r) >> 32) * n >> 32);
}

bool rel_chance(struct rel_rng *r, unsigned int pct)
{
	return rel_below(r, 100) < pct;
}

/* -- the AXPY check --------------------------------------------------------- */

bool rel_cmp(const void *got, const void *want, size_t len, const char *what)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	if (!memcmp(got, want, len))
		return true;
	for (i = 0; i < len && g[i] == w[i]; i++)
		;
	return expect(false, "%s: byte %zu of %zu is %#x, want %#x", what, i, len, g[i], w[i]);
}

bool rel_axpy_init(struct agx *a, struct rel_axpy *v, unsigned int n)
{
	memset(v, 0, sizeof(*v));
	v->n = n;
	if (!buf_new(a, &v->x, n * 4ul))
		return false;
	if (!buf_new(a, &v->y, n * 4ul)) {
		buf_free(a, &v->x);
		return false;
	}
	if (!buf_new(a, &v->dst, n * 4ul)) {
		buf_free(a, &v->y);
		buf_free(a, &v->x);
		return false;
	}
	return true;
}

void rel_axpy_fini(struct agx *a, struct rel_axpy *v)
{
	buf_free(a, &v->dst);
	buf_free(a, &v->y);
	buf_free(a, &v->x);
}

bool rel_axpy_check(struct agx *a, __u32 queue, struct rel_axpy *v, struct rel_rng *r,
		    const char *what)
{
	__u32 *x = buf_u32(&v->x), *y = buf_u32(&v->y), *d = buf_u32(&v->dst);
	__u32 k = (__u32)rel_rand(r) | 1, *want, saved = a->queue;
	struct agx_job j;
	unsigned int i;
	int status = 0, err;
	bool ok;

	want = malloc(v->n * sizeof(*want));
	if (!expect(want, "%s: out of memory", what))
		return false;
	for (i = 0; i < v->n; i++) {
		x[i] = (__u32)rel_rand(r);
		y[i] = (__u32)rel_rand(r);
		d[i] = ~(k * x[i] + y[i]);
		want[i] = k * x[i] + y[i];
	}
	job_init(&j);
	job_axpy(&j, v->dst.va, v->x.va, v->y.va, k, v->n);
	a->queue = queue;
	err = run_job(a, &j, &status);
	a->queue = saved;
	ok = expect_ok(err, what) &&
	     expect(status == 1, "%s: fence status %d (%s)", what, status, rel_errname(status)) &&
	     rel_cmp(d, want, v->n * sizeof(*want), what);
	free(want);
	return ok;
}

bool rel_works(struct rel_rng *r, const char *what)
{
	struct rel_axpy v;
	struct agx a;
	bool ok = false;

	if (!agx_setup(&a))
		return false;
	if (rel_axpy_init(&a, &v, 1024)) {
		ok = rel_axpy_check(&a, a.queue, &v, r, what);
		rel_axpy_fini(&a, &v);
	}
	agx_teardown(&a);
	return ok;
}

bool rel_has_vgem(void)
{
	char path[32];

	return !find_node("card", 0, "vgem", path, sizeof(path));
}
