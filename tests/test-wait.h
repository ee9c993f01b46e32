/* test-wait.h — waiting in tests on a condition, never on time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WAIT_FOR (cond, seconds) runs the default main context until @cond
 * holds, and fails the test, naming the condition, if it does not within
 * @seconds (a bound for a broken build, not a timing: a loaded machine
 * only makes the wait longer).  A timeout every 20 ms wakes the loop, so
 * a condition that no event source signals is seen too.
 *
 * TEST_LSAN_FONTCONFIG defines the LeakSanitizer suppressions of a test
 * that lays out text: fontconfig keeps its pattern caches until exit and
 * never frees them (no FcFini () behind pango), so every font the test
 * used would be reported.  Nothing else is suppressed.  Once per test
 * program, at file level.
 */
#pragma once

#include <glib.h>

static inline gboolean
test_wait_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_FOR(cond, seconds)                                              \
  G_STMT_START {                                                             \
    gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC; \
    guint wake_ = g_timeout_add (20, test_wait_wake_cb, NULL);               \
    while (!(cond) && g_get_monotonic_time () < deadline_)                   \
      g_main_context_iteration (NULL, TRUE);                                 \
    g_source_remove (wake_);                                                 \
    if (!(cond))                                                             \
      g_error ("Timed out after %d s waiting for %s", (int) (seconds), #cond); \
  } G_STMT_END

#define TEST_LSAN_FONTCONFIG                                                 \
  const char *__lsan_default_suppressions (void);                            \
                                                                             \
  G_GNUC_UNUSED const char *                                                 \
  __lsan_default_suppressions (void)                                         \
  {                                                                          \
    return "leak:libfontconfig.so\n";                                        \
  }
