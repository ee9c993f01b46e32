/* obd-expert-window.c — a remote expert's view of a mechanic's vehicle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything shown comes from the room's ObdRemoteVehicle, redrawn when
 * it changes (at most a few times a second: the mechanic's PC paces its
 * readings).  Nothing here can act on the car.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-clamp.h"
#include "obd-dtc-kb.h"
#include "obd-expert-window.h"
#include "obd-gauge.h"
#include "obd-guide.h"
#include "obd-item-row.h"
#include "obd-room-panel.h"
#include "obd-row-item.h"

/* The readings that get a gauge, in this order; the rest of what is sent
 * is not drawn (the mechanic's own live page has them all). */
static const char *gauge_keys[] = {
  "rpm", "speed", "coolant_temp", "engine_load", "control_module_voltage", "intake_temp",
  "throttle_pos", "maf", "stft_b1", "ltft_b1", "oil_temp", "fuel_level",
};

struct _ObdExpertWindow
{
  AdwWindow        parent_instance;

  ObdSyncManager  *sync;
  GSettings       *settings;
  ObdRoom         *room;
  GCancellable    *joining;
  GHashTable      *gauges;       /* key → ObdGauge (owned by the flow box) */
  GListStore      *codes;        /* ObdRowItem */
  GListStore      *notices;      /* ObdRowItem */

  AdwWindowTitle  *window_title;
  GtkButton       *leave_button;
  GtkStack        *stack;
  AdwEntryRow     *code_entry;
  GtkLabel        *join_error_label;
  GtkSpinner      *join_spinner;
  GtkLabel        *closed_label;
  GtkLabel        *live_label;
  GtkLabel        *health_label;
  GtkFlowBox      *gauges_box;
  GtkWidget       *guide_group;
  AdwActionRow    *guide_row;
  GtkLevelBar     *guide_bar;
  GtkListBox      *codes_list;
  GtkLabel        *codes_placeholder;
  GtkWidget       *notices_group;
  GtkListBox      *notices_list;
  ObdRoomPanel    *panel;
};

G_DEFINE_FINAL_TYPE (ObdExpertWindow, obd_expert_window, ADW_TYPE_WINDOW)

static ObdUnitSystem
units (ObdExpertWindow *self)
{
  return self->settings != NULL && g_settings_get_enum (self->settings, "units") == 1
         ? OBD_UNIT_SYSTEM_US : OBD_UNIT_SYSTEM_SI;
}

/* The live view --------------------------------------------------------- */

static void
update_gauges (ObdExpertWindow  *self,
               ObdRemoteVehicle *remote)
{
  for (guint i = 0; i < G_N_ELEMENTS (gauge_keys); i++)
    {
      const char *key = gauge_keys[i];
      double value = obd_remote_vehicle_get_value (remote, key);
      ObdGauge *gauge = g_hash_table_lookup (self->gauges, key);
      g_autofree char *reading = NULL;

      if (isnan (value))
        continue;
      if (gauge == NULL)
        {
          double min, max;
          const char *unit;
          guint digits;

          if (!obd_remote_vehicle_get_range (key, units (self), &min, &max, &unit, &digits))
            continue;
          gauge = OBD_GAUGE (obd_gauge_new ());
          obd_gauge_set_label (gauge, obd_remote_vehicle_get_label (key));
          obd_gauge_set_unit (gauge, unit);
          obd_gauge_set_min_value (gauge, min);
          obd_gauge_set_max_value (gauge, max);
          obd_gauge_set_digits (gauge, digits);
          gtk_widget_set_size_request (GTK_WIDGET (gauge), 160, 160);
          g_hash_table_insert (self->gauges, (gpointer) key, gauge);
          gtk_flow_box_append (self->gauges_box, GTK_WIDGET (gauge));
        }
      obd_gauge_set_value (gauge, obd_remote_vehicle_convert (key, units (self), value));
      /* GTK 4.8 gives custom widgets no value interface: say it. */
      reading = obd_gauge_dup_reading_text (gauge);
      gtk_accessible_update_property (GTK_ACCESSIBLE (gauge), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      reading, -1);
    }
}

static const char *
kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "pending") == 0)
    return obd_dtc_kind_get_label (OBD_DTC_KIND_PENDING);
  if (g_strcmp0 (kind, "permanent") == 0)
    return obd_dtc_kind_get_label (OBD_DTC_KIND_PERMANENT);
  return obd_dtc_kind_get_label (OBD_DTC_KIND_STORED);
}

static void
update_codes (ObdExpertWindow  *self,
              ObdRemoteVehicle *remote)
{
  GPtrArray *codes = obd_remote_vehicle_get_codes (remote);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_label_set_label (self->codes_placeholder,
                       codes == NULL ? _("The mechanic’s PC has not reported codes yet.")
                                     : _("No trouble codes: the vehicle reports none."));
  for (guint i = 0; codes != NULL && i < codes->len; i++)
    {
      const ObdRemoteCode *code = g_ptr_array_index (codes, i);
      ObdDtcInfo info;
      g_autofree char *title = NULL;
      ObdRowItem *item;

      if (obd_dtc_kb_lookup (code->code, &info, NULL))
        /* Translators: a trouble code and its title, "P0301 Cylinder 1 misfire" */
        title = g_strdup_printf (_("%s %s"), code->code, info.title);
      else
        title = g_strdup (code->code);
      item = obd_row_item_new (i + 1, title, kind_label (code->kind));
      if (obd_dtc_kb_lookup (code->code, &info, NULL))
        g_object_set (item, "badge", obd_severity_get_label (info.severity),
                      "badge-class", info.severity == OBD_SEVERITY_CRITICAL ? "error"
                                     : info.severity == OBD_SEVERITY_WARNING ? "warning"
                                     : NULL, NULL);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->codes, 0, g_list_model_get_n_items (G_LIST_MODEL (self->codes)),
                       items->pdata, items->len);
}

static void
update_guide (ObdExpertWindow  *self,
              ObdRemoteVehicle *remote)
{
  const char *guide_id, *title;
  guint step, steps;
  g_autofree char *subtitle = NULL;

  if (!obd_remote_vehicle_get_guide (remote, &guide_id, &step, &steps, &title))
    {
      gtk_widget_set_visible (self->guide_group, FALSE);
      return;
    }
  gtk_widget_set_visible (self->guide_group, TRUE);
  /* The sender's title is a guide msgid: in this PC's language when it is
   * one of ours. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->guide_row),
                                 obd_guide_gettext (title));
  /* Translators: progress through a guided repair, "Step 3 of 12" */
  subtitle = g_strdup_printf (_("Step %u of %u"), step, steps);
  adw_action_row_set_subtitle (self->guide_row, subtitle);
  gtk_level_bar_set_max_value (self->guide_bar, MAX (steps, 1));
  gtk_level_bar_set_value (self->guide_bar, MIN (step, MAX (steps, 1)));
}

static void
update_notices (ObdExpertWindow  *self,
                ObdRemoteVehicle *remote)
{
  GPtrArray *notices = obd_remote_vehicle_get_notices (remote);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < notices->len; i++)
    {
      const ObdRemoteNotice *notice = g_ptr_array_index (notices, i);
      ObdRowItem *item = obd_row_item_new (i + 1, notice->title, notice->body);
      ObdSeverity severity;

      if (notice->severity != NULL && obd_severity_from_key (notice->severity, &severity, NULL))
        g_object_set (item, "badge", obd_severity_get_label (severity),
                      "badge-class", severity == OBD_SEVERITY_CRITICAL ? "error"
                                     : severity == OBD_SEVERITY_WARNING ? "warning" : NULL,
                      NULL);
      else
        g_object_set (item, "badge", _("Maintenance"), NULL);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->notices, 0, g_list_model_get_n_items (G_LIST_MODEL (self->notices)),
                       items->pdata, items->len);
  gtk_widget_set_visible (self->notices_group, notices->len > 0);
}

static void
update_live (ObdExpertWindow *self)
{
  ObdRemoteVehicle *remote = obd_room_get_vehicle (self->room);
  const char *from = obd_remote_vehicle_get_from_name (remote);
  double score = obd_remote_vehicle_get_score (remote);
  g_autofree char *live = NULL;

  if (!obd_room_get_open (self->room))
    live = from != NULL
           /* Translators: the readings shown are the last ones before the session ended */
           ? g_strdup_printf (_("The last readings from %s’s PC"), from)
           : g_strdup (_("The session ended before any live data came."));
  else if (obd_remote_vehicle_get_live (remote) && from != NULL)
    /* Translators: whose PC the live data comes from */
    live = g_strdup_printf (_("Live from %s’s PC"), from);
  else if (obd_remote_vehicle_get_updated (remote) > 0)
    live = g_strdup (_("No live data for a while: the mechanic may have stopped the engine or "
                       "lost the connection."));
  else
    live = g_strdup (_("Waiting for the mechanic’s live data…"));
  gtk_label_set_label (self->live_label, live);

  gtk_widget_set_visible (GTK_WIDGET (self->health_label), score >= 0);
  if (score >= 0)
    {
      g_autofree char *number = obd_health_score_format (score);
      ObdHealthStatus status = obd_remote_vehicle_get_status (remote);
      g_autofree char *a11y = NULL;

      gtk_label_set_label (self->health_label, number);
      gtk_widget_remove_css_class (GTK_WIDGET (self->health_label), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->health_label), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->health_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->health_label),
                                status == OBD_HEALTH_STATUS_STOP_DRIVING ? "error"
                                : status == OBD_HEALTH_STATUS_NEEDS_ATTENTION ? "warning"
                                : "success");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->health_label),
                                   obd_health_status_get_label (status));
      /* Translators: the vehicle's health score and its verdict, "Health 72, Needs attention" */
      a11y = g_strdup_printf (_("Health %s, %s"), number, obd_health_status_get_label (status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->health_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
    }

  update_gauges (self, remote);
  update_codes (self, remote);
  update_guide (self, remote);
  update_notices (self, remote);
}

static void
update_room (ObdExpertWindow *self)
{
  gboolean open = obd_room_get_open (self->room);

  gtk_widget_set_visible (GTK_WIDGET (self->closed_label), !open);
  if (!open)
    gtk_label_set_label (self->closed_label, obd_room_get_closed_reason (self->room));
  adw_window_title_set_subtitle (self->window_title,
                                 open ? obd_room_get_presence_text (self->room) : NULL);
  gtk_button_set_label (self->leave_button, open ? _("_Leave") : _("_Close"));
}

/* Joining ---------------------------------------------------------------- */

static void
set_joining (ObdExpertWindow *self,
             gboolean         joining)
{
  gtk_widget_set_visible (GTK_WIDGET (self->join_spinner), joining);
  gtk_spinner_set_spinning (self->join_spinner, joining);
  gtk_widget_set_sensitive (GTK_WIDGET (self->code_entry), !joining);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "expert.join", !joining);
}

static void
on_joined_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(ObdExpertWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdRoom) room = obd_sync_manager_join_room_finish (OBD_SYNC_MANAGER (source),
                                                               result, &error);

  g_clear_object (&self->joining);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      if (room != NULL)
        obd_room_end_async (room, NULL, NULL, NULL);
      return;
    }
  set_joining (self, FALSE);
  if (room == NULL)
    {
      gtk_label_set_label (self->join_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->join_error_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->code_entry));
      return;
    }
  self->room = g_steal_pointer (&room);
  obd_room_panel_set_room (self->panel, self->room);
  g_signal_connect_object (self->room, "notify", G_CALLBACK (update_room), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->room, "notify::open", G_CALLBACK (update_live), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (obd_room_get_vehicle (self->room), "changed",
                           G_CALLBACK (update_live), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->leave_button), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "live");
  /* The code entry is gone: keyboard focus goes to the page shown. */
  gtk_widget_grab_focus (GTK_WIDGET (self->leave_button));
  update_room (self);
  update_live (self);
}

void
obd_expert_window_join (ObdExpertWindow *self,
                        const char      *code)
{
  g_return_if_fail (OBD_IS_EXPERT_WINDOW (self));
  g_return_if_fail (code != NULL);

  if (self->joining != NULL || self->room != NULL)
    return;
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->code_entry)), code) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->code_entry), code);
  gtk_widget_set_visible (GTK_WIDGET (self->join_error_label), FALSE);
  set_joining (self, TRUE);
  self->joining = g_cancellable_new ();
  obd_sync_manager_join_room_async (self->sync, code, self->joining, on_joined_cb,
                                    g_object_ref (self));
}

static void
join_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ObdExpertWindow *self = OBD_EXPERT_WINDOW (widget);

  obd_expert_window_join (self, gtk_editable_get_text (GTK_EDITABLE (self->code_entry)));
}

static void
on_code_entry_activated_cb (ObdExpertWindow *self)
{
  join_action (GTK_WIDGET (self), NULL, NULL);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ObdExpertWindow *self = OBD_EXPERT_WINDOW (widget);

  if (self->room != NULL && obd_room_get_open (self->room))
    obd_room_end_async (self->room, NULL, NULL, NULL);
  else
    gtk_window_close (GTK_WINDOW (self));
}

/* Public ------------------------------------------------------------------ */

ObdRoom *
obd_expert_window_get_room (ObdExpertWindow *self)
{
  g_return_val_if_fail (OBD_IS_EXPERT_WINDOW (self), NULL);
  return self->room;
}

GtkWidget *
obd_expert_window_get_gauge (ObdExpertWindow *self,
                             const char      *key)
{
  g_return_val_if_fail (OBD_IS_EXPERT_WINDOW (self), NULL);
  return g_hash_table_lookup (self->gauges, key);
}

/* GObject ------------------------------------------------------------------ */

static gboolean
obd_expert_window_close_request (GtkWindow *window)
{
  ObdExpertWindow *self = OBD_EXPERT_WINDOW (window);

  /* Closing the window leaves the room: nobody watches a closed window. */
  if (self->joining != NULL)
    g_cancellable_cancel (self->joining);
  if (self->room != NULL && obd_room_get_open (self->room))
    obd_room_end_async (self->room, NULL, NULL, NULL);
  return GTK_WINDOW_CLASS (obd_expert_window_parent_class)->close_request (window);
}

static void
obd_expert_window_dispose (GObject *object)
{
  ObdExpertWindow *self = OBD_EXPERT_WINDOW (object);

  if (self->joining != NULL)
    g_cancellable_cancel (self->joining);
  g_clear_object (&self->joining);
  if (self->codes_list != NULL)
    {
      gtk_list_box_bind_model (self->codes_list, NULL, NULL, NULL, NULL);
      gtk_list_box_bind_model (self->notices_list, NULL, NULL, NULL, NULL);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_EXPERT_WINDOW);
  g_clear_object (&self->room);
  g_clear_object (&self->sync);
  g_clear_object (&self->settings);
  g_clear_object (&self->codes);
  g_clear_object (&self->notices);
  g_clear_pointer (&self->gauges, g_hash_table_unref);

  G_OBJECT_CLASS (obd_expert_window_parent_class)->dispose (object);
}

static void
obd_expert_window_class_init (ObdExpertWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = obd_expert_window_dispose;
  window_class->close_request = obd_expert_window_close_request;

  g_type_ensure (OBD_TYPE_ROOM_PANEL);
  g_type_ensure (OBD_TYPE_CLAMP);
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH
                                               "/obd-expert-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, leave_button);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, code_entry);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, join_error_label);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, join_spinner);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, closed_label);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, live_label);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, health_label);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, gauges_box);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, guide_group);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, guide_row);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, guide_bar);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, codes_list);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, codes_placeholder);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, notices_group);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, notices_list);
  gtk_widget_class_bind_template_child (widget_class, ObdExpertWindow, panel);
  gtk_widget_class_bind_template_callback (widget_class, on_code_entry_activated_cb);

  gtk_widget_class_install_action (widget_class, "expert.join", NULL, join_action);
  gtk_widget_class_install_action (widget_class, "expert.leave", NULL, leave_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
obd_expert_window_init (ObdExpertWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->gauges = g_hash_table_new (g_str_hash, g_str_equal);
  self->codes = g_list_store_new (OBD_TYPE_ROW_ITEM);
  self->notices = g_list_store_new (OBD_TYPE_ROW_ITEM);
  gtk_list_box_bind_model (self->codes_list, G_LIST_MODEL (self->codes), obd_item_row_new, NULL,
                           NULL);
  gtk_list_box_bind_model (self->notices_list, G_LIST_MODEL (self->notices), obd_item_row_new,
                           NULL, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_entry));
}

GtkWidget *
obd_expert_window_new (ObdSyncManager *sync,
                       GSettings      *settings)
{
  ObdExpertWindow *self;

  g_return_val_if_fail (OBD_IS_SYNC_MANAGER (sync), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (OBD_TYPE_EXPERT_WINDOW, NULL);
  self->sync = g_object_ref (sync);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  return GTK_WIDGET (self);
}
