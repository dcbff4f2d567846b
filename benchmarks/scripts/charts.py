#!/usr/bin/env python3
"""Draws the benchmark charts as SVG (Python 3 standard library only) from the committed raw results:

  benchmarks/results/scaling.csv   (benchmarks/scripts/scaling.py)  -> benchmarks/charts/throughput-vs-size.svg,
                                                                      benchmarks/charts/memory-vs-size.svg
  benchmarks/results/<E2E_CSV>     (benchmarks/scripts/peers-e2e.sh) -> benchmarks/charts/peers-e2e.svg
  (E2E_CSV: the quiet-machine final run, 2026-12-07 session 9; the other peers-e2e*.csv files are kept as history)

Medians are taken here from the raw lines. Usage: benchmarks/scripts/charts.py [results dir] [charts dir] [end-to-end CSV file name, default E2E_CSV]
"""
import csv, math, os, statistics, sys
from xml.sax.saxutils import escape

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLORS = {'operator': '#1f77b4', 'approximate': '#17becf', 'plain': '#2ca02c', 'naive': '#d62728'}
LABELS = {'operator': 'UniqueUsers operator (exact)', 'approximate': 'UniqueUsers operator (approximate, HLL)',
          'plain': 'plain for loop over the engine (ceiling)', 'naive': 'naive Reactor groupBy/distinct'}
FONT = 'font-family="sans-serif"'


def svg(w, h, body):
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">\n'
            '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n' % (w, h, w, h, '\n'.join(body)))


def text(x, y, s, size=12, anchor='start', weight='normal', color='#222', rotate=None):
    t = ' transform="rotate(%d %g %g)"' % (rotate, x, y) if rotate else ''
    return '<text x="%g" y="%g" %s font-size="%d" text-anchor="%s" font-weight="%s" fill="%s"%s>%s</text>' % (
        x, y, FONT, size, anchor, weight, color, t, escape(s))


def nice_max(v):
    if v <= 0:
        return 1
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * e:
            return m * e
    return 10 * e


def human(v):
    for div, suf in ((1e9, 'G'), (1e6, 'M'), (1e3, 'K')):
        if abs(v) >= div:
            s = ('%.1f' % (v / div)).rstrip('0').rstrip('.')
            return s + suf
    return ('%.1f' % v).rstrip('0').rstrip('.')


def line_chart(title, subtitle, ylabel, series, path):
    """series: {name: [(x, y), ...]} with x > 0 on a log axis."""
    W, H, L, R, T, B = 840, 460, 80, 270, 60, 60
    xs = sorted({x for pts in series.values() for x, _ in pts})
    ymax = nice_max(max(y for pts in series.values() for _, y in pts) * 1.05)
    lx0, lx1 = math.log10(xs[0]), math.log10(xs[-1])
    px = lambda x: L + (math.log10(x) - lx0) / ((lx1 - lx0) or 1) * (W - L - R)
    py = lambda y: H - B - y / ymax * (H - T - B)
    body = [text(L, 24, title, 16, weight='bold'), text(L, 42, subtitle, 11, color='#555')]
    for i in range(6):
        y = ymax * i / 5
        body.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#ddd"/>' % (L, py(y), W - R, py(y)))
        body.append(text(L - 6, py(y) + 4, human(y), 11, 'end'))
    for x in xs:
        body.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#eee"/>' % (px(x), T, px(x), H - B))
        body.append(text(px(x), H - B + 16, human(x), 11, 'middle'))
    body.append(text((L + W - R) / 2, H - 18, 'input size (events, log scale)', 12, 'middle'))
    body.append(text(20, (T + H - B) / 2, ylabel, 12, 'middle', rotate=-90))
    body.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#444"/>' % (L, H - B, W - R, H - B))
    body.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#444"/>' % (L, T, L, H - B))
    for i, (name, pts) in enumerate(series.items()):
        c = COLORS.get(name, '#888')
        pts = sorted(pts)
        body.append('<polyline fill="none" stroke="%s" stroke-width="2.5" points="%s"/>' % (
            c, ' '.join('%g,%g' % (px(x), py(y)) for x, y in pts)))
        for x, y in pts:
            body.append('<circle cx="%g" cy="%g" r="4" fill="%s"/>' % (px(x), py(y), c))
        ly = T + 10 + i * 22
        body.append('<rect x="%g" y="%g" width="14" height="4" fill="%s"/>' % (W - R + 14, ly - 4, c))
        body.append(text(W - R + 34, ly + 2, LABELS.get(name, name), 11))
    open(path, 'w').write(svg(W, H, body))


def bar_chart(title, subtitle, rows, path):
    """rows: [(label, wall, cpu, rss_mb, note)] drawn as grouped horizontal bars (wall and CPU seconds)."""
    W, L, R, T, row_h = 900, 330, 150, 70, 44
    H = T + row_h * len(rows) + 50
    vmax = nice_max(max(max(r[1], r[2]) for r in rows) * 1.05)
    px = lambda v: L + v / vmax * (W - L - R)
    body = [text(20, 24, title, 16, weight='bold'), text(20, 42, subtitle, 11, color='#555')]
    for i in range(6):
        v = vmax * i / 5
        body.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#ddd"/>' % (px(v), T - 6, px(v), H - 44))
        body.append(text(px(v), H - 28, human(v) + ' s', 11, 'middle'))
    for i, (label, wall, cpu, rss, note) in enumerate(rows):
        y = T + i * row_h
        body.append(text(L - 8, y + 16, label, 11, 'end'))
        body.append(text(L - 8, y + 30, note, 10, 'end', color='#666'))
        body.append('<rect x="%g" y="%g" width="%g" height="14" fill="#1f77b4"/>' % (L, y + 4, px(wall) - L))
        body.append(text(px(wall) + 4, y + 15, '%.1f s wall' % wall, 10))
        body.append('<rect x="%g" y="%g" width="%g" height="14" fill="#ff7f0e"/>' % (L, y + 20, px(cpu) - L))
        body.append(text(px(cpu) + 4, y + 31, '%.1f s CPU, %d MB RSS' % (cpu, rss), 10))
    body.append('<rect x="%g" y="%g" width="12" height="12" fill="#1f77b4"/>' % (W - R - 200, 50))
    body.append(text(W - R - 184, 60, 'wall time', 11))
    body.append('<rect x="%g" y="%g" width="12" height="12" fill="#ff7f0e"/>' % (W - R - 110, 50))
    body.append(text(W - R - 94, 60, 'CPU time', 11))
    open(path, 'w').write(svg(W, H, body))


def scaling(results, charts):
    path = os.path.join(results, 'scaling.csv')
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    loads = sorted(float(r['load1']) for r in rows)
    sub = ('fresh id string per event, each point its own JVM (-Xmx%s); load average %.1f-%.1f on 2 shared cores'
           % (rows[0]['xmx'], loads[0], loads[-1]))
    by = {}
    for r in rows:
        by.setdefault(r['variant'], {}).setdefault(int(r['events']), []).append(r)
    med = lambda rs, k: statistics.median(float(r[k]) for r in rs)
    line_chart('Unique users per minute: throughput against input size', sub, 'events per second (wall)',
               {v: [(n, med(rs, 'events_per_s')) for n, rs in d.items()] for v, d in by.items()},
               os.path.join(charts, 'throughput-vs-size.svg'))
    line_chart('Unique users per minute: throughput per CPU-second against input size', sub,
               'events per CPU-second (all threads)',
               {v: [(n, med(rs, 'events_per_cpu_s')) for n, rs in d.items()] for v, d in by.items()},
               os.path.join(charts, 'throughput-cpu-vs-size.svg'))
    line_chart('Unique users per minute: peak memory against input size', sub + '; max RSS of the process',
               'max resident set size (MiB)',
               {v: [(n, med(rs, 'max_rss_mib')) for n, rs in d.items()] for v, d in by.items()},
               os.path.join(charts, 'memory-vs-size.svg'))


E2E_LABELS = {'plain': 'plain KafkaConsumer, read only', 'app-exact': 'bin/unique-users (exact)',
              'app-approx': 'bin/unique-users --mode approximate', 'ks-exact-rocksdb': 'Kafka Streams exact, RocksDB',
              'ks-exact-memory': 'Kafka Streams exact, in-memory', 'ks-hll-rocksdb': 'Kafka Streams HLL, RocksDB',
              'ks-hll-memory': 'Kafka Streams HLL, in-memory',
              'app-exact-nocds': 'bin/unique-users (exact), no CDS archive'}
E2E_CSV = 'peers-e2e-1m-quiet-s9.csv'


def e2e(results, charts, name=E2E_CSV):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return
    rows = list(csv.DictReader(open(path)))
    jobs = []
    for r in rows:
        if r['job'] not in jobs:
            jobs.append(r['job'])
    out = []
    for j in jobs:
        rs = [r for r in rows if r['job'] == j]
        m = lambda k: statistics.median(float(r[k]) for r in rs)
        out.append((E2E_LABELS.get(j, j), m('wall_s'), m('cpu_s'), m('max_rss_kb') / 1024,
                    '%d run(s); windows %s' % (len(rs), rs[0]['windows'])))
    loads = sorted(float(r['load1']) for r in rows)
    rounds = max(int(r['round']) for r in rows)
    frames = '{:,} frames,'.format(int(rows[0]['frames'])) if rows[0].get('frames') else ''
    bar_chart('Unique users per minute end to end: each job its own process, JVM start included',
              '%s one topic in one embedded broker, medians of %d interleaved round(s); load average %.1f-%.1f on 2'
              ' shared cores' % (frames, rounds, loads[0], loads[-1]), out,
              os.path.join(charts, 'peers-e2e.svg'))


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'benchmarks/results')
    charts = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'benchmarks/charts')
    os.makedirs(charts, exist_ok=True)
    scaling(results, charts)
    e2e(results, charts, sys.argv[3] if len(sys.argv) > 3 else E2E_CSV)


if __name__ == '__main__':
    main()
