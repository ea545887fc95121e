/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeter's version, as polymeterctl --version, the DLMS firmware identifier (1.0.0.2.0.255)
 * and the logs give it. Its one source is the top-level VERSION file, which daemon/daemon.mk
 * passes as -DPOLYMETER_VERSION; a compile outside make (a syntax check) gets "unknown".
 */
#ifndef POLYMETER_VERSION_H
#define POLYMETER_VERSION_H

#ifndef POLYMETER_VERSION
#define POLYMETER_VERSION "unknown"
#endif
#define PM_VERSION POLYMETER_VERSION

#endif
