/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 4217 currencies: the minor units (decimal digits of the smallest unit) of a code, for a
 * currency conversion that names only the currency it converts to (manual §8.11: "Currency to
 * be converted to"). Pure: a table, no I/O.
 */
#ifndef POLYMETER_ISO4217_H
#define POLYMETER_ISO4217_H

/*
 * The minor units of the ISO 4217 currency @code ("GBP" -> 2, "JPY" -> 0, "BHD" -> 3,
 * "CLF" -> 4), or -ENOENT for a string that is not the code of a currency in circulation
 * (funds and metals without minor units, such as XAU, included: no account counts in them).
 */
int pm_iso4217_minor_units(const char *code);

#endif
