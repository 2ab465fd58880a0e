/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-sd-notify.h: systemd's readiness protocol (sd_notify), without
 * libsystemd: one datagram to $NOTIFY_SOCKET. A no-op when not run by a
 * service manager or on platforms without Unix sockets. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends @state ("READY=1\nSTATUS=…") when $NOTIFY_SOCKET is set; FALSE
 * with @error when sending failed (not when there is nobody to tell). */
gboolean broker_sd_notify (const char *state,
                           GError    **error);

G_END_DECLS
