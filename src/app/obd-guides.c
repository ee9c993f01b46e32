/* obd-guides.c — the guided-repair guides of the application, loaded once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-guides.h"
#include "obd-store-guide.h"

static ObdGuideLibrary *loaded;   /* main thread only */
static GPtrArray *waiting;        /* GTask: callers while it loads */

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  ObdGuideLibrary *library = obd_guide_library_new_default ();
  GPtrArray *problems = obd_guide_library_get_problems (library);

  /* A workshop's broken file is skipped, never fatal; say which. */
  for (guint i = 0; i < problems->len; i++)
    {
      const ObdGuideProblem *p = g_ptr_array_index (problems, i);

      g_warning ("Guide %s:%u skipped: %s", p->filename, p->line, p->message);
    }
  g_task_return_pointer (task, library, g_object_unref);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&waiting);

  loaded = g_task_propagate_pointer (G_TASK (result), NULL);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_pointer (g_ptr_array_index (tasks, i), g_object_ref (loaded), g_object_unref);
}

void
obd_guides_load_async (GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, obd_guides_load_async);
  /* The answer always comes from the main loop, never inline. */
  if (loaded != NULL)
    {
      g_task_return_pointer (task, g_object_ref (loaded), g_object_unref);
      return;
    }
  if (waiting == NULL)
    {
      g_autoptr(GTask) load = g_task_new (NULL, NULL, on_loaded_cb, NULL);

      waiting = g_ptr_array_new_with_free_func (g_object_unref);
      g_task_run_in_thread (load, load_thread);
    }
  g_ptr_array_add (waiting, g_steal_pointer (&task));
}

ObdGuideLibrary *
obd_guides_load_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ObdGuideLibrary *
obd_guides_peek (void)
{
  return loaded;
}

gpointer
obd_guides_list_unfinished_job (ObdStore      *store,
                                gpointer       data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GPtrArray) runs = obd_store_list_guide_runs (store, *(gint64 *) data, 0, error);
  GPtrArray *active;

  if (runs == NULL)
    return NULL;
  active = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_guide_run_free);
  for (guint i = 0; i < runs->len; i++)
    if (((ObdStoreGuideRun *) g_ptr_array_index (runs, i))->status == OBD_STORE_GUIDE_RUN_ACTIVE)
      g_ptr_array_add (active, g_ptr_array_steal_index (runs, i--));
  return active;
}

/* Words --------------------------------------------------------------------- */


char *
obd_guides_format_value (double        value,
                         ObdUnit       unit,
                         ObdUnitSystem units)
{
  if (isinf (value))
    /* Translators: an open circuit as a multimeter shows it */
    return g_strdup (_("OL (open circuit)"));
  return g_strdup_printf ("%.*f %s", (int) MIN (obd_unit_get_decimals (unit, units), 2),
                          obd_unit_convert (unit, units, value), obd_unit_get_symbol (unit, units));
}


char *
obd_guides_describe_record (ObdGuide             *guide,
                            const ObdGuideRecord *record,
                            ObdUnitSystem         units)
{
  const ObdGuideStep *step = guide != NULL ? obd_guide_find_step (guide, record->step_id) : NULL;
  const char *title = step != NULL ? obd_guide_gettext (step->title) : record->step_id;
  g_autofree char *outcome = NULL;
  g_autofree char *value = NULL;

  switch (record->kind)
    {
    case OBD_GUIDE_STEP_INSTRUCTION:
      outcome = g_strdup (_("done"));
      break;
    case OBD_GUIDE_STEP_QUESTION:
      for (guint i = 0; step != NULL && i < step->n_answers; i++)
        if (g_strcmp0 (step->answers[i].value, record->outcome) == 0)
          outcome = g_strdup (obd_guide_gettext (step->answers[i].label));
      break;
    case OBD_GUIDE_STEP_MEASUREMENT:
      value = step != NULL && !isinf (record->value)
              ? g_strdup_printf ("%.*f %s",
                                 (int) MIN (obd_unit_get_decimals (step->unit, units), 2),
                                 obd_unit_convert (step->unit, units, record->value),
                                 obd_guide_step_get_unit_symbol (step, units))
              : obd_guides_format_value (record->value, record->unit, units);
      outcome = g_strdup (g_str_equal (record->outcome, "pass") ? _("as expected")
                          : g_str_equal (record->outcome, "low") ? _("too low") : _("too high"));
      break;
    case OBD_GUIDE_STEP_LIVE_CHECK:
      if (record->manual)
        outcome = g_strdup (g_str_equal (record->outcome, "pass") ? _("passed, judged by hand")
                                                                  : _("failed, judged by hand"));
      else
        outcome = g_strdup (obd_guide_live_status_describe (g_str_equal (record->outcome, "pass")
                                              ? OBD_GUIDE_LIVE_PASSED
                                              : g_str_equal (record->outcome, "fail")
                                                ? OBD_GUIDE_LIVE_FAILED
                                                : OBD_GUIDE_LIVE_TIMED_OUT));
      if (isfinite (record->value))
        value = obd_guides_format_value (record->value, record->unit, units);
      break;
    case OBD_GUIDE_STEP_CODE_CHECK:
      outcome = g_strdup (g_str_equal (record->outcome, "present") ? _("a code is present")
                                                                   : _("none of the codes"));
      break;
    default:
      break;
    }
  if (outcome == NULL)
    outcome = g_strdup (record->outcome);
  if (value != NULL)
    /* Translators: a step done: its title, what came out, the reading */
    return g_strdup_printf (_("%s — %s (%s)"), title, outcome, value);
  /* Translators: a step done: its title and what came out */
  return g_strdup_printf (_("%s — %s"), title, outcome);
}


char *
obd_guides_describe_labour (ObdGuide *guide)
{
  double least = INFINITY, most = 0;

  g_return_val_if_fail (OBD_IS_GUIDE (guide), NULL);

  /* The work each fault it can find calls for, in all. */
  for (guint i = 0; i < obd_guide_get_n_findings (guide); i++)
    {
      const ObdGuideFinding *finding = obd_guide_get_finding (guide, i);
      double sum = 0, sum_max = 0;

      if (finding->kind != OBD_GUIDE_FINDING_FAULT || finding->n_repairs == 0)
        continue;
      for (guint r = 0; r < finding->n_repairs; r++)
        {
          sum += finding->repairs[r].hours;
          sum_max += isfinite (finding->repairs[r].max_hours) ? finding->repairs[r].max_hours
                                                              : finding->repairs[r].hours;
        }
      least = MIN (least, sum);
      most = MAX (most, sum_max);
    }
  if (!isfinite (least))
    return NULL;
  {
    g_autofree char *hours = obd_guide_format_hours (least, most);

    /* Translators: %s is a number of hours or a range of them, "0.3–2.5 h" */
    return g_strdup_printf (_("Depending on what is found, the repair takes about %s of "
                              "labour."), hours);
  }
}
