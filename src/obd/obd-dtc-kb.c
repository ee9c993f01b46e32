/* obd-dtc-kb.c — the trouble-code knowledge base
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * data/dtc/generic.xml is compiled (compressed) into the obd GResource.  The
 * first caller parses it with GMarkupParseContext into an array sorted by the
 * two-byte code (the SAE J2012 encoding, see obd-dtc.h), so a lookup is a
 * binary search.  The table is built once under g_once_init_enter() and never
 * changes afterwards, so lookups need no lock.
 */
#define G_LOG_DOMAIN "obd-dtc-kb"
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "obd-dtc-kb.h"
#include "obd-resources.h"

#define DTC_TABLE_PATH RESOURCE_PATH "/obd/dtc/generic.xml"

G_DEFINE_QUARK (obd-dtc-kb-error-quark, obd_dtc_kb_error)

typedef struct
{
  guint16       raw;
  guint8        system;
  guint8        severity;
  const char   *code;         /* in the string chunk */
  const char   *title;        /* untranslated, in the string chunk */
  const char   *explanation;  /* untranslated or NULL */
  const char  **causes;       /* untranslated, NULL-terminated, or NULL */
  gpointer      causes_tr;    /* translated copy, built on first use */
} KbEntry;

typedef struct
{
  GArray        *entries;     /* KbEntry, sorted by raw */
  GStringChunk  *strings;
  /* Codes looked up but not in the table, so that ObdDtcInfo.code can live
   * as long as the process.  (g_intern_string() would do, but GLib leaks its
   * quark array each time it grows past 2048 entries.) */
  GMutex         others_lock;
  GHashTable    *others;      /* raw -> code, strings in others_chunk */
  GStringChunk  *others_chunk;
  ObdDtcKbStats  stats;
  char          *load_error;  /* set when the table could not be loaded */
} Kb;

static const char *system_keys[] = {
  "fuel-air", "ignition", "emissions", "speed-idle", "computer",
  "transmission", "hybrid", "network", "body", "chassis", "other", "cooling", "charging",
};
static const char *system_labels[] = {
  N_("Fuel and air metering"),
  N_("Ignition and misfire"),
  N_("Emission controls"),
  N_("Vehicle speed, idle and auxiliary inputs"),
  N_("Computer and output circuits"),
  N_("Transmission"),
  N_("Hybrid propulsion"),
  N_("Network communication"),
  N_("Body"),
  N_("Chassis"),
  N_("Other"),
  N_("Cooling system"),
  N_("Charging and system voltage"),
};

static const char *prefix_keys[] = { "P0", "P2", "P3", "C0", "B0", "U0", "U3" };

G_STATIC_ASSERT (G_N_ELEMENTS (system_keys) == OBD_DTC_SYSTEM_COUNT);
G_STATIC_ASSERT (G_N_ELEMENTS (system_labels) == OBD_DTC_SYSTEM_COUNT);
G_STATIC_ASSERT (G_N_ELEMENTS (prefix_keys) == OBD_DTC_KB_PREFIX_COUNT);

const char *
obd_dtc_system_get_key (ObdDtcSystem system)
{
  g_return_val_if_fail ((guint) system < OBD_DTC_SYSTEM_COUNT, NULL);
  return system_keys[system];
}

const char *
obd_dtc_system_get_label (ObdDtcSystem system)
{
  g_return_val_if_fail ((guint) system < OBD_DTC_SYSTEM_COUNT, NULL);
  return _(system_labels[system]);
}

const char *
obd_dtc_kb_prefix_get_key (ObdDtcKbPrefix prefix)
{
  g_return_val_if_fail ((guint) prefix < OBD_DTC_KB_PREFIX_COUNT, NULL);
  return prefix_keys[prefix];
}

/* --- code structure ----------------------------------------------------------- */

/* SAE J2012 two-byte encoding: bits 15-14 letter (P, C, B, U), bits 13-12 the
 * first digit (0-3), bits 11-0 three hex digits.  Sorting by it gives the
 * order P, C, B, U. */
static gboolean
parse_code (const char *text,
            guint16    *out_raw)
{
  static const char letters[] = "PCBU";
  const char *p;
  guint value = 0;
  gsize len;

  if (text == NULL)
    return FALSE;

  while (g_ascii_isspace (*text))
    text++;
  len = strlen (text);
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  if (len != 5)
    return FALSE;

  p = strchr (letters, g_ascii_toupper (text[0]));
  if (p == NULL || *p == '\0')
    return FALSE;
  if (text[1] < '0' || text[1] > '3')
    return FALSE;
  for (guint i = 2; i < 5; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
      value = (value << 4) | (guint) g_ascii_xdigit_value (text[i]);
    }

  *out_raw = (guint16) (((guint) (p - letters) << 14) | ((guint) (text[1] - '0') << 12) | value);
  return TRUE;
}

static void
format_code (guint16 raw,
             char    code[6])
{
  g_snprintf (code, 6, "%c%u%03X",
              "PCBU"[raw >> 14], (guint) ((raw >> 12) & 0x3), (guint) (raw & 0xfff));
}

/* P1xxx and P30xx-P33xx (SAE J2012: manufacturer controlled), and B1, B2,
 * C1, C2, U1, U2.  P34xx-P39xx, B3, C3 and U3 stay with SAE. */
static gboolean
is_manufacturer_specific (guint16 raw)
{
  guint letter = raw >> 14;
  guint digit = (raw >> 12) & 0x3;
  guint third = (raw >> 8) & 0xf;

  if (letter == 0)
    return digit == 1 || (digit == 3 && third <= 3);
  return digit == 1 || digit == 2;
}

/* Generic blocks that J2012 gives to one subject inside a range of
 * another (obd-dtc-kb.h): a cooling fan code is a cooling fault wherever
 * its number falls.  Inclusive, in the two-byte encoding. */
static const struct
{
  guint16      first;
  guint16      last;
  ObdDtcSystem system;
} subject_blocks[] = {
  { 0x00B1, 0x00B7, OBD_DTC_SYSTEM_COOLING },       /* radiator coolant temp, flow */
  { 0x0115, 0x011B, OBD_DTC_SYSTEM_COOLING },       /* coolant temperature sensors */
  { 0x0125, 0x0126, OBD_DTC_SYSTEM_COOLING },       /* coolant too cold */
  { 0x0128, 0x0128, OBD_DTC_SYSTEM_COOLING },       /* thermostat */
  { 0x0217, 0x0217, OBD_DTC_SYSTEM_COOLING },       /* engine over temperature */
  { 0x0218, 0x0218, OBD_DTC_SYSTEM_TRANSMISSION },  /* transmission over temperature */
  { 0x0480, 0x0485, OBD_DTC_SYSTEM_COOLING },       /* cooling fan circuits */
  { 0x0493, 0x0495, OBD_DTC_SYSTEM_COOLING },       /* fan speed */
  { 0x050C, 0x050C, OBD_DTC_SYSTEM_COOLING },       /* cold start coolant temp */
  { 0x0514, 0x0517, OBD_DTC_SYSTEM_CHARGING },      /* battery temperature sensor */
  { 0x0526, 0x0529, OBD_DTC_SYSTEM_COOLING },       /* fan speed sensor */
  { 0x0560, 0x0563, OBD_DTC_SYSTEM_CHARGING },      /* system voltage */
  { 0x0597, 0x0599, OBD_DTC_SYSTEM_COOLING },       /* thermostat heater */
  { 0x0620, 0x0623, OBD_DTC_SYSTEM_CHARGING },      /* generator control, lamp */
  { 0x0625, 0x0626, OBD_DTC_SYSTEM_CHARGING },      /* generator field terminal */
  { 0x063A, 0x063D, OBD_DTC_SYSTEM_CHARGING },      /* generator voltage sense */
  { 0x065A, 0x065B, OBD_DTC_SYSTEM_CHARGING },      /* generator performance */
  { 0x0691, 0x0696, OBD_DTC_SYSTEM_COOLING },       /* fan control circuits */
  { 0x2181, 0x2186, OBD_DTC_SYSTEM_COOLING },       /* cooling performance, sensor 2 */
  { 0x2500, 0x2504, OBD_DTC_SYSTEM_CHARGING },      /* generator lamp, charging voltage */
  { 0x2556, 0x2560, OBD_DTC_SYSTEM_COOLING },       /* coolant level */
  { 0x2600, 0x2603, OBD_DTC_SYSTEM_COOLING },       /* coolant pump */
  { 0x2678, 0x2683, OBD_DTC_SYSTEM_COOLING },       /* coolant degassing, bypass valves */
};

/* The system of a code that the table does not list: its subject block,
 * else the J2012 sub-group of its range (obd-dtc-kb.h). */
static ObdDtcSystem
system_for_range (guint16 raw)
{
  guint letter = raw >> 14;
  guint digit = (raw >> 12) & 0x3;
  guint third = (raw >> 8) & 0xf;

  for (guint i = 0; i < G_N_ELEMENTS (subject_blocks); i++)
    if (raw >= subject_blocks[i].first && raw <= subject_blocks[i].last)
      return subject_blocks[i].system;

  switch (letter)
    {
    case 1: return OBD_DTC_SYSTEM_CHASSIS;
    case 2: return OBD_DTC_SYSTEM_BODY;
    case 3: return OBD_DTC_SYSTEM_NETWORK;
    default: break;
    }

  if (digit == 0 || digit == 1)
    {
      switch (third)
        {
        case 0: case 1: case 2: return OBD_DTC_SYSTEM_FUEL_AIR;
        case 3: return OBD_DTC_SYSTEM_IGNITION;
        case 4: return OBD_DTC_SYSTEM_EMISSIONS;
        case 5: return OBD_DTC_SYSTEM_SPEED_IDLE;
        case 6: return OBD_DTC_SYSTEM_COMPUTER;
        case 7: case 8: case 9: return OBD_DTC_SYSTEM_TRANSMISSION;
        case 0xa: case 0xb: case 0xc:
          return digit == 0 ? OBD_DTC_SYSTEM_HYBRID : OBD_DTC_SYSTEM_OTHER;
        default: return OBD_DTC_SYSTEM_OTHER;
        }
    }

  if (digit == 2)
    {
      switch (third)
        {
        case 0: case 1: case 2: case 9: case 0xa: return OBD_DTC_SYSTEM_FUEL_AIR;
        case 3: return OBD_DTC_SYSTEM_IGNITION;
        case 4: return OBD_DTC_SYSTEM_EMISSIONS;
        case 5: return OBD_DTC_SYSTEM_SPEED_IDLE;
        case 6: return OBD_DTC_SYSTEM_COMPUTER;
        case 7: case 8: return OBD_DTC_SYSTEM_TRANSMISSION;
        default: return OBD_DTC_SYSTEM_OTHER;
        }
    }

  switch (third)
    {
    case 0: case 1: case 2: case 4: return OBD_DTC_SYSTEM_FUEL_AIR;
    case 3: return OBD_DTC_SYSTEM_IGNITION;
    default: return OBD_DTC_SYSTEM_OTHER;
    }
}

static int
lookup_key (const char  *key,
            const char **keys,
            guint        n_keys)
{
  for (guint i = 0; i < n_keys; i++)
    if (g_strcmp0 (key, keys[i]) == 0)
      return (int) i;
  return -1;
}

/* --- loading ------------------------------------------------------------------ */

typedef enum
{
  FIELD_NONE,
  FIELD_TITLE,
  FIELD_EXPLANATION,
  FIELD_CAUSE,
} Field;

typedef struct
{
  Kb        *kb;
  gboolean   in_code;
  KbEntry    entry;
  Field      field;
  GString   *text;
  GPtrArray *causes;
} ParseState;

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  ParseState *st = user_data;

  if (g_str_equal (element, "codes") || g_str_equal (element, "causes"))
    return;

  if (g_str_equal (element, "code"))
    {
      const char *id = NULL, *system = NULL, *severity = NULL;
      ObdSeverity sev = OBD_SEVERITY_WARNING;
      char code[6];
      int sys;

      if (!g_markup_collect_attributes (element, names, values, error,
                                        G_MARKUP_COLLECT_STRING, "id", &id,
                                        G_MARKUP_COLLECT_STRING, "system", &system,
                                        G_MARKUP_COLLECT_STRING, "severity", &severity,
                                        G_MARKUP_COLLECT_INVALID))
        return;

      memset (&st->entry, 0, sizeof st->entry);
      sys = lookup_key (system, system_keys, G_N_ELEMENTS (system_keys));
      if (!parse_code (id, &st->entry.raw) || sys < 0
          || !obd_severity_from_key (severity, &sev, NULL))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "Bad code entry id=\"%s\" system=\"%s\" severity=\"%s\"",
                       id, system, severity);
          return;
        }
      format_code (st->entry.raw, code);
      st->entry.code = g_string_chunk_insert (st->kb->strings, code);
      st->entry.system = (guint8) sys;
      st->entry.severity = (guint8) sev;
      st->in_code = TRUE;
      g_ptr_array_set_size (st->causes, 0);
      return;
    }

  if (st->in_code && st->field == FIELD_NONE)
    {
      if (g_str_equal (element, "title"))
        st->field = FIELD_TITLE;
      else if (g_str_equal (element, "explanation"))
        st->field = FIELD_EXPLANATION;
      else if (g_str_equal (element, "cause"))
        st->field = FIELD_CAUSE;
    }

  if (st->field == FIELD_NONE)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                   "Unexpected element <%s>", element);
      return;
    }
  g_string_truncate (st->text, 0);
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  ParseState *st = user_data;
  Kb *kb = st->kb;
  const char *text;

  if (g_str_equal (element, "code"))
    {
      if (st->entry.title == NULL)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "Code %s has no title", st->entry.code);
          return;
        }
      if (st->causes->len > 0)
        {
          st->entry.causes = g_new0 (const char *, st->causes->len + 1);
          memcpy (st->entry.causes, st->causes->pdata, st->causes->len * sizeof (gpointer));
        }
      g_array_append_val (kb->entries, st->entry);
      st->in_code = FALSE;
      return;
    }

  if (st->field == FIELD_NONE)
    return;

  g_strstrip (st->text->str);
  if (st->text->str[0] == '\0')
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   "Empty <%s> in code %s", element, st->entry.code);
      return;
    }
  text = g_string_chunk_insert_const (kb->strings, st->text->str);

  switch (st->field)
    {
    case FIELD_TITLE: st->entry.title = text; break;
    case FIELD_EXPLANATION: st->entry.explanation = text; break;
    case FIELD_CAUSE: g_ptr_array_add (st->causes, (gpointer) text); break;
    case FIELD_NONE: default: g_assert_not_reached ();
    }
  st->field = FIELD_NONE;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  ParseState *st = user_data;

  if (st->field != FIELD_NONE)
    g_string_append_len (st->text, text, (gssize) len);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const KbEntry *ea = a, *eb = b;

  return (int) ea->raw - (int) eb->raw;
}

static void
count_entry (ObdDtcKbStats *stats,
             const KbEntry *e)
{
  stats->total++;
  stats->per_letter[e->raw >> 14]++;
  for (guint i = 0; i < G_N_ELEMENTS (prefix_keys); i++)
    if (strncmp (e->code, prefix_keys[i], 2) == 0)
      stats->per_prefix[i]++;
  stats->per_system[e->system]++;
  stats->per_severity[e->severity]++;
  if (e->explanation != NULL && e->causes != NULL)
    stats->with_explanation++;
}

static gboolean
kb_load (Kb      *kb,
         GError **error)
{
  static const GMarkupParser parser = { on_start_element, on_end_element, on_text, NULL, NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) causes = g_ptr_array_new ();
  ParseState st = { kb, FALSE, { 0 }, FIELD_NONE, text, causes };
  gconstpointer data;
  gsize size;

  /* Calling obd_get_resource () directly (not only through the registered
   * resource path) keeps the linker from dropping the resource object out of
   * the static library. */
  bytes = g_resource_lookup_data (obd_get_resource (), DTC_TABLE_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &st, NULL);
  if (!g_markup_parse_context_parse (context, data, (gssize) size, error) ||
      !g_markup_parse_context_end_parse (context, error))
    return FALSE;

  g_array_sort (kb->entries, compare_entries);
  for (guint i = 0; i < kb->entries->len; i++)
    {
      const KbEntry *e = &g_array_index (kb->entries, KbEntry, i);

      if (i > 0 && g_array_index (kb->entries, KbEntry, i - 1).raw == e->raw)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "Code %s is listed twice", e->code);
          return FALSE;
        }
      count_entry (&kb->stats, e);
    }
  return TRUE;
}

static Kb *
kb_get (void)
{
  static Kb *kb_once = NULL;

  if (g_once_init_enter (&kb_once))
    {
      Kb *kb = g_new0 (Kb, 1);
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      kb->entries = g_array_sized_new (FALSE, TRUE, sizeof (KbEntry), 4096);
      kb->strings = g_string_chunk_new (64 * 1024);
      g_mutex_init (&kb->others_lock);
      kb->others = g_hash_table_new (NULL, NULL);
      kb->others_chunk = g_string_chunk_new (1024);
      if (!kb_load (kb, &error))
        {
          /* The table is built into the program, so this is a bug. */
          g_critical ("Could not load the trouble code table: %s", error->message);
          kb->load_error = g_strdup (error->message);
          g_array_set_size (kb->entries, 0);
          memset (&kb->stats, 0, sizeof kb->stats);
        }
      kb->stats.load_time_us = g_get_monotonic_time () - start;
      g_debug ("Loaded %u trouble codes in %" G_GINT64_FORMAT " µs",
               kb->entries->len, kb->stats.load_time_us);
      g_once_init_leave (&kb_once, kb);
    }
  return kb_once;
}

static gboolean
kb_check (Kb      *kb,
          GError **error)
{
  if (kb->load_error == NULL)
    return TRUE;
  g_set_error (error, OBD_DTC_KB_ERROR, OBD_DTC_KB_ERROR_FAILED,
               _("The built-in trouble code table is damaged (%s). Reinstall the application."),
               kb->load_error);
  return FALSE;
}

/* --- lookup ------------------------------------------------------------------- */

static const char *
kb_other_code (Kb      *kb,
               guint16  raw)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&kb->others_lock);
  const char *code = g_hash_table_lookup (kb->others, GUINT_TO_POINTER (raw));

  if (code == NULL)
    {
      char buf[6];

      format_code (raw, buf);
      code = g_string_chunk_insert (kb->others_chunk, buf);
      g_hash_table_insert (kb->others, GUINT_TO_POINTER (raw), (gpointer) code);
    }
  return code;
}

static const char * const *
entry_get_causes (KbEntry *e)
{
  const char **tr;

  if (e->causes == NULL)
    return NULL;

  tr = g_atomic_pointer_get (&e->causes_tr);
  if (tr != NULL)
    return tr;

  /* Translated once per process; a thread that loses the race frees its
   * copy and uses the winner's. */
  tr = g_new0 (const char *, g_strv_length ((char **) e->causes) + 1);
  for (guint i = 0; e->causes[i] != NULL; i++)
    tr[i] = g_dgettext (GETTEXT_PACKAGE, e->causes[i]);
  if (!g_atomic_pointer_compare_and_exchange (&e->causes_tr, NULL, tr))
    {
      g_free (tr);
      tr = g_atomic_pointer_get (&e->causes_tr);
    }
  return tr;
}

static void
fill_known (KbEntry    *e,
            ObdDtcInfo *out)
{
  out->code = e->code;
  out->system = e->system;
  out->severity = e->severity;
  out->known = TRUE;
  out->manufacturer_specific = FALSE;
  out->title = g_dgettext (GETTEXT_PACKAGE, e->title);
  out->explanation = e->explanation ? g_dgettext (GETTEXT_PACKAGE, e->explanation) : NULL;
  out->causes = entry_get_causes (e);
}

gboolean
obd_dtc_kb_lookup (const char  *code,
                   ObdDtcInfo  *out,
                   GError     **error)
{
  Kb *kb;
  guint16 raw;
  guint lo, hi;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_code (code, &raw))
    {
      g_set_error (error, OBD_DTC_KB_ERROR, OBD_DTC_KB_ERROR_INVALID_CODE,
                   _("“%s” is not a trouble code. A code is a letter (P, C, B or U), "
                     "a digit from 0 to 3 and three hexadecimal digits, such as P0420."),
                   code ? code : "");
      return FALSE;
    }

  kb = kb_get ();
  if (!kb_check (kb, error))
    return FALSE;

  lo = 0;
  hi = kb->entries->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      KbEntry *e = &g_array_index (kb->entries, KbEntry, mid);

      if (e->raw == raw)
        {
          fill_known (e, out);
          return TRUE;
        }
      if (e->raw < raw)
        lo = mid + 1;
      else
        hi = mid;
    }

  out->code = kb_other_code (kb, raw);
  out->system = system_for_range (raw);
  out->severity = OBD_DTC_SEVERITY_WARNING;
  out->known = FALSE;
  out->causes = NULL;
  out->manufacturer_specific = is_manufacturer_specific (raw);
  if (out->manufacturer_specific)
    {
      out->title = _("Manufacturer-specific code");
      out->explanation = _("The vehicle manufacturer defines what this code means. "
                           "Look it up in the maker’s service information for this model.");
    }
  else
    {
      out->title = _("Unknown code");
      out->explanation = _("This code is in a range reserved for generic codes, but it is "
                           "not in the built-in table. Check the vehicle’s service information.");
    }
  return TRUE;
}

guint
obd_dtc_kb_get_n_codes (void)
{
  return kb_get ()->entries->len;
}

gboolean
obd_dtc_kb_get_nth (guint       index,
                    ObdDtcInfo *out)
{
  Kb *kb = kb_get ();

  g_return_val_if_fail (out != NULL, FALSE);

  if (index >= kb->entries->len)
    return FALSE;
  fill_known (&g_array_index (kb->entries, KbEntry, index), out);
  return TRUE;
}

gboolean
obd_dtc_kb_get_stats (ObdDtcKbStats *out,
                      GError       **error)
{
  Kb *kb;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kb = kb_get ();
  if (!kb_check (kb, error))
    return FALSE;
  *out = kb->stats;
  return TRUE;
}
