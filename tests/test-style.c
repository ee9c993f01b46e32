/* test-style.c — the app's style sheets: borders painted in one colour
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's cairo renderer paints a border whose four sides differ in
 * colour with a mesh gradient over the whole box, even when only one side
 * has any width (a list row's separator, a card's coloured edge).  That
 * cost more than a frame's budget on the fleet view; style.css and
 * style-hc.css give every side of such a border one colour.  This draws
 * each kind of one-sided border the app shows, in light, dark and high
 * contrast, and checks every border node it finds has one colour.
 */
#define G_LOG_DOMAIN "test-style"

#include "config.h"

#include <adwaita.h>

#include "obd-app-util.h"
#include "obd-row.h"
#include "render-check.h"
#include "test-wait.h"

TEST_LSAN_FONTCONFIG

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static gboolean
is_high_contrast (gpointer manager)
{
  return adw_style_manager_get_high_contrast (manager);
}

/* Runs the main loop until done (data); a style change then reaches the
 * widgets in the frame that render_check_borders () waits for. */
static void
wait_until (gboolean (*done) (gpointer data),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static GtkWidget *
card (const char *css_classes)
{
  g_auto(GStrv) classes = g_strsplit (css_classes, " ", -1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_box_append (GTK_BOX (box), gtk_label_new (css_classes));
  for (guint i = 0; classes[i] != NULL; i++)
    gtk_widget_add_css_class (box, classes[i]);
  return box;
}

/* Every kind of one-sided border the app's pages draw. */
static GtkWidget *
build_showcase (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *action_row = adw_action_row_new ();
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *nested = adw_action_row_new ();
  GtkWidget *row = obd_row_new ();
  GtkWidget *last = adw_action_row_new ();
  const char *cards[] = {
    "obd-banner", "obd-banner obd-banner-error", "card message-card error",
    "card message-card warning", "card obd-problem-card obd-critical",
    "card obd-problem-card obd-warning", "card obd-problem-card obd-info",
    "card obd-problem-card", "card obd-guide-finding error",
    "card obd-guide-finding success", "card obd-guide-finding accent",
  };

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), "An action row");
  gtk_list_box_append (GTK_LIST_BOX (list), action_row);
  obd_row_set_title (OBD_ROW (row), "A row with details");
  obd_row_set_details (OBD_ROW (row), gtk_label_new ("Details, under a line"));
  obd_row_set_expanded (OBD_ROW (row), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), "An expander row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (nested), "A nested row");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), nested);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), adw_action_row_new ());
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), expander);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (last), "The last row");
  gtk_list_box_append (GTK_LIST_BOX (list), last);
  gtk_box_append (GTK_BOX (box), list);
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    gtk_box_append (GTK_BOX (box), card (cards[i]));
  return box;
}

static void
test_one_colour (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) a11y_schema = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *showcase = build_showcase ();
  /* The list's three separators (action row, ObdRow, expander header,
   * nested row), the ObdRow's details line, the banners and the cards'
   * edges; a card without a colour class has a transparent edge that
   * GTK does not draw. */
  const guint expected = 15;

  gtk_window_set_child (GTK_WINDOW (window), showcase);
  gtk_window_set_default_size (GTK_WINDOW (window), 500, -1);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, showcase);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpuint (render_check_borders (showcase), >=, expected);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpuint (render_check_borders (showcase), >=, expected);

  /* High contrast comes from the desktop's a11y settings; the tests'
   * memory GSettings backend lets it be flipped. */
  if (source != NULL)
    a11y_schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface",
                                                   TRUE);
  if (a11y_schema != NULL && g_settings_schema_has_key (a11y_schema, "high-contrast"))
    {
      g_autoptr(GSettings) a11y = g_settings_new ("org.gnome.desktop.a11y.interface");

      adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
      g_settings_set_boolean (a11y, "high-contrast", TRUE);
      wait_until (is_high_contrast, manager);
      g_assert_cmpuint (render_check_borders (showcase), >=, expected);
      g_settings_set_boolean (a11y, "high-contrast", FALSE);
    }
  else
    {
      g_test_message ("no org.gnome.desktop.a11y.interface schema: high contrast not checked");
    }

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  obd_app_add_style_sheets (gdk_display_get_default ());

  g_test_add_func ("/style/one-colour-borders", test_one_colour);

  return g_test_run ();
}
