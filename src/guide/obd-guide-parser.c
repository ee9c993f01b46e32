/* obd-guide-parser.c — guide files: parse, validate, build
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libxml2 parses the file and checks it against the RELAX NG schema
 * data/guides/guide.rng (compiled into the GResource), the same schema the
 * lint suite gives xmllint; then the walk below builds the ObdGuide and
 * checks what a schema cannot: targets that exist, steps that are reached
 * and can end, PIDs the protocol layer knows, ranges in order.  Every
 * problem is reported as "FILE:LINE: what is wrong" for the first one
 * found.
 *
 * Guides can come from a user's folder, so the file is outside input: no
 * DTD (no entities to expand), no network, a size limit, and every string
 * checked to be text a translator can match (see check_text()).
 */
#define G_LOG_DOMAIN "obd-guide"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "obd-guide-private.h"
#include "obd-guide-resources.h"
#include "obd-pid.h"

#define SCHEMA_PATH RESOURCE_PATH "/guide/guide.rng"

/* A guide is a few kilobytes; anything near this is not one. */
#define MAX_GUIDE_BYTES (1024 * 1024)
/* More would be unreadable for a person anyway. */
#define MAX_STEPS 200

/* The compiled schema, shared; validation is serialised because libxml2
 * does not promise that two threads may use one schema at once. */
static GMutex schema_lock;
static xmlRelaxNGPtr schema;

typedef struct
{
  const char *target;
  guint       line;
} PendingTarget;

typedef struct
{
  ObdGuide   *guide;
  GError    **error;
  gboolean    failed;
} Parser;

/* Errors ------------------------------------------------------------------- */

static gboolean fail (Parser *p, guint line, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Parser     *p,
      guint       line,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (p->failed)
    return FALSE;
  p->failed = TRUE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (p->error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_INVALID, "%s:%u: %s",
               p->guide->filename, MAX (line, 1), message);
  return FALSE;
}

static guint
node_line (xmlNodePtr node)
{
  long line = node != NULL ? xmlGetLineNo (node) : 1;

  return line > 0 && line < G_MAXINT ? (guint) line : 1;
}

/* libxml2's messages end in a newline. */
static char *
xml_message (const xmlError *error)
{
  g_autofree char *message = g_strdup (error != NULL && error->message != NULL
                                       ? error->message : _("not well-formed XML"));

  return g_strdup (g_strchomp (message));
}

static void
on_schema_error (void     *data,
                 xmlError *error)
{
  Parser *p = data;
  g_autofree char *message = xml_message (error);

  fail (p, error != NULL && error->line > 0 ? (guint) error->line : 1, "%s", message);
}

static void
on_silent (void       *data,
           const char *format,
           ...)
{
}

/* The parser's first error is the one that says what is wrong; later ones
 * follow from it. */
static void
on_parse_error (void     *data,
                xmlError *error)
{
  xmlError *first = data;

  if (first->code == 0 && error != NULL && error->level >= XML_ERR_ERROR)
    {
      first->code = error->code;
      first->line = error->line;
      first->message = g_strdup (error->message);
    }
}

static xmlRelaxNGPtr
load_schema (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      xmlInitParser ();
      bytes = g_resource_lookup_data (obd_guide_get_resource (), SCHEMA_PATH,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_critical ("The guide schema is missing: %s", error->message);
      else
        {
          xmlRelaxNGParserCtxtPtr ctxt =
            xmlRelaxNGNewMemParserCtxt (g_bytes_get_data (bytes, NULL),
                                        (int) g_bytes_get_size (bytes));

          schema = xmlRelaxNGParse (ctxt);
          xmlRelaxNGFreeParserCtxt (ctxt);
          if (schema == NULL)
            g_critical ("The guide schema %s does not compile", SCHEMA_PATH);
        }
      g_once_init_leave (&done, 1);
    }
  return schema;
}

/* Reading the tree --------------------------------------------------------- */

static gboolean
is_element (xmlNodePtr  node,
            const char *name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         (name == NULL || xmlStrEqual (node->name, (const xmlChar *) name));
}

static xmlNodePtr
first_child (xmlNodePtr  node,
             const char *name)
{
  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    if (is_element (child, name))
      return child;
  return NULL;
}

static char *
attr (xmlNodePtr  node,
      const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy;

  if (value == NULL)
    return NULL;
  copy = g_strdup ((const char *) value);
  xmlFree (value);
  return copy;
}

static const char *
intern_attr (Parser     *p,
             xmlNodePtr  node,
             const char *name)
{
  g_autofree char *value = attr (node, name);

  return _obd_guide_intern (p->guide, value);
}

/* A number attribute: NAN when absent; fails on anything but a finite
 * number. */
static gboolean
number_attr (Parser     *p,
             xmlNodePtr  node,
             const char *name,
             double     *out)
{
  g_autofree char *value = attr (node, name);
  char *end = NULL;
  double number;

  *out = NAN;
  if (value == NULL)
    return TRUE;
  number = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (number))
    return fail (p, node_line (node), _("%s=\"%s\" is not a number"), name, value);
  *out = number;
  return TRUE;
}

/* Text a translator sees: whitespace as xgettext normalises it, so the
 * msgid looked up at run time is the one in the catalogue.  xgettext
 * writes &, < and > as entities in the msgid, so they are not allowed:
 * there is a word for each. */
static const char *
check_text (Parser     *p,
            xmlNodePtr  node,
            const char *what)
{
  xmlChar *content = xmlNodeGetContent (node);
  g_autofree char *text = _obd_guide_normalize_text ((const char *) content);

  xmlFree (content);
  if (*text == '\0')
    {
      fail (p, node_line (node), _("the %s is empty"), what);
      return NULL;
    }
  if (strpbrk (text, "&<>") != NULL)
    {
      fail (p, node_line (node), _("the %s contains &, < or >; write “and”, “below” or "
                                   "“above” instead"), what);
      return NULL;
    }
  if (strlen (text) > 4000)
    {
      fail (p, node_line (node), _("the %s is too long for a screen"), what);
      return NULL;
    }
  return _obd_guide_intern (p->guide, text);
}

static const char *
child_text (Parser     *p,
            xmlNodePtr  node,
            const char *name,
            const char *what)
{
  xmlNodePtr child = first_child (node, name);

  return child != NULL ? check_text (p, child, what) : NULL;
}

/* The texts of the children named item of the child named list, as a
 * NULL-terminated array owned by the guide (empty when there is none). */
static const char **
text_list (Parser     *p,
           xmlNodePtr  node,
           const char *list,
           const char *item,
           const char *what)
{
  xmlNodePtr parent = first_child (node, list);
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  const char **out;

  for (xmlNodePtr child = parent != NULL ? parent->children : NULL; child; child = child->next)
    if (is_element (child, item))
      {
        const char *text = check_text (p, child, what);

        if (text == NULL)
          return NULL;
        g_ptr_array_add (texts, (gpointer) text);
      }
  out = _obd_guide_alloc (p->guide, (texts->len + 1) * sizeof (char *));
  for (guint i = 0; i < texts->len; i++)
    out[i] = g_ptr_array_index (texts, i);
  return out;
}

/* Copies an array into memory the guide owns. */
static gpointer
keep_array (Parser *p,
            GArray *array)
{
  gsize size = (gsize) array->len * g_array_get_element_size (array);
  gpointer copy = _obd_guide_alloc (p->guide, size);

  if (size > 0)
    memcpy (copy, array->data, size);
  return copy;
}

/* Codes -------------------------------------------------------------------- */

static gboolean
parse_code_text (Parser     *p,
                 xmlNodePtr  node,
                 const char *text,
                 guint16    *out)
{
  if (text == NULL || !obd_dtc_parse_code (text, out))
    return fail (p, node_line (node), _("“%s” is not a trouble code such as P0128"),
                 text != NULL ? text : "");
  return TRUE;
}

/* Appends the <code> and <codes> children of node to ranges. */
static gboolean
parse_codes (Parser     *p,
             xmlNodePtr  node,
             GArray     *ranges)
{
  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    {
      ObdGuideCodeRange range;

      if (is_element (child, "code"))
        {
          xmlChar *content = xmlNodeGetContent (child);
          g_autofree char *text = g_strstrip (g_strdup ((const char *) content));

          xmlFree (content);
          if (!parse_code_text (p, child, text, &range.from))
            return FALSE;
          range.to = range.from;
        }
      else if (is_element (child, "codes"))
        {
          g_autofree char *from = attr (child, "from");
          g_autofree char *to = attr (child, "to");

          if (!parse_code_text (p, child, from, &range.from) ||
              !parse_code_text (p, child, to, &range.to))
            return FALSE;
          /* Letter and first digit (bits 15-12) must agree: a range runs
           * within one group of the J2012 numbering. */
          if ((range.from >> 12) != (range.to >> 12) || range.from > range.to)
            return fail (p, node_line (child), _("the codes %s to %s are not a range"), from, to);
        }
      else
        continue;
      g_array_append_val (ranges, range);
    }
  return TRUE;
}

/* Live data ---------------------------------------------------------------- */

static gboolean
resolve_quantity (Parser           *p,
                  xmlNodePtr        node,
                  const char       *pid_attr,
                  const char       *index_attr,
                  const char       *field_attr,
                  ObdGuideQuantity *out)
{
  g_autofree char *name = attr (node, pid_attr);
  g_autofree char *index = index_attr != NULL ? attr (node, index_attr) : NULL;
  g_autofree char *field = field_attr != NULL ? attr (node, field_attr) : NULL;
  const ObdPidInfo *info = name != NULL ? obd_pid_lookup_name (name) : NULL;

  if (info == NULL || info->kind == OBD_PID_KIND_BITMAP)
    return fail (p, node_line (node), _("“%s” is not a PID of live data; use a name such as "
                                        "coolant_temp or a number such as 05"),
                 name != NULL ? name : "");
  out->pid = info->pid;
  out->index = 0;
  if (index != NULL)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (index, 10, 0, 63, &value, NULL))
        return fail (p, node_line (node), _("%s=\"%s\" is not a value index"), index_attr, index);
      out->index = (guint8) value;
    }
  else if (field != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < 64 && !found; i++)
        {
          const ObdValue *value = obd_pid_get_value_info (info->pid, i);

          if (value != NULL && g_strcmp0 (value->key, field) == 0)
            {
              out->index = i;
              found = TRUE;
            }
        }
      if (!found)
        return fail (p, node_line (node), _("PID %s has no value “%s”"), name, field);
    }
  if (obd_pid_get_value_info (out->pid, out->index) == NULL)
    return fail (p, node_line (node), _("PID %s has no value %u"), name, out->index);
  return TRUE;
}

static const struct
{
  const char            *element;
  ObdGuideConditionKind  kind;
} condition_elements[] = {
  { "reaches", OBD_GUIDE_CONDITION_REACHES },
  { "holds", OBD_GUIDE_CONDITION_HOLDS },
  { "stays", OBD_GUIDE_CONDITION_STAYS },
  { "flat", OBD_GUIDE_CONDITION_FLAT },
  { "switches", OBD_GUIDE_CONDITION_SWITCHES },
  { "average", OBD_GUIDE_CONDITION_AVERAGE },
  { "no-gap", OBD_GUIDE_CONDITION_NO_GAP },
};

static gboolean
parse_condition (Parser            *p,
                 xmlNodePtr         node,
                 ObdGuideConditionKind kind,
                 double             time_limit,
                 GPtrArray         *scale_refs,
                 ObdGuideCondition *c)
{
  g_autofree char *add = attr (node, "add");
  g_autofree char *count = attr (node, "count");
  guint line = node_line (node);
  double seconds;

  memset (c, 0, sizeof *c);
  c->kind = kind;
  if (!resolve_quantity (p, node, "pid", "index", "field", &c->quantity) ||
      !number_attr (p, node, "min", &c->min) || !number_attr (p, node, "max", &c->max) ||
      !number_attr (p, node, "for", &seconds) || !number_attr (p, node, "span", &c->span) ||
      !number_attr (p, node, "threshold", &c->threshold) ||
      !number_attr (p, node, "band", &c->band) || !number_attr (p, node, "gap", &c->gap))
    return FALSE;
  c->seconds = isnan (seconds) ? 0.0 : seconds;
  if (add != NULL)
    {
      c->has_add = TRUE;
      if (!resolve_quantity (p, node, "add", "add-index", NULL, &c->add))
        return FALSE;
      if (obd_guide_quantity_get_unit (c->add) != obd_guide_quantity_get_unit (c->quantity))
        return fail (p, line, _("add=\"%s\" has another unit than pid: they cannot be added"),
                     add);
    }

  c->scale_by = intern_attr (p, node, "scale-by");
  if (c->scale_by != NULL)
    {
      PendingTarget *ref = _obd_guide_alloc (p->guide, sizeof *ref);

      ref->target = c->scale_by;
      ref->line = line;
      g_ptr_array_add (scale_refs, ref);
    }

  switch (kind)
    {
    case OBD_GUIDE_CONDITION_REACHES:
    case OBD_GUIDE_CONDITION_HOLDS:
    case OBD_GUIDE_CONDITION_STAYS:
    case OBD_GUIDE_CONDITION_AVERAGE:
      if (isnan (c->min) && isnan (c->max))
        return fail (p, line, _("a range needs min, max or both"));
      if (!isnan (c->min) && !isnan (c->max) && c->min > c->max)
        return fail (p, line, _("min is above max"));
      break;
    case OBD_GUIDE_CONDITION_FLAT:
      if (isnan (c->span) || c->span <= 0)
        return fail (p, line, _("span must be a positive number"));
      break;
    case OBD_GUIDE_CONDITION_SWITCHES:
      {
        guint64 n = 0;

        if (count == NULL || !g_ascii_string_to_unsigned (count, 10, 1, 10000, &n, NULL))
          return fail (p, line, _("count must be a whole number from 1 to 10000"));
        c->count = (guint) n;
        if (isnan (c->band))
          c->band = 0.0;
        if (c->band < 0)
          return fail (p, line, _("band must not be negative"));
        break;
      }
    case OBD_GUIDE_CONDITION_NO_GAP:
      if (isnan (c->gap) || c->gap <= 0)
        return fail (p, line, _("gap must be a positive number of seconds"));
      break;
    default:
      g_assert_not_reached ();
    }

  if (c->seconds > time_limit)
    return fail (p, line, _("for=\"%g\" is longer than the check's time limit (%g s)"),
                 c->seconds, time_limit);
  return TRUE;
}

static void
add_gauge (GArray           *gauges,
           ObdGuideQuantity  q)
{
  for (guint i = 0; i < gauges->len; i++)
    {
      ObdGuideQuantity *have = &g_array_index (gauges, ObdGuideQuantity, i);

      if (have->pid == q.pid && have->index == q.index)
        return;
    }
  g_array_append_val (gauges, q);
}

static gboolean
parse_live_check (Parser       *p,
                  xmlNodePtr    node,
                  ObdGuideStep *step,
                  GPtrArray    *scale_refs)
{
  g_autoptr(GArray) conditions = g_array_new (FALSE, FALSE, sizeof (ObdGuideCondition));
  g_autoptr(GArray) requires = g_array_new (FALSE, FALSE, sizeof (ObdGuideCondition));
  g_autoptr(GArray) gauges = g_array_new (FALSE, FALSE, sizeof (ObdGuideQuantity));
  g_autoptr(GArray) extra = g_array_new (FALSE, FALSE, sizeof (ObdGuideQuantity));
  double settle;

  if (!number_attr (p, node, "time-limit", &step->time_limit) ||
      !number_attr (p, node, "settle", &settle))
    return FALSE;
  step->settle = isnan (settle) ? 0.0 : settle;
  if (isnan (step->time_limit) || step->time_limit <= 0 || step->time_limit > 7200)
    return fail (p, node_line (node), _("time-limit must be from 1 to 7200 seconds"));
  if (step->settle >= step->time_limit)
    return fail (p, node_line (node), _("settle is not shorter than the time limit"));

  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    {
      ObdGuideCondition c;

      if (is_element (child, "require"))
        {
          if (!parse_condition (p, child, OBD_GUIDE_CONDITION_REACHES, step->time_limit,
                                scale_refs, &c))
            return FALSE;
          g_array_append_val (requires, c);
          continue;
        }
      if (is_element (child, "gauge"))
        {
          ObdGuideQuantity q;

          if (!resolve_quantity (p, child, "pid", "index", "field", &q))
            return FALSE;
          g_array_append_val (extra, q);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (condition_elements); i++)
        if (is_element (child, condition_elements[i].element))
          {
            if (!parse_condition (p, child, condition_elements[i].kind, step->time_limit,
                                  scale_refs, &c))
              return FALSE;
            g_array_append_val (conditions, c);
          }
    }
  if (conditions->len == 0)
    return fail (p, node_line (node), _("a live check needs at least one condition"));

  /* The gauges: what decides first, then what must be held, then the
   * extras the author asked for. */
  for (guint i = 0; i < conditions->len; i++)
    {
      const ObdGuideCondition *c = &g_array_index (conditions, ObdGuideCondition, i);

      add_gauge (gauges, c->quantity);
      if (c->has_add)
        add_gauge (gauges, c->add);
    }
  for (guint i = 0; i < requires->len; i++)
    add_gauge (gauges, g_array_index (requires, ObdGuideCondition, i).quantity);
  for (guint i = 0; i < extra->len; i++)
    add_gauge (gauges, g_array_index (extra, ObdGuideQuantity, i));

  step->n_conditions = conditions->len;
  step->conditions = keep_array (p, conditions);
  step->n_requires = requires->len;
  step->requires = keep_array (p, requires);
  step->n_gauges = gauges->len;
  step->gauges = keep_array (p, gauges);
  return TRUE;
}

/* Steps -------------------------------------------------------------------- */

static void
add_branch (Parser     *p,
            GArray     *branches,
            GPtrArray  *targets,
            const char *outcome,
            const char *target,
            guint       line)
{
  ObdGuideBranch branch = { _obd_guide_intern (p->guide, outcome), target };
  PendingTarget *pending = _obd_guide_alloc (p->guide, sizeof *pending);

  g_array_append_val (branches, branch);
  pending->target = target;
  pending->line = line;
  g_ptr_array_add (targets, pending);
}

static gboolean
parse_step (Parser     *p,
            xmlNodePtr  node,
            GPtrArray  *targets,
            GPtrArray  *scale_refs)
{
  ObdGuide *guide = p->guide;
  ObdGuideStep *step = _obd_guide_alloc (guide, sizeof *step);
  g_autoptr(GArray) branches = g_array_new (FALSE, FALSE, sizeof (ObdGuideBranch));
  guint line = node_line (node);
  const char *name = (const char *) node->name;

  step->line = line;
  step->id = intern_attr (p, node, "id");
  step->min = step->max = step->valid_min = step->valid_max = NAN;
  if (step->id == NULL)
    return fail (p, line, _("a step needs an id"));
  if (g_hash_table_contains (guide->steps_by_id, step->id) ||
      g_hash_table_contains (guide->findings_by_id, step->id))
    return fail (p, line, _("the id “%s” is used twice"), step->id);
  if (guide->steps->len >= MAX_STEPS)
    return fail (p, line, _("more than %d steps"), MAX_STEPS);

  step->title = child_text (p, node, "title", _("step title"));
  if (step->title == NULL)
    return fail (p, line, _("a step needs a title"));
  if (first_child (node, "text") != NULL &&
      (step->text = child_text (p, node, "text", _("step text"))) == NULL)
    return FALSE;
  if ((step->tools = (const char * const *) text_list (p, node, "tools", "tool", _("tool"))) == NULL ||
      (step->safety = (const char * const *) text_list (p, node, "safety", "note",
                                                        _("safety note"))) == NULL)
    return FALSE;

  if (g_str_equal (name, "instruction"))
    {
      step->kind = OBD_GUIDE_STEP_INSTRUCTION;
      add_branch (p, branches, targets, "done", intern_attr (p, node, "next"), line);
    }
  else if (g_str_equal (name, "question"))
    {
      g_autoptr(GArray) answers = g_array_new (FALSE, FALSE, sizeof (ObdGuideAnswer));

      step->kind = OBD_GUIDE_STEP_QUESTION;
      for (xmlNodePtr child = node->children; child != NULL; child = child->next)
        {
          ObdGuideAnswer answer;

          if (!is_element (child, "answer"))
            continue;
          answer.value = intern_attr (p, child, "value");
          answer.label = check_text (p, child, _("answer"));
          if (answer.value == NULL || answer.label == NULL)
            return fail (p, node_line (child), _("an answer needs a value and a label"));
          for (guint i = 0; i < answers->len; i++)
            if (g_str_equal (g_array_index (answers, ObdGuideAnswer, i).value, answer.value))
              return fail (p, node_line (child), _("the answer “%s” is given twice"),
                           answer.value);
          g_array_append_val (answers, answer);
          add_branch (p, branches, targets, answer.value, intern_attr (p, child, "next"),
                      node_line (child));
        }
      if (answers->len < 2)
        return fail (p, line, _("a question needs at least two answers"));
      step->n_answers = answers->len;
      step->answers = keep_array (p, answers);
    }
  else if (g_str_equal (name, "measurement"))
    {
      g_autofree char *unit = attr (node, "unit");
      const char *fail_target = intern_attr (p, node, "fail");
      const char *low = intern_attr (p, node, "low");
      const char *high = intern_attr (p, node, "high");

      step->kind = OBD_GUIDE_STEP_MEASUREMENT;
      step->unit_key = _obd_guide_intern (guide, unit);
      if (!_obd_guide_unit_lookup (unit, &step->unit))
        return fail (p, line, _("“%s” is not a unit of measurements"), unit != NULL ? unit : "");
      if (!number_attr (p, node, "min", &step->min) || !number_attr (p, node, "max", &step->max) ||
          !number_attr (p, node, "valid-min", &step->valid_min) ||
          !number_attr (p, node, "valid-max", &step->valid_max))
        return FALSE;
      if (isnan (step->min) && isnan (step->max))
        return fail (p, line, _("a measurement needs min, max or both"));
      if (!isnan (step->min) && !isnan (step->max) && step->min > step->max)
        return fail (p, line, _("min is above max"));
      if (!isnan (step->valid_min) && !isnan (step->valid_max) && step->valid_min >= step->valid_max)
        return fail (p, line, _("valid-min is not below valid-max"));
      step->scale_by = intern_attr (p, node, "scale-by");
      if (step->scale_by != NULL)
        {
          PendingTarget *ref = _obd_guide_alloc (guide, sizeof *ref);

          ref->target = step->scale_by;
          ref->line = line;
          g_ptr_array_add (scale_refs, ref);
        }
      if (low == NULL)
        low = fail_target;
      if (high == NULL)
        high = fail_target;
      add_branch (p, branches, targets, "pass", intern_attr (p, node, "pass"), line);
      if (!isnan (step->min))
        {
          if (low == NULL)
            return fail (p, line, _("a reading below min needs fail or low"));
          add_branch (p, branches, targets, "low", low, line);
        }
      if (!isnan (step->max))
        {
          if (high == NULL)
            return fail (p, line, _("a reading above max needs fail or high"));
          add_branch (p, branches, targets, "high", high, line);
        }
    }
  else if (g_str_equal (name, "live-check"))
    {
      const char *fail_target = intern_attr (p, node, "fail");
      const char *timeout = intern_attr (p, node, "timeout");

      step->kind = OBD_GUIDE_STEP_LIVE_CHECK;
      if (!parse_live_check (p, node, step, scale_refs))
        return FALSE;
      add_branch (p, branches, targets, "pass", intern_attr (p, node, "pass"), line);
      add_branch (p, branches, targets, "fail", fail_target, line);
      add_branch (p, branches, targets, "timeout", timeout != NULL ? timeout : fail_target, line);
    }
  else if (g_str_equal (name, "code-check"))
    {
      g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (ObdGuideCodeRange));
      g_autofree char *kinds = attr (node, "kinds");

      step->kind = OBD_GUIDE_STEP_CODE_CHECK;
      if (!parse_codes (p, node, codes))
        return FALSE;
      if (codes->len == 0)
        return fail (p, line, _("a code check needs at least one code"));
      step->n_codes = codes->len;
      step->codes = keep_array (p, codes);
      if (kinds == NULL)
        step->kinds = 1 << OBD_DTC_KIND_STORED | 1 << OBD_DTC_KIND_PENDING;
      else
        {
          g_auto(GStrv) words = g_strsplit_set (kinds, " \t\r\n", -1);

          for (guint i = 0; words[i] != NULL; i++)
            if (g_str_equal (words[i], "stored"))
              step->kinds |= 1 << OBD_DTC_KIND_STORED;
            else if (g_str_equal (words[i], "pending"))
              step->kinds |= 1 << OBD_DTC_KIND_PENDING;
            else if (g_str_equal (words[i], "permanent"))
              step->kinds |= 1 << OBD_DTC_KIND_PERMANENT;
            else if (*words[i] != '\0')
              return fail (p, line, _("“%s” is not a kind of code"), words[i]);
          if (step->kinds == 0)
            return fail (p, line, _("kinds names no kind of code"));
        }
      add_branch (p, branches, targets, "present", intern_attr (p, node, "present"), line);
      add_branch (p, branches, targets, "absent", intern_attr (p, node, "absent"), line);
    }
  else
    return fail (p, line, _("<%s> is not a step"), name);

  for (guint i = 0; i < branches->len; i++)
    if (g_array_index (branches, ObdGuideBranch, i).target == NULL)
      return fail (p, line, _("step “%s” does not say where “%s” leads"), step->id,
                   g_array_index (branches, ObdGuideBranch, i).outcome);
  step->n_branches = branches->len;
  step->branches = keep_array (p, branches);

  g_ptr_array_add (guide->steps, step);
  g_hash_table_insert (guide->steps_by_id, (gpointer) step->id, step);
  return !p->failed;
}

/* Findings ----------------------------------------------------------------- */

static gboolean
parse_finding (Parser     *p,
               xmlNodePtr  node)
{
  ObdGuide *guide = p->guide;
  ObdGuideFinding *finding = _obd_guide_alloc (guide, sizeof *finding);
  g_autoptr(GArray) repairs = g_array_new (FALSE, FALSE, sizeof (ObdGuideRepair));
  g_autofree char *kind = attr (node, "kind");
  guint line = node_line (node);

  finding->line = line;
  finding->id = intern_attr (p, node, "id");
  if (finding->id == NULL)
    return fail (p, line, _("a finding needs an id"));
  if (g_hash_table_contains (guide->steps_by_id, finding->id) ||
      g_hash_table_contains (guide->findings_by_id, finding->id))
    return fail (p, line, _("the id “%s” is used twice"), finding->id);

  if (g_strcmp0 (kind, "fault") == 0)
    finding->kind = OBD_GUIDE_FINDING_FAULT;
  else if (g_strcmp0 (kind, "no-fault") == 0)
    finding->kind = OBD_GUIDE_FINDING_NO_FAULT;
  else if (g_strcmp0 (kind, "refer") == 0)
    finding->kind = OBD_GUIDE_FINDING_REFER;
  else
    return fail (p, line, _("“%s” is not a kind of finding"), kind != NULL ? kind : "");
  finding->refer_guide = intern_attr (p, node, "guide");
  if (finding->kind == OBD_GUIDE_FINDING_REFER && finding->refer_guide == NULL)
    return fail (p, line, _("a finding that refers needs the guide it refers to"));
  if (g_strcmp0 (finding->refer_guide, guide->id) == 0)
    return fail (p, line, _("a guide cannot refer to itself"));

  finding->title = child_text (p, node, "title", _("finding title"));
  if (finding->title == NULL)
    return fail (p, line, _("a finding needs a title"));
  if (first_child (node, "text") != NULL &&
      (finding->text = child_text (p, node, "text", _("finding text"))) == NULL)
    return FALSE;

  for (xmlNodePtr child = node->children; child != NULL; child = child->next)
    {
      ObdGuideRepair repair;

      if (!is_element (child, "repair"))
        continue;
      if ((repair.title = check_text (p, child, _("repair"))) == NULL ||
          !number_attr (p, child, "hours", &repair.hours) ||
          !number_attr (p, child, "max-hours", &repair.max_hours))
        return FALSE;
      if (isnan (repair.hours) || repair.hours < 0 || repair.hours > 100)
        return fail (p, node_line (child), _("hours must be from 0 to 100"));
      if (!isnan (repair.max_hours) && (repair.max_hours < repair.hours || repair.max_hours > 100))
        return fail (p, node_line (child), _("max-hours must be from hours to 100"));
      g_array_append_val (repairs, repair);
    }
  if (finding->kind == OBD_GUIDE_FINDING_FAULT && repairs->len == 0)
    return fail (p, line, _("a fault finding needs at least one repair"));
  finding->n_repairs = repairs->len;
  finding->repairs = keep_array (p, repairs);

  g_ptr_array_add (guide->findings, finding);
  g_hash_table_insert (guide->findings_by_id, (gpointer) finding->id, finding);
  return TRUE;
}

/* The whole guide ---------------------------------------------------------- */

/* Every step reached from the first, every finding reached, and from
 * every step some finding reachable: no step a mechanic cannot get to,
 * none they cannot get out of. */
static gboolean
check_graph (Parser *p)
{
  ObdGuide *guide = p->guide;
  g_autoptr(GHashTable) reached = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ends = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) queue = g_queue_new ();
  gboolean changed = TRUE;

  g_queue_push_tail (queue, g_ptr_array_index (guide->steps, 0));
  g_hash_table_add (reached, (gpointer) ((ObdGuideStep *) g_ptr_array_index (guide->steps, 0))->id);
  while (!g_queue_is_empty (queue))
    {
      const ObdGuideStep *step = g_queue_pop_head (queue);

      for (guint i = 0; i < step->n_branches; i++)
        {
          const char *target = step->branches[i].target;
          const ObdGuideStep *next = g_hash_table_lookup (guide->steps_by_id, target);

          if (g_hash_table_add (reached, (gpointer) target) && next != NULL)
            g_queue_push_tail (queue, (gpointer) next);
        }
    }

  for (guint i = 0; i < guide->steps->len; i++)
    {
      const ObdGuideStep *step = g_ptr_array_index (guide->steps, i);

      if (!g_hash_table_contains (reached, step->id))
        return fail (p, step->line, _("no step leads to “%s”"), step->id);
    }
  for (guint i = 0; i < guide->findings->len; i++)
    {
      const ObdGuideFinding *finding = g_ptr_array_index (guide->findings, i);

      if (!g_hash_table_contains (reached, finding->id))
        return fail (p, finding->line, _("no step leads to the finding “%s”"), finding->id);
      g_hash_table_add (ends, (gpointer) finding->id);
    }

  while (changed)
    {
      changed = FALSE;
      for (guint i = 0; i < guide->steps->len; i++)
        {
          const ObdGuideStep *step = g_ptr_array_index (guide->steps, i);

          if (g_hash_table_contains (ends, step->id))
            continue;
          for (guint b = 0; b < step->n_branches; b++)
            if (g_hash_table_contains (ends, step->branches[b].target))
              {
                g_hash_table_add (ends, (gpointer) step->id);
                changed = TRUE;
                break;
              }
        }
    }
  for (guint i = 0; i < guide->steps->len; i++)
    {
      const ObdGuideStep *step = g_ptr_array_index (guide->steps, i);

      if (!g_hash_table_contains (ends, step->id))
        return fail (p, step->line, _("from “%s” no path leads to a finding"), step->id);
    }
  return TRUE;
}

static gboolean
build (Parser     *p,
       xmlNodePtr  root)
{
  ObdGuide *guide = p->guide;
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();
  g_autoptr(GPtrArray) scale_refs = g_ptr_array_new ();
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (ObdGuideCodeRange));
  g_autoptr(GPtrArray) symptom_list = g_ptr_array_new ();
  g_autofree char *version = attr (root, "version");
  xmlNodePtr applies = first_child (root, "applies-to");
  xmlNodePtr steps = first_child (root, "steps");
  xmlNodePtr findings = first_child (root, "findings");
  guint64 number = 0;

  guide->id = intern_attr (p, root, "id");
  if (guide->id == NULL)
    return fail (p, node_line (root), _("a guide needs an id"));
  if (version == NULL || !g_ascii_string_to_unsigned (version, 10, 1, G_MAXINT, &number, NULL))
    return fail (p, node_line (root), _("a guide needs a version, a whole number from 1"));
  guide->version = (int) number;
  if ((guide->title = child_text (p, root, "title", _("title"))) == NULL ||
      (guide->summary = child_text (p, root, "summary", _("summary"))) == NULL)
    return fail (p, node_line (root), _("a guide needs a title and a summary"));
  if ((guide->tools = text_list (p, root, "tools", "tool", _("tool"))) == NULL ||
      (guide->safety = text_list (p, root, "safety", "note", _("safety note"))) == NULL)
    return FALSE;

  if (applies == NULL || steps == NULL || findings == NULL)
    return fail (p, node_line (root), _("a guide needs applies-to, steps and findings"));
  if (!parse_codes (p, applies, codes))
    return FALSE;
  for (xmlNodePtr child = applies->children; child != NULL; child = child->next)
    if (is_element (child, "symptom"))
      {
        const char *key = check_text (p, child, _("symptom"));

        if (key == NULL)
          return FALSE;
        if (obd_guide_find_symptom (key) == NULL)
          return fail (p, node_line (child), _("“%s” is not a known symptom"), key);
        g_ptr_array_add (symptom_list, (gpointer) key);
      }
  if (codes->len == 0 && symptom_list->len == 0)
    return fail (p, node_line (applies), _("a guide applies to at least one code or symptom"));
  guide->n_codes = codes->len;
  guide->codes = keep_array (p, codes);
  guide->symptoms = _obd_guide_alloc (guide, (symptom_list->len + 1) * sizeof (char *));
  for (guint i = 0; i < symptom_list->len; i++)
    guide->symptoms[i] = g_ptr_array_index (symptom_list, i);

  /* Findings first, so that ids are checked across both. */
  for (xmlNodePtr child = findings->children; child != NULL; child = child->next)
    if (is_element (child, NULL) && !parse_finding (p, child))
      return FALSE;
  for (xmlNodePtr child = steps->children; child != NULL; child = child->next)
    if (is_element (child, NULL) && !parse_step (p, child, targets, scale_refs))
      return FALSE;
  if (guide->steps->len == 0 || guide->findings->len == 0)
    return fail (p, node_line (root), _("a guide needs at least one step and one finding"));

  for (guint i = 0; i < targets->len; i++)
    {
      const PendingTarget *t = g_ptr_array_index (targets, i);

      if (!g_hash_table_contains (guide->steps_by_id, t->target) &&
          !g_hash_table_contains (guide->findings_by_id, t->target))
        return fail (p, t->line, _("“%s” is neither a step nor a finding of this guide"),
                     t->target);
    }
  for (guint i = 0; i < scale_refs->len; i++)
    {
      const PendingTarget *t = g_ptr_array_index (scale_refs, i);
      const ObdGuideStep *ref = g_hash_table_lookup (guide->steps_by_id, t->target);

      if (ref == NULL || ref->kind != OBD_GUIDE_STEP_MEASUREMENT)
        return fail (p, t->line, _("scale-by=\"%s\" is not a measurement step"), t->target);
    }
  return check_graph (p);
}

gboolean
_obd_guide_parse (ObdGuide    *self,
                  const char  *data,
                  gsize        len,
                  GError     **error)
{
  Parser p = { .guide = self, .error = error };
  xmlParserCtxtPtr ctxt = NULL;
  xmlDocPtr doc = NULL;
  xmlRelaxNGPtr rng;
  gboolean ok = FALSE;

  if (len > MAX_GUIDE_BYTES)
    return fail (&p, 1, _("the file is larger than a guide can be"));
  if (!g_utf8_validate (data, (gssize) len, NULL) || memchr (data, '\0', len) != NULL)
    return fail (&p, 1, _("the file is not UTF-8 text"));

  rng = load_schema ();
  if (rng == NULL)
    {
      g_set_error (error, OBD_GUIDE_ERROR, OBD_GUIDE_ERROR_FAILED,
                   _("The guide schema could not be loaded; the installation is damaged."));
      return FALSE;
    }

  /* libxml2 reports through globals of the calling thread; keep them
   * quiet, errors are read from the context. */
  xmlSetGenericErrorFunc (NULL, on_silent);
  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    return fail (&p, 1, _("out of memory"));
  {
    xmlError first = { 0 };

    xmlSetStructuredErrorFunc (&first, on_parse_error);
    doc = xmlCtxtReadMemory (ctxt, data, (int) len, self->filename, "UTF-8",
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                             XML_PARSE_BIG_LINES);
    xmlSetStructuredErrorFunc (NULL, NULL);
    if (doc == NULL || first.code != 0)
      {
        const xmlError *e = first.code != 0 ? &first : xmlCtxtGetLastError (ctxt);
        g_autofree char *message = xml_message (e);

        fail (&p, e != NULL && e->line > 0 ? (guint) e->line : 1, "%s", message);
        g_free (first.message);
        goto out;
      }
  }
  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      /* Entities are a way to make a small file expand without bound. */
      fail (&p, 1, _("a DOCTYPE is not allowed in a guide"));
      goto out;
    }

  g_mutex_lock (&schema_lock);
  {
    xmlRelaxNGValidCtxtPtr valid = xmlRelaxNGNewValidCtxt (rng);

    xmlRelaxNGSetValidStructuredErrors (valid, on_schema_error, &p);
    if (xmlRelaxNGValidateDoc (valid, doc) != 0)
      fail (&p, 1, _("the file does not follow the guide schema"));
    xmlRelaxNGFreeValidCtxt (valid);
  }
  g_mutex_unlock (&schema_lock);
  if (p.failed)
    goto out;

  ok = build (&p, xmlDocGetRootElement (doc));

out:
  if (doc != NULL)
    xmlFreeDoc (doc);
  xmlFreeParserCtxt (ctxt);
  return ok && !p.failed;
}
