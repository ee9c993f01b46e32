/* obd-health-view.c — how every view says a health report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-health-view.h"

const char *
obd_health_view_status_icon (ObdHealthStatus status)
{
  switch (status)
    {
    case OBD_HEALTH_STATUS_HEALTHY:
      return "emblem-ok-symbolic";
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      return "dialog-warning-symbolic";
    case OBD_HEALTH_STATUS_STOP_DRIVING:
    default:
      return "dialog-error-symbolic";
    }
}

static const char * const status_classes[] = { "success", "warning", "error" };

const char *
obd_health_view_status_class (ObdHealthStatus status)
{
  return status_classes[MIN ((guint) status, G_N_ELEMENTS (status_classes) - 1)];
}

void
obd_health_view_set_status_class (GtkWidget       *widget,
                                  ObdHealthStatus  status)
{
  const char *wanted = obd_health_view_status_class (status);

  g_return_if_fail (GTK_IS_WIDGET (widget));

  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    if (status_classes[i] != wanted)
      gtk_widget_remove_css_class (widget, status_classes[i]);
  gtk_widget_add_css_class (widget, wanted);
}

char *
obd_health_view_dup_headline (const ObdHealthReport *report)
{
  g_autofree char *score = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  score = obd_health_score_format (report->vehicle_score);
  /* Translators: the vehicle's health score and status, "46 of 100 · Stop driving" */
  return g_strdup_printf (_("%s of 100 · %s"), score,
                          obd_health_status_get_label (report->status));
}

char *
obd_health_view_dup_worst (const ObdHealthReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);

  if (obd_health_score_round (report->system_scores[report->worst_system]) < 100 ||
      report->deductions->len > 0)
    /* Translators: %s is a system such as "Engine" or "Cooling" */
    return g_strdup_printf (_("Most affected: %s"),
                            obd_health_system_get_label (report->worst_system));
  return g_strdup (_("No problems found"));
}

static void
on_expanded_cb (ObdRow     *row,
                GParamSpec *pspec,
                GtkLabel   *explanation)
{
  const char *text = g_object_get_data (G_OBJECT (row), "obd-explanation");

  gtk_label_set_label (explanation, obd_row_get_expanded (row) && text != NULL
                                      ? text : "");
}

void
obd_health_view_show_report (ObdRow                *row,
                             GtkImage              *icon,
                             GtkLabel              *explanation,
                             const ObdHealthReport *report,
                             const char            *source)
{
  g_autofree char *headline = NULL;
  g_autofree char *worst = NULL;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (OBD_IS_ROW (row));
  g_return_if_fail (GTK_IS_IMAGE (icon));
  g_return_if_fail (GTK_IS_LABEL (explanation));
  g_return_if_fail (report != NULL);

  headline = obd_health_view_dup_headline (report);
  worst = obd_health_view_dup_worst (report);
  subtitle = source != NULL ? g_strdup_printf ("%s. %s", worst, source) : g_strdup (worst);
  obd_row_set_title (row, headline);
  obd_row_set_subtitle (row, subtitle);
  gtk_image_set_from_icon_name (icon, obd_health_view_status_icon (report->status));
  obd_health_view_set_status_class (GTK_WIDGET (icon), report->status);

  /* Several paragraphs: laid out only while the row is open. */
  g_object_set_data_full (G_OBJECT (row), "obd-explanation", obd_health_report_explain (report),
                          g_free);
  if (g_object_get_data (G_OBJECT (row), "obd-explanation-followed") == NULL)
    {
      g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_expanded_cb),
                               explanation, 0);
      g_object_set_data (G_OBJECT (row), "obd-explanation-followed", GINT_TO_POINTER (TRUE));
    }
  on_expanded_cb (row, NULL, explanation);
}
