// SPDX-License-Identifier: GPL-2.0-only
/*
 * ADE9000 chip emulator (test only).
 *
 * A software SPI controller with one device, "ade9000", whose transfers are
 * answered from an emulated ADE9000 register file, so that the real driver
 * (driver/ade9000.c) binds and runs on a stock kernel without hardware.
 * Contract: docs/kernel-design.md sections 1 and 4. One file, as a kernel
 * module for one emulated chip is.
 *
 * The grid (per-phase RMS voltage/current, angle, frequency, THD, sensor gain
 * errors) is set through debugfs; the measurement registers are derived from
 * it when read, and the energy accumulators advance with kernel time at fDSP = 8 kSPS.
 *
 * A small GPIO chip, "ade9000-emu-gpio", stands in for the gateway's supply
 * control: two outputs (the contactor and the auxiliary relay), whose levels
 * debugfs shows, and one input (the customer's button), whose level debugfs
 * sets, with edge interrupts so that libgpiod's edge events work.
 */

#include <linux/bitfield.h>
#include <linux/crc-itu-t.h>
#include <linux/debugfs.h>
#include <linux/fixp-arith.h>
#include <linux/gpio/driver.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/seq_file.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "ade9000_regs.h"

static bool irq = true;
module_param(irq, bool, 0444);
MODULE_PARM_DESC(irq, "give the device an interrupt (default 1)");

static bool crc;
module_param(crc, bool, 0444);
MODULE_PARM_DESC(crc, "add polymeter,spi-crc to the device (default 0)");

static char *label = "meter0";
module_param(label, charp, 0444);
MODULE_PARM_DESC(label, "label property of the device (default meter0)");

#define EMU_NPH			3
#define EMU_MAX_MSG		64
/* Front end given to the driver: 800k/1k divider, 2000:1 CT on 10 ohm */
#define EMU_DIV_UP		800000
#define EMU_DIV_LOW		1000
#define EMU_CT_TURNS		2000
#define EMU_BURDEN_UOHM		10000000
#define EMU_VFS_UV	((s64)ADE9000_FS_PIN_UV_RMS * \
			 (EMU_DIV_UP + EMU_DIV_LOW) / EMU_DIV_LOW)
#define EMU_IFS_UA	((s64)ADE9000_FS_PIN_UV_RMS * EMU_CT_TURNS * \
			 1000000 / EMU_BURDEN_UOHM)
/* fixp_sin32_rad() accepts a "2 pi" of at most 2^18: use half-millidegrees */
#define EMU_TWOPI		180000
/* One sample of fDSP in ns */
#define EMU_SAMPLE_NS		(NSEC_PER_SEC / ADE9000_FDSP_HZ)
/* The timer never runs faster than this, whatever EGY_TIME says */
#define EMU_MIN_PERIOD_NS	(1 * NSEC_PER_MSEC)
/* TEMP_TRIM: GAIN = 1/32 C per LSB, OFFSET = 100 C (T = OFF/32 - R*G/65536) */
#define EMU_TEMP_GAIN		2048
#define EMU_TEMP_OFFSET		3200
#define EMU_VERSION		0x0040
#define EMU_LVL_MAX		ADE9000_LVL_MASK

enum { EMU_ACT, EMU_REACT, EMU_APP, EMU_NEGY };

/* GPIO lines: offsets of the emulated supply-control chip */
enum { EMU_GPIO_CONTACTOR, EMU_GPIO_AUX, EMU_GPIO_BUTTON, EMU_NGPIO };

static const u16 emu_hr_hi[EMU_NEGY] = {
	ADE9000_REG_AWATTHR_HI, ADE9000_REG_AVARHR_HI, ADE9000_REG_AVAHR_HI,
};

static const u16 emu_hr_lo[EMU_NEGY] = {
	ADE9000_REG_AWATTHR_LO, ADE9000_REG_AVARHR_LO, ADE9000_REG_AVAHR_LO,
};

struct emu_phase {
	/* Grid, set from debugfs (s64 so that one debugfs fops serves all) */
	s64 voltage_mv;
	s64 current_ma;
	s64 angle_mdeg;
	s64 frequency_mhz;
	s64 thd_permille;
	/*
	 * Sensor gain errors (voltage divider, CT) in ppm: what the chip's ADC sees
	 * differs from the grid by these; the ground truth does not. The chip's gain
	 * registers are what calibration uses to correct them.
	 */
	s64 voltage_error_ppm;
	s64 current_error_ppm;
	/* Ground truth: sum of power (uW, uvar, uVA) x samples */
	s64 truth[EMU_NEGY];
	/* Chip: 45-bit user accumulators and the running EGYRDY window */
	s64 hr[EMU_NEGY];
	s64 win[EMU_NEGY];
	/* Event state, to detect starts and ends */
	bool in_dip, in_swell, neg, over;
};

/* Values derived from the grid for one phase */
struct emu_codes {
	s32 vrms, irms, watt, var, va, apf, vthd;
	u32 period;
	s64 p_uw, q_uw, s_uw;
};

struct emu {
	spinlock_t lock;	/* everything below, from SPI, timer, debugfs */
	u32 regs[ADE9000_REG_MAX + 1];
	struct emu_phase ph[EMU_NPH];
	s64 temperature_mc;
	s64 stuck0, stuck1;
	s64 inject_crc, inject_spi;
	bool neutral_over;
	/* Sample clock: samples since load, and position in the window */
	u64 samples;
	u32 win_pos;
	/* Stats */
	u64 transfers, reads, writes, bytes, crc_reads;
	/* Interrupt */
	struct irq_domain *domain;
	unsigned int virq;
	bool irq_masked;
	struct irq_work irq_work;
	struct hrtimer timer;
	/* Devices */
	struct platform_device *pdev;
	struct spi_controller *ctlr;
	struct spi_device *spi;
	struct dentry *dir;
	/* GPIO chip: physical levels (s64 for the debugfs fops) */
	struct gpio_chip gc;
	bool gc_added;
	s64 gpio_level[EMU_NGPIO];
	struct irq_domain *gpio_domain;
	unsigned int button_virq;
	u8 tx[EMU_MAX_MSG];
	u8 rx[EMU_MAX_MSG];
};

static struct emu emu;

static bool emu_is_reg16(unsigned int reg)
{
	return reg >= ADE9000_REG16_FIRST && reg <= ADE9000_REG16_LAST;
}

/* --- grid model --------------------------------------------------------- */

/* cos/sin in Q31 of an angle in millidegrees */
static void emu_cos_sin(s64 mdeg, s32 *c, s32 *s)
{
	u32 half = (u32)(((mdeg % 360000) + 360000) % 360000) / 2;

	*c = fixp_cos32_rad(half, EMU_TWOPI);
	*s = fixp_sin32_rad(half, EMU_TWOPI);
}

static s32 emu_rms_code(s64 phys, s64 fs)
{
	return (s32)clamp_t(s64, div64_s64(phys * ADE9000_RMS_FS_CODES, fs),
			    0, S32_MAX);
}

/* The chip's gain registers: gain = 1 + code / 2^27 (two's complement) */
static s64 emu_gain(s64 v, unsigned int reg)
{
	return v + ((v * (s32)emu.regs[reg]) >> 27);
}

static void emu_codes(unsigned int n, struct emu_codes *c)
{
	const struct emu_phase *p = &emu.ph[n];
	s64 v_uv = max_t(s64, p->voltage_mv, 0) * 1000;
	s64 i_ua = max_t(s64, p->current_ma, 0) * 1000;
	s64 va, vi;
	s32 co, si;

	emu_cos_sin(p->angle_mdeg, &co, &si);
	v_uv = div64_s64(v_uv * (1000000 + p->voltage_error_ppm), 1000000);
	i_ua = div64_s64(i_ua * (1000000 + p->current_error_ppm), 1000000);
	/* xVGAIN and xIGAIN scale the channels, xPGAIN the powers too */
	v_uv = emu_gain(v_uv, ADE9000_REG_AVGAIN + n * ADE9000_PHASE_STRIDE);
	i_ua = emu_gain(i_ua, ADE9000_REG_AIGAIN + n * ADE9000_PHASE_STRIDE);
	c->vrms = emu_rms_code(v_uv, EMU_VFS_UV);
	c->irms = emu_rms_code(i_ua, EMU_IFS_UA);
	/* xVA = WATT_FS x (V / Vfs) x (I / Ifs), in two steps to stay in s64 */
	va = div64_s64(v_uv * ADE9000_WATT_FS_CODES, EMU_VFS_UV);
	va = div64_s64(va * i_ua, EMU_IFS_UA);
	va = emu_gain(va, ADE9000_REG_APGAIN + n * ADE9000_PHASE_STRIDE);
	c->va = (s32)min_t(s64, va, S32_MAX);
	c->watt = (s32)((va * co) >> 31);
	/* Current lagging the voltage (positive angle) is inductive: +var */
	c->var = (s32)((va * si) >> 31);
	/* The chip's APF carries the sign of the active power */
	c->apf = co >> 4;
	c->vthd = (s32)div_s64(p->thd_permille * ADE9000_THD_ONE, 1000);
	c->period = p->frequency_mhz > 0 ?
		(u32)min_t(u64, div64_u64((u64)ADE9000_PERIOD_NUM * 1000,
					  p->frequency_mhz) - 1, U32_MAX) :
		U32_MAX;
	/* Physical power, uW: mV x mA x cos; Q23 keeps the product in s64 */
	vi = max_t(s64, p->voltage_mv, 0) * max_t(s64, p->current_ma, 0);
	c->s_uw = vi;
	c->p_uw = (vi * (co >> 8)) >> 23;
	c->q_uw = (vi * (si >> 8)) >> 23;
}

/* Neutral current: magnitude of the sum of the three current phasors */
static s32 emu_nirms(void)
{
	s64 re = 0, im = 0;
	unsigned int n;
	s32 co, si;
	u64 mag;

	for (n = 0; n < EMU_NPH; n++) {
		s64 ma = max_t(s64, emu.ph[n].current_ma, 0);

		emu_cos_sin(-(s64)n * 120000 - emu.ph[n].angle_mdeg, &co, &si);
		re += ma * co;
		im += ma * si;
	}
	re >>= 31;
	im >>= 31;
	mag = int_sqrt64((u64)(re * re) + (u64)(im * im));
	return emu_rms_code((s64)mag * 1000, EMU_IFS_UA);
}

/*
 * ANGL_x register: counts of the 1.024 MHz clock from the zero crossing of
 * the first signal to the next one of the second, at the line frequency of
 * the phase (so a leading signal reads as almost a whole period).
 */
static u16 emu_angle_code(s64 mdeg, s64 f_mhz)
{
	s64 per, code;

	if (f_mhz <= 0)
		return 0;
	per = div64_s64((s64)ADE9000_ANGLE_CLK_HZ * 1000, f_mhz);
	code = div64_s64(mdeg * ADE9000_ANGLE_CLK_HZ, 360 * f_mhz);
	return (u16)(((code % per) + per) % per);
}

/* --- reset, time, energy ------------------------------------------------ */

static void emu_events(void);

static void emu_reset(void)
{
	unsigned int n, k;

	memset(emu.regs, 0, sizeof(emu.regs));
	emu.regs[ADE9000_REG_CONFIG5] = ADE9000_CONFIG5_CHIP_ID;
	emu.regs[ADE9000_REG_PART_ID] = ADE9000_PART_ID_ADE9000;
	emu.regs[ADE9000_REG_VERSION] = EMU_VERSION;
	emu.regs[ADE9000_REG_EGY_TIME] = 0xff;
	emu.regs[ADE9000_REG_SWELL_LVL] = EMU_LVL_MAX;
	emu.regs[ADE9000_REG_OILVL] = EMU_LVL_MAX;
	emu.regs[ADE9000_REG_TEMP_TRIM] =
		FIELD_PREP(ADE9000_TEMP_TRIM_OFFSET, EMU_TEMP_OFFSET) |
		FIELD_PREP(ADE9000_TEMP_TRIM_GAIN, EMU_TEMP_GAIN);
	emu.regs[ADE9000_REG_STATUS1] = ADE9000_ST1_RSTDONE;
	emu.win_pos = 0;
	for (n = 0; n < EMU_NPH; n++) {
		struct emu_phase *p = &emu.ph[n];
		struct emu_codes c;

		for (k = 0; k < EMU_NEGY; k++) {
			p->hr[k] = 0;
			p->win[k] = 0;
		}
		/* Fresh detectors: start from the present state, no event */
		emu_codes(n, &c);
		p->neg = c.watt < 0;
		p->in_dip = false;
		p->in_swell = false;
		p->over = false;
	}
	emu.neutral_over = false;
}

/* Adds one completed EGYRDY window to (or latches it into) the user regs */
static void emu_commit(struct emu_phase *p, const s64 *sum, u64 count)
{
	bool latch = emu.regs[ADE9000_REG_EP_CFG] & ADE9000_EP_CFG_EGY_LD_ACCUM;
	unsigned int k;

	for (k = 0; k < EMU_NEGY; k++) {
		s64 v = latch ? sum[k] : p->hr[k] + sum[k] * (s64)count;

		/* 45-bit two's complement register */
		p->hr[k] = sign_extend64(v, 44);
	}
}

/*
 * Brings the model up to now: whole samples elapsed since the last call
 * are integrated in closed form (power is constant between calls, since
 * every change of the grid or of the configuration calls this first).
 */
static void emu_advance(void)
{
	u64 now = div_u64(ktime_get_ns(), EMU_SAMPLE_NS);
	u64 delta = now - emu.samples;
	u64 rem = 0;
	u32 n_win, need;
	unsigned int n, k;
	bool done = false;

	emu.samples = now;
	if (!delta || !(emu.regs[ADE9000_REG_RUN] & ADE9000_RUN_ON) ||
	    !(emu.regs[ADE9000_REG_EP_CFG] & ADE9000_EP_CFG_EGY_PWR_EN))
		return;

	n_win = (emu.regs[ADE9000_REG_EGY_TIME] & ADE9000_EGY_TIME_MASK) + 1;
	/* EGY_TIME may have shrunk below the running position */
	need = emu.win_pos < n_win ? n_win - emu.win_pos : 0;
	/* Samples into the window that is open when this call returns */
	if (delta >= need) {
		rem = delta - need;
		rem = do_div(rem, n_win);
	}

	for (n = 0; n < EMU_NPH; n++) {
		struct emu_phase *p = &emu.ph[n];
		struct emu_codes c;
		s64 code[EMU_NEGY], full[EMU_NEGY];
		u64 left = delta, nfull;

		emu_codes(n, &c);
		code[EMU_ACT] = c.watt;
		code[EMU_REACT] = c.var;
		code[EMU_APP] = c.va;
		p->truth[EMU_ACT] += c.p_uw * (s64)delta;
		p->truth[EMU_REACT] += c.q_uw * (s64)delta;
		p->truth[EMU_APP] += c.s_uw * (s64)delta;

		if (left < need) {
			for (k = 0; k < EMU_NEGY; k++)
				p->win[k] += code[k] * (s64)left;
			continue;
		}
		/* Close the running window */
		for (k = 0; k < EMU_NEGY; k++)
			p->win[k] += code[k] * (s64)need;
		emu_commit(p, p->win, 1);
		left -= need;
		/* Whole windows at constant power */
		nfull = div_u64(left, n_win);
		if (nfull) {
			for (k = 0; k < EMU_NEGY; k++)
				full[k] = code[k] * n_win;
			emu_commit(p, full, nfull);
		}
		left -= nfull * n_win;
		for (k = 0; k < EMU_NEGY; k++)
			p->win[k] = code[k] * (s64)left;
		done = true;
	}
	if (done) {
		emu.win_pos = (u32)rem;
		emu.regs[ADE9000_REG_STATUS0] |= ADE9000_ST0_EGYRDY;
	} else {
		emu.win_pos += delta;
	}
}

/* Dip/swell, reverse power and overcurrent detectors, on level changes */
static void emu_events(void)
{
	u32 dip = emu.regs[ADE9000_REG_DIP_LVL] & ADE9000_LVL_MASK;
	u32 swell = emu.regs[ADE9000_REG_SWELL_LVL] & ADE9000_LVL_MASK;
	u32 oilvl = emu.regs[ADE9000_REG_OILVL] & ADE9000_LVL_MASK;
	u32 oc_en = emu.regs[ADE9000_REG_CONFIG3];
	bool both = emu.regs[ADE9000_REG_CONFIG1] &
		    ADE9000_CONFIG1_DIP_SWELL_IRQ_MODE;
	u32 oist = 0;
	unsigned int n;
	bool over;

	if (!(emu.regs[ADE9000_REG_RUN] & ADE9000_RUN_ON))
		return;
	for (n = 0; n < EMU_NPH; n++) {
		struct emu_phase *p = &emu.ph[n];
		struct emu_codes c;
		u32 lvl;
		bool b;

		emu_codes(n, &c);
		lvl = (u32)c.vrms >> ADE9000_LVL_SHIFT;
		b = lvl < dip;
		if (b != p->in_dip && (b || both))
			emu.regs[ADE9000_REG_STATUS1] |= ADE9000_ST1_DIP(n);
		p->in_dip = b;
		b = lvl > swell;
		if (b != p->in_swell && (b || both))
			emu.regs[ADE9000_REG_STATUS1] |= ADE9000_ST1_SWELL(n);
		p->in_swell = b;
		b = c.watt < 0;
		if (b != p->neg)
			emu.regs[ADE9000_REG_STATUS0] |= ADE9000_ST0_REVAP(n);
		p->neg = b;
		over = (oc_en & ADE9000_CONFIG3_OC_EN(n)) &&
		       ((u32)c.irms >> ADE9000_LVL_SHIFT) > oilvl;
		if (over)
			oist |= ADE9000_OISTATUS_OI(n);
		if (over && !p->over)
			emu.regs[ADE9000_REG_STATUS1] |= ADE9000_ST1_OI;
		p->over = over;
	}
	over = (oc_en & ADE9000_CONFIG3_OC_EN(3)) &&
	       ((u32)emu_nirms() >> ADE9000_LVL_SHIFT) > oilvl;
	if (over)
		oist |= ADE9000_OISTATUS_OI(3);
	if (over && !emu.neutral_over)
		emu.regs[ADE9000_REG_STATUS1] |= ADE9000_ST1_OI;
	emu.neutral_over = over;
	emu.regs[ADE9000_REG_OISTATUS] = oist;
}

static void emu_update(void)
{
	emu_advance();
	emu_events();
	emu.regs[ADE9000_REG_STATUS0] |= (u32)emu.stuck0;
	emu.regs[ADE9000_REG_STATUS1] |= (u32)emu.stuck1;
}

static bool emu_line(void)
{
	u32 s0 = emu.regs[ADE9000_REG_STATUS0] & emu.regs[ADE9000_REG_MASK0];
	u32 s1 = emu.regs[ADE9000_REG_STATUS1] & emu.regs[ADE9000_REG_MASK1];

	/* Without IRQ0_ON_IRQ1, STATUS0 drives IRQ0, which is not wired */
	if (!(emu.regs[ADE9000_REG_CONFIG1] & ADE9000_CONFIG1_IRQ0_ON_IRQ1))
		s0 = 0;
	return s0 || s1;
}

/* --- register file ------------------------------------------------------ */

static u32 emu_read(unsigned int reg)
{
	struct emu_codes c;
	unsigned int n, k;
	u32 v;

	for (n = 0; n < EMU_NPH; n++) {
		for (k = 0; k < EMU_NEGY; k++) {
			if (reg == ADE9000_PHASE_EGY(emu_hr_hi[k], n)) {
				s64 *hr = &emu.ph[n].hr[k];

				v = (u32)(*hr >> ADE9000_EGY_HI_SHIFT);
				if (emu.regs[ADE9000_REG_EP_CFG] &
				    ADE9000_EP_CFG_RD_RST_EN)
					*hr = 0;
				return v;
			}
			if (reg == ADE9000_PHASE_EGY(emu_hr_lo[k], n))
				return (u32)(emu.ph[n].hr[k] &
					     GENMASK(ADE9000_EGY_HI_SHIFT - 1, 0));
		}
		emu_codes(n, &c);
		switch (reg - n * ADE9000_PHASE_STRIDE) {
		case ADE9000_REG_AVRMS:
		case ADE9000_REG_AVFRMS:
		case ADE9000_REG_AVRMSONE:
			return c.vrms;
		case ADE9000_REG_AIRMS:
		case ADE9000_REG_AIFRMS:
		case ADE9000_REG_AIRMSONE:
			return c.irms;
		case ADE9000_REG_AWATT:
		case ADE9000_REG_AFWATT:
			return c.watt;
		case ADE9000_REG_AVAR:
		case ADE9000_REG_AFVAR:
			return c.var;
		case ADE9000_REG_AVA:
		case ADE9000_REG_AFVA:
			return c.va;
		case ADE9000_REG_APF:
			return c.apf;
		case ADE9000_REG_AVTHD:
			return c.vthd;
		case ADE9000_REG_AITHD:
			return 0;
		}
		if (reg == ADE9000_REG_APERIOD + n)
			return c.period;
		if (reg == ADE9000_REG_ANGL_VA_IA + n)
			return emu_angle_code(emu.ph[n].angle_mdeg,
					      emu.ph[n].frequency_mhz);
	}

	switch (reg) {
	case ADE9000_REG_NIRMS:
		return emu_nirms();
	case ADE9000_REG_ANGL_VA_VB:
		return emu_angle_code(120000, emu.ph[0].frequency_mhz);
	case ADE9000_REG_ANGL_VB_VC:
		return emu_angle_code(120000, emu.ph[1].frequency_mhz);
	case ADE9000_REG_ANGL_VA_VC:
		return emu_angle_code(240000, emu.ph[0].frequency_mhz);
	case ADE9000_REG_PHSIGN:
		v = 0;
		for (n = 0; n < EMU_NPH; n++) {
			emu_codes(n, &c);
			if (c.watt < 0)
				v |= ADE9000_PHSIGN_WSIGN(n);
		}
		return v;
	}
	return emu.regs[reg];
}

static void emu_write(unsigned int reg, u32 val)
{
	s64 t;

	if (emu_is_reg16(reg))
		val &= GENMASK(15, 0);

	switch (reg) {
	case ADE9000_REG_STATUS0:
	case ADE9000_REG_STATUS1:
		emu.regs[reg] &= ~val;
		return;
	case ADE9000_REG_RUN:
		emu.regs[reg] = val & ADE9000_RUN_ON;
		return;
	case ADE9000_REG_CONFIG1:
		if (val & ADE9000_CONFIG1_SWRST) {
			emu_reset();
			return;
		}
		break;
	case ADE9000_REG_TEMP_CFG:
		if ((val & ADE9000_TEMP_CFG_START) &&
		    (val & ADE9000_TEMP_CFG_EN)) {
			/* Conversion is instant: T = OFFSET/32 - R x GAIN/65536 */
			t = div_s64((EMU_TEMP_OFFSET * 1000LL / 32 -
				     emu.temperature_mc) * 65536,
				    EMU_TEMP_GAIN * 1000);
			emu.regs[ADE9000_REG_TEMP_RSLT] =
				clamp_t(s64, t, 0, ADE9000_TEMP_RSLT_MASK);
			emu.regs[ADE9000_REG_STATUS0] |= ADE9000_ST0_TEMP_RDY;
		}
		val &= ~ADE9000_TEMP_CFG_START;
		break;
	case ADE9000_REG_CONFIG5:
	case ADE9000_REG_PART_ID:
	case ADE9000_REG_VERSION:
	case ADE9000_REG_TEMP_RSLT:
	case ADE9000_REG_OISTATUS:
		return;	/* read-only */
	}
	emu.regs[reg] = val;
}

/* One SPI frame: 16-bit command, then 16- or 32-bit data, then CRC */
static void emu_frame(unsigned int len)
{
	unsigned int cmd, reg, dlen, i;
	u32 val = 0;
	u16 c;

	memset(emu.rx, 0, len);
	if (len < 2)
		return;
	cmd = emu.tx[0] << 8 | emu.tx[1];
	reg = FIELD_GET(ADE9000_CMD_ADDR_MASK, cmd);
	dlen = emu_is_reg16(reg) ? 2 : 4;

	emu_update();
	if (cmd & ADE9000_CMD_READ) {
		emu.reads++;
		if (reg <= ADE9000_REG_MAX)
			val = emu_read(reg);
		for (i = 0; i < dlen; i++)
			emu.rx[2 + i] = val >> (8 * (dlen - 1 - i));
		c = crc_itu_t(0xffff, emu.rx + 2, dlen);
		emu.regs[ADE9000_REG_CRC_SPI] = c;
		if (len >= 2 + dlen + 2) {
			emu.crc_reads++;
			if (emu.inject_crc > 0) {
				emu.inject_crc--;
				c = ~c;
			}
			emu.rx[2 + dlen] = c >> 8;
			emu.rx[3 + dlen] = c & 0xff;
		}
	} else {
		if (len < 2 + dlen)
			return;
		emu.writes++;
		for (i = 0; i < dlen; i++)
			val = val << 8 | emu.tx[2 + i];
		if (reg <= ADE9000_REG_MAX)
			emu_write(reg, val);
		emu_update();
	}
}

static int emu_transfer_one_message(struct spi_controller *ctlr,
				    struct spi_message *msg)
{
	struct spi_transfer *xfer;
	unsigned int len = 0, off = 0;
	unsigned long flags;
	int ret = 0;

	list_for_each_entry(xfer, &msg->transfers, transfer_list)
		len += xfer->len;
	if (len > EMU_MAX_MSG) {
		ret = -EINVAL;
		goto out;
	}

	spin_lock_irqsave(&emu.lock, flags);
	emu.transfers++;
	if (emu.inject_spi > 0) {
		emu.inject_spi--;
		spin_unlock_irqrestore(&emu.lock, flags);
		ret = -EIO;
		goto out;
	}
	emu.bytes += len;
	/* The chip sees one frame across all transfers of the message */
	list_for_each_entry(xfer, &msg->transfers, transfer_list) {
		if (xfer->tx_buf)
			memcpy(emu.tx + off, xfer->tx_buf, xfer->len);
		else
			memset(emu.tx + off, 0, xfer->len);
		off += xfer->len;
	}
	emu_frame(len);
	off = 0;
	list_for_each_entry(xfer, &msg->transfers, transfer_list) {
		if (xfer->rx_buf)
			memcpy(xfer->rx_buf, emu.rx + off, xfer->len);
		off += xfer->len;
	}
	spin_unlock_irqrestore(&emu.lock, flags);
	msg->actual_length = len;
	/* Status or mask may have changed: re-evaluate the line */
	if (emu.domain)
		irq_work_queue(&emu.irq_work);
out:
	/* The error travels in msg->status, as from a real bus */
	msg->status = ret;
	spi_finalize_current_message(ctlr);
	return 0;
}

/* --- interrupt ---------------------------------------------------------- */

static void emu_irq_mask(struct irq_data *d)
{
	WRITE_ONCE(emu.irq_masked, true);
}

static void emu_irq_unmask(struct irq_data *d)
{
	WRITE_ONCE(emu.irq_masked, false);
	/* Level semantics: a line still asserted fires again */
	irq_work_queue(&emu.irq_work);
}

static struct irq_chip emu_irq_chip = {
	.name = "ade9000-emu",
	.irq_mask = emu_irq_mask,
	.irq_unmask = emu_irq_unmask,
};

static int emu_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &emu_irq_chip, handle_level_irq);
	/* Level: no software replay of an edge latched while disabled */
	irq_set_status_flags(virq, IRQ_LEVEL);
	return 0;
}

static const struct irq_domain_ops emu_irq_ops = {
	.map = emu_irq_map,
	.xlate = irq_domain_xlate_onecell,
};

/* Runs in hard interrupt context, where generic_handle_irq() belongs */
static void emu_irq_work(struct irq_work *work)
{
	unsigned long flags;
	bool line;

	spin_lock_irqsave(&emu.lock, flags);
	line = emu_line();
	spin_unlock_irqrestore(&emu.lock, flags);
	if (line && !READ_ONCE(emu.irq_masked))
		generic_handle_irq(emu.virq);
}

/* Time to the end of the open EGYRDY window (half a sample past it) */
static u64 emu_period_ns(void)
{
	u32 n_win = (emu.regs[ADE9000_REG_EGY_TIME] & ADE9000_EGY_TIME_MASK) + 1;
	u64 ns;

	if (emu.win_pos < n_win)
		n_win -= emu.win_pos;
	ns = n_win * (u64)EMU_SAMPLE_NS + EMU_SAMPLE_NS / 2;
	return max_t(u64, ns, EMU_MIN_PERIOD_NS);
}

/* EGYRDY cadence: advance the model so that status bits appear in time */
static enum hrtimer_restart emu_timer_fn(struct hrtimer *t)
{
	unsigned long flags;
	u64 period;

	spin_lock_irqsave(&emu.lock, flags);
	emu_update();
	period = emu_period_ns();
	spin_unlock_irqrestore(&emu.lock, flags);
	irq_work_queue(&emu.irq_work);
	hrtimer_forward_now(t, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* --- debugfs ------------------------------------------------------------ */

/* An s64 field of the model, updated under the lock after an advance */
static ssize_t emu_int_read(struct file *f, char __user *buf, size_t n,
			    loff_t *ppos)
{
	s64 *field = f->private_data;
	unsigned long flags;
	char tmp[32];
	int len;
	s64 v;

	spin_lock_irqsave(&emu.lock, flags);
	v = *field;
	spin_unlock_irqrestore(&emu.lock, flags);
	len = scnprintf(tmp, sizeof(tmp), "%lld\n", v);
	return simple_read_from_buffer(buf, n, ppos, tmp, len);
}

static ssize_t emu_int_write(struct file *f, const char __user *buf,
			     size_t n, loff_t *ppos)
{
	s64 *field = f->private_data;
	unsigned long flags;
	s64 v;
	int ret;

	ret = kstrtos64_from_user(buf, n, 0, &v);
	if (ret)
		return ret;
	spin_lock_irqsave(&emu.lock, flags);
	/* Energy up to now at the old value, from now on at the new one */
	emu_advance();
	*field = v;
	emu_update();
	spin_unlock_irqrestore(&emu.lock, flags);
	if (emu.domain)
		irq_work_queue(&emu.irq_work);
	return n;
}

static const struct file_operations emu_int_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = emu_int_read,
	.write = emu_int_write,
	.llseek = default_llseek,
};

/* Ground truth energy: uW x samples -> mJ */
static ssize_t emu_energy_read(struct file *f, char __user *buf, size_t n,
			       loff_t *ppos)
{
	s64 *field = f->private_data;
	unsigned long flags;
	char tmp[32];
	int len;
	s64 v;

	spin_lock_irqsave(&emu.lock, flags);
	emu_update();
	v = *field;
	spin_unlock_irqrestore(&emu.lock, flags);
	v = div_s64(v, ADE9000_FDSP_HZ * 1000);
	len = scnprintf(tmp, sizeof(tmp), "%lld\n", v);
	return simple_read_from_buffer(buf, n, ppos, tmp, len);
}

static const struct file_operations emu_energy_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = emu_energy_read,
	.llseek = default_llseek,
};

static ssize_t emu_reset_write(struct file *f, const char __user *buf,
			       size_t n, loff_t *ppos)
{
	unsigned long flags;

	spin_lock_irqsave(&emu.lock, flags);
	emu_advance();
	emu_reset();
	spin_unlock_irqrestore(&emu.lock, flags);
	if (emu.domain)
		irq_work_queue(&emu.irq_work);
	return n;
}

static const struct file_operations emu_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = emu_reset_write,
	.llseek = default_llseek,
};

static int emu_frontend_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "vfs_uv=%lld ifs_ua=%lld\n", EMU_VFS_UV, EMU_IFS_UA);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(emu_frontend);

static int emu_stats_show(struct seq_file *s, void *unused)
{
	unsigned long flags;
	u64 v[5];

	spin_lock_irqsave(&emu.lock, flags);
	v[0] = emu.transfers;
	v[1] = emu.reads;
	v[2] = emu.writes;
	v[3] = emu.bytes;
	v[4] = emu.crc_reads;
	spin_unlock_irqrestore(&emu.lock, flags);
	seq_printf(s, "transfers=%llu reads=%llu writes=%llu bytes=%llu crc_reads=%llu\n",
		   v[0], v[1], v[2], v[3], v[4]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(emu_stats);

static int emu_regs_show(struct seq_file *s, void *unused)
{
	unsigned long flags;
	unsigned int reg;
	u32 v;

	for (reg = 0; reg <= ADE9000_REG_MAX; reg++) {
		spin_lock_irqsave(&emu.lock, flags);
		v = emu.regs[reg];
		spin_unlock_irqrestore(&emu.lock, flags);
		if (v)
			seq_printf(s, "0x%03x: 0x%08x\n", reg, v);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(emu_regs);

static void emu_debugfs_init(void)
{
	static const char * const names[EMU_NPH] = {
		"phaseA", "phaseB", "phaseC",
	};
	unsigned int n;

	emu.dir = debugfs_create_dir("ade9000_emu", NULL);
	for (n = 0; n < EMU_NPH; n++) {
		struct emu_phase *p = &emu.ph[n];
		struct dentry *d = debugfs_create_dir(names[n], emu.dir);

		debugfs_create_file("voltage_mv", 0644, d, &p->voltage_mv,
				    &emu_int_fops);
		debugfs_create_file("current_ma", 0644, d, &p->current_ma,
				    &emu_int_fops);
		debugfs_create_file("angle_mdeg", 0644, d, &p->angle_mdeg,
				    &emu_int_fops);
		debugfs_create_file("frequency_mhz", 0644, d,
				    &p->frequency_mhz, &emu_int_fops);
		debugfs_create_file("thd_permille", 0644, d, &p->thd_permille,
				    &emu_int_fops);
		debugfs_create_file("voltage_error_ppm", 0644, d,
				    &p->voltage_error_ppm, &emu_int_fops);
		debugfs_create_file("current_error_ppm", 0644, d,
				    &p->current_error_ppm, &emu_int_fops);
		debugfs_create_file("energy_active_mj", 0444, d,
				    &p->truth[EMU_ACT], &emu_energy_fops);
		debugfs_create_file("energy_reactive_mj", 0444, d,
				    &p->truth[EMU_REACT], &emu_energy_fops);
		debugfs_create_file("energy_apparent_mj", 0444, d,
				    &p->truth[EMU_APP], &emu_energy_fops);
	}
	debugfs_create_file("temperature_mc", 0644, emu.dir,
			    &emu.temperature_mc, &emu_int_fops);
	debugfs_create_file("inject_crc_errors", 0200, emu.dir,
			    &emu.inject_crc, &emu_int_fops);
	debugfs_create_file("inject_spi_errors", 0200, emu.dir,
			    &emu.inject_spi, &emu_int_fops);
	debugfs_create_file("stuck_status0", 0644, emu.dir, &emu.stuck0,
			    &emu_int_fops);
	debugfs_create_file("stuck_status1", 0644, emu.dir, &emu.stuck1,
			    &emu_int_fops);
	debugfs_create_file("inject_reset", 0200, emu.dir, NULL,
			    &emu_reset_fops);
	debugfs_create_file("frontend", 0444, emu.dir, NULL,
			    &emu_frontend_fops);
	debugfs_create_file("stats", 0444, emu.dir, NULL, &emu_stats_fops);
	debugfs_create_file("regs", 0444, emu.dir, NULL, &emu_regs_fops);
}

/* --- GPIO chip ---------------------------------------------------------- */

static const char * const emu_gpio_names[EMU_NGPIO] = {
	[EMU_GPIO_CONTACTOR] = "contactor",
	[EMU_GPIO_AUX] = "aux-relay",
	[EMU_GPIO_BUTTON] = "button",
};

static int emu_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return offset == EMU_GPIO_BUTTON ? GPIO_LINE_DIRECTION_IN :
					   GPIO_LINE_DIRECTION_OUT;
}

/* The directions are fixed, as wired on a board */
static int emu_gpio_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	return offset == EMU_GPIO_BUTTON ? 0 : -EPERM;
}

static void emu_gpio_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	unsigned long flags;

	if (offset == EMU_GPIO_BUTTON)
		return;
	spin_lock_irqsave(&emu.lock, flags);
	emu.gpio_level[offset] = !!value;
	spin_unlock_irqrestore(&emu.lock, flags);
}

static int emu_gpio_direction_output(struct gpio_chip *gc, unsigned int offset,
				     int value)
{
	if (offset == EMU_GPIO_BUTTON)
		return -EPERM;
	emu_gpio_set(gc, offset, value);
	return 0;
}

static int emu_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	unsigned long flags;
	int v;

	spin_lock_irqsave(&emu.lock, flags);
	v = emu.gpio_level[offset];
	spin_unlock_irqrestore(&emu.lock, flags);
	return v;
}

static int emu_gpio_to_irq(struct gpio_chip *gc, unsigned int offset)
{
	return offset == EMU_GPIO_BUTTON ? emu.button_virq : -ENXIO;
}

/*
 * The button's interrupt is a nested threaded one: the debugfs write that
 * changes the level runs the consumer's handler itself (handle_nested_irq()),
 * so every edge reaches userspace as one event, none coalesced.
 */
static void emu_gpio_irq_mask(struct irq_data *d)
{
}

static void emu_gpio_irq_unmask(struct irq_data *d)
{
}

static int emu_gpio_irq_set_type(struct irq_data *d, unsigned int type)
{
	/* A push button: edges only */
	if (type & ~IRQ_TYPE_EDGE_BOTH)
		return -EINVAL;
	return 0;
}

static struct irq_chip emu_gpio_irq_chip = {
	.name = "ade9000-emu-gpio",
	.irq_mask = emu_gpio_irq_mask,
	.irq_unmask = emu_gpio_irq_unmask,
	.irq_set_type = emu_gpio_irq_set_type,
	.flags = IRQCHIP_SKIP_SET_WAKE,
};

static int emu_gpio_irq_map(struct irq_domain *d, unsigned int virq,
			    irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &emu_gpio_irq_chip, handle_simple_irq);
	irq_set_nested_thread(virq, true);
	irq_set_noprobe(virq);
	return 0;
}

static const struct irq_domain_ops emu_gpio_irq_ops = {
	.map = emu_gpio_irq_map,
	.xlate = irq_domain_xlate_onecell,
};

/* debugfs "gpio/button": the level the customer's button drives (0 or 1) */
static ssize_t emu_button_write(struct file *f, const char __user *buf,
				size_t n, loff_t *ppos)
{
	unsigned int type;
	unsigned long flags;
	bool v, old;
	int ret;

	ret = kstrtobool_from_user(buf, n, &v);
	if (ret)
		return ret;
	spin_lock_irqsave(&emu.lock, flags);
	old = emu.gpio_level[EMU_GPIO_BUTTON];
	emu.gpio_level[EMU_GPIO_BUTTON] = v;
	spin_unlock_irqrestore(&emu.lock, flags);
	type = irq_get_trigger_type(emu.button_virq);
	if (v != old && ((v && (type & IRQ_TYPE_EDGE_RISING)) ||
			 (!v && (type & IRQ_TYPE_EDGE_FALLING))))
		handle_nested_irq(emu.button_virq);
	return n;
}

static const struct file_operations emu_button_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = emu_int_read,
	.write = emu_button_write,
	.llseek = default_llseek,
};

/* The outputs' levels: the tests' ground truth of what the daemon drives */
static const struct file_operations emu_level_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = emu_int_read,
	.llseek = default_llseek,
};

static void emu_gpio_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir("gpio", emu.dir);

	debugfs_create_file("contactor", 0444, d,
			    &emu.gpio_level[EMU_GPIO_CONTACTOR],
			    &emu_level_fops);
	debugfs_create_file("aux_relay", 0444, d,
			    &emu.gpio_level[EMU_GPIO_AUX], &emu_level_fops);
	debugfs_create_file("button", 0644, d,
			    &emu.gpio_level[EMU_GPIO_BUTTON], &emu_button_fops);
}

static void emu_gpio_exit(void)
{
	if (emu.gc_added)
		gpiochip_remove(&emu.gc);
	emu.gc_added = false;
	if (!emu.gpio_domain)
		return;
	irq_dispose_mapping(emu.button_virq);
	irq_domain_remove(emu.gpio_domain);
	emu.gpio_domain = NULL;
}

static int emu_gpio_init(void)
{
	struct gpio_chip *gc = &emu.gc;
	int ret;

	emu.gpio_domain = irq_domain_add_linear(NULL, EMU_NGPIO,
						&emu_gpio_irq_ops, NULL);
	if (!emu.gpio_domain)
		return -ENOMEM;
	emu.button_virq = irq_create_mapping(emu.gpio_domain, EMU_GPIO_BUTTON);
	if (!emu.button_virq) {
		emu_gpio_exit();
		return -ENOMEM;
	}
	gc->label = "ade9000-emu-gpio";
	gc->parent = &emu.pdev->dev;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = EMU_NGPIO;
	gc->names = emu_gpio_names;
	gc->get_direction = emu_gpio_get_direction;
	gc->direction_input = emu_gpio_direction_input;
	gc->direction_output = emu_gpio_direction_output;
	gc->get = emu_gpio_get;
	gc->set = emu_gpio_set;
	gc->to_irq = emu_gpio_to_irq;
	/* The button's handler runs from the debugfs write, in process context */
	gc->can_sleep = true;
	ret = gpiochip_add_data(gc, NULL);
	if (ret) {
		emu_gpio_exit();
		return ret;
	}
	emu.gc_added = true;
	return 0;
}

/* --- devices ------------------------------------------------------------ */

static const u32 emu_divider[] = { EMU_DIV_UP, EMU_DIV_LOW };

/* Filled at load: the crc and label parameters decide the content */
static struct property_entry emu_props[10];

static const struct software_node emu_swnode = {
	.name = "ade9000-emu-meter",
	.properties = emu_props,
};

static void emu_props_init(void)
{
	unsigned int i = 0;

	emu_props[i++] = PROPERTY_ENTRY_U32_ARRAY("polymeter,voltage-divider-ohms",
						  emu_divider);
	emu_props[i++] = PROPERTY_ENTRY_U32("polymeter,ct-turns-ratio",
					    EMU_CT_TURNS);
	emu_props[i++] = PROPERTY_ENTRY_U32("polymeter,ct-burden-micro-ohms",
					    EMU_BURDEN_UOHM);
	emu_props[i++] = PROPERTY_ENTRY_U32("polymeter,line-frequency-hz", 50);
	emu_props[i++] = PROPERTY_ENTRY_STRING("polymeter,wiring", "wye");
	emu_props[i++] = PROPERTY_ENTRY_STRING("label", label);
	if (crc)
		emu_props[i++] = PROPERTY_ENTRY_BOOL("polymeter,spi-crc");
	/* The remaining zeroed entries terminate the list */
}

static void emu_irq_exit(void)
{
	if (!emu.domain)
		return;
	hrtimer_cancel(&emu.timer);
	irq_work_sync(&emu.irq_work);
	irq_dispose_mapping(emu.virq);
	irq_domain_remove(emu.domain);
	emu.domain = NULL;
}

static int emu_irq_init(void)
{
	emu.domain = irq_domain_add_linear(NULL, 1, &emu_irq_ops, NULL);
	if (!emu.domain)
		return -ENOMEM;
	emu.virq = irq_create_mapping(emu.domain, 0);
	if (!emu.virq) {
		irq_domain_remove(emu.domain);
		emu.domain = NULL;
		return -ENOMEM;
	}
	hrtimer_init(&emu.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	emu.timer.function = emu_timer_fn;
	hrtimer_start(&emu.timer, ns_to_ktime(EMU_MIN_PERIOD_NS),
		      HRTIMER_MODE_REL_HARD);
	return 0;
}

static int __init emu_init(void)
{
	struct spi_board_info info = {
		.modalias = "ade9000",
		.max_speed_hz = 20000000,
		.chip_select = 0,
		.mode = SPI_MODE_0,
		.swnode = &emu_swnode,
	};
	unsigned int n;
	int ret;

	spin_lock_init(&emu.lock);
	emu.irq_work = IRQ_WORK_INIT_HARD(emu_irq_work);
	for (n = 0; n < EMU_NPH; n++) {
		emu.ph[n].voltage_mv = 230000;
		emu.ph[n].current_ma = 10000;
		emu.ph[n].frequency_mhz = 50000;
	}
	emu.temperature_mc = 25000;
	emu.samples = div_u64(ktime_get_ns(), EMU_SAMPLE_NS);
	emu_reset();
	emu_props_init();

	emu.pdev = platform_device_register_simple("ade9000-emu", -1, NULL, 0);
	if (IS_ERR(emu.pdev))
		return PTR_ERR(emu.pdev);

	emu.ctlr = spi_alloc_host(&emu.pdev->dev, 0);
	if (!emu.ctlr) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	emu.ctlr->bus_num = -1;
	emu.ctlr->num_chipselect = 1;
	emu.ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	emu.ctlr->max_speed_hz = 20000000;
	emu.ctlr->transfer_one_message = emu_transfer_one_message;
	ret = spi_register_controller(emu.ctlr);
	if (ret) {
		spi_controller_put(emu.ctlr);
		goto err_pdev;
	}

	if (irq) {
		ret = emu_irq_init();
		if (ret)
			goto err_ctlr;
		info.irq = emu.virq;
	}
	emu_debugfs_init();
	ret = emu_gpio_init();
	if (ret)
		goto err_debugfs;
	emu_gpio_debugfs_init();

	emu.spi = spi_new_device(emu.ctlr, &info);
	if (!emu.spi) {
		ret = -ENODEV;
		goto err_gpio;
	}
	return 0;

err_gpio:
	emu_gpio_exit();
err_debugfs:
	debugfs_remove_recursive(emu.dir);
	emu_irq_exit();
err_ctlr:
	spi_unregister_controller(emu.ctlr);
err_pdev:
	platform_device_unregister(emu.pdev);
	return ret;
}

static void __exit emu_exit(void)
{
	/* The driver unbinds (and frees its interrupt) first */
	spi_unregister_device(emu.spi);
	debugfs_remove_recursive(emu.dir);
	emu_gpio_exit();
	emu_irq_exit();
	spi_unregister_controller(emu.ctlr);
	platform_device_unregister(emu.pdev);
}

module_init(emu_init);
module_exit(emu_exit);

MODULE_DESCRIPTION("ADE9000 chip emulator on a software SPI controller (test only)");
MODULE_LICENSE("GPL");
