/* obd-app-util.c — small helpers the app's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "obd-app-util.h"

static GQuark
tooltip_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("obd-tooltip");
  return quark;
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  const char *text = g_object_get_qdata (G_OBJECT (widget), tooltip_quark ());

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/**
 * obd_widget_set_tooltip:
 * @widget: a widget
 * @text: (nullable): the tooltip, or %NULL (or "") for none
 *
 * Sets @widget's tooltip and accessible description, as
 * gtk_widget_set_tooltip_text () does, without its cost: on a visible
 * widget, GTK 4.8 asks the display server where the pointer is (a round
 * trip) at every call, so that a tooltip under the pointer shows at
 * once.  A row built for each item of a list paid that for every row;
 * here the tooltip shows when the pointer next moves over the widget.
 * Setting the same text again does nothing.
 */
void
obd_widget_set_tooltip (GtkWidget  *widget,
                        const char *text)
{
  GObject *object = G_OBJECT (widget);

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (g_object_get_qdata (object, tooltip_quark ()), text) == 0)
    return;
  if (g_signal_handler_find (widget, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, query_tooltip_cb,
                             NULL) == 0)
    g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  g_object_set_qdata_full (object, tooltip_quark (), g_strdup (text), g_free);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_widget_set_has_tooltip (widget, text != NULL);
}
