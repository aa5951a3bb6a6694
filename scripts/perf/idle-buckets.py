#!/usr/bin/env python3
"""Per half second of a wall-clock perf script (profile-idle-steps.sh), the service's samples and those in each kind of
background work, in seconds after the ramp's "service: its own process" line (the service starts just after it).
Usage: idle-buckets.py script.txt capacity.log"""
import collections
import re
import sys

script, log = sys.argv[1], sys.argv[2]
start = next(float(line.split(' ', 1)[0]) for line in open(log) if 'service: its own process' in line)
KINDS = {
    # the walk's own frames (an append hashes too, through AuditChain.CreateEntry, and is not counted)
    'audit walk': re.compile(r'AuditChainVerifier|StorePages|AuditCheckpoint|ReadAuditRange|BackgroundLane'),
    'inventory sweep': re.compile(r'InventorySweep|MonitorGrain'),
    'gc': re.compile(r'gc_heap|GCHeap|WKS::|SVR::|\.NET BGC|\.NET Server GC'),
    'sqlite': re.compile(r'libe_sqlite3'),
    'lane thread': re.compile(r'^iotid walks'),
}
buckets = collections.defaultdict(collections.Counter)


def count(bucket, head, frames):
    if bucket is None:
        return
    text = head.lstrip() + '\n' + '\n'.join(frames)
    buckets[bucket]['samples'] += 1
    for kind, pattern in KINDS.items():
        if pattern.search(text):
            buckets[bucket][kind] += 1


bucket, head, frames = None, '', []
for line in open(script, errors='replace'):
    if line.strip() and not line[0].isspace():
        count(bucket, head, frames)
        stamp = re.search(r'\s(\d+\.\d+):', line)
        bucket = int((float(stamp.group(1)) - start) * 2) / 2 if stamp else None
        head, frames = line, []
    elif line.strip():
        frames.append(line)
count(bucket, head, frames)
print('s after start  samples  ' + '  '.join(KINDS))
for b in sorted(buckets):
    c = buckets[b]
    print(f'{b:13.1f}  {c["samples"]:7d}  ' + '  '.join(f'{c[k]:{len(k)}d}' for k in KINDS))
