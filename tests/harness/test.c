#include "test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static char tmp_dir[512];
static bool forked = true;

bool test_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		failures++;
		fprintf(stderr, "    %s:%d: check failed: %s\n", file, line, expr);
	}
	return ok;
}

bool test_check_int(long long actual, long long expected, const char *expr, const char *file,
		    int line)
{
	if (actual == expected)
		return true;
	failures++;
	fprintf(stderr, "    %s:%d: %s is %lld, expected %lld\n", file, line, expr, actual,
		expected);
	return false;
}

bool test_check_str(const char *actual, const char *expected, const char *expr,
		    const char *file, int line)
{
	if (actual && expected && strcmp(actual, expected) == 0)
		return true;
	if (!actual && !expected)
		return true;
	failures++;
	fprintf(stderr, "    %s:%d: %s is \"%s\", expected \"%s\"\n", file, line, expr,
		actual ? actual : "(null)", expected ? expected : "(null)");
	return false;
}

_Noreturn void test_abort(void)
{
	fflush(NULL);
	if (forked)
		exit(1);
	fprintf(stderr, "    case stopped after a required check failed\n");
	abort();
}

const char *test_tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmp_dir, name);
	return buf;
}

static void remove_tree(const char *dir)
{
	char cmd[700];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
}

static void make_tmp_dir(const char *case_name)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/permanence-test-%ld-%s", base ? base : "/tmp",
		 (long)getpid(), case_name);
	remove_tree(tmp_dir);
	if (mkdir(tmp_dir, 0700) != 0) {
		fprintf(stderr, "cannot create %s: %s\n", tmp_dir, strerror(errno));
		exit(2);
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Run one case in a child; returns true when it passed. */
static bool run_forked(const struct test_case *tc, unsigned timeout_s)
{
	pid_t pid;
	int status = 0;
	unsigned waited_ms = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fork failed: %s\n", strerror(errno));
		return false;
	}
	if (pid == 0) {
		make_tmp_dir(tc->name);
		tc->run();
		remove_tree(tmp_dir);
		fflush(NULL);
		exit(failures ? 1 : 0);
	}
	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid)
			break;
		if (done < 0) {
			fprintf(stderr, "waitpid failed: %s\n", strerror(errno));
			return false;
		}
		if (waited_ms >= timeout_s * 1000u) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "    timed out after %u s\n", timeout_s);
			return false;
		}
		usleep(5000);
		waited_ms += 5;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "    killed by signal %d (%s)\n", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		if (WEXITSTATUS(status) != 1)
			fprintf(stderr, "    exited with status %d\n", WEXITSTATUS(status));
		return false;
	}
	return true;
}

static bool run_inline(const struct test_case *tc)
{
	failures = 0;
	make_tmp_dir(tc->name);
	tc->run();
	remove_tree(tmp_dir);
	return failures == 0;
}

int test_main(int argc, char **argv, const struct test_case *cases, size_t count)
{
	const char *filter = NULL;
	const char *timeout_env = getenv("TEST_TIMEOUT");
	unsigned timeout_s = timeout_env ? (unsigned)atoi(timeout_env) : 120;
	int passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-fork") == 0)
			forked = false;
		else
			filter = argv[i];
	}
	if (timeout_s == 0)
		timeout_s = 120;

	for (size_t i = 0; i < count; i++) {
		const struct test_case *tc = &cases[i];
		double start;
		bool ok;

		if (filter && !strstr(tc->name, filter))
			continue;
		start = now_ms();
		ok = forked ? run_forked(tc, timeout_s) : run_inline(tc);
		printf("%s %s (%.0f ms)\n", ok ? "PASS" : "FAIL", tc->name, now_ms() - start);
		fflush(stdout);
		if (ok)
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
