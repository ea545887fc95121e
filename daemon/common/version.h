/* SPDX-License-Identifier: GPL-2.0-only */
/* polymeter's version, as the DLMS firmware identifier (1.0.0.2.0.255) and the logs give it. */
#ifndef POLYMETER_VERSION_H
#define POLYMETER_VERSION_H

#define PM_VERSION "0.2.0"

#endif
