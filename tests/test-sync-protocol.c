/* test-sync-protocol.c — the sync protocol's messages: envelopes, every
 * type's payload, limits, channels, identifiers and packed samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sync-protocol"
#include "config.h"

#include <math.h>
#include <string.h>

#include "obd-sync-message.h"

#define STAMP "\"timestamp\": \"2024-05-01T10:00:00.000Z\", \"messageId\": \"m-1\""

static ObdSyncMessage *
parse (const char        *text,
       ObdSyncDirection   from,
       GError           **error)
{
  return obd_sync_message_parse (text, strlen (text), 0, from, NULL, error);
}

static void
expect (const char       *text,
        ObdSyncDirection  from,
        int               code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncMessage) message = parse (text, from, &error);

  if (code < 0)
    {
      if (error != NULL)
        g_error ("%s: %s", text, error->message);
      g_assert_nonnull (message);
      return;
    }
  g_assert_null (message);
  if (!g_error_matches (error, OBD_SYNC_ERROR, code))
    g_error ("%s: expected code %d, got %s", text, code,
             error != NULL ? error->message : "no error");
}

static char *
envelope (const char *type,
          const char *payload)
{
  return g_strdup_printf ("{\"type\": \"%s\", \"payload\": %s, " STAMP "}", type, payload);
}

static void
test_envelope (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ObdSyncMessage) message = NULL;
  g_autofree char *id = NULL;
  g_autofree char *ping = envelope ("ping", "{}");

  message = parse (ping, OBD_SYNC_FROM_CLIENT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, OBD_SYNC_MSG_PING);
  g_assert_cmpstr (message->message_id, ==, "m-1");
  g_assert_cmpint (message->timestamp_us, ==, G_GINT64_CONSTANT (1714557600000000));

  expect ("", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  expect ("{", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  expect ("\xff\xfe{}", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  expect ("[]", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("null", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": \"ping\", \"payload\": {}, \"messageId\": \"m\"}", OBD_SYNC_FROM_CLIENT,
          OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": \"ping\", \"payload\": {}, \"timestamp\": \"2024-05-01T10:00:00\","
          " \"messageId\": \"m\"}", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": \"ping\", \"payload\": [], " STAMP "}", OBD_SYNC_FROM_CLIENT,
          OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": 7, \"payload\": {}, " STAMP "}", OBD_SYNC_FROM_CLIENT,
          OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": \"ping\", \"payload\": {}, \"timestamp\": \"2024-05-01T10:00:00Z\","
          " \"messageId\": \"\"}", OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
  expect ("{\"type\": \"nope\", \"payload\": {}, " STAMP "}", OBD_SYNC_FROM_CLIENT,
          OBD_SYNC_ERROR_UNKNOWN_TYPE);

  /* The messageId is handed back even when the rest is wrong. */
  g_clear_error (&error);
  {
    const char *text = "{\"type\": \"pull\", \"payload\": {}, " STAMP "}";

    g_assert_null (obd_sync_message_parse (text, strlen (text), 0, OBD_SYNC_FROM_CLIENT, &id,
                                           &error));
  }
  g_assert_cmpstr (id, ==, "m-1");
}

static void
test_directions (void)
{
  g_autofree char *welcome = envelope ("welcome", "{\"protocolVersion\": 1,"
                                       " \"minProtocolVersion\": 1, \"heartbeatSeconds\": 25,"
                                       " \"limits\": {}}");
  g_autofree char *auth = envelope ("authenticate", "{\"token\": \"t\", \"protocolVersion\": 1,"
                                    " \"deviceId\": \"d\"}");
  g_autofree char *status = envelope ("vehicle_status", "{\"vehicleId\": \"v\", \"sampledAt\": 1,"
                                      " \"values\": {\"rpm\": {\"value\": 800}}}");

  expect (welcome, OBD_SYNC_FROM_SERVER, -1);
  expect (welcome, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_UNKNOWN_TYPE);
  expect (auth, OBD_SYNC_FROM_CLIENT, -1);
  expect (auth, OBD_SYNC_FROM_SERVER, OBD_SYNC_ERROR_UNKNOWN_TYPE);
  expect (status, OBD_SYNC_FROM_CLIENT, -1);
  expect (status, OBD_SYNC_FROM_SERVER, -1);
}

/* For every type: a valid payload passes; each required member missing
 * fails; a member of the wrong type fails. */
static void
test_payloads (void)
{
  static const struct
  {
    const char *type;
    const char *payload;
    const char *required[6];
  } cases[] = {
    { "authenticate", "{\"token\": \"t\", \"protocolVersion\": 1, \"deviceId\": \"d\"}",
      { "token", "protocolVersion", "deviceId" } },
    { "push", "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n\","
              " \"op\": \"insert\", \"changedAt\": 1, \"data\": {}}]}", { "changes" } },
    { "pull", "{\"cursor\": 0, \"limit\": 10}", { "cursor" } },
    { "subscribe", "{\"channels\": [\"vehicle:v\", \"fleet:o\"]}", { "channels" } },
    { "unsubscribe", "{\"channels\": [\"vehicle:v\"]}", { "channels" } },
    { "room_create", "{\"vehicleId\": \"v\"}", { "vehicleId" } },
    { "room_join", "{\"code\": \"ABCD-EFGH\"}", { "code" } },
    { "room_note", "{\"roomId\": \"r\", \"text\": \"hi\"}", { "roomId", "text" } },
    { "room_close", "{\"roomId\": \"r\"}", { "roomId" } },
    { "room_leave", "{\"roomId\": \"r\"}", { "roomId" } },
    { "vehicle_status", "{\"vehicleId\": \"v\", \"sampledAt\": 1, \"values\": {}}",
      { "vehicleId", "sampledAt", "values" } },
    { "dtc_detected", "{\"vehicleId\": \"v\", \"codes\": [{\"code\": \"P0301\"}],"
                      " \"detectedAt\": 1}", { "vehicleId", "codes", "detectedAt" } },
    { "maintenance_alert", "{\"vehicleId\": \"v\", \"title\": \"Oil\", \"status\": \"due\"}",
      { "vehicleId", "title", "status" } },
    { "notification", "{\"vehicleId\": \"v\", \"severity\": \"info\", \"kind\": \"k\","
                      " \"title\": \"t\"}", { "vehicleId", "severity", "kind", "title" } },
    { "guide_progress", "{\"vehicleId\": \"v\", \"guideId\": \"g\", \"step\": 1, \"steps\": 2,"
                        " \"title\": \"t\"}",
      { "vehicleId", "guideId", "step", "steps", "title" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ok = envelope (cases[i].type, cases[i].payload);

      expect (ok, OBD_SYNC_FROM_CLIENT, -1);
      for (guint j = 0; cases[i].required[j] != NULL; j++)
        {
          g_autoptr(JsonNode) node = json_from_string (cases[i].payload, NULL);
          JsonObject *object = json_node_get_object (node);
          g_autofree char *without = NULL;
          g_autofree char *wrong = NULL;
          g_autofree char *text = NULL;

          json_object_remove_member (object, cases[i].required[j]);
          text = json_to_string (node, FALSE);
          without = envelope (cases[i].type, text);
          expect (without, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);

          json_object_set_array_member (object, cases[i].required[j], json_array_new ());
          g_free (text);
          text = json_to_string (node, FALSE);
          wrong = envelope (cases[i].type, text);
          /* An array where an array belongs is still wrong inside. */
          if (!g_str_equal (cases[i].required[j], "changes")
              && !g_str_equal (cases[i].required[j], "codes")
              && !g_str_equal (cases[i].required[j], "channels"))
            expect (wrong, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
        }
    }
}

static void
test_push_checks (void)
{
  static const char *bad[] = {
    "{\"changes\": []}",
    "{\"changes\": [1]}",
    "{\"changes\": [{\"seq\": 0, \"entity\": \"note\", \"entityId\": \"n\", \"op\": \"insert\","
    " \"changedAt\": 1, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"spaceship\", \"entityId\": \"n\","
    " \"op\": \"insert\","
    " \"changedAt\": 1, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n\", \"op\": \"explode\","
    " \"changedAt\": 1, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n n\", \"op\": \"insert\","
    " \"changedAt\": 1, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n\", \"op\": \"insert\","
    " \"changedAt\": -5, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"samples\", \"entityId\": \"s\", \"op\": \"insert\","
    " \"changedAt\": 1, \"data\": {\"encoding\": \"obd2-samples-v1\", \"count\": 0,"
    " \"samples\": \"\"}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"note\", \"entityId\": \"n\", \"op\": \"insert\","
    " \"changedAt\": 1, \"part\": 0, \"data\": {}}]}",
    "{\"changes\": [{\"seq\": 1, \"entity\": \"samples\", \"entityId\": \"s\", \"op\": \"insert\","
    " \"changedAt\": 1, \"part\": 0, \"data\": {\"encoding\": \"zip\", \"count\": 0,"
    " \"samples\": \"\"}}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = envelope ("push", bad[i]);

      expect (text, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) channels = g_string_new ("{\"channels\": [");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *many = NULL;
  g_autofree char *long_text = NULL;
  g_autofree char *filler = g_strnfill (OBD_SYNC_MAX_TEXT_LENGTH + 1, 'x');

  /* Nesting: refused before json-glib recurses; inside strings it does
   * not count. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  expect (deep->str, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  text = envelope ("ping", "{\"x\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[\"}");
  expect (text, OBD_SYNC_FROM_CLIENT, -1);

  /* Size. */
  g_assert_null (obd_sync_message_parse (text, strlen (text), 16, OBD_SYNC_FROM_CLIENT, NULL,
                                         &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_TOO_LARGE);

  for (guint i = 0; i <= OBD_SYNC_MAX_CHANNELS; i++)
    g_string_append_printf (channels, "%s\"vehicle:v%u\"", i > 0 ? "," : "", i);
  g_string_append (channels, "]}");
  many = envelope ("subscribe", channels->str);
  expect (many, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BATCH_TOO_LARGE);

  g_free (text);
  text = g_strdup_printf ("{\"roomId\": \"r\", \"text\": \"%s\"}", filler);
  long_text = envelope ("room_note", text);
  expect (long_text, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);

  g_free (text);
  text = envelope ("vehicle_status", "{\"vehicleId\": \"v\", \"sampledAt\": 1,"
                   " \"values\": {\"rpm\": {\"value\": \"fast\"}}}");
  expect (text, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
  g_free (text);
  text = envelope ("pull", "{\"cursor\": 0, \"limit\": 100000}");
  expect (text, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_MESSAGE);
}

static void
test_build_round_trip (void)
{
  JsonObject *payload = json_object_new ();
  g_autoptr(ObdSyncMessage) message = NULL;
  g_autoptr(ObdSyncMessage) back = NULL;
  g_autoptr(ObdSyncMessage) error_message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) carried = NULL;
  g_autofree char *text = NULL;
  gsize length;

  json_object_set_int_member (payload, "cursor", 42);
  message = obd_sync_message_new (OBD_SYNC_MSG_PULL, payload);
  text = obd_sync_message_to_string (message, &length);
  back = obd_sync_message_parse (text, length, 0, OBD_SYNC_FROM_CLIENT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->type, ==, OBD_SYNC_MSG_PULL);
  g_assert_cmpstr (back->message_id, ==, message->message_id);
  g_assert_cmpint (json_object_get_int_member (back->payload, "cursor"), ==, 42);
  /* Milliseconds survive the round trip. */
  g_assert_cmpint (back->timestamp_us / 1000, ==, message->timestamp_us / 1000);

  error_message = obd_sync_message_new_error (OBD_SYNC_ERROR_FORBIDDEN, "No.", "m-9", FALSE);
  carried = obd_sync_message_dup_error (error_message);
  g_assert_error (carried, OBD_SYNC_ERROR, OBD_SYNC_ERROR_FORBIDDEN);
  g_assert_cmpstr (obd_sync_payload_get_string (error_message->payload, "code"), ==, "forbidden");

  /* Found by the fuzzer: a year before 1000 must still format as four
   * digits, and so parse again. */
  {
    g_autofree char *early = envelope ("ping", "{}");
    g_autoptr(ObdSyncMessage) old = NULL;
    g_autoptr(ObdSyncMessage) reparsed = NULL;
    g_autofree char *old_text = NULL;
    char *year = strstr (early, "2024");

    memcpy (year, "0722", 4);
    old = parse (early, OBD_SYNC_FROM_CLIENT, &error);
    g_assert_no_error (error);
    old_text = obd_sync_message_to_string (old, NULL);
    g_assert_nonnull (strstr (old_text, "\"0722-05-01T10:00:00.000Z\""));
    reparsed = parse (old_text, OBD_SYNC_FROM_CLIENT, &error);
    g_assert_no_error (error);
  }
  /* Also the fuzzer's: 1e999 is infinity to json-glib, which would write
   * it back as text that is not JSON. */
  {
    g_autofree char *huge = envelope ("ping", "{\"x\": [1e999]}");

    expect (huge, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  }
  /* And a lone surrogate, which json-glib decodes to bytes that are not
   * UTF-8. */
  {
    g_autofree char *lone = envelope ("ping", "{\"x\": \"a\\ud800b\"}");

    expect (lone, OBD_SYNC_FROM_CLIENT, OBD_SYNC_ERROR_BAD_JSON);
  }

  for (int code = OBD_SYNC_ERROR_FAILED; code <= OBD_SYNC_ERROR_CLOSED; code++)
    g_assert_cmpint (obd_sync_error_code_from_string (obd_sync_error_code_to_string (code)), ==,
                     code);
  for (int type = OBD_SYNC_MSG_AUTHENTICATE; type <= OBD_SYNC_MSG_LAST; type++)
    g_assert_cmpint (obd_sync_message_type_from_string (obd_sync_message_type_to_string (type)),
                     ==, type);
}

static void
test_channels_and_ids (void)
{
  const char *id = NULL;

  g_assert_cmpint (obd_sync_channel_parse ("vehicle:abc-1", &id), ==, OBD_SYNC_CHANNEL_VEHICLE);
  g_assert_cmpstr (id, ==, "abc-1");
  g_assert_cmpint (obd_sync_channel_parse ("fleet:o", NULL), ==, OBD_SYNC_CHANNEL_FLEET);
  g_assert_cmpint (obd_sync_channel_parse ("room:r", NULL), ==, OBD_SYNC_CHANNEL_ROOM);
  g_assert_cmpint (obd_sync_channel_parse ("vehicle:", NULL), ==, OBD_SYNC_CHANNEL_INVALID);
  g_assert_cmpint (obd_sync_channel_parse ("vehicles:x", NULL), ==, OBD_SYNC_CHANNEL_INVALID);
  g_assert_cmpint (obd_sync_channel_parse ("vehicle:a b", NULL), ==, OBD_SYNC_CHANNEL_INVALID);
  g_assert_true (obd_sync_id_is_valid ("3f2c7a2e-8e0b-4b61-9a49-0b1f0f6c1d2e"));
  g_assert_false (obd_sync_id_is_valid (""));
  g_assert_false (obd_sync_id_is_valid ("a/b"));
  g_assert_false (obd_sync_id_is_valid ("é"));
  {
    g_autofree char *long_id = g_strnfill (OBD_SYNC_MAX_ID_LENGTH + 1, 'a');
    g_assert_false (obd_sync_id_is_valid (long_id));
  }
}

static void
test_samples (void)
{
  ObdSyncSample in[3] = {
    { G_GINT64_CONSTANT (1714557600000000), 812.25, 0x7E8, 1, 0x0C, 0 },
    { G_GINT64_CONSTANT (1714557600100000), -40.0, 0x18DAF110, 1, 0x05, 0 },
    { G_GINT64_CONSTANT (1714557600200000), 1e-300, 0, 2, 0xFF, 3 },
  };
  g_autofree char *text = obd_sync_samples_encode (in, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (ObdSyncSample));
  gint64 first = 0, last = 0;
  double nan_value = NAN;

  packed = obd_sync_samples_decode (text, 3, &first, &last, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, ==, in[0].time_us);
  g_assert_cmpint (last, ==, in[2].time_us);
  obd_sync_samples_unpack (packed, out);
  g_assert_cmpuint (out->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      ObdSyncSample *s = &g_array_index (out, ObdSyncSample, i);

      g_assert_cmpint (s->time_us, ==, in[i].time_us);
      g_assert_cmpfloat (s->value, ==, in[i].value);
      g_assert_cmpuint (s->ecu, ==, in[i].ecu);
      g_assert_cmpuint (s->pid, ==, in[i].pid);
      g_assert_cmpuint (s->index, ==, in[i].index);
    }

  /* The wrong count, text outside the alphabet, a cut, NaN, a bad time. */
  g_clear_pointer (&packed, g_bytes_unref);
  g_assert_null (obd_sync_samples_decode (text, 2, NULL, NULL, &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE);
  g_clear_error (&error);
  g_assert_null (obd_sync_samples_decode ("AAAA AAA", 0, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_null (obd_sync_samples_decode ("AAA", 0, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_null (obd_sync_samples_decode ("A=AA", 0, NULL, NULL, &error));
  g_clear_error (&error);
  in[1].value = nan_value;
  g_free (text);
  text = obd_sync_samples_encode (in, 3);
  g_assert_null (obd_sync_samples_decode (text, 3, NULL, NULL, &error));
  g_clear_error (&error);
  in[1].value = 1;
  in[1].time_us = 5;
  g_free (text);
  text = obd_sync_samples_encode (in, 3);
  g_assert_null (obd_sync_samples_decode (text, 3, NULL, NULL, &error));
  g_assert_error (error, OBD_SYNC_ERROR, OBD_SYNC_ERROR_BAD_MESSAGE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/protocol/envelope", test_envelope);
  g_test_add_func ("/sync/protocol/directions", test_directions);
  g_test_add_func ("/sync/protocol/payloads", test_payloads);
  g_test_add_func ("/sync/protocol/push-checks", test_push_checks);
  g_test_add_func ("/sync/protocol/limits", test_limits);
  g_test_add_func ("/sync/protocol/round-trip", test_build_round_trip);
  g_test_add_func ("/sync/protocol/channels-and-ids", test_channels_and_ids);
  g_test_add_func ("/sync/protocol/samples", test_samples);
  return g_test_run ();
}
