# SPDX-License-Identifier: GPL-2.0-only
"""What the DLMS test scripts share beyond tests/lib/checks.py (PASS/FAIL counting with the
"N passed, N failed" last line, also when a script dies of an unexpected error; bounded waits)
and the client (dlms_client.py): polymeterd with one simulated meter and its DLMS server on an
ephemeral loopback port, its D-Bus view on the private session bus of dbus-run-session, the
meter's configuration and tariff, and the comparisons the tests make.

The meter (written out in meter_conf()): a simulated feeder 231/229/230.5 V, 12/7/3 A, L2
lagging 30 degrees and L3 at 160 degrees (it exports: -A and the reactive quadrants are not
zero), one scan a simulated second, the simulated clock 900 times the real one (a 15-minute
load-profile interval about every second), a store (energy registers, profile), credit mode
with a two-rate tariff in GBP (rates and the activity calendar exist), time zone UTC.
The DLMS keys are the integrator's: dlms_port, dlms_address, dlms_max_connections,
dlms_idle_timeout, dlms_password_file.
"""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "tests/lib"))
# pylint: disable=wrong-import-position,unused-import
import dlms_client as dc  # noqa: E402
from checks import (WaitTimeout, at_crash, check, eventually, finish,  # noqa: E402,F401
                    wait_until)

SANITIZER_ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                     UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
PUBLIC, MANAGEMENT = 16, 1
PASSWORD = "lls-Pass-0123"  # the management client's LLS password (dlms_password_file)
METER = "bms"
PROFILE_PERIOD_S = 15 * 60  # profile_period = 15 (minutes)
SIM_SPEED = 900

procs = []  # started processes, killed if the script dies
at_crash(lambda: [p.kill() for p in procs if p.poll() is None])


def free_port():
    """A TCP port on 127.0.0.1 the kernel just gave out (closed again for the daemon)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TWO_RATES = {
    "version": 1, "name": "Two rates", "currency": {"code": "GBP", "minor_units": 2},
    "rates": {"1": {"name": "night", "price_per_kwh": "0.10"},
              "2": {"name": "day", "price_per_kwh": "0.30"}},
    "day_profiles": {"d": [{"at": "00:00", "rate": 1},
                           {"at": "12:00", "rate": 2, "aux_relay": True}]},
    "seasons": [{"days": {"weekdays": "d", "weekend": "d"}}],
    "billing_period": {"months": 1, "start": "2026-01-01"},
}


def meter_conf(tmp, port, dbus="session", state=True, **dlms):
    """Writes the daemon's configuration (and the tariff and the password file) into @tmp;
    returns its path. @dlms: dlms_* keys to add or replace (value None leaves a key out)."""
    with open(f"{tmp}/two-rate.json", "w", encoding="ascii") as f:
        json.dump(TWO_RATES, f)
    # only its owner may read it (the daemon refuses it otherwise: it lets a client disconnect)
    fd = os.open(f"{tmp}/lls-password", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(PASSWORD)
    keys = {"dlms_port": port, "dlms_address": "127.0.0.1", "dlms_max_connections": 8,
            "dlms_idle_timeout": 120, "dlms_password_file": f"{tmp}/lls-password"}
    keys.update(dlms)
    if state:
        os.makedirs(f"{tmp}/state", exist_ok=True)
    path = f"{tmp}/m.conf"
    with open(path, "w", encoding="ascii") as f:
        f.write(f"""\
[daemon]
state_dir = {f"{tmp}/state" if state else "none"}
dbus = {dbus}
dbus_interval_ms = 100
log_interval = 0
[meter {METER}]
source = sim
sim_voltage_mv = 231000 229000 230500
sim_current_ma = 12000 7000 3000
sim_angle_mdeg = 0 30000 160000
sim_rate_hz = 1
sim_speed = {SIM_SPEED}
profile_period = {PROFILE_PERIOD_S // 60}
checkpoint_wh = 1000000
checkpoint_interval = 86400
account_mode = credit
tariff_file = {tmp}/two-rate.json
time_zone = UTC
""")
        for k, v in keys.items():
            if v is not None:
                f.write(f"{k} = {v}\n")
    return path


class Daemon:
    """polymeterd (ASan/UBSan) on a configuration; its stderr goes to a file (a pipe nobody
    reads could fill and stop it)."""

    def __init__(self, binary, conf, tmp, port, prefix=()):
        """@prefix: a command that runs the daemon (systemd-socket-activate and its options)."""
        self.port = port
        self.errpath = f"{tmp}/polymeterd.err"
        # pylint: disable-next=consider-using-with
        self.errfile = open(self.errpath, "w", encoding="utf-8")
        self.proc = subprocess.Popen([*prefix, binary, "--config", conf], stdout=subprocess.DEVNULL,
                                     stderr=self.errfile, env=SANITIZER_ENV)
        procs.append(self.proc)

    def stderr(self):
        with open(self.errpath, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def serves(self):
        """True when a public client associates (the DLMS server is up and answering)."""
        if not self.alive():
            raise RuntimeError("polymeterd exited")
        try:
            with client(self.port, timeout=2) as c:
                return c.associate().accepted
        except (OSError, dc.DlmsError):
            return False

    def wait_serving(self, timeout=60):
        """Waits until the DLMS server answers; False (the reason on stderr) when the daemon
        exits first or the wait times out."""
        try:
            wait_until(self.serves, timeout, f"polymeterd's DLMS server on port {self.port}")
            return True
        except (WaitTimeout, RuntimeError) as e:
            print(f"{e}; polymeterd's stderr: {self.stderr()[-1500:]}", file=sys.stderr)
            return False

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        """SIGTERM; (exit status, stderr)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        procs.remove(self.proc)
        self.errfile.close()
        return self.proc.returncode, self.stderr()


def start_meter(binary, conf, tmp, port, what):
    """polymeterd on @conf, checked to serve DLMS (@what names the meter in the check) and to
    publish its account on D-Bus; (daemon, Bus, the management client associated). When it
    does not come up the script ends here."""
    daemon = Daemon(binary, conf, tmp, port)
    up = daemon.wait_serving(60)
    check(f"polymeterd serves DLMS {what}", up, daemon.stderr()[-1500:])
    if not up:
        daemon.stop()
        done()
    bus = Bus()
    check("its account is published", eventually(bus.published, 60, "the account on D-Bus"))
    return daemon, bus, associated(port, MANAGEMENT)


def stopped_clean(daemon, name):
    """Stops it and checks the exit: status 0, no sanitizer report."""
    rc, err = daemon.stop()
    check(f"{name}: exits cleanly on SIGTERM (status 0, ASan/UBSan quiet)",
          rc == 0 and "Sanitizer" not in err and "runtime error" not in err, f"status {rc}: "
          f"{err[-2000:]}")


def client(port, sap=PUBLIC, timeout=10):
    return dc.Client("127.0.0.1", port, client_sap=sap, timeout=timeout)


def associated(port, sap=PUBLIC, max_pdu=0xFFFF, timeout=10):
    """A Client associated as @sap (the management client with the password); raises when the
    association is refused."""
    c = client(port, sap, timeout)
    aare = c.associate(password=PASSWORD if sap == MANAGEMENT else None, max_pdu=max_pdu)
    if not aare.accepted:
        c.close()
        raise dc.DlmsError(f"association as SAP {sap} refused: {aare}")
    return c


TMPDIRS = []
at_crash(lambda: [shutil.rmtree(d, ignore_errors=True) for d in TMPDIRS])


def tmpdir(prefix):
    """A temporary directory, removed by done() (or when the script dies)."""
    TMPDIRS.append(tempfile.mkdtemp(prefix=prefix))
    return TMPDIRS[-1]


def done():
    """Removes the temporary directories, prints the last line and exits."""
    for d in TMPDIRS:
        shutil.rmtree(d, ignore_errors=True)
    finish()


# ---- the D-Bus view of the same meter ----


class Bus:
    """The meter's D-Bus view on the session bus (dbus-run-session's)."""

    def __init__(self):
        import dbus  # pylint: disable=import-outside-toplevel
        self.dbus = dbus
        self.bus = dbus.SessionBus()
        self._obj = None

    def _object(self):
        if self._obj is None:
            self._obj = self.bus.get_object("org.polymeter.Meter1",
                                            f"/org/polymeter/Meter1/{METER}")
        return self._obj

    def published(self):
        """True once the meter and its account are on the bus."""
        try:
            self.props().Get("org.polymeter.Meter1.Meter", "Power")
            return bool(self.account()["Running"])
        except self.dbus.exceptions.DBusException:
            self._obj = None
            return False

    def props(self):
        return self.dbus.Interface(self._object(), "org.freedesktop.DBus.Properties")

    def meter(self):
        """Every numeric property of org.polymeter.Meter1.Meter, as floats."""
        return {str(k): float(v) for k, v in
                self.props().GetAll("org.polymeter.Meter1.Meter").items()
                if isinstance(v, (self.dbus.Double, self.dbus.UInt64, self.dbus.Int64))}

    def account(self):
        return {str(k): v for k, v in self.props().GetAll("org.polymeter.Account1").items()}

    def account_call(self, method, *args):
        return getattr(self.dbus.Interface(self._object(), "org.polymeter.Account1"),
                       method)(*args)

    def profile(self, from_ns=0, to_ns=(1 << 63) - 1):
        """GetProfile: [(end UTC s, period s, status, samples, registers mWh [+A, -A, +R, -R])]."""
        m = self.dbus.Interface(self._object(), "org.polymeter.Meter1.Meter")
        return [(int(iv[0]) // 10**9, int(iv[1]) // 10**9, int(iv[2]), int(iv[3]),
                 [int(x) for x in iv[4]])
                for iv in m.GetProfile(self.dbus.UInt64(from_ns), self.dbus.UInt64(to_ns))]


def dbus_obis_points(top=TOP):
    """{OBIS: (D-Bus property, unit text)} of every measurement point with an OBIS code, from
    the property table of docs/dbus.md (generated from the object model, model.c)."""
    out = {}
    with open(os.path.join(top, "docs/dbus.md"), encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and ", OBIS " in cells[2] and cells[0].startswith("`"):
                desc = [x.strip() for x in cells[2].split(",")]
                out[desc[-1].split()[-1]] = (cells[0].strip("`"), desc[1])
    return out


# The DLMS unit code (IEC 62056-6-2's table of units) of each unit docs/dbus.md names
DLMS_UNIT = {"V": 35, "A": 33, "W": 27, "VA": 28, "var": 29, "Hz": 44, "Wh": 30, "varh": 32,
             "VAh": 31, "-1..1": 255}


@contextlib.contextmanager
def section(name):
    """Runs a block of checks; an unexpected error in it (a refusal raised, a closed
    connection, a protocol error) counts as one failure naming the block, and the script goes
    on with the next block."""
    try:
        yield
    except Exception as e:  # pylint: disable=broad-except
        traceback.print_exc()
        check(f"{name}: ran to its end", False, f"{type(e).__name__}: {e}")


def getv(c, *args):
    """c.get(*args)'s plain value, or "refused: NAME" (a value no check expects)."""
    r = c.get_result(*args)
    return r.value() if r.ok else f"refused: {r.dar_name}"


def between(x, a, b, slack=0.0):
    return min(a, b) - slack <= x <= max(a, b) + slack


def time_left(deadline):
    return max(deadline - time.monotonic(), 0.01)
