/* store-damage.h — damage a store the way a failing disk or a bad copy does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests only; included by the tests that need it.
 */
#pragma once

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

/* Overwrites a leaf page of table's b-tree, from the middle of the table,
 * with bytes no b-tree page starts with.  The store must be checkpointed (its
 * content all in the main file; it may be open).  Returns the page number. */
static inline gint64
damage_leaf_page (const char *path,
                  const char *table)
{
  g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *garbage = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size = 0, page;
  FILE *file;
  GStatBuf st;

  /* Everything must be in the main file: no log, or an empty one. */
  g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  page_size = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  /* dbstat lists every page with the table it belongs to. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT pageno FROM dbstat WHERE name = ?"
                                           " AND pagetype = 'leaf' ORDER BY pageno", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 n = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (pages, n);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (pages->len, >=, 1);
  page = g_array_index (pages, gint64, pages->len / 2);

  /* In place, so a connection that has the file open reads it too. */
  garbage = g_malloc (page_size);
  memset (garbage, 0xA5, page_size);
  file = g_fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, (long) ((page - 1) * page_size), SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (garbage, 1, page_size, file), ==, (gsize) page_size);
  g_assert_cmpint (fclose (file), ==, 0);
  return page;
}
