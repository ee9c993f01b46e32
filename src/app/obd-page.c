/* obd-page.c — what every page of the window shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-settings.h"
#include "obd-clamp.h"
#include "obd-enum-types.h"
#include "obd-defer-bin.h"
#include "obd-page.h"

/* Rows a frame may still add (see "Filling list models in steps"). */
typedef struct
{
  gint64 frame;   /* the frame clock's frame this counts for */
  guint  left;
} FillBudget;

typedef struct
{
  ObdSession      *session;
  GSignalGroup    *session_signals;
  GSignalGroup    *store_signals;
  GSettings       *settings;
  ObdUnitSystem    units;
  gint64           vehicle_id;
  gint64           shown_vehicle_id;
  gboolean         connected;
  GHashTable      *loads;          /* key → GCancellable */
  GHashTable      *fills;          /* GListStore → Fill, models filled in steps */
  guint            fill_tick_id;
  guint64          fill_serial;
  FillBudget       fill_budget;    /* while the page has no frame clock */
  gboolean         constructed;
  char            *status_icon_name;
  char            *status_title;
  char            *status_description;
} ObdPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ObdPage, obd_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SETTINGS,
  PROP_UNITS,
  PROP_VEHICLE_ID,
  PROP_SHOWN_VEHICLE_ID,
  PROP_CONNECTED,
  PROP_STORE_AVAILABLE,
  PROP_STORE_WRITABLE,
  PROP_STATUS_ICON_NAME,
  PROP_STATUS_TITLE,
  PROP_STATUS_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Errors in words --------------------------------------------------------- */

/* What to do, for the store's errors that do not say it themselves: those
 * made from SQLite's codes (disk full, damaged, busy, read-only) carry
 * their own advice already. */
static const char *
store_advice (const GError *error)
{
  if (error->domain != OBD_STORE_ERROR)
    return NULL;

  switch ((ObdStoreErrorCode) error->code)
    {
    case OBD_STORE_ERROR_NOT_A_DATABASE:
      /* The store says to choose another file; the app says how. */
      return _("To use another file, start the application with --db FILE.");
    case OBD_STORE_ERROR_TOO_NEW:
      return _("A newer version of the application wrote it. Update the application.");
    case OBD_STORE_ERROR_NOT_FOUND:
      return _("It may have been removed meanwhile; the view is up to date again.");
    case OBD_STORE_ERROR_DISK_FULL:
    case OBD_STORE_ERROR_READ_ONLY:
    case OBD_STORE_ERROR_BUSY:
    case OBD_STORE_ERROR_CORRUPT:
    case OBD_STORE_ERROR_FAILED:
    case OBD_STORE_ERROR_SESSION_CLOSED:
    default:
      return NULL;
    }
}

char *
obd_page_describe_error (const char   *what,
                         const GError *error)
{
  g_autoptr(GString) text = g_string_new (what);
  const char *advice;

  g_return_val_if_fail (error != NULL, g_strdup (what));

  if (text->len > 0 && text->str[text->len - 1] != '.')
    g_string_append_c (text, '.');
  g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", error->message);
  if (text->len > 0 && text->str[text->len - 1] != '.')
    g_string_append_c (text, '.');
  advice = store_advice (error);
  if (advice != NULL)
    g_string_append_printf (text, " %s", advice);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* State ------------------------------------------------------------------- */

static void
set_string_prop (ObdPage     *self,
                 char       **field,
                 const char  *value,
                 guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_state (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  ObdSessionState state = priv->session != NULL ? obd_session_get_state (priv->session)
                                                : OBD_SESSION_STATE_DISCONNECTED;
  gboolean connected = state == OBD_SESSION_STATE_CONNECTED;
  const char *description = OBD_PAGE_GET_CLASS (self)->disconnected_description;

  g_object_freeze_notify (G_OBJECT (self));
  if (state == OBD_SESSION_STATE_DISCONNECTED)
    {
      set_string_prop (self, &priv->status_icon_name, "network-offline-symbolic",
                       PROP_STATUS_ICON_NAME);
      set_string_prop (self, &priv->status_title, _("Not Connected"), PROP_STATUS_TITLE);
      set_string_prop (self, &priv->status_description,
                       description != NULL ? _(description) : NULL, PROP_STATUS_DESCRIPTION);
    }
  else
    {
      set_string_prop (self, &priv->status_icon_name, "content-loading-symbolic",
                       PROP_STATUS_ICON_NAME);
      set_string_prop (self, &priv->status_title,
                       state == OBD_SESSION_STATE_CONNECTED ? _("Reading the Vehicle…")
                                                            : _("Connecting…"),
                       PROP_STATUS_TITLE);
      set_string_prop (self, &priv->status_description,
                       obd_session_get_status_text (priv->session), PROP_STATUS_DESCRIPTION);
    }
  if (priv->connected != connected)
    {
      priv->connected = connected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (OBD_PAGE_GET_CLASS (self)->state_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->state_changed (self);
}

static void
update_shown_vehicle_full (ObdPage  *self,
                           gboolean  always)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  gint64 shown = priv->vehicle_id;

  if (shown == 0 && priv->session != NULL)
    shown = obd_session_get_vehicle_id (priv->session);
  if (shown == priv->shown_vehicle_id && !always)
    return;
  if (priv->shown_vehicle_id != shown)
    {
      priv->shown_vehicle_id = shown;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_VEHICLE_ID]);
    }
  if (OBD_PAGE_GET_CLASS (self)->vehicle_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->vehicle_changed (self);
}

static void
update_shown_vehicle (ObdPage *self)
{
  update_shown_vehicle_full (self, FALSE);
}

/* A write concerning the vehicle shown, or several. */
static void
on_store_changed_cb (ObdPage    *self,
                     const char *what,
                     gint64      vehicle_id)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  if ((vehicle_id == 0 || priv->shown_vehicle_id == 0 || vehicle_id == priv->shown_vehicle_id)
      && OBD_PAGE_GET_CLASS (self)->store_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->store_changed (self, what, vehicle_id);
}

static void
on_store_state_cb (ObdPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_AVAILABLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_WRITABLE]);
  if (OBD_PAGE_GET_CLASS (self)->vehicle_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->vehicle_changed (self);
}

static void
read_units (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  ObdUnitSystem units = OBD_UNIT_SYSTEM_SI;

  if (priv->settings != NULL)
    units = obd_app_settings_get_enum (priv->settings, "units", OBD_TYPE_UNIT_SYSTEM,
                                       OBD_UNIT_SYSTEM_SI);
  if (units == priv->units)
    return;
  priv->units = units;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNITS]);
  if (OBD_PAGE_GET_CLASS (self)->units_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->units_changed (self);
}

/* Toasts ------------------------------------------------------------------ */

void
obd_page_show_toast (ObdPage    *self,
                     const char *text)
{
  GtkWidget *overlay;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (text != NULL);

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    {
      /* Not in a window: the terminal is the only place left to say it. */
      g_message ("%s", text);
      return;
    }
  /* libadwaita 1.2 always reads a toast title as Pango markup. */
  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

void
obd_page_report_error (ObdPage      *self,
                       const char   *what,
                       const GError *error)
{
  g_autofree char *text = NULL;

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (error != NULL);

  text = obd_page_describe_error (what, error);
  g_info ("%s", text);
  obd_page_show_toast (self, text);
}

/* Store jobs --------------------------------------------------------------- */

typedef struct
{
  GWeakRef         page;
  ObdPageLoadFunc  callback;
  gpointer         user_data;
  GDestroyNotify   result_destroy;
  char            *failed_what;   /* writes: reported when they fail */
} Load;

static void
load_free (Load *load)
{
  g_weak_ref_clear (&load->page);
  g_free (load->failed_what);
  g_free (load);
}

static Load *
load_new (ObdPage         *self,
          ObdPageLoadFunc  callback,
          gpointer         user_data,
          GDestroyNotify   result_destroy)
{
  Load *load = g_new0 (Load, 1);

  g_weak_ref_init (&load->page, self);
  load->callback = callback;
  load->user_data = user_data;
  load->result_destroy = result_destroy;
  return load;
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Load *load = data;
  g_autoptr(ObdPage) self = g_weak_ref_get (&load->page);
  g_autoptr(GError) error = NULL;
  gpointer answer = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result, &error);

  /* A late answer: the page is gone, or asked again since. */
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (answer == NULL && load->failed_what != NULL)
    obd_page_report_error (self, load->failed_what, error);
  if (load->callback != NULL)
    load->callback (self, answer, error, load->user_data);

out:
  if (answer != NULL && load->result_destroy != NULL)
    load->result_destroy (answer);
  load_free (load);
}

static void
unavailable_cb (ObdPage    *self,
                Load       *load)
{
  g_autoptr(GError) error = g_error_new_literal (OBD_STORE_ERROR, OBD_STORE_ERROR_FAILED,
                                                 _("There is no local history."));

  if (load->failed_what != NULL)
    obd_page_report_error (self, load->failed_what, error);
  if (load->callback != NULL)
    load->callback (self, NULL, error, load->user_data);
  load_free (load);
}

void
obd_page_load (ObdPage         *self,
               const char      *key,
               ObdStoreJobFunc  func,
               gpointer         data,
               GDestroyNotify   data_destroy,
               GDestroyNotify   result_destroy,
               int              io_priority,
               ObdPageLoadFunc  callback,
               gpointer         user_data)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  ObdStoreService *store;
  GCancellable *cancellable;

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (func != NULL);

  obd_page_cancel_load (self, key);
  store = obd_page_get_store (self);
  if (store == NULL)
    {
      if (data_destroy != NULL)
        data_destroy (data);
      unavailable_cb (self, load_new (self, callback, user_data, result_destroy));
      return;
    }

  cancellable = g_cancellable_new ();
  g_hash_table_replace (priv->loads, g_strdup (key), cancellable);
  obd_store_service_run_async (store, func, data, data_destroy, result_destroy, io_priority,
                               cancellable, on_job_done_cb,
                               load_new (self, callback, user_data, result_destroy));
}

void
obd_page_cancel_load (ObdPage    *self,
                      const char *key)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  GCancellable *cancellable;

  g_return_if_fail (OBD_IS_PAGE (self));

  cancellable = g_hash_table_lookup (priv->loads, key);
  if (cancellable != NULL)
    {
      g_cancellable_cancel (cancellable);
      g_hash_table_remove (priv->loads, key);
    }
}

void
obd_page_write (ObdPage         *self,
                const char      *what,
                gint64           vehicle_id,
                ObdStoreJobFunc  func,
                gpointer         data,
                GDestroyNotify   data_destroy,
                const char      *failed_what,
                ObdPageLoadFunc  callback,
                gpointer         user_data)
{
  ObdStoreService *store;
  Load *load;

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (what != NULL);
  g_return_if_fail (failed_what != NULL);

  store = obd_page_get_store (self);
  load = load_new (self, callback, user_data, NULL);
  load->failed_what = g_strdup (failed_what);
  if (store == NULL)
    {
      if (data_destroy != NULL)
        data_destroy (data);
      unavailable_cb (self, load);
      return;
    }
  /* Not cancellable: the write is done, only the callback is dropped if
   * the page goes (the weak reference). */
  obd_store_service_write_async (store, what, vehicle_id, func, data, data_destroy, NULL,
                                 on_job_done_cb, load);
}

/* Filling list models in steps ---------------------------------------------- */

/* A GtkListBox bound to a model makes a row for every item added, at
 * once, and the next frame lays them all out: a few hundred recorded
 * sessions would stall the window.  Items go in at most FILL_PER_FRAME a
 * frame, counted over all the lists of the window's pages (a page of three
 * short lists is as long as one), from a tick callback: so no frame lays out
 * more than one new row, the first ones show at once, and the rest follow
 * a frame at a time.  Sysprof paces its work the same way.  A row of
 * wrapping labels costs several milliseconds of styling and layout on the
 * cairo renderer: with four a frame, the fleet view's rows (bench-main-
 * thread) took frames of up to 55 ms, with two 18-19 ms, with one 13-14. */
#define FILL_PER_FRAME 1

typedef struct
{
  ObdPage    *page;      /* borrowed: the page owns the fill */
  GListStore *store;
  GPtrArray  *items;
  guint       next;
  guint64     serial;    /* first asked, first filled */
} Fill;

static void
fill_free (gpointer data)
{
  Fill *fill = data;

  g_object_unref (fill->store);
  g_ptr_array_unref (fill->items);
  g_free (fill);
}

/* What this frame may still add, counted for the whole window: the
 * fleet view shows two pages filling at once (the list and the history
 * beside it), and both are laid out in the same frame.  A page not yet
 * in a window counts alone. */
static FillBudget *
fill_budget_of (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  static GQuark quark;
  FillBudget *budget;

  if (clock == NULL)
    return &priv->fill_budget;
  if (quark == 0)
    quark = g_quark_from_static_string ("obd-page-fill-budget");
  budget = g_object_get_qdata (G_OBJECT (clock), quark);
  if (budget == NULL)
    {
      budget = g_new0 (FillBudget, 1);
      budget->frame = -1;
      g_object_set_qdata_full (G_OBJECT (clock), quark, budget, g_free);
    }
  return budget;
}

static guint
fill_budget (ObdPage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  gint64 frame = clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : -1;
  FillBudget *budget = fill_budget_of (self);

  if (frame != budget->frame)
    {
      budget->frame = frame;
      budget->left = FILL_PER_FRAME;
    }
  return budget->left;
}

/* Adds what the budget allows; TRUE when the fill is complete. */
static gboolean
fill_step (Fill *fill)
{
  guint n = MIN (fill_budget (fill->page), fill->items->len - fill->next);

  /* The first step replaces what the list showed, so it never blinks
   * empty while it waits for its turn. */
  if (fill->next == 0 && (n > 0 || fill->items->len == 0))
    g_list_store_splice (fill->store, 0, g_list_model_get_n_items (G_LIST_MODEL (fill->store)),
                         fill->items->pdata, n);
  else if (n > 0)
    g_list_store_splice (fill->store, g_list_model_get_n_items (G_LIST_MODEL (fill->store)), 0,
                         fill->items->pdata + fill->next, n);
  fill->next += n;
  fill_budget_of (fill->page)->left -= n;
  return fill->next == fill->items->len;
}

static Fill *
first_fill (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  GHashTableIter iter;
  Fill *fill, *first = NULL;

  g_hash_table_iter_init (&iter, priv->fills);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &fill))
    if (first == NULL || fill->serial < first->serial)
      first = fill;
  return first;
}

static gboolean
fill_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  ObdPage *self = OBD_PAGE (widget);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  Fill *fill;

  while (fill_budget (self) > 0 && (fill = first_fill (self)) != NULL)
    if (fill_step (fill))
      g_hash_table_remove (priv->fills, fill->store);
  if (g_hash_table_size (priv->fills) > 0)
    return G_SOURCE_CONTINUE;
  priv->fill_tick_id = 0;
  return G_SOURCE_REMOVE;
}

void
obd_page_fill_model (ObdPage    *self,
                     GListStore *store,
                     GPtrArray  *items)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  Fill *fill;

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (G_IS_LIST_STORE (store));
  g_return_if_fail (items != NULL);

  g_hash_table_remove (priv->fills, store);
  fill = g_new0 (Fill, 1);
  fill->page = self;
  fill->store = g_object_ref (store);
  fill->items = g_ptr_array_ref (items);
  fill->serial = ++priv->fill_serial;
  /* Behind earlier fills of this frame, not before them. */
  if ((g_hash_table_size (priv->fills) > 0 && first_fill (self) != NULL) || !fill_step (fill))
    {
      g_hash_table_insert (priv->fills, store, fill);
      if (priv->fill_tick_id == 0)
        priv->fill_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fill_tick_cb,
                                                           NULL, NULL);
      return;
    }
  fill_free (fill);
}

/* Accessors ----------------------------------------------------------------- */

ObdSession *
obd_page_get_session (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), NULL);
  return priv->session;
}

void
obd_page_set_session (ObdPage    *self,
                      ObdSession *session)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&priv->session, session))
    return;

  g_signal_group_set_target (priv->session_signals, session);
  g_signal_group_set_target (priv->store_signals,
                             session != NULL ? obd_session_get_store (session) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  /* During construction the rest waits for constructed (), when the
   * settings are known too. */
  if (!priv->constructed)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_AVAILABLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_WRITABLE]);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));
  if (OBD_PAGE_GET_CLASS (self)->session_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->session_changed (self);
  update_shown_vehicle (self);
}

GSignalGroup *
obd_page_get_session_signals (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), NULL);
  return priv->session_signals;
}

GSettings *
obd_page_get_settings (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), NULL);
  return priv->settings;
}

ObdUnitSystem
obd_page_get_units (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), OBD_UNIT_SYSTEM_SI);
  return priv->units;
}

gint64
obd_page_get_vehicle_id (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), 0);
  return priv->vehicle_id;
}

void
obd_page_set_vehicle_id (ObdPage *self,
                         gint64   vehicle_id)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_if_fail (OBD_IS_PAGE (self));
  g_return_if_fail (vehicle_id >= 0);

  if (priv->vehicle_id == vehicle_id)
    return;
  priv->vehicle_id = vehicle_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
  update_shown_vehicle (self);
}

gint64
obd_page_get_shown_vehicle_id (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), 0);
  return priv->shown_vehicle_id;
}

gboolean
obd_page_get_connected (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), FALSE);
  return priv->connected;
}

ObdStoreService *
obd_page_get_store (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_return_val_if_fail (OBD_IS_PAGE (self), NULL);
  return priv->session != NULL ? obd_session_get_store (priv->session) : NULL;
}

static gboolean
get_store_available (ObdPage *self)
{
  ObdStoreService *store = obd_page_get_store (self);

  return store != NULL && obd_store_service_get_state (store) != OBD_STORE_SERVICE_FAILED &&
         obd_store_service_get_state (store) != OBD_STORE_SERVICE_CLOSED;
}

gboolean
obd_page_get_store_writable (ObdPage *self)
{
  g_return_val_if_fail (OBD_IS_PAGE (self), FALSE);

  return get_store_available (self) && !obd_store_service_get_read_only (obd_page_get_store (self));
}

void
obd_page_dispose_template (ObdPage *self,
                           GType    type)
{
  g_return_if_fail (OBD_IS_PAGE (self));

  /* The template's top widget is also AdwBin's child: take it out of the
   * bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), type);
}

/* GObject --------------------------------------------------------------------- */

/* GTK 4.8: once a page has been taken out of its window, the action
 * helpers of its buttons believe the page's own actions are gone and stay
 * insensitive after it is put back; naming the action again makes them
 * look it up afresh. */
static void
reset_actionables (GtkWidget *widget)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    {
      g_autofree char *name = g_strdup (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));

      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (widget), name);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    reset_actionables (child);
}

static void
obd_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (obd_page_parent_class)->root (widget);

  reset_actionables (widget);
}

static void
obd_page_constructed (GObject *object)
{
  ObdPage *self = OBD_PAGE (object);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  G_OBJECT_CLASS (obd_page_parent_class)->constructed (object);

  /* Tests build pages alone: the application's settings then. */
  if (priv->settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
      if (schema != NULL)
        priv->settings = g_settings_new (SCHEMA_ID);
    }
  if (priv->settings != NULL)
    g_signal_connect_object (priv->settings, "changed::units", G_CALLBACK (read_units), self,
                             G_CONNECT_SWAPPED);
  read_units (self);
  priv->constructed = TRUE;
  update_state (self);
  if (OBD_PAGE_GET_CLASS (self)->session_changed != NULL)
    OBD_PAGE_GET_CLASS (self)->session_changed (self);
  /* The first look at the vehicle, whichever it is. */
  update_shown_vehicle_full (self, TRUE);
}

static void
obd_page_dispose (GObject *object)
{
  ObdPage *self = OBD_PAGE (object);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);
  GHashTableIter iter;
  gpointer cancellable;

  if (priv->fills != NULL)
    g_hash_table_remove_all (priv->fills);
  if (priv->fill_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), priv->fill_tick_id);
      priv->fill_tick_id = 0;
    }
  if (priv->loads != NULL)
    {
      g_hash_table_iter_init (&iter, priv->loads);
      while (g_hash_table_iter_next (&iter, NULL, &cancellable))
        g_cancellable_cancel (cancellable);
      g_hash_table_remove_all (priv->loads);
    }
  if (priv->session_signals != NULL)
    g_signal_group_set_target (priv->session_signals, NULL);
  if (priv->store_signals != NULL)
    g_signal_group_set_target (priv->store_signals, NULL);
  g_clear_object (&priv->session);
  g_clear_object (&priv->settings);

  G_OBJECT_CLASS (obd_page_parent_class)->dispose (object);
}

static void
obd_page_finalize (GObject *object)
{
  ObdPage *self = OBD_PAGE (object);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  g_clear_object (&priv->session_signals);
  g_clear_object (&priv->store_signals);
  g_clear_pointer (&priv->loads, g_hash_table_unref);
  g_clear_pointer (&priv->fills, g_hash_table_unref);
  g_free (priv->status_icon_name);
  g_free (priv->status_title);
  g_free (priv->status_description);

  G_OBJECT_CLASS (obd_page_parent_class)->finalize (object);
}

static void
obd_page_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  ObdPage *self = OBD_PAGE (object);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, priv->settings);
      break;
    case PROP_UNITS:
      g_value_set_int (value, priv->units);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_int64 (value, priv->vehicle_id);
      break;
    case PROP_SHOWN_VEHICLE_ID:
      g_value_set_int64 (value, priv->shown_vehicle_id);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, priv->connected);
      break;
    case PROP_STORE_AVAILABLE:
      g_value_set_boolean (value, get_store_available (self));
      break;
    case PROP_STORE_WRITABLE:
      g_value_set_boolean (value, obd_page_get_store_writable (self));
      break;
    case PROP_STATUS_ICON_NAME:
      g_value_set_string (value, priv->status_icon_name);
      break;
    case PROP_STATUS_TITLE:
      g_value_set_string (value, priv->status_title);
      break;
    case PROP_STATUS_DESCRIPTION:
      g_value_set_string (value, priv->status_description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_page_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  ObdPage *self = OBD_PAGE (object);
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      priv->settings = g_value_dup_object (value);
      break;
    case PROP_VEHICLE_ID:
      obd_page_set_vehicle_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_page_class_init (ObdPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = obd_page_constructed;
  object_class->dispose = obd_page_dispose;
  object_class->finalize = obd_page_finalize;
  object_class->get_property = obd_page_get_property;
  object_class->set_property = obd_page_set_property;
  widget_class->root = obd_page_root;
  /* Templates of pages hold parts laid out a frame late. */
  g_type_ensure (OBD_TYPE_DEFER_BIN);
  g_type_ensure (OBD_TYPE_CLAMP);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNITS] =
    g_param_spec_int ("units", NULL, NULL, OBD_UNIT_SYSTEM_SI, OBD_UNIT_SYSTEM_US,
                      OBD_UNIT_SYSTEM_SI, ro);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOWN_VEHICLE_ID] =
    g_param_spec_int64 ("shown-vehicle-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, ro);
  properties[PROP_STORE_AVAILABLE] =
    g_param_spec_boolean ("store-available", NULL, NULL, FALSE, ro);
  properties[PROP_STORE_WRITABLE] =
    g_param_spec_boolean ("store-writable", NULL, NULL, FALSE, ro);
  properties[PROP_STATUS_ICON_NAME] =
    g_param_spec_string ("status-icon-name", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_TITLE] = g_param_spec_string ("status-title", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_DESCRIPTION] =
    g_param_spec_string ("status-description", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
obd_page_init (ObdPage *self)
{
  ObdPagePrivate *priv = obd_page_get_instance_private (self);

  priv->units = OBD_UNIT_SYSTEM_SI;
  priv->loads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  priv->fills = g_hash_table_new_full (NULL, NULL, NULL, fill_free);
  priv->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_object (priv->session_signals, "notify::state",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->session_signals, "notify::status-text",
                                 G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->session_signals, "notify::vehicle-id",
                                 G_CALLBACK (update_shown_vehicle), self, G_CONNECT_SWAPPED);
  priv->store_signals = g_signal_group_new (OBD_TYPE_STORE_SERVICE);
  g_signal_group_connect_object (priv->store_signals, "changed",
                                 G_CALLBACK (on_store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->store_signals, "notify::state",
                                 G_CALLBACK (on_store_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (priv->store_signals, "notify::read-only",
                                 G_CALLBACK (on_store_state_cb), self, G_CONNECT_SWAPPED);
}
