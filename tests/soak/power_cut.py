#!/usr/bin/python3
"""make soak, the power-cut part (started by tests/soak/power-cut-vm, which builds the image):
boots the guest CUTS + 1 times from one disk image and cuts its power CUTS times.

Each boot runs the guest case tests/vm/cases/power_cut (its docstring lists the POWERCUT lines
it prints). Once a boot says READY (polymeterd, the systemd service, metering 13.8 kW and
checkpointing every 2 or 3 scans, top-ups going on over D-Bus), this waits a random 0 to 8 s
and kills qemu with SIGKILL: the guest loses its memory and whatever its disk had not been
told to write, as a gateway does when the power goes. The next boot, from the same image,
reports what the store kept, and is judged against what the console said before the cut:

- the store opens clean: the service's quick_check at open passed (StoreOK) and SQLite's
  PRAGMA integrity_check says "ok";
- no register went backwards: every +A register (L1, L2, L3, total) in the store is at least
  the largest value seen committed to it before (STORED lines, read beside the service);
- every top-up acknowledged before the cut (polymeterctl returned, so the daemon had committed
  it: docs/dbus.md) is in the store;
- the energy lost is within checkpoint_wh (1 Wh) a register: the largest value DLMS served
  before the cut minus the store's after it. polymeterd is one thread: it answers a request
  only after it has handled the last scan, and a scan that leaves a register 1 Wh or more above
  its checkpoint saves it before anything else runs, so what was served was less than
  checkpoint_wh above what was committed. (A lower bound of the real loss: the register grew
  on after the last reading the console carried.)
- the registers go on from the store: every value DLMS serves after the boot is at least what
  the store held at the boot.

The last boot runs the case to its end (the service meters on and stops cleanly, the store's
integrity_check after that); its PASS/FAIL lines are counted too, and at the end e2fsck -fn
checks the image's file system. A boot that crashes before the guest's test runner starts (the
kernel's, under TCG: tests/vm/README.md) is booted once more, and said so.

Usage: power_cut.py CUTS IMAGE LOG -- QEMU-COMMAND...   (the command's -append is extended with
vmtest.cut_boot=I and vmtest.cut_total=CUTS at each boot)
"""
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests/lib"))
from checks import add, check, finish  # noqa: E402

cuts = int(sys.argv[1])
image = sys.argv[2]
log_path = sys.argv[3]
assert sys.argv[4] == "--", "usage: power_cut.py CUTS IMAGE LOG -- QEMU-COMMAND..."
qemu = sys.argv[5:]
REGISTERS = ("L1 +A", "L2 +A", "L3 +A", "total +A")
CHECKPOINT_MWH = 1000  # checkpoint_wh = 1, the default the guest's configuration keeps
CUT_WINDOW_S = 8.0     # the cut falls at a random moment this long after READY
# Bounds on a broken run, not limits of the feature: a boot that has not said READY (or, the
# last one, finished) by then has hung.
BOOT_GUARD_S = 1200
# The kernel log lines that fail a boot (tests/vm/lib's VM_KERNEL_BAD).
KERNEL_BAD = re.compile(r"WARNING:|BUG:|kernel BUG at|Oops|Call Trace|general protection|"
                        r"KASAN|UBSAN|Kernel panic|blocked for more than")


class Boot:
    """One boot of the guest: qemu started, its console read by a thread, every POWERCUT line
    kept in order. ready / done are set when the guest says READY / VMTEST DONE."""

    def __init__(self, number, log):
        self.number = number
        argv = list(qemu)
        i = argv.index("-append") + 1
        argv[i] += f" vmtest.cut_boot={number} vmtest.cut_total={cuts}"
        log.write(f"=== boot {number}: {' '.join(argv)}\n")
        self.log = log
        self.lines = queue.Queue()   # (kind, words) of every POWERCUT line, in order
        self.ready = threading.Event()
        self.done = threading.Event()
        self.ended = threading.Event()  # the console closed: qemu is gone
        self.started = False          # VMTEST START seen: the guest's runner is up
        self.crashed = False          # the kernel panicked or oopsed
        self.no_root = False          # the initramfs or ext4 found the disk wrong
        self.passed = self.failed = 0  # the case's own PASS / FAIL lines
        self.fails = []
        self.kernel_bad = []
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        dmesg = False
        for raw in self.p.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n").replace("\r", "")
            self.log.write(line + "\n")
            if line.startswith("VMTEST DMESG "):
                dmesg = line.endswith(" BEGIN")
            elif dmesg:
                if KERNEL_BAD.search(line):
                    self.kernel_bad.append(line)
            elif re.search(r"Kernel panic|Oops", line):
                self.crashed = True
            elif re.search(r"vmtest-init:|EXT4-fs error", line):
                self.no_root = True
            elif line.startswith("VMTEST START"):
                self.started = True
            elif line.startswith("VMTEST DONE"):
                self.done.set()
            elif line.startswith("POWERCUT "):
                words = line.split()
                self.lines.put((words[1], words[2:]))
                if words[1] == "READY":
                    self.ready.set()
            elif line.startswith("PASS "):
                self.passed += 1
            elif line.startswith("FAIL "):
                self.failed += 1
                self.fails.append(line)
                print(line, flush=True)
        self.log.flush()
        self.ended.set()

    def wait_for(self, event):
        """Waits until the guest said what sets event (True) or its console closed (False),
        within BOOT_GUARD_S."""
        deadline = self.t0 + BOOT_GUARD_S
        while time.monotonic() < deadline and not self.ended.is_set():
            if event.wait(timeout=1.0):  # wakes at least every second to notice the end
                return True
        return event.is_set()

    def cut(self):
        """The power cut: qemu dies at once, nothing of the guest's memory reaches the disk."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
        self.end()

    def end(self):
        """Waits for qemu (killed, powered off, or its guard passed) and the console's end."""
        try:
            self.p.wait(timeout=max(1.0, self.t0 + BOOT_GUARD_S - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.reader.join()

    def facts(self):
        """Every POWERCUT line of the boot, in order."""
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out


def boot(number, log):
    """Starts boot `number`; a guest kernel crash before its test runner starts, the disk not
    in question, gets a second boot (tests/vm/README.md: qemu's TCG and the kernel's live
    patching, about 1 boot in 50; on a busy host also "IO-APIC + timer doesn't work", the
    emulated timer too slow for the kernel's first check)."""
    global current
    current = b = Boot(number, log)
    event = b.done if number == cuts else b.ready
    if b.wait_for(event) or b.started:
        return b, 0
    b.end()  # the whole console read
    if not b.crashed or b.no_root:
        return b, 0
    print(f"boot {number}: the guest kernel crashed before its test runner started; booting again "
          f"(console in {log_path})", flush=True)
    current = b = Boot(number, log)
    b.wait_for(b.done if number == cuts else b.ready)
    return b, 1


highest = [0, 0, 0, 0]       # the largest value seen committed to each register
acknowledged = []            # every top-up reference acknowledged before a cut
losses = []                  # per cut: served before it - stored after it, per register
bad_open, backwards, behind, kernel, no_ready = [], [], [], [], []
missing = set()              # acknowledged references a boot's store did not have
retries = 0
judged = 0                   # cuts whose next boot reported
served = None                # the largest values DLMS served in the boot before this one
rng = random.Random(int(os.environ.get("POWER_CUT_SEED", "1")))


def judge(n, facts):
    """Weighs boot n's POWERCUT lines against what the boots before it said."""
    global highest, served, judged
    refs, at_boot, live_max = set(), None, None
    if n > 0:
        judged += 1
        if not any(kind == "OPENED" for kind, _ in facts):
            bad_open.append(f"after cut {n}: no report")
    for kind, words in facts:
        if kind == "OPENED":
            fields = dict(w.split("=", 1) for w in words)
            if fields.get("store_ok") != "true" or fields.get("integrity") != "ok":
                bad_open.append(f"after cut {n}: {fields}")
        elif kind == "BOOTSTORED":
            at_boot = [int(w) for w in words]
            backwards.extend(f"after cut {n}: {REGISTERS[r]} {highest[r]} -> {at_boot[r]}"
                             for r in range(4) if at_boot[r] < highest[r])
            if served:
                losses.append([served[r] - at_boot[r] for r in range(4)])
            highest = [max(h, v) for h, v in zip(highest, at_boot)]
        elif kind == "REF":
            refs.update(words)
        elif kind == "REFS":
            missing.update(r for r in acknowledged if r not in refs)
        elif kind == "ACK":
            acknowledged.append(words[0])
        elif kind == "LIVE":
            live = [int(w) for w in words]
            if at_boot:
                behind.extend(f"boot {n}: {REGISTERS[r]} served {live[r]} < stored at boot "
                              f"{at_boot[r]}" for r in range(4) if live[r] < at_boot[r])
            live_max = live if live_max is None else list(map(max, live_max, live))
        elif kind == "STORED":
            stored = [int(w) for w in words]
            backwards.extend(f"boot {n}: {REGISTERS[r]} {highest[r]} -> {stored[r]}"
                             for r in range(4) if stored[r] < highest[r])
            highest = [max(h, v) for h, v in zip(highest, stored)]
    served = live_max
    return at_boot, live_max


def stop(signum, frame):
    """SIGTERM (or Ctrl-C) ends the run early: the summary is still printed, and fails."""
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, stop)
t_start = time.monotonic()
stopped = None
with open(log_path, "w", buffering=1) as log:  # line by line: it can be followed
    current = None  # the boot running, for a stop in the middle of it
    try:
        for n in range(cuts + 1):
            b, retried = boot(n, log)
            retries += retried
            last = n == cuts
            if not last and b.ready.is_set() and b.p.poll() is None:
                time.sleep(rng.uniform(0.0, CUT_WINDOW_S))  # part of the test: a random moment
                b.cut()
            else:
                b.end()
            facts = b.facts()
            if not last and ("READY", []) not in facts:
                no_ready.append(n)
            add(b.passed, b.failed)
            kernel += [f"boot {n}: {line}" for line in b.kernel_bad]
            measured = len(losses)
            at_boot, live_max = judge(n, facts)
            loss = f", served - stored {losses[-1]}" if len(losses) > measured else ""
            print(f"boot {n}: {time.monotonic() - b.t0:.0f} s, {'finished' if last else 'cut'}; "
                  f"stored at boot {at_boot}{loss}, served at most {live_max}; so far "
                  f"{len(bad_open)} unclean opens, {len(backwards)} registers back, "
                  f"{len(acknowledged)} top-ups acknowledged, {len(missing)} missing",
                  flush=True)
            current = None
    except KeyboardInterrupt:
        stopped = judged
        if current is not None:
            current.cut()

total_s = time.monotonic() - t_start
fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True,
                      check=False) if stopped is None else None
worst = [max((c[r] for c in losses), default=None) for r in range(4)]
if stopped is not None:
    print(f"SOAK stopped after {judged} of {cuts} cuts")
print(f"SOAK {judged} power cuts judged in {total_s:.0f} s ({retries} boots done again after "
      f"a crash before the test runner)")
print(f"SOAK store opened clean after {judged - len(bad_open)} of {judged} cuts; registers "
      f"went backwards: {len(backwards)}")
print(f"SOAK top-ups acknowledged before a cut: {len(acknowledged)}; missing after: "
      f"{len(missing)}")
print("SOAK energy lost at a cut (mWh served over DLMS before it - stored after it, a lower "
      "bound) at most: " + ", ".join(f"{REGISTERS[r]} {worst[r]}" for r in range(4)) +
      f" over {len(losses)} cuts, {sum(max(c) > 0 for c in losses)} of them with a loss seen "
      f"(bound {CHECKPOINT_MWH} a register)")
check("power_cut_all_cuts", stopped is None and judged == cuts, f"{judged} of {cuts} judged")
check("power_cut_every_boot_ready", not no_ready, f"boots without READY: {no_ready}")
check("power_cut_store_opens_clean", not bad_open, "; ".join(bad_open[:5]))
check("power_cut_no_register_backwards", not backwards, "; ".join(backwards[:5]))
check("power_cut_acknowledged_topups_kept", acknowledged and not missing,
      f"{len(acknowledged)} acknowledged; missing " + ", ".join(sorted(missing)[:5]))
check("power_cut_loss_within_checkpoint_wh", len(losses) == judged and
      all(max(c) < CHECKPOINT_MWH for c in losses),
      f"{len(losses)} cuts measured of {judged}; worst {worst}")
check("power_cut_registers_go_on_from_store", not behind, "; ".join(behind[:5]))
check("power_cut_kernel_log_clean", not kernel, "; ".join(kernel[:5]))
if stopped is None:  # a stopped run's disk is as the last cut left it, not cleanly shut down
    check("power_cut_file_system_clean", fsck.returncode == 0,
          (fsck.stdout + fsck.stderr).strip()[-500:])
finish()
