// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: one DLMS session (daemon/core/dlms/server*.c) fed a sequence of APDUs, on a
 * fake directory of its own (a register, a load profile long enough for block transfer, a
 * settable octet-string, a disconnect control whose methods return data).
 *
 * Input: one byte of setup, then records of [client SAP choice][length, 2 octets big-endian]
 * [APDU] (a record longer than what is left takes what is left). Setup bits: 0 associate first
 * with the reference AARQ, 1 as the management client (LLS, "12345678") rather than the public
 * one, 2-3 the client max PDU (64, 200, 1024, 65535), 4 a password configured, 5-6 our max PDU
 * (default, 64, 512, 2048), 7 HLS-GMAC configured (the Green Book's Table 43 keys and server
 * title, counters from 0 in memory, the challenge A0..AF: the seed hls-get is a whole valid
 * association and ciphered GET). SAP choice: 0 public (16), 1 management (1), else the octet.
 *
 * Besides not crashing: never PM_DLMS_CLOSE (the transport's buffer is large); every answer is
 * an AARE, an RLRE, a GET, SET or ACTION response (glo-ciphered too) or an exception-response
 * (or empty, for an AARQ that does not allow one); a GET, SET or ACTION response is never
 * longer than the client's max PDU, nor than ours.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/dlms/cosem-class.h"
#include "core/dlms/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { F_REGISTER, F_PROFILE, F_DISCONNECT, F_BLOB, F_COUNT };

static const struct pm_cosem_object objects[F_COUNT] = {
    [F_REGISTER] = {{1, 0, 1, 8, 0, 255}, NULL, F_REGISTER},
    [F_PROFILE] = {{1, 0, 99, 1, 0, 255}, NULL, F_PROFILE},
    [F_DISCONNECT] = {{0, 0, 96, 3, 10, 255}, NULL, F_DISCONNECT},
    [F_BLOB] = {{0, 0, 96, 1, 0, 255}, NULL, F_BLOB},
};
static const uint16_t object_class[F_COUNT] = {3, 7, 70, 1};

struct fake {
	uint32_t energy;
	size_t nblob;
	unsigned actions;
	uint8_t blob[PM_DLMS_MAX_SET];
};

static const struct pm_cosem_object *fake_find(const void *dir, const struct pm_cosem_request *req,
					       uint16_t class_id, const uint8_t ln[6])
{
	size_t i;

	(void)dir;
	(void)req;
	for (i = 0; i < F_COUNT; i++)
		if (object_class[i] == class_id && !memcmp(objects[i].ln, ln, 6))
			return &objects[i];
	return NULL;
}

static enum pm_dlms_result fake_get(const void *dir, const struct pm_cosem_request *req,
				    const struct pm_cosem_object *obj, uint8_t attr,
				    const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct fake *f = dir;
	uint32_t rows, i;

	(void)req;
	if (attr != 2)
		return PM_DLMS_READ_WRITE_DENIED;
	switch (obj->arg) {
	case F_REGISTER:
		pm_axdr_put_u32(out, f->energy);
		return PM_DLMS_SUCCESS;
	case F_PROFILE:
		/* the selector's parameters decide how many rows: up to 400 of 8 octets */
		rows = sel->selector ? (uint32_t)(sel->nparam * 37 % 401) : 300;
		pm_axdr_put_array(out, rows);
		for (i = 0; i < rows; i++) {
			pm_axdr_put_structure(out, 1);
			pm_axdr_put_u32(out, i);
		}
		return PM_DLMS_SUCCESS;
	case F_BLOB:
		pm_axdr_put_raw(out, f->blob, f->nblob);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_READ_WRITE_DENIED;
	}
}

static enum pm_dlms_result fake_set(const void *dir, const struct pm_cosem_request *req,
				    const struct pm_cosem_object *obj, uint8_t attr,
				    const uint8_t *value, size_t len)
{
	/* the directory is this file's own state, handed over as the interface's const */
	struct fake *f = (struct fake *)(uintptr_t)dir;

	if (req->assoc->client != PM_DLMS_CLIENT_MANAGEMENT || attr != 2)
		return PM_DLMS_READ_WRITE_DENIED;
	if (obj->arg == F_REGISTER && len == 5 && value[0] == 0x06) {
		f->energy = (uint32_t)value[1] << 24 | (uint32_t)value[2] << 16 |
			    (uint32_t)value[3] << 8 | value[4];
		return PM_DLMS_SUCCESS;
	}
	if (obj->arg == F_BLOB && len <= sizeof(f->blob)) {
		memcpy(f->blob, value, len);
		f->nblob = len;
		return PM_DLMS_SUCCESS;
	}
	return PM_DLMS_TYPE_UNMATCHED;
}

static enum pm_dlms_result fake_action(const void *dir, const struct pm_cosem_request *req,
				       const struct pm_cosem_object *obj, uint8_t method,
				       const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	struct fake *f = (struct fake *)(uintptr_t)dir;
	uint8_t big[300];

	(void)req;
	if (obj->arg != F_DISCONNECT)
		return PM_DLMS_READ_WRITE_DENIED;
	switch (method) {
	case 1:
		f->actions++;
		return PM_DLMS_SUCCESS;
	case 2:
		pm_axdr_put_u16(out, (uint16_t)(f->actions + len));
		return PM_DLMS_SUCCESS;
	case 3:
		memset(big, param && len ? param[0] : 0, sizeof(big));
		pm_axdr_put_octet_string(out, big, sizeof(big));
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNAVAILABLE;
	}
}

static const struct pm_cosem_directory_ops fake_ops = {
    .find = fake_find,
    .get = fake_get,
    .set = fake_set,
    .action = fake_action,
};

/* The reference's AARQ, and the same with LLS "12345678" (its conformance 0x621E5D). */
static const uint8_t ref_aarq[] = {0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08,
				   0x01, 0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06,
				   0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};
static const uint8_t lls_aarq[] = {
    0x60, 0x36, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0x8A,
    0x02, 0x07, 0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A,
    0x80, 0x08, '1',  '2',  '3',  '4',	'5',  '6',  '7',  '8',	0xBE, 0x10, 0x04, 0x0E,
    0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x62, 0x1E, 0x5D, 0xFF, 0xFF};

static void check_answer(const struct pm_dlms_session *s, enum pm_dlms_verdict v,
			 const struct pm_axdr_out *out)
{
	const struct pm_dlms_assoc_info *ai = pm_dlms_session_assoc(s);

	if (v != PM_DLMS_ANSWER || out->overflow)
		__builtin_trap();
	if (!out->len)
		return;
	switch (out->buf[0]) {
	case 0xC4:
	case 0xC5:
	case 0xC7:
	case 0xCC: /* glo-get-response, glo-set-response, glo-action-response */
	case 0xCD:
	case 0xCF:
		if (ai->client == PM_DLMS_CLIENT_NONE || out->len > ai->client_max_pdu ||
		    out->len > ai->server_max_pdu)
			__builtin_trap();
		break;
	case 0x61:
	case 0x63:
	case 0xD8:
		break;
	default:
		__builtin_trap();
	}
}

/* HLS-GMAC's daemon side, in memory: counters start over with each input. */
static uint32_t server_ic;
static int64_t client_last;

static int next_ic(void *data, uint32_t *ic)
{
	(void)data;
	*ic = server_ic++;
	return 0;
}

static bool client_ic(void *data, uint32_t ic, bool changes, uint32_t *expected)
{
	(void)data;
	(void)changes;
	*expected = (uint32_t)(client_last + 1);
	if ((int64_t)ic <= client_last)
		return false;
	client_last = ic;
	return true;
}

static int challenge(void *data, uint8_t *buf, size_t n)
{
	(void)data;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(0xA0 + i);
	return 0;
}

static const struct pm_dlms_keys gb_keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
	   0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
	   0xDF},
};
static const struct pm_dlms_security security = {
    .keys = &gb_keys,
    .title = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E},
    .next_ic = next_ic,
    .client_ic = client_ic,
    .random = challenge,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t client_pdus[4] = {64, 200, 1024, 0xFFFF};
	static const uint16_t server_pdus[4] = {0, 64, 512, 2048};
	static struct fake f;
	struct pm_dlms_server_config cfg = {.ops = &fake_ops, .dir = &f};
	struct pm_dlms_session *s;
	struct pm_axdr_out out;
	enum pm_dlms_verdict v;
	uint8_t setup, aarq[sizeof(lls_aarq)];
	size_t pos = 1, aarq_len;

	if (!size)
		return 0;
	setup = data[0];
	memset(&f, 0, sizeof(f));
	f.energy = 12345;
	cfg.password = setup & 0x10 ? "12345678" : NULL;
	cfg.max_pdu = server_pdus[(setup >> 5) & 3];
	cfg.security = setup & 0x80 ? &security : NULL;
	server_ic = 0;
	client_last = -1;
	s = pm_dlms_session_new(&cfg);
	if (!s)
		return 0;
	pm_axdr_out_init_heap(&out, 1u << 20);
	if (setup & 0x01) {
		uint16_t pdu = client_pdus[(setup >> 2) & 3];

		aarq_len = setup & 0x02 ? sizeof(lls_aarq) : sizeof(ref_aarq);
		memcpy(aarq, setup & 0x02 ? lls_aarq : ref_aarq, aarq_len);
		aarq[aarq_len - 2] = (uint8_t)(pdu >> 8);
		aarq[aarq_len - 1] = (uint8_t)pdu;
		v = pm_dlms_session_apdu(s, NULL, setup & 0x02 ? 1 : 16, PM_DLMS_SERVER_SAP, aarq,
					 aarq_len, &out);
		check_answer(s, v, &out);
	}
	while (pos + 3 <= size) {
		uint8_t choice = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		uint16_t sap = choice == 0 ? 16 : choice == 1 ? 1 : choice;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		v = pm_dlms_session_apdu(s, NULL, sap, PM_DLMS_SERVER_SAP, data + pos, len, &out);
		check_answer(s, v, &out);
		pos += len;
	}
	pm_axdr_out_free(&out);
	pm_dlms_session_free(s);
	return 0;
}
