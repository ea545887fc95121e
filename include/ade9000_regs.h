/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ADE9000 register map, shared by the driver (driver/ade9000.c) and the
 * test-only chip emulator (tests/emu/ade9000_emu.c).
 *
 * Addresses and fields from the ADE9000 datasheet / UG-1098 technical
 * reference manual. Phase B and C copies of the per-phase registers sit at
 * fixed strides from phase A (see ADE9000_PHASE_REG()/ADE9000_PHASE_EGY()).
 */
#ifndef _ADE9000_REGS_H
#define _ADE9000_REGS_H

#include <linux/bits.h>

/* SPI command header: bits [15:4] address, bit 3 read */
#define ADE9000_CMD_ADDR_MASK		GENMASK(15, 4)
#define ADE9000_CMD_READ		BIT(3)

/* Registers 0x480..0x4FE (inclusive) are 16 bits wide, all others 32 */
#define ADE9000_REG16_FIRST		0x480
#define ADE9000_REG16_LAST		0x4FE
#define ADE9000_REG_MAX			0x6BC

/* Per-phase stride for calibration (0x000..0x05F) and measurements (0x20A..) */
#define ADE9000_PHASE_STRIDE		0x20
#define ADE9000_PHASE_REG(reg, ph)	((reg) + (ph) * ADE9000_PHASE_STRIDE)
/* Per-phase stride for the energy/power accumulator block (0x2E5..) */
#define ADE9000_EGY_STRIDE		0x3C
#define ADE9000_PHASE_EGY(reg, ph)	((reg) + (ph) * ADE9000_EGY_STRIDE)

/* Calibration, phase A (32-bit, signed, two's complement) */
#define ADE9000_REG_AIGAIN		0x000
#define ADE9000_REG_APHCAL0		0x006
#define ADE9000_REG_AVGAIN		0x00B
#define ADE9000_REG_AIRMSOS		0x00C
#define ADE9000_REG_AVRMSOS		0x00D
#define ADE9000_REG_APGAIN		0x00E
#define ADE9000_REG_AWATTOS		0x00F
#define ADE9000_REG_AVAROS		0x010
#define ADE9000_REG_AFVAROS		0x012
#define ADE9000_REG_CONFIG0		0x060
#define ADE9000_REG_NIRMSOS		0x06B
#define ADE9000_REG_NIGAIN		0x06D
#define ADE9000_REG_VNOM		0x071
#define ADE9000_REG_DICOEFF		0x072

/* Measurements, phase A (32-bit, signed) */
#define ADE9000_REG_AI_PCF		0x20A
#define ADE9000_REG_AV_PCF		0x20B
#define ADE9000_REG_AIRMS		0x20C
#define ADE9000_REG_AVRMS		0x20D
#define ADE9000_REG_AIFRMS		0x20E
#define ADE9000_REG_AVFRMS		0x20F
#define ADE9000_REG_AWATT		0x210
#define ADE9000_REG_AVAR		0x211
#define ADE9000_REG_AVA			0x212
#define ADE9000_REG_AFWATT		0x213
#define ADE9000_REG_AFVAR		0x214
#define ADE9000_REG_AFVA		0x215
#define ADE9000_REG_APF			0x216
#define ADE9000_REG_AVTHD		0x217
#define ADE9000_REG_AITHD		0x218
#define ADE9000_REG_AIRMSONE		0x219
#define ADE9000_REG_AVRMSONE		0x21A
#define ADE9000_REG_NI_PCF		0x265
#define ADE9000_REG_NIRMS		0x266
#define ADE9000_REG_VERSION2		0x26A

/* Energy accumulators, phase A; B = +0x3C, C = +0x78 */
#define ADE9000_REG_AWATTHR_LO		0x2E6
#define ADE9000_REG_AWATTHR_HI		0x2E7
#define ADE9000_REG_AVARHR_LO		0x2F0
#define ADE9000_REG_AVARHR_HI		0x2F1
#define ADE9000_REG_AVAHR_LO		0x2FA
#define ADE9000_REG_AVAHR_HI		0x2FB
/* First and last register of the three phases' accumulator blocks */
#define ADE9000_REG_EGY_FIRST		0x2E5
#define ADE9000_REG_EGY_LAST		0x3B2

/* Status, interrupts, levels (32-bit) */
#define ADE9000_REG_IPEAK		0x400
#define ADE9000_REG_VPEAK		0x401
#define ADE9000_REG_STATUS0		0x402
#define ADE9000_REG_STATUS1		0x403
#define ADE9000_REG_EVENT_STATUS	0x404
#define ADE9000_REG_MASK0		0x405
#define ADE9000_REG_MASK1		0x406
#define ADE9000_REG_EVENT_MASK		0x407
#define ADE9000_REG_OILVL		0x409
#define ADE9000_REG_OIA			0x40A
#define ADE9000_REG_OIN			0x40D
#define ADE9000_REG_VLEVEL		0x40F
#define ADE9000_REG_DIP_LVL		0x410
#define ADE9000_REG_DIPA		0x411
#define ADE9000_REG_SWELL_LVL		0x414
#define ADE9000_REG_SWELLA		0x415
#define ADE9000_REG_APERIOD		0x418
#define ADE9000_REG_ACT_NL_LVL		0x41C
#define ADE9000_REG_REACT_NL_LVL	0x41D
#define ADE9000_REG_APP_NL_LVL		0x41E
#define ADE9000_REG_PHNOLOAD		0x41F
#define ADE9000_REG_LAST_DATA_32	0x423
#define ADE9000_REG_PART_ID		0x472
#define ADE9000_REG_TEMP_TRIM		0x474

/* 16-bit registers */
#define ADE9000_REG_RUN			0x480
#define ADE9000_REG_CONFIG1		0x481
#define ADE9000_REG_ANGL_VA_VB		0x482
#define ADE9000_REG_ANGL_VB_VC		0x483
#define ADE9000_REG_ANGL_VA_VC		0x484
#define ADE9000_REG_ANGL_VA_IA		0x485
#define ADE9000_REG_ANGL_VB_IB		0x486
#define ADE9000_REG_ANGL_VC_IC		0x487
#define ADE9000_REG_DIP_CYC		0x48B
#define ADE9000_REG_SWELL_CYC		0x48C
#define ADE9000_REG_OISTATUS		0x48F
#define ADE9000_REG_CFMODE		0x490
#define ADE9000_REG_COMPMODE		0x491
#define ADE9000_REG_ACCMODE		0x492
#define ADE9000_REG_CONFIG3		0x493
#define ADE9000_REG_ZXTOUT		0x498
#define ADE9000_REG_ZX_LP_SEL		0x49A
#define ADE9000_REG_PHSIGN		0x49D
#define ADE9000_REG_WFB_CFG		0x4A0
#define ADE9000_REG_CONFIG5		0x4A4
#define ADE9000_REG_CRC_RSLT		0x4A8
#define ADE9000_REG_CRC_SPI		0x4A9
#define ADE9000_REG_LAST_DATA_16	0x4AC
#define ADE9000_REG_LAST_CMD		0x4AE
#define ADE9000_REG_CONFIG2		0x4AF
#define ADE9000_REG_EP_CFG		0x4B0
#define ADE9000_REG_PWR_TIME		0x4B1
#define ADE9000_REG_EGY_TIME		0x4B2
#define ADE9000_REG_CRC_FORCE		0x4B4
#define ADE9000_REG_TEMP_CFG		0x4B6
#define ADE9000_REG_TEMP_RSLT		0x4B7
#define ADE9000_REG_PGA_GAIN		0x4B9
#define ADE9000_REG_CHNL_DIS		0x4BA
#define ADE9000_REG_WR_LOCK		0x4BF
#define ADE9000_REG_VAR_DIS		0x4E0
#define ADE9000_REG_VERSION		0x4FE

/*
 * Further registers the driver uses (added for driver/ade9000.c; names and
 * addresses as in UG-1098).
 */
#define ADE9000_REG_ISUMLVL		0x073
#define ADE9000_REG_USER_PERIOD		0x40E
#define ADE9000_REG_COM_PERIOD		0x41B
#define ADE9000_REG_WTHR		0x420
#define ADE9000_REG_VATHR		0x422
#define ADE9000_REG_ADC_REDIRECT	0x424
#define ADE9000_REG_CF_LCFG		0x425
#define ADE9000_REG_ANGL_IA_IC		0x48A
#define ADE9000_REG_ZXTHRSH		0x499
#define ADE9000_REG_SEQ_CYC		0x49C
#define ADE9000_REG_WFB_PG_IRQEN	0x4A1
#define ADE9000_REG_WFB_TRG_CFG		0x4A2
#define ADE9000_REG_WFB_TRG_STAT	0x4A3
#define ADE9000_REG_CRC_OPTEN		0x4B5
#define ADE9000_REG_PSM2_CFG		0x4B8

/* CONFIG1: 1 = one IRQ1 pulse on entering and one on leaving a dip/swell */
#define ADE9000_CONFIG1_DIP_SWELL_IRQ_MODE	BIT(10)

/*
 * CONFIG3.OC_EN[3:0] (bits 15:12): overcurrent detection enable, bit 12 =
 * phase A ... bit 15 = neutral, the same order as OISTATUS.OIPHASE[3:0].
 */
#define ADE9000_CONFIG3_OC_EN_MASK	GENMASK(15, 12)
#define ADE9000_CONFIG3_OC_EN(ph)	BIT(12 + (ph))

/* STATUS0 / MASK0: temperature conversion done */
#define ADE9000_ST0_TEMP_RDY		BIT(25)

/*
 * DIP_LVL, SWELL_LVL and OILVL hold the RMS1/2 threshold as
 * xVRMSONE (xIRMSONE) >> 5, in 24 bits (UG-1098 p.30 for dip/swell; the
 * driver and the emulator use the same scaling for OILVL).
 */
#define ADE9000_LVL_SHIFT		5

/* Identity */
#define ADE9000_CONFIG5_CHIP_ID		0x0063
#define ADE9000_PART_ID_ADE9000		BIT(20)

/* RUN */
#define ADE9000_RUN_ON			BIT(0)

/* CONFIG1 */
#define ADE9000_CONFIG1_SWRST		BIT(0)
#define ADE9000_CONFIG1_IRQ0_ON_IRQ1	BIT(12)
#define ADE9000_CONFIG1_EXT_REF		BIT(15)

/* STATUS0 / MASK0 (write 1 to clear) */
#define ADE9000_ST0_EGYRDY		BIT(0)
#define ADE9000_ST0_REVAPA		BIT(1)	/* B = bit 2, C = bit 3 */
#define ADE9000_ST0_REVAP(ph)		BIT(1 + (ph))
#define ADE9000_ST0_PWRRDY		BIT(18)
#define ADE9000_ST0_THD_PF_RDY		BIT(21)

/* STATUS1 / MASK1 (write 1 to clear) */
#define ADE9000_ST1_ZXTOV(ph)		BIT(6 + (ph))
#define ADE9000_ST1_RSTDONE		BIT(16)
#define ADE9000_ST1_OI			BIT(17)
#define ADE9000_ST1_SEQERR		BIT(18)
#define ADE9000_ST1_SWELL(ph)		BIT(20 + (ph))
#define ADE9000_ST1_DIP(ph)		BIT(23 + (ph))
#define ADE9000_ST1_CRC_CHG		BIT(26)
#define ADE9000_ST1_CRC_DONE		BIT(27)
#define ADE9000_ST1_ERROR_MASK		GENMASK(31, 28)

/* OISTATUS: overcurrent per phase, bits 0..3 = A, B, C, N */
#define ADE9000_OISTATUS_OI(ph)		BIT(ph)

/* PHSIGN: sign of total active power per phase, 1 = negative */
#define ADE9000_PHSIGN_AWSIGN		BIT(0)
#define ADE9000_PHSIGN_WSIGN(ph)	BIT(2 * (ph))

/* ACCMODE */
#define ADE9000_ACCMODE_WATTACC		GENMASK(1, 0)
#define ADE9000_ACCMODE_VARACC		GENMASK(3, 2)
#define ADE9000_ACCMODE_VCONSEL		GENMASK(6, 4)
#define ADE9000_ACCMODE_SELFREQ		BIT(8)	/* 1 = 60 Hz */
#define ADE9000_VCONSEL_4W_WYE		0
#define ADE9000_VCONSEL_3W_DELTA	1

/* EP_CFG */
#define ADE9000_EP_CFG_EGY_PWR_EN	BIT(0)
#define ADE9000_EP_CFG_EGY_TMR_MODE	BIT(1)
#define ADE9000_EP_CFG_EGY_LD_ACCUM	BIT(4)
#define ADE9000_EP_CFG_RD_RST_EN	BIT(5)
#define ADE9000_EGY_TIME_MASK		GENMASK(12, 0)

/* TEMP_CFG, TEMP_RSLT, TEMP_TRIM */
#define ADE9000_TEMP_CFG_TIME		GENMASK(1, 0)
#define ADE9000_TEMP_CFG_EN		BIT(2)
#define ADE9000_TEMP_CFG_START		BIT(3)
#define ADE9000_TEMP_RSLT_MASK		GENMASK(11, 0)
#define ADE9000_TEMP_TRIM_OFFSET	GENMASK(31, 16)
#define ADE9000_TEMP_TRIM_GAIN		GENMASK(15, 0)

/* 24-bit level fields */
#define ADE9000_LVL_MASK		GENMASK(23, 0)

/* DSP and conversion constants */
#define ADE9000_FDSP_HZ			8000
#define ADE9000_RMS_FS_CODES		52702092	/* xIRMS/xVRMS at ADC full scale */
#define ADE9000_WATT_FS_CODES		20694066	/* xWATT/xVAR/xVA at full scale */
#define ADE9000_PCF_FS_CODES		74532013	/* xI_PCF/xV_PCF at full scale */
#define ADE9000_PF_ONE			BIT(27)		/* APF = 2^27 for PF 1.0 */
#define ADE9000_THD_ONE			BIT(27)		/* THD = 2^27 for 100 % */
#define ADE9000_PERIOD_NUM		(ADE9000_FDSP_HZ * 65536U)	/* f = NUM / (PERIOD + 1) */
#define ADE9000_ANGLE_CLK_HZ		1024000	/* ANGL_x count clock */
#define ADE9000_EGY_HI_SHIFT		13	/* xHR_HI = accumulation >> 13 */
/* ADC full scale: +/-1 V peak at the pins, i.e. 707.107 mV rms */
#define ADE9000_FS_PIN_UV_RMS		707107

#endif /* _ADE9000_REGS_H */
