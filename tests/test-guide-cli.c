/* test-guide-cli.c — obd2 guide list, show, run, runs and resume, end to end
 * against the simulated vehicle, as a script or a shell user runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

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

/* Runs obd2 with stdin (NULL: /dev/null) and the arguments. */
static void
run_cli (Run        *run,
         const char *input,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("OBD2_CLI"));
  g_assert_nonnull (g_ptr_array_index (argv, 0));
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  if (input == NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  if (run->status != 0)
    g_test_message ("stderr: %s", run->err);
}

static JsonObject *
parse_object (const char *text,
              JsonNode  **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*keep));
  return json_node_get_object (*keep);
}

typedef struct
{
  char *dir;
  char *db;
  char *answers;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-guide-cli-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "store.db", NULL);
  f->answers = g_build_filename (f->dir, "answers.txt", NULL);
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
  g_free (f->answers);
  g_free (f->dir);
}

static void
write_answers (Fixture    *f,
               const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->answers, text, -1, &error);
  g_assert_no_error (error);
}

static void
test_list (void)
{
  g_auto(Run) all = { 0 };
  g_auto(Run) code = { 0 };
  g_auto(Run) symptom = { 0 };
  g_auto(Run) text = { 0 };
  g_auto(Run) bad_code = { 0 };
  g_auto(Run) bad_symptom = { 0 };
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) c = NULL;
  g_autoptr(JsonNode) s = NULL;
  JsonArray *guides;
  gboolean found = FALSE;

  run_cli (&all, NULL, "guide", "list", "--json", NULL);
  g_assert_cmpint (all.status, ==, 0);
  guides = json_object_get_array_member (parse_object (all.out, &a), "guides");
  g_assert_cmpuint (json_array_get_length (guides), >=, 30);

  /* The closest fit first: a bank-1 catalyst code. */
  run_cli (&code, NULL, "--json", "guide", "list", "--code", "p0420", NULL);
  g_assert_cmpint (code.status, ==, 0);
  guides = json_object_get_array_member (parse_object (code.out, &c), "guides");
  g_assert_cmpuint (json_array_get_length (guides), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (guides, 0), "id"),
                   ==, "catalyst-bank1");

  run_cli (&symptom, NULL, "guide", "list", "--symptom", "no-start", "--json", NULL);
  g_assert_cmpint (symptom.status, ==, 0);
  guides = json_object_get_array_member (parse_object (symptom.out, &s), "guides");
  for (guint i = 0; i < json_array_get_length (guides); i++)
    found = found || g_str_equal (json_object_get_string_member (
                                    json_array_get_object_element (guides, i), "id"), "no-start");
  g_assert_true (found);

  run_cli (&text, NULL, "guide", "list", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "thermostat"));
  g_assert_cmpstr (text.err, ==, "");

  run_cli (&bad_code, NULL, "guide", "list", "--code", "P9", NULL);
  g_assert_cmpint (bad_code.status, ==, 2);
  run_cli (&bad_symptom, NULL, "guide", "list", "--symptom", "sunroof", NULL);
  g_assert_cmpint (bad_symptom.status, ==, 2);
  g_assert_nonnull (strstr (bad_symptom.err, "no-start"));
}

static void
test_show (void)
{
  g_auto(Run) show = { 0 };
  g_auto(Run) us = { 0 };
  g_auto(Run) text = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) none = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) us_node = NULL;
  JsonObject *guide;
  JsonObject *finding;
  JsonObject *hours;

  run_cli (&show, NULL, "guide", "show", "thermostat", "--json", NULL);
  g_assert_cmpint (show.status, ==, 0);
  guide = parse_object (show.out, &node);
  g_assert_cmpstr (json_object_get_string_member (guide, "id"), ==, "thermostat");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (guide, "steps")), >=, 5);
  finding = json_array_get_object_element (json_object_get_array_member (guide, "findings"), 0);
  hours = json_object_get_object_member (json_array_get_object_element (
                                           json_object_get_array_member (finding, "repairs"), 0),
                                         "hours");
  g_assert_cmpstr (json_object_get_string_member (hours, "unit"), ==, "h");
  g_assert_cmpfloat (json_object_get_double_member (hours, "value"), >, 0);

  /* Measurements in the person's units: the fuel pressure in psi. */
  run_cli (&us, NULL, "--units", "us", "guide", "show", "no-start", "--json", NULL);
  g_assert_cmpint (us.status, ==, 0);
  {
    JsonArray *steps = json_object_get_array_member (parse_object (us.out, &us_node), "steps");
    JsonObject *spec = NULL;

    for (guint i = 0; i < json_array_get_length (steps); i++)
      if (g_str_equal (json_object_get_string_member (json_array_get_object_element (steps, i),
                                                      "id"), "pressure-spec"))
        spec = json_array_get_object_element (steps, i);
    g_assert_nonnull (spec);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (spec, "min"),
                                                    "unit"), ==, "psi");
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (
                                      json_object_get_object_member (spec, "min"), "value"),
                                    14.5, 0.1);
  }

  run_cli (&text, NULL, "guide", "show", "no-start", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Fuel pressure gauge"));

  run_cli (&unknown, NULL, "guide", "show", "flux-capacitor", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "guide list"));
  run_cli (&none, NULL, "guide", "show", NULL);
  g_assert_cmpint (none.status, ==, 2);
}

/* A scripted run against the simulated car: two live checks decide from
 * the data, a measurement of an open circuit, saved to the store with its
 * session. */
static void
test_run_scripted (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) runs = { 0 };
  g_auto(Run) sessions = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) runs_node = NULL;
  JsonObject *root, *finding, *stored;
  JsonArray *steps;

  write_answers (f, "# the meter shows OL across the sensor\nresistance-open = OL\n");
  run_cli (&run, NULL, "--port", "sim:ect-circuit-high?timing=0", "--db", f->db, "--json",
           "guide", "run", "ect-sensor", "--answers", f->answers, "--code", "P0118", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_object (run.out, &node);
  g_assert_cmpstr (json_object_get_string_member (root, "status"), ==, "finished");
  g_assert_cmpint (json_object_get_int_member (root, "run"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (root, "session"), >, 0);
  finding = json_object_get_object_member (root, "finding");
  g_assert_cmpstr (json_object_get_string_member (finding, "id"), ==, "sensor-open");
  g_assert_cmpstr (json_object_get_string_member (finding, "kind"), ==, "fault");
  steps = json_object_get_array_member (root, "steps");
  g_assert_cmpuint (json_array_get_length (steps), ==, 3);
  /* The live checks decided by themselves, from the car's -40 °C. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (steps, 0),
                                                  "outcome"), ==, "fail");
  g_assert_cmpfloat (json_object_get_double_member (
                       json_object_get_object_member (json_array_get_object_element (steps, 0),
                                                      "value"), "value"), ==, -40);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (steps, 2),
                                                  "value"), ==, "OL");
  /* The walk's chatter went to stderr, not into the JSON. */
  g_assert_nonnull (strstr (run.err, "Measure the sensor"));

  run_cli (&runs, NULL, "--db", f->db, "guide", "runs", "1", "--json", NULL);
  g_assert_cmpint (runs.status, ==, 0);
  stored = json_array_get_object_element (
    json_object_get_array_member (parse_object (runs.out, &runs_node), "runs"), 0);
  g_assert_cmpstr (json_object_get_string_member (stored, "status"), ==, "finished");
  g_assert_cmpstr (json_object_get_string_member (stored, "reason"), ==, "code:P0118");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (stored, "steps")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (stored, "findings")),
                    ==, 1);

  /* The session it is attached to holds the live checks' samples. */
  run_cli (&sessions, NULL, "--db", f->db, "sessions", NULL);
  g_assert_cmpint (sessions.status, ==, 0);
  g_assert_nonnull (strstr (sessions.out, "complete"));
}

/* Answers from stdin run out: the run stops, saved, and resumes where it
 * was. */
static void
test_run_resume (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(Run) first = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) resume = { 0 };
  g_auto(Run) again = { 0 };
  g_autoptr(JsonNode) list_node = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *stored;

  run_cli (&first, "cap=yes\n", "--port", "sim:evap-large-leak?timing=0", "--db", f->db,
           "guide", "run", "evap-large-leak", "--answers", "-", NULL);
  g_assert_cmpint (first.status, ==, 2);
  g_assert_nonnull (strstr (first.err, "smoke=VALUE"));

  run_cli (&list, NULL, "--db", f->db, "guide", "runs", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  stored = json_array_get_object_element (
    json_object_get_array_member (parse_object (list.out, &list_node), "runs"), 0);
  g_assert_cmpstr (json_object_get_string_member (stored, "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (stored, "current_step"), ==, "smoke");
  g_assert_cmpint (json_object_get_int_member (stored, "steps_done"), ==, 2);

  run_cli (&resume, "smoke=canister\n", "--db", f->db, "--json", "guide", "resume", "1",
           "--answers", "-", NULL);
  g_assert_cmpint (resume.status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (parse_object (resume.out, &node), "finding"),
                     "id"), ==, "canister");

  /* Finished: resuming again just shows the finding. */
  run_cli (&again, NULL, "--db", f->db, "guide", "resume", "1", "--answers", "/dev/null", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "Canister or vent valve leaking"));
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Run) garbage = { 0 };
  g_auto(Run) twice = { 0 };
  g_auto(Run) not_number = { 0 };
  g_auto(Run) no_terminal = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) bad_run = { 0 };
  g_auto(Run) missing_run = { 0 };
  g_auto(Run) no_save = { 0 };

  run_cli (&garbage, "this is not an answer\n", "--db", f->db, "guide", "run", "thermostat",
           "--answers", "-", NULL);
  g_assert_cmpint (garbage.status, ==, 2);
  g_assert_nonnull (strstr (garbage.err, ":1:"));

  write_answers (f, "cap=yes\ncap=no\n");
  run_cli (&twice, NULL, "--db", f->db, "guide", "run", "evap-large-leak", "--answers", f->answers,
           NULL);
  g_assert_cmpint (twice.status, ==, 2);
  g_assert_nonnull (strstr (twice.err, "twice"));

  /* A reading that is not a number stops the script, and says why. */
  write_answers (f, "resistance-open=lots\n");
  run_cli (&not_number, NULL, "--port", "sim:ect-circuit-high?timing=0", "--db", f->db,
           "guide", "run", "ect-sensor", "--answers", f->answers, NULL);
  g_assert_cmpint (not_number.status, ==, 2);
  g_assert_nonnull (strstr (not_number.err, "lots"));

  run_cli (&no_terminal, NULL, "--db", f->db, "guide", "run", "thermostat", NULL);
  g_assert_cmpint (no_terminal.status, ==, 2);
  g_assert_nonnull (strstr (no_terminal.err, "--answers"));

  run_cli (&unknown, NULL, "--db", f->db, "guide", "run", "nope", "--answers", "/dev/null",
           NULL);
  g_assert_cmpint (unknown.status, ==, 2);

  run_cli (&bad_run, NULL, "--db", f->db, "guide", "resume", "x", NULL);
  g_assert_cmpint (bad_run.status, ==, 2);
  run_cli (&missing_run, NULL, "--db", f->db, "guide", "resume", "99", "--answers", "/dev/null",
           NULL);
  g_assert_cmpint (missing_run.status, ==, 1);
  g_assert_nonnull (strstr (missing_run.err, "99"));

  /* --no-save walks without a store: none is created. */
  g_unlink (f->db);
  write_answers (f, "resistance-open=OL\n");
  run_cli (&no_save, NULL, "--port", "sim:ect-circuit-high?timing=0", "--db", f->db,
           "guide", "run", "ect-sensor", "--answers", f->answers, "--no-save", NULL);
  g_assert_cmpint (no_save.status, ==, 0);
  g_assert_nonnull (strstr (no_save.out, "Coolant temperature sensor open inside"));
  g_assert_false (g_file_test (f->db, G_FILE_TEST_EXISTS));
}

/* A check that asks for 2500 rpm, against the simulated car: the
 * simulator holds the pedal, and the vacuum leak's trims recover. */
static void
test_run_pedal (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *steps;

  run_cli (&run, "smoke-test=yes\n", "--port", "sim:lean-mixture", "--json", "guide", "run",
           "lean-mixture", "--no-save", "--answers", "-", NULL);
  g_assert_cmpint (run.status, ==, 0);
  root = parse_object (run.out, &node);
  g_assert_true (json_object_get_null_member (root, "run"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "finding"),
                                                  "id"), ==, "vacuum-leak");
  steps = json_object_get_array_member (root, "steps");
  g_assert_cmpuint (json_array_get_length (steps), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (steps, 2),
                                                  "step"), ==, "hold-2500");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (steps, 2),
                                                  "outcome"), ==, "pass");
  g_assert_nonnull (strstr (run.err, "the simulator holds 2500 rpm"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guide/cli/list", test_list);
  g_test_add_func ("/guide/cli/show", test_show);
  g_test_add ("/guide/cli/run-scripted", Fixture, NULL, fixture_setup, test_run_scripted,
              fixture_teardown);
  g_test_add ("/guide/cli/run-resume", Fixture, NULL, fixture_setup, test_run_resume,
              fixture_teardown);
  g_test_add ("/guide/cli/bad-input", Fixture, NULL, fixture_setup, test_bad_input,
              fixture_teardown);
  g_test_add_func ("/guide/cli/run-pedal", test_run_pedal);

  return g_test_run ();
}
