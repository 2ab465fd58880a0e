/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-local-broker.h: a caudald the app runs on this computer for
 * the user ("Start Local Broker" in the connections window): finding the
 * executable, probing whether its port is taken, starting it with a
 * per-user data dir and waiting for its ready file, stopping it. The
 * application owns one and stops it on quit. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * DesktopLocalBrokerState:
 * @DESKTOP_LOCAL_BROKER_STOPPED: no process of ours
 * @DESKTOP_LOCAL_BROKER_STARTING: spawned, waiting for its ready file
 * @DESKTOP_LOCAL_BROKER_RUNNING: serving on the bootstrap servers
 * @DESKTOP_LOCAL_BROKER_STOPPING: asked to stop, not yet exited
 */
typedef enum
{
  DESKTOP_LOCAL_BROKER_STOPPED,
  DESKTOP_LOCAL_BROKER_STARTING,
  DESKTOP_LOCAL_BROKER_RUNNING,
  DESKTOP_LOCAL_BROKER_STOPPING,
} DesktopLocalBrokerState;

#define DESKTOP_TYPE_LOCAL_BROKER_STATE (desktop_local_broker_state_get_type ())
GType desktop_local_broker_state_get_type (void) G_GNUC_CONST;

#define DESKTOP_TYPE_LOCAL_BROKER (desktop_local_broker_get_type ())
G_DECLARE_FINAL_TYPE (DesktopLocalBroker, desktop_local_broker, DESKTOP, LOCAL_BROKER, GObject)

/* The listener it is started with, unless $CAUDAL_DESKTOP_LOCAL_LISTENER
 * says otherwise (tests: PLAINTEXT://127.0.0.1:0). */
#define DESKTOP_LOCAL_BROKER_LISTENER "PLAINTEXT://localhost:9092"

DesktopLocalBroker      *desktop_local_broker_new                   (void);

/* The caudald to run: $CAUDAL_DESKTOP_CAUDALD, else one next to this
 * program (the build tree, a Flatpak), else one on $PATH.
 * Returns: (transfer full) (nullable): its path, NULL when none. */
char                    *desktop_local_broker_find_executable       (void);
/* Returns: (transfer full): g_get_user_data_dir()/caudal-desktop/local-broker,
 * apart from $XDG_DATA_HOME/caudal (a plain caudald's default data dir). */
char                    *desktop_local_broker_dup_data_dir          (void);

DesktopLocalBrokerState  desktop_local_broker_get_state             (DesktopLocalBroker *self);
/* (nullable): "host:port" while RUNNING, else NULL. */
const char              *desktop_local_broker_get_bootstrap_servers (DesktopLocalBroker *self);

/* Whether something accepts connections on the listener's address (a
 * short connect; FALSE at once for port 0). The finish returns FALSE with
 * @error set only when cancelled. */
void                     desktop_local_broker_probe_async           (DesktopLocalBroker  *self,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
gboolean                 desktop_local_broker_probe_finish          (DesktopLocalBroker  *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* Starts caudald and completes once it is ready. Cancelling stops it.
 * Errors: G_IO_ERROR_NOT_FOUND (no caudald), G_IO_ERROR_BUSY (already
 * ours), G_IO_ERROR_FAILED with the broker's last stderr line when it
 * exits first, G_IO_ERROR_TIMED_OUT. */
void                     desktop_local_broker_start_async           (DesktopLocalBroker  *self,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
/* Returns: (transfer full): the bootstrap servers, or NULL. */
char                    *desktop_local_broker_start_finish          (DesktopLocalBroker  *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

/* SIGTERM, then SIGKILL if it has not exited after a few seconds;
 * completes once it has exited (at once when none runs). */
void                     desktop_local_broker_stop_async            (DesktopLocalBroker  *self,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
gboolean                 desktop_local_broker_stop_finish           (DesktopLocalBroker  *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);

G_END_DECLS
