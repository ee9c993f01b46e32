/* test-guide.c — the guide engine: loading and validating guides, the run
 * state machine, live checks deciding from samples, saving and resuming
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every guide is walked against its simulator scenarios in
 * test-guide-walk.c; this file tests the engine with small guides of its
 * own and checks the shipped ones load.
 */
#define G_LOG_DOMAIN "test-guide"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "obd-guide-library.h"
#include "obd-guide-run.h"
#include "obd-guide-store.h"
#include "obd-pid.h"

#define T0 G_GINT64_CONSTANT (1714557600000000)
#define SEC G_USEC_PER_SEC

/* A guide with every kind of step, small enough to reason about. */
static const char test_guide[] =
  "<?xml version=\"1.0\"?>\n"                                                  /* 1 */
  "<guide id=\"test\" version=\"2\">\n"
  "  <title>Test guide</title>\n"
  "  <summary>Every kind of step.</summary>\n"
  "  <applies-to><code>P0128</code><codes from=\"P0300\" to=\"P0308\"/>\n"   /* 5 */
  "    <symptom>rough-idle</symptom></applies-to>\n"
  "  <tools><tool>Meter</tool></tools>\n"
  "  <steps>\n"
  "    <instruction id=\"start\" next=\"ask\"><title>Begin</title></instruction>\n"
  "    <question id=\"ask\"><title>Which way?</title>\n"                     /* 10 */
  "      <answer value=\"left\" next=\"displacement\">Left</answer>\n"
  "      <answer value=\"right\" next=\"codes\">Right</answer></question>\n"
  "    <measurement id=\"displacement\" unit=\"litre\" min=\"0.5\" max=\"9\" valid-min=\"0.5\"\n"
  "        valid-max=\"9\" pass=\"resistance\" fail=\"broken\"><title>Size</title></measurement>\n"
  "    <measurement id=\"resistance\" unit=\"ohm\" min=\"2\" max=\"15\" pass=\"maf\"\n" /* 15 */
  "        low=\"shorted\" high=\"open\"><title>Heater</title></measurement>\n"
  "    <live-check id=\"maf\" time-limit=\"30\" pass=\"fine\" fail=\"broken\" timeout=\"slow\">\n"
  "      <title>Air flow</title>\n"
  "      <require pid=\"rpm\" min=\"600\" max=\"900\"/>\n"
  "      <holds pid=\"maf\" min=\"1.5\" max=\"3.5\" for=\"5\" scale-by=\"displacement\"/>\n" /* 20 */
  "    </live-check>\n"
  "    <code-check id=\"codes\" present=\"broken\" absent=\"fine\" kinds=\"stored permanent\">\n"
  "      <title>Codes</title><code>P0101</code><codes from=\"U0100\" to=\"U0101\"/>\n"
  "    </code-check>\n"
  "  </steps>\n"                                                                /* 25 */
  "  <findings>\n"
  "    <finding id=\"fine\" kind=\"no-fault\"><title>Fine</title></finding>\n"
  "    <finding id=\"broken\" kind=\"fault\"><title>Broken</title>\n"
  "      <repair hours=\"1\" max-hours=\"2\">Fix it</repair></finding>\n"
  "    <finding id=\"shorted\" kind=\"fault\"><title>Shorted</title>\n"        /* 30 */
  "      <repair hours=\"0.5\">Replace</repair></finding>\n"
  "    <finding id=\"open\" kind=\"fault\"><title>Open</title>\n"
  "      <repair hours=\"0.5\">Replace</repair></finding>\n"
  "    <finding id=\"slow\" kind=\"refer\" guide=\"thermostat\"><title>Slow</title></finding>\n"
  "  </findings>\n"                                                             /* 35 */
  "</guide>\n";

static ObdGuide *
load (const char *xml)
{
  g_autoptr(GError) error = NULL;
  ObdGuide *guide = obd_guide_new_from_data (xml, strlen (xml), "test.xml", &error);

  g_assert_no_error (error);
  g_assert_nonnull (guide);
  return guide;
}

/* ------------------------------------------------------------------ */
/* Loading */

static void
test_shipped_guides (void)
{
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new_default ();
  g_autofree char *dir_path = g_build_filename (TEST_SOURCE_ROOT, "data", "guides", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *problems = obd_guide_library_get_problems (library);
  guint n_files = 0;
  const char *name;

  for (guint i = 0; i < problems->len; i++)
    {
      const ObdGuideProblem *problem = g_ptr_array_index (problems, i);

      g_test_message ("%s:%u: %s", problem->filename, problem->line, problem->message);
    }
  g_assert_cmpuint (problems->len, ==, 0);

  /* Every guide file in the folder is in the GResource. */
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean found = FALSE;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      n_files++;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (library)); i++)
        {
          g_autoptr(ObdGuide) guide = g_list_model_get_item (G_LIST_MODEL (library), i);

          found = found || g_str_equal (obd_guide_get_filename (guide), name);
        }
      if (!found)
        g_error ("data/guides/%s is not in the library: list it in data/guides/meson.build", name);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (library)), ==, n_files);
  g_assert_cmpuint (n_files, >=, MIN_GUIDES);

  /* Sorted by id, each with what a mechanic needs. */
  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(ObdGuide) guide = g_list_model_get_item (G_LIST_MODEL (library), i);
      guint n_codes = 0;
      gboolean fault = FALSE, cleared = FALSE;

      if (i > 0)
        {
          g_autoptr(ObdGuide) before = g_list_model_get_item (G_LIST_MODEL (library), i - 1);

          g_assert_cmpstr (obd_guide_get_id (before), <, obd_guide_get_id (guide));
        }
      obd_guide_get_codes (guide, &n_codes);
      g_assert_true (n_codes > 0 || obd_guide_get_symptoms (guide)[0] != NULL);
      g_assert_nonnull (obd_guide_get_tools (guide)[0]);
      for (guint f = 0; f < obd_guide_get_n_findings (guide); f++)
        {
          const ObdGuideFinding *finding = obd_guide_get_finding (guide, f);

          fault = fault || finding->kind == OBD_GUIDE_FINDING_FAULT;
          cleared = cleared || finding->kind == OBD_GUIDE_FINDING_NO_FAULT;
          for (guint r = 0; r < finding->n_repairs; r++)
            g_assert_cmpfloat (finding->repairs[r].hours, >, 0);
        }
      /* Every guide can find its fault and can clear its suspect. */
      g_assert_true (fault);
      g_assert_true (cleared);
    }
}

typedef struct
{
  const char *name;
  const char *xml;
  guint       line;
  const char *words;   /* part of the message */
} BadGuide;

#define HEAD "<?xml version=\"1.0\"?>\n<guide id=\"bad\" version=\"1\">\n" \
             "<title>T</title><summary>S</summary>\n" \
             "<applies-to><code>P0128</code></applies-to>\n"
#define FINDINGS "<findings><finding id=\"f\" kind=\"no-fault\"><title>F</title></finding>" \
                 "</findings>\n"
#define Q(id, a, b) "<question id=\"" id "\"><title>Q</title>" \
                    "<answer value=\"y\" next=\"" a "\">Y</answer>" \
                    "<answer value=\"n\" next=\"" b "\">N</answer></question>\n"

static const BadGuide bad_guides[] = {
  { "not-xml", "<?xml version=\"1.0\"?>\n<guide id=\"x\">\n<title>oops</guide>\n", 3,
    "mismatch" },
  { "empty", "", 1, "" },
  { "not-utf8", "<?xml version=\"1.0\"?>\n<guide>\xff</guide>\n", 1, "UTF-8" },
  { "doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE guide [<!ENTITY a \"aaaa\">]>\n"
    "<guide id=\"x\" version=\"1\"/>\n", 1, "DOCTYPE" },
  { "unknown-element", HEAD "<steps>\n<dance id=\"s\"/>\n</steps>\n" FINDINGS "</guide>\n", 6,
    "" },
  { "bad-id", "<?xml version=\"1.0\"?>\n<guide id=\"Bad Id\" version=\"1\">\n</guide>\n", 2, "" },
  { "unknown-target", HEAD "<steps>\n" Q ("s", "f", "nowhere") "</steps>\n" FINDINGS "</guide>\n",
    6, "nowhere" },
  { "unreachable", HEAD "<steps>\n" Q ("s", "f", "f") Q ("lost", "f", "f") "</steps>\n" FINDINGS
    "</guide>\n", 7, "lost" },
  { "no-way-out", HEAD "<steps>\n" Q ("a", "b", "f") Q ("b", "c", "c") Q ("c", "b", "b")
    "</steps>\n" FINDINGS "</guide>\n", 7, "no path" },
  { "unused-finding", HEAD "<steps>\n" Q ("s", "f", "f") "</steps>\n<findings>\n"
    "<finding id=\"f\" kind=\"no-fault\"><title>F</title></finding>\n"
    "<finding id=\"g\" kind=\"no-fault\"><title>G</title></finding>\n</findings></guide>\n",
    10, "“g”" },
  { "duplicate-id", HEAD "<steps>\n" Q ("f", "f", "f") "</steps>\n" FINDINGS "</guide>\n", 6,
    "twice" },
  { "unknown-pid", HEAD "<steps>\n<live-check id=\"s\" time-limit=\"10\" pass=\"f\" fail=\"f\">"
    "<title>L</title>\n<reaches pid=\"warp_drive\" min=\"1\"/>\n</live-check></steps>\n" FINDINGS
    "</guide>\n", 7, "warp_drive" },
  { "min-above-max", HEAD "<steps>\n<live-check id=\"s\" time-limit=\"10\" pass=\"f\" fail=\"f\">"
    "<title>L</title>\n<holds pid=\"rpm\" min=\"900\" max=\"600\" for=\"2\"/>\n</live-check>"
    "</steps>\n" FINDINGS "</guide>\n", 7, "min is above max" },
  { "longer-than-limit", HEAD "<steps>\n<live-check id=\"s\" time-limit=\"10\" pass=\"f\" "
    "fail=\"f\"><title>L</title>\n<stays pid=\"rpm\" min=\"600\" for=\"60\"/>\n</live-check>"
    "</steps>\n" FINDINGS "</guide>\n", 7, "time limit" },
  { "ampersand", HEAD "<steps>\n" "<instruction id=\"s\" next=\"f\"><title>Nuts &amp; bolts"
    "</title></instruction>\n</steps>\n" FINDINGS "</guide>\n", 6, "&" },
  { "bad-range", HEAD "<steps>\n<code-check id=\"s\" present=\"f\" absent=\"f\"><title>C</title>\n"
    "<codes from=\"P0308\" to=\"P0300\"/></code-check>\n</steps>\n" FINDINGS "</guide>\n", 7,
    "range" },
  { "scale-by-question", HEAD "<steps>\n" Q ("q", "m", "m")
    "<measurement id=\"m\" unit=\"ohm\" min=\"1\" scale-by=\"q\" pass=\"f\" fail=\"f\">"
    "<title>M</title></measurement>\n</steps>\n" FINDINGS "</guide>\n", 7, "scale-by" },
  { "fault-without-repair", HEAD "<steps>\n" Q ("s", "f", "f") "</steps>\n<findings>\n"
    "<finding id=\"f\" kind=\"fault\"><title>F</title></finding>\n</findings></guide>\n", 9,
    "repair" },
  { "refer-self", HEAD "<steps>\n" Q ("s", "f", "f") "</steps>\n<findings>\n"
    "<finding id=\"f\" kind=\"refer\" guide=\"bad\"><title>F</title></finding>\n</findings>"
    "</guide>\n", 9, "itself" },
  { "one-answer", HEAD "<steps>\n<question id=\"s\"><title>Q</title>\n"
    "<answer value=\"y\" next=\"f\">Y</answer></question>\n</steps>\n" FINDINGS "</guide>\n", 6,
    "two answers" },
  { "empty-text", HEAD "<steps>\n<instruction id=\"s\" next=\"f\"><title>  \n </title>"
    "</instruction>\n</steps>\n" FINDINGS "</guide>\n", 6, "empty" },
};

static void
test_malformed (void)
{
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new ();
  GPtrArray *problems;

  for (guint i = 0; i < G_N_ELEMENTS (bad_guides); i++)
    {
      const BadGuide *bad = &bad_guides[i];
      g_autofree char *file = g_strdup_printf ("%s.xml", bad->name);
      g_autofree char *prefix = g_strdup_printf ("%s:%u: ", file, bad->line);
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdGuide) guide = obd_guide_new_from_data (bad->xml, strlen (bad->xml), file,
                                                           &error);

      g_test_message ("%s: %s", bad->name, error != NULL ? error->message : "(loaded)");
      g_assert_null (guide);
      g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, bad->words));

      /* In a library: skipped, reported, never fatal. */
      g_test_expect_message ("obd-guide", G_LOG_LEVEL_WARNING, "Guide problem*");
      g_assert_false (obd_guide_library_add_data (library, bad->xml, strlen (bad->xml), file));
      g_test_assert_expected_messages ();
    }

  /* The good one still loads beside them. */
  g_assert_true (obd_guide_library_add_data (library, test_guide, strlen (test_guide), "t.xml"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (library)), ==, 1);
  problems = obd_guide_library_get_problems (library);
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (bad_guides));
  for (guint i = 0; i < problems->len; i++)
    {
      const ObdGuideProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *file = g_strdup_printf ("%s.xml", bad_guides[i].name);

      g_assert_cmpstr (problem->filename, ==, file);
      g_assert_cmpuint (problem->line, ==, bad_guides[i].line);
      g_assert_false (g_str_has_prefix (problem->message, file));
    }

  /* Its reference to a guide this library lacks is a problem too. */
  g_test_expect_message ("obd-guide", G_LOG_LEVEL_WARNING, "Guide problem*thermostat*");
  obd_guide_library_check_references (library);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (bad_guides) + 1);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

/* A workshop's own folder: its guides join, replace a built-in one by id,
 * and a broken one is skipped with its file named. */
static void
test_user_folder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-guide-XXXXXX", &error);
  g_autofree char *own = NULL;
  g_autoptr(ObdGuideLibrary) library = NULL;
  GPtrArray *problems;
  ObdGuide *replaced;
  g_autofree char *broken = NULL;

  g_assert_no_error (error);
  own = g_strdup (test_guide);
  write_file (dir, "ours.xml", own);
  /* The shipped thermostat guide, replaced by a shop's version. */
  {
    g_autoptr(GString) copy = g_string_new (test_guide);

    g_string_replace (copy, "id=\"test\" version=\"2\"", "id=\"thermostat\" version=\"7\"", 1);
    g_string_replace (copy, "guide=\"thermostat\"", "guide=\"test\"", 1);
    write_file (dir, "thermostat.xml", copy->str);
  }
  write_file (dir, "zz-broken.xml", "<?xml version=\"1.0\"?>\n<guide>\n");
  write_file (dir, "notes.txt", "not a guide");

  g_setenv ("OBD2_GUIDE_PATH", dir, TRUE);
  g_test_expect_message ("obd-guide", G_LOG_LEVEL_WARNING, "Guide problem*zz-broken.xml:3:*");
  library = obd_guide_library_new_default ();
  g_test_assert_expected_messages ();
  g_unsetenv ("OBD2_GUIDE_PATH");

  problems = obd_guide_library_get_problems (library);
  g_assert_cmpuint (problems->len, ==, 1);
  broken = g_build_filename (dir, "zz-broken.xml", NULL);
  g_assert_cmpstr (((ObdGuideProblem *) g_ptr_array_index (problems, 0))->filename, ==, broken);
  g_assert_nonnull (obd_guide_library_lookup (library, "test"));
  replaced = obd_guide_library_lookup (library, "thermostat");
  g_assert_cmpint (obd_guide_get_version (replaced), ==, 7);

  remove_dir (dir);
}

static void
test_match (void)
{
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new ();
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(ObdGuide) guide = load (test_guide);

  g_assert_true (obd_guide_library_add_data (library, test_guide, strlen (test_guide), "t.xml"));
  g_assert_cmpuint (obd_guide_match_code (guide, "P0128"), >, obd_guide_match_code (guide, "P0301"));
  g_assert_cmpuint (obd_guide_match_code (guide, "p0308"), >, 0);
  g_assert_cmpuint (obd_guide_match_code (guide, "P0309"), ==, 0);
  g_assert_cmpuint (obd_guide_match_code (guide, "nonsense"), ==, 0);
  g_assert_cmpuint (obd_guide_match_code (guide, NULL), ==, 0);
  g_assert_true (obd_guide_has_symptom (guide, "rough-idle"));
  g_assert_false (obd_guide_has_symptom (guide, "no-start"));

  found = obd_guide_library_find_for_code (library, "P0304");
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = obd_guide_library_find_for_code (library, "U0100");
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = obd_guide_library_find_for_symptom (library, "rough-idle");
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_nonnull (obd_guide_find_symptom ("mil-no-codes"));
  g_assert_null (obd_guide_find_symptom ("sunroof-leaks"));
}

/* ------------------------------------------------------------------ */
/* The run */

typedef struct
{
  guint      recorded;
  guint      rewound;
  guint      finished;
  guint      live_updates;
  guint      step_notifies;
  GPtrArray *saved;   /* copies of the records, as an owner keeps them */
} Watch;

static void
on_recorded_cb (ObdGuideRun          *run,
                const ObdGuideRecord *record,
                Watch                *w)
{
  w->recorded++;
  g_ptr_array_add (w->saved, obd_guide_record_copy (record));
}

static void
on_rewound_cb (ObdGuideRun *run,
               guint        keep,
               Watch       *w)
{
  w->rewound++;
  g_ptr_array_set_size (w->saved, keep);
}

static void
on_finished_cb (ObdGuideRun *run,
                Watch       *w)
{
  w->finished++;
}

static void
on_live_updated_cb (ObdGuideRun *run,
                    Watch       *w)
{
  w->live_updates++;
}

static void
on_step_notify_cb (ObdGuideRun *run,
                   GParamSpec  *pspec,
                   Watch       *w)
{
  w->step_notifies++;
}

static ObdGuideRun *
watched_run (ObdGuide *guide,
             Watch    *w)
{
  ObdGuideRun *run = obd_guide_run_new (guide, "code:P0128");

  memset (w, 0, sizeof *w);
  w->saved = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_guide_record_free);
  g_signal_connect (run, "recorded", G_CALLBACK (on_recorded_cb), w);
  g_signal_connect (run, "rewound", G_CALLBACK (on_rewound_cb), w);
  g_signal_connect (run, "finished", G_CALLBACK (on_finished_cb), w);
  g_signal_connect (run, "live-updated", G_CALLBACK (on_live_updated_cb), w);
  g_signal_connect (run, "notify::step-id", G_CALLBACK (on_step_notify_cb), w);
  return run;
}

static const char *
step_id (ObdGuideRun *run)
{
  const ObdGuideStep *step = obd_guide_run_get_step (run);

  return step != NULL ? step->id : NULL;
}

static ObdSample
sample (gint64 t,
        guint8 pid,
        double value)
{
  ObdSample s = { .time_us = t, .ecu = 0x7E8, .service = 0x01, .pid = pid, .value = value };

  return s;
}

static void
test_run_steps (void)
{
  g_autoptr(ObdGuide) guide = load (test_guide);
  g_autoptr(ObdGuideRun) run = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *records;
  const ObdGuideRecord *r;
  Watch w;

  run = watched_run (guide, &w);
  g_assert_cmpstr (step_id (run), ==, "start");
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_STEP);
  g_assert_cmpstr (obd_guide_run_get_reason (run), ==, "code:P0128");

  /* Wrong kind of action for the step: refused, nothing recorded. */
  g_assert_false (obd_guide_run_answer (run, "left", &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_assert_false (obd_guide_run_measure (run, 1.0, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_assert_false (obd_guide_run_back (run, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_assert_cmpuint (w.recorded, ==, 0);

  g_assert_true (obd_guide_run_confirm (run, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (step_id (run), ==, "ask");
  g_assert_false (obd_guide_run_answer (run, "up", &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "left, right"));
  g_clear_error (&error);
  g_assert_false (obd_guide_run_answer (run, NULL, &error));
  g_clear_error (&error);
  g_assert_true (obd_guide_run_answer (run, "left", &error));

  /* Measurements: NaN, infinities, outside what is possible. */
  g_assert_cmpstr (step_id (run), ==, "displacement");
  g_assert_false (obd_guide_run_measure (run, NAN, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (obd_guide_run_measure (run, INFINITY, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_run_measure (run, 1e300, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_run_measure (run, -3, &error));
  g_clear_error (&error);
  g_assert_true (obd_guide_run_measure (run, 2.0, &error));
  g_assert_no_error (error);

  /* Ohms: open circuit is high, a short low, within range passes. */
  g_assert_cmpstr (step_id (run), ==, "resistance");
  g_assert_false (obd_guide_run_measure (run, -INFINITY, &error));
  g_clear_error (&error);
  g_assert_true (obd_guide_run_measure (run, INFINITY, &error));
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "open");
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_FINISHED);
  g_assert_null (obd_guide_run_get_step (run));
  g_assert_false (obd_guide_run_confirm (run, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_assert_cmpuint (w.finished, ==, 1);

  /* Back from the finding: the run is on the measurement again. */
  g_assert_true (obd_guide_run_back (run, &error));
  g_assert_cmpstr (step_id (run), ==, "resistance");
  g_assert_null (obd_guide_run_get_finding (run));
  g_assert_cmpuint (w.rewound, ==, 1);
  g_assert_true (obd_guide_run_measure (run, 0.4, &error));
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "shorted");
  g_assert_true (obd_guide_run_back (run, &error));
  g_assert_true (obd_guide_run_measure (run, 6.5, &error));
  g_assert_cmpstr (step_id (run), ==, "maf");

  records = obd_guide_run_get_records (run);
  g_assert_cmpuint (records->len, ==, 4);
  r = g_ptr_array_index (records, 2);
  g_assert_cmpuint (r->seq, ==, 3);
  g_assert_cmpstr (r->step_id, ==, "displacement");
  g_assert_cmpint (r->kind, ==, OBD_GUIDE_STEP_MEASUREMENT);
  g_assert_cmpstr (r->outcome, ==, "pass");
  g_assert_cmpfloat (r->value, ==, 2.0);
  r = g_ptr_array_index (records, 3);
  g_assert_cmpstr (r->outcome, ==, "pass");
  g_assert_cmpint (r->unit, ==, OBD_UNIT_OHM);
  g_assert_nonnull (strstr (r->detail, "expected"));
  g_assert_cmpuint (w.saved->len, ==, records->len);
  g_assert_cmpuint (w.step_notifies, ==, w.recorded + w.rewound);

  /* The live check's range is scaled by the displacement: 3-7 g/s. */
  g_assert_cmpfloat (obd_guide_run_get_scale (run, "displacement"), ==, 2.0);
  g_assert_true (obd_guide_run_start_live_check (run, T0, NULL, &error));
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_LIVE);
  g_assert_false (obd_guide_run_judge (run, TRUE, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_WRONG_STEP);
  g_clear_error (&error);
  for (gint64 t = T0; t <= T0 + 6 * SEC; t += SEC / 2)
    {
      ObdSample batch[2] = { sample (t, 0x0C, 750), sample (t, 0x10, 6.6) };

      obd_guide_run_feed_samples (run, batch, 2);
    }
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "fine");
  g_assert_cmpuint (w.live_updates, >, 0);
  r = g_ptr_array_index (records, 4);
  g_assert_cmpstr (r->outcome, ==, "pass");
  g_assert_cmpint (r->time_us, ==, T0 + 5 * SEC);
  g_assert_cmpfloat_with_epsilon (r->value, 6.6, 1e-9);
  g_assert_cmpint (r->unit, ==, OBD_UNIT_GRAMS_PER_SEC);
  g_assert_false (r->manual);

  g_ptr_array_unref (w.saved);
}

/* A guide with one live check made of condition, for the check tests. */
static ObdGuide *
live_guide (const char *conditions,
            double      time_limit)
{
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\"?>\n<guide id=\"live\" version=\"1\"><title>L</title><summary>S</summary>"
    "<applies-to><code>P0100</code></applies-to><steps>"
    "<live-check id=\"check\" time-limit=\"%g\" pass=\"pass\" fail=\"fail\" timeout=\"timeout\">"
    "<title>C</title>%s</live-check></steps><findings>"
    "<finding id=\"pass\" kind=\"no-fault\"><title>P</title></finding>"
    "<finding id=\"fail\" kind=\"fault\"><title>F</title><repair hours=\"1\">R</repair></finding>"
    "<finding id=\"timeout\" kind=\"fault\"><title>T</title><repair hours=\"1\">R</repair></finding>"
    "</findings></guide>", time_limit, conditions);

  return load (xml);
}

typedef double (*Signal) (double t);

/* Feeds pid = f(t) every 100 ms from T0 until the run decides or
 * seconds pass; returns the finding id (NULL if undecided). */
static const char *
feed_until (ObdGuideRun *run,
            guint8       pid,
            Signal       f,
            double       seconds)
{
  for (double t = 0; t <= seconds && obd_guide_run_get_finding (run) == NULL; t += 0.1)
    {
      ObdSample s = sample (T0 + (gint64) llround (t * SEC), pid, f (t));

      obd_guide_run_feed_samples (run, &s, 1);
    }
  return obd_guide_run_get_finding (run) != NULL ? obd_guide_run_get_finding (run)->id : NULL;
}

static double warming (double t) { return 20 + t; }
static double steady (double t) { return 750 + 10 * sin (t); }
static double dropout (double t) { return fmod (t, 17) >= 9 && fmod (t, 17) < 9.4 ? 0 : 750; }
static double switching (double t) { return 0.45 + 0.4 * sin (2 * G_PI * t); }
static double flat_o2 (double t) { return 0.66 + 0.01 * sin (t); }
static double lean (double t) { return 14 + sin (t); }

static const char *
decide (const char *conditions,
        double      time_limit,
        guint8      pid,
        Signal      f,
        double      seconds)
{
  g_autoptr(ObdGuide) guide = live_guide (conditions, time_limit);
  g_autoptr(ObdGuideRun) run = obd_guide_run_new (guide, NULL);
  g_autoptr(GError) error = NULL;
  const char *finding;

  g_assert_true (obd_guide_run_start_live_check (run, T0, NULL, &error));
  g_assert_no_error (error);
  finding = feed_until (run, pid, f, seconds);
  return finding != NULL ? g_intern_string (finding) : NULL;
}

static void
test_check_conditions (void)
{
  /* Coolant warming 1 °C/s reaches 80 °C after 60 s; not within 50 s. */
  g_assert_cmpstr (decide ("<reaches pid=\"coolant_temp\" min=\"80\"/>", 100, 0x05, warming, 200),
                   ==, "pass");
  g_assert_cmpstr (decide ("<reaches pid=\"coolant_temp\" min=\"80\"/>", 50, 0x05, warming, 200),
                   ==, "timeout");
  /* Holds / stays / flat / average / switches / no-gap. */
  g_assert_cmpstr (decide ("<holds pid=\"rpm\" min=\"700\" max=\"800\" for=\"10\"/>", 30, 0x0C,
                           steady, 60), ==, "pass");
  g_assert_cmpstr (decide ("<stays pid=\"rpm\" min=\"400\" for=\"20\"/>", 30, 0x0C, steady, 60),
                   ==, "pass");
  g_assert_cmpstr (decide ("<stays pid=\"rpm\" min=\"400\" for=\"20\"/>", 30, 0x0C, dropout, 60),
                   ==, "fail");
  /* Not decided before its window is full. */
  g_assert_null (decide ("<stays pid=\"rpm\" min=\"400\" for=\"20\"/>", 30, 0x0C, steady, 15));
  g_assert_cmpstr (decide ("<flat pid=\"o2_s2\" span=\"0.1\" for=\"20\"/>", 30, 0x15, flat_o2, 60),
                   ==, "pass");
  g_assert_cmpstr (decide ("<flat pid=\"o2_s2\" span=\"0.1\" for=\"20\"/>", 30, 0x15, switching,
                           60), ==, "fail");
  g_assert_cmpstr (decide ("<switches pid=\"o2_s1\" threshold=\"0.45\" band=\"0.2\" count=\"6\"/>",
                           10, 0x14, switching, 60), ==, "pass");
  g_assert_cmpstr (decide ("<switches pid=\"o2_s1\" threshold=\"0.45\" band=\"0.2\" count=\"6\"/>",
                           10, 0x14, flat_o2, 60), ==, "timeout");
  g_assert_cmpstr (decide ("<average pid=\"stft_b1\" min=\"-10\" max=\"10\" for=\"10\"/>", 30,
                           0x06, lean, 60), ==, "fail");
  g_assert_cmpstr (decide ("<no-gap pid=\"rpm\" gap=\"1\" for=\"20\"/>", 30, 0x0C, steady, 60),
                   ==, "pass");
}

/* Samples of one time stamp in a batch: a pid every 100 ms, skipping
 * [from, to) seconds. */
static void
test_check_no_gap (void)
{
  g_autoptr(ObdGuide) guide = live_guide ("<no-gap pid=\"rpm\" gap=\"2\" for=\"60\"/>", 90);
  g_autoptr(ObdGuideRun) run = obd_guide_run_new (guide, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (obd_guide_run_start_live_check (run, T0, NULL, &error));
  for (double t = 0; t < 30 && obd_guide_run_get_finding (run) == NULL; t += 0.1)
    {
      ObdSample s = sample (T0 + (gint64) llround (t * SEC), 0x0C, 750);

      if (t >= 20 && t < 24)
        continue;  /* the module drops off the bus */
      obd_guide_run_feed_samples (run, &s, 1);
    }
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "fail");
}

/* The run decides from the samples' clock, whatever the wall clock says,
 * ignores stale, foreign and broken samples, and knows a car that never
 * answers from one that fails. */
static void
test_check_clock (void)
{
  g_autoptr(ObdGuide) guide = live_guide ("<reaches pid=\"coolant_temp\" min=\"80\"/>"
                                          "<gauge pid=\"rpm\"/>", 60);
  g_autoptr(ObdGuideRun) run = NULL;
  g_autoptr(GError) error = NULL;
  gboolean supported[256] = { FALSE };
  const ObdGuideGauge *gauges;
  guint n_gauges;
  ObdSample junk[] = {
    sample (T0 - SEC, 0x05, 95),                   /* before the check */
    sample (T0 + SEC, 0x05, NAN),                  /* broken */
    sample (T0 + SEC, 0x05, INFINITY),
    { .time_us = T0 + SEC, .service = 0x02, .pid = 0x05, .value = 95 },  /* freeze frame */
    sample (T0 + SEC, 0x0C, 760),
  };

  run = obd_guide_run_new (guide, NULL);
  g_assert_true (obd_guide_run_start_live_check (run, T0, NULL, &error));
  gauges = obd_guide_run_get_gauges (run, &n_gauges);
  g_assert_cmpuint (n_gauges, ==, 2);
  g_assert_cmpuint (gauges[0].quantity.pid, ==, 0x05);
  g_assert_cmpuint (gauges[1].quantity.pid, ==, 0x0C);
  g_assert_false (gauges[0].has_value);
  obd_guide_run_feed_samples (run, junk, G_N_ELEMENTS (junk));
  gauges = obd_guide_run_get_gauges (run, &n_gauges);
  g_assert_false (gauges[0].has_value);
  g_assert_true (gauges[1].has_value);
  g_assert_cmpfloat (gauges[1].value, ==, 760);
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_LIVE);

  /* Nothing arrives for a minute: no data, the step stays to be judged. */
  obd_guide_run_advance_clock (run, T0 + 30 * SEC);
  g_assert_cmpfloat_with_epsilon (obd_guide_run_get_live_progress (run), 0.5, 1e-9);
  obd_guide_run_advance_clock (run, T0 + 61 * SEC);
  g_assert_cmpint (obd_guide_run_get_live_status (run), ==, OBD_GUIDE_LIVE_NO_DATA);
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_STEP);
  g_assert_null (obd_guide_run_get_finding (run));
  g_assert_true (obd_guide_run_judge (run, FALSE, &error));
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "fail");
  g_assert_true (((ObdGuideRecord *) g_ptr_array_index (obd_guide_run_get_records (run), 0))->manual);
  g_clear_object (&run);

  /* A car without the PID: no data at once. */
  run = obd_guide_run_new (guide, NULL);
  supported[0x0C] = TRUE;
  g_assert_true (obd_guide_run_start_live_check (run, T0, supported, &error));
  g_assert_cmpint (obd_guide_run_get_live_status (run), ==, OBD_GUIDE_LIVE_NO_DATA);
  g_assert_cmpint (obd_guide_run_get_state (run), ==, OBD_GUIDE_RUN_STEP);
  /* Tried again on a car that has it, stopped half way, then decided. */
  supported[0x05] = TRUE;
  g_assert_true (obd_guide_run_start_live_check (run, T0, supported, &error));
  g_assert_cmpint (obd_guide_run_get_live_status (run), ==, OBD_GUIDE_LIVE_RUNNING);
  obd_guide_run_stop_live_check (run);
  g_assert_cmpint (obd_guide_run_get_live_status (run), ==, OBD_GUIDE_LIVE_IDLE);
  g_assert_true (obd_guide_run_start_live_check (run, T0, supported, &error));
  /* Warming, but too slowly: a sample past the limit comes too late to
   * count. */
  {
    ObdSample early = sample (T0 + SEC, 0x05, 60);
    ObdSample late = sample (T0 + 61 * SEC, 0x05, 85);

    obd_guide_run_feed_samples (run, &early, 1);
    g_assert_null (obd_guide_run_get_finding (run));
    obd_guide_run_feed_samples (run, &late, 1);
  }
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "timeout");
}

/* What the mechanic must hold: readings only count while it is held, a
 * break starts the hold again, and never holding it is not a verdict. */
static void
test_check_require (void)
{
  g_autoptr(ObdGuide) guide = live_guide (
    "<require pid=\"rpm\" min=\"2300\" max=\"2700\"/>"
    "<holds pid=\"stft_b1\" add=\"ltft_b1\" min=\"-10\" max=\"10\" for=\"10\"/>", 60);
  g_autoptr(ObdGuideRun) run = obd_guide_run_new (guide, NULL);
  g_autoptr(GError) error = NULL;
  const ObdGuideRecord *record;
  g_autoptr(JsonNode) detail = NULL;

  /* Idling the whole time: NOT_HELD, no verdict. */
  g_assert_true (obd_guide_run_start_live_check (run, T0, NULL, &error));
  for (double t = 0; t <= 61; t += 0.5)
    {
      gint64 at = T0 + (gint64) (t * SEC);
      ObdSample batch[3] = { sample (at, 0x0C, 750), sample (at, 0x07, 3), sample (at, 0x06, 1) };

      obd_guide_run_feed_samples (run, batch, 3);
    }
  g_assert_cmpint (obd_guide_run_get_live_status (run), ==, OBD_GUIDE_LIVE_NOT_HELD);
  g_assert_null (obd_guide_run_get_finding (run));

  /* Held for 8 s, dropped, held again for 10 s: passes 10 s after the
   * second start, not before.  Total trim = STFT + LTFT. */
  g_assert_true (obd_guide_run_start_live_check (run, T0 + 100 * SEC, NULL, &error));
  for (double t = 0; t <= 40 && obd_guide_run_get_finding (run) == NULL; t += 0.5)
    {
      gint64 at = T0 + (gint64) ((100 + t) * SEC);
      double rpm = t < 8 ? 2500 : t < 10 ? 1200 : 2500;
      ObdSample batch[3] = { sample (at, 0x0C, rpm), sample (at, 0x07, 4), sample (at, 0x06, 3) };

      obd_guide_run_feed_samples (run, batch, 3);
    }
  g_assert_cmpstr (obd_guide_run_get_finding (run)->id, ==, "pass");
  record = g_ptr_array_index (obd_guide_run_get_records (run), 0);
  g_assert_cmpint (record->time_us, ==, T0 + 120 * SEC);
  g_assert_cmpfloat_with_epsilon (record->value, 7.0, 1e-9);
  detail = json_from_string (record->detail, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (detail), "held"));
}

static void
test_measurement_parse (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\"?>\n<guide id=\"m\" version=\"1\"><title>M</title><summary>S</summary>"
    "<applies-to><code>P0087</code></applies-to><steps>"
    "<measurement id=\"p\" unit=\"kpa\" min=\"300\" valid-min=\"0\" valid-max=\"1000\" "
    "pass=\"t\" fail=\"t\"><title>P</title></measurement>"
    "<measurement id=\"t\" unit=\"celsius\" min=\"80\" pass=\"r\" fail=\"r\"><title>T</title>"
    "</measurement>"
    "<measurement id=\"r\" unit=\"ohm\" min=\"2\" pass=\"l\" fail=\"l\"><title>R</title>"
    "</measurement>"
    "<measurement id=\"l\" unit=\"litre\" min=\"1\" pass=\"f\" fail=\"f\"><title>L</title>"
    "</measurement></steps>"
    "<findings><finding id=\"f\" kind=\"no-fault\"><title>F</title></finding></findings></guide>";
  g_autoptr(ObdGuide) guide = load (xml);
  const ObdGuideStep *p = obd_guide_find_step (guide, "p");
  const ObdGuideStep *t = obd_guide_find_step (guide, "t");
  const ObdGuideStep *r = obd_guide_find_step (guide, "r");
  const ObdGuideStep *l = obd_guide_find_step (guide, "l");
  g_autoptr(GError) error = NULL;
  double v = 0;

  g_assert_true (obd_guide_step_parse_measurement (p, " 414 ", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_cmpfloat (v, ==, 414);
  g_assert_true (obd_guide_step_parse_measurement (p, "60 psi", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 413.7, 0.1);
  g_assert_true (obd_guide_step_parse_measurement (p, "60", OBD_UNIT_SYSTEM_US, &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 413.7, 0.1);
  g_assert_true (obd_guide_step_parse_measurement (p, "380,5 kPa", OBD_UNIT_SYSTEM_US, &v, &error));
  g_assert_cmpfloat (v, ==, 380.5);
  g_assert_false (obd_guide_step_parse_measurement (p, "2000", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, "60 volts", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, "lots", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, "nan", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, "inf", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, "OL", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_clear_error (&error);
  g_assert_false (obd_guide_step_parse_measurement (p, NULL, OBD_UNIT_SYSTEM_SI, &v, &error));
  g_clear_error (&error);

  g_assert_true (obd_guide_step_parse_measurement (t, "194", OBD_UNIT_SYSTEM_US, &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 90, 1e-9);
  g_assert_true (obd_guide_step_parse_measurement (t, "194 °F", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_cmpfloat_with_epsilon (v, 90, 1e-9);
  g_assert_true (obd_guide_step_parse_measurement (r, "OL", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_true (isinf (v));
  g_assert_true (obd_guide_step_parse_measurement (r, "4.7 Ω", OBD_UNIT_SYSTEM_SI, &v, &error));
  g_assert_cmpfloat (v, ==, 4.7);
  g_assert_true (obd_guide_step_parse_measurement (l, "2.0", OBD_UNIT_SYSTEM_US, &v, &error));
  g_assert_cmpfloat (v, ==, 2.0);
  g_assert_cmpstr (obd_guide_step_get_unit_symbol (l, OBD_UNIT_SYSTEM_SI), ==, "L");
}

static void
test_describe (void)
{
  g_autoptr(ObdGuide) guide = load (test_guide);
  const ObdGuideStep *maf = obd_guide_find_step (guide, "maf");
  g_autofree char *require = obd_guide_condition_describe (&maf->requires[0], TRUE, 1,
                                                           OBD_UNIT_SYSTEM_SI);
  g_autofree char *holds = obd_guide_condition_describe (&maf->conditions[0], FALSE, 2,
                                                         OBD_UNIT_SYSTEM_SI);

  g_assert_cmpstr (require, ==, "Hold Engine speed between 600 rpm and 900 rpm");
  g_assert_cmpstr (holds, ==, "Mass air flow rate stays between 3.00 g/s and 7.00 g/s for 5 s");
}

/* Saved step by step, resumed after a "restart", finished; a changed guide
 * refuses to resume instead of guessing. */
static void
test_save_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-guide-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new ();
  g_autoptr(ObdGuideRun) run = NULL;
  g_autoptr(ObdGuideRun) resumed = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(ObdStoreGuideRun) row = NULL;
  gint64 run_id;
  Watch w;

  g_assert_no_error (error);
  g_assert_true (obd_guide_library_add_data (library, test_guide, strlen (test_guide), "t.xml"));
  run = watched_run (obd_guide_library_lookup (library, "test"), &w);

  /* Two steps before saving starts (the store was opened late). */
  g_assert_true (obd_guide_run_confirm (run, &error));
  g_assert_true (obd_guide_run_answer (run, "left", &error));
  run_id = obd_guide_store_start_run (store, run, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_id, >, 0);
  g_assert_true (obd_guide_run_measure (run, 3.0, &error));
  g_assert_true (obd_guide_store_save_record (store, run_id, run,
                                              g_ptr_array_index (w.saved, w.saved->len - 1),
                                              &error));
  g_assert_true (obd_guide_run_measure (run, 20, &error));
  g_assert_true (obd_guide_store_save_record (store, run_id, run,
                                              g_ptr_array_index (w.saved, w.saved->len - 1),
                                              &error));
  g_assert_true (obd_guide_run_back (run, &error));
  g_assert_true (obd_guide_store_save_rewind (store, run_id, run, w.saved->len, &error));
  g_assert_true (obd_guide_run_measure (run, 5, &error));
  g_assert_true (obd_guide_store_save_record (store, run_id, run,
                                              g_ptr_array_index (w.saved, w.saved->len - 1),
                                              &error));
  g_assert_no_error (error);
  g_clear_object (&run);
  g_ptr_array_unref (w.saved);

  /* "Restart": the run continues at the live check with its scale. */
  resumed = obd_guide_store_resume (store, library, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (step_id (resumed), ==, "maf");
  g_assert_cmpuint (obd_guide_run_get_records (resumed)->len, ==, 4);
  g_assert_cmpfloat (obd_guide_run_get_scale (resumed, "displacement"), ==, 3.0);
  g_assert_true (obd_guide_run_judge (resumed, FALSE, &error));
  g_assert_true (obd_guide_store_save_record (store, run_id, resumed,
                                              g_ptr_array_index (obd_guide_run_get_records (resumed), 4),
                                              &error));
  g_assert_no_error (error);

  row = obd_store_get_guide_run (store, run_id, &error);
  g_assert_cmpint (row->status, ==, OBD_STORE_GUIDE_RUN_FINISHED);
  g_assert_cmpstr (row->finding_id, ==, "broken");
  findings = obd_store_list_guide_run_findings (store, run_id, &error);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpuint (((ObdStoreGuideFinding *) g_ptr_array_index (findings, 0))->repairs->len, ==, 1);
  g_clear_object (&resumed);

  /* The finished run resumes finished. */
  resumed = obd_guide_store_resume (store, library, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (obd_guide_run_get_finding (resumed)->id, ==, "broken");
  g_clear_object (&resumed);

  /* A library whose guide changed: the answer "left" no longer exists. */
  {
    g_autoptr(ObdGuideLibrary) changed = obd_guide_library_new ();
    g_autoptr(GString) xml = g_string_new (test_guide);

    g_string_replace (xml, "value=\"left\"", "value=\"west\"", 1);
    g_assert_true (obd_guide_library_add_data (changed, xml->str, xml->len, "t.xml"));
    resumed = obd_guide_store_resume (store, changed, run_id, &error);
    g_assert_null (resumed);
    g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_CHANGED);
    g_clear_error (&error);
  }
  /* Or has no such guide at all. */
  {
    g_autoptr(ObdGuideLibrary) empty = obd_guide_library_new ();

    g_assert_null (obd_guide_store_resume (store, empty, run_id, &error));
    g_assert_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  g_clear_object (&store);
  remove_dir (dir);
}

/* The app's way: the run on one thread, the store on another, so saves are
 * copies taken from the run and written later, when the run may already
 * have moved on, gone back and moved on again. */
static void
test_save_behind (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-guide-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new ();
  g_autoptr(ObdGuideRun) run = NULL;
  g_autoptr(ObdGuideRun) resumed = NULL;
  g_autoptr(ObdGuideSave) first = NULL;
  g_autoptr(ObdGuideSave) second = NULL;
  g_autoptr(ObdGuideSave) third = NULL;
  g_autoptr(ObdGuideSave) again = NULL;
  g_autoptr(ObdStoreGuideRun) row = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  gint64 run_id;

  g_assert_no_error (error);
  g_assert_true (obd_guide_library_add_data (library, test_guide, strlen (test_guide), "t.xml"));
  run = obd_guide_run_new (obd_guide_library_lookup (library, "test"), "symptom:rough-idle");

  /* The row is made with the one record there is. */
  g_assert_true (obd_guide_run_confirm (run, &error));
  first = obd_guide_save_new (run, 0, 0, 0, 0, 0);
  g_assert_cmpuint (obd_guide_save_get_n_records (first), ==, 1);
  /* Meanwhile the mechanic answers, measures, goes back twice and takes
   * the other branch. */
  g_assert_true (obd_guide_run_answer (run, "left", &error));
  g_assert_true (obd_guide_run_measure (run, 3.0, &error));
  run_id = obd_guide_save_write (first, store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_id, >, 0);

  second = obd_guide_save_new (run, run_id, 1, 1, 0, 0);
  g_assert_cmpint (obd_guide_save_write (second, store, &error), ==, run_id);
  g_assert_no_error (error);
  g_assert_true (obd_guide_run_back (run, &error));
  g_assert_true (obd_guide_run_back (run, &error));
  g_assert_true (obd_guide_run_answer (run, "right", &error));
  /* Three stored, one of them still the run's: two go, one comes. */
  third = obd_guide_save_new (run, run_id, 3, 1, 0, 0);
  g_assert_cmpuint (obd_guide_save_get_n_records (third), ==, 2);
  g_assert_cmpint (obd_guide_save_write (third, store, &error), ==, run_id);
  g_assert_no_error (error);

  steps = obd_store_list_guide_run_steps (store, run_id, &error);
  g_assert_cmpuint (steps->len, ==, 2);
  g_assert_cmpstr (((ObdStoreGuideStep *) g_ptr_array_index (steps, 1))->outcome, ==, "right");
  resumed = obd_guide_store_resume (store, library, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (step_id (resumed), ==, "codes");
  g_assert_cmpstr (obd_guide_run_get_reason (resumed), ==, "symptom:rough-idle");
  g_clear_object (&resumed);

  /* The finding is written with the record that reached it. */
  {
    ObdDtc dtc = { .raw = 0x0101, .kind = OBD_DTC_KIND_STORED, .ecu = 0x7E8 };

    g_assert_true (obd_guide_run_feed_codes (run, &dtc, 1, &error));
  }
  again = obd_guide_save_new (run, run_id, 2, 2, 0, 0);
  g_assert_cmpint (obd_guide_save_write (again, store, &error), ==, run_id);
  g_assert_no_error (error);
  row = obd_store_get_guide_run (store, run_id, &error);
  g_assert_cmpint (row->status, ==, OBD_STORE_GUIDE_RUN_FINISHED);
  g_assert_cmpstr (row->finding_id, ==, "broken");
  g_assert_cmpuint (row->n_steps, ==, 3);

  g_clear_object (&store);
  remove_dir (dir);
}

/* The msgids xgettext extracts from a guide file, as a set. */
static GHashTable *
extract_msgids (const char *file)
{
  g_autofree char *xgettext = g_find_program_in_path ("xgettext");
  g_autofree char *datadir = g_build_filename (TEST_SOURCE_ROOT, "data", "guides", NULL);
  g_autofree char *pot = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "GETTEXTDATADIRS", datadir, TRUE);
  const char *argv[] = { xgettext, "--from-code=UTF-8", "--no-wrap", "-o", "-", file, NULL };
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  int status;

  g_assert_nonnull (xgettext);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &pot, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* With --no-wrap every msgid is one line: msgid "..." */
  lines = g_strsplit (pot, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "msgid \"") && g_str_has_suffix (lines[i], "\""))
      {
        g_autofree char *quoted = g_strndup (lines[i] + 7, strlen (lines[i]) - 8);

        g_hash_table_add (ids, g_strcompress (quoted));
      }
  return ids;
}

static void
expect_msgid (GHashTable *ids,
              const char *file,
              const char *text)
{
  if (text != NULL && !g_hash_table_contains (ids, text))
    g_error ("%s: “%s” is not the msgid xgettext extracts: the program would never find "
             "its translation", file, text);
}

/* Every text the program shows from a guide is, letter for letter, a
 * msgid that xgettext extracts with the ITS rules, so translations are
 * found at run time. */
static void
test_msgids (void)
{
  g_autoptr(ObdGuideLibrary) library = obd_guide_library_new_default ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (library)); i++)
    {
      g_autoptr(ObdGuide) guide = g_list_model_get_item (G_LIST_MODEL (library), i);
      g_autofree char *file = g_build_filename (TEST_SOURCE_ROOT, "data", "guides",
                                                obd_guide_get_filename (guide), NULL);
      g_autoptr(GHashTable) ids = extract_msgids (file);
      const char * const *list;

      expect_msgid (ids, file, obd_guide_get_title (guide));
      expect_msgid (ids, file, obd_guide_get_summary (guide));
      for (list = obd_guide_get_tools (guide); *list != NULL; list++)
        expect_msgid (ids, file, *list);
      for (list = obd_guide_get_safety (guide); *list != NULL; list++)
        expect_msgid (ids, file, *list);
      for (guint s = 0; s < obd_guide_get_n_steps (guide); s++)
        {
          const ObdGuideStep *step = obd_guide_get_step (guide, s);

          expect_msgid (ids, file, step->title);
          expect_msgid (ids, file, step->text);
          for (list = step->tools; *list != NULL; list++)
            expect_msgid (ids, file, *list);
          for (list = step->safety; *list != NULL; list++)
            expect_msgid (ids, file, *list);
          for (guint a = 0; a < step->n_answers; a++)
            expect_msgid (ids, file, step->answers[a].label);
        }
      for (guint f = 0; f < obd_guide_get_n_findings (guide); f++)
        {
          const ObdGuideFinding *finding = obd_guide_get_finding (guide, f);

          expect_msgid (ids, file, finding->title);
          expect_msgid (ids, file, finding->text);
          for (guint r = 0; r < finding->n_repairs; r++)
            expect_msgid (ids, file, finding->repairs[r].title);
        }
      /* Symptoms are keys, not text. */
      for (list = obd_guide_get_symptoms (guide); *list != NULL; list++)
        g_assert_false (g_hash_table_contains (ids, *list));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guide/load/shipped", test_shipped_guides);
  g_test_add_func ("/guide/load/malformed", test_malformed);
  g_test_add_func ("/guide/load/user-folder", test_user_folder);
  g_test_add_func ("/guide/load/match", test_match);
  g_test_add_func ("/guide/load/msgids", test_msgids);
  g_test_add_func ("/guide/run/steps", test_run_steps);
  g_test_add_func ("/guide/check/conditions", test_check_conditions);
  g_test_add_func ("/guide/check/no-gap", test_check_no_gap);
  g_test_add_func ("/guide/check/clock", test_check_clock);
  g_test_add_func ("/guide/check/require", test_check_require);
  g_test_add_func ("/guide/measurement/parse", test_measurement_parse);
  g_test_add_func ("/guide/describe", test_describe);
  g_test_add_func ("/guide/store/save-resume", test_save_resume);
  g_test_add_func ("/guide/store/save-behind", test_save_behind);

  return g_test_run ();
}
