/**
 * The decomposition of a product order as a graph: the product order, the
 * service orders opened for it (TMF641, externalId = the product order), and
 * the resource orders opened for those (TMF652, externalId = the service
 * order), each node with its state and its items' states. Drawn in SVG; the
 * same tree is given as a list to screen readers.
 */
import { useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { ProductOrder, ResourceOrder, ServiceOrder } from './tmf.ts';

interface NodeItem {
  label: string;
  state: string | undefined;
}

interface GraphNode {
  key: string;
  kind: string;
  id: string;
  state: string;
  items: NodeItem[];
  parent?: string;
  column: number;
}

const NODE_W = 270;
const COL_GAP = 60;
const HEAD_H = 46;
const ITEM_H = 19;
const PAD = 10;
const V_GAP = 18;

const TONE: Record<string, string> = {
  completed: '#1b7f3b', active: '#1b7f3b', done: '#1b7f3b',
  failed: '#b3261e', cancelled: '#b3261e', rejected: '#b3261e',
  inprogress: '#1f5fbf', acknowledged: '#1f5fbf', assessingcancellation: '#8a5a00', pendingcancellation: '#8a5a00',
  pending: '#8a5a00', held: '#8a5a00', partial: '#8a5a00',
};
const toneOf = (state: string | undefined) => TONE[(state ?? '').toLowerCase()] ?? '#5b6170';

function nodesOf(order: ProductOrder, serviceOrders: readonly ServiceOrder[], resourceOrders: readonly ResourceOrder[]): GraphNode[] {
  const nodes: GraphNode[] = [{
    key: `po:${order.id}`, kind: 'Product order', id: order.id, state: order.state, column: 0,
    items: order.productOrderItem.map((i) => ({ label: `${i.id} ${i.action} ${i.productOffering?.name ?? i.productOffering?.id ?? i.product?.id ?? ''}`.trim(), state: i.state })),
  }];
  for (const so of serviceOrders) {
    nodes.push({
      key: `so:${so.id}`, kind: 'Service order', id: so.id, state: so.state, column: 1, parent: `po:${order.id}`,
      items: (so.serviceOrderItem ?? []).map((i) => ({ label: `${i.action ?? ''} ${i.service?.serviceSpecification?.name ?? i.service?.name ?? i.service?.id ?? i.id}`.trim(), state: i.state })),
    });
  }
  for (const ro of resourceOrders) {
    const parent = serviceOrders.find((so) => so.id === ro.externalId);
    nodes.push({
      key: `ro:${ro.id}`, kind: 'Resource order', id: ro.id, state: ro.state, column: 2, ...(parent ? { parent: `so:${parent.id}` } : { parent: `po:${order.id}` }),
      items: (ro.orderItem ?? []).map((i) => ({ label: `${i.action ?? ''} ${i.resourceSpecification?.name ?? i.resource?.name ?? i.id}`.trim(), state: i.state })),
    });
  }
  return nodes;
}

const heightOf = (n: GraphNode) => HEAD_H + Math.max(1, n.items.length) * ITEM_H + PAD;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The width the graph has to draw in, followed as the window changes. */
function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const o = new ResizeObserver(() => setWidth(el.clientWidth));
    o.observe(el);
    return () => o.disconnect();
  }, []);
  return [ref, width];
}

export function DecompositionGraph({ order, serviceOrders, resourceOrders }: {
  order: ProductOrder;
  serviceOrders: readonly ServiceOrder[];
  resourceOrders: readonly ResourceOrder[];
}) {
  const titleId = useId();
  const [box, available] = useWidth<HTMLDivElement>();
  const nodes = nodesOf(order, serviceOrders, resourceOrders);
  const columns = [0, 1, 2].filter((c) => nodes.some((n) => n.column === c));
  // side by side when the three levels fit, else one level under the other (phones)
  const vertical = available > 0 && available < columns.length * NODE_W + (columns.length - 1) * COL_GAP + 8;
  const nodeW = vertical ? Math.max(220, Math.min(available - 8, 420)) : NODE_W;
  const pos = new Map<string, { x: number; y: number; h: number }>();
  let width = 0;
  let height = 0;
  if (vertical) {
    let y = 0;
    for (const c of columns) {
      for (const n of nodes.filter((x) => x.column === c)) {
        const h = heightOf(n);
        pos.set(n.key, { x: 0, y, h });
        y += h + V_GAP * 1.5;
      }
    }
    width = nodeW;
    height = y - V_GAP * 1.5;
  } else {
    for (const [ci, c] of columns.entries()) {
      let y = 0;
      for (const n of nodes.filter((x) => x.column === c)) {
        const h = heightOf(n);
        pos.set(n.key, { x: ci * (NODE_W + COL_GAP), y, h });
        y += h + V_GAP;
      }
      height = Math.max(height, y - V_GAP);
    }
    width = columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  }
  // characters that fit: 12 px bold titles, 11 px item labels beside their state
  const titleChars = Math.floor((nodeW - 2 * PAD) / 7.4);
  const itemChars = Math.floor((nodeW - 2 * PAD - 14 - 78) / 6.2);
  const title = `Decomposition of product order ${order.id}: ${serviceOrders.length} service order(s), ${resourceOrders.length} resource order(s)`;

  return (
    <figure className="graph">
      <div className="graph-scroll" role="region" aria-label="Decomposition graph" tabIndex={0} ref={box}>
        <svg
          role="img"
          aria-labelledby={titleId}
          viewBox={`-2 -2 ${width + 4} ${height + 4}`}
          width={width + 4}
          height={height + 4}
          style={{ maxWidth: '100%', height: 'auto' }}
          data-testid="decomposition-graph"
        >
          <title id={titleId}>{title}</title>
          {nodes.filter((n) => n.parent && pos.has(n.parent)).map((n) => {
            const a = pos.get(n.parent!)!;
            const b = pos.get(n.key)!;
            if (vertical) {
              // straight down between the boxes (drawn under them)
              const x = nodeW / 2;
              return <path key={`e:${n.key}`} d={`M${x},${a.y + a.h} L${x},${b.y}`} fill="none" stroke="#8a90a0" strokeWidth={1.5} />;
            }
            const x1 = a.x + NODE_W;
            const y1 = a.y + HEAD_H / 2;
            const x2 = b.x;
            const y2 = b.y + HEAD_H / 2;
            const mx = (x1 + x2) / 2;
            return <path key={`e:${n.key}`} d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`} fill="none" stroke="#8a90a0" strokeWidth={1.5} />;
          })}
          {nodes.map((n) => {
            const p = pos.get(n.key)!;
            const tone = toneOf(n.state);
            return (
              <g key={n.key} transform={`translate(${p.x},${p.y})`} data-node={n.kind} data-state={n.state}>
                <rect width={nodeW} height={p.h} rx={8} fill="#ffffff" stroke={tone} strokeWidth={2} />
                <rect width={nodeW} height={HEAD_H - 6} rx={8} fill={tone} opacity={0.12} />
                <text x={PAD} y={17} fontSize={12} fontWeight={600} fill="#1d2230">{n.kind} {clip(n.id, Math.max(8, titleChars - n.kind.length - 1))}</text>
                <text x={PAD} y={34} fontSize={12} fill={tone} fontWeight={600}>{n.state}</text>
                {n.items.length === 0 ? (
                  <text x={PAD} y={HEAD_H + 12} fontSize={11} fill="#5b6170">no items</text>
                ) : n.items.map((it, i) => (
                  <g key={i} transform={`translate(0,${HEAD_H + i * ITEM_H})`}>
                    <circle cx={PAD + 4} cy={8} r={4} fill={toneOf(it.state)} />
                    <text x={PAD + 14} y={12} fontSize={11} fill="#1d2230">{clip(it.label, Math.max(12, itemChars))}</text>
                    <text x={nodeW - PAD} y={12} fontSize={11} fill={toneOf(it.state)} textAnchor="end">{it.state ?? '—'}</text>
                  </g>
                ))}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="visually-hidden">
        <ul>
          {nodes.filter((n) => n.column === 0).map((root) => (
            <li key={root.key}>
              {describe(root)}
              <ul>
                {nodes.filter((n) => n.parent === root.key).map((so) => (
                  <li key={so.key}>
                    {describe(so)}
                    <ul>{nodes.filter((n) => n.parent === so.key).map((ro) => <li key={ro.key}>{describe(ro)}</li>)}</ul>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function describe(n: GraphNode): string {
  const items = n.items.map((i) => `${i.label}: ${i.state ?? 'no state'}`).join('; ');
  return `${n.kind} ${n.id}, ${n.state}${items ? ` — items: ${items}` : ''}`;
}
