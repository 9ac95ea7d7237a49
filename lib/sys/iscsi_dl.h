/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_dl.h - libiscsi, loaded the first time an iSCSI session is
 * opened instead of with the library: libiscsi brings the RDMA and
 * netlink libraries along, about 4 ms of every process's start that
 * never opens a session.  Included by sys/iscsi_direct.c after
 * libiscsi's headers: the calls below then go through the table.
 * Where meson could not read libiscsi's soname the library is linked
 * as before and the table points at it directly.
 */
#pragma once

#include "config.h"

#if HAVE_LIBISCSI

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define STORVIRT__ISCSI_CALLS(X)                                                       \
        X(iscsi_connect_async) X(iscsi_create_context) X(iscsi_destroy_context)        \
        X(iscsi_disconnect) X(iscsi_discovery_async) X(iscsi_get_error)                \
        X(iscsi_get_fd) X(iscsi_get_target_address) X(iscsi_inquiry_task)              \
        X(iscsi_login_async) X(iscsi_logout_async) X(iscsi_readcapacity10_task)        \
        X(iscsi_readcapacity16_task) X(iscsi_reportluns_task)                          \
        X(iscsi_scsi_cancel_all_tasks) X(iscsi_scsi_cancel_task) X(iscsi_service)      \
        X(iscsi_set_header_digest) X(iscsi_set_initiator_username_pwd)                 \
        X(iscsi_set_noautoreconnect) X(iscsi_set_session_type)                         \
        X(iscsi_set_target_username_pwd) X(iscsi_set_targetname) X(iscsi_which_events) \
        X(scsi_free_scsi_task) X(scsi_sense_key_str)

#define STORVIRT__ISCSI_SLOT(f) __typeof__(f) *f;
struct storvirt__iscsi_calls {
        STORVIRT__ISCSI_CALLS(STORVIRT__ISCSI_SLOT)
};
#undef STORVIRT__ISCSI_SLOT

extern struct storvirt__iscsi_calls storvirt__iscsi_calls;

/*
 * Loads libiscsi once per process (thread-safe): 0, or -EOPNOTSUPP
 * naming the library and why it could not be loaded (every later call
 * says the same).
 */
int storvirt__iscsi_load(void);

#ifndef STORVIRT__ISCSI_DL_IMPL
#define iscsi_connect_async (*storvirt__iscsi_calls.iscsi_connect_async)
#define iscsi_create_context (*storvirt__iscsi_calls.iscsi_create_context)
#define iscsi_destroy_context (*storvirt__iscsi_calls.iscsi_destroy_context)
#define iscsi_disconnect (*storvirt__iscsi_calls.iscsi_disconnect)
#define iscsi_discovery_async (*storvirt__iscsi_calls.iscsi_discovery_async)
#define iscsi_get_error (*storvirt__iscsi_calls.iscsi_get_error)
#define iscsi_get_fd (*storvirt__iscsi_calls.iscsi_get_fd)
#define iscsi_get_target_address (*storvirt__iscsi_calls.iscsi_get_target_address)
#define iscsi_inquiry_task (*storvirt__iscsi_calls.iscsi_inquiry_task)
#define iscsi_login_async (*storvirt__iscsi_calls.iscsi_login_async)
#define iscsi_logout_async (*storvirt__iscsi_calls.iscsi_logout_async)
#define iscsi_readcapacity10_task (*storvirt__iscsi_calls.iscsi_readcapacity10_task)
#define iscsi_readcapacity16_task (*storvirt__iscsi_calls.iscsi_readcapacity16_task)
#define iscsi_reportluns_task (*storvirt__iscsi_calls.iscsi_reportluns_task)
#define iscsi_scsi_cancel_all_tasks (*storvirt__iscsi_calls.iscsi_scsi_cancel_all_tasks)
#define iscsi_scsi_cancel_task (*storvirt__iscsi_calls.iscsi_scsi_cancel_task)
#define iscsi_service (*storvirt__iscsi_calls.iscsi_service)
#define iscsi_set_header_digest (*storvirt__iscsi_calls.iscsi_set_header_digest)
#define iscsi_set_initiator_username_pwd (*storvirt__iscsi_calls.iscsi_set_initiator_username_pwd)
#define iscsi_set_noautoreconnect (*storvirt__iscsi_calls.iscsi_set_noautoreconnect)
#define iscsi_set_session_type (*storvirt__iscsi_calls.iscsi_set_session_type)
#define iscsi_set_target_username_pwd (*storvirt__iscsi_calls.iscsi_set_target_username_pwd)
#define iscsi_set_targetname (*storvirt__iscsi_calls.iscsi_set_targetname)
#define iscsi_which_events (*storvirt__iscsi_calls.iscsi_which_events)
#define scsi_free_scsi_task (*storvirt__iscsi_calls.scsi_free_scsi_task)
#define scsi_sense_key_str (*storvirt__iscsi_calls.scsi_sense_key_str)
#endif

#endif
