// Live chart of the closed windows of /windows/stream, drawn as SVG by hand: nothing is fetched from elsewhere.
(function () {
  'use strict';
  var MAX_BARS = 60;               // the chart shows the most recent windows
  var SVG = 'http://www.w3.org/2000/svg';
  var W = 960, H = 320, LEFT = 48, BOTTOM = 24, TOP = 12;
  var windows = new Map();         // start -> {start, end, uniqueUsers, events}

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function label(start) {
    // window starts are Unix seconds; the hour and minute in UTC name a one-minute window
    return new Date(start * 1000).toISOString().slice(11, 16);
  }

  function niceMax(v) {
    if (v <= 5) { return 5; }
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) { if (steps[i] * p >= v) { return steps[i] * p; } }
    return 10 * p;
  }

  function draw() {
    var all = Array.from(windows.values()).sort(function (a, b) { return a.start - b.start; });
    var shown = all.slice(-MAX_BARS);
    var bars = document.getElementById('bars'), grid = document.getElementById('grid'),
        labels = document.getElementById('labels');
    clear(bars); clear(grid); clear(labels);
    document.getElementById('empty').hidden = shown.length > 0;
    var max = niceMax(shown.reduce(function (m, w) { return Math.max(m, w.uniqueUsers); }, 0));
    var plotH = H - TOP - BOTTOM, plotW = W - LEFT - 8;
    for (var g = 0; g <= 4; g++) {
      var y = TOP + plotH - plotH * g / 4;
      grid.appendChild(el('line', {x1: LEFT, x2: W - 8, y1: y, y2: y}));
      labels.appendChild(el('text', {x: LEFT - 6, y: y + 4, 'text-anchor': 'end'}, String(Math.round(max * g / 4))));
    }
    var slot = plotW / Math.max(shown.length, 10);
    var every = Math.ceil(shown.length / 12);
    shown.forEach(function (w, i) {
      var h = plotH * w.uniqueUsers / max;
      var x = LEFT + i * slot + slot * 0.15;
      var bar = el('rect', {'class': 'bar', x: x, y: TOP + plotH - h, width: slot * 0.7, height: Math.max(h, 1),
                            'data-start': w.start, 'data-users': w.uniqueUsers});
      bar.appendChild(el('title', {}, label(w.start) + ' UTC: ' + w.uniqueUsers + ' users, ' + w.events + ' frames'));
      bars.appendChild(bar);
      if (i % every === 0) {
        labels.appendChild(el('text', {x: x + slot * 0.35, y: H - 6, 'text-anchor': 'middle'}, label(w.start)));
      }
    });
    var body = document.querySelector('#windows tbody');
    clear(body);
    all.slice().reverse().slice(0, MAX_BARS).forEach(function (w) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-start', w.start);
      var when = new Date(w.start * 1000).toISOString().replace('T', ' ').slice(0, 16);
      [when, w.uniqueUsers, w.events].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = String(v);
        td.className = ['time', 'users', 'frames'][i];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function showBreaker(b) {
    var s = document.getElementById('breaker-state');
    s.textContent = b.state;
    s.className = 'state-' + b.state;
    var detail = b.failureRate >= 0 ? 'failure rate ' + b.failureRate.toFixed(0) + '%' : '';
    if (b.retryAfterSeconds > 0) { detail += (detail ? ', ' : '') + 'retry in ' + b.retryAfterSeconds + ' s'; }
    document.getElementById('breaker-detail').textContent = detail;
  }

  function showConnection(ok) {
    var c = document.getElementById('connection');
    c.textContent = ok ? 'live' : 'reconnecting';
    c.className = ok ? 'state-open' : 'state-error';
  }

  var source = new EventSource('windows/stream');
  source.addEventListener('open', function () { showConnection(true); });
  source.addEventListener('error', function () { showConnection(false); });   // EventSource reconnects by itself
  source.addEventListener('window', function (e) {
    var w = JSON.parse(e.data);
    windows.set(w.start, w);
    draw();
  });
  source.addEventListener('breaker', function (e) { showBreaker(JSON.parse(e.data)); });
  draw();
}());
