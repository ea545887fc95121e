"""Helpers for the VM test cases: the emulated chip, the IIO device, checks.

Each case is a script that imports this module, prints one `PASS name` or
`FAIL name: why` line per check and exits non-zero when anything failed.
Expected values are computed here from the grid the test programs into the
emulator, never read back from the code under test.
"""

import array
import ctypes
import fcntl
import glob
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time

EMU_DEBUGFS = "/sys/kernel/debug/ade9000_emu"
IIO_DEVICES = "/sys/bus/iio/devices"
PHASES = "ABC"

_failed = 0
_passed = 0


def log(msg):
    print(msg, flush=True)


def ok(name):
    global _passed
    _passed += 1
    log(f"PASS {name}")


def fail(name, why):
    global _failed
    _failed += 1
    log(f"FAIL {name}: {why}")


def check(cond, name, why=""):
    if cond:
        ok(name)
    else:
        fail(name, why or "condition false")
    return cond


def check_close(actual, expected, rel, name, abs_tol=0.0):
    """Pass when |actual - expected| <= max(rel*|expected|, abs_tol)."""
    tol = max(rel * abs(expected), abs_tol)
    good = abs(actual - expected) <= tol
    check(good, name, f"got {actual!r}, expected {expected!r} ± {tol:.6g}")
    return good


def finish():
    log(f"# {_passed} checks passed, {_failed} failed")
    sys.exit(1 if _failed else 0)


def wait_until(predicate, timeout, what, interval=0.1):
    """Poll predicate() until it returns a true value, and return that value.

    For synchronisation: waiting for the state the next check needs (a sysfs
    value reached, a counter changed, a reader ready). The timeout only keeps a
    broken run finite; it is not a figure under test. On timeout, log what was
    awaited and return the last (false) value: the check that follows still
    asserts the state and fails with its own message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            log(f"INFO wait_until: timed out after {timeout} s waiting for {what}")
            return value
        time.sleep(interval)  # poll interval


# The buffer element carrying each measurement (docs/abi.md, "Buffer"):
# powers and energies of kind k of phase N are index 10 * k + N.
_KIND_INDEX = {"active": 0, "reactive": 10, "apparent": 20}


def scan_name(name):
    """Scan element of a measurement named as its direct read
    ('in_power1_reactive' -> 'in_power11', 'in_current3_rms' -> 'in_current3')."""
    m = re.fullmatch(r"in_(power|energy)(\d)_(active|reactive|apparent)", name)
    if m:
        return f"in_{m[1]}{int(m[2]) + _KIND_INDEX[m[3]]}"
    m = re.fullmatch(r"in_(altvoltage|current)(\d)_rms", name)
    if m:
        return f"in_{m[1]}{m[2]}"
    return name


def readdev(meter, channels, samples, timeout=120, bufsize=None):
    """Capture `samples` scans of `channels` (measurement names, as their
    direct reads) with libiio's iio_readdev.

    Returns the decoded scans (list of dicts keyed by those names)."""
    chans = []
    for c in channels:
        se = scan_name(c)
        with open(meter.attr_path(f"scan_elements/{se}_index")) as f:
            idx = int(f.read())
        with open(meter.attr_path(f"scan_elements/{se}_type")) as f:
            typ = f.read().strip()
        chans.append((c, idx, typ))
    chans.sort(key=lambda c: c[1])
    ids = [scan_name(c[0])[3:] for c in chans]
    if not bufsize:
        # libiio waits for a whole buffer (iio_readdev's default is 256
        # scans) and times out after 5 s: ask for about a second's worth.
        freq = float(meter.read("sampling_frequency"))
        bufsize = max(1, min(samples, int(freq)))
    cmd = ["iio_readdev", "-T", str(timeout * 1000), "-s", str(samples),
           "-b", str(bufsize)]
    cmd += ["ade9000"] + ids
    res = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {res.stderr.decode()}")
    scans, _ = decode_scans(res.stdout, chans)
    return scans


def sh(cmd, check_rc=True, timeout=120):
    res = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                         timeout=timeout)
    if check_rc and res.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed rc={res.returncode}: "
                           f"{res.stderr.strip()}")
    return res


def udev_settle(guard=300):
    """Waits until udev has handled the events queued so far (the device nodes' owners and
    modes the service needs), so that a case starts polymeterd on a device it may open.

    Under TCG with a busy host udev can take minutes on the modules' events; udevadm's own
    timeout is only a guard that keeps a broken run finite (not a figure under test): past it
    the case goes on and its own checks say what is wrong. Returns whether udev settled."""
    try:
        res = sh(f"udevadm settle --timeout={guard}", check_rc=False, timeout=guard + 30)
    except subprocess.TimeoutExpired:
        res = None
    if res is None or res.returncode != 0:
        log(f"INFO udevadm settle: udev still busy after {guard} s; going on")
        return False
    return True


# ---------------------------------------------------------------- emulator

def emu_write(rel, value):
    with open(os.path.join(EMU_DEBUGFS, rel), "w") as f:
        f.write(f"{value}\n")


def emu_read(rel):
    with open(os.path.join(EMU_DEBUGFS, rel)) as f:
        return f.read().strip()


def emu_int(rel):
    return int(emu_read(rel))


def emu_kv(rel):
    """Parse a 'k=v k=v' debugfs file into a dict of ints."""
    out = {}
    for tok in emu_read(rel).split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            out[k] = int(v)
    return out


def set_grid(phase, v_mv=None, i_ma=None, angle_mdeg=None, f_mhz=None,
             thd_permille=None):
    d = f"phase{phase}/"
    if v_mv is not None:
        emu_write(d + "voltage_mv", v_mv)
    if i_ma is not None:
        emu_write(d + "current_ma", i_ma)
    if angle_mdeg is not None:
        emu_write(d + "angle_mdeg", angle_mdeg)
    if f_mhz is not None:
        emu_write(d + "frequency_mhz", f_mhz)
    if thd_permille is not None:
        emu_write(d + "thd_permille", thd_permille)


def truth_energy_j(phase, kind):
    """Ground-truth energy the emulated chip integrated, in J (or var.s, VA.s)."""
    return emu_int(f"phase{phase}/energy_{kind}_mj") / 1000.0


# ---------------------------------------------------------------- modules

def find_meter(timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for d in glob.glob(os.path.join(IIO_DEVICES, "iio:device*")):
            try:
                with open(os.path.join(d, "name")) as f:
                    if f.read().strip() == "ade9000":
                        return Meter(d)
            except OSError:
                pass
        time.sleep(0.2)  # poll interval of this bounded wait
    return None


def load_modules(irq=1, crc=0, label="meter0"):
    """Load the driver and the emulator; return the Meter it creates."""
    unload_modules()
    sh("modprobe ade9000")
    sh(f"modprobe ade9000_emu irq={irq} crc={crc} label={label}")
    m = find_meter()
    if m is None:
        raise RuntimeError("no ade9000 IIO device appeared; dmesg:\n" +
                           sh("dmesg | tail -30", check_rc=False).stdout)
    return m


def unload_modules():
    sh("rmmod ade9000_emu", check_rc=False)
    sh("rmmod ade9000", check_rc=False)


# ---------------------------------------------------------------- IIO device

class Meter:
    def __init__(self, path):
        self.path = path
        self.dev = "/dev/" + os.path.basename(path)

    def attr_path(self, name):
        return os.path.join(self.path, name)

    def has(self, name):
        return os.path.exists(self.attr_path(name))

    def read(self, name):
        with open(self.attr_path(name)) as f:
            return f.read().strip()

    def write(self, name, value):
        """Write an attribute; return 0 or the errno the kernel refused with."""
        try:
            fd = os.open(self.attr_path(name), os.O_WRONLY)
        except OSError as e:
            return e.errno
        try:
            os.write(fd, f"{value}\n".encode())
            return 0
        except OSError as e:
            return e.errno
        finally:
            os.close(fd)

    def num(self, name):
        return float(self.read(name))

    def int(self, name):
        return int(self.read(name))

    def value(self, base):
        """raw × scale for base 'in_altvoltage0_rms' etc."""
        return self.num(base + "_raw") * self.num(base + "_scale")

    # buffer ------------------------------------------------------------
    def scan_elements(self):
        """[(name, index, fmt, bytes)] for enabled channels, in scan order."""
        se = self.attr_path("scan_elements")
        chans = []
        for en in glob.glob(os.path.join(se, "*_en")):
            base = os.path.basename(en)[:-3]
            with open(en) as f:
                if f.read().strip() != "1":
                    continue
            with open(os.path.join(se, base + "_index")) as f:
                idx = int(f.read())
            with open(os.path.join(se, base + "_type")) as f:
                typ = f.read().strip()
            chans.append((base, idx, typ))
        chans.sort(key=lambda c: c[1])
        return chans

    def set_scan(self, names):
        """Enable exactly the scan elements of the named measurements."""
        names = {scan_name(n) for n in names}
        se = self.attr_path("scan_elements")
        for en in glob.glob(os.path.join(se, "*_en")):
            base = os.path.basename(en)[:-3]
            with open(en, "w") as f:
                f.write("1" if base in names else "0")

    def enable_all_scan(self):
        se = self.attr_path("scan_elements")
        for en in glob.glob(os.path.join(se, "*_en")):
            with open(en, "w") as f:
                f.write("1")


def parse_type(typ):
    """'le:s32/32>>0' -> (struct char, bytes, signed, bits, shift, endian)."""
    endian, rest = typ.split(":")
    sign = rest[0]
    bits, rest2 = rest[1:].split("/")
    storage, shift = rest2.split(">>")
    storage = int(storage)
    char = {8: "b", 16: "h", 32: "i", 64: "q"}[storage]
    if sign == "u":
        char = char.upper()
    return char, storage // 8, int(bits), int(shift), endian


def decode_scans(blob, chans):
    """Decode raw buffer bytes into a list of {name: int} dicts.

    IIO aligns each element to its own size inside a scan and the scan to
    its largest element."""
    layout = []
    off = 0
    largest = 1
    for name, _idx, typ in chans:
        char, size, bits, shift, endian = parse_type(typ)
        off = (off + size - 1) // size * size
        layout.append((name, off, char, size, bits, shift, endian))
        off += size
        largest = max(largest, size)
    scan_size = (off + largest - 1) // largest * largest
    scans = []
    for base in range(0, len(blob) - scan_size + 1, scan_size):
        s = {}
        for name, o, char, size, bits, shift, endian in layout:
            fmt = ("<" if endian == "le" else ">") + char
            v = struct.unpack_from(fmt, blob, base + o)[0]
            v >>= shift
            if bits < size * 8:
                mask = (1 << bits) - 1
                v &= mask
                if char.islower() and v & (1 << (bits - 1)):
                    v -= 1 << bits
            s[name] = v
        scans.append(s)
    return scans, scan_size


# ---------------------------------------------------------------- events

IIO_GET_EVENT_FD_IOCTL = 0x80046990  # _IOR('i', 0x90, int)


class EventReader:
    """Reads struct iio_event_data {u64 id; s64 timestamp} from the device."""

    def __init__(self, meter):
        self.devfd = os.open(meter.dev, os.O_RDONLY)
        buf = array.array("i", [0])
        fcntl.ioctl(self.devfd, IIO_GET_EVENT_FD_IOCTL, buf, True)
        self.fd = buf[0]
        os.set_blocking(self.fd, False)

    def read_all(self, wait=0.0, until=None):
        """The events that arrive within `wait` seconds; with `until`, only until
        until(events so far) is true (the awaited event came: no need to wait on)."""
        deadline = time.monotonic() + wait
        out = []
        while True:
            try:
                data = os.read(self.fd, 16 * 64)
            except BlockingIOError:
                data = b""
            for i in range(0, len(data) - 15, 16):
                ev_id, ts = struct.unpack_from("<Qq", data, i)
                out.append(decode_event(ev_id) + (ts,))
            if until is not None and until(out):
                return out
            if not data:
                if time.monotonic() >= deadline:
                    return out
                time.sleep(0.05)  # poll interval: read_all collects for `wait` seconds

    def close(self):
        os.close(self.fd)
        os.close(self.devfd)


# include/uapi/linux/iio/types.h
CHAN_TYPES = {0: "voltage", 1: "current", 2: "power", 9: "temp", 12: "angl",
              15: "altvoltage", 21: "energy"}
EV_TYPES = {0: "thresh", 1: "mag", 2: "roc", 3: "thresh_adaptive",
            4: "mag_adaptive", 5: "change"}
EV_DIRS = {0: "either", 1: "rising", 2: "falling", 3: "none"}


def decode_event(ev_id):
    """Split an IIO event code (include/linux/iio/events.h layout)."""
    chan_type = (ev_id >> 32) & 0xFF
    chan = ev_id & 0xFFFF
    ev_type = (ev_id >> 56) & 0xFF
    ev_dir = (ev_id >> 48) & 0x7F
    return (CHAN_TYPES.get(chan_type, str(chan_type)), chan,
            EV_TYPES.get(ev_type, str(ev_type)), EV_DIRS.get(ev_dir, str(ev_dir)))


# ---------------------------------------------------------------- kernel log

BAD_KERNEL = ("WARNING:", "BUG:", "Oops", "Call Trace", "general protection",
              "KASAN", "UBSAN", "refcount_t", "list_add corruption")


def kernel_clean(name):
    out = sh("dmesg", check_rc=False).stdout
    bad = [ln for ln in out.splitlines() if any(b in ln for b in BAD_KERNEL)]
    check(not bad, name, "; ".join(bad[:5]))


# ---------------------------------------------------------------- grid maths

def phasor(mag, deg):
    r = math.radians(deg)
    return complex(mag * math.cos(r), mag * math.sin(r))


def expected_phase(v_mv, i_ma, angle_deg):
    """Per-phase expectations in IIO units: mV, mA, mW, mvar, mVA, PF."""
    s_mva = v_mv * i_ma / 1000.0  # mV*mA = uW -> /1000 = mW
    return {
        "v": v_mv,
        "i": i_ma,
        "p": s_mva * math.cos(math.radians(angle_deg)),
        "q": s_mva * math.sin(math.radians(angle_deg)),
        "s": s_mva,
        "pf": math.cos(math.radians(angle_deg)),
    }


def boot_param(name, default):
    """A `vmtest.NAME=value` parameter: the case's own (CASE@NAME=value in the
    case list, VMTEST_PARAM_NAME from the runner), else the kernel command
    line's."""
    own = os.environ.get(f"VMTEST_PARAM_{name}")
    if own is not None:
        return own
    with open("/proc/cmdline") as f:
        for tok in f.read().split():
            if tok.startswith(f"vmtest.{name}="):
                return tok.split("=", 1)[1]
    return default


IRQ_MODE = int(boot_param("irq", "1"))
MODE = "irq" if IRQ_MODE else "poll"


def read_counters(m, kinds=("active", "reactive", "apparent")):
    return {(ph, k): m.int(f"in_energy{ph}_{k}_raw")
            for ph in range(3) for k in kinds}


class DaemonRun:
    """polymeterd in --once mode with a huge count: one JSON line per scan, read live."""

    def __init__(self, conf, once=10**9, log_path="/tmp/polymeterd-vm.log"):
        self.log_path = log_path
        self.err = open(log_path, "w")
        self.p = subprocess.Popen(
            ["/usr/sbin/polymeterd", "--config", conf, "--once", str(once)],
            stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.scans = []
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            try:
                s = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.scans.append(s)

    def count(self):
        with self.lock:
            return len(self.scans)

    def last(self):
        with self.lock:
            return self.scans[-1] if self.scans else None

    def wait(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.last()
            if s is not None and pred(s):
                return s
            if self.p.poll() is not None:
                return None
            time.sleep(0.1)  # poll interval of this bounded wait
        return None

    def settle(self, n=5, timeout=30):
        """The newest scan once n more scans arrived (the grid must be at rest)."""
        want = self.count() + n
        deadline = time.monotonic() + timeout
        while self.count() < want and time.monotonic() < deadline and self.p.poll() is None:
            time.sleep(0.1)  # poll interval of this bounded wait
        return self.last() if self.count() >= want else None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.t.join(timeout=5)
        self.err.close()
        return rc

    def log(self):
        with open(self.log_path) as f:
            return f.read()
