/* obd-fleet-row.c — one vehicle in the fleet list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The template binds the names; the score badge, the worst code, the
 * maintenance and "last seen" line and the accessible name are composed
 * here, with their colours.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-app-resources.h"
#include "obd-app-util.h"
#include "obd-dtc-kb.h"
#include "obd-fleet-row.h"
#include "obd-health-view.h"

struct _ObdFleetRow
{
  GtkListBoxRow  parent_instance;

  ObdFleetItem  *item;
  GtkLabel      *badge;
  GtkLabel      *code_label;
  GtkLabel      *facts_label;
};

G_DEFINE_FINAL_TYPE (ObdFleetRow, obd_fleet_row, GTK_TYPE_LIST_BOX_ROW)

enum
{
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_set (gpointer    this_object,
        const char *text,
        gpointer    data)
{
  return text != NULL && *text != '\0';
}

static char *
live_text (gpointer    this_object,
           const char *status,
           gpointer    data)
{
  g_autoptr(GString) text = NULL;

  if (status == NULL || *status == '\0')
    return NULL;
  /* The label wraps between words, never between a number and its unit
   * ("749 rpm"): a space after a digit is made no-break. */
  text = g_string_new (NULL);
  for (const char *p = status; *p != '\0'; p++)
    {
      if (*p == ' ' && p > status && g_ascii_isdigit (p[-1]))
        g_string_append (text, "\u00a0");
      else
        g_string_append_c (text, *p);
    }
  /* Translators: what the sync server reports a vehicle doing now, e.g.
   * "Live: Driving, 52 km/h" */
  return g_strdup_printf (_("Live: %s"), text->str);
}

static const char *
status_css_class (ObdFleetItem *item)
{
  if (obd_fleet_item_get_score (item) < 0)
    return "dim-label";
  return obd_health_view_status_class (obd_fleet_item_get_status (item));
}

static char *
facts_text (ObdFleetItem *item)
{
  GString *text = g_string_new (NULL);
  guint overdue = obd_fleet_item_get_maintenance_overdue (item);
  guint due = obd_fleet_item_get_maintenance_due (item);
  gint64 last_seen = obd_fleet_item_get_last_seen (item);

  /* The verdict in words, as the overview and the owner view say it: a
   * colour alone is no answer. */
  if (obd_fleet_item_get_score (item) >= 0)
    g_string_append (text, obd_health_status_get_label (obd_fleet_item_get_status (item)));
  if (overdue > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u service overdue",
                                               "%u services overdue", overdue), overdue);
    }
  if (due > 0)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u service due",
                                                 "%u services due", due), due);
    }
  if (text->len > 0)
    g_string_append (text, " · ");
  if (last_seen > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (last_seen / G_USEC_PER_SEC);
      /* Translators: a date as in "12 Mar 2024"; see g_date_time_format() */
      g_autofree char *date = g_date_time_format (dt, _("%-d %b %Y"));

      g_string_append_printf (text, _("Last seen %s"), date);
    }
  else
    g_string_append (text, _("Never recorded"));
  return g_string_free (text, FALSE);
}

/* The badge and the row's name: the health the store gives, or while the
 * vehicle is live, the health its mechanic's PC computes now. */
static void
update_badge (ObdFleetRow *self)
{
  static const char *classes[] = { "success", "warning", "error", "dim-label", "obd-live" };
  ObdFleetItem *item = self->item;
  double live = obd_fleet_item_get_live_score (item);
  double score = live >= 0 ? live : obd_fleet_item_get_score (item);
  ObdHealthStatus status = live >= 0 ? obd_fleet_item_get_live_health (item)
                                     : obd_fleet_item_get_status (item);
  const char *status_label = obd_health_status_get_label (status);
  g_autofree char *score_text = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *facts = facts_text (item);
  g_autofree char *a11y = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->badge), classes[i]);
  if (live >= 0)
    {
      score_text = obd_health_score_format (live);
      gtk_widget_add_css_class (GTK_WIDGET (self->badge), "obd-live");
      gtk_widget_add_css_class (GTK_WIDGET (self->badge), obd_health_view_status_class (status));
      /* Translators: the health a vehicle's mechanic's PC computes right now */
      tooltip = g_strdup_printf (_("Live: %s"), status_label);
    }
  else
    {
      score_text = score >= 0 ? obd_health_score_format (score) : g_strdup ("?");
      gtk_widget_add_css_class (GTK_WIDGET (self->badge), status_css_class (item));
      tooltip = g_strdup (score >= 0 ? status_label : _("Health unknown"));
    }
  gtk_label_set_label (self->badge, score_text);
  obd_widget_set_tooltip (GTK_WIDGET (self->badge), tooltip);

  if (live >= 0)
    /* Translators: accessible name of a live fleet row: title, score, status */
    a11y = g_strdup_printf (_("%s, live health %s, %s"), obd_fleet_item_get_title (item),
                            score_text, status_label);
  else
    /* Translators: accessible name of a fleet row: title, score, status */
    a11y = g_strdup_printf (_("%s, health %s, %s"), obd_fleet_item_get_title (item), score_text,
                            score >= 0 ? status_label : _("unknown"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, facts, -1);
}

static void
set_item (ObdFleetRow  *self,
          ObdFleetItem *item)
{
  int severity = obd_fleet_item_get_worst_severity (item);
  g_autofree char *code_text = NULL;
  g_autofree char *facts = facts_text (item);

  self->item = g_object_ref (item);
  update_badge (self);
  g_signal_connect_object (item, "notify::live-score", G_CALLBACK (update_badge), self,
                           G_CONNECT_SWAPPED);

  if (obd_fleet_item_get_worst_code (item) != NULL)
    {
      /* Translators: the most severe active trouble code and its title */
      code_text = g_strdup_printf (_("%s %s"), obd_fleet_item_get_worst_code (item),
                                   obd_fleet_item_get_worst_code_title (item));
      gtk_label_set_label (self->code_label, code_text);
      if (severity == OBD_DTC_SEVERITY_CRITICAL)
        gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "error");
      else if (severity == OBD_DTC_SEVERITY_WARNING)
        gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "warning");
    }
  else
    {
      gtk_label_set_label (self->code_label, _("No active trouble codes"));
      gtk_widget_add_css_class (GTK_WIDGET (self->code_label), "dim-label");
    }

  gtk_label_set_label (self->facts_label, facts);
  if (obd_fleet_item_get_maintenance_overdue (item) == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->facts_label), "dim-label");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

ObdFleetItem *
obd_fleet_row_get_item (ObdFleetRow *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ROW (self), NULL);

  return self->item;
}

static void
obd_fleet_row_dispose (GObject *object)
{
  ObdFleetRow *self = OBD_FLEET_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_FLEET_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (obd_fleet_row_parent_class)->dispose (object);
}

static void
obd_fleet_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ObdFleetRow *self = OBD_FLEET_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_row_class_init (ObdFleetRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_fleet_row_dispose;
  object_class->get_property = obd_fleet_row_get_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, OBD_TYPE_FLEET_ITEM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/obd-fleet-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdFleetRow, badge);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetRow, code_label);
  gtk_widget_class_bind_template_child (widget_class, ObdFleetRow, facts_label);
  gtk_widget_class_bind_template_callback (widget_class, is_set);
  gtk_widget_class_bind_template_callback (widget_class, live_text);
}

static void
obd_fleet_row_init (ObdFleetRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_fleet_row_new (gpointer item,
                   gpointer user_data)
{
  ObdFleetRow *self;

  g_return_val_if_fail (OBD_IS_FLEET_ITEM (item), NULL);

  /* Set after construction, so the template's bindings see it change. */
  self = g_object_new (OBD_TYPE_FLEET_ROW, NULL);
  set_item (self, item);
  return GTK_WIDGET (self);
}
