/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Kafka error-code table: its shape (sorted, contiguous, unique), a
 * sample of well-known codes, name <-> code round trips, unknown codes,
 * and the CAUDAL_KAFKA_ERROR domain. */
#include "caudal-error-codes.h"

#include <string.h>

/* Every code Kafka marks retriable (its exception derives from
 * RetriableException), in increasing order. Any other code in the table
 * must be non-retriable. */
static const gint16 retriable_codes[] = {
  2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74,
  75, 78, 80, 83, 84, 88, 89, 100, 103, 106, 122, 123, 133,
};

static gboolean
in_retriable_list (gint16 code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (retriable_codes); i++)
    if (retriable_codes[i] == code)
      return TRUE;
  return FALSE;
}

static void
test_table_shape (void)
{
  const CaudalErrorCodeInfo *table;
  gsize n = 0;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  table = caudal_error_code_get_table (&n);
  g_assert_nonnull (table);
  g_assert_cmpuint (n, ==,
                    CAUDAL_ERROR_CODE_LAST - CAUDAL_ERROR_CODE_FIRST + 1);
  g_assert_cmpint (CAUDAL_ERROR_CODE_FIRST, ==, -1);
  g_assert_cmpint (table[0].code, ==, CAUDAL_ERROR_CODE_FIRST);
  g_assert_cmpint (table[n - 1].code, ==, CAUDAL_ERROR_CODE_LAST);
  g_assert_true (caudal_error_code_get_table (NULL) == table);

  for (gsize i = 0; i < n; i++)
    {
      const CaudalErrorCodeInfo *e = &table[i];

      /* Sorted and contiguous: entry i holds code FIRST + i, which also
       * makes the codes unique and leaves no gap. */
      g_assert_nonnull (e->name);
      g_assert_cmpint (e->code, ==, (gint) i + CAUDAL_ERROR_CODE_FIRST);
      if (i > 0)
        g_assert_cmpint (e->code, ==, table[i - 1].code + 1);

      /* Non-empty UPPER_SNAKE name, unique across the table. */
      g_assert_cmpuint (strlen (e->name), >, 0);
      for (const char *p = e->name; *p != '\0'; p++)
        g_assert_true (g_ascii_isupper (*p) || g_ascii_isdigit (*p)
                       || *p == '_');
      g_assert_true (g_ascii_isupper (e->name[0]));
      g_assert_false (g_str_has_suffix (e->name, "_"));
      g_assert_false (g_hash_table_contains (names, e->name));
      g_hash_table_add (names, (gpointer) e->name);
      g_assert_cmpstr (e->name, !=, CAUDAL_ERROR_CODE_UNKNOWN_NAME);

      /* Non-empty message: one sentence, capitalised, with a full stop. */
      g_assert_nonnull (e->message);
      g_assert_cmpuint (strlen (e->message), >, 0);
      g_assert_true (g_ascii_isupper (e->message[0]));
      g_assert_true (g_str_has_suffix (e->message, "."));
      g_assert_cmpuint (strlen (e->message), <, 120);

      /* The flag is a real boolean, and the exact set is Kafka's. */
      g_assert_true (e->retriable == TRUE || e->retriable == FALSE);
      g_assert_cmpint (e->retriable, ==, in_retriable_list (e->code));

      /* The lookup functions agree with the table. */
      g_assert_true (caudal_error_code_lookup (e->code) == e);
      g_assert_true (caudal_error_code_name (e->code) == e->name);
      g_assert_true (caudal_error_code_message (e->code) == e->message);
      g_assert_cmpint (caudal_error_code_is_retriable (e->code), ==,
                       e->retriable);
    }
  g_assert_cmpuint (g_hash_table_size (names), ==, n);

  /* The retriable list itself is sorted, unique and inside the table. */
  for (gsize i = 0; i < G_N_ELEMENTS (retriable_codes); i++)
    {
      g_assert_nonnull (caudal_error_code_lookup (retriable_codes[i]));
      if (i > 0)
        g_assert_cmpint (retriable_codes[i - 1], <, retriable_codes[i]);
    }
}

typedef struct
{
  gint16      code;
  const char *name;
  gboolean    retriable;
} Known;

static void
test_well_known (void)
{
  static const Known known[] = {
    { -1, "UNKNOWN_SERVER_ERROR", FALSE },
    { 0, "NONE", FALSE },
    { 1, "OFFSET_OUT_OF_RANGE", FALSE },
    { 2, "CORRUPT_MESSAGE", TRUE },
    { 3, "UNKNOWN_TOPIC_OR_PARTITION", TRUE },
    { 5, "LEADER_NOT_AVAILABLE", TRUE },
    { 6, "NOT_LEADER_OR_FOLLOWER", TRUE },
    { 7, "REQUEST_TIMED_OUT", TRUE },
    { 10, "MESSAGE_TOO_LARGE", FALSE },
    { 14, "COORDINATOR_LOAD_IN_PROGRESS", TRUE },
    { 15, "COORDINATOR_NOT_AVAILABLE", TRUE },
    { 16, "NOT_COORDINATOR", TRUE },
    { 22, "ILLEGAL_GENERATION", FALSE },
    { 25, "UNKNOWN_MEMBER_ID", FALSE },
    { 27, "REBALANCE_IN_PROGRESS", FALSE },
    { 29, "TOPIC_AUTHORIZATION_FAILED", FALSE },
    { 35, "UNSUPPORTED_VERSION", FALSE },
    { 36, "TOPIC_ALREADY_EXISTS", FALSE },
    { 41, "NOT_CONTROLLER", TRUE },
    { 42, "INVALID_REQUEST", FALSE },
    { 47, "INVALID_PRODUCER_EPOCH", FALSE },
    { 58, "SASL_AUTHENTICATION_FAILED", FALSE },
    { 72, "LISTENER_NOT_FOUND", TRUE },
    { 79, "MEMBER_ID_REQUIRED", FALSE },
    { 82, "FENCED_INSTANCE_ID", FALSE },
    { 89, "THROTTLING_QUOTA_EXCEEDED", TRUE },
    { 90, "PRODUCER_FENCED", FALSE },
    { 100, "UNKNOWN_TOPIC_ID", TRUE },
    { 110, "FENCED_MEMBER_EPOCH", FALSE },
    { 113, "STALE_MEMBER_EPOCH", FALSE },
    { 120, "TRANSACTION_ABORTABLE", FALSE },
    { 133, "SHARE_SESSION_LIMIT_REACHED", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    {
      gint16 code = G_MININT16;

      g_test_message ("%d %s", known[i].code, known[i].name);
      g_assert_cmpstr (caudal_error_code_name (known[i].code), ==,
                       known[i].name);
      g_assert_cmpint (caudal_error_code_is_retriable (known[i].code), ==,
                       known[i].retriable);
      g_assert_true (caudal_error_code_from_name (known[i].name, &code));
      g_assert_cmpint (code, ==, known[i].code);
    }

  /* The enumerators carry Kafka's numbers. */
  g_assert_cmpint (CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR, ==, -1);
  g_assert_cmpint (CAUDAL_ERROR_CODE_NONE, ==, 0);
  g_assert_cmpint (CAUDAL_ERROR_CODE_OFFSET_OUT_OF_RANGE, ==, 1);
  g_assert_cmpint (CAUDAL_ERROR_CODE_CORRUPT_MESSAGE, ==, 2);
  g_assert_cmpint (CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION, ==, 3);
  g_assert_cmpint (CAUDAL_ERROR_CODE_NOT_LEADER_OR_FOLLOWER, ==, 6);
  g_assert_cmpint (CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION, ==, 35);
  g_assert_cmpint (CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS, ==, 36);
  g_assert_cmpint (CAUDAL_ERROR_CODE_MEMBER_ID_REQUIRED, ==, 79);
  g_assert_cmpint (CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_ID, ==, 100);
  g_assert_cmpint (CAUDAL_ERROR_CODE_SHARE_SESSION_LIMIT_REACHED, ==, 133);
  g_assert_cmpint (CAUDAL_ERROR_CODE_LAST, ==, 133);

  /* The messages are there and say something relevant. */
  g_assert_nonnull (strstr (caudal_error_code_message (36), "already exists"));
  g_assert_nonnull (strstr (caudal_error_code_message (35), "version"));
}

static void
test_round_trip (void)
{
  const CaudalErrorCodeInfo *table;
  gsize n;

  table = caudal_error_code_get_table (&n);
  for (gsize i = 0; i < n; i++)
    {
      gint16 code = G_MININT16;
      const char *name = caudal_error_code_name (table[i].code);

      /* code -> name -> code */
      g_assert_true (caudal_error_code_from_name (name, &code));
      g_assert_cmpint (code, ==, table[i].code);
      /* name -> code -> name */
      g_assert_cmpstr (caudal_error_code_name (code), ==, table[i].name);
      /* The out parameter is optional. */
      g_assert_true (caudal_error_code_from_name (table[i].name, NULL));
    }
}

static void
test_unknown (void)
{
  static const gint16 unknown[] = {
    -2, -100, G_MININT16, CAUDAL_ERROR_CODE_LAST + 1, 1000, G_MAXINT16,
  };
  const char *first_name = caudal_error_code_name (G_MAXINT16);
  const char *first_message = caudal_error_code_message (G_MAXINT16);

  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      gint16 c = unknown[i];

      g_assert_null (caudal_error_code_lookup (c));
      g_assert_cmpstr (caudal_error_code_name (c), ==,
                       CAUDAL_ERROR_CODE_UNKNOWN_NAME);
      /* Static strings: the same pointer every time, nothing allocated. */
      g_assert_true (caudal_error_code_name (c) == first_name);
      g_assert_true (caudal_error_code_message (c) == first_message);
      g_assert_cmpuint (strlen (caudal_error_code_message (c)), >, 0);
      g_assert_false (caudal_error_code_is_retriable (c));
    }

  /* Names that are not Kafka's: not found, out left alone. */
  {
    static const char *bad[] = {
      "", "UNKNOWN", CAUDAL_ERROR_CODE_UNKNOWN_NAME, "topic_already_exists",
      "TOPIC_ALREADY_EXISTS ", " TOPIC_ALREADY_EXISTS", "TOPIC_ALREADY",
      "NOT_LEADER_FOR_PARTITION", "CAUDAL_ERROR_CODE_NONE", "-1", "36",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        gint16 code = 4242;

        g_assert_false (caudal_error_code_from_name (bad[i], &code));
        g_assert_cmpint (code, ==, 4242);
      }
    g_assert_false (caudal_error_code_from_name (NULL, NULL));
  }
}

static void
test_gerror (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (g_quark_to_string (CAUDAL_KAFKA_ERROR), ==,
                   "caudal-kafka-error-quark");
  g_assert_true (CAUDAL_KAFKA_ERROR == caudal_kafka_error_quark ());

  /* With a detail: name, then the detail verbatim. */
  caudal_set_kafka_error (&error, CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS,
                          "Topic 'x' already exists.");
  g_assert_error (error, CAUDAL_KAFKA_ERROR,
                  CAUDAL_ERROR_CODE_TOPIC_ALREADY_EXISTS);
  g_assert_cmpstr (error->message, ==,
                   "TOPIC_ALREADY_EXISTS: Topic 'x' already exists.");
  g_clear_error (&error);

  /* Without one (NULL or empty): name, then the table's message. */
  caudal_set_kafka_error (&error, CAUDAL_ERROR_CODE_NOT_COORDINATOR, NULL);
  g_assert_error (error, CAUDAL_KAFKA_ERROR, 16);
  g_assert_cmpstr (error->message, ==, "NOT_COORDINATOR: This broker is not "
                   "the right coordinator.");
  g_clear_error (&error);

  caudal_set_kafka_error (&error, CAUDAL_ERROR_CODE_UNSUPPORTED_VERSION, "");
  g_assert_error (error, CAUDAL_KAFKA_ERROR, 35);
  g_assert_true (g_str_has_prefix (error->message, "UNSUPPORTED_VERSION: "));
  g_assert_cmpstr (error->message + strlen ("UNSUPPORTED_VERSION: "), ==,
                   caudal_error_code_message (35));
  g_clear_error (&error);

  /* A negative code is kept as the GError code. */
  caudal_set_kafka_error (&error, CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR,
                          "boom");
  g_assert_error (error, CAUDAL_KAFKA_ERROR, -1);
  g_assert_cmpstr (error->message, ==, "UNKNOWN_SERVER_ERROR: boom");
  g_clear_error (&error);

  /* An unknown code keeps its number, in the code and the message. */
  caudal_set_kafka_error (&error, 1234, NULL);
  g_assert_error (error, CAUDAL_KAFKA_ERROR, 1234);
  g_assert_true (g_str_has_prefix (error->message,
                                   "UNKNOWN_ERROR_CODE(1234): "));
  g_clear_error (&error);

  caudal_set_kafka_error (&error, -7, "odd");
  g_assert_error (error, CAUDAL_KAFKA_ERROR, -7);
  g_assert_cmpstr (error->message, ==, "UNKNOWN_ERROR_CODE(-7): odd");
  g_clear_error (&error);

  /* Every known code formats as "NAME: message". */
  {
    const CaudalErrorCodeInfo *table;
    gsize n;

    table = caudal_error_code_get_table (&n);
    for (gsize i = 0; i < n; i++)
      {
        g_autofree char *expected = g_strdup_printf ("%s: %s", table[i].name,
                                                     table[i].message);

        caudal_set_kafka_error (&error, table[i].code, NULL);
        g_assert_error (error, CAUDAL_KAFKA_ERROR, table[i].code);
        g_assert_cmpstr (error->message, ==, expected);
        g_clear_error (&error);
      }
  }

  /* A NULL return location is allowed. */
  caudal_set_kafka_error (NULL, CAUDAL_ERROR_CODE_REQUEST_TIMED_OUT, "late");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error-codes/table-shape", test_table_shape);
  g_test_add_func ("/error-codes/well-known", test_well_known);
  g_test_add_func ("/error-codes/round-trip", test_round_trip);
  g_test_add_func ("/error-codes/unknown", test_unknown);
  g_test_add_func ("/error-codes/gerror", test_gerror);

  return g_test_run ();
}
