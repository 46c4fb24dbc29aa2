// Hand-drawn SVG charts for the analysis page: no library, no network. Each returns an <svg class="chart">
// carrying data-chart (its kind) so that tests and users can find it.
const NS = 'http://www.w3.org/2000/svg';
export const COLORS = { canary: '#d9480f', stable: '#1864ab' };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(kind, width, height, title) {
  const s = el('svg', { class: 'chart', 'data-chart': kind, viewBox: `0 0 ${width} ${height}`, width, height,
    role: 'img' });
  s.appendChild(el('title', {}, title));
  return s;
}

/** Short human number: 0.0412, 1.98e+08 → 198M, 12.5k. */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) {
    if (a >= 1e9) return (v / 1e9).toPrecision(3) + 'G';
    if (a >= 1e6) return (v / 1e6).toPrecision(3) + 'M';
    if (a >= 1e5) return (v / 1e3).toPrecision(3) + 'k';
    return v.toExponential(2);
  }
  return Number(v.toPrecision(3)).toString();
}

function ticks(min, max, n = 4) {
  if (!(max > min)) return [min];
  const raw = (max - min) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || raw;
  const out = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function extent(values, pad = 0.05) {
  const f = values.filter(Number.isFinite);
  if (f.length === 0) return [0, 1];
  let lo = Math.min(...f), hi = Math.max(...f);
  if (lo === hi) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

function scale([d0, d1], [r0, r1]) {
  return v => r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}

function legend(s, x, y, series) {
  series.forEach((ser, i) => {
    const gx = x + i * 90;
    s.appendChild(el('rect', { x: gx, y: y - 8, width: 10, height: 10, fill: ser.color }));
    s.appendChild(el('text', { x: gx + 14, y, class: 'legend' }, ser.name));
  });
}

function yAxis(s, y, [lo, hi], left, right) {
  for (const t of ticks(lo, hi)) {
    const py = y(t);
    s.appendChild(el('line', { x1: left, x2: right, y1: py, y2: py, class: 'grid' }));
    s.appendChild(el('text', { x: left - 4, y: py + 3, 'text-anchor': 'end', class: 'tick' }, fmt(t)));
  }
}

const hhmm = t => new Date(t * 1000).toISOString().substring(11, 16);

/** Canary and stable over time. series: [{name, color, points: [[epochSeconds, value], ...]}] */
export function seriesChart(series, { width = 420, height = 190, title = 'over time' } = {}) {
  const s = svg('series', width, height, title);
  const L = 52, R = width - 10, T = 22, B = height - 24;
  const all = series.flatMap(x => x.points);
  const x = scale(extent(all.map(p => p[0]), 0), [L, R]);
  const yd = extent(all.map(p => p[1]));
  const y = scale(yd, [B, T]);
  yAxis(s, y, yd, L, R);
  const times = [...new Set(all.map(p => p[0]))].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(times.length / 5));
  times.forEach((t, i) => {
    if (i % every === 0) s.appendChild(el('text', { x: x(t), y: B + 15, 'text-anchor': 'middle', class: 'tick' }, hhmm(t)));
  });
  for (const ser of series) {
    const pts = ser.points.filter(p => Number.isFinite(p[1]));
    if (pts.length === 0) continue;
    s.appendChild(el('polyline', { points: pts.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' '),
      fill: 'none', stroke: ser.color, 'stroke-width': 1.8, class: 'line' }));
    for (const p of pts) s.appendChild(el('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.2, fill: ser.color }));
  }
  legend(s, L, 13, series);
  return s;
}

/** Empirical CDFs of both cohorts. series: [{name, color, values}] */
export function ecdfChart(series, { width = 300, height = 190, title = 'distribution (ECDF)' } = {}) {
  const s = svg('ecdf', width, height, title);
  const L = 52, R = width - 10, T = 22, B = height - 24;
  const xd = extent(series.flatMap(x => x.values));
  const x = scale(xd, [L, R]);
  const y = scale([0, 1], [B, T]);
  yAxis(s, y, [0, 1], L, R);
  for (const t of ticks(xd[0], xd[1], 3)) {
    s.appendChild(el('text', { x: x(t), y: B + 15, 'text-anchor': 'middle', class: 'tick' }, fmt(t)));
  }
  for (const ser of series) {
    const v = ser.values.filter(Number.isFinite).sort((a, b) => a - b);
    if (v.length === 0) continue;
    let d = `M${x(xd[0]).toFixed(1)},${y(0).toFixed(1)}`;
    v.forEach((val, i) => {
      d += ` H${x(val).toFixed(1)} V${y((i + 1) / v.length).toFixed(1)}`;
    });
    d += ` H${x(xd[1]).toFixed(1)}`;
    s.appendChild(el('path', { d, fill: 'none', stroke: ser.color, 'stroke-width': 1.8, class: 'line' }));
  }
  legend(s, L, 13, series);
  return s;
}

/** Box plots (quartiles, whiskers at min/max) of both cohorts, horizontal. series: [{name, color, values}] */
export function boxChart(series, { width = 300, height = 190, title = 'distribution (box plot)' } = {}) {
  const s = svg('box', width, height, title);
  const L = 52, R = width - 10, T = 22, B = height - 24;
  const xd = extent(series.flatMap(x => x.values));
  const x = scale(xd, [L, R]);
  for (const t of ticks(xd[0], xd[1], 3)) {
    s.appendChild(el('line', { x1: x(t), x2: x(t), y1: T, y2: B, class: 'grid' }));
    s.appendChild(el('text', { x: x(t), y: B + 15, 'text-anchor': 'middle', class: 'tick' }, fmt(t)));
  }
  const lane = (B - T) / series.length;
  series.forEach((ser, i) => {
    const v = ser.values.filter(Number.isFinite).sort((a, b) => a - b);
    const cy = T + lane * (i + 0.5);
    s.appendChild(el('text', { x: L - 4, y: cy + 3, 'text-anchor': 'end', class: 'tick' }, ser.name));
    if (v.length === 0) return;
    const q = p => { const h = (v.length - 1) * p, lo = Math.floor(h); return v[lo] + (v[Math.ceil(h)] - v[lo]) * (h - lo); };
    const [q1, med, q3] = [q(0.25), q(0.5), q(0.75)];
    const h = Math.min(28, lane * 0.6);
    s.appendChild(el('line', { x1: x(v[0]), x2: x(v[v.length - 1]), y1: cy, y2: cy, stroke: ser.color }));
    s.appendChild(el('rect', { x: x(q1), y: cy - h / 2, width: Math.max(1, x(q3) - x(q1)), height: h,
      fill: ser.color, 'fill-opacity': 0.18, stroke: ser.color }));
    s.appendChild(el('line', { x1: x(med), x2: x(med), y1: cy - h / 2, y2: cy + h / 2, stroke: ser.color, 'stroke-width': 2.5 }));
  });
  return s;
}

/**
 * The judge's interval against the tolerance band: estimate and [lower, upper] (null = unbounded) on an axis
 * around the reference (0 for a shift, 1 for a rate ratio), the band where a change does not matter shaded.
 */
export function intervalChart({ estimate, lower, upper, band, reference, direction, label, outcome },
                              { width = 420, height = 92, title = 'shift against tolerance' } = {}) {
  const s = svg('interval', width, height, title);
  const L = 14, R = width - 14, cy = 46;
  const known = [estimate, lower, upper, reference, ...(band || [])].filter(Number.isFinite);
  const xd = extent(known, 0.15);
  const x = scale(xd, [L, R]);
  const clamp = v => Math.max(L, Math.min(R, x(v)));
  if (band && Number.isFinite(estimate) && band.every(Number.isFinite)) {
    // where a change is harmless: inside the margin, and on the good side when only one direction is bad
    const lo = direction === 'increase' ? xd[0] : band[0];
    const hi = direction === 'decrease' ? xd[1] : band[1];
    s.appendChild(el('rect', { x: clamp(lo), y: 18, width: Math.max(0, clamp(hi) - clamp(lo)), height: 46,
      class: 'band' }));
    const edges = direction === 'increase' ? [band[1]] : direction === 'decrease' ? [band[0]] : band;
    for (const b of edges) {
      s.appendChild(el('text', { x: clamp(b), y: 14, 'text-anchor': 'middle', class: 'tick' }, fmt(b)));
    }
  }
  s.appendChild(el('line', { x1: L, x2: R, y1: cy, y2: cy, class: 'axis' }));
  s.appendChild(el('line', { x1: x(reference), x2: x(reference), y1: 20, y2: 72, class: 'reference' }));
  s.appendChild(el('text', { x: x(reference), y: 84, 'text-anchor': 'middle', class: 'tick' }, fmt(reference)));
  if (Number.isFinite(estimate)) {
    const lo = Number.isFinite(lower) ? x(lower) : L, hi = Number.isFinite(upper) ? x(upper) : R;
    const cls = `ci ${outcome}`;
    s.appendChild(el('line', { x1: Math.max(L, lo), x2: Math.min(R, hi), y1: cy, y2: cy, class: cls }));
    if (Number.isFinite(lower)) s.appendChild(el('line', { x1: lo, x2: lo, y1: cy - 7, y2: cy + 7, class: cls }));
    else s.appendChild(el('path', { d: `M${L},${cy} l8,-5 v10 z`, class: `arrow ${outcome}` }));
    if (Number.isFinite(upper)) s.appendChild(el('line', { x1: hi, x2: hi, y1: cy - 7, y2: cy + 7, class: cls }));
    else s.appendChild(el('path', { d: `M${R},${cy} l-8,-5 v10 z`, class: `arrow ${outcome}` }));
    s.appendChild(el('circle', { cx: x(estimate), cy, r: 4.5, class: `estimate ${outcome}` }));
    s.appendChild(el('text', { x: x(estimate), y: cy + 22, 'text-anchor': 'middle', class: 'tick' },
      `${label} ${fmt(estimate)}`));
  } else {
    s.appendChild(el('text', { x: (L + R) / 2, y: cy - 8, 'text-anchor': 'middle', class: 'tick' }, 'no interval'));
  }
  return s;
}

export const TEST_COLORS = ['#5f3dc4', '#0b7285', '#e67700', '#c2255c', '#2b8a3e'];

/**
 * Sequential evidence: ln M of each test after every measurement against the abort line ln(1/α).
 * lines: [{label, color, points: [[measurement, lnM], ...]}]; the e-process starts at ln M = 0.
 */
export function evidenceChart(lines, threshold, { width = 420, height = 190, title = 'evidence ln M' } = {}) {
  const s = svg('evidence', width, height, title);
  const L = 52, R = width - 70, T = 22, B = height - 24;
  const all = lines.flatMap(l => l.points);
  const last = Math.max(1, ...all.map(p => p[0]));
  const x = scale([0.5, last + 0.5], [L, R]);
  const yd = extent([0, ...(Number.isFinite(threshold) ? [threshold] : []), ...all.map(p => p[1])]);
  const y = scale(yd, [B, T]);
  yAxis(s, y, yd, L, R);
  const every = Math.max(1, Math.ceil(last / 10));
  for (let i = 1; i <= last; i += every) {
    s.appendChild(el('text', { x: x(i), y: B + 15, 'text-anchor': 'middle', class: 'tick' }, String(i)));
  }
  s.appendChild(el('line', { x1: L, x2: R, y1: y(0), y2: y(0), class: 'reference' }));
  if (Number.isFinite(threshold)) {
    s.appendChild(el('line', { x1: L, x2: R, y1: y(threshold), y2: y(threshold), class: 'threshold',
      'data-threshold': threshold }));
    s.appendChild(el('text', { x: L + 4, y: y(threshold) - 4, class: 'threshold-label' },
      `evidence line ln(1/α) = ${threshold.toFixed(2)}`));
  }
  const ends = [];
  for (const line of lines) {
    const pts = line.points.filter(p => Number.isFinite(p[1]));
    if (pts.length === 0) continue;
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    s.appendChild(el('path', { d, fill: 'none', stroke: line.color, 'stroke-width': 1.8, class: 'evidence',
      'data-test': line.label, 'data-points': pts.length }));
    for (const p of pts) s.appendChild(el('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.2, fill: line.color }));
    ends.push({ y: y(pts[pts.length - 1][1]), label: line.label, color: line.color });
  }
  // labels at the right end of each line, nudged apart so they stay readable
  ends.sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; i++) ends[i].y = Math.max(ends[i].y, ends[i - 1].y + 11);
  for (const e of ends) {
    s.appendChild(el('text', { x: R + 4, y: e.y + 3, class: 'line-label', fill: e.color }, e.label));
  }
  return s;
}
