"""Reads a `perf script -F comm,tid,period,ip,sym,dso` dump: one list of (symbol, library file name) per sample, leaf first."""
import re

FRAME = re.compile(r'\s*([0-9a-f]+)\s+(.*)\s+\((.*)\)\s*$')


def read_samples(path):
    samples, current = [], None
    for line in open(path, errors='replace'):
        if not line.strip():
            if current is not None:
                samples.append(current)
            current = None
        elif not line[0].isspace():
            current = []
        elif current is not None and (m := FRAME.match(line)):
            current.append((m.group(2), m.group(3).split('/')[-1]))
    if current is not None:
        samples.append(current)
    return samples
