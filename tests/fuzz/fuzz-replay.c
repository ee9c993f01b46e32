/* fuzz-replay.c — runs a fuzz target over corpus files without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked with a target instead of libFuzzer's main, so the seed corpus
 * (and any crash reproducer added to it) runs in the normal test suite,
 * under gcc and the -Db_sanitize build.  Arguments are files or
 * directories of files.
 */
#define G_LOG_DOMAIN "fuzz-replay"
#include "config.h"

#include <stdint.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          const char *name;

          if (dir == NULL)
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              if (!replay_file (path))
                return 1;
              n++;
            }
        }
      else
        {
          if (!replay_file (argv[i]))
            return 1;
          n++;
        }
    }

  if (n == 0)
    {
      g_printerr ("no corpus files found\n");
      return 1;
    }
  g_print ("replayed %u inputs\n", n);
  return 0;
}
