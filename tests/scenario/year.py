#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Independent totals for tests/scenario/year.scn.

Works out, hour by hour and with plain integer arithmetic, what a year of the customer in
year.scn costs under tests/scenario/year-tariff.json (prices copied below from that file, not
read through our parser), and checks that every "expect" line of year.scn says the same. It
does not call the engines: if the engines and this script disagree, the scenario runner fails
on year.scn; if this script and year.scn disagree, this script fails.

Money is in mu (1/1000 p), energy in mWh, as the engines count them.
"""
import calendar
import datetime
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# year-tariff.json, by hand: mu per kWh [block 1, block 2], threshold, export, standing.
PRICE = {1: (10_000, 12_000), 2: (20_000, 24_000)}
THRESHOLD_MWH = 300_000_000
EXPORT_MU_PER_KWH = 5_000
STANDING_WEEKLY_MU = 7 * 50_000
# year.scn
DEBT_MU = 10_000_000
DEBT_WEEKLY_MU = 200_000
FIRST_TOPUP_MU = 15_000_000
MONTHLY_TOPUP_MU = 10_000_000
SLOT_S = 6048

start = int(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
end = int(datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


def rate_at(hour):
    return 1 if hour < 7 else 2


def import_w(hour):
    return 1000 if hour < 7 else 500


def export_w(hour):
    return 1500 if 10 <= hour < 16 else 0


def instalment(weekly, k):
    return weekly * (k + 1) // 100 - weekly * k // 100


imported = {1: 0, 2: 0}
exported = 0
energy_umu = 0  # mWh x mu/kWh = 1e-6 mu
export_umu = 0
standing = 0
debt_paid = 0
topups = FIRST_TOPUP_MU
payments = 1
balance = FIRST_TOPUP_MU
lowest = balance
period_mwh = 0
month = 1
next_standing = 0  # instalment index
debt_left = DEBT_MU
debt_done = 0  # instalments dealt with; the debt is set at `start` and counts from then

for t in range(start, end, 3600):
    day = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    if day.month != month:  # a new billing period and the monthly top-up, at 00:00 on the 1st
        month = day.month
        period_mwh = 0
        topups += MONTHLY_TOPUP_MU
        balance += MONTHLY_TOPUP_MU
        payments += 1
    hour = day.hour
    r = rate_at(hour)
    e = import_w(hour) * 3600 * 1000 // 3600  # mWh in this hour
    imported[r] += e
    # split at the block threshold
    in_block1 = max(0, min(e, THRESHOLD_MWH - period_mwh))
    cost = in_block1 * PRICE[r][0] + (e - in_block1) * PRICE[r][1]
    period_mwh += e
    before = energy_umu // 1_000_000
    energy_umu += cost
    balance -= energy_umu // 1_000_000 - before
    x = export_w(hour) * 1000
    exported += x
    before = export_umu // 1_000_000
    export_umu += x * EXPORT_MU_PER_KWH
    balance += export_umu // 1_000_000 - before
    # standing charge instalments due by the end of this hour
    while start + (next_standing + 1) * SLOT_S <= t + 3600:
        j = next_standing
        amount = instalment(STANDING_WEEKLY_MU, j)
        standing += amount
        balance -= amount
        next_standing += 1
    # debt instalments due by the end of this hour: instalment n (from 1) at start + n x 6048 s
    # (manual §8.10, counted from when the debt was set)
    while start + (debt_done + 1) * SLOT_S <= t + 3600 and debt_left > 0:
        amount = min(instalment(DEBT_WEEKLY_MU, debt_done % 100), debt_left)
        debt_done += 1
        debt_left -= amount
        debt_paid += amount
        balance -= amount
    lowest = min(lowest, balance)

assert lowest > 0, f"the customer would run out of credit ({lowest} mu)"


def money(mu):
    return f"{mu // 100_000}.{mu % 100_000:05d}".rstrip("0").rstrip(".")


def kwh(mwh):
    return f"{mwh // 1_000_000}.{mwh % 1_000_000:06d}".rstrip("0").rstrip(".")


computed = {
    "import 1": kwh(imported[1]),
    "import 2": kwh(imported[2]),
    "export": kwh(exported),
    "export_credit": money(export_umu // 1_000_000),
    "standing": money(standing),
    "debt_paid": money(debt_paid),
    "time_debt": money(debt_left),
    "payments": str(payments),
    "total_credit": money(topups),
    "energy_cost": money(energy_umu // 1_000_000),
    "balance": money(balance),
    "supply": "closed",
    "unserved_s": "0",
}


def canon(value):
    """'100.00' and '100' are the same amount."""
    return value.rstrip("0").rstrip(".") if "." in value else value


failed = 0
checked = set()
with open(os.path.join(HERE, "year.scn")) as f:
    lines = [line.split("#")[0].split() for line in f]
# the final block of expectations (after the last run)
last_run = max(i for i, w in enumerate(lines) if w and w[0] == "run")
for words in lines[last_run + 1:]:
    if not words or words[0] != "expect":
        continue
    key = " ".join(words[1:-1])
    if key not in computed:
        print(f"year.py: no independent value for 'expect {key}'")
        failed += 1
        continue
    checked.add(key)
    if canon(words[-1]) != canon(computed[key]):
        print(f"year.py: expect {key} {words[-1]}, computed {computed[key]}")
        failed += 1
for key in sorted(set(computed) - checked):
    print(f"year.py: year.scn does not expect {key} (computed {computed[key]})")
    failed += 1
print(f"year.py: {len(checked)} totals computed independently, {failed} disagree")
sys.exit(1 if failed else 0)
