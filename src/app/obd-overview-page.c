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

#include "obd-app-resources.h"
#include "obd-overview-page.h"
#include "obd-pid.h"

struct _ObdOverviewPage
{
  AdwBin            parent_instance;

  ObdSession       *session;
  GSignalGroup     *session_signals;
  GPtrArray        *alert_rows;      /* AdwActionRow*, in alerts_group */

  GtkWidget        *system_tiles[OBD_HEALTH_N_SYSTEMS];
  GtkLabel         *system_scores[OBD_HEALTH_N_SYSTEMS];
  GtkLevelBar      *system_levels[OBD_HEALTH_N_SYSTEMS];
  GtkImage         *system_icons[OBD_HEALTH_N_SYSTEMS];
  GtkLabel         *system_states[OBD_HEALTH_N_SYSTEMS];

  /* Template widgets */
  GtkStack         *stack;
  AdwStatusPage    *empty_page;
  GtkLabel         *title_label;
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
  AdwPreferencesGroup *alerts_group;
  GtkWidget        *no_alerts_row;
  GtkLabel         *explain_label;
};

G_DEFINE_FINAL_TYPE (ObdOverviewPage, obd_overview_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
score_tone (double score)
{
  if (score >= 80.0)
    return TONE_GOOD;
  if (score >= 50.0)
    return TONE_FAIR;
  return TONE_BAD;
}

static const char *
score_word (double score)
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

static Tone
status_tone (ObdHealthStatus status)
{
  switch (status)
    {
    case OBD_HEALTH_STATUS_HEALTHY:
      return TONE_GOOD;
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      return TONE_FAIR;
    case OBD_HEALTH_STATUS_STOP_DRIVING:
    default:
      return TONE_BAD;
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
  const ObdSnapshot *snapshot = obd_session_get_snapshot (self->session);
  const char *protocol = obd_session_get_protocol_name (self->session);
  const char *adapter = obd_session_get_adapter_version (self->session);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  gtk_label_set_label (self->title_label, obd_session_get_vehicle_title (self->session));

  /* The session keeps its last snapshot after a disconnect, and so does
   * the page: the mechanic may have unplugged the adapter on purpose. */
  if (obd_session_get_state (self->session) != OBD_SESSION_STATE_CONNECTED)
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
  const ObdHealthReport *report = obd_session_get_health (self->session);
  g_autofree char *score = NULL;
  g_autofree char *worst = NULL;
  g_autofree char *explanation = NULL;
  Tone tone;

  if (report == NULL)
    return;

  tone = status_tone (report->status);
  gtk_image_set_from_icon_name (self->status_icon, tone_icon (tone));
  set_tone (self->status_box, tone);
  gtk_label_set_label (self->status_label, obd_health_status_get_label (report->status));
  score = g_strdup_printf ("%.0f", floor (report->vehicle_score));
  gtk_label_set_label (self->score_label, score);

  if (report->system_scores[report->worst_system] < 100.0)
    /* Translators: %s is a system such as "Engine" or "Cooling" */
    worst = g_strdup_printf (_("Most affected: %s"),
                             obd_health_system_get_label (report->worst_system));
  else
    worst = g_strdup (_("No problems found"));
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
      double value = CLAMP (report->system_scores[i], 0.0, 100.0);
      g_autofree char *text = g_strdup_printf ("%.0f", floor (value));
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

  explanation = obd_health_report_explain (report);
  gtk_label_set_label (self->explain_label, explanation);
}

static void
update_codes (ObdOverviewPage *self)
{
  const ObdSnapshot *snapshot = obd_session_get_snapshot (self->session);
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
update_alerts (ObdOverviewPage *self)
{
  GPtrArray *alerts = NULL;

  for (guint i = 0; i < self->alert_rows->len; i++)
    adw_preferences_group_remove (self->alerts_group, g_ptr_array_index (self->alert_rows, i));
  g_ptr_array_set_size (self->alert_rows, 0);

  if (self->session != NULL)
    alerts = obd_session_get_active_alerts (self->session);

  for (guint i = 0; alerts != NULL && i < alerts->len; i++)
    {
      const ObdAlertEvent *event = g_ptr_array_index (alerts, i);
      gboolean critical = event->severity == OBD_HEALTH_SEVERITY_CRITICAL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon, *word, *box;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), event->title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), event->message);

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      icon = gtk_image_new_from_icon_name (critical ? "dialog-error-symbolic"
                                                    : "dialog-warning-symbolic");
      word = gtk_label_new (obd_health_severity_get_label (event->severity));
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), word);
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (box, "obd-alert-severity");
      set_tone (box, critical ? TONE_BAD : TONE_FAIR);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

      adw_preferences_group_add (self->alerts_group, row);
      g_ptr_array_add (self->alert_rows, row);
    }

  gtk_widget_set_visible (self->no_alerts_row, self->alert_rows->len == 0);
}

static void
update_empty_page (ObdOverviewPage *self)
{
  ObdSessionState state = OBD_SESSION_STATE_DISCONNECTED;
  const char *status = NULL;

  if (self->session != NULL)
    {
      state = obd_session_get_state (self->session);
      status = obd_session_get_status_text (self->session);
    }

  if (state == OBD_SESSION_STATE_DISCONNECTED)
    {
      adw_status_page_set_icon_name (self->empty_page, "network-offline-symbolic");
      adw_status_page_set_title (self->empty_page, _("Not Connected"));
      adw_status_page_set_description (self->empty_page,
                                       _("Connect to a vehicle to see its health."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "content-loading-symbolic");
      adw_status_page_set_title (self->empty_page, _("Reading the Vehicle…"));
      adw_status_page_set_description (self->empty_page, status);
    }
}

static void
update_all (ObdOverviewPage *self)
{
  gboolean have_data = self->session != NULL &&
                       obd_session_get_snapshot (self->session) != NULL &&
                       obd_session_get_health (self->session) != NULL;

  update_empty_page (self);
  update_alerts (self);
  if (have_data)
    {
      update_header (self);
      update_health (self);
      update_codes (self);
    }
  gtk_stack_set_visible_child_name (self->stack, have_data ? "content" : "empty");
}

static void
on_session_alert_cb (ObdOverviewPage *self,
                     gpointer         event)
{
  update_alerts (self);
}

static void
obd_overview_page_dispose (GObject *object)
{
  ObdOverviewPage *self = OBD_OVERVIEW_PAGE (object);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_pointer (&self->alert_rows, g_ptr_array_unref);

  /* The toast overlay is both a template child and AdwBin's child: take
   * it out of the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_OVERVIEW_PAGE);

  G_OBJECT_CLASS (obd_overview_page_parent_class)->dispose (object);
}

static void
obd_overview_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ObdOverviewPage *self = OBD_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_overview_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ObdOverviewPage *self = OBD_OVERVIEW_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      obd_overview_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_overview_page_class_init (ObdOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = obd_overview_page_dispose;
  object_class->get_property = obd_overview_page_get_property;
  object_class->set_property = obd_overview_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         OBD_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Referencing the resource links it in from the static library. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, empty_page);
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
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, alerts_group);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, no_alerts_row);
  gtk_widget_class_bind_template_child (widget_class, ObdOverviewPage, explain_label);
}

static void
obd_overview_page_init (ObdOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->alert_rows = g_ptr_array_new ();
  build_system_tiles (self);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::health",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::snapshot",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::state",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::status-text",
                                 G_CALLBACK (update_empty_page), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::vehicle-title",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::protocol-name",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::adapter-version",
                                 G_CALLBACK (update_all), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "alert",
                                 G_CALLBACK (on_session_alert_cb), self, G_CONNECT_SWAPPED);

  update_all (self);
}

GtkWidget *
obd_overview_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_OVERVIEW_PAGE, "session", session, NULL);
}

ObdSession *
obd_overview_page_get_session (ObdOverviewPage *self)
{
  g_return_val_if_fail (OBD_IS_OVERVIEW_PAGE (self), NULL);

  return self->session;
}

void
obd_overview_page_set_session (ObdOverviewPage *self,
                               ObdSession      *session)
{
  g_return_if_fail (OBD_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  update_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
