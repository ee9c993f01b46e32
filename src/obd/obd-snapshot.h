/* obd-snapshot.h — everything a diagnosis reads from a vehicle, in one go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Trouble codes of every kind, the freeze frame, readiness, on-board
 * monitor results and vehicle information, read with a connected adapter
 * (blocking: on the worker thread or in a command-line tool).  The CLI,
 * the application and the recorder all read a vehicle through here.
 */
#pragma once

#include <gio/gio.h>

#include "obd-adapter.h"
#include "obd-dtc.h"
#include "obd-mode06.h"
#include "obd-mode09.h"
#include "obd-vin.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_SNAPSHOT_DTCS      = 1 << 0,  /* stored, pending and permanent codes */
  OBD_SNAPSHOT_FREEZE    = 1 << 1,  /* Mode 02 frame 0 */
  OBD_SNAPSHOT_READINESS = 1 << 2,  /* PIDs 01, 41, 30, 31 */
  OBD_SNAPSHOT_MONITORS  = 1 << 3,  /* Mode 06, CAN only */
  OBD_SNAPSHOT_INFO      = 1 << 4,  /* Mode 09, battery voltage */
  OBD_SNAPSHOT_ALL       = 0x1F,
} ObdSnapshotParts;

typedef struct
{
  ObdSnapshotParts  parts;               /* what was asked for */
  gint64            time_us;             /* wall clock when reading started */
  ObdProtocol       protocol;

  /* INFO */
  char             *vin;                 /* NULL if the vehicle did not report one */
  ObdVinInfo       *vin_info;            /* NULL without a VIN */
  double            battery_voltage;     /* NAN if unknown */
  GPtrArray        *ecu_names;           /* of ObdInfoRecord */
  GPtrArray        *calibration_ids;     /* of ObdInfoRecord */
  GPtrArray        *cvns;                /* of ObdInfoRecord */

  /* DTCS */
  GArray           *dtcs;                /* of ObdDtc, stored then pending then permanent */

  /* FREEZE */
  char              freeze_dtc[6];       /* "" when no freeze frame is stored */
  guint32           freeze_ecu;
  GArray           *freeze_values;       /* of ObdValue */

  /* READINESS */
  GArray           *readiness;           /* of ObdValue, PID 01 */
  GArray           *readiness_cycle;     /* of ObdValue, PID 41; empty if unsupported */
  double            km_since_clear;      /* PID 31, NAN if unknown */
  int               warmups_since_clear; /* PID 30, -1 if unknown */

  /* MONITORS */
  gboolean          monitors_supported;  /* FALSE on legacy buses or without Mode 06 */
  GArray           *monitors;            /* of ObdMonitorResult */
} ObdSnapshot;

ObdSnapshot *obd_snapshot_new          (void);
void         obd_snapshot_free         (ObdSnapshot       *snapshot);
/* A deep copy, for a reader on another thread (the store's). */
ObdSnapshot *obd_snapshot_copy         (const ObdSnapshot *snapshot);

/* Reads the given parts.  A part the vehicle does not support is left
 * empty; only a lost link, a cancel or a vehicle that stopped answering
 * fails the call. */
ObdSnapshot *obd_snapshot_read         (ObdAdapter        *adapter,
                                        ObdSnapshotParts   parts,
                                        GCancellable      *cancellable,
                                        GError           **error);

/* Looks up a readiness value (PID 01) by key, e.g. "catalyst_complete";
 * NULL if absent. */
const ObdValue *obd_snapshot_find_readiness (const ObdSnapshot *snapshot,
                                             const char        *key);

/* Mode 04: clears codes, freeze frames and readiness.  out_ecus (nullable)
 * receives the ECUs that acknowledged. */
gboolean     obd_snapshot_clear_codes  (ObdAdapter        *adapter,
                                        GArray           **out_ecus,
                                        GCancellable      *cancellable,
                                        GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdSnapshot, obd_snapshot_free)

G_END_DECLS
