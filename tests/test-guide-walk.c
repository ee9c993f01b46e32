/* test-guide-walk.c — every shipped guide walked to its findings against
 * the simulated vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each guide, at least one walk against the scenario of its fault
 * ends in a fault finding, and at least one against a healthy car clears
 * the suspect.  The walker plays the mechanic: it answers questions and
 * enters measurements from the walk's script (what the mechanic would see
 * on that car), reads trouble codes from the simulated ECUs for code
 * checks, and for live checks polls the simulated ECUs ten times a second
 * of simulated time — pressing the pedal when the check asks for an
 * engine speed — and feeds the decoded samples to the run, which decides
 * by itself.  Minutes of simulated driving take milliseconds.
 */
#define G_LOG_DOMAIN "test-guide-walk"
#include "config.h"

#include <math.h>
#include <string.h>

#include "obd-guide-library.h"
#include "obd-guide-run.h"
#include "obd-pid.h"
#include "obd-sim-vehicle.h"

#define TICK_US (G_USEC_PER_SEC / 10)

typedef struct
{
  const char *guide;
  const char *scenario;
  /* "step=value ..." for questions, measurements (in SI, as typed) and
   * live checks the car cannot decide (pass or fail by hand). */
  const char *script;
  const char *finding;
} Walk;

static const Walk walks[] = {
  /* thermostat */
  { "thermostat", "stuck-thermostat", "coolant-level=yes fan-running=no ir-compare=yes",
    "thermostat-stuck-open" },
  { "thermostat", "driving-cycle", "coolant-level=yes", "no-fault" },
  { "thermostat", "stuck-thermostat", "coolant-level=yes fan-running=yes", "fan-stuck-on" },
  { "thermostat", "ect-circuit-high", "", "refer-ect" },
  /* ect-sensor */
  { "ect-sensor", "ect-circuit-high", "resistance-open=OL", "sensor-open" },
  { "ect-sensor", "ect-circuit-high", "resistance-open=2400 jumper-test=yes", "terminals" },
  { "ect-sensor", "healthy-idle", "ir-compare=yes", "no-fault" },
  /* misfire-cylinder */
  { "misfire-cylinder", "misfire", "misfire-moved=yes", "coil-failed" },
  { "misfire-cylinder", "misfire", "misfire-moved=no spark-plug=worn", "plug-worn" },
  { "misfire-cylinder", "misfire", "misfire-moved=no spark-plug=good compression=70",
    "low-compression" },
  { "misfire-cylinder", "healthy-idle", "under-load=no", "no-fault" },
  { "misfire-cylinder", "lean-mixture", "", "refer-lean" },
  /* misfire-random */
  { "misfire-random", "random-misfire", "spark-plugs=worn", "plugs-worn" },
  { "misfire-random", "random-misfire", "spark-plugs=good spark=yes pressure-spec=380 pressure=300",
    "fuel-pressure-low" },
  { "misfire-random", "healthy-idle", "under-load=no", "no-fault" },
  { "misfire-random", "misfire", "", "refer-cylinder" },
  /* lean-mixture */
  { "lean-mixture", "lean-mixture", "smoke-test=yes", "vacuum-leak" },
  { "lean-mixture", "failing-maf", "displacement=3.0 pressure-spec=380 pressure=375",
    "maf-reads-low" },
  { "lean-mixture", "failing-maf", "displacement=3.0 pressure-spec=380 pressure=290",
    "fuel-delivery" },
  { "lean-mixture", "healthy-idle", "", "no-fault" },
  /* rich-mixture */
  { "rich-mixture", "rich-mixture", "pressure-spec=350 pressure=420", "regulator" },
  { "rich-mixture", "evap-purge-stuck", "purge-test=yes", "purge-stuck" },
  { "rich-mixture", "healthy-idle", "", "no-fault" },
  /* catalyst-bank1, catalyst-bank2 */
  { "catalyst-bank1", "failing-catalyst", "exhaust-leak=no consumption=no", "catalyst-worn" },
  { "catalyst-bank1", "failing-catalyst", "exhaust-leak=no consumption=yes",
    "catalyst-poisoned" },
  { "catalyst-bank1", "healthy-idle", "", "no-fault" },
  { "catalyst-bank1", "misfire", "", "refer-misfire" },
  { "catalyst-bank2", "failing-catalyst-b2", "exhaust-leak=no consumption=no", "catalyst-worn" },
  { "catalyst-bank2", "failing-catalyst", "", "no-fault" },
  { "catalyst-bank2", "lazy-o2", "", "no-fault" },
  /* maf-performance */
  { "maf-performance", "failing-maf", "intake-duct=ok displacement=3.0", "maf-replace" },
  { "maf-performance", "failing-maf", "intake-duct=leak", "duct-leak" },
  { "maf-performance", "healthy-idle", "intake-duct=ok displacement=3.0", "no-fault" },
  { "maf-performance", "maf-circuit-low", "", "refer-circuit" },
  /* maf-circuit */
  { "maf-circuit", "maf-circuit-low", "supply=12.4 ground=0.02 signal-wire=yes", "sensor-failed" },
  { "maf-circuit", "maf-circuit-low", "supply=0.3", "supply-open" },
  { "maf-circuit", "healthy-idle", "wiggle=no", "no-fault" },
  /* o2-heater */
  { "o2-heater", "dead-o2-heater", "how-many=several supply=0", "supply-dead" },
  { "o2-heater", "dead-o2-heater", "how-many=one resistance=OL", "heater-open" },
  { "o2-heater", "driving-cycle", "", "no-fault" },
  /* o2-upstream */
  { "o2-upstream", "lazy-o2", "exhaust-leak=no propane=no", "sensor-aged" },
  { "o2-upstream", "healthy-idle", "", "no-fault" },
  /* o2-downstream */
  { "o2-downstream", "o2-downstream-low", "exhaust-leak=no force-rich=no wiring=yes",
    "sensor-failed" },
  { "o2-downstream", "healthy-idle", "responds=yes", "no-fault" },
  /* evaporative system */
  { "evap-large-leak", "evap-large-leak", "cap=no", "cap-fault" },
  { "evap-large-leak", "evap-large-leak", "cap=yes smoke=hose", "hose-off" },
  { "evap-large-leak", "healthy-idle", "cap=yes smoke=none", "no-fault" },
  { "evap-small-leak", "evap-small-leak", "cap=ok smoke=hose", "hose-crack" },
  { "evap-small-leak", "healthy-idle", "cap=ok smoke=none", "no-fault" },
  { "evap-purge", "evap-purge-stuck", "pinch=yes bench-test=leaks", "purge-stuck-open" },
  { "evap-purge", "healthy-idle", "hot-restart=no", "no-fault" },
  { "evap-purge", "rich-mixture", "pinch=no", "refer-rich" },
  { "evap-vent", "evap-vent-blocked", "refuel=yes vent-filter=yes", "vent-blocked" },
  { "evap-vent", "evap-vent-blocked", "refuel=no coil=OL", "vent-valve" },
  { "evap-vent", "healthy-idle", "refuel=no coil=25 pressure-sensor=yes", "no-fault" },
  /* crank-sensor, cam-sensor */
  { "crank-sensor", "crank-sensor", "sensor-type=two resistance=850 sensor-tip=clean heat-test=heat",
    "sensor-failed" },
  { "crank-sensor", "crank-sensor", "sensor-type=three supply=0.1", "supply-fault" },
  { "crank-sensor", "healthy-idle", "hot-stall=no", "no-fault" },
  { "cam-sensor", "cam-sensor", "supply=5.0 signal=no sensor-tip=clean", "sensor-failed" },
  { "cam-sensor", "healthy-idle", "", "no-fault" },
  { "cam-sensor", "crank-sensor", "", "refer-crank" },
  /* vss */
  { "vss", "vss-fault", "speedometer=no abs=no sensor-resistance=OL", "sensor-failed" },
  { "vss", "vss-fault", "speedometer=yes", "signal-lost" },
  { "vss", "driving-cycle", "", "no-fault" },
  /* charging-low, charging-high */
  { "charging-low", "weak-battery", "belt=ok alternator-output=12.6", "alternator" },
  { "charging-low", "weak-battery", "belt=ok alternator-output=14.2 cable-drop=0.9",
    "charge-cable" },
  { "charging-low", "healthy-idle", "battery-rest=12.6 drain=25", "no-fault" },
  { "charging-low", "healthy-idle", "battery-rest=12.6 drain=300", "parasitic-drain" },
  { "charging-high", "overcharging", "alternator-output=15.8 sense-wire=yes", "regulator" },
  { "charging-high", "healthy-idle", "", "no-fault" },
  /* lost-communication */
  { "lost-communication", "lost-communication", "bus-resistance=61 module-ground=0.6",
    "ground-fault" },
  { "lost-communication", "lost-communication", "bus-resistance=118", "terminator" },
  { "lost-communication", "healthy-idle", "", "no-fault" },
  /* overheating */
  { "overheating", "overheating", "coolant-level=ok fan-runs=no", "fan-fault" },
  { "overheating", "overheating", "coolant-level=low pressure-test=holds combustion-gas=yes",
    "head-gasket" },
  { "overheating", "healthy-idle", "coolant-loss=no", "no-fault" },
  /* no-start */
  { "no-start", "no-start", "cranks=yes spark=yes pressure-spec=350 pressure=0", "no-fuel" },
  { "no-start", "no-start", "cranks=yes spark=no", "no-spark" },
  { "no-start", "no-start", "cranks=no battery=11.2", "battery-flat" },
  { "no-start", "healthy-idle", "cranks=yes", "no-fault" },
  /* rough-idle */
  { "rough-idle", "egr-stuck-open", "egr-block=yes", "egr-stuck-open" },
  { "rough-idle", "dirty-throttle", "throttle-body=yes", "throttle-dirty" },
  { "rough-idle", "healthy-idle", "vibration=no", "no-fault" },
  { "rough-idle", "random-misfire", "", "refer-misfire" },
  /* mil-no-codes */
  { "mil-no-codes", "mil-no-codes", "", "other-module" },
  { "mil-no-codes", "healthy-idle", "lamp-lit=no", "no-fault" },
  { "mil-no-codes", "healthy-idle", "lamp-lit=yes", "cluster" },
  /* poor-fuel-economy */
  { "poor-fuel-economy", "stuck-thermostat", "", "refer-thermostat" },
  { "poor-fuel-economy", "rich-mixture", "", "refer-rich" },
  { "poor-fuel-economy", "lean-mixture", "", "refer-lean" },
  { "poor-fuel-economy", "healthy-idle", "car=dragging", "tyres-brakes" },
  { "poor-fuel-economy", "healthy-idle", "car=normal", "no-fault" },
  /* egr-flow */
  { "egr-flow", "egr-stuck-open", "egr-block=yes", "stuck-open" },
  { "egr-flow", "healthy-idle", "open-test=yes", "no-fault" },
  { "egr-flow", "healthy-idle", "open-test=no", "clogged" },
  /* idle-control */
  { "idle-control", "dirty-throttle", "idle-spec=750 throttle-body=yes", "throttle-dirty" },
  { "idle-control", "healthy-idle", "idle-spec=750", "no-fault" },
  { "idle-control", "healthy-idle", "idle-spec=650 smoke=leak", "air-leak" },
  /* throttle-position */
  { "throttle-position", "tps-glitch", "wiggle=no reference=5.0", "sensor-worn" },
  { "throttle-position", "healthy-idle", "sweep=yes", "no-fault" },
  /* map-sensor */
  { "map-sensor", "map-hose-off", "hose=no", "hose-fault" },
  { "map-sensor", "map-hose-off", "hose=yes reference=5.0 vacuum-test=no", "sensor-failed" },
  { "map-sensor", "healthy-idle", "engine-off=yes", "no-fault" },
};

static ObdGuideLibrary *
library (void)
{
  static ObdGuideLibrary *shared;

  if (shared == NULL)
    shared = obd_guide_library_new_default ();
  return shared;
}

/* The answers of a script, by step; each must be used exactly once. */
static GHashTable *
parse_script (const char *script)
{
  GHashTable *answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) words = g_strsplit_set (script, " ", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *eq = strchr (words[i], '=');

      if (*words[i] == '\0')
        continue;
      g_assert_nonnull (eq);
      g_hash_table_insert (answers, g_strndup (words[i], eq - words[i]), g_strdup (eq + 1));
    }
  return answers;
}

static char *
take_answer (GHashTable *answers,
             const char *step)
{
  g_autofree char *key = NULL;
  char *value = NULL;

  if (!g_hash_table_steal_extended (answers, step, (gpointer *) &key, (gpointer *) &value))
    return NULL;
  return value;
}

/* Trouble codes of every kind from both simulated ECUs (ISO 15765-4
 * layout: service, count, then the code pairs). */
static GArray *
read_codes (ObdSimVehicle *vehicle)
{
  static const struct { guint8 service; ObdDtcKind kind; } services[] = {
    { 0x03, OBD_DTC_KIND_STORED }, { 0x07, OBD_DTC_KIND_PENDING },
    { 0x0A, OBD_DTC_KIND_PERMANENT },
  };
  GArray *codes = g_array_new (FALSE, FALSE, sizeof (ObdDtc));

  for (guint ecu = 0; ecu < obd_sim_vehicle_get_n_ecus (vehicle); ecu++)
    for (guint s = 0; s < G_N_ELEMENTS (services); s++)
      {
        g_autoptr(GPtrArray) replies = obd_sim_vehicle_request (vehicle, ecu, &services[s].service,
                                                                1, TRUE);
        const guint8 *data;
        gsize len;

        if (replies == NULL)
          continue;
        data = g_bytes_get_data (g_ptr_array_index (replies, 0), &len);
        g_assert_cmpuint (data[0], ==, services[s].service + 0x40);
        for (gsize i = 2; i + 1 < len; i += 2)
          {
            ObdDtc dtc = { .ecu = obd_sim_vehicle_get_ecu (vehicle, ecu)->can_reply_id,
                           .raw = data[i] << 8 | data[i + 1], .kind = services[s].kind };

            obd_dtc_format (dtc.raw, dtc.code);
            g_array_append_val (codes, dtc);
          }
      }
  return codes;
}

/* The Mode 01 PIDs any ECU supports. */
static void
read_supported (ObdSimVehicle *vehicle,
                gboolean       supported[256])
{
  memset (supported, 0, 256 * sizeof (gboolean));
  for (guint ecu = 0; ecu < obd_sim_vehicle_get_n_ecus (vehicle); ecu++)
    for (guint base = 0; base < 0xE0; base += 0x20)
      {
        guint8 request[2] = { 0x01, base };
        g_autoptr(GPtrArray) replies = obd_sim_vehicle_request (vehicle, ecu, request, 2, TRUE);
        gboolean ecu_supported[256] = { FALSE };
        const guint8 *data;
        gsize len;

        if (replies == NULL)
          break;
        data = g_bytes_get_data (g_ptr_array_index (replies, 0), &len);
        if (len < 6)
          break;
        obd_pid_parse_supported (base, data + 2, ecu_supported);
        for (guint i = 0; i < 256; i++)
          supported[i] = supported[i] || ecu_supported[i];
        if (!ecu_supported[base + 0x20])
          break;
      }
}

/* One poll of the check's PIDs at the vehicle's current time. */
static void
poll (ObdSimVehicle      *vehicle,
      const ObdGuideStep *step,
      GArray             *samples)
{
  gint64 now = obd_sim_vehicle_get_time (vehicle);
  g_autoptr(GArray) values = obd_value_array_new ();
  guint8 asked[256] = { 0 };

  for (guint g = 0; g < step->n_gauges; g++)
    {
      guint8 request[2] = { 0x01, step->gauges[g].pid };

      if (asked[request[1]]++)
        continue;
      for (guint ecu = 0; ecu < obd_sim_vehicle_get_n_ecus (vehicle); ecu++)
        {
          g_autoptr(GPtrArray) replies = obd_sim_vehicle_request (vehicle, ecu, request, 2, TRUE);
          const guint8 *data;
          gsize len;

          if (replies == NULL)
            continue;
          data = g_bytes_get_data (g_ptr_array_index (replies, 0), &len);
          g_array_set_size (values, 0);
          g_assert_true (obd_pid_decode_multi (data + 1, len - 1, values, NULL));
          for (guint v = 0; v < values->len; v++)
            {
              const ObdValue *value = &g_array_index (values, ObdValue, v);
              ObdSample sample = {
                .time_us = now, .ecu = obd_sim_vehicle_get_ecu (vehicle, ecu)->can_reply_id,
                .service = 0x01, .pid = value->pid, .index = value->index, .value = value->value,
              };

              g_array_append_val (samples, sample);
            }
        }
    }
}

/* The mechanic does what the check asks: holds the engine speed it
 * requires, or lets it idle. */
static void
work_pedal (ObdSimVehicle      *vehicle,
            const ObdGuideStep *step)
{
  obd_sim_vehicle_hold_rpm (vehicle, obd_guide_step_get_held_rpm (step));
}

static void
walk_live_check (const Walk         *walk,
                 ObdSimVehicle      *vehicle,
                 ObdGuideRun        *run,
                 GHashTable         *answers)
{
  const ObdGuideStep *step = obd_guide_run_get_step (run);
  gint64 start = obd_sim_vehicle_get_time (vehicle);
  gint64 end = start + (gint64) ((step->time_limit + 5) * G_USEC_PER_SEC);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (ObdSample));
  g_autoptr(GError) error = NULL;
  gboolean supported[256];
  g_autofree char *verdict = NULL;

  work_pedal (vehicle, step);
  read_supported (vehicle, supported);
  g_assert_true (obd_guide_run_start_live_check (run, start, supported, &error));
  g_assert_no_error (error);

  while (obd_guide_run_get_state (run) == OBD_GUIDE_RUN_LIVE)
    {
      gint64 t = obd_sim_vehicle_get_time (vehicle) + TICK_US;

      g_assert_cmpint (t, <=, end);
      obd_sim_vehicle_set_time (vehicle, t);
      g_array_set_size (samples, 0);
      poll (vehicle, step, samples);
      if (samples->len > 0)
        obd_guide_run_feed_samples (run, (const ObdSample *) samples->data, samples->len);
      else
        obd_guide_run_advance_clock (run, t);
    }
  obd_sim_vehicle_hold_rpm (vehicle, 0);

  /* No verdict from the car: the script must say what the mechanic
   * judged, and only then. */
  verdict = take_answer (answers, step->id);
  if (obd_guide_run_get_step (run) == step)
    {
      if (verdict == NULL)
        g_error ("walk %s/%s: live check “%s” ended without a verdict (status %d) and the "
                 "script does not judge it", walk->guide, walk->scenario, step->id,
                 obd_guide_run_get_live_status (run));
      g_assert_true (obd_guide_run_judge (run, g_str_equal (verdict, "pass"), &error));
      g_assert_no_error (error);
    }
  else if (verdict != NULL)
    g_error ("walk %s/%s: the script judges live check “%s”, which decided by itself",
             walk->guide, walk->scenario, step->id);
}

static void
test_walk (gconstpointer data)
{
  const Walk *walk = data;
  ObdGuide *guide = obd_guide_library_lookup (library (), walk->guide);
  g_autoptr(ObdSimVehicle) vehicle = NULL;
  g_autoptr(ObdGuideRun) run = NULL;
  g_autoptr(GHashTable) answers = parse_script (walk->script);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) path = g_string_new (NULL);
  const ObdGuideFinding *finding;

  g_assert_nonnull (guide);
  vehicle = obd_sim_vehicle_new (walk->scenario, 1, &error);
  g_assert_no_error (error);
  run = obd_guide_run_new (guide, NULL);

  for (guint n = 0; obd_guide_run_get_state (run) != OBD_GUIDE_RUN_FINISHED; n++)
    {
      const ObdGuideStep *step = obd_guide_run_get_step (run);
      g_autofree char *answer = NULL;

      g_assert_cmpuint (n, <, 100);
      g_string_append_printf (path, "%s ", step->id);
      switch (step->kind)
        {
        case OBD_GUIDE_STEP_INSTRUCTION:
          g_assert_true (obd_guide_run_confirm (run, &error));
          break;
        case OBD_GUIDE_STEP_QUESTION:
        case OBD_GUIDE_STEP_MEASUREMENT:
          answer = take_answer (answers, step->id);
          if (answer == NULL)
            g_error ("walk %s/%s: no answer for %s “%s” (path: %s)", walk->guide,
                     walk->scenario, obd_guide_step_kind_to_string (step->kind), step->id,
                     path->str);
          if (step->kind == OBD_GUIDE_STEP_QUESTION)
            g_assert_true (obd_guide_run_answer (run, answer, &error));
          else
            {
              double value;

              g_assert_true (obd_guide_step_parse_measurement (step, answer, OBD_UNIT_SYSTEM_SI,
                                                               &value, &error));
              g_assert_no_error (error);
              g_assert_true (obd_guide_run_measure (run, value, &error));
            }
          break;
        case OBD_GUIDE_STEP_CODE_CHECK:
          {
            g_autoptr(GArray) codes = read_codes (vehicle);

            g_assert_true (obd_guide_run_feed_codes (run, (const ObdDtc *) codes->data, codes->len,
                                                     &error));
            break;
          }
        case OBD_GUIDE_STEP_LIVE_CHECK:
          walk_live_check (walk, vehicle, run, answers);
          break;
        default:
          g_assert_not_reached ();
        }
      g_assert_no_error (error);
    }

  finding = obd_guide_run_get_finding (run);
  g_test_message ("%s/%s: %s→ %s", walk->guide, walk->scenario, path->str, finding->id);
  g_assert_cmpstr (finding->id, ==, walk->finding);
  if (g_hash_table_size (answers) > 0)
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, answers);
      g_hash_table_iter_next (&iter, (gpointer *) &key, NULL);
      g_error ("walk %s/%s: the script answers “%s”, which the walk never reached",
               walk->guide, walk->scenario, key);
    }
}

/* Every guide has a walk to a fault and a walk that clears the suspect,
 * and every finding of every guide is reached by some walk. */
static void
test_coverage (void)
{
  ObdGuideLibrary *lib = library ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (lib)); i++)
    {
      g_autoptr(ObdGuide) guide = g_list_model_get_item (G_LIST_MODEL (lib), i);
      gboolean fault = FALSE, cleared = FALSE;

      for (guint w = 0; w < G_N_ELEMENTS (walks); w++)
        {
          const ObdGuideFinding *finding;

          if (!g_str_equal (walks[w].guide, obd_guide_get_id (guide)))
            continue;
          finding = obd_guide_find_finding (guide, walks[w].finding);
          g_assert_nonnull (finding);
          fault = fault || finding->kind == OBD_GUIDE_FINDING_FAULT;
          cleared = cleared || finding->kind == OBD_GUIDE_FINDING_NO_FAULT;
        }
      if (!fault || !cleared)
        g_error ("guide %s needs a walk to a fault and a walk that clears the suspect",
                 obd_guide_get_id (guide));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/guide/walk/coverage", test_coverage);
  for (guint i = 0; i < G_N_ELEMENTS (walks); i++)
    {
      g_autofree char *name = g_strdup_printf ("/guide/walk/%s/%s/%s", walks[i].guide,
                                               walks[i].scenario, walks[i].finding);

      g_test_add_data_func (name, &walks[i], test_walk);
    }

  return g_test_run ();
}
