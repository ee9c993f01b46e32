/* fuzz-guide.c — libFuzzer target for the guide file parser and the run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a guide file (guides can come from a workshop's own
 * folder, so they are outside input).  Besides memory errors, the target
 * checks the documented contracts: NULL exactly with an
 * OBD_GUIDE_ERROR_INVALID error whose message starts with the file name;
 * a loaded guide's branches all lead to a step or a finding.  A valid
 * guide is then walked with choices taken from the input's bytes —
 * answers, readings of every kind, trouble codes, live samples, steps
 * back — and the run's records must stay numbered 1..n.
 */
#define G_LOG_DOMAIN "fuzz-guide"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"
#include "obd-guide-run.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)

static void
check_guide (ObdGuide *guide)
{
  fuzz_check (obd_guide_get_first_step (guide) != NULL, "a guide has a first step");
  for (guint i = 0; i < obd_guide_get_n_steps (guide); i++)
    {
      const ObdGuideStep *step = obd_guide_get_step (guide, i);

      fuzz_check (step->n_branches > 0, "a step has branches");
      for (guint b = 0; b < step->n_branches; b++)
        fuzz_check (obd_guide_find_step (guide, step->branches[b].target) != NULL ||
                    obd_guide_find_finding (guide, step->branches[b].target) != NULL,
                    "every branch leads somewhere");
      for (guint c = 0; c < step->n_conditions; c++)
        {
          g_autofree char *text = obd_guide_condition_describe (&step->conditions[c], FALSE, 2.0,
                                                                OBD_UNIT_SYSTEM_US);

          fuzz_check (text != NULL && g_utf8_validate (text, -1, NULL), "a description");
        }
    }
}

static double
reading (const ObdGuideStep *step,
         guint8              choice,
         double              scale)
{
  switch (choice % 6)
    {
    case 0: return step->min * scale;
    case 1: return step->max * scale;
    case 2: return (step->min + step->max) * scale / 2;
    case 3: return step->unit == OBD_UNIT_OHM ? INFINITY : 0.0;
    case 4: return -1e308;
    default: return choice;
    }
}

static void
walk (ObdGuide     *guide,
      const guint8 *data,
      gsize         size)
{
  g_autoptr(ObdGuideRun) run = obd_guide_run_new (guide, "fuzz");
  gint64 now = T0;

  for (guint n = 0; n < 64 && obd_guide_run_get_state (run) != OBD_GUIDE_RUN_FINISHED; n++)
    {
      const ObdGuideStep *step = obd_guide_run_get_step (run);
      guint8 choice = data[(n * 7 + 3) % size];
      g_autoptr(GError) error = NULL;
      GPtrArray *records = obd_guide_run_get_records (run);

      if (choice % 11 == 0 && records->len > 0)
        {
          fuzz_check (obd_guide_run_back (run, &error), "back after a record");
          continue;
        }

      switch (step->kind)
        {
        case OBD_GUIDE_STEP_INSTRUCTION:
          fuzz_check (!obd_guide_run_answer (run, "x", NULL), "an instruction takes no answer");
          fuzz_check (obd_guide_run_confirm (run, &error), "an instruction is confirmed");
          break;
        case OBD_GUIDE_STEP_QUESTION:
          fuzz_check (!obd_guide_run_answer (run, "\x01", NULL), "not an answer");
          fuzz_check (obd_guide_run_answer (run, step->answers[choice % step->n_answers].value,
                                            &error), "an answer is taken");
          break;
        case OBD_GUIDE_STEP_MEASUREMENT:
          {
            double scale = obd_guide_run_get_scale (run, step->scale_by);

            if (!obd_guide_run_measure (run, reading (step, choice, scale), &error))
              {
                /* Out of range or not taken on the way: a wrong step
                 * error or a bad value, nothing else. */
                fuzz_check (error->domain == OBD_GUIDE_ERROR, "measurement error domain");
                g_clear_error (&error);
                if (!obd_guide_run_measure (run, isnan (step->valid_min) ? 1.0 : step->valid_min,
                                            &error))
                  return;
              }
            break;
          }
        case OBD_GUIDE_STEP_CODE_CHECK:
          {
            ObdDtc dtc = { .ecu = 0x7E8, .raw = step->codes[0].from,
                           .kind = choice % 3 };

            obd_dtc_format (dtc.raw, dtc.code);
            fuzz_check (obd_guide_run_feed_codes (run, &dtc, choice & 1, &error),
                        "codes are taken");
            break;
          }
        case OBD_GUIDE_STEP_LIVE_CHECK:
          {
            if (!obd_guide_run_start_live_check (run, now, NULL, &error))
              return;   /* a scale-by measurement not taken on this path */
            for (guint s = 0; s < 40 && obd_guide_run_get_state (run) == OBD_GUIDE_RUN_LIVE; s++)
              {
                const ObdGuideQuantity *q = &step->gauges[s % step->n_gauges];
                guint8 b = data[(n + s * 13) % size];
                ObdSample sample = {
                  .time_us = now + (gint64) s * G_USEC_PER_SEC / 2, .ecu = 0x7E8,
                  .service = b & 0x80 ? 0x02 : 0x01, .pid = q->pid, .index = q->index,
                  .value = b == 0xFF ? NAN : (double) b * 10.0 - 400.0,
                };

                obd_guide_run_feed_samples (run, &sample, 1);
              }
            now += (gint64) (step->time_limit + 1) * G_USEC_PER_SEC;
            obd_guide_run_advance_clock (run, now);
            fuzz_check (obd_guide_run_get_state (run) != OBD_GUIDE_RUN_LIVE,
                        "a live check ends at its time limit");
            if (obd_guide_run_get_step (run) == step)
              fuzz_check (obd_guide_run_judge (run, choice & 1, &error), "a judge is taken");
            break;
          }
        default:
          fuzz_check (FALSE, "a known step kind");
        }

      records = obd_guide_run_get_records (run);
      for (guint r = 0; r < records->len; r++)
        fuzz_check (((ObdGuideRecord *) g_ptr_array_index (records, r))->seq == r + 1,
                    "records are numbered in order");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdGuide) guide = NULL;

  fuzz_init ();
  guide = obd_guide_new_from_data ((const char *) data, size, "fuzz.xml", &error);
  fuzz_check ((guide == NULL) == (error != NULL), "NULL exactly with an error");
  if (guide == NULL)
    {
      fuzz_check (g_error_matches (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_INVALID),
                  "an invalid guide is OBD_GUIDE_ERROR_INVALID");
      fuzz_check (g_str_has_prefix (error->message, "fuzz.xml:"), "the message names the file");
      return 0;
    }
  check_guide (guide);
  if (size > 0)
    walk (guide, data, size);
  return 0;
}
