// The DORA panel: the four figures over a window, overall and per service, from GET /api/v1/dora.
import { get } from './api.js';
import { h, duration } from './dom.js';

const WINDOWS = [7, 30, 90];

export function doraPanel(root, filters) {
  let days = Number(sessionStorage.getItem('canary-judge.doraDays')) || 30;
  const select = h('select', { name: 'window', 'aria-label': 'DORA window' },
    ...WINDOWS.map(d => h('option', { value: d, selected: d === days }, `last ${d} days`)));
  const body = h('div', { class: 'dora-body' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(h('h2', {}, 'DORA four ', select,
    h('a', { href: '#/dora-help', class: 'help', title: 'definitions' }, '?')), body);
  root.querySelector('.help').addEventListener('click', e => {
    e.preventDefault();
    root.querySelector('.definitions').toggleAttribute('hidden');
  });
  root.append(h('p', { class: 'definitions muted', hidden: true },
    'Deployment frequency: PROMOTE verdicts per day. Change failure rate: ABORTed or rolled-back deployments ' +
    'over all judged ones. Time to restore: from the ABORT verdict to the applied rollback, else to the ' +
    "service's next PROMOTE. Lead time: from the event's commitTime to the PROMOTE verdict. Windows count " +
    'deployments by canary start.'));
  select.addEventListener('change', () => {
    days = Number(select.value);
    sessionStorage.setItem('canary-judge.doraDays', days);
    load();
  });

  async function load() {
    const until = new Date();
    const since = new Date(until.getTime() - days * 86400000);
    try {
      const r = await get('dora', { namespace: filters.namespace, service: filters.service,
        since: since.toISOString(), until: until.toISOString() });
      body.replaceChildren(tiles(r.overall), services(r.services));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'error' }, `Could not load DORA figures: ${e.message}`));
    }
  }
  load();
  const timer = setInterval(load, 30000);
  return () => clearInterval(timer);
}

function pct(r) {
  return r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)} %`;
}

function tiles(f) {
  const tile = (name, value, note, id) => h('div', { class: 'tile', 'data-figure': id },
    h('div', { class: 'tile-name' }, name), h('div', { class: 'tile-value' }, value), h('div', { class: 'muted' }, note));
  return h('div', { class: 'tiles' },
    tile('Deployment frequency', `${f.deploymentsPerDay.toFixed(2)} / day`,
      `${f.promoted} promoted of ${f.deployments} judged`, 'frequency'),
    tile('Change failure rate', pct(f.changeFailureRate), `${f.failed} failed`, 'cfr'),
    tile('Time to restore', duration(f.timeToRestore.medianSeconds),
      `median of ${f.timeToRestore.count}` + (f.unrestored ? ` · ${f.unrestored} not restored` : ''), 'restore'),
    tile('Lead time', duration(f.leadTime.medianSeconds),
      f.leadTime.count ? `median of ${f.leadTime.count} with commitTime` : 'no commitTime in events', 'lead'));
}

function services(list) {
  if (list.length === 0) return h('p', { class: 'muted' }, 'No judged deployments in this window.');
  return h('table', { class: 'dora-services' },
    h('thead', {}, h('tr', {}, ...['Service', 'Judged', 'Per day', 'Change failure', 'Restore (median)',
      'Lead time (median)'].map(t => h('th', {}, t)))),
    h('tbody', {}, ...list.map(s => h('tr', {},
      h('td', {}, `${s.namespace}/${s.service}`),
      h('td', { class: 'num' }, String(s.figures.deployments)),
      h('td', { class: 'num' }, s.figures.deploymentsPerDay.toFixed(2)),
      h('td', { class: 'num' }, pct(s.figures.changeFailureRate)),
      h('td', { class: 'num' }, duration(s.figures.timeToRestore.medianSeconds)),
      h('td', { class: 'num' }, duration(s.figures.leadTime.medianSeconds))))));
}
