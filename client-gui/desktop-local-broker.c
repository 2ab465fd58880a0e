/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-local-broker.c: one caudald child process. It is ready when
 * its ready file appears (caudald --ready-file: "NAME HOST PORT" per
 * listener, written with a rename, so it is whole once it exists); its
 * stderr is read line by line for as long as it runs, both to keep the
 * last line for an error message and so that a full pipe never blocks
 * the broker's logging. */

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <signal.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "desktop-local-broker.h"

/* How long a connect may take to say the port is taken. */
#define PROBE_TIMEOUT_SECONDS 1
/* How often the ready file is looked for, and for how long. */
#define READY_POLL_MS 50
#define READY_TIMEOUT_SECONDS 60
/* caudald stops in milliseconds on SIGTERM; one still running after this
 * is stuck, and SIGKILL is safe for its data (recovery truncates a torn
 * segment tail on the next start). */
#define STOP_TIMEOUT_SECONDS 5

struct _DesktopLocalBroker
{
  GObject                  parent_instance;

  DesktopLocalBrokerState  state;
  GSubprocess             *process;
  GDataInputStream        *stderr_stream;
  GCancellable            *io_cancellable;   /* stderr and the exit wait; cancelled on dispose */
  char                    *ready_path;
  char                    *last_line;        /* the last non-empty stderr line */
  char                    *bootstrap_servers;
  gboolean                 exited;
  gboolean                 stderr_done;
  GTask                   *start_task;       /* the start waiting for readiness, or NULL */
  GPtrArray               *stop_tasks;       /* GTask: stops waiting for the exit */
  gint64                   ready_deadline;
  guint                    ready_poll_id;
  guint                    kill_id;
};

G_DEFINE_ENUM_TYPE (DesktopLocalBrokerState, desktop_local_broker_state,
                    G_DEFINE_ENUM_VALUE (DESKTOP_LOCAL_BROKER_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (DESKTOP_LOCAL_BROKER_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (DESKTOP_LOCAL_BROKER_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (DESKTOP_LOCAL_BROKER_STOPPING, "stopping"))

G_DEFINE_FINAL_TYPE (DesktopLocalBroker, desktop_local_broker, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- where and what ---- */

static const char *
get_listener (void)
{
  const char *listener = g_getenv ("CAUDAL_DESKTOP_LOCAL_LISTENER");

  return listener != NULL && *listener != '\0' ? listener : DESKTOP_LOCAL_BROKER_LISTENER;
}

/* "NAME://host:port" as an address to connect to; an empty host (all
 * interfaces) is reached on localhost. */
static GSocketConnectable *
listener_address (const char *listener,
                  guint16    *port)
{
  const char *sep = strstr (listener, "://");
  const char *host_port = sep != NULL ? sep + 3 : listener;
  g_autofree char *with_host = NULL;
  GSocketConnectable *address;

  if (*host_port == ':')
    host_port = with_host = g_strconcat ("localhost", host_port, NULL);
  address = g_network_address_parse (host_port, 0, NULL);
  *port = address != NULL ? g_network_address_get_port (G_NETWORK_ADDRESS (address)) : 0;
  return address;
}

static gboolean
is_executable_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

char *
desktop_local_broker_find_executable (void)
{
  const char *env = g_getenv ("CAUDAL_DESKTOP_CAUDALD");
  g_autofree char *self_path = NULL;

  if (env != NULL && *env != '\0')
    return is_executable_file (env) ? g_strdup (env) : NULL;
#ifdef __linux__
  self_path = g_file_read_link ("/proc/self/exe", NULL);
#endif
  if (self_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self_path);
      /* A Flatpak (/app/bin) holds both in one dir; installed, caudald is
       * in sbin beside bin (not on a user's $PATH on Debian); in the
       * build tree it is in broker/ beside client-gui/. */
      static const char *const beside[] = { "caudald", "../sbin/caudald", "../broker/caudald" };

      for (gsize i = 0; i < G_N_ELEMENTS (beside); i++)
        {
          g_autofree char *path = g_build_filename (dir, beside[i], NULL);

          if (is_executable_file (path))
            return g_canonicalize_filename (path, NULL);
        }
    }
  return g_find_program_in_path ("caudald");
}

char *
desktop_local_broker_dup_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "caudal-desktop", "local-broker", NULL);
}

DesktopLocalBrokerState
desktop_local_broker_get_state (DesktopLocalBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_LOCAL_BROKER (self), DESKTOP_LOCAL_BROKER_STOPPED);
  return self->state;
}

const char *
desktop_local_broker_get_bootstrap_servers (DesktopLocalBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_LOCAL_BROKER (self), NULL);
  return self->state == DESKTOP_LOCAL_BROKER_RUNNING ? self->bootstrap_servers : NULL;
}

static void
set_state (DesktopLocalBroker      *self,
           DesktopLocalBrokerState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ---- probe ---- */

static void
on_probe_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    /* Refused, timed out, unreachable: nothing there for us to clash with. */
    g_task_return_boolean (task, connection != NULL);
}

void
desktop_local_broker_probe_async (DesktopLocalBroker  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GSocketClient) client = NULL;
  guint16 port = 0;

  g_return_if_fail (DESKTOP_IS_LOCAL_BROKER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, desktop_local_broker_probe_async);
  address = listener_address (get_listener (), &port);
  /* Port 0 asks the kernel for a free one: it cannot be taken. */
  if (address == NULL || port == 0)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, PROBE_TIMEOUT_SECONDS);
  g_socket_client_connect_async (client, address, cancellable, on_probe_connected, g_steal_pointer (&task));
}

gboolean
desktop_local_broker_probe_finish (DesktopLocalBroker  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the process ---- */

static void
stop_ready_poll (DesktopLocalBroker *self)
{
  g_clear_handle_id (&self->ready_poll_id, g_source_remove);
}

static void
fail_start (DesktopLocalBroker *self,
            GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  stop_ready_poll (self);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/* Both the exit and the end of stderr are in: report, then forget the
 * process. */
static void
finish_exit (DesktopLocalBroker *self)
{
  g_autoptr(GPtrArray) stops = NULL;
  g_autofree char *message = NULL;
  DesktopLocalBrokerState was = self->state;

  if (!self->exited || !self->stderr_done)
    return;
  if (self->last_line != NULL)
    message = g_strdup (self->last_line);
  else if (g_subprocess_get_if_exited (self->process))
    message = g_strdup_printf (_("caudald exited with status %d"), g_subprocess_get_exit_status (self->process));
  else
    message = g_strdup (_("caudald was killed"));

  g_clear_handle_id (&self->kill_id, g_source_remove);
  if (self->start_task != NULL)
    {
      if (was == DESKTOP_LOCAL_BROKER_STOPPING)
        fail_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               _("The local broker was stopped before it was ready")));
      else
        fail_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message));
    }
  stop_ready_poll (self);
  if (self->ready_path != NULL)
    g_unlink (self->ready_path);
  g_clear_object (&self->process);
  g_clear_object (&self->stderr_stream);
  g_clear_pointer (&self->ready_path, g_free);
  g_clear_pointer (&self->last_line, g_free);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  stops = g_steal_pointer (&self->stop_tasks);
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  set_state (self, DESKTOP_LOCAL_BROKER_STOPPED);

  if (was == DESKTOP_LOCAL_BROKER_RUNNING)
    g_signal_emit (self, signals[SIGNAL_EXITED], 0, message);
  for (guint i = 0; i < stops->len; i++)
    g_task_return_boolean (g_ptr_array_index (stops, i), TRUE);
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  DesktopLocalBroker *self;
  g_autoptr(GError) error = NULL;

  /* Cancelled only by dispose: @user_data is gone. */
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  self->exited = TRUE;
  finish_exit (self);
}

static void read_stderr_line (DesktopLocalBroker *self);

static void
on_stderr_line (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  DesktopLocalBroker *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *line = NULL;

  raw = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (raw == NULL)
    {
      /* The end, or a read error: either way nothing more will come. */
      self->stderr_done = TRUE;
      finish_exit (self);
      return;
    }
  /* Not _finish_utf8: one bad byte would end the reading, and then a
   * full pipe would block the broker. */
  line = g_utf8_make_valid (raw, -1);
  g_strstrip (line);
  if (*line != '\0')
    {
      g_debug ("caudald: %s", line);
      g_free (self->last_line);
      self->last_line = g_steal_pointer (&line);
    }
  read_stderr_line (self);
}

static void
read_stderr_line (DesktopLocalBroker *self)
{
  g_data_input_stream_read_line_async (self->stderr_stream, G_PRIORITY_DEFAULT, self->io_cancellable,
                                       on_stderr_line, self);
}

static void
request_stop (DesktopLocalBroker *self);

/* The ready file's first line, "NAME HOST PORT", as "host:port". */
static char *
parse_ready_file (const char *contents)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", 2);
  g_auto(GStrv) fields = g_strsplit (g_strstrip (lines[0]), " ", -1);
  guint64 port;

  if (g_strv_length (fields) != 3 || *fields[1] == '\0'
      || !g_ascii_string_to_unsigned (fields[2], 10, 1, G_MAXUINT16, &port, NULL))
    return NULL;
  if (strchr (fields[1], ':') != NULL)
    return g_strdup_printf ("[%s]:%" G_GUINT64_FORMAT, fields[1], port);
  return g_strdup_printf ("%s:%" G_GUINT64_FORMAT, fields[1], port);
}

static gboolean
poll_ready (gpointer user_data)
{
  DesktopLocalBroker *self = user_data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (self->start_task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      self->ready_poll_id = 0;
      fail_start (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
      request_stop (self);
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () > self->ready_deadline)
    {
      self->ready_poll_id = 0;
      fail_start (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                     _("caudald was not ready after %d seconds"), READY_TIMEOUT_SECONDS));
      request_stop (self);
      return G_SOURCE_REMOVE;
    }
  /* A small local file: reading it here does not stall the loop. */
  if (!g_file_get_contents (self->ready_path, &contents, NULL, &error))
    return G_SOURCE_CONTINUE;
  self->ready_poll_id = 0;
  self->bootstrap_servers = parse_ready_file (contents);
  if (self->bootstrap_servers == NULL)
    {
      fail_start (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                     _("caudald wrote an unexpected ready file %s"), self->ready_path));
      request_stop (self);
      return G_SOURCE_REMOVE;
    }
  set_state (self, DESKTOP_LOCAL_BROKER_RUNNING);
  {
    g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

    g_task_return_pointer (task, g_strdup (self->bootstrap_servers), g_free);
  }
  return G_SOURCE_REMOVE;
}

#ifdef __linux__
/* In the child: the broker goes when the app dies without stopping it
 * (a crash), as it goes when the app quits. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

void
desktop_local_broker_start_async (DesktopLocalBroker  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *executable = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *listeners = NULL;
  g_autofree char *log_dirs = NULL;
  g_autofree char *ready_path = NULL;
  GInputStream *stderr_pipe;

  g_return_if_fail (DESKTOP_IS_LOCAL_BROKER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, desktop_local_broker_start_async);
  if (self->state != DESKTOP_LOCAL_BROKER_STOPPED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, _("The local broker is already running"));
      return;
    }
  executable = desktop_local_broker_find_executable ();
  if (executable == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("caudald is not installed"));
      return;
    }
  /* Private to the user: the logs hold whatever is produced to them. */
  dir = desktop_local_broker_dup_data_dir ();
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"),
                               dir, g_strerror (saved));
      return;
    }
  ready_path = g_build_filename (dir, "ready", NULL);
  /* One left by a broker that did not stop cleanly would say "ready" at once. */
  g_unlink (ready_path);

  listeners = g_strconcat ("listeners=", get_listener (), NULL);
  log_dirs = g_strconcat ("log.dirs=", dir, G_DIR_SEPARATOR_S, "data", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
#endif
  self->process = g_subprocess_launcher_spawn (launcher, &error, executable,
                                               "--override", listeners,
                                               "--override", log_dirs,
                                               "--ready-file", ready_path,
                                               NULL);
  if (self->process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("started %s, data in %s", executable, dir);

  self->ready_path = g_steal_pointer (&ready_path);
  self->exited = FALSE;
  self->stderr_done = FALSE;
  stderr_pipe = g_subprocess_get_stderr_pipe (self->process);
  self->stderr_stream = g_data_input_stream_new (stderr_pipe);
  g_data_input_stream_set_newline_type (self->stderr_stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  read_stderr_line (self);
  g_subprocess_wait_async (self->process, self->io_cancellable, on_exited, self);

  self->start_task = g_steal_pointer (&task);
  self->ready_deadline = g_get_monotonic_time () + READY_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  self->ready_poll_id = g_timeout_add (READY_POLL_MS, poll_ready, self);
  set_state (self, DESKTOP_LOCAL_BROKER_STARTING);
}

char *
desktop_local_broker_start_finish (DesktopLocalBroker  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- stop ---- */

static gboolean
kill_now (gpointer user_data)
{
  DesktopLocalBroker *self = user_data;

  self->kill_id = 0;
  g_warning ("caudald did not stop within %d seconds; killing it", STOP_TIMEOUT_SECONDS);
  g_subprocess_force_exit (self->process);
  return G_SOURCE_REMOVE;
}

static void
request_stop (DesktopLocalBroker *self)
{
  if (self->process == NULL || self->state == DESKTOP_LOCAL_BROKER_STOPPING)
    return;
  set_state (self, DESKTOP_LOCAL_BROKER_STOPPING);
#ifdef G_OS_UNIX
  g_subprocess_send_signal (self->process, SIGTERM);
  self->kill_id = g_timeout_add_seconds (STOP_TIMEOUT_SECONDS, kill_now, self);
#else
  g_subprocess_force_exit (self->process);
#endif
}

void
desktop_local_broker_stop_async (DesktopLocalBroker  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (DESKTOP_IS_LOCAL_BROKER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, desktop_local_broker_stop_async);
  if (self->process == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (self->stop_tasks, g_steal_pointer (&task));
  request_stop (self);
}

gboolean
desktop_local_broker_stop_finish (DesktopLocalBroker  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- GObject ---- */

static void
desktop_local_broker_dispose (GObject *object)
{
  DesktopLocalBroker *self = DESKTOP_LOCAL_BROKER (object);

  /* A pending start or stop holds a reference: none is left here, but a
   * process may be (the application was not shut down): do not leave it. */
  g_cancellable_cancel (self->io_cancellable);
  stop_ready_poll (self);
  g_clear_handle_id (&self->kill_id, g_source_remove);
  if (self->process != NULL)
    g_subprocess_force_exit (self->process);
  g_clear_object (&self->process);
  g_clear_object (&self->stderr_stream);
  G_OBJECT_CLASS (desktop_local_broker_parent_class)->dispose (object);
}

static void
desktop_local_broker_finalize (GObject *object)
{
  DesktopLocalBroker *self = DESKTOP_LOCAL_BROKER (object);

  g_clear_object (&self->io_cancellable);
  g_clear_pointer (&self->stop_tasks, g_ptr_array_unref);
  g_free (self->ready_path);
  g_free (self->last_line);
  g_free (self->bootstrap_servers);
  G_OBJECT_CLASS (desktop_local_broker_parent_class)->finalize (object);
}

static void
desktop_local_broker_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DesktopLocalBroker *self = DESKTOP_LOCAL_BROKER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_local_broker_class_init (DesktopLocalBrokerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = desktop_local_broker_dispose;
  object_class->finalize = desktop_local_broker_finalize;
  object_class->get_property = desktop_local_broker_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, DESKTOP_TYPE_LOCAL_BROKER_STATE, DESKTOP_LOCAL_BROKER_STOPPED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DesktopLocalBroker::exited:
   * @message: what it said last on stderr, or its exit status
   *
   * The broker stopped while running without being asked to.
   */
  signals[SIGNAL_EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
desktop_local_broker_init (DesktopLocalBroker *self)
{
  self->io_cancellable = g_cancellable_new ();
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

DesktopLocalBroker *
desktop_local_broker_new (void)
{
  return g_object_new (DESKTOP_TYPE_LOCAL_BROKER, NULL);
}
