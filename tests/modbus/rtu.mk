# The Modbus RTU view: the RTU test server (ASan/UBSan) and its bench build (shipped flags).
# Included by the top-level Makefile (-include tests/modbus/rtu.mk); uses the object rules of
# daemon/daemon.mk.
#
#   tests/modbus/rtu-run     the real-client RTU tests over a socat pty pair
#   tests/bench/modbus/rtu   RTU throughput at 9600 and 115200 baud over the pty

RTU_SRC := tests/modbus/rtu-serve.c daemon/views/modbus/modbus-rtu.c $(wildcard daemon/views/serial/*.c) \
	daemon/common/log.c tests/modbus/fixture.c

$(BUILD)/test/modbus-rtu-serve: $(call objs,asan,$(RTU_SRC)) $(CORE_OBJ_asan)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) -o $@ $^ $$(pkg-config --libs libsystemd) $(CORE_LIBS) -lm

$(BUILD)/bench/modbus-rtu-serve: $(call objs,rel,$(RTU_SRC)) $(CORE_OBJ_rel)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_REL) -o $@ $^ $$(pkg-config --libs libsystemd) $(CORE_LIBS) -lm
