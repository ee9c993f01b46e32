/* store-damage.h — damage a store the way a failing disk or a bad copy does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests only; included by the tests that need it.
 */
#pragma once

#include <string.h>

#include <glib.h>
#include <sqlite3.h>

/* Overwrites a leaf page of table's b-tree, from the middle of the table,
 * with bytes no b-tree page starts with.  The store must be closed (its
 * content all in the main file).  Returns the page number. */
static inline gint64
damage_leaf_page (const char *path,
                  const char *table)
{
  g_autoptr(GArray) pages = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size = 0, page;
  gsize length = 0;

  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
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
  g_assert_cmpuint (pages->len, >=, 3);
  page = g_array_index (pages, gint64, pages->len / 2);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >=, page * page_size);
  memset (contents + (page - 1) * page_size, 0xA5, page_size);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return page;
}
