# polymeterd: build, sanitizer build, unit test of the config parser, install.
# Included by the top-level Makefile (BUILD, CFLAGS_USER, SANITIZE come from there).
#
#   make daemon                 build/daemon/polymeterd
#   make daemon-asan            build/daemon-asan/polymeterd (ASan + UBSan, for tests)
#   make unit-daemon            builds and runs the daemon's own unit tests (test_conf)
#   make daemon-install DESTDIR=...   binaries, config example, systemd unit, sysusers

DAEMON_SRC  := daemon/polymeterd.c daemon/manager.c daemon/conf.c daemon/log.c \
	daemon/source.c daemon/source-iio.c daemon/source-sim.c daemon/meter.c daemon/store.c \
	daemon/source-replay.c \
	daemon/bus.c daemon/modbus-tcp.c daemon/modbus-rtu.c daemon/relay.c daemon/relay-config.c \
	daemon/billing.c daemon/bus-account.c daemon/store-account.c daemon/money.c \
	daemon/tariff-file.c $(CORE_SRC)
DAEMON_SRC  += daemon/meter-config.c daemon/source-iio-events.c \
	daemon/source-iio-direct.c daemon/iio-attr.c daemon/power-integrator.c
DAEMON_HDR  := daemon/conf.h daemon/log.h daemon/manager.h daemon/scan.h daemon/source.h \
	daemon/source-iio.h daemon/source-sim.h daemon/meter.h daemon/store.h daemon/bus.h \
	daemon/modbus-tcp.h daemon/modbus-rtu.h daemon/relay.h daemon/relay-config.h \
	daemon/billing.h daemon/bus-account.h daemon/store-internal.h daemon/money.h \
	daemon/tariff-file.h daemon/adapter-math.h daemon/source-replay.h \
	$(CORE_HDR)
DAEMON_SRC  += daemon/calibrator.c
DAEMON_HDR  += daemon/calibrator.h
DAEMON_SRC  += daemon/billing-record.c
DAEMON_HDR  += daemon/billing-state.h
DAEMON_HDR  += daemon/meter-config.h daemon/source-iio-events.h \
	daemon/source-iio-direct.h daemon/iio-attr.h daemon/power-integrator.h
DAEMON_SRC  += daemon/bus-caller.c
DAEMON_HDR  += daemon/bus-caller.h
DAEMON_PKGS := libiio libsystemd inih sqlite3 libgpiod jansson
DAEMON_LIBS  = $$(pkg-config --cflags --libs $(DAEMON_PKGS)) -lm

SBINDIR      ?= /usr/sbin
SYSCONFDIR   ?= /etc
UNITDIR      ?= /usr/lib/systemd/system
SYSUSERSDIR  ?= /usr/lib/sysusers.d
DBUSPOLICYDIR ?= /usr/share/dbus-1/system.d
BINDIR       ?= /usr/bin
LIBEXECDIR   ?= /usr/libexec

.PHONY: daemon daemon-asan unit-daemon daemon-install

daemon: $(BUILD)/daemon/polymeterd $(BUILD)/daemon/polymeterctl $(BUILD)/daemon/relay-probe

# daemon/relay.c on its own, driven from stdin: the VM's GPIO test (tests/vm/cases/relay) and a
# wiring check on a board. Built with ASan + UBSan, their runtimes linked in statically so that it
# runs in the VM guest (which has no libasan): relay.c is checked by them on real GPIO lines.
RELAY_PROBE_SRC := tests/relay/relay-probe.c daemon/relay.c daemon/relay-config.c daemon/log.c
$(BUILD)/daemon/relay-probe: $(RELAY_PROBE_SRC) daemon/relay.h daemon/relay-config.h \
		daemon/log.h daemon/daemon.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) $(SANITIZE) -static-libasan -static-libubsan -Idaemon -o $@ \
		$(RELAY_PROBE_SRC) $$(pkg-config --cflags --libs libsystemd libgpiod)

CTL_SRC := daemon/polymeterctl.c daemon/polymeterctl-account.c daemon/money.c

$(BUILD)/daemon/polymeterctl: $(CTL_SRC) daemon/bus.h daemon/bus-account.h daemon/money.h \
		daemon/polymeterctl-account.h daemon/daemon.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) -Idaemon -Idaemon/core -o $@ $(CTL_SRC) \
		$$(pkg-config --cflags --libs libsystemd)

daemon-asan: $(BUILD)/daemon-asan/polymeterd

$(BUILD)/daemon/polymeterd: $(DAEMON_SRC) $(DAEMON_HDR) daemon/daemon.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) -Idaemon -Idaemon/core -o $@ $(DAEMON_SRC) $(DAEMON_LIBS)

$(BUILD)/daemon-asan/polymeterd: $(DAEMON_SRC) $(DAEMON_HDR) daemon/daemon.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) $(SANITIZE) -Idaemon -Idaemon/core -o $@ $(DAEMON_SRC) $(DAEMON_LIBS)

# tests/unit/test_conf.c is built by the top-level `make unit` like every unit test (these
# two variables name what it needs besides the core) and run by scripts/check-unit.sh.
UNIT_EXTRA_test_conf := daemon/conf.c daemon/relay-config.c daemon/money.c
UNIT_LIBS_test_conf  := inih
# the account with the real store and real tariff files; money parsing
UNIT_EXTRA_test_billing := daemon/billing.c daemon/store.c daemon/store-account.c \
	daemon/money.c daemon/tariff-file.c daemon/log.c
UNIT_EXTRA_test_billing += daemon/billing-record.c
UNIT_LIBS_test_billing  := sqlite3 jansson
UNIT_EXTRA_test_money := daemon/money.c
UNIT_EXTRA_test_power_integrator := daemon/power-integrator.c

UNIT_EXTRA_test_meter_config := daemon/meter-config.c daemon/conf.c daemon/relay-config.c \
	daemon/money.c
UNIT_LIBS_test_meter_config  := inih
UNIT_EXTRA_test_iio_events := daemon/source-iio-events.c daemon/log.c
UNIT_LIBS_test_iio_events  := libsystemd

unit-daemon: $(BUILD)/unit/test_conf
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CK_FORK=yes $(BUILD)/unit/test_conf

daemon-install: daemon
	install -D -m 0755 $(BUILD)/daemon/polymeterd $(DESTDIR)$(SBINDIR)/polymeterd
	install -D -m 0644 daemon/polymeterd.conf.example \
		$(DESTDIR)$(SYSCONFDIR)/polymeter/polymeterd.conf.example
	[ -e $(DESTDIR)$(SYSCONFDIR)/polymeter/polymeterd.conf ] || \
		install -m 0644 daemon/polymeterd.conf.example \
			$(DESTDIR)$(SYSCONFDIR)/polymeter/polymeterd.conf
	install -D -m 0644 daemon/polymeterd.service $(DESTDIR)$(UNITDIR)/polymeterd.service
	install -D -m 0644 udev/polymeter.sysusers $(DESTDIR)$(SYSUSERSDIR)/polymeter.conf
	install -D -m 0644 daemon/org.polymeter.Meter1.conf \
		$(DESTDIR)$(DBUSPOLICYDIR)/org.polymeter.Meter1.conf
	install -D -m 0755 $(BUILD)/daemon/polymeterctl $(DESTDIR)$(BINDIR)/polymeterctl
	install -D -m 0755 $(BUILD)/daemon/relay-probe $(DESTDIR)$(LIBEXECDIR)/polymeter/relay-probe

# The daemon on the host under ASan + UBSan: simulated meters, a missing IIO device, a bad file,
# calibration, store faults (needs root); run-all ends with the one total line check.sh counts.
.PHONY: check-daemon
check-daemon: daemon-asan unit-daemon $(BUILD)/daemon/polymeterctl
	tests/daemon/run-all $(BUILD)/daemon-asan/polymeterd $(BUILD)/daemon/polymeterctl
