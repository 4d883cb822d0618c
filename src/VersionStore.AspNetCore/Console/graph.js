// Read-only SVG drawing of a workflow graph (nodes at their Dify canvas positions, edges as curves).
const NS = 'http://www.w3.org/2000/svg';
const el = (name, attrs = {}, text) => {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

// marks: node id -> 'added' | 'removed' | 'modified'
export function drawGraph(graph, { onSelect, marks = {}, label = 'Workflow graph' } = {}) {
  const svg = el('svg', { class: 'graph', role: 'group', 'aria-label': label });
  const nodes = graph.nodes.filter(n => !n.parent);   // children of iterations/loops are drawn inside their container's box by Dify; list them in parameters
  const byId = new Map(graph.nodes.map(n => [n.id, n]));
  if (nodes.length === 0) return svg;
  const minX = Math.min(...nodes.map(n => n.x)), minY = Math.min(...nodes.map(n => n.y));
  const maxX = Math.max(...nodes.map(n => n.x + Math.min(n.width, 260))), maxY = Math.max(...nodes.map(n => n.y + Math.min(n.height, 120)));
  svg.setAttribute('viewBox', `${minX - 40} ${minY - 40} ${maxX - minX + 80} ${maxY - minY + 80}`);
  const edges = el('g');
  for (const e of graph.edges) {
    const a = byId.get(e.source), b = byId.get(e.target);
    if (!a || !b || a.parent || b.parent) continue;
    const x1 = a.x + Math.min(a.width, 260), y1 = a.y + 30, x2 = b.x, y2 = b.y + 30, dx = Math.max(40, (x2 - x1) / 2);
    edges.append(el('path', { d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}` }));
  }
  svg.append(edges);
  let selected;
  for (const n of nodes) {
    const g = el('g', { class: `node ${marks[n.id] || ''}`, transform: `translate(${n.x},${n.y})`, tabindex: '0', role: 'button',
      'aria-label': `Node ${n.title || n.id}${n.type ? ` (${n.type})` : ''}${marks[n.id] ? `, ${marks[n.id]}` : ''}` });
    g.append(el('rect', { width: Math.min(n.width, 260), height: 60 }));
    g.append(el('text', { x: 12, y: 24 }, (n.title || n.id).slice(0, 28)));
    g.append(el('text', { x: 12, y: 44, class: 'type' }, n.type || ''));
    const select = () => {
      selected?.classList.remove('sel');
      g.classList.add('sel');
      selected = g;
      onSelect?.(n);
    };
    g.addEventListener('click', select);
    g.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(); } });
    svg.append(g);
  }
  return svg;
}
