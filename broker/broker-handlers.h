/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handlers.h: one handler per API, each in broker-handle-<api>.c.
 * See broker-dispatch.h for the contract. */
#pragma once

#include "broker-dispatch.h"

G_BEGIN_DECLS

void broker_handle_api_versions             (BrokerRequest *req);
void broker_handle_metadata                 (BrokerRequest *req);
void broker_handle_produce                  (BrokerRequest *req);
void broker_handle_fetch                    (BrokerRequest *req);
void broker_handle_list_offsets             (BrokerRequest *req);
void broker_handle_init_producer_id         (BrokerRequest *req);
/* Cluster mode: claims the next block of producer ids when the current
 * one runs low (broker-handle-init-producer-id.c). */
void broker_producer_ids_refill             (Broker *broker);
void broker_handle_create_topics            (BrokerRequest *req);
void broker_handle_delete_topics            (BrokerRequest *req);
void broker_handle_create_partitions        (BrokerRequest *req);
void broker_handle_delete_records           (BrokerRequest *req);
void broker_handle_offset_for_leader_epoch  (BrokerRequest *req);
void broker_handle_describe_configs         (BrokerRequest *req);
void broker_handle_alter_configs            (BrokerRequest *req);
void broker_handle_incremental_alter_configs (BrokerRequest *req);
void broker_handle_describe_cluster         (BrokerRequest *req);
void broker_handle_describe_log_dirs       (BrokerRequest *req);
/* Consumer groups (broker/group/ holds the coordinator). */
void broker_handle_find_coordinator         (BrokerRequest *req);
void broker_handle_join_group               (BrokerRequest *req);
void broker_handle_sync_group               (BrokerRequest *req);
void broker_handle_heartbeat                (BrokerRequest *req);
void broker_handle_leave_group              (BrokerRequest *req);
void broker_handle_offset_commit            (BrokerRequest *req);
void broker_handle_offset_fetch             (BrokerRequest *req);
void broker_handle_list_groups              (BrokerRequest *req);
void broker_handle_describe_groups          (BrokerRequest *req);
void broker_handle_delete_groups            (BrokerRequest *req);
void broker_handle_offset_delete            (BrokerRequest *req);

G_END_DECLS
