# polymeter — the front door: make, make check, make demo, make install, make bench.
#
# KDIR defaults to the headers that Debian 12's linux-headers-amd64 (6.1)
# metapackage depends on; KDIR_612 to those of linux-headers-6.12-amd64.

debian_headers = $(shell dpkg-query -W -f='$${Depends}' $(1) 2>/dev/null | \
		   sed -n 's/^\(linux-headers-[^ ,]*\).*/\1/p')
KDIR_61  ?= /usr/src/$(call debian_headers,linux-headers-amd64)
KDIR_612 ?= /usr/src/$(call debian_headers,linux-headers-6.12-amd64)
KDIR     ?= $(KDIR_61)

# make install: PREFIX /usr, as the package, because polymeterd is a system service whose bus
# policy dbus-daemon reads from /usr/share or /etc only (PREFIX=/usr/local works for the rest).
# Every directory (daemon/daemon.mk) is below PREFIX and DESTDIR; the module goes to
# $(DESTDIR)/lib/modules/KERNELRELEASE/updates.
PREFIX     ?= /usr
DESTDIR    ?=
# The release the module is built for, as its vermagic has it: Debian 12's 6.1 headers'
# include/config/kernel.release says 6.1.x, not 6.1.0-N-amd64, the running kernel's release.
KVER       ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

BUILD ?= $(CURDIR)/build

.PHONY: all modules emu clean deps check check-kernel check-style check-dt check-vm \
	check-unit unit demo bench install

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# Driver and the test-only chip emulator, for the VM tests.
emu:
	$(MAKE) -C $(KDIR) M=$(CURDIR) POLYMETER_EMU=m modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) POLYMETER_EMU=m clean 2>/dev/null || true
	rm -rf $(BUILD)

# Installs every Debian package the build and the tests need (idempotent).
deps:
	scripts/install-deps.sh

# Everything: dependencies, kernel build matrix with W=1 and sparse,
# checkpatch, DT binding validation, udev rules, VM tests on 6.1 and 6.12.
check: deps
	scripts/check.sh

check-kernel:
	scripts/check-kernel.sh

# Userspace: every C file is compiled once per variant into build/obj/<variant>/ with generated
# dependencies (daemon/daemon.mk has the flags and the pattern rules), so a change recompiles what
# it touches. Variants: rel (the shipped binaries: -O2, Debian's hardening flags), asan (tests:
# ASan + UBSan), fuzz (clang, libFuzzer). Every tests/unit/test_*.c is one binary linked with all
# of daemon/core/ and the adapter objects it names.
-include daemon/daemon.mk

UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))

unit: $(UNIT_BIN)

# Tests of an adapter name its sources and libraries (real ones: SQLite, not a mock).
UNIT_EXTRA_test_store := $(STORE_SRC)
UNIT_LIBS_test_store  := sqlite3
UNIT_EXTRA_test_meter := daemon/meter/meter.c $(STORE_SRC) daemon/common/log.c
UNIT_LIBS_test_meter  := sqlite3
UNIT_EXTRA_test_billing_capture := daemon/meter/meter.c daemon/meter/period-capture.c \
	daemon/meter/local-time.c daemon/meter/local-clock.c $(STORE_SRC) daemon/common/log.c
UNIT_LIBS_test_billing_capture  := sqlite3
UNIT_EXTRA_test_dlms_hls_store := daemon/views/dlms/dlms-hls.c daemon/views/dlms/dlms-hls-keys.c \
	daemon/meter/meter.c $(STORE_SRC) \
	daemon/common/log.c
UNIT_LIBS_test_dlms_hls_store  := sqlite3
UNIT_EXTRA_test_tariff_file := $(TARIFF_FILE_SRC)
UNIT_LIBS_test_tariff_file  := jansson

# Test support (tests/support/): the STS vending side, which polymeterd does not contain. The
# token encoder (tests that enter tokens, the fuzzer), and decoder key generation from a vending
# key with nettle's DES and HMAC-SHA-256 (test_sts derives the published vectors' keys).
STS_VEND_SRC   := tests/support/sts-vend.c
STS_KEYGEN_SRC := tests/support/sts-keygen.c
UNIT_EXTRA_test_sts := $(STS_VEND_SRC) $(STS_KEYGEN_SRC)
UNIT_LIBS_test_sts  := nettle
UNIT_EXTRA_test_billing += $(STS_VEND_SRC)

.SECONDEXPANSION:
$(BUILD)/unit/%: $(BUILD)/obj/asan/tests/unit/%.o $(CORE_OBJ_asan) \
		$$(call objs,asan,$$(UNIT_EXTRA_$$*))
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs check $(UNIT_LIBS_$*)) $(CORE_LIBS) -lm

check-unit:
	scripts/check-unit.sh

# The D-Bus view's test server (tests/dbus/run drives it against a real dbus-daemon).
$(BUILD)/test/dbus-serve: $(call objs,asan,tests/dbus/serve.c daemon/views/dbus/bus.c daemon/views/dbus/bus-caller.c) \
		$(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs libsystemd) $(CORE_LIBS) -lm

$(BUILD)/test/polymeterctl: $(call objs,asan,$(CTL_SRC))
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs libsystemd) -lm

# The Modbus test servers, bench servers and map document.
-include tests/modbus/modbus.mk
-include tests/modbus/rtu.mk

check-style:
	scripts/check-style.sh

check-dt:
	scripts/check-dt.sh

check-vm:
	tests/vm/run-all

demo: deps
	tests/vm/demo

# The first hour on a host: polymeterd with a simulated meter on a private bus, until Ctrl-C
# (scripts/run.sh; tests/quickstart/run checks it as the README tells it).
.PHONY: run
run: $(BUILD)/daemon/polymeterd $(BUILD)/daemon/polymeterctl
	@scripts/run.sh $(BUILD)

bench: deps
	tests/bench/run

# polymeterd's memory floor (tests/bench/daemon/run): nothing, linked as polymeterd is.
FLOOR_SRC := tests/bench/daemon/floor.c daemon/common/peak-memory.c
$(BUILD)/bench/polymeterd-floor: $(call objs,rel,$(FLOOR_SRC))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_REL) -o $@ $^ -Wl,--no-as-needed $(DAEMON_LIBS)

# The module and the overlay source (polymeter-dkms installs them, the module as source for
# DKMS), then what the polymeterd package installs (daemon-install in daemon/daemon.mk).
# Without DESTDIR, an install on this machine: then it runs what the packages' maintainer
# scripts run (depmod, sysusers, tmpfiles, udev, systemd). With DESTDIR, a staging root: no host
# tool runs (DEPMOD=true keeps kbuild's own depmod off, should the headers have a System.map).
install: modules daemon-install
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates KERNELRELEASE=$(KVER) \
		CONFIG_MODULE_SIG_ALL= $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR) DEPMOD=true) \
		modules_install
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/polymeter/overlays dts/overlays/*.dts
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	systemd-sysusers $(SYSUSERSDIR)/polymeter.conf
	systemd-tmpfiles --create $(TMPFILESDIR)/polymeter.conf
	-udevadm control --reload
	-systemctl daemon-reload
endif

# The scenario runner (daemon/tools/scenario.c, docs/scenario.md): the pure engines driven
# through a simulated clock by tests/scenario/*.scn; tests/scenario/*.py compute the expected
# totals independently. scripts/check-unit.sh runs both.
SCENARIO_BIN := $(BUILD)/tools/scenario

$(SCENARIO_BIN): $(call objs,asan,$(sort $(wildcard daemon/tools/scenario*.c)) $(TARIFF_FILE_SRC)) \
		$(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs jansson) $(CORE_LIBS) -lm

.PHONY: scenario
scenario: $(SCENARIO_BIN)
	$(SCENARIO_BIN) tests/scenario/*.scn
	for p in tests/scenario/*.py; do /usr/bin/python3 "$$p" || exit 1; done

# The published tariff JSON Schema (docs/tariff.schema.json) against the parser: tests/schema/run.
$(BUILD)/test/tariff-check: $(call objs,asan,tests/schema/tariff-check.c \
		$(TARIFF_FILE_SRC)) $(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs jansson) $(CORE_LIBS) -lm

# libFuzzer fuzzers (clang-14, libclang-rt-14-dev): tests/fuzz/fuzz_*.c, each with its seed
# corpus in tests/fuzz/corpus/<name>/. `make fuzz` runs each for FUZZ_SECONDS (new inputs go to
# build/fuzz/found/<name>/, crashes to build/fuzz/); scripts/check-unit.sh runs each
# deterministically: the seed corpus, then FUZZ_RUNS mutations with -seed=1 (no time limit).
FUZZ_SECONDS ?= 600
FUZZ_NAMES   := sts tariff_file modbus_map conf civil_money dlms_axdr dlms_apdu dlms_session dlms_hdlc \
	dlms_hdlc_link
FUZZ_BIN     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))
FUZZ_EXTRA_sts := $(STS_VEND_SRC)
FUZZ_EXTRA_tariff_file := $(TARIFF_FILE_SRC)
FUZZ_LIBS_tariff_file  := jansson
FUZZ_EXTRA_conf := $(CONF_SRC) daemon/supply/relay-config.c
FUZZ_LIBS_conf  := inih

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/fuzz/tests/fuzz/fuzz_%.o $(CORE_OBJ_fuzz) \
		$$(call objs,fuzz,$$(FUZZ_EXTRA_$$*))
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ \
		$(if $(FUZZ_LIBS_$*),$$(pkg-config --libs $(FUZZ_LIBS_$*))) $(CORE_LIBS) -lm

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_BIN)

# FUZZ_EXECS=N: each fuzzer also stops after N executions (the README's goal is 10^7).
fuzz: fuzz-build
	FUZZ_EXECS=$(FUZZ_EXECS) tests/fuzz/campaign $(BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The crash campaigns (README, "Figures"): polymeterd killed with SIGKILL at random moments under
# load, SOAK_KILLS times, on the host with a real store (make check runs 20 of them); then, as
# root, the power cut: the test VM's power cut SOAK_CUTS times while the service checkpoints
# under load, booted again from the same disk each time (tests/soak/power-cut-vm, on
# SOAK_SERIES). Not in make check, not even a few cuts: every cut costs a boot under TCG.
SOAK_KILLS  ?= 1000
SOAK_CUTS   ?= 50
SOAK_SERIES ?= 6.12
.PHONY: soak
soak: daemon
	tests/soak/kill-host $(SOAK_KILLS)
	tests/soak/power-cut-vm $(SOAK_CUTS) $(SOAK_SERIES)
