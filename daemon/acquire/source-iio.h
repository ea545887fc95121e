/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The libiio source: the ade9000 driver's buffer (docs/abi.md §7) read through its poll fd in
 * the sd-event loop.
 *
 * - Context: "local:" by default, or any libiio URI ("ip:gateway" for a remote iiod).
 * - Device: found by label, name or id (iio_context_find_device matches all three).
 * - Scales: read once per connection from the direct-read attributes, found by their sysfs
 *   file name so both our names and mainline 6.18's (in_altcurrentN_rms_scale) work.
 * - Buffer: the 24 phase elements, the neutral current and the timestamp; non-blocking
 *   refills on every POLLIN. Remote contexts have no poll fd: they are refilled from a timer.
 * - Loss: a refill error, or no scan for stall_timeout (a removed device never signals its
 *   poll fd), closes the context and retries after 1 s, 2 s, 4 s ... 60 s.
 * - Generations: the driver's counter_epoch names one run of the lifetime counters; when it
 *   changes, the new counters started from zero at probe. Without it, a random one per
 *   connection.
 * - acquisition = direct (or auto on a device without our energy scan elements, such as the
 *   mainline 6.18 driver): no buffer; the direct-read attributes are polled and the powers
 *   integrated (source-iio-direct.h).
 */
#ifndef POLYMETER_SOURCE_IIO_H
#define POLYMETER_SOURCE_IIO_H

#include "acquire/source.h"

#define PM_IIO_BACKOFF_MIN_US 1000000ULL
#define PM_IIO_BACKOFF_MAX_US 60000000ULL

#endif
