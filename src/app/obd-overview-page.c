/* obd-overview-page.c — the mechanic's summary of the vehicle on the bench
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is read from the session's "health" report and
 * "snapshot"; the page recomputes nothing, so it always agrees with what
 * the other pages and the owner view say.
 */
#define G_LOG_DOMAIN "obd-overview-page"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-alert-row.h"
#include "obd-app-resources.h"
#include "obd-defer-bin.h"
#include "obd-row.h"
#include "obd-health-view.h"
#include "obd-overview-page.h"
#include "obd-pid.h"

struct _ObdOverviewPage
{
  ObdPage           parent_instance;

  GtkWidget        *system_tiles[OBD_HEALTH_N_SYSTEMS];
  GtkLabel         *system_scores[OBD_HEALTH_N_SYSTEMS];
  GtkLevelBar      *system_levels[OBD_HEALTH_N_SYSTEMS];
  GtkImage         *system_icons[OBD_HEALTH_N_SYSTEMS];
  GtkLabel         *system_states[OBD_HEALTH_N_SYSTEMS];

  /* Template widgets */
  GtkStack         *stack;
  GtkLabel         *title_label;     /* bound to the session's vehicle title */
  GtkLabel         *subtitle_label;
  GtkWidget        *status_box;
  GtkImage         *status_icon;
  GtkLabel         *status_label;
  GtkLabel         *worst_label;
  GtkLabel         *score_label;
  GtkFlowBox       *systems_box;
  GtkImage         *mil_icon;
  GtkLabel         *mil_label;
  GtkLabel         *stored_label;
  GtkLabel         *pending_label;
  GtkLabel         *permanent_label;
  GtkListBox       *alerts_list;
  AdwExpanderRow   *explain_row;
  GtkLabel         *explain_label;
  char             *explanation;     /* shown when the row is opened */
};

G_DEFINE_FINAL_TYPE (ObdOverviewPage, obd_overview_page, OBD_TYPE_PAGE)

/* The colour classes the page toggles; exactly one applies at a time. */
static const char * const tone_classes[] = { "success", "warning", "error" };

typedef enum
{
  TONE_GOOD = 0,
  TONE_FAIR,
  TONE_BAD,
  TONE_NONE,
} Tone;

static void
set_tone (GtkWidget *widget,
          Tone       tone)
{
  for (guint i = 0; i < G_N_ELEMENTS (tone_classes); i++)
    {
      if (i == tone)
        gtk_widget_add_css_class (widget, tone_classes[i]);
      else
        gtk_widget_remove_css_class (widget, tone_classes[i]);
    }
}

static const char *
tone_icon (Tone tone)
{
  switch (tone)
    {
    case TONE_GOOD:
      return "emblem-ok-symbolic";
    case TONE_FAIR:
      return "dialog-warning-symbolic";
    case TONE_BAD:
    default:
      return "dialog-error-symbolic";
    }
}

/* A system score in words, with the same borders as the vehicle status:
 * 80 and up is where "healthy" starts, and a single critical item (which
 * leaves 60) lands in "fair", two of them (36) in "poor". */
static Tone
score_tone (int score)
{
  if (score >= 80)
    return TONE_GOOD;
  if (score >= 50)
    return TONE_FAIR;
  return TONE_BAD;
}

static const char *
score_word (int score)
{
  switch (score_tone (score))
    {
    case TONE_GOOD:
      return C_("system health", "Good");
    case TONE_FAIR:
      return C_("system health", "Fair");
    case TONE_BAD:
    default:
      return C_("system health", "Poor");
    }
}

static void
build_system_tiles (ObdOverviewPage *self)
{
  for (guint i = 0; i < OBD_HEALTH_N_SYSTEMS; i++)
    {
      g_autofree char *key_class = NULL;
      GtkWidget *tile, *name, *row, *score, *level, *state, *icon, *word;

      tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      gtk_widget_add_css_class (tile, "card");
      gtk_widget_add_css_class (tile, "obd-system-tile");
      key_class = g_strconcat ("obd-system-", obd_health_system_get_key (i), NULL);
      gtk_widget_add_css_class (tile, key_class);

      name = gtk_label_new (obd_health_system_get_label (i));
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (name, "heading");
      gtk_box_append (GTK_BOX (tile), name);

      row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      score = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (score), 0);
      gtk_widget_add_css_class (score, "obd-score");
      gtk_widget_add_css_class (score, "numeric");
      gtk_box_append (GTK_BOX (row), score);

      state = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      gtk_widget_set_hexpand (state, TRUE);
      gtk_widget_set_halign (state, GTK_ALIGN_END);
      gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
      icon = gtk_image_new ();
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      word = gtk_label_new (NULL);
      gtk_widget_add_css_class (word, "obd-state");
      gtk_box_append (GTK_BOX (state), icon);
      gtk_box_append (GTK_BOX (state), word);
      gtk_box_append (GTK_BOX (row), state);
      gtk_box_append (GTK_BOX (tile), row);

      level = gtk_level_bar_new_for_interval (0, 100);
      /* The tile's tone class colours the bar; the stock offsets would
       * colour it by a different rule. */
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_LOW);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_HIGH);
      gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (level), GTK_LEVEL_BAR_OFFSET_FULL);
      gtk_box_append (GTK_BOX (tile), level);

      gtk_flow_box_append (self->systems_box, tile);

      self->system_tiles[i] = tile;
      self->system_scores[i] = GTK_LABEL (score);
      self->system_levels[i] = GTK_LEVEL_BAR (level);
      self->system_icons[i] = GTK_IMAGE (icon);
      self->system_states[i] = GTK_LABEL (word);
    }
}

static void
update_header (ObdOverviewPage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  const ObdSnapshot *snapshot = obd_session_get_snapshot (session);
  const char *protocol = obd_session_get_protocol_name (session);
  const char *adapter = obd_session_get_adapter_version (session);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  /* The session keeps its last snapshot after a disconnect, and so does
   * the page: the mechanic may have unplugged the adapter on purpose. */
  if (!obd_page_get_connected (OBD_PAGE (self)))
    g_string_append (subtitle, _("Not connected, showing the last reading"));

  if (snapshot != NULL && snapshot->vin != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      /* Translators: vehicle identification number */
      g_string_append_printf (subtitle, _("VIN %s"), snapshot->vin);
    }
  if (protocol != NULL && *protocol != '\0')
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, protocol);
    }
  if (adapter != NULL && *adapter != '\0')
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, adapter);
    }
  gtk_label_set_label (self->subtitle_label, subtitle->str);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle->len > 0);
}

static void
update_health (ObdOverviewPage *self)
{
  const ObdHealthReport *report = obd_session_get_health (obd_page_get_session (OBD_PAGE (self)));
  g_autofree char *score = NULL;
  g_autofree char *worst = NULL;

  if (report == NULL)
    return;

  gtk_image_set_from_icon_name (self->status_icon, obd_health_view_status_icon (report->status));
  obd_health_view_set_status_class (self->status_box, report->status);
  gtk_label_set_label (self->status_label, obd_health_status_get_label (report->status));
  score = obd_health_score_format (report->vehicle_score);
  gtk_label_set_label (self->score_label, score);

  worst = obd_health_view_dup_worst (report);
  gtk_label_set_label (self->worst_label, worst);

  {
    /* Translators: accessible description of the vehicle health banner:
     * status, then the score */
    g_autofree char *a11y = g_strdup_printf (_("%s, vehicle score %s of 100"),
                                             obd_health_status_get_label (report->status),
                                             score);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_box),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  }

  for (guint i = 0; i < OBD_HEALTH_N_SYSTEMS; i++)
    {
      /* The one rounding of every view (the explanation's too), and the
       * word and colour follow the number shown. */
      int value = obd_health_score_round (report->system_scores[i]);
      g_autofree char *text = obd_health_score_format (report->system_scores[i]);
      g_autofree char *a11y = NULL;
      GtkWidget *child;

      gtk_label_set_label (self->system_scores[i], text);
      gtk_level_bar_set_value (self->system_levels[i], value);
      gtk_image_set_from_icon_name (self->system_icons[i], tone_icon (score_tone (value)));
      gtk_label_set_label (self->system_states[i], score_word (value));
      set_tone (self->system_tiles[i], score_tone (value));

      /* Translators: accessible name of a system tile: system, score, word */
      a11y = g_strdup_printf (_("%s: %s of 100, %s"), obd_health_system_get_label (i), text,
                              score_word (value));
      child = gtk_widget_get_parent (self->system_tiles[i]);
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
    }

  /* Several paragraphs: laid out only when someone opens the row. */
  g_free (self->explanation);
  self->explanation = obd_health_report_explain (report);
  if (adw_expander_row_get_expanded (self->explain_row))
    gtk_label_set_label (self->explain_label, self->explanation);
}

static void
update_codes (ObdOverviewPage *self)
{
  const ObdSnapshot *snapshot = obd_session_get_snapshot (obd_page_get_session (OBD_PAGE (self)));
  const ObdValue *mil;
  guint counts[3] = { 0, 0, 0 };
  g_autofree char *stored = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *permanent = NULL;

  if (snapshot == NULL)
    return;

  mil = obd_snapshot_find_readiness (snapshot, "mil");
  if (mil == NULL)
    {
      gtk_image_set_from_icon_name (self->mil_icon, "dialog-question-symbolic");
      set_tone (GTK_WIDGET (self->mil_icon), TONE_NONE);
      gtk_label_set_label (self->mil_label, C_("lamp", "Unknown"));
    }
  else if (mil->value != 0.0)
    {
      gtk_image_set_from_icon_name (self->mil_icon, "dialog-warning-symbolic");
      set_tone (GTK_WIDGET (self->mil_icon), TONE_FAIR);
      gtk_label_set_label (self->mil_label, C_("lamp", "On"));
    }
  else
    {
      gtk_image_set_from_icon_name (self->mil_icon, "emblem-ok-symbolic");
      set_tone (GTK_WIDGET (self->mil_icon), TONE_GOOD);
      gtk_label_set_label (self->mil_label, C_("lamp", "Off"));
    }

  for (guint i = 0; snapshot->dtcs != NULL && i < snapshot->dtcs->len; i++)
    {
      const ObdDtc *dtc = &g_array_index (snapshot->dtcs, ObdDtc, i);

      if ((guint) dtc->kind < G_N_ELEMENTS (counts))
        counts[dtc->kind]++;
    }
  stored = g_strdup_printf ("%u", counts[OBD_DTC_KIND_STORED]);
  pending = g_strdup_printf ("%u", counts[OBD_DTC_KIND_PENDING]);
  permanent = g_strdup_printf ("%u", counts[OBD_DTC_KIND_PERMANENT]);
  gtk_label_set_label (self->stored_label, stored);
  gtk_label_set_label (self->pending_label, pending);
  gtk_label_set_label (self->permanent_label, permanent);
}

static void
update_all (ObdOverviewPage *self)
{
  ObdSession *session = obd_page_get_session (OBD_PAGE (self));
  gboolean have_data = session != NULL && obd_session_get_snapshot (session) != NULL &&
                       obd_session_get_health (session) != NULL;

  if (have_data)
    {
      update_header (self);
      update_health (self);
      update_codes (self);
    }
  /* All of the content in one frame took twice a frame's time: the
   * header and status come first, the parts below a frame apart
   * (obd-defer-bin.h). */
  obd_defer_bin_show_stack_child (self->stack, have_data ? "content" : "empty");
}

static void
on_explain_expanded_cb (ObdOverviewPage *self)
{
  gtk_label_set_label (self->explain_label,
                       adw_expander_row_get_expanded (self->explain_row) &&
                       self->explanation != NULL ? self->explanation : "");
}

static void
obd_overview_page_session_changed (ObdPage *page)
{
  ObdOverviewPage *self = OBD_OVERVIEW_PAGE (page);
  ObdSession *session = obd_page_get_session (page);

  gtk_list_box_bind_model (self->alerts_list,
                           session != NULL
                             ? obd_live_data_get_alerts (obd_session_get_live_data (session))
                             : NULL,
                           obd_alert_row_new, NULL, NULL);
  update_all (self);
}

static void
obd_overview_page_state_changed (ObdPage *page)
{
  update_all (OBD_OVERVIEW_PAGE (page));
}

static void
obd_overview_page_dispose (GObject *object)
{
  ObdOverviewPage *self = OBD_OVERVIEW_PAGE (object);

  if (self->alerts_list != NULL)
    gtk_list_box_bind_model (self->alerts_list, NULL, NULL, NULL, NULL);
  g_clear_pointer (&self->explanation, g_free);
  obd_page_dispose_template (OBD_PAGE (self), OBD_TYPE_OVERVIEW_PAGE);

  G_OBJECT_CLASS (obd_overview_page_parent_class)->dispose (object);
}

static void
obd_overview_page_class_init (ObdOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ObdPageClass *page_class = OBD_PAGE_CLASS (klass);

  object_class->dispose = obd_overview_page_dispose;
  page_class->session_changed = obd_overview_page_session_changed;
  page_class->state_changed = obd_overview_page_state_changed;
  page_class->disconnected_description = N_("Connect to a vehicle to see its health.");

  g_type_ensure (OBD_TYPE_ROW);
  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, worst_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, score_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, systems_box);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, mil_icon);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, mil_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, stored_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, pending_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, permanent_label);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, alerts_list);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, explain_row);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, explain_label);
}

static void
obd_overview_page_init (ObdOverviewPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_system_tiles (self);
  g_signal_connect_object (self->explain_row, "notify::expanded",
                           G_CALLBACK (on_explain_expanded_cb), self, G_CONNECT_SWAPPED);

  signals = obd_page_get_session_signals (OBD_PAGE (self));
  g_signal_group_connect_object (signals, "notify::health",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::snapshot",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::protocol-name",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (signals, "notify::adapter-version",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
}

GtkWidget *
obd_overview_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_OVERVIEW_PAGE, "session", session, NULL);
}
