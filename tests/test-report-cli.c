/* test-report-cli.c — obd2 report and obd2 sessions --verify CODE end to
 * end: record from the simulator, print, read the PDF back, check the
 * code, tamper, check again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_argv (Run                *run,
          const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *supp = g_test_build_filename (G_TEST_DIST, "lsan-fontconfig.supp", NULL);
  g_autofree char *lsan = g_strdup_printf ("suppressions=%s", supp);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Only matters in the sanitizer build (tests/lsan-fontconfig.supp). */
  g_subprocess_launcher_setenv (launcher, "LSAN_OPTIONS", lsan, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    g_error ("%s cannot run (%s); pdftotext and pdfinfo come with Debian's poppler-utils, "
             "which build-aux/deps.sh installs", argv[0], error->message);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

/* obd2 --db DB ARGS... (NULL-terminated). */
static void
run_cli (Run        *run,
         const char *db,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("OBD2_CLI"));
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  va_start (args, db);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run_argv (run, (const char * const *) argv->pdata);
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  g_auto(Run) run = { 0 };
  g_autoptr(GRegex) blanks = g_regex_new ("\\s+", 0, 0, NULL);

  run_argv (&run, argv);
  g_assert_cmpint (run.status, ==, 0);
  /* One space between words, wherever pdftotext broke lines. */
  return g_regex_replace_literal (blanks, run.out, -1, 0, " ", 0, NULL);
}

typedef struct
{
  char *dir;
  char *db;
  char *pdf;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (g_getenv ("OBD2_CLI"));
  f->dir = g_dir_make_tmp ("test-report-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "store.db", NULL);
  f->pdf = g_build_filename (f->dir, "report.pdf", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->pdf);
  g_free (f->dir);
}

/* Removes the store and its companions (WAL, shared memory, locks). */
static void
remove_store (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "store.db"))
      {
        g_autofree char *path = g_build_filename (f->dir, name, NULL);

        g_unlink (path);
      }
}

static void
record (Fixture    *f,
        const char *scenario)
{
  g_autofree char *port = g_strdup_printf ("sim:%s", scenario);
  g_auto(Run) run = { 0 };

  run_cli (&run, f->db, "--port", port, "record", "--duration", "1.5", NULL);
  if (run.status != 0)
    g_error ("record %s: %s", scenario, run.err);
}

static void
sql (Fixture    *f,
     const char *statement)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, statement, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", statement, message);
  sqlite3_close (db);
}

/* The code the report prints, from --json. */
static char *
report_json (Fixture    *f,
             const char *session,
             const char *paper)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  run_cli (&run, f->db, "--json", "report", session, "-o", f->pdf, "--paper", paper,
           "--shop-name", "Garage Müller & Söhne", "--shop-address", "Hauptstraße 12\\n80331 "
           "München", "--mechanic", "Anna Schmidt", "--customer", "Kim Meyer", NULL);
  if (run.status != 0)
    g_error ("report: %s", run.err);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "paper"), ==, paper);
  g_assert_true (json_object_get_null_member (o, "logo_error"));
  return g_strdup (json_object_get_string_member (o, "verification_code"));
}

/* Every simulator scenario prints, its codes and verdict are in the text,
 * and the printed code checks out. */
static void
test_scenarios (Fixture       *f,
                gconstpointer  data)
{
  static const struct
  {
    const char *name;
    const char *codes[3];
    const char *verdict;
  } scenarios[] = {
    { "healthy-idle", { NULL }, "Ready for an emissions inspection" },
    { "driving-cycle", { NULL }, "Not yet ready for an emissions inspection" },
    { "misfire", { "P0300", "P0301" }, "Not ready for an emissions inspection" },
    { "overheating", { "P0217" }, "Not ready for an emissions inspection" },
    { "lean-mixture", { "P0171", "P0174" }, "Not ready for an emissions inspection" },
    { "failing-catalyst", { "P0420" }, "Not ready for an emissions inspection" },
    { "weak-battery", { "P0562" }, "Not ready for an emissions inspection" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *code = NULL;
      g_auto(Run) verify = { 0 };

      remove_store (f);
      record (f, scenarios[i].name);
      code = report_json (f, "1", i % 2 == 0 ? "a4" : "letter");
      g_assert_nonnull (code);
      text = pdf_text (f->pdf);
      g_test_message ("%s: %s", scenarios[i].name, text);

      g_assert_nonnull (strstr (text, "1HGCR2F30EA012345"));
      g_assert_nonnull (strstr (text, "Garage Müller & Söhne"));
      g_assert_nonnull (strstr (text, "Hauptstraße 12"));
      g_assert_nonnull (strstr (text, "Kim Meyer"));
      g_assert_nonnull (strstr (text, "Overall health"));
      g_assert_nonnull (strstr (text, scenarios[i].verdict));
      g_assert_nonnull (strstr (text, code));
      for (guint c = 0; c < G_N_ELEMENTS (scenarios[i].codes) && scenarios[i].codes[c]; c++)
        g_assert_nonnull (strstr (text, scenarios[i].codes[c]));
      if (scenarios[i].codes[0] == NULL)
        g_assert_nonnull (strstr (text, "No trouble codes were reported"));

      run_cli (&verify, f->db, "sessions", "--verify", code, NULL);
      g_assert_cmpint (verify.status, ==, 0);
      g_assert_nonnull (strstr (verify.out, "intact"));
    }
}

static void
test_verify_and_tamper (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *code1 = NULL;
  g_autofree char *code2 = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *equals = NULL;

  record (f, "misfire");
  record (f, "misfire");
  code1 = report_json (f, "1", "a4");
  code2 = report_json (f, "2", "a4");

  /* Typed as a person types it. */
  lower = g_ascii_strdown (code2, -1);
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "sessions", "--verify", lower, NULL);
    g_assert_cmpint (run.status, ==, 0);
  }
  equals = g_strdup_printf ("--verify=%s", code1);
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *o;

    run_cli (&run, f->db, "--json", "sessions", equals, NULL);
    g_assert_cmpint (run.status, ==, 0);
    json_parser_load_from_data (parser, run.out, -1, &error);
    g_assert_no_error (error);
    o = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (o, "result"), ==, "intact");
    g_assert_cmpint (json_object_get_int_member (o, "session"), ==, 1);
  }

  /* One engine speed of the first session, changed behind the program's
   * back. */
  sql (f, "UPDATE samples SET value = value + 100 WHERE session_id = 1 AND pid = 12"
          " AND time_us = (SELECT min (time_us) FROM samples WHERE session_id = 1"
          " AND pid = 12)");

  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "sessions", "--verify", code1, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "was changed after it was recorded"));
  }
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "sessions", "--verify", code2, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "not intact"));
  }
  {
    g_auto(Run) run = { 0 };

    /* No report is printed from a changed session, and none is left. */
    g_unlink (f->pdf);
    run_cli (&run, f->db, "report", "1", "-o", f->pdf, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "cannot be trusted"));
    g_assert_false (g_file_test (f->pdf, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "sessions", "--verify", "ABCD-ABCD-ABCD-ABCD", NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "No session in this store carries the code"));
  }
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  static const char *bad[][6] = {
    { "report", "1", NULL },                                     /* no -o */
    { "report", "-o", "x.pdf", NULL },                           /* no session */
    { "report", "1", "2", "-o", "x.pdf", NULL },                 /* two sessions */
    { "report", "1", "-o", "x.pdf", "--paper", "legal" },        /* unknown paper */
    { "sessions", "--verify", "12345", NULL },                   /* too short */
    { "sessions", "--verify", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", NULL },     /* not hex */
  };
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "r.pdf", NULL);

  record (f, "healthy-idle");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_auto(Run) run = { 0 };

      g_ptr_array_add (argv, (gpointer) g_getenv ("OBD2_CLI"));
      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, f->db);
      for (guint k = 0; k < 6 && bad[i][k] != NULL; k++)
        g_ptr_array_add (argv, (gpointer) bad[i][k]);
      g_ptr_array_add (argv, NULL);
      run_argv (&run, (const char * const *) argv->pdata);
      g_test_message ("case %u: %s", i, run.err);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_true (g_str_has_prefix (run.err, "obd2: "));
    }

  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "report", "7", "-o", f->pdf, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "No session “7”"));
  }
  {
    g_auto(Run) run = { 0 };

    run_cli (&run, f->db, "report", "1", "-o", missing, NULL);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_nonnull (strstr (run.err, "could not be written"));
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *logo = g_build_filename (f->dir, "logo.png", NULL);
    g_autofree char *text = NULL;

    /* A broken logo is reported; the report is still written. */
    g_assert_true (g_file_set_contents (logo, "not a picture", -1, NULL));
    run_cli (&run, f->db, "report", "1", "-o", f->pdf, "--logo", logo, NULL);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.err, "The logo is not a PNG image"));
    text = pdf_text (f->pdf);
    g_assert_nonnull (strstr (text, "1HGCR2F30EA012345"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/report-cli/scenarios", test_scenarios);
  ADD ("/report-cli/verify-and-tamper", test_verify_and_tamper);
  ADD ("/report-cli/usage", test_usage);

  return g_test_run ();
}
