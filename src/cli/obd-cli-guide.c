/* obd-cli-guide.c — guided repair in the terminal: obd2 guide list, show,
 * run, runs, resume
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `run` walks a guide with the same engine (src/guide) and store code as
 * the application: interactively on a terminal, or from scripted answers
 * ("step=value" lines) for tests and batch use.  Live checks and code
 * checks read the car through the adapter worker; the live checks' samples
 * are recorded into the run's session, and every completed step is saved
 * as it happens, so an interrupted run can be resumed.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>

#include "obd-cli-private.h"
#include "obd-diagnosis.h"
#include "obd-guide-library.h"
#include "obd-guide-run.h"
#include "obd-guide-store.h"
#include "obd-recorder.h"
#include "obd-sim-transport.h"

/* Where the walk talks: stdout, or stderr when stdout carries the one
 * JSON document (--json). */
static FILE *chatter;

static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (chatter != NULL ? chatter : stdout, format, args);
  va_end (args);
}

/* A live check whose samples stop for this long is told the time passed,
 * so it can end; the samples' clock is the wall clock here. */
#define SILENCE_US (2 * G_USEC_PER_SEC)

typedef struct
{
  ObdCli          *cli;
  ObdGuideLibrary *library;
  ObdGuideRun     *run;
  GHashTable      *answers;        /* step id -> value; NULL when interactive */
  char            *answers_name;   /* for messages */
  gboolean         interactive;
  gboolean         progress;       /* redraw a status line (stdout is a terminal) */

  GMainLoop       *loop;
  ObdWorker       *worker;
  GError          *link_error;
  gboolean         worker_stopped;
  gpointer         job_result;     /* taken by run_job() */
  GError          *job_error;
  gboolean         job_done;
  gint64           last_batch_us;
  gint64           last_print_us;

  ObdStore        *store;
  ObdRecorder     *recorder;
  gboolean         recording;      /* the recorder's session is open */
  GError          *store_error;
  gint64           vehicle_id;
  gint64           session_id;
  gint64           run_id;
  gboolean         quit;           /* the mechanic stopped for now */
} GuideCli;

static void
guide_cli_clear (GuideCli *g)
{
  if (g->worker != NULL)
    {
      obd_worker_stop (g->worker);
      g_signal_handlers_disconnect_by_data (g->worker, g);
    }
  if (g->recorder != NULL)
    {
      if (g->recording)
        obd_recorder_stop_session (g->recorder, NULL);
      g_signal_handlers_disconnect_by_data (g->recorder, g);
    }
  if (g->run != NULL)
    g_signal_handlers_disconnect_by_data (g->run, g);
  g_clear_object (&g->worker);
  g_clear_object (&g->recorder);
  g_clear_object (&g->store);
  g_clear_object (&g->run);
  g_clear_object (&g->library);
  g_clear_pointer (&g->answers, g_hash_table_unref);
  g_clear_pointer (&g->answers_name, g_free);
  g_clear_pointer (&g->loop, g_main_loop_unref);
  g_clear_error (&g->link_error);
  g_clear_error (&g->job_error);
  g_clear_error (&g->store_error);
}

/* ---- shared ------------------------------------------------------------ */

/* Every problem the library met, on stderr: a broken guide file is
 * skipped, never fatal. */
static ObdGuideLibrary *
load_library (void)
{
  ObdGuideLibrary *library = obd_guide_library_new_default ();
  GPtrArray *problems = obd_guide_library_get_problems (library);

  for (guint i = 0; i < problems->len; i++)
    {
      const ObdGuideProblem *p = g_ptr_array_index (problems, i);

      if (p->line > 0)
        /* TRANSLATORS: a guide file that could not be loaded: FILE:LINE: why */
        g_printerr (_("obd2: skipped %s:%u: %s\n"), p->filename, p->line, p->message);
      else
        g_printerr (_("obd2: skipped %s: %s\n"), p->filename, p->message);
    }
  return library;
}

static ObdGuide *
find_guide (ObdGuideLibrary *library,
            const char      *id,
            GError         **error)
{
  ObdGuide *guide = obd_guide_library_lookup (library, id);

  if (guide == NULL)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("No guide “%s”. Run “obd2 guide list” to see the guides."), id);
  return guide;
}

/* Prints text wrapped at 78 columns after indent spaces. */
static void
print_wrapped (guint       indent,
               const char *text)
{
  g_auto(GStrv) words = NULL;
  guint column = indent;

  if (text == NULL)
    return;
  words = g_strsplit (text, " ", -1);
  say ("%*s", indent, "");
  for (guint i = 0; words[i] != NULL; i++)
    {
      glong width = g_utf8_strlen (words[i], -1);

      if (column > indent && column + 1 + width > 78)
        {
          say ("\n%*s", indent, "");
          column = indent;
        }
      else if (column > indent)
        {
          say (" ");
          column++;
        }
      say ("%s", words[i]);
      column += width;
    }
  say ("\n");
}


static void
add_hours (JsonBuilder *b,
           const char  *member,
           double       hours)
{
  json_builder_set_member_name (b, member);
  if (isnan (hours))
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, hours);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, "h");
  json_builder_end_object (b);
}

static void
add_string (JsonBuilder *b,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_code_ranges (JsonBuilder             *b,
                 const ObdGuideCodeRange *codes,
                 guint                    n_codes)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < n_codes; i++)
    {
      char from[6], to[6];

      obd_dtc_format (codes[i].from, from);
      obd_dtc_format (codes[i].to, to);
      if (codes[i].from == codes[i].to)
        json_builder_add_string_value (b, from);
      else
        {
          g_autofree char *range = g_strdup_printf ("%s-%s", from, to);

          json_builder_add_string_value (b, range);
        }
    }
  json_builder_end_array (b);
}


static void
add_finding_json (JsonBuilder           *b,
                  const ObdGuideFinding *finding)
{
  json_builder_begin_object (b);
  add_string (b, "id", finding->id);
  add_string (b, "kind", obd_guide_finding_kind_to_string (finding->kind));
  add_string (b, "title", obd_guide_gettext (finding->title));
  add_string (b, "text", obd_guide_gettext (finding->text));
  add_string (b, "refer_guide", finding->refer_guide);
  json_builder_set_member_name (b, "repairs");
  json_builder_begin_array (b);
  for (guint r = 0; r < finding->n_repairs; r++)
    {
      json_builder_begin_object (b);
      add_string (b, "title", obd_guide_gettext (finding->repairs[r].title));
      add_hours (b, "hours", finding->repairs[r].hours);
      add_hours (b, "max_hours", finding->repairs[r].max_hours);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
print_finding (const ObdGuideFinding *finding)
{
  static const char *kinds[] = { N_("Fault found"), N_("Suspect cleared"), N_("Continue with") };
  double total = 0, total_max = 0;

  say ("%s: %s\n", _(kinds[finding->kind]), obd_guide_gettext (finding->title));
  print_wrapped (2, obd_guide_gettext (finding->text));
  if (finding->refer_guide != NULL)
    /* TRANSLATORS: %s is a guide id */
    say (_("  Next: obd2 guide run %s\n"), finding->refer_guide);
  if (finding->n_repairs > 0)
    say ("%s\n", _("Recommended work:"));
  for (guint r = 0; r < finding->n_repairs; r++)
    {
      const ObdGuideRepair *repair = &finding->repairs[r];
      g_autofree char *hours = obd_guide_format_hours (repair->hours, repair->max_hours);

      say ("  • %s (%s)\n", obd_guide_gettext (repair->title), hours);
      total += repair->hours;
      total_max += !isnan (repair->max_hours) ? repair->max_hours : repair->hours;
    }
  if (finding->n_repairs > 1)
    {
      g_autofree char *hours = obd_guide_format_hours (total, total_max);

      say (_("  Labour in all: about %s\n"), hours);
    }
}

/* What a measurement expects, in the person's units. */
static char *
expected_text (GuideCli           *g,
               const ObdGuideStep *step,
               double              scale)
{
  ObdUnitSystem units = g->cli->units;
  const char *symbol = obd_guide_step_get_unit_symbol (step, units);
  guint decimals = MIN (obd_unit_get_decimals (step->unit, units), 2);
  double min = obd_unit_convert (step->unit, units, step->min * scale);
  double max = obd_unit_convert (step->unit, units, step->max * scale);

  if (isnan (step->min * scale))
    /* TRANSLATORS: an expected reading: “at most 0.1 V” */
    return g_strdup_printf (_("at most %.*f %s"), decimals, max, symbol);
  if (isnan (step->max * scale))
    return g_strdup_printf (_("at least %.*f %s"), decimals, min, symbol);
  return g_strdup_printf (_("%.*f to %.*f %s"), decimals, min, decimals, max, symbol);
}

/* ---- list and show ----------------------------------------------------- */

static int
guide_list (ObdCli  *cli,
            int      argc,
            char   **argv)
{
  g_autofree char *code = NULL;
  g_autofree char *symptom = NULL;
  GOptionEntry entries[] = {
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("Guides for this trouble code"), "CODE" },
    { "symptom", 0, 0, G_OPTION_ARG_STRING, &symptom, N_("Guides for this symptom"), "SYMPTOM" },
    { NULL }
  };
  g_autoptr(ObdGuideLibrary) library = NULL;
  g_autoptr(GPtrArray) guides = NULL;
  guint16 raw;

  if (!obd_cli_parse_options (cli, "guide list", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc > 1)
    return obd_cli_usage_error (_("“guide list” takes no arguments; filter with --code or "
                                  "--symptom."));
  if (code != NULL && !obd_dtc_parse_code (code, &raw))
    return obd_cli_usage_error (_("“%s” is not a trouble code. Give one such as P0128."), code);
  if (symptom != NULL && obd_guide_find_symptom (symptom) == NULL)
    {
      gsize n;
      const ObdGuideSymptom *all = obd_guide_list_symptoms (&n);
      g_autoptr(GString) keys = g_string_new (NULL);

      for (gsize i = 0; i < n; i++)
        g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", all[i].key);
      return obd_cli_usage_error (_("Unknown symptom “%s”. Use one of: %s."), symptom, keys->str);
    }

  library = load_library ();
  if (code != NULL)
    guides = obd_guide_library_find_for_code (library, code);
  else if (symptom != NULL)
    guides = obd_guide_library_find_for_symptom (library, symptom);
  else
    {
      guides = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (library)); i++)
        g_ptr_array_add (guides, g_list_model_get_item (G_LIST_MODEL (library), i));
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "guides");
      json_builder_begin_array (b);
      for (guint i = 0; i < guides->len; i++)
        {
          ObdGuide *guide = g_ptr_array_index (guides, i);
          const char * const *symptoms = obd_guide_get_symptoms (guide);
          guint n_codes;
          const ObdGuideCodeRange *codes = obd_guide_get_codes (guide, &n_codes);

          json_builder_begin_object (b);
          add_string (b, "id", obd_guide_get_id (guide));
          json_builder_set_member_name (b, "version");
          json_builder_add_int_value (b, obd_guide_get_version (guide));
          add_string (b, "title", obd_guide_gettext (obd_guide_get_title (guide)));
          json_builder_set_member_name (b, "codes");
          add_code_ranges (b, codes, n_codes);
          json_builder_set_member_name (b, "symptoms");
          json_builder_begin_array (b);
          for (guint s = 0; symptoms[s] != NULL; s++)
            json_builder_add_string_value (b, symptoms[s]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  if (guides->len == 0)
    {
      say ("%s\n", code != NULL ? _("No guide for this code yet. “obd2 codes CODE” "
                                        "explains it.")
                                    : _("No guide for this symptom."));
      return OBD_CLI_EXIT_OK;
    }
  for (guint i = 0; i < guides->len; i++)
    {
      ObdGuide *guide = g_ptr_array_index (guides, i);
      guint n_codes;
      const ObdGuideCodeRange *codes = obd_guide_get_codes (guide, &n_codes);
      g_autofree char *applies = obd_guide_format_codes (codes, n_codes);
      const char * const *symptoms = obd_guide_get_symptoms (guide);

      say ("%-20s %s\n", obd_guide_get_id (guide),
               obd_guide_gettext (obd_guide_get_title (guide)));
      if (*applies != '\0')
        say ("%-20s %s\n", "", applies);
      for (guint s = 0; symptoms[s] != NULL; s++)
        say ("%-20s %s\n", "",
                 obd_guide_gettext (obd_guide_find_symptom (symptoms[s])->label));
    }
  return OBD_CLI_EXIT_OK;
}

static const char *
target_title (ObdGuide   *guide,
              const char *target)
{
  const ObdGuideStep *step = obd_guide_find_step (guide, target);
  const ObdGuideFinding *finding = obd_guide_find_finding (guide, target);

  return obd_guide_gettext (step != NULL ? step->title : finding->title);
}

static void
print_step_details (GuideCli           *g,
                    ObdGuide           *guide,
                    const ObdGuideStep *step,
                    double              scale,
                    gboolean            branches)
{
  ObdUnitSystem units = g->cli->units;

  print_wrapped (2, obd_guide_gettext (step->text));
  for (guint i = 0; step->tools[i] != NULL; i++)
    say (_("  Tool: %s\n"), obd_guide_gettext (step->tools[i]));
  for (guint i = 0; step->safety[i] != NULL; i++)
    say (_("  ⚠ %s\n"), obd_guide_gettext (step->safety[i]));

  switch (step->kind)
    {
    case OBD_GUIDE_STEP_MEASUREMENT:
      {
        g_autofree char *expected = expected_text (g, step, isfinite (scale) ? scale : 1.0);

        if (step->scale_by != NULL && !isfinite (scale))
          say (_("  Expected: %s, times the reading of “%s”\n"), expected, step->scale_by);
        else
          say (_("  Expected: %s\n"), expected);
        break;
      }
    case OBD_GUIDE_STEP_LIVE_CHECK:
      for (guint i = 0; i < step->n_requires; i++)
        {
          g_autofree char *text = obd_guide_condition_describe (&step->requires[i], TRUE, 1.0,
                                                                units);
          say ("  ▸ %s\n", text);
        }
      for (guint i = 0; i < step->n_conditions; i++)
        {
          double s = step->conditions[i].scale_by != NULL && g->run != NULL
                     ? obd_guide_run_get_scale (g->run, step->conditions[i].scale_by) : 1.0;
          g_autofree char *text = obd_guide_condition_describe (&step->conditions[i], FALSE,
                                                                isfinite (s) ? s : 1.0, units);
          say ("  ✓ %s\n", text);
        }
      say (_("  Within %.0f s\n"), step->time_limit);
      break;
    case OBD_GUIDE_STEP_CODE_CHECK:
      {
        g_autofree char *codes = obd_guide_format_codes (step->codes, step->n_codes);

        say (_("  Codes: %s\n"), codes);
        break;
      }
    default:
      break;
    }

  if (!branches)
    return;
  for (guint i = 0; i < step->n_branches; i++)
    {
      const char *label = step->branches[i].outcome;

      for (guint a = 0; a < step->n_answers; a++)
        if (g_str_equal (step->answers[a].value, label))
          label = obd_guide_gettext (step->answers[a].label);
      say ("    %-12s → %s (%s)\n", label, step->branches[i].target,
               target_title (guide, step->branches[i].target));
    }
}

static void
add_step_json (JsonBuilder        *b,
               ObdCli             *cli,
               const ObdGuideStep *step)
{
  json_builder_begin_object (b);
  add_string (b, "id", step->id);
  add_string (b, "kind", obd_guide_step_kind_to_string (step->kind));
  add_string (b, "title", obd_guide_gettext (step->title));
  add_string (b, "text", obd_guide_gettext (step->text));
  json_builder_set_member_name (b, "branches");
  json_builder_begin_object (b);
  for (guint i = 0; i < step->n_branches; i++)
    add_string (b, step->branches[i].outcome, step->branches[i].target);
  json_builder_end_object (b);
  if (step->kind == OBD_GUIDE_STEP_QUESTION)
    {
      json_builder_set_member_name (b, "answers");
      json_builder_begin_array (b);
      for (guint i = 0; i < step->n_answers; i++)
        {
          json_builder_begin_object (b);
          add_string (b, "value", step->answers[i].value);
          add_string (b, "label", obd_guide_gettext (step->answers[i].label));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (step->kind == OBD_GUIDE_STEP_MEASUREMENT)
    {
      if (!isnan (step->min))
        {
          if (step->scale_by != NULL)
            {
              json_builder_set_member_name (b, "min_factor");
              json_builder_add_double_value (b, step->min);
            }
          else
            obd_cli_add_quantity (cli, b, "min", step->min, step->unit);
        }
      if (!isnan (step->max))
        {
          if (step->scale_by != NULL)
            {
              json_builder_set_member_name (b, "max_factor");
              json_builder_add_double_value (b, step->max);
            }
          else
            obd_cli_add_quantity (cli, b, "max", step->max, step->unit);
        }
      add_string (b, "scale_by", step->scale_by);
      add_string (b, "unit", obd_guide_step_get_unit_symbol (step, cli->units));
    }
  if (step->kind == OBD_GUIDE_STEP_LIVE_CHECK)
    {
      json_builder_set_member_name (b, "time_limit");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, step->time_limit);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, "s");
      json_builder_end_object (b);
      json_builder_set_member_name (b, "conditions");
      json_builder_begin_array (b);
      for (guint i = 0; i < step->n_requires + step->n_conditions; i++)
        {
          gboolean require = i < step->n_requires;
          const ObdGuideCondition *c = require ? &step->requires[i]
                                               : &step->conditions[i - step->n_requires];
          g_autofree char *text = obd_guide_condition_describe (c, require, 1.0, cli->units);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "require");
          json_builder_add_boolean_value (b, require);
          add_string (b, "pid", obd_guide_quantity_get_key (c->quantity));
          add_string (b, "text", text);
          add_string (b, "scale_by", c->scale_by);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (step->kind == OBD_GUIDE_STEP_CODE_CHECK)
    {
      json_builder_set_member_name (b, "codes");
      add_code_ranges (b, step->codes, step->n_codes);
    }
  json_builder_end_object (b);
}

static int
guide_show (ObdCli  *cli,
            int      argc,
            char   **argv)
{
  g_autoptr(ObdGuideLibrary) library = NULL;
  g_autoptr(GError) error = NULL;
  GuideCli g = { .cli = cli };
  ObdGuide *guide;
  guint n_codes;
  const ObdGuideCodeRange *codes;
  const char * const *list;

  if (!obd_cli_parse_options (cli, "guide show", "ID", NULL, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc != 2)
    return obd_cli_usage_error (_("Name one guide, e.g. “obd2 guide show thermostat”."));

  library = load_library ();
  if ((guide = find_guide (library, argv[1], &error)) == NULL)
    return obd_cli_fail (cli, error);
  codes = obd_guide_get_codes (guide, &n_codes);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_string (b, "id", obd_guide_get_id (guide));
      json_builder_set_member_name (b, "version");
      json_builder_add_int_value (b, obd_guide_get_version (guide));
      add_string (b, "title", obd_guide_gettext (obd_guide_get_title (guide)));
      add_string (b, "summary", obd_guide_gettext (obd_guide_get_summary (guide)));
      json_builder_set_member_name (b, "codes");
      add_code_ranges (b, codes, n_codes);
      json_builder_set_member_name (b, "symptoms");
      json_builder_begin_array (b);
      for (list = obd_guide_get_symptoms (guide); *list != NULL; list++)
        json_builder_add_string_value (b, *list);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "tools");
      json_builder_begin_array (b);
      for (list = obd_guide_get_tools (guide); *list != NULL; list++)
        json_builder_add_string_value (b, obd_guide_gettext (*list));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "safety");
      json_builder_begin_array (b);
      for (list = obd_guide_get_safety (guide); *list != NULL; list++)
        json_builder_add_string_value (b, obd_guide_gettext (*list));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "steps");
      json_builder_begin_array (b);
      for (guint i = 0; i < obd_guide_get_n_steps (guide); i++)
        add_step_json (b, cli, obd_guide_get_step (guide, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "findings");
      json_builder_begin_array (b);
      for (guint i = 0; i < obd_guide_get_n_findings (guide); i++)
        add_finding_json (b, obd_guide_get_finding (guide, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  say ("%s [%s]\n\n", obd_guide_gettext (obd_guide_get_title (guide)), obd_guide_get_id (guide));
  print_wrapped (0, obd_guide_gettext (obd_guide_get_summary (guide)));
  if (n_codes > 0)
    {
      g_autofree char *text = obd_guide_format_codes (codes, n_codes);

      say (_("\nCodes: %s\n"), text);
    }
  for (list = obd_guide_get_symptoms (guide); *list != NULL; list++)
    say (_("Symptom: %s\n"), obd_guide_gettext (obd_guide_find_symptom (*list)->label));
  say ("\n");
  for (list = obd_guide_get_tools (guide); *list != NULL; list++)
    say (_("Tool: %s\n"), obd_guide_gettext (*list));
  for (list = obd_guide_get_safety (guide); *list != NULL; list++)
    say (_("⚠ %s\n"), obd_guide_gettext (*list));

  say ("\n%s\n", _("Steps:"));
  for (guint i = 0; i < obd_guide_get_n_steps (guide); i++)
    {
      const ObdGuideStep *step = obd_guide_get_step (guide, i);

      say ("\n%u. %s [%s, %s]\n", i + 1, obd_guide_gettext (step->title), step->id,
               obd_guide_step_kind_to_string (step->kind));
      print_step_details (&g, guide, step, NAN, TRUE);
    }
  say ("\n%s\n", _("Findings:"));
  for (guint i = 0; i < obd_guide_get_n_findings (guide); i++)
    {
      say ("\n[%s] ", obd_guide_get_finding (guide, i)->id);
      print_finding (obd_guide_get_finding (guide, i));
    }
  return OBD_CLI_EXIT_OK;
}

/* ---- the connection ---------------------------------------------------- */

static void
on_state_changed_cb (ObdWorker *worker,
                     GuideCli  *g)
{
  if (obd_worker_get_state (worker) == OBD_WORKER_STATE_RECONNECTING)
    g_printerr ("obd2: %s\n", _("Link lost; reconnecting…"));
}

static void
on_stopped_cb (ObdWorker    *worker,
               const GError *error,
               GuideCli     *g)
{
  g->worker_stopped = TRUE;
  if (error != NULL && g->link_error == NULL)
    g->link_error = g_error_copy (error);
  g_main_loop_quit (g->loop);
}

static void
on_samples_cb (ObdWorker *worker,
               GArray    *samples,
               GuideCli  *g)
{
  if (obd_guide_run_get_state (g->run) != OBD_GUIDE_RUN_LIVE || samples->len == 0)
    return;
  g->last_batch_us = g_get_real_time ();
  if (g->recorder != NULL)
    obd_recorder_push_samples (g->recorder, (const ObdSample *) samples->data, samples->len);
  obd_guide_run_feed_samples (g->run, (const ObdSample *) samples->data, samples->len);
  if (obd_guide_run_get_state (g->run) != OBD_GUIDE_RUN_LIVE)
    g_main_loop_quit (g->loop);
}

static gboolean
connect_car (GuideCli  *g,
             GError   **error)
{
  if (g->worker != NULL)
    return TRUE;
  g->loop = g_main_loop_new (NULL, FALSE);
  g->worker = obd_cli_start_worker (g->cli, OBD_STRATEGY_FAST, g->loop, error);
  if (g->worker == NULL)
    return FALSE;
  g_signal_connect (g->worker, "state-changed", G_CALLBACK (on_state_changed_cb), g);
  g_signal_connect (g->worker, "stopped", G_CALLBACK (on_stopped_cb), g);
  g_signal_connect (g->worker, "samples", G_CALLBACK (on_samples_cb), g);
  return TRUE;
}

static gpointer
read_snapshot_job (ObdAdapter    *adapter,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return obd_snapshot_read (adapter, GPOINTER_TO_UINT (data), cancellable, error);
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  GuideCli *g = data;

  g->job_result = obd_worker_run_finish (OBD_WORKER (source), result, &g->job_error);
  g->job_done = TRUE;
  g_main_loop_quit (g->loop);
}

/* Runs func on the worker thread, between polls, and waits for it. */
static gpointer
run_job (GuideCli          *g,
         ObdWorkerJobFunc   func,
         gpointer           data,
         GDestroyNotify     result_destroy,
         GError           **error)
{
  g_assert (g->job_result == NULL);
  g_clear_error (&g->job_error);
  g->job_done = FALSE;
  obd_worker_run_async (g->worker, func, data, NULL, result_destroy, g->cli->cancellable,
                        on_job_done_cb, g);
  if (!g->worker_stopped)
    obd_cli_run_loop (g->cli, g->loop);
  if (!g->job_done)
    {
      /* Interrupted or the link went: stopping the worker fails the job,
       * whose callback then comes. */
      obd_worker_stop (g->worker);
      while (!g->job_done)
        g_main_context_iteration (NULL, TRUE);
    }
  if (g->job_result == NULL && (g->link_error != NULL || g->job_error != NULL))
    {
      g_propagate_error (error, g->link_error != NULL ? g_steal_pointer (&g->link_error)
                                                      : g_steal_pointer (&g->job_error));
      return NULL;
    }
  return g_steal_pointer (&g->job_result);
}

/* Reads parts of the vehicle through the worker. */
static ObdSnapshot *
read_vehicle (GuideCli         *g,
              ObdSnapshotParts  parts,
              GError          **error)
{
  ObdSnapshot *snapshot = run_job (g, read_snapshot_job, GUINT_TO_POINTER (parts),
                                   (GDestroyNotify) obd_snapshot_free, error);

  if (snapshot == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The vehicle gave no answer."));
  return snapshot;
}

/* The simulated car has no mechanic to press its pedal: the simulator's
 * own foot holds the engine speed a check asks for. */
static gpointer
sim_pedal_job (ObdAdapter    *adapter,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  ObdTransport *transport = obd_adapter_get_transport (adapter);

  if (!OBD_IS_SIM_TRANSPORT (transport))
    return NULL;
  obd_sim_transport_hold_rpm (OBD_SIM_TRANSPORT (transport), *(const double *) data);
  return GINT_TO_POINTER (TRUE);
}

static gboolean
press_sim_pedal (GuideCli *g,
                 double    rpm)
{
  return run_job (g, sim_pedal_job, &rpm, NULL, NULL) != NULL;
}

/* ---- saving ------------------------------------------------------------ */

static void
on_recorded_cb (ObdGuideRun          *run,
                const ObdGuideRecord *record,
                GuideCli             *g)
{
  if (g->store == NULL || g->run_id == 0 || g->store_error != NULL)
    return;
  obd_guide_store_save_record (g->store, g->run_id, run, record, &g->store_error);
}

static void
on_rewound_cb (ObdGuideRun *run,
               guint        keep_seq,
               GuideCli    *g)
{
  if (g->store == NULL || g->run_id == 0 || g->store_error != NULL)
    return;
  obd_guide_store_save_rewind (g->store, g->run_id, run, keep_seq, &g->store_error);
}

static void
on_recorder_failed_cb (ObdRecorder  *recorder,
                       const GError *error,
                       GuideCli     *g)
{
  /* The samples are evidence, not the record: a failing recorder is
   * worth a warning, and the steps are still saved. */
  g_printerr ("obd2: %s\n", error->message);
}

/* Opens the store, identifies the car, starts the session the live
 * checks record into, and creates the run's row. */
static gboolean
start_saving (GuideCli  *g,
              GError   **error)
{
  g_autoptr(ObdSnapshot) info = NULL;
  const char *protocol;

  g->store = obd_cli_open_store (g->cli, TRUE, error);
  if (g->store == NULL)
    return FALSE;
  if (!connect_car (g, error) || (info = read_vehicle (g, OBD_SNAPSHOT_INFO, error)) == NULL)
    return FALSE;
  g->vehicle_id = obd_diagnosis_ensure_vehicle (g->store, info, error);
  if (g->vehicle_id == 0 && error != NULL && *error != NULL)
    return FALSE;

  g->recorder = obd_recorder_new (g->store, error);
  if (g->recorder == NULL)
    return FALSE;
  g_signal_connect (g->recorder, "failed", G_CALLBACK (on_recorder_failed_cb), g);
  protocol = obd_protocol_get_key (obd_worker_get_protocol (g->worker));
  g->session_id = obd_recorder_start_session (g->recorder, g->vehicle_id, protocol,
                                              obd_worker_get_adapter_version (g->worker),
                                              g->cli->port, error);
  if (g->session_id == 0)
    return FALSE;
  g->recording = TRUE;

  g->run_id = obd_guide_store_start_run (g->store, g->run, g->vehicle_id, g->session_id, error);
  return g->run_id != 0;
}

/* ---- walking ----------------------------------------------------------- */

/* NULL at the end of input. */
static char *
read_line (const char *prompt)
{
  char buffer[1024];

  say ("%s", prompt);
  fflush (chatter != NULL ? chatter : stdout);
  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    return NULL;
  return g_strstrip (g_strdup (buffer));
}

/* The scripted answer of step, taken (each answer is used once). */
static char *
take_answer (GuideCli   *g,
             const char *step)
{
  g_autofree char *key = NULL;
  char *value = NULL;

  if (g->answers == NULL ||
      !g_hash_table_steal_extended (g->answers, step, (gpointer *) &key, (gpointer *) &value))
    return NULL;
  return value;
}

static int
missing_answer (GuideCli           *g,
                const ObdGuideStep *step)
{
  return obd_cli_usage_error (_("No answer for the %s step “%s” (%s) in %s. Add a line "
                                "“%s=VALUE”."), obd_guide_step_kind_to_string (step->kind),
                              step->id, obd_guide_gettext (step->title), g->answers_name,
                              step->id);
}

typedef enum { ACT_DONE, ACT_BACK, ACT_QUIT, ACT_FAILED } Action;

static Action
control_word (const char *line)
{
  if (line == NULL || g_ascii_strcasecmp (line, "q") == 0 || g_ascii_strcasecmp (line, "quit") == 0)
    return ACT_QUIT;
  if (g_ascii_strcasecmp (line, "b") == 0 || g_ascii_strcasecmp (line, "back") == 0)
    return ACT_BACK;
  return ACT_DONE;
}

static Action
do_instruction (GuideCli  *g,
                GError   **error)
{
  g_autofree char *line = NULL;

  if (!g->interactive)
    {
      g_free (take_answer (g, obd_guide_run_get_step (g->run)->id));
      return obd_guide_run_confirm (g->run, error) ? ACT_DONE : ACT_FAILED;
    }
  line = read_line (_("Press Enter when done (b: back, q: stop for now): "));
  if (control_word (line) != ACT_DONE)
    return control_word (line);
  return obd_guide_run_confirm (g->run, error) ? ACT_DONE : ACT_FAILED;
}

static Action
do_question (GuideCli  *g,
             int       *status)
{
  const ObdGuideStep *step = obd_guide_run_get_step (g->run);
  g_autoptr(GError) error = NULL;

  if (!g->interactive)
    {
      g_autofree char *answer = take_answer (g, step->id);

      if (answer == NULL)
        {
          *status = missing_answer (g, step);
          return ACT_FAILED;
        }
      if (!obd_guide_run_answer (g->run, answer, &error))
        {
          *status = obd_cli_usage_error ("%s", error->message);
          return ACT_FAILED;
        }
      say (_("  Answer: %s\n"), answer);
      return ACT_DONE;
    }

  for (guint i = 0; i < step->n_answers; i++)
    say ("  %u) %s\n", i + 1, obd_guide_gettext (step->answers[i].label));
  for (;;)
    {
      g_autofree char *line = read_line (_("Answer (number, b: back, q: stop for now): "));
      guint64 n = 0;
      const char *value = line;

      if (control_word (line) != ACT_DONE)
        return control_word (line);
      if (g_ascii_string_to_unsigned (line, 10, 1, step->n_answers, &n, NULL))
        value = step->answers[n - 1].value;
      if (obd_guide_run_answer (g->run, value, &error))
        return ACT_DONE;
      g_printerr ("obd2: %s\n", error->message);
      g_clear_error (&error);
    }
}

static Action
do_measurement (GuideCli *g,
                int      *status)
{
  const ObdGuideStep *step = obd_guide_run_get_step (g->run);
  g_autoptr(GError) error = NULL;
  double value;

  if (!g->interactive)
    {
      g_autofree char *answer = take_answer (g, step->id);

      if (answer == NULL)
        {
          *status = missing_answer (g, step);
          return ACT_FAILED;
        }
      if (!obd_guide_step_parse_measurement (step, answer, g->cli->units, &value, &error) ||
          !obd_guide_run_measure (g->run, value, &error))
        {
          *status = obd_cli_usage_error (_("%s, step “%s”: %s"), g->answers_name, step->id,
                                         error->message);
          return ACT_FAILED;
        }
      say (_("  Reading: %s %s\n"), answer, obd_guide_step_get_unit_symbol (step, g->cli->units));
      return ACT_DONE;
    }

  for (;;)
    {
      g_autofree char *prompt = g_strdup_printf (_("Reading in %s (b: back, q: stop for now): "),
                                                 obd_guide_step_get_unit_symbol (step,
                                                                                 g->cli->units));
      g_autofree char *line = read_line (prompt);

      if (control_word (line) != ACT_DONE)
        return control_word (line);
      if (obd_guide_step_parse_measurement (step, line, g->cli->units, &value, &error) &&
          obd_guide_run_measure (g->run, value, &error))
        return ACT_DONE;
      g_printerr ("obd2: %s\n", error->message);
      g_clear_error (&error);
    }
}

static Action
do_code_check (GuideCli  *g,
               GError   **error)
{
  g_autoptr(ObdSnapshot) codes = NULL;

  if (!connect_car (g, error) || (codes = read_vehicle (g, OBD_SNAPSHOT_DTCS, error)) == NULL)
    return ACT_FAILED;
  if (codes->dtcs->len == 0)
    say ("  %s\n", _("The vehicle reports no trouble codes."));
  for (guint i = 0; i < codes->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (codes->dtcs, ObdDtc, i);
      static const char *kinds[] = { N_("stored"), N_("pending"), N_("permanent") };

      say ("  %s (%s)\n", dtc->code, (guint) dtc->kind < 3 ? _(kinds[dtc->kind]) : "?");
    }
  return obd_guide_run_feed_codes (g->run, (const ObdDtc *) codes->dtcs->data, codes->dtcs->len,
                                   error) ? ACT_DONE : ACT_FAILED;
}

static void
print_gauges (GuideCli *g)
{
  const ObdGuideStep *step = obd_guide_run_get_step (g->run);
  g_autoptr(GString) line = g_string_new (NULL);
  guint n;
  const ObdGuideGauge *gauges = obd_guide_run_get_gauges (g->run, &n);

  if (step != NULL)
    g_string_append_printf (line, "  [%3.0f/%.0f s] ",
                            obd_guide_run_get_live_progress (g->run) * step->time_limit,
                            step->time_limit);
  for (guint i = 0; i < n; i++)
    {
      if (!gauges[i].has_value)
        continue;
      g_string_append_printf (line, "%s%s %.*f %s", i > 0 ? " · " : "",
                              _(gauges[i].label),
                              (int) MIN (obd_unit_get_decimals (gauges[i].unit, g->cli->units), 2),
                              obd_unit_convert (gauges[i].unit, g->cli->units, gauges[i].value),
                              obd_unit_get_symbol (gauges[i].unit, g->cli->units));
    }
  say ("\r%s\033[K", line->str);
  fflush (chatter != NULL ? chatter : stdout);
}

static gboolean
on_live_tick_cb (gpointer data)
{
  GuideCli *g = data;
  gint64 now = g_get_real_time ();

  /* No samples for a while: the car answers nothing, time still passes
   * (the samples' clock is the wall clock). */
  if (now - g->last_batch_us > SILENCE_US)
    obd_guide_run_advance_clock (g->run, now);
  if (obd_guide_run_get_state (g->run) != OBD_GUIDE_RUN_LIVE)
    {
      g_main_loop_quit (g->loop);
      return G_SOURCE_CONTINUE;
    }
  if (g->progress)
    print_gauges (g);
  return G_SOURCE_CONTINUE;
}


static Action
do_live_check (GuideCli  *g,
               int       *status,
               GError   **error)
{
  const ObdGuideStep *step = obd_guide_run_get_step (g->run);
  g_autoptr(GArray) supported_pids = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  gboolean supported[256] = { FALSE };
  const ObdGuideRecord *record;
  GPtrArray *records;
  ObdGuideLiveStatus result;
  double held;
  guint tick;

  if (!connect_car (g, error))
    return ACT_FAILED;
  supported_pids = obd_worker_dup_supported_pids (g->worker);
  for (guint i = 0; i < supported_pids->len; i++)
    supported[g_array_index (supported_pids, guint8, i)] = TRUE;
  for (guint i = 0; i < step->n_gauges; i++)
    {
      gboolean have = FALSE;

      for (guint j = 0; j < pids->len; j++)
        have = have || g_array_index (pids, guint8, j) == step->gauges[i].pid;
      if (!have && supported[step->gauges[i].pid])
        g_array_append_val (pids, step->gauges[i].pid);
    }

  held = obd_guide_step_get_held_rpm (step);
  if (held > 0 && press_sim_pedal (g, held))
    say (_("  The simulated car has no one at its pedal: the simulator holds %.0f rpm.\n"),
         held);

  records = obd_guide_run_get_records (g->run);
  g->last_batch_us = g_get_real_time ();
  if (!obd_guide_run_start_live_check (g->run, g->last_batch_us, supported, error))
    return ACT_FAILED;
  if (obd_guide_run_get_state (g->run) == OBD_GUIDE_RUN_LIVE)
    {
      obd_worker_set_pids (g->worker, (const guint8 *) pids->data, NULL, pids->len);
      tick = g_timeout_add_seconds (1, on_live_tick_cb, g);
      if (!g->worker_stopped)
        obd_cli_run_loop (g->cli, g->loop);
      g_source_remove (tick);
      obd_worker_set_pids (g->worker, NULL, NULL, 0);
      if (g->progress)
        say ("\n");
    }

  if (held > 0 && !g->worker_stopped && !g_cancellable_is_cancelled (g->cli->cancellable))
    press_sim_pedal (g, 0);

  if (obd_guide_run_get_state (g->run) == OBD_GUIDE_RUN_LIVE)
    {
      /* Ctrl+C or a lost link stopped the check, not the car. */
      obd_guide_run_stop_live_check (g->run);
      if (g->link_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&g->link_error));
          return ACT_FAILED;
        }
      return ACT_QUIT;
    }

  /* Decided: it made a record and moved on. */
  if (obd_guide_run_get_step (g->run) != step)
    {
      record = g_ptr_array_index (records, records->len - 1);
      result = g_str_equal (record->outcome, "pass") ? OBD_GUIDE_LIVE_PASSED :
               g_str_equal (record->outcome, "fail") ? OBD_GUIDE_LIVE_FAILED :
                                                       OBD_GUIDE_LIVE_TIMED_OUT;
      if (isfinite (record->value))
        say (_("  Result: %s (%.*f %s)\n"), obd_guide_live_status_describe (result),
                 (int) MIN (obd_unit_get_decimals (record->unit, g->cli->units), 2),
                 obd_unit_convert (record->unit, g->cli->units, record->value),
                 obd_unit_get_symbol (record->unit, g->cli->units));
      else
        say (_("  Result: %s\n"), obd_guide_live_status_describe (result));
      return ACT_DONE;
    }

  /* No verdict: the mechanic judges, or tries again. */
  say (_("  The check could not decide: %s.\n"),
           obd_guide_live_status_describe (obd_guide_run_get_live_status (g->run)));
  if (!g->interactive)
    {
      g_autofree char *verdict = take_answer (g, step->id);

      if (verdict == NULL || (!g_str_equal (verdict, "pass") && !g_str_equal (verdict, "fail")))
        {
          *status = obd_cli_usage_error (_("Judge the live check “%s” by hand in %s: add a "
                                           "line “%s=pass” or “%s=fail”."), step->id,
                                         g->answers_name, step->id, step->id);
          return ACT_FAILED;
        }
      return obd_guide_run_judge (g->run, g_str_equal (verdict, "pass"), error) ? ACT_DONE
                                                                                 : ACT_FAILED;
    }
  for (;;)
    {
      g_autofree char *line = read_line (_("r: try again, p: it passed, f: it failed, b: back, "
                                           "q: stop for now: "));

      if (control_word (line) != ACT_DONE)
        return control_word (line);
      if (g_ascii_strcasecmp (line, "r") == 0)
        return ACT_DONE;  /* the loop starts the check again */
      if (g_ascii_strcasecmp (line, "p") == 0 || g_ascii_strcasecmp (line, "f") == 0)
        return obd_guide_run_judge (g->run, g_ascii_strcasecmp (line, "p") == 0, error)
               ? ACT_DONE : ACT_FAILED;
    }
}

static void
print_step (GuideCli           *g,
            const ObdGuideStep *step)
{
  GPtrArray *records = obd_guide_run_get_records (g->run);

  say ("\n%u. %s\n", records->len + 1, obd_guide_gettext (step->title));
  print_step_details (g, obd_guide_run_get_guide (g->run), step, NAN, FALSE);
}

/* Walks until a finding, a stop or a failure; returns the exit status. */
static int
walk (GuideCli *g)
{
  g_autoptr(GError) error = NULL;
  int status = OBD_CLI_EXIT_OK;

  while (obd_guide_run_get_state (g->run) != OBD_GUIDE_RUN_FINISHED)
    {
      const ObdGuideStep *step = obd_guide_run_get_step (g->run);
      Action action = ACT_FAILED;

      print_step (g, step);
      switch (step->kind)
        {
        case OBD_GUIDE_STEP_INSTRUCTION:
          action = do_instruction (g, &error);
          break;
        case OBD_GUIDE_STEP_QUESTION:
          action = do_question (g, &status);
          break;
        case OBD_GUIDE_STEP_MEASUREMENT:
          action = do_measurement (g, &status);
          break;
        case OBD_GUIDE_STEP_CODE_CHECK:
          action = do_code_check (g, &error);
          break;
        case OBD_GUIDE_STEP_LIVE_CHECK:
          action = do_live_check (g, &status, &error);
          break;
        default:
          g_assert_not_reached ();
        }

      if (action == ACT_BACK && !obd_guide_run_back (g->run, &error))
        {
          g_printerr ("obd2: %s\n", error->message);
          g_clear_error (&error);
        }
      if (g->store_error != NULL)
        {
          g_printerr ("obd2: %s\n", _("The guided repair could not be saved; it stops here. "
                                      "The steps saved so far are kept."));
          return obd_cli_fail (g->cli, g->store_error);
        }
      if (action == ACT_QUIT)
        {
          g->quit = TRUE;
          return OBD_CLI_EXIT_OK;
        }
      if (action == ACT_FAILED)
        return error != NULL ? obd_cli_fail (g->cli, error) : status;
    }
  return OBD_CLI_EXIT_OK;
}

static void
add_records_json (JsonBuilder *b,
                  GuideCli    *g)
{
  GPtrArray *records = obd_guide_run_get_records (g->run);
  ObdGuide *guide = obd_guide_run_get_guide (g->run);

  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < records->len; i++)
    {
      const ObdGuideRecord *r = g_ptr_array_index (records, i);
      const ObdGuideStep *step = obd_guide_find_step (guide, r->step_id);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, r->seq);
      add_string (b, "step", r->step_id);
      add_string (b, "kind", obd_guide_step_kind_to_string (r->kind));
      add_string (b, "title", step != NULL ? obd_guide_gettext (step->title) : NULL);
      add_string (b, "outcome", r->outcome);
      json_builder_set_member_name (b, "value");
      if (isfinite (r->value))
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "value");
          json_builder_add_double_value (b, obd_unit_convert (r->unit, g->cli->units, r->value));
          json_builder_set_member_name (b, "unit");
          json_builder_add_string_value (b, step != NULL && r->kind == OBD_GUIDE_STEP_MEASUREMENT
                                            ? obd_guide_step_get_unit_symbol (step, g->cli->units)
                                            : obd_unit_get_symbol (r->unit, g->cli->units));
          json_builder_end_object (b);
        }
      else if (isinf (r->value))
        json_builder_add_string_value (b, "OL");
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "manual");
      json_builder_add_boolean_value (b, r->manual);
      json_builder_set_member_name (b, "detail");
      if (r->detail != NULL)
        json_builder_add_value (b, json_from_string (r->detail, NULL));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
print_outcome (GuideCli *g)
{
  const ObdGuideFinding *finding = obd_guide_run_get_finding (g->run);
  ObdGuide *guide = obd_guide_run_get_guide (g->run);

  if (g->cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_string (b, "guide", obd_guide_get_id (guide));
      add_string (b, "title", obd_guide_gettext (obd_guide_get_title (guide)));
      json_builder_set_member_name (b, "run");
      if (g->run_id != 0)
        json_builder_add_int_value (b, g->run_id);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "session");
      if (g->session_id != 0)
        json_builder_add_int_value (b, g->session_id);
      else
        json_builder_add_null_value (b);
      add_string (b, "status", finding != NULL ? "finished" : "active");
      add_string (b, "current_step",
                  obd_guide_run_get_step (g->run) != NULL ? obd_guide_run_get_step (g->run)->id : NULL);
      json_builder_set_member_name (b, "finding");
      if (finding != NULL)
        add_finding_json (b, finding);
      else
        json_builder_add_null_value (b);
      add_records_json (b, g);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, TRUE);
      return;
    }

  say ("\n");
  if (finding != NULL)
    print_finding (finding);
  else if (g->run_id != 0)
    say (_("Stopped at “%s”. Saved as run %" PRId64 "; continue with “obd2 guide "
               "resume %" PRId64 "”.\n"),
             obd_guide_gettext (obd_guide_run_get_step (g->run)->title), g->run_id, g->run_id);
  else
    say (_("Stopped at “%s”; nothing was saved.\n"),
             obd_guide_gettext (obd_guide_run_get_step (g->run)->title));
}

/* "step=value" lines; # starts a comment. */
static GHashTable *
parse_answers (const char  *name,
               GError     **error)
{
  g_autoptr(GHashTable) answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (g_str_equal (name, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GByteArray) all = g_byte_array_new ();

      do
        {
          g_clear_pointer (&bytes, g_bytes_unref);
          bytes = g_input_stream_read_bytes (in, 65536, NULL, error);
          if (bytes == NULL)
            return NULL;
          g_byte_array_append (all, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
          if (all->len > 1024 * 1024)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The answers on standard input are larger than 1 MiB."));
              return NULL;
            }
        }
      while (g_bytes_get_size (bytes) > 0);
      g_byte_array_append (all, (const guint8 *) "", 1);
      contents = (char *) g_byte_array_free (g_steal_pointer (&all), FALSE);
    }
  else if (!g_file_get_contents (name, &contents, NULL, error))
    return NULL;

  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s is not UTF-8 text."), name);
      return NULL;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (*line == '\0' || *line == '#')
        continue;
      eq = strchr (line, '=');
      if (eq == NULL || eq == line)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s:%u: expected “STEP=VALUE”, found “%s”."), name, i + 1, line);
          return NULL;
        }
      *eq = '\0';
      g_strstrip (line);
      if (g_hash_table_contains (answers, line))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s:%u: the step “%s” is answered twice."), name, i + 1, line);
          return NULL;
        }
      g_hash_table_insert (answers, g_strdup (line), g_strdup (g_strstrip (eq + 1)));
    }
  return g_steal_pointer (&answers);
}

static gboolean
guide_needs_car (ObdGuide *guide)
{
  for (guint i = 0; i < obd_guide_get_n_steps (guide); i++)
    {
      ObdGuideStepKind kind = obd_guide_get_step (guide, i)->kind;

      if (kind == OBD_GUIDE_STEP_LIVE_CHECK || kind == OBD_GUIDE_STEP_CODE_CHECK)
        return TRUE;
    }
  return FALSE;
}

/* Sets up how answers come in: a script, or a person at a terminal. */
static gboolean
setup_answers (GuideCli    *g,
               const char  *answers,
               GError     **error)
{
  if (answers != NULL)
    {
      g->answers = parse_answers (answers, error);
      g->answers_name = g_strdup (g_str_equal (answers, "-") ? _("the answers on standard input")
                                                             : answers);
      return g->answers != NULL;
    }
  if (!isatty (STDIN_FILENO))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("Standard input is not a terminal: give the answers with "
                             "--answers FILE, or --answers - to read them from standard "
                             "input."));
      return FALSE;
    }
  g->interactive = TRUE;
  return TRUE;
}

static int
finish_walk (GuideCli *g,
             int       status)
{
  /* The live checks' samples are sealed into the session with it. */
  if (g->recording)
    {
      g_autoptr(GError) error = NULL;

      g->recording = FALSE;
      if (!obd_recorder_stop_session (g->recorder, &error))
        g_printerr ("obd2: %s\n", error->message);
    }
  if (status == OBD_CLI_EXIT_OK || g->quit)
    print_outcome (g);
  if (g->answers != NULL && g_hash_table_size (g->answers) > 0 && status == OBD_CLI_EXIT_OK)
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, g->answers);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        g_printerr (_("obd2: the walk never reached the step “%s” that %s answers.\n"), key,
                    g->answers_name);
    }
  return status;
}

static int
guide_run (ObdCli  *cli,
           int      argc,
           char   **argv)
{
  g_autofree char *answers = NULL;
  g_autofree char *code = NULL;
  g_autofree char *symptom = NULL;
  gboolean no_save = FALSE;
  GOptionEntry entries[] = {
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers,
      N_("Read the answers from FILE (“-”: standard input), one “STEP=VALUE” a line"), "FILE" },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, N_("The code that led here, for the record"),
      "CODE" },
    { "symptom", 0, 0, G_OPTION_ARG_STRING, &symptom,
      N_("The symptom that led here, for the record"), "SYMPTOM" },
    { "no-save", 0, 0, G_OPTION_ARG_NONE, &no_save, N_("Do not save the run in the store"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  GuideCli g = { .cli = cli };
  ObdGuide *guide;
  guint16 raw;
  int status;

  if (!obd_cli_parse_options (cli, "guide run", "ID", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc != 2)
    return obd_cli_usage_error (_("Name one guide, e.g. “obd2 guide run thermostat”."));
  if (code != NULL && !obd_dtc_parse_code (code, &raw))
    return obd_cli_usage_error (_("“%s” is not a trouble code. Give one such as P0128."), code);
  if (symptom != NULL && obd_guide_find_symptom (symptom) == NULL)
    return obd_cli_usage_error (_("Unknown symptom “%s”. “obd2 guide list” shows the "
                                  "symptoms."), symptom);

  g.library = load_library ();
  if ((guide = find_guide (g.library, argv[1], &error)) == NULL ||
      !setup_answers (&g, answers, &error))
    {
      guide_cli_clear (&g);
      return obd_cli_fail (cli, error);
    }
  if (code != NULL)
    {
      char normal[6];

      obd_dtc_format (raw, normal);
      reason = g_strdup_printf ("code:%s", normal);
    }
  else if (symptom != NULL)
    reason = g_strdup_printf ("symptom:%s", symptom);

  g.progress = g.interactive && isatty (STDOUT_FILENO) && !cli->json;
  g.run = obd_guide_run_new (guide, reason);
  g_signal_connect (g.run, "recorded", G_CALLBACK (on_recorded_cb), &g);
  g_signal_connect (g.run, "rewound", G_CALLBACK (on_rewound_cb), &g);

  if (!cli->json)
    {
      say ("%s\n", obd_guide_gettext (obd_guide_get_title (guide)));
      print_wrapped (0, obd_guide_gettext (obd_guide_get_summary (guide)));
      for (const char * const *s = obd_guide_get_safety (guide); *s != NULL; s++)
        say (_("⚠ %s\n"), obd_guide_gettext (*s));
    }
  else
    /* The steps' chatter goes to stderr; stdout is the one JSON document. */
    chatter = stderr;

  if ((!no_save && !start_saving (&g, &error)) ||
      (no_save && guide_needs_car (guide) && !connect_car (&g, &error)))
    {
      if (!no_save && g.store == NULL)
        g_printerr ("obd2: %s\n", _("Use --no-save to walk the guide without saving it."));
      status = obd_cli_fail (cli, error);
      guide_cli_clear (&g);
      return status;
    }

  status = finish_walk (&g, walk (&g));
  guide_cli_clear (&g);
  return status;
}

/* ---- runs and resume --------------------------------------------------- */

static const char *
run_status_label (ObdStoreGuideRunStatus status)
{
  switch (status)
    {
    case OBD_STORE_GUIDE_RUN_ACTIVE:
      return _("in progress");
    case OBD_STORE_GUIDE_RUN_FINISHED:
      return _("finished");
    default:
      return _("abandoned");
    }
}

static void
add_stored_run_json (JsonBuilder            *b,
                     ObdStore               *store,
                     const ObdStoreGuideRun *run,
                     gboolean                details)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, run->id);
  add_string (b, "uuid", run->uuid);
  add_string (b, "guide", run->guide_id);
  json_builder_set_member_name (b, "guide_version");
  json_builder_add_int_value (b, run->guide_version);
  add_string (b, "title", obd_guide_gettext (run->guide_title));
  add_string (b, "reason", run->reason);
  add_string (b, "status", obd_store_guide_run_status_to_string (run->status));
  add_string (b, "current_step", run->current_step);
  json_builder_set_member_name (b, "vehicle");
  if (run->vehicle_id != 0)
    json_builder_add_int_value (b, run->vehicle_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "session");
  if (run->session_id != 0)
    json_builder_add_int_value (b, run->session_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "started_us");
  json_builder_add_int_value (b, run->started_us);
  json_builder_set_member_name (b, "steps_done");
  json_builder_add_int_value (b, run->n_steps);

  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  {
    g_autoptr(GPtrArray) findings = obd_store_list_guide_run_findings (store, run->id, NULL);

    for (guint i = 0; findings != NULL && i < findings->len; i++)
      {
        const ObdStoreGuideFinding *f = g_ptr_array_index (findings, i);

        json_builder_begin_object (b);
        add_string (b, "id", f->finding_id);
        add_string (b, "kind", f->kind);
        add_string (b, "title", obd_guide_gettext (f->title));
        add_string (b, "text", obd_guide_gettext (f->text));
        add_string (b, "refer_guide", f->refer_guide);
        json_builder_set_member_name (b, "repairs");
        json_builder_begin_array (b);
        for (guint r = 0; r < f->repairs->len; r++)
          {
            const ObdStoreGuideRepair *repair = g_ptr_array_index (f->repairs, r);

            json_builder_begin_object (b);
            add_string (b, "title", obd_guide_gettext (repair->title));
            add_hours (b, "hours", repair->hours);
            add_hours (b, "max_hours", repair->max_hours);
            json_builder_end_object (b);
          }
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  }
  json_builder_end_array (b);

  if (details)
    {
      g_autoptr(GPtrArray) steps = obd_store_list_guide_run_steps (store, run->id, NULL);

      json_builder_set_member_name (b, "steps");
      json_builder_begin_array (b);
      for (guint i = 0; steps != NULL && i < steps->len; i++)
        {
          const ObdStoreGuideStep *s = g_ptr_array_index (steps, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "seq");
          json_builder_add_int_value (b, s->seq);
          add_string (b, "step", s->step_id);
          add_string (b, "kind", s->kind);
          add_string (b, "title", obd_guide_gettext (s->title));
          add_string (b, "outcome", s->outcome);
          json_builder_set_member_name (b, "value");
          if (isfinite (s->value))
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "value");
              json_builder_add_double_value (b, s->value);
              add_string (b, "unit", s->unit != NULL ? s->unit : "");
              json_builder_end_object (b);
            }
          else if (isinf (s->value))
            json_builder_add_string_value (b, "OL");
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "manual");
          json_builder_add_boolean_value (b, s->manual);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static int
guide_runs (ObdCli  *cli,
            int      argc,
            char   **argv)
{
  g_autofree char *vehicle = NULL;
  GOptionEntry entries[] = {
    { "vehicle", 0, 0, G_OPTION_ARG_STRING, &vehicle, N_("Only this vehicle (id, VIN or UUID)"),
      "ID" },
    { NULL }
  };
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  gint64 vehicle_id = 0;
  gint64 one = 0;

  if (!obd_cli_parse_options (cli, "guide runs", "[RUN]", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc > 2)
    return obd_cli_usage_error (_("Name at most one run."));
  if (argc == 2 && !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &one, NULL))
    return obd_cli_usage_error (_("“%s” is not a run number. “obd2 guide runs” lists them."),
                                argv[1]);

  store = obd_cli_open_store (cli, FALSE, &error);
  if (store == NULL)
    return obd_cli_fail (cli, error);
  if (vehicle != NULL && (vehicle_id = obd_cli_find_vehicle (store, vehicle, &error)) == 0)
    return obd_cli_fail (cli, error);

  if (one != 0)
    {
      ObdStoreGuideRun *run = obd_store_get_guide_run (store, one, &error);

      if (run == NULL)
        return obd_cli_fail (cli, error);
      runs = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_guide_run_free);
      g_ptr_array_add (runs, run);
    }
  else if ((runs = obd_store_list_guide_runs (store, vehicle_id, 0, &error)) == NULL)
    return obd_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "runs");
      json_builder_begin_array (b);
      for (guint i = 0; i < runs->len; i++)
        add_stored_run_json (b, store, g_ptr_array_index (runs, i), one != 0);
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      obd_cli_print_json (root, TRUE);
      return OBD_CLI_EXIT_OK;
    }

  if (runs->len == 0)
    say ("%s\n", _("No guided repairs yet. Start one with “obd2 guide run ID”."));
  for (guint i = 0; i < runs->len; i++)
    {
      const ObdStoreGuideRun *run = g_ptr_array_index (runs, i);
      g_autofree char *when = obd_cli_format_time (run->started_us);

      say ("%-5" G_GINT64_FORMAT " %s  %s  [%s]\n", run->id, when,
               obd_guide_gettext (run->guide_title), run_status_label (run->status));
      if (run->finding_title != NULL)
        say ("      → %s\n", obd_guide_gettext (run->finding_title));
      else if (run->current_step != NULL)
        say (_("      at step “%s”, %u done\n"), run->current_step, run->n_steps);
    }
  if (one != 0)
    {
      g_autoptr(GPtrArray) findings = obd_store_list_guide_run_findings (store, one, &error);

      for (guint i = 0; findings != NULL && i < findings->len; i++)
        {
          const ObdStoreGuideFinding *f = g_ptr_array_index (findings, i);

          print_wrapped (6, obd_guide_gettext (f->text));
          for (guint r = 0; r < f->repairs->len; r++)
            {
              const ObdStoreGuideRepair *repair = g_ptr_array_index (f->repairs, r);
              g_autofree char *hours = obd_guide_format_hours (repair->hours, repair->max_hours);

              say ("      • %s (%s)\n", obd_guide_gettext (repair->title), hours);
            }
        }
    }
  return OBD_CLI_EXIT_OK;
}

static int
guide_resume (ObdCli  *cli,
              int      argc,
              char   **argv)
{
  g_autofree char *answers = NULL;
  GOptionEntry entries[] = {
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers,
      N_("Read the answers from FILE (“-”: standard input), one “STEP=VALUE” a line"), "FILE" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreGuideRun) row = NULL;
  GuideCli g = { .cli = cli };
  gint64 run_id = 0;
  int status;

  if (!obd_cli_parse_options (cli, "guide resume", "RUN", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  if (argc != 2 || !g_ascii_string_to_signed (argv[1], 10, 1, G_MAXINT64, &run_id, NULL))
    return obd_cli_usage_error (_("Name the run to continue by its number; “obd2 guide runs” "
                                  "lists them."));

  g.library = load_library ();
  /* Resuming writes the steps still to come; a store that does not exist
   * holds no run to resume, and is not created for that. */
  if (!g_file_test (cli->db != NULL ? cli->db : obd_store_get_default_path (),
                    G_FILE_TEST_EXISTS))
    {
      g_set_error (&error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
                   _("No guided repair was saved yet: there is no local store. Start one "
                     "with “obd2 guide run ID”."));
      status = obd_cli_fail (cli, error);
      guide_cli_clear (&g);
      return status;
    }
  g.store = obd_cli_open_store (cli, TRUE, &error);
  if (g.store == NULL || (row = obd_store_get_guide_run (g.store, run_id, &error)) == NULL ||
      (g.run = obd_guide_store_resume (g.store, g.library, run_id, &error)) == NULL ||
      !setup_answers (&g, answers, &error))
    {
      status = obd_cli_fail (cli, error);
      guide_cli_clear (&g);
      return status;
    }
  if (row->status == OBD_STORE_GUIDE_RUN_ABANDONED)
    {
      guide_cli_clear (&g);
      return obd_cli_usage_error (_("Run %" PRId64 " was abandoned; start the guide "
                                    "again."), run_id);
    }

  /* Live checks after a resume read the car but record no new session:
   * the run belongs to the session it was started in. */
  g.run_id = run_id;
  g.vehicle_id = row->vehicle_id;
  g.session_id = row->session_id;
  g.progress = g.interactive && isatty (STDOUT_FILENO) && !cli->json;
  g_signal_connect (g.run, "recorded", G_CALLBACK (on_recorded_cb), &g);
  g_signal_connect (g.run, "rewound", G_CALLBACK (on_rewound_cb), &g);
  if (cli->json)
    chatter = stderr;

  status = finish_walk (&g, walk (&g));
  guide_cli_clear (&g);
  return status;
}

int
obd_cli_cmd_guide (ObdCli  *cli,
                   int      argc,
                   char   **argv)
{
  static const struct
  {
    const char *name;
    int       (*run) (ObdCli *cli, int argc, char **argv);
  } subcommands[] = {
    { "list", guide_list },
    { "show", guide_show },
    { "run", guide_run },
    { "runs", guide_runs },
    { "resume", guide_resume },
  };
  int index = -1;

  /* The subcommand is the first word that is neither an option nor the
   * value of a global option. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--port") || g_str_equal (argv[i], "-p") ||
          g_str_equal (argv[i], "--db") || g_str_equal (argv[i], "--units"))
        {
          i++;
          continue;
        }
      if (argv[i][0] != '-')
        {
          index = i;
          break;
        }
    }
  if (index < 0)
    return obd_cli_usage_error (_("Say what to do: “obd2 guide list”, “show ID”, “run ID”, "
                                  "“runs” or “resume RUN”."));

  for (guint s = 0; s < G_N_ELEMENTS (subcommands); s++)
    if (g_str_equal (argv[index], subcommands[s].name))
      {
        memmove (&argv[index], &argv[index + 1], (argc - index) * sizeof (char *));
        return subcommands[s].run (cli, argc - 1, argv);
      }
  return obd_cli_usage_error (_("Unknown guide command “%s”. Use list, show, run, runs or "
                                "resume."), argv[index]);
}
