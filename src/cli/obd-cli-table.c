/* obd-cli-table.c — live values as a table that refreshes in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several hundred samples a second scroll faster than anyone reads; a
 * mechanic at a terminal wants one line per reading that changes in
 * place, each number with only the digits its PID resolves
 * (obd-pid-format.h).
 */
#define G_LOG_DOMAIN "obd-cli"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "obd-cli-table.h"
#include "obd-pid-format.h"
#include "obd-pid.h"

#define ANSI_PERIOD_US   (G_USEC_PER_SEC / 5)
#define PLAIN_PERIOD_US  G_USEC_PER_SEC
#define STALE_US         (3 * G_USEC_PER_SEC)

typedef struct
{
  guint8  pid;
  guint8  index;
  double  value;
  double  min;
  double  max;
  gint64  seen_us;    /* monotonic time it last arrived */
} Row;

struct _ObdCliTable
{
  ObdUnitSystem  units;
  gboolean       ansi;
  GArray        *rows;        /* Row, in the order first seen */
  guint          drawn_lines; /* lines the last ANSI redraw printed */
  gint64         last_render;
};

ObdCliTable *
obd_cli_table_new (ObdUnitSystem units,
                   gboolean      ansi)
{
  ObdCliTable *table = g_new0 (ObdCliTable, 1);

  table->units = units;
  table->ansi = ansi;
  table->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  table->last_render = G_MININT64 / 2;
  return table;
}

void
obd_cli_table_free (ObdCliTable *table)
{
  if (table == NULL)
    return;
  g_array_unref (table->rows);
  g_free (table);
}

void
obd_cli_table_add_samples (ObdCliTable     *table,
                           const ObdSample *samples,
                           gsize            n_samples)
{
  gint64 now = g_get_monotonic_time ();

  for (gsize i = 0; i < n_samples; i++)
    {
      const ObdSample *s = &samples[i];
      Row *row = NULL;

      if (s->service != 0x01 || !isfinite (s->value))
        continue;
      for (guint r = 0; r < table->rows->len && row == NULL; r++)
        {
          Row *candidate = &g_array_index (table->rows, Row, r);

          if (candidate->pid == s->pid && candidate->index == s->index)
            row = candidate;
        }
      if (row == NULL)
        {
          Row fresh = { s->pid, s->index, s->value, s->value, s->value, now };

          g_array_append_val (table->rows, fresh);
          continue;
        }
      row->value = s->value;
      row->min = MIN (row->min, s->value);
      row->max = MAX (row->max, s->value);
      row->seen_us = now;
    }
}

/* Right-aligned in width characters (not bytes: "°C" is three of them). */
static void
append_right (GString    *text,
              const char *cell,
              glong       width)
{
  for (glong pad = g_utf8_strlen (cell, -1); pad < width; pad++)
    g_string_append_c (text, ' ');
  g_string_append (text, cell);
}

char *
obd_cli_table_render (ObdCliTable *table,
                      gint64       now_us,
                      gboolean     force)
{
  g_autoptr(GString) text = NULL;
  gint64 period = table->ansi ? ANSI_PERIOD_US : PLAIN_PERIOD_US;

  if (!force && now_us - table->last_render < period)
    return NULL;
  table->last_render = now_us;

  text = g_string_new (NULL);
  /* Back over the previous table: up, then each line cleared as it is
   * written again (ECMA-48 CUU and EL). */
  if (table->ansi && table->drawn_lines > 0)
    g_string_append_printf (text, "\033[%uA", table->drawn_lines);

  if (table->ansi)
    g_string_append (text, "\033[2K");
  g_string_append_printf (text, "%-32s ", _("Reading"));
  append_right (text, _("Now"), 14);
  g_string_append_c (text, ' ');
  append_right (text, _("Min"), 14);
  g_string_append_c (text, ' ');
  append_right (text, _("Max"), 14);
  g_string_append_c (text, '\n');
  for (guint r = 0; r < table->rows->len; r++)
    {
      const Row *row = &g_array_index (table->rows, Row, r);
      const ObdValue *meta = obd_pid_get_value_info (row->pid, row->index);
      g_autofree char *value = obd_pid_format_value (row->pid, row->index, row->value,
                                                     table->units);
      g_autofree char *min = obd_pid_format_value (row->pid, row->index, row->min, table->units);
      g_autofree char *max = obd_pid_format_value (row->pid, row->index, row->max, table->units);
      g_autofree char *label = NULL;

      label = meta != NULL ? g_strdup (obd_value_get_label (meta))
                           : g_strdup_printf ("PID %02X", row->pid);
      if (table->ansi)
        g_string_append (text, "\033[2K");
      /* Labels are cut to the column by characters, not bytes. */
      if (g_utf8_strlen (label, -1) > 32)
        {
          char *cut = g_utf8_offset_to_pointer (label, 31);

          *cut = '\0';
          g_string_append_printf (text, "%s… ", label);
        }
      else
        {
          g_string_append (text, label);
          for (glong pad = g_utf8_strlen (label, -1); pad < 33; pad++)
            g_string_append_c (text, ' ');
        }
      append_right (text, value, 14);
      g_string_append_c (text, ' ');
      append_right (text, min, 14);
      g_string_append_c (text, ' ');
      append_right (text, max, 14);
      if (now_us - row->seen_us > STALE_US)
        g_string_append_printf (text, "  %s", _("(no reply)"));
      g_string_append_c (text, '\n');
    }
  if (!table->ansi)
    g_string_append_c (text, '\n');
  table->drawn_lines = table->rows->len + 1;
  return g_string_free (g_steal_pointer (&text), FALSE);
}
