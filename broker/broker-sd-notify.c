/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-sd-notify.c: the sd_notify datagram (see sd_notify(3)). */

#include "broker-sd-notify.h"

#include <gio/gio.h>
#include <string.h>

#ifdef G_OS_UNIX
#include <gio/gunixsocketaddress.h>
#endif

gboolean
broker_sd_notify (const char *state,
                  GError    **error)
{
#ifdef G_OS_UNIX
  const char *path = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) addr = NULL;

  if (path == NULL || *path == '\0')
    return TRUE;
  /* "@name" is an abstract socket; anything else a path. */
  if (path[0] == '@')
    addr = g_unix_socket_address_new_with_type (path + 1, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else if (path[0] == '/')
    addr = g_unix_socket_address_new (path);
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "NOTIFY_SOCKET is neither a path nor an abstract socket: %s", path);
      return FALSE;
    }
  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (sock == NULL)
    return FALSE;
  if (g_socket_send_to (sock, addr, state, strlen (state), NULL, error) < 0)
    return FALSE;
  return TRUE;
#else
  return TRUE;
#endif
}
