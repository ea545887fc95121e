/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's DLMS/COSEM view as the manager starts it: the meter the COSEM objects read
 * (views/dlms/dlms-meter.h), the management password read from its file, the TCP wrapper
 * server (views/dlms/dlms-tcp.h) on the socket systemd passes as FileDescriptorName=dlms-NAME
 * or on dlms_port, and HDLC on dlms_hdlc_device (views/dlms/dlms-serial.h), a station of its
 * own on a line other meters may share. The directory of objects is the manager's, one for
 * every meter.
 */
#ifndef POLYMETER_DLMS_VIEW_H
#define POLYMETER_DLMS_VIEW_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "app/conf.h"
#include "core/dlms/cosem-directory.h"
#include "views/dlms/dlms-meter.h"
#include "views/dlms/dlms-serial.h"

struct pm_dlms_view;

/*
 * Starts the view of the meter @conf describes, whose objects @meter gives (its pointers must
 * outlive the view), when the configuration or systemd asks for one: *out is NULL when neither
 * does. @line: the HDLC line an earlier meter opened on the same dlms_hdlc_device
 * (pm_dlms_view_serial), joined as another station; NULL opens it. Returns 0 or a negative
 * errno (logged).
 */
int pm_dlms_view_new(sd_event *event, const struct pm_conf_meter *conf,
		     const struct pm_cosem_directory *dir, const struct pm_dlms_meter_config *meter,
		     struct pm_dlms_serial *line, struct pm_dlms_view **out);
/* The HDLC line the view's meter is a station on, or NULL. */
struct pm_dlms_serial *pm_dlms_view_serial(const struct pm_dlms_view *v);
struct pm_dlms_view *pm_dlms_view_free(struct pm_dlms_view *v);

/* The offset a DLMS client set on the meter's clock (0 without a view), ns. */
int64_t pm_dlms_view_clock_offset_ns(const struct pm_dlms_view *v);

#endif
