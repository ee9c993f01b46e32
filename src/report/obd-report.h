/* obd-report.h — the customer report of a session: what it says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ObdReport is everything a printed report shows, gathered once from
 * the store (obd_report_new_from_store ()) on the thread that owns the
 * store, then read by the renderer (obd-report-document.h) on any thread:
 * it is plain data and never touches the store again.
 *
 * Which trouble codes belong to a session: the vehicle's code events
 * that were active at some moment of the visit — from the earliest thing
 * the session holds (the snapshot read at connect comes a moment before
 * the recording starts) to its end.  Each is then
 *   present   still active when the session ended,
 *   cleared   cleared (Mode 04) during the visit,
 *   returned  first seen after a clear of the same code during the visit:
 *             the fault came back.
 * Events of one code and status (stored, pending, permanent; several
 * ECUs) make one row.
 *
 * The health scores are the one report obd_diagnosis computes from the
 * store for the vehicle, so the printed verdict is the application's.
 */
#pragma once

#include <glib.h>

#include "obd-dtc-kb.h"
#include "obd-health.h"
#include "obd-maintenance.h"
#include "obd-pid.h"
#include "obd-store.h"

G_BEGIN_DECLS

#define OBD_REPORT_ERROR (obd_report_error_quark ())

typedef enum
{
  OBD_REPORT_ERROR_FAILED = 0,
  OBD_REPORT_ERROR_INVALID_CODE,   /* not a verification code */
  OBD_REPORT_ERROR_LOGO,           /* the logo file cannot be used */
  OBD_REPORT_ERROR_CHANGED,        /* the session no longer matches its hash */
  OBD_REPORT_ERROR_RENDER,         /* cairo could not draw or write the document */
} ObdReportErrorCode;

GQuark obd_report_error_quark (void);

/* Who prints the report: from the preferences (GSettings keys shop-name,
 * shop-address, shop-phone, shop-logo, mechanic-name) or the command
 * line.  Strings are copied; NULL or empty for none. */
typedef struct
{
  const char    *shop_name;
  const char    *shop_address;   /* may span several lines */
  const char    *shop_phone;
  const char    *logo_path;      /* a PNG file */
  const char    *mechanic;
  const char    *customer;       /* overrides the vehicle's owner name */
  ObdUnitSystem  units;
} ObdReportOptions;

typedef enum
{
  OBD_REPORT_CODE_PRESENT = 0,
  OBD_REPORT_CODE_CLEARED,
  OBD_REPORT_CODE_RETURNED,
} ObdReportCodeStatus;

typedef struct
{
  char                *code;          /* "P0301" */
  char                *title;         /* knowledge base, translated */
  char                *explanation;   /* plain language, translated; may be NULL */
  ObdDtcSeverity       severity;
  guint                kinds;         /* 1 << ObdDtcKind, for every kind seen */
  ObdReportCodeStatus  status;
  gint64               cleared_us;    /* CLEARED: when */
  char                *cleared_by;    /* CLEARED: who, may be NULL */
} ObdReportCode;

typedef struct
{
  guint8  pid;
  guint8  index;
  double  value;    /* SI */
} ObdReportValue;

typedef struct
{
  char    *dtc;            /* may be NULL */
  char    *dtc_title;      /* the code's title, may be NULL */
  gint64   captured_us;
  GArray  *values;         /* ObdReportValue the PID table knows, in PID order */
} ObdReportFreezeFrame;

typedef struct
{
  char        *key;        /* stable: "catalyst" */
  const char  *label;      /* translated, lives forever */
  gboolean     available;  /* the vehicle has this monitor */
  gboolean     complete;
  gboolean     continuous; /* misfire, fuel system, components */
} ObdReportMonitor;

typedef enum
{
  OBD_INSPECTION_UNKNOWN = 0,   /* no readiness was read, or not an OBD-II vehicle */
  OBD_INSPECTION_READY,
  OBD_INSPECTION_NOT_READY,     /* more monitors incomplete than tolerated */
  OBD_INSPECTION_CODES,         /* confirmed powertrain codes: the warning lamp is on */
} ObdInspectionVerdict;

typedef struct
{
  ObdInspectionVerdict  verdict;
  gint64                taken_us;          /* the readiness snapshot used */
  guint                 n_incomplete;
  guint                 n_tolerated;       /* 1 from model year 2001, 2 for 1996-2000 */
  int                   model_year;        /* 0 when unknown: the stricter rule applies */
  GPtrArray            *incomplete;        /* translated monitor names (borrowed) */
} ObdReportInspection;

typedef struct
{
  guint8          pid;
  guint8          index;
  const ObdValue *info;       /* key, label, unit; lives forever */
  GArray         *points;     /* ObdStorePoint, SI, in time order */
  double          min;
  double          max;
  double          mean;
} ObdReportSeries;

typedef struct
{
  char  *title;
  char  *detail;       /* may be NULL */
} ObdReportFinding;

typedef struct
{
  char   *title;
  char   *detail;        /* may be NULL */
  double  labour_hours;  /* NaN when not estimated */
} ObdReportRecommendation;

typedef struct
{
  char               *title;
  ObdServiceForecast  forecast;
} ObdReportService;

typedef enum
{
  OBD_REPORT_INTEGRITY_INTACT = 0,
  OBD_REPORT_INTEGRITY_UNSEALED,  /* still recording: no hash yet */
  OBD_REPORT_INTEGRITY_CHANGED,   /* the content no longer matches the hash */
} ObdReportIntegrity;

typedef struct
{
  /* Who and when */
  char               *shop_name;
  char               *shop_address;
  char               *shop_phone;
  char               *logo_path;
  char               *mechanic;
  char               *customer;
  ObdUnitSystem       units;
  gint64              created_us;

  ObdStoreSession    *session;
  ObdStoreVehicle    *vehicle;        /* NULL when the session has none */
  double              odometer_km;    /* < 0 when unknown */

  /* Health: the vehicle's report from the store; NULL without a vehicle.
   * health_current is FALSE when a later session of the vehicle exists:
   * the scores then describe the vehicle as last checked. */
  ObdHealthReport    *health;
  gboolean            health_current;

  GPtrArray          *codes;          /* ObdReportCode, most severe first */
  GPtrArray          *freeze_frames;  /* ObdReportFreezeFrame */
  GPtrArray          *monitors;       /* ObdReportMonitor of the last readiness snapshot */
  ObdReportInspection inspection;
  GArray             *mode06;         /* ObdStoreMode06Row of the session */
  GPtrArray          *series;         /* ObdReportSeries of the key readings present */
  GPtrArray          *alerts;         /* ObdStoreNotification raised during the session */
  GPtrArray          *notes;          /* ObdStoreNote of the session */
  GPtrArray          *findings;       /* ObdReportFinding */
  GPtrArray          *recommendations;/* ObdReportRecommendation */
  GPtrArray          *services;       /* ObdReportService that are due, overdue or next */

  ObdReportIntegrity  integrity;
  char               *verification_code;  /* NULL while unsealed */
} ObdReport;

/* Gathers the report of session_id.  Fails with OBD_STORE_ERROR_NOT_FOUND
 * for an unknown session and passes other store errors on.  The session's
 * content is checked against its hash: report->integrity says the
 * outcome (the caller decides whether to print a changed session). */
ObdReport  *obd_report_new_from_store  (ObdStore                *store,
                                        gint64                   session_id,
                                        const ObdReportOptions  *options,
                                        GError                 **error);
void        obd_report_free            (ObdReport               *report);

/* More guided-repair results (obd_report_new_from_store () already adds
 * the findings of the guides finished during the session, from the
 * store).  Strings are copied; labour_hours NaN when not estimated. */
void        obd_report_add_finding     (ObdReport               *report,
                                        const char              *title,
                                        const char              *detail);
void        obd_report_add_recommendation (ObdReport            *report,
                                           const char           *title,
                                           const char           *detail,
                                           double                labour_hours);

/* Evaluates readiness for an emissions inspection: monitors that exist and
 * are incomplete, against what many inspection programmes tolerate (one
 * for model year 2001 and later, two for 1996-2000; model_year 0 applies
 * the stricter rule).  confirmed_codes: stored or permanent powertrain
 * codes are active, so the warning lamp is on.  Pure; fills out (incomplete borrows
 * the monitors' labels). */
void        obd_report_evaluate_inspection (const ObdReportMonitor *monitors,
                                            gsize                   n_monitors,
                                            int                     model_year,
                                            gboolean                confirmed_codes,
                                            ObdReportInspection    *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdReport, obd_report_free)

G_END_DECLS
