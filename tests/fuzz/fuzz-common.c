/* fuzz-common.c — helpers shared by the fuzz targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz"
#include "config.h"

#include "fuzz-common.h"

/* where touched bytes go, so the reads are not optimised away */
static volatile guint8 sink;

void
fuzz_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
      g_once_init_leave (&done, 1);
    }
}

void
fuzz_check (gboolean    condition,
            const char *what)
{
  if (!condition)
    g_error ("contract broken: %s", what);
}

void
fuzz_touch (const void *data,
            gsize       len)
{
  const guint8 *p = data;

  for (gsize i = 0; i < len; i++)
    sink += p[i];
}

guint32
fuzz_ecu (guint8 selector)
{
  static const guint32 ecus[] = {
    0x7E8, 0x7E9, 0x7EA, 0x18DAF110, 0x18DAF118, 0x10, 0x1A, 0,
  };

  return ecus[selector % G_N_ELEMENTS (ecus)];
}

ObdResponse *
fuzz_response_new (const guint8 *data,
                   gsize         size)
{
  ObdResponse *response = obd_response_new ();
  gsize pos = 0;

  while (pos + 2 <= size)
    {
      gsize len = MIN (data[pos], size - pos - 2);
      guint32 ecu = fuzz_ecu (data[pos + 1]);

      obd_response_add_message (response, ecu, data + pos + 2, len);
      pos += 2 + len;
    }
  return response;
}
