/* obd-guide-store.c — saving guided-repair runs and resuming them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "obd-guide-store.h"

static const char *
unit_name (ObdUnit unit)
{
  const char *name = obd_unit_get_name (unit, OBD_UNIT_SYSTEM_SI);

  return name != NULL && *name != '\0' ? name : NULL;
}

static gboolean
unit_from_name (const char *name,
                ObdUnit    *out)
{
  *out = OBD_UNIT_NONE;
  if (name == NULL)
    return TRUE;
  for (guint u = OBD_UNIT_NONE; u < OBD_UNIT_LAST; u++)
    if (g_strcmp0 (obd_unit_get_name (u, OBD_UNIT_SYSTEM_SI), name) == 0)
      {
        *out = u;
        return TRUE;
      }
  return FALSE;
}

ObdStoreGuideStep *
obd_guide_record_to_store (ObdGuide             *guide,
                           const ObdGuideRecord *record)
{
  ObdStoreGuideStep *step = g_new0 (ObdStoreGuideStep, 1);
  const ObdGuideStep *guide_step = obd_guide_find_step (guide, record->step_id);

  step->seq = record->seq;
  step->step_id = g_strdup (record->step_id);
  step->kind = g_strdup (obd_guide_step_kind_to_string (record->kind));
  step->title = g_strdup (guide_step != NULL ? guide_step->title : NULL);
  step->outcome = g_strdup (record->outcome);
  step->value = record->value;
  step->unit = g_strdup (unit_name (record->unit));
  step->detail = g_strdup (record->detail);
  step->manual = record->manual;
  step->recorded_us = record->time_us;
  return step;
}

ObdStoreGuideFinding *
obd_guide_finding_to_store (const ObdGuideFinding *finding)
{
  ObdStoreGuideFinding *out = obd_store_guide_finding_new ();

  out->finding_id = g_strdup (finding->id);
  out->kind = g_strdup (obd_guide_finding_kind_to_string (finding->kind));
  out->title = g_strdup (finding->title);
  out->text = g_strdup (finding->text);
  out->refer_guide = g_strdup (finding->refer_guide);
  for (guint i = 0; i < finding->n_repairs; i++)
    {
      ObdStoreGuideRepair *repair = g_new0 (ObdStoreGuideRepair, 1);

      repair->title = g_strdup (finding->repairs[i].title);
      repair->hours = finding->repairs[i].hours;
      repair->max_hours = finding->repairs[i].max_hours;
      g_ptr_array_add (out->repairs, repair);
    }
  return out;
}

ObdGuideRecord *
obd_guide_record_from_store (const ObdStoreGuideStep  *step,
                             GError                  **error)
{
  g_autoptr(ObdGuideRecord) record = g_new0 (ObdGuideRecord, 1);
  gboolean kind_known = FALSE;

  for (guint k = OBD_GUIDE_STEP_INSTRUCTION; k <= OBD_GUIDE_STEP_CODE_CHECK; k++)
    if (g_strcmp0 (step->kind, obd_guide_step_kind_to_string (k)) == 0)
      {
        record->kind = k;
        kind_known = TRUE;
      }
  if (!kind_known || !unit_from_name (step->unit, &record->unit))
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_CHANGED,
                   _("Step %u of this run was saved by a newer version of the program; "
                     "it can be read there but not continued here."), step->seq);
      return NULL;
    }
  record->seq = step->seq;
  record->step_id = g_strdup (step->step_id);
  record->outcome = g_strdup (step->outcome);
  record->value = step->value;
  record->detail = g_strdup (step->detail);
  record->manual = step->manual;
  record->time_us = step->recorded_us;
  return g_steal_pointer (&record);
}

/* Writing ------------------------------------------------------------------ */

struct _ObdGuideSave
{
  gint64                run_id;
  guint                 stored_seq;
  guint                 common_seq;
  gint64                vehicle_id;
  gint64                session_id;
  /* The row, for a new one. */
  char                 *guide_id;
  int                   guide_version;
  char                 *guide_title;
  char                 *reason;
  char                 *first_step;
  gint64                started_us;
  /* The records after common_seq, and the step the run moved to after
   * each (NULL at the finding). */
  GPtrArray            *steps;        /* ObdStoreGuideStep */
  GPtrArray            *next_steps;   /* char * */
  char                 *current_step; /* where the run is now, NULL once finished */
  guint                 n_records;
  ObdStoreGuideFinding *finding;      /* NULL until finished */
  gint64                finished_us;
};

static const char *
current_step_id (ObdGuideRun *run)
{
  const ObdGuideStep *step = obd_guide_run_get_step (run);

  return step != NULL ? step->id : NULL;
}

ObdGuideSave *
obd_guide_save_new (ObdGuideRun *run,
                    gint64       run_id,
                    guint        stored_seq,
                    guint        common_seq,
                    gint64       vehicle_id,
                    gint64       session_id)
{
  ObdGuideSave *save;
  ObdGuide *guide;
  GPtrArray *records;
  const ObdGuideFinding *finding;

  g_return_val_if_fail (OBD_IS_GUIDE_RUN (run), NULL);
  g_return_val_if_fail (run_id >= 0, NULL);

  guide = obd_guide_run_get_guide (run);
  records = obd_guide_run_get_records (run);
  save = g_new0 (ObdGuideSave, 1);
  save->run_id = run_id;
  /* A new row holds nothing yet; an existing one cannot agree on more
   * records than either side has. */
  save->stored_seq = run_id == 0 ? 0 : stored_seq;
  save->common_seq = MIN (MIN (common_seq, save->stored_seq), records->len);
  save->vehicle_id = vehicle_id;
  save->session_id = session_id;
  save->guide_id = g_strdup (obd_guide_get_id (guide));
  save->guide_version = obd_guide_get_version (guide);
  save->guide_title = g_strdup (obd_guide_get_title (guide));
  save->reason = g_strdup (obd_guide_run_get_reason (run));
  save->first_step = g_strdup (obd_guide_get_first_step (guide)->id);
  save->started_us = records->len > 0
                     ? ((ObdGuideRecord *) g_ptr_array_index (records, 0))->time_us
                     : g_get_real_time ();
  save->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_store_guide_step_free);
  save->next_steps = g_ptr_array_new_with_free_func (g_free);
  save->current_step = g_strdup (current_step_id (run));
  save->n_records = records->len;

  for (guint i = save->common_seq; i < records->len; i++)
    {
      const ObdGuideRecord *record = g_ptr_array_index (records, i);
      const char *next = i + 1 < records->len
                         ? ((ObdGuideRecord *) g_ptr_array_index (records, i + 1))->step_id
                         : save->current_step;

      g_ptr_array_add (save->steps, obd_guide_record_to_store (guide, record));
      g_ptr_array_add (save->next_steps, g_strdup (next));
    }

  finding = obd_guide_run_get_finding (run);
  if (finding != NULL)
    {
      save->finding = obd_guide_finding_to_store (finding);
      save->finished_us = records->len > 0
                          ? ((ObdGuideRecord *) g_ptr_array_index (records,
                                                                   records->len - 1))->time_us
                          : g_get_real_time ();
    }
  return save;
}

guint
obd_guide_save_get_n_records (const ObdGuideSave *save)
{
  g_return_val_if_fail (save != NULL, 0);

  return save->n_records;
}

gint64
obd_guide_save_write (const ObdGuideSave  *save,
                      ObdStore            *store,
                      GError             **error)
{
  gint64 run_id;
  gboolean changed;

  g_return_val_if_fail (save != NULL, 0);
  g_return_val_if_fail (OBD_IS_STORE (store), 0);

  run_id = save->run_id;
  changed = run_id == 0 || save->steps->len > 0 || save->stored_seq > save->common_seq;
  if (run_id == 0)
    {
      run_id = obd_store_start_guide_run (store, save->vehicle_id, save->session_id,
                                          save->guide_id, save->guide_version,
                                          save->guide_title, save->reason, save->first_step,
                                          save->started_us, error);
      if (run_id == 0)
        return 0;
    }
  else if (save->stored_seq > save->common_seq)
    {
      /* The mechanic went back: the row goes back to where the run left
       * its records (and is reopened if it had reached a finding). */
      const char *at = save->steps->len > 0
                       ? ((ObdStoreGuideStep *) g_ptr_array_index (save->steps, 0))->step_id
                       : save->current_step;

      if (!obd_store_rewind_guide_run (store, run_id, save->common_seq, at, error))
        return 0;
    }

  for (guint i = 0; i < save->steps->len; i++)
    if (!obd_store_add_guide_run_step (store, run_id, g_ptr_array_index (save->steps, i),
                                       g_ptr_array_index (save->next_steps, i), error))
      return 0;

  if (changed && save->finding != NULL &&
      !obd_store_finish_guide_run (store, run_id, save->finding, save->finished_us, error))
    return 0;
  return run_id;
}

void
obd_guide_save_free (ObdGuideSave *save)
{
  if (save == NULL)
    return;
  g_free (save->guide_id);
  g_free (save->guide_title);
  g_free (save->reason);
  g_free (save->first_step);
  g_ptr_array_unref (save->steps);
  g_ptr_array_unref (save->next_steps);
  g_free (save->current_step);
  g_clear_pointer (&save->finding, obd_store_guide_finding_free);
  g_free (save);
}

gint64
obd_guide_store_start_run (ObdStore     *store,
                           ObdGuideRun  *run,
                           gint64        vehicle_id,
                           gint64        session_id,
                           GError      **error)
{
  g_autoptr(ObdGuideSave) save = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), 0);
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (run), 0);

  save = obd_guide_save_new (run, 0, 0, 0, vehicle_id, session_id);
  return obd_guide_save_write (save, store, error);
}

gboolean
obd_guide_store_save_record (ObdStore              *store,
                             gint64                 run_id,
                             ObdGuideRun           *run,
                             const ObdGuideRecord  *record,
                             GError               **error)
{
  g_autoptr(ObdGuideSave) save = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (run), FALSE);
  g_return_val_if_fail (record != NULL && record->seq >= 1, FALSE);

  /* ::recorded comes once the record is the run's last: the row holds
   * every one before it. */
  save = obd_guide_save_new (run, run_id, record->seq - 1, record->seq - 1, 0, 0);
  return obd_guide_save_write (save, store, error) != 0;
}

gboolean
obd_guide_store_save_rewind (ObdStore     *store,
                             gint64        run_id,
                             ObdGuideRun  *run,
                             guint         keep_seq,
                             GError      **error)
{
  g_autoptr(ObdGuideSave) save = NULL;

  g_return_val_if_fail (OBD_IS_STORE (store), FALSE);
  g_return_val_if_fail (OBD_IS_GUIDE_RUN (run), FALSE);

  /* ::rewound undoes one saved record: the row holds one more. */
  save = obd_guide_save_new (run, run_id, keep_seq + 1, keep_seq, 0, 0);
  return obd_guide_save_write (save, store, error) != 0;
}

ObdGuideRun *
obd_guide_store_resume (ObdStore         *store,
                        ObdGuideLibrary  *library,
                        gint64            run_id,
                        GError          **error)
{
  g_autoptr(ObdStoreGuideRun) row = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(ObdGuideRun) run = NULL;
  ObdGuide *guide;

  g_return_val_if_fail (OBD_IS_STORE (store), NULL);
  g_return_val_if_fail (OBD_IS_GUIDE_LIBRARY (library), NULL);

  row = obd_store_get_guide_run (store, run_id, error);
  if (row == NULL || (steps = obd_store_list_guide_run_steps (store, run_id, error)) == NULL)
    return NULL;
  guide = obd_guide_library_lookup (library, row->guide_id);
  if (guide == NULL)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_NOT_FOUND,
                   _("The guide “%s” of this run is not installed. Add its file to the "
                     "guides folder to continue it."), row->guide_id);
      return NULL;
    }

  run = obd_guide_run_new (guide, row->reason);
  for (guint i = 0; i < steps->len; i++)
    {
      g_autoptr(ObdGuideRecord) record = obd_guide_record_from_store (g_ptr_array_index (steps, i),
                                                                     error);

      if (record == NULL || !obd_guide_run_restore (run, record, error))
        return NULL;
    }
  return g_steal_pointer (&run);
}
