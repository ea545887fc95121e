# The Modbus view: the map's document generator, the TCP test server and the bench servers.
# Included by the top-level Makefile (-include tests/modbus/modbus.mk); uses its BUILD,
# CFLAGS_USER, SANITIZE, CORE_SRC and CORE_HDR.
#
#   make modbus-doc     regenerate docs/modbus-map.md from the code
#   tests/modbus/run    the real-client tests (builds what it needs)

.PHONY: modbus-doc

MODBUS_HDR := daemon/modbus-tcp.h daemon/log.h $(CORE_HDR)
# the test servers' shared parts (TCP and RTU)
MODBUS_FIXTURE := tests/modbus/fixture.c tests/modbus/fixture.h

$(BUILD)/test/modbus-map-doc: daemon/tools/modbus-map-doc.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) $(SANITIZE) -Idaemon/core -o $@ daemon/tools/modbus-map-doc.c \
		$(CORE_SRC) -lm

$(BUILD)/test/modbus-serve: tests/modbus/serve.c daemon/modbus-tcp.c daemon/log.c \
		$(MODBUS_FIXTURE) $(MODBUS_HDR) $(CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) $(SANITIZE) -Idaemon -Idaemon/core -o $@ tests/modbus/serve.c \
		tests/modbus/fixture.c daemon/modbus-tcp.c daemon/log.c $(CORE_SRC) \
		$$(pkg-config --cflags --libs libsystemd) -lm

# Bench: the same server without sanitizers, and a minimal plain-libmodbus server.
$(BUILD)/bench/modbus-serve: tests/modbus/serve.c daemon/modbus-tcp.c daemon/log.c \
		$(MODBUS_FIXTURE) $(MODBUS_HDR) $(CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(filter-out -O1,$(CFLAGS_USER)) -O2 -Idaemon -Idaemon/core -o $@ tests/modbus/serve.c \
		tests/modbus/fixture.c daemon/modbus-tcp.c daemon/log.c $(CORE_SRC) \
		$$(pkg-config --cflags --libs libsystemd) -lm

$(BUILD)/bench/modbus-plain: tests/bench/modbus/plain-server.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -O1,$(CFLAGS_USER)) -O2 -o $@ $< $$(pkg-config --cflags --libs libmodbus)

$(BUILD)/bench/modbus-load: tests/bench/modbus/load.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -O1,$(CFLAGS_USER)) -O2 -o $@ $< -lm

modbus-doc: $(BUILD)/test/modbus-map-doc
	$(BUILD)/test/modbus-map-doc > docs/modbus-map.md
