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
	daemon/bus.c daemon/modbus-tcp.c daemon/modbus-rtu.c $(CORE_SRC)
DAEMON_HDR  := daemon/conf.h daemon/log.h daemon/manager.h daemon/scan.h daemon/source.h \
	daemon/source-iio.h daemon/source-sim.h daemon/meter.h daemon/store.h daemon/bus.h \
	daemon/modbus-tcp.h daemon/modbus-rtu.h daemon/adapter-math.h daemon/source-replay.h \
	$(CORE_HDR)
DAEMON_PKGS := libiio libsystemd inih sqlite3
DAEMON_LIBS  = $$(pkg-config --cflags --libs $(DAEMON_PKGS)) -lm

SBINDIR      ?= /usr/sbin
SYSCONFDIR   ?= /etc
UNITDIR      ?= /usr/lib/systemd/system
SYSUSERSDIR  ?= /usr/lib/sysusers.d
DBUSPOLICYDIR ?= /usr/share/dbus-1/system.d
BINDIR       ?= /usr/bin

.PHONY: daemon daemon-asan unit-daemon daemon-install

daemon: $(BUILD)/daemon/polymeterd $(BUILD)/daemon/polymeterctl

$(BUILD)/daemon/polymeterctl: daemon/polymeterctl.c daemon/bus.h daemon/daemon.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) -Idaemon -Idaemon/core -o $@ daemon/polymeterctl.c \
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
UNIT_EXTRA_test_conf := daemon/conf.c
UNIT_LIBS_test_conf  := inih

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

# The daemon on the host under ASan + UBSan: simulated meters, a missing IIO device, a bad file.
.PHONY: check-daemon
check-daemon: daemon-asan unit-daemon
	tests/daemon/run $(BUILD)/daemon-asan/polymeterd
