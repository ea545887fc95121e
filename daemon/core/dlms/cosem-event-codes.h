/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which event log (a Profile generic, cosem-profile.h) an event of the meter's log (docs/events.md:
 * a kind and a detail text) goes to, and its event code there (long-unsigned, the Data object
 * 0.0.96.11.<e>.255 of the log 0.0.99.98.<e>.255).
 *
 * Codes 1..255 are IDIS / DSMR's where one fits (the event logs of the IDIS and DSMR companion
 * specifications, as published protocol code reads them: OSGP's EventType, EnergyICT's IDIS
 * and DSMR event log parsers, see docs/dlms-profiles.md); codes from 1000 are polymeter's own,
 * for what those logs have no code for. The kinds the meter logs are listed in
 * cosem-event-codes.c; a kind it does not know goes to the standard event log with code
 * PM_EVENT_CODE_OTHER, so no event is ever hidden from the head-end.
 */
#ifndef POLYMETER_COSEM_EVENT_CODES_H
#define POLYMETER_COSEM_EVENT_CODES_H

#include <stdint.h>

#include "core/dlms/cosem-profile.h"

#define PM_EVENT_CODE_OTHER 1999 /* a kind this table does not know */

/*
 * The log (PM_COSEM_STANDARD_EVENTS, _DISCONNECT_EVENTS, _POWER_QUALITY_EVENTS or
 * _CREDIT_EVENTS) and the code of an event of @kind with @detail (may be NULL).
 */
void pm_cosem_event_classify(const char *kind, const char *detail, enum pm_cosem_profile *log,
			     uint16_t *code);

#endif
