/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IIO events of a local meter device (swell, dip, reverse power, overcurrent; docs/abi.md
 * §6). Debian 12's libiio 0.24 has no event API, so this opens the kernel's interface itself:
 * the device's chardev /dev/iio:deviceN, ioctl IIO_GET_EVENT_FD_IOCTL, then struct
 * iio_event_data records read from that fd, watched in the sd-event loop.
 *
 * Remote contexts (ip:host through iiod) carry no events: the iio source logs that once.
 * Which events fire is the device's configuration (its events/ attributes: enable and level,
 * written by the integrator, e.g. a udev rule); the daemon only listens.
 */
#ifndef POLYMETER_SOURCE_IIO_EVENTS_H
#define POLYMETER_SOURCE_IIO_EVENTS_H

#include <stdint.h>
#include <systemd/sd-event.h>

#include "acquire/source.h"

struct pm_iio_events;

/*
 * Watches the events of the IIO device @dev_id ("iio:device0"); each recognised event goes
 * to @fn. -ENOENT when the chardev does not exist, -ENODEV when the device has no events.
 */
int pm_iio_events_open(sd_event *event, const char *dev_id, pm_chip_event_fn fn, void *userdata,
		       struct pm_iio_events **out);
struct pm_iio_events *pm_iio_events_close(struct pm_iio_events *e);

/* Decodes one IIO event code; -EINVAL for one that is not a meter event we know. */
int pm_iio_event_decode(uint64_t id, struct pm_chip_event *ev);

#endif
