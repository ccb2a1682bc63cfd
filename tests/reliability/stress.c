// SPDX-License-Identifier: MIT
/*
 * stress: threads that race the AGX driver's teardown paths against work
 * in flight, for a bounded time.
 *
 *   stress [-t SECONDS] [-j THREADS] [-s SEED] [-v]
 *
 * Each thread has files of its own (a "generation": file, VM, two queues,
 * a data BO mapped for the CPU and bound in the VM) and loops over random
 * operations:
 *
 * - chain: a producer on queue A copies CPU-written data into x and
 *   signals a binary syncobj and a timeline point; a consumer on queue B
 *   waits for one of them and computes dst = k * x + y;
 * - resolve: wait for a chain's fences and judge them;
 * - bind/unbind of a scratch BO while jobs use the VM, and closing the
 *   scratch BO's handle while it is bound;
 * - destroy a queue, or the VM, with work in flight, and replace it;
 * - close the file with work in flight (the chains' fences live on as
 *   sync_files, the data BO through its mapping) and open a new one;
 * - submit a HANG job, which bans its queue after the driver's timeout.
 *
 * At the end every fence the program created has signalled (each is
 * waited for with a limit); an error is allowed only where documented:
 * -ECANCELED, -ETIMEDOUT, -EIO, -ENODEV, and -EFAULT for work of a
 * destroyed VM. A chain nothing disturbed must complete without error,
 * and every chain whose two jobs completed without error has a dst whose
 * every byte is right. Then a fresh file computes right.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "rel.h"

#define SLOTS		16
#define WORDS		256
#define VEC_BYTES	(WORDS * 4)
/* A slot: src, x, y, dst. */
#define SLOT_BYTES	(4 * VEC_BYTES)
#define DATA_BYTES	(SLOTS * SLOT_BYTES)
#define SCRATCH_BYTES	8192
#define SCRATCH_VAS	8
/* The longest a fence may take to signal, hangs and a slow VM included. */
#define FENCE_LIMIT_MS	30000
#define MAX_THREADS	16

/* What happened to a chain while it was pending. */
#define DIST_QUEUE	0x1
#define DIST_VM		0x2
#define DIST_CLOSE	0x4
#define DIST_HANG	0x8

enum op {
	OP_CHAIN, OP_RESOLVE, OP_BIND, OP_SCRATCH_CLOSE, OP_QUEUE_DESTROY, OP_VM_DESTROY,
	OP_CLOSE, OP_HANG, NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	"chain", "resolve", "bind/unbind", "scratch_close", "queue_destroy", "vm_destroy",
	"close", "hang",
};

/* Weights of the operations, out of their sum. */
static const unsigned int op_weight[NR_OPS] = { 40, 22, 20, 3, 5, 3, 3, 1 };

/* A file and what lives in it; its mapping outlives it while chains use it. */
struct gen {
	int fd;
	__u32 vm, qa, qb, tl;
	__u64 tl_point;
	__u32 data, scratch;
	unsigned char *map;
	__u64 va, scratch_va;
	bool scratch_bound[SCRATCH_VAS];
	/* a HANG job went to queue A: what follows it there is cancelled */
	bool qa_hung;
	unsigned int refs;
	bool closed;
};

/* A chain (or a lone HANG job, with no consumer). */
struct rec {
	bool used;
	struct gen *g;
	unsigned int slot;
	__u32 sp, sc;
	int fp, fc;
	__u64 point;
	__u32 k;
	unsigned int dist;
	bool hang;
	unsigned long seq;
};

struct thread {
	pthread_t tid;
	unsigned int id;
	struct rel_rng rng;
	struct gen *g;
	struct rec recs[SLOTS];
	unsigned long seq;
	unsigned long ops[NR_OPS];
	unsigned long held;
};

/* Totals of all threads. */
static struct {
	unsigned long fences, ok, by_err[5], unsignalled, bad_status;
	unsigned long results, wrong, consumer_after_failed_producer, undisturbed_failed;
	char first_fence[256], first_result[256];
	pthread_mutex_t lock;
} tot = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const int known_errors[] = { ECANCELED, ETIMEDOUT, EIO, ENODEV, EFAULT };

static double end_time;

/* note_first(buf, fmt, ...): keep the first problem of its kind. */
#define note_first(buf, ...)	set_first((buf), sizeof(buf), rel_fmt(__VA_ARGS__))

static void set_first(char *buf, size_t len, const char *text)
{
	size_t n = strnlen(text, len - 1);

	pthread_mutex_lock(&tot.lock);
	if (!buf[0]) {
		memcpy(buf, text, n);
		buf[n] = 0;
	}
	pthread_mutex_unlock(&tot.lock);
}

static unsigned char *slot_ptr(struct gen *g, unsigned int slot, unsigned int vec)
{
	return g->map + slot * SLOT_BYTES + vec * VEC_BYTES;
}

static __u64 slot_va(struct gen *g, unsigned int slot, unsigned int vec)
{
	return g->va + slot * SLOT_BYTES + vec * VEC_BYTES;
}

/* -- generations ---------------------------------------------------------- */

static bool new_queue(struct gen *g, __u32 *q)
{
	return expect_ok(agx_queue_create(g->fd, g->vm, DRM_AGX_PRIORITY_NORMAL, q),
			 "QUEUE_CREATE");
}

/* A new VM with the data BO bound, and new queues on it. */
static bool new_vm(struct gen *g)
{
	memset(g->scratch_bound, 0, sizeof(g->scratch_bound));
	g->qa_hung = false;
	return expect_ok(agx_vm_create(g->fd, &g->vm), "VM_CREATE") &&
	       expect_ok(agx_bind(g->fd, g->vm, DRM_AGX_BIND_OP_MAP,
				  DRM_AGX_BIND_READ | DRM_AGX_BIND_WRITE, g->data, 0, g->va,
				  DATA_BYTES), "VM_BIND of the data BO") &&
	       new_queue(g, &g->qa) && new_queue(g, &g->qb);
}

static struct gen *gen_open(void)
{
	struct drm_agx_params p;
	struct gen *g = calloc(1, sizeof(*g));
	int fd;

	if (!expect(g, "out of memory"))
		return NULL;
	fd = agx_open();
	if (!expect(fd >= 0, "open: %s", strerror(-fd))) {
		free(g);
		return NULL;
	}
	g->fd = fd;
	if (!expect_ok(agx_get_params(fd, &p), "GET_PARAMS"))
		goto fail;
	g->va = p.va_start + p.page_size;
	g->scratch_va = g->va + DATA_BYTES + p.page_size;
	g->tl = sync_new(fd);
	if (!g->tl || !expect_ok(agx_gem_create(fd, DATA_BYTES, &g->data), "GEM_CREATE") ||
	    !expect_ok(agx_gem_create(fd, SCRATCH_BYTES, &g->scratch), "GEM_CREATE"))
		goto fail;
	g->map = agx_gem_mmap(fd, g->data, DATA_BYTES);
	if (!expect(g->map, "mmap of the data BO: %s", strerror(errno)) || !new_vm(g))
		goto fail;
	return g;
fail:
	if (g->map)
		munmap(g->map, DATA_BYTES);
	close(fd);
	free(g);
	return NULL;
}

/* Drop a chain's hold on its generation; the last one frees a closed one. */
static void gen_put(struct gen *g)
{
	if (--g->refs || !g->closed)
		return;
	munmap(g->map, DATA_BYTES);
	free(g);
}

/* -- chains --------------------------------------------------------------- */

static bool allowed_error(const struct rec *r, int status)
{
	if (status == -ECANCELED || status == -ETIMEDOUT || status == -EIO || status == -ENODEV)
		return true;
	return status == -EFAULT && (r->dist & DIST_VM);
}

static void count_status(int status)
{
	unsigned int i;

	__atomic_add_fetch(&tot.fences, 1, __ATOMIC_RELAXED);
	if (status == 1) {
		__atomic_add_fetch(&tot.ok, 1, __ATOMIC_RELAXED);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(known_errors); i++)
		if (status == -known_errors[i])
			__atomic_add_fetch(&tot.by_err[i], 1, __ATOMIC_RELAXED);
}

/* wait_fence(): the fence's status (1 or -error), or 0 if it never signalled. */
static int wait_fence(struct rec *r, __u32 syncobj, int sync_file, const char *what)
{
	int status = 0, err;

	if (sync_file >= 0) {
		err = wait_file(sync_file, FENCE_LIMIT_MS);
		if (!err)
			err = file_status(sync_file, &status);
	} else {
		err = sync_wait(r->g->fd, syncobj, 0, FENCE_LIMIT_MS);
		if (!err)
			err = sync_status(r->g->fd, syncobj, &status);
	}
	if (err || status == 0) {
		__atomic_add_fetch(&tot.unsignalled, 1, __ATOMIC_RELAXED);
		note_first(tot.first_fence, "%s of chain %lu not signalled after %d ms (%s)",
			   what, r->seq, FENCE_LIMIT_MS, rel_errname(err));
		return 0;
	}
	count_status(status);
	if (status != 1 && !allowed_error(r, status)) {
		__atomic_add_fetch(&tot.bad_status, 1, __ATOMIC_RELAXED);
		note_first(tot.first_fence, "%s of chain %lu: %s not allowed (disturbed %#x)",
			   what, r->seq, rel_errname(status), r->dist);
	}
	if (status != 1 && !r->dist) {
		__atomic_add_fetch(&tot.undisturbed_failed, 1, __ATOMIC_RELAXED);
		note_first(tot.first_fence, "%s of chain %lu failed %s, nothing disturbed it",
			   what, r->seq, rel_errname(status));
	}
	return status;
}

static void check_result(struct rec *r)
{
	__u32 *src = (__u32 *)slot_ptr(r->g, r->slot, 0);
	__u32 *y = (__u32 *)slot_ptr(r->g, r->slot, 2);
	__u32 *dst = (__u32 *)slot_ptr(r->g, r->slot, 3);
	__u32 want[WORDS];
	unsigned int i;

	for (i = 0; i < WORDS; i++)
		want[i] = r->k * src[i] + y[i];
	__atomic_add_fetch(&tot.results, 1, __ATOMIC_RELAXED);
	if (!memcmp(dst, want, sizeof(want)))
		return;
	for (i = 0; i < sizeof(want) && ((unsigned char *)dst)[i] == ((unsigned char *)want)[i];
	     i++)
		;
	__atomic_add_fetch(&tot.wrong, 1, __ATOMIC_RELAXED);
	note_first(tot.first_result, "chain %lu: dst byte %u is %#x, want %#x (disturbed %#x)",
		   r->seq, i, ((unsigned char *)dst)[i], ((unsigned char *)want)[i], r->dist);
}

static void resolve(struct rec *r)
{
	int p, c = 1;

	p = wait_fence(r, r->sp, r->fp, r->hang ? "HANG job" : "producer");
	if (r->sc)
		c = wait_fence(r, r->sc, r->fc, "consumer");
	if (r->hang) {
		if (p == 1) {
			note_first(tot.first_fence, "HANG job %lu completed without error", r->seq);
			__atomic_add_fetch(&tot.bad_status, 1, __ATOMIC_RELAXED);
		}
	} else if (r->sc && p == 1 && c == 1) {
		check_result(r);
	} else if (r->sc && p != 1 && c == 1) {
		/* Dependency errors are not passed on: the consumer ran on stale x. */
		__atomic_add_fetch(&tot.consumer_after_failed_producer, 1, __ATOMIC_RELAXED);
	}
	if (!r->g->closed) {
		/* The producer's timeline point signalled with it. */
		if (!r->hang && p)
			expect_ok(sync_wait(r->g->fd, r->g->tl, r->point, 0), "timeline point");
		sync_free(r->g->fd, r->sp);
		if (r->sc)
			sync_free(r->g->fd, r->sc);
	}
	if (r->fp >= 0)
		close(r->fp);
	if (r->fc >= 0)
		close(r->fc);
	gen_put(r->g);
	memset(r, 0, sizeof(*r));
}

static struct rec *oldest(struct thread *t)
{
	struct rec *best = NULL;
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (t->recs[i].used && (!best || t->recs[i].seq < best->seq))
			best = &t->recs[i];
	return best;
}

static struct rec *free_slot(struct thread *t)
{
	unsigned int i;
	struct rec *r;

	for (i = 0; i < SLOTS; i++)
		if (!t->recs[i].used)
			return &t->recs[i];
	r = oldest(t);
	resolve(r);
	t->ops[OP_RESOLVE]++;
	return r;
}

/* Mark what a teardown of @g disturbs. */
static void disturb(struct thread *t, struct gen *g, unsigned int what)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (t->recs[i].used && t->recs[i].g == g)
			t->recs[i].dist |= what;
}

/* A queue banned after a hang refuses work with -EIO: replace it. */
static bool replace_queue(struct thread *t, __u32 *q)
{
	disturb(t, t->g, DIST_QUEUE);
	if (q == &t->g->qa)
		t->g->qa_hung = false;
	return expect_ok(agx_queue_destroy(t->g->fd, *q), "QUEUE_DESTROY") &&
	       new_queue(t->g, q);
}

static int submit(struct thread *t, __u32 *q, struct agx_job *j)
{
	int err = job_submit(t->g->fd, *q, j);

	if (err == -EIO && replace_queue(t, q))
		err = job_submit(t->g->fd, *q, j);
	return err;
}

static void op_chain(struct thread *t)
{
	struct rec *r = free_slot(t);
	struct gen *g = t->g;
	unsigned int slot = r - t->recs, i;
	__u32 *src = (__u32 *)slot_ptr(g, slot, 0), *y = (__u32 *)slot_ptr(g, slot, 2);
	__u32 *dst = (__u32 *)slot_ptr(g, slot, 3);
	struct agx_job j;

	memset(r, 0, sizeof(*r));
	r->fp = -1;
	r->fc = -1;
	r->g = g;
	r->slot = slot;
	r->seq = ++t->seq;
	r->k = (__u32)rel_rand(&t->rng) | 1;
	for (i = 0; i < WORDS; i++) {
		src[i] = (__u32)rel_rand(&t->rng);
		y[i] = (__u32)rel_rand(&t->rng);
		dst[i] = ~(r->k * src[i] + y[i]);
	}
	r->sp = sync_new(g->fd);
	r->sc = sync_new(g->fd);
	if (!r->sp || !r->sc)
		goto fail;
	r->point = ++g->tl_point;
	if (g->qa_hung)
		r->dist |= DIST_HANG;
	job_init(&j);
	job_stall(&j, rel_below(&t->rng, 3000));
	job_copy(&j, slot_va(g, slot, 1), slot_va(g, slot, 0), VEC_BYTES);
	job_signal(&j, r->sp, 0);
	job_signal(&j, g->tl, r->point);
	if (!expect_ok(submit(t, &g->qa, &j), "SUBMIT of a producer"))
		goto fail;
	r->used = true;
	g->refs++;
	job_init(&j);
	if (rel_chance(&t->rng, 50))
		job_wait_on(&j, r->sp, 0);
	else
		job_wait_on(&j, g->tl, r->point);
	job_axpy(&j, slot_va(g, slot, 3), slot_va(g, slot, 1), slot_va(g, slot, 2), r->k, WORDS);
	job_signal(&j, r->sc, 0);
	if (!expect_ok(submit(t, &g->qb, &j), "SUBMIT of a consumer")) {
		sync_free(g->fd, r->sc);
		r->sc = 0;
	}
	return;
fail:
	sync_free(g->fd, r->sp);
	sync_free(g->fd, r->sc);
	memset(r, 0, sizeof(*r));
}

static void op_hang(struct thread *t)
{
	struct rec *r = free_slot(t);
	struct gen *g = t->g;
	struct agx_job j;

	memset(r, 0, sizeof(*r));
	r->fp = -1;
	r->fc = -1;
	r->g = g;
	r->seq = ++t->seq;
	r->hang = true;
	r->dist = DIST_HANG;
	r->sp = sync_new(g->fd);
	if (!r->sp)
		return;
	job_init(&j);
	job_hang(&j);
	job_signal(&j, r->sp, 0);
	if (!expect_ok(submit(t, &g->qa, &j), "SUBMIT of a HANG job")) {
		sync_free(g->fd, r->sp);
		memset(r, 0, sizeof(*r));
		return;
	}
	r->used = true;
	g->refs++;
	/* Everything on queue A is its victim, and what follows it there. */
	disturb(t, g, DIST_HANG);
	g->qa_hung = true;
}

static void op_bind(struct thread *t)
{
	struct gen *g = t->g;
	unsigned int i = rel_below(&t->rng, SCRATCH_VAS);
	__u64 va = g->scratch_va + i * 2ull * SCRATCH_BYTES;

	if (g->scratch_bound[i]) {
		expect_ok(agx_bind(g->fd, g->vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, va, SCRATCH_BYTES),
			  "VM_BIND unmap of the scratch BO");
		g->scratch_bound[i] = false;
	} else {
		int err = agx_bind(g->fd, g->vm, DRM_AGX_BIND_OP_MAP, DRM_AGX_BIND_READ,
				   g->scratch, 0, va, SCRATCH_BYTES);

		/* An unbind deferred for work in flight still holds the range. */
		if (err == -EEXIST)
			t->held++;
		else if (expect_ok(err, "VM_BIND map of the scratch BO"))
			g->scratch_bound[i] = true;
	}
}

/* Close the scratch BO's handle while it may be bound: the mappings keep it. */
static void op_scratch_close(struct thread *t)
{
	struct gen *g = t->g;

	expect_ok(agx_gem_close(g->fd, g->scratch), "GEM_CLOSE of the scratch BO");
	expect_ok(agx_gem_create(g->fd, SCRATCH_BYTES, &g->scratch), "GEM_CREATE");
}

static void op_queue_destroy(struct thread *t)
{
	replace_queue(t, rel_chance(&t->rng, 50) ? &t->g->qa : &t->g->qb);
}

static void op_vm_destroy(struct thread *t)
{
	struct gen *g = t->g;

	disturb(t, g, DIST_VM | DIST_QUEUE);
	expect_ok(agx_vm_destroy(g->fd, g->vm), "VM_DESTROY");
	/* The old queues keep the empty VM: they go too. */
	expect_ok(agx_queue_destroy(g->fd, g->qa), "QUEUE_DESTROY");
	expect_ok(agx_queue_destroy(g->fd, g->qb), "QUEUE_DESTROY");
	new_vm(g);
}

/* Close the file with work in flight; the chains' fences live on as sync_files. */
static bool op_close(struct thread *t)
{
	struct gen *g = t->g, *n;
	unsigned int i;

	for (i = 0; i < SLOTS; i++) {
		struct rec *r = &t->recs[i];

		if (!r->used || r->g != g)
			continue;
		r->dist |= DIST_CLOSE;
		expect_ok(sync_export(g->fd, r->sp, &r->fp), "export of a producer's fence");
		if (r->sc)
			expect_ok(sync_export(g->fd, r->sc, &r->fc), "export of a consumer fence");
	}
	expect(!close(g->fd), "close: %s", strerror(errno));
	g->closed = true;
	g->refs++;
	gen_put(g);
	n = gen_open();
	t->g = n;
	return n;
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	unsigned int total = 0, i, pick;
	enum op op;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	t->g = gen_open();
	while (t->g && now_s() < end_time && !rel_failures()) {
		pick = rel_below(&t->rng, total);
		for (op = 0; pick >= op_weight[op]; op++)
			pick -= op_weight[op];
		switch (op) {
		case OP_CHAIN:
			op_chain(t);
			break;
		case OP_RESOLVE:
			if (!oldest(t))
				continue;
			resolve(oldest(t));
			break;
		case OP_BIND:
			op_bind(t);
			break;
		case OP_SCRATCH_CLOSE:
			op_scratch_close(t);
			break;
		case OP_QUEUE_DESTROY:
			op_queue_destroy(t);
			break;
		case OP_VM_DESTROY:
			op_vm_destroy(t);
			break;
		case OP_CLOSE:
			op_close(t);
			break;
		case OP_HANG:
			op_hang(t);
			break;
		default:
			break;
		}
		t->ops[op]++;
	}
	/* Every fence must signal, whatever state the thread ended in. */
	for (i = 0; i < SLOTS; i++)
		if (t->recs[i].used)
			resolve(&t->recs[i]);
	if (t->g) {
		close(t->g->fd);
		t->g->closed = true;
		t->g->refs++;
		gen_put(t->g);
	}
	return NULL;
}

static void run(void *arg)
{
	static struct thread threads[MAX_THREADS];
	unsigned long ops[NR_OPS] = { 0 }, all = 0, held = 0;
	char text[512] = "", errs[256] = "";
	double t0 = now_s(), secs;
	unsigned int i, k;

	(void)arg;
	end_time = t0 + opts.seconds;
	for (i = 0; i < opts.threads; i++) {
		threads[i].id = i;
		rel_rng_seed(&threads[i].rng, opts.seed + i * 0x51ed2701u);
		if (!expect(!pthread_create(&threads[i].tid, NULL, thread_main, &threads[i]),
			    "pthread_create"))
			return;
	}
	for (i = 0; i < opts.threads; i++)
		pthread_join(threads[i].tid, NULL);
	secs = now_s() - t0;
	for (i = 0; i < opts.threads; i++)
		for (k = 0; k < NR_OPS; k++) {
			ops[k] += threads[i].ops[k];
			all += threads[i].ops[k];
		}
	for (k = 0; k < NR_OPS; k++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s %lu",
			 k ? ", " : "", op_names[k], ops[k]);
	for (i = 0; i < opts.threads; i++)
		held += threads[i].held;
	rel_note("%u threads, %.1f s, %lu operations: %s", opts.threads, secs, all, text);
	rel_say("%lu maps found their range still held by a deferred unbind (-EEXIST)", held);
	for (k = 0; k < ARRAY_SIZE(known_errors); k++)
		if (tot.by_err[k])
			snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), ", %lu %s",
				 tot.by_err[k], rel_errname(known_errors[k]));
	if (tot.first_fence[0])
		rel_result(false, "fences", "%s (of %lu: %lu unsignalled, %lu bad, %lu %s)",
			   tot.first_fence, tot.fences, tot.unsignalled, tot.bad_status,
			   tot.undisturbed_failed, "undisturbed that failed");
	else
		rel_result(tot.fences, "fences", "%lu fences signalled: %lu ok%s", tot.fences,
			   tot.ok, errs);
	if (tot.first_result[0])
		rel_result(false, "results", "%s (%lu of %lu wrong)", tot.first_result, tot.wrong,
			   tot.results);
	else
		rel_result(tot.results, "results", "%lu chains computed byte-exact results",
			   tot.results);
	if (tot.consumer_after_failed_producer)
		rel_say("%lu consumers ran, without error, after their producer failed",
			tot.consumer_after_failed_producer);
}

static void works(void *arg)
{
	struct rel_rng r;

	(void)arg;
	rel_rng_seed(&r, opts.seed ^ 0x3e11);
	if (rel_works(&r, "AXPY after the stress"))
		rel_note("a fresh file computes a 1024-word AXPY right");
}

int main(int argc, char **argv)
{
	static const struct rel_opts defaults = {
		.name = "stress",
		.seconds = 20,
		.threads = 4,
	};

	rel_init(&defaults, "  -t SECONDS  how long the threads run (20)\n"
		 "  -j THREADS  how many (4, at most 16)\n", argc, argv);
	if (opts.threads > MAX_THREADS)
		opts.threads = MAX_THREADS;
	rel_say("seed %llu, %u threads, %.0f s", (unsigned long long)opts.seed, opts.threads,
		opts.seconds);
	rel_run("run", opts.seconds + 3.0 * FENCE_LIMIT_MS / 1000 + 60, run, NULL);
	rel_run("works", 120, works, NULL);
	return rel_finish();
}
