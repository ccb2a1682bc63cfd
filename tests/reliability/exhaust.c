// SPDX-License-Identifier: MIT
/*
 * exhaust: try to make the AGX driver hold more than its bounds allow.
 *
 *   exhaust [-s SEED] [-v]
 *
 * A client that keeps CPU mappings of files it has closed keeps those
 * files, and everything they hold, alive: one such client once gathered
 * 1,323 queue threads and 2.5 GB of BOs and ended in an OOM panic. Each
 * check drives one resource to its bound and asserts what the uapi rules
 * say there (/tmp/agx-spec.md item 8, the kernel-doc of the ioctls):
 *
 * - VMs per file: exactly DRM_AGX_MAX_VMS_PER_FILE, then -ENOSPC; a
 *   destroyed VM gives its place back; another file is not affected;
 * - mappings per VM: exactly DRM_AGX_MAX_MAPPINGS_PER_VM, then -ENOSPC
 *   with num_ops saying how many ops were done; an unmap gives a place back;
 * - queues per file: exactly max_queues of GET_PARAMS, then -ENOSPC;
 * - queues per device, over files kept alive by mmaps only: exactly the
 *   module parameter max_queues, then -ENOSPC, and all of them again once
 *   those files are gone (their queues were really released);
 * - queues being torn down still count: with max_queues lowered, queues
 *   destroyed while their jobs wait for a user fence keep their places
 *   until the fence signals and they are released;
 * - BO memory: a child that allocates, maps and binds BOs until the OOM
 *   killer kills it (in a memory cgroup with a small memory.max when
 *   cgroup2 is there, else the whole machine); the parent survives and the
 *   memory comes back.
 *
 * After each check a fresh file computes an AXPY right.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rel.h"

/* The bounds of the spec; the uapi header names them once it has them. */
#ifndef DRM_AGX_MAX_VMS_PER_FILE
#define DRM_AGX_MAX_VMS_PER_FILE	16
#endif
#ifndef DRM_AGX_MAX_MAPPINGS_PER_VM
#define DRM_AGX_MAX_MAPPINGS_PER_VM	16384
#endif

#define PARAMS		"/sys/module/gpucore_agx/parameters/"
#define MAX_QUEUES	PARAMS "max_queues"
#define BIND_BATCH	512
/* Files kept by mmaps for the device-wide bound, at most. */
#define MAX_FILES	256
/* How long queues of an earlier check may take to be released. */
#define SETTLE_S	20.0
#define CGROUP		"/sys/fs/cgroup"
#define CG_DIR		CGROUP "/exhaust"
#define CG_LIMIT	(96ull << 20)
#define HOG_BO		(4ull << 20)
#define OOM_LIMIT_S	240

static struct rel_rng rng;

static int read_uint(const char *path, unsigned int *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%u", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int write_uint(const char *path, unsigned int v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", v);
	return write_str(path, buf);
}

static bool works(const char *what)
{
	return rel_works(&rng, what);
}

/* -- VMs per file ---------------------------------------------------------- */

static void vms_per_file(void *arg)
{
	__u32 vm[DRM_AGX_MAX_VMS_PER_FILE + 8], other;
	unsigned int n = 0;
	int fd = agx_open(), fd2 = agx_open(), err = 0;

	(void)arg;
	if (!expect(fd >= 0 && fd2 >= 0, "open: %s", strerror(-(fd < 0 ? fd : fd2))))
		return;
	while (n < ARRAY_SIZE(vm)) {
		err = agx_vm_create(fd, &vm[n]);
		if (err)
			break;
		n++;
	}
	if (!expect(n == DRM_AGX_MAX_VMS_PER_FILE && err == -ENOSPC,
		    "%u VMs made in one file, then %s; the bound is %u, then ENOSPC", n,
		    rel_errname(err), DRM_AGX_MAX_VMS_PER_FILE))
		return;
	/* A destroyed VM gives its place back, once. */
	if (!expect_ok(agx_vm_destroy(fd, vm[3]), "VM_DESTROY at the bound") ||
	    !expect_ok(agx_vm_create(fd, &vm[3]), "VM_CREATE after a VM_DESTROY at the bound") ||
	    !expect_err(agx_vm_create(fd, &other), ENOSPC, "VM_CREATE past the bound again"))
		return;
	/* The bound is the file's. */
	if (!expect_ok(agx_vm_create(fd2, &other), "VM_CREATE on another file"))
		return;
	close(fd2);
	close(fd);
	if (works("AXPY after the VM bound"))
		rel_note("%u VMs, then ENOSPC; a destroy gives a place back", n);
}

/* -- mappings per VM --------------------------------------------------------- */

/* Bind @n pages of @bo from page @first on; returns the ops done. */
static int bind_pages(int fd, __u32 vm, __u32 op, __u32 bo, __u64 va0, unsigned int first,
		      unsigned int n, unsigned int *done)
{
	static struct drm_agx_vm_bind_op ops[BIND_BATCH];
	struct drm_agx_vm_bind b = {
		.vm_id = vm,
		.num_ops = n,
		.ops = (uintptr_t)ops,
		.op_stride = sizeof(ops[0]),
	};
	unsigned int i;
	int err;

	for (i = 0; i < n; i++)
		ops[i] = (struct drm_agx_vm_bind_op){
			.op = op,
			.flags = op == DRM_AGX_BIND_OP_MAP ? DRM_AGX_BIND_READ : 0,
			.handle = op == DRM_AGX_BIND_OP_MAP ? bo : 0,
			/* A guard page between mappings: no two are adjacent. */
			.va = va0 + 2 * 4096ull * (first + i),
			.size = 4096,
		};
	err = agx_ioctl(fd, DRM_IOCTL_AGX_VM_BIND, &b);
	*done = b.num_ops;
	return err;
}

static void mappings_per_vm(void *arg)
{
	struct drm_agx_params p;
	unsigned int total = 0, done, n;
	__u32 vm, bo;
	__u64 va0;
	int fd = agx_open(), err = 0;

	(void)arg;
	if (!expect(fd >= 0, "open: %s", strerror(-fd)) ||
	    !expect_ok(agx_get_params(fd, &p), "GET_PARAMS") ||
	    !expect_ok(agx_vm_create(fd, &vm), "VM_CREATE") ||
	    !expect_ok(agx_gem_create(fd, 4096, &bo), "GEM_CREATE"))
		return;
	va0 = p.va_start;
	while (total < DRM_AGX_MAX_MAPPINGS_PER_VM + BIND_BATCH) {
		n = BIND_BATCH;
		err = bind_pages(fd, vm, DRM_AGX_BIND_OP_MAP, bo, va0, total, n, &done);
		if (!expect(err || done == n, "VM_BIND of %u maps succeeded with num_ops %u",
			    n, done))
			return;
		total += err ? done : n;
		if (err)
			break;
	}
	if (!expect(total == DRM_AGX_MAX_MAPPINGS_PER_VM && err == -ENOSPC,
		    "%u mappings made in one VM, then %s; the bound is %u, then ENOSPC", total,
		    rel_errname(err), DRM_AGX_MAX_MAPPINGS_PER_VM))
		return;
	/* An unmap gives a place back; a second map past the bound fails again. */
	if (!expect_ok(bind_pages(fd, vm, DRM_AGX_BIND_OP_UNMAP, 0, va0, 7, 1, &done),
		       "UNMAP at the bound") ||
	    !expect_ok(bind_pages(fd, vm, DRM_AGX_BIND_OP_MAP, bo, va0, 7, 1, &done),
		       "MAP after an UNMAP at the bound") ||
	    !expect_err(bind_pages(fd, vm, DRM_AGX_BIND_OP_MAP, bo, va0, total + 1, 1, &done),
			ENOSPC, "MAP past the bound again"))
		return;
	close(fd);
	if (works("AXPY after the mapping bound"))
		rel_note("%u mappings, then ENOSPC with num_ops = ops done", total);
}

/* -- queues per file ---------------------------------------------------------- */

/*
 * Create queues on @vm until one fails or @max are made; their ids go to
 * @ids if not NULL. Returns how many were made, @err the failure.
 */
static unsigned int queues_until(int fd, __u32 vm, unsigned int max, __u32 *ids, int *err)
{
	unsigned int n = 0;
	__u32 q;

	*err = 0;
	while (n < max) {
		*err = agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &q);
		if (*err)
			break;
		if (ids)
			ids[n] = q;
		n++;
	}
	return n;
}

/* A new file's first queue: 0 or why it failed (no expect(): may be ENOSPC). */
static int new_file_queue(void)
{
	__u32 vm, q;
	int fd = agx_open(), err;

	if (fd < 0)
		return fd;
	err = agx_vm_create(fd, &vm);
	if (!err)
		err = agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &q);
	close(fd);
	return err;
}

static void queues_per_file(void *arg)
{
	struct drm_agx_params p;
	unsigned int n;
	__u32 vm;
	int fd = agx_open(), err;

	(void)arg;
	if (!expect(fd >= 0, "open: %s", strerror(-fd)) ||
	    !expect_ok(agx_get_params(fd, &p), "GET_PARAMS") ||
	    !expect_ok(agx_vm_create(fd, &vm), "VM_CREATE"))
		return;
	n = queues_until(fd, vm, p.max_queues + 8, NULL, &err);
	if (!expect(n == p.max_queues && err == -ENOSPC,
		    "%u queues made in one file, then %s; the bound is %u, then ENOSPC", n,
		    rel_errname(err), p.max_queues))
		return;
	close(fd);
	if (works("AXPY after the per-file queue bound"))
		rel_note("%u queues, then ENOSPC", n);
}

/* -- queues per device --------------------------------------------------------- */

struct kept {
	void *map[MAX_FILES];
	unsigned int nr;
};

static void kept_release(struct kept *k)
{
	while (k->nr)
		munmap(k->map[--k->nr], 4096);
}

/*
 * Open files, fill each with queues and close it, keeping it alive by an
 * mmap of one of its BOs, until QUEUE_CREATE fails in a file that is not
 * full. Returns the queues made, @err the failure.
 */
static unsigned int fill_device(struct kept *k, unsigned int per_file, unsigned int limit,
				int *err)
{
	unsigned int total = 0, n;
	__u32 vm, bo;
	int fd;

	*err = 0;
	while (k->nr < MAX_FILES && total <= limit) {
		fd = agx_open();
		if (!expect(fd >= 0, "open: %s", strerror(-fd)) ||
		    !expect_ok(agx_vm_create(fd, &vm), "VM_CREATE") ||
		    !expect_ok(agx_gem_create(fd, 4096, &bo), "GEM_CREATE"))
			return total;
		k->map[k->nr] = agx_gem_mmap(fd, bo, 4096);
		if (!expect(k->map[k->nr], "mmap of a BO"))
			return total;
		k->nr++;
		n = queues_until(fd, vm, per_file, NULL, err);
		total += n;
		close(fd);
		if (n < per_file)
			return total;
	}
	expect(false, "%u queues in %u files and no failure", total, k->nr);
	return total;
}

static void queues_per_device(void *arg)
{
	struct drm_agx_params p;
	unsigned int max, total = 0, round, tries;
	struct kept k = { .nr = 0 };
	int fd = agx_open(), err = 0;
	double t0;

	(void)arg;
	if (!expect(fd >= 0, "open: %s", strerror(-fd)) ||
	    !expect_ok(agx_get_params(fd, &p), "GET_PARAMS") ||
	    !expect_ok(read_uint(MAX_QUEUES, &max), "read " MAX_QUEUES))
		return;
	close(fd);
	/*
	 * Twice: the second round finds every place again only if the queues
	 * of the first were released with their files. Queues of checks
	 * before may still be going: a round short of the bound is retried.
	 */
	for (round = 0; round < 2; round++) {
		t0 = now_s();
		for (tries = 0;; tries++) {
			total = fill_device(&k, p.max_queues, max, &err);
			if (rel_failures() || total >= max || now_s() - t0 > SETTLE_S)
				break;
			kept_release(&k);
			sleep_ms(200);
		}
		if (!expect(total == max && err == -ENOSPC,
			    "round %u: %u queues made on the device, then %s; the bound is %u, then ENOSPC",
			    round + 1, total, rel_errname(err), max))
			break;
		/* At the bound a new file gets a clean error. */
		if (!expect_err(new_file_queue(), ENOSPC,
				"QUEUE_CREATE of a new file at the device bound"))
			break;
		rel_say("round %u: %u queues in %u files kept by mmaps (%u tries), then ENOSPC",
			round + 1, total, k.nr, tries + 1);
		kept_release(&k);
	}
	kept_release(&k);
	if (rel_failures())
		return;
	/* The last round's queues go in the background: wait until a queue fits. */
	t0 = now_s();
	while (new_file_queue() == -ENOSPC && now_s() - t0 < SETTLE_S)
		sleep_ms(200);
	if (works("AXPY after the device queue bound"))
		rel_note("%u queues, then ENOSPC, twice", max);
}

/* -- queues being torn down -------------------------------------------------------- */

#define TEARDOWN_MAX	4

static void teardown_counts(void *arg)
{
	__u32 vm, q[TEARDOWN_MAX], extra, gate, done[TEARDOWN_MAX];
	struct user_fence uf;
	struct agx_job j;
	unsigned int n = 0, i;
	int fd = agx_open(), err;
	double t0;

	(void)arg;
	if (!expect(fd >= 0, "open: %s", strerror(-fd)) ||
	    !expect_ok(agx_vm_create(fd, &vm), "VM_CREATE"))
		return;
	/* Queues of the checks before may still hold places. */
	t0 = now_s();
	for (;;) {
		n = queues_until(fd, vm, TEARDOWN_MAX, q, &err);
		if (n == TEARDOWN_MAX || now_s() - t0 > SETTLE_S)
			break;
		for (i = 0; i < n; i++)
			agx_queue_destroy(fd, q[i]);
		sleep_ms(200);
	}
	if (!expect(n == TEARDOWN_MAX, "%u queues with max_queues %u (%s)", n, TEARDOWN_MAX,
		    rel_errname(err)) ||
	    !expect_err(agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &extra), ENOSPC,
			"QUEUE_CREATE past max_queues"))
		return;
	gate = sync_new(fd);
	if (!expect(gate, "SYNCOBJ_CREATE") || !user_fence_new(&uf, fd, gate))
		return;
	for (i = 0; i < n; i++) {
		done[i] = sync_new(fd);
		job_init(&j);
		job_nop(&j);
		job_wait_on(&j, gate, 0);
		job_signal(&j, done[i], 0);
		if (!expect(done[i], "SYNCOBJ_CREATE") ||
		    !expect_ok(job_submit(fd, q[i], &j), "SUBMIT behind the user fence"))
			goto out;
	}
	for (i = 0; i < n; i++)
		if (!expect_ok(agx_queue_destroy(fd, q[i]), "QUEUE_DESTROY"))
			goto out;
	/* Destroyed, but each still holds a job: their places are taken. */
	if (!expect_err(agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &extra), ENOSPC,
			"QUEUE_CREATE while the destroyed queues are torn down"))
		goto out;
	if (!expect(user_fence_signal(&uf), "signal the user fence"))
		goto out;
	for (i = 0; i < n; i++) {
		int status = 0;

		if (!expect_ok(sync_wait(fd, done[i], 0, AGX_WAIT_MS), "the jobs' fences") ||
		    !expect_ok(sync_status(fd, done[i], &status), "fence status") ||
		    !expect(status == -ECANCELED, "a job of a destroyed queue ended %d, not %d",
			    status, -ECANCELED))
			goto out;
	}
	/* Released now, or soon: a place is free again. */
	t0 = now_s();
	do {
		err = agx_queue_create(fd, vm, DRM_AGX_PRIORITY_NORMAL, &extra);
		if (err != -ENOSPC)
			break;
		sleep_ms(50);
	} while (now_s() - t0 < SETTLE_S);
	if (!expect_ok(err, "QUEUE_CREATE after the destroyed queues were released"))
		goto out;
	rel_note("%u destroyed queues with queued jobs keep their places until released (%.2f s)",
		 n, now_s() - t0);
out:
	user_fence_free(&uf);
	close(fd);
}

/* -- BO memory and the OOM killer ---------------------------------------------------- */

/* What the hog got, in memory shared with the check's child. */
static struct {
	unsigned long long bytes;
	int last_err;
} *hog;

static unsigned long long mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/* cgroup2 with the memory controller: a group of its own with a small max. */
static bool memcg_setup(void)
{
	char buf[32];

	mkdir(CGROUP, 0755);
	if (access(CGROUP "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROUP, "cgroup2", 0, NULL))
		return false;
	if (write_str(CGROUP "/cgroup.subtree_control", "+memory"))
		return false;
	if (mkdir(CG_DIR, 0755) && errno != EEXIST)
		return false;
	snprintf(buf, sizeof(buf), "%llu", CG_LIMIT);
	return !write_str(CG_DIR "/memory.max", buf);
}

/* The child: BOs, mapped and touched, and bound (pinned), until killed. */
static void hog_run(bool memcg)
{
	struct drm_agx_params p;
	unsigned char *m;
	__u64 va;
	__u32 vm, bo;
	int fd, err;

	if (memcg) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", getpid());
		if (write_str(CG_DIR "/cgroup.procs", pid))
			_exit(3);
	} else if (write_str("/proc/self/oom_score_adj", "1000")) {
		_exit(3);
	}
	fd = agx_open();
	if (fd < 0 || agx_get_params(fd, &p) || agx_vm_create(fd, &vm))
		_exit(4);
	va = p.va_start;
	for (;;) {
		err = agx_gem_create(fd, HOG_BO, &bo);
		if (!err) {
			m = agx_gem_mmap(fd, bo, HOG_BO);
			if (m)
				memset(m, 0x5a, HOG_BO);
			err = agx_bind(fd, vm, DRM_AGX_BIND_OP_MAP, DRM_AGX_BIND_READ, bo, 0, va,
				       HOG_BO);
			if (!err) {
				va += HOG_BO;
				__atomic_add_fetch(&hog->bytes, HOG_BO, __ATOMIC_RELAXED);
			}
		}
		/* Out of memory here is a clean error: try again, the killer comes. */
		if (err)
			hog->last_err = err;
	}
}

static void oom_recovers(void *arg)
{
	unsigned long long before, after = 0;
	double t0, killed_after;
	bool memcg;
	pid_t pid;
	int status = 0;

	(void)arg;
	hog = mmap(NULL, sizeof(*hog), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!expect(hog != MAP_FAILED, "mmap"))
		return;
	memcg = memcg_setup();
	if (memcg) {
		rel_say("BO memory: a memory cgroup with memory.max %llu MiB", CG_LIMIT >> 20);
	} else {
		/* The debug kernel has no CONFIG_CGROUPS: the whole machine. */
		rel_say("BO memory: no cgroup2 memory controller here, the machine's own OOM");
		if (!expect_ok(write_str("/proc/self/oom_score_adj", "-1000"),
			       "protect the test from the OOM killer"))
			return;
	}
	/* Traces of the OOM report follow, caused on purpose. */
	rel_kmsg("an OOM kill on purpose follows (gpucore: caught)");
	before = mem_available();
	t0 = now_s();
	pid = fork();
	if (pid == 0)
		hog_run(memcg);
	if (!expect(pid > 0, "fork: %s", strerror(errno)))
		return;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_s() - t0 > OOM_LIMIT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			expect(false, "the hog was not killed within %d s (%llu MiB bound, %s)",
			       OOM_LIMIT_S, hog->bytes >> 20, rel_errname(hog->last_err));
			return;
		}
		sleep_ms(100);
	}
	if (!expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "the hog ended with status %#x, not killed (%llu MiB bound, %s)", status,
		    hog->bytes >> 20, rel_errname(hog->last_err)))
		return;
	/* Its files are closed: the BOs, their pins and pages go. */
	killed_after = now_s() - t0;
	t0 = now_s();
	while (now_s() - t0 < SETTLE_S) {
		after = mem_available();
		if (after + (64ull << 20) >= before)
			break;
		sleep_ms(200);
	}
	if (!expect(after + (64ull << 20) >= before,
		    "MemAvailable %llu MiB before the hog, %llu MiB after it was killed",
		    before >> 20, after >> 20))
		return;
	if (memcg)
		rmdir(CG_DIR);
	if (works("AXPY after the OOM kill"))
		rel_note("the hog bound %llu MiB, OOM-killed after %.1f s; %s %llu -> %llu MiB",
			 hog->bytes >> 20, killed_after, "MemAvailable", before >> 20,
			 after >> 20);
}

int main(int argc, char **argv)
{
	static const struct rel_opts defaults = {
		.name = "exhaust",
		.seconds = 0,
		.threads = 1,
	};
	unsigned int max = 0;

	rel_init(&defaults, "  (-t, -n and -j are not used)\n", argc, argv);
	rel_rng_seed(&rng, opts.seed);
	rel_run("vms_per_file", 120, vms_per_file, NULL);
	rel_run("mappings_per_vm", 300, mappings_per_vm, NULL);
	rel_run("queues_per_file", 120, queues_per_file, NULL);
	rel_run("queues_per_device", 600, queues_per_device, NULL);
	/* max_queues lowered for the check, restored whatever happens. */
	if (read_uint(MAX_QUEUES, &max) || write_uint(MAX_QUEUES, TEARDOWN_MAX)) {
		rel_result(false, "teardown_counts", "%s", "cannot lower " MAX_QUEUES);
	} else {
		rel_run("teardown_counts", 120, teardown_counts, NULL);
		if (write_uint(MAX_QUEUES, max))
			rel_result(false, "max_queues", "not restored to %u", max);
	}
	rel_run("oom_recovers", OOM_LIMIT_S + 120, oom_recovers, NULL);
	return rel_finish();
}
