#!/usr/bin/env python3
"""Throughput and peak memory against input size for the unique-users operator (exact and approximate), the plain
loop over its engine and the naive Reactor pipeline (groupBy/distinct): each (variant, size) in a JVM of its own
(io.fluxgate.benchmarks.window.ScalingRun) under /usr/bin/time -v, sizes 10K..10M, variants interleaved per size.
Writes benchmarks/results/scaling.csv (raw, one line per process); benchmarks/scripts/charts.py draws it.

Usage: benchmarks/scripts/scaling.py [--sizes 10000,100000,1000000,10000000] [--xmx 2g] [--skip-build]
Needs benchmarks/target/benchmarks.jar (built unless --skip-build) and /usr/bin/time.
"""
import argparse, csv, os, re, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
VARIANTS = ['operator', 'approximate', 'plain', 'naive']


def rounds_for(n):
    return 5 if n <= 100_000 else (3 if n <= 1_000_000 else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='10000,100000,1000000,10000000')
    ap.add_argument('--variants', default=','.join(VARIANTS))
    ap.add_argument('--xmx', default='2g')
    ap.add_argument('--out', default=os.path.join(ROOT, 'benchmarks/results/scaling.csv'))
    ap.add_argument('--skip-build', action='store_true')
    a = ap.parse_args()
    if not a.skip_build:
        subprocess.run([os.path.join(ROOT, 'mvnw'), '-B', '-q', '-pl', 'benchmarks', '-am', 'package', '-DskipTests'],
                       cwd=ROOT, check=True)
    jar = os.path.join(ROOT, 'benchmarks/target/benchmarks.jar')
    rows = []
    fields = ['variant', 'events', 'rounds', 'wall_s', 'cpu_s', 'events_per_s', 'events_per_cpu_s', 'peak_heap_mib',
              'windows', 'max_rss_mib', 'load1', 'xmx', 'started_at']
    for n in [int(s) for s in a.sizes.split(',')]:
        for v in a.variants.split(','):
            load1 = open('/proc/loadavg').read().split()[0]
            started = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
            tf = '/tmp/scaling-%d.time' % os.getpid()
            p = subprocess.run(['/usr/bin/time', '-v', '-o', tf, 'java', '-Xmx' + a.xmx, '-cp', jar,
                                'io.fluxgate.benchmarks.window.ScalingRun', v, str(n), str(rounds_for(n))],
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit('%s %d failed:\n%s' % (v, n, p.stderr[-3000:]))
            line = [l for l in p.stdout.splitlines() if l.startswith(v + ',')][-1]
            rss_kb = int(re.search(r'Maximum resident set size \(kbytes\): (\d+)', open(tf).read()).group(1))
            row = dict(zip(fields[:9], line.split(',')))
            row.update(max_rss_mib=rss_kb // 1024, load1=load1, xmx=a.xmx, started_at=started)
            rows.append(row)
            print('%-11s %10d events: %12s events/s wall, %12s events/cpu-s, peak heap %5s MiB, max RSS %5d MiB, load %s'
                  % (v, n, row['events_per_s'], row['events_per_cpu_s'], row['peak_heap_mib'], row['max_rss_mib'], load1),
                  flush=True)
            with open(a.out, 'w', newline='') as f:
                w = csv.DictWriter(f, fieldnames=fields)
                w.writeheader()
                w.writerows(rows)


if __name__ == '__main__':
    main()
