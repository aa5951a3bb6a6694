#!/usr/bin/env python3
# One markdown table of the figures BENCHMARKS.md compares across full capacity ramps (capacity-ramps.sh's runs):
# a column per run directory, each holding reports/capacity.json, capacity.log (each line prefixed with its epoch time)
# and queues.txt (accept-queues.py).
# Usage: ramp-table.py RUNDIR [RUNDIR …]
import json, os, sys

def ms(v): return "–" if v is None else f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"
def step(s, key): return None if s is None else s.get(key)

def beside_idle_window(log):
    """From the line announcing the 50 % steps beside the idle connections to the second step line after it."""
    start, steps = None, 0
    for line in open(log):
        t, _, text = line.partition(" ")
        if "steps again with the" in text: start = float(t)
        elif start is not None and "offered" in text:
            steps += 1
            if steps == 2: return start, float(t)
    return None

def largest_queue(queues, window):
    if window is None or not os.path.exists(queues): return None
    largest = 0
    for line in open(queues):
        t, *rest = line.split()
        if window[0] <= float(t) <= window[1]:
            largest = max([largest] + [int(q.split(":")[1]) for q in rest])
    return largest

runs = sys.argv[1:]
rows = {k: [] for k in ("primitive floor beside it", "sustained enrolments/s", "service CPU per enrolment at 50 % / saturation",
                        "enrolment p99 at 50 % / 80 %", "sustained renewals/s; service CPU per renewal at saturation",
                        "renewal p99 at 50 % / 80 %", "enrolment / renewal p99 beside 10,000 idle connections",
                        "largest accept queue in those two steps", "generator CPU per enrolment at saturation",
                        "service memory per idle connection")}
for run in runs:
    r = json.load(open(os.path.join(run, "reports", "capacity.json")))
    n, c = r.get("Renewals") or {}, r.get("Connections") or {}
    rows["primitive floor beside it"].append(f"{r['PrimitiveFloorMicroseconds']:.0f} µs")
    rows["sustained enrolments/s"].append(f"{r['CapacityPerSecond']:.1f}")
    rows["service CPU per enrolment at 50 % / saturation"].append(
        f"{ms(step(r.get('AtHalf'), 'ServiceCpuMillisecondsPerEnrolment'))} / {ms(step(r.get('AtSaturation'), 'ServiceCpuMillisecondsPerEnrolment'))}")
    rows["enrolment p99 at 50 % / 80 %"].append(
        f"{ms(step(r.get('AtHalf'), 'P99Milliseconds'))} / {ms(step(r.get('AtEightyPercent'), 'P99Milliseconds'))}")
    rows["sustained renewals/s; service CPU per renewal at saturation"].append(
        f"{n.get('CapacityPerSecond', 0):.1f}; {ms(step(n.get('AtSaturation'), 'ServiceCpuMillisecondsPerEnrolment'))}")
    rows["renewal p99 at 50 % / 80 %"].append(
        f"{ms(step(n.get('AtHalf'), 'P99Milliseconds'))} / {ms(step(n.get('AtEightyPercent'), 'P99Milliseconds'))}")
    rows["enrolment / renewal p99 beside 10,000 idle connections"].append(
        f"{ms(step(r.get('AtHalfBesideIdleConnections'), 'P99Milliseconds'))} / {ms(step(n.get('AtHalfBesideIdleConnections'), 'P99Milliseconds'))}")
    q = largest_queue(os.path.join(run, "queues.txt"), beside_idle_window(os.path.join(run, "capacity.log")))
    rows["largest accept queue in those two steps"].append("–" if q is None else str(q))
    rows["generator CPU per enrolment at saturation"].append(ms(step(r.get("AtSaturation"), "GeneratorCpuMillisecondsPerEnrolment")))
    per = c.get("ServiceBytesPerConnection")
    rows["service memory per idle connection"].append("–" if per is None else f"{per / 1024:.1f} KiB")
print("| | " + " | ".join(os.path.basename(os.path.normpath(r)) for r in runs) + " |")
print("| --- |" + " ---: |" * len(runs))
for name, cells in rows.items(): print(f"| {name} | " + " | ".join(cells) + " |")
