// The API client. The key lives in sessionStorage (this tab only) and travels only in the Authorization header: no
// cookie carries it, so a cross-site page cannot make the browser send it (no CSRF). Every write also carries the
// CSRF header, which a cross-site form cannot set: that protects hosts whose own scheme signs people in with a cookie.
const KEY = 'vstore.apiKey';
let config = { api: '/v1', sign_in: 'api-key', csrf_header: 'X-VersionStore-Request' };

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export async function loadConfig() {
  const r = await fetch('console/config.json', { cache: 'no-cache' });
  if (r.ok) config = await r.json();
  return config;
}

export const signIn = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(v) { v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY); },
  get usesKeys() { return config.sign_in === 'api-key'; },
};

function headers(extra) {
  const h = { Accept: 'application/json', [config.csrf_header]: 'console', ...extra };
  if (signIn.usesKeys && signIn.key) h.Authorization = `Bearer ${signIn.key}`;
  return h;
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const r = await fetch(config.api + path, {
    method, signal, credentials: 'same-origin',
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export const enc = encodeURIComponent;

// Server-sent events over fetch (EventSource cannot send an Authorization header). Reconnects after a drop.
export function events(workflow, onEvent, signal) {
  const run = async () => {
    while (!signal.aborted) {
      try {
        const r = await fetch(`${config.api}/workflows/${enc(workflow)}/events`, { headers: headers({ Accept: 'text/event-stream' }), signal, credentials: 'same-origin' });
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let name = 'message', data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            onEvent(name, data ? JSON.parse(data) : null);
          }
        }
      } catch (e) {
        if (signal.aborted) return;
      }
      await new Promise(res => setTimeout(res, 1000));
    }
  };
  run();
}
