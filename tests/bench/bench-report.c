/* bench-report.c — printing the report of an hour-long session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session of one hour with the key readings at 5 samples a second (18 000
 * points per reading, 126 000 in all), 60 trouble codes and 10 freeze
 * frames, in a temporary store.  Each round gathers the report from the
 * store, lays it out on A4 and writes the PDF to memory, twice: once as
 * shipped (charts keep the lowest and highest value per point of width)
 * and once the simple way (every sample is a segment of the chart's line).
 * Everything else is the same code.  Rounds alternate so drift on a noisy
 * machine hits both alike; medians are reported.  The last line of output
 * is one JSON object; "ratio" is the simple way's time over ours.
 */
#define G_LOG_DOMAIN "bench-report"
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "obd-recorder.h"
#include "obd-report.h"
#include "obd-report-document.h"
#include "obd-report-private.h"

#define SECONDS   3600
#define RATE      5
#define ROUNDS    7

static const guint8 pids[] = { 0x0C, 0x0D, 0x05, 0x5C, 0x0F, 0x04, 0x42 };

static gint64
fill_store (ObdStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRecorder) recorder = obd_recorder_new (store, &error);
  gint64 vehicle, session;
  gint64 t0 = g_get_real_time () - (gint64) SECONDS * G_USEC_PER_SEC;

  g_assert_no_error (error);
  vehicle = obd_store_ensure_vehicle (store, "1HGCR2F30EA012345", "Honda", "Accord", 2014,
                                      &error);
  g_assert_no_error (error);
  session = obd_recorder_start_session (recorder, vehicle, "can11-500", "ELM327", "sim", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *code = g_strdup_printf ("P%04X", 0x0100 + i);

      obd_store_record_dtc (store, vehicle, session, code, OBD_DTC_KIND_STORED, 0x7E8, t0,
                            &error);
      g_assert_no_error (error);
    }
  for (guint f = 0; f < 10; f++)
    {
      ObdSample values[8];

      for (guint k = 0; k < G_N_ELEMENTS (values); k++)
        values[k] = (ObdSample) { .time_us = t0, .ecu = 0x7E8, .service = 2,
                                  .pid = k < G_N_ELEMENTS (pids) ? pids[k] : 0x11,
                                  .value = 10 + f + k };
      obd_store_add_freeze_frame (store, session, "P0300", 0x7E8, f, t0, values,
                                  G_N_ELEMENTS (values), &error);
      g_assert_no_error (error);
    }

  for (guint s = 0; s < SECONDS; s++)
    {
      g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample),
                                                   RATE * G_N_ELEMENTS (pids));

      for (guint r = 0; r < RATE; r++)
        for (guint k = 0; k < G_N_ELEMENTS (pids); k++)
          {
            double t = s + r / (double) RATE;
            ObdSample sample = {
              .time_us = t0 + (gint64) (t * G_USEC_PER_SEC),
              .ecu = 0x7E8,
              .service = 1,
              .pid = pids[k],
              .value = 50 + 40 * sin (t / 60.0 + k) + 5 * sin (t * 3.1),
            };

            g_array_append_val (batch, sample);
          }
      obd_recorder_push (recorder, batch);
    }
  obd_recorder_stop_session (recorder, &error);
  g_assert_no_error (error);
  return session;
}

typedef struct
{
  double model_ms;
  double layout_ms;
  double pdf_ms;
  double total_ms;
  gsize  bytes;
  guint  pages;
} Round;

static Round
print_once (ObdStore *store,
            gint64    session,
            gboolean  reduce)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdReport) report = NULL;
  g_autoptr(ObdReportDocument) doc = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  ObdReportOptions options = { .shop_name = "Bench Garage", .mechanic = "Bench" };
  Round round = { 0 };
  gint64 t0, t1, t2, t3;
  double w, h;

  obd_report_paper_get_size (OBD_REPORT_PAPER_A4, &w, &h);
  t0 = g_get_monotonic_time ();
  report = obd_report_new_from_store (store, session, &options, &error);
  g_assert_no_error (error);
  t1 = g_get_monotonic_time ();
  doc = _obd_report_document_new_full (report, w, h, reduce);
  t2 = g_get_monotonic_time ();
  if (!obd_report_document_write_pdf (doc, out, NULL, &error))
    g_error ("%s", error->message);
  g_output_stream_close (out, NULL, NULL);
  t3 = g_get_monotonic_time ();

  round.model_ms = (t1 - t0) / 1000.0;
  round.layout_ms = (t2 - t1) / 1000.0;
  round.pdf_ms = (t3 - t2) / 1000.0;
  round.total_ms = (t3 - t0) / 1000.0;
  round.bytes = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  round.pages = obd_report_document_get_n_pages (doc);
  return round;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), (int (*) (const void *, const void *)) compare_doubles);
  return values[n / 2];
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-report-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(ObdStore) store = NULL;
  double ours[ROUNDS], simple[ROUNDS], model[ROUNDS], layout[ROUNDS], pdf[ROUNDS];
  Round last_ours = { 0 }, last_simple = { 0 };
  gint64 session;

  g_assert_no_error (error);
  path = g_build_filename (dir, "store.db", NULL);
  store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  session = fill_store (store);

  /* One of each first: caches, fonts, page-ins. */
  print_once (store, session, TRUE);
  print_once (store, session, FALSE);

  for (guint i = 0; i < ROUNDS; i++)
    {
      last_ours = print_once (store, session, TRUE);
      last_simple = print_once (store, session, FALSE);
      ours[i] = last_ours.total_ms;
      simple[i] = last_simple.total_ms;
      model[i] = last_ours.model_ms;
      layout[i] = last_ours.layout_ms;
      pdf[i] = last_ours.pdf_ms;
      g_print ("round %u: ours %.1f ms (model %.1f, layout %.1f, pdf %.1f), every sample "
               "%.1f ms\n", i + 1, last_ours.total_ms, last_ours.model_ms,
               last_ours.layout_ms, last_ours.pdf_ms, last_simple.total_ms);
    }

  {
    double ours_ms = median (ours, ROUNDS);
    double simple_ms = median (simple, ROUNDS);

    g_print ("{\"name\": \"report-render\", \"ratio\": %.2f, \"ours_ms\": %.1f, "
             "\"reference_ms\": %.1f, \"model_ms\": %.1f, \"layout_ms\": %.1f, "
             "\"pdf_ms\": %.1f, \"pages\": %u, \"pdf_bytes\": %" G_GSIZE_FORMAT ", "
             "\"reference_pdf_bytes\": %" G_GSIZE_FORMAT ", \"samples\": %u, "
             "\"reference\": \"every sample stroked\"}\n",
             simple_ms / ours_ms, ours_ms, simple_ms, median (model, ROUNDS),
             median (layout, ROUNDS), median (pdf, ROUNDS), last_ours.pages, last_ours.bytes,
             last_simple.bytes, (guint) (SECONDS * RATE * G_N_ELEMENTS (pids)));
  }

  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
