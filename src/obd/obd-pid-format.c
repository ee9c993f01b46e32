/* obd-pid-format.c — a reading as people read it: rounded to what the PID resolves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "obd"
#include "config.h"

#include <math.h>
#include <string.h>

#include "obd-pid-format.h"

/* Steps are found once per PID and kept; decoding a few replies is cheap
 * but a table printer asks many times a second. */
static GMutex      cache_lock;
static GHashTable *cache;   /* (pid << 8 | index) + 1 → double *, of every PID asked */

/* For each data byte, decode the reply with that byte at 0x40 and at 0x41
 * (the others at 0x40, clear of the 0x00 / 0xFF sentinels some PIDs use):
 * the smallest change a value shows is one count of its least significant
 * byte. */
static void
measure_pid (const ObdPidInfo *info,
             GHashTable       *into)
{
  guint8 base[16], bumped[16];
  gsize len = info->n_bytes > 0 ? MIN (info->n_bytes, sizeof base) : 0;
  g_autoptr(GArray) reference = obd_value_array_new ();

  for (gsize i = 0; i < sizeof base; i++)
    base[i] = 0x40;
  if (len == 0 || info->kind == OBD_PID_KIND_BITMAP || info->kind == OBD_PID_KIND_BITFIELD
      || info->kind == OBD_PID_KIND_ENUM
      || !obd_pid_decode (info->pid, base, len, reference, NULL))
    return;

  for (gsize byte = 0; byte < len; byte++)
    {
      g_autoptr(GArray) values = obd_value_array_new ();

      memcpy (bumped, base, sizeof bumped);
      bumped[byte]++;
      if (!obd_pid_decode (info->pid, bumped, len, values, NULL))
        continue;
      for (guint v = 0; v < values->len && v < reference->len; v++)
        {
          const ObdValue *a = &g_array_index (reference, ObdValue, v);
          const ObdValue *b = &g_array_index (values, ObdValue, v);
          gpointer key = GUINT_TO_POINTER (((guint) a->pid << 8 | a->index) + 1);
          double step = fabs (b->value - a->value);
          double *known;

          if (a->text != NULL || a->index != b->index || !(step > 0) || !isfinite (step))
            continue;
          known = g_hash_table_lookup (into, key);
          if (known == NULL)
            {
              known = g_new (double, 1);
              *known = step;
              g_hash_table_insert (into, key, known);
            }
          else
            *known = MIN (*known, step);
        }
    }
}

double
obd_pid_get_resolution (guint8 pid,
                        guint8 index)
{
  gpointer key = GUINT_TO_POINTER (((guint) pid << 8 | index) + 1);
  gpointer measured = GUINT_TO_POINTER (pid + 0x10000 + 1);   /* "pid was measured" */
  const ObdPidInfo *info = obd_pid_lookup (pid);
  double step = 0.0;
  double *found;

  if (info == NULL)
    return 0.0;

  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (!g_hash_table_contains (cache, measured))
    {
      measure_pid (info, cache);
      g_hash_table_insert (cache, measured, g_new0 (double, 1));
    }
  found = g_hash_table_lookup (cache, key);
  if (found != NULL)
    step = *found;
  g_mutex_unlock (&cache_lock);
  return step;
}

guint
obd_pid_get_decimals (guint8        pid,
                      guint8        index,
                      ObdUnitSystem system)
{
  const ObdValue *meta = obd_pid_get_value_info (pid, index);
  double step = obd_pid_get_resolution (pid, index);
  double shown;

  if (meta == NULL)
    return 0;
  if (!(step > 0))
    return obd_unit_get_decimals (meta->unit, system);

  /* The step in the units shown (°F steps are 1.8 times °C steps). */
  shown = fabs (obd_unit_convert (meta->unit, system, 100.0 + step)
                - obd_unit_convert (meta->unit, system, 100.0));
  /* No display digit finer than one step: 0.25 rpm → whole rpm, 0.0039 →
   * two decimals (a quarter of a step at most is rounded away). */
  return (guint) CLAMP (floor (-log10 (shown) + 1e-9), 0.0, 6.0);
}

char *
obd_pid_format_value (guint8        pid,
                      guint8        index,
                      double        value,
                      ObdUnitSystem system)
{
  const ObdValue *meta = obd_pid_get_value_info (pid, index);
  ObdUnit unit = meta != NULL ? meta->unit : OBD_UNIT_NONE;
  guint decimals = obd_pid_get_decimals (pid, index, system);
  const char *symbol = obd_unit_get_symbol (unit, system);
  double shown = obd_unit_convert (unit, system, value);

  if (!isfinite (shown))
    return g_strdup ("—");
  /* No "-0" for values that round to zero. */
  if (fabs (shown) < 0.5 * pow (10.0, -(double) decimals))
    shown = 0.0;
  if (*symbol == '\0')
    return g_strdup_printf ("%.*f", (int) decimals, shown);
  return g_strdup_printf ("%.*f %s", (int) decimals, shown, symbol);
}
