import { api, ApiError, enc, events, loadConfig, signIn } from './api.js';
import { drawGraph } from './graph.js';

const PAGE = 20;
const $ = id => document.getElementById(id);
const main = $('main');

// h('tag', {attrs, on: {click}}, ...children): DOM without innerHTML, so no data is ever parsed as markup.
function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === 'class') e.className = v;
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

const state = { me: null, workflow: null, refs: null, tags: new Map(), chans: new Map(), live: null };
const short = id => id ? id.slice(0, 12) : '∅';
const label = id => (id && state.tags.get(id)?.[0]) || short(id);
const when = t => t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';

function announce(text, bad = false) {
  const s = $('status');
  s.classList.toggle('bad', bad);
  s.textContent = text;
}

function liveNote(text) {
  const log = $('live');
  log.append(h('div', {}, text));
  while (log.childElementCount > 5) log.firstElementChild.remove();
}

// ---------------------------------------------------------------- routing
function parseRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, q: new URLSearchParams(query) };
}

function href(parts, q = {}) {
  const qs = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)).toString();
  return '#/' + parts.map(enc).join('/') + (qs ? '?' + qs : '');
}

async function route() {
  const { parts, q } = parseRoute();
  try {
    if (!state.me) {
      if (signIn.usesKeys && !signIn.key) return showSignIn();
      try {
        state.me = await api('/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { signIn.key = null; return showSignIn(e.message); }
        throw e;
      }
      $('who').textContent = `${state.me.name} (${state.me.role})`;
      $('sign-out').hidden = !signIn.usesKeys;
    }
    if (parts[0] !== 'w') return await showWorkflows();
    await openWorkflow(parts[1]);
    const view = parts[2] || 'timeline';
    if (view === 'version') return await showVersion(parts[3], q);
    if (view === 'compare') return await showCompare(parts[3], parts[4], q);
    if (view === 'audit') return await showAudit(parts[3], q);
    if (view === 'live-when') return await showLiveWhen(parts[3], q);
    return await showTimeline(q);
  } catch (e) {
    main.replaceChildren(h('p', { class: 'err' }, e.message));
  }
}

// ---------------------------------------------------------------- sign in, workflows
function showSignIn(error) {
  state.me = null;
  $('who').textContent = '';
  $('sign-out').hidden = true;
  const input = h('input', { type: 'password', id: 'key', autocomplete: 'off', required: true });
  const form = h('form', { class: 'signin', on: { submit: async ev => {
    ev.preventDefault();
    signIn.key = input.value.trim();
    await route();
  } } },
  h('h1', {}, 'Sign in'),
  h('label', { for: 'key' }, 'API key'), input,
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  error ? h('p', { class: 'err', role: 'alert' }, error) : null);
  main.replaceChildren(form);
  input.focus();
}

async function showWorkflows() {
  stopLive();
  const list = await api('/workflows');
  main.replaceChildren(h('h1', {}, 'Workflows'),
    list.length === 0 ? h('p', {}, 'No workflow yet.') :
      h('ul', { 'aria-label': 'Workflows' }, list.map(w => h('li', {}, h('a', { href: href(['w', w.id]) }, w.id)))));
}

// ---------------------------------------------------------------- one workflow
async function openWorkflow(id) {
  if (state.workflow !== id) {
    stopLive();
    state.workflow = id;
    await loadRefs();
    startLive(id);
  } else if (!state.refs) await loadRefs();
}

async function loadRefs() {
  state.refs = await api(`/workflows/${enc(state.workflow)}/refs`);
  state.tags = new Map();
  for (const t of state.refs.tags) (state.tags.get(t.target) || state.tags.set(t.target, []).get(t.target)).push(t.name);
  state.chans = new Map();
  const add = (id, c) => id && (state.chans.get(id) || state.chans.set(id, []).get(id)).push(c);
  for (const c of state.refs.channels) {
    add(c.head, { name: c.name, lkg: false });
    if (c.last_known_good) add(c.last_known_good, { name: c.name, lkg: true });
  }
}

function stopLive() {
  state.live?.abort();
  state.live = null;
}

function startLive(id) {
  const ctl = new AbortController();
  state.live = ctl;
  events(id, async (name, change) => {
    if (name !== 'ref' || state.workflow !== id) return;
    await loadRefs();
    const refName = change.ref.replace(/^refs\/(heads|tags|channels)\//, '');
    if (!change.ref.startsWith('refs/tags/')) liveNote(`${refName} moved to ${label(change.new)} by ${change.actor || 'unknown'}${change.operation ? ` (${change.operation})` : ''}${change.reason ? `: ${change.reason}` : ''}`);
    rerender();
  }, ctl.signal);
}

let rerender = () => {};

// The ref the buttons act on: the channel in view (default: the default channel when the workflow has it), else a branch.
function target(q) {
  const on = q.get('on');
  const chans = state.refs.channels.map(c => c.name);
  const branches = state.refs.branches.map(b => b.name);
  if (on?.startsWith('branch:') && branches.includes(on.slice(7))) return { kind: 'branch', name: on.slice(7) };
  if (on && chans.includes(on)) return { kind: 'channel', name: on };
  if (chans.includes(state.me.default_channel)) return { kind: 'channel', name: state.me.default_channel };
  if (chans.length) return { kind: 'channel', name: chans[0] };
  return { kind: 'branch', name: branches.includes('main') ? 'main' : branches[0] };
}

function targetHead(t) {
  return t.kind === 'channel' ? state.refs.channels.find(c => c.name === t.name)?.head : state.refs.branches.find(b => b.name === t.name)?.target;
}

function isProtected(t) { return t.kind === 'channel' && state.me.protected_channels.includes(t.name); }

// Why the signed-in identity may not move t, or null.
function denied(t) {
  if (!state.me.can_publish) return `Viewers cannot move ${t.name} (you are ${state.me.role}).`;
  if (isProtected(t) && !state.me.can_move_protected_channels) return `Only admins can move protected channel ${t.name} (you are ${state.me.role}).`;
  return null;
}

function header(view, q) {
  const id = state.workflow;
  const t = target(q);
  const on = t.kind === 'channel' ? t.name : `branch:${t.name}`;
  const select = h('select', { id: 'target', on: { change: ev => { location.hash = href(['w', id], { on: ev.target.value }); } } },
    state.refs.channels.map(c => h('option', { value: c.name, selected: c.name === t.name && t.kind === 'channel' }, `channel ${c.name}${c.protected ? ' (protected)' : ''}`)),
    state.refs.branches.map(b => h('option', { value: `branch:${b.name}`, selected: b.name === t.name && t.kind === 'branch' }, `branch ${b.name}`)));
  const tab = (name, parts, text) => h('a', { href: href(['w', id, ...parts], { on }), 'aria-current': view === name ? 'page' : null }, text);
  const firstChannel = t.kind === 'channel' ? t.name : state.refs.channels[0]?.name;
  return [
    h('h1', {}, id),
    h('nav', { class: 'tabs', 'aria-label': 'Views' },
      tab('timeline', [], 'Timeline'),
      tab('compare', ['compare'], 'Compare'),
      tab('audit', ['audit', t.kind === 'channel' ? t.name : t.name], 'Audit'),
      firstChannel ? tab('live-when', ['live-when', firstChannel], 'What was live when') : null,
      h('span', { class: 'target' }, h('label', { class: 'inline', for: 'target' }, 'Acting on'), select)),
  ];
}

// ---------------------------------------------------------------- timeline
async function showTimeline(q) {
  const id = state.workflow;
  const t = target(q);
  const page = Math.max(0, parseInt(q.get('page') || '0', 10) || 0);
  const ref = q.get('ref') || state.refs.branches.find(b => b.name === 'main')?.name || state.refs.branches[0]?.name || 'main';
  const params = new URLSearchParams({ ref, limit: String(PAGE + 1), offset: String(page * PAGE) });
  if (q.get('named')) params.set('named', 'true');
  if (q.get('author')) params.set('author', q.get('author'));
  if (q.get('channel')) params.set('channel', q.get('channel'));
  const [rows, authors] = await Promise.all([
    api(`/workflows/${enc(id)}/versions?${params}`),
    api(`/workflows/${enc(id)}/versions?ref=${enc(ref)}&limit=200`).then(all => [...new Set(all.map(v => v.author))].sort()),
  ]);
  const more = rows.length > PAGE;
  const versions = rows.slice(0, PAGE);
  const head = targetHead(t);
  const why = denied(t);
  const nav = (changes) => { location.hash = href(['w', id], { on: q.get('on'), named: q.get('named'), author: q.get('author'), channel: q.get('channel'), ...changes }); };
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filters' },
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', checked: !!q.get('named'), on: { change: ev => nav({ named: ev.target.checked ? '1' : '', page: '' }) } }), 'Named only'),
    h('label', { class: 'inline' }, 'Author', h('select', { on: { change: ev => nav({ author: ev.target.value, page: '' }) } },
      h('option', { value: '' }, 'anyone'), authors.map(a => h('option', { value: a, selected: a === q.get('author') }, a)))),
    h('label', { class: 'inline' }, 'Served by channel', h('select', { on: { change: ev => nav({ channel: ev.target.value, page: '' }) } },
      h('option', { value: '' }, 'any'), state.refs.channels.map(c => h('option', { value: c.name, selected: c.name === q.get('channel') }, c.name)))));
  const list = h('ul', { class: 'versions', 'aria-label': 'Versions' }, versions.map(v => {
    const name = label(v.id);
    const onTarget = v.id === head;
    const rollbackWhy = onTarget ? `${t.name} already serves ${name}.` : why;
    const reasonId = `why-${v.id.slice(0, 12)}`;
    return h('li', {},
      h('span', { class: 'vid' }, short(v.id)),
      h('div', {},
        h('div', {}, v.subject || '(no message)',
          h('span', { class: 'badges' },
            (state.tags.get(v.id) || []).map(tag => h('span', { class: 'tag' }, tag)),
            (state.chans.get(v.id) || []).map(c => h('span', { class: `chan${c.lkg ? ' lkg' : ''}`, title: c.lkg ? `last-known-good of ${c.name}` : `${c.name} serves this` },
              c.lkg ? `${c.name} last-known-good` : c.name)))),
        h('div', { class: 'meta' }, `by ${v.author} · ${when(v.timestamp)}`),
        rollbackWhy && !onTarget ? h('div', { class: 'reason', id: reasonId }, rollbackWhy) : null),
      h('div', { class: 'actions' },
        h('a', { href: href(['w', id, 'version', v.id], { on: q.get('on') }) }, 'Preview'),
        h('a', { href: href(['w', id, 'compare', head || v.id, v.id], { on: q.get('on') }), 'aria-label': `Compare ${name} with ${t.name}` }, 'Compare'),
        h('button', { type: 'button', disabled: !!why || onTarget, title: rollbackWhy || undefined, 'aria-describedby': rollbackWhy && !onTarget ? reasonId : undefined,
          on: { click: () => rollbackDialog(t, v) } }, `Roll back to ${name}`),
        h('button', { type: 'button', disabled: !state.me.can_publish, title: state.me.can_publish ? undefined : `Viewers cannot publish (you are ${state.me.role}).`,
          on: { click: () => publishDialog(v, q) } }, `Publish ${name}…`)));
  }));
  const pager = h('div', { class: 'pager' },
    h('button', { type: 'button', disabled: page === 0, on: { click: () => nav({ page: page - 1 || '' }) } }, 'Newer'),
    h('span', {}, `Page ${page + 1}`),
    h('button', { type: 'button', disabled: !more, on: { click: () => nav({ page: page + 1 }) } }, 'Older'));
  main.replaceChildren(...header('timeline', q),
    h('p', { class: 'meta' }, `History of ${ref}, newest first. Roll back acts on ${t.kind} ${t.name}${head ? `, which serves ${label(head)}` : ''}.`),
    filters, versions.length ? list : h('p', {}, 'No version matches.'), pager);
  rerender = () => showTimeline(parseRoute().q);
}

// ---------------------------------------------------------------- rollback and publish
function changeSummary(changes) {
  if (changes.length === 0) return [h('li', {}, 'No content change (same nodes, edges and settings).')];
  return changes.map(c => h('li', {}, h('span', { class: `k-${c.change}` }, c.change), ' ',
    c.element === 'node' ? `node ${c.title || c.id}${c.node_type ? ` (${c.node_type})` : ''}` : c.element === 'edge' ? `edge ${c.title || c.id}` : c.element,
    c.parameters.length ? ` — ${c.parameters.length} parameter${c.parameters.length === 1 ? '' : 's'}: ${c.parameters.slice(0, 4).map(p => p.path).join(', ')}${c.parameters.length > 4 ? ', …' : ''}` : ''));
}

async function rollbackDialog(t, v) {
  const dlg = $('dialog');
  const id = state.workflow;
  const head = targetHead(t);
  const name = label(v.id);
  const reason = h('input', { type: 'text', id: 'rb-reason', required: true, autocomplete: 'off' });
  const confirmBox = isProtected(t) ? h('input', { type: 'text', id: 'rb-confirm', autocomplete: 'off' }) : null;
  const go = h('button', { type: 'submit', class: 'danger', disabled: true }, 'Confirm rollback');
  const check = () => { go.disabled = !reason.value.trim() || (confirmBox && confirmBox.value !== t.name); };
  reason.addEventListener('input', check);
  confirmBox?.addEventListener('input', check);
  const preview = h('ul', { class: 'preview', 'aria-label': 'Changes' }, h('li', {}, 'Loading the changes…'));
  const form = h('form', { method: 'dialog', on: { submit: async ev => {
    ev.preventDefault();
    go.disabled = true;
    dlg.close();
    await doRollback(t, v, head, reason.value.trim());
  } } },
  h('h2', { id: 'dialog-title' }, `Roll back ${t.kind} ${t.name} to ${name}`),
  h('p', {}, `${t.name} serves ${label(head)} now. After the rollback it serves ${name} (${short(v.id)}): these are the changes.`),
  preview,
  h('label', { for: 'rb-reason' }, 'Reason'), reason,
  confirmBox ? [h('label', { for: 'rb-confirm' }, `Type ${t.name} to confirm`), confirmBox] : null,
  h('div', { class: 'row' }, h('button', { type: 'button', on: { click: () => dlg.close() } }, 'Cancel'), go));
  dlg.replaceChildren(form);
  dlg.showModal();
  reason.focus();
  try {
    const cmp = await api(`/workflows/${enc(id)}/compare?from=${enc(head)}&to=${enc(v.id)}`);
    preview.replaceChildren(...changeSummary(cmp.changes));
  } catch (e) {
    preview.replaceChildren(h('li', { class: 'err' }, `Cannot preview: ${e.message}`));
  }
}

async function doRollback(t, v, head, reason) {
  const name = label(v.id);
  const body = t.kind === 'channel'
    ? { channel: t.name, target_version: v.id, reason, expected_version: head }
    : { branch: t.name, target_version: v.id, reason, expected_version: head };
  announce(`Rolling back ${t.name} to ${name}…`);
  try {
    const r = await api(`/workflows/${enc(state.workflow)}/rollback`, { method: 'POST', body });
    await loadRefs();
    if (r.status === 'already_at_target') announce(`${t.name} already serves ${name}: nothing changed.`);
    else announce(`Rolled back ${t.name} to ${name} (${label(r.from)} → ${name}, new head ${short(r.new_head)}), effective ${when(r.effective_time)}, ` +
      `verification ${r.verification.passed ? `passed (${r.verification.objects_verified} objects)` : 'failed'}, ${r.elapsed_ms.toFixed(1)} ms.`);
  } catch (e) {
    const rb = e.problem?.rollback;
    if (rb?.status === 'compensated') announce(`Rollback of ${t.name} to ${name} was undone (compensated): ${e.message} ${t.name} still serves ${label(rb.from)}.`, true);
    else if (rb?.status === 'rejected') announce(`Rollback of ${t.name} to ${name} was rejected: ${e.message}`, true);
    else if (e.status === 409) announce(`Rollback of ${t.name} not done: ${t.name} moved meanwhile (${e.message}). Review the new state and try again.`, true);
    else announce(`Rollback of ${t.name} to ${name} failed (${e.status || 'network'}): ${e.message}`, true);
    await loadRefs();
  }
  rerender();
}

function publishDialog(v, q) {
  const dlg = $('dialog');
  const name = label(v.id);
  const channel = h('input', { type: 'text', id: 'pub-channel', value: target(q).kind === 'channel' ? target(q).name : '', autocomplete: 'off', list: 'pub-channels' });
  const reason = h('input', { type: 'text', id: 'pub-reason', autocomplete: 'off' });
  const form = h('form', { on: { submit: async ev => {
    ev.preventDefault();
    dlg.close();
    const c = channel.value.trim();
    const current = state.refs.channels.find(x => x.name === c)?.head;
    try {
      const r = await api(`/workflows/${enc(state.workflow)}/channels/${enc(c)}/publish`, { method: 'POST', body: { version: v.id, reason: reason.value.trim() || null, expected_version: current || 'none' } });
      await loadRefs();
      announce(`Published ${name} to ${c} (audit #${r.sequence}, ${when(r.time)}).`);
    } catch (e) {
      announce(`Publish of ${name} to ${c} failed (${e.status || 'network'}): ${e.message}`, true);
    }
    rerender();
  } } },
  h('h2', { id: 'dialog-title' }, `Publish ${name}`),
  h('label', { for: 'pub-channel' }, 'Channel'), channel,
  h('datalist', { id: 'pub-channels' }, state.refs.channels.map(c => h('option', { value: c.name }))),
  h('label', { for: 'pub-reason' }, 'Reason (optional)'), reason,
  h('div', { class: 'row' }, h('button', { type: 'button', on: { click: () => dlg.close() } }, 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Publish')));
  dlg.replaceChildren(form);
  dlg.showModal();
  channel.focus();
}

// ---------------------------------------------------------------- preview and compare
function paramTable(params, caption) {
  return h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, Object.entries(params).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'val' }, v)))));
}

async function showVersion(rev, q) {
  const id = state.workflow;
  const graph = await api(`/workflows/${enc(id)}/versions/${enc(rev)}/graph`);
  const side = h('section', { class: 'params', 'aria-label': 'Node parameters' }, h('p', {}, 'Select a node to see its parameters.'));
  const svg = drawGraph(graph, { label: `Graph of ${label(graph.version)}`, onSelect: n => side.replaceChildren(h('h2', {}, n.title || n.id), paramTable(n.parameters, `Parameters of ${n.title || n.id}`)) });
  main.replaceChildren(...header('version', q), h('h2', {}, `${label(graph.version)} · ${graph.name || ''} · ${graph.nodes.length} nodes, ${graph.edges.length} edges`),
    h('div', { class: 'graph-wrap' }, svg, side));
  rerender = () => {};
}

async function showCompare(from, to, q) {
  const id = state.workflow;
  const versions = await api(`/workflows/${enc(id)}/versions?limit=200`);
  from = from || versions[1]?.id || versions[0]?.id;
  to = to || versions[0]?.id;
  const pick = (idName, value, text) => h('label', { class: 'inline' }, text, h('select', { id: idName },
    versions.map(v => h('option', { value: v.id, selected: v.id === value || label(v.id) === value }, `${label(v.id)} — ${v.subject}`))));
  const form = h('form', { class: 'filters', on: { submit: ev => {
    ev.preventDefault();
    location.hash = href(['w', id, 'compare', $('cmp-from').value, $('cmp-to').value], { on: q.get('on') });
  } } }, pick('cmp-from', from, 'From'), pick('cmp-to', to, 'To'), h('button', { type: 'submit' }, 'Compare'));
  const [cmp, graph] = await Promise.all([
    api(`/workflows/${enc(id)}/compare?from=${enc(from)}&to=${enc(to)}`),
    api(`/workflows/${enc(id)}/versions/${enc(to)}/graph`),
  ]);
  const marks = {};
  for (const c of cmp.changes) if (c.element === 'node') marks[c.id] = c.change;
  const changes = h('section', { 'aria-label': 'Changes' }, cmp.changes.length === 0 ? h('p', {}, 'The two versions have the same content.') :
    cmp.changes.map(c => h('article', { class: 'change' },
      h('h3', {}, h('span', { class: `k-${c.change}` }, c.change), ' ', c.element, ' ', c.title || c.id || '', c.node_type ? ` (${c.node_type})` : ''),
      c.parameters.length ? h('table', {}, h('caption', {}, `Parameter changes of ${c.title || c.id || c.element}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'), h('th', { scope: 'col' }, `Before (${label(cmp.from)})`), h('th', { scope: 'col' }, `After (${label(cmp.to)})`))),
        h('tbody', {}, c.parameters.map(p => h('tr', {}, h('th', { scope: 'row' }, p.path), h('td', { class: 'before' }, shown(p.before)), h('td', { class: 'after' }, shown(p.after)))))) : null)));
  main.replaceChildren(...header('compare', q), form,
    h('h2', {}, `${label(cmp.from)} → ${label(cmp.to)}: ${cmp.changes.length} change${cmp.changes.length === 1 ? '' : 's'}`),
    small(drawGraph(graph, { marks, label: `Graph of ${label(cmp.to)} with changes marked` })), changes);
  rerender = () => {};
}

// absent (null) vs empty text
const shown = v => v === null || v === undefined ? '—' : v === '' ? '""' : v;

function small(svg) {
  svg.classList.add('small');
  return svg;
}

// ---------------------------------------------------------------- audit and what was live when
async function showAudit(refName, q) {
  const id = state.workflow;
  const refs = [...state.refs.branches.map(b => b.name), ...state.refs.channels.flatMap(c => [c.name, `${c.name}.guard`, `${c.name}.lkg`])];
  refName = refName || refs[0];
  const entries = await api(`/workflows/${enc(id)}/audit?ref=${enc(refName)}&limit=200`);
  const select = h('select', { id: 'audit-ref', on: { change: ev => { location.hash = href(['w', id, 'audit', ev.target.value], { on: q.get('on') }); } } },
    refs.map(r => h('option', { value: r, selected: r === refName }, r)));
  const table = h('table', { 'aria-label': `Audit of ${refName}` },
    h('thead', {}, h('tr', {}, ['When', 'Who', 'Operation', 'From → to', 'Why', 'Evidence'].map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, entries.map(e => h('tr', {},
      h('td', {}, when(e.time)), h('td', {}, e.actor), h('td', {}, e.operation),
      h('td', { class: 'val' }, `${label(e.old)} → ${label(e.new)}`), h('td', {}, e.reason || ''),
      h('td', { class: 'val' }, Object.entries(e.details).map(([k, v]) => `${k}: ${v}`).join('\n'))))));
  main.replaceChildren(...header('audit', q), h('p', {}, h('label', { class: 'inline', for: 'audit-ref' }, 'Ref'), select),
    entries.length ? table : h('p', {}, 'No audit entry.'));
  rerender = () => showAudit(refName, parseRoute().q);
}

async function showLiveWhen(channel, q) {
  const id = state.workflow;
  const entries = (await api(`/workflows/${enc(id)}/audit?channel=${enc(channel)}&limit=1000`)).filter(e => e.old !== e.new).reverse();
  const periods = entries.map((e, i) => ({ version: e.new, from: e.time, until: entries[i + 1]?.time, by: e.actor, op: e.operation, reason: e.reason }));
  const select = h('select', { id: 'lw-channel', on: { change: ev => { location.hash = href(['w', id, 'live-when', ev.target.value], { on: q.get('on') }); } } },
    state.refs.channels.map(c => h('option', { value: c.name, selected: c.name === channel }, c.name)));
  main.replaceChildren(...header('live-when', q), h('p', {}, h('label', { class: 'inline', for: 'lw-channel' }, 'Channel'), select),
    h('ol', { class: 'timeline', 'aria-label': `What was live on ${channel}`, reversed: true }, periods.reverse().map(p => h('li', {},
      h('strong', {}, label(p.version)), ` live from ${when(p.from)} ${p.until ? `until ${when(p.until)}` : '(now)'} — ${p.op} by ${p.by}${p.reason ? `: ${p.reason}` : ''}`))));
  rerender = () => showLiveWhen(channel, parseRoute().q);
}

// ---------------------------------------------------------------- start
$('sign-out').addEventListener('click', () => {
  signIn.key = null;
  state.me = null;
  state.workflow = null;
  stopLive();
  location.hash = '#/';
  showSignIn();
});
window.addEventListener('hashchange', route);
await loadConfig();
await route();
