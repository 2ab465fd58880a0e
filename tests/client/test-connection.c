/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-connection.c: nothing a connect holds outlives it. Every
 * CaudalConnection, every connect's task and every CaudalCluster and
 * CaudalAdmin is finalized once it is closed or dropped and the main loop
 * has drained: connects that succeed (many, and two callers sharing one),
 * one cancelled by its caller, one closed before its socket connected,
 * one closed while waiting for ApiVersions, one timing out, one to a port
 * that refuses, and a cluster dropped while its connections are open.
 * Weak pointers tell, so no valgrind is needed. Against caudald, and a
 * silent peer of the test's own that accepts and never answers. */

#include <gio/gio.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-cluster.h"
#include "caudal-connection.h"
#include "client-test-peer.h"

#define N_CONNECTIONS 16
#define MAX_WATCHED   128
#define WAIT_SECONDS  10

/* ---- watching for finalization ---- */

typedef struct
{
  const char *what;
  gpointer    object;   /* a weak pointer: NULL once finalized */
} Watched;

/* Fixed slots: a weak pointer's address must not move. */
static Watched watched[MAX_WATCHED];
static guint n_watched;

static void
watch (gpointer    object,
       const char *what)
{
  Watched *w;

  g_assert_cmpuint (n_watched, <, MAX_WATCHED);
  w = &watched[n_watched++];
  w->what = what;
  w->object = object;
  g_object_add_weak_pointer (G_OBJECT (object), &w->object);
}

static const char *
first_alive (void)
{
  for (guint i = 0; i < n_watched; i++)
    if (watched[i].object != NULL)
      return watched[i].what;
  return NULL;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Drains the main loop until every watched object is finalized. The
 * deadline only keeps a leak from hanging the run (a leaked object never
 * goes); nothing here depends on how fast the loop is. */
static void
assert_all_finalized (void)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint ticker = g_timeout_add (20, on_tick, NULL);

  while (first_alive () != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (ticker);
  if (first_alive () != NULL)
    g_error ("%s was never finalized", first_alive ());
  n_watched = 0;
}

/* ---- connecting ---- */

typedef struct
{
  guint    calls;
  gboolean ok;
  GError  *error;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static void
on_connect (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *o = user_data;

  o->calls++;
  watch (result, "a connect task");
  o->ok = caudal_connection_connect_finish (CAUDAL_CONNECTION (source), result, &o->error);
}

static void
wait_outcome (Outcome *o)
{
  while (o->calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (o->calls, ==, 1);
}

static CaudalConnection *
connection_new (guint16 port)
{
  CaudalConnection *conn = caudal_connection_new ("127.0.0.1", port, "test-connection");

  watch (conn, "a CaudalConnection");
  return conn;
}

/* ---- a peer that accepts and never answers ---- */

typedef struct
{
  GSocketListener   *listener;
  guint16            port;
  GSocketConnection *accepted;
  guint8             size[4];
  gboolean           got_request;   /* the ApiVersions request's size came */
} SilentPeer;

static void
on_request_size (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SilentPeer *peer = user_data;
  gsize got = 0;

  if (g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &got, NULL) && got == 4)
    peer->got_request = TRUE;
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SilentPeer *peer = user_data;

  peer->accepted = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
  if (peer->accepted != NULL)
    g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (peer->accepted)),
                                   peer->size, sizeof peer->size, G_PRIORITY_DEFAULT, NULL,
                                   on_request_size, peer);
}

static void
silent_peer_start (SilentPeer *peer)
{
  g_autoptr(GError) error = NULL;

  peer->listener = g_socket_listener_new ();
  peer->port = g_socket_listener_add_any_inet_port (peer->listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (peer->listener, NULL, on_accepted, peer);
}

static void
silent_peer_stop (SilentPeer *peer)
{
  g_socket_listener_close (peer->listener);
  g_clear_object (&peer->listener);
  g_clear_object (&peer->accepted);
  /* The accept and the read end with the listener and the socket. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A port nothing listens on: one the kernel just gave and took back. */
static guint16
refusing_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* ---- the tests ---- */

/* Many connects, each with two callers sharing the one flow, then close. */
static void
test_connect_close_many (void)
{
  Peer peer = { 0 };
  CaudalConnection *conns[N_CONNECTIONS];
  Outcome first[N_CONNECTIONS] = { 0 };
  Outcome second[N_CONNECTIONS] = { 0 };

  peer_start_caudald (&peer);
  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      conns[i] = connection_new (peer_port (&peer));
      caudal_connection_connect_async (conns[i], NULL, on_connect, &first[i]);
      caudal_connection_connect_async (conns[i], NULL, on_connect, &second[i]);
    }
  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      wait_outcome (&first[i]);
      wait_outcome (&second[i]);
      g_assert_no_error (first[i].error);
      g_assert_no_error (second[i].error);
      g_assert_true (caudal_connection_is_connected (conns[i]));
      g_assert_cmpint (caudal_connection_pick_version (conns[i], CAUDAL_API_KEY_METADATA, -1), >=, 0);
    }
  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      caudal_connection_close (conns[i]);
      g_object_unref (conns[i]);
    }
  assert_all_finalized ();
  peer_stop (&peer);
}

/* A caller cancelling its connect gets G_IO_ERROR_CANCELLED; another
 * caller of the same connect is not failed by it. */
static void
test_cancelled (void)
{
  Peer peer = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(Outcome) cancelled = { 0 };
  g_auto(Outcome) other = { 0 };
  g_auto(Outcome) alone = { 0 };
  CaudalConnection *shared, *single;

  peer_start_caudald (&peer);
  shared = connection_new (peer_port (&peer));
  caudal_connection_connect_async (shared, cancellable, on_connect, &cancelled);
  caudal_connection_connect_async (shared, NULL, on_connect, &other);
  single = connection_new (peer_port (&peer));
  caudal_connection_connect_async (single, cancellable, on_connect, &alone);
  g_cancellable_cancel (cancellable);
  wait_outcome (&cancelled);
  wait_outcome (&other);
  wait_outcome (&alone);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (alone.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (other.error);
  g_assert_true (other.ok);
  caudal_connection_close (shared);
  caudal_connection_close (single);
  g_object_unref (shared);
  g_object_unref (single);
  assert_all_finalized ();
  peer_stop (&peer);
}

/* Closed before its socket connected, and dropped by its owner at once:
 * the connect fails rather than opening a connection nobody holds. */
static void
test_closed_while_connecting (void)
{
  Peer peer = { 0 };
  g_auto(Outcome) outcome = { 0 };
  CaudalConnection *conn;

  peer_start_caudald (&peer);
  conn = connection_new (peer_port (&peer));
  caudal_connection_connect_async (conn, NULL, on_connect, &outcome);
  caudal_connection_close (conn);
  g_object_unref (conn);
  wait_outcome (&outcome);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT);
  assert_all_finalized ();
  peer_stop (&peer);
}

/* Closed while ApiVersions is out (the peer got the request), and a
 * connect whose ApiVersions times out. */
static void
test_closed_negotiating_and_timed_out (void)
{
  SilentPeer silent = { 0 };
  g_auto(Outcome) closed = { 0 };
  g_auto(Outcome) timed_out = { 0 };
  CaudalConnection *conn;

  silent_peer_start (&silent);
  conn = connection_new (silent.port);
  caudal_connection_connect_async (conn, NULL, on_connect, &closed);
  while (!silent.got_request)
    g_main_context_iteration (NULL, TRUE);
  caudal_connection_close (conn);
  g_object_unref (conn);
  wait_outcome (&closed);
  g_assert_error (closed.error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT);
  silent_peer_stop (&silent);
  assert_all_finalized ();

  silent_peer_start (&silent);
  conn = connection_new (silent.port);
  caudal_connection_set_timeout (conn, 100);
  caudal_connection_connect_async (conn, NULL, on_connect, &timed_out);
  g_object_unref (conn);
  wait_outcome (&timed_out);
  g_assert_error (timed_out.error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT);
  g_assert_nonnull (strstr (timed_out.error->message, "timed out"));
  silent_peer_stop (&silent);
  assert_all_finalized ();
}

static void
test_refused (void)
{
  g_auto(Outcome) outcome = { 0 };
  CaudalConnection *conn = connection_new (refusing_port ());

  caudal_connection_connect_async (conn, NULL, on_connect, &outcome);
  wait_outcome (&outcome);
  g_assert_error (outcome.error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_CANNOT_CONNECT);
  g_assert_false (caudal_connection_is_connected (conn));
  g_object_unref (conn);
  assert_all_finalized ();
}

/* A cluster (and an admin on it) dropped while its connections are open
 * closes them: an open connection's read holds it until it is closed. */
static void
test_cluster_dropped (void)
{
  Peer peer = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalAdminClusterDescription) description = NULL;
  CaudalCluster *cluster;
  CaudalAdmin *admin;
  CaudalBrokerInfo *broker;
  CaudalConnection *conn;

  peer_start_caudald (&peer);
  cluster = caudal_cluster_new (peer.bootstrap, "test-connection", &error);
  g_assert_no_error (error);
  watch (cluster, "a CaudalCluster");
  admin = caudal_admin_new (cluster);
  watch (admin, "a CaudalAdmin");
  {
    g_auto(CaudalSync) sync = { 0 };

    caudal_cluster_refresh_metadata_async (cluster, NULL, FALSE, NULL, caudal_sync_callback, &sync);
    g_assert_true (caudal_cluster_refresh_metadata_finish (cluster, caudal_sync_wait (&sync), &error));
    g_assert_no_error (error);
  }
  {
    g_auto(CaudalSync) sync = { 0 };

    caudal_admin_describe_cluster_async (admin, NULL, caudal_sync_callback, &sync);
    description = caudal_admin_describe_cluster_finish (admin, caudal_sync_wait (&sync), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (description->brokers->len, ==, 1);
  g_assert_cmpuint (caudal_cluster_get_brokers (cluster)->len, ==, 1);
  broker = g_ptr_array_index (caudal_cluster_get_brokers (cluster), 0);
  conn = caudal_cluster_get_connection (cluster, broker->node_id);
  g_assert_nonnull (conn);
  g_assert_true (caudal_connection_is_connected (conn));
  watch (conn, "the cluster's CaudalConnection");
  g_object_unref (admin);
  g_object_unref (cluster);
  assert_all_finalized ();
  peer_stop (&peer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/connection/connect-close-many", test_connect_close_many);
  g_test_add_func ("/client/connection/cancelled", test_cancelled);
  g_test_add_func ("/client/connection/closed-while-connecting", test_closed_while_connecting);
  g_test_add_func ("/client/connection/closed-negotiating-and-timed-out", test_closed_negotiating_and_timed_out);
  g_test_add_func ("/client/connection/refused", test_refused);
  g_test_add_func ("/client/connection/cluster-dropped", test_cluster_dropped);
  return g_test_run ();
}
