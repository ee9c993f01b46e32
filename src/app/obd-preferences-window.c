/* obd-preferences-window.c — the application's preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is bound to GSettings, so a change applies at once; the
 * application follows the settings (thresholds go to the session, the
 * window rebuilds its view when the role changes).
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "obd-app-resources.h"
#include "obd-preferences-window.h"
#include "obd-report-document.h"
#include "obd-sim-vehicle.h"
#include "obd-units.h"

struct _ObdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  AdwPreferencesGroup  *thresholds_group;

  /* Template widgets */
  AdwComboRow          *role_row;
  AdwComboRow          *units_row;
  AdwEntryRow          *default_connection_row;
  AdwComboRow          *strategy_row;
  GtkSwitch            *notify_switch;
  AdwPreferencesPage   *alerts_page;
  AdwEntryRow          *shop_name_row;
  AdwEntryRow          *shop_phone_row;
  AdwEntryRow          *mechanic_row;
  AdwActionRow         *logo_row;
  GtkTextView          *address_view;
  AdwComboRow          *paper_row;
  GCancellable         *cancellable;   /* a logo being checked */
};

G_DEFINE_FINAL_TYPE (ObdPreferencesWindow, obd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The schema's enum nicks, in the order of the combo rows' items. */
static const char *role_nicks[] = { "mechanic", "fleet", "owner", NULL };
static const char *units_nicks[] = { "si", "us", NULL };
static const char *strategy_nicks[] = { "fast", "naive", NULL };
static const char *paper_nicks[] = { "auto", "a4", "letter", NULL };

typedef struct
{
  const char *key;
  const char *title;
  ObdUnit     unit;
  guint       digits;
  double      step;
} ThresholdRow;

static const ThresholdRow threshold_rows[] = {
  { "coolant-critical", N_("Coolant temperature, critical above"), OBD_UNIT_CELSIUS, 0, 1 },
  { "oil-warning", N_("Oil temperature, warning above"), OBD_UNIT_CELSIUS, 0, 1 },
  { "rpm-warning", N_("Engine speed, warning above"), OBD_UNIT_RPM, 0, 100 },
  { "load-warning", N_("Engine load, warning above"), OBD_UNIT_PERCENT, 0, 1 },
  { "voltage-low-warning", N_("Voltage while running, warning below"), OBD_UNIT_VOLT, 1, 0.1 },
  { "voltage-low-critical", N_("Voltage while running, critical below"), OBD_UNIT_VOLT, 1, 0.1 },
  { "voltage-resting-warning", N_("Voltage with engine off, warning below"), OBD_UNIT_VOLT, 1,
    0.1 },
  { "voltage-high-warning", N_("Voltage, warning above"), OBD_UNIT_VOLT, 1, 0.1 },
  { "trim-warning", N_("Fuel trim, warning beyond"), OBD_UNIT_PERCENT, 0, 1 },
  { "trim-critical", N_("Short plus long term fuel trim, critical beyond"), OBD_UNIT_PERCENT,
    0, 1 },
  { "catalyst-warning", N_("Catalyst temperature, warning above"), OBD_UNIT_CELSIUS, 0, 10 },
  { "catalyst-critical", N_("Catalyst temperature, critical above"), OBD_UNIT_CELSIUS, 0, 10 },
};

/* Enum keys ↔ combo rows ----------------------------------------------- */

static gboolean
nick_to_index (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  const char **nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  const char **nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

static void
bind_enum (ObdPreferencesWindow *self,
           const char           *key,
           AdwComboRow          *row,
           const char          **nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                nick_to_index, index_to_nick, (gpointer) nicks, NULL);
}

/* Thresholds ------------------------------------------------------------ */

static ObdUnitSystem
unit_system (ObdPreferencesWindow *self)
{
  ObdUnitSystem system = OBD_UNIT_SYSTEM_SI;
  g_autofree char *units = g_settings_get_string (self->settings, "units");

  if (!obd_unit_system_parse (units, &system))
    system = OBD_UNIT_SYSTEM_SI;
  return system;
}

typedef struct
{
  ObdUnit       unit;
  ObdUnitSystem system;
  double        min_si;  /* the key's range: a value converted back */
  double        max_si;  /* from °F may land a hair outside it */
} UnitMapping;

/* Every unit conversion is affine (°F = °C × 9/5 + 32, psi = kPa × k), so
 * the inverse follows from two points of obd_unit_convert (). */
static double
unit_convert_back (const UnitMapping *mapping,
                   double             shown)
{
  double offset = obd_unit_convert (mapping->unit, mapping->system, 0.0);
  double scale = obd_unit_convert (mapping->unit, mapping->system, 1.0) - offset;

  return (shown - offset) / scale;
}

static gboolean
si_to_shown (GValue   *value,
             GVariant *variant,
             gpointer  user_data)
{
  const UnitMapping *mapping = user_data;

  g_value_set_double (value, obd_unit_convert (mapping->unit, mapping->system,
                                               g_variant_get_double (variant)));
  return TRUE;
}

static GVariant *
shown_to_si (const GValue       *value,
             const GVariantType *expected_type,
             gpointer            user_data)
{
  const UnitMapping *mapping = user_data;
  double si = unit_convert_back (mapping, g_value_get_double (value));

  return g_variant_new_double (CLAMP (si, mapping->min_si, mapping->max_si));
}

static void
key_range (GSettings  *settings,
           const char *key,
           double     *min,
           double     *max)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) limits = NULL;
  const char *type;

  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(&sv)", &type, &limits);
  if (g_str_equal (type, "range"))
    g_variant_get (limits, "(dd)", min, max);
  else
    {
      *min = 0.0;
      *max = G_MAXDOUBLE;
    }
}

static GtkWidget *
threshold_row_new (ObdPreferencesWindow *self,
                   const ThresholdRow   *info,
                   ObdUnitSystem         system)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin;
  GtkAdjustment *adjustment;
  UnitMapping *mapping = g_new0 (UnitMapping, 1);
  double min, max;

  mapping->unit = info->unit;
  mapping->system = system;
  key_range (self->settings, info->key, &min, &max);
  mapping->min_si = min;
  mapping->max_si = max;
  min = obd_unit_convert (info->unit, system, min);
  max = obd_unit_convert (info->unit, system, max);

  adjustment = gtk_adjustment_new (min, min, max, info->step, info->step * 10, 0);
  spin = gtk_spin_button_new (adjustment, info->step, info->digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(info->title));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), obd_unit_get_symbol (info->unit, system));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(info->title), -1);

  g_settings_bind_with_mapping (self->settings, info->key, adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, si_to_shown, shown_to_si,
                                mapping, g_free);
  return row;
}

static void
build_thresholds (ObdPreferencesWindow *self)
{
  ObdUnitSystem system = unit_system (self);

  if (self->thresholds_group != NULL)
    adw_preferences_page_remove (self->alerts_page, self->thresholds_group);

  self->thresholds_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->thresholds_group, _("Live Alert Thresholds"));
  adw_preferences_group_set_description (self->thresholds_group,
                                         _("An alert is raised when a live reading crosses "
                                           "one of these limits."));
  for (guint i = 0; i < G_N_ELEMENTS (threshold_rows); i++)
    adw_preferences_group_add (self->thresholds_group,
                               threshold_row_new (self, &threshold_rows[i], system));
  adw_preferences_page_add (self->alerts_page, self->thresholds_group);
}

/* Default connection ---------------------------------------------------- */

static gboolean
connection_valid (const char *text)
{
  if (text == NULL || *text == '\0' || strchr (text, ' ') != NULL)
    return FALSE;
  if (g_str_equal (text, "sim"))
    return TRUE;
  if (g_str_has_prefix (text, "sim:"))
    {
      gsize n;
      const ObdSimScenarioInfo *scenarios = obd_sim_list_scenarios (&n);
      g_autofree char *name = g_strndup (text + 4, strcspn (text + 4, "?"));

      for (gsize i = 0; i < n; i++)
        if (g_str_equal (scenarios[i].name, name))
          return TRUE;
      return FALSE;
    }
  if (g_str_has_prefix (text, "tcp:"))
    {
      g_autoptr(GSocketConnectable) address = g_network_address_parse (text + 4, 0, NULL);

      return address != NULL && g_network_address_get_port (G_NETWORK_ADDRESS (address)) != 0;
    }
  /* A serial device path or a Windows port name. */
  return text[0] == '/' || g_ascii_strncasecmp (text, "COM", 3) == 0;
}

static void
on_default_connection_apply_cb (ObdPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->default_connection_row));

  if (!connection_valid (text))
    {
      AdwToast *toast = adw_toast_new (_("Not a connection: use “sim”, “sim:SCENARIO”, a "
                                         "serial device such as /dev/ttyUSB0, or "
                                         "“tcp:HOST:PORT”"));

      gtk_widget_add_css_class (GTK_WIDGET (self->default_connection_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->default_connection_row), "error");
  g_settings_set_string (self->settings, "default-connection", text);
}

static void
on_default_connection_changed_cb (ObdPreferencesWindow *self)
{
  g_autofree char *connection = g_settings_get_string (self->settings, "default-connection");

  gtk_editable_set_text (GTK_EDITABLE (self->default_connection_row), connection);
}

/* Reports --------------------------------------------------------------- */

/* The address spans lines, which an entry row cannot: a text view, kept
 * in step with the key both ways. */
static void
sync_address (ObdPreferencesWindow *self,
              gboolean              to_settings)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->address_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *stored = g_settings_get_string (self->settings, "shop-address");

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_strcmp0 (text, stored) == 0)
    return;
  if (to_settings)
    g_settings_set_string (self->settings, "shop-address", text);
  else
    gtk_text_buffer_set_text (buffer, stored, -1);
}

static void
on_address_changed_cb (ObdPreferencesWindow *self)
{
  sync_address (self, TRUE);
}

static void
on_address_setting_cb (ObdPreferencesWindow *self)
{
  sync_address (self, FALSE);
}

static void
on_logo_setting_cb (ObdPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "shop-logo");

  adw_action_row_set_subtitle (self->logo_row,
                               *path != '\0' ? path
                                             : _("None: reports print the workshop’s name "
                                                 "instead"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.clear-logo", *path != '\0');
}

static void
check_logo_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  GError *error = NULL;

  if (obd_report_check_logo (data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_logo_checked_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_settings_set_string (self->settings, "shop-logo", g_task_get_task_data (G_TASK (result)));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_set_timeout (toast, 10);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
    }
}

/* A logo is checked (off the main thread: it may be a large file) before
 * it is kept, so a report never meets a file it cannot use unannounced. */
static void
on_logo_chosen_cb (GtkNativeDialog      *dialog,
                   int                   response,
                   ObdPreferencesWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GTask) task = NULL;
  char *path;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (file == NULL || (path = g_file_get_path (file)) == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_logo_checked_cb, NULL);
  g_task_set_task_data (task, path, g_free);
  g_task_run_in_thread (task, check_logo_thread);
}

static void
choose_logo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Choose the Workshop’s Logo"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_logo_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_logo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (widget);

  g_settings_set_string (self->settings, "shop-logo", "");
}

/* GObject --------------------------------------------------------------- */

static void
obd_preferences_window_constructed (GObject *object)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (obd_preferences_window_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  bind_enum (self, "role", self->role_row, role_nicks);
  bind_enum (self, "units", self->units_row, units_nicks);
  bind_enum (self, "polling-strategy", self->strategy_row, strategy_nicks);
  g_settings_bind (self->settings, "notify-critical", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "shop-name", self->shop_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "shop-phone", self->shop_phone_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "mechanic-name", self->mechanic_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  bind_enum (self, "report-paper", self->paper_row, paper_nicks);
  on_address_setting_cb (self);
  g_signal_connect_object (self->settings, "changed::shop-address",
                           G_CALLBACK (on_address_setting_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->address_view), "changed",
                           G_CALLBACK (on_address_changed_cb), self, G_CONNECT_SWAPPED);
  on_logo_setting_cb (self);
  g_signal_connect_object (self->settings, "changed::shop-logo",
                           G_CALLBACK (on_logo_setting_cb), self, G_CONNECT_SWAPPED);

  on_default_connection_changed_cb (self);
  g_signal_connect_object (self->settings, "changed::default-connection",
                           G_CALLBACK (on_default_connection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* Thresholds are shown in the chosen units, so rebuild them. */
  g_signal_connect_object (self->settings, "changed::units", G_CALLBACK (build_thresholds),
                           self, G_CONNECT_SWAPPED);
  build_thresholds (self);
}

static void
obd_preferences_window_dispose (GObject *object)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_PREFERENCES_WINDOW);
  self->thresholds_group = NULL;
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (obd_preferences_window_parent_class)->dispose (object);
}

static void
obd_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ObdPreferencesWindow *self = OBD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_preferences_window_class_init (ObdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = obd_preferences_window_constructed;
  object_class->dispose = obd_preferences_window_dispose;
  object_class->get_property = obd_preferences_window_get_property;
  object_class->set_property = obd_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Links the resources of this static library in (their constructor
   * registers them); nothing else refers to them by symbol. */
  (void) obd_app_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/obd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, role_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, units_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow,
                                        default_connection_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, strategy_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, alerts_page);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, shop_name_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, shop_phone_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, mechanic_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, logo_row);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, address_view);
  gtk_widget_class_bind_template_child (widget_class, ObdPreferencesWindow, paper_row);
  gtk_widget_class_install_action (widget_class, "prefs.choose-logo", NULL, choose_logo_action);
  gtk_widget_class_install_action (widget_class, "prefs.clear-logo", NULL, clear_logo_action);
  gtk_widget_class_bind_template_callback (widget_class, on_default_connection_apply_cb);
}

static void
obd_preferences_window_init (ObdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
obd_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (OBD_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
