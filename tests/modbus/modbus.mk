# The Modbus view: the map's document generator, the TCP test server and the bench servers.
# Included by the top-level Makefile (-include tests/modbus/modbus.mk); uses the object rules of
# daemon/daemon.mk.
#
#   make modbus-doc     regenerate docs/modbus-map.md from the code
#   tests/modbus/run    the real-client tests (builds what it needs)

.PHONY: modbus-doc

MODBUS_SRC := tests/modbus/serve.c tests/modbus/fixture.c daemon/views/modbus/modbus-tcp.c \
	daemon/views/net/stream-server.c \
	daemon/common/log.c

$(BUILD)/test/modbus-map-doc: $(call objs,asan,daemon/tools/modbus-map-doc.c) $(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $(CORE_LIBS) -lm

$(BUILD)/test/modbus-serve: $(call objs,asan,$(MODBUS_SRC)) $(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs libsystemd) $(CORE_LIBS) -lm

# Bench: the same server without sanitizers (the shipped flags), and a minimal plain-libmodbus
# server.
$(BUILD)/bench/modbus-serve: $(call objs,rel,$(MODBUS_SRC)) $(CORE_OBJ_rel)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_REL) -o $@ $^ $$(pkg-config --libs libsystemd) $(CORE_LIBS) -lm

$(BUILD)/bench/modbus-plain: tests/bench/modbus/plain-server.c
	@mkdir -p $(@D)
	$(CC) $(WARN_USER) $(CPPFLAGS_USER) -O2 -o $@ $< $$(pkg-config --cflags --libs libmodbus)

$(BUILD)/bench/modbus-load: tests/bench/modbus/load.c
	@mkdir -p $(@D)
	$(CC) $(WARN_USER) $(CPPFLAGS_USER) -O2 -o $@ $< -lm

modbus-doc: $(BUILD)/test/modbus-map-doc
	$(BUILD)/test/modbus-map-doc > docs/modbus-map.md
