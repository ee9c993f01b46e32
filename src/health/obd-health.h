/* obd-health.h — health scores of a vehicle and its systems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * THE FORMULA
 * ===========
 *
 * Six systems are scored: engine, emissions, fuel, cooling, electrical,
 * transmission.  Each starts at 100.  Every problem found is a deduction of
 * d points (0 < d ≤ 100) on one system:
 *
 *   item                                             d
 *   trouble code, stored or permanent, critical      40
 *                                      warning       15
 *                                      info           3
 *   trouble code, pending                            half of the above
 *   Mode 06 on-board test failed                     20 each
 *   live alert active, critical                      40
 *                      warning                       15
 *   readiness monitor incomplete                      3 each, at most 10 in all
 *     (none when codes were cleared recently: monitors are incomplete after
 *      a clear until the car has been driven — see
 *      obd_health_readiness_recently_cleared())
 *   trend anomaly (level or drift)                    5 each
 *
 * A permanent code (Mode 0A) is a confirmed fault that the ECU keeps until
 * its monitor passes, so it weighs as a stored one.  A code reported both
 * as stored and as permanent is the same fault: count it once (the caller
 * passes it once, with the kind it prefers; evaluate also merges equal
 * code strings, keeping the heaviest).
 *
 * Deductions combine multiplicatively:
 *
 *     system score = 100 × Π (1 − d_i / 100)
 *
 * Each problem takes its share of what is left, so the score never goes
 * below 0, does not depend on the order of the items, and still separates
 * "two critical faults" (36) from "three" (22) — a clamped sum would sit at
 * 0 after three and tell nothing more.  One critical item leaves 60, one
 * warning 85: a single warning never drops a system below "good", a single
 * critical always does.
 *
 * The vehicle score is
 *
 *     vehicle = min (worst system + 10, weighted mean of the systems)
 *
 * with weights engine 25 %, the five others 15 % each (the engine carries
 * most of what OBD-II can observe).  The mean rewards a car that is good
 * all round; the "worst + 10" cap makes sure one bad system is never hidden
 * by five healthy ones: an overheating engine cannot score 90 because its
 * electrics are fine.
 *
 * Status, for the owner view:
 *   "stop driving"     an active CRITICAL live alert on the engine or
 *                      cooling system (overheating, a catalyst- or
 *                      engine-damaging condition happening now), or a
 *                      vehicle score below 40;
 *   "healthy"          a vehicle score of at least 80, no CRITICAL item of
 *                      any kind, and no confirmed WARNING item (a stored or
 *                      permanent code, a live alert, a failed Mode 06 test);
 *                      pending codes, incomplete monitors and trends alone
 *                      do not stop a car being healthy;
 *   "needs attention"  everything else.
 *
 * Which system an item belongs to
 * -------------------------------
 * Trouble codes, by the knowledge base's system (obd-dtc-kb.h), which
 * already files a code by its subject — P0217 engine over temperature is
 * "cooling" there, P0562 system voltage "charging":
 *   fuel-air → fuel            ignition → engine       emissions → emissions
 *   speed-idle → engine        computer → electrical   transmission → transmission
 *   cooling → cooling          charging → electrical   hybrid → electrical
 *   network → electrical       body → electrical       chassis → electrical
 *   other → engine
 * (body codes are mostly body electrics — lighting, locks, airbag circuits;
 * chassis codes an OBD reader sees are mostly ABS/ESP sensor and module
 * circuits; neither has a system of its own among the six).  A caller may
 * override per code (ObdHealthCode.health_system).
 * Mode 06 tests, by monitor ID (SAE J1979 Appendix D): misfire A1-AD and
 * boost pressure 85-88 → engine; fuel system 81-84 → fuel; the rest (O2
 * sensors 01-10, catalyst 21-24, EGR/VVT 31-38, EVAP 39-3D, O2 heaters
 * 41-50, heated catalyst 61-64, secondary air 71-74, NOx 90-99, PM filter
 * B0-B1) → emissions.
 * Live alerts and trends, by PID key: coolant_temp → cooling; oil_temp,
 * rpm, engine_load, intake_temp → engine; control_module_voltage →
 * electrical; stft_bN and ltft_bN → fuel; catalyst_temp_… and o2_… →
 * emissions; other keys → engine.
 *
 * obd_health_report_explain() writes all of this out for one report, item
 * by item.
 */
#pragma once

#include <glib.h>

#include "obd-alerts.h"
#include "obd-dtc-kb.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_HEALTH_SYSTEM_ENGINE = 0,
  OBD_HEALTH_SYSTEM_EMISSIONS,
  OBD_HEALTH_SYSTEM_FUEL,
  OBD_HEALTH_SYSTEM_COOLING,
  OBD_HEALTH_SYSTEM_ELECTRICAL,
  OBD_HEALTH_SYSTEM_TRANSMISSION,
} ObdHealthSystem;

#define OBD_HEALTH_N_SYSTEMS (OBD_HEALTH_SYSTEM_TRANSMISSION + 1)

/* Stable keys "engine", "emissions", "fuel", "cooling", "electrical",
 * "transmission". */
const char     *obd_health_system_get_key   (ObdHealthSystem  system);
/* Translated: "Engine", ... */
const char     *obd_health_system_get_label (ObdHealthSystem  system);
gboolean        obd_health_system_from_key  (const char      *key,
                                             ObdHealthSystem *out_system);

/* The mappings documented above.  for_dtc takes the knowledge base's
 * system key of the code ("cooling"), or NULL to look the code up. */
ObdHealthSystem obd_health_system_for_dtc        (const char *code,
                                                  const char *kb_system);
ObdHealthSystem obd_health_system_for_dtc_system (ObdDtcSystem system);
ObdHealthSystem obd_health_system_for_mode06_mid (guint8      mid);
ObdHealthSystem obd_health_system_for_pid_key    (const char *key);

typedef enum
{
  OBD_HEALTH_STATUS_HEALTHY = 0,
  OBD_HEALTH_STATUS_NEEDS_ATTENTION,
  OBD_HEALTH_STATUS_STOP_DRIVING,
} ObdHealthStatus;

/* Stable keys "healthy", "needs-attention", "stop-driving". */
const char *obd_health_status_get_key   (ObdHealthStatus status);
/* Translated: "Healthy", "Needs attention", "Stop driving". */
const char *obd_health_status_get_label (ObdHealthStatus status);

typedef enum
{
  OBD_HEALTH_CODE_STORED = 0,
  OBD_HEALTH_CODE_PENDING,
  OBD_HEALTH_CODE_PERMANENT,
} ObdHealthCodeKind;

/* Inputs: plain structs the caller fills; strings are borrowed. */

typedef struct
{
  const char        *code;           /* "P0301" */
  const char        *description;    /* "Cylinder 1 Misfire Detected", may be NULL */
  const char        *system;         /* knowledge-base key "ignition", may be NULL */
  const char        *health_system;  /* override, "cooling"; NULL for the mapping */
  ObdSeverity  severity;
  ObdHealthCodeKind  kind;
} ObdHealthCode;

typedef struct
{
  guint8      mid;     /* Mode 06 monitor ID, 0xA2 */
  guint8      tid;     /* test ID, for the explanation */
  const char *label;   /* "Misfire cylinder 1", may be NULL */
  gboolean    passed;
} ObdHealthTestResult;

typedef struct
{
  const char        *key;       /* PID key, "coolant_temp" */
  ObdSeverity  severity;  /* INFO alerts deduct nothing */
  const char        *title;     /* "Engine overheating", may be NULL */
} ObdHealthAlert;

typedef struct
{
  const char *key;          /* PID key the trend is about */
  const char *explanation;  /* ObdTrendResult.explanation, may be NULL */
} ObdHealthTrend;

typedef struct
{
  const ObdHealthCode        *codes;
  gsize                       n_codes;
  const ObdHealthTestResult  *tests;
  gsize                       n_tests;
  const ObdHealthAlert       *alerts;
  gsize                       n_alerts;
  const ObdHealthTrend       *trends;         /* anomalies only */
  gsize                       n_trends;
  const char *const          *incomplete_monitors;  /* translated names */
  gsize                       n_incomplete_monitors;
  gboolean                    recently_cleared;
} ObdHealthInput;

/* TRUE when incomplete monitors are expected because codes were cleared
 * recently: fewer than 200 km or fewer than 10 warm-ups since the clear
 * (SAE J1979 PIDs 0x31 and 0x30; pass a negative number when unknown).
 * A full set of drive cycles usually completes well within that. */
gboolean obd_health_readiness_recently_cleared (double km_since_clear,
                                                int    warmups_since_clear);

typedef enum
{
  OBD_HEALTH_ITEM_CODE = 0,
  OBD_HEALTH_ITEM_TEST,
  OBD_HEALTH_ITEM_ALERT,
  OBD_HEALTH_ITEM_READINESS,
  OBD_HEALTH_ITEM_TREND,
} ObdHealthItemKind;

typedef struct
{
  ObdHealthSystem    system;
  ObdHealthItemKind  kind;
  ObdSeverity  severity;
  gboolean           confirmed;  /* FALSE for pending codes, readiness, trends */
  double             points;     /* d; 0 for notes such as "monitors
                                  * incomplete after a clear" */
  char              *reason;     /* translated, "P0301 Cylinder 1 Misfire
                                  * Detected (critical, stored)" */
  char              *subject;    /* what it is about, for views that say
                                  * more of it: the code ("P0301") of a
                                  * CODE, the reading's PID key of an
                                  * ALERT or TREND; NULL otherwise */
} ObdHealthDeduction;

typedef struct
{
  double           vehicle_score;   /* 0..100 */
  double           weighted_mean;
  ObdHealthSystem  worst_system;
  ObdHealthStatus  status;
  double           system_scores[OBD_HEALTH_N_SYSTEMS];
  GArray          *deductions;      /* ObdHealthDeduction, most points first */
} ObdHealthReport;

/* Scores as people see them: THE rounding of every view (cards, lists,
 * explanations, printed reports), so a card never says 24 where the
 * explanation says 25.  Half up to a whole number in 0..100; NaN is 0. */
int              obd_health_score_round   (double                 score);
/* "34" */
char            *obd_health_score_format  (double                 score);

ObdHealthReport *obd_health_evaluate      (const ObdHealthInput  *input);
void             obd_health_report_free   (ObdHealthReport       *report);
/* Several lines of translated text: the vehicle score and status and how
 * they follow from the system scores, then per system its score and each
 * deduction, "−40: P0301 Cylinder 1 Misfire Detected (critical, stored)". */
char            *obd_health_report_explain (const ObdHealthReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdHealthReport, obd_health_report_free)

G_END_DECLS
