// SPDX-License-Identifier: MIT
/*
 * unplug: unbind and rebind the AGX platform device, over and over, with
 * open files, CPU mappings and jobs in flight.
 *
 *   unplug [-n CYCLES] [-s SEED] [-v]
 *
 * Each cycle opens two files and, on the first, maps two BOs for the CPU
 * (one written before the unbind, one first touched after it), exports a
 * BO as a dma-buf, and starts a chain of jobs on one queue, a job waiting
 * for a fence that user space signals (vgem) and a HANG job. Then it
 * unbinds the device through sysfs while a job of the chain runs and
 * checks what the driver documents (gpucore/include/gpucore/device.h, the
 * AGX uapi):
 *
 * - the jobs of the chain done before the unbind completed normally; the
 *   one running and those queued behind it complete with -ENODEV, without
 *   going on; the job behind the user fence, released after the unbind,
 *   completes with -ENODEV without running; the HANG job -ENODEV, or
 *   -ETIMEDOUT if its timeout came first;
 * - every ioctl of the old files fails with -ENODEV, and so does a new
 *   mmap() of them;
 * - "files stay open and their objects stay valid until closed": the CPU
 *   mappings keep their data, read and written without a signal, also for
 *   pages first touched after the unbind; a mapping of the dma-buf, if
 *   allowed, shows the same data;
 * - threads of their own files that race the unbind with ioctls see each
 *   call succeed or fail -ENODEV, -ENODEV for good once it came, and the
 *   fences of their jobs signal;
 * - closing everything works; after a rebind (on every other cycle with an
 *   old file still open) a new file computes right, and the old dma-buf
 *   imports into the new device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "rel.h"

#define MARKER		0x0b5e55ed
#define DATA_BYTES	(64 * 1024)
/*
 * A chain of jobs on one queue, each busy for a slice shorter than the
 * driver's hang timeout (300 ms in the test VMs): the unbind comes while
 * one of them runs, whatever it costs.
 */
#define CHAIN		8
#define SLICE_US	100000
#define UNBIND_LIMIT_S	30.0
#define NODE_WAIT_S	10.0
#define FENCE_WAIT_MS	20000

/* The device, and figures over all cycles, in memory shared with the checks. */
static struct {
	char dev_name[NAME_MAX + 1], driver_dir[PATH_MAX];
	unsigned int cycles, fences_enodev, fences_other, ioctls_enodev;
	unsigned long racing_calls, racing_fences;
	double unbind_max, unbind_sum;
} *fig;

#define dev_name	(fig->dev_name)
#define driver_dir	(fig->driver_dir)

static sigjmp_buf bus_jmp;
static bool bus_armed;

/* A SIGBUS at a checked access fails the check; anywhere else, the cycle. */
static void on_sigbus(int sig)
{
	(void)sig;
	if (__atomic_load_n(&bus_armed, __ATOMIC_SEQ_CST))
		siglongjmp(bus_jmp, 1);
	_exit(99);
}

static bool write_sysfs(const char *file, const char *value)
{
	char path[PATH_MAX + 16];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", driver_dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = write(fd, value, strlen(value));
		close(fd);
	}
	return expect(n == (ssize_t)strlen(value), "write %s to %s: %s", value, path,
		      strerror(errno));
}

static bool bound(void)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", driver_dir, dev_name);
	return !lstat(path, &st);
}

/* The device and driver of the AGX render node, from sysfs. */
static bool find_device(void)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int fd = agx_open();
	bool ok;

	if (!expect(fd >= 0, "no AGX render node: %s", strerror(-fd)))
		return false;
	ok = expect(!fstat(fd, &st), "fstat: %s", strerror(errno));
	close(fd);
	if (!ok)
		return false;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	if (!expect(realpath(path, real), "%s: %s", path, strerror(errno)))
		return false;
	snprintf(dev_name, sizeof(dev_name), "%s", basename(real));
	strcat(path, "/driver");
	if (!expect(realpath(path, driver_dir), "%s: %s", path, strerror(errno)))
		return false;
	return expect(!strncmp(driver_dir, "/sys/bus/platform/drivers/", 26),
		      "driver %s is not a platform driver", driver_dir);
}

/* Wait for a render node of the driver to open. */
static bool wait_node(void)
{
	double end = now_s() + NODE_WAIT_S;
	int fd;

	for (;;) {
		fd = agx_open();
		if (fd >= 0) {
			close(fd);
			return true;
		}
		if (now_s() > end)
			return expect(false, "no render node %.0f s after the bind", NODE_WAIT_S);
		sleep_ms(20);
	}
}

static bool bind_device(void)
{
	return write_sysfs("bind", dev_name) && wait_node();
}

/*
 * The CPU accesses that may raise SIGBUS go through atomics, so that each
 * one happens where it is written, between the arming and the disarming of
 * the handler's jump.
 */
static __u32 rd(__u32 *w, size_t i)
{
	return __atomic_load_n(&w[i], __ATOMIC_RELAXED);
}

static void wr(__u32 *w, size_t i, __u32 v)
{
	__atomic_store_n(&w[i], v, __ATOMIC_RELAXED);
}

/* The words of a mapping; ~pattern(seed, i) == pattern(~seed, i). */
static __u32 pattern(__u32 seed, size_t i)
{
	return seed ^ (__u32)(i * 2654435761u);
}

static void arm_bus(bool on)
{
	__atomic_store_n(&bus_armed, on, __ATOMIC_SEQ_CST);
}

/* The first word of @w that is not pattern(@seed), or @n; inverts them if @invert. */
static size_t check_words(__u32 *w, size_t n, __u32 seed, bool invert)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rd(w, i) != pattern(seed, i))
			return i;
		if (invert)
			wr(w, i, pattern(~seed, i));
	}
	return n;
}

/* The first word of @w that was not zero, or @n; fills them with pattern(@seed). */
static size_t fill_words(__u32 *w, size_t n, __u32 seed)
{
	size_t i, bad = n;

	for (i = 0; i < n; i++) {
		if (rd(w, i) && bad == n)
			bad = i;
		wr(w, i, pattern(seed, i));
	}
	return bad;
}

/* Read (and invert, if @write) every word; false on SIGBUS. */
static bool safe_check(__u32 *w, size_t len, __u32 seed, bool write, const char *what)
{
	size_t bad;

	if (sigsetjmp(bus_jmp, 1)) {
		arm_bus(false);
		return expect(false, "%s: SIGBUS at a CPU access after the unbind", what);
	}
	arm_bus(true);
	bad = check_words(w, len / 4, seed, write);
	if (write && bad == len / 4)
		bad = check_words(w, len / 4, ~seed, false);
	arm_bus(false);
	return expect(bad == len / 4, "%s: word %zu is %#x", what, bad, rd(w, bad));
}

/* A fresh BO's mapping reads zeros, then takes a pattern; false on SIGBUS. */
static bool safe_fill(__u32 *w, size_t len, __u32 seed, const char *what)
{
	size_t bad;

	if (sigsetjmp(bus_jmp, 1)) {
		arm_bus(false);
		return expect(false, "%s: SIGBUS at a CPU access after the unbind", what);
	}
	arm_bus(true);
	bad = fill_words(w, len / 4, seed);
	arm_bus(false);
	return expect(bad == len / 4, "%s: word %zu of a new BO was not zero", what, bad);
}

static void fill_pattern(__u32 *w, size_t len, __u32 seed)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = pattern(seed, i);
}

static bool wait_marker(__u32 *word)
{
	double end = now_s() + AGX_WAIT_MS / 1000.0;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != MARKER) {
		if (now_s() > end)
			return expect(false, "the running job did not start in %d ms", AGX_WAIT_MS);
		sleep_ms(1);
	}
	return true;
}

/* The fence of a sync_file: its status, and whether it is one of @ok. */
static int fence_of(int sync_file, const char *what, int ok1, int ok2)
{
	int status = 0;

	if (!expect_ok(wait_file(sync_file, FENCE_WAIT_MS), what) ||
	    !expect_ok(file_status(sync_file, &status), what))
		return 0;
	if (status == -ENODEV)
		__atomic_add_fetch(&fig->fences_enodev, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&fig->fences_other, 1, __ATOMIC_RELAXED);
	expect(status == ok1 || status == ok2, "%s: fence status %d (%s)", what, status,
	       rel_errname(status));
	return status;
}

/* Every ioctl of an unplugged file fails -ENODEV. */
static void ioctls_enodev(int fd, __u32 vm, __u32 queue, __u32 bo, __u32 syncobj)
{
	struct drm_agx_params p;
	struct agx_job j;
	__u32 h, s;
	int dmabuf = -1, n = 0;

#define ENODEV_CHECK(call, what) \
	do { if (expect_err((call), ENODEV, what " after the unbind")) n++; } while (0)
	ENODEV_CHECK(agx_get_params(fd, &p), "GET_PARAMS");
	ENODEV_CHECK(agx_vm_create(fd, &h), "VM_CREATE");
	ENODEV_CHECK(agx_bind(fd, vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, 1 << 20, 4096), "VM_BIND");
	ENODEV_CHECK(agx_gem_create(fd, 4096, &h), "GEM_CREATE");
	ENODEV_CHECK(agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &h), "QUEUE_CREATE");
	job_init(&j);
	job_nop(&j);
	ENODEV_CHECK(job_submit(fd, queue, &j), "SUBMIT");
	ENODEV_CHECK(agx_ioctl(fd, DRM_IOCTL_AGX_GEM_MMAP_OFFSET,
			       &(struct drm_agx_gem_mmap_offset){ .handle = bo }),
		     "GEM_MMAP_OFFSET");
	ENODEV_CHECK(prime_export(fd, bo, &dmabuf), "PRIME export");
	ENODEV_CHECK(drmSyncobjCreate(fd, 0, &s) ? -errno : 0, "SYNCOBJ_CREATE");
	ENODEV_CHECK(sync_wait(fd, syncobj, 0, 0), "SYNCOBJ_WAIT");
	ENODEV_CHECK(agx_queue_destroy(fd, queue), "QUEUE_DESTROY");
	ENODEV_CHECK(agx_vm_destroy(fd, vm), "VM_DESTROY");
	ENODEV_CHECK(agx_gem_close(fd, bo), "GEM_CLOSE");
	ENODEV_CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -errno : 0,
		     "mmap");
#undef ENODEV_CHECK
	if (dmabuf >= 0)
		close(dmabuf);
	__atomic_add_fetch(&fig->ioctls_enodev, n, __ATOMIC_RELAXED);
}

/*
 * Racing threads: each has a file of its own and loops over ioctls (BOs,
 * binds, queues, submits) while the unbind comes. Every call succeeds or
 * fails -ENODEV, and once one has failed -ENODEV so does every later one;
 * every fence of a job it submitted signals, completed or -ENODEV.
 */
#define RACERS		2

struct racer {
	pthread_t tid;
	int fd;		/* opened before the thread starts, closed by it */
	struct rel_rng r;
	unsigned long calls, fences;
	bool stop;
};

/* racer_call(): false once the file is unplugged (or broken). */
static bool racer_call(struct racer *rc, bool *gone, int err, const char *what)
{
	rc->calls++;
	if (err == -ENODEV) {
		*gone = true;
		return false;
	}
	expect(!*gone || !err, "racing %s: %s after an earlier -ENODEV", what, rel_errname(err));
	return expect_ok(err, what);
}

static void racer_fence(struct racer *rc, int sync_file)
{
	int status = 0;

	if (expect_ok(wait_file(sync_file, FENCE_WAIT_MS), "racing job's fence") &&
	    expect_ok(file_status(sync_file, &status), "racing job's fence"))
		expect(status == 1 || status == -ENODEV, "racing job: fence status %d", status);
	rc->fences++;
	close(sync_file);
}

static void *racer_main(void *arg)
{
	struct racer *rc = arg;
	struct drm_agx_params p;
	int fd = rc->fd, sf, files[16], nf = 0, i;
	__u32 vm, q, bo, s, h;
	bool gone = false, mapped = false;
	__u64 va2;
	int err;
	struct agx_job j;
	__u64 va;

	if (!racer_call(rc, &gone, agx_get_params(fd, &p), "GET_PARAMS") ||
	    !racer_call(rc, &gone, agx_vm_create(fd, &vm), "VM_CREATE") ||
	    !racer_call(rc, &gone, agx_queue_create(fd, vm, 1, &q), "QUEUE_CREATE") ||
	    !racer_call(rc, &gone, agx_gem_create(fd, 8192, &bo), "GEM_CREATE") ||
	    !racer_call(rc, &gone, drmSyncobjCreate(fd, 0, &s) ? -errno : 0, "SYNCOBJ_CREATE"))
		goto out;
	va = p.va_start + p.page_size;
	va2 = va + 4 * 8192;
	if (!racer_call(rc, &gone, agx_bind(fd, vm, DRM_AGX_BIND_OP_MAP, 3, bo, 0, va, 8192),
			"VM_BIND"))
		goto out;
	while (!gone && !__atomic_load_n(&rc->stop, __ATOMIC_RELAXED)) {
		switch (rel_below(&rc->r, 4)) {
		case 0:
			job_init(&j);
			job_stall(&j, rel_below(&rc->r, 5000));
			job_fill(&j, va, 8192, (__u32)rel_rand(&rc->r));
			job_signal(&j, s, 0);
			if (!racer_call(rc, &gone, job_submit(fd, q, &j), "SUBMIT") ||
			    !racer_call(rc, &gone, sync_export(fd, s, &sf), "sync_file export"))
				break;
			/* Its fence is waited for after the unbind, or now if too many. */
			if (nf == ARRAY_SIZE(files))
				racer_fence(rc, files[--nf]);
			files[nf++] = sf;
			break;
		case 1:
			if (racer_call(rc, &gone, agx_gem_create(fd, 4096, &h), "GEM_CREATE"))
				racer_call(rc, &gone, agx_gem_close(fd, h), "GEM_CLOSE");
			break;
		case 2:
			if (racer_call(rc, &gone, agx_queue_create(fd, vm, 1, &h), "QUEUE_CREATE"))
				racer_call(rc, &gone, agx_queue_destroy(fd, h), "QUEUE_DESTROY");
			break;
		default:
			/*
			 * A second range, which no job uses; its unbind still waits
			 * for the VM's work, and holds the range until then.
			 */
			if (mapped) {
				err = agx_bind(fd, vm, DRM_AGX_BIND_OP_UNMAP, 0, 0, 0, va2, 8192);
				mapped = !racer_call(rc, &gone, err, "VM_BIND unmap");
				break;
			}
			err = agx_bind(fd, vm, DRM_AGX_BIND_OP_MAP, 3, bo, 0, va2, 8192);
			mapped = racer_call(rc, &gone, err == -EEXIST ? 0 : err, "VM_BIND map") &&
				 !err;
			break;
		}
		if (rel_failures())
			break;
	}
	if (gone)
		expect_err(agx_get_params(fd, &p), ENODEV, "racing GET_PARAMS after -ENODEV");
out:
	for (i = 0; i < nf; i++)
		racer_fence(rc, files[i]);
	close(fd);
	return NULL;
}

struct cycle {
	unsigned int n;
	struct rel_rng r;
};

static void cycle(void *arg)
{
	struct cycle *cy = arg;
	int f_chain[CHAIN], f_uf = -1, f_h = -1, dmabuf = -1, fd_b = -1, st[CHAIN] = { 0 };
	struct user_fence uf = { .card = -1 };
	__u32 s_chain[CHAIN] = { 0 }, s_uf, s_h, q2 = 0, q3 = 0, h = 0, *m;
	unsigned int k, done = 0, enodev = 0, racing = 0;
	struct racer racers[RACERS];
	__u32 seed = (__u32)rel_rand(&cy->r), seed_e;
	bool vgem = rel_has_vgem(), unbound = false, keep_b = cy->n % 2;
	struct agx_buf b, d, e;
	struct agx_job j;
	struct agx a;
	double t0, took = 0;
	void *dm;

	memset(&b, 0, sizeof(b));
	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	memset(racers, 0, sizeof(racers));
	for (k = 0; k < CHAIN; k++)
		f_chain[k] = -1;
	if (!agx_setup(&a))
		goto rebind;
	fd_b = agx_open();
	for (k = 0; k < CHAIN; k++)
		s_chain[k] = sync_new(a.fd);
	s_uf = sync_new(a.fd);
	s_h = sync_new(a.fd);
	if (!expect(fd_b >= 0, "second open: %s", strerror(-fd_b)) || !s_chain[CHAIN - 1] ||
	    !s_uf || !s_h || !buf_new(&a, &b, 4096) || !buf_new(&a, &d, DATA_BYTES) ||
	    !buf_new(&a, &e, DATA_BYTES) ||
	    !expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q2),
		       "QUEUE_CREATE") ||
	    !expect_ok(agx_queue_create(a.fd, a.vm, DRM_AGX_PRIORITY_NORMAL, &q3),
		       "QUEUE_CREATE"))
		goto out;
	fill_pattern(buf_u32(&d), DATA_BYTES, seed);
	/* e stays untouched until after the unbind: its pages fault in then. */
	if (!expect_ok(prime_export(a.fd, d.handle, &dmabuf), "PRIME export"))
		goto out;

	/* Job k writes word k as it starts and word 16 + k as it ends. */
	m = buf_u32(&b);
	for (k = 0; k < CHAIN; k++) {
		job_init(&j);
		job_fill(&j, b.va + 4 * k, 4, MARKER);
		job_stall(&j, SLICE_US);
		job_fill(&j, b.va + 64 + 4 * k, 4, 1);
		job_signal(&j, s_chain[k], 0);
		if (!expect_ok(job_submit(a.fd, a.queue, &j), "SUBMIT of the chain") ||
		    !expect_ok(sync_export(a.fd, s_chain[k], &f_chain[k]), "export"))
			goto out;
	}
	if (vgem) {
		if (!user_fence_new(&uf, a.fd, s_uf))
			goto out;
		job_init(&j);
		job_wait_on(&j, s_uf, 0);
		job_fill(&j, b.va + 128, 4, 1);
		job_signal(&j, s_uf, 0);
		if (!expect_ok(job_submit(a.fd, q2, &j), "SUBMIT behind the user fence"))
			goto out;
	}
	job_init(&j);
	job_hang(&j);
	job_signal(&j, s_h, 0);
	if (!expect_ok(job_submit(a.fd, q3, &j), "SUBMIT of a HANG job") ||
	    !expect_ok(sync_export(a.fd, s_h, &f_h), "export") ||
	    (vgem && !expect_ok(sync_export(a.fd, s_uf, &f_uf), "export")) ||
	    !wait_marker(m))
		goto out;

	for (k = 0; k < RACERS; k++) {
		racers[k].fd = agx_open();
		if (!expect(racers[k].fd >= 0, "open: %s", strerror(-racers[k].fd)))
			goto out;
		rel_rng_seed(&racers[k].r, rel_rand(&cy->r));
		if (!expect(!pthread_create(&racers[k].tid, NULL, racer_main, &racers[k]),
			    "pthread_create")) {
			close(racers[k].fd);
			goto out;
		}
		racing++;
	}
	/* Let them get going: the unbind comes in the middle of their calls. */
	sleep_ms(rel_below(&cy->r, 250));
	rel_watch_begin("unbind", UNBIND_LIMIT_S);
	t0 = now_s();
	unbound = write_sysfs("unbind", dev_name);
	took = now_s() - t0;
	rel_watch_end();
	if (!unbound)
		goto out;
	fig->unbind_sum += took;
	if (took > fig->unbind_max)
		fig->unbind_max = took;

	/*
	 * The chain: the jobs done before the unbind completed, with their
	 * last write; from the one running at the unbind on, every job
	 * completes -ENODEV, without its last write.
	 */
	for (k = 0; k < CHAIN; k++) {
		st[k] = fence_of(f_chain[k], "job of the chain", 1, -ENODEV);
		if (st[k] == 1 && expect(!enodev, "job %u completed after job %u failed", k,
					 k - 1))
			done++;
		if (st[k] == -ENODEV)
			enodev++;
		expect(__atomic_load_n(&m[16 + k], __ATOMIC_RELAXED) == (st[k] == 1),
		       "job %u: fence status %d, but its last write is %s", k, st[k],
		       m[16 + k] ? "there" : "missing");
	}
	expect(enodev || took * 1e6 > CHAIN * SLICE_US,
	       "the unbind in %.3f s failed no job of the chain", took);
	for (k = 0; k < racing; k++) {
		pthread_join(racers[k].tid, NULL);
		fig->racing_calls += racers[k].calls;
		fig->racing_fences += racers[k].fences;
	}
	racing = 0;
	fence_of(f_h, "HANG job", -ENODEV, -ETIMEDOUT);
	if (vgem) {
		user_fence_signal(&uf);
		fence_of(f_uf, "job behind the user fence", -ENODEV, -ENODEV);
		expect(!m[32], "the job behind the user fence ran after the unbind");
	}
	ioctls_enodev(a.fd, a.vm, a.queue, d.handle, s_chain[0]);
	expect_err(agx_get_params(fd_b, &(struct drm_agx_params){ 0 }), ENODEV,
		   "GET_PARAMS of the other file after the unbind");

	/* The objects stay valid until closed: the mappings keep working. */
	safe_check(buf_u32(&d), DATA_BYTES, seed, true, "mapping written before the unbind");
	seed_e = (__u32)rel_rand(&cy->r);
	if (safe_fill(buf_u32(&e), DATA_BYTES, seed_e, "mapping first touched after the unbind"))
		safe_check(buf_u32(&e), DATA_BYTES, seed_e, false,
			   "mapping first touched after the unbind");
	/* Not documented either way: if the dma-buf maps, it shows d's data. */
	dm = mmap(NULL, DATA_BYTES, PROT_READ, MAP_SHARED, dmabuf, 0);
	if (dm != MAP_FAILED) {
		safe_check(dm, DATA_BYTES, ~seed, false, "dma-buf mapped after the unbind");
		munmap(dm, DATA_BYTES);
	} else {
		info("mmap of the dma-buf after the unbind: %s", strerror(errno));
	}

	/* Everything goes with the files. */
	munmap(b.map, b.size);
	munmap(d.map, d.size);
	munmap(e.map, e.size);
	memset(&b, 0, sizeof(b));
	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	expect(!close(a.fd), "close after the unbind: %s", strerror(errno));
	a.fd = -1;
	if (!keep_b) {
		expect(!close(fd_b), "close after the unbind: %s", strerror(errno));
		fd_b = -1;
	}
out:
	/* A failed cycle that did not unbind: stop the racing threads. */
	for (k = 0; k < racing; k++) {
		__atomic_store_n(&racers[k].stop, true, __ATOMIC_RELAXED);
		pthread_join(racers[k].tid, NULL);
	}
	user_fence_free(&uf);
	if (!unbound) {
		buf_free(&a, &e);
		buf_free(&a, &d);
		buf_free(&a, &b);
		if (q2)
			agx_queue_destroy(a.fd, q2);
		if (q3)
			agx_queue_destroy(a.fd, q3);
		agx_teardown(&a);
	}
	for (k = 0; k < CHAIN; k++)
		if (f_chain[k] >= 0)
			close(f_chain[k]);
	if (f_uf >= 0)
		close(f_uf);
	if (f_h >= 0)
		close(f_h);
rebind:
	if (!bound() && !bind_device()) {
		if (dmabuf >= 0)
			close(dmabuf);
		return;
	}
	/* The new device works, with an old file of the old one still open. */
	rel_works(&cy->r, "AXPY after the rebind");
	if (dmabuf >= 0) {
		int fd = agx_open();

		if (expect(fd >= 0, "open after the rebind: %s", strerror(-fd))) {
			/* A dma-buf of the old device is a foreign one now. */
			if (expect_ok(prime_import(fd, dmabuf, &h), "import of the old dma-buf"))
				expect_ok(agx_gem_close(fd, h), "GEM_CLOSE of the import");
			close(fd);
		}
		close(dmabuf);
	}
	if (fd_b >= 0)
		expect(!close(fd_b), "close of the old file after the rebind: %s", strerror(errno));
	__atomic_add_fetch(&fig->cycles, 1, __ATOMIC_RELAXED);
	rel_note("unbind %.3f s: %u jobs done, %u -ENODEV%s", took, done, enodev,
		 keep_b ? ", an old file open across the rebind" : "");
}

/* After a cycle, crashed or not, the device is bound for the next one. */
static void ensure_bound(void *arg)
{
	(void)arg;
	if (!bound())
		bind_device();
}

static void setup(void *arg)
{
	(void)arg;
	if (find_device())
		rel_note("%.64s of %.256s", dev_name, driver_dir);
}

int main(int argc, char **argv)
{
	static const struct rel_opts defaults = {
		.name = "unplug",
		.count = 5,
		.threads = 1,
	};
	struct sigaction sa = { .sa_handler = on_sigbus };
	struct cycle cy;
	unsigned int i;

	rel_init(&defaults, "  -n CYCLES  unbind/rebind cycles (5)\n", argc, argv);
	sigaction(SIGBUS, &sa, NULL);
	fig = mmap(NULL, sizeof(*fig), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fig == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	if (!rel_run("device", 30, setup, NULL))
		return rel_finish();
	rel_say("seed %llu, %lu cycles", (unsigned long long)opts.seed, opts.count);
	for (i = 0; i < opts.count; i++) {
		char what[32];

		cy.n = i;
		rel_rng_seed(&cy.r, opts.seed + i);
		snprintf(what, sizeof(what), "cycle %u", i + 1);
		rel_run(what, 120, cycle, &cy);
		if (!bound())
			rel_run("rebind after a failed cycle", 60, ensure_bound, NULL);
	}
	if (fig->cycles)
		rel_say("%u cycles: %u fences -ENODEV, %u other, %u ioctls -ENODEV",
			fig->cycles, fig->fences_enodev, fig->fences_other, fig->ioctls_enodev);
	if (fig->cycles)
		rel_say("%lu calls and %lu fences of threads racing the unbinds",
			fig->racing_calls, fig->racing_fences);
	if (fig->cycles)
		rel_say("unbind took %.3f s on average, %.3f s at most",
			fig->unbind_sum / fig->cycles, fig->unbind_max);
	return rel_finish();
}
