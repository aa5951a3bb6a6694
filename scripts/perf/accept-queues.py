#!/usr/bin/env python3
# Samples every listening TCP socket's accept queue (the rx_queue of a LISTEN row in /proc/net/tcp{,6}) until killed;
# writes "<epoch seconds> <port>:<queue> …" for each sample in which a queue was not empty. The kernel lists the
# listening sockets first, so each sample reads only those rows, however many connections are open.
# Usage: accept-queues.py OUT [period-ms, default 10]
import sys, time
out = open(sys.argv[1], "w", buffering=1)
period = (float(sys.argv[2]) if len(sys.argv) > 2 else 10.0) / 1000
while True:
    queued = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)  # the header
                for row in rows:
                    f = row.split()
                    if f[3] != "0A":  # past the listening sockets
                        break
                    queue = int(f[4].split(":")[1], 16)
                    if queue:
                        queued.append(f"{int(f[1].rsplit(':', 1)[1], 16)}:{queue}")
        except OSError:
            continue
    if queued:
        out.write(f"{time.time():.3f} {' '.join(queued)}\n")
    time.sleep(period)
