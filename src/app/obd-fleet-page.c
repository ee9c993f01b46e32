/* obd-fleet-page.c — every vehicle in the store, with its health at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is a GListStore of ObdFleetItem behind a filter and a sorter,
 * bound to a GtkListBox: rows wrap to any width (a column view would not
 * fit 360 px), and every row is a keyboard-activatable button.
 *
 * The items are made on the store's thread (obd-fleet-item.c): reading
 * every vehicle's health, codes, maintenance and sessions takes long
 * enough on a big store that the main thread must not wait for it.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-fleet-page.h"
#include "obd-fleet-row.h"

/* ObdFleetPage -------------------------------------------------------- */

#define SCORE_HEALTHY 80.0
#define SCORE_POOR    40.0

struct _ObdFleetPage
{
  ObdPage             parent_instance;

  GListStore         *items;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GtkCustomSorter    *sorter;
  ObdFleetSort        sort;
  char               *search_text;
  gboolean            attention_only;
  gboolean            syncing_entry;
  ObdSyncManager     *sync;

  GtkStack           *stack;
  AdwStatusPage      *unavailable_page;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *sort_dropdown;
  GtkToggleButton    *attention_toggle;
  GtkListBox         *list;
  GtkLabel           *count_label;
};

G_DEFINE_FINAL_TYPE (ObdFleetPage, obd_fleet_page, OBD_TYPE_PAGE)

enum
{
  PROP_0,
  PROP_ITEMS,
  PROP_SORT,
  PROP_SEARCH_TEXT,
  PROP_ATTENTION_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_VEHICLE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* g_set_str () is GLib 2.76; this is it for 2.74. */
static gboolean
set_str (char       **str_pointer,
         const char  *new_str)
{
  if (g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  g_free (*str_pointer);
  *str_pointer = g_strdup (new_str);
  return TRUE;
}

/* Filter and sort ----------------------------------------------------- */

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ObdFleetPage *self = user_data;
  ObdFleetItem *fleet_item = item;
  g_autofree char *needle = NULL;

  if (self->attention_only && !obd_fleet_item_get_needs_attention (fleet_item))
    return FALSE;
  if (self->search_text == NULL || *self->search_text == '\0')
    return TRUE;
  needle = g_utf8_casefold (self->search_text, -1);
  return contains_casefold (obd_fleet_item_get_title (fleet_item), needle) ||
         contains_casefold (obd_fleet_item_get_subtitle (fleet_item), needle) ||
         contains_casefold (obd_fleet_item_get_worst_code (fleet_item), needle) ||
         contains_casefold (obd_fleet_item_get_worst_code_title (fleet_item), needle);
}

static int
compare_names (ObdFleetItem *a,
               ObdFleetItem *b)
{
  g_autofree char *ka = g_utf8_collate_key (obd_fleet_item_get_title (a), -1);
  g_autofree char *kb = g_utf8_collate_key (obd_fleet_item_get_title (b), -1);
  gint64 ida = obd_fleet_item_get_vehicle_id (a), idb = obd_fleet_item_get_vehicle_id (b);
  int cmp = strcmp (ka, kb);

  return cmp != 0 ? cmp : (ida > idb) - (ida < idb);
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  ObdFleetPage *self = user_data;
  ObdFleetItem *ia = (ObdFleetItem *) a;
  ObdFleetItem *ib = (ObdFleetItem *) b;
  double sa = obd_fleet_item_get_score (ia), sb = obd_fleet_item_get_score (ib);
  gint64 la = obd_fleet_item_get_last_seen (ia), lb = obd_fleet_item_get_last_seen (ib);

  switch (self->sort)
    {
    case OBD_FLEET_SORT_SCORE:
      /* Worst first; vehicles without a score go last. */
      if ((sa < 0) != (sb < 0))
        return sa < 0 ? 1 : -1;
      if (sa != sb)
        return sa < sb ? -1 : 1;
      break;
    case OBD_FLEET_SORT_LAST_SEEN:
      if (la != lb)
        return la > lb ? -1 : 1;
      break;
    case OBD_FLEET_SORT_NAME:
    default:
      break;
    }
  return compare_names (ia, ib);
}

static int
sort_items_cb (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return sort_func (*(ObdFleetItem * const *) a, *(ObdFleetItem * const *) b, user_data);
}

static void
update_count (ObdFleetPage *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  guint attention = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < total; i++)
    {
      g_autoptr(ObdFleetItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);
      attention += obd_fleet_item_get_needs_attention (item);
    }
  if (shown == total)
    /* Translators: "5 vehicles, 2 need attention" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vehicle, %u needing attention",
                                         "%u vehicles, %u needing attention", total),
                            total, attention);
  else
    /* Translators: "2 of 5 vehicles shown" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u vehicle shown",
                                         "%u of %u vehicles shown", total),
                            shown, total);
  gtk_label_set_label (self->count_label, text);
}

/* Live, from sync ------------------------------------------------------ */

/* The Live column and the live health of one vehicle, from what its
 * mechanic's PC shares; cleared once it stops. */
static void
apply_remote (ObdFleetPage     *self,
              ObdFleetItem     *item,
              ObdRemoteVehicle *remote)
{
  g_autofree char *summary = NULL;

  if (remote == NULL || !obd_remote_vehicle_get_live (remote))
    {
      obd_fleet_item_set_live_status (item, NULL);
      obd_fleet_item_set_live_health (item, -1, OBD_HEALTH_STATUS_HEALTHY);
      return;
    }
  summary = obd_remote_vehicle_dup_summary (remote, obd_page_get_units (OBD_PAGE (self)));
  obd_fleet_item_set_live_status (item, summary != NULL ? summary : _("connected"));
  obd_fleet_item_set_live_health (item, obd_remote_vehicle_get_score (remote),
                                  obd_remote_vehicle_get_status (remote));
}

static ObdFleetItem *
lookup_uuid (ObdFleetPage *self,
             const char   *uuid)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = 0; uuid != NULL && i < n; i++)
    {
      g_autoptr(ObdFleetItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      /* The store keeps its reference: the borrowed pointer stays valid. */
      if (g_strcmp0 (obd_fleet_item_get_vehicle_uuid (item), uuid) == 0)
        return item;
    }
  return NULL;
}

static void
on_remote_changed_cb (ObdFleetPage     *self,
                      ObdRemoteVehicle *remote)
{
  ObdFleetItem *item = lookup_uuid (self, obd_remote_vehicle_get_vehicle_id (remote));

  if (item != NULL)
    apply_remote (self, item, remote);
}

void
obd_fleet_page_set_sync (ObdFleetPage   *self,
                         ObdSyncManager *sync)
{
  guint n;

  g_return_if_fail (OBD_IS_FLEET_PAGE (self));
  g_return_if_fail (sync == NULL || OBD_IS_SYNC_MANAGER (sync));

  if (self->sync == sync)
    return;
  if (self->sync != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync, self);
      obd_sync_manager_follow_fleet (self->sync, FALSE);
    }
  g_set_object (&self->sync, sync);
  if (sync == NULL)
    return;
  obd_sync_manager_follow_fleet (sync, TRUE);
  g_signal_connect_object (sync, "remote-changed", G_CALLBACK (on_remote_changed_cb), self,
                           G_CONNECT_SWAPPED);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ObdFleetItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      apply_remote (self, item,
                    obd_sync_manager_lookup_remote (sync, obd_fleet_item_get_vehicle_uuid (item)));
    }
}

/* Reload -------------------------------------------------------------- */

static void
fleet_items_free (gpointer data)
{
  g_ptr_array_unref (data);
}

/* Every vehicle and what the list shows of it, on the store's thread. */
static gpointer
load_fleet_job (ObdStore      *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GPtrArray) vehicles = obd_store_list_vehicles (store, error);
  GPtrArray *items;

  if (vehicles == NULL)
    return NULL;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < vehicles->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_ptr_array_unref (items);
          return NULL;
        }
      g_ptr_array_add (items, obd_fleet_item_new_from_store (store,
                                                             g_ptr_array_index (vehicles, i)));
    }
  return items;
}

static void
on_fleet_loaded_cb (ObdPage      *page,
                    gpointer      result,
                    const GError *error,
                    gpointer      user_data)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (page);
  GPtrArray *items = result;

  if (items == NULL)
    {
      g_autofree char *text = obd_page_describe_error (_("The vehicles cannot be shown"), error);

      g_list_store_remove_all (self->items);
      adw_status_page_set_description (self->unavailable_page, text);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      ObdFleetItem *item = g_ptr_array_index (items, i);
      ObdFleetItem *old = obd_fleet_page_lookup_item (self, obd_fleet_item_get_vehicle_id (item));

      /* What the sync client reported stays until it reports again. */
      if (self->sync != NULL)
        apply_remote (self, item,
                      obd_sync_manager_lookup_remote (self->sync,
                                                      obd_fleet_item_get_vehicle_uuid (item)));
      else if (old != NULL)
        obd_fleet_item_set_live_status (item, obd_fleet_item_get_live_status (old));
    }
  /* In the list's order: each step of the fill then lands after the rows
   * already shown.  Added in store order, a step's items fall between
   * shown rows, and the sort model reports every row from the first to the
   * last of them as changed: the list builds those rows again, and lays
   * them out, in every frame of the fill. */
  g_ptr_array_sort_with_data (items, sort_items_cb, self);
  obd_page_fill_model (OBD_PAGE (self), self->items, items);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "content" : "empty");
  update_count (self);
}

void
obd_fleet_page_reload (ObdFleetPage *self)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));

  obd_page_load (OBD_PAGE (self), "fleet", load_fleet_job, NULL, NULL, fleet_items_free,
                 G_PRIORITY_LOW, on_fleet_loaded_cb, NULL);
}

/* Callbacks ----------------------------------------------------------- */

static void
on_search_entry_search_changed_cb (ObdFleetPage *self)
{
  if (self->syncing_entry)
    return;
  obd_fleet_page_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_sort_dropdown_selected_cb (ObdFleetPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->sort_dropdown);

  if (selected <= OBD_FLEET_SORT_NAME)
    obd_fleet_page_set_sort (self, (ObdFleetSort) selected);
}

static void
on_attention_toggle_toggled_cb (ObdFleetPage *self)
{
  obd_fleet_page_set_attention_only (self, gtk_toggle_button_get_active (self->attention_toggle));
}

static void
on_list_row_activated_cb (ObdFleetPage  *self,
                          GtkListBoxRow *row)
{
  gint64 vehicle_id;

  if (!OBD_IS_FLEET_ROW (row))
    return;
  vehicle_id = obd_fleet_item_get_vehicle_id (obd_fleet_row_get_item (OBD_FLEET_ROW (row)));
  obd_page_set_vehicle_id (OBD_PAGE (self), vehicle_id);
  g_signal_emit (self, signals[SIGNAL_VEHICLE_ACTIVATED], 0, vehicle_id);
}

static void
obd_fleet_page_session_changed (ObdPage *page)
{
  obd_fleet_page_reload (OBD_FLEET_PAGE (page));
}

/* Whatever the store learns about any vehicle may change the list. */
static void
obd_fleet_page_store_changed (ObdPage    *page,
                              const char *what,
                              gint64      vehicle_id)
{
  if (!g_str_equal (what, "notification") && !g_str_equal (what, "note"))
    obd_fleet_page_reload (OBD_FLEET_PAGE (page));
}

/* GObject ------------------------------------------------------------- */

static void
obd_fleet_page_dispose (GObject *object)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (object);

  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  obd_fleet_page_set_sync (self, NULL);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_FLEET_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->sorter);
  g_clear_object (&self->items);

  G_OBJECT_CLASS (obd_fleet_page_parent_class)->dispose (object);
}

static void
obd_fleet_page_finalize (GObject *object)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (object);

  g_free (self->search_text);

  G_OBJECT_CLASS (obd_fleet_page_parent_class)->finalize (object);
}

static void
obd_fleet_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (object);

  switch (prop_id)
    {
    case PROP_ITEMS:
      g_value_set_object (value, self->items);
      break;
    case PROP_SORT:
      g_value_set_int (value, self->sort);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;
    case PROP_ATTENTION_ONLY:
      g_value_set_boolean (value, self->attention_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (object);

  switch (prop_id)
    {
    case PROP_SORT:
      obd_fleet_page_set_sort (self, (ObdFleetSort) g_value_get_int (value));
      break;
    case PROP_SEARCH_TEXT:
      obd_fleet_page_set_search_text (self, g_value_get_string (value));
      break;
    case PROP_ATTENTION_ONLY:
      obd_fleet_page_set_attention_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_page_class_init (ObdFleetPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_fleet_page_dispose;
  object_class->finalize = obd_fleet_page_finalize;
  object_class->get_property = obd_fleet_page_get_property;
  object_class->set_property = obd_fleet_page_set_property;
  page_class->session_changed = obd_fleet_page_session_changed;
  page_class->store_changed = obd_fleet_page_store_changed;

  properties[PROP_ITEMS] =
    g_param_spec_object ("items", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT] =
    g_param_spec_int ("sort", NULL, NULL, OBD_FLEET_SORT_SCORE, OBD_FLEET_SORT_NAME,
                      OBD_FLEET_SORT_SCORE, rw);
  properties[PROP_SEARCH_TEXT] = g_param_spec_string ("search-text", NULL, NULL, NULL, rw);
  properties[PROP_ATTENTION_ONLY] =
    g_param_spec_boolean ("attention-only", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_VEHICLE_ACTIVATED] =
    g_signal_new ("vehicle-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-fleet-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, attention_toggle);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, list);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sort_dropdown_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_attention_toggle_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_list_row_activated_cb);
}

static void
obd_fleet_page_init (ObdFleetPage *self)
{
  self->items = g_list_store_new (OBD_TYPE_FLEET_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->sorter = gtk_custom_sorter_new (sort_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->items)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (GTK_SORTER (self->sorter)));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->sorted), obd_fleet_row_new, NULL,
                           NULL);
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
obd_fleet_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_FLEET_PAGE, "session", session, NULL);
}

GListModel *
obd_fleet_page_get_items (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), NULL);

  return G_LIST_MODEL (self->items);
}

GListModel *
obd_fleet_page_get_visible_items (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

ObdFleetItem *
obd_fleet_page_lookup_item (ObdFleetPage *self,
                            gint64        vehicle_id)
{
  guint n;

  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ObdFleetItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      /* The store keeps its reference: the borrowed pointer stays valid. */
      if (obd_fleet_item_get_vehicle_id (item) == vehicle_id)
        return item;
    }
  return NULL;
}

ObdFleetSort
obd_fleet_page_get_sort (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), OBD_FLEET_SORT_SCORE);

  return self->sort;
}

void
obd_fleet_page_set_sort (ObdFleetPage *self,
                         ObdFleetSort  sort)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));
  g_return_if_fail (sort <= OBD_FLEET_SORT_NAME);

  if (self->sort == sort)
    return;
  self->sort = sort;
  gtk_drop_down_set_selected (self->sort_dropdown, sort);
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT]);
}

const char *
obd_fleet_page_get_search_text (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), NULL);

  return self->search_text;
}

void
obd_fleet_page_set_search_text (ObdFleetPage *self,
                                const char   *text)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));

  if (!set_str (&self->search_text, text))
    return;
  /* Setting the entry's text passes through "" (deleting the old text),
   * and an empty search is announced at once: ignore the echo. */
  self->syncing_entry = TRUE;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                 text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  self->syncing_entry = FALSE;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

gboolean
obd_fleet_page_get_attention_only (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), FALSE);

  return self->attention_only;
}

void
obd_fleet_page_set_attention_only (ObdFleetPage *self,
                                   gboolean      attention_only)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));

  attention_only = !!attention_only;
  if (self->attention_only == attention_only)
    return;
  self->attention_only = attention_only;
  gtk_toggle_button_set_active (self->attention_toggle, attention_only);
  gtk_filter_changed (GTK_FILTER (self->filter),
                      attention_only ? GTK_FILTER_CHANGE_MORE_STRICT
                                     : GTK_FILTER_CHANGE_LESS_STRICT);
  update_count (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_ONLY]);
}
