#!/usr/bin/env python3
"""Runs a command and prints its CPU time per thread group (user and system seconds, from /proc/<pid>/task/*/stat,
polled every 30 ms, so a thread that ends between two polls loses at most that much): where a JVM process's CPU goes,
JIT compiler and GC threads included, which a JFR execution profile does not show.

Usage: benchmarks/scripts/thread-cpu.py <command> [args...]   (the command's output goes to thread-cpu.log)
Threads are grouped by name without their trailing number ("C2 CompilerThread0/1" -> "C2 CompilerThre", Linux keeps
15 characters of a name). Linux only.
"""
import collections
import os
import re
import subprocess
import sys
import time

tick = os.sysconf('SC_CLK_TCK')
log = open(os.environ.get('THREAD_CPU_LOG', 'thread-cpu.log'), 'w')
started = time.time()
p = subprocess.Popen(sys.argv[1:], stdout=log, stderr=subprocess.STDOUT)
seen = {}
while p.poll() is None:
    try:
        for tid in os.listdir(f'/proc/{p.pid}/task'):
            try:
                s = open(f'/proc/{p.pid}/task/{tid}/stat').read()
                name = s[s.index('(') + 1:s.rindex(')')]
                f = s[s.rindex(')') + 2:].split()
                seen[tid] = (name, int(f[11]) / tick, int(f[12]) / tick)
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    time.sleep(0.03)
wall = time.time() - started
user, system = collections.Counter(), collections.Counter()
for name, u, s in seen.values():
    group = re.sub(r'[-#]?\d+$', '', name)
    user[group] += u
    system[group] += s
total = user + system
print(f'wall {wall:.2f} s, cpu {sum(user.values()) + sum(system.values()):.2f} s '
      f'(user {sum(user.values()):.2f}, system {sum(system.values()):.2f}), exit {p.returncode}')
for group, cpu in total.most_common():
    if cpu > 0:
        print(f'  {cpu:6.2f} s  (user {user[group]:5.2f}, system {system[group]:5.2f})  {group}')
sys.exit(p.returncode)
