/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging of polymeterd: one line per message on stderr. Under systemd (JOURNAL_STREAM set) each
 * line starts with the sd-daemon(3) priority prefix, so the journal keeps the level.
 */
#ifndef POLYMETER_LOG_H
#define POLYMETER_LOG_H

#include <syslog.h>

void pm_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs and returns r (a negative errno), for "return log_error_errno(r, ...)". */
int pm_log_errno(int prio, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Messages below this priority are dropped (LOG_INFO by default, LOG_DEBUG with --debug). */
void pm_log_set_max(int prio);

#define log_debug(...) pm_log(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) pm_log(LOG_INFO, __VA_ARGS__)
#define log_notice(...) pm_log(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) pm_log(LOG_WARNING, __VA_ARGS__)
#define log_error(...) pm_log(LOG_ERR, __VA_ARGS__)
#define log_warning_errno(r, ...) pm_log_errno(LOG_WARNING, r, __VA_ARGS__)
#define log_error_errno(r, ...) pm_log_errno(LOG_ERR, r, __VA_ARGS__)

#endif
