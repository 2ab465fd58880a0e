/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-broker.h: a broker as the overview lists it (id, host:port,
 * rack, whether it is the controller). */
#pragma once

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_BROKER (desktop_broker_get_type ())
G_DECLARE_FINAL_TYPE (DesktopBroker, desktop_broker, DESKTOP, BROKER, GObject)

DesktopBroker *desktop_broker_new_from_info   (const CaudalBrokerInfo *info,
                                               gboolean                controller);
gint32         desktop_broker_get_node_id     (DesktopBroker *self);
/* "host:port" (IPv6 hosts in brackets). */
const char    *desktop_broker_get_address     (DesktopBroker *self);
const char    *desktop_broker_get_rack        (DesktopBroker *self);
gboolean       desktop_broker_get_controller  (DesktopBroker *self);

G_END_DECLS
