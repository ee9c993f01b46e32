/* obd-conflicts-group.c — edits of a vehicle made on two PCs, and which was kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server settles a conflict by keeping the later edit (src/sync/
 * PROTOCOL.md); both versions stay in the store's history.  Here each one
 * of the shown vehicle says what the edit that was not kept had, field
 * by field, so a mechanic can put a value back by hand if it was the
 * right one.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "obd-conflicts-group.h"
#include "obd-item-row.h"
#include "obd-page.h"
#include "obd-row-item.h"
#include "obd-store-sync.h"

/* The fields of a synced record people edit, with their names. */
typedef struct
{
  const char *member;
  const char *label;
} Field;

static const Field vehicle_fields[] = {
  { "make", N_("Make") }, { "model", N_("Model") }, { "year", N_("Year") },
  { "plate", N_("Plate") }, { "owner_name", N_("Owner") }, { "odometer_km", N_("Odometer (km)") },
  { "vin", N_("VIN") },
};

static const Field maintenance_fields[] = {
  { "title", N_("Task") }, { "interval_km", N_("Every (km)") },
  { "interval_days", N_("Every (days)") }, { "last_done_km", N_("Last done at (km)") },
  { "status", N_("Status") },
};

struct _ObdConflictsGroup
{
  AdwPreferencesGroup  parent_instance;

  ObdPage             *page;          /* weak: an ancestor */
  ObdStoreService     *store;
  GCancellable        *loading;
  GListStore          *items;         /* ObdRowItem */
  GtkListBox          *list;
};

G_DEFINE_FINAL_TYPE (ObdConflictsGroup, obd_conflicts_group, ADW_TYPE_PREFERENCES_GROUP)

/* On the store's thread ----------------------------------------------------- */

static char *
member_text (JsonObject *object,
             const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (node));
  return g_strdup ("—");
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = text != NULL ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* "Plate: AB-2, Owner: Jo Smith": the values of other where they differ
 * from kept. */
static char *
describe_difference (const Field *fields,
                     gsize        n_fields,
                     JsonObject  *other,
                     JsonObject  *kept)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *a = member_text (other, fields[i].member);
      g_autofree char *b = member_text (kept, fields[i].member);

      if (g_strcmp0 (a, b) == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      /* Translators: a field and its value, "Plate: AB-2" */
      g_string_append_printf (text, _("%s: %s"), _(fields[i].label), a);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gpointer
load_job (ObdStore      *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 vehicle_id = *(gint64 *) data;
  g_autoptr(ObdStoreVehicle) vehicle = obd_store_get_vehicle (store, vehicle_id, error);
  g_autoptr(GPtrArray) maintenance = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  GPtrArray *items;

  if (vehicle == NULL)
    return NULL;
  maintenance = obd_store_list_maintenance_items (store, vehicle_id, error);
  if (maintenance == NULL)
    return NULL;
  conflicts = obd_store_sync_list_conflicts (store, error);
  if (conflicts == NULL)
    return NULL;

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < conflicts->len; i++)
    {
      const ObdStoreSyncConflict *c = g_ptr_array_index (conflicts, i);
      const ObdStoreMaintenanceItem *task = NULL;
      g_autoptr(JsonObject) local = parse_object (c->local_data);
      g_autoptr(JsonObject) remote = parse_object (c->remote_data);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (c->resolved_us
                                                                   / G_USEC_PER_SEC);
      g_autofree char *title = NULL;
      g_autofree char *values = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *time = NULL;
      ObdRowItem *item;

      if (g_str_equal (c->entity, "maintenance_item"))
        for (guint j = 0; j < maintenance->len && task == NULL; j++)
          if (g_strcmp0 (((ObdStoreMaintenanceItem *) g_ptr_array_index (maintenance, j))->uuid,
                         c->entity_id) == 0)
            task = g_ptr_array_index (maintenance, j);
      if (task == NULL && !(g_str_equal (c->entity, "vehicle")
                            && g_strcmp0 (c->entity_id, vehicle->uuid) == 0))
        continue;

      if (task != NULL)
        {
          /* Translators: %s is a maintenance task, "Oil change" */
          title = g_strdup_printf (_("“%s” was edited on two PCs"), task->title);
          values = describe_difference (maintenance_fields, G_N_ELEMENTS (maintenance_fields),
                                        c->local_won ? remote : local,
                                        c->local_won ? local : remote);
        }
      else
        {
          title = g_strdup (_("The vehicle’s details were edited on two PCs"));
          values = describe_difference (vehicle_fields, G_N_ELEMENTS (vehicle_fields),
                                        c->local_won ? remote : local,
                                        c->local_won ? local : remote);
        }
      if (*values == '\0')
        {
          g_free (values);
          values = g_strdup (_("the same values"));
        }
      /* Translators: %s lists the values of the edit that was not kept */
      subtitle = g_strdup_printf (c->local_won
                                  ? _("This PC’s edit was the later one and was kept. The other "
                                      "PC had: %s.")
                                  : _("Another PC’s later edit was kept. This PC had: %s."),
                                  values);
      /* Translators: when a conflict was settled; see g_date_time_format () */
      time = when != NULL ? g_date_time_format (when, _("%-d %b, %H:%M")) : NULL;
      item = obd_row_item_new (c->id, title, subtitle);
      g_object_set (item, "badge", time, "subtitle-lines", 0, NULL);
      g_ptr_array_add (items, item);
    }
  return items;
}

/* On the main thread --------------------------------------------------------- */

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(ObdConflictsGroup) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = obd_store_service_run_finish (OBD_STORE_SERVICE (source), result,
                                                             &error);

  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, OBD_STORE_ERROR, OBD_STORE_ERROR_NOT_FOUND))
        g_info ("The conflict history cannot be shown: %s", error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_list_store_remove_all (self->items);
          gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
        }
      return;
    }
  g_clear_object (&self->loading);
  g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                       items->pdata, items->len);
  gtk_widget_set_visible (GTK_WIDGET (self), items->len > 0);
}

static void
reload (ObdConflictsGroup *self)
{
  gint64 vehicle_id = self->page != NULL ? obd_page_get_shown_vehicle_id (self->page) : 0;
  gint64 *data;

  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (vehicle_id <= 0 || self->store == NULL
      || obd_store_service_get_state (self->store) != OBD_STORE_SERVICE_OPEN)
    {
      g_list_store_remove_all (self->items);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }
  self->loading = g_cancellable_new ();
  data = g_new (gint64, 1);
  *data = vehicle_id;
  obd_store_service_run_async (self->store, load_job, data, g_free,
                               (GDestroyNotify) g_ptr_array_unref, G_PRIORITY_LOW,
                               self->loading, on_loaded_cb, g_object_ref (self));
}

static void
on_store_changed_cb (ObdConflictsGroup *self,
                     const char        *what)
{
  if (g_str_equal (what, "vehicle") || g_str_equal (what, "maintenance"))
    reload (self);
}

static void
set_store (ObdConflictsGroup *self,
           ObdStoreService   *store)
{
  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::state", G_CALLBACK (reload), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
on_page_changed_cb (ObdConflictsGroup *self)
{
  set_store (self, self->page != NULL ? obd_page_get_store (self->page) : NULL);
  reload (self);
}

static void
obd_conflicts_group_root (GtkWidget *widget)
{
  ObdConflictsGroup *self = OBD_CONFLICTS_GROUP (widget);
  GtkWidget *page;

  GTK_WIDGET_CLASS (obd_conflicts_group_parent_class)->root (widget);

  page = gtk_widget_get_ancestor (widget, OBD_TYPE_PAGE);
  if (page == (GtkWidget *) self->page)
    return;
  if (self->page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->page, self);
      g_object_remove_weak_pointer (G_OBJECT (self->page), (gpointer *) &self->page);
    }
  self->page = page != NULL ? OBD_PAGE (page) : NULL;
  if (self->page != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (self->page), (gpointer *) &self->page);
      g_signal_connect_object (self->page, "notify::shown-vehicle-id",
                               G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->page, "notify::store-available",
                               G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->page, "notify::session",
                               G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
    }
  on_page_changed_cb (self);
}

GListModel *
obd_conflicts_group_get_items (ObdConflictsGroup *self)
{
  g_return_val_if_fail (OBD_IS_CONFLICTS_GROUP (self), NULL);
  return G_LIST_MODEL (self->items);
}

GtkWidget *
obd_conflicts_group_new (void)
{
  return g_object_new (OBD_TYPE_CONFLICTS_GROUP, NULL);
}

static void
obd_conflicts_group_dispose (GObject *object)
{
  ObdConflictsGroup *self = OBD_CONFLICTS_GROUP (object);

  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (self->page != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->page, self);
      g_object_remove_weak_pointer (G_OBJECT (self->page), (gpointer *) &self->page);
      self->page = NULL;
    }
  set_store (self, NULL);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  self->list = NULL;
  g_clear_object (&self->items);

  G_OBJECT_CLASS (obd_conflicts_group_parent_class)->dispose (object);
}

static void
obd_conflicts_group_class_init (ObdConflictsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_conflicts_group_dispose;
  widget_class->root = obd_conflicts_group_root;
}

static void
obd_conflicts_group_init (ObdConflictsGroup *self)
{
  self->items = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Edits made on two PCs"), -1);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->items), obd_item_row_new, NULL, NULL);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Edits Made on Two PCs"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("When two PCs changed the same thing before they "
                                           "synced, the later change was kept everywhere. The "
                                           "other one is kept here."));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->list));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
