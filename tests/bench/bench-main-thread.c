/* bench-main-thread.c — how long the GTK main thread stalls while a
 * mechanic works on a big store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real window on a store of 1.08 million samples in 60 sessions of 12
 * vehicles (about three hours of recording), seeded through ObdRecorder
 * before anything is measured.  Then, as a person would: connect to the
 * simulated car (real timing), record, walk through every page, open the
 * history, replay the newest long session, verify the hash chain, switch
 * to the fleet view (every vehicle's health from the store), back to the
 * mechanic's pages, stop recording and disconnect.
 *
 * Every main-loop iteration is timed by a poll function: the time from
 * one poll's return to the next poll's start is what the main thread
 * spent dispatching (events, layout, drawing, our handlers) — a stall if
 * it exceeds a frame.  The last line is one JSON object: the worst and the
 * 99th-percentile iteration, ratio = 16 ms ÷ worst (≥ 1 meets the goal),
 * and the worst iteration of each step so a regression points at its
 * cause.  With OBD2_BENCH_TRACE set, every iteration over 3 ms is printed
 * on stderr as it ends (monotonic µs it began, step, page, its number in
 * the step, total = layout + paint, CPU, page faults), to follow a page's
 * frames.
 *
 * Each iteration also counts the main thread's page faults, and the
 * program times one at its start: on a virtual machine a first touch of
 * fresh memory can cost microseconds a page, and the first frame of a
 * page touches megabytes (GTK's image of the frame and its copy for the
 * X server).  "CPU less its page faults" is what the main thread's own
 * work cost, at that price.
 */
/* RUSAGE_THREAD */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "bench-main-thread"
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "obd-app-util.h"
#include "obd-fleet-page.h"
#include "obd-history-page.h"
#include "obd-recorder.h"
#include "obd-row.h"
#include "obd-session.h"
#include "obd-sim-transport.h"
#include "obd-store.h"
#include "obd-store-service.h"
#include "obd-trend-chart.h"
#include "obd-window.h"

#define FRAME_US          16000
#define N_VEHICLES        12
#define N_SESSIONS        60
#define SAMPLES_PER_SESSION 18000
#define BATCH             40
/* The VIN the simulator's car reports, so the mechanic's history and
 * vehicle pages have this store's sessions to show. */
#define SIM_VIN           "1HGCR2F30EA012345"

static const guint8 seed_pids[] = { 0x04, 0x05, 0x0C, 0x0D, 0x0F, 0x10, 0x11, 0x42 };

/* Iteration timing ---------------------------------------------------- */

typedef struct
{
  const char *name;
  gint64      worst_us;
  gint64      worst_cpu_us;
  guint       n;
} Step;

static GArray  *iterations;      /* gint64 µs per iteration */
static GArray  *cpu_iterations;  /* gint64 µs of the main thread's CPU per iteration */
static gint64   last_poll_end;
static gint64   last_poll_end_cpu;
static gint64   last_poll_end_faults;
static gint64   total_faults;
static gint64   over_faults;     /* in the iterations over a frame */
static double   fault_us;        /* one page fault's CPU time here */
static gint64   worst_net_cpu_us;  /* the main thread's CPU less its page faults */
static guint    over_net_cpu;
static Step    *current_step;
static const char *current_page = "";  /* the page last asked for */
static gboolean trace;           /* OBD2_BENCH_TRACE: print iterations as they end */

/* Where the worst iterations went: the frame clock's layout and paint
 * phases of the window, and the rest (handlers, idles, page building). */
typedef struct
{
  gint64      total_us;
  gint64      cpu_us;
  gint64      layout_us;
  gint64      paint_us;
  const char *step;
  const char *page;
  guint       nth;       /* the step's nth iteration: 0 is the one that began it */
  gint64      at;        /* monotonic µs it began: to find it in a capture of
                          * `perf record -k CLOCK_MONOTONIC` */
  gint64      faults;    /* the main thread's page faults in it */
} Stall;

static gint64  phase_start;
static gint64  layout_us;        /* in the current iteration */
static gint64  paint_us;
static Stall   worst_stalls[8];
static Stall   worst_cpu_stalls[8];  /* by the main thread's CPU: what a quiet
                                      * machine would see */
static GArray *over_stalls;         /* Stall: every iteration over a frame, in order */

/* The main thread's own CPU time: on a loaded machine an iteration's wall
 * time also counts the time the scheduler gave to other processes, which
 * no change to this program can remove. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The main thread's page faults so far.  Every first touch of fresh
 * memory is one: new image surfaces, a grown shared-memory pool for the
 * X server, thread stacks.  On a virtual machine each costs microseconds
 * (calibrate_fault_us () says how many here), so an iteration that
 * touches megabytes of fresh memory spends milliseconds in the kernel. */
static gint64
thread_faults (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) != 0)
    return 0;
  return usage.ru_minflt + usage.ru_majflt;
}

/* The cost of one page fault on this machine: first touches of 16 MB of
 * fresh anonymous memory, timed. */
static double
calibrate_fault_us (void)
{
  const gsize size = 16 * 1024 * 1024;
  long page = sysconf (_SC_PAGESIZE);
  gint64 faults, start;
  double us;
  char *mem;

  mem = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED || page <= 0)
    return 0;
  faults = thread_faults ();
  start = thread_cpu_us ();
  for (gsize i = 0; i < size; i += (gsize) page)
    mem[i] = 1;
  us = (double) (thread_cpu_us () - start);
  faults = thread_faults () - faults;
  munmap (mem, size);
  return faults > 0 ? us / faults : 0;
}

static int
timing_poll (GPollFD *fds,
             guint    n_fds,
             int      timeout)
{
  gint64 start = g_get_monotonic_time ();
  gint64 start_cpu = thread_cpu_us ();
  gint64 start_faults = thread_faults ();
  int rc;

  if (last_poll_end != 0 && iterations != NULL)
    {
      gint64 busy = start - last_poll_end;
      gint64 cpu = start_cpu - last_poll_end_cpu;
      Stall stall = { busy, cpu, layout_us, paint_us,
                      current_step != NULL ? current_step->name : "", current_page,
                      current_step != NULL ? current_step->n : 0, last_poll_end,
                      start_faults - last_poll_end_faults };

      g_array_append_val (iterations, busy);
      if (trace && busy > 3000)
        g_printerr ("ITER %" G_GINT64_FORMAT " %s %s #%u %.2f = %.2f + %.2f ms; CPU %.2f ms;"
                    " %" G_GINT64_FORMAT " faults\n",
                    stall.at, stall.step, stall.page, stall.nth, busy / 1000.0,
                    layout_us / 1000.0, paint_us / 1000.0, cpu / 1000.0, stall.faults);
      g_array_append_val (cpu_iterations, cpu);
      if (current_step != NULL)
        {
          current_step->worst_us = MAX (current_step->worst_us, busy);
          current_step->worst_cpu_us = MAX (current_step->worst_cpu_us, cpu);
          current_step->n++;
        }
      total_faults += stall.faults;
      if (busy > FRAME_US)
        {
          g_array_append_val (over_stalls, stall);
          over_faults += stall.faults;
        }
      {
        gint64 net = cpu - (gint64) (stall.faults * fault_us);

        worst_net_cpu_us = MAX (worst_net_cpu_us, net);
        over_net_cpu += net > FRAME_US;
      }
      /* Kept in order, worst first. */
      for (guint i = 0; i < G_N_ELEMENTS (worst_stalls); i++)
        if (busy > worst_stalls[i].total_us)
          {
            memmove (&worst_stalls[i + 1], &worst_stalls[i],
                     (G_N_ELEMENTS (worst_stalls) - i - 1) * sizeof (Stall));
            worst_stalls[i] = stall;
            break;
          }
      for (guint i = 0; i < G_N_ELEMENTS (worst_cpu_stalls); i++)
        if (cpu > worst_cpu_stalls[i].cpu_us)
          {
            memmove (&worst_cpu_stalls[i + 1], &worst_cpu_stalls[i],
                     (G_N_ELEMENTS (worst_cpu_stalls) - i - 1) * sizeof (Stall));
            worst_cpu_stalls[i] = stall;
            break;
          }
    }
  layout_us = paint_us = 0;
  rc = g_poll (fds, n_fds, timeout);
  last_poll_end = g_get_monotonic_time ();
  last_poll_end_cpu = thread_cpu_us ();
  last_poll_end_faults = thread_faults ();
  return rc;
}

static void
on_phase_start_cb (GdkFrameClock *clock)
{
  phase_start = g_get_monotonic_time ();
}

static void
on_layout_done_cb (GdkFrameClock *clock)
{
  layout_us += g_get_monotonic_time () - phase_start;
}

static void
on_paint_done_cb (GdkFrameClock *clock)
{
  paint_us += g_get_monotonic_time () - phase_start;
}

static void
watch_phases (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  /* GTK connects its own handlers first: ours run after the phase's
   * work for "layout" and "paint", before it for "before-paint". */
  g_signal_connect (clock, "update", G_CALLBACK (on_phase_start_cb), NULL);
  g_signal_connect (clock, "layout", G_CALLBACK (on_layout_done_cb), NULL);
  g_signal_connect (clock, "layout", G_CALLBACK (on_phase_start_cb), NULL);
  g_signal_connect (clock, "paint", G_CALLBACK (on_paint_done_cb), NULL);
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   condition,
          gpointer    data,
          double      seconds,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint wake = g_timeout_add (20, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

typedef struct
{
  guint frames;
  guint wanted;
} FrameWait;

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  ((FrameWait *) data)->frames++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_done_cb (gpointer data)
{
  FrameWait *wait = data;

  return wait->frames >= wait->wanted;
}

/* Lets the window draw n frames (about n × 16 ms of looking at it). */
static void
watch_frames (GtkWidget *widget,
              guint      n)
{
  FrameWait wait = { 0, n };
  guint id = gtk_widget_add_tick_callback (widget, count_frame_cb, &wait, NULL);

  wait_for (frames_done_cb, &wait, 60, "frames");
  gtk_widget_remove_tick_callback (widget, id);
}

/* The store ----------------------------------------------------------- */

typedef struct
{
  gint64 sim_vehicle_id;
  gint64 newest_sim_session;
} Seeded;

static void
seed_store (const char *path,
            Seeded     *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdStore) store = obd_store_open (path, OBD_STORE_OPEN_DEFAULT, &error);
  g_autoptr(ObdRecorder) recorder = NULL;
  gint64 vehicles[N_VEHICLES];
  gint64 t0 = g_get_real_time () - (gint64) N_SESSIONS * 3 * 3600 * G_USEC_PER_SEC;
  gint64 started = g_get_monotonic_time ();

  g_assert_no_error (error);
  for (guint v = 0; v < N_VEHICLES; v++)
    {
      g_autofree char *vin = g_strdup_printf ("1FTFW1ET%01uDFA%05u", v % 10, 10000 + v);

      vehicles[v] = obd_store_ensure_vehicle (store, v == 0 ? SIM_VIN : vin,
                                              v == 0 ? "Honda" : "Ford",
                                              v == 0 ? "Accord" : "F-150", 2014, &error);
      g_assert_no_error (error);
      if (v % 3 == 1)
        obd_store_record_dtc (store, vehicles[v], 0, "P0301", OBD_DTC_KIND_STORED, 0x7E8,
                              t0, &error);
      g_assert_no_error (error);
    }
  out->sim_vehicle_id = vehicles[0];

  recorder = obd_recorder_new (store, &error);
  g_assert_no_error (error);
  for (guint s = 0; s < N_SESSIONS; s++)
    {
      gint64 vehicle = vehicles[s % N_VEHICLES];
      gint64 session_t0 = t0 + (gint64) s * 3 * 3600 * G_USEC_PER_SEC;
      gint64 id = obd_recorder_start_session (recorder, vehicle, "ISO 15765-4 (CAN 11/500)",
                                              "ELM327 v1.5", "sim:driving-cycle", &error);
      g_autoptr(GArray) batch = NULL;

      g_assert_no_error (error);
      for (guint k = 0; k < SAMPLES_PER_SESSION; k++)
        {
          guint cycle = k / G_N_ELEMENTS (seed_pids);
          ObdSample sample = {
            .time_us = session_t0 + (gint64) cycle * 100000,
            .ecu = 0x7E8,
            .service = 1,
            .pid = seed_pids[k % G_N_ELEMENTS (seed_pids)],
            .index = 0,
            .value = 20.0 + (cycle % 600) * 0.1 + (k % G_N_ELEMENTS (seed_pids)),
          };

          if (batch == NULL)
            batch = g_array_sized_new (FALSE, FALSE, sizeof (ObdSample), BATCH);
          g_array_append_val (batch, sample);
          if (batch->len == BATCH)
            obd_recorder_push (recorder, g_steal_pointer (&batch));
        }
      if (batch != NULL)
        obd_recorder_push (recorder, batch);
      g_assert_true (obd_recorder_stop_session (recorder, &error));
      g_assert_no_error (error);
      if (vehicle == out->sim_vehicle_id)
        out->newest_sim_session = id;
    }
  g_print ("seeded %u samples in %u sessions of %u vehicles in %.1f s\n",
           N_SESSIONS * SAMPLES_PER_SESSION, N_SESSIONS, N_VEHICLES,
           (g_get_monotonic_time () - started) / 1e6);
}

/* Conditions ---------------------------------------------------------- */

typedef struct
{
  ObdWindow  *window;
  ObdSession *session;
  GSettings  *settings;
  Seeded      seeded;
  char       *verify_text;
} Bench;

static gboolean
connected_cb (gpointer data)
{
  Bench *bench = data;

  return obd_session_get_state (bench->session) == OBD_SESSION_STATE_CONNECTED &&
         obd_session_get_health (bench->session) != NULL;
}

static gboolean
recording_cb (gpointer data)
{
  return obd_session_get_recording (((Bench *) data)->session);
}

static gboolean
not_recording_cb (gpointer data)
{
  ObdSession *session = ((Bench *) data)->session;

  return !obd_session_get_recording (session) && !obd_session_get_recording_busy (session);
}

static gboolean
disconnected_cb (gpointer data)
{
  return obd_session_get_state (((Bench *) data)->session) == OBD_SESSION_STATE_DISCONNECTED;
}

static gboolean
replay_loaded_cb (gpointer data)
{
  Bench *bench = data;
  GtkWidget *history = obd_window_get_page (bench->window, "history");
  ObdTrendChart *chart = OBD_TREND_CHART (obd_history_page_get_replay_chart (
                                            OBD_HISTORY_PAGE (history)));

  return obd_trend_chart_get_n_series (chart) > 0;
}

static const char *
verify_subtitle (Bench *bench)
{
  GtkWidget *history = obd_window_get_page (bench->window, "history");
  ObdRow *row = OBD_ROW (gtk_widget_get_template_child (history, OBD_TYPE_HISTORY_PAGE,
                                                        "verify_row"));

  return obd_row_get_subtitle (row);
}

static gboolean
verified_cb (gpointer data)
{
  Bench *bench = data;
  const char *text = verify_subtitle (bench);

  return g_strcmp0 (text, bench->verify_text) != 0 && text != NULL &&
         (strstr (text, "Intact") != NULL || strstr (text, "Broken") != NULL ||
          strstr (text, "could not") != NULL);
}

static gboolean
fleet_loaded_cb (gpointer data)
{
  Bench *bench = data;
  GtkWidget *fleet = obd_window_get_page (bench->window, "fleet");

  return fleet != NULL && g_strcmp0 (obd_window_get_view (bench->window), "fleet") == 0 &&
         g_list_model_get_n_items (obd_fleet_page_get_items (OBD_FLEET_PAGE (fleet))) >=
           N_VEHICLES;
}

static gboolean
mechanic_view_cb (gpointer data)
{
  return g_strcmp0 (obd_window_get_view (((Bench *) data)->window), "mechanic") == 0;
}

/* The script ---------------------------------------------------------- */

static Step steps[] = {
  { "connect" }, { "record" }, { "pages" }, { "history" }, { "replay" }, { "verify" },
  { "fleet" }, { "back" }, { "stop" },
};

static void
begin_step (guint i)
{
  current_step = &steps[i];
}

static void
show_page_cb (gpointer data)
{
  Bench *bench = data;
  static const char *pages[] = { "overview", "live", "codes", "readiness", "vehicle", "history" };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      current_page = pages[i];
      obd_window_show_page (bench->window, pages[i]);
      watch_frames (GTK_WIDGET (bench->window), 20);
    }
}

static void
run_script (Bench *bench)
{
  GtkWidget *window = GTK_WIDGET (bench->window);
  GtkWidget *history;

  begin_step (0);
  current_page = "overview";
  obd_session_connect (bench->session, "sim:driving-cycle");
  wait_for (connected_cb, bench, 60, "the connection");
  watch_frames (window, 30);

  begin_step (1);
  current_page = "live";
  obd_window_show_page (bench->window, "live");
  gtk_widget_activate_action (obd_window_get_page (bench->window, "live"), "live.record", NULL);
  wait_for (recording_cb, bench, 30, "recording");
  watch_frames (window, 60);

  begin_step (2);
  show_page_cb (bench);

  begin_step (3);
  current_page = "history";
  obd_window_show_page (bench->window, "history");
  history = obd_window_get_page (bench->window, "history");
  obd_history_page_reload (OBD_HISTORY_PAGE (history));
  watch_frames (window, 30);

  begin_step (4);
  obd_history_page_open_session (OBD_HISTORY_PAGE (history), bench->seeded.newest_sim_session);
  wait_for (replay_loaded_cb, bench, 60, "the replay");
  watch_frames (window, 30);

  begin_step (5);
  bench->verify_text = g_strdup (verify_subtitle (bench));
  gtk_widget_activate_action (history, "history.verify-chain", NULL);
  wait_for (verified_cb, bench, 120, "the chain check");
  g_print ("verify: %s\n", verify_subtitle (bench));
  watch_frames (window, 30);

  begin_step (6);
  current_page = "fleet";
  g_settings_set_string (bench->settings, "role", "fleet");
  wait_for (fleet_loaded_cb, bench, 120, "the fleet view");
  watch_frames (window, 30);

  begin_step (7);
  g_settings_set_string (bench->settings, "role", "mechanic");
  wait_for (mechanic_view_cb, bench, 60, "the mechanic view");
  show_page_cb (bench);

  begin_step (8);
  current_page = "live";
  obd_window_show_page (bench->window, "live");
  gtk_widget_activate_action (obd_window_get_page (bench->window, "live"), "live.record", NULL);
  wait_for (not_recording_cb, bench, 60, "recording to stop");
  obd_session_disconnect (bench->session);
  wait_for (disconnected_cb, bench, 60, "the disconnection");
  watch_frames (window, 30);
  current_step = NULL;
}

static void
print_stall (const Stall *stall)
{
  g_print ("  %.6f %-8s %-10s #%-4u %7.2f ms = %6.2f + %6.2f + %6.2f; CPU %6.2f ms,"
           " %5.2f of it in %" G_GINT64_FORMAT " page faults\n",
           stall->at / 1e6, stall->step, stall->page, stall->nth, stall->total_us / 1000.0,
           stall->layout_us / 1000.0, stall->paint_us / 1000.0,
           (stall->total_us - stall->layout_us - stall->paint_us) / 1000.0,
           stall->cpu_us / 1000.0, stall->faults * fault_us / 1000.0, stall->faults);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GString) json_steps = g_string_new (NULL);
  Bench bench = { 0 };
  ObdStoreService *store;
  g_autoptr(GString) json_cpu_steps = g_string_new (NULL);
  gint64 worst, p99, worst_cpu, p99_cpu;
  guint over = 0, over_cpu = 0;
  double total = 0;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("bench-main-thread needs a display (run it under xvfb-run)\n");
      return 77;
    }

  trace = g_getenv ("OBD2_BENCH_TRACE") != NULL;
  fault_us = calibrate_fault_us ();
  gtk_init ();
  adw_init ();
  /* As the application: its simulator and its style sheets. */
  obd_sim_register ();
  obd_app_add_style_sheets (gdk_display_get_default ());

  dir = g_dir_make_tmp ("bench-main-thread-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "store.db", NULL);
  seed_store (path, &bench.seeded);

  store = obd_store_service_new (path, OBD_STORE_OPEN_DEFAULT);
  bench.session = obd_session_new (store);
  bench.settings = g_settings_new (SCHEMA_ID);
  g_settings_set_boolean (bench.settings, "first-run", FALSE);
  g_settings_set_string (bench.settings, "role", "mechanic");
  bench.window = obd_window_new (NULL, bench.session, bench.settings);
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 1100, 760);
  gtk_window_present (GTK_WINDOW (bench.window));
  watch_frames (GTK_WIDGET (bench.window), 30);

  over_stalls = g_array_new (FALSE, FALSE, sizeof (Stall));
  iterations = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 100000);
  cpu_iterations = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 100000);
  watch_phases (GTK_WIDGET (bench.window));
  g_main_context_set_poll_func (NULL, timing_poll);
  run_script (&bench);
  g_main_context_set_poll_func (NULL, g_poll);

  g_array_sort (iterations, compare_int64);
  g_array_sort (cpu_iterations, compare_int64);
  worst = g_array_index (iterations, gint64, iterations->len - 1);
  p99 = g_array_index (iterations, gint64, (iterations->len * 99) / 100);
  worst_cpu = g_array_index (cpu_iterations, gint64, cpu_iterations->len - 1);
  p99_cpu = g_array_index (cpu_iterations, gint64, (cpu_iterations->len * 99) / 100);
  for (guint i = 0; i < iterations->len; i++)
    {
      gint64 us = g_array_index (iterations, gint64, i);

      total += us;
      over += us > FRAME_US;
      over_cpu += g_array_index (cpu_iterations, gint64, i) > FRAME_US;
    }
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_print ("%-8s %6u iterations, worst %7.2f ms (CPU %7.2f ms)\n", steps[i].name,
               steps[i].n, steps[i].worst_us / 1000.0, steps[i].worst_cpu_us / 1000.0);
      g_string_append_printf (json_steps, "%s\"%s\":%.3f", i > 0 ? "," : "", steps[i].name,
                              steps[i].worst_us / 1000.0);
      g_string_append_printf (json_cpu_steps, "%s\"%s\":%.3f", i > 0 ? "," : "",
                              steps[i].name, steps[i].worst_cpu_us / 1000.0);
    }
  g_print ("iterations over %d ms in order (monotonic s, step, page, the step's nth "
           "iteration: total = layout + paint + the rest; main thread's CPU; its page "
           "faults):\n", FRAME_US / 1000);
  for (guint i = 0; i < over_stalls->len; i++)
    print_stall (&g_array_index (over_stalls, Stall, i));
  g_print ("worst iterations:\n");
  for (guint i = 0; i < G_N_ELEMENTS (worst_stalls) && worst_stalls[i].total_us > 0; i++)
    print_stall (&worst_stalls[i]);
  g_print ("most CPU in one iteration (step, page: CPU; wall = layout + paint + the rest):\n");
  for (guint i = 0; i < G_N_ELEMENTS (worst_cpu_stalls) && worst_cpu_stalls[i].cpu_us > 0; i++)
    g_print ("  %-8s %-10s CPU %6.2f ms; %7.2f ms = %6.2f + %6.2f + %6.2f\n",
             worst_cpu_stalls[i].step, worst_cpu_stalls[i].page,
             worst_cpu_stalls[i].cpu_us / 1000.0, worst_cpu_stalls[i].total_us / 1000.0,
             worst_cpu_stalls[i].layout_us / 1000.0, worst_cpu_stalls[i].paint_us / 1000.0,
             (worst_cpu_stalls[i].total_us - worst_cpu_stalls[i].layout_us -
              worst_cpu_stalls[i].paint_us) / 1000.0);
  g_print ("%u iterations, %u over %d ms, mean %.3f ms, p99 %.2f ms, worst %.2f ms\n",
           iterations->len, over, FRAME_US / 1000, total / iterations->len / 1000.0,
           p99 / 1000.0, worst / 1000.0);
  g_print ("main thread's CPU: %u over %d ms, p99 %.2f ms, worst %.2f ms\n", over_cpu,
           FRAME_US / 1000, p99_cpu / 1000.0, worst_cpu / 1000.0);
  g_print ("main thread's page faults: %" G_GINT64_FORMAT " in all, %" G_GINT64_FORMAT
           " in the iterations over %d ms; one costs %.2f µs of CPU here (16 MB touched)\n",
           total_faults, over_faults, FRAME_US / 1000, fault_us);
  g_print ("main thread's CPU less its page faults: %u over %d ms, worst %.2f ms\n",
           over_net_cpu, FRAME_US / 1000, worst_net_cpu_us / 1000.0);
  g_print ("{\"name\":\"main-thread\",\"ratio\":%.3f,\"goal_ms\":%.1f,\"worst_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"mean_ms\":%.3f,\"iterations\":%u,\"over_goal\":%u,"
           "\"worst_cpu_ms\":%.3f,\"p99_cpu_ms\":%.3f,\"over_goal_cpu\":%u,"
           "\"faults\":%" G_GINT64_FORMAT ",\"faults_over_goal\":%" G_GINT64_FORMAT ","
           "\"fault_us\":%.3f,\"worst_cpu_less_faults_ms\":%.3f,\"over_goal_cpu_less_faults\":%u,"
           "\"samples\":%u,\"sessions\":%u,\"vehicles\":%u,\"worst_by_step_ms\":{%s},"
           "\"worst_cpu_by_step_ms\":{%s}}\n",
           (double) FRAME_US / MAX (worst, 1), FRAME_US / 1000.0, worst / 1000.0, p99 / 1000.0,
           total / iterations->len / 1000.0, iterations->len, over, worst_cpu / 1000.0,
           p99_cpu / 1000.0, over_cpu, total_faults, over_faults, fault_us,
           worst_net_cpu_us / 1000.0, over_net_cpu,
           N_SESSIONS * SAMPLES_PER_SESSION, N_SESSIONS,
           N_VEHICLES, json_steps->str, json_cpu_steps->str);

  gtk_window_destroy (GTK_WINDOW (bench.window));
  g_clear_object (&bench.session);
  g_clear_object (&bench.settings);
  obd_store_service_close (store);
  g_clear_object (&store);
  g_free (bench.verify_text);
  {
    g_autoptr(GDir) contents = g_dir_open (dir, 0, NULL);
    const char *name;

    while (contents != NULL && (name = g_dir_read_name (contents)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_remove (file);
      }
    g_rmdir (dir);
  }
  return 0;
}
