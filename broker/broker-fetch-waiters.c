/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-fetch-waiters.c: the fetches parked by max_wait_ms / min_bytes. */

#include "broker-fetch-waiters.h"

typedef struct
{
  BrokerFetchWaiters *owner;
  BrokerRequest      *req;
  guint               timeout_id;
  gulong              cancelled_id;
  guint               cancel_idle_id;
} Waiter;

struct _BrokerFetchWaiters
{
  Broker *broker;
  GList  *waiters;   /* Waiter*, oldest first */
};

BrokerFetchWaiters *
broker_fetch_waiters_new (Broker *broker)
{
  BrokerFetchWaiters *waiters = g_new0 (BrokerFetchWaiters, 1);

  waiters->broker = broker;
  return waiters;
}

/* Detaches @w from its sources and the list; the request is the caller's. */
static void
waiter_remove (Waiter *w)
{
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  g_clear_handle_id (&w->cancel_idle_id, g_source_remove);
  if (w->cancelled_id != 0)
    {
      /* Never called from inside the "cancelled" emission (see on_cancelled),
       * so a plain disconnect is safe. */
      g_signal_handler_disconnect (w->req->cancellable, w->cancelled_id);
      w->cancelled_id = 0;
    }
  w->owner->waiters = g_list_remove (w->owner->waiters, w);
  g_free (w);
}

static gboolean
on_timeout (gpointer user_data)
{
  Waiter *w = user_data;
  BrokerRequest *req = w->req;

  w->timeout_id = 0;
  waiter_remove (w);
  broker_fetch_try (req, TRUE);
  broker_request_complete (req);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancel_idle (gpointer user_data)
{
  Waiter *w = user_data;
  BrokerRequest *req = w->req;

  w->cancel_idle_id = 0;
  waiter_remove (w);
  /* The connection is gone: completing frees the request. */
  broker_fetch_try (req, TRUE);
  broker_request_complete (req);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Waiter *w = user_data;

  /* Inside the signal emission: finish from an idle callback instead. */
  if (w->cancel_idle_id == 0)
    w->cancel_idle_id = g_idle_add (on_cancel_idle, w);
}

void
broker_fetch_waiters_add (BrokerFetchWaiters *waiters,
                          BrokerRequest      *req,
                          gint32              max_wait_ms)
{
  Waiter *w = g_new0 (Waiter, 1);

  w->owner = waiters;
  w->req = req;
  w->timeout_id = g_timeout_add ((guint) MAX (max_wait_ms, 0), on_timeout, w);
  w->cancelled_id = g_signal_connect (req->cancellable, "cancelled", G_CALLBACK (on_cancelled), w);
  waiters->waiters = g_list_append (waiters->waiters, w);
}

void
broker_fetch_waiters_notify (BrokerFetchWaiters *waiters,
                             const char         *topic,
                             gint32              partition)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  GList *l = waiters->waiters;

  /* Collect first, complete after: completing a request can run more
   * requests of its connection, which may park or wake other fetches. */
  while (l != NULL)
    {
      Waiter *w = l->data;
      BrokerRequest *req = w->req;

      l = l->next;
      if (w->cancel_idle_id != 0 || !broker_fetch_wants (req, topic, partition))
        continue;
      if (broker_fetch_try (req, FALSE))
        {
          waiter_remove (w);
          g_ptr_array_add (ready, req);
        }
    }
  for (guint i = 0; i < ready->len; i++)
    broker_request_complete (g_ptr_array_index (ready, i));
}

void
broker_fetch_waiters_wake_all (BrokerFetchWaiters *waiters)
{
  while (waiters->waiters != NULL)
    {
      Waiter *w = waiters->waiters->data;
      BrokerRequest *req = w->req;

      waiter_remove (w);
      broker_fetch_try (req, TRUE);
      broker_request_complete (req);
    }
}

void
broker_fetch_waiters_free (BrokerFetchWaiters *waiters)
{
  if (waiters == NULL)
    return;
  broker_fetch_waiters_wake_all (waiters);
  g_free (waiters);
}
