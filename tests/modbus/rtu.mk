# The Modbus RTU view: the RTU test server (ASan/UBSan) and its bench build (-O2).
# Included by the top-level Makefile (-include tests/modbus/rtu.mk); uses its BUILD,
# CFLAGS_USER, SANITIZE, CORE_SRC and CORE_HDR.
#
#   tests/modbus/rtu-run     the real-client RTU tests over a socat pty pair
#   tests/bench/modbus/rtu   RTU throughput at 9600 and 115200 baud over the pty

RTU_SRC := daemon/modbus-rtu.c daemon/log.c tests/modbus/fixture.c
RTU_HDR := daemon/modbus-rtu.h daemon/log.h tests/modbus/fixture.h $(CORE_HDR)

$(BUILD)/test/modbus-rtu-serve: tests/modbus/rtu-serve.c $(RTU_SRC) $(RTU_HDR) $(CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_USER) $(SANITIZE) -Idaemon -Idaemon/core -o $@ tests/modbus/rtu-serve.c \
		$(RTU_SRC) $(CORE_SRC) $$(pkg-config --cflags --libs libsystemd) -lm

$(BUILD)/bench/modbus-rtu-serve: tests/modbus/rtu-serve.c $(RTU_SRC) $(RTU_HDR) $(CORE_SRC)
	@mkdir -p $(@D)
	$(CC) $(filter-out -O1,$(CFLAGS_USER)) -O2 -Idaemon -Idaemon/core -o $@ \
		tests/modbus/rtu-serve.c $(RTU_SRC) $(CORE_SRC) \
		$$(pkg-config --cflags --libs libsystemd) -lm
