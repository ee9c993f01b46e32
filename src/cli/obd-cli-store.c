/* obd-cli-store.c — commands on the local store: record, sessions, export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * record runs the adapter worker as live does and hands every batch to an
 * ObdRecorder, which writes it from its own thread; everything else here
 * reads the store.
 */
#define G_LOG_DOMAIN "obd-cli"

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <errno.h>

#include <gio/gfiledescriptorbased.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>

#include "obd-alerts.h"
#include "obd-cli-private.h"
#include "obd-store-sync.h"
#include "obd-diagnosis.h"
#include "obd-error.h"
#include "obd-recorder.h"
#include "obd-snapshot.h"

ObdStore *
obd_cli_open_store (ObdCli    *cli,
                    gboolean   write,
                    GError   **error)
{
  const char *path = cli->db != NULL ? cli->db : obd_store_get_default_path ();

  /* A command that only reads writes nothing: it works on a read-only
   * disk, a copy the user may only read, or a disk that filled up; a
   * missing store fails with "record a session first" instead of
   * appearing, empty, in the user's data folder; and a session a crashed
   * recorder left open is shown as such, to be closed by the next
   * command that writes. */
  return obd_store_open (path, write ? OBD_STORE_OPEN_DEFAULT : OBD_STORE_OPEN_READ_ONLY,
                         error);
}

static const char *
session_status_label (ObdStoreSessionStatus status)
{
  switch (status)
    {
    case OBD_STORE_SESSION_RECORDING:
      return _("recording");
    case OBD_STORE_SESSION_COMPLETE:
      return _("complete");
    case OBD_STORE_SESSION_INTERRUPTED:
      return _("interrupted");
    default:
      return "?";
    }
}

static char *
format_duration (double seconds)
{
  guint total;

  if (seconds < 60)
    return g_strdup_printf (_("%.1f s"), seconds);

  total = (guint) (seconds + 0.5);
  if (total < 3600)
    return g_strdup_printf (_("%u min %02u s"), total / 60, total % 60);
  return g_strdup_printf (_("%u h %02u min"), total / 3600, total / 60 % 60);
}

static double
session_seconds (const ObdStoreSession *session)
{
  gint64 end = session->ended_us != 0 ? session->ended_us : g_get_real_time ();

  return MAX (end - session->started_us, 0) / (double) G_USEC_PER_SEC;
}

/* The store joins make, model and year with spaces whether or not each is
 * known: "Honda  2014" when the model is not. */
static char *
squeeze_spaces (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "Honda 2014 (1HG…)", the VIN alone, or a dash. */
static char *
session_vehicle_text (const ObdStoreSession *session)
{
  g_autofree char *name = session->vehicle_name != NULL
                          ? squeeze_spaces (session->vehicle_name) : NULL;

  if (name != NULL && session->vehicle_vin != NULL)
    return g_strdup_printf ("%s (%s)", name, session->vehicle_vin);
  if (session->vehicle_vin != NULL)
    return g_strdup (session->vehicle_vin);
  if (name != NULL)
    return g_steal_pointer (&name);
  return g_strdup ("—");
}

/* The status to show: a session still "recording" in the file whose
 * recorder is gone was interrupted; the next command that writes to the
 * store marks it so. */
static ObdStoreSessionStatus
session_shown_status (const ObdStoreSession *session,
                      gboolean               abandoned)
{
  return abandoned ? OBD_STORE_SESSION_INTERRUPTED : session->status;
}

static void
add_session_json (JsonBuilder           *builder,
                  const ObdStoreSession *session,
                  gboolean               abandoned)
{
  g_autoptr(GDateTime) started = g_date_time_new_from_unix_utc (session->started_us /
                                                                G_USEC_PER_SEC);
  g_autofree char *started_text = g_date_time_format (started, "%Y-%m-%dT%H:%M:%SZ");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, session->id);
  json_builder_set_member_name (builder, "uuid");
  json_builder_add_string_value (builder, session->uuid);
  json_builder_set_member_name (builder, "started");
  json_builder_add_string_value (builder, started_text);
  json_builder_set_member_name (builder, "started_us");
  json_builder_add_int_value (builder, session->started_us);
  json_builder_set_member_name (builder, "ended_us");
  if (session->ended_us != 0)
    json_builder_add_int_value (builder, session->ended_us);
  else
    json_builder_add_null_value (builder);
  /* An abandoned session has no end yet, so no duration. */
  json_builder_set_member_name (builder, "duration_s");
  if (abandoned)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, session_seconds (session));
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, obd_store_session_status_to_string (
                                   session_shown_status (session, abandoned)));
  json_builder_set_member_name (builder, "abandoned");
  json_builder_add_boolean_value (builder, abandoned);
  json_builder_set_member_name (builder, "samples");
  json_builder_add_int_value (builder, session->sample_count);
  json_builder_set_member_name (builder, "vehicle");
  if (session->vehicle_id != 0)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, session->vehicle_id);
      json_builder_set_member_name (builder, "uuid");
      json_builder_add_string_value (builder, session->vehicle_uuid);
      json_builder_set_member_name (builder, "vin");
      json_builder_add_string_value (builder, session->vehicle_vin);
      json_builder_set_member_name (builder, "name");
      if (session->vehicle_name != NULL)
        {
          g_autofree char *name = squeeze_spaces (session->vehicle_name);

          json_builder_add_string_value (builder, name);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, session->protocol);
  json_builder_set_member_name (builder, "adapter");
  json_builder_add_string_value (builder, session->adapter);
  json_builder_set_member_name (builder, "connection");
  json_builder_add_string_value (builder, session->connection);
  json_builder_set_member_name (builder, "hash");
  json_builder_add_string_value (builder, session->hash);
  json_builder_set_member_name (builder, "prev_hash");
  json_builder_add_string_value (builder, session->prev_hash);
  json_builder_end_object (builder);
}

/* ---- record ------------------------------------------------------------ */

/* What a dashboard shows, in the order a mechanic looks at it: rpm, speed,
 * coolant, load, throttle, timing advance, intake temperature, air flow,
 * intake pressure, fuel level, module voltage, ambient temperature, oil
 * temperature, fuel rate. */
static const guint8 default_pids[] = {
  0x0C, 0x0D, 0x05, 0x04, 0x11, 0x0E, 0x0F, 0x10, 0x0B, 0x2F, 0x42, 0x46, 0x5C, 0x5E,
};


typedef struct
{
  ObdCli           *cli;
  GMainLoop        *loop;
  ObdWorker        *worker;
  ObdStore         *store;
  ObdRecorder      *recorder;
  ObdAlertMonitor  *alerts;
  GPtrArray        *events;
  ObdSnapshot      *snapshot;
  gboolean          snapshot_done;
  GError           *snapshot_error;
  GError           *link_error;      /* why the worker stopped */
  GError           *store_error;     /* why the recorder stopped */
  GError           *alert_error;     /* why an alert could not be saved (the first) */
  gboolean          worker_stopped;
  gint64            vehicle_id;
  gint64            session_id;
  guint             n_alerts;
  guint             duration_id;
  gboolean          polling;
} RecordRun;

static void
record_run_clear (RecordRun *run)
{
  if (run->worker != NULL)
    {
      obd_worker_stop (run->worker);
      g_signal_handlers_disconnect_by_data (run->worker, run);
    }
  if (run->recorder != NULL)
    g_signal_handlers_disconnect_by_data (run->recorder, run);
  g_clear_object (&run->worker);
  g_clear_object (&run->recorder);
  g_clear_object (&run->store);
  g_clear_pointer (&run->alerts, obd_alert_monitor_free);
  g_clear_pointer (&run->events, g_ptr_array_unref);
  g_clear_pointer (&run->snapshot, obd_snapshot_free);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_error (&run->snapshot_error);
  g_clear_error (&run->link_error);
  g_clear_error (&run->store_error);
  g_clear_error (&run->alert_error);
}

static void
on_record_state_changed_cb (ObdWorker *worker,
                            RecordRun *run)
{
  if (obd_worker_get_state (worker) == OBD_WORKER_STATE_RECONNECTING)
    g_printerr ("obd2: %s\n", _("Link lost; reconnecting…"));
}

static void
on_record_stopped_cb (ObdWorker    *worker,
                      const GError *error,
                      RecordRun    *run)
{
  run->worker_stopped = TRUE;
  if (error != NULL && run->link_error == NULL)
    run->link_error = g_error_copy (error);
  g_main_loop_quit (run->loop);
}

static void
on_recorder_failed_cb (ObdRecorder  *recorder,
                       const GError *error,
                       RecordRun    *run)
{
  if (run->store_error == NULL)
    run->store_error = g_error_copy (error);
  g_main_loop_quit (run->loop);
}

static void
report_alert (RecordRun           *run,
              const ObdAlertEvent *event)
{
  g_autoptr(GError) error = NULL;

  if (event->type != OBD_ALERT_EVENT_RAISED)
    return;

  run->n_alerts++;
  g_printerr ("obd2: %s: %s — %s\n", obd_severity_get_label (event->severity),
              event->title, event->message);

  /* A notification that cannot be written does not end the recording (the
   * samples that show the fault are what matters, and the recorder keeps
   * them on its own connection), but the command fails in the end. */
  if (run->store != NULL &&
      !obd_diagnosis_store_alert (run->store, run->vehicle_id, run->session_id, event, &error))
    {
      g_printerr ("obd2: %s %s\n", _("The alert could not be saved:"), error->message);
      if (run->alert_error == NULL)
        run->alert_error = g_steal_pointer (&error);
    }
}

static void
on_record_samples_cb (ObdWorker *worker,
                      GArray    *samples,
                      RecordRun *run)
{
  if (!run->polling || samples->len == 0)
    return;

  if (run->recorder != NULL)
    obd_recorder_push_samples (run->recorder, (const ObdSample *) samples->data, samples->len);

  for (guint i = 0; i < samples->len; i++)
    {
      const ObdSample *sample = &g_array_index (samples, ObdSample, i);
      const ObdValue *meta;

      if (sample->service != 0x01)
        continue;
      meta = obd_pid_get_value_info (sample->pid, sample->index);
      if (meta == NULL || meta->key == NULL)
        continue;

      obd_alert_monitor_feed (run->alerts, meta->key, sample->value, sample->time_us,
                              run->events);
    }

  for (guint i = 0; i < run->events->len; i++)
    report_alert (run, g_ptr_array_index (run->events, i));
  g_ptr_array_set_size (run->events, 0);
}

static gpointer
read_snapshot_job (ObdAdapter    *adapter,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return obd_snapshot_read (adapter, OBD_SNAPSHOT_ALL, cancellable, error);
}

static void
on_snapshot_read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  RecordRun *run = data;

  run->snapshot = obd_worker_run_finish (OBD_WORKER (source), result, &run->snapshot_error);
  run->snapshot_done = TRUE;
  g_main_loop_quit (run->loop);
}

/* Reads the full snapshot through the worker, between polls, as the
 * application does. */
static gboolean
record_read_snapshot (RecordRun  *run,
                      GError    **error)
{
  obd_worker_run_async (run->worker, read_snapshot_job, NULL, NULL,
                        (GDestroyNotify) obd_snapshot_free, run->cli->cancellable,
                        on_snapshot_read_cb, run);
  obd_cli_run_loop (run->cli, run->loop);

  if (!run->snapshot_done)
    {
      /* Interrupted, or the link went: stopping the worker runs the job
       * (which then fails), so its callback comes and frees the task. */
      obd_worker_stop (run->worker);
      while (!run->snapshot_done)
        g_main_context_iteration (NULL, TRUE);
    }

  if (run->link_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->link_error));
      return FALSE;
    }
  if (run->snapshot == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run->snapshot_error));
      return FALSE;
    }

  return TRUE;
}

/* The dashboard PIDs the car supports, or the ones asked for. */
static gboolean
choose_record_pids (RecordRun   *run,
                    GArray      *requested,
                    GArray      *out,
                    GError     **error)
{
  g_autoptr(GArray) supported = obd_worker_dup_supported_pids (run->worker);
  g_autoptr(GArray) defaults = g_array_new (FALSE, FALSE, sizeof (guint8));
  const guint8 *wanted;
  guint n_wanted;

  /* By default the dashboard and what the alerts read, so a recorded
   * session carries the alerts its health report counts. */
  if (requested == NULL)
    {
      gsize n_alert_pids = 0;
      const guint8 *alert_pids = obd_alert_get_watched_pids (&n_alert_pids);

      g_array_append_vals (defaults, default_pids, G_N_ELEMENTS (default_pids));
      g_array_append_vals (defaults, alert_pids, n_alert_pids);
    }
  wanted = requested != NULL ? (const guint8 *) requested->data
                             : (const guint8 *) defaults->data;
  n_wanted = requested != NULL ? requested->len : defaults->len;

  for (guint i = 0; i < n_wanted; i++)
    {
      gboolean found = FALSE;
      gboolean duplicate = FALSE;

      for (guint j = 0; j < supported->len && !found; j++)
        found = g_array_index (supported, guint8, j) == wanted[i];
      for (guint j = 0; j < out->len && !duplicate; j++)
        duplicate = g_array_index (out, guint8, j) == wanted[i];

      if (found && !duplicate)
        g_array_append_val (out, wanted[i]);
      else if (!found && requested != NULL)
        {
          g_printerr ("obd2: ");
          g_printerr (_("The vehicle does not report PID %02X; it is not recorded."), wanted[i]);
          g_printerr ("\n");
        }
    }

  if (out->len == 0)
    {
      g_set_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_UNSUPPORTED,
                   _("The vehicle supports none of the PIDs to record. Run “obd2 info” to see "
                     "what it supports."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
on_record_duration_cb (gpointer data)
{
  RecordRun *run = data;

  run->duration_id = 0;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* Connects through a worker and reads the snapshot. */
static gboolean
record_run_begin (RecordRun    *run,
                  ObdStrategy   strategy,
                  GError      **error)
{
  ObdAlertThresholds thresholds;

  obd_alert_thresholds_init_defaults (&thresholds);
  run->alerts = obd_alert_monitor_new (&thresholds);
  run->events = g_ptr_array_new_with_free_func ((GDestroyNotify) obd_alert_event_free);
  run->loop = g_main_loop_new (NULL, FALSE);

  run->worker = obd_cli_start_worker (run->cli, strategy, run->loop, error);
  if (run->worker == NULL)
    return FALSE;
  g_signal_connect (run->worker, "state-changed", G_CALLBACK (on_record_state_changed_cb), run);
  g_signal_connect (run->worker, "stopped", G_CALLBACK (on_record_stopped_cb), run);
  g_signal_connect (run->worker, "samples", G_CALLBACK (on_record_samples_cb), run);

  return record_read_snapshot (run, error);
}

/* Polls pids until duration (0: no limit), Ctrl+C, a lost link or a
 * failed recorder, then stops the worker, which delivers the samples
 * already read. */
static void
record_run_poll (RecordRun *run,
                 GArray    *pids,
                 double     duration)
{
  run->polling = TRUE;
  obd_worker_set_pids (run->worker, (const guint8 *) pids->data, NULL, pids->len);
  if (duration > 0)
    run->duration_id = g_timeout_add_full (G_PRIORITY_DEFAULT, obd_cli_seconds_to_ms (duration),
                                           on_record_duration_cb, run, NULL);
  if (!run->worker_stopped && run->store_error == NULL)
    obd_cli_run_loop (run->cli, run->loop);
  g_clear_handle_id (&run->duration_id, g_source_remove);

  obd_worker_stop (run->worker);
}

ObdSnapshot *
obd_cli_watch_vehicle (ObdCli     *cli,
                       double      duration,
                       GPtrArray **out_alerts,
                       GError    **error)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  RecordRun run = { .cli = cli };
  ObdSnapshot *snapshot;

  if (!record_run_begin (&run, OBD_STRATEGY_FAST, error) ||
      !choose_record_pids (&run, NULL, pids, error))
    {
      record_run_clear (&run);
      return NULL;
    }

  record_run_poll (&run, pids, duration);

  /* Ctrl+C ends the watch early; a lost link ends it with an error. */
  if (run.link_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run.link_error));
      record_run_clear (&run);
      return NULL;
    }

  *out_alerts = obd_alert_monitor_dup_active (run.alerts);
  snapshot = g_steal_pointer (&run.snapshot);
  record_run_clear (&run);
  return snapshot;
}

static gboolean
print_record_summary (RecordRun  *run,
                      GError    **error)
{
  g_autoptr(ObdStoreSession) session = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *vehicle = NULL;

  session = obd_store_get_session (run->store, run->session_id, error);
  if (session == NULL)
    return FALSE;

  if (run->cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "session");
      add_session_json (builder, session, FALSE);
      json_builder_set_member_name (builder, "alerts");
      json_builder_add_int_value (builder, run->n_alerts);
      json_builder_set_member_name (builder, "store");
      json_builder_add_string_value (builder, obd_store_get_path (run->store));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
      return TRUE;
    }

  duration = format_duration (session_seconds (session));
  vehicle = session_vehicle_text (session);
  g_print (_("Recorded session %" PRId64 " (%s), %s.\n"), session->id, session->uuid,
           session_status_label (session->status));
  g_print ("  %-10s %s\n", _("Vehicle:"), vehicle);
  g_print ("  %-10s %s\n", _("Duration:"), duration);
  g_print ("  %-10s %" G_GINT64_FORMAT "\n", _("Samples:"), session->sample_count);
  g_print ("  %-10s %u\n", _("Alerts:"), run->n_alerts);
  if (session->hash != NULL)
    g_print ("  %-10s %s\n", _("Hash:"), session->hash);
  g_print ("  %-10s %s\n", _("Store:"), obd_store_get_path (run->store));
  return TRUE;
}

/* Starts the session and attaches the snapshot read at connect to it: its
 * codes, freeze frame, readiness and Mode 06 belong to this session.  A
 * snapshot without a VIN records a session without a vehicle. */
static gboolean
record_start_session (RecordRun  *run,
                      GError    **error)
{
  const char *protocol = obd_protocol_get_key (obd_worker_get_protocol (run->worker));

  run->vehicle_id = obd_diagnosis_ensure_vehicle (run->store, run->snapshot, error);
  if (run->vehicle_id == 0 && error != NULL && *error != NULL)
    return FALSE;

  run->session_id = obd_recorder_start_session (run->recorder, run->vehicle_id, protocol,
                                                obd_worker_get_adapter_version (run->worker),
                                                run->cli->port, error);
  if (run->session_id == 0)
    return FALSE;

  return obd_diagnosis_attach_snapshot (run->store, run->vehicle_id, run->session_id,
                                        run->snapshot, error);
}

int
obd_cli_cmd_record (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *duration_text = NULL;
  double duration = 0;
  g_autofree char *pids_text = NULL;
  g_autofree char *strategy_name = NULL;
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &duration_text,
      N_("Stop after this long: seconds, or 90s, 10m, 1h (default: until Ctrl+C)"), "S" },
    { "pids", 0, 0, G_OPTION_ARG_STRING, &pids_text,
      N_("PIDs to record (default: the dashboard PIDs the car supports)"), "PID,..." },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy_name, N_("fast (default) or naive"),
      "STRATEGY" },
    { NULL }
  };
  g_autoptr(GArray) requested = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) stop_error = NULL;
  ObdStrategy strategy = OBD_STRATEGY_FAST;
  RecordRun run = { .cli = cli };
  int status = OBD_CLI_EXIT_OK;

  if (!obd_cli_parse_options (cli, "record", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  if (argc > 1)
    return obd_cli_usage_error (_("“record” takes no arguments; name PIDs with --pids."));
  if (strategy_name != NULL && !obd_strategy_parse (strategy_name, &strategy))
    return obd_cli_usage_error (_("Unknown strategy “%s”. Use fast or naive."), strategy_name);
  if (duration_text != NULL && !obd_cli_parse_seconds ("--duration", duration_text, &duration,
                                                       &error))
    return obd_cli_fail (cli, error);
  if (pids_text != NULL)
    {
      requested = g_array_new (FALSE, FALSE, sizeof (guint8));
      if (!obd_cli_parse_pids (pids_text, requested, &error))
        return obd_cli_fail (cli, error);
      if (requested->len == 0)
        return obd_cli_usage_error (_("Name at least one PID with --pids, e.g. --pids rpm,05."));
    }

  /* The store first: a damaged or foreign file is reported before the
   * car is woken up, and is left as it was. */
  run.store = obd_cli_open_store (cli, TRUE, &error);
  if (run.store == NULL)
    return obd_cli_fail (cli, error);
  run.recorder = obd_recorder_new (run.store, &error);
  if (run.recorder == NULL)
    {
      record_run_clear (&run);
      return obd_cli_fail (cli, error);
    }
  g_signal_connect (run.recorder, "failed", G_CALLBACK (on_recorder_failed_cb), &run);

  if (!record_run_begin (&run, strategy, &error) ||
      !choose_record_pids (&run, requested, pids, &error))
    {
      record_run_clear (&run);
      return obd_cli_fail (cli, error);
    }

  if (!record_start_session (&run, &error))
    {
      /* Whatever the session holds so far is sealed, not left open. */
      if (run.session_id != 0 && !obd_recorder_stop_session (run.recorder, &stop_error))
        g_printerr ("obd2: %s\n", stop_error->message);
      record_run_clear (&run);
      return obd_cli_fail (cli, error);
    }

  if (!cli->json)
    g_printerr (_("Recording %u PIDs into session %" PRId64 "; press Ctrl+C to "
                  "stop.\n"), pids->len, run.session_id);

  record_run_poll (&run, pids, duration);

  /* The alerts active at the end belong to the session's health report,
   * as they did to the live one; written before the session is sealed. */
  {
    g_autoptr(GPtrArray) active = obd_alert_monitor_dup_active (run.alerts);

    if (!obd_diagnosis_store_session_alerts (run.store, run.session_id, active, &stop_error)
        && run.store_error == NULL)
      run.store_error = g_steal_pointer (&stop_error);
    g_clear_error (&stop_error);
  }

  /* Seals the session with everything committed, then closes the
   * recorder's connection: either can fail on a full or broken disk. */
  if (!obd_recorder_stop_session (run.recorder, &stop_error) && run.store_error == NULL)
    run.store_error = g_steal_pointer (&stop_error);
  g_clear_error (&stop_error);
  if (!obd_recorder_close (run.recorder, &stop_error) && run.store_error == NULL)
    run.store_error = g_steal_pointer (&stop_error);
  g_clear_error (&stop_error);

  if (!print_record_summary (&run, &stop_error) && run.store_error == NULL)
    run.store_error = g_steal_pointer (&stop_error);

  if (run.store_error != NULL)
    {
      if (g_error_matches (run.store_error, OBD_STORE_ERROR, OBD_STORE_ERROR_DISK_FULL))
        g_printerr ("obd2: %s\n", _("The disk is full: recording stopped. What was recorded "
                                    "until then is kept. Free some space and record again."));
      status = obd_cli_fail (cli, run.store_error);
    }
  else if (run.alert_error != NULL)
    {
      g_printerr ("obd2: %s\n", _("The session was recorded, but not every alert raised during "
                                  "it could be saved with it (see above)."));
      status = obd_cli_fail (cli, run.alert_error);
    }
  else if (run.link_error != NULL)
    {
      g_printerr ("obd2: %s\n", _("Recording stopped: the connection to the vehicle was "
                                  "lost. What was recorded until then is kept."));
      status = obd_cli_fail (cli, run.link_error);
    }

  record_run_clear (&run);
  return status;
}

/* ---- sessions ---------------------------------------------------------- */

gboolean
obd_cli_check_vehicle_name (const char  *name,
                            GError     **error)
{
  ObdCliReference kind;
  gint64 id;

  return obd_cli_parse_reference ("--vehicle", name, TRUE, &kind, &id, error);
}

/* A vehicle named by its id, VIN or UUID.  Returns 0 with error set when
 * there is none. */
gint64
obd_cli_find_vehicle (ObdStore    *store,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(GPtrArray) vehicles = NULL;
  ObdCliReference kind;
  gint64 id = 0;

  if (!obd_cli_parse_reference ("--vehicle", name, TRUE, &kind, &id, error))
    return 0;
  vehicles = obd_store_list_vehicles (store, error);
  if (vehicles == NULL)
    return 0;

  for (guint i = 0; i < vehicles->len; i++)
    {
      const ObdStoreVehicle *vehicle = g_ptr_array_index (vehicles, i);

      /* Digits may be a number or (rarely) a VIN: either matches. */
      if ((kind == OBD_CLI_REFERENCE_ID && vehicle->id == id) ||
          (kind == OBD_CLI_REFERENCE_UUID && g_ascii_strcasecmp (vehicle->uuid, name) == 0) ||
          (kind != OBD_CLI_REFERENCE_UUID && vehicle->vin != NULL &&
           g_ascii_strcasecmp (vehicle->vin, name) == 0))
        return vehicle->id;
    }

  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
               _("No vehicle “%s” in the store. Run “obd2 maintenance” or “obd2 sessions” to "
                 "see the vehicles."), name);
  return 0;
}

/* --verify takes an optional code: "--verify", "--verify=CODE" and
 * "--verify CODE" (the code then arrives as the one argument). */
static gboolean verify_given;
static char *verify_code;

static gboolean
on_verify_option_cb (const char  *name,
                     const char  *value,
                     gpointer     data,
                     GError     **error)
{
  verify_given = TRUE;
  g_free (verify_code);
  verify_code = g_strdup (value);
  return TRUE;
}

int
obd_cli_cmd_sessions (ObdCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *vehicle_name = NULL;
  gboolean verify = FALSE;
  GOptionEntry entries[] = {
    { "vehicle", 0, 0, G_OPTION_ARG_STRING, &vehicle_name,
      N_("Only this vehicle (id, VIN or UUID)"), "ID" },
    { "verify", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, on_verify_option_cb,
      N_("Check that no recorded session was changed afterwards; with the verification "
         "code printed on a report, check that report’s session"), "CODE" },
    { NULL }
  };
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  gint64 vehicle_id = 0;
  gint64 first_bad = 0;
  guint n_abandoned = 0;
  gboolean anchor_ok = TRUE;
  gint64 anchor_seq = 0;

  if (!obd_cli_parse_options (cli, "sessions", "", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;
  verify = verify_given;
  if (verify && verify_code == NULL && argc == 2)
    verify_code = g_strdup (argv[1]);
  else if (argc > 1)
    return obd_cli_usage_error (_("“sessions” takes no arguments."));
  if (vehicle_name != NULL && !obd_cli_check_vehicle_name (vehicle_name, &error))
    return obd_cli_fail (cli, error);

  store = obd_cli_open_store (cli, FALSE, &error);
  if (store == NULL)
    return obd_cli_fail (cli, error);

  if (verify_code != NULL)
    return obd_cli_verify_code (cli, store, verify_code);

  if (vehicle_name != NULL &&
      (vehicle_id = obd_cli_find_vehicle (store, vehicle_name, &error)) == 0)
    return obd_cli_fail (cli, error);

  sessions = obd_store_list_sessions (store, vehicle_id, &error);
  if (sessions == NULL)
    return obd_cli_fail (cli, error);

  if (verify && !obd_store_verify_chain (store, &first_bad, &error))
    return obd_cli_fail (cli, error);
  /* The server keeps the chain's head as of the last sync: deleting the
   * newest sessions (which leaves an intact, shorter chain) shows here. */
  if (verify && !obd_store_sync_verify_anchor (store, &anchor_ok, &anchor_seq, &error))
    return obd_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sessions");
      json_builder_begin_array (builder);
      for (guint i = 0; i < sessions->len; i++)
        {
          const ObdStoreSession *session = g_ptr_array_index (sessions, i);

          add_session_json (builder, session, obd_store_session_is_abandoned (store, session));
        }
      json_builder_end_array (builder);
      if (verify)
        {
          json_builder_set_member_name (builder, "chain");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "ok");
          json_builder_add_boolean_value (builder, first_bad == 0);
          json_builder_set_member_name (builder, "first_bad");
          if (first_bad != 0)
            json_builder_add_int_value (builder, first_bad);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "anchor_ok");
          json_builder_add_boolean_value (builder, anchor_ok);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      obd_cli_print_json (root, TRUE);
    }
  else if (sessions->len == 0)
    g_print ("%s\n", _("No sessions recorded yet. Run “obd2 record” with the car connected."));
  else
    {
      g_print ("%5s  %-25s  %-12s  %-11s  %8s  %-12s  %s\n", _("ID"), _("Started"),
               _("Duration"), _("Status"), _("Samples"), _("Hash"), _("Vehicle"));
      for (guint i = 0; i < sessions->len; i++)
        {
          const ObdStoreSession *session = g_ptr_array_index (sessions, i);
          gboolean abandoned = obd_store_session_is_abandoned (store, session);
          g_autofree char *started = obd_cli_format_time (session->started_us);
          g_autofree char *duration = abandoned ? g_strdup ("—")
                                                : format_duration (session_seconds (session));
          g_autofree char *vehicle = session_vehicle_text (session);
          g_autofree char *hash = session->hash != NULL ? g_strndup (session->hash, 12)
                                                        : g_strdup ("—");

          n_abandoned += abandoned ? 1 : 0;
          g_print ("%5" G_GINT64_FORMAT "  %-25s  %-12s  %-11s  %8" G_GINT64_FORMAT
                   "  %-12s  %s\n", session->id, started, duration,
                   session_status_label (session_shown_status (session, abandoned)),
                   session->sample_count, hash, vehicle);
        }
      if (n_abandoned > 0)
        g_print ("%s\n", _("Interrupted sessions without a hash stopped without being closed "
                           "(a crash, a full disk); the next recording closes them."));
    }

  if (verify)
    {
      g_autoptr(ObdStoreSession) bad = NULL;

      if (first_bad == 0 && !anchor_ok)
        {
          g_printerr ("obd2: ");
          g_printerr (_("Sessions were deleted or changed after they were synced: the server "
                        "holds session %" PRId64 " of this PC's chain, and this "
                        "store no longer has it as it was. Reports printed from the missing "
                        "sessions cannot be checked here; the server still has them."),
                      anchor_seq);
          g_printerr ("\n");
          return OBD_CLI_EXIT_FAILURE;
        }
      if (first_bad == 0)
        {
          if (!cli->json)
            g_print ("%s\n", _("Hash chain OK: no recorded session was changed."));
          return OBD_CLI_EXIT_OK;
        }

      bad = obd_store_get_session (store, first_bad, NULL);
      g_printerr ("obd2: ");
      g_printerr (_("Session %" PRId64 " (%s) does not match its hash: it was changed "
                    "after it was recorded, or a session before it was. Reports printed from "
                    "it or from later sessions cannot be trusted."),
                  first_bad, bad != NULL ? bad->uuid : "?");
      g_printerr ("\n");
      return OBD_CLI_EXIT_FAILURE;
    }

  return OBD_CLI_EXIT_OK;
}

/* ---- export ------------------------------------------------------------ */

gint64
obd_cli_find_session (ObdStore    *store,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(GPtrArray) sessions = NULL;
  ObdCliReference kind;
  gint64 id = 0;

  if (!obd_cli_parse_reference (_("session"), name, FALSE, &kind, &id, error))
    return 0;
  sessions = obd_store_list_sessions (store, 0, error);
  if (sessions == NULL)
    return 0;

  for (guint i = 0; i < sessions->len; i++)
    {
      const ObdStoreSession *session = g_ptr_array_index (sessions, i);

      if ((kind == OBD_CLI_REFERENCE_ID && session->id == id) ||
          (kind == OBD_CLI_REFERENCE_UUID && g_ascii_strcasecmp (session->uuid, name) == 0))
        return session->id;
    }

  g_set_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND,
               _("No session “%s” in the store. Run “obd2 sessions” to list them."), name);
  return 0;
}

/* The file a path names once its symbolic links are followed: the export
 * replaces that file, not the link to it. */
static GFile *
resolve_links (GFile   *file,
               GError **error)
{
  g_autoptr(GFile) current = g_object_ref (file);

  for (guint depth = 0; depth < 16; depth++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GFile) parent = NULL;
      const char *target;

      info = g_file_query_info (current, G_FILE_ATTRIBUTE_STANDARD_IS_SYMLINK ","
                                G_FILE_ATTRIBUTE_STANDARD_SYMLINK_TARGET,
                                G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &local_error);
      if (info == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            return g_steal_pointer (&current);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      target = g_file_info_get_symlink_target (info);
      if (!g_file_info_get_is_symlink (info) || target == NULL)
        return g_steal_pointer (&current);

      parent = g_file_get_parent (current);
      g_clear_object (&current);
      current = g_file_resolve_relative_path (parent, target);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
               _("Too many levels of symbolic links"));
  return NULL;
}

/* A new, empty file beside target that nobody else uses: ".NAME.XXXXXX". */
static GFileOutputStream *
create_beside (GFile    *target,
               GFile   **out_temporary,
               GError  **error)
{
  g_autoptr(GFile) parent = g_file_get_parent (target);
  g_autofree char *name = g_file_get_basename (target);

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *temporary_name = g_strdup_printf (".%s.%06x", name,
                                                         g_random_int_range (0, 0xFFFFFF));
      g_autoptr(GFile) temporary = g_file_get_child (parent, temporary_name);
      GFileOutputStream *stream = g_file_create (temporary, G_FILE_CREATE_NONE, NULL,
                                                 &local_error);

      if (stream != NULL)
        {
          *out_temporary = g_steal_pointer (&temporary);
          return stream;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS) || attempt == 100)
        {
          /* Not the temporary name, which means nothing to the user. */
          g_autofree char *folder = g_file_get_parse_name (parent);
          const char *why;

          switch (local_error->code)
            {
            case G_IO_ERROR_PERMISSION_DENIED:
              why = _("you may not write in its folder");
              break;
            case G_IO_ERROR_NOT_FOUND:
              why = _("its folder does not exist");
              break;
            case G_IO_ERROR_READ_ONLY:
              why = _("its folder is on a read-only disk");
              break;
            case G_IO_ERROR_NO_SPACE:
              why = _("the disk is full");
              break;
            default:
              why = local_error->message;
              break;
            }
          g_set_error (error, G_IO_ERROR, local_error->code, "%s (%s)", why, folder);
          return NULL;
        }
    }
}

/* Writes the export to a new file beside the destination, and renames it
 * over the destination only once it is complete and on the disk: a failed
 * or interrupted export leaves no file, or the earlier one as it was.
 * Something that is not a regular file (/dev/stdout, a pipe) is written
 * to directly. */
static gboolean
export_to_file (ObdCli          *cli,
                ObdStore        *store,
                gint64           session_id,
                ObdStoreFormat   format,
                const char      *path,
                GError         **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFile) temporary = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  GFileType type;
  gboolean ok;

  type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL);
  if (type == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("“%s” is a folder. Give the name of the file to write, e.g. "
                     "“%s/session.csv”."), path, path);
      return FALSE;
    }
  /* /dev/stdout and the like name whatever the shell opened. */
  if (type == G_FILE_TYPE_SPECIAL || g_str_has_prefix (path, "/dev/")
      || g_str_has_prefix (path, "/proc/"))
    {
      stream = g_file_append_to (file, G_FILE_CREATE_NONE, cli->cancellable, error);
      if (stream == NULL)
        goto failed;
      if (!obd_store_export_session (store, session_id, format, cli->units,
                                     G_OUTPUT_STREAM (stream), cli->cancellable, error))
        {
          g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
          return FALSE;
        }
      if (!g_output_stream_close (G_OUTPUT_STREAM (stream), cli->cancellable, error))
        goto failed;
      return TRUE;
    }

  target = resolve_links (file, error);
  if (target == NULL)
    goto failed;
  stream = create_beside (target, &temporary, error);
  if (stream == NULL)
    goto failed;

  ok = obd_store_export_session (store, session_id, format, cli->units,
                                 G_OUTPUT_STREAM (stream), cli->cancellable, error);
  if (ok)
    {
      ok = g_output_stream_flush (G_OUTPUT_STREAM (stream), cli->cancellable, error);
      /* On the disk before it takes the old file's place: a power cut
       * must not leave an empty file under the old name. */
      if (ok && G_IS_FILE_DESCRIPTOR_BASED (stream)
          && fsync (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (stream))) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s",
                       g_strerror (saved));
          ok = FALSE;
        }
      ok = g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, ok ? error : NULL) && ok;
      ok = ok && g_file_move (temporary, target,
                              G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                              NULL, NULL, NULL, error);
    }
  else
    g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);

  if (!ok)
    {
      g_file_delete (temporary, NULL, NULL);
      /* Errors of the store say what to do already. */
      if (error != NULL && *error != NULL && (*error)->domain == OBD_STORE_ERROR)
        return FALSE;
      goto failed;
    }
  return TRUE;

failed:
  if (error != NULL && *error != NULL
      && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) cause = g_steal_pointer (error);

      g_set_error (error, cause->domain, cause->code,
                   _("Could not write “%s”: %s. Nothing was written; choose another file with "
                     "-o FILE."), path, cause->message);
    }
  return FALSE;
}

int
obd_cli_cmd_export (ObdCli  *cli,
                    int      argc,
                    char   **argv)
{
  gboolean csv = FALSE;
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("CSV: one row per time, one column per PID"),
      NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to FILE instead of standard output"), "FILE" },
    { NULL }
  };
  g_autoptr(ObdStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ObdStoreFormat format;
  ObdCliReference kind;
  gint64 session_id;

  if (!obd_cli_parse_options (cli, "export", "SESSION", entries, &argc, &argv))
    return OBD_CLI_EXIT_USAGE;

  /* The global --json selects JSON: the session with its series, codes,
   * freeze frame, readiness and Mode 06 results. */
  if (csv == cli->json)
    return obd_cli_usage_error (_("Choose one format: --csv or --json."));
  if (output != NULL && output[0] == '\0')
    return obd_cli_usage_error (_("-o needs the name of the file to write, e.g. -o run.csv."));
  if (argc != 2)
    return obd_cli_usage_error (_("Name one session (its id or UUID), e.g. "
                                  "“obd2 export 3 --csv”; “obd2 sessions” lists them."));
  format = csv ? OBD_STORE_FORMAT_CSV : OBD_STORE_FORMAT_JSON;
  if (!obd_cli_parse_reference (_("session"), argv[1], FALSE, &kind, &session_id, &error))
    return obd_cli_fail (cli, error);

  store = obd_cli_open_store (cli, FALSE, &error);
  if (store == NULL)
    return obd_cli_fail (cli, error);

  session_id = obd_cli_find_session (store, argv[1], &error);
  if (session_id == 0)
    return obd_cli_fail (cli, error);

  if (output != NULL)
    {
      if (!export_to_file (cli, store, session_id, format, output, &error))
        return obd_cli_fail (cli, error);
    }
  else
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      fflush (stdout);
      if (!obd_store_export_session (store, session_id, format, cli->units, out,
                                     cli->cancellable, &error) ||
          !g_output_stream_flush (out, cli->cancellable, &error))
        return obd_cli_fail (cli, error);
    }

  return OBD_CLI_EXIT_OK;
}
