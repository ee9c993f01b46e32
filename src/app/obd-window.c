/* obd-window.c — the main window: start page, connecting, role views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window shows follows the session's state: the start page while
 * disconnected (with the reason of the last failure), a progress page
 * while connecting, and the view of the user's role once connected (the
 * fleet manager's at once: it needs no car).  A
 * dropped link keeps the role view and shows a banner while the session
 * reconnects.  Only the pages of the current role can be reached, so an
 * owner never gets the pages that clear codes or show raw data.  A page is
 * built the first time it is shown (an AdwBin holds its place in the
 * switcher until then), and a role's view, once built, is kept when the
 * role changes: building or tearing down a view of pages in one go
 * stalls the window for a quarter of a second.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-enum-types.h"
#include "obd-app-resources.h"
#include "obd-app-settings.h"
#include "obd-app-util.h"
#include "obd-clamp.h"
#include "obd-codes-page.h"
#include "obd-fleet-page.h"
#include "obd-guide-page.h"
#include "obd-history-page.h"
#include "obd-live-page.h"
#include "obd-overview-page.h"
#include "obd-owner-page.h"
#include "obd-readiness-page.h"
#include "obd-repair-actions.h"
#include "obd-sync-status.h"
#include "obd-vehicle-page.h"
#include "obd-window.h"

typedef struct
{
  const char  *name;
  const char  *title;
  const char  *icon_name;
  GType      (*get_type) (void);
} PageInfo;

/* In the order of the view switcher; Alt+1… follow it. */
static const PageInfo mechanic_pages[] = {
  { "overview", N_("Overview"), "go-home-symbolic", obd_overview_page_get_type },
  { "live", N_("Live"), "network-transmit-receive-symbolic", obd_live_page_get_type },
  { "codes", N_("Codes"), "dialog-warning-symbolic", obd_codes_page_get_type },
  { "readiness", N_("Readiness"), "emblem-ok-symbolic", obd_readiness_page_get_type },
  { "vehicle", N_("Vehicle"), "document-properties-symbolic", obd_vehicle_page_get_type },
  { "history", N_("History"), "document-open-recent-symbolic", obd_history_page_get_type },
  { "repair", N_("Repair"), "applications-engineering-symbolic", obd_guide_page_get_type },
};

/* The vehicle, history and owner pages follow the session's vehicle by
 * themselves ("vehicle-id" 0).  An owner reads health in plain words and
 * the car's details; no raw values, no clearing of codes. */
static const PageInfo owner_pages[] = {
  { "owner", N_("My Car"), "go-home-symbolic", obd_owner_page_get_type },
  { "vehicle", N_("Vehicle"), "document-properties-symbolic", obd_vehicle_page_get_type },
  /* What the workshop will check, step by step, for the owner to follow. */
  { "repair", N_("Checks"), "applications-engineering-symbolic", obd_guide_page_get_type },
};

static const PageInfo fleet_page =
  { "fleet", N_("Fleet"), "system-users-symbolic", obd_fleet_page_get_type };
static const PageInfo history_page =
  { "history", N_("History"), "document-open-recent-symbolic", obd_history_page_get_type };

struct _ObdWindow
{
  AdwApplicationWindow  parent_instance;

  ObdSession           *session;
  GSettings            *settings;
  GSignalGroup         *session_signals;
  ObdRole               role;
  GHashTable           *pages;         /* name → page widget of the role view */
  GHashTable           *slots;         /* name → AdwBin holding the page's place */
  GHashTable           *role_pages[3]; /* the above, per role */
  GHashTable           *role_slots[3];
  gboolean              built[3];      /* the role's view exists */
  guint                 rate_timeout_id;
  guint                 fleet_history_id;  /* building the fleet's history */
  guint                 warm_spinner_id;
  GPtrArray            *warm_spinners;  /* GtkIconPaintable, kept loaded */
  ObdPace              *prepare;       /* building the role's pages ahead */
  guint                 hide_tries;    /* frames waited to hide a page */
  GtkLabel             *status_values[6];
  ObdRepairActions     *repair;        /* the "repair" actions and their banner */

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *disconnect_button;
  GtkMenuButton        *status_button;
  GtkImage             *status_icon;
  GtkLabel             *rate_label;
  AdwViewSwitcherTitle *switcher_title;
  GtkRevealer          *reconnect_revealer;
  GtkSpinner           *reconnect_spinner;
  GtkLabel             *reconnect_label;
  GtkRevealer          *record_revealer;
  GtkLabel             *record_label;
  GtkButton            *record_dismiss_button;
  GtkRevealer          *store_revealer;
  GtkLabel             *store_label;
  GtkBox               *content_box;
  GSignalGroup         *store_signals;
  GtkStack             *main_stack;
  GtkLabel             *connecting_label;
  GtkSpinner           *connecting_spinner;
  GtkButton            *cancel_button;
  GtkButton            *stop_button;
  AdwViewStack         *mechanic_stack;
  AdwBin               *fleet_bin;
  AdwViewStack         *owner_stack;
  AdwViewSwitcherBar   *switcher_bar;
  GtkGrid              *status_grid;
  AdwStatusPage        *welcome_page;
  AdwActionRow         *mechanic_row;
  AdwActionRow         *fleet_row;
  AdwActionRow         *owner_row;
  ObdStartPage         *start_page;    /* built when first shown */
  GError               *store_error;   /* for the start page */
  ObdSyncStatus        *sync_status;
  ObdSyncManager       *sync;
};

G_DEFINE_FINAL_TYPE (ObdWindow, obd_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  STATUS_VEHICLE,
  STATUS_PROTOCOL,
  STATUS_ADAPTER,
  STATUS_CONNECTION,
  STATUS_RATE,
  STATUS_LINK,
};

static const char *role_view_names[] = { "mechanic", "fleet", "owner" };

static void update_view (ObdWindow *self);

/* GTK 4.8 names a labelled button after its label property (mnemonic
 * underscore included) followed by its label child, "_Cancel Cancel";
 * give it one clean name instead: name, or the label's text. */
static void
set_button_name (GtkButton  *button,
                 const char *name)
{
  GtkWidget *child = gtk_button_get_child (button);

  if (name == NULL && GTK_IS_LABEL (child))
    name = gtk_label_get_text (GTK_LABEL (child));
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

/* Role views ----------------------------------------------------------- */

static GtkWidget *
page_new (ObdWindow      *self,
          const PageInfo *info)
{
  return g_object_new (info->get_type (), "session", self->session, "settings", self->settings,
                       NULL);
}

/* A page's place in a view stack: the switcher shows its title and icon
 * at once, the page comes when it is first shown. */
static void
add_slot (ObdWindow      *self,
          AdwViewStack   *stack,
          const PageInfo *info)
{
  GtkWidget *slot = adw_bin_new ();

  g_object_set_data (G_OBJECT (slot), "obd-page-info", (gpointer) info);
  adw_view_stack_add_titled_with_icon (stack, slot, info->name, _(info->title),
                                       info->icon_name);
  g_hash_table_insert (self->slots, (gpointer) info->name, slot);
}

static GtkWidget *
ensure_role_page (ObdWindow  *self,
                  ObdRole     role,
                  const char *name)
{
  GtkWidget *page = g_hash_table_lookup (self->role_pages[role], name);
  const PageInfo *info;
  GtkWidget *slot;

  if (page != NULL)
    return page;
  slot = g_hash_table_lookup (self->role_slots[role], name);
  if (slot == NULL)
    return NULL;
  info = g_object_get_data (G_OBJECT (slot), "obd-page-info");
  page = page_new (self, info);
  adw_bin_set_child (ADW_BIN (slot), page);
  g_hash_table_insert (self->role_pages[role], (gpointer) info->name, page);
  return page;
}

/* The page of the current role's view, built if it is not yet. */
static GtkWidget *
ensure_page (ObdWindow  *self,
             const char *name)
{
  return ensure_role_page (self, self->role, name);
}

/* The view stack of the current role; the fleet's view has none. */
static AdwViewStack *
role_stack (ObdWindow *self)
{
  switch (self->role)
    {
    case OBD_ROLE_MECHANIC:
      return self->mechanic_stack;
    case OBD_ROLE_OWNER:
      return self->owner_stack;
    case OBD_ROLE_FLEET:
    default:
      return NULL;
    }
}

/* Pages whose slot the stack does not show are hidden, not only left
 * out of the layout as the stack leaves them: GTK 4.8 takes the
 * focus-within state off every ancestor of the old focus, the window
 * included, and sets it again, at every focus change, and every visible
 * widget under the window is then styled anew.  With the role's pages
 * built ahead, a Tab press restyled all of them (800 styles, a frame's
 * worth of work here); hidden, a page is restyled only when it shows,
 * and then only where something changed.  A page built ahead stays
 * visible for one frame, which styles it (see prepare_cb ()). */
static gboolean
show_slot_page (AdwViewStack *stack)
{
  GtkWidget *shown = adw_view_stack_get_visible_child (stack);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (stack));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean done = TRUE;

  for (GtkWidget *slot = gtk_widget_get_first_child (GTK_WIDGET (stack)); slot != NULL;
       slot = gtk_widget_get_next_sibling (slot))
    {
      GtkWidget *page = ADW_IS_BIN (slot) ? adw_bin_get_child (ADW_BIN (slot)) : NULL;

      if (page == NULL || gtk_widget_get_visible (page) == (slot == shown))
        continue;
      /* The stack has just hidden the slot the focus is in, and GTK moves
       * the focus out of it after the frame; hiding the page under it
       * before that makes GTK 4.8 keep a reference to one of the two
       * for ever (_gtk_window_unset_focus_and_default () overwrites the
       * widget it keeps).  Later, then. */
      if (slot != shown && focus != NULL && gtk_widget_is_ancestor (focus, page))
        {
          done = FALSE;
          continue;
        }
      gtk_widget_set_visible (page, slot == shown);
    }
  return done;
}

/* Building the switchers' buttons costs a few milliseconds: done once per
 * role, not at every connection. */
static void
bind_switchers (ObdWindow    *self,
                AdwViewStack *stack)
{
  adw_view_switcher_title_set_stack (self->switcher_title, stack);
  adw_view_switcher_bar_set_stack (self->switcher_bar, stack);
}

/* Work done ahead, while the window has nothing else to do (the car
 * connecting, the mechanic reading a page): the role's switchers, then
 * its pages, the shown one first, one a frame (a page built in an idle
 * callback is styled in the next frame: with one per idle callback,
 * several were styled in one frame).  Showing a page then costs its
 * layout and paint, which fit in a frame; building and styling it as
 * well, in the same frame, did not.  The header's two switchers (wide
 * and narrow) get their buttons in one frame, the bottom bar's in the
 * next. */
static gboolean
prepare_cb (gpointer data)
{
  ObdWindow *self = data;
  AdwViewStack *stack = role_stack (self);
  g_autoptr(GtkSelectionModel) pages = NULL;
  const char *shown;
  gboolean hidden;
  guint n;

  if (stack == NULL || self->session == NULL)
    return G_SOURCE_REMOVE;
  /* The page built in the last step was styled in the frame since. */
  hidden = show_slot_page (stack);
  if (adw_view_switcher_title_get_stack (self->switcher_title) != stack)
    {
      adw_view_switcher_title_set_stack (self->switcher_title, stack);
      return G_SOURCE_CONTINUE;
    }
  if (adw_view_switcher_bar_get_stack (self->switcher_bar) != stack)
    {
      adw_view_switcher_bar_set_stack (self->switcher_bar, stack);
      return G_SOURCE_CONTINUE;
    }
  shown = adw_view_stack_get_visible_child_name (stack);
  if (shown != NULL && !g_hash_table_contains (self->pages, shown))
    {
      ensure_page (self, shown);
      return G_SOURCE_CONTINUE;
    }
  pages = adw_view_stack_get_pages (stack);
  n = g_list_model_get_n_items (G_LIST_MODEL (pages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      const char *name = adw_view_stack_page_get_name (page);

      if (name != NULL && !g_hash_table_contains (self->pages, name))
        {
          ensure_page (self, name);
          return G_SOURCE_CONTINUE;
        }
    }
  /* A page left shown for the focus in it: a few frames more, which GTK
   * takes to move the focus out; after that it stays shown until the
   * next switch. */
  if (hidden || ++self->hide_tries > 3)
    {
      self->hide_tries = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
schedule_prepare (ObdWindow *self)
{
  if (self->prepare != NULL)
    obd_pace_start (self->prepare);
}

static void
on_visible_page_cb (ObdWindow    *self,
                    GParamSpec   *pspec,
                    AdwViewStack *stack)
{
  const char *name = adw_view_stack_get_visible_child_name (stack);

  if (!show_slot_page (stack))
    schedule_prepare (self);
  if (name != NULL && gtk_widget_get_mapped (GTK_WIDGET (stack)))
    ensure_page (self, name);
  if (self->repair != NULL && gtk_widget_get_mapped (GTK_WIDGET (stack)))
    obd_repair_actions_set_view (self->repair, gtk_stack_get_visible_child_name (self->main_stack),
                                 name);
}

static void
on_stack_map_cb (ObdWindow    *self,
                 AdwViewStack *stack)
{
  on_visible_page_cb (self, NULL, stack);
}

/* Fleet view: the list of vehicles, and one vehicle's history beside it
 * (a leaflet: side by side when wide, one at a time when narrow). */
static void
on_fleet_back_clicked_cb (AdwLeaflet *leaflet)
{
  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_fleet_vehicle_activated_cb (ObdWindow *self,
                               gint64     vehicle_id)
{
  GtkWidget *history = ensure_page (self, "history");
  GtkWidget *fleet = g_hash_table_lookup (self->pages, "fleet");
  AdwLeaflet *leaflet;

  if (history == NULL || fleet == NULL)
    return;

  obd_page_set_vehicle_id (OBD_PAGE (history), vehicle_id);
  leaflet = ADW_LEAFLET (gtk_widget_get_ancestor (history, ADW_TYPE_LEAFLET));
  adw_leaflet_set_visible_child_name (leaflet, "history");
  gtk_widget_grab_focus (history);
}

/* The history beside the fleet list is built once the list has shown,
 * in an idle moment between frames: its construction has an iteration
 * of its own, and its first styling and layout the frame after.  (Built
 * in a frame's tick, both fell in one frame: 17 ms of layout.) */
static gboolean
build_fleet_history_idle_cb (gpointer data)
{
  ObdWindow *self = data;

  self->fleet_history_id = 0;
  /* The fleet's, even if the role has changed since. */
  ensure_role_page (self, OBD_ROLE_FLEET, "history");
  return G_SOURCE_REMOVE;
}

static gboolean
build_fleet_history_cb (GtkWidget     *leaflet,
                        GdkFrameClock *clock,
                        gpointer       data)
{
  ObdWindow *self = OBD_WINDOW (gtk_widget_get_root (leaflet));
  guint *frames = data;

  if (++*frames < 2)
    return G_SOURCE_CONTINUE;
  if (self != NULL && self->fleet_history_id == 0)
    self->fleet_history_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE,
                                              build_fleet_history_idle_cb, self, NULL);
  return G_SOURCE_REMOVE;
}

static void
build_fleet_view (ObdWindow *self)
{
  GtkWidget *leaflet = adw_leaflet_new ();
  GtkWidget *fleet = page_new (self, &fleet_page);
  GtkWidget *history = adw_bin_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *title = gtk_label_new (_("Vehicle History"));
  AdwLeafletPage *page;

  adw_leaflet_set_can_navigate_back (ADW_LEAFLET (leaflet), TRUE);
  adw_leaflet_set_transition_type (ADW_LEAFLET (leaflet), ADW_LEAFLET_TRANSITION_TYPE_SLIDE);

  gtk_widget_set_hexpand (fleet, TRUE);
  page = adw_leaflet_append (ADW_LEAFLET (leaflet), fleet);
  adw_leaflet_page_set_name (page, "fleet");

  gtk_widget_set_tooltip_text (back, _("Back to the Fleet"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Back to the Fleet"), -1);
  g_signal_connect_swapped (back, "clicked", G_CALLBACK (on_fleet_back_clicked_cb), leaflet);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_top (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  gtk_box_append (GTK_BOX (bar), back);
  gtk_box_append (GTK_BOX (bar), title);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_widget_set_vexpand (history, TRUE);
  gtk_widget_set_hexpand (history, TRUE);
  gtk_box_append (GTK_BOX (box), history);
  page = adw_leaflet_append (ADW_LEAFLET (leaflet), box);
  adw_leaflet_page_set_name (page, "history");

  g_signal_connect_object (fleet, "vehicle-activated",
                           G_CALLBACK (on_fleet_vehicle_activated_cb), self, G_CONNECT_SWAPPED);
  /* The Live column and live health come from sync. */
  obd_fleet_page_set_sync (OBD_FLEET_PAGE (fleet), self->sync);

  adw_bin_set_child (self->fleet_bin, leaflet);
  g_hash_table_insert (self->pages, (gpointer) fleet_page.name, fleet);
  g_object_set_data (G_OBJECT (history), "obd-page-info", (gpointer) &history_page);
  g_hash_table_insert (self->slots, (gpointer) history_page.name, history);
  gtk_widget_add_tick_callback (leaflet, build_fleet_history_cb, g_new0 (guint, 1), g_free);
}

static void
build_role_view (ObdWindow *self)
{
  self->pages = self->role_pages[self->role];
  self->slots = self->role_slots[self->role];
  if (self->session == NULL || self->built[self->role])
    return;
  self->built[self->role] = TRUE;

  switch (self->role)
    {
    case OBD_ROLE_MECHANIC:
      for (guint i = 0; i < G_N_ELEMENTS (mechanic_pages); i++)
        add_slot (self, self->mechanic_stack, &mechanic_pages[i]);
      break;
    case OBD_ROLE_FLEET:
      build_fleet_view (self);
      break;
    case OBD_ROLE_OWNER:
      for (guint i = 0; i < G_N_ELEMENTS (owner_pages); i++)
        add_slot (self, self->owner_stack, &owner_pages[i]);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
read_role (ObdWindow *self)
{
  self->role = self->settings != NULL
               ? (ObdRole) obd_app_settings_get_enum (self->settings, "role", OBD_TYPE_ROLE,
                                                      OBD_ROLE_MECHANIC)
               : OBD_ROLE_MECHANIC;
}

static void
on_role_changed_cb (ObdWindow *self)
{
  ObdRole old_role = self->role;

  read_role (self);
  if (old_role != self->role)
    build_role_view (self);
  update_view (self);
}

static void
on_role_row_activated_cb (ObdWindow    *self,
                          AdwActionRow *row)
{
  const char *role = "mechanic";

  if (row == self->fleet_row)
    role = "fleet";
  else if (row == self->owner_row)
    role = "owner";

  if (self->settings == NULL)
    return;
  g_settings_set_string (self->settings, "role", role);
  g_settings_set_boolean (self->settings, "first-run", FALSE);
}

/* Header and status ---------------------------------------------------- */

static void
set_status_value (ObdWindow  *self,
                  guint       row,
                  const char *value)
{
  gtk_label_set_text (self->status_values[row], value != NULL && *value != '\0' ? value : "—");
}

/* What came over the link, in words a mechanic can act on: a poor link
 * is a loose plug, a clone adapter or a noisy Bluetooth pairing. */
static void
update_link_quality (ObdWindow *self)
{
  ObdLinkStats stats;
  g_autofree char *summary = NULL;
  g_autofree char *details = NULL;
  g_autofree char *text = NULL;

  obd_session_get_link_stats (self->session, &stats);
  details = obd_connection_describe_link_stats (&stats, &summary, NULL);
  /* Translators: the link quality in one word, then what it is made of */
  text = g_strdup_printf (_("%s. %s"), summary, details);
  set_status_value (self, STATUS_LINK, text);
}

static void
update_rate (ObdWindow *self)
{
  g_autofree char *rate = NULL;

  if (self->session == NULL)
    return;
  /* TRANSLATORS: how many values the adapter reads each second */
  rate = g_strdup_printf (_("%.0f values/s"), obd_session_get_link_rate (self->session));
  gtk_label_set_text (self->rate_label, rate);
  set_status_value (self, STATUS_RATE, rate);
  update_link_quality (self);
}

/* The rate changes with every batch of samples; a label that changes more
 * than once a second is unreadable, and a screen reader would chatter. */
static gboolean
rate_timeout_cb (gpointer user_data)
{
  update_rate (user_data);
  return G_SOURCE_CONTINUE;
}

/* The bar at the bottom takes over when the title has no room for the
 * switcher (narrow windows). */
static void
on_switcher_title_visible_cb (ObdWindow *self)
{
  gboolean squeezed = adw_view_switcher_title_get_title_visible (self->switcher_title);

  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    squeezed &&
                                    adw_view_switcher_title_get_view_switcher_enabled (
                                      self->switcher_title));
}

static void
update_header (ObdWindow *self)
{
  ObdSessionState state = self->session != NULL ? obd_session_get_state (self->session)
                                                : OBD_SESSION_STATE_DISCONNECTED;
  const char *view = gtk_stack_get_visible_child_name (self->main_stack);
  /* The first-run question comes first, even if --connect already went
   * ahead. */
  gboolean online = (state == OBD_SESSION_STATE_CONNECTED ||
                     state == OBD_SESSION_STATE_RECONNECTING) &&
                    g_strcmp0 (view, "welcome") != 0;
  AdwViewStack *stack = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->disconnect_button), online);
  gtk_widget_set_visible (GTK_WIDGET (self->status_button), online);

  if (g_strcmp0 (view, "mechanic") == 0)
    stack = self->mechanic_stack;
  else if (g_strcmp0 (view, "owner") == 0)
    stack = self->owner_stack;
  /* The switchers keep their stack while another view shows: they are
   * only turned off. */
  if (stack != NULL)
    bind_switchers (self, stack);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, stack != NULL);
  on_switcher_title_visible_cb (self);

  if (online)
    {
      const char *protocol = obd_session_get_protocol_name (self->session);
      const char *adapter = obd_session_get_adapter_version (self->session);
      g_autofree char *subtitle = NULL;

      if (protocol != NULL && adapter != NULL)
        subtitle = g_strdup_printf ("%s · %s", protocol, adapter);
      else
        subtitle = g_strdup (protocol != NULL ? protocol : adapter);
      adw_view_switcher_title_set_title (self->switcher_title,
                                         obd_session_get_vehicle_title (self->session));
      adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
      set_status_value (self, STATUS_VEHICLE, obd_session_get_vehicle_title (self->session));
      set_status_value (self, STATUS_PROTOCOL, protocol);
      set_status_value (self, STATUS_ADAPTER, adapter);
      set_status_value (self, STATUS_CONNECTION, obd_session_get_connection (self->session));
      gtk_image_set_from_icon_name (self->status_icon,
                                    state == OBD_SESSION_STATE_CONNECTED
                                      ? "network-transmit-receive-symbolic"
                                      : "network-error-symbolic");
      if (self->rate_timeout_id == 0)
        {
          self->rate_timeout_id = g_timeout_add_seconds (1, rate_timeout_cb, self);
          update_rate (self);
        }
    }
  else
    {
      adw_view_switcher_title_set_title (self->switcher_title, _("OBD2 Diagnostics"));
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
      g_clear_handle_id (&self->rate_timeout_id, g_source_remove);
    }
}


static void
build_status_grid (ObdWindow *self)
{
  static const char *keys[] = {
    N_("Vehicle"), N_("Protocol"), N_("Adapter"), N_("Connection"), N_("Reading"),
    N_("Link quality"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkWidget *key = gtk_label_new (_(keys[i]));
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (key), 1.0);
      gtk_widget_add_css_class (key, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0.0);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_wrap (GTK_LABEL (value), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (value), 32);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, key, NULL, -1);
      gtk_grid_attach (self->status_grid, key, 0, i, 1, 1);
      gtk_grid_attach (self->status_grid, value, 1, i, 1, 1);
      self->status_values[i] = GTK_LABEL (value);
    }
}

/* State ---------------------------------------------------------------- */

/* The start page (scenarios, adapters, recent vehicles) is built when it
 * is first shown: a window that connects at start never needs it, and
 * building it would delay the first frame. */
static ObdStartPage *
ensure_start_page (ObdWindow *self)
{
  GtkWidget *page;

  if (self->start_page != NULL)
    return self->start_page;
  page = obd_start_page_new (self->session, self->settings);
  self->start_page = OBD_START_PAGE (page);
  if (self->store_error != NULL)
    obd_start_page_set_store_error (self->start_page, self->store_error);
  gtk_stack_add_named (self->main_stack, page, "start");
  return self->start_page;
}

static void
update_view (ObdWindow *self)
{
  ObdSessionState state = self->session != NULL ? obd_session_get_state (self->session)
                                                : OBD_SESSION_STATE_DISCONNECTED;
  gboolean first_run = self->settings != NULL &&
                       g_settings_get_boolean (self->settings, "first-run");
  const char *view;

  if (first_run)
    view = "welcome";
  else if (state == OBD_SESSION_STATE_CONNECTING)
    view = "connecting";
  else if (state == OBD_SESSION_STATE_CONNECTED || state == OBD_SESSION_STATE_RECONNECTING
           /* A fleet manager's work needs no car on the bench: the fleet is
            * in the store, and comes live through sync. */
           || self->role == OBD_ROLE_FLEET)
    view = role_view_names[self->role];
  else
    {
      view = "start";
      ensure_start_page (self);
    }

  gtk_stack_set_visible_child_name (self->main_stack, view);
  /* A car is on its way or here: its pages are built ahead. */
  if (state != OBD_SESSION_STATE_DISCONNECTED && !first_run)
    schedule_prepare (self);
  if (self->repair != NULL)
    obd_repair_actions_set_view (self->repair, view,
                                 g_str_equal (view, "mechanic")
                                 ? adw_view_stack_get_visible_child_name (self->mechanic_stack)
                                 : g_str_equal (view, "owner")
                                   ? adw_view_stack_get_visible_child_name (self->owner_stack)
                                   : NULL);

  gtk_spinner_set_spinning (self->connecting_spinner, g_strcmp0 (view, "connecting") == 0);
  gtk_revealer_set_reveal_child (self->reconnect_revealer,
                                 state == OBD_SESSION_STATE_RECONNECTING);
  gtk_spinner_set_spinning (self->reconnect_spinner, state == OBD_SESSION_STATE_RECONNECTING);
  /* Keyboard focus goes where the next step is. */
  if (g_strcmp0 (view, "connecting") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  else if (g_strcmp0 (view, "welcome") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->mechanic_row));

  update_header (self);
}

static void
on_status_text_cb (ObdWindow *self)
{
  const char *text = obd_session_get_status_text (self->session);

  gtk_label_set_text (self->connecting_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->connecting_label), text != NULL && *text != '\0');
  if (obd_session_get_state (self->session) == OBD_SESSION_STATE_RECONNECTING &&
      text != NULL && *text != '\0')
    gtk_label_set_text (self->reconnect_label, text);
  else
    gtk_label_set_text (self->reconnect_label, _("Reconnecting…"));
}

static void
on_session_state_cb (ObdWindow *self)
{
  update_view (self);
  on_status_text_cb (self);
}

static void
on_session_alert_cb (ObdWindow           *self,
                     const ObdAlertEvent *event)
{
  AdwToast *toast;

  if (event->type != OBD_ALERT_EVENT_RAISED || event->severity != OBD_HEALTH_SEVERITY_CRITICAL)
    return;
  toast = adw_toast_new (event->title);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Failures that reach the person ---------------------------------------- */

/* Something failed that nobody asked for directly (an alert not saved, a
 * clear not recorded): a toast that stays ten seconds. */
static void
on_session_problem_cb (ObdWindow    *self,
                       const char   *what,
                       const GError *error)
{
  g_autofree char *text = obd_page_describe_error (what, error);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  g_info ("%s", text);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Recording stopped on its own (the disk is full): a banner that stays
 * until it is dismissed or recording starts again. */
static void
update_record_banner (ObdWindow *self)
{
  const GError *error = self->session != NULL ? obd_session_get_recording_error (self->session)
                                              : NULL;

  if (error != NULL)
    {
      g_autofree char *text = obd_page_describe_error (_("Recording stopped"), error);

      gtk_label_set_label (self->record_label, text);
    }
  gtk_revealer_set_reveal_child (self->record_revealer, error != NULL);
}

static void
dismiss_recording_error_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  ObdWindow *self = OBD_WINDOW (widget);

  gtk_revealer_set_reveal_child (self->record_revealer, FALSE);
}

/* The local history cannot be used, or only read: said for as long as it
 * is so, whatever page is shown. */
static void
update_store_banner (ObdWindow *self)
{
  ObdStoreService *store = self->session != NULL ? obd_session_get_store (self->session) : NULL;
  g_autofree char *text = NULL;

  if (store != NULL && obd_store_service_get_state (store) == OBD_STORE_SERVICE_FAILED)
    text = obd_page_describe_error (_("The local history could not be opened: nothing is "
                                      "saved or shown from it"),
                                    obd_store_service_get_error (store));
  else if (store != NULL && obd_store_service_get_read_only (store))
    text = g_strdup_printf ("%s %s",
                            _("The local history can only be read: nothing new is saved."),
                            _("Check that the disk is not write-protected and that the local "
                              "history may be written, then restart the application."));
  if (text != NULL)
    gtk_label_set_label (self->store_label, text);
  gtk_revealer_set_reveal_child (self->store_revealer, text != NULL);
}

/* Actions -------------------------------------------------------------- */

static void
disconnect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ObdWindow *self = OBD_WINDOW (widget);

  if (self->session != NULL)
    obd_session_disconnect (self->session);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ObdWindow *self = OBD_WINDOW (widget);
  int index = g_variant_get_int32 (parameter) - 1;
  const char *view = gtk_stack_get_visible_child_name (self->main_stack);

  if (g_strcmp0 (view, "mechanic") == 0 && index >= 0 &&
      index < (int) G_N_ELEMENTS (mechanic_pages))
    obd_window_show_page (self, mechanic_pages[index].name);
  else if (g_strcmp0 (view, "owner") == 0 && index >= 0 &&
           index < (int) G_N_ELEMENTS (owner_pages))
    obd_window_show_page (self, owner_pages[index].name);
}

/* GObject -------------------------------------------------------------- */

static gboolean
obd_window_close_request (GtkWindow *window)
{
  ObdWindow *self = OBD_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window) && width >= 360 && height >= 294)
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (obd_window_parent_class)->close_request (window);
}

static void
obd_window_constructed (GObject *object)
{
  ObdWindow *self = OBD_WINDOW (object);

  G_OBJECT_CLASS (obd_window_parent_class)->constructed (object);

  /* Guides and reports, for every page of the window. */
  self->repair = obd_repair_actions_new (self, self->session, self->settings);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "repair", G_ACTION_GROUP (self->repair));
  gtk_box_insert_child_after (self->content_box, obd_repair_actions_get_banner (self->repair),
                              GTK_WIDGET (self->store_revealer));

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_signal_connect_object (self->settings, "changed::role",
                               G_CALLBACK (on_role_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::first-run",
                               G_CALLBACK (update_view), self, G_CONNECT_SWAPPED);
    }

  g_signal_group_set_target (self->session_signals, self->session);
  g_signal_group_set_target (self->store_signals,
                             self->session != NULL ? obd_session_get_store (self->session) : NULL);
  update_store_banner (self);
  update_record_banner (self);
  read_role (self);
  build_role_view (self);
  update_view (self);
  if (self->session != NULL)
    on_status_text_cb (self);
}

static void
obd_window_dispose (GObject *object)
{
  ObdWindow *self = OBD_WINDOW (object);

  g_clear_handle_id (&self->rate_timeout_id, g_source_remove);
  g_clear_handle_id (&self->fleet_history_id, g_source_remove);
  g_clear_handle_id (&self->warm_spinner_id, g_source_remove);
  g_clear_pointer (&self->warm_spinners, g_ptr_array_unref);
  g_clear_pointer (&self->prepare, obd_pace_free);
  if (self->repair != NULL)
    {
      obd_repair_actions_shutdown (self->repair);
      gtk_widget_insert_action_group (GTK_WIDGET (self), "repair", NULL);
      g_clear_object (&self->repair);
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->role_slots); i++)
    if (self->role_slots[i] != NULL)
      g_hash_table_remove_all (self->role_slots[i]);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (self->role_pages); i++)
    if (self->role_pages[i] != NULL)
      g_hash_table_remove_all (self->role_pages[i]);
  /* The switchers must let go of the view stacks before those go away,
   * or libadwaita 1.2 unparents their buttons twice. */
  if (self->switcher_title != NULL)
    {
      adw_view_switcher_title_set_stack (self->switcher_title, NULL);
      adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_WINDOW);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->sync);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (obd_window_parent_class)->dispose (object);
}

static void
obd_window_finalize (GObject *object)
{
  ObdWindow *self = OBD_WINDOW (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->role_pages); i++)
    {
      g_hash_table_unref (self->role_pages[i]);
      g_hash_table_unref (self->role_slots[i]);
    }
  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (obd_window_parent_class)->finalize (object);
}

static void
obd_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ObdWindow *self = OBD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  ObdWindow *self = OBD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_window_class_init (ObdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = obd_window_constructed;
  object_class->dispose = obd_window_dispose;
  object_class->finalize = obd_window_finalize;
  object_class->get_property = obd_window_get_property;
  object_class->set_property = obd_window_set_property;
  window_class->close_request = obd_window_close_request;

  g_type_ensure (OBD_TYPE_SYNC_STATUS);
  g_type_ensure (OBD_TYPE_CLAMP);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Links the resources of this static library in (their constructor
   * registers them); nothing else refers to them by symbol. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, disconnect_button);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, rate_label);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, reconnect_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, reconnect_spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, reconnect_label);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, record_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, record_label);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, record_dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, store_revealer);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, store_label);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, connecting_label);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, mechanic_stack);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, fleet_bin);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, owner_stack);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, status_grid);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, mechanic_row);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, fleet_row);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, owner_row);
  gtk_widget_class_bind_template_child (widget_class, ObdWindow, sync_status);
  gtk_widget_class_bind_template_callback (widget_class, on_switcher_title_visible_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_role_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.disconnect", NULL, disconnect_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "i", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-recording-error", NULL,
                                   dismiss_recording_error_action);

  /* Alt+1 … Alt+6: the pages in switcher order. */
  for (int i = 1; i <= (int) G_N_ELEMENTS (mechanic_pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0 + i, GDK_ALT_MASK,
                                         "win.show-page", "i", i);
}

/* The first icon drawn makes gdk-pixbuf load its SVG loader (librsvg and
 * what it links) and GIO the MIME database, to tell what the file is:
 * 3 ms of the main thread in the frame that shows it (the connecting
 * spinner, in bench-main-thread).  A thread does both first, once. */
static void
load_icon_support_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>";
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();

  /* Whether it loads does not matter: the modules are in memory now. */
  gdk_pixbuf_loader_write (loader, (const guchar *) svg, sizeof svg - 1, NULL);
  gdk_pixbuf_loader_close (loader, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
load_icon_support (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started))
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_name (task, "load icon support");
      g_task_run_in_thread (task, load_icon_support_thread);
      g_once_init_leave (&started, 1);
    }
}

/* A spinner draws its icon (process-working-symbolic, which Adwaita has
 * only as SVG) as a CSS image, which loads it on the main thread in the
 * frame that first shows a spinner of that size: 2.5 ms of librsvg, in
 * the frame that shows the connecting view (bench-main-thread).  Once the
 * window is up, an idle moment loads the two sizes the app draws and the
 * window keeps them, so the icon theme's cache has them ready (its key:
 * name, size, scale, no flags, as the CSS image looks it up). */
static const int spinner_sizes[] = { 16, 32 };

static gboolean
warm_spinner_cb (gpointer data)
{
  ObdWindow *self = data;
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  int size = spinner_sizes[self->warm_spinners->len];
  GtkIconPaintable *icon;
  GtkSnapshot *snapshot;
  GskRenderNode *node;

  icon = gtk_icon_theme_lookup_icon (theme, "process-working-symbolic", NULL, size,
                                     gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                     GTK_TEXT_DIR_NONE, 0);
  /* Drawing it loads it. */
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, size, size);
  node = gtk_snapshot_free_to_node (snapshot);
  g_clear_pointer (&node, gsk_render_node_unref);
  g_ptr_array_add (self->warm_spinners, icon);
  if (self->warm_spinners->len < G_N_ELEMENTS (spinner_sizes))
    return G_SOURCE_CONTINUE;
  self->warm_spinner_id = 0;
  return G_SOURCE_REMOVE;
}

static void
on_window_map_cb (GtkWidget *widget,
                  gpointer   data)
{
  ObdWindow *self = OBD_WINDOW (widget);

  if (self->warm_spinners != NULL)
    return;
  self->warm_spinners = g_ptr_array_new_with_free_func (g_object_unref);
  self->warm_spinner_id = g_idle_add_full (G_PRIORITY_LOW, warm_spinner_cb, self, NULL);
}

static void
obd_window_init (ObdWindow *self)
{
  load_icon_support ();

  for (guint i = 0; i < G_N_ELEMENTS (self->role_pages); i++)
    {
      self->role_pages[i] = g_hash_table_new (g_str_hash, g_str_equal);
      self->role_slots[i] = g_hash_table_new (g_str_hash, g_str_equal);
    }
  self->pages = self->role_pages[OBD_ROLE_MECHANIC];
  self->slots = self->role_slots[OBD_ROLE_MECHANIC];

  gtk_widget_init_template (GTK_WIDGET (self));
  self->prepare = obd_pace_new (GTK_WIDGET (self), G_PRIORITY_LOW, prepare_cb, self);
  build_status_grid (self);
  adw_status_page_set_icon_name (self->welcome_page, APP_ID);
  set_button_name (self->cancel_button, NULL);
  set_button_name (self->stop_button, _("Stop reconnecting"));
  set_button_name (self->record_dismiss_button, NULL);

  /* A page is built when its place is first shown. */
  g_signal_connect_object (self->mechanic_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_page_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->owner_stack, "notify::visible-child",
                           G_CALLBACK (on_visible_page_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (on_window_map_cb), NULL);
  g_signal_connect_object (self->mechanic_stack, "map", G_CALLBACK (on_stack_map_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->owner_stack, "map", G_CALLBACK (on_stack_map_cb), self,
                           G_CONNECT_SWAPPED);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (on_session_state_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::status-text",
                                  G_CALLBACK (on_status_text_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-title",
                                  G_CALLBACK (update_header), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::protocol-name",
                                  G_CALLBACK (update_header), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::adapter-version",
                                  G_CALLBACK (update_header), self);
  g_signal_group_connect_swapped (self->session_signals, "alert",
                                  G_CALLBACK (on_session_alert_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "problem",
                                  G_CALLBACK (on_session_problem_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording-error",
                                  G_CALLBACK (update_record_banner), self);

  self->store_signals = g_signal_group_new (OBD_TYPE_STORE_SERVICE);
  g_signal_group_connect_swapped (self->store_signals, "notify::state",
                                  G_CALLBACK (update_store_banner), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::read-only",
                                  G_CALLBACK (update_store_banner), self);
}

/* Public --------------------------------------------------------------- */

ObdWindow *
obd_window_new (GtkApplication *application,
                ObdSession     *session,
                GSettings      *settings)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (OBD_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (OBD_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       "settings", settings,
                       NULL);
}

ObdSession *
obd_window_get_session (ObdWindow *self)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  return self->session;
}

ObdStartPage *
obd_window_get_start_page (ObdWindow *self)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  return ensure_start_page (self);
}

const char *
obd_window_get_view (ObdWindow *self)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

/* The help topic (a page of help/C/) for each view and page: F1 opens the
 * one about what the window shows. */
static const struct
{
  const char *view;   /* the main stack's child */
  const char *page;   /* the role's page, or NULL for any */
  const char *topic;
} help_topics[] = {
  { "welcome", NULL, "roles" },
  { "start", NULL, "connecting" },
  { "connecting", NULL, "connecting" },
  { "mechanic", "overview", "health-score" },
  { "mechanic", "live", "live-data" },
  { "mechanic", "codes", "trouble-codes" },
  { "mechanic", "readiness", "readiness" },
  { "mechanic", "vehicle", "maintenance" },
  { "mechanic", "history", "history" },
  { "mechanic", "repair", "guided-repair" },
  { "owner", "owner", "health-score" },
  { "owner", "vehicle", "maintenance" },
  { "owner", "repair", "guided-repair" },
  { "fleet", "history", "history" },
  { "fleet", NULL, "roles" },
};

const char *
obd_window_get_help_topic (ObdWindow *self)
{
  const char *view, *page = NULL;

  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  view = gtk_stack_get_visible_child_name (self->main_stack);
  if (g_strcmp0 (view, "mechanic") == 0)
    page = adw_view_stack_get_visible_child_name (self->mechanic_stack);
  else if (g_strcmp0 (view, "owner") == 0)
    page = adw_view_stack_get_visible_child_name (self->owner_stack);
  else if (g_strcmp0 (view, "fleet") == 0)
    {
      GtkWidget *leaflet = adw_bin_get_child (self->fleet_bin);

      if (ADW_IS_LEAFLET (leaflet))
        page = adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet));
    }

  for (guint i = 0; i < G_N_ELEMENTS (help_topics); i++)
    if (g_strcmp0 (view, help_topics[i].view) == 0
        && (help_topics[i].page == NULL || g_strcmp0 (page, help_topics[i].page) == 0))
      return help_topics[i].topic;
  return "index";
}

GtkWidget *
obd_window_get_page (ObdWindow  *self,
                     const char *name)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return ensure_page (self, name);
}

void
obd_window_show_page (ObdWindow  *self,
                      const char *name)
{
  GtkWidget *page;

  g_return_if_fail (OBD_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  page = ensure_page (self, name);
  if (page == NULL)
    return;
  if (self->role == OBD_ROLE_MECHANIC)
    adw_view_stack_set_visible_child_name (self->mechanic_stack, name);
  else if (self->role == OBD_ROLE_OWNER)
    adw_view_stack_set_visible_child_name (self->owner_stack, name);
}

void
obd_window_set_store_error (ObdWindow    *self,
                            const GError *error)
{
  g_return_if_fail (OBD_IS_WINDOW (self));

  g_clear_error (&self->store_error);
  self->store_error = error != NULL ? g_error_copy (error) : NULL;
  if (self->start_page != NULL)
    obd_start_page_set_store_error (self->start_page, error);
}

static void
on_help_shown_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (source), _("Help Could Not Be Opened"), NULL);
  /* TRANSLATORS: %s is the system's reason, e.g. "Operation not supported" */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The help opens in the GNOME help viewer, Yelp. Install "
                                    "the “yelp” package, then press F1 again.\n\n"
                                    "The system said: %s"),
                                  error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
obd_window_open_help (ObdWindow  *self,
                      const char *uri)
{
  g_return_if_fail (OBD_IS_WINDOW (self));
  g_return_if_fail (uri != NULL);

  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, NULL, on_help_shown_cb, NULL);
}

/* A conflict settled against this PC's edit: said where the mechanic
 * looks, pointing to where the lost version is kept. */
static void
on_sync_conflict_cb (ObdWindow  *self,
                     const char *entity,
                     const char *entity_id,
                     gboolean    local_won)
{
  AdwToast *toast;

  if (local_won)
    return;
  toast = adw_toast_new (g_str_equal (entity, "maintenance_item")
                         ? _("A maintenance task was changed later on another PC: that change "
                             "was kept. Yours is listed on the vehicle’s page.")
                         : _("A vehicle was changed later on another PC: that change was kept. "
                             "Yours is listed on the vehicle’s page."));
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
obd_window_set_sync (ObdWindow      *self,
                     ObdSyncManager *sync)
{
  GtkWidget *fleet;

  g_return_if_fail (OBD_IS_WINDOW (self));
  g_return_if_fail (sync == NULL || OBD_IS_SYNC_MANAGER (sync));

  if (self->sync == sync)
    return;
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_set_object (&self->sync, sync);
  if (sync != NULL)
    g_signal_connect_object (sync, "conflict", G_CALLBACK (on_sync_conflict_cb), self,
                             G_CONNECT_SWAPPED);
  obd_sync_status_set_sync (self->sync_status, sync);
  fleet = g_hash_table_lookup (self->role_pages[OBD_ROLE_FLEET], "fleet");
  if (fleet != NULL)
    obd_fleet_page_set_sync (OBD_FLEET_PAGE (fleet), sync);
}

ObdSyncManager *
obd_window_get_sync (ObdWindow *self)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  return self->sync;
}

GtkWidget *
obd_window_get_sync_status (ObdWindow *self)
{
  g_return_val_if_fail (OBD_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->sync_status);
}

void
obd_window_add_toast (ObdWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (OBD_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
