// SPDX-License-Identifier: GPL-2.0-only
/*
 * Analog Devices ADE9000 polyphase energy metering IC (SPI), IIO driver.
 *
 * Operating model (docs/kernel-design.md section 2, user ABI in docs/abi.md):
 * the chip accumulates energy on its own (EP_CFG = EGY_PWR_EN only: add,
 * never latch, never reset on read). The driver never clears an energy
 * register; it reads each xHR_HI at least once a second and on every scan
 * and adds the wrap-safe signed delta to a 64-bit lifetime counter. A
 * dropped scan or a slow reader therefore loses nothing the chip counted;
 * only a chip reset can lose what was counted since the last read.
 *
 * Scans are pushed to a kfifo buffer on every EGYRDY interrupt, or from an
 * hrtimer-paced work item when the board wires no interrupt.
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/cleanup.h>
#include <linux/clk.h>
#include <linux/crc-itu-t.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gpio/consumer.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/random.h>
#include <linux/regmap.h>
#include <linux/regulator/consumer.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/units.h>
#include <linux/workqueue.h>

#include <linux/iio/buffer.h>
#include <linux/iio/events.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>

#include "ade9000_regs.h"

/* Every read or write is tried this often before the error is returned */
#define ADE9000_SPI_ATTEMPTS		3
#define ADE9000_CMD_LEN			2
#define ADE9000_CRC_LEN			2

/* Reset: the chip needs >= 46 ms; RSTDONE is polled for this long */
#define ADE9000_RESET_PULSE_US		1000
#define ADE9000_RESET_POLL_US		2000
#define ADE9000_RESET_TIMEOUT_US	100000

/* Temperature: conversion wait before the previous result is used */
#define ADE9000_TEMP_POLL_US		1000
#define ADE9000_TEMP_TIMEOUT_US		20000

/* Housekeeping cadence: 100x margin on the 106 s wrap of xHR_HI at full scale */
#define ADE9000_HK_PERIOD		HZ
/* A CRC_CHG this soon after a configuration write is the driver's own doing */
#define ADE9000_CFG_CRC_GRACE		(2 * HZ)

/* EGY_TIME + 1 samples at 8 kSPS per scan: 800 samples = 10 Hz */
#define ADE9000_EGY_TIME_DEFAULT	799
#define ADE9000_SAMP_FREQ_MIN_UHZ	(1ULL * MICRO)
#define ADE9000_SAMP_FREQ_MAX_UHZ	((u64)ADE9000_FDSP_HZ * MICRO)
#define ADE9000_SAMPLE_NS		(NSEC_PER_SEC / ADE9000_FDSP_HZ)

/* Dip/swell qualification: two RMS1/2 updates, i.e. one line cycle */
#define ADE9000_DIP_SWELL_CYC		2

/* Event thresholds are written in _rms_raw codes: level = code >> 5, 24 bits */
#define ADE9000_THRESH_MIN		BIT(ADE9000_LVL_SHIFT)
#define ADE9000_THRESH_MAX		((ADE9000_LVL_MASK << ADE9000_LVL_SHIFT) | \
					 (BIT(ADE9000_LVL_SHIFT) - 1))

#define ADE9000_NUM_PHASES		3
#define ADE9000_NEUTRAL			3
#define ADE9000_ST0_REVAP_ALL		GENMASK(3, 1)

/* Front end of ADI's reference design, used when firmware says nothing */
#define ADE9000_DEF_DIV_UPPER_OHMS	800000
#define ADE9000_DEF_DIV_LOWER_OHMS	1000
#define ADE9000_DEF_CT_TURNS		3000
#define ADE9000_DEF_BURDEN_UOHMS	10000000

/* 2 * pi in nano units, for the angle scale */
#define ADE9000_TWO_PI_NANO		6283185307ULL

/* What a channel measures; .address holds one of these */
enum ade9000_kind {
	ADE9000_K_VRMS,
	ADE9000_K_IRMS,
	ADE9000_K_WATT,
	ADE9000_K_VAR,
	ADE9000_K_VA,
	ADE9000_K_EGY_WATT,
	ADE9000_K_EGY_VAR,
	ADE9000_K_EGY_VA,
	ADE9000_K_VPCF,
	ADE9000_K_IPCF,
	ADE9000_K_PF,
	ADE9000_K_ANGLE,
	ADE9000_K_TEMP,
};

/*
 * Scan layout (docs/kernel-design.md section 6): eight elements per phase in the
 * order of the first eight kinds above, then the neutral rms current, then
 * the timestamp.
 */
#define ADE9000_SCAN_PER_PHASE		8
#define ADE9000_SCAN_NIRMS		(ADE9000_NUM_PHASES * ADE9000_SCAN_PER_PHASE)
#define ADE9000_SCAN_TS			(ADE9000_SCAN_NIRMS + 1)
#define ADE9000_SCAN_IDX(ph, kind)	((ph) * ADE9000_SCAN_PER_PHASE + (kind))
/* Largest scan: 16 x s32 and 9 x s64, aligned, plus the s64 timestamp */
#define ADE9000_SCAN_WORDS		20

/* Lifetime energy counters: active, reactive, apparent per phase */
#define ADE9000_EGY_PER_PHASE		3
#define ADE9000_NUM_EGY			(ADE9000_NUM_PHASES * ADE9000_EGY_PER_PHASE)
#define ADE9000_EGY_ALL			GENMASK(ADE9000_NUM_EGY - 1, 0)

enum ade9000_wiring {
	ADE9000_WIRING_WYE,
	ADE9000_WIRING_DELTA,
};

enum ade9000_line_freq {
	ADE9000_LINE_50HZ,
	ADE9000_LINE_60HZ,
};

enum ade9000_counter {
	ADE9000_CNT_CRC,
	ADE9000_CNT_SPI,
	ADE9000_CNT_WRITE,
	ADE9000_CNT_CHIP_RESET,
	ADE9000_CNT_CFG_CRC,
	ADE9000_CNT_SEQ,
	ADE9000_CNT_CHIP,
	ADE9000_CNT_NUM
};

static const char * const ade9000_counter_names[ADE9000_CNT_NUM] = {
	[ADE9000_CNT_CRC] = "crc_errors",
	[ADE9000_CNT_SPI] = "spi_errors",
	[ADE9000_CNT_WRITE] = "write_errors",
	[ADE9000_CNT_CHIP_RESET] = "chip_resets",
	[ADE9000_CNT_CFG_CRC] = "config_crc_changes",
	[ADE9000_CNT_SEQ] = "sequence_errors",
	[ADE9000_CNT_CHIP] = "chip_errors",
};

static const char * const ade9000_counter_msgs[ADE9000_CNT_NUM] = {
	[ADE9000_CNT_CRC] = "SPI read CRC mismatch",
	[ADE9000_CNT_SPI] = "SPI transfer failed",
	[ADE9000_CNT_WRITE] = "register write not verified",
	[ADE9000_CNT_CHIP_RESET] = "chip reset detected, restoring configuration",
	[ADE9000_CNT_CFG_CRC] = "configuration CRC changed without a driver write",
	[ADE9000_CNT_SEQ] = "phase sequence error",
	[ADE9000_CNT_CHIP] = "chip error or stuck status bit",
};

/* An IIO_VAL_INT_PLUS_NANO scale */
struct ade9000_scale {
	int val;
	int val2;
};

enum ade9000_scale_id {
	ADE9000_SC_VRMS,
	ADE9000_SC_IRMS,
	ADE9000_SC_NIRMS,
	ADE9000_SC_VPCF,
	ADE9000_SC_IPCF,
	ADE9000_SC_NIPCF,
	ADE9000_SC_POWER,
	ADE9000_SC_ENERGY,
	ADE9000_SC_NUM
};

struct ade9000_state {
	struct spi_device *spi;
	struct regmap *regmap;
	/*
	 * Drawn at probe: the lifetime energy counters start from zero at
	 * every probe, so userspace that checkpoints them (and restarts)
	 * needs to know whether the counters it sees now continue the ones
	 * it saved.
	 */
	u64 counter_epoch;
	struct iio_dev *indio_dev;
	struct gpio_desc *reset_gpio;
	/*
	 * Serialises everything that touches the chip's state as a whole:
	 * energy counters and baselines, status servicing and clearing, event
	 * enables, reset recovery and the run-time configuration. Register
	 * accesses themselves are serialised by the regmap lock, taken inside.
	 */
	struct mutex lock;
	/* Hands the hrtimer's timestamp to the scan work */
	spinlock_t ts_lock;
	struct delayed_work hk_work;
	struct work_struct scan_work;
	struct work_struct notify_work;
	struct hrtimer timer;
	ktime_t period;
	s64 timer_ts;
	s64 irq_ts;
	bool irq_ts_valid;
	int irq;
	bool irq_has_status1;
	bool crc;
	bool buffer_on;
	bool recover_pending;
	bool masks_dirty;
	u16 config1;
	u32 egy_time;
	enum ade9000_wiring wiring;
	enum ade9000_line_freq line_freq;
	/*
	 * Interrupt sources: enabled by the user; found stuck (set again
	 * right after clearing); fired in this housekeeping period; held off
	 * until the next one because they fired twice.
	 */
	u32 mask0_en;
	u32 mask1_en;
	u32 stuck0;
	u32 stuck1;
	u32 fired0;
	u32 fired1;
	u32 held0;
	u32 held1;
	/* Overcurrent detection per phase, bit 3 = neutral */
	u8 oc_en;
	u32 temp_trim;
	u32 egy_last[ADE9000_NUM_EGY];
	s64 egy_total[ADE9000_NUM_EGY];
	struct ade9000_scale scale[ADE9000_SC_NUM];
	unsigned long cfg_write_jiffies;
	atomic_t counters[ADE9000_CNT_NUM];
	unsigned long notify_pending;
	u64 scan[ADE9000_SCAN_WORDS];
	/* SPI command and data; read data is followed by CRC_SPI */
	u8 tx[ADE9000_CMD_LEN + sizeof(u32)] __aligned(IIO_DMA_MINALIGN);
	u8 rx[sizeof(u32) + ADE9000_CRC_LEN];
};

/* Registers behind each kind, for phase A; B and C follow at fixed strides */
static const u16 ade9000_kind_reg[] = {
	[ADE9000_K_VRMS] = ADE9000_REG_AVRMS,
	[ADE9000_K_IRMS] = ADE9000_REG_AIRMS,
	[ADE9000_K_WATT] = ADE9000_REG_AWATT,
	[ADE9000_K_VAR] = ADE9000_REG_AVAR,
	[ADE9000_K_VA] = ADE9000_REG_AVA,
	[ADE9000_K_EGY_WATT] = ADE9000_REG_AWATTHR_HI,
	[ADE9000_K_EGY_VAR] = ADE9000_REG_AVARHR_HI,
	[ADE9000_K_EGY_VA] = ADE9000_REG_AVAHR_HI,
	[ADE9000_K_VPCF] = ADE9000_REG_AV_PCF,
	[ADE9000_K_IPCF] = ADE9000_REG_AI_PCF,
	[ADE9000_K_PF] = ADE9000_REG_APF,
};

static const char * const ade9000_angle_labels[] = {
	"va_ia", "vb_ib", "vc_ic", "va_vb", "vb_vc", "va_vc",
};

static bool ade9000_kind_is_energy(unsigned int kind)
{
	return kind >= ADE9000_K_EGY_WATT && kind <= ADE9000_K_EGY_VA;
}

static unsigned int ade9000_reg(unsigned int kind, unsigned int ph)
{
	switch (kind) {
	case ADE9000_K_IRMS:
		if (ph == ADE9000_NEUTRAL)
			return ADE9000_REG_NIRMS;
		break;
	case ADE9000_K_IPCF:
		if (ph == ADE9000_NEUTRAL)
			return ADE9000_REG_NI_PCF;
		break;
	case ADE9000_K_EGY_WATT:
	case ADE9000_K_EGY_VAR:
	case ADE9000_K_EGY_VA:
		return ADE9000_PHASE_EGY(ade9000_kind_reg[kind], ph);
	case ADE9000_K_ANGLE:
		if (ph < ADE9000_NUM_PHASES)
			return ADE9000_REG_ANGL_VA_IA + ph;
		return ADE9000_REG_ANGL_VA_VB + ph - ADE9000_NUM_PHASES;
	default:
		break;
	}
	return ADE9000_PHASE_REG(ade9000_kind_reg[kind], ph);
}

static unsigned int ade9000_egy_idx(unsigned int kind, unsigned int ph)
{
	return ph * ADE9000_EGY_PER_PHASE + kind - ADE9000_K_EGY_WATT;
}

static unsigned int ade9000_egy_reg(unsigned int idx)
{
	return ade9000_reg(ADE9000_K_EGY_WATT + idx % ADE9000_EGY_PER_PHASE,
			   idx / ADE9000_EGY_PER_PHASE);
}

static void ade9000_scan_decode(unsigned int idx, unsigned int *kind,
				unsigned int *ph)
{
	if (idx == ADE9000_SCAN_NIRMS) {
		*kind = ADE9000_K_IRMS;
		*ph = ADE9000_NEUTRAL;
		return;
	}
	*kind = idx % ADE9000_SCAN_PER_PHASE;
	*ph = idx / ADE9000_SCAN_PER_PHASE;
}

/* ------------------------------------------------------------------ */
/* Channels                                                            */
/* ------------------------------------------------------------------ */

static const struct iio_event_spec ade9000_vrms_events[] = {
	{
		/* swell: SWELL_LVL, shared by the three phases */
		.type = IIO_EV_TYPE_THRESH,
		.dir = IIO_EV_DIR_RISING,
		.mask_separate = BIT(IIO_EV_INFO_ENABLE) | BIT(IIO_EV_INFO_VALUE),
	}, {
		/* dip: DIP_LVL, shared by the three phases */
		.type = IIO_EV_TYPE_THRESH,
		.dir = IIO_EV_DIR_FALLING,
		.mask_separate = BIT(IIO_EV_INFO_ENABLE) | BIT(IIO_EV_INFO_VALUE),
	},
};

static const struct iio_event_spec ade9000_irms_events[] = {
	{
		/* overcurrent: OILVL, shared by the four currents */
		.type = IIO_EV_TYPE_THRESH,
		.dir = IIO_EV_DIR_RISING,
		.mask_separate = BIT(IIO_EV_INFO_ENABLE) | BIT(IIO_EV_INFO_VALUE),
	},
};

static const struct iio_event_spec ade9000_watt_events[] = {
	{
		/* reverse active power: falling = export, rising = import */
		.type = IIO_EV_TYPE_THRESH,
		.dir = IIO_EV_DIR_EITHER,
		.mask_separate = BIT(IIO_EV_INFO_ENABLE),
	},
};

static ssize_t ade9000_read_thd(struct iio_dev *indio_dev, uintptr_t private,
				const struct iio_chan_spec *chan, char *buf);
static ssize_t ade9000_read_pf(struct iio_dev *indio_dev, uintptr_t private,
			       const struct iio_chan_spec *chan, char *buf);
static ssize_t ade9000_read_angle_label(struct iio_dev *indio_dev,
					uintptr_t private,
					const struct iio_chan_spec *chan,
					char *buf);
static int ade9000_get_wiring(struct iio_dev *indio_dev,
			      const struct iio_chan_spec *chan);
static int ade9000_set_wiring(struct iio_dev *indio_dev,
			      const struct iio_chan_spec *chan,
			      unsigned int item);
static int ade9000_get_line_freq(struct iio_dev *indio_dev,
				 const struct iio_chan_spec *chan);
static int ade9000_set_line_freq(struct iio_dev *indio_dev,
				 const struct iio_chan_spec *chan,
				 unsigned int item);

static const char * const ade9000_wiring_items[] = {
	[ADE9000_WIRING_WYE] = "wye",
	[ADE9000_WIRING_DELTA] = "delta",
};

static const struct iio_enum ade9000_wiring_enum = {
	.items = ade9000_wiring_items,
	.num_items = ARRAY_SIZE(ade9000_wiring_items),
	.get = ade9000_get_wiring,
	.set = ade9000_set_wiring,
};

static const char * const ade9000_line_freq_items[] = {
	[ADE9000_LINE_50HZ] = "50",
	[ADE9000_LINE_60HZ] = "60",
};

static const struct iio_enum ade9000_line_freq_enum = {
	.items = ade9000_line_freq_items,
	.num_items = ARRAY_SIZE(ade9000_line_freq_items),
	.get = ade9000_get_line_freq,
	.set = ade9000_set_line_freq,
};

static const struct iio_chan_spec_ext_info ade9000_vrms_ext_info[] = {
	{
		.name = "thd",
		.shared = IIO_SEPARATE,
		.read = ade9000_read_thd,
	},
	{ }
};

static const struct iio_chan_spec_ext_info ade9000_pf_ext_info[] = {
	{
		.name = "powerfactor",
		.shared = IIO_SEPARATE,
		.read = ade9000_read_pf,
	},
	{ }
};

static const struct iio_chan_spec_ext_info ade9000_angle_ext_info[] = {
	{
		.name = "label",
		.shared = IIO_SEPARATE,
		.read = ade9000_read_angle_label,
	},
	{ }
};

/* Device-wide settings, hung on the temperature channel */
static const struct iio_chan_spec_ext_info ade9000_dev_ext_info[] = {
	IIO_ENUM("wiring", IIO_SHARED_BY_ALL, &ade9000_wiring_enum),
	IIO_ENUM_AVAILABLE("wiring", IIO_SHARED_BY_ALL, &ade9000_wiring_enum),
	IIO_ENUM("line_frequency", IIO_SHARED_BY_ALL, &ade9000_line_freq_enum),
	IIO_ENUM_AVAILABLE("line_frequency", IIO_SHARED_BY_ALL,
			   &ade9000_line_freq_enum),
	{ }
};

#define ADE9000_SCAN_S32						\
	{								\
		.sign = 's',						\
		.realbits = 32,						\
		.storagebits = 32,					\
		.endianness = IIO_CPU,					\
	}

#define ADE9000_SCAN_S64						\
	{								\
		.sign = 's',						\
		.realbits = 64,						\
		.storagebits = 64,					\
		.endianness = IIO_CPU,					\
	}

/*
 * A buffer element: index (_idx) of its type, scan index (_si). Powers and
 * energies of kind k (0 active, 1 reactive, 2 apparent) of phase N have
 * index 10 * k + N.
 */
#define ADE9000_SCAN_CHAN(_type, _idx, _si, _st)			\
	{								\
		.type = (_type),					\
		.indexed = 1,						\
		.channel = (_idx),					\
		.scan_index = (_si),					\
		.scan_type = _st,					\
	}

#define ADE9000_VRMS_CHAN(_ph)						\
	{								\
		.type = IIO_ALTVOLTAGE,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = "rms",					\
		.address = ADE9000_K_VRMS,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBBIAS),	\
		.scan_index = -1,					\
		.event_spec = ade9000_vrms_events,			\
		.num_event_specs = ARRAY_SIZE(ade9000_vrms_events),	\
		.ext_info = ade9000_vrms_ext_info,			\
	}

#define ADE9000_IRMS_CHAN(_ph)					\
	{								\
		.type = IIO_CURRENT,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = "rms",					\
		.address = ADE9000_K_IRMS,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBBIAS),	\
		.scan_index = -1,					\
		.event_spec = ade9000_irms_events,			\
		.num_event_specs = ARRAY_SIZE(ade9000_irms_events),	\
	}

#define ADE9000_WATT_CHAN(_ph)						\
	{								\
		.type = IIO_POWER,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = "active",				\
		.address = ADE9000_K_WATT,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBBIAS) |	\
				      BIT(IIO_CHAN_INFO_CALIBSCALE),	\
		.scan_index = -1,					\
		.event_spec = ade9000_watt_events,			\
		.num_event_specs = ARRAY_SIZE(ade9000_watt_events),	\
	}

#define ADE9000_VAR_CHAN(_ph)						\
	{								\
		.type = IIO_POWER,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = "reactive",				\
		.address = ADE9000_K_VAR,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBBIAS),	\
		.scan_index = -1,					\
	}

#define ADE9000_VA_CHAN(_ph)						\
	{								\
		.type = IIO_POWER,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = "apparent",				\
		.address = ADE9000_K_VA,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE),		\
		.scan_index = -1,					\
	}

#define ADE9000_EGY_CHAN(_ph, _kind, _name)				\
	{								\
		.type = IIO_ENERGY,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.extend_name = (_name),					\
		.address = (_kind),					\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE),		\
		.scan_index = -1,					\
	}

#define ADE9000_VPCF_CHAN(_ph)						\
	{								\
		.type = IIO_VOLTAGE,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.address = ADE9000_K_VPCF,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBSCALE) |	\
				      BIT(IIO_CHAN_INFO_FREQUENCY),	\
		.scan_index = -1,					\
	}

#define ADE9000_IPCF_CHAN(_ph)						\
	{								\
		.type = IIO_CURRENT,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.address = ADE9000_K_IPCF,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE) |	\
				      BIT(IIO_CHAN_INFO_CALIBSCALE),	\
		.scan_index = -1,					\
	}

#define ADE9000_PF_CHAN(_ph)						\
	{								\
		.type = IIO_POWER,					\
		.indexed = 1,						\
		.channel = (_ph),					\
		.address = ADE9000_K_PF,				\
		.scan_index = -1,					\
		.ext_info = ade9000_pf_ext_info,			\
	}

#define ADE9000_ANGLE_CHAN(_n)						\
	{								\
		.type = IIO_ANGL,					\
		.indexed = 1,						\
		.channel = (_n),					\
		.address = ADE9000_K_ANGLE,				\
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |		\
				      BIT(IIO_CHAN_INFO_SCALE),		\
		.scan_index = -1,					\
		.ext_info = ade9000_angle_ext_info,			\
	}

static const struct iio_chan_spec ade9000_channels[] = {
	/*
	 * Buffer elements, in scan order. They are channels of their own,
	 * without attributes and named without extend_name, so that every
	 * (type, index) pair has one scan element only: libiio (0.24, as in
	 * Debian 12) keys channels by type and index and cannot tell
	 * in_power0_active_en from in_power0_reactive_en.
	 */
	ADE9000_SCAN_CHAN(IIO_ALTVOLTAGE, 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_VRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_CURRENT, 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_IRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_WATT), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 10 + 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_VAR), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 20 + 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_VA), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_EGY_WATT), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 10 + 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_EGY_VAR), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 20 + 0,
			  ADE9000_SCAN_IDX(0, ADE9000_K_EGY_VA), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ALTVOLTAGE, 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_VRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_CURRENT, 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_IRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_WATT), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 10 + 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_VAR), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 20 + 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_VA), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_EGY_WATT), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 10 + 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_EGY_VAR), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 20 + 1,
			  ADE9000_SCAN_IDX(1, ADE9000_K_EGY_VA), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ALTVOLTAGE, 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_VRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_CURRENT, 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_IRMS), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_WATT), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 10 + 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_VAR), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_POWER, 20 + 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_VA), ADE9000_SCAN_S32),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_EGY_WATT), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 10 + 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_EGY_VAR), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_ENERGY, 20 + 2,
			  ADE9000_SCAN_IDX(2, ADE9000_K_EGY_VA), ADE9000_SCAN_S64),
	ADE9000_SCAN_CHAN(IIO_CURRENT, ADE9000_NEUTRAL, ADE9000_SCAN_NIRMS,
			  ADE9000_SCAN_S32),
	IIO_CHAN_SOFT_TIMESTAMP(ADE9000_SCAN_TS),
	/* Direct reads, mainline 6.18 names */
	ADE9000_VRMS_CHAN(0),
	ADE9000_IRMS_CHAN(0),
	ADE9000_WATT_CHAN(0),
	ADE9000_VAR_CHAN(0),
	ADE9000_VA_CHAN(0),
	ADE9000_EGY_CHAN(0, ADE9000_K_EGY_WATT, "active"),
	ADE9000_EGY_CHAN(0, ADE9000_K_EGY_VAR, "reactive"),
	ADE9000_EGY_CHAN(0, ADE9000_K_EGY_VA, "apparent"),
	ADE9000_VRMS_CHAN(1),
	ADE9000_IRMS_CHAN(1),
	ADE9000_WATT_CHAN(1),
	ADE9000_VAR_CHAN(1),
	ADE9000_VA_CHAN(1),
	ADE9000_EGY_CHAN(1, ADE9000_K_EGY_WATT, "active"),
	ADE9000_EGY_CHAN(1, ADE9000_K_EGY_VAR, "reactive"),
	ADE9000_EGY_CHAN(1, ADE9000_K_EGY_VA, "apparent"),
	ADE9000_VRMS_CHAN(2),
	ADE9000_IRMS_CHAN(2),
	ADE9000_WATT_CHAN(2),
	ADE9000_VAR_CHAN(2),
	ADE9000_VA_CHAN(2),
	ADE9000_EGY_CHAN(2, ADE9000_K_EGY_WATT, "active"),
	ADE9000_EGY_CHAN(2, ADE9000_K_EGY_VAR, "reactive"),
	ADE9000_EGY_CHAN(2, ADE9000_K_EGY_VA, "apparent"),
	ADE9000_IRMS_CHAN(ADE9000_NEUTRAL),
	/* Direct-read only */
	ADE9000_VPCF_CHAN(0),
	ADE9000_VPCF_CHAN(1),
	ADE9000_VPCF_CHAN(2),
	ADE9000_IPCF_CHAN(0),
	ADE9000_IPCF_CHAN(1),
	ADE9000_IPCF_CHAN(2),
	ADE9000_IPCF_CHAN(ADE9000_NEUTRAL),
	ADE9000_PF_CHAN(0),
	ADE9000_PF_CHAN(1),
	ADE9000_PF_CHAN(2),
	ADE9000_ANGLE_CHAN(0),
	ADE9000_ANGLE_CHAN(1),
	ADE9000_ANGLE_CHAN(2),
	ADE9000_ANGLE_CHAN(3),
	ADE9000_ANGLE_CHAN(4),
	ADE9000_ANGLE_CHAN(5),
	{
		.type = IIO_TEMP,
		.address = ADE9000_K_TEMP,
		.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |
				      BIT(IIO_CHAN_INFO_SCALE) |
				      BIT(IIO_CHAN_INFO_OFFSET),
		.info_mask_shared_by_all = BIT(IIO_CHAN_INFO_SAMP_FREQ),
		.info_mask_shared_by_all_available =
			BIT(IIO_CHAN_INFO_SAMP_FREQ),
		.scan_index = -1,
		.ext_info = ade9000_dev_ext_info,
	},
};

/* ------------------------------------------------------------------ */
/* Fault counters                                                      */
/* ------------------------------------------------------------------ */

/*
 * Counters are bumped where the fault is seen, often under the regmap
 * lock; sysfs_notify() takes kernfs locks and may sleep, so it is left to
 * a work item.
 */
static void ade9000_count(struct ade9000_state *st, enum ade9000_counter c)
{
	int n = atomic_inc_return(&st->counters[c]);

	if (c == ADE9000_CNT_CHIP_RESET)
		dev_warn(&st->spi->dev, "%s (%s = %d)\n",
			 ade9000_counter_msgs[c], ade9000_counter_names[c], n);
	else
		dev_warn_ratelimited(&st->spi->dev, "%s (%s = %d)\n",
				     ade9000_counter_msgs[c],
				     ade9000_counter_names[c], n);
	set_bit(c, &st->notify_pending);
	schedule_work(&st->notify_work);
}

static void ade9000_notify_work(struct work_struct *work)
{
	struct ade9000_state *st = container_of(work, struct ade9000_state,
						notify_work);
	unsigned int c;

	for (c = 0; c < ADE9000_CNT_NUM; c++)
		if (test_and_clear_bit(c, &st->notify_pending))
			sysfs_notify(&st->indio_dev->dev.kobj, NULL,
				     ade9000_counter_names[c]);
}

/* ------------------------------------------------------------------ */
/* Register access: one regmap bus, 16/32-bit framing, CRC, verify     */
/* ------------------------------------------------------------------ */

/* Configuration the driver owns: cached, restored by regcache_sync() */
static const struct regmap_range ade9000_cached_ranges[] = {
	regmap_reg_range(ADE9000_REG_AIGAIN, 0x018),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 1), 0x038),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 2), 0x058),
	regmap_reg_range(ADE9000_REG_CONFIG0, ADE9000_REG_ISUMLVL),
	regmap_reg_range(ADE9000_REG_MASK0, ADE9000_REG_EVENT_MASK),
	regmap_reg_range(ADE9000_REG_OILVL, ADE9000_REG_OILVL),
	regmap_reg_range(ADE9000_REG_USER_PERIOD, ADE9000_REG_DIP_LVL),
	regmap_reg_range(ADE9000_REG_SWELL_LVL, ADE9000_REG_SWELL_LVL),
	regmap_reg_range(ADE9000_REG_ACT_NL_LVL, ADE9000_REG_APP_NL_LVL),
	regmap_reg_range(ADE9000_REG_WTHR, ADE9000_REG_VATHR),
	regmap_reg_range(ADE9000_REG_ADC_REDIRECT, ADE9000_REG_CF_LCFG),
	regmap_reg_range(ADE9000_REG_CONFIG1, ADE9000_REG_CONFIG1),
	regmap_reg_range(ADE9000_REG_DIP_CYC, ADE9000_REG_SWELL_CYC),
	regmap_reg_range(ADE9000_REG_CFMODE, ADE9000_REG_ZX_LP_SEL),
	regmap_reg_range(ADE9000_REG_SEQ_CYC, ADE9000_REG_SEQ_CYC),
	regmap_reg_range(ADE9000_REG_WFB_CFG, ADE9000_REG_WFB_TRG_CFG),
	regmap_reg_range(ADE9000_REG_CONFIG2, ADE9000_REG_EGY_TIME),
	regmap_reg_range(ADE9000_REG_CRC_OPTEN, ADE9000_REG_CRC_OPTEN),
	regmap_reg_range(ADE9000_REG_PSM2_CFG, ADE9000_REG_CHNL_DIS),
	regmap_reg_range(ADE9000_REG_VAR_DIS, ADE9000_REG_VAR_DIS),
};

/*
 * Writable: the configuration above plus the write-1-to-clear status
 * registers, RUN and TEMP_CFG (whose START bit clears itself), which are
 * never cached.
 */
static const struct regmap_range ade9000_wr_ranges[] = {
	regmap_reg_range(ADE9000_REG_AIGAIN, 0x018),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 1), 0x038),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 2), 0x058),
	regmap_reg_range(ADE9000_REG_CONFIG0, ADE9000_REG_ISUMLVL),
	regmap_reg_range(ADE9000_REG_STATUS0, ADE9000_REG_STATUS1),
	regmap_reg_range(ADE9000_REG_MASK0, ADE9000_REG_EVENT_MASK),
	regmap_reg_range(ADE9000_REG_OILVL, ADE9000_REG_OILVL),
	regmap_reg_range(ADE9000_REG_USER_PERIOD, ADE9000_REG_DIP_LVL),
	regmap_reg_range(ADE9000_REG_SWELL_LVL, ADE9000_REG_SWELL_LVL),
	regmap_reg_range(ADE9000_REG_ACT_NL_LVL, ADE9000_REG_APP_NL_LVL),
	regmap_reg_range(ADE9000_REG_WTHR, ADE9000_REG_VATHR),
	regmap_reg_range(ADE9000_REG_ADC_REDIRECT, ADE9000_REG_CF_LCFG),
	regmap_reg_range(ADE9000_REG_RUN, ADE9000_REG_CONFIG1),
	regmap_reg_range(ADE9000_REG_DIP_CYC, ADE9000_REG_SWELL_CYC),
	regmap_reg_range(ADE9000_REG_CFMODE, ADE9000_REG_ZX_LP_SEL),
	regmap_reg_range(ADE9000_REG_SEQ_CYC, ADE9000_REG_SEQ_CYC),
	regmap_reg_range(ADE9000_REG_WFB_CFG, ADE9000_REG_WFB_TRG_CFG),
	regmap_reg_range(ADE9000_REG_CONFIG2, ADE9000_REG_EGY_TIME),
	regmap_reg_range(ADE9000_REG_CRC_OPTEN, ADE9000_REG_TEMP_CFG),
	regmap_reg_range(ADE9000_REG_PSM2_CFG, ADE9000_REG_CHNL_DIS),
	regmap_reg_range(ADE9000_REG_VAR_DIS, ADE9000_REG_VAR_DIS),
};

static const struct regmap_range ade9000_rd_ranges[] = {
	regmap_reg_range(ADE9000_REG_AIGAIN, 0x018),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 1), 0x038),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, 2), 0x058),
	regmap_reg_range(ADE9000_REG_CONFIG0, ADE9000_REG_ISUMLVL),
	regmap_reg_range(ADE9000_REG_AI_PCF, 0x21D),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AI_PCF, 1), 0x23D),
	regmap_reg_range(ADE9000_PHASE_REG(ADE9000_REG_AI_PCF, 2), 0x25D),
	regmap_reg_range(ADE9000_REG_NI_PCF, ADE9000_REG_VERSION2),
	regmap_reg_range(ADE9000_REG_EGY_FIRST, ADE9000_REG_EGY_LAST),
	regmap_reg_range(ADE9000_REG_IPEAK, ADE9000_REG_EVENT_MASK),
	regmap_reg_range(ADE9000_REG_OILVL, ADE9000_REG_CF_LCFG),
	regmap_reg_range(ADE9000_REG_PART_ID, ADE9000_REG_PART_ID),
	regmap_reg_range(ADE9000_REG_TEMP_TRIM, ADE9000_REG_TEMP_TRIM),
	regmap_reg_range(ADE9000_REG16_FIRST, ADE9000_REG16_LAST),
};

static const struct regmap_access_table ade9000_wr_table = {
	.yes_ranges = ade9000_wr_ranges,
	.n_yes_ranges = ARRAY_SIZE(ade9000_wr_ranges),
};

static const struct regmap_access_table ade9000_rd_table = {
	.yes_ranges = ade9000_rd_ranges,
	.n_yes_ranges = ARRAY_SIZE(ade9000_rd_ranges),
};

/*
 * Everything that is not driver-owned configuration is volatile:
 * measurements, accumulators, status, periods, angles, temperature,
 * LAST_*, CRC, identity. Only cached registers are ever written back by
 * regcache_sync(), and all of them are writable.
 */
static const struct regmap_access_table ade9000_volatile_table = {
	.no_ranges = ade9000_cached_ranges,
	.n_no_ranges = ARRAY_SIZE(ade9000_cached_ranges),
};

static bool ade9000_is_reg16(unsigned int reg)
{
	return reg >= ADE9000_REG16_FIRST && reg <= ADE9000_REG16_LAST;
}

static void ade9000_put_be(u8 *buf, u32 val, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = val >> (8 * (len - 1 - i));
}

static u32 ade9000_get_be(const u8 *buf, unsigned int len)
{
	unsigned int i;
	u32 val = 0;

	for (i = 0; i < len; i++)
		val = (val << 8) | buf[i];
	return val;
}

static void ade9000_put_cmd(struct ade9000_state *st, unsigned int reg,
			    bool read)
{
	u16 cmd = FIELD_PREP(ADE9000_CMD_ADDR_MASK, reg);

	if (read)
		cmd |= ADE9000_CMD_READ;
	ade9000_put_be(st->tx, cmd, ADE9000_CMD_LEN);
}

/* Called with the regmap lock held: st->tx/rx are used by nobody else */
static int ade9000_spi_read(struct ade9000_state *st, unsigned int reg,
			    u32 *val)
{
	unsigned int len = ade9000_is_reg16(reg) ? 2 : 4;
	struct spi_transfer xfers[] = {
		{
			.tx_buf = st->tx,
			.len = ADE9000_CMD_LEN,
		}, {
			.rx_buf = st->rx,
			.len = len + (st->crc ? ADE9000_CRC_LEN : 0),
		},
	};
	int attempt, ret = -EIO;

	ade9000_put_cmd(st, reg, true);
	for (attempt = 0; attempt < ADE9000_SPI_ATTEMPTS; attempt++) {
		ret = spi_sync_transfer(st->spi, xfers, ARRAY_SIZE(xfers));
		if (ret) {
			ade9000_count(st, ADE9000_CNT_SPI);
			continue;
		}
		/*
		 * CRC_SPI follows the data: CRC-16-CCITT over the data bytes
		 * only, initial value 0xffff, no final xor. Unchecked data is
		 * never returned.
		 */
		if (st->crc &&
		    crc_itu_t(0xffff, st->rx, len) !=
		    ade9000_get_be(st->rx + len, ADE9000_CRC_LEN)) {
			ade9000_count(st, ADE9000_CNT_CRC);
			ret = -EIO;
			continue;
		}
		*val = ade9000_get_be(st->rx, len);
		return 0;
	}
	return ret;
}

static int ade9000_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct ade9000_state *st = context;
	u32 v;
	int ret;

	ret = ade9000_spi_read(st, reg, &v);
	if (ret)
		return ret;
	*val = v;
	return 0;
}

/*
 * Bits whose read-back differs from what was written by design; zero means
 * the write cannot be verified at all (W1C status, RUN).
 */
static u32 ade9000_verify_mask(unsigned int reg, unsigned int val)
{
	switch (reg) {
	case ADE9000_REG_STATUS0:
	case ADE9000_REG_STATUS1:
	case ADE9000_REG_RUN:
		return 0;
	case ADE9000_REG_CONFIG1:
		/* After SWRST there is nothing left to compare with */
		return (val & ADE9000_CONFIG1_SWRST) ? 0 : GENMASK(15, 0);
	case ADE9000_REG_TEMP_CFG:
		return GENMASK(15, 0) & ~ADE9000_TEMP_CFG_START;
	default:
		return ade9000_is_reg16(reg) ? GENMASK(15, 0) : GENMASK(31, 0);
	}
}

/*
 * Writes carry no CRC, so a write is checked by reading the register back:
 * that proves the register holds the value, not only that the bytes
 * crossed the bus.
 */
static int ade9000_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct ade9000_state *st = context;
	unsigned int len = ade9000_is_reg16(reg) ? 2 : 4;
	u32 mask = ade9000_verify_mask(reg, val);
	int attempt, ret = -EIO;
	u32 back;

	if (regmap_reg_in_ranges(reg, ade9000_cached_ranges,
				 ARRAY_SIZE(ade9000_cached_ranges)))
		WRITE_ONCE(st->cfg_write_jiffies, jiffies);

	for (attempt = 0; attempt < ADE9000_SPI_ATTEMPTS; attempt++) {
		/* The verifying read reuses st->tx: build the frame each time */
		ade9000_put_cmd(st, reg, false);
		ade9000_put_be(st->tx + ADE9000_CMD_LEN, val, len);
		ret = spi_write(st->spi, st->tx, ADE9000_CMD_LEN + len);
		if (ret) {
			ade9000_count(st, ADE9000_CNT_SPI);
			continue;
		}
		if (!mask)
			return 0;
		ret = ade9000_spi_read(st, reg, &back);
		if (ret)
			return ret;
		if (!((back ^ val) & mask))
			return 0;
		ade9000_count(st, ADE9000_CNT_WRITE);
		ret = -EIO;
	}
	return ret;
}

static const struct regmap_bus ade9000_regmap_bus = {
	.reg_read = ade9000_reg_read,
	.reg_write = ade9000_reg_write,
};

static const struct regmap_config ade9000_regmap_config = {
	.name = "ade9000",
	.reg_bits = 16,
	.val_bits = 32,
	.max_register = ADE9000_REG_MAX,
	.wr_table = &ade9000_wr_table,
	.rd_table = &ade9000_rd_table,
	.volatile_table = &ade9000_volatile_table,
	.cache_type = REGCACHE_RBTREE,
};

/* ------------------------------------------------------------------ */
/* Measurement helpers                                                 */
/* ------------------------------------------------------------------ */

static int ade9000_nano_to_scale(struct device *dev, u64 nano,
				 struct ade9000_scale *scale, const char *what)
{
	u32 rem;

	if (!nano || nano > (u64)INT_MAX * NANO)
		return dev_err_probe(dev, -EINVAL,
				     "front end gives an unusable %s scale\n",
				     what);
	scale->val = div_u64_rem(nano, NANO, &rem);
	scale->val2 = rem;
	return 0;
}

/* Reads an optional u32 property; absent leaves the default */
static int ade9000_prop_u32(struct device *dev, const char *name, u32 *val)
{
	int ret;

	if (!device_property_present(dev, name))
		return 0;
	ret = device_property_read_u32(dev, name, val);
	if (ret)
		return dev_err_probe(dev, ret, "invalid %s\n", name);
	return 0;
}

static int ade9000_parse_frontend(struct ade9000_state *st, struct device *dev)
{
	u32 div[2] = { ADE9000_DEF_DIV_UPPER_OHMS, ADE9000_DEF_DIV_LOWER_OHMS };
	u32 turns = ADE9000_DEF_CT_TURNS, burden = ADE9000_DEF_BURDEN_UOHMS;
	u32 vfs_uv, ifs_ua, nfs_ua, line_hz = 50;
	u64 fs, prod;
	const char *wiring;
	int ret;

	/* Vfs = 707.107 mV x (Rup + Rlow) / Rlow: line rms at ADC full scale */
	if (device_property_present(dev, "polymeter,voltage-full-scale-microvolt")) {
		ret = ade9000_prop_u32(dev, "polymeter,voltage-full-scale-microvolt",
				       &vfs_uv);
		if (ret)
			return ret;
	} else {
		if (device_property_present(dev, "polymeter,voltage-divider-ohms")) {
			ret = device_property_read_u32_array(dev,
							     "polymeter,voltage-divider-ohms",
							     div, ARRAY_SIZE(div));
			if (ret)
				return dev_err_probe(dev, ret,
						     "invalid polymeter,voltage-divider-ohms\n");
		}
		if (!div[1])
			return dev_err_probe(dev, -EINVAL,
					     "voltage divider lower leg is 0 ohm\n");
		fs = div_u64((u64)ADE9000_FS_PIN_UV_RMS * ((u64)div[0] + div[1]) +
			     div[1] / 2, div[1]);
		if (fs > U32_MAX)
			return dev_err_probe(dev, -EINVAL,
					     "voltage divider ratio too large\n");
		vfs_uv = fs;
	}

	/* Ifs = 707.107 mV x N / Rburden: line rms current at full scale */
	if (device_property_present(dev, "polymeter,current-full-scale-microamp")) {
		ret = ade9000_prop_u32(dev, "polymeter,current-full-scale-microamp",
				       &ifs_ua);
		if (ret)
			return ret;
	} else {
		ret = ade9000_prop_u32(dev, "polymeter,ct-turns-ratio", &turns);
		if (ret)
			return ret;
		ret = ade9000_prop_u32(dev, "polymeter,ct-burden-micro-ohms",
				       &burden);
		if (ret)
			return ret;
		if (!turns || !burden)
			return dev_err_probe(dev, -EINVAL,
					     "CT turns ratio and burden must be > 0\n");
		fs = mul_u64_u32_div((u64)ADE9000_FS_PIN_UV_RMS * turns, MICRO,
				     burden);
		if (fs > U32_MAX)
			return dev_err_probe(dev, -EINVAL,
					     "current full scale too large\n");
		ifs_ua = fs;
	}
	nfs_ua = ifs_ua;
	ret = ade9000_prop_u32(dev, "polymeter,neutral-current-full-scale-microamp",
			       &nfs_ua);
	if (ret)
		return ret;
	if (!vfs_uv || !ifs_ua || !nfs_ua)
		return dev_err_probe(dev, -EINVAL, "full scale of 0\n");

	/* rms scale (mV or mA per code) = full scale / 52 702 092 codes */
	ret = ade9000_nano_to_scale(dev, div_u64((u64)vfs_uv * MICRO,
						 ADE9000_RMS_FS_CODES),
				    &st->scale[ADE9000_SC_VRMS], "voltage");
	if (ret)
		return ret;
	ret = ade9000_nano_to_scale(dev, div_u64((u64)ifs_ua * MICRO,
						 ADE9000_RMS_FS_CODES),
				    &st->scale[ADE9000_SC_IRMS], "current");
	if (ret)
		return ret;
	ret = ade9000_nano_to_scale(dev, div_u64((u64)nfs_ua * MICRO,
						 ADE9000_RMS_FS_CODES),
				    &st->scale[ADE9000_SC_NIRMS], "neutral current");
	if (ret)
		return ret;

	/*
	 * Instantaneous (xV_PCF) scale: the pins' +/-1 V peak is
	 * +/-74 532 013 codes, and 1 V peak at the pins is Vfs x 1 V / 707.107 mV
	 * on the line.
	 */
	fs = div_u64((u64)vfs_uv * MICRO + ADE9000_FS_PIN_UV_RMS / 2,
		     ADE9000_FS_PIN_UV_RMS);
	ret = ade9000_nano_to_scale(dev, div_u64(fs * MICRO, ADE9000_PCF_FS_CODES),
				    &st->scale[ADE9000_SC_VPCF], "voltage");
	if (ret)
		return ret;
	fs = div_u64((u64)ifs_ua * MICRO + ADE9000_FS_PIN_UV_RMS / 2,
		     ADE9000_FS_PIN_UV_RMS);
	ret = ade9000_nano_to_scale(dev, div_u64(fs * MICRO, ADE9000_PCF_FS_CODES),
				    &st->scale[ADE9000_SC_IPCF], "current");
	if (ret)
		return ret;
	fs = div_u64((u64)nfs_ua * MICRO + ADE9000_FS_PIN_UV_RMS / 2,
		     ADE9000_FS_PIN_UV_RMS);
	ret = ade9000_nano_to_scale(dev, div_u64(fs * MICRO, ADE9000_PCF_FS_CODES),
				    &st->scale[ADE9000_SC_NIPCF], "neutral current");
	if (ret)
		return ret;

	/*
	 * power scale (mW per code) = Vfs[V] x Ifs[mA] / 20 694 066; with
	 * uV x uA the product is in 1e-12 W, i.e. 1e-9 mW.
	 */
	prod = (u64)vfs_uv * ifs_ua;
	ret = ade9000_nano_to_scale(dev, div_u64(prod + ADE9000_WATT_FS_CODES / 2,
						 ADE9000_WATT_FS_CODES),
				    &st->scale[ADE9000_SC_POWER], "power");
	if (ret)
		return ret;
	/*
	 * energy scale (J per xHR_HI LSB) = power scale [W] x 8192 / 8000:
	 * one HI LSB is 2^13 samples of one xWATT code at 8 kSPS. In nJ:
	 * prod[1e-12 W] x 1.024e-3 / 20 694 066 = prod/1000 x 128 / (125 x FS).
	 */
	ret = ade9000_nano_to_scale(dev, div_u64(div_u64(prod, 1000) * 128,
						 125U * ADE9000_WATT_FS_CODES),
				    &st->scale[ADE9000_SC_ENERGY], "energy");
	if (ret)
		return ret;

	st->wiring = ADE9000_WIRING_WYE;
	if (device_property_present(dev, "polymeter,wiring")) {
		ret = device_property_read_string(dev, "polymeter,wiring",
						  &wiring);
		if (!ret)
			ret = match_string(ade9000_wiring_items,
					   ARRAY_SIZE(ade9000_wiring_items),
					   wiring);
		if (ret < 0)
			return dev_err_probe(dev, -EINVAL,
					     "polymeter,wiring must be \"wye\" or \"delta\"\n");
		st->wiring = ret;
	}

	ret = ade9000_prop_u32(dev, "polymeter,line-frequency-hz", &line_hz);
	if (ret)
		return ret;
	if (line_hz != 50 && line_hz != 60)
		return dev_err_probe(dev, -EINVAL,
				     "polymeter,line-frequency-hz must be 50 or 60\n");
	st->line_freq = line_hz == 60 ? ADE9000_LINE_60HZ : ADE9000_LINE_50HZ;

	st->crc = device_property_read_bool(dev, "polymeter,spi-crc");

	return 0;
}

static unsigned int ade9000_line_hz(const struct ade9000_state *st)
{
	return st->line_freq == ADE9000_LINE_60HZ ? 60 : 50;
}

static u32 ade9000_accmode(const struct ade9000_state *st)
{
	u32 val;

	/* Signed accumulation (WATTACC = VARACC = 0): net energy per phase */
	val = FIELD_PREP(ADE9000_ACCMODE_VCONSEL,
			 st->wiring == ADE9000_WIRING_DELTA ?
			 ADE9000_VCONSEL_3W_DELTA : ADE9000_VCONSEL_4W_WYE);
	if (st->line_freq == ADE9000_LINE_60HZ)
		val |= ADE9000_ACCMODE_SELFREQ;
	return val;
}

static u32 ade9000_mask0(const struct ade9000_state *st)
{
	u32 mask = st->mask0_en & ~(st->stuck0 | st->held0);

	if (st->irq > 0 && st->buffer_on)
		mask |= ADE9000_ST0_EGYRDY;
	return mask;
}

static u32 ade9000_mask1(const struct ade9000_state *st)
{
	return st->mask1_en & ~(st->stuck1 | st->held1);
}

static void ade9000_set_period(struct ade9000_state *st)
{
	st->period = ns_to_ktime((u64)(st->egy_time + 1) * ADE9000_SAMPLE_NS);
}

/*
 * regmap caches a value before the bus write: after a failed write the
 * cache would report a value the chip may not hold, so forget it and let
 * the next read ask the chip.
 */
static int ade9000_write_cfg(struct ade9000_state *st, unsigned int reg,
			     unsigned int val)
{
	int ret;

	ret = regmap_write(st->regmap, reg, val);
	if (ret)
		regcache_drop_region(st->regmap, reg, reg);
	return ret;
}

static int ade9000_update_cfg(struct ade9000_state *st, unsigned int reg,
			      unsigned int mask, unsigned int val)
{
	int ret;

	ret = regmap_update_bits(st->regmap, reg, mask, val);
	if (ret)
		regcache_drop_region(st->regmap, reg, reg);
	return ret;
}

/*
 * Writes MASK0/MASK1 from the state. The state is what counts: a write
 * lost to a transient SPI fault is retried by housekeeping, so callers
 * that only follow the state never fail because of one.
 */
static void ade9000_sync_mask(struct ade9000_state *st, unsigned int reg)
{
	u32 val = reg == ADE9000_REG_MASK0 ? ade9000_mask0(st) :
					      ade9000_mask1(st);

	if (ade9000_write_cfg(st, reg, val))
		st->masks_dirty = true;
}

static void ade9000_sync_masks(struct ade9000_state *st)
{
	st->masks_dirty = false;
	ade9000_sync_mask(st, ADE9000_REG_MASK0);
	ade9000_sync_mask(st, ADE9000_REG_MASK1);
}

/*
 * The chip's xHR_HI words are bits 44..13 of its 45-bit accumulators and
 * wrap with them at 2^32: a signed 32-bit difference is exact while less
 * than 2^31 LSB passed, i.e. for at least 106 s at full scale.
 */
static void ade9000_egy_account(struct ade9000_state *st, unsigned int idx,
				u32 hi)
{
	st->egy_total[idx] += (s32)(hi - st->egy_last[idx]);
	st->egy_last[idx] = hi;
}

static int ade9000_egy_read(struct ade9000_state *st, unsigned long mask,
			    u32 *hi)
{
	unsigned int i;
	int ret;

	for_each_set_bit(i, &mask, ADE9000_NUM_EGY) {
		ret = regmap_read(st->regmap, ade9000_egy_reg(i), &hi[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void ade9000_push_event(struct ade9000_state *st,
			       enum iio_chan_type type, int chan,
			       enum iio_event_direction dir, s64 ts)
{
	/* Unmodified codes, as mainline does for its rms (modified) channels */
	iio_push_event(st->indio_dev,
		       IIO_UNMOD_EVENT_CODE(type, chan, IIO_EV_TYPE_THRESH, dir),
		       ts);
}

/*
 * A status bit that is still set right after it was cleared would keep
 * the interrupt line asserted and flood userspace with events: mask it,
 * count it, and let housekeeping try again later.
 */
static void ade9000_check_stuck(struct ade9000_state *st, unsigned int reg,
				u32 cleared)
{
	u32 now, stuck;

	if (!cleared || regmap_read(st->regmap, reg, &now))
		return;
	stuck = now & cleared;
	if (!stuck)
		return;
	ade9000_count(st, ADE9000_CNT_CHIP);
	if (reg == ADE9000_REG_STATUS0) {
		st->stuck0 |= stuck;
		ade9000_sync_mask(st, ADE9000_REG_MASK0);
	} else {
		st->stuck1 |= stuck;
		ade9000_sync_mask(st, ADE9000_REG_MASK1);
	}
}

/*
 * A source may also chatter: a power sign flapping at no load, a level
 * hovering at its threshold. One that fires twice in a housekeeping
 * period is masked until the next, so each source yields at most two
 * events a second.
 */
static void ade9000_hold_off(struct ade9000_state *st, unsigned int reg,
			     u32 ev)
{
	u32 *fired = reg == ADE9000_REG_STATUS0 ? &st->fired0 : &st->fired1;
	u32 *held = reg == ADE9000_REG_STATUS0 ? &st->held0 : &st->held1;
	u32 again = ev & *fired;

	*fired |= ev;
	if (!again)
		return;
	*held |= again;
	ade9000_sync_mask(st, reg == ADE9000_REG_STATUS0 ? ADE9000_REG_MASK0 :
							   ADE9000_REG_MASK1);
}

/* Housekeeping: a new period, held sources are heard again */
static void ade9000_release_held(struct ade9000_state *st)
{
	st->fired0 = 0;
	st->fired1 = 0;
	if (st->held0) {
		st->held0 = 0;
		ade9000_sync_mask(st, ADE9000_REG_MASK0);
	}
	if (st->held1) {
		st->held1 = 0;
		ade9000_sync_mask(st, ADE9000_REG_MASK1);
	}
}

static void ade9000_unstick(struct ade9000_state *st)
{
	u32 now;

	if (st->stuck0 &&
	    !regmap_write(st->regmap, ADE9000_REG_STATUS0, st->stuck0) &&
	    !regmap_read(st->regmap, ADE9000_REG_STATUS0, &now) &&
	    (st->stuck0 & ~now)) {
		st->stuck0 &= now;
		ade9000_sync_mask(st, ADE9000_REG_MASK0);
	}
	if (st->stuck1 &&
	    !regmap_write(st->regmap, ADE9000_REG_STATUS1, st->stuck1) &&
	    !regmap_read(st->regmap, ADE9000_REG_STATUS1, &now) &&
	    (st->stuck1 & ~now)) {
		st->stuck1 &= now;
		ade9000_sync_mask(st, ADE9000_REG_MASK1);
	}
}

/*
 * Acts on STATUS1 (lock held, RSTDONE already dealt with): pushes the dip,
 * swell and overcurrent events the user enabled and, from housekeeping
 * only (@faults), counts the fault bits; then clears what it handled.
 */
static void ade9000_handle_status1(struct ade9000_state *st, u32 s1, s64 ts,
				   bool faults)
{
	u32 ev = s1 & ade9000_mask1(st);
	u32 flt = 0, oi = 0;
	unsigned int ph;

	if (faults)
		flt = s1 & (ADE9000_ST1_SEQERR | ADE9000_ST1_CRC_CHG |
			    ADE9000_ST1_ERROR_MASK);
	if (!(ev | flt))
		return;
	/* OISTATUS says which currents tripped; read it before clearing OI */
	if ((ev & ADE9000_ST1_OI) &&
	    regmap_read(st->regmap, ADE9000_REG_OISTATUS, &oi))
		ev &= ~ADE9000_ST1_OI;
	if (regmap_write(st->regmap, ADE9000_REG_STATUS1, ev | flt))
		return;

	for (ph = 0; ph < ADE9000_NUM_PHASES; ph++) {
		if (ev & ADE9000_ST1_SWELL(ph))
			ade9000_push_event(st, IIO_ALTVOLTAGE, ph,
					   IIO_EV_DIR_RISING, ts);
		if (ev & ADE9000_ST1_DIP(ph))
			ade9000_push_event(st, IIO_ALTVOLTAGE, ph,
					   IIO_EV_DIR_FALLING, ts);
	}
	if (ev & ADE9000_ST1_OI)
		for (ph = 0; ph <= ADE9000_NEUTRAL; ph++)
			if ((oi & ADE9000_OISTATUS_OI(ph)) &&
			    (st->oc_en & BIT(ph)))
				ade9000_push_event(st, IIO_CURRENT, ph,
						   IIO_EV_DIR_RISING, ts);

	if (flt & ADE9000_ST1_SEQERR)
		ade9000_count(st, ADE9000_CNT_SEQ);
	if (flt & ADE9000_ST1_ERROR_MASK)
		ade9000_count(st, ADE9000_CNT_CHIP);
	/*
	 * CRC_CHG also follows the driver's own configuration writes; only a
	 * change nobody asked for (corruption, a stray write) is counted.
	 */
	if ((flt & ADE9000_ST1_CRC_CHG) &&
	    time_after(jiffies, READ_ONCE(st->cfg_write_jiffies) +
				ADE9000_CFG_CRC_GRACE))
		ade9000_count(st, ADE9000_CNT_CFG_CRC);

	ade9000_check_stuck(st, ADE9000_REG_STATUS1, ev);
	ade9000_hold_off(st, ADE9000_REG_STATUS1, ev);
}

/* Reverse active power: @ev holds the REVAPx bits just cleared */
static void ade9000_handle_status0(struct ade9000_state *st, u32 ev, s64 ts)
{
	unsigned int ph;
	u32 sign;

	if (!ev || regmap_read(st->regmap, ADE9000_REG_PHSIGN, &sign))
		return;
	for (ph = 0; ph < ADE9000_NUM_PHASES; ph++)
		if (ev & ADE9000_ST0_REVAP(ph))
			ade9000_push_event(st, IIO_POWER, ph,
					   (sign & ADE9000_PHSIGN_WSIGN(ph)) ?
					   IIO_EV_DIR_FALLING :
					   IIO_EV_DIR_RISING, ts);
	ade9000_check_stuck(st, ADE9000_REG_STATUS0, ev);
	ade9000_hold_off(st, ADE9000_REG_STATUS0, ev);
}

static int ade9000_chip_start(struct ade9000_state *st);

/*
 * Brings a chip that lost its configuration back (lock held): the cache
 * restores calibration, levels and masks, the start sequence the rest.
 * On failure the next housekeeping run tries again; until then no energy
 * delta is accepted.
 */
static void ade9000_recover(struct ade9000_state *st)
{
	int ret;

	st->recover_pending = true;
	regcache_mark_dirty(st->regmap);
	ret = regcache_sync(st->regmap);
	if (!ret)
		ret = ade9000_chip_start(st);
	if (ret)
		dev_err_ratelimited(&st->spi->dev,
				    "restoring the chip failed (%d), retrying\n",
				    ret);
}

static void ade9000_reset_seen(struct ade9000_state *st)
{
	ade9000_count(st, ADE9000_CNT_CHIP_RESET);
	ade9000_recover(st);
}

/*
 * Reads STATUS1 after a batch of measurement reads. A set RSTDONE means
 * the chip reset under those reads, so they must be thrown away.
 * Returns 1 when the chip was found reset, 0 when the reads stand.
 */
static int ade9000_poll_status1(struct ade9000_state *st, s64 ts, bool faults)
{
	u32 s1;
	int ret;

	ret = regmap_read(st->regmap, ADE9000_REG_STATUS1, &s1);
	if (ret)
		return ret;
	if (s1 & ADE9000_ST1_RSTDONE) {
		ade9000_reset_seen(st);
		return 1;
	}
	ade9000_handle_status1(st, s1, ts, faults);
	return 0;
}

/* Updates the lifetime counters in @mask from the chip (lock held) */
static int ade9000_egy_update(struct ade9000_state *st, unsigned long mask)
{
	u32 hi[ADE9000_NUM_EGY];
	unsigned int i;
	int ret;

	if (st->recover_pending)
		return 0;
	ret = ade9000_egy_read(st, mask, hi);
	if (ret)
		return ret;
	ret = ade9000_poll_status1(st, iio_get_time_ns(st->indio_dev), false);
	if (ret)
		return ret < 0 ? ret : 0;
	for_each_set_bit(i, &mask, ADE9000_NUM_EGY)
		ade9000_egy_account(st, i, hi[i]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Scans: interrupt or timer driven                                    */
/* ------------------------------------------------------------------ */

/* Reads the register behind each enabled scan element: 1 SPI read each */
static int ade9000_read_scan(struct ade9000_state *st,
			     const unsigned long *active, u32 *raw)
{
	unsigned int i, kind, ph;
	int ret;

	for_each_set_bit(i, active, ADE9000_SCAN_TS) {
		ade9000_scan_decode(i, &kind, &ph);
		ret = regmap_read(st->regmap, ade9000_reg(kind, ph), &raw[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* Accounts the energy read with a validated scan and pushes the scan */
static void ade9000_push_scan(struct iio_dev *indio_dev, const u32 *raw,
			      s64 ts)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	const unsigned long *active = indio_dev->active_scan_mask;
	u8 *buf = (u8 *)st->scan;
	unsigned int i, kind, ph, off = 0;
	s64 v64;
	s32 v32;

	memset(st->scan, 0, sizeof(st->scan));
	for_each_set_bit(i, active, ADE9000_SCAN_TS) {
		ade9000_scan_decode(i, &kind, &ph);
		if (ade9000_kind_is_energy(kind)) {
			unsigned int e = ade9000_egy_idx(kind, ph);

			ade9000_egy_account(st, e, raw[i]);
			v64 = st->egy_total[e];
			off = ALIGN(off, sizeof(v64));
			memcpy(buf + off, &v64, sizeof(v64));
			off += sizeof(v64);
		} else {
			v32 = raw[i];
			off = ALIGN(off, sizeof(v32));
			memcpy(buf + off, &v32, sizeof(v32));
			off += sizeof(v32);
		}
	}
	iio_push_to_buffers_with_timestamp(indio_dev, st->scan, ts);
}

static irqreturn_t ade9000_irq_handler(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct ade9000_state *st = iio_priv(indio_dev);

	/* IRQF_ONESHOT keeps the line masked until the thread is done */
	st->irq_ts = iio_get_time_ns(indio_dev);
	st->irq_ts_valid = true;
	return IRQ_WAKE_THREAD;
}

static irqreturn_t ade9000_irq_thread(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct ade9000_state *st = iio_priv(indio_dev);
	u32 raw[ADE9000_SCAN_TS], s0, s1, clr0, pending1;
	int scan_ret = -ENODATA;
	s64 ts;
	int ret;

	/* A nested (threaded-only) parent interrupt skips the hard handler */
	ts = st->irq_ts_valid ? st->irq_ts : iio_get_time_ns(indio_dev);
	st->irq_ts_valid = false;

	guard(mutex)(&st->lock);

	if (st->recover_pending) {
		ade9000_recover(st);
		return IRQ_HANDLED;
	}

	ret = regmap_read(st->regmap, ADE9000_REG_STATUS0, &s0);
	if (ret) {
		dev_err_ratelimited(&st->spi->dev, "STATUS0 read: %d\n", ret);
		return IRQ_HANDLED;
	}
	/* EGYRDY is cleared even when no buffer wants it, or it would storm */
	clr0 = s0 & (ade9000_mask0(st) | ADE9000_ST0_EGYRDY);
	if (clr0) {
		/*
		 * Cleared before the scan is read so that the next EGYRDY,
		 * even one raised while this scan is read, asserts the line
		 * again.
		 */
		ret = regmap_write(st->regmap, ADE9000_REG_STATUS0, clr0);
		if (ret)
			return IRQ_HANDLED;
		if ((clr0 & ADE9000_ST0_EGYRDY) && !st->buffer_on)
			ade9000_sync_mask(st, ADE9000_REG_MASK0);
	}
	if ((clr0 & ADE9000_ST0_EGYRDY) && st->buffer_on)
		scan_ret = ade9000_read_scan(st, indio_dev->active_scan_mask,
					     raw);

	/* Read after the scan: it also proves the chip did not reset under it */
	ret = regmap_read(st->regmap, ADE9000_REG_STATUS1, &s1);
	if (ret)
		return IRQ_HANDLED;
	if (s1 & ADE9000_ST1_RSTDONE) {
		ade9000_reset_seen(st);
		return IRQ_HANDLED;
	}
	pending1 = s1 & ade9000_mask1(st);

	if (!scan_ret)
		ade9000_push_scan(indio_dev, raw, ts);
	ade9000_handle_status1(st, s1, ts, false);
	ade9000_handle_status0(st, clr0 & ADE9000_ST0_REVAP_ALL, ts);

	return (clr0 || pending1) ? IRQ_HANDLED : IRQ_NONE;
}

static enum hrtimer_restart ade9000_timer_fn(struct hrtimer *timer)
{
	struct ade9000_state *st = container_of(timer, struct ade9000_state,
						timer);

	scoped_guard(spinlock_irqsave, &st->ts_lock)
		st->timer_ts = iio_get_time_ns(st->indio_dev);
	/* No SPI in hard interrupt context: the work reads the scan */
	queue_work(system_highpri_wq, &st->scan_work);
	/* Absolute deadlines: late callbacks do not shift later scans */
	hrtimer_forward_now(timer, st->period);
	return HRTIMER_RESTART;
}

static void ade9000_scan_work(struct work_struct *work)
{
	struct ade9000_state *st = container_of(work, struct ade9000_state,
						scan_work);
	struct iio_dev *indio_dev = st->indio_dev;
	u32 raw[ADE9000_SCAN_TS];
	s64 ts;
	int ret;

	scoped_guard(spinlock_irqsave, &st->ts_lock)
		ts = st->timer_ts;

	guard(mutex)(&st->lock);

	if (!st->buffer_on || st->recover_pending)
		return;
	ret = ade9000_read_scan(st, indio_dev->active_scan_mask, raw);
	/* STATUS1 after the data: events, and no reset under the reads */
	if (ade9000_poll_status1(st, ts, false))
		return;
	if (!ret)
		ade9000_push_scan(indio_dev, raw, ts);
}

/* ------------------------------------------------------------------ */
/* read_raw / write_raw                                                */
/* ------------------------------------------------------------------ */

static int ade9000_read_signed(struct ade9000_state *st, unsigned int reg,
			       int *val)
{
	u32 v;
	int ret;

	ret = regmap_read(st->regmap, reg, &v);
	if (ret)
		return ret;
	*val = (s32)v;
	return IIO_VAL_INT;
}

static int ade9000_read_energy(struct ade9000_state *st,
			       const struct iio_chan_spec *chan,
			       int *val, int *val2)
{
	unsigned int e = ade9000_egy_idx(chan->address, chan->channel);
	s64 total;
	int ret;

	guard(mutex)(&st->lock);

	ret = ade9000_egy_update(st, BIT(e));
	if (ret)
		return ret;
	total = st->egy_total[e];
	*val = lower_32_bits(total);
	*val2 = upper_32_bits(total);
	return IIO_VAL_INT_64;
}

/*
 * ANGL_x counts the 1.024 MHz clock from a voltage zero crossing to the
 * next one of the other signal, so a leading current reads as almost a
 * full period. Report the angle in (-half, +half] of the measured line
 * period instead, (PERIOD + 1) / 512 counts.
 */
static int ade9000_read_angle(struct ade9000_state *st, unsigned int n,
			      int *val)
{
	unsigned int preg = ADE9000_REG_APERIOD;
	u32 code, period;
	int cycle, a;
	int ret;

	if (n < ADE9000_NUM_PHASES)
		preg += n;
	ret = regmap_read(st->regmap, ade9000_reg(ADE9000_K_ANGLE, n), &code);
	if (ret)
		return ret;
	ret = regmap_read(st->regmap, preg, &period);
	if (ret)
		return ret;

	a = (s16)code;
	cycle = DIV_ROUND_CLOSEST_ULL((u64)period + 1, 512);
	if (cycle > 0 && cycle <= U16_MAX) {
		if (a > cycle / 2)
			a -= cycle;
		else if (a <= -cycle / 2)
			a += cycle;
	}
	*val = a;
	return IIO_VAL_INT;
}

static int ade9000_read_temp(struct ade9000_state *st, int *val)
{
	u32 s0, rslt;
	int ret;

	ret = regmap_write(st->regmap, ADE9000_REG_TEMP_CFG,
			   ADE9000_TEMP_CFG_EN | ADE9000_TEMP_CFG_START);
	if (ret)
		return ret;
	/* Without TEMP_RDY in time, the previous conversion still stands */
	ret = regmap_read_poll_timeout(st->regmap, ADE9000_REG_STATUS0, s0,
				       s0 & ADE9000_ST0_TEMP_RDY,
				       ADE9000_TEMP_POLL_US,
				       ADE9000_TEMP_TIMEOUT_US);
	if (!ret)
		ret = regmap_write(st->regmap, ADE9000_REG_STATUS0,
				   ADE9000_ST0_TEMP_RDY);
	if (ret && ret != -ETIMEDOUT)
		return ret;
	ret = regmap_read(st->regmap, ADE9000_REG_TEMP_RSLT, &rslt);
	if (ret)
		return ret;
	*val = FIELD_GET(ADE9000_TEMP_RSLT_MASK, rslt);
	return IIO_VAL_INT;
}

static int ade9000_read_frequency(struct ade9000_state *st, unsigned int ph,
				  int *val, int *val2)
{
	u32 period;
	int ret;

	ret = regmap_read(st->regmap, ADE9000_REG_APERIOD + ph, &period);
	if (ret)
		return ret;
	/* f = 8000 Hz x 2^16 / (PERIOD + 1) */
	if (period >= INT_MAX) {
		*val = 0;
		return IIO_VAL_INT;
	}
	*val = ADE9000_PERIOD_NUM;
	*val2 = period + 1;
	return IIO_VAL_FRACTIONAL;
}

static int ade9000_read_scale(struct ade9000_state *st,
			      const struct iio_chan_spec *chan,
			      int *val, int *val2)
{
	const struct ade9000_scale *sc;
	bool neutral = chan->channel == ADE9000_NEUTRAL;
	u32 gain;
	u64 nano;

	switch (chan->address) {
	case ADE9000_K_VRMS:
		sc = &st->scale[ADE9000_SC_VRMS];
		break;
	case ADE9000_K_IRMS:
		sc = &st->scale[neutral ? ADE9000_SC_NIRMS : ADE9000_SC_IRMS];
		break;
	case ADE9000_K_VPCF:
		sc = &st->scale[ADE9000_SC_VPCF];
		break;
	case ADE9000_K_IPCF:
		sc = &st->scale[neutral ? ADE9000_SC_NIPCF : ADE9000_SC_IPCF];
		break;
	case ADE9000_K_WATT:
	case ADE9000_K_VAR:
	case ADE9000_K_VA:
		sc = &st->scale[ADE9000_SC_POWER];
		break;
	case ADE9000_K_EGY_WATT:
	case ADE9000_K_EGY_VAR:
	case ADE9000_K_EGY_VA:
		sc = &st->scale[ADE9000_SC_ENERGY];
		break;
	case ADE9000_K_ANGLE:
		/* rad per count = 2 pi x f_nominal / 1.024 MHz */
		nano = DIV_ROUND_CLOSEST_ULL(ADE9000_TWO_PI_NANO *
					     ade9000_line_hz(st),
					     ADE9000_ANGLE_CLK_HZ);
		*val = 0;
		*val2 = nano;
		return IIO_VAL_INT_PLUS_NANO;
	case ADE9000_K_TEMP:
		/* T = OFFSET/32 - RSLT x GAIN/65536 [C]: scale = -GAIN/65536 */
		gain = FIELD_GET(ADE9000_TEMP_TRIM_GAIN, st->temp_trim);
		*val = -(int)(gain * MILLIDEGREE_PER_DEGREE);
		*val2 = 65536;
		return IIO_VAL_FRACTIONAL;
	default:
		return -EINVAL;
	}
	*val = sc->val;
	*val2 = sc->val2;
	return IIO_VAL_INT_PLUS_NANO;
}

/* The calibration register behind calibscale/calibbias of a channel */
static int ade9000_calib_reg(const struct iio_chan_spec *chan, long mask)
{
	unsigned int ph = chan->channel;
	bool neutral = ph == ADE9000_NEUTRAL;

	if (mask == IIO_CHAN_INFO_CALIBBIAS) {
		switch (chan->address) {
		case ADE9000_K_VRMS:
			return ADE9000_PHASE_REG(ADE9000_REG_AVRMSOS, ph);
		case ADE9000_K_IRMS:
			return neutral ? ADE9000_REG_NIRMSOS :
					 ADE9000_PHASE_REG(ADE9000_REG_AIRMSOS, ph);
		case ADE9000_K_WATT:
			return ADE9000_PHASE_REG(ADE9000_REG_AWATTOS, ph);
		case ADE9000_K_VAR:
			return ADE9000_PHASE_REG(ADE9000_REG_AVAROS, ph);
		default:
			return -EINVAL;
		}
	}
	switch (chan->address) {
	case ADE9000_K_VPCF:
		return ADE9000_PHASE_REG(ADE9000_REG_AVGAIN, ph);
	case ADE9000_K_IPCF:
		return neutral ? ADE9000_REG_NIGAIN :
				 ADE9000_PHASE_REG(ADE9000_REG_AIGAIN, ph);
	case ADE9000_K_WATT:
		return ADE9000_PHASE_REG(ADE9000_REG_APGAIN, ph);
	default:
		return -EINVAL;
	}
}

static int ade9000_read_raw(struct iio_dev *indio_dev,
			    const struct iio_chan_spec *chan,
			    int *val, int *val2, long mask)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	u32 offset, gain;
	int reg;

	switch (mask) {
	case IIO_CHAN_INFO_RAW:
		/*
		 * The registers hold the chip's latest values whether or not
		 * the buffer runs, so raw reads are allowed in buffer mode.
		 */
		switch (chan->address) {
		case ADE9000_K_EGY_WATT:
		case ADE9000_K_EGY_VAR:
		case ADE9000_K_EGY_VA:
			return ade9000_read_energy(st, chan, val, val2);
		case ADE9000_K_ANGLE:
			return ade9000_read_angle(st, chan->channel, val);
		case ADE9000_K_TEMP:
			return ade9000_read_temp(st, val);
		default:
			return ade9000_read_signed(st,
						   ade9000_reg(chan->address,
							       chan->channel),
						   val);
		}
	case IIO_CHAN_INFO_SCALE:
		return ade9000_read_scale(st, chan, val, val2);
	case IIO_CHAN_INFO_OFFSET:
		/* offset = OFFSET/32 / (GAIN/65536) = OFFSET x 2048 / GAIN */
		offset = FIELD_GET(ADE9000_TEMP_TRIM_OFFSET, st->temp_trim);
		gain = FIELD_GET(ADE9000_TEMP_TRIM_GAIN, st->temp_trim);
		if (!gain)
			return -EIO;
		*val = -(int)(offset * 2048);
		*val2 = gain;
		return IIO_VAL_FRACTIONAL;
	case IIO_CHAN_INFO_CALIBSCALE:
	case IIO_CHAN_INFO_CALIBBIAS:
		reg = ade9000_calib_reg(chan, mask);
		if (reg < 0)
			return reg;
		return ade9000_read_signed(st, reg, val);
	case IIO_CHAN_INFO_FREQUENCY:
		return ade9000_read_frequency(st, chan->channel, val, val2);
	case IIO_CHAN_INFO_SAMP_FREQ:
		scoped_guard(mutex, &st->lock) {
			*val = ADE9000_FDSP_HZ;
			*val2 = st->egy_time + 1;
		}
		return IIO_VAL_FRACTIONAL;
	default:
		return -EINVAL;
	}
}

static const int ade9000_samp_freq_range[] = { 1, 1, ADE9000_FDSP_HZ };

static int ade9000_read_avail(struct iio_dev *indio_dev,
			      const struct iio_chan_spec *chan,
			      const int **vals, int *type, int *length,
			      long mask)
{
	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		*vals = ade9000_samp_freq_range;
		*type = IIO_VAL_INT;
		*length = ARRAY_SIZE(ade9000_samp_freq_range);
		return IIO_AVAIL_RANGE;
	default:
		return -EINVAL;
	}
}

static int ade9000_write_samp_freq(struct ade9000_state *st, int val,
				   int val2)
{
	u32 egy_time;
	u64 uhz;
	int ret;

	if (val < 0 || val2 < 0)
		return -EINVAL;
	uhz = (u64)val * MICRO + val2;
	if (uhz < ADE9000_SAMP_FREQ_MIN_UHZ || uhz > ADE9000_SAMP_FREQ_MAX_UHZ)
		return -EINVAL;
	/* EGY_TIME + 1 = round(8000 Hz / f) samples per scan, f in uHz */
	egy_time = div64_u64((u64)ADE9000_FDSP_HZ * MICRO + uhz / 2, uhz) - 1;

	guard(mutex)(&st->lock);

	ret = ade9000_write_cfg(st, ADE9000_REG_EGY_TIME, egy_time);
	if (ret)
		return ret;
	ret = ade9000_write_cfg(st, ADE9000_REG_PWR_TIME, egy_time);
	if (ret) {
		ade9000_write_cfg(st, ADE9000_REG_EGY_TIME, st->egy_time);
		return ret;
	}
	st->egy_time = egy_time;
	ade9000_set_period(st);
	return 0;
}

static int ade9000_write_raw(struct iio_dev *indio_dev,
			     const struct iio_chan_spec *chan,
			     int val, int val2, long mask)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	int reg, ret;

	switch (mask) {
	case IIO_CHAN_INFO_CALIBSCALE:
	case IIO_CHAN_INFO_CALIBBIAS:
		/* Signed 32-bit register codes; the core range-checks @val */
		reg = ade9000_calib_reg(chan, mask);
		if (reg < 0)
			return reg;
		scoped_guard(mutex, &st->lock)
			ret = ade9000_write_cfg(st, reg, (u32)val);
		return ret;
	case IIO_CHAN_INFO_SAMP_FREQ:
		/* The scan period must not change under a running buffer */
		ret = iio_device_claim_direct_mode(indio_dev);
		if (ret)
			return ret;
		ret = ade9000_write_samp_freq(st, val, val2);
		iio_device_release_direct_mode(indio_dev);
		return ret;
	default:
		return -EINVAL;
	}
}

static int ade9000_write_raw_get_fmt(struct iio_dev *indio_dev,
				     const struct iio_chan_spec *chan,
				     long mask)
{
	switch (mask) {
	case IIO_CHAN_INFO_CALIBSCALE:
	case IIO_CHAN_INFO_CALIBBIAS:
		/* Parsed with kstrtoint: out of s32 range is refused */
		return IIO_VAL_INT;
	default:
		return IIO_VAL_INT_PLUS_MICRO;
	}
}

static ssize_t ade9000_read_thd(struct iio_dev *indio_dev, uintptr_t private,
				const struct iio_chan_spec *chan, char *buf)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	int vals[2];
	u32 thd, rem;
	u64 nano;
	int ret;

	ret = regmap_read(st->regmap,
			  ADE9000_PHASE_REG(ADE9000_REG_AVTHD, chan->channel),
			  &thd);
	if (ret)
		return ret;
	/* percent = THD x 100 / 2^27; x 1e9 that is THD x 5^11 / 2^16 */
	nano = div_u64((u64)thd * 48828125, 65536);
	vals[0] = div_u64_rem(nano, NANO, &rem);
	vals[1] = rem;
	return iio_format_value(buf, IIO_VAL_INT_PLUS_NANO, 2, vals);
}

static ssize_t ade9000_read_pf(struct iio_dev *indio_dev, uintptr_t private,
			       const struct iio_chan_spec *chan, char *buf)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	int vals[2];
	u32 pf;
	int ret;

	ret = regmap_read(st->regmap,
			  ade9000_reg(ADE9000_K_PF, chan->channel), &pf);
	if (ret)
		return ret;
	/* PF = xPF / 2^27 */
	vals[0] = (s32)pf;
	vals[1] = 27;
	return iio_format_value(buf, IIO_VAL_FRACTIONAL_LOG2, 2, vals);
}

static ssize_t ade9000_read_angle_label(struct iio_dev *indio_dev,
					uintptr_t private,
					const struct iio_chan_spec *chan,
					char *buf)
{
	return sysfs_emit(buf, "%s\n", ade9000_angle_labels[chan->channel]);
}

static int ade9000_get_wiring(struct iio_dev *indio_dev,
			      const struct iio_chan_spec *chan)
{
	struct ade9000_state *st = iio_priv(indio_dev);

	guard(mutex)(&st->lock);
	return st->wiring;
}

static int ade9000_set_wiring(struct iio_dev *indio_dev,
			      const struct iio_chan_spec *chan,
			      unsigned int item)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	enum ade9000_wiring old;
	int ret;

	guard(mutex)(&st->lock);

	old = st->wiring;
	st->wiring = item;
	ret = ade9000_write_cfg(st, ADE9000_REG_ACCMODE, ade9000_accmode(st));
	if (ret)
		st->wiring = old;
	return ret;
}

static int ade9000_get_line_freq(struct iio_dev *indio_dev,
				 const struct iio_chan_spec *chan)
{
	struct ade9000_state *st = iio_priv(indio_dev);

	guard(mutex)(&st->lock);
	return st->line_freq;
}

static int ade9000_set_line_freq(struct iio_dev *indio_dev,
				 const struct iio_chan_spec *chan,
				 unsigned int item)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	enum ade9000_line_freq old;
	int ret;

	guard(mutex)(&st->lock);

	old = st->line_freq;
	st->line_freq = item;
	ret = ade9000_write_cfg(st, ADE9000_REG_ACCMODE, ade9000_accmode(st));
	if (ret)
		st->line_freq = old;
	return ret;
}

static int ade9000_reg_access(struct iio_dev *indio_dev, unsigned int reg,
			      unsigned int writeval, unsigned int *readval)
{
	struct ade9000_state *st = iio_priv(indio_dev);

	if (readval)
		return regmap_read(st->regmap, reg, readval);
	return regmap_write(st->regmap, reg, writeval);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static int ade9000_read_event_config(struct iio_dev *indio_dev,
				     const struct iio_chan_spec *chan,
				     enum iio_event_type type,
				     enum iio_event_direction dir)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	unsigned int ph = chan->channel;

	guard(mutex)(&st->lock);

	switch (chan->type) {
	case IIO_ALTVOLTAGE:
		if (dir == IIO_EV_DIR_RISING)
			return !!(st->mask1_en & ADE9000_ST1_SWELL(ph));
		return !!(st->mask1_en & ADE9000_ST1_DIP(ph));
	case IIO_CURRENT:
		return !!(st->oc_en & BIT(ph));
	case IIO_POWER:
		return !!(st->mask0_en & ADE9000_ST0_REVAP(ph));
	default:
		return -EINVAL;
	}
}

/*
 * Enables or disables one interrupt source (lock held). A condition the
 * chip latched while the event was off is cleared first, so enabling
 * reports only what happens from now on.
 */
static int ade9000_set_source(struct ade9000_state *st, bool status1,
			      u32 bit, bool on)
{
	u32 *en = status1 ? &st->mask1_en : &st->mask0_en;
	unsigned int sreg = status1 ? ADE9000_REG_STATUS1 : ADE9000_REG_STATUS0;
	unsigned int mreg = status1 ? ADE9000_REG_MASK1 : ADE9000_REG_MASK0;
	u32 old = *en;
	int ret;

	if (on && !(old & bit)) {
		ret = regmap_write(st->regmap, sreg, bit);
		if (ret)
			return ret;
		if (status1) {
			st->stuck1 &= ~bit;
			st->held1 &= ~bit;
			st->fired1 &= ~bit;
		} else {
			st->stuck0 &= ~bit;
			st->held0 &= ~bit;
			st->fired0 &= ~bit;
		}
	}
	*en = on ? old | bit : old & ~bit;
	ret = ade9000_write_cfg(st, mreg,
				status1 ? ade9000_mask1(st) : ade9000_mask0(st));
	if (ret) {
		/* Refused: the old state stands, and housekeeping rewrites it */
		*en = old;
		st->masks_dirty = true;
	}
	return ret;
}

static int ade9000_write_event_config(struct iio_dev *indio_dev,
				      const struct iio_chan_spec *chan,
				      enum iio_event_type type,
				      enum iio_event_direction dir,
				      int state)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	unsigned int ph = chan->channel;
	u8 oc;
	int ret;

	guard(mutex)(&st->lock);

	switch (chan->type) {
	case IIO_ALTVOLTAGE:
		return ade9000_set_source(st, true,
					  dir == IIO_EV_DIR_RISING ?
					  ADE9000_ST1_SWELL(ph) :
					  ADE9000_ST1_DIP(ph), state);
	case IIO_CURRENT:
		/* One OI interrupt for all; CONFIG3 picks the currents */
		oc = state ? st->oc_en | BIT(ph) : st->oc_en & ~BIT(ph);
		ret = ade9000_update_cfg(st, ADE9000_REG_CONFIG3,
					 ADE9000_CONFIG3_OC_EN_MASK,
					 FIELD_PREP(ADE9000_CONFIG3_OC_EN_MASK, oc));
		if (ret)
			return ret;
		ret = ade9000_set_source(st, true, ADE9000_ST1_OI, oc);
		if (ret) {
			ade9000_update_cfg(st, ADE9000_REG_CONFIG3,
					   ADE9000_CONFIG3_OC_EN_MASK,
					   FIELD_PREP(ADE9000_CONFIG3_OC_EN_MASK,
						      st->oc_en));
			return ret;
		}
		st->oc_en = oc;
		return 0;
	case IIO_POWER:
		return ade9000_set_source(st, false, ADE9000_ST0_REVAP(ph),
					  state);
	default:
		return -EINVAL;
	}
}

static int ade9000_event_level_reg(const struct iio_chan_spec *chan,
				   enum iio_event_direction dir)
{
	switch (chan->type) {
	case IIO_ALTVOLTAGE:
		return dir == IIO_EV_DIR_RISING ? ADE9000_REG_SWELL_LVL :
						  ADE9000_REG_DIP_LVL;
	case IIO_CURRENT:
		return ADE9000_REG_OILVL;
	default:
		return -EINVAL;
	}
}

static int ade9000_read_event_value(struct iio_dev *indio_dev,
				    const struct iio_chan_spec *chan,
				    enum iio_event_type type,
				    enum iio_event_direction dir,
				    enum iio_event_info info,
				    int *val, int *val2)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	int reg = ade9000_event_level_reg(chan, dir);
	u32 lvl;
	int ret;

	if (reg < 0 || info != IIO_EV_INFO_VALUE)
		return -EINVAL;
	ret = regmap_read(st->regmap, reg, &lvl);
	if (ret)
		return ret;
	*val = FIELD_GET(ADE9000_LVL_MASK, lvl) << ADE9000_LVL_SHIFT;
	return IIO_VAL_INT;
}

static int ade9000_write_event_value(struct iio_dev *indio_dev,
				     const struct iio_chan_spec *chan,
				     enum iio_event_type type,
				     enum iio_event_direction dir,
				     enum iio_event_info info,
				     int val, int val2)
{
	struct ade9000_state *st = iio_priv(indio_dev);
	int reg = ade9000_event_level_reg(chan, dir);

	if (reg < 0 || info != IIO_EV_INFO_VALUE)
		return -EINVAL;
	/*
	 * The level registers hold RMS1/2 codes >> 5 in 24 bits; a level of
	 * 0 is never a useful threshold (and is what an overflowing number
	 * parses to), so it is refused too.
	 */
	if (val2 || val < ADE9000_THRESH_MIN || val > ADE9000_THRESH_MAX)
		return -EINVAL;

	guard(mutex)(&st->lock);
	return ade9000_write_cfg(st, reg, (u32)val >> ADE9000_LVL_SHIFT);
}

/* ------------------------------------------------------------------ */
/* Device attributes: fault counters                                   */
/* ------------------------------------------------------------------ */

static ssize_t ade9000_counter_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct ade9000_state *st = iio_priv(dev_to_iio_dev(dev));
	struct iio_dev_attr *this_attr = to_iio_dev_attr(attr);

	return sysfs_emit(buf, "%u\n",
			  (unsigned int)atomic_read(&st->counters[this_attr->address]));
}

static IIO_DEVICE_ATTR(crc_errors, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_CRC);
static IIO_DEVICE_ATTR(spi_errors, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_SPI);
static IIO_DEVICE_ATTR(write_errors, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_WRITE);
static IIO_DEVICE_ATTR(chip_resets, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_CHIP_RESET);
static IIO_DEVICE_ATTR(config_crc_changes, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_CFG_CRC);
static IIO_DEVICE_ATTR(sequence_errors, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_SEQ);
static IIO_DEVICE_ATTR(chip_errors, 0444, ade9000_counter_show, NULL,
		       ADE9000_CNT_CHIP);

static ssize_t counter_epoch_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct ade9000_state *st = iio_priv(dev_to_iio_dev(dev));

	return sysfs_emit(buf, "%llu\n", st->counter_epoch);
}

static IIO_DEVICE_ATTR_RO(counter_epoch, 0);

static struct attribute *ade9000_attributes[] = {
	&iio_dev_attr_counter_epoch.dev_attr.attr,
	&iio_dev_attr_crc_errors.dev_attr.attr,
	&iio_dev_attr_spi_errors.dev_attr.attr,
	&iio_dev_attr_write_errors.dev_attr.attr,
	&iio_dev_attr_chip_resets.dev_attr.attr,
	&iio_dev_attr_config_crc_changes.dev_attr.attr,
	&iio_dev_attr_sequence_errors.dev_attr.attr,
	&iio_dev_attr_chip_errors.dev_attr.attr,
	NULL
};

static const struct attribute_group ade9000_attribute_group = {
	.attrs = ade9000_attributes,
};

static const struct iio_info ade9000_info = {
	.read_raw = ade9000_read_raw,
	.read_avail = ade9000_read_avail,
	.write_raw = ade9000_write_raw,
	.write_raw_get_fmt = ade9000_write_raw_get_fmt,
	.read_event_config = ade9000_read_event_config,
	.write_event_config = ade9000_write_event_config,
	.read_event_value = ade9000_read_event_value,
	.write_event_value = ade9000_write_event_value,
	.debugfs_reg_access = ade9000_reg_access,
	.attrs = &ade9000_attribute_group,
};

/* ------------------------------------------------------------------ */
/* Buffer                                                              */
/* ------------------------------------------------------------------ */

static int ade9000_buffer_postenable(struct iio_dev *indio_dev)
{
	struct ade9000_state *st = iio_priv(indio_dev);

	guard(mutex)(&st->lock);

	st->buffer_on = true;
	if (st->irq <= 0) {
		hrtimer_start(&st->timer, st->period, HRTIMER_MODE_REL);
		return 0;
	}
	/*
	 * A stale EGYRDY would deliver a scan older than the enable. Neither
	 * write fails the enable: a meter keeps streaming through SPI faults,
	 * and a lost MASK0 write is repeated by housekeeping.
	 */
	regmap_write(st->regmap, ADE9000_REG_STATUS0, ADE9000_ST0_EGYRDY);
	ade9000_sync_mask(st, ADE9000_REG_MASK0);
	return 0;
}

static int ade9000_buffer_predisable(struct iio_dev *indio_dev)
{
	struct ade9000_state *st = iio_priv(indio_dev);

	/* If MASK0 cannot be written, the interrupt handler masks EGYRDY */
	scoped_guard(mutex, &st->lock) {
		st->buffer_on = false;
		if (st->irq > 0)
			ade9000_sync_mask(st, ADE9000_REG_MASK0);
	}
	if (st->irq <= 0) {
		/* Timer first: it is what queues the work */
		hrtimer_cancel(&st->timer);
		cancel_work_sync(&st->scan_work);
	}
	return 0;
}

static const struct iio_buffer_setup_ops ade9000_buffer_ops = {
	.postenable = ade9000_buffer_postenable,
	.predisable = ade9000_buffer_predisable,
};

/* ------------------------------------------------------------------ */
/* Housekeeping, reset, start                                          */
/* ------------------------------------------------------------------ */

static void ade9000_housekeeping(struct ade9000_state *st)
{
	s64 ts = iio_get_time_ns(st->indio_dev);
	u32 hi[ADE9000_NUM_EGY], run, s0, ev;
	unsigned int i;
	int egy_ret, ret;

	guard(mutex)(&st->lock);

	if (st->recover_pending) {
		ade9000_recover(st);
		return;
	}
	if (st->masks_dirty)
		ade9000_sync_masks(st);
	/* Energy first, then the reset checks that validate it */
	egy_ret = ade9000_egy_read(st, ADE9000_EGY_ALL, hi);
	ret = regmap_read(st->regmap, ADE9000_REG_RUN, &run);
	if (!ret && !(run & ADE9000_RUN_ON)) {
		ade9000_reset_seen(st);
		return;
	}
	ret = ade9000_poll_status1(st, ts, true);
	if (ret)
		return;
	if (!egy_ret)
		for (i = 0; i < ADE9000_NUM_EGY; i++)
			ade9000_egy_account(st, i, hi[i]);

	/* Reverse power: the only STATUS0 events, also polled without IRQ */
	if (!regmap_read(st->regmap, ADE9000_REG_STATUS0, &s0)) {
		ev = s0 & ade9000_mask0(st) & ADE9000_ST0_REVAP_ALL;
		if (ev && !regmap_write(st->regmap, ADE9000_REG_STATUS0, ev))
			ade9000_handle_status0(st, ev, ts);
	}
	ade9000_unstick(st);
	ade9000_release_held(st);
}

static void ade9000_hk_work(struct work_struct *work)
{
	struct ade9000_state *st = container_of(to_delayed_work(work),
						struct ade9000_state, hk_work);

	ade9000_housekeeping(st);
	queue_delayed_work(system_wq, &st->hk_work, ADE9000_HK_PERIOD);
}

/*
 * Programs everything the driver owns and starts the DSP. Used at probe
 * and after a chip reset, so it takes every value from the state.
 */
static int ade9000_chip_start(struct ade9000_state *st)
{
	const struct reg_sequence seq[] = {
		{ ADE9000_REG_ACCMODE, ade9000_accmode(st) },
		/* Free-running accumulation: never latch, never read-reset */
		{ ADE9000_REG_EP_CFG, ADE9000_EP_CFG_EGY_PWR_EN },
		{ ADE9000_REG_EGY_TIME, st->egy_time },
		{ ADE9000_REG_PWR_TIME, st->egy_time },
		{ ADE9000_REG_CONFIG1, st->config1 },
		{ ADE9000_REG_MASK0, ade9000_mask0(st) },
		{ ADE9000_REG_MASK1, ade9000_mask1(st) },
		{ ADE9000_REG_TEMP_CFG, ADE9000_TEMP_CFG_EN |
					ADE9000_TEMP_CFG_START },
		{ ADE9000_REG_STATUS0, U32_MAX },
		{ ADE9000_REG_STATUS1, U32_MAX },
	};
	u32 hi[ADE9000_NUM_EGY];
	unsigned int i;
	int ret;

	st->stuck0 = 0;
	st->stuck1 = 0;
	st->fired0 = 0;
	st->fired1 = 0;
	st->held0 = 0;
	st->held1 = 0;
	st->masks_dirty = false;
	ret = regmap_update_bits(st->regmap, ADE9000_REG_CONFIG3,
				 ADE9000_CONFIG3_OC_EN_MASK,
				 FIELD_PREP(ADE9000_CONFIG3_OC_EN_MASK,
					    st->oc_en));
	if (ret)
		return ret;
	ret = regmap_multi_reg_write(st->regmap, seq, ARRAY_SIZE(seq));
	if (ret)
		return ret;
	ret = regmap_read(st->regmap, ADE9000_REG_TEMP_TRIM, &st->temp_trim);
	if (ret)
		return ret;
	/*
	 * Baseline before RUN: the accumulators hold still, so the counters
	 * continue exactly from here, neither jumping nor going back.
	 */
	ret = ade9000_egy_read(st, ADE9000_EGY_ALL, hi);
	if (ret)
		return ret;
	ret = regmap_write(st->regmap, ADE9000_REG_RUN, ADE9000_RUN_ON);
	if (ret)
		return ret;
	for (i = 0; i < ADE9000_NUM_EGY; i++)
		st->egy_last[i] = hi[i];
	st->recover_pending = false;
	return 0;
}

static bool ade9000_reset_done(struct ade9000_state *st)
{
	u32 s1;

	/* A chip still in reset may clock out all ones */
	if (regmap_read(st->regmap, ADE9000_REG_STATUS1, &s1) || s1 == U32_MAX)
		return false;
	return s1 & ADE9000_ST1_RSTDONE;
}

static int ade9000_reset(struct ade9000_state *st)
{
	struct device *dev = &st->spi->dev;
	bool done;
	int ret;

	if (st->reset_gpio) {
		gpiod_set_value_cansleep(st->reset_gpio, 1);
		fsleep(ADE9000_RESET_PULSE_US);
		gpiod_set_value_cansleep(st->reset_gpio, 0);
	} else {
		/* SWRST clears itself: keep it out of the cache */
		regcache_cache_bypass(st->regmap, true);
		ret = regmap_write(st->regmap, ADE9000_REG_CONFIG1,
				   ADE9000_CONFIG1_SWRST);
		regcache_cache_bypass(st->regmap, false);
		if (ret)
			return dev_err_probe(dev, ret, "software reset failed\n");
	}
	ret = read_poll_timeout(ade9000_reset_done, done, done,
				ADE9000_RESET_POLL_US, ADE9000_RESET_TIMEOUT_US,
				false, st);
	if (ret)
		return dev_err_probe(dev, ret, "chip did not finish reset\n");
	return 0;
}

static int ade9000_identify(struct ade9000_state *st)
{
	struct device *dev = &st->spi->dev;
	u32 cfg5, part, version;
	int ret;

	ret = regmap_read(st->regmap, ADE9000_REG_CONFIG5, &cfg5);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read CONFIG5\n");
	ret = regmap_read(st->regmap, ADE9000_REG_PART_ID, &part);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read PART_ID\n");
	if (cfg5 != ADE9000_CONFIG5_CHIP_ID || !(part & ADE9000_PART_ID_ADE9000))
		return dev_err_probe(dev, -ENODEV,
				     "CONFIG5/PART_ID: found 0x%x/0x%x, not an ADE9000\n",
				     cfg5, part);
	ret = regmap_read(st->regmap, ADE9000_REG_VERSION, &version);
	if (ret)
		return dev_err_probe(dev, ret, "cannot read VERSION\n");
	dev_info(dev, "ADE9000 version %u, %s, %s reads\n", version,
		 st->irq > 0 ? "interrupt driven" : "timer driven",
		 st->crc ? "CRC-checked" : "unchecked");
	return 0;
}

/* Probe-only defaults; after a chip reset the cache restores them */
static const struct reg_sequence ade9000_defaults[] = {
	{ ADE9000_REG_DIP_LVL, 0 },
	{ ADE9000_REG_SWELL_LVL, ADE9000_LVL_MASK },
	{ ADE9000_REG_OILVL, ADE9000_LVL_MASK },
	{ ADE9000_REG_DIP_CYC, ADE9000_DIP_SWELL_CYC },
	{ ADE9000_REG_SWELL_CYC, ADE9000_DIP_SWELL_CYC },
};

/* ------------------------------------------------------------------ */
/* Probe and teardown                                                  */
/* ------------------------------------------------------------------ */

static void ade9000_cancel_notify(void *data)
{
	struct ade9000_state *st = data;

	cancel_work_sync(&st->notify_work);
}

static void ade9000_stop(void *data)
{
	struct ade9000_state *st = data;

	/* Quiet interrupt line and stopped DSP for whoever binds next */
	regmap_write(st->regmap, ADE9000_REG_MASK0, 0);
	regmap_write(st->regmap, ADE9000_REG_MASK1, 0);
	regmap_write(st->regmap, ADE9000_REG_RUN, 0);
}

static void ade9000_cancel_hk(void *data)
{
	struct ade9000_state *st = data;

	cancel_delayed_work_sync(&st->hk_work);
}

static void ade9000_cancel_scan(void *data)
{
	struct ade9000_state *st = data;

	hrtimer_cancel(&st->timer);
	cancel_work_sync(&st->scan_work);
}

/*
 * One interrupt line carries everything: "irq1" (with IRQ0_ON_IRQ1 the
 * STATUS0 causes fold onto it), else "irq0" (STATUS0 only; STATUS1 is
 * then polled), else the bare spi->irq, taken as IRQ1.
 */
static int ade9000_get_irq(struct ade9000_state *st)
{
	struct fwnode_handle *fwnode = dev_fwnode(&st->spi->dev);
	int irq;

	irq = fwnode_irq_get_byname(fwnode, "irq1");
	if (irq == -EPROBE_DEFER)
		return irq;
	if (irq > 0) {
		st->irq_has_status1 = true;
		return irq;
	}
	irq = fwnode_irq_get_byname(fwnode, "irq0");
	if (irq == -EPROBE_DEFER)
		return irq;
	if (irq > 0)
		return irq;
	if (st->spi->irq > 0) {
		st->irq_has_status1 = true;
		return st->spi->irq;
	}
	return 0;
}

static int ade9000_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct iio_dev *indio_dev;
	struct ade9000_state *st;
	struct clk *clk;
	unsigned int i;
	int ret;

	indio_dev = devm_iio_device_alloc(dev, sizeof(*st));
	if (!indio_dev)
		return -ENOMEM;
	st = iio_priv(indio_dev);
	st->spi = spi;
	st->counter_epoch = get_random_u64();
	st->indio_dev = indio_dev;
	st->egy_time = ADE9000_EGY_TIME_DEFAULT;
	st->cfg_write_jiffies = jiffies;
	ade9000_set_period(st);

	ret = devm_mutex_init(dev, &st->lock);
	if (ret)
		return ret;
	spin_lock_init(&st->ts_lock);
	INIT_WORK(&st->notify_work, ade9000_notify_work);
	INIT_DELAYED_WORK(&st->hk_work, ade9000_hk_work);
	INIT_WORK(&st->scan_work, ade9000_scan_work);
	hrtimer_init(&st->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	st->timer.function = ade9000_timer_fn;
	/* Any SPI access may queue the notifier: cancel it last of all */
	ret = devm_add_action_or_reset(dev, ade9000_cancel_notify, st);
	if (ret)
		return ret;

	ret = ade9000_parse_frontend(st, dev);
	if (ret)
		return ret;

	ret = devm_regulator_get_enable(dev, "vdd");
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable vdd\n");
	ret = devm_regulator_get_enable_optional(dev, "vref");
	if (ret && ret != -ENODEV)
		return dev_err_probe(dev, ret, "cannot enable vref\n");
	st->config1 = ADE9000_CONFIG1_DIP_SWELL_IRQ_MODE;
	if (!ret)
		st->config1 |= ADE9000_CONFIG1_EXT_REF;

	clk = devm_clk_get_optional_enabled(dev, NULL);
	if (IS_ERR(clk))
		return dev_err_probe(dev, PTR_ERR(clk), "cannot enable clock\n");

	st->reset_gpio = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_LOW);
	if (IS_ERR(st->reset_gpio))
		return dev_err_probe(dev, PTR_ERR(st->reset_gpio),
				     "cannot get reset GPIO\n");

	st->regmap = devm_regmap_init(dev, &ade9000_regmap_bus, st,
				      &ade9000_regmap_config);
	if (IS_ERR(st->regmap))
		return dev_err_probe(dev, PTR_ERR(st->regmap),
				     "cannot create regmap\n");

	ret = ade9000_get_irq(st);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot get interrupt\n");
	st->irq = ret;
	if (st->irq_has_status1)
		st->config1 |= ADE9000_CONFIG1_IRQ0_ON_IRQ1;

	ret = ade9000_reset(st);
	if (ret)
		return ret;
	ret = ade9000_identify(st);
	if (ret)
		return ret;

	ret = regmap_multi_reg_write(st->regmap, ade9000_defaults,
				     ARRAY_SIZE(ade9000_defaults));
	if (ret)
		return dev_err_probe(dev, ret, "cannot write defaults\n");
	ret = ade9000_chip_start(st);
	if (ret)
		return dev_err_probe(dev, ret, "cannot start the chip\n");
	ret = devm_add_action_or_reset(dev, ade9000_stop, st);
	if (ret)
		return ret;
	/* Counters report what happened since the device came up */
	for (i = 0; i < ADE9000_CNT_NUM; i++)
		atomic_set(&st->counters[i], 0);

	/* Released before ade9000_stop(): nothing touches the chip after it */
	ret = devm_add_action_or_reset(dev, ade9000_cancel_hk, st);
	if (ret)
		return ret;
	queue_delayed_work(system_wq, &st->hk_work, ADE9000_HK_PERIOD);

	ret = devm_add_action_or_reset(dev, ade9000_cancel_scan, st);
	if (ret)
		return ret;

	if (st->irq > 0) {
		/* Trigger type comes from firmware / the irq domain */
		ret = devm_request_threaded_irq(dev, st->irq,
						ade9000_irq_handler,
						ade9000_irq_thread,
						IRQF_ONESHOT, dev_name(dev),
						indio_dev);
		if (ret)
			return dev_err_probe(dev, ret, "cannot request IRQ %d\n",
					     st->irq);
	}

	indio_dev->name = "ade9000";
	indio_dev->info = &ade9000_info;
	indio_dev->modes = INDIO_DIRECT_MODE;
	indio_dev->channels = ade9000_channels;
	indio_dev->num_channels = ARRAY_SIZE(ade9000_channels);

	ret = devm_iio_kfifo_buffer_setup(dev, indio_dev, &ade9000_buffer_ops);
	if (ret)
		return dev_err_probe(dev, ret, "cannot set up the buffer\n");

	return devm_iio_device_register(dev, indio_dev);
}

static const struct spi_device_id ade9000_id[] = {
	{ "ade9000" },
	{ }
};
MODULE_DEVICE_TABLE(spi, ade9000_id);

static const struct of_device_id ade9000_of_match[] = {
	{ .compatible = "adi,ade9000" },
	{ }
};
MODULE_DEVICE_TABLE(of, ade9000_of_match);

static struct spi_driver ade9000_driver = {
	.driver = {
		.name = "ade9000",
		.of_match_table = ade9000_of_match,
	},
	.probe = ade9000_probe,
	.id_table = ade9000_id,
};
module_spi_driver(ade9000_driver);

MODULE_AUTHOR("The polymeter authors");
MODULE_DESCRIPTION("Analog Devices ADE9000 polyphase energy metering IC");
MODULE_LICENSE("GPL");
