/* obd-page.h — what every page of the window shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page shows one side of the session (Sysprof's SysprofSection is the
 * model).  ObdPage owns what they all need: the session and the signals
 * followed on it, the injected settings and the units they choose, the
 * vehicle shown (the session's unless one is set), the words of the
 * "not connected" state, the store the session writes to, asynchronous
 * store reads whose late answers are dropped, and toasts.  A subclass is
 * its template plus the handlers only it has.
 *
 * Properties:
 *   "session"              ObdSession, construct
 *   "settings"             GSettings, construct; NULL takes the
 *                          application's schema (for tests)
 *   "units"                ObdUnitSystem as int, read-only, from "units"
 *   "vehicle-id"           gint64; 0 follows the session's vehicle
 *   "shown-vehicle-id"     gint64, read-only: the vehicle shown
 *   "connected"            boolean, read-only
 *   "store-available"      boolean, read-only: a store to read
 *   "store-writable"       boolean, read-only: and to write
 *   "status-icon-name", "status-title", "status-description"
 *                          strings, read-only: the page's empty state
 *                          while it has no vehicle to show, for its
 *                          AdwStatusPage through <binding>s
 */
#pragma once

#include <adwaita.h>

#include "obd-session.h"

G_BEGIN_DECLS

#define OBD_TYPE_PAGE (obd_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (ObdPage, obd_page, OBD, PAGE, AdwBin)

struct _ObdPageClass
{
  AdwBinClass parent_class;

  /* Translatable (N_()) sentence of the empty state while disconnected:
   * "Connect to a vehicle to read its trouble codes." */
  const char *disconnected_description;

  /* The session was replaced (also by NULL); signals connected through
   * obd_page_get_session_signals () follow by themselves. */
  void (*session_changed) (ObdPage *self);
  /* "shown-vehicle-id" changed, or the store became usable (or not). */
  void (*vehicle_changed) (ObdPage *self);
  /* The store wrote what ("vehicle", "session", "dtc", …) about the
   * shown vehicle, or about none or several (vehicle_id 0). */
  void (*store_changed)   (ObdPage    *self,
                           const char *what,
                           gint64      vehicle_id);
  /* "units" changed. */
  void (*units_changed)   (ObdPage *self);
  /* "connected" or the session's status changed. */
  void (*state_changed)   (ObdPage *self);

  gpointer padding[8];
};

ObdSession      *obd_page_get_session            (ObdPage      *self);
void             obd_page_set_session            (ObdPage      *self,
                                                  ObdSession   *session);
/* Handlers connected here follow the session the page has. */
GSignalGroup    *obd_page_get_session_signals    (ObdPage      *self);
GSettings       *obd_page_get_settings           (ObdPage      *self);
ObdUnitSystem    obd_page_get_units              (ObdPage      *self);
gint64           obd_page_get_vehicle_id         (ObdPage      *self);
void             obd_page_set_vehicle_id         (ObdPage      *self,
                                                  gint64        vehicle_id);
gint64           obd_page_get_shown_vehicle_id   (ObdPage      *self);
gboolean         obd_page_get_connected          (ObdPage      *self);
ObdStoreService *obd_page_get_store              (ObdPage      *self);
gboolean         obd_page_get_store_writable     (ObdPage      *self);

/* Says text in a toast: the window's when the page is in one, so every
 * page's messages appear in one place.  Errors stay ten seconds. */
void             obd_page_show_toast             (ObdPage      *self,
                                                  const char   *text);
/* "what. Why. What to do next." in a toast (a store error gets its
 * advice: free disk space, …). */
void             obd_page_report_error           (ObdPage      *self,
                                                  const char   *what,
                                                  const GError *error);

/* The answer of a store job, on the main thread.  result is owned by the
 * page (freed after the call); NULL with error on failure. */
typedef void (*ObdPageLoadFunc) (ObdPage      *self,
                                 gpointer      result,
                                 const GError *error,
                                 gpointer      user_data);

/* Runs func on the store's thread.  A later load with the same key
 * cancels this one, and so does the page's disposal: callback runs only
 * for the latest answer of each key, never after the page is gone. */
void             obd_page_load                   (ObdPage         *self,
                                                  const char      *key,
                                                  ObdStoreJobFunc  func,
                                                  gpointer         data,
                                                  GDestroyNotify   data_destroy,
                                                  GDestroyNotify   result_destroy,
                                                  int              io_priority,
                                                  ObdPageLoadFunc  callback,
                                                  gpointer         user_data);
/* Cancels the load of key, if any. */
void             obd_page_cancel_load            (ObdPage         *self,
                                                  const char      *key);
/* Writes through the store (what it changes: see ObdStoreService).  A
 * failure is reported as failed_what (a translated sentence) in a toast,
 * then callback (nullable) runs, with the error, unless the page is gone
 * by then; the write itself is done either way. */
void             obd_page_write                  (ObdPage         *self,
                                                  const char      *what,
                                                  gint64           vehicle_id,
                                                  ObdStoreJobFunc  func,
                                                  gpointer         data,
                                                  GDestroyNotify   data_destroy,
                                                  const char      *failed_what,
                                                  ObdPageLoadFunc  callback,
                                                  gpointer         user_data);

/* Replaces what store holds with items (of its item type), a few a
 * frame over all the page's lists (the first ones at once), so no frame
 * lays out more than a few new rows.  A later fill of the same store
 * replaces this one. */
void             obd_page_fill_model             (ObdPage      *self,
                                                  GListStore   *store,
                                                  GPtrArray    *items);

/* For a subclass's dispose: its template's widgets go, the bin's child
 * first. */
void             obd_page_dispose_template       (ObdPage      *self,
                                                  GType         type);

/* A store error in words for people: its message, then what to do. */
char            *obd_page_describe_error         (const char   *what,
                                                  const GError *error);

G_END_DECLS
