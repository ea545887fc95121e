#!/usr/bin/env bash
# make run: polymeterd on this host with a simulated three-phase meter carrying a load, on a
# private D-Bus bus of its own (no root, no system bus), until Ctrl-C, which stops everything
# it started. Prints how to point polymeterctl at it; the same lines go to DIR/env.
#
#   scripts/run.sh [BUILD]     BUILD: the build directory (default build)
#
# Environment: POLYMETER_RUN_DIR (default BUILD/run: configuration, store, log, bus address),
# POLYMETER_MODBUS_PORT (1502), POLYMETER_DLMS_PORT (4059).
#
# Children started with & by a non-interactive shell ignore SIGINT, so Ctrl-C reaches only this
# script: its trap stops the daemon and the bus by their pids. The stop runs once (a guard),
# whether the trap or the daemon's own exit calls it first. The bus keeps no pipe of ours open:
# its output goes to a file, so whoever reads this script's output sees it end.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
dir=${POLYMETER_RUN_DIR:-$build/run}
modbus_port=${POLYMETER_MODBUS_PORT:-1502}
dlms_port=${POLYMETER_DLMS_PORT:-4059}
polymeterd=$build/daemon/polymeterd
polymeterctl=$build/daemon/polymeterctl

bus_pid=
daemon_pid=
stopping=

stop() {
	# signals first: a trap cannot cut this stop short and exit with the bus still running
	trap '' INT TERM
	[ -n "$stopping" ] && return
	stopping=1
	if [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null; then
		wait "$daemon_pid" 2>/dev/null
	fi
	if [ -n "$bus_pid" ] && kill -TERM "$bus_pid" 2>/dev/null; then
		wait "$bus_pid" 2>/dev/null
	fi
	rm -f "$dir/env" "$dir/bus"
	echo "make run: stopped polymeterd and its bus (the store stays in $dir/state)"
}

fail() {
	echo "make run: $*" >&2
	stop
	exit 1
}

trap 'stop; exit 0' INT
trap 'stop; exit 0' TERM

mkdir -p "$dir/state" || exit 1
rm -f "$dir/bus" "$dir/env"
# A feeder: 2.3 kW on L1, 4.6 kVA at PF 0.5 on L2, 1.15 kW exported on L3 (230 V); prepaid on
# the Economy 7 example tariff, starting at 0.00 GBP (top it up with polymeterctl topup). Every
# 5 minutes the grid dips to 70 % for 2 s: polymeterctl events (and the web page) show it.
cat >"$dir/polymeterd.conf" <<EOF
[daemon]
state_dir = $dir/state
dbus = session

[meter sim]
source = sim
sim_current_ma = 10000 20000 5000
sim_angle_mdeg = 0 60000 180000
sim_dip_every_s = 300
sim_dip_s = 2
modbus_tcp_port = $modbus_port
dlms_port = $dlms_port
time_zone = Europe/London
tariff_file = $top/daemon/dist/tariff-examples/uk-economy7.json
account_mode = prepayment
EOF
"$polymeterd" --check-config --config "$dir/polymeterd.conf" >/dev/null ||
	fail "the configuration $dir/polymeterd.conf was refused"

# --nofork: $! is the bus itself, so it can be stopped by its pid
dbus-daemon --session --nofork --print-address=3 3>"$dir/bus" >"$dir/dbus.log" 2>&1 &
bus_pid=$!
until [ -s "$dir/bus" ]; do
	kill -0 "$bus_pid" 2>/dev/null || fail "dbus-daemon did not start (see $dir/dbus.log)"
	sleep 0.1
done
address=$(head -n1 "$dir/bus")
export DBUS_SESSION_BUS_ADDRESS=$address

"$polymeterd" --config "$dir/polymeterd.conf" >"$dir/polymeterd.log" 2>&1 &
daemon_pid=$!
# ready when the meter has its first sample (polymeterd owns its name once every meter is set
# up, which may be just before), so the first status shows values
until "$polymeterctl" --user --json status 2>/dev/null | grep -q '"time":"'; do
	kill -0 "$daemon_pid" 2>/dev/null ||
		fail "polymeterd stopped at start: $(tail -n 3 "$dir/polymeterd.log")"
	sleep 0.1
done

cat >"$dir/env" <<EOF
export DBUS_SESSION_BUS_ADDRESS='$address'
EOF
cat <<EOF
polymeterd is running: meter "sim" (simulated, 3.45 kW net), prepaid, on a private bus.
Modbus TCP on port $modbus_port, DLMS/COSEM on port $dlms_port; log: $dir/polymeterd.log

In another terminal:
  export DBUS_SESSION_BUS_ADDRESS='$address'
  $polymeterctl --user status
  $polymeterctl --user watch
  $polymeterctl --user topup 20.00
The status page on this bus (make web builds it once, with npm), then http://127.0.0.1:8080/:
  make -C $top web && $build/daemon/polymeter-web --user --root $build/web --port 8080
(or: . $dir/env)  Ctrl-C here stops polymeterd and the bus.
EOF

wait "$daemon_pid"
rc=$?
# reaped: by a Ctrl-C it saw itself too (status 0, checkpointed), or on its own
daemon_pid=
[ "$rc" -eq 0 ] || [ -n "$stopping" ] ||
	echo "make run: polymeterd exited ($rc); its log: $dir/polymeterd.log" >&2
stop
[ "$rc" -eq 0 ]
