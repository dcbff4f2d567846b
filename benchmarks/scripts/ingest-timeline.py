#!/usr/bin/env python3
"""Where a bin/ingest process's wall time goes, from its exec to its exit: runs the command given, stamps each line it
writes to stderr with the time since the exec (ms), and prints the wall time, the process's CPU seconds (user + system,
its threads and children, from wait4's rusage), the app's `phases (ms)` line, and the exit delay: from that line (the
last thing the app writes, just before System.exit) to the process's end, which is JVM shutdown and the kernel's
teardown. The phases line starts with "start-up", the process's age when main() began (bin/ingest's shell included, as
it execs java), so the line and the delay together account for the whole run.

Usage: benchmarks/scripts/ingest-timeline.py [--rounds N] [--setup 'shell command'] -- <command> [args...]
  --setup runs before every round (e.g. a TRUNCATE); the command's stdout goes to /dev/null.
Prints one line per round and the medians. Linux only (wait4).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time


def one_round(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
    phases_at, phases, other = None, None, []
    for line in p.stderr:
        now = (time.monotonic() - t0) * 1000
        if 'phases (ms)' in line:
            phases_at, phases = now, line.strip().split('phases (ms): ', 1)[1]
        else:
            other.append(line.rstrip())
    _, status, ru = os.wait4(p.pid, 0)
    end = (time.monotonic() - t0) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    return {
        'wall': end, 'cpu': ru.ru_utime + ru.ru_stime, 'rss_mb': ru.ru_maxrss / 1024, 'exit': p.returncode,
        'phases': phases, 'exit_delay': None if phases_at is None else end - phases_at, 'other': other,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=1)
    ap.add_argument('--setup')
    ap.add_argument('cmd', nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    if not cmd:
        ap.error('no command')
    rows = []
    for r in range(1, a.rounds + 1):
        if a.setup:
            subprocess.run(a.setup, shell=True, check=True)
        load = open('/proc/loadavg').read().split()[0]
        x = one_round(cmd)
        rows.append(x)
        delay = 'n/a' if x['exit_delay'] is None else f"{x['exit_delay']:.0f}"
        print(f"round {r}: wall {x['wall']:.0f} ms, CPU {x['cpu']:.2f} s, max RSS {x['rss_mb']:.0f} MB, exit code "
              f"{x['exit']}, phases: {x['phases']}; phases line to exit {delay} ms; load average {load}", flush=True)
        if x['exit'] != 0:
            print('\n'.join(x['other'][-20:]), file=sys.stderr)

    def med(key):
        v = [x[key] for x in rows if x[key] is not None]
        return statistics.median(v) if v else float('nan')
    per_phase = {}
    for x in rows:
        for name, ms in re.findall(r'([a-z -]+?) (\d+)(?:,|$)', x['phases'] or ''):
            per_phase.setdefault(name.strip(), []).append(int(ms))
    print(f"median of {len(rows)}: wall {med('wall'):.0f} ms, CPU {med('cpu'):.2f} s, phases line to exit "
          f"{med('exit_delay'):.0f} ms; phases (ms): "
          + ', '.join(f'{k} {statistics.median(v):.0f}' for k, v in per_phase.items()))


if __name__ == '__main__':
    main()
