/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config-value.c: type checks and validators shared by the broker
 * and topic configuration tables, and the DescribeConfigs entry. */
#include "broker-config-value.h"

#include "caudal-error-codes.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (broker-config-error-quark, broker_config_error)

/**
 * broker_config_error_to_kafka:
 * @error: a #GError, usually in the %BROKER_CONFIG_ERROR domain
 *
 * Returns: the Kafka error code a request handler should answer with:
 * INVALID_CONFIG for bad values and unknown keys, INVALID_REQUEST for a
 * read-only key, UNKNOWN_SERVER_ERROR for anything else.
 */
gint16
broker_config_error_to_kafka (const GError *error)
{
  if (error == NULL)
    return CAUDAL_ERROR_CODE_NONE;
  if (error->domain != BROKER_CONFIG_ERROR)
    return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;

  switch ((BrokerConfigError) error->code)
    {
    case BROKER_CONFIG_ERROR_INVALID_VALUE:
    case BROKER_CONFIG_ERROR_UNKNOWN_KEY:
    case BROKER_CONFIG_ERROR_SYNTAX:
    case BROKER_CONFIG_ERROR_UNSUPPORTED:
    case BROKER_CONFIG_ERROR_INCONSISTENT:
      return CAUDAL_ERROR_CODE_INVALID_CONFIG;
    case BROKER_CONFIG_ERROR_READ_ONLY:
      return CAUDAL_ERROR_CODE_INVALID_REQUEST;
    default:
      return CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR;
    }
}

const char *
broker_config_type_name (BrokerConfigType type)
{
  static const char *const names[] = {
    "unknown", "boolean", "string", "int", "short", "long", "double",
    "list", "class", "password",
  };

  if ((guint) type < G_N_ELEMENTS (names))
    return names[type];
  return "unknown";
}

/* Whole string, optional sign, decimal digits only (Java's parseLong
 * accepts a leading '+' too); no surrounding blanks. */
gboolean
broker_config_value_parse_int64 (const char *value, gint64 *out)
{
  const char *p = value;
  char *end = NULL;
  gint64 v;

  if (value == NULL)
    return FALSE;
  if (*p == '+' || *p == '-')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;

  errno = 0;
  v = g_ascii_strtoll (value, &end, 10);
  if (errno != 0 || end == value || *end != '\0')
    return FALSE;
  if (out != NULL)
    *out = v;
  return TRUE;
}

gboolean
broker_config_value_parse_bool (const char *value, gboolean *out)
{
  gboolean v;

  if (value == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (value, "true") == 0)
    v = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0)
    v = FALSE;
  else
    return FALSE;
  if (out != NULL)
    *out = v;
  return TRUE;
}

static gboolean
parse_double (const char *value, double *out)
{
  char *end = NULL;
  double v;

  if (value == NULL || *value == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (value, &end);
  if (errno != 0 || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
in_choices (const BrokerConfigCheck *check, const char *item)
{
  for (const char *const *c = check->choices; c != NULL && *c != NULL; c++)
    {
      if (check->ignore_case ? g_ascii_strcasecmp (*c, item) == 0
                             : strcmp (*c, item) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
choices_text (const BrokerConfigCheck *check)
{
  g_autofree char *joined = g_strjoinv (", ", (char **) check->choices);

  return g_strdup_printf ("[%s]", joined);
}

static gboolean
check_integer (BrokerConfigType type,
               const char *value,
               gint64 *out,
               char **reason)
{
  gint64 v;
  gint64 lo = G_MININT64, hi = G_MAXINT64;

  if (!broker_config_value_parse_int64 (value, &v))
    {
      *reason = g_strdup ("not an integer");
      return FALSE;
    }
  if (type == BROKER_CONFIG_TYPE_INT)
    lo = G_MININT32, hi = G_MAXINT32;
  else if (type == BROKER_CONFIG_TYPE_SHORT)
    lo = G_MININT16, hi = G_MAXINT16;
  if (v < lo || v > hi)
    {
      *reason = g_strdup_printf ("out of range for a %s",
                                 broker_config_type_name (type));
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/**
 * broker_config_value_check:
 * @type: the key's type
 * @check: (nullable): the key's validator
 * @value: the value, already trimmed
 * @reason: (out): on failure, why, as a short lowercase phrase
 *
 * Checks @value against @type, then against @check.
 */
gboolean
broker_config_value_check (BrokerConfigType type,
                           const BrokerConfigCheck *check,
                           const char *value,
                           char **reason)
{
  BrokerConfigCheckKind kind = check != NULL ? check->kind
                                             : BROKER_CONFIG_CHECK_NONE;
  gint64 iv = 0;
  double dv = 0;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (reason != NULL && *reason == NULL, FALSE);

  switch (type)
    {
    case BROKER_CONFIG_TYPE_BOOLEAN:
      if (!broker_config_value_parse_bool (value, NULL))
        {
          *reason = g_strdup ("not a boolean (expected true or false)");
          return FALSE;
        }
      break;
    case BROKER_CONFIG_TYPE_INT:
    case BROKER_CONFIG_TYPE_SHORT:
    case BROKER_CONFIG_TYPE_LONG:
      if (!check_integer (type, value, &iv, reason))
        return FALSE;
      break;
    case BROKER_CONFIG_TYPE_DOUBLE:
      if (!parse_double (value, &dv))
        {
          *reason = g_strdup ("not a number");
          return FALSE;
        }
      break;
    case BROKER_CONFIG_TYPE_UNKNOWN:
    case BROKER_CONFIG_TYPE_STRING:
    case BROKER_CONFIG_TYPE_LIST:
    case BROKER_CONFIG_TYPE_CLASS:
    case BROKER_CONFIG_TYPE_PASSWORD:
    default:
      break;
    }

  switch (kind)
    {
    case BROKER_CONFIG_CHECK_RANGE:
      if (iv < check->min)
        {
          *reason = g_strdup_printf ("must be at least %" G_GINT64_FORMAT,
                                     check->min);
          return FALSE;
        }
      if (iv > check->max)
        {
          *reason = g_strdup_printf ("must be no more than %" G_GINT64_FORMAT,
                                     check->max);
          return FALSE;
        }
      return TRUE;

    case BROKER_CONFIG_CHECK_DRANGE:
      if (dv < check->dmin || dv > check->dmax)
        {
          *reason = g_strdup_printf ("must be between %g and %g",
                                     check->dmin, check->dmax);
          return FALSE;
        }
      return TRUE;

    case BROKER_CONFIG_CHECK_ONE_OF:
      if (type == BROKER_CONFIG_TYPE_LIST)
        {
          g_auto (GStrv) items = g_strsplit (value, ",", -1);

          for (char **it = items; *it != NULL; it++)
            {
              g_strstrip (*it);
              if (**it == '\0' && items[1] == NULL)
                break;    /* an empty list */
              if (!in_choices (check, *it))
                {
                  g_autofree char *c = choices_text (check);

                  *reason = g_strdup_printf ("'%s' is not one of %s", *it, c);
                  return FALSE;
                }
            }
          return TRUE;
        }
      if (!in_choices (check, value))
        {
          g_autofree char *c = choices_text (check);

          *reason = g_strdup_printf ("must be one of %s", c);
          return FALSE;
        }
      return TRUE;

    case BROKER_CONFIG_CHECK_CUSTOM:
      if (!check->func (value, reason))
        {
          if (*reason == NULL)
            *reason = g_strdup ("rejected");
          return FALSE;
        }
      return TRUE;

    case BROKER_CONFIG_CHECK_NONE:
    default:
      return TRUE;
    }
}

/**
 * broker_config_check_describe:
 *
 * Returns: (nullable): the valid values as documentation shows them
 * ("[1,...]", "[0,...,100]", "[delete, compact]"), or %NULL.
 */
char *
broker_config_check_describe (BrokerConfigType type,
                              const BrokerConfigCheck *check)
{
  if (check == NULL)
    return NULL;

  switch (check->kind)
    {
    case BROKER_CONFIG_CHECK_RANGE:
      {
        gint64 tmax = type == BROKER_CONFIG_TYPE_INT ? G_MAXINT32
                    : type == BROKER_CONFIG_TYPE_SHORT ? G_MAXINT16
                    : G_MAXINT64;

        if (check->max >= tmax)
          return g_strdup_printf ("[%" G_GINT64_FORMAT ",...]", check->min);
        return g_strdup_printf ("[%" G_GINT64_FORMAT ",...,%" G_GINT64_FORMAT
                                "]", check->min, check->max);
      }
    case BROKER_CONFIG_CHECK_DRANGE:
      return g_strdup_printf ("[%g,...,%g]", check->dmin, check->dmax);
    case BROKER_CONFIG_CHECK_ONE_OF:
      return choices_text (check);
    case BROKER_CONFIG_CHECK_CUSTOM:
    case BROKER_CONFIG_CHECK_NONE:
    default:
      return NULL;
    }
}

static void
synonym_free (gpointer data)
{
  BrokerConfigSynonym *s = data;

  g_free (s->value);
  g_free (s);
}

/* Gives @entry an empty synonym list if it has none: the list of an
 * entry described with synonyms is never NULL. */
void
broker_config_entry_ensure_synonyms (BrokerConfigEntry *entry)
{
  if (entry->synonyms == NULL)
    entry->synonyms = g_ptr_array_new_with_free_func (synonym_free);
}

void
broker_config_entry_add_synonym (BrokerConfigEntry *entry,
                                 const char *name,
                                 const char *value,
                                 BrokerConfigSource source)
{
  BrokerConfigSynonym *s;

  broker_config_entry_ensure_synonyms (entry);
  s = g_new0 (BrokerConfigSynonym, 1);
  s->name = name;
  s->value = entry->sensitive ? NULL : g_strdup (value);
  s->source = (gint8) source;
  g_ptr_array_add (entry->synonyms, s);
}

void
broker_config_entry_clear (BrokerConfigEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->value, g_free);
  g_clear_pointer (&entry->synonyms, g_ptr_array_unref);
  memset (entry, 0, sizeof *entry);
}
