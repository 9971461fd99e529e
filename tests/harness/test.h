/*
 * A small table-driven test runner.
 *
 * Each test case runs in its own child process with a time limit, so a crash, a hang or
 * a leak reported by LeakSanitizer at exit fails that case alone. The runner prints one
 * line per case and a final "N passed, N failed" line that CI reads.
 *
 * Usage:
 *   static void test_something(void) { TEST_CHECK(1 + 1 == 2); }
 *   static const struct test_case cases[] = { TEST_CASE(test_something), };
 *   int main(int argc, char **argv) { return test_main(argc, argv, cases, TEST_COUNT(cases)); }
 *
 * Arguments: a substring selects the cases whose name contains it; --no-fork runs the
 * cases in the runner itself (for a debugger). TEST_TIMEOUT sets the limit in seconds
 * (default 120).
 */
#ifndef PERMANENCE_TEST_H
#define PERMANENCE_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
	const char *name;
	void (*run)(void);
};

#define TEST_CASE(fn) {#fn, fn}
#define TEST_COUNT(cases) (sizeof(cases) / sizeof((cases)[0]))

/* Record a failed check; the case goes on so that one run shows every failure. */
bool test_check(bool ok, const char *expr, const char *file, int line);
bool test_check_int(long long actual, long long expected, const char *expr, const char *file,
		    int line);
bool test_check_str(const char *actual, const char *expected, const char *expr,
		    const char *file, int line);

#define TEST_CHECK(cond) test_check((cond), #cond, __FILE__, __LINE__)
#define TEST_EQ_INT(actual, expected) \
	test_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
#define TEST_EQ_STR(actual, expected) \
	test_check_str((actual), (expected), #actual, __FILE__, __LINE__)
/* Stop the current case at once: for a check that later steps depend on. */
#define TEST_REQUIRE(cond)                                   \
	do {                                                 \
		if (!test_check((cond), #cond, __FILE__, __LINE__)) \
			test_abort();                        \
	} while (0)

_Noreturn void test_abort(void);

/* Write a path to a fresh file name in a per-case temporary folder into buf. */
const char *test_tmp_path(char *buf, size_t size, const char *name);

int test_main(int argc, char **argv, const struct test_case *cases, size_t count);

#endif
