/* obd-application.h — the workshop application: store, session, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "obd-session.h"
#include "obd-store-service.h"
#include "obd-sync-manager.h"

G_BEGIN_DECLS

#define OBD_TYPE_APPLICATION (obd_application_get_type ())
G_DECLARE_FINAL_TYPE (ObdApplication, obd_application, OBD, APPLICATION, AdwApplication)

ObdApplication *obd_application_new               (void);

/* Valid between startup and shutdown. */
ObdSession     *obd_application_get_session       (ObdApplication *self);
GSettings      *obd_application_get_settings      (ObdApplication *self);
/* Sync with the shop's server. */
ObdSyncManager *obd_application_get_sync          (ObdApplication *self);
/* The local store; its "error" says why it could not be opened. */
ObdStoreService *obd_application_get_store        (ObdApplication *self);

G_END_DECLS
