/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's STS decoder key file (sts_decoder_key_file): whoever reads the decoder key can
 * make valid credit tokens for the meter, so it is kept where only the daemon reads it: a
 * file of mode 0640 root:polymeter (the service's group reads it, root writes it), holding 16
 * hexadecimal digits (the key as an integer, its bytes big-endian, as prepay-sts.md §1.7 gives
 * DKGA02's output) on its first line. A file others may read, or its group may write, is
 * refused, by --check-config and at every start alike; the key is never logged.
 */
#ifndef POLYMETER_STS_KEY_FILE_H
#define POLYMETER_STS_KEY_FILE_H

#include <stdint.h>

/* 0 with *dk, or a negative errno with *why completing "sts_decoder_key_file PATH ...". */
int pm_sts_key_file_read(const char *path, uint64_t *dk, const char **why);

#endif
