/* obd-fleet-page.c — every vehicle in the store, with its health at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is a GListStore of ObdFleetItem behind a filter and a sorter,
 * bound to a GtkListBox: rows wrap to any width (a column view would not
 * fit 360 px), and every row is a keyboard-activatable button.
 *
 * ObdFleetItem lives here with the page that is its only user so far; it
 * is a GObject with notifying properties so that the sync client's live
 * events can update one vehicle (its "live-status") without a reload.
 */
#define G_LOG_DOMAIN "obd-app"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-diagnosis.h"
#include "obd-dtc-kb.h"
#include "obd-app-resources.h"
#include "obd-fleet-page.h"
#include "obd-maintenance.h"

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

/* ObdFleetItem -------------------------------------------------------- */

struct _ObdFleetItem
{
  GObject          parent_instance;

  gint64           vehicle_id;
  char            *title;
  char            *subtitle;
  double           score;
  ObdHealthStatus  status;
  char            *worst_code;
  char            *worst_code_title;
  int              worst_severity;   /* ObdDtcSeverity, -1 when no code */
  guint            maintenance_due;
  guint            maintenance_overdue;
  gint64           last_seen;
  char            *live_status;
};

G_DEFINE_FINAL_TYPE (ObdFleetItem, obd_fleet_item, G_TYPE_OBJECT)

enum
{
  ITEM_PROP_0,
  ITEM_PROP_VEHICLE_ID,
  ITEM_PROP_TITLE,
  ITEM_PROP_SUBTITLE,
  ITEM_PROP_SCORE,
  ITEM_PROP_STATUS,
  ITEM_PROP_WORST_CODE,
  ITEM_PROP_WORST_CODE_TITLE,
  ITEM_PROP_MAINTENANCE_DUE,
  ITEM_PROP_MAINTENANCE_OVERDUE,
  ITEM_PROP_LAST_SEEN,
  ITEM_PROP_NEEDS_ATTENTION,
  ITEM_PROP_LIVE_STATUS,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
obd_fleet_item_finalize (GObject *object)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->worst_code);
  g_free (self->worst_code_title);
  g_free (self->live_status);

  G_OBJECT_CLASS (obd_fleet_item_parent_class)->finalize (object);
}

static void
obd_fleet_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case ITEM_PROP_SCORE:
      g_value_set_double (value, self->score);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case ITEM_PROP_WORST_CODE:
      g_value_set_string (value, self->worst_code);
      break;
    case ITEM_PROP_WORST_CODE_TITLE:
      g_value_set_string (value, self->worst_code_title);
      break;
    case ITEM_PROP_MAINTENANCE_DUE:
      g_value_set_uint (value, self->maintenance_due);
      break;
    case ITEM_PROP_MAINTENANCE_OVERDUE:
      g_value_set_uint (value, self->maintenance_overdue);
      break;
    case ITEM_PROP_LAST_SEEN:
      g_value_set_int64 (value, self->last_seen);
      break;
    case ITEM_PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, obd_fleet_item_get_needs_attention (self));
      break;
    case ITEM_PROP_LIVE_STATUS:
      g_value_set_string (value, self->live_status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_item_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ObdFleetItem *self = OBD_FLEET_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_VEHICLE_ID:
      self->vehicle_id = g_value_get_int64 (value);
      break;
    case ITEM_PROP_LIVE_STATUS:
      obd_fleet_item_set_live_status (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
obd_fleet_item_class_init (ObdFleetItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = obd_fleet_item_finalize;
  object_class->get_property = obd_fleet_item_get_property;
  object_class->set_property = obd_fleet_item_set_property;

  item_properties[ITEM_PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_SCORE] =
    g_param_spec_double ("score", NULL, NULL, -1.0, 100.0, -1.0, ro);
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, OBD_HEALTH_STATUS_HEALTHY,
                      OBD_HEALTH_STATUS_STOP_DRIVING, OBD_HEALTH_STATUS_HEALTHY, ro);
  item_properties[ITEM_PROP_WORST_CODE] =
    g_param_spec_string ("worst-code", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_WORST_CODE_TITLE] =
    g_param_spec_string ("worst-code-title", NULL, NULL, NULL, ro);
  item_properties[ITEM_PROP_MAINTENANCE_DUE] =
    g_param_spec_uint ("maintenance-due", NULL, NULL, 0, G_MAXUINT, 0, ro);
  item_properties[ITEM_PROP_MAINTENANCE_OVERDUE] =
    g_param_spec_uint ("maintenance-overdue", NULL, NULL, 0, G_MAXUINT, 0, ro);
  item_properties[ITEM_PROP_LAST_SEEN] =
    g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0, ro);
  item_properties[ITEM_PROP_NEEDS_ATTENTION] =
    g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE, ro);
  item_properties[ITEM_PROP_LIVE_STATUS] =
    g_param_spec_string ("live-status", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
obd_fleet_item_init (ObdFleetItem *self)
{
  self->score = -1.0;
  self->worst_severity = -1;
}

gint64
obd_fleet_item_get_vehicle_id (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->vehicle_id;
}

const char *
obd_fleet_item_get_title (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->title;
}

const char *
obd_fleet_item_get_subtitle (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->subtitle;
}

double
obd_fleet_item_get_score (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), -1.0);
  return self->score;
}

ObdHealthStatus
obd_fleet_item_get_status (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), OBD_HEALTH_STATUS_HEALTHY);
  return self->status;
}

const char *
obd_fleet_item_get_worst_code (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->worst_code;
}

const char *
obd_fleet_item_get_worst_code_title (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->worst_code_title;
}

guint
obd_fleet_item_get_maintenance_due (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->maintenance_due;
}

guint
obd_fleet_item_get_maintenance_overdue (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->maintenance_overdue;
}

gint64
obd_fleet_item_get_last_seen (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), 0);
  return self->last_seen;
}

gboolean
obd_fleet_item_get_needs_attention (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), FALSE);
  return self->status != OBD_HEALTH_STATUS_HEALTHY || self->maintenance_overdue > 0;
}

const char *
obd_fleet_item_get_live_status (ObdFleetItem *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_ITEM (self), NULL);
  return self->live_status;
}

void
obd_fleet_item_set_live_status (ObdFleetItem *self,
                                const char   *live_status)
{
  g_return_if_fail (OBD_IS_FLEET_ITEM (self));

  if (set_str (&self->live_status, live_status))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LIVE_STATUS]);
}

/* Fills an item from the store.  Each part that cannot be read is left
 * at "unknown" with a warning: one bad row must not hide the fleet. */
static ObdFleetItem *
fleet_item_new_from_store (ObdStore              *store,
                           const ObdStoreVehicle *vehicle)
{
  ObdFleetItem *self = g_object_new (OBD_TYPE_FLEET_ITEM, "vehicle-id", vehicle->id, NULL);
  g_autoptr(ObdHealthReport) report = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 worst_seen = 0;

  if (vehicle->make != NULL)
    g_string_append (title, vehicle->make);
  if (vehicle->model != NULL)
    g_string_append_printf (title, "%s%s", title->len > 0 ? " " : "", vehicle->model);
  if (vehicle->year > 0)
    g_string_append_printf (title, "%s%d", title->len > 0 ? " " : "", vehicle->year);
  if (title->len == 0)
    {
      if (vehicle->vin != NULL)
        g_string_append (title, vehicle->vin);
      else
        /* Translators: a vehicle known by its number in the local store only */
        g_string_append_printf (title, _("Vehicle %" G_GINT64_FORMAT), vehicle->id);
    }
  self->title = g_string_free (g_steal_pointer (&title), FALSE);

  if (vehicle->plate != NULL)
    g_string_append (subtitle, vehicle->plate);
  if (vehicle->vin != NULL && g_strcmp0 (vehicle->vin, self->title) != 0)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", vehicle->vin);
  if (vehicle->owner_name != NULL)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "",
                            vehicle->owner_name);
  self->subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);

  report = obd_diagnosis_evaluate_stored (store, vehicle->id, &error);
  if (report != NULL)
    {
      self->score = report->vehicle_score;
      self->status = report->status;
    }
  else
    {
      g_warning ("Could not evaluate vehicle %" G_GINT64_FORMAT ": %s", vehicle->id,
                 error->message);
      g_clear_error (&error);
    }

  events = obd_store_list_dtc_events (store, vehicle->id, FALSE, &error);
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ObdStoreDtcEvent *event = g_ptr_array_index (events, i);
      ObdDtcInfo info;

      if (!obd_dtc_kb_lookup (event->code, &info, NULL))
        continue;
      /* Most severe first; among equals the one seen last. */
      if ((int) info.severity > self->worst_severity ||
          ((int) info.severity == self->worst_severity && event->last_seen_us > worst_seen))
        {
          self->worst_severity = info.severity;
          worst_seen = event->last_seen_us;
          set_str (&self->worst_code, event->code);
          set_str (&self->worst_code_title, info.title);
        }
    }
  if (events == NULL)
    {
      g_warning ("Could not list codes: %s", error->message);
      g_clear_error (&error);
    }

  items = obd_store_list_maintenance_items (store, vehicle->id, &error);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const ObdStoreMaintenanceItem *item = g_ptr_array_index (items, i);
      ObdServiceItem service = { 0 };
      ObdServiceForecast forecast;
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      GDate today;

      service.interval_km = (double) item->interval_km;
      service.interval_days = (guint) MAX (item->interval_days, 0);
      service.last_done_km = (double) item->last_done_km;
      g_date_clear (&service.last_done_date, 1);
      if (item->last_done_us > 0)
        {
          g_autoptr(GDateTime) done =
            g_date_time_new_from_unix_local (item->last_done_us / G_USEC_PER_SEC);
          g_date_set_dmy (&service.last_done_date, g_date_time_get_day_of_month (done),
                          g_date_time_get_month (done), g_date_time_get_year (done));
        }
      g_date_clear (&today, 1);
      g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
      obd_service_forecast (&service, (double) vehicle->odometer_km, &today, NAN, &forecast);
      if (forecast.status == OBD_SERVICE_STATUS_OVERDUE)
        self->maintenance_overdue++;
      else if (forecast.status == OBD_SERVICE_STATUS_DUE)
        self->maintenance_due++;
    }
  if (items == NULL)
    {
      g_warning ("Could not list maintenance: %s", error->message);
      g_clear_error (&error);
    }

  sessions = obd_store_list_sessions (store, vehicle->id, &error);
  if (sessions != NULL && sessions->len > 0)
    self->last_seen = ((ObdStoreSession *) g_ptr_array_index (sessions, 0))->started_us;
  else if (sessions == NULL)
    g_warning ("Could not list sessions: %s", error->message);

  return self;
}

/* ObdFleetPage -------------------------------------------------------- */

#define SCORE_HEALTHY 80.0
#define SCORE_POOR    40.0

struct _ObdFleetPage
{
  AdwBin              parent_instance;

  ObdSession         *session;
  GSignalGroup       *session_signals;
  gint64              vehicle_id;

  GListStore         *items;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GtkCustomSorter    *sorter;
  ObdFleetSort        sort;
  char               *search_text;
  gboolean            attention_only;
  gboolean            syncing_entry;

  GtkStack           *stack;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *sort_dropdown;
  GtkToggleButton    *attention_toggle;
  GtkListBox         *list;
  GtkLabel           *count_label;
};

G_DEFINE_FINAL_TYPE (ObdFleetPage, obd_fleet_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_VEHICLE_ID,
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

static ObdStore *
get_store (ObdFleetPage *self)
{
  return self->session != NULL ? obd_session_get_store (self->session) : NULL;
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
  return contains_casefold (fleet_item->title, needle) ||
         contains_casefold (fleet_item->subtitle, needle) ||
         contains_casefold (fleet_item->worst_code, needle) ||
         contains_casefold (fleet_item->worst_code_title, needle);
}

static int
compare_names (ObdFleetItem *a,
               ObdFleetItem *b)
{
  g_autofree char *ka = g_utf8_collate_key (a->title, -1);
  g_autofree char *kb = g_utf8_collate_key (b->title, -1);
  int cmp = strcmp (ka, kb);

  return cmp != 0 ? cmp : (a->vehicle_id > b->vehicle_id) - (a->vehicle_id < b->vehicle_id);
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  ObdFleetPage *self = user_data;
  ObdFleetItem *ia = (ObdFleetItem *) a;
  ObdFleetItem *ib = (ObdFleetItem *) b;

  switch (self->sort)
    {
    case OBD_FLEET_SORT_SCORE:
      /* Worst first; vehicles without a score go last. */
      if ((ia->score < 0) != (ib->score < 0))
        return ia->score < 0 ? 1 : -1;
      if (ia->score != ib->score)
        return ia->score < ib->score ? -1 : 1;
      break;
    case OBD_FLEET_SORT_LAST_SEEN:
      if (ia->last_seen != ib->last_seen)
        return ia->last_seen > ib->last_seen ? -1 : 1;
      break;
    case OBD_FLEET_SORT_NAME:
    default:
      break;
    }
  return compare_names (ia, ib);
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

/* Rows ---------------------------------------------------------------- */

static const char *
status_css_class (ObdFleetItem *item)
{
  if (item->score < 0)
    return "dim-label";
  switch (item->status)
    {
    case OBD_HEALTH_STATUS_STOP_DRIVING:
      return "error";
    case OBD_HEALTH_STATUS_NEEDS_ATTENTION:
      return "warning";
    case OBD_HEALTH_STATUS_HEALTHY:
    default:
      return "success";
    }
}

static gboolean
live_status_to_label (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  const char *status = g_value_get_string (from);

  /* Translators: the live status column of the fleet list; "—" until the
   * sync server reports the vehicle */
  g_value_take_string (to, g_strdup_printf (_("Live: %s"),
                                            status != NULL && *status != '\0' ? status : "—"));
  return TRUE;
}

static GtkWidget *
label_new (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  ObdFleetItem *fi = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *head = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *badge, *title, *live, *code, *facts;
  g_autofree char *score = NULL;
  g_autofree char *code_text = NULL;
  g_autofree char *a11y = NULL;
  g_autoptr(GString) fact_text = g_string_new (NULL);
  const char *status_label = obd_health_status_get_label (fi->status);

  score = fi->score >= 0 ? g_strdup_printf ("%.0f", floor (fi->score)) : g_strdup ("?");
  badge = gtk_label_new (score);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "obd-score-badge");
  gtk_widget_add_css_class (badge, status_css_class (fi));
  gtk_widget_set_tooltip_text (badge, fi->score >= 0 ? status_label : _("Health unknown"));
  gtk_box_append (GTK_BOX (box), badge);

  title = label_new (fi->title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (head), title);
  live = label_new (NULL, "caption");
  gtk_widget_add_css_class (live, "dim-label");
  gtk_widget_set_valign (live, GTK_ALIGN_START);
  gtk_label_set_wrap (GTK_LABEL (live), FALSE);
  g_object_bind_property_full (fi, "live-status", live, "label", G_BINDING_SYNC_CREATE,
                               live_status_to_label, NULL, NULL, NULL);
  gtk_box_append (GTK_BOX (head), live);
  gtk_box_append (GTK_BOX (text), head);

  if (fi->subtitle != NULL && *fi->subtitle != '\0')
    {
      GtkWidget *sub = label_new (fi->subtitle, "caption");

      gtk_widget_add_css_class (sub, "dim-label");
      gtk_box_append (GTK_BOX (text), sub);
    }

  if (fi->worst_code != NULL)
    {
      /* Translators: the most severe active trouble code and its title */
      code_text = g_strdup_printf (_("%s %s"), fi->worst_code, fi->worst_code_title);
      code = label_new (code_text, fi->worst_severity == OBD_DTC_SEVERITY_CRITICAL ? "error"
                                   : fi->worst_severity == OBD_DTC_SEVERITY_WARNING ? "warning"
                                   : NULL);
    }
  else
    code = label_new (_("No active trouble codes"), "dim-label");
  gtk_box_append (GTK_BOX (text), code);

  if (fi->maintenance_overdue > 0)
    g_string_append_printf (fact_text,
                            g_dngettext (GETTEXT_PACKAGE, "%u service overdue",
                                         "%u services overdue", fi->maintenance_overdue),
                            fi->maintenance_overdue);
  if (fi->maintenance_due > 0)
    {
      if (fact_text->len > 0)
        g_string_append (fact_text, " · ");
      g_string_append_printf (fact_text,
                              g_dngettext (GETTEXT_PACKAGE, "%u service due",
                                           "%u services due", fi->maintenance_due),
                              fi->maintenance_due);
    }
  if (fact_text->len > 0)
    g_string_append (fact_text, " · ");
  if (fi->last_seen > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (fi->last_seen / G_USEC_PER_SEC);
      /* Translators: a date as in "12 Mar 2024"; see g_date_time_format() */
      g_autofree char *date = g_date_time_format (dt, _("%-d %b %Y"));

      g_string_append_printf (fact_text, _("Last seen %s"), date);
    }
  else
    g_string_append (fact_text, _("Never recorded"));
  facts = label_new (fact_text->str, "caption");
  if (fi->maintenance_overdue == 0)
    gtk_widget_add_css_class (facts, "dim-label");
  gtk_box_append (GTK_BOX (text), facts);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_add_css_class (box, "obd-fleet-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  /* Translators: accessible name of a fleet row: title, score, status */
  a11y = g_strdup_printf (_("%s, health %s, %s"), fi->title, score,
                          fi->score >= 0 ? status_label : _("unknown"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, fact_text->str, -1);
  g_object_set_data_full (G_OBJECT (row), "item", g_object_ref (fi), g_object_unref);
  return row;
}

/* Reload -------------------------------------------------------------- */

void
obd_fleet_page_reload (ObdFleetPage *self)
{
  ObdStore *store;
  g_autoptr(GPtrArray) vehicles = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OBD_IS_FLEET_PAGE (self));

  store = get_store (self);
  if (store == NULL)
    {
      g_list_store_remove_all (self->items);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
      return;
    }

  vehicles = obd_store_list_vehicles (store, &error);
  if (vehicles == NULL)
    {
      g_warning ("Could not list vehicles: %s", error->message);
      vehicles = g_ptr_array_new ();
    }
  for (guint i = 0; i < vehicles->len; i++)
    {
      ObdFleetItem *item = fleet_item_new_from_store (store, g_ptr_array_index (vehicles, i));
      ObdFleetItem *old = obd_fleet_page_lookup_item (self, item->vehicle_id);

      /* What the sync client reported stays until it reports again. */
      if (old != NULL)
        set_str (&item->live_status, old->live_status);
      g_ptr_array_add (items, item);
    }
  g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "content" : "empty");
  update_count (self);
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
  ObdFleetItem *item = g_object_get_data (G_OBJECT (row), "item");

  if (item == NULL)
    return;
  obd_fleet_page_set_vehicle_id (self, item->vehicle_id);
  g_signal_emit (self, signals[SIGNAL_VEHICLE_ACTIVATED], 0, item->vehicle_id);
}

static void
on_session_changed_cb (ObdFleetPage *self)
{
  obd_fleet_page_reload (self);
}

/* GObject ------------------------------------------------------------- */

static void
obd_fleet_page_dispose (GObject *object)
{
  ObdFleetPage *self = OBD_FLEET_PAGE (object);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  /* The stack is both a template child and AdwBin's child: take it out of
   * the bin first, or the bin would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OBD_TYPE_FLEET_PAGE);
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
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_VEHICLE_ID:
      g_value_set_int64 (value, self->vehicle_id);
      break;
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
    case PROP_SESSION:
      obd_fleet_page_set_session (self, g_value_get_object (value));
      break;
    case PROP_VEHICLE_ID:
      obd_fleet_page_set_vehicle_id (self, g_value_get_int64 (value));
      break;
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
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = obd_fleet_page_dispose;
  object_class->finalize = obd_fleet_page_finalize;
  object_class->get_property = obd_fleet_page_get_property;
  object_class->set_property = obd_fleet_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, OBD_TYPE_SESSION, rw | G_PARAM_CONSTRUCT);
  properties[PROP_VEHICLE_ID] =
    g_param_spec_int64 ("vehicle-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
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
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->sorted), create_row_cb, self, NULL);
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);

  self->session_signals = g_signal_group_new (OBD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::vehicle-id",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::health",
                                  G_CALLBACK (on_session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (on_session_changed_cb), self);

  obd_fleet_page_reload (self);
}

GtkWidget *
obd_fleet_page_new (ObdSession *session)
{
  g_return_val_if_fail (session == NULL || OBD_IS_SESSION (session), NULL);

  return g_object_new (OBD_TYPE_FLEET_PAGE, "session", session, NULL);
}

ObdSession *
obd_fleet_page_get_session (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), NULL);

  return self->session;
}

void
obd_fleet_page_set_session (ObdFleetPage *self,
                            ObdSession   *session)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));
  g_return_if_fail (session == NULL || OBD_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  obd_fleet_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gint64
obd_fleet_page_get_vehicle_id (ObdFleetPage *self)
{
  g_return_val_if_fail (OBD_IS_FLEET_PAGE (self), 0);

  return self->vehicle_id;
}

void
obd_fleet_page_set_vehicle_id (ObdFleetPage *self,
                               gint64        vehicle_id)
{
  g_return_if_fail (OBD_IS_FLEET_PAGE (self));
  g_return_if_fail (vehicle_id >= 0);

  if (self->vehicle_id == vehicle_id)
    return;
  self->vehicle_id = vehicle_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_ID]);
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
      if (item->vehicle_id == vehicle_id)
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
