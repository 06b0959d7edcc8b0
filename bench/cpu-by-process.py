#!/usr/bin/env python3
"""CPU seconds per process (and per thread of node) while a command runs: where the cores go.

    bench/cpu-by-process.py LABEL MOTO_PID POSTMASTER_PID -- COMMAND...

Runs COMMAND (through bash -c), samples /proc every 50 ms: every process of its tree (node per thread: the main
thread, the libuv pool threads that run zlib, V8's helper threads), the children of the postmaster (the backend
serving pg_dump) and moto_server (the emulator). Prints one summary line per role. Linux only; used by
bench/backup.sh with BENCH_PROFILE=1.
"""
import collections
import os
import subprocess
import sys
import time

label, moto, postmaster = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
command = ' '.join(sys.argv[5:] if sys.argv[4] == '--' else sys.argv[4:])
TICK = os.sysconf('SC_CLK_TCK')


def stat(path):
    """(comm, ppid, cpu seconds) of /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat."""
    try:
        with open(path) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rfind(')') + 2:].split()
    return s[s.find('(') + 1:s.rfind(')')], int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def name_of(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            args = f.read().split(b'\0')
    except OSError:
        return '?'
    words = [a.decode(errors='replace') for a in args if a]
    if not words:
        return '?'
    base = os.path.basename(words[0])
    if base.startswith('python') and any('aws' in w for w in words[1:3]):
        return 'aws CLI'
    if base == 'perl' and len(words) > 1:  # Debian's pg_wrapper execs the real binary in the same process
        return os.path.basename(words[1])
    return base


def children():
    kids = collections.defaultdict(list)
    for d in os.listdir('/proc'):
        if d.isdigit():
            s = stat(f'/proc/{d}/stat')
            if s:
                kids[s[1]].append(int(d))
    return kids


def cpu(pid):
    s = stat(f'/proc/{pid}/stat')
    return s[2] if s else 0.0


moto0 = cpu(moto)
backends0 = {p: cpu(p) for p in children()[postmaster]}
t0 = time.time()
proc = subprocess.Popen(['bash', '-c', command])
last = {}  # (pid, which) -> (role, cpu seconds)
names = {}
backends = {}
while True:
    finished = proc.poll() is not None
    kids = children()
    todo, tree = [proc.pid], []
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(kids.get(p, []))
    for p in tree:
        name = names.setdefault(p, name_of(p))
        if name != 'node':
            s = stat(f'/proc/{p}/stat')
            if s:
                last[(p, None)] = (name, s[2])
            continue
        whole, main = stat(f'/proc/{p}/stat'), stat(f'/proc/{p}/task/{p}/stat')
        if whole and main:
            last[(p, 'main')] = ('node main thread', main[2])
            last[(p, 'rest')] = ('node other threads (zlib pool, GC)', whole[2] - main[2])
    for p in kids.get(postmaster, []):
        backends[p] = cpu(p) - backends0.get(p, 0.0)
    moto_s = cpu(moto) - moto0
    if finished:
        break
    time.sleep(0.05)
wall = time.time() - t0
roles = collections.Counter()
for role, seconds in last.values():
    roles[role] += seconds
roles['postgres server'] = sum(backends.values())
roles['moto_server (emulator)'] = moto_s
total = sum(roles.values())
parts = ', '.join(f'{r} {s:.1f}' for r, s in sorted(roles.items(), key=lambda x: -x[1]) if s >= 0.05)
print(f'{label}: wall {wall:.1f}s, CPU {total:.1f}s ({total / wall:.2f} cores): {parts}')
sys.exit(proc.returncode)
