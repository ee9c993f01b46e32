/* obd-store-guide.h — guided-repair runs in the local store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run is one walk through a guide (data/guides/, src/guide/) on one
 * vehicle, usually inside a session: the steps the mechanic completed, in
 * order, with answers, measurements and live-check results; and, once it
 * ends, its finding with the recommended repairs and their labour time.
 * The store knows nothing of guides: src/guide/obd-guide-store.h turns an
 * ObdGuideRun into these rows and back, and resumes a run after a
 * restart by replaying its steps.
 *
 * Titles and texts are the guide's English text as it was run — msgids of
 * the GETTEXT_PACKAGE domain: show them through g_dgettext().  Every change
 * is written with its outbox row ("guide_run", the whole run as JSON) in
 * one transaction, like every other change a user makes.  Same thread
 * rules as the rest of ObdStore.
 */
#pragma once

#include "obd-store.h"

G_BEGIN_DECLS

typedef enum
{
  OBD_STORE_GUIDE_RUN_ACTIVE = 0,   /* can be resumed */
  OBD_STORE_GUIDE_RUN_FINISHED,     /* reached a finding */
  OBD_STORE_GUIDE_RUN_ABANDONED,    /* given up: kept for history */
} ObdStoreGuideRunStatus;

const char *obd_store_guide_run_status_to_string (ObdStoreGuideRunStatus status);

typedef struct
{
  gint64                  id;
  char                   *uuid;
  gint64                  vehicle_id;     /* 0 when the vehicle is unknown */
  gint64                  session_id;     /* 0 when run outside a session */
  char                   *guide_id;
  int                     guide_version;
  char                   *guide_title;   /* msgid */
  char                   *reason;        /* "code:P0128", "symptom:no-start" or NULL */
  ObdStoreGuideRunStatus  status;
  char                   *current_step;  /* NULL once finished */
  gint64                  started_us;
  gint64                  updated_us;
  gint64                  finished_us;   /* 0 unless finished */
  guint                   n_steps;
  /* The finding, joined for lists; NULL unless finished. */
  char                   *finding_id;
  char                   *finding_kind;  /* "fault", "no-fault", "refer" */
  char                   *finding_title; /* msgid */
} ObdStoreGuideRun;

/* One completed step.  kind and outcome are the guide engine's stable
 * keys ("live-check", "pass"; "question", the answer's value...). */
typedef struct
{
  guint     seq;          /* 1, 2, ... in the order they were done */
  char     *step_id;
  char     *kind;
  char     *title;        /* msgid, may be NULL */
  char     *outcome;
  double    value;        /* measurement or deciding reading, SI; NAN if none;
                           * +INFINITY for an open circuit ("OL") */
  char     *unit;         /* untranslated symbol, may be NULL */
  char     *detail;       /* JSON object with the evidence, may be NULL */
  gboolean  manual;       /* a live check the mechanic judged by hand */
  gint64    recorded_us;
} ObdStoreGuideStep;

typedef struct
{
  char   *title;          /* msgid */
  double  hours;          /* typical labour time */
  double  max_hours;      /* upper end when it varies with the car, else NAN */
} ObdStoreGuideRepair;

typedef struct
{
  char      *finding_id;
  char      *kind;        /* "fault", "no-fault", "refer" */
  char      *title;       /* msgid */
  char      *text;        /* msgid, may be NULL */
  char      *refer_guide; /* the guide to continue with ("refer"), else NULL */
  GPtrArray *repairs;     /* of ObdStoreGuideRepair, never NULL */
} ObdStoreGuideFinding;

void obd_store_guide_run_free      (ObdStoreGuideRun     *run);
void obd_store_guide_step_free     (ObdStoreGuideStep    *step);
void obd_store_guide_repair_free   (ObdStoreGuideRepair  *repair);
void obd_store_guide_finding_free  (ObdStoreGuideFinding *finding);
/* An empty finding with an empty repairs array, for callers filling one. */
ObdStoreGuideFinding *obd_store_guide_finding_new (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreGuideRun, obd_store_guide_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreGuideStep, obd_store_guide_step_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreGuideRepair, obd_store_guide_repair_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdStoreGuideFinding, obd_store_guide_finding_free)

/* Starts a run at first_step.  vehicle_id and session_id may be 0.
 * Returns the run id, 0 on error. */
gint64            obd_store_start_guide_run       (ObdStore                   *self,
                                                   gint64                      vehicle_id,
                                                   gint64                      session_id,
                                                   const char                 *guide_id,
                                                   int                         guide_version,
                                                   const char                 *guide_title,
                                                   const char                 *reason,
                                                   const char                 *first_step,
                                                   gint64                      started_us,
                                                   GError                    **error);
/* Appends step (its seq must be the run's next one) and moves the run to
 * current_step.  Fails with OBD_STORE_ERROR_SESSION_CLOSED on a run that
 * is no longer active. */
gboolean          obd_store_add_guide_run_step    (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   const ObdStoreGuideStep    *step,
                                                   const char                 *current_step,
                                                   GError                    **error);
/* The mechanic went back: drops the steps after keep_seq and moves the
 * run to current_step.  A finished run is reopened (its finding goes); an
 * abandoned one does not change. */
gboolean          obd_store_rewind_guide_run      (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   guint                       keep_seq,
                                                   const char                 *current_step,
                                                   GError                    **error);
/* Ends the run in finding. */
gboolean          obd_store_finish_guide_run      (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   const ObdStoreGuideFinding *finding,
                                                   gint64                      finished_us,
                                                   GError                    **error);
gboolean          obd_store_abandon_guide_run     (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   GError                    **error);

ObdStoreGuideRun *obd_store_get_guide_run         (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   GError                    **error);
/* Element type ObdStoreGuideRun, newest first.  vehicle_id and session_id
 * filter when not 0. */
GPtrArray        *obd_store_list_guide_runs       (ObdStore                   *self,
                                                   gint64                      vehicle_id,
                                                   gint64                      session_id,
                                                   GError                    **error);
/* Element type ObdStoreGuideStep, in order. */
GPtrArray        *obd_store_list_guide_run_steps  (ObdStore                   *self,
                                                   gint64                      run_id,
                                                   GError                    **error);
/* Element type ObdStoreGuideFinding with its repairs: what a report
 * prints.  Empty while the run is active. */
GPtrArray        *obd_store_list_guide_run_findings (ObdStore                 *self,
                                                     gint64                    run_id,
                                                     GError                  **error);

G_END_DECLS
