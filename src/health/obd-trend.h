/* obd-trend.h — anomalies in a vehicle's own history of a reading
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: a short series of (time, value) points for one vehicle and one
 * reading, typically one summary point per session (the median idle
 * long-term fuel trim of that session, the resting battery voltage at key
 * on, ...).  The question is not "is this value within the factory range"
 * (alerts do that) but "is this car behaving differently from how it
 * usually behaves".  Two checks, both on robust statistics so a single bad
 * session cannot mask or fake a finding:
 *
 * (a) Level anomaly — the latest point against the earlier ones.
 *     With median m and median absolute deviation MAD = median |x_i − m|
 *     of the history, the modified z-score of Iglewicz and Hoaglin is
 *
 *         z = 0.6745 (x − m) / MAD
 *
 *     (0.6745 is the 75th percentile of the standard normal, so for
 *     normal data z is on the scale of an ordinary z-score).  |z| > 3.5 is
 *     their recommended outlier limit.  When the history is almost
 *     constant MAD is ~0; then the mean absolute deviation around the
 *     median, scaled by 1.2533 (= √(π/2), which makes it comparable with a
 *     standard deviation), takes its place, and the result is floored at
 *     the sensor resolution (ObdTrendOptions.min_mad): a change of one
 *     quantum is never an anomaly by itself.
 *
 * (b) Drift — a steady rise or fall over the whole window ("idle fuel trim
 *     rising over weeks").  The slope is the Theil–Sen estimator, the
 *     median of the slopes between every pair of points: up to ~29 % of
 *     the points can be outliers without moving it.  It counts as a drift
 *     when both
 *       - the Mann–Kendall test finds a monotonic trend:
 *         S = Σ_{i<j} sign(x_j − x_i), Var(S) = [n(n−1)(2n+5) −
 *         Σ_ties t(t−1)(2t+5)] / 18, Z = (S ∓ 1)/√Var(S), |Z| > 1.96
 *         (5 % two-sided), and
 *       - the change is large against the noise: |slope × span| > k × σ,
 *         σ = 1.4826 × MAD of the residuals around the Theil–Sen line
 *         (floored like the MAD above), k = 3 by default — so a tiny but
 *         perfectly regular creep is not reported.
 *
 * Fewer than min_points points (5 by default: less than that is not a
 * history) gives OBD_TREND_KIND_NOT_ENOUGH_HISTORY.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 time_us;  /* wall clock, as ObdSample.time_us */
  double value;    /* SI */
} ObdTrendPoint;

typedef struct
{
  guint  min_points;      /* history needed for any finding (default 5) */
  double z_threshold;     /* modified z-score limit (default 3.5) */
  double mk_z_threshold;  /* Mann–Kendall |Z| limit (default 1.96) */
  double drift_k;         /* change over the window vs noise (default 3) */
  double min_mad;         /* floor of the spread, in the reading's unit:
                           * its resolution (default 0: only a tiny
                           * epsilon keeps the division finite) */
} ObdTrendOptions;

void obd_trend_options_init_defaults (ObdTrendOptions *options);
/* Defaults plus min_mad set to the resolution of the PID with that key
 * as SAE J1979 scales it (fuel trims 100/128 %, temperatures 1 °C,
 * catalyst 0.1 °C, voltage 0.001 V, rpm 0.25, load 100/255 %). */
void obd_trend_options_init_for_key  (ObdTrendOptions *options,
                                      const char      *key);

typedef enum
{
  OBD_TREND_KIND_NONE = 0,
  OBD_TREND_KIND_LEVEL,               /* the latest value is an outlier */
  OBD_TREND_KIND_DRIFT,               /* a steady rise or fall */
  OBD_TREND_KIND_NOT_ENOUGH_HISTORY,
} ObdTrendKind;

/* Stable keys "none", "level", "drift", "not-enough-history". */
const char *obd_trend_kind_get_key (ObdTrendKind kind);

typedef enum
{
  OBD_TREND_DIRECTION_NONE = 0,
  OBD_TREND_DIRECTION_UP,
  OBD_TREND_DIRECTION_DOWN,
} ObdTrendDirection;

typedef struct
{
  ObdTrendKind       kind;           /* LEVEL when both findings hold: the
                                      * sudden change is the news */
  gboolean           level_anomaly;
  gboolean           drift;
  ObdTrendDirection  direction;      /* of the reported kind */
  guint              n_points;
  double             latest;
  double             median;         /* of the history before the latest */
  double             mad;            /* of that history, after the floor */
  double             z_score;        /* modified z of the latest point */
  double             slope_per_day;  /* Theil–Sen over the whole window */
  double             span_days;
  gint64             first_time_us;  /* oldest point */
  double             change;         /* slope × span */
  double             noise;          /* σ of the residuals, after the floor */
  double             mk_z;           /* Mann–Kendall Z */
  double             magnitude;      /* LEVEL: |z|; DRIFT: |change|; else 0 */
  char              *explanation;    /* translated sentence */
  const char        *key;            /* the reading's PID key when the caller
                                      * sets it (src/diag does), a string
                                      * that lives forever; else NULL */
} ObdTrendResult;

/* points need not be sorted; label names the reading in the explanation
 * ("Idle long-term fuel trim"), unit follows numbers ("%", "V", "°C"; may
 * be NULL or ""). */
ObdTrendResult *obd_trend_analyze      (const ObdTrendPoint   *points,
                                        gsize                  n_points,
                                        const ObdTrendOptions *options,
                                        const char            *label,
                                        const char            *unit);
void            obd_trend_result_free  (ObdTrendResult        *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ObdTrendResult, obd_trend_result_free)

/* Robust statistics shared with maintenance prediction. */

/* Median of n values (n > 0); values is reordered. */
double   obd_stats_median      (double       *values,
                                gsize         n);
/* Median absolute deviation around median, unscaled. */
double   obd_stats_mad         (const double *values,
                                gsize         n,
                                double        median);
/* Theil–Sen line through (x_i, y_i): the median of the pairwise slopes
 * over pairs with distinct x, and the median of y − slope·x as intercept.
 * FALSE when fewer than two distinct x exist. */
gboolean obd_stats_theil_sen   (const double *x,
                                const double *y,
                                gsize         n,
                                double       *out_slope,
                                double       *out_intercept);
/* Mann–Kendall Z (with tie correction) of y in the order given; 0 when
 * n < 3 or every value is tied. */
double   obd_stats_mann_kendall (const double *y,
                                 gsize         n);

G_END_DECLS
