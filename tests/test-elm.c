/* test-elm.c — the ELM327 line protocol parser, driven by transcripts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file in tests/data/elm/ is one case: lines of "key: value", '#'
 * starts a comment.
 *
 *   mode: obd | at          obd_elm_parse_response (default) or _parse_at_reply
 *   command: 010C 1         the command sent (omit: unknown)
 *   protocol: 6             as AT DPN reports it
 *   headers: yes | no       AT H1 sent
 *   reply: ...              the bytes from the adapter; several reply lines
 *                           are concatenated; escapes \r \n \t \\ \xHH
 *   result: ok | invalid | need-more
 *   error: NO_DATA          the OBD_PROTOCOL_ERROR code (without prefix)
 *   error-contains: text    a part of the error message
 *   message: 7E8 41 0C ..   an expected message: ECU (hex, '-' for 0), data;
 *                           in order, among those with a good checksum
 *   message-bad: 1A 41 ..   an expected message whose checksum failed
 *   searching / bus-init / stopped: yes    response flags (default no)
 *   text: ELM327 v1.5       the expected AT reply text (escapes as above)
 */
#define G_LOG_DOMAIN "test-elm"
#include "config.h"

#include <string.h>

#include <glib.h>

#include "obd-elm.h"
#include "obd-error.h"
#include "obd-types.h"

typedef struct
{
  guint32  ecu;
  GBytes  *data;
} ExpectedMessage;

typedef struct
{
  char        *name;
  gboolean     at_mode;
  char        *command;
  ObdProtocol  protocol;
  gboolean     headers;
  GByteArray  *reply;
  char        *result;
  char        *error;
  char        *error_contains;
  GPtrArray   *messages;      /* of ExpectedMessage* */
  GPtrArray   *bad_messages;  /* of ExpectedMessage* */
  gboolean     searching;
  gboolean     bus_init;
  gboolean     stopped;
  char        *text;
} Transcript;

static void
expected_message_free (ExpectedMessage *m)
{
  g_bytes_unref (m->data);
  g_free (m);
}

static void
transcript_free (Transcript *t)
{
  g_free (t->name);
  g_free (t->command);
  g_byte_array_unref (t->reply);
  g_free (t->result);
  g_free (t->error);
  g_free (t->error_contains);
  g_ptr_array_unref (t->messages);
  g_ptr_array_unref (t->bad_messages);
  g_free (t->text);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transcript, transcript_free)

static const struct
{
  const char           *name;
  ObdProtocolErrorCode  code;
} error_names[] = {
  { "FAILED",            OBD_PROTOCOL_ERROR_FAILED },
  { "UNKNOWN_COMMAND",   OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND },
  { "NO_DATA",           OBD_PROTOCOL_ERROR_NO_DATA },
  { "UNABLE_TO_CONNECT", OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT },
  { "BUS_INIT",          OBD_PROTOCOL_ERROR_BUS_INIT },
  { "BUS_BUSY",          OBD_PROTOCOL_ERROR_BUS_BUSY },
  { "BUS_ERROR",         OBD_PROTOCOL_ERROR_BUS_ERROR },
  { "FB_ERROR",          OBD_PROTOCOL_ERROR_FB_ERROR },
  { "CAN_ERROR",         OBD_PROTOCOL_ERROR_CAN_ERROR },
  { "DATA_ERROR",        OBD_PROTOCOL_ERROR_DATA_ERROR },
  { "RX_ERROR",          OBD_PROTOCOL_ERROR_RX_ERROR },
  { "BUFFER_FULL",       OBD_PROTOCOL_ERROR_BUFFER_FULL },
  { "STOPPED",           OBD_PROTOCOL_ERROR_STOPPED },
  { "INTERNAL",          OBD_PROTOCOL_ERROR_INTERNAL },
  { "LOW_VOLTAGE_RESET", OBD_PROTOCOL_ERROR_LOW_VOLTAGE_RESET },
  { "ACTIVITY_ALERT",    OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
  { "NEGATIVE_RESPONSE", OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE },
  { "MALFORMED",         OBD_PROTOCOL_ERROR_MALFORMED },
  { "UNSUPPORTED",       OBD_PROTOCOL_ERROR_UNSUPPORTED },
};

static int
error_code_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_names); i++)
    if (g_strcmp0 (name, error_names[i].name) == 0)
      return error_names[i].code;
  g_error ("unknown error name %s", name);
}

static GByteArray *
unescape (const char *s)
{
  GByteArray *out = g_byte_array_new ();

  while (*s)
    {
      guint8 c = (guint8) *s++;

      if (c == '\\')
        {
          char e = *s++;

          switch (e)
            {
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '\\': c = '\\'; break;
            case 'x':
              g_assert_true (g_ascii_isxdigit (s[0]) && g_ascii_isxdigit (s[1]));
              c = (guint8) (g_ascii_xdigit_value (s[0]) << 4 | g_ascii_xdigit_value (s[1]));
              s += 2;
              break;
            default:
              g_error ("bad escape \\%c", e);
            }
        }
      g_byte_array_append (out, &c, 1);
    }
  return out;
}

static ExpectedMessage *
parse_expected_message (const char *spec)
{
  g_auto(GStrv) tokens = g_strsplit_set (spec, " ", -1);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  ExpectedMessage *m = g_new0 (ExpectedMessage, 1);

  g_assert_nonnull (tokens[0]);
  m->ecu = strcmp (tokens[0], "-") == 0 ? 0 : (guint32) g_ascii_strtoull (tokens[0], NULL, 16);
  for (guint i = 1; tokens[i] != NULL; i++)
    {
      guint8 b;

      if (tokens[i][0] == '\0')
        continue;
      g_assert_cmpuint (strlen (tokens[i]), ==, 2);
      b = (guint8) g_ascii_strtoull (tokens[i], NULL, 16);
      g_byte_array_append (data, &b, 1);
    }
  m->data = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return m;
}

/* g_set_str() is GLib 2.76 */
static void
set_str (char       **dest,
         const char  *value)
{
  g_free (*dest);
  *dest = g_strdup (value);
}

static gboolean
parse_yes (const char *value)
{
  g_assert_true (g_str_equal (value, "yes") || g_str_equal (value, "no"));
  return g_str_equal (value, "yes");
}

static Transcript *
transcript_load (const char *path)
{
  g_autoptr(Transcript) t = g_new0 (Transcript, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *base = g_path_get_basename (path);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  t->name = g_strndup (base, strlen (base) - strlen (".txt"));
  t->reply = g_byte_array_new ();
  t->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) expected_message_free);
  t->bad_messages = g_ptr_array_new_with_free_func ((GDestroyNotify) expected_message_free);
  t->protocol = OBD_PROTOCOL_AUTO;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *colon;
      g_autofree char *key = NULL;
      const char *value;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      colon = strchr (line, ':');
      g_assert_nonnull (colon);
      key = g_strndup (line, colon - line);
      value = colon[1] == ' ' ? colon + 2 : colon + 1;

      if (g_str_equal (key, "mode"))
        t->at_mode = g_str_equal (value, "at");
      else if (g_str_equal (key, "command"))
        set_str (&t->command, value);
      else if (g_str_equal (key, "protocol"))
        g_assert_true (obd_protocol_parse (value, &t->protocol, NULL));
      else if (g_str_equal (key, "headers"))
        t->headers = parse_yes (value);
      else if (g_str_equal (key, "reply"))
        {
          g_autoptr(GByteArray) bytes = unescape (value);
          g_byte_array_append (t->reply, bytes->data, bytes->len);
        }
      else if (g_str_equal (key, "result"))
        set_str (&t->result, value);
      else if (g_str_equal (key, "error"))
        set_str (&t->error, value);
      else if (g_str_equal (key, "error-contains"))
        set_str (&t->error_contains, value);
      else if (g_str_equal (key, "message"))
        g_ptr_array_add (t->messages, parse_expected_message (value));
      else if (g_str_equal (key, "message-bad"))
        g_ptr_array_add (t->bad_messages, parse_expected_message (value));
      else if (g_str_equal (key, "searching"))
        t->searching = parse_yes (value);
      else if (g_str_equal (key, "bus-init"))
        t->bus_init = parse_yes (value);
      else if (g_str_equal (key, "stopped"))
        t->stopped = parse_yes (value);
      else if (g_str_equal (key, "text"))
        {
          g_autoptr(GByteArray) bytes = unescape (value);
          t->text = g_strndup ((const char *) bytes->data, bytes->len);
        }
      else
        g_error ("%s: unknown key %s", path, key);
    }

  g_assert_nonnull (t->result);
  return g_steal_pointer (&t);
}

static char *
data_dir (void)
{
  return g_strdup (TEST_DATA_DIR G_DIR_SEPARATOR_S "elm");
}

static void
assert_message (const ObdMessage      *msg,
                const ExpectedMessage *expected)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (expected->data, &len);

  g_assert_cmphex (msg->ecu, ==, expected->ecu);
  g_assert_cmpmem (msg->data, msg->len, data, len);
}

static void
check_response (const Transcript  *t,
                const ObdResponse *resp)
{
  guint good = 0;
  guint bad = 0;

  g_assert_nonnull (resp->raw);
  g_assert_cmpint (resp->searching, ==, t->searching);
  g_assert_cmpint (resp->bus_init, ==, t->bus_init);
  g_assert_cmpint (resp->stopped, ==, t->stopped);

  for (guint i = 0; i < resp->messages->len; i++)
    {
      const ObdMessage *msg = g_ptr_array_index (resp->messages, i);

      if (msg->checksum_ok)
        {
          g_assert_cmpuint (good, <, t->messages->len);
          assert_message (msg, g_ptr_array_index (t->messages, good));
          good++;
        }
      else
        {
          g_assert_cmpuint (bad, <, t->bad_messages->len);
          assert_message (msg, g_ptr_array_index (t->bad_messages, bad));
          bad++;
        }
    }
  g_assert_cmpuint (good, ==, t->messages->len);
  g_assert_cmpuint (bad, ==, t->bad_messages->len);

  /* Every good message is found by its ECU and service byte; a damaged one
   * never is. */
  for (guint i = 0; i < t->messages->len; i++)
    {
      const ExpectedMessage *e = g_ptr_array_index (t->messages, i);
      const guint8 *data = g_bytes_get_data (e->data, NULL);
      const ObdMessage *found = obd_response_find (resp, e->ecu, data[0]);

      g_assert_nonnull (found);
      g_assert_cmphex (found->ecu, ==, e->ecu);
      g_assert_true (found->checksum_ok);
    }
  for (guint i = 0; i < t->bad_messages->len; i++)
    {
      const ExpectedMessage *e = g_ptr_array_index (t->bad_messages, i);
      const guint8 *data = g_bytes_get_data (e->data, NULL);

      g_assert_null (obd_response_find (resp, e->ecu, data[0]));
    }
}

static void
check_error (const Transcript *t,
             const GError     *error)
{
  g_assert_nonnull (t->error);
  g_assert_error (error, OBD_PROTOCOL_ERROR, error_code_from_name (t->error));
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 20);
  if (t->error_contains != NULL && strstr (error->message, t->error_contains) == NULL)
    g_error ("%s: error \"%s\" does not contain \"%s\"", t->name, error->message,
             t->error_contains);
}

static void
run_obd_transcript (const Transcript *t)
{
  ObdElmParseOptions options = { t->protocol, t->headers, t->command };
  g_autoptr(ObdResponse) resp = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = (const char *) t->reply->data;
  gsize len = t->reply->len;
  gsize prompt = obd_elm_find_prompt (text, len);
  ObdElmParseResult result;

  result = obd_elm_parse_response (text, len, &options, &resp, &error);

  if (g_str_equal (t->result, "need-more"))
    {
      g_assert_cmpint (result, ==, OBD_ELM_PARSE_NEED_MORE);
      g_assert_no_error (error);
      g_assert_null (resp);
      g_assert_cmpuint (prompt, ==, 0);
      return;
    }

  g_assert_cmpuint (prompt, >, 0);

  /* Streaming: every prefix without the prompt asks for more. */
  for (gsize i = 0; i < prompt; i++)
    {
      g_autoptr(ObdResponse) partial = NULL;
      g_autoptr(GError) partial_error = NULL;

      g_assert_cmpint (obd_elm_parse_response (text, i, &options, &partial, &partial_error),
                       ==, OBD_ELM_PARSE_NEED_MORE);
      g_assert_no_error (partial_error);
      g_assert_null (partial);
    }

  if (g_str_equal (t->result, "ok"))
    {
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, OBD_ELM_PARSE_OK);
      g_assert_nonnull (resp);
      check_response (t, resp);
    }
  else
    {
      g_assert_cmpstr (t->result, ==, "invalid");
      g_assert_cmpint (result, ==, OBD_ELM_PARSE_INVALID);
      g_assert_null (resp);
      check_error (t, error);
    }

  /* Bytes after the prompt (the start of the next reply) change nothing. */
  {
    g_autoptr(GByteArray) more = g_byte_array_new ();
    g_autoptr(ObdResponse) resp2 = NULL;
    g_autoptr(GError) error2 = NULL;

    g_byte_array_append (more, t->reply->data, prompt);
    g_byte_array_append (more, (const guint8 *) "7E9 02 41 00\r>", 14);
    g_assert_cmpint (obd_elm_parse_response ((const char *) more->data, more->len, &options,
                                             &resp2, &error2), ==, result);
    if (result == OBD_ELM_PARSE_OK)
      check_response (t, resp2);
    else
      check_error (t, error2);
  }
}

static void
run_at_transcript (const Transcript *t)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = obd_elm_parse_at_reply ((const char *) t->reply->data, t->reply->len, t->command,
                                 &error);
  if (g_str_equal (t->result, "ok"))
    {
      g_assert_no_error (error);
      g_assert_cmpstr (text, ==, t->text);
    }
  else
    {
      g_assert_null (text);
      check_error (t, error);
    }
}

static void
test_transcript (gconstpointer data)
{
  g_autoptr(Transcript) t = transcript_load (data);

  if (t->at_mode)
    run_at_transcript (t);
  else
    run_obd_transcript (t);
}

/* Every case the parser must handle has a transcript. */
static void
test_coverage (void)
{
  g_autofree char *dir_path = data_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  g_autoptr(GHashTable) errors = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) protocols = g_hash_table_new (NULL, NULL);
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(Transcript) t = NULL;

      if (!g_str_has_suffix (name, ".txt"))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      t = transcript_load (path);
      n++;
      if (t->error)
        g_hash_table_add (errors, GINT_TO_POINTER (error_code_from_name (t->error)));
      if (!t->at_mode && g_str_equal (t->result, "ok"))
        g_hash_table_add (protocols, GINT_TO_POINTER (t->protocol));
    }

  g_assert_cmpuint (n, >=, 80);
  for (int code = OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND;
       code <= OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE; code++)
    {
      if (!g_hash_table_contains (errors, GINT_TO_POINTER (code)))
        g_error ("no transcript for error code %d", code);
    }
  g_assert_true (g_hash_table_contains (errors, GINT_TO_POINTER (OBD_PROTOCOL_ERROR_MALFORMED)));
  for (int p = OBD_PROTOCOL_AUTO; p <= OBD_PROTOCOL_CAN_29BIT_250K; p++)
    {
      if (p == OBD_PROTOCOL_CAN_11BIT_250K)
        continue; /* formatted exactly like CAN 11/500 */
      if (!g_hash_table_contains (protocols, GINT_TO_POINTER (p)))
        g_error ("no successful transcript for protocol %d", p);
    }
}

static void
test_format (void)
{
  static const guint8 pids[] = { 0x0C, 0x0D, 0x05, 0x11, 0x04, 0x10 };
  static const guint8 one = 0x0C;
  static const guint8 vin = 0x02;
  char *s;

  s = obd_elm_format_request (0x01, &one, 1, 0);
  g_assert_cmpstr (s, ==, "010C");
  g_free (s);

  s = obd_elm_format_request (0x01, pids, 2, 1);
  g_assert_cmpstr (s, ==, "010C0D 1");
  g_free (s);

  s = obd_elm_format_request (0x01, pids, 6, 15);
  g_assert_cmpstr (s, ==, "010C0D05110410 F");
  g_free (s);

  s = obd_elm_format_request (0x03, NULL, 0, 0);
  g_assert_cmpstr (s, ==, "03");
  g_free (s);

  s = obd_elm_format_request (0x09, &vin, 1, 1);
  g_assert_cmpstr (s, ==, "0902 1");
  g_free (s);

  s = obd_elm_format_request (0x01, pids, 3, 10);
  g_assert_cmpstr (s, ==, "010C0D05 A");
  g_free (s);
}

static void
test_format_guards (void)
{
  static const guint8 pids[7] = { 0 };

  g_test_expect_message ("obd", G_LOG_LEVEL_CRITICAL, "*n_pids <= 6*");
  g_assert_null (obd_elm_format_request (0x01, pids, 7, 0));
  g_test_assert_expected_messages ();

  g_test_expect_message ("obd", G_LOG_LEVEL_CRITICAL, "*response_count <= 15*");
  g_assert_null (obd_elm_format_request (0x01, pids, 1, 16));
  g_test_assert_expected_messages ();
}

static void
test_find_prompt (void)
{
  g_assert_cmpuint (obd_elm_find_prompt ("", 0), ==, 0);
  g_assert_cmpuint (obd_elm_find_prompt ("41 0C", 5), ==, 0);
  g_assert_cmpuint (obd_elm_find_prompt ("41 0C\r\r>", 8), ==, 8);
  g_assert_cmpuint (obd_elm_find_prompt ("OK\r\r>ATZ\r>", 10), ==, 5);
  /* the length bounds the search: a '>' past it does not count */
  g_assert_cmpuint (obd_elm_find_prompt ("OK\r\r>", 4), ==, 0);
  g_assert_cmpuint (obd_elm_find_prompt ("\0\0>", 3), ==, 3);
}

/* Bytes arriving one at a time, as from a slow serial line. */
static void
test_streaming (void)
{
  static const char reply[] =
    "0902\r7E8 10 14 49 02 01 31 44 34\r7E8 21 47 50 30 30 52 35 35\r"
    "7E8 22 42 31 32 33 34 35 36\r\r>";
  ObdElmParseOptions options = { OBD_PROTOCOL_CAN_11BIT_500K, TRUE, "0902" };
  g_autoptr(GString) buf = g_string_new (NULL);
  g_autoptr(ObdResponse) resp = NULL;
  g_autoptr(GError) error = NULL;
  ObdElmParseResult result = OBD_ELM_PARSE_NEED_MORE;
  const ObdMessage *msg;

  for (gsize i = 0; i < strlen (reply); i++)
    {
      g_assert_cmpint (result, ==, OBD_ELM_PARSE_NEED_MORE);
      g_string_append_c (buf, reply[i]);
      g_assert_cmpuint (obd_elm_find_prompt (buf->str, buf->len), ==,
                        i + 1 == strlen (reply) ? buf->len : 0);
      result = obd_elm_parse_response (buf->str, buf->len, &options, &resp, &error);
      g_assert_no_error (error);
    }

  g_assert_cmpint (result, ==, OBD_ELM_PARSE_OK);
  g_assert_nonnull (resp);
  g_assert_cmpuint (resp->messages->len, ==, 1);
  msg = obd_response_find (resp, 0x7E8, 0x49);
  g_assert_nonnull (msg);
  g_assert_cmpuint (msg->len, ==, 20);
  g_assert_cmpmem (msg->data + 3, 17, "1D4GP00R55B123456", 17);
  g_assert_cmpstr (resp->raw, ==, reply);
}

/* Parses reply as the answer to service/pids from ecus; returns the result
 * and how many frames and messages were discarded. */
static ObdElmParseResult
parse_asked (const char     *reply,
             ObdProtocol     protocol,
             guint8          service,
             const guint8   *pids,
             gsize           n_pids,
             const guint32  *ecus,
             gsize           n_ecus,
             ObdResponse   **out_response,
             guint          *out_discarded,
             GError        **error)
{
  ObdElmParseOptions options = { protocol, TRUE, NULL, service, pids, n_pids, ecus, n_ecus,
                                 out_discarded };

  *out_discarded = 0;
  return obd_elm_parse_response (reply, strlen (reply), &options, out_response, error);
}

/* What does not answer the request is discarded, counted, never decoded:
 * late and doubled replies, bus traffic, modules nobody asked. */
static void
test_unasked (void)
{
  static const guint8 rpm[] = { 0x0C };
  static const guint8 vin[] = { 0x02 };
  static const guint32 engine[] = { 0x7E8 };
  guint discarded = 0;

  {
    /* A late reply to 010D in front of the answer to 010C. */
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (parse_asked ("7E8 03 41 0D 00\r7E8 04 41 0C 1A F8\r\r>",
                                  OBD_PROTOCOL_CAN_11BIT_500K, 0x01, rpm, 1, NULL, 0,
                                  &resp, &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (resp->messages->len, ==, 1);
    g_assert_nonnull (obd_response_find (resp, 0x7E8, 0x41));
    g_assert_cmpuint (((ObdMessage *) resp->messages->pdata[0])->data[1], ==, 0x0C);
    g_assert_cmpuint (discarded, ==, 1);
  }

  {
    /* Only the late reply: nothing answers, and that is not "NO DATA". */
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (parse_asked ("7E803410D00\r\r>", OBD_PROTOCOL_CAN_11BIT_500K, 0x01,
                                  rpm, 1, NULL, 0, &resp, &discarded, &error),
                     ==, OBD_ELM_PARSE_INVALID);
    g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MISMATCH);
    g_assert_null (resp);
    g_assert_cmpuint (discarded, ==, 1);
  }

  {
    /* A refusal of another service is not a refusal of this one. */
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (parse_asked ("7E8 03 7F 10 11\r\r>", OBD_PROTOCOL_CAN_11BIT_500K, 0x01,
                                  rpm, 1, NULL, 0, &resp, &discarded, &error),
                     ==, OBD_ELM_PARSE_INVALID);
    g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_MISMATCH);
    g_clear_error (&error);
    g_assert_cmpint (parse_asked ("7E8 03 7F 01 12\r\r>", OBD_PROTOCOL_CAN_11BIT_500K, 0x01,
                                  rpm, 1, NULL, 0, &resp, &discarded, &error),
                     ==, OBD_ELM_PARSE_INVALID);
    g_assert_error (error, OBD_PROTOCOL_ERROR, OBD_PROTOCOL_ERROR_NEGATIVE_RESPONSE);
    g_assert_cmpuint (discarded, ==, 0);
  }

  {
    /* A bus flood: two thousand frames from addresses that are not OBD
     * responders, each looking like an answer, around the real one. */
    g_autoptr(GString) reply = g_string_new (NULL);
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < 1000; i++)
      g_string_append (reply, "7FF 06 41 0C BE 1F A8 13\r18 FE F1 00 04 41 0C 00 01\r");
    g_string_append (reply, "7E8 04 41 0C 1A F8\r7E9 04 41 0C 00 00\r\r>");
    g_assert_cmpint (parse_asked (reply->str, OBD_PROTOCOL_AUTO, 0x01, rpm, 1, NULL, 0,
                                  &resp, &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (resp->messages->len, ==, 2);
    g_assert_cmpuint (discarded, ==, 2000);
    g_clear_pointer (&resp, obd_response_free);

    /* Asking the engine computer alone: the other ECU is not asked. */
    g_assert_cmpint (parse_asked (reply->str, OBD_PROTOCOL_CAN_11BIT_500K, 0x01, rpm, 1,
                                  engine, 1, &resp, &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_cmpuint (resp->messages->len, ==, 1);
    g_assert_nonnull (obd_response_find (resp, 0x7E8, 0x41));
    g_assert_cmpuint (discarded, ==, 2001);
  }

  {
    /* 29-bit and legacy responders are accepted; another info type not. */
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (parse_asked ("18 DA F1 10 03 41 0C 0A\r18 DA F1 10 03 41 0D 00\r\r>",
                                  OBD_PROTOCOL_CAN_29BIT_500K, 0x01, rpm, 1, NULL, 0, &resp,
                                  &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_cmpuint (resp->messages->len, ==, 1);
    g_assert_cmpuint (discarded, ==, 1);
    g_clear_pointer (&resp, obd_response_free);

    g_assert_cmpint (parse_asked ("48 6B 10 49 02 01 00 00 00 31 40\r"
                                  "48 6B 10 49 04 01 00 00 00 31 42\r\r>",
                                  OBD_PROTOCOL_ISO_9141_2, 0x09, vin, 1, NULL, 0, &resp,
                                  &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_no_error (error);
    g_assert_cmpuint (resp->messages->len, ==, 1);
    g_assert_cmpuint (discarded, ==, 1);
  }

  {
    /* At most OBD_ELM_MAX_MESSAGES messages from one reply. */
    g_autoptr(GString) reply = g_string_new (NULL);
    g_autoptr(ObdResponse) resp = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < 100; i++)
      g_string_append (reply, "41 0C 1A F8\r");
    g_string_append (reply, "\r>");
    g_assert_cmpint (parse_asked (reply->str, OBD_PROTOCOL_CAN_11BIT_500K, 0x01, rpm, 1, NULL,
                                  0, &resp, &discarded, &error), ==, OBD_ELM_PARSE_OK);
    g_assert_cmpuint (resp->messages->len, ==, OBD_ELM_MAX_MESSAGES);
    g_assert_cmpuint (discarded, ==, 100 - OBD_ELM_MAX_MESSAGES);
  }
}

static void
test_null_options (void)
{
  static const char reply[] = "41 0C 1A F8\r\r>";
  g_autoptr(ObdResponse) resp = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (obd_elm_parse_response (reply, strlen (reply), NULL, &resp, &error), ==,
                   OBD_ELM_PARSE_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (resp->messages->len, ==, 1);
  g_assert_nonnull (obd_response_find (resp, 0, 0x41));
}

static void
test_line_is_error (void)
{
  static const struct
  {
    const char           *line;
    gboolean              is_error;
    ObdProtocolErrorCode  code;
  } cases[] = {
    { "?",                     TRUE,  OBD_PROTOCOL_ERROR_UNKNOWN_COMMAND },
    { "NO DATA",               TRUE,  OBD_PROTOCOL_ERROR_NO_DATA },
    { "NODATA",                TRUE,  OBD_PROTOCOL_ERROR_NO_DATA },
    { "  NO DATA\r",           TRUE,  OBD_PROTOCOL_ERROR_NO_DATA },
    { "UNABLE TO CONNECT",     TRUE,  OBD_PROTOCOL_ERROR_UNABLE_TO_CONNECT },
    { "BUS INIT: ...ERROR",    TRUE,  OBD_PROTOCOL_ERROR_BUS_INIT },
    { "BUS INIT: ERROR",       TRUE,  OBD_PROTOCOL_ERROR_BUS_INIT },
    { "BUS BUSY",              TRUE,  OBD_PROTOCOL_ERROR_BUS_BUSY },
    { "BUS ERROR",             TRUE,  OBD_PROTOCOL_ERROR_BUS_ERROR },
    { "FB ERROR",              TRUE,  OBD_PROTOCOL_ERROR_FB_ERROR },
    { "CAN ERROR",             TRUE,  OBD_PROTOCOL_ERROR_CAN_ERROR },
    { "DATA ERROR",            TRUE,  OBD_PROTOCOL_ERROR_DATA_ERROR },
    { "<DATA ERROR",           TRUE,  OBD_PROTOCOL_ERROR_DATA_ERROR },
    { "<RX ERROR",             TRUE,  OBD_PROTOCOL_ERROR_RX_ERROR },
    { "BUFFER FULL",           TRUE,  OBD_PROTOCOL_ERROR_BUFFER_FULL },
    { "STOPPED",               TRUE,  OBD_PROTOCOL_ERROR_STOPPED },
    { "ERR94",                 TRUE,  OBD_PROTOCOL_ERROR_INTERNAL },
    { "ERR71",                 TRUE,  OBD_PROTOCOL_ERROR_INTERNAL },
    { "LV RESET",              TRUE,  OBD_PROTOCOL_ERROR_LOW_VOLTAGE_RESET },
    { "ACT ALERT",             TRUE,  OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "!ACT ALERT",            TRUE,  OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "LP ALERT",              TRUE,  OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "!LP ALERT",             TRUE,  OBD_PROTOCOL_ERROR_ACTIVITY_ALERT },
    { "",                      FALSE, 0 },
    { "OK",                    FALSE, 0 },
    { "ELM327 v1.5",           FALSE, 0 },
    { "41 0C 1A F8",           FALSE, 0 },
    { "SEARCHING...",          FALSE, 0 },
    { "BUS INIT: ...OK",       FALSE, 0 },
    { "ERR",                   FALSE, 0 },
    { "ERROR",                 FALSE, 0 },
    { "NO DATA AT ALL",        FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObdProtocolErrorCode code = OBD_PROTOCOL_ERROR_FAILED;
      gboolean is_error = obd_elm_line_is_error (cases[i].line, &code);

      g_test_message ("line \"%s\"", cases[i].line);
      g_assert_cmpint (is_error, ==, cases[i].is_error);
      if (is_error)
        g_assert_cmpint (code, ==, cases[i].code);
    }

  g_assert_true (obd_elm_line_is_error ("NO DATA", NULL));
}

static void
test_nrc (void)
{
  static const guint8 known[] = { 0x10, 0x11, 0x12, 0x13, 0x21, 0x22, 0x31, 0x33, 0x78 };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *unknown = obd_elm_nrc_to_string (0x00);

  g_assert_nonnull (unknown);
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      const char *s = obd_elm_nrc_to_string (known[i]);

      g_assert_nonnull (s);
      g_assert_cmpstr (s, !=, unknown);
      /* each reason reads differently */
      g_assert_false (g_hash_table_contains (seen, s));
      g_hash_table_add (seen, (gpointer) s);
    }
  g_assert_nonnull (strstr (obd_elm_nrc_to_string (0x11), "not support"));
  g_assert_nonnull (strstr (obd_elm_nrc_to_string (0x21), "busy"));
  g_assert_nonnull (strstr (obd_elm_nrc_to_string (0x33), "security"));
  g_assert_nonnull (strstr (obd_elm_nrc_to_string (0x78), "still working"));
  g_assert_cmpstr (obd_elm_nrc_to_string (0xFE), ==, unknown);
}

static void
test_response_api (void)
{
  static const guint8 a[] = { 0x41, 0x0C, 0x1A, 0xF8 };
  static const guint8 b[] = { 0x41, 0x0D, 0x32 };
  static const guint8 c[] = { 0x49, 0x02, 0x01 };
  g_autoptr(ObdResponse) resp = obd_response_new ();
  ObdMessage *m;

  g_assert_nonnull (resp->messages);
  g_assert_null (obd_response_find (resp, 0, 0x41));

  m = obd_response_add_message (resp, 0x7E8, a, sizeof a);
  g_assert_cmphex (m->ecu, ==, 0x7E8);
  g_assert_cmpmem (m->data, m->len, a, sizeof a);
  g_assert_true (m->checksum_ok);
  obd_response_add_message (resp, 0x7E9, b, sizeof b);
  m = obd_response_add_message (resp, 0x7EA, c, sizeof c);
  m->checksum_ok = FALSE;
  obd_response_add_message (resp, 0x7EB, NULL, 0);

  g_assert_cmpuint (resp->messages->len, ==, 4);
  g_assert_cmphex (obd_response_find (resp, 0, 0x41)->ecu, ==, 0x7E8);
  g_assert_cmphex (obd_response_find (resp, 0x7E9, 0x41)->ecu, ==, 0x7E9);
  g_assert_null (obd_response_find (resp, 0x7E8, 0x49));
  /* a message with a bad checksum is never an answer */
  g_assert_null (obd_response_find (resp, 0, 0x49));
  g_assert_null (obd_response_find (resp, 0x7EB, 0x00));

  obd_response_free (NULL);
}

static void
test_error_quarks (void)
{
  g_assert_cmpstr (g_quark_to_string (OBD_TRANSPORT_ERROR), ==, "obd-transport-error-quark");
  g_assert_cmpstr (g_quark_to_string (OBD_PROTOCOL_ERROR), ==, "obd-protocol-error-quark");
  g_assert_cmpuint (OBD_TRANSPORT_ERROR, !=, OBD_PROTOCOL_ERROR);
  g_assert_cmpint (OBD_PROTOCOL_ERROR_FAILED, ==, 0);
  g_assert_cmpint (OBD_TRANSPORT_ERROR_FAILED, ==, 0);
}

static void
test_protocol_info (void)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (obd_protocol_get_key (OBD_PROTOCOL_CAN_11BIT_500K), ==, "can11-500");
  g_assert_cmpstr (obd_protocol_get_key (OBD_PROTOCOL_CAN_29BIT_250K), ==, "can29-250");
  g_assert_cmpstr (obd_protocol_get_key (OBD_PROTOCOL_J1850_PWM), ==, "j1850-pwm");
  g_assert_cmpstr (obd_protocol_get_key (OBD_PROTOCOL_AUTO), ==, "auto");
  g_assert_cmpstr (obd_protocol_get_name (OBD_PROTOCOL_CAN_11BIT_500K), ==,
                   "ISO 15765-4 (CAN 11/500)");
  g_assert_cmpstr (obd_protocol_get_name (OBD_PROTOCOL_ISO_14230_4_FAST), ==,
                   "ISO 14230-4 (KWP FAST)");

  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_CAN_11BIT_500K), ==, 500000);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_CAN_29BIT_250K), ==, 250000);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_J1850_PWM), ==, 41600);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_J1850_VPW), ==, 10400);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_ISO_9141_2), ==, 10400);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_ISO_14230_4_5BAUD), ==, 10400);
  g_assert_cmpuint (obd_protocol_get_bit_rate (OBD_PROTOCOL_AUTO), ==, 0);

  for (int p = OBD_PROTOCOL_AUTO; p <= OBD_PROTOCOL_LAST; p++)
    {
      const char *key = obd_protocol_get_key (p);
      ObdProtocol parsed = OBD_PROTOCOL_LAST;
      gboolean automatic = TRUE;
      g_autofree char *digit = g_strdup_printf ("%X", p);

      g_assert_nonnull (key);
      g_assert_nonnull (obd_protocol_get_name (p));
      g_assert_false (g_hash_table_contains (keys, key));
      g_hash_table_add (keys, (gpointer) key);

      /* keys, names and AT DPN digits all round-trip */
      g_assert_true (obd_protocol_parse (key, &parsed, NULL));
      g_assert_cmpint (parsed, ==, p);
      g_assert_true (obd_protocol_parse (obd_protocol_get_name (p), &parsed, NULL));
      g_assert_cmpint (parsed, ==, p);
      g_assert_true (obd_protocol_parse (digit, &parsed, &automatic));
      g_assert_cmpint (parsed, ==, p);
      g_assert_cmpint (automatic, ==, p == OBD_PROTOCOL_AUTO);

      g_assert_cmpint (obd_protocol_is_can (p), ==, p >= OBD_PROTOCOL_CAN_11BIT_500K);
    }

  g_assert_false (obd_protocol_is_29bit (OBD_PROTOCOL_CAN_11BIT_500K));
  g_assert_true (obd_protocol_is_29bit (OBD_PROTOCOL_CAN_29BIT_500K));
  g_assert_true (obd_protocol_is_29bit (OBD_PROTOCOL_CAN_29BIT_250K));
  g_assert_true (obd_protocol_is_29bit (OBD_PROTOCOL_SAE_J1939));
  g_assert_false (obd_protocol_is_29bit (OBD_PROTOCOL_ISO_9141_2));
  g_assert_false (obd_protocol_is_can (OBD_PROTOCOL_AUTO));
}

static void
test_protocol_parse (void)
{
  static const struct
  {
    const char  *text;
    gboolean     ok;
    ObdProtocol  protocol;
    gboolean     automatic;
  } cases[] = {
    { "6",                               TRUE,  OBD_PROTOCOL_CAN_11BIT_500K, FALSE },
    { "A6",                              TRUE,  OBD_PROTOCOL_CAN_11BIT_500K, TRUE },
    { "a3",                              TRUE,  OBD_PROTOCOL_ISO_9141_2,     TRUE },
    { " A7\r",                           TRUE,  OBD_PROTOCOL_CAN_29BIT_500K, TRUE },
    { "0",                               TRUE,  OBD_PROTOCOL_AUTO,           TRUE },
    { "A",                               TRUE,  OBD_PROTOCOL_SAE_J1939,      FALSE },
    { "AA",                              TRUE,  OBD_PROTOCOL_SAE_J1939,      TRUE },
    { "c",                               TRUE,  OBD_PROTOCOL_USER2_CAN,      FALSE },
    { "CAN11-500",                       TRUE,  OBD_PROTOCOL_CAN_11BIT_500K, FALSE },
    { "AUTO, ISO 15765-4 (CAN 11/500)",  TRUE,  OBD_PROTOCOL_CAN_11BIT_500K, TRUE },
    { "AUTO",                            TRUE,  OBD_PROTOCOL_AUTO,           TRUE },
    { "SAE J1850 VPW",                   TRUE,  OBD_PROTOCOL_J1850_VPW,      FALSE },
    { "D",                               FALSE, 0,                           FALSE },
    { "A0X",                             FALSE, 0,                           FALSE },
    { "66",                              FALSE, 0,                           FALSE },
    { "",                                FALSE, 0,                           FALSE },
    { "?",                               FALSE, 0,                           FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObdProtocol protocol = OBD_PROTOCOL_LAST;
      gboolean automatic = !cases[i].automatic;
      gboolean ok = obd_protocol_parse (cases[i].text, &protocol, &automatic);

      g_test_message ("protocol \"%s\"", cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpint (protocol, ==, cases[i].protocol);
          g_assert_cmpint (automatic, ==, cases[i].automatic);
        }
    }

  /* out parameters are optional */
  g_assert_true (obd_protocol_parse ("A6", NULL, NULL));
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir_path = data_dir ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/obd/elm/format", test_format);
  g_test_add_func ("/obd/elm/format-guards", test_format_guards);
  g_test_add_func ("/obd/elm/find-prompt", test_find_prompt);
  g_test_add_func ("/obd/elm/streaming", test_streaming);
  g_test_add_func ("/obd/elm/null-options", test_null_options);
  g_test_add_func ("/obd/elm/unasked", test_unasked);
  g_test_add_func ("/obd/elm/line-is-error", test_line_is_error);
  g_test_add_func ("/obd/elm/nrc", test_nrc);
  g_test_add_func ("/obd/elm/response-api", test_response_api);
  g_test_add_func ("/obd/elm/error-quarks", test_error_quarks);
  g_test_add_func ("/obd/elm/protocol/info", test_protocol_info);
  g_test_add_func ("/obd/elm/protocol/parse", test_protocol_parse);
  g_test_add_func ("/obd/elm/transcript-coverage", test_coverage);

  /* one test per transcript, in a stable order */
  dir = g_dir_open (dir_path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".txt"))
      g_ptr_array_add (files, g_build_filename (dir_path, name, NULL));
  g_ptr_array_sort (files, compare_paths);

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *test_path = NULL;

      base[strlen (base) - strlen (".txt")] = '\0';
      test_path = g_strdup_printf ("/obd/elm/transcript/%s", base);
      g_test_add_data_func (test_path, path, test_transcript);
    }

  return g_test_run ();
}
