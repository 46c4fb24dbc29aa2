// Small DOM helpers: every text goes through textContent, never innerHTML.

/** h('a', {href}, 'text', child, ...): an element; false/null/undefined attributes and children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'value') e.value = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind} ${String(text).toLowerCase()}` }, text);
}

/** A UTC timestamp, short: 2026-11-26 03:10:00Z. */
export function when(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: iso }, iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
}

/** Seconds as a duration: 45 s, 12 min, 3.5 h, 2.1 d. */
export function duration(s) {
  if (s === null || s === undefined) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}
