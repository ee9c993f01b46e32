/* obd-guide-page.c — guided repair: choosing a guide, walking its steps,
 * its finding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page drives an ObdGuideRun (src/guide) on the main thread and shows
 * its current step for a mechanic with greasy hands: big text, the tools
 * and safety notes in sight, answers as large buttons, a reading entered
 * beside its unit and expected range, live checks with their gauges, a
 * progress bar and the time left.  Live checks read the session's samples
 * (the check's PIDs are polled at the highest priority while its step is
 * shown) and decide by themselves from the samples' timestamps; code
 * checks read the car's codes afresh.
 *
 * Every step is saved as it is done: a Saver copies what changed from the
 * run (ObdGuideSave) and writes it through the store service, one write
 * at a time, so the run never waits for the disk and a write that lands
 * after the mechanic moved on still leaves the row matching the run.  A
 * run is saved with the session being recorded, which its report then
 * shows; starting a guide on a connected car that records nothing starts
 * recording.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "obd-app-resources.h"
#include "obd-gauge.h"
#include "obd-guide-page.h"
#include "obd-guide-store.h"
#include "obd-guides.h"
#include "obd-item-row.h"
#include "obd-pid.h"
#include "obd-row-item.h"

/* Polling priority of a live check's readings: what is on screen now. */
#define PRIORITY_CHECK 10
/* A live check whose samples stop for this long is told the time passed,
 * so it can end (the samples' clock is the wall clock). */
#define SILENCE_US (2 * G_USEC_PER_SEC)

typedef struct _Saver Saver;

struct _ObdGuidePage
{
  ObdPage             parent_instance;

  ObdGuideLibrary    *library;
  GCancellable       *cancellable;     /* library load, code reads; cancelled at dispose */
  char               *pending_guide;   /* asked for before the library was loaded */
  char               *pending_reason;
  gint64              pending_run_id;

  ObdGuideRun        *run;
  Saver              *saver;
  const ObdGuideStep *shown_step;      /* the step the view was built for */
  gboolean            auto_read;       /* read the codes when a code check shows */
  gboolean            reading_codes;
  guint               watch_id;        /* the session polls the check's readings */
  guint               tick_id;
  gint64              last_batch_us;
  gboolean            pedal_held;      /* the simulator holds an engine speed for us */
  GPtrArray          *gauges;          /* ObdGauge of the live step, in step order */

  GListStore         *runs;            /* ObdRowItem: runs to continue, id = run id */
  GListStore         *code_guides;     /* ObdRowItem: id = index into choices */
  GPtrArray          *choices;         /* Choice */
  gboolean            symptoms_built;

  /* Template widgets */
  GtkStack           *stack;
  GtkWidget          *continue_group;
  GtkListBox         *continue_list;
  GtkListBox         *codes_list;
  GtkListBox         *symptoms_list;
  GtkLabel           *progress_label;
  GtkRevealer        *save_revealer;
  GtkLabel           *save_label;
  GtkScrolledWindow  *step_scroll;
  GtkLabel           *guide_title_label;
  GtkLabel           *previous_label;
  GtkLabel           *step_title_label;
  GtkLabel           *step_text_label;
  GtkWidget          *safety_box;
  GtkLabel           *safety_label;
  GtkWidget          *tools_box;
  GtkLabel           *tools_label;
  GtkStack           *kind_stack;
  GtkWidget          *done_button;
  GtkBox             *answers_box;
  GtkLabel           *expected_label;
  GtkEntry           *reading_entry;
  GtkLabel           *unit_label;
  GtkLabel           *reading_error_label;
  GtkLabel           *reading_hint_label;
  GtkWidget          *live_box;
  GtkLabel           *held_label;
  GtkLabel           *conditions_label;
  GtkFlowBox         *gauges_box;
  GtkProgressBar     *live_progress;
  GtkLabel           *live_status_label;
  GtkWidget          *start_check_button;
  GtkWidget          *stop_check_button;
  GtkWidget          *judge_box;
  GtkLabel           *codes_asked_label;
  GtkSpinner         *codes_spinner;
  GtkLabel           *codes_status_label;
  GtkWidget          *read_codes_button;
  GtkScrolledWindow  *finding_scroll;
  GtkWidget          *finding_box;
  GtkImage           *finding_icon;
  GtkLabel           *finding_kind_label;
  GtkLabel           *finding_title_label;
  GtkLabel           *finding_text_label;
  GtkLabel           *finding_guide_label;
  GtkWidget          *repairs_group;
  GtkListBox         *repairs_list;
  GtkButton          *refer_button;
  GtkLabel           *report_label;
  GtkWidget          *report_buttons;
  GtkWidget          *finish_button;
  GtkWidget          *leave_button;
  GtkWidget          *passed_button;
  GtkWidget          *failed_button;
  GtkWidget          *measure_button;
  GtkWidget          *print_button;
  GtkWidget          *export_button;
  GtkWidget          *finding_back_button;
};

G_DEFINE_FINAL_TYPE (ObdGuidePage, obd_guide_page, OBD_TYPE_PAGE)

static void show_current (ObdGuidePage *self);
static void update_live (ObdGuidePage *self);
static void update_save_banner (ObdGuidePage *self);

/* A weak reference to the page, for answers that may come after it is
 * gone. */
typedef struct
{
  GWeakRef  page;
  char     *step_id;   /* what the answer is for, or NULL */
} PageRef;

static PageRef *
page_ref_new (ObdGuidePage *self,
              const char   *step_id)
{
  PageRef *ref = g_new0 (PageRef, 1);

  g_weak_ref_init (&ref->page, self);
  ref->step_id = g_strdup (step_id);
  return ref;
}

static void
page_ref_free (PageRef *ref)
{
  g_weak_ref_clear (&ref->page);
  g_free (ref->step_id);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PageRef, page_ref_free)

/* A guide offered for the car's codes. */
typedef struct
{
  char *guide_id;
  char *reason;
} Choice;

static void
choice_free (gpointer data)
{
  Choice *choice = data;

  g_free (choice->guide_id);
  g_free (choice->reason);
  g_free (choice);
}

/* Words ------------------------------------------------------------------ */

static char *
format_date (gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  /* Translators: a date and time as in "12 Mar 2024, 14:05"; see g_date_time_format() */
  return dt != NULL ? g_date_time_format (dt, _("%-d %b %Y, %H:%M")) : g_strdup ("—");
}


/* A number with at most decimals digits after the point and no trailing
 * zeros: "13.2", "0.3", "12". */
static char *
format_number (double value,
               guint  decimals)
{
  char *text = g_strdup_printf ("%.*f", (int) decimals, value);
  const char *point = localeconv ()->decimal_point;
  char *dot = point != NULL && *point != '\0' ? strstr (text, point) : NULL;

  if (dot != NULL)
    {
      char *end = text + strlen (text);

      while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
      if (end == dot + strlen (point))
        *dot = '\0';
    }
  return text;
}

/* What a measurement expects, in the person's units. */
static char *
expected_text (const ObdGuideStep *step,
               double              scale,
               ObdUnitSystem       units)
{
  const char *symbol = obd_guide_step_get_unit_symbol (step, units);
  guint decimals = MIN (obd_unit_get_decimals (step->unit, units), 2);
  g_autofree char *min = format_number (obd_unit_convert (step->unit, units, step->min * scale),
                                        decimals);
  g_autofree char *max = format_number (obd_unit_convert (step->unit, units, step->max * scale),
                                        decimals);

  if (isnan (step->min * scale) && isnan (step->max * scale))
    return g_strdup (_("Write down what the meter shows."));
  if (isnan (step->min * scale))
    /* Translators: an expected reading, “at most 0.3 V” */
    return g_strdup_printf (_("Expected: at most %s %s"), max, symbol);
  if (isnan (step->max * scale))
    /* Translators: an expected reading, “at least 12.4 V” */
    return g_strdup_printf (_("Expected: at least %s %s"), min, symbol);
  /* Translators: an expected reading, “2 to 15 Ω” */
  return g_strdup_printf (_("Expected: %s to %s %s"), min, max, symbol);
}

/* Saving ------------------------------------------------------------------- */

struct _Saver
{
  int           ref_count;     /* main thread only */
  ObdGuideRun  *run;
  ObdStoreService *store;
  GWeakRef      page;
  gint64        run_id;
  gint64        vehicle_id;
  gint64        session_id;
  guint         stored;        /* records the row holds (once the write in flight lands) */
  guint         common;        /* of those, how many are still the run's */
  guint         prev_stored;   /* before the write in flight */
  guint         prev_common;
  gboolean      ready;         /* the session is known */
  gboolean      busy;          /* a write in flight */
  GError       *error;         /* why saving stopped */
};

static void saver_sync (Saver *saver);

static Saver *
saver_ref (Saver *saver)
{
  saver->ref_count++;
  return saver;
}

static void
saver_unref (Saver *saver)
{
  if (--saver->ref_count > 0)
    return;
  g_signal_handlers_disconnect_by_data (saver->run, saver);
  g_object_unref (saver->run);
  g_clear_object (&saver->store);
  g_weak_ref_clear (&saver->page);
  g_clear_error (&saver->error);
  g_free (saver);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Saver, saver_unref)

static void
on_run_recorded_cb (ObdGuideRun          *run,
                    const ObdGuideRecord *record,
                    Saver                *saver)
{
  saver_sync (saver);
}

static void
on_run_rewound_cb (ObdGuideRun *run,
                   guint        keep_seq,
                   Saver       *saver)
{
  saver->common = MIN (saver->common, keep_seq);
  saver_sync (saver);
}

/* run_id 0: a new run, saved from its first step; else a saved one whose
 * row holds every record the run has. */
static Saver *
saver_new (ObdGuidePage *page,
           ObdGuideRun  *run,
           gint64        run_id)
{
  Saver *saver = g_new0 (Saver, 1);
  ObdStoreService *store = obd_page_get_store (OBD_PAGE (page));

  saver->ref_count = 1;
  saver->run = g_object_ref (run);
  saver->store = store != NULL ? g_object_ref (store) : NULL;
  g_weak_ref_init (&saver->page, page);
  saver->run_id = run_id;
  saver->stored = saver->common = run_id != 0 ? obd_guide_run_get_records (run)->len : 0;
  g_signal_connect (run, "recorded", G_CALLBACK (on_run_recorded_cb), saver);
  g_signal_connect (run, "rewound", G_CALLBACK (on_run_rewound_cb), saver);
  return saver;
}

static gboolean
saver_is_saved (Saver *saver)
{
  return saver->run_id != 0 && !saver->busy && saver->stored == saver->common &&
         saver->common == obd_guide_run_get_records (saver->run)->len;
}

static gpointer
save_job (ObdStore      *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 run_id = obd_guide_save_write (data, store, error);

  return run_id != 0 ? g_memdup2 (&run_id, sizeof run_id) : NULL;
}

static void
saver_fail (Saver        *saver,
            const GError *error)
{
  g_autoptr(ObdGuidePage) page = g_weak_ref_get (&saver->page);

  g_clear_error (&saver->error);
  saver->error = g_error_copy (error);
  if (page != NULL && page->saver == saver)
    {
      obd_page_report_error (OBD_PAGE (page), _("The guided repair could not be saved"), error);
      update_save_banner (page);
    }
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(Saver) saver = data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *run_id = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                           &error);
  g_autoptr(ObdGuidePage) page = NULL;

  saver->busy = FALSE;
  if (run_id == NULL)
    {
      /* The row is as it was before this write; a step back meanwhile
       * still counts. */
      saver->stored = saver->prev_stored;
      saver->common = MIN (saver->prev_common, saver->common);
      saver_fail (saver, error);
      return;
    }
  saver->run_id = *run_id;
  saver_sync (saver);
  page = g_weak_ref_get (&saver->page);
  if (page != NULL && page->saver == saver)
    update_save_banner (page);
}

static void
saver_sync (Saver *saver)
{
  GPtrArray *records = obd_guide_run_get_records (saver->run);
  ObdGuideSave *save;

  if (!saver->ready || saver->busy || saver->error != NULL)
    return;
  if (saver->run_id != 0 && saver->stored == saver->common && saver->common == records->len)
    return;
  if (saver->store == NULL || obd_store_service_get_read_only (saver->store) ||
      obd_store_service_get_state (saver->store) == OBD_STORE_SERVICE_FAILED ||
      obd_store_service_get_state (saver->store) == OBD_STORE_SERVICE_CLOSED)
    {
      g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_READ_ONLY,
                                                     _("The local history cannot be written."));

      saver_fail (saver, error);
      return;
    }

  save = obd_guide_save_new (saver->run, saver->run_id, saver->stored, saver->common,
                             saver->vehicle_id, saver->session_id);
  saver->prev_stored = saver->stored;
  saver->prev_common = saver->common;
  /* Writes go one at a time: once this one lands, the row is the run as
   * it is now. */
  saver->stored = saver->common = records->len;
  saver->busy = TRUE;
  obd_store_service_write_async (saver->store, "guide", saver->vehicle_id, save_job, save,
                                 (GDestroyNotify) obd_guide_save_free, NULL, on_saved_cb,
                                 saver_ref (saver));
}

static void
saver_set_session (Saver  *saver,
                   gint64  session_id)
{
  saver->session_id = session_id;
  saver->ready = TRUE;
  saver_sync (saver);
}

static void
update_save_banner (ObdGuidePage *self)
{
  const GError *error = self->saver != NULL ? self->saver->error : NULL;

  if (error != NULL)
    {
      g_autofree char *text = obd_page_describe_error (_("This guided repair is not being "
                                                         "saved: the steps from here on would "
                                                         "be lost"), error);

      gtk_label_set_label (self->save_label, text);
    }
  gtk_revealer_set_reveal_child (self->save_revealer, error != NULL);
}

/* Live checks -------------------------------------------------------------- */

static ObdSession *
session_of (ObdGuidePage *self)
{
  return obd_page_get_session (OBD_PAGE (self));
}

static void
hold_pedal (ObdGuidePage *self,
            double        rpm)
{
  ObdSession *session = session_of (self);

  if (session == NULL || (rpm == 0 && !self->pedal_held))
    return;
  obd_connection_hold_sim_rpm (obd_session_get_link (session), rpm);
  self->pedal_held = rpm > 0;
}

static void
unwatch (ObdGuidePage *self)
{
  ObdSession *session = session_of (self);

  if (self->watch_id != 0 && session != NULL)
    obd_session_unwatch_pids (session, self->watch_id);
  self->watch_id = 0;
}

/* The readings of the live step shown, polled before it starts too, so
 * its gauges are live while the mechanic reads the step. */
static void
watch_step (ObdGuidePage       *self,
            const ObdGuideStep *step)
{
  ObdSession *session = session_of (self);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  gboolean seen[256] = { FALSE };

  unwatch (self);
  if (session == NULL)
    return;
  for (guint i = 0; i < step->n_gauges + step->n_conditions + step->n_requires; i++)
    {
      const ObdGuideCondition *c = NULL;
      guint8 more[2];
      guint n_more = 0;

      if (i < step->n_gauges)
        more[n_more++] = step->gauges[i].pid;
      else if (i < step->n_gauges + step->n_conditions)
        c = &step->conditions[i - step->n_gauges];
      else
        c = &step->requires[i - step->n_gauges - step->n_conditions];
      if (c != NULL)
        {
          more[n_more++] = c->quantity.pid;
          if (c->has_add)
            more[n_more++] = c->add.pid;
        }
      for (guint j = 0; j < n_more; j++)
        if (!seen[more[j]])
          {
            seen[more[j]] = TRUE;
            g_array_append_val (pids, more[j]);
          }
    }
  self->watch_id = obd_session_watch_pids (session, (const guint8 *) pids->data, pids->len,
                                           PRIORITY_CHECK);
}

static gboolean
tick_cb (gpointer data)
{
  ObdGuidePage *self = data;
  gint64 now = g_get_real_time ();

  /* The car answers nothing: time still passes for the check. */
  if (self->run != NULL && now - self->last_batch_us > SILENCE_US)
    obd_guide_run_advance_clock (self->run, now);
  update_live (self);
  return G_SOURCE_CONTINUE;
}

static void
stop_ticking (ObdGuidePage *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

void
obd_guide_page_feed_samples (ObdGuidePage    *self,
                             const ObdSample *samples,
                             gsize            n_samples)
{
  g_return_if_fail (OBD_IS_GUIDE_PAGE (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  if (self->run == NULL || obd_guide_run_get_state (self->run) != OBD_GUIDE_RUN_LIVE ||
      n_samples == 0)
    return;
  self->last_batch_us = g_get_real_time ();
  obd_guide_run_feed_samples (self->run, samples, n_samples);
}

static void
on_session_samples_cb (ObdGuidePage *self,
                       GArray       *samples)
{
  if (self->run != NULL && obd_guide_run_get_state (self->run) == OBD_GUIDE_RUN_LIVE)
    obd_guide_page_feed_samples (self, (const ObdSample *) samples->data, samples->len);
  else if (self->shown_step != NULL && self->shown_step->kind == OBD_GUIDE_STEP_LIVE_CHECK &&
           g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "step") == 0)
    update_live (self);
}

static void
build_gauges (ObdGuidePage       *self,
              const ObdGuideStep *step)
{
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->gauges_box))) != NULL)
    gtk_flow_box_remove (self->gauges_box, child);
  g_ptr_array_set_size (self->gauges, 0);

  for (guint i = 0; i < step->n_gauges; i++)
    {
      const ObdValue *info = obd_pid_get_value_info (step->gauges[i].pid, step->gauges[i].index);
      GtkWidget *gauge = obd_gauge_new ();
      double min = info->min, max = info->max;

      obd_pid_get_display_range (step->gauges[i].pid, step->gauges[i].index, &min, &max);
      obd_gauge_set_label (OBD_GAUGE (gauge), obd_value_get_label (info));
      obd_gauge_set_unit (OBD_GAUGE (gauge), obd_unit_get_symbol (info->unit, units));
      obd_gauge_set_min_value (OBD_GAUGE (gauge), obd_unit_convert (info->unit, units, min));
      obd_gauge_set_max_value (OBD_GAUGE (gauge), obd_unit_convert (info->unit, units, max));
      obd_gauge_set_digits (OBD_GAUGE (gauge), MIN (obd_unit_get_decimals (info->unit, units), 2));
      gtk_widget_set_size_request (gauge, 150, 150);
      g_object_set_data (G_OBJECT (gauge), "obd-quantity",
                         GUINT_TO_POINTER (((guint) step->gauges[i].pid << 8) |
                                           step->gauges[i].index));
      gtk_flow_box_append (self->gauges_box, gauge);
      g_ptr_array_add (self->gauges, gauge);
    }
}

/* Shows the check's state: buttons, gauges, progress and time left, and
 * the same in words for assistive technologies (a custom widget has no
 * value interface in GTK 4.8). */
static void
update_live (ObdGuidePage *self)
{
  const ObdGuideStep *step = self->shown_step;
  ObdSession *session = session_of (self);
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  ObdGuideLiveStatus status;
  gboolean running;
  guint n_run_gauges = 0;
  const ObdGuideGauge *run_gauges;
  g_autoptr(GString) words = g_string_new (NULL);
  g_autofree char *status_text = NULL;
  double progress;

  if (self->run == NULL || step == NULL || step->kind != OBD_GUIDE_STEP_LIVE_CHECK ||
      obd_guide_run_get_step (self->run) != step)
    return;

  status = obd_guide_run_get_live_status (self->run);
  running = obd_guide_run_get_state (self->run) == OBD_GUIDE_RUN_LIVE;
  progress = obd_guide_run_get_live_progress (self->run);
  run_gauges = obd_guide_run_get_gauges (self->run, &n_run_gauges);

  gtk_widget_set_visible (self->start_check_button, !running);
  gtk_widget_set_visible (self->stop_check_button, running);
  gtk_widget_set_visible (self->judge_box, !running);
  gtk_widget_set_visible (GTK_WIDGET (self->live_progress), running || status != OBD_GUIDE_LIVE_IDLE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.start-check",
                                 !running && obd_page_get_connected (OBD_PAGE (self)));
  gtk_progress_bar_set_fraction (self->live_progress, running ? progress : 0.0);

  if (running)
    {
      double left = MAX (step->time_limit * (1.0 - progress), 0.0);
      int seconds = (int) ceil (left);

      /* Translators: a live check watching the car; the time left in minutes:seconds */
      status_text = g_strdup_printf (_("Watching the car… %d:%02d left"), seconds / 60,
                                     seconds % 60);
    }
  else if (status == OBD_GUIDE_LIVE_NO_DATA)
    status_text = g_strdup (_("The car does not report what this check reads. Check it another "
                              "way and judge it yourself."));
  else if (status == OBD_GUIDE_LIVE_NOT_HELD)
    status_text = g_strdup (_("What the check needs held was never held. Start again and hold "
                              "it, or judge it yourself."));
  else if (!obd_page_get_connected (OBD_PAGE (self)))
    status_text = g_strdup (_("Connect to the car to run this check, or judge it yourself."));
  else
    {
      int seconds = (int) ceil (step->time_limit);

      /* Translators: before a live check; its time limit in minutes:seconds */
      status_text = g_strdup_printf (_("Press Start when ready. The check takes up to %d:%02d."),
                                     seconds / 60, seconds % 60);
    }
  gtk_label_set_label (self->live_status_label, status_text);
  g_string_append (words, status_text);

  for (guint i = 0; i < self->gauges->len; i++)
    {
      ObdGauge *gauge = g_ptr_array_index (self->gauges, i);
      guint key = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (gauge), "obd-quantity"));
      guint8 pid = key >> 8, index = key & 0xFF;
      const ObdValue *info = obd_pid_get_value_info (pid, index);
      double value = NAN;
      g_autofree char *reading = NULL;

      for (guint g = 0; g < n_run_gauges; g++)
        if (run_gauges[g].quantity.pid == pid && run_gauges[g].quantity.index == index &&
            run_gauges[g].has_value)
          value = run_gauges[g].value;
      if (isnan (value) && session != NULL)
        value = obd_session_get_latest (session, pid, index, NULL);
      obd_gauge_set_value (gauge, isfinite (value) ? obd_unit_convert (info->unit, units, value)
                                                   : NAN);
      reading = obd_gauge_dup_reading_text (gauge);
      g_string_append_printf (words, " %s.", reading);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->live_box),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, words->str, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->live_progress),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status_text, -1);
}

static void
on_live_updated_cb (ObdGuidePage *self)
{
  update_live (self);
}

/* The view of a step --------------------------------------------------------- */

static void
set_text (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static char *
bullets (const char * const *first,
         const char * const *second)
{
  GString *out = g_string_new (NULL);
  const char * const *lists[] = { first, second };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
      g_string_append_printf (out, "%s• %s", out->len > 0 ? "\n" : "",
                              obd_guide_gettext (lists[l][i]));
  return g_string_free (out, FALSE);
}

static void
on_answer_clicked_cb (GtkButton    *button,
                      ObdGuidePage *self)
{
  const char *value = g_object_get_data (G_OBJECT (button), "obd-answer");
  g_autoptr(GError) error = NULL;

  if (self->run == NULL || value == NULL)
    return;
  if (!obd_guide_run_answer (self->run, value, &error))
    obd_page_report_error (OBD_PAGE (self), _("The answer was not taken"), error);
}

static void
build_answers (ObdGuidePage       *self,
               const ObdGuideStep *step)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->answers_box))) != NULL)
    gtk_box_remove (self->answers_box, child);
  for (guint i = 0; i < step->n_answers; i++)
    {
      const char *label_text = obd_guide_gettext (step->answers[i].label);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *label = gtk_label_new (label_text);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "obd-guide-answer");
      gtk_widget_add_css_class (button, "card");
      /* One clean name: the answer, as a screen reader should say it. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label_text, -1);
      g_object_set_data_full (G_OBJECT (button), "obd-answer", g_strdup (step->answers[i].value),
                              g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_answer_clicked_cb), self, 0);
      gtk_box_append (self->answers_box, button);
    }
}

static void show_choose (ObdGuidePage *self);
static void read_codes (ObdGuidePage *self);

static void
show_step (ObdGuidePage *self)
{
  const ObdGuideStep *step = obd_guide_run_get_step (self->run);
  ObdGuide *guide = obd_guide_run_get_guide (self->run);
  GPtrArray *records = obd_guide_run_get_records (self->run);
  ObdUnitSystem units = obd_page_get_units (OBD_PAGE (self));
  g_autofree char *progress = NULL;
  g_autofree char *safety = NULL;
  g_autofree char *tools = NULL;
  gboolean new_step = step != self->shown_step;
  GtkWidget *focus = NULL;
  const char *kind_page = "instruction";

  /* Translators: which step of a guide this is */
  progress = g_strdup_printf (_("Step %u"), records->len + 1);
  gtk_label_set_label (self->progress_label, progress);
  set_text (self->guide_title_label, obd_guide_gettext (obd_guide_get_title (guide)));
  if (records->len > 0)
    {
      g_autofree char *done = obd_guides_describe_record (guide, g_ptr_array_index (records,
                                                                                 records->len - 1),
                                                          units);
      /* Translators: %s is the step just done and what came out */
      g_autofree char *last = g_strdup_printf (_("Last step: %s"), done);

      set_text (self->previous_label, last);
    }
  else
    set_text (self->previous_label, NULL);
  set_text (self->step_title_label, obd_guide_gettext (step->title));
  set_text (self->step_text_label, obd_guide_gettext (step->text));

  /* The guide's safety notes stay in sight on every step, after the
   * step's own; the tools are the step's, else the guide's whole kit. */
  safety = bullets (step->safety, obd_guide_get_safety (guide));
  tools = bullets (step->tools[0] != NULL ? step->tools : obd_guide_get_tools (guide), NULL);
  gtk_label_set_label (self->safety_label, safety);
  gtk_widget_set_visible (self->safety_box, *safety != '\0');
  gtk_label_set_label (self->tools_label, tools);
  gtk_widget_set_visible (self->tools_box, *tools != '\0');
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->safety_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Safety"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, safety, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tools_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Tools"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tools, -1);

  if (new_step)
    {
      unwatch (self);
      stop_ticking (self);
      hold_pedal (self, 0);
    }

  switch (step->kind)
    {
    case OBD_GUIDE_STEP_INSTRUCTION:
      kind_page = "instruction";
      focus = self->done_button;
      break;
    case OBD_GUIDE_STEP_QUESTION:
      kind_page = "question";
      if (new_step)
        build_answers (self, step);
      focus = gtk_widget_get_first_child (GTK_WIDGET (self->answers_box));
      break;
    case OBD_GUIDE_STEP_MEASUREMENT:
      {
        double scale = obd_guide_run_get_scale (self->run, step->scale_by);
        g_autofree char *expected = expected_text (step, isfinite (scale) ? scale : 1.0, units);

        kind_page = "measurement";
        gtk_label_set_label (self->expected_label, expected);
        gtk_label_set_label (self->unit_label, obd_guide_step_get_unit_symbol (step, units));
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->reading_entry),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        obd_guide_gettext (step->title),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected, -1);
        set_text (self->reading_hint_label,
                  step->unit == OBD_UNIT_OHM
                  ? _("Type OL when the meter shows an open circuit.") : NULL);
        if (new_step)
          {
            gtk_editable_set_text (GTK_EDITABLE (self->reading_entry), "");
            gtk_widget_set_visible (GTK_WIDGET (self->reading_error_label), FALSE);
            gtk_widget_remove_css_class (GTK_WIDGET (self->reading_entry), "error");
          }
        focus = GTK_WIDGET (self->reading_entry);
        break;
      }
    case OBD_GUIDE_STEP_LIVE_CHECK:
      {
        double held = obd_guide_step_get_held_rpm (step);
        g_autoptr(GString) conditions = g_string_new (NULL);

        kind_page = "live";
        if (held > 0)
          {
            /* Translators: what the mechanic does during a live check */
            g_autofree char *text = g_strdup_printf (_("Hold the engine at %.0f rpm"), held);

            set_text (self->held_label, text);
          }
        else
          set_text (self->held_label, NULL);
        for (guint i = 0; i < step->n_requires + step->n_conditions; i++)
          {
            gboolean require = i < step->n_requires;
            const ObdGuideCondition *c = require ? &step->requires[i]
                                                 : &step->conditions[i - step->n_requires];
            double scale = obd_guide_run_get_scale (self->run, c->scale_by);
            g_autofree char *text = obd_guide_condition_describe (c, require,
                                                                  isfinite (scale) ? scale : 1,
                                                                  units);

            g_string_append_printf (conditions, "%s%s %s", conditions->len > 0 ? "\n" : "",
                                    require ? "▸" : "✓", text);
          }
        gtk_label_set_label (self->conditions_label, conditions->str);
        if (new_step)
          {
            build_gauges (self, step);
            watch_step (self, step);
          }
        focus = self->start_check_button;
        break;
      }
    case OBD_GUIDE_STEP_CODE_CHECK:
      {
        g_autofree char *codes = obd_guide_format_codes (step->codes, step->n_codes);
        /* Translators: the codes a code-check step looks for */
        g_autofree char *asked = g_strdup_printf (_("Looks for %s"), codes);

        kind_page = "code";
        gtk_label_set_label (self->codes_asked_label, asked);
        if (new_step && !self->reading_codes)
          gtk_label_set_label (self->codes_status_label,
                               obd_page_get_connected (OBD_PAGE (self))
                               ? _("The codes are read from the car.")
                               : _("Connect to the car to read its codes."));
        focus = self->read_codes_button;
        break;
      }
    default:
      g_assert_not_reached ();
    }

  /* A live check's gauges, progress and buttons come first, where the
   * eye is while the engine runs; the notes every step repeats follow.
   * Elsewhere the notes come before what the mechanic does. */
  gtk_box_reorder_child_after (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->kind_stack))),
                               GTK_WIDGET (self->kind_stack),
                               step->kind == OBD_GUIDE_STEP_LIVE_CHECK
                               ? GTK_WIDGET (self->step_text_label) : self->tools_box);
  self->shown_step = step;
  gtk_stack_set_visible_child_name (self->kind_stack, kind_page);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.back", records->len > 0);
  gtk_stack_set_visible_child_name (self->stack, "step");
  update_live (self);
  update_save_banner (self);

  if (new_step)
    {
      /* A new step starts at its top, with the keyboard on its answer. */
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->step_scroll), 0);
      if (focus != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
        gtk_widget_grab_focus (focus);
      if (step->kind == OBD_GUIDE_STEP_CODE_CHECK && self->auto_read &&
          obd_page_get_connected (OBD_PAGE (self)))
        read_codes (self);
    }
}

/* The finding ---------------------------------------------------------------- */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
hours_row_new (const char *title,
               const char *hours)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (hours);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "heading");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  hours, -1);
  return row;
}

static void
show_finding (ObdGuidePage *self)
{
  const ObdGuideFinding *finding = obd_guide_run_get_finding (self->run);
  ObdGuide *guide = obd_guide_run_get_guide (self->run);
  static const char *classes[] = { "error", "success", "accent" };
  const char *kind, *icon;
  g_autofree char *guide_words = NULL;
  double total = 0, total_max = 0;
  gint64 session_id = self->saver != NULL ? self->saver->session_id : 0;

  unwatch (self);
  stop_ticking (self);
  hold_pedal (self, 0);
  self->shown_step = NULL;

  switch (finding->kind)
    {
    case OBD_GUIDE_FINDING_FAULT:
      kind = _("Fault Found");
      icon = "dialog-warning-symbolic";
      break;
    case OBD_GUIDE_FINDING_NO_FAULT:
      kind = _("Suspect Cleared");
      icon = "emblem-ok-symbolic";
      break;
    case OBD_GUIDE_FINDING_REFER:
    default:
      kind = _("Continue With Another Guide");
      icon = "go-next-symbolic";
      break;
    }
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (self->finding_box, classes[i]);
  gtk_widget_add_css_class (self->finding_box, classes[MIN ((guint) finding->kind, 2u)]);
  gtk_image_set_from_icon_name (self->finding_icon, icon);
  gtk_label_set_label (self->finding_kind_label, kind);
  set_text (self->finding_title_label, obd_guide_gettext (finding->title));
  set_text (self->finding_text_label, obd_guide_gettext (finding->text));
  /* Translators: %s is a guide's title */
  guide_words = g_strdup_printf (_("Found with the guide “%s”."),
                                 obd_guide_gettext (obd_guide_get_title (guide)));
  set_text (self->finding_guide_label, guide_words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->finding_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, kind,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  obd_guide_gettext (finding->title), -1);

  clear_list (self->repairs_list);
  for (guint r = 0; r < finding->n_repairs; r++)
    {
      const ObdGuideRepair *repair = &finding->repairs[r];
      g_autofree char *hours = obd_guide_format_hours (repair->hours, repair->max_hours);

      gtk_list_box_append (self->repairs_list,
                           hours_row_new (obd_guide_gettext (repair->title), hours));
      total += repair->hours;
      total_max += isfinite (repair->max_hours) ? repair->max_hours : repair->hours;
    }
  if (finding->n_repairs > 1)
    {
      g_autofree char *hours = obd_guide_format_hours (total, total_max);
      GtkWidget *row = hours_row_new (_("Labour in all, about"), hours);

      gtk_widget_add_css_class (row, "obd-guide-total");
      gtk_list_box_append (self->repairs_list, row);
    }
  gtk_widget_set_visible (self->repairs_group, finding->n_repairs > 0);

  if (finding->refer_guide != NULL)
    {
      ObdGuide *next = self->library != NULL
                       ? obd_guide_library_lookup (self->library, finding->refer_guide) : NULL;
      /* Translators: %s is the title of the guide to continue with */
      g_autofree char *label = g_strdup_printf (_("Continue With “%s”"),
                                                next != NULL
                                                ? obd_guide_gettext (obd_guide_get_title (next))
                                                : finding->refer_guide);

      gtk_button_set_label (self->refer_button, label);
      gtk_widget_set_visible (GTK_WIDGET (self->refer_button), next != NULL);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->refer_button), FALSE);

  if (session_id != 0)
    {
      ObdSession *session = session_of (self);
      gboolean recording = session != NULL && obd_session_get_recording (session) &&
                           obd_recording_get_session_id (obd_session_get_recorder (session)) ==
                           session_id;

      gtk_label_set_label (self->report_label,
                           recording
                           ? _("The report of this visit shows this finding and its repairs. "
                               "Printing or exporting it ends the recording of the visit first, "
                               "so the report carries its verification code.")
                           : _("The report of this visit shows this finding and its repairs."));
    }
  else
    gtk_label_set_label (self->report_label,
                         _("This guided repair was not part of a recorded visit, so no report "
                           "shows it. Record the car on the Live page to report a visit."));
  gtk_widget_set_visible (self->report_buttons, session_id != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.print-report", session_id != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.export-report", session_id != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.back", TRUE);

  gtk_stack_set_visible_child_name (self->stack, "finding");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->finding_scroll), 0);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (gtk_widget_get_visible (GTK_WIDGET (self->refer_button))
                           ? GTK_WIDGET (self->refer_button) : self->finish_button);
}

/* Choosing a guide ------------------------------------------------------------- */

static ObdRowItem *
run_item_new (ObdGuidePage           *self,
              const ObdStoreGuideRun *run)
{
  ObdGuide *guide = self->library != NULL ? obd_guide_library_lookup (self->library,
                                                                      run->guide_id) : NULL;
  const ObdGuideStep *step = guide != NULL && run->current_step != NULL
                             ? obd_guide_find_step (guide, run->current_step) : NULL;
  g_autofree char *date = format_date (run->started_us);
  g_autofree char *subtitle = NULL;
  g_autofree char *abandon = NULL;
  const char *title = obd_guide_gettext (run->guide_title);
  ObdRowItem *item;

  if (step != NULL)
    /* Translators: where an unfinished guided repair stopped: step number,
     * the step's title, when the guide was started */
    subtitle = g_strdup_printf (_("Step %u, %s · started %s"), run->n_steps + 1,
                                obd_guide_gettext (step->title), date);
  else
    /* Translators: when an unfinished guided repair was started */
    subtitle = g_strdup_printf (_("Started %s"), date);
  /* Translators: accessible name of the button that gives up a guided repair */
  abandon = g_strdup_printf (_("Give up “%s”"), title);

  item = obd_row_item_new (run->id, title, subtitle);
  g_object_set (item,
                "subtitle-lines", 0,
                "activatable", TRUE,
                "action-name", "guide.abandon",
                "action-icon", "user-trash-symbolic",
                "action-label", abandon,
                NULL);
  return item;
}

static void
on_runs_loaded_cb (ObdPage      *page,
                   gpointer      result,
                   const GError *error,
                   gpointer      user_data)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);
  GPtrArray *runs = result;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 current = obd_guide_page_get_run_id (self);

  /* Without a readable history there is nothing to continue; the window
   * says why in its banner. */
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      const ObdStoreGuideRun *run = g_ptr_array_index (runs, i);

      if (run->id != current)
        g_ptr_array_add (items, run_item_new (self, run));
    }
  obd_page_fill_model (page, self->runs, items);
  gtk_widget_set_visible (self->continue_group, items->len > 0);
}

static void
reload_runs (ObdGuidePage *self)
{
  gint64 vehicle_id = obd_page_get_shown_vehicle_id (OBD_PAGE (self));

  if (obd_page_get_store (OBD_PAGE (self)) == NULL)
    {
      gtk_widget_set_visible (self->continue_group, FALSE);
      return;
    }
  obd_page_load (OBD_PAGE (self), "runs", obd_guides_list_unfinished_job,
                 g_memdup2 (&vehicle_id, sizeof vehicle_id), g_free,
                 (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_DEFAULT, on_runs_loaded_cb, NULL);
}

/* The guides for the codes the car reports now, the closest fit of each
 * code, once per guide. */
static void
reload_code_guides (ObdGuidePage *self)
{
  ObdSession *session = session_of (self);
  const ObdSnapshot *snapshot = session != NULL ? obd_session_get_snapshot (session) : NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_set_size (self->choices, 0);
  for (guint i = 0; self->library != NULL && snapshot != NULL && snapshot->dtcs != NULL &&
                    i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);
      g_autoptr(GPtrArray) guides = obd_guide_library_find_for_code (self->library, dtc->code);
      ObdGuide *guide;
      gboolean seen = FALSE;
      g_autofree char *subtitle = NULL;
      ObdRowItem *item;
      Choice *choice;

      if (guides->len == 0)
        continue;
      guide = g_ptr_array_index (guides, 0);
      for (guint c = 0; c < self->choices->len; c++)
        seen = seen || g_str_equal (((Choice *) g_ptr_array_index (self->choices, c))->guide_id,
                                    obd_guide_get_id (guide));
      if (seen)
        continue;

      choice = g_new0 (Choice, 1);
      choice->guide_id = g_strdup (obd_guide_get_id (guide));
      choice->reason = g_strdup_printf ("code:%s", dtc->code);
      g_ptr_array_add (self->choices, choice);
      subtitle = g_strdup (obd_guide_gettext (obd_guide_get_summary (guide)));
      item = obd_row_item_new (self->choices->len - 1,
                               obd_guide_gettext (obd_guide_get_title (guide)), subtitle);
      g_object_set (item,
                    "subtitle-lines", 2,
                    "activatable", TRUE,
                    "badge", dtc->code,
                    "badge-class", "warning",
                    NULL);
      g_ptr_array_add (items, item);
    }
  obd_page_fill_model (OBD_PAGE (self), self->code_guides, items);
}

static void
on_symptom_guide_activated_cb (AdwActionRow *row,
                               ObdGuidePage *self)
{
  obd_guide_page_start (self, g_object_get_data (G_OBJECT (row), "obd-guide"),
                        g_object_get_data (G_OBJECT (row), "obd-reason"));
}

static GtkWidget *
guide_row_new (ObdGuidePage *self,
               ObdGuide     *guide,
               const char   *reason)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 obd_guide_gettext (obd_guide_get_title (guide)));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_widget_set_can_target (arrow, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  g_object_set_data_full (G_OBJECT (row), "obd-guide", g_strdup (obd_guide_get_id (guide)),
                          g_free);
  g_object_set_data_full (G_OBJECT (row), "obd-reason", g_strdup (reason), g_free);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_symptom_guide_activated_cb), self, 0);
  return row;
}

/* An expander's guide rows, made when it is first opened: the list has
 * one expander a symptom and one for every guide, about a hundred rows
 * in all, which took 12 ms of the main thread in one go when the
 * library came in, and memory, for rows most people never open. */
static void
on_symptom_expanded_cb (AdwExpanderRow *expander,
                        GParamSpec     *pspec,
                        ObdGuidePage   *self)
{
  const char *key = g_object_get_data (G_OBJECT (expander), "obd-symptom");

  if (!adw_expander_row_get_expanded (expander) ||
      g_object_get_data (G_OBJECT (expander), "obd-filled") != NULL)
    return;
  g_object_set_data (G_OBJECT (expander), "obd-filled", GINT_TO_POINTER (TRUE));

  if (key != NULL)
    {
      g_autoptr(GPtrArray) guides = obd_guide_library_find_for_symptom (self->library, key);
      g_autofree char *reason = g_strdup_printf ("symptom:%s", key);

      for (guint g = 0; g < guides->len; g++)
        adw_expander_row_add_row (expander,
                                  guide_row_new (self, g_ptr_array_index (guides, g), reason));
    }
  else
    {
      GListModel *all = G_LIST_MODEL (self->library);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        {
          g_autoptr(ObdGuide) guide = g_list_model_get_item (all, i);

          adw_expander_row_add_row (expander, guide_row_new (self, guide, NULL));
        }
    }
}

static GtkWidget *
symptom_expander_new (ObdGuidePage *self,
                      const char   *title,
                      const char   *key,
                      guint         n_guides)
{
  GtkWidget *expander = adw_expander_row_new ();
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u guide", "%u guides", n_guides),
                              n_guides);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
  g_object_set_data_full (G_OBJECT (expander), "obd-symptom", g_strdup (key), g_free);
  g_signal_connect_object (expander, "notify::expanded", G_CALLBACK (on_symptom_expanded_cb),
                           self, 0);
  return expander;
}

/* One expander a symptom, its guides inside; then every guide. */
static void
build_symptoms (ObdGuidePage *self)
{
  gsize n_symptoms;
  const ObdGuideSymptom *symptoms = obd_guide_list_symptoms (&n_symptoms);
  guint n_guides;

  if (self->symptoms_built || self->library == NULL)
    return;
  self->symptoms_built = TRUE;

  for (gsize s = 0; s < n_symptoms; s++)
    {
      g_autoptr(GPtrArray) guides = obd_guide_library_find_for_symptom (self->library,
                                                                        symptoms[s].key);

      if (guides->len > 0)
        gtk_list_box_append (self->symptoms_list,
                             symptom_expander_new (self, obd_guide_gettext (symptoms[s].label),
                                                   symptoms[s].key, guides->len));
    }
  n_guides = g_list_model_get_n_items (G_LIST_MODEL (self->library));
  gtk_list_box_append (self->symptoms_list,
                       symptom_expander_new (self, _("Every Guide"), NULL, n_guides));
}

static void
show_choose (ObdGuidePage *self)
{
  unwatch (self);
  stop_ticking (self);
  hold_pedal (self, 0);
  self->shown_step = NULL;
  if (self->library == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  build_symptoms (self);
  reload_code_guides (self);
  reload_runs (self);
  gtk_stack_set_visible_child_name (self->stack, "choose");
}

static void
show_current (ObdGuidePage *self)
{
  if (self->run == NULL)
    show_choose (self);
  else if (obd_guide_run_get_state (self->run) == OBD_GUIDE_RUN_FINISHED)
    show_finding (self);
  else
    show_step (self);
}

/* The run -------------------------------------------------------------------- */

static void
on_step_changed_cb (ObdGuidePage *self)
{
  /* Forward: a code check reached now reads the codes at once. */
  self->auto_read = TRUE;
  show_current (self);
}

static void
set_run (ObdGuidePage *self,
         ObdGuideRun  *run,
         Saver        *saver)   /* taken */
{
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      /* A check left running would hold the pedal and poll on: stop it;
       * the step stays, to be started again. */
      obd_guide_run_stop_live_check (self->run);
    }
  g_clear_pointer (&self->saver, saver_unref);
  g_set_object (&self->run, run);
  self->saver = saver;
  self->shown_step = NULL;
  self->reading_codes = FALSE;
  gtk_spinner_set_spinning (self->codes_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->codes_spinner), FALSE);
  if (run != NULL)
    {
      g_signal_connect_object (run, "notify::step-id", G_CALLBACK (on_step_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "notify::live-status", G_CALLBACK (on_live_updated_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (run, "live-updated", G_CALLBACK (on_live_updated_cb), self,
                               G_CONNECT_SWAPPED);
    }
  show_current (self);
}

static void
on_recording_started_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr(Saver) saver = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdGuidePage) page = g_weak_ref_get (&saver->page);
  ObdSession *session = OBD_SESSION (source);
  gint64 session_id = 0;

  if (obd_session_start_recording_finish (session, result, &error))
    session_id = obd_recording_get_session_id (obd_session_get_recorder (session));
  else if (page != NULL)
    obd_page_report_error (OBD_PAGE (page), _("The visit is not recorded, so its report will "
                                              "not show this guided repair"), error);
  saver_set_session (saver, session_id);
  if (page != NULL && page->saver == saver && page->run != NULL &&
      obd_guide_run_get_state (page->run) == OBD_GUIDE_RUN_FINISHED)
    show_finding (page);
}

static void
start_guide (ObdGuidePage *self,
             ObdGuide     *guide,
             const char   *reason)
{
  ObdSession *session = session_of (self);
  g_autoptr(ObdGuideRun) run = obd_guide_run_new (guide, reason);
  Saver *saver = saver_new (self, run, 0);

  if (self->run != NULL && obd_guide_run_get_state (self->run) != OBD_GUIDE_RUN_FINISHED &&
      obd_guide_run_get_records (self->run)->len > 0)
    {
      /* Translators: %s is a guide's title */
      g_autofree char *text = g_strdup_printf (_("“%s” is saved where it was; continue it "
                                                 "from the list of guides."),
                                               obd_guide_gettext (obd_guide_get_title (
                                                 obd_guide_run_get_guide (self->run))));

      obd_page_show_toast (OBD_PAGE (self), text);
    }

  saver->vehicle_id = session != NULL ? obd_session_get_vehicle_id (session) : 0;
  self->auto_read = TRUE;
  set_run (self, run, saver);

  /* What the guide finds goes into the report of the visit it belongs
   * to: the recording, started now if there is none. */
  if (session != NULL && obd_session_get_recording (session))
    saver_set_session (saver, obd_recording_get_session_id (obd_session_get_recorder (session)));
  else if (session != NULL && obd_page_get_connected (OBD_PAGE (self)) &&
           obd_page_get_store_writable (OBD_PAGE (self)) &&
           !obd_session_get_recording_busy (session))
    {
      obd_page_show_toast (OBD_PAGE (self), _("Recording this visit: its report will show what "
                                              "the guide finds."));
      obd_session_start_recording_async (session, NULL, on_recording_started_cb,
                                         saver_ref (saver));
    }
  else
    saver_set_session (saver, 0);
}

void
obd_guide_page_start (ObdGuidePage *self,
                      const char   *guide_id,
                      const char   *reason)
{
  ObdGuide *guide;

  g_return_if_fail (OBD_IS_GUIDE_PAGE (self));
  g_return_if_fail (guide_id != NULL);

  if (self->library == NULL)
    {
      g_free (self->pending_guide);
      g_free (self->pending_reason);
      self->pending_guide = g_strdup (guide_id);
      self->pending_reason = g_strdup (reason);
      self->pending_run_id = 0;
      return;
    }
  guide = obd_guide_library_lookup (self->library, guide_id);
  if (guide == NULL)
    {
      /* Translators: %s is the name of a guide file's guide */
      g_autofree char *text = g_strdup_printf (_("There is no guide “%s”. Its file may have "
                                                 "been removed from the guides folder."),
                                               guide_id);

      obd_page_show_toast (OBD_PAGE (self), text);
      return;
    }
  start_guide (self, guide, reason);
}

typedef struct
{
  ObdGuideLibrary  *library;
  gint64            run_id;
  /* The answer */
  ObdGuideRun      *run;
  ObdStoreGuideRun *row;
} Resume;

static void
resume_free (gpointer data)
{
  Resume *resume = data;

  g_clear_object (&resume->library);
  g_clear_object (&resume->run);
  g_clear_pointer (&resume->row, obd_store_guide_run_free);
  g_free (resume);
}

static gpointer
resume_job (ObdStore      *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  const Resume *query = data;
  Resume *resume = g_new0 (Resume, 1);

  /* The run is made here and handed to the main thread, which owns it
   * from then on; the library is only read. */
  resume->row = obd_store_get_guide_run (store, query->run_id, error);
  if (resume->row == NULL ||
      (resume->run = obd_guide_store_resume (store, query->library, query->run_id, error)) == NULL)
    {
      resume_free (resume);
      return NULL;
    }
  return resume;
}

static void
on_resumed_cb (ObdPage      *page,
               gpointer      result,
               const GError *error,
               gpointer      user_data)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);
  Resume *resume = result;
  Saver *saver;

  if (resume == NULL)
    {
      obd_page_report_error (page, _("This guided repair cannot be continued"), error);
      return;
    }
  if (resume->row->status == OBD_STORE_GUIDE_RUN_ABANDONED)
    {
      obd_page_show_toast (page, _("This guided repair was given up; start the guide again."));
      return;
    }
  if (obd_guide_page_get_run_id (self) == resume->row->id)
    {
      show_current (self);
      return;
    }
  saver = saver_new (self, resume->run, resume->row->id);
  saver->vehicle_id = resume->row->vehicle_id;
  saver->session_id = resume->row->session_id;
  saver->ready = TRUE;
  /* Arriving at a code check is not reading it: the mechanic resumes
   * where he was and asks. */
  self->auto_read = FALSE;
  set_run (self, resume->run, saver);
}

void
obd_guide_page_resume (ObdGuidePage *self,
                       gint64        run_id)
{
  Resume *query;

  g_return_if_fail (OBD_IS_GUIDE_PAGE (self));
  g_return_if_fail (run_id > 0);

  if (self->library == NULL)
    {
      g_clear_pointer (&self->pending_guide, g_free);
      self->pending_run_id = run_id;
      return;
    }
  query = g_new0 (Resume, 1);
  query->library = g_object_ref (self->library);
  query->run_id = run_id;
  obd_page_load (OBD_PAGE (self), "resume", resume_job, query, resume_free, resume_free,
                 G_PRIORITY_HIGH, on_resumed_cb, NULL);
}

/* Code checks ------------------------------------------------------------------- */

static void
set_reading_codes (ObdGuidePage *self,
                   gboolean      reading)
{
  self->reading_codes = reading;
  gtk_widget_set_visible (GTK_WIDGET (self->codes_spinner), reading);
  gtk_spinner_set_spinning (self->codes_spinner, reading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "guide.read-codes", !reading);
}

static void
on_codes_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(PageRef) ref = data;
  g_autoptr(ObdGuidePage) self = g_weak_ref_get (&ref->page);
  const char *step_id = ref->step_id;
  g_autoptr(GError) error = NULL;
  const ObdSnapshot *snapshot;
  const ObdGuideStep *step;

  if (!obd_session_refresh_finish (OBD_SESSION (source), result, &error) && self != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = obd_page_describe_error (_("The codes could not be read"), error);

      gtk_label_set_label (self->codes_status_label, text);
    }
  if (self == NULL || !self->reading_codes)
    return;
  set_reading_codes (self, FALSE);
  step = self->run != NULL ? obd_guide_run_get_step (self->run) : NULL;
  /* The mechanic went elsewhere meanwhile: the codes answer nothing. */
  if (error != NULL || step == NULL || step->kind != OBD_GUIDE_STEP_CODE_CHECK ||
      g_strcmp0 (step->id, step_id) != 0)
    return;

  snapshot = obd_session_get_snapshot (OBD_SESSION (source));
  if (snapshot == NULL || snapshot->dtcs == NULL)
    {
      gtk_label_set_label (self->codes_status_label, _("The car gave no list of codes. Read "
                                                       "them again."));
      return;
    }
  if (!obd_guide_run_feed_codes (self->run, (const ObdDtc *) snapshot->dtcs->data,
                                 snapshot->dtcs->len, &error))
    obd_page_report_error (OBD_PAGE (self), _("The codes were not taken"), error);
}

static void
read_codes (ObdGuidePage *self)
{
  ObdSession *session = session_of (self);
  if (self->reading_codes || self->run == NULL)
    return;
  if (session == NULL || !obd_page_get_connected (OBD_PAGE (self)))
    {
      gtk_label_set_label (self->codes_status_label, _("Connect to the car to read its codes."));
      return;
    }
  set_reading_codes (self, TRUE);
  gtk_label_set_label (self->codes_status_label, _("Reading the codes…"));
  obd_session_refresh_async (session, OBD_SNAPSHOT_DTCS, self->cancellable, on_codes_read_cb,
                             page_ref_new (self, obd_guide_run_get_step (self->run)->id));
}

/* Actions ------------------------------------------------------------------------ */

static void
report_run_error (ObdGuidePage *self,
                  const GError *error)
{
  if (error != NULL)
    obd_page_report_error (OBD_PAGE (self), _("That step was not taken"), error);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->run != NULL && !obd_guide_run_confirm (self->run, &error))
    report_run_error (self, error);
}

static void
measure (ObdGuidePage *self)
{
  const ObdGuideStep *step = self->run != NULL ? obd_guide_run_get_step (self->run) : NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->reading_entry));
  g_autoptr(GError) error = NULL;
  double value;

  if (step == NULL || step->kind != OBD_GUIDE_STEP_MEASUREMENT)
    return;
  if (obd_guide_step_parse_measurement (step, text, obd_page_get_units (OBD_PAGE (self)), &value,
                                        &error) &&
      obd_guide_run_measure (self->run, value, &error))
    return;

  gtk_label_set_label (self->reading_error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->reading_error_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->reading_entry), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->reading_entry),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->reading_entry));
}

static void
measure_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  measure (OBD_GUIDE_PAGE (widget));
}

static void
on_reading_entry_activate_cb (ObdGuidePage *self)
{
  measure (self);
}

static void
on_reading_entry_changed_cb (ObdGuidePage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->reading_error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->reading_entry), "error");
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->reading_entry), GTK_ACCESSIBLE_STATE_INVALID);
}

static void
start_check_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  ObdSession *session = session_of (self);
  const ObdGuideStep *step = self->run != NULL ? obd_guide_run_get_step (self->run) : NULL;
  g_autoptr(GArray) pids = NULL;
  gboolean supported[256] = { FALSE };
  g_autoptr(GError) error = NULL;
  double held;

  if (step == NULL || step->kind != OBD_GUIDE_STEP_LIVE_CHECK)
    return;
  if (session == NULL || !obd_page_get_connected (OBD_PAGE (self)))
    {
      obd_page_show_toast (OBD_PAGE (self), _("Connect to the car to run this check, or judge "
                                              "it yourself."));
      return;
    }
  pids = obd_session_dup_supported_pids (session);
  for (guint i = 0; i < pids->len; i++)
    supported[g_array_index (pids, guint8, i)] = TRUE;

  /* The simulated car has no one at its pedal: the simulator holds the
   * speed the check asks for (a real car's pedal is the mechanic's). */
  held = obd_guide_step_get_held_rpm (step);
  if (held > 0)
    hold_pedal (self, held);
  if (self->watch_id == 0)
    watch_step (self, step);
  self->last_batch_us = g_get_real_time ();
  if (!obd_guide_run_start_live_check (self->run, self->last_batch_us,
                                       pids->len > 0 ? supported : NULL, &error))
    {
      report_run_error (self, error);
      return;
    }
  if (obd_guide_run_get_state (self->run) == OBD_GUIDE_RUN_LIVE && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  update_live (self);
  if (gtk_widget_get_mapped (self->stop_check_button))
    gtk_widget_grab_focus (self->stop_check_button);
}

static void
stop_check_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);

  if (self->run == NULL)
    return;
  obd_guide_run_stop_live_check (self->run);
  stop_ticking (self);
  hold_pedal (self, 0);
  update_live (self);
  gtk_widget_grab_focus (self->start_check_button);
}

static void
judge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->run != NULL &&
      !obd_guide_run_judge (self->run, g_variant_get_boolean (parameter), &error))
    report_run_error (self, error);
}

static void
read_codes_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  read_codes (OBD_GUIDE_PAGE (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->run == NULL || obd_guide_run_get_records (self->run)->len == 0)
    return;
  /* Back is for changing an answer: the step is not done again by
   * itself. */
  self->auto_read = FALSE;
  self->reading_codes = FALSE;
  set_reading_codes (self, FALSE);
  if (!obd_guide_run_back (self->run, &error))
    report_run_error (self, error);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);

  if (self->run == NULL)
    return;
  if (obd_guide_run_get_records (self->run)->len > 0)
    obd_page_show_toast (OBD_PAGE (self), _("Every step done is saved; continue the guide from "
                                            "this page whenever you are ready."));
  set_run (self, NULL, NULL);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  set_run (OBD_GUIDE_PAGE (widget), NULL, NULL);
}

static void
refer_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  const ObdGuideFinding *finding = self->run != NULL ? obd_guide_run_get_finding (self->run)
                                                     : NULL;
  g_autofree char *reason = NULL;

  if (finding == NULL || finding->refer_guide == NULL)
    return;
  reason = g_strdup_printf ("guide:%s", obd_guide_get_id (obd_guide_run_get_guide (self->run)));
  obd_guide_page_start (self, finding->refer_guide, reason);
}

static void
report_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  gint64 session_id = obd_guide_page_get_session_id (self);

  if (session_id == 0)
    return;
  /* The window prints: it ends the recording first when needed. */
  gtk_widget_activate_action (widget, g_str_equal (action_name, "guide.print-report")
                                      ? "repair.print-report" : "repair.export-report",
                              "x", session_id);
}

static void
retry_save_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);

  if (self->saver == NULL)
    return;
  g_clear_error (&self->saver->error);
  update_save_banner (self);
  saver_sync (self->saver);
}

typedef struct
{
  gint64 run_id;
} Abandon;

static gpointer
abandon_job (ObdStore      *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return obd_store_abandon_guide_run (store, ((Abandon *) data)->run_id, error)
         ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
on_abandon_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        ObdGuidePage     *self)
{
  Abandon *abandon;

  if (!g_str_equal (response, "abandon"))
    return;
  abandon = g_new0 (Abandon, 1);
  abandon->run_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "obd-run-id"));
  obd_page_write (OBD_PAGE (self), "guide", obd_page_get_shown_vehicle_id (OBD_PAGE (self)),
                  abandon_job, abandon, g_free, _("The guided repair could not be given up"),
                  NULL, NULL);
}

static void
abandon_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  gint64 run_id = g_variant_get_int64 (parameter);
  GtkWidget *dialog;

  if (run_id <= 0)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Give Up This Guided Repair?"), NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("It stays in the history with the steps done so far, and can "
                                 "no longer be continued."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "abandon", _("_Give Up"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "abandon",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "obd-run-id", GSIZE_TO_POINTER ((gsize) run_id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_abandon_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_continue_list_row_activated_cb (ObdGuidePage  *self,
                                   GtkListBoxRow *row)
{
  if (OBD_IS_ITEM_ROW (row))
    obd_guide_page_resume (self, obd_row_item_get_id (obd_item_row_get_item (OBD_ITEM_ROW (row))));
}

static void
on_codes_list_row_activated_cb (ObdGuidePage  *self,
                                GtkListBoxRow *row)
{
  gint64 index;
  Choice *choice;

  if (!OBD_IS_ITEM_ROW (row))
    return;
  index = obd_row_item_get_id (obd_item_row_get_item (OBD_ITEM_ROW (row)));
  if (index < 0 || index >= self->choices->len)
    return;
  choice = g_ptr_array_index (self->choices, index);
  obd_guide_page_start (self, choice->guide_id, choice->reason);
}

/* Loading ---------------------------------------------------------------------- */

static void
on_library_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(ObdGuideLibrary) library = obd_guides_load_finish (result, NULL);
  g_autoptr(PageRef) ref = data;
  g_autoptr(ObdGuidePage) self = g_weak_ref_get (&ref->page);
  g_autofree char *guide = NULL;
  g_autofree char *reason = NULL;

  if (self == NULL || library == NULL)
    return;
  self->library = g_steal_pointer (&library);
  guide = g_steal_pointer (&self->pending_guide);
  reason = g_steal_pointer (&self->pending_reason);
  if (guide != NULL)
    obd_guide_page_start (self, guide, reason);
  else if (self->pending_run_id != 0)
    {
      gint64 run_id = self->pending_run_id;

      self->pending_run_id = 0;
      show_current (self);
      obd_guide_page_resume (self, run_id);
    }
  else
    show_current (self);
}

/* ObdPage -------------------------------------------------------------------------- */

static void
obd_guide_page_vehicle_changed (ObdPage *page)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);

  if (self->run == NULL && self->library != NULL)
    reload_runs (self);
}

static void
obd_guide_page_store_changed (ObdPage    *page,
                              const char *what,
                              gint64      vehicle_id)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);

  if (g_str_equal (what, "guide") && self->run == NULL && self->library != NULL)
    reload_runs (self);
}

static void
obd_guide_page_state_changed (ObdPage *page)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);

  if (self->run != NULL && obd_guide_run_get_state (self->run) != OBD_GUIDE_RUN_FINISHED)
    show_step (self);
}

static void
obd_guide_page_units_changed (ObdPage *page)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (page);

  /* The gauges and the expected range are in the units shown. */
  if (self->shown_step != NULL && self->shown_step->kind == OBD_GUIDE_STEP_LIVE_CHECK)
    build_gauges (self, self->shown_step);
  if (self->library != NULL)
    show_current (self);
}

static void
on_snapshot_cb (ObdGuidePage *self)
{
  if (self->run == NULL && self->library != NULL)
    reload_code_guides (self);
}

/* GObject ---------------------------------------------------------------------------- */

static void
obd_guide_page_constructed (GObject *object)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (object);

  G_OBJECT_CLASS (obd_guide_page_parent_class)->constructed (object);

  obd_guides_load_async (self->cancellable, on_library_loaded_cb, page_ref_new (self, NULL));
}

static void
obd_guide_page_dispose (GObject *object)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  stop_ticking (self);
  hold_pedal (self, 0);
  unwatch (self);
  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      obd_guide_run_stop_live_check (self->run);
    }
  /* A write in flight holds the saver and finishes without the page. */
  g_clear_pointer (&self->saver, saver_unref);
  g_clear_object (&self->run);
  if (self->continue_list != NULL)
    {
      gtk_list_box_bind_model (self->continue_list, NULL, NULL, NULL, NULL);
      gtk_list_box_bind_model (self->codes_list, NULL, NULL, NULL, NULL);
    }
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_GUIDE_PAGE);

  G_OBJECT_CLASS (obd_guide_page_parent_class)->dispose (object);
}

static void
obd_guide_page_finalize (GObject *object)
{
  ObdGuidePage *self = OBD_GUIDE_PAGE (object);

  g_clear_object (&self->library);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->runs);
  g_clear_object (&self->code_guides);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_clear_pointer (&self->gauges, g_ptr_array_unref);
  g_free (self->pending_guide);
  g_free (self->pending_reason);

  G_OBJECT_CLASS (obd_guide_page_parent_class)->finalize (object);
}

static void
obd_guide_page_class_init (ObdGuidePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->constructed = obd_guide_page_constructed;
  object_class->dispose = obd_guide_page_dispose;
  object_class->finalize = obd_guide_page_finalize;
  page_class->disconnected_description = N_("Connect to a vehicle to run its live checks.");
  page_class->vehicle_changed = obd_guide_page_vehicle_changed;
  page_class->store_changed = obd_guide_page_store_changed;
  page_class->state_changed = obd_guide_page_state_changed;
  page_class->units_changed = obd_guide_page_units_changed;

  gtk_widget_class_install_action (widget_class, "guide.confirm", NULL, confirm_action);
  gtk_widget_class_install_action (widget_class, "guide.measure", NULL, measure_action);
  gtk_widget_class_install_action (widget_class, "guide.start-check", NULL, start_check_action);
  gtk_widget_class_install_action (widget_class, "guide.stop-check", NULL, stop_check_action);
  gtk_widget_class_install_action (widget_class, "guide.judge", "b", judge_action);
  gtk_widget_class_install_action (widget_class, "guide.read-codes", NULL, read_codes_action);
  gtk_widget_class_install_action (widget_class, "guide.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "guide.leave", NULL, leave_action);
  gtk_widget_class_install_action (widget_class, "guide.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "guide.refer", NULL, refer_action);
  gtk_widget_class_install_action (widget_class, "guide.print-report", NULL, report_action);
  gtk_widget_class_install_action (widget_class, "guide.export-report", NULL, report_action);
  gtk_widget_class_install_action (widget_class, "guide.retry-save", NULL, retry_save_action);
  gtk_widget_class_install_action (widget_class, "guide.abandon", "x", abandon_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "guide.back",
                                       NULL);

  g_type_ensure (OBD_TYPE_GAUGE);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-guide-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, continue_group);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, continue_list);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, codes_list);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, symptoms_list);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, save_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, save_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, step_scroll);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, guide_title_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, previous_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, step_title_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, step_text_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, safety_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, safety_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, tools_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, tools_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, kind_stack);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, done_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, answers_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, expected_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, reading_entry);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, unit_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, reading_error_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, reading_hint_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, live_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, held_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, conditions_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, gauges_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, live_progress);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, live_status_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, start_check_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, stop_check_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, judge_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, codes_asked_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, codes_spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, codes_status_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, read_codes_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_scroll);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_box);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_kind_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_title_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_text_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_guide_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, repairs_group);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, repairs_list);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, refer_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, report_label);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, report_buttons);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finish_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, leave_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, passed_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, failed_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, measure_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, print_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, export_button);
  gtk_widget_class_bind_template_child (widget_class, ObdGuidePage, finding_back_button);
  gtk_widget_class_bind_template_callback (widget_class, on_continue_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_codes_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_reading_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_reading_entry_changed_cb);
}

static void
obd_guide_page_init (ObdGuidePage *self)
{
  self->cancellable = g_cancellable_new ();
  self->gauges = g_ptr_array_new ();
  self->choices = g_ptr_array_new_with_free_func (choice_free);
  self->runs = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->code_guides = g_list_store_new (OBD_TYPE_ROW_ITEM);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_bind_model (self->continue_list, G_LIST_MODEL (self->runs), obd_item_row_new,
                           NULL, NULL);
  gtk_list_box_bind_model (self->codes_list, G_LIST_MODEL (self->code_guides), obd_item_row_new,
                           NULL, NULL);

  g_signal_group_connect_object (obd_page_get_session_signals (OBD_PAGE (self)), "samples",
                                 G_CALLBACK (on_session_samples_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (obd_page_get_session_signals (OBD_PAGE (self)),
                                 "notify::snapshot", G_CALLBACK (on_snapshot_cb), self,
                                 G_CONNECT_SWAPPED);
}

GtkWidget *
obd_guide_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_GUIDE_PAGE, "session", session, NULL);
}

ObdGuideRun *
obd_guide_page_get_run (ObdGuidePage *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_PAGE (self), NULL);

  return self->run;
}

gint64
obd_guide_page_get_run_id (ObdGuidePage *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_PAGE (self), 0);

  return self->saver != NULL ? self->saver->run_id : 0;
}

gint64
obd_guide_page_get_session_id (ObdGuidePage *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_PAGE (self), 0);

  return self->saver != NULL ? self->saver->session_id : 0;
}

gboolean
obd_guide_page_is_saved (ObdGuidePage *self)
{
  g_return_val_if_fail (OBD_IS_GUIDE_PAGE (self), FALSE);

  return self->saver != NULL && saver_is_saved (self->saver);
}
