// SPDX-License-Identifier: MIT
/*
 * The runner of the AGX uapi suite.
 *
 *   agx_uapi_test [-v] [-l] [NAME...]
 *
 * runs every case (or the named ones) in order, each in a child process
 * with a time limit. -v prints the notes of the cases and their times,
 * -l lists the cases. The exit status is 0 if every case passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* A case that takes longer is killed and fails. */
#define CASE_TIME_LIMIT_S	30.0

char t_msg[512];
const size_t t_msg_size = sizeof(t_msg);
bool t_verbose;

/* Shared between the runner and the case's child process. */
struct outcome {
	int failures;
	char reason[sizeof(t_msg) + 64];
};

static struct outcome *outcome;

static const struct uapi_case *const groups[] = {
	uapi_object_cases,
	uapi_submit_cases,
	uapi_sync_cases,
	uapi_limit_cases,
	uapi_teardown_cases,
};

static const char *err_name(int err)
{
	const char *name = err ? strerrorname_np(err) : "success";

	return name ? name : "unknown errno";
}

bool t_fail(const char *file, int line)
{
	if (!outcome->failures++) {
		const char *base = strrchr(file, '/');

		snprintf(outcome->reason, sizeof(outcome->reason), "%s (%s:%d)",
			 t_msg, base ? base + 1 : file, line);
	}
	return false;
}

bool t_ok(int err, const char *what, const char *file, int line)
{
	if (!err)
		return true;
	snprintf(t_msg, sizeof(t_msg), "%s: %s", what, err_name(-err));
	return t_fail(file, line);
}

bool t_err(int err, int want, int also, const char *what, const char *file, int line)
{
	if (err == -want || (also && err == -also))
		return true;
	if (also)
		snprintf(t_msg, sizeof(t_msg), "%s: want %s or %s, got %s", what,
			 err_name(want), err_name(also), err_name(-err));
	else
		snprintf(t_msg, sizeof(t_msg), "%s: want %s, got %s", what,
			 err_name(want), err_name(-err));
	return t_fail(file, line);
}

void t_info(const char *msg)
{
	if (t_verbose)
		printf("uapi: # %s\n", msg);
}

/* Case markers in the kernel log tell which case a kernel message is from. */
static void kmsg_marker(const char *name)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	char line[128];
	int len;

	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "uapi: case %s\n", name);
	/* The marker is a convenience: a failed write is no failure. */
	len = write(fd, line, len);
	close(fd);
}

/* run_case(): 0 if @c passed; prints its line. */
static int run_case(const struct uapi_case *c)
{
	double start = now_s(), limit = start + CASE_TIME_LIMIT_S;
	int status = 0;
	bool timed_out = false;
	pid_t pid, ret;

	memset(outcome, 0, sizeof(*outcome));
	kmsg_marker(c->name);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("uapi: FAIL %s: fork: %s\n", c->name, strerror(errno));
		return 1;
	}
	if (!pid) {
		c->run();
		fflush(stdout);
		_exit(outcome->failures ? 1 : 0);
	}
	for (;;) {
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid || (ret < 0 && errno != EINTR))
			break;
		if (!timed_out && now_s() > limit) {
			timed_out = true;
			kill(pid, SIGKILL);
			limit = now_s() + 5;
		} else if (timed_out && now_s() > limit) {
			break;	/* stuck in the kernel: give up on it */
		}
		sleep_ms(5);
	}
	if (t_verbose)
		printf("uapi: # %s took %.2f s\n", c->name, now_s() - start);
	if (timed_out) {
		printf("uapi: FAIL %s: no result after %.0f s%s\n", c->name, CASE_TIME_LIMIT_S,
		       outcome->failures ? ", first failure was" : "");
		if (outcome->failures)
			printf("uapi: #   %s\n", outcome->reason);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("uapi: FAIL %s: killed by signal %d (%s)%s%s\n", c->name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)),
		       outcome->failures ? " after: " : "",
		       outcome->failures ? outcome->reason : "");
		return 1;
	}
	if (outcome->failures || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("uapi: FAIL %s: %s\n", c->name,
		       outcome->failures ? outcome->reason : "exited with an error");
		return 1;
	}
	printf("uapi: PASS %s\n", c->name);
	return 0;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i, any = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = 1;
		if (!strcmp(argv[i], name))
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	const struct uapi_case *c;
	unsigned int passed = 0, failed = 0, g;
	bool list = false;
	double start = now_s();
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			t_verbose = true;
		} else if (!strcmp(argv[i], "-l")) {
			list = true;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [-v] [-l] [case...]\n", argv[0]);
			return 2;
		}
	}
	outcome = mmap(NULL, sizeof(*outcome), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (outcome == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		for (c = groups[g]; c->name; c++) {
			if (list)
				printf("%s\n", c->name);
			else if (selected(c->name, argc, argv))
				run_case(c) ? failed++ : passed++;
		}
	}
	if (list)
		return 0;
	if (t_verbose)
		printf("uapi: # %u cases in %.1f s\n", passed + failed, now_s() - start);
	printf("uapi: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
