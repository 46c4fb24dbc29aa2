// canary-judge web page: the list of analyses with the DORA panel, and one analysis with its charts.
// Plain ES modules, no framework, no network beyond the service's own API.
import { get } from './api.js';
import { doraPanel } from './dora.js';
import { analysisView } from './analysis.js';
import { h, badge, when } from './dom.js';

const POLL_MS = 5000;
const app = document.getElementById('app');
let stop = () => {};

function route() {
  stop();
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const m = path.match(/^\/analyses\/([^/]+)$/);
  app.replaceChildren();
  stop = m ? analysisView(app, decodeURIComponent(m[1]), POLL_MS) : listView(app, params);
}

function listView(root, params) {
  const filters = { namespace: params.get('namespace') || '', service: params.get('service') || '',
    verdict: params.get('verdict') || '' };
  const form = h('form', { class: 'filters', id: 'filters' },
    h('label', {}, 'Namespace ', h('input', { name: 'namespace', value: filters.namespace, placeholder: 'any' })),
    h('label', {}, 'Service ', h('input', { name: 'service', value: filters.service, placeholder: 'any' })),
    h('label', {}, 'Verdict ', h('select', { name: 'verdict' },
      ...['', 'PROMOTE', 'ABORT', 'INCONCLUSIVE'].map(v => h('option', { value: v, selected: v === filters.verdict },
        v || 'any')))),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const q = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    location.hash = '#/' + (q.toString() ? '?' + q : '');
  });
  form.verdict.addEventListener('change', () => form.requestSubmit());

  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more');
  const status = h('p', { class: 'muted', id: 'list-status' });
  const table = h('table', { class: 'analyses', id: 'analyses' },
    h('thead', {}, h('tr', {}, ...['Service', 'Deployment', 'Phase', 'Verdict', 'Score', 'Canary started',
      'Finished', 'Reason'].map(t => h('th', {}, t)))), tbody);
  const dora = h('section', { class: 'panel', id: 'dora' });
  root.append(dora, h('section', { class: 'panel' }, h('h2', {}, 'Analyses'), form, table, more, status));
  const stopDora = doraPanel(dora, filters);

  let cursor = null;
  let pages = 1;
  async function load(append) {
    try {
      const page = await get('analyses', { ...filters, limit: 50, cursor: append ? cursor : null });
      if (!append) tbody.replaceChildren();
      page.items.forEach(a => tbody.append(row(a)));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      status.textContent = tbody.children.length === 0 ? 'No analyses match.'
        : `${tbody.children.length} shown · updated ${new Date().toLocaleTimeString()}`;
      live(true);
    } catch (e) {
      status.textContent = `Could not load analyses: ${e.message}`;
      live(false);
    }
  }
  more.addEventListener('click', () => { pages++; load(true); });
  load(false);
  // Poll the first page for live phases and new analyses; stop once the user paged further.
  const timer = setInterval(() => { if (pages === 1) load(false); }, POLL_MS);
  return () => { clearInterval(timer); stopDora(); };
}

function row(a) {
  const link = `#/analyses/${encodeURIComponent(a.id)}`;
  return h('tr', { class: `phase-${a.phase.toLowerCase()}`, 'data-id': a.id },
    h('td', {}, h('a', { href: link }, `${a.namespace}/${a.service}`)),
    h('td', {}, a.deploymentId),
    h('td', {}, badge(a.phase, 'phase')),
    h('td', {}, a.verdict ? badge(a.verdict, 'verdict') : h('span', { class: 'muted' }, '—')),
    h('td', { class: 'num' }, a.score === null ? '—' : String(Math.round(a.score * 10) / 10)),
    h('td', {}, when(a.startedAt)),
    h('td', {}, a.completedAt ? when(a.completedAt) : '—'),
    h('td', { class: 'reason-cell', title: a.reason || '' }, a.reason || ''));
}

export function live(ok) {
  const l = document.getElementById('live');
  if (l) l.className = ok ? 'live' : 'live down';
}

window.addEventListener('hashchange', route);
route();
