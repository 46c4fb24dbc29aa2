// One analysis: verdict, reason, rollback, the approve/abort control, and per metric the canary and stable
// series, their distributions and the judge's interval against the tolerance band (fixed mode), or each
// sequential test's evidence ln M per measurement against ln(1/α) (sequential mode).
import { get, post } from './api.js';
import { h, badge, when, duration } from './dom.js';
import { seriesChart, ecdfChart, boxChart, intervalChart, evidenceChart, COLORS, TEST_COLORS } from './charts.js';

const KEY = 'canary-judge.apiKey';

export function analysisView(root, id, pollMs) {
  const head = h('section', { class: 'panel', id: 'analysis' }, h('p', { class: 'muted' }, 'Loading…'));
  const decide = h('section', { class: 'panel', id: 'decision' });
  const metrics = h('section', { id: 'metrics' });
  root.append(h('p', {}, h('a', { href: '#/' }, '← all analyses')), head, decide, metrics);
  let timer = null;
  let decisionShown = false;

  async function load() {
    try {
      const a = await get(`analyses/${encodeURIComponent(id)}`);
      head.replaceChildren(...header(a).filter(Boolean));
      metrics.replaceChildren(...metricCards(a));
      if (!decisionShown) {
        decide.append(...decisionForm(a));
        decisionShown = true;
      }
      setLive(true);
      if (a.phase === 'PENDING' || a.phase === 'RUNNING') timer = setTimeout(load, pollMs);
    } catch (e) {
      head.replaceChildren(h('p', { class: 'error' }, `Could not load analysis ${id}: ${e.message}`));
      setLive(false);
    }
  }
  load();
  return () => clearTimeout(timer);
}

function setLive(ok) {
  const l = document.getElementById('live');
  if (l) l.className = ok ? 'live' : 'live down';
}

function header(a) {
  const taken = a.measurements ? a.measurements.length : 0;
  return [
    h('h2', {}, `${a.namespace}/${a.service} `, h('span', { class: 'muted' }, a.deploymentId), ' ',
      badge(a.phase, 'phase'), ' ', a.verdict ? badge(a.verdict, 'verdict') : null,
      a.score === null ? null : h('span', { class: 'score' }, ` score ${Math.round(a.score * 10) / 10}`)),
    a.reason ? h('p', { class: 'reason', id: 'reason' }, a.reason) : h('p', { class: 'muted' }, 'No verdict yet.'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Template'), h('dd', {}, a.template),
      h('dt', {}, 'Judging'), h('dd', { id: 'mode' }, judging(a.templateDefinition)),
      h('dt', {}, 'Canary'), h('dd', { class: 'digest' }, a.canary.digest),
      h('dt', {}, 'Stable'), h('dd', { class: 'digest' }, a.stable.digest),
      h('dt', {}, 'Canary started'), h('dd', {}, when(a.startedAt)),
      h('dt', {}, 'Finished'), h('dd', {}, a.completedAt ? when(a.completedAt) : '—'),
      h('dt', {}, 'Measurements'), h('dd', {}, `${taken} of ${a.measurementCount}, every ${a.interval.replace('PT', '').toLowerCase()}`),
      h('dt', {}, 'Analysis id'), h('dd', { class: 'digest' }, a.id),
      a.signature ? h('dt', {}, 'Canary signature') : null,
      a.signature ? h('dd', { id: 'signature' }, signature(a.signature)) : null),
    rollback(a)];
}

/** What the signature policy verified of the canary's digest before a PROMOTE: key or keyless signer, status, when. */
function signature(s) {
  const verified = s.status === 'VERIFIED';
  // a keyless signer is named <issuer>|<subject> (a key id is 16 hex digits)
  const bar = verified && s.keyId ? s.keyId.indexOf('|') : -1;
  const by = bar < 0 ? `key ${s.keyId}` : `keyless signer ${s.keyId.slice(bar + 1)} (issuer ${s.keyId.slice(0, bar)})`;
  return h('span', { class: verified ? 'signature verified' : 'signature unverified' },
    verified ? `verified, ${by}` : `not verified (${s.status.toLowerCase().replace('_', ' ')})`,
    ` · ${String(s.mode).toLowerCase()}`, s.checkedAt ? h('span', {}, ' · checked ', when(s.checkedAt)) : '',
    verified ? '' : h('span', { class: 'muted' }, ` — ${s.reason}`));
}

/** Sequential (the default) or fixed horizon, as the analysis' stored template says. */
function judging(t) {
  if (!t) return '—';
  if (t.mode === 'sequential') {
    const alpha = t.sequential && t.sequential.alpha;
    return `sequential, anytime-valid (α = ${alpha} per test${t.sequential && t.sequential.splitAlpha ? ', split' : ''})`;
  }
  return 'fixed horizon (growing window, tolerances, score)';
}

/** The rollback outcome, when the service reports one (older versions and non-ABORTs have none). */
function rollback(a) {
  const r = a.rollback;
  if (!r) {
    return a.verdict === 'ABORT' ? h('div', { class: 'rollback none', id: 'rollback' }, 'Rollback: none recorded.') : null;
  }
  const outcome = r.outcome || r.state || 'UNKNOWN';
  const applied = r.appliedAt || (outcome === 'APPLIED' ? r.finishedAt : null);
  return h('div', { class: `rollback ${String(outcome).toLowerCase()}`, id: 'rollback' },
    h('strong', {}, 'Rollback '), badge(outcome, 'rollback'), r.dryRun ? ' (dry run)' : '',
    r.strategy ? ` via ${r.strategy}` : '',
    applied ? h('span', {}, ' · applied ', when(applied)) : '',
    r.timeToRestoreSeconds !== undefined && r.timeToRestoreSeconds !== null
      ? ` · restored ${duration(r.timeToRestoreSeconds)} after the verdict` : '',
    r.reason ? h('p', {}, r.reason) : null,
    r.detail ? h('pre', {}, r.detail) : null);
}

function decisionForm(a) {
  const key = h('input', { type: 'password', name: 'apiKey', autocomplete: 'off', placeholder: 'API key',
    value: sessionStorage.getItem(KEY) || '' });
  const reason = h('input', { type: 'text', name: 'reason', placeholder: 'why (recorded with the decision)', size: 40 });
  const out = h('p', { class: 'decision-result', id: 'decision-result', role: 'status' });
  const send = async action => {
    if (!reason.value.trim()) {
      out.textContent = 'Give a reason: every decision is audited.';
      out.className = 'decision-result error';
      return;
    }
    sessionStorage.setItem(KEY, key.value);
    out.textContent = `Sending ${action}…`;
    out.className = 'decision-result';
    try {
      await post(`analyses/${encodeURIComponent(a.id)}/decisions`, { action, reason: reason.value.trim() }, key.value);
      out.textContent = `${action} recorded.`;
      out.className = 'decision-result ok';
    } catch (e) {
      out.textContent = e.message;
      out.className = 'decision-result error';
    }
  };
  const approve = h('button', { type: 'button', class: 'approve' }, 'Approve');
  const abort = h('button', { type: 'button', class: 'abort' }, 'Abort');
  approve.addEventListener('click', () => send('approve'));
  abort.addEventListener('click', () => send('abort'));
  return [h('h3', {}, 'Decision'),
    h('p', { class: 'muted' }, 'For authorized users: the key stays in this browser tab (session storage).'),
    h('div', { class: 'decision' }, key, reason, approve, abort), out];
}

function metricCards(a) {
  const ms = a.measurements || [];
  if (ms.length === 0) return [h('p', { class: 'panel muted' }, 'No measurement yet.')];
  const last = ms[ms.length - 1];
  const templ = new Map(((a.templateDefinition && a.templateDefinition.metrics) || []).map(m => [m.name, m]));
  return last.metrics.map(m => card(m, templ.get(m.name) || {}, ms));
}

function card(m, t, ms) {
  const cls = (m.classification || 'none').toLowerCase();
  const head = h('h3', {}, m.name, ' ', h('span', { class: 'muted' }, m.kind), m.critical ? badge('critical', 'tag') : null,
    m.dryRun ? badge('dry run', 'tag') : null, ' ', badge(m.classification || '—', 'class'));
  const body = [h('p', { class: 'explanation' }, m.explanation || '')];
  if (Array.isArray(m.sequential)) {
    if (m.error) body.push(h('p', { class: 'error' }, m.error));
    body.push(h('div', { class: 'charts' }, ...sequentialCharts(m, ms)));
  } else if (m.error) {
    body.push(h('p', { class: 'error' }, m.error));
  } else if (m.kind === 'counts') {
    const rates = intervalRates(m.name, ms);
    body.push(h('div', { class: 'charts' },
      figure('error rate per interval', seriesChart(rates.map(r => ({ name: r.name, color: COLORS[r.name],
        points: r.points })), { title: `${m.name} over time` })),
      figure('per-interval rates', boxChart(rates.map(r => ({ name: r.name, color: COLORS[r.name],
        values: r.points.map(p => p[1]) })), { title: `${m.name} distribution` })),
      figure('rate ratio canary / stable against the tolerance', interval(m, t, 'counts'))));
  } else if (m.canary && m.canary.values) {
    const cohorts = ['canary', 'stable'].map(c => ({ name: c, color: COLORS[c],
      points: (m[c].times || []).map((time, i) => [time, m[c].values[i]]), values: m[c].values }));
    body.push(h('div', { class: 'charts' },
      figure('canary and stable over time', seriesChart(cohorts, { title: `${m.name} over time` })),
      figure('distributions (ECDF)', ecdfChart(cohorts, { title: `${m.name} distribution` })),
      figure('shift canary − stable against the tolerance', interval(m, t, 'continuous'))));
  }
  return h('article', { class: `panel metric ${cls}`, 'data-metric': m.name }, head, ...body);
}

/**
 * Sequential mode: each test's ln M after every measurement against the abort line, then the data the tests
 * were fed. Every measurement holds only its own interval, so the series concatenate the measurements.
 */
function sequentialCharts(m, ms) {
  const tests = m.sequential;
  const threshold = tests.length ? tests[0].threshold : NaN;
  const lines = [];
  for (const t of tests) {
    lines.push({ label: testLabel(m.name, t), test: t.test, field: 'logM' });
    // a count test carries its rule-out and within-tolerance evidence in the same entry
    if (Number.isFinite(t.ruleOutLogM)) lines.push({ label: 'rule-out', test: t.test, field: 'ruleOutLogM' });
    if (Number.isFinite(t.withinLogM)) lines.push({ label: 'within', test: t.test, field: 'withinLogM' });
  }
  lines.forEach((l, i) => {
    l.color = TEST_COLORS[i % TEST_COLORS.length];
    l.points = evidence(m.name, l.test, ms, l.field);
  });
  const charts = [figure('evidence ln M per measurement; at the line a critical abort test (counts, ranks) aborts, '
    + 'and rule-out (worse than detectable) or within (worse than tolerance) is rejected: what PROMOTE needs',
    evidenceChart(lines, threshold, { title: `${m.name} evidence` }))];
  if (m.kind === 'counts') {
    const rates = intervalRates(m.name, ms);
    charts.push(figure('error rate per interval', seriesChart(rates.map(r => ({ name: r.name, color: COLORS[r.name],
      points: r.points })), { title: `${m.name} over time` })));
    const counts = tests.find(t => t.rateRatio);
    if (counts) {
      const r = counts.rateRatio;
      charts.push(figure(`rate ratio canary / stable, one-sided ${fmtLevel(r.confidenceLevel)} bounds`,
        intervalChart({ estimate: r.estimate, lower: r.lower, upper: r.upper, band: null, reference: 1,
          label: 'ratio', outcome: counts.crossed ? 'fail' : 'none' }, { title: `${m.name} rate ratio` })));
    }
  } else {
    const cohorts = ['canary', 'stable'].map(c => {
      const points = [];
      for (const meas of ms) {
        const x = meas.metrics.find(v => v.name === m.name);
        if (!x || !x[c] || !x[c].values) continue;
        (x[c].times || []).forEach((time, i) => points.push([time, x[c].values[i]]));
      }
      return { name: c, color: COLORS[c], points, values: points.map(p => p[1]) };
    });
    if (cohorts.some(c => c.points.length)) {
      charts.push(figure('canary and stable over time', seriesChart(cohorts, { title: `${m.name} over time` })),
        figure('distributions (ECDF)', ecdfChart(cohorts, { title: `${m.name} distribution` })));
    }
  }
  return charts;
}

/** "counts", "ranks", "rule-out", "within", "threshold" or "quantile p99": what the line of a test is. */
function testLabel(metric, t) {
  if (t.type === 'ranks-rule-out' || t.type === 'sign-rule-out') return 'rule-out';
  if (t.type === 'ranks-within' || t.type === 'sign-within') return 'within';
  // quantile tests on raw points ("quantile") and on histogram buckets ("quantile-buckets") read the same way
  if (t.type === 'quantile' || t.type === 'quantile-buckets') {
    return `quantile ${t.test.startsWith(metric + ' ') ? t.test.substring(metric.length + 1) : t.test}`;
  }
  return t.type || t.test;
}

/** [[measurement, ln M], ...] of one test (its field: logM, ruleOutLogM, withinLogM) over the measurements. */
function evidence(metric, test, ms, field = 'logM') {
  const points = [];
  for (const meas of ms) {
    const x = meas.metrics.find(v => v.name === metric);
    const t = x && Array.isArray(x.sequential) ? x.sequential.find(v => v.test === test) : null;
    if (t && Number.isFinite(t[field])) points.push([meas.seq, t[field]]);
  }
  return points;
}

function fmtLevel(level) {
  return Number.isFinite(level) ? `${Math.round(level * 1000) / 10} %` : '95 %';
}

function figure(caption, chart) {
  return h('figure', {}, chart, h('figcaption', {}, caption));
}

/** Tolerance margin as the judge computes it: max(relative · |stable level|, absolute). */
function margin(t, stableLevel) {
  const tol = t.tolerance || {};
  const rel = Number.isFinite(stableLevel) ? (tol.relative || 0) * Math.abs(stableLevel) : 0;
  return Math.max(rel, tol.absolute || 0);
}

function interval(m, t, kind) {
  const level = m.stable ? m.stable.level : null;
  const mg = margin(t, level);
  const outcome = { PASS: 'pass', HIGH: 'fail', LOW: 'fail' }[m.classification] || 'none';
  if (kind === 'counts') {
    const r = m.rateRatio || {};
    // the counts rule compares rates by difference; as a ratio the margin is relative to the stable rate
    const band = level > 0 ? [1 - mg / level, 1 + mg / level] : null;
    return intervalChart({ estimate: r.estimate, lower: r.lower, upper: r.upper, band, reference: 1,
      direction: t.direction, label: 'ratio', outcome }, { title: `${m.name} rate ratio` });
  }
  const s = m.shift || {};
  return intervalChart({ estimate: s.estimate, lower: s.lower, upper: s.upper, band: [-mg, mg], reference: 0,
    direction: t.direction, label: 'shift', outcome }, { title: `${m.name} shift` });
}

/**
 * Per-interval error rates of a counts metric. In fixed mode measurement i covers the window up to its end, so
 * the difference of consecutive measurements is the interval's own events and exposure; in sequential mode each
 * measurement already holds only its interval.
 */
function intervalRates(name, ms) {
  return ['canary', 'stable'].map(c => {
    const points = [];
    let prevEvents = 0, prevExposure = 0;
    for (const meas of ms) {
      const m = meas.metrics.find(x => x.name === name);
      if (!m || !m[c] || m[c].exposure === null || m[c].exposure === undefined) continue;
      const events = m[c].events || 0, exposure = m[c].exposure;
      const own = meas.mode === 'sequential';
      const de = own ? exposure : exposure - prevExposure;
      if (de > 0) points.push([Date.parse(meas.windowEnd) / 1000, ((own ? events : events - prevEvents)) / de]);
      prevEvents = events;
      prevExposure = exposure;
    }
    return { name: c, points };
  });
}
