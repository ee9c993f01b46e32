/* test-report.c — customer reports: the model from the store, the
 * inspection verdict, verification codes, pagination and the PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PDFs are read back with poppler's pdftotext and pdfinfo (Debian's
 * poppler-utils, installed by build-aux/deps.sh), which share no code
 * with cairo: what they find is what a reader of the file finds.
 */
#define G_LOG_DOMAIN "test-report"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "obd-recorder.h"
#include "obd-report.h"
#include "obd-report-code.h"
#include "obd-report-document.h"
#include "obd-report-private.h"
#include "obd-store-guide.h"
#include "test-wait.h"

#define VIN "1HGCR2F30EA012345"

TEST_LSAN_FONTCONFIG

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-report-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
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

      g_chmod (path, 0644);
      g_unlink (path);
    }
  g_chmod (f->dir, 0755);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static ObdStore *
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ObdStore *store = obd_store_open (f->path, OBD_STORE_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  return store;
}

static ObdSample
sample (gint64  time_us,
        guint8  service,
        guint8  pid,
        double  value)
{
  ObdSample s = { .time_us = time_us, .ecu = 0x7E8, .service = service, .pid = pid,
                  .value = value };
  return s;
}

/* What a visit holds; the defaults make a misfire visit. */
typedef struct
{
  guint     n_extra_codes;      /* more stored codes, P1000 upwards */
  guint     n_freeze_frames;
  guint     n_samples;
  gboolean  clear_midway;
  gboolean  incomplete_evap;
  const char *note;
  const char *only_code;        /* record just this stored code */
} Visit;

static gint64
add_vehicle (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) vehicle = NULL;
  gint64 id = obd_store_ensure_vehicle (store, VIN, "Honda", "Accord", 2014, &error);

  g_assert_no_error (error);
  vehicle = obd_store_get_vehicle (store, id, &error);
  g_assert_no_error (error);
  g_free (vehicle->owner_name);
  vehicle->owner_name = g_strdup ("Kim <Meyer> & Co");
  g_free (vehicle->plate);
  vehicle->plate = g_strdup ("M-AB 123");
  vehicle->odometer_km = 48210;
  obd_store_update_vehicle (store, vehicle, &error);
  g_assert_no_error (error);
  return id;
}

/* Records a visit through the real recorder and the store's calls, as
 * obd2 record and the app do. */
static gint64
record_visit (ObdStore    *store,
              gint64       vehicle,
              const Visit *visit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  gint64 t = g_get_real_time ();
  gint64 session;
  ObdStoreReadiness monitors[] = {
    { "misfire", TRUE, TRUE },
    { "fuel_system", TRUE, TRUE },
    { "components", TRUE, TRUE },
    { "catalyst", TRUE, FALSE },
    { "evap", TRUE, !visit->incomplete_evap },
    { "o2_sensor", TRUE, TRUE },
    { "secondary_air", FALSE, TRUE },
  };
  ObdStoreMode06Result results[] = {
    { 0x7E8, 0xA2, 0x0B, 148, 0, 65, FALSE, NULL },
    { 0x7E8, 0x21, 0x80, 0.3, 0, 0.5, TRUE, "ratio" },
  };

  g_assert_no_error (error);
  session = obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327 v2.1", "sim",
                                        &error);
  g_assert_no_error (error);

  if (visit->only_code != NULL)
    obd_store_record_dtc (store, vehicle, session, visit->only_code, OBD_DTC_KIND_STORED,
                          0x7E8, t, &error);
  else
    {
      obd_store_record_dtc (store, vehicle, session, "P0300", OBD_DTC_KIND_PERMANENT, 0x7E8, t,
                            &error);
      g_assert_no_error (error);
      obd_store_record_dtc (store, vehicle, session, "P0301", OBD_DTC_KIND_STORED, 0x7E8, t,
                            &error);
      g_assert_no_error (error);
      obd_store_record_dtc (store, vehicle, session, "P0420", OBD_DTC_KIND_STORED, 0x7E8, t,
                            &error);
    }
  g_assert_no_error (error);
  for (guint i = 0; i < visit->n_extra_codes; i++)
    {
      g_autofree char *code = g_strdup_printf ("P%04X", 0x1000 + i);

      obd_store_record_dtc (store, vehicle, session, code, OBD_DTC_KIND_STORED, 0x7E8, t,
                            &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < MAX (visit->n_freeze_frames, 1); i++)
    {
      ObdSample values[] = {
        sample (t, 2, 0x04, 22.4), sample (t, 2, 0x05, 87), sample (t, 2, 0x0C, 765 + i),
        sample (t, 2, 0x0D, 0), sample (t, 2, 0x06, 4.7), sample (t, 2, 0x0F, 29),
      };

      obd_store_add_freeze_frame (store, session, i == 0 ? "P0300" : "P0301", 0x7E8, i, t,
                                  values, G_N_ELEMENTS (values), &error);
      g_assert_no_error (error);
    }

  obd_store_add_readiness (store, session, t, monitors, G_N_ELEMENTS (monitors), &error);
  g_assert_no_error (error);
  obd_store_add_mode06_results (store, session, results, G_N_ELEMENTS (results), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < MAX (visit->n_samples, 2); i++)
    {
      gint64 when = t + i * 100000;
      ObdSample s[] = {
        sample (when, 1, 0x0C, 700 + 50 * sin (i / 5.0)),
        sample (when, 1, 0x05, 80 + i * 0.1),
        sample (when, 1, 0x42, 14.1),
      };

      g_array_append_vals (samples, s, G_N_ELEMENTS (s));
    }
  obd_recorder_push_samples (recorder, (const ObdSample *) samples->data, samples->len);
  obd_recorder_flush (recorder, NULL, &error);
  g_assert_no_error (error);

  if (visit->clear_midway)
    {
      obd_store_clear_dtcs (store, vehicle, "Anna", t + 1000, &error);
      g_assert_no_error (error);
      /* The misfire comes back as a pending code after the clear. */
      obd_store_record_dtc (store, vehicle, session, "P0301", OBD_DTC_KIND_PENDING, 0x7E8,
                            t + 2000, &error);
      g_assert_no_error (error);
    }

  obd_store_add_notification (store, vehicle, session, OBD_STORE_SEVERITY_CRITICAL,
                              "coolant-high", "Engine overheating", "Coolant at 112 °C.", &error);
  g_assert_no_error (error);
  if (visit->note != NULL)
    {
      obd_store_add_note (store, vehicle, session, "Anna", visit->note, &error);
      g_assert_no_error (error);
    }

  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  return session;
}

static ObdReport *
build_report (ObdStore *store,
              gint64    session)
{
  g_autoptr(GError) error = NULL;
  ObdReportOptions options = {
    .shop_name = "Garage Müller & Söhne <GmbH>",
    .shop_address = "Hauptstraße 12\n80331 München",
    .shop_phone = "+49 89 123456",
    .mechanic = "Anna Schmidt",
  };
  ObdReport *report = obd_report_new_from_store (store, session, &options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static const ObdReportCode *
find_code (const ObdReport     *report,
           const char          *code,
           ObdReportCodeStatus  status)
{
  for (guint i = 0; i < report->codes->len; i++)
    {
      const ObdReportCode *c = g_ptr_array_index (report->codes, i);

      if (g_str_equal (c->code, code) && c->status == status)
        return c;
    }
  return NULL;
}

/* The model ------------------------------------------------------------ */

static void
test_model_codes (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .clear_midway = TRUE };
  gint64 session = record_visit (store, vehicle, &visit);
  g_autoptr(ObdReport) report = build_report (store, session);
  const ObdReportCode *c;

  /* Permanent codes survive Mode 04. */
  c = find_code (report, "P0300", OBD_REPORT_CODE_PRESENT);
  g_assert_nonnull (c);
  g_assert_cmpuint (c->kinds, ==, 1u << OBD_DTC_KIND_PERMANENT);
  g_assert_cmpint (c->severity, ==, OBD_DTC_SEVERITY_CRITICAL);
  g_assert_nonnull (c->explanation);

  c = find_code (report, "P0420", OBD_REPORT_CODE_CLEARED);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->cleared_by, ==, "Anna");
  g_assert_null (find_code (report, "P0420", OBD_REPORT_CODE_PRESENT));

  /* Before: stored and cleared; after: back as pending. */
  g_assert_nonnull (find_code (report, "P0301", OBD_REPORT_CODE_CLEARED));
  c = find_code (report, "P0301", OBD_REPORT_CODE_RETURNED);
  g_assert_nonnull (c);
  g_assert_cmpuint (c->kinds, ==, 1u << OBD_DTC_KIND_PENDING);

  g_assert_cmpuint (report->codes->len, ==, 4);
  /* What is still wrong comes first, cleared codes last. */
  c = g_ptr_array_index (report->codes, report->codes->len - 1);
  g_assert_cmpint (c->status, ==, OBD_REPORT_CODE_CLEARED);
  c = g_ptr_array_index (report->codes, 0);
  g_assert_cmpint (c->status, !=, OBD_REPORT_CODE_CLEARED);
}

static void
test_model_content (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .n_samples = 50, .note = "Spark plug 1 replaced." };
  gint64 session;
  g_autoptr(ObdReport) report = NULL;
  const ObdReportSeries *rpm = NULL;
  const ObdReportFreezeFrame *frame;
  guint incomplete = 0;

  obd_store_add_maintenance_item (store, vehicle, "Oil and filter", 15000, 365, 30000,
                                  g_get_real_time () - 400 * G_TIME_SPAN_DAY, &error);
  g_assert_no_error (error);
  session = record_visit (store, vehicle, &visit);
  report = build_report (store, session);

  g_assert_cmpstr (report->customer, ==, "Kim <Meyer> & Co");
  g_assert_cmpstr (report->vehicle->vin, ==, VIN);
  g_assert_cmpfloat (report->odometer_km, ==, 48210);
  g_assert_nonnull (report->health);
  g_assert_true (report->health_current);

  g_assert_cmpuint (report->freeze_frames->len, ==, 1);
  frame = g_ptr_array_index (report->freeze_frames, 0);
  g_assert_cmpstr (frame->dtc, ==, "P0300");
  g_assert_nonnull (frame->dtc_title);
  g_assert_cmpuint (frame->values->len, ==, 6);

  for (guint i = 0; i < report->monitors->len; i++)
    {
      const ObdReportMonitor *m = g_ptr_array_index (report->monitors, i);

      if (m->available && !m->complete)
        incomplete++;
    }
  g_assert_cmpuint (report->monitors->len, ==, 7);
  g_assert_cmpuint (incomplete, ==, 1);
  /* Stored P0301 lights the lamp, whatever the monitors say. */
  g_assert_cmpint (report->inspection.verdict, ==, OBD_INSPECTION_CODES);

  g_assert_cmpuint (report->mode06->len, ==, 2);

  for (guint i = 0; i < report->series->len; i++)
    {
      const ObdReportSeries *s = g_ptr_array_index (report->series, i);

      if (s->pid == 0x0C)
        rpm = s;
    }
  g_assert_nonnull (rpm);
  g_assert_cmpuint (rpm->points->len, ==, 50);
  g_assert_cmpfloat (rpm->min, >=, 650);
  g_assert_cmpfloat (rpm->max, <=, 750);
  g_assert_cmpfloat (rpm->min, <=, rpm->mean);
  g_assert_cmpfloat (rpm->mean, <=, rpm->max);

  g_assert_cmpuint (report->alerts->len, ==, 1);
  g_assert_cmpuint (report->notes->len, ==, 1);
  g_assert_cmpuint (report->services->len, ==, 1);
  g_assert_cmpint (((ObdReportService *) g_ptr_array_index (report->services, 0))->forecast.status,
                   ==, OBD_SERVICE_STATUS_OVERDUE);

  g_assert_cmpint (report->integrity, ==, OBD_REPORT_INTEGRITY_INTACT);
  g_assert_nonnull (report->verification_code);
  g_assert_cmpuint (strlen (report->verification_code), ==, 19);
}

/* The findings of a guided repair finished during the visit reach the
 * report with their repairs; an abandoned run and a run of another
 * session do not. */
static void
test_model_guides (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .n_samples = 10 };
  gint64 session = record_visit (store, vehicle, &visit);
  gint64 other = record_visit (store, vehicle, &visit);
  g_autoptr(ObdStoreGuideFinding) finding = obd_store_guide_finding_new ();
  ObdStoreGuideRepair *repair = g_new0 (ObdStoreGuideRepair, 1);
  g_autoptr(ObdReport) report = NULL;
  const ObdReportFinding *found;
  const ObdReportRecommendation *work;
  gint64 run;

  finding->finding_id = g_strdup ("coil");
  finding->kind = g_strdup ("fault");
  finding->title = g_strdup ("Ignition coil of cylinder 1 failed");
  finding->text = g_strdup ("The misfire moved with the coil.");
  repair->title = g_strdup ("Replace the ignition coil");
  repair->hours = 0.3;
  repair->max_hours = 0.8;
  g_ptr_array_add (finding->repairs, repair);

  run = obd_store_start_guide_run (store, vehicle, session, "misfire", 1, "Misfire", "P0301",
                                   "swap", g_get_real_time (), &error);
  g_assert_no_error (error);
  g_assert_true (obd_store_finish_guide_run (store, run, finding, g_get_real_time (), &error));
  g_assert_no_error (error);
  run = obd_store_start_guide_run (store, vehicle, session, "lean", 1, "Lean mixture", NULL,
                                   "trims", g_get_real_time (), &error);
  g_assert_no_error (error);
  g_assert_true (obd_store_abandon_guide_run (store, run, &error));
  g_assert_no_error (error);
  run = obd_store_start_guide_run (store, vehicle, other, "misfire", 1, "Misfire", NULL,
                                   "swap", g_get_real_time (), &error);
  g_assert_no_error (error);
  g_assert_true (obd_store_finish_guide_run (store, run, finding, g_get_real_time (), &error));
  g_assert_no_error (error);

  report = build_report (store, session);
  g_assert_cmpuint (report->findings->len, ==, 1);
  found = g_ptr_array_index (report->findings, 0);
  g_assert_cmpstr (found->title, ==, "Ignition coil of cylinder 1 failed");
  g_assert_cmpstr (found->detail, ==, "The misfire moved with the coil.");
  g_assert_cmpuint (report->recommendations->len, ==, 1);
  work = g_ptr_array_index (report->recommendations, 0);
  g_assert_cmpstr (work->title, ==, "Replace the ignition coil");
  g_assert_cmpfloat (work->labour_hours, ==, 0.3);
  g_assert_nonnull (strstr (work->detail, "Misfire"));
  g_assert_nonnull (strstr (work->detail, "0.8"));
}

/* Only powertrain codes light the engine warning lamp that fails an
 * inspection; a network code does not. */
static void
test_model_inspection_codes (Fixture       *f,
                             gconstpointer  data)
{
  static const struct
  {
    const char           *code;
    ObdInspectionVerdict  verdict;
  } cases[] = {
    { "U0100", OBD_INSPECTION_READY },
    { "B1000", OBD_INSPECTION_READY },
    { "P0562", OBD_INSPECTION_CODES },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s-%u", f->path, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
      gint64 vehicle;
      Visit visit = { .only_code = cases[i].code };
      g_autoptr(ObdReport) report = NULL;

      g_assert_no_error (error);
      vehicle = add_vehicle (store);
      report = build_report (store, record_visit (store, vehicle, &visit));
      g_assert_cmpuint (report->inspection.n_incomplete, ==, 1);
      g_assert_cmpint (report->inspection.verdict, ==, cases[i].verdict);
    }
}

/* A later session makes the health scores "as last checked". */
static void
test_model_health_current (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  gint64 first = record_visit (store, vehicle, &visit);
  gint64 second = record_visit (store, vehicle, &visit);
  g_autoptr(ObdReport) old = build_report (store, first);
  g_autoptr(ObdReport) now = build_report (store, second);

  g_assert_false (old->health_current);
  g_assert_true (now->health_current);
  g_assert_cmpfloat (old->health->vehicle_score, ==, now->health->vehicle_score);
}

static void
test_model_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  ObdReportOptions options = { 0 };
  ObdReport *report = obd_report_new_from_store (store, 42, &options, &error);

  g_assert_null (report);
  g_assert_error (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND);
}

/* A session without a vehicle (the car reported no VIN) still reports. */
static void
test_model_no_vehicle (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  ObdSample s = sample (g_get_real_time (), 1, 0x0C, 800);
  g_autoptr(ObdReport) report = NULL;
  g_autoptr(ObdReportDocument) doc = NULL;
  gint64 session;

  session = obd_recorder_start_session (recorder, 0, "can11-500", "ELM327", "sim", &error);
  g_assert_no_error (error);
  obd_recorder_push_samples (recorder, &s, 1);
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);

  report = build_report (store, session);
  g_assert_null (report->vehicle);
  g_assert_null (report->health);
  g_assert_cmpuint (report->codes->len, ==, 0);
  g_assert_cmpint (report->inspection.verdict, ==, OBD_INSPECTION_UNKNOWN);
  doc = obd_report_document_new (report, 595.28, 841.89);
  g_assert_cmpuint (obd_report_document_get_n_pages (doc), >=, 1);
}

/* Inspection ----------------------------------------------------------- */

static void
test_inspection (void)
{
  static const struct
  {
    int                  year;
    guint                incomplete;
    gboolean             codes;
    ObdInspectionVerdict verdict;
  } cases[] = {
    { 2014, 0, FALSE, OBD_INSPECTION_READY },
    { 2014, 1, FALSE, OBD_INSPECTION_READY },
    { 2014, 2, FALSE, OBD_INSPECTION_NOT_READY },
    { 2001, 2, FALSE, OBD_INSPECTION_NOT_READY },
    { 2000, 2, FALSE, OBD_INSPECTION_READY },
    { 1996, 2, FALSE, OBD_INSPECTION_READY },
    { 1996, 3, FALSE, OBD_INSPECTION_NOT_READY },
    { 0, 1, FALSE, OBD_INSPECTION_READY },
    { 0, 2, FALSE, OBD_INSPECTION_NOT_READY },
    { 2014, 0, TRUE, OBD_INSPECTION_CODES },
    { 1990, 0, FALSE, OBD_INSPECTION_UNKNOWN },
  };
  ObdReportMonitor monitors[6] = {
    { .key = (char *) "catalyst", .label = "Catalyst", .available = TRUE },
    { .key = (char *) "evap", .label = "Evaporative system", .available = TRUE },
    { .key = (char *) "egr_vvt", .label = "EGR/VVT system", .available = TRUE },
    { .key = (char *) "o2_sensor", .label = "Oxygen sensor", .available = TRUE },
    /* Not fitted: never counts, complete or not. */
    { .key = (char *) "secondary_air", .label = "Secondary air", .available = FALSE },
    { .key = (char *) "misfire", .label = "Misfire", .available = TRUE, .complete = TRUE,
      .continuous = TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObdReportInspection out = { 0 };

      for (guint m = 0; m < 4; m++)
        monitors[m].complete = m >= cases[i].incomplete;
      obd_report_evaluate_inspection (monitors, G_N_ELEMENTS (monitors), cases[i].year,
                                      cases[i].codes, &out);
      g_test_message ("case %u: year %d, %u incomplete", i, cases[i].year,
                      cases[i].incomplete);
      g_assert_cmpint (out.verdict, ==, cases[i].verdict);
      g_assert_cmpuint (out.n_incomplete, ==, cases[i].incomplete);
      g_assert_cmpuint (out.incomplete->len, ==, cases[i].incomplete);
      if (cases[i].incomplete > 0)
        g_assert_cmpstr (g_ptr_array_index (out.incomplete, 0), ==, "Catalyst");
      g_ptr_array_unref (out.incomplete);
    }

  {
    ObdReportInspection out = { 0 };

    obd_report_evaluate_inspection (NULL, 0, 2014, FALSE, &out);
    g_assert_cmpint (out.verdict, ==, OBD_INSPECTION_UNKNOWN);
    g_ptr_array_unref (out.incomplete);
  }
}

/* Verification codes --------------------------------------------------- */

static void
test_code_format (void)
{
  static const char *hash =
    "09f9a7362732c0140a51fce5efbdfb689b4f6c6333919871702524941ff4878b";
  static const char *good[] = {
    "09F9-A736-2732-C014", "09f9-a736-2732-c014", "09F9A7362732C014", " 09f9 a736 2732 c014 ",
    "09f9a7362732c0140a51fce5efbdfb689b4f6c6333919871702524941ff4878b",
  };
  static const char *bad[] = {
    "", "09F9-A736-2732", "09F9-A736-2732-C01", "09F9-A736-2732-C0145", "09F9-A736-2732-C01G",
    "09F9_A736_2732_C014", "Ö9F9-A736-2732-C014",
    "09f9a7362732c0140a51fce5efbdfb689b4f6c6333919871702524941ff4878", /* 63 */
  };
  g_autofree char *code = obd_report_code_from_hash (hash);

  g_assert_cmpstr (code, ==, "09F9-A736-2732-C014");
  g_assert_null (obd_report_code_from_hash ("09f9a7"));
  g_assert_null (obd_report_code_from_hash ("zzf9a7362732c0140a51"));
  g_assert_null (obd_report_code_from_hash (NULL));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      char digits[OBD_REPORT_CODE_DIGITS + 1];
      g_autoptr(GError) error = NULL;

      g_assert_true (obd_report_code_parse (good[i], digits, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (digits, ==, "09f9a7362732c014");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      char digits[OBD_REPORT_CODE_DIGITS + 1];
      g_autoptr(GError) error = NULL;

      g_test_message ("bad code “%s”", bad[i]);
      g_assert_false (obd_report_code_parse (bad[i], digits, &error));
      g_assert_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_INVALID_CODE);
    }
}

static ObdReportCodeCheck
check_code (ObdStore   *store,
            const char *code)
{
  char digits[OBD_REPORT_CODE_DIGITS + 1];
  g_autoptr(GError) error = NULL;
  ObdReportCodeCheck check;

  g_assert_true (obd_report_code_parse (code, digits, &error));
  g_assert_true (obd_report_code_verify (store, digits, &check, &error));
  g_assert_no_error (error);
  return check;
}

static char *
code_of (ObdStore *store,
         gint64    session)
{
  g_autoptr(ObdReport) report = build_report (store, session);

  return g_strdup (report->verification_code);
}

static void
test_code_verify (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  gint64 first = record_visit (store, vehicle, &visit);
  gint64 second = record_visit (store, vehicle, &visit);
  gint64 third = record_visit (store, vehicle, &visit);
  g_autofree char *code1 = code_of (store, first);
  g_autofree char *code2 = code_of (store, second);
  g_autofree char *code3 = code_of (store, third);
  g_autofree char *sql = NULL;
  ObdReportCodeCheck check;

  check = check_code (store, code2);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_INTACT);
  g_assert_cmpint (check.session_id, ==, second);
  g_assert_cmpint (check.first_bad, ==, 0);

  check = check_code (store, "0000-0000-0000-0000");
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_UNKNOWN);
  g_assert_cmpint (check.session_id, ==, 0);

  /* One recorded value of the first session changes. */
  sql = g_strdup_printf ("UPDATE samples SET value = value + 1 WHERE session_id = %"
                         G_GINT64_FORMAT " AND pid = 12 AND time_us = (SELECT min (time_us)"
                         " FROM samples WHERE session_id = %" G_GINT64_FORMAT ")",
                         first, first);
  raw_exec (f->path, sql);

  check = check_code (store, code1);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_CHANGED);
  g_assert_cmpint (check.first_bad, ==, first);
  check = check_code (store, code3);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_HISTORY_BROKEN);
  g_assert_cmpint (check.session_id, ==, third);
  g_assert_cmpint (check.first_bad, ==, first);

  /* A report of the changed session says so. */
  {
    g_autoptr(ObdReport) report = build_report (store, first);

    g_assert_cmpint (report->integrity, ==, OBD_REPORT_INTEGRITY_CHANGED);
  }

  /* Re-sealing the changed session by hand changes its code: the printed
   * code then matches nothing. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *rehash = obd_store_compute_session_hash (store, first, &error);
    g_autofree char *update = NULL;

    g_assert_no_error (error);
    update = g_strdup_printf ("UPDATE sessions SET hash = '%s' WHERE id = %" G_GINT64_FORMAT,
                              rehash, first);
    raw_exec (f->path, update);
  }
  check = check_code (store, code1);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_UNKNOWN);
  check = check_code (store, code2);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_HISTORY_BROKEN);
  g_assert_cmpint (check.first_bad, ==, second);
}

/* A store whose sessions link in a circle must not hang the check. */
static void
test_code_verify_cycle (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  gint64 first = record_visit (store, vehicle, &visit);
  gint64 second = record_visit (store, vehicle, &visit);
  g_autofree char *code2 = code_of (store, second);
  g_autofree char *sql = g_strdup_printf ("UPDATE sessions SET prev_hash = (SELECT hash FROM "
                                          "sessions WHERE id = %" G_GINT64_FORMAT ") WHERE id "
                                          "= %" G_GINT64_FORMAT, second, first);
  ObdReportCodeCheck check;

  raw_exec (f->path, sql);
  check = check_code (store, code2);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_HISTORY_BROKEN);
  g_assert_cmpint (check.first_bad, ==, first);
}

/* Layout --------------------------------------------------------------- */

typedef struct
{
  double x, y, w, h;
  guint page;
  ObdReportLineKind kind;
  char *text;
} Line;

static void
line_clear (Line *line)
{
  g_free (line->text);
}

static void
collect_line_cb (guint              page,
                 ObdReportLineKind  kind,
                 double             x,
                 double             y,
                 double             width,
                 double             height,
                 const char        *text,
                 gpointer           data)
{
  Line line = { x, y, width, height, page, kind, g_strdup (text) };

  g_array_append_val ((GArray *) data, line);
}

static GArray *
collect_lines (ObdReportDocument *doc)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));

  g_array_set_clear_func (lines, (GDestroyNotify) line_clear);
  _obd_report_document_foreach_line (doc, collect_line_cb, lines);
  return lines;
}

/* Every line of the flow is drawn once, inside the page's body, and no two
 * lines of a page overlap; headings never end a page. */
static void
assert_layout_sound (ObdReportDocument *doc,
                     const char * const *headings)
{
  g_autoptr(GArray) lines = collect_lines (doc);
  guint n_pages = obd_report_document_get_n_pages (doc);
  guint flow = 0;
  double pw, ph;
  const double eps = 0.05;

  obd_report_document_get_page_size (doc, &pw, &ph);

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = &g_array_index (lines, Line, i);
      double left, top, right, bottom;

      g_assert_cmpuint (l->page, <, n_pages);
      _obd_report_document_get_body (doc, l->page, &left, &top, &right, &bottom);
      if (l->kind == OBD_REPORT_LINE_FLOW)
        flow++;
      if (l->kind == OBD_REPORT_LINE_MARGIN)
        {
          left = 0;
          top = 0;
          bottom = ph;
          right = pw;
        }
      if (l->x < left - eps || l->x + l->w > right + eps || l->y < top - eps ||
          l->y + l->h > bottom + eps)
        g_error ("line “%s” on page %u at (%.2f, %.2f) %.2f × %.2f lies outside "
                 "(%.2f, %.2f)–(%.2f, %.2f)", l->text, l->page + 1, l->x, l->y, l->w, l->h,
                 left, top, right, bottom);

      for (guint j = i + 1; j < lines->len; j++)
        {
          const Line *o = &g_array_index (lines, Line, j);
          double dx, dy;

          if (o->page != l->page || o->w <= 0 || l->w <= 0)
            continue;
          dx = MIN (l->x + l->w, o->x + o->w) - MAX (l->x, o->x);
          dy = MIN (l->y + l->h, o->y + o->h) - MAX (l->y, o->y);
          if (dx > 0.5 && dy > 0.5)
            g_error ("lines “%s” and “%s” overlap on page %u", l->text, o->text, l->page + 1);
        }
    }
  g_assert_cmpuint (flow, ==, _obd_report_document_count_lines (doc));

  for (guint p = 0; p < n_pages; p++)
    {
      const Line *last = NULL;
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", p + 1, n_pages);
      gboolean has_footer = FALSE;

      for (guint i = 0; i < lines->len; i++)
        {
          const Line *l = &g_array_index (lines, Line, i);

          if (l->page != p)
            continue;
          if (l->kind == OBD_REPORT_LINE_MARGIN && g_str_equal (l->text, footer))
            has_footer = TRUE;
          if (l->kind == OBD_REPORT_LINE_FLOW && (last == NULL || l->y >= last->y))
            last = l;
        }
      g_assert_true (has_footer);
      if (p + 1 < n_pages && last != NULL)
        for (guint h = 0; headings != NULL && headings[h] != NULL; h++)
          if (g_str_equal (last->text, headings[h]))
            g_error ("heading “%s” ends page %u", last->text, p + 1);
    }
}

static const char * const section_headings[] = {
  "Health by system", "Trouble codes", "Freeze frames", "Emissions readiness",
  "On-board test results", "Key readings during the test", "Warnings during the test",
  "Findings and recommended work", "Maintenance", "Mechanic’s notes", "Verification",
  NULL
};

static void
test_layout_long (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GString) note = g_string_new (NULL);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .n_extra_codes = 90, .n_freeze_frames = 25, .n_samples = 3000,
                  .clear_midway = TRUE };
  g_autoptr(ObdReport) report = NULL;
  gboolean repeated = FALSE;

  for (guint i = 0; i < 400; i++)
    g_string_append (note, "The customer reports rough idle when cold. ");
  /* One word far wider than any column. */
  for (guint i = 0; i < 300; i++)
    g_string_append_c (note, 'W');
  visit.note = note->str;

  report = build_report (store, record_visit (store, vehicle, &visit));
  for (guint i = 0; i < 30; i++)
    obd_report_add_finding (report, "Ignition coil 1 weak", "Swapping coils moved the misfire.");
  obd_report_add_recommendation (report, "Replace ignition coil 1", NULL, 0.5);
  obd_report_add_recommendation (report, "Inspect for vacuum leaks", "Smoke test", NAN);

  for (ObdReportPaper paper = OBD_REPORT_PAPER_A4; paper <= OBD_REPORT_PAPER_LETTER; paper++)
    {
      g_autoptr(ObdReportDocument) doc = NULL;
      g_autoptr(GArray) lines = NULL;
      double w, h;

      obd_report_paper_get_size (paper, &w, &h);
      doc = obd_report_document_new (report, w, h);
      g_assert_cmpuint (obd_report_document_get_n_pages (doc), >=, 6);
      assert_layout_sound (doc, section_headings);

      lines = collect_lines (doc);
      for (guint i = 0; i < lines->len; i++)
        if (g_array_index (lines, Line, i).kind == OBD_REPORT_LINE_REPEAT)
          repeated = TRUE;
      g_assert_true (repeated);
    }
}

/* The long layout again on a page just big enough for the writer, where
 * rows are taller than a fraction of the page. */
static void
test_layout_small_page (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .n_extra_codes = 20, .n_freeze_frames = 3, .n_samples = 100 };
  g_autoptr(ObdReport) report = build_report (store, record_visit (store, vehicle, &visit));
  g_autoptr(ObdReportDocument) doc = obd_report_document_new (report, 300, 400);

  assert_layout_sound (doc, section_headings);
}

/* Values no car sends, from a damaged or hostile store. */
static void
test_layout_hostile (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStoreVehicle) v = NULL;
  g_autoptr(GString) huge = g_string_new (NULL);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .n_samples = 20 };
  gint64 session;
  g_autofree char *sql = NULL;
  g_autoptr(ObdReport) report = NULL;
  g_autoptr(ObdReportDocument) doc = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  for (guint i = 0; i < 2000; i++)
    g_string_append (huge, "<b>&amp;");
  v = obd_store_get_vehicle (store, vehicle, &error);
  g_assert_no_error (error);
  g_free (v->model);
  v->model = g_strdup (huge->str);
  obd_store_update_vehicle (store, v, &error);
  g_assert_no_error (error);

  session = record_visit (store, vehicle, &visit);
  sql = g_strdup_printf ("UPDATE samples SET value = 1e300 WHERE session_id = %" G_GINT64_FORMAT
                         " AND pid = 12 AND time_us = (SELECT min (time_us) FROM samples);"
                         "UPDATE samples SET value = -9e999 WHERE session_id = %"
                         G_GINT64_FORMAT " AND pid = 5 AND time_us = (SELECT max (time_us)"
                         " FROM samples);"
                         "UPDATE samples SET value = 1e17 WHERE session_id = %" G_GINT64_FORMAT
                         " AND pid = 66;"
                         "UPDATE mode06_results SET value = 1e300, min = NULL;"
                         "UPDATE freeze_frame_values SET value = -1e308;"
                         "UPDATE readiness SET monitor = 'no such monitor ' || monitor;"
                         "UPDATE dtc_events SET code = 'X' WHERE code = 'P0420';",
                         session, session, session);
  raw_exec (f->path, sql);

  report = build_report (store, session);
  g_assert_cmpint (report->integrity, ==, OBD_REPORT_INTEGRITY_CHANGED);
  doc = obd_report_document_new (report, 595.28, 841.89);
  assert_layout_sound (doc, section_headings);
  g_assert_true (obd_report_document_write_pdf (doc, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), >,
                    1000);
}

/* PDF ------------------------------------------------------------------ */

/* Runs a poppler tool and returns what it printed. */
static char *
run_tool (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (process == NULL)
    g_error ("%s is needed to read the PDF back (Debian package poppler-utils, installed by "
             "build-aux/deps.sh): %s", argv[0], error->message);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };

  return run_tool (argv);
}

static char *
pdf_info (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };

  return run_tool (argv);
}

/* Whether data holds needle; the file has NUL bytes in its fonts, so no
 * string search. */
static gboolean
has_bytes (const char *data,
           gsize       len,
           const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* The code as printed, read back from the PDF's text. */
static char *
find_printed_code (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("Verification code\\s+([0-9A-F]{4}-[0-9A-F]{4}-"
                                         "[0-9A-F]{4}-[0-9A-F]{4})", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, text, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static void
test_pdf_text (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) logo_error = NULL;
  gint64 vehicle = add_vehicle (store);
  Visit visit = { .clear_midway = TRUE, .incomplete_evap = TRUE, .n_samples = 200 };
  gint64 session = record_visit (store, vehicle, &visit);
  g_autoptr(ObdReport) report = build_report (store, session);
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (pdf);
  g_autofree char *text = NULL;
  g_autofree char *flat = NULL;
  g_autofree char *code = NULL;
  ObdReportCodeCheck check;

  obd_report_add_finding (report, "Coil 1 weak", NULL);
  obd_report_add_recommendation (report, "Replace ignition coil 1", NULL, 0.5);
  g_assert_true (obd_report_export_pdf (report, OBD_REPORT_PAPER_A4, file, NULL, &logo_error,
                                        &error));
  g_assert_no_error (error);
  g_assert_no_error (logo_error);

  /* Section headings are the PDF's bookmarks. */
  {
    g_autofree char *bytes = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (pdf, &bytes, &len, NULL));
    g_assert_true (has_bytes (bytes, len, "/Outlines"));
    g_assert_true (has_bytes (bytes, len, "(Trouble codes)"));
    g_assert_true (has_bytes (bytes, len, "(Verification)"));
  }

  text = pdf_text (pdf);
  /* Words only, one space between: line breaks and columns do not matter. */
  {
    g_autoptr(GRegex) blanks = g_regex_new ("\\s+", 0, 0, NULL);

    flat = g_regex_replace_literal (blanks, text, -1, 0, " ", 0, NULL);
  }
  g_test_message ("%s", flat);

  g_assert_nonnull (strstr (flat, VIN));
  g_assert_nonnull (strstr (flat, "Garage Müller & Söhne <GmbH>"));
  g_assert_nonnull (strstr (flat, "Kim <Meyer> & Co"));
  g_assert_nonnull (strstr (flat, "Anna Schmidt"));
  g_assert_nonnull (strstr (flat, "P0300"));
  g_assert_nonnull (strstr (flat, "Random/Multiple Cylinder Misfire Detected"));
  g_assert_nonnull (strstr (flat, "P0420"));
  g_assert_nonnull (strstr (flat, "Came back after clearing"));
  g_assert_nonnull (strstr (flat, "Cleared at"));
  g_assert_nonnull (strstr (flat, obd_health_status_get_label (report->health->status)));
  g_assert_nonnull (strstr (flat, "Not ready for an emissions inspection"));
  g_assert_nonnull (strstr (flat, "Replace ignition coil 1"));
  g_assert_nonnull (strstr (flat, "Engine overheating"));
  g_assert_nonnull (strstr (flat, "Page 1 of"));
  g_assert_nonnull (strstr (flat, "obd2 sessions --verify"));

  code = find_printed_code (flat);
  g_assert_nonnull (code);
  g_assert_cmpstr (code, ==, report->verification_code);
  check = check_code (store, code);
  g_assert_cmpint (check.result, ==, OBD_REPORT_CODE_INTACT);
  g_assert_cmpint (check.session_id, ==, session);
}

static void
test_pdf_paper (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  g_autoptr(ObdReport) report = build_report (store, record_visit (store, vehicle, &visit));
  static const struct
  {
    ObdReportPaper  paper;
    const char     *size;
  } papers[] = {
    { OBD_REPORT_PAPER_A4, "595.28 x 841.89 pts (A4)" },
    { OBD_REPORT_PAPER_LETTER, "612 x 792 pts (letter)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autofree char *pdf = g_build_filename (f->dir, "paper.pdf", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (pdf);
      g_autoptr(GError) error = NULL;
      g_autofree char *info = NULL;
      g_autofree char *text = NULL;

      g_assert_true (obd_report_export_pdf (report, papers[i].paper, file, NULL, NULL, &error));
      g_assert_no_error (error);
      info = pdf_info (pdf);
      g_test_message ("%s", info);
      g_assert_nonnull (strstr (info, papers[i].size));
      g_assert_nonnull (strstr (info, "Title:"));
      text = pdf_text (pdf);
      g_assert_nonnull (strstr (text, VIN));
    }

  {
    ObdReportPaper paper;

    g_assert_true (obd_report_paper_parse ("A4", &paper));
    g_assert_cmpint (paper, ==, OBD_REPORT_PAPER_A4);
    g_assert_true (obd_report_paper_parse ("letter", &paper));
    g_assert_cmpint (paper, ==, OBD_REPORT_PAPER_LETTER);
    g_assert_false (obd_report_paper_parse ("legal", &paper));
    g_assert_false (obd_report_paper_parse (NULL, &paper));
  }
}

/* A failed export keeps what was there and leaves no temporary file. */
static void
test_pdf_atomic (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  g_autoptr(ObdReport) report = build_report (store, record_visit (store, vehicle, &visit));
  g_autofree char *pdf = g_build_filename (f->dir, "keep.pdf", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "r.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (pdf);
  g_autoptr(GFile) nowhere = g_file_new_for_path (missing);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_files = 0;

  g_assert_true (g_file_set_contents (pdf, "an earlier report", -1, NULL));
  g_cancellable_cancel (cancelled);
  g_assert_false (obd_report_export_pdf (report, OBD_REPORT_PAPER_A4, file, cancelled, NULL,
                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "an earlier report");

  g_assert_false (obd_report_export_pdf (report, OBD_REPORT_PAPER_A4, nowhere, NULL, NULL,
                                         &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_has_prefix (name, "store.db"))
      n_files++;
  g_assert_cmpuint (n_files, ==, 1);
}

/* Logos ---------------------------------------------------------------- */

static char *
write_png (const char *dir,
           int         width,
           int         height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  char *path = g_build_filename (dir, "logo.png", NULL);

  cairo_set_source_rgb (cr, 0.1, 0.3, 0.6);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.5, 0, 2 * G_PI);
  cairo_fill (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return path;
}

static void
test_logo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ObdStore) store = open_store (f);
  gint64 vehicle = add_vehicle (store);
  Visit visit = { 0 };
  gint64 session = record_visit (store, vehicle, &visit);
  g_autofree char *png = write_png (f->dir, 300, 120);
  g_autofree char *junk = g_build_filename (f->dir, "junk.png", NULL);
  g_autofree char *absent = g_build_filename (f->dir, "absent.png", NULL);
  const char *paths[] = { png, junk, absent };
  /* A real PNG header claiming 50000 × 50000 pixels and nothing after. */
  static const guint8 bomb[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0xC3, 0x50, 0, 0, 0xC3, 0x50, 8, 6, 0, 0, 0,
  };

  g_assert_true (g_file_set_contents (junk, "GIF89a not a png", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      ObdReportOptions options = { .logo_path = paths[i] };
      g_autoptr(ObdReport) report = obd_report_new_from_store (store, session, &options, &error);
      g_autoptr(ObdReportDocument) doc = NULL;
      const GError *logo_error;

      g_assert_no_error (error);
      doc = obd_report_document_new (report, 595.28, 841.89);
      logo_error = obd_report_document_get_logo_error (doc);
      if (i == 0)
        g_assert_no_error ((GError *) logo_error);
      else
        g_assert_error ((GError *) logo_error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO);
      assert_layout_sound (doc, section_headings);
    }

  {
    g_autoptr(GError) error = NULL;
    guint w, h;

    g_assert_false (_obd_report_png_get_size (bomb, sizeof bomb, &w, &h, &error));
    g_assert_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO);
    g_clear_error (&error);
    g_assert_false (_obd_report_png_get_size (bomb, 20, &w, &h, &error));
    g_assert_error (error, OBD_REPORT_ERROR, OBD_REPORT_ERROR_LOGO);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/report/model/codes", test_model_codes);
  ADD ("/report/model/content", test_model_content);
  ADD ("/report/model/guides", test_model_guides);
  ADD ("/report/model/health-current", test_model_health_current);
  ADD ("/report/model/inspection-codes", test_model_inspection_codes);
  ADD ("/report/model/errors", test_model_errors);
  ADD ("/report/model/no-vehicle", test_model_no_vehicle);
  g_test_add_func ("/report/inspection", test_inspection);
  g_test_add_func ("/report/code/format", test_code_format);
  ADD ("/report/code/verify", test_code_verify);
  ADD ("/report/code/verify-cycle", test_code_verify_cycle);
  ADD ("/report/layout/long", test_layout_long);
  ADD ("/report/layout/small-page", test_layout_small_page);
  ADD ("/report/layout/hostile", test_layout_hostile);
  ADD ("/report/pdf/text", test_pdf_text);
  ADD ("/report/pdf/paper", test_pdf_paper);
  ADD ("/report/pdf/atomic", test_pdf_atomic);
  ADD ("/report/logo", test_logo);

  return g_test_run ();
}
