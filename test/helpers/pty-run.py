#!/usr/bin/env python3
# pty-run.py tty|pipe SECONDS INPUT CMD... — run CMD with stderr on a pseudo-terminal (tty) or a
# pipe (pipe), its stdin fed INPUT's bytes in 20 slices spread over SECONDS; print what CMD wrote
# on stderr, exit with CMD's status. Used by test/integration/progress.test.ts (a real terminal,
# no node-pty).
import os, select, subprocess, sys, time

mode, secs, inp, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
data = open(inp, 'rb').read()
if mode == 'tty':
    master, slave = os.openpty()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
else:
    master = None
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
out = bytearray()

def drain(until):
    while True:
        left = until - time.time()
        if left <= 0 and until != float('inf'):
            return
        r, _, _ = select.select([master], [], [], max(0, left) if until != float('inf') else None)
        if not r:
            continue
        try:
            c = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not c:
            return
        out.extend(c)

steps = 20
for i in range(steps):
    try:
        p.stdin.write(data[len(data) * i // steps:len(data) * (i + 1) // steps])
        p.stdin.flush()
    except BrokenPipeError:
        break
    if master is not None:
        drain(time.time() + secs / steps)
    else:
        time.sleep(secs / steps)
try:
    p.stdin.close()
except BrokenPipeError:
    pass
if master is not None:
    drain(float('inf'))
else:
    out.extend(p.stderr.read())
rc = p.wait()
sys.stdout.buffer.write(bytes(out))
sys.exit(rc)
