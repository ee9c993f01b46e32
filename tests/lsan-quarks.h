/* lsan-quarks.h — GLib's quark table and LeakSanitizer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib keeps interned strings in an array it grows by 2048 entries, and on
 * purpose never frees the array it replaces (gquark.c: readers take it
 * without a lock).  A test process that builds windows for a while passes
 * 2048 quarks, and LeakSanitizer reports the array left behind as a direct
 * leak of 16 KiB — with no stack beyond g_malloc (GLib is built without
 * frame pointers), so no suppression can name it.
 *
 * lsan_quarks_ignore_table () finds the array GLib uses now — the pointer
 * in libglib's writable data whose entries 1 to 3 are the strings of quarks
 * 1 to 3 — and tells LeakSanitizer to ignore it, so it is not reported when
 * GLib replaces it.  Called before each window is built; it covers one
 * growth (2048 new quarks) until the next call.  Every other leak is
 * reported as before.  Outside AddressSanitizer builds it does nothing.
 */
#pragma once

#include <glib.h>

#if defined(__SANITIZE_ADDRESS__)
#include <stdio.h>
#include <string.h>

/* From <sanitizer/lsan_interface.h>, which would also declare the
 * __lsan_default_suppressions the tests define. */
void __lsan_ignore_object (const void *p);

typedef struct
{
  guintptr start, end;
} LsanQuarksRange;

static inline gboolean
lsan_quarks_readable (const LsanQuarksRange *ranges,
                      guint                  n,
                      guintptr               p,
                      gsize                  size)
{
  for (guint i = 0; i < n; i++)
    if (p >= ranges[i].start && p + size <= ranges[i].end)
      return TRUE;
  return FALSE;
}

/* Not instrumented: it reads words of memory it does not own, looking for
 * the table, and only through addresses the process has mapped. */
__attribute__((no_sanitize_address)) static inline void
lsan_quarks_ignore_table (void)
{
  LsanQuarksRange readable[512], glib_data[16];
  guint n_readable = 0, n_glib = 0;
  const char *s1 = g_quark_to_string (1), *s2 = g_quark_to_string (2);
  const char *s3 = g_quark_to_string (3);
  char line[512];
  FILE *maps = fopen ("/proc/self/maps", "r");

  g_assert_nonnull (maps);
  g_assert_true (s1 != NULL && s2 != NULL && s3 != NULL);
  while (fgets (line, sizeof line, maps) != NULL)
    {
      unsigned long start, end;
      char perms[8] = "";

      if (sscanf (line, "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r')
        continue;
      if (n_readable < G_N_ELEMENTS (readable))
        readable[n_readable++] = (LsanQuarksRange) { start, end };
      if (perms[1] == 'w' && strstr (line, "libglib-2.0.so") != NULL
          && n_glib < G_N_ELEMENTS (glib_data))
        glib_data[n_glib++] = (LsanQuarksRange) { start, end };
    }
  fclose (maps);

  for (guint r = 0; r < n_glib; r++)
    for (guintptr at = glib_data[r].start; at + sizeof (gpointer) <= glib_data[r].end;
         at += sizeof (gpointer))
      {
        const char * const *table = *(const char * const * const *) at;

        if (lsan_quarks_readable (readable, n_readable, (guintptr) table, 4 * sizeof (gpointer))
            && table[1] == s1 && table[2] == s2 && table[3] == s3)
          {
            __lsan_ignore_object (table);
            return;
          }
      }
  g_error ("GLib's quark table was not found (lsan-quarks.h)");
}
#else
static inline void
lsan_quarks_ignore_table (void)
{
}
#endif
