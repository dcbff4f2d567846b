#!/usr/bin/env python3
"""Where a process's wall time goes at its end: runs the command given (rounds of it, or of several commands
interleaved), stamps every line it writes (stdout and stderr) with the time since the exec (ms), and prints the wall
time, the process's CPU seconds (user + system, its threads and children, from wait4's rusage), its `phases (ms)` line
if it writes one, and the exit delay: from its last line of output (what a job prints just before it returns from main
or calls System.exit) to the process's end, which is JVM shutdown and the kernel's teardown. A HotSpot 17 JVM with a
thread in native code (an idle network selector in epoll_wait, say) waits up to 300 ms there.

Usage: benchmarks/scripts/exit-timeline.py [--rounds N] [--label NAME -- <command> [args...]]...
  e.g. exit-timeline.py --rounds 5 --label app -- bin/unique-users ... --label plain -- java -cp ... PlainConsumerRun ...
Commands alternate within each round (interleaved); '{run}' in a command becomes a new id per run (a new group id). Prints one line per run and each label's medians. Linux only.
"""
import os
import statistics
import subprocess
import sys
import threading
import time


def one_run(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = []  # (ms since exec, stream, line)
    lock = threading.Lock()

    def pump(stream, name):
        for line in stream:
            now = (time.monotonic() - t0) * 1000
            with lock:
                lines.append((now, name, line.rstrip()))
    threads = [threading.Thread(target=pump, args=(p.stdout, 'out')), threading.Thread(target=pump, args=(p.stderr, 'err'))]
    for t in threads:
        t.start()
    _, status, ru = os.wait4(p.pid, 0)
    end = (time.monotonic() - t0) * 1000
    for t in threads:
        t.join()
    phases = next((l.split('phases (ms): ', 1)[1] for _, _, l in lines if 'phases (ms): ' in l), None)
    last = max((at for at, _, l in lines if l.strip()), default=None)
    return {'wall': end, 'cpu': ru.ru_utime + ru.ru_stime, 'rss_mb': ru.ru_maxrss / 1024,
            'exit': os.waitstatus_to_exitcode(status), 'phases': phases,
            'exit_delay': None if last is None else end - last, 'lines': lines}


def parse(argv):
    """[--rounds N] then groups of [--label NAME] [--] command...; a group ends at the next --label."""
    rounds, jobs, i = 1, [], 0
    if argv[:1] == ['--rounds']:
        rounds, i = int(argv[1]), 2
    label, cmd = None, []
    while i < len(argv):
        tok = argv[i]
        if tok == '--label':
            if cmd:
                jobs.append((label or 'run', cmd))
            label, cmd, i = argv[i + 1], [], i + 2
            if i < len(argv) and argv[i] == '--':
                i += 1
            continue
        if tok == '--' and not cmd:
            i += 1
            continue
        cmd.append(tok)
        i += 1
    if cmd:
        jobs.append((label or 'run', cmd))
    if not jobs:
        sys.exit(__doc__)
    return rounds, jobs


def main():
    rounds, jobs = parse(sys.argv[1:])
    rows = {label: [] for label, _ in jobs}
    for r in range(1, rounds + 1):
        order = jobs[(r - 1) % len(jobs):] + jobs[:(r - 1) % len(jobs)]
        for label, cmd in order:
            load = open('/proc/loadavg').read().split()[0]
            run_id = f"{label}-{r}-{os.getpid()}"
            x = one_run([t.replace('{run}', run_id) for t in cmd])
            rows[label].append(x)
            delay = 'n/a' if x['exit_delay'] is None else f"{x['exit_delay']:.0f}"
            print(f"round {r} {label}: wall {x['wall']:.0f} ms, CPU {x['cpu']:.2f} s, max RSS {x['rss_mb']:.0f} MB,"
                  f" exit code {x['exit']}, last output to exit {delay} ms, load {load}; phases: {x['phases']}",
                  flush=True)
            if x['exit'] != 0:
                print('\n'.join(l for _, _, l in x['lines'][-20:]), file=sys.stderr)
    for label, xs in rows.items():
        def med(key):
            v = [x[key] for x in xs if x[key] is not None]
            return statistics.median(v) if v else float('nan')
        delays = ', '.join('%.0f' % x['exit_delay'] for x in xs if x['exit_delay'] is not None)
        print(f"{label}: median of {len(xs)}: wall {med('wall'):.0f} ms, CPU {med('cpu'):.2f} s, last output to exit"
              f" {med('exit_delay'):.0f} ms (each: {delays})")


if __name__ == '__main__':
    main()
