// Calls to the service's REST API, relative to the page so that a path prefix (ingress) keeps working.
const base = new URL('api/v1/', document.baseURI);

/** An HTTP answer other than 2xx, with the problem detail when the service sent one. */
export class HttpError extends Error {
  constructor(status, statusText, problem) {
    super(`HTTP ${status} ${statusText}${problem && problem.detail ? ': ' + problem.detail : ''}`);
    this.status = status;
    this.problem = problem;
  }
}

async function answer(r) {
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { detail: text.substring(0, 200) }; }
  if (!r.ok) throw new HttpError(r.status, r.statusText, body);
  return body;
}

export async function get(path, params = {}) {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  return answer(await fetch(url, { headers: { Accept: 'application/json' } }));
}

export async function post(path, body, apiKey) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  return answer(await fetch(new URL(path, base), { method: 'POST', headers, body: JSON.stringify(body) }));
}
