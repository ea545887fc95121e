/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS view's pushes (issue 13; docs/dlms.md "Push"): one meter's Data-Notifications to its
 * head-end over TCP, in the IEC 62056-47 wrapper, on the daemon's sd-event loop.
 *
 * What is pushed and how it is encoded: core/dlms/push-setup.h (the Push setup objects and
 * their object lists) and core/dlms/push-message.h (the APDU, its ciphering, the wrapper). When
 * it is pushed: core/dlms/push-schedule.h. This file is the adapter around them:
 *
 *   - a tick (tick_usec of real time) reads the meter's clock and asks the schedule what is
 *     due; the oldest due nominal instant of each schedule is pushed once the meter's clock has
 *     passed its start offset (nominal + pm_push_offset, drawn in 0 .. window - 1 s);
 *   - events (power_down/_up, supply_opened/_closed, low_credit) as the configuration asks
 *     are read from the store's event log after the event cursor, oldest first, and pushed
 *     before the scheduled ones; a meter event (pm_meter_event) only wakes the tick at once.
 *     Method pushes (and, without a store, events) wait in memory, at most 64;
 *   - one push at a time: a non-blocking connect to the destination, the frame written, our
 *     side shut down, then the head-end's close awaited (each step within PUSH_IO_TIMEOUT of
 *     real time). The push counts as delivered when the head-end closes the connection after
 *     reading it (EOF), or when the kernel reports every octet acknowledged by the peer;
 *     a refused or reset connection or a timeout is a failure;
 *   - a failure retries after pm_push_retry_delay (meter seconds: retry_base doubling up to
 *     retry_max), the same push again with a fresh invocation counter; nothing is dropped;
 *   - a scheduled push delivered records its nominal instant in the store (migration 13)
 *     before the next is tried: after a restart, every nominal instant after it is due, so a
 *     push is neither skipped nor sent twice (a crash between the head-end's close and the
 *     commit is the one window where a push could go twice). An event push delivered
 *     commits its event's id the same way (the event cursor, schedule 255 in the store), so
 *     every event logged after it is pushed after a crash, a restart or a long outage; the
 *     first start starts the cursor at the newest event. Without a store the instant is kept
 *     in memory only (logged at start), and events wait in memory.
 *
 * Ciphered when the meter has HLS keys (dlms_key_file): general-glo-ciphering under the
 * meter's system title, each push with a fresh invocation counter from the same persisted
 * counter path as the server's answers (views/dlms/dlms-hls.h), so none is used twice. Else in
 * clear. The wrapper's source wPort is 1 (the meter's management logical device, the server
 * SAP every association talks to), its destination wPort 1 (the management client: the
 * head-end SAP that holds the keys a ciphered push needs).
 */
#ifndef POLYMETER_DLMS_PUSH_H
#define POLYMETER_DLMS_PUSH_H

#include <stdint.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem.h"
#include "core/dlms/server.h"
#include "store/store.h"

/* The client a push goes to (the wrapper's destination wPort), whose keys cipher it. */
#define PM_DLMS_PUSH_CLIENT_SAP 1
#include "views/dlms/dlms-push-conf.h"

struct pm_dlms_push_config {
	const char *name;	 /* the meter's: store rows, start offsets, log */
	const char *time_zone;	 /* "" = the system's: nominal instants at 00:00 local */
	const char *destination; /* "host:port" as configured, for the log and attribute 3 */
	struct sockaddr_storage dest;
	uint8_t schedules; /* bit n: enum pm_dlms_push_schedule */
	uint8_t events;	   /* bit n: enum pm_dlms_push_event */
	uint32_t window_s, retry_base_s, retry_max_s;
	uint64_t tick_usec;	/* how often the meter's clock is looked at (real time) */
	struct pm_store *store; /* NULL: delivered instants kept in memory only */
	/* the directory the body is read from, as the server serves it */
	const struct pm_cosem_directory_ops *ops;
	const void *dir;
	/* the meter as a request reads it (the server's meter_of_request), and its clock, UTC ns */
	const struct pm_cosem_meter *(*meter)(void *data);
	int64_t (*now_ns)(void *data);
	/* the security a push is ciphered under, asked for each push (a key transfer changes
	 * it); NULL, or returning NULL: pushes in clear */
	const struct pm_dlms_security *(*security)(void *data);
	void *data;
};

struct pm_dlms_push;

int pm_dlms_push_new(sd_event *event, const struct pm_dlms_push_config *cfg,
		     struct pm_dlms_push **out);
struct pm_dlms_push *pm_dlms_push_free(struct pm_dlms_push *p);

/* A meter event (pm_meter_set_event_listener's signature, @data the struct pm_dlms_push), of
 * a kind the configuration pushes: with a store the log is read at once (the event is in it
 * already), without one it is queued. */
void pm_dlms_push_event(void *data, int64_t utc_ns, const char *kind, const char *detail);
/* Queues a push of @setup now (the Push setup object's method push). */
enum pm_dlms_result pm_dlms_push_now(void *data, unsigned setup);
/* What the Push setup objects publish of this meter. */
const struct pm_cosem_push_info *pm_dlms_push_info(const struct pm_dlms_push *p);

#endif
