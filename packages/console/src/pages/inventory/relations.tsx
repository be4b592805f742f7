/**
 * How inventory items hang together, from what the inventories hold: a
 * product (TMF637) names the services and resources realizing it
 * (realizingService, realizingResource); a customer-facing service (TMF638)
 * its supporting services, a resource-facing one its supporting resources
 * (TMF639); a resource the resources it depends on (resourceRelationship).
 * Going up, a service or resource shows the products and services it serves.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, apiList, errorMessage, qs } from '../../api.ts';
import { Button, ErrorBanner, Loading, StateBadge } from '../../ui/components.tsx';
import { API, list, str, type Doc } from '../orders/tmf.ts';

export type InventoryKind = 'product' | 'service' | 'resource';

export interface TreeNode {
  kind: InventoryKind;
  id: string;
  name: string;
  state: string | undefined;
  /** What the item is, in a few words (a CFS, a port number…). */
  detail?: string;
  /** How it relates to its parent (dependsOn…), when the inventory says. */
  relation?: string;
  /** Why the item could not be read (not found, not visible to this role). */
  error?: string;
  children: TreeNode[];
}

export interface Relations {
  root: TreeNode;
  /** Products and services the root serves (its parents). */
  usedBy: TreeNode[];
}

const PATHS: Record<InventoryKind, string> = { product: API.product, service: API.service, resource: API.resource };
const MAX_DEPTH = 6;
const MAX_NODES = 200;

export function nodeOf(kind: InventoryKind, doc: Doc): Omit<TreeNode, 'children'> {
  const state = kind === 'product' ? str(doc['status']) : kind === 'service' ? str(doc['state']) : str(doc['resourceStatus']);
  const spec = doc[kind === 'product' ? 'productSpecification' : kind === 'service' ? 'serviceSpecification' : 'resourceSpecification'];
  const specName = typeof spec === 'object' && spec !== null ? str((spec as Doc)['name']) : undefined;
  const detail = kind === 'service'
    ? [str(doc['category']), specName].filter(Boolean).join(' · ')
    : kind === 'resource'
      ? [str(doc['value']), specName, str(doc['usageState']) ? `usage ${str(doc['usageState'])}` : undefined].filter(Boolean).join(' · ')
      : [str((doc['productOffering'] as Doc | undefined)?.['name']), specName].filter(Boolean).join(' · ');
  return { kind, id: String(doc['id']), name: str(doc['name']) ?? specName ?? String(doc['id']), state, ...(detail ? { detail } : {}) };
}

/** Reads documents once per id, and never more than MAX_NODES of them. */
class Loader {
  private readonly docs = new Map<string, Promise<Doc | Error>>();
  count = 0;

  get(kind: InventoryKind, id: string): Promise<Doc | Error> {
    const key = `${kind}/${id}`;
    let p = this.docs.get(key);
    if (!p) {
      this.count++;
      p = this.count > MAX_NODES
        ? Promise.resolve(new Error('too many related items to show'))
        : api<Doc>(`${PATHS[kind]}/${encodeURIComponent(id)}`).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      this.docs.set(key, p);
    }
    return p;
  }
}

function failed(kind: InventoryKind, ref: Doc, e: Error): TreeNode {
  const why = e instanceof ApiError && e.status === 404 ? 'not found, or not visible to you' : e instanceof ApiError && e.status === 403 ? 'not visible to your role' : errorMessage(e);
  return { kind, id: String(ref['id']), name: str(ref['name']) ?? String(ref['id']), state: undefined, error: why, children: [] };
}

const refsOf = (v: unknown): Doc[] => list(v).filter((r) => str(r['id']) !== undefined);

async function expand(loader: Loader, kind: InventoryKind, ref: Doc, depth: number, seen: ReadonlySet<string>, relation?: string): Promise<TreeNode> {
  const doc = await loader.get(kind, String(ref['id']));
  if (doc instanceof Error) return { ...failed(kind, ref, doc), ...(relation ? { relation } : {}) };
  const node: TreeNode = { ...nodeOf(kind, doc), ...(relation ? { relation } : {}), children: [] };
  const key = `${kind}/${node.id}`;
  if (depth >= MAX_DEPTH || seen.has(key)) return node;
  const path = new Set(seen).add(key);
  const children: Array<Promise<TreeNode>> = [];
  if (kind === 'product') {
    const services = refsOf(doc['realizingService']);
    // the product names every service; those another one supports appear under it, not twice
    const supported = new Set<string>();
    const serviceDocs = await Promise.all(services.map((s) => loader.get('service', String(s['id']))));
    for (const d of serviceDocs) if (!(d instanceof Error)) for (const s of refsOf(d['supportingService'])) supported.add(String(s['id']));
    for (const s of services.filter((x) => !supported.has(String(x['id'])))) children.push(expand(loader, 'service', s, depth + 1, path, 'realizes'));
    // resources reached through the services are shown there; the rest under the product
    const viaServices = new Set<string>();
    for (const d of serviceDocs) if (!(d instanceof Error)) for (const r of refsOf(d['supportingResource'])) viaServices.add(String(r['id']));
    for (const r of refsOf(doc['realizingResource']).filter((x) => !viaServices.has(String(x['id'])))) children.push(expand(loader, 'resource', r, depth + 1, path, 'realizes'));
    for (const rel of list(doc['productRelationship'])) {
      const p = (rel['product'] as Doc | undefined) ?? rel;
      if (str(p['id'])) children.push(expand(loader, 'product', p, depth + 1, path, str(rel['relationshipType']) ?? 'related'));
    }
  } else if (kind === 'service') {
    for (const s of refsOf(doc['supportingService'])) children.push(expand(loader, 'service', s, depth + 1, path, 'supported by'));
    for (const r of refsOf(doc['supportingResource'])) children.push(expand(loader, 'resource', r, depth + 1, path, 'uses'));
    for (const rel of list(doc['serviceRelationship'])) {
      const s = rel['service'] as Doc | undefined;
      if (s && str(s['id'])) children.push(expand(loader, 'service', s, depth + 1, path, str(rel['relationshipType']) ?? 'related'));
    }
  } else {
    for (const rel of list(doc['resourceRelationship'])) {
      const r = rel['resource'] as Doc | undefined;
      if (r && str(r['id'])) children.push(expand(loader, 'resource', r, depth + 1, path, str(rel['relationshipType']) ?? 'related'));
    }
  }
  node.children = await Promise.all(children);
  return node;
}

/** Who points at the item: products realized by it, services supported by it. */
async function usedBy(kind: InventoryKind, id: string, can: (k: InventoryKind) => boolean): Promise<TreeNode[]> {
  const queries: Array<[InventoryKind, string]> = [];
  if (kind === 'service') {
    if (can('product')) queries.push(['product', `${API.product}${qs({ 'realizingService.id': id, limit: 50 })}`]);
    queries.push(['service', `${API.service}${qs({ 'supportingService.id': id, limit: 50 })}`]);
  } else if (kind === 'resource') {
    if (can('product')) queries.push(['product', `${API.product}${qs({ 'realizingResource.id': id, limit: 50 })}`]);
    if (can('service')) queries.push(['service', `${API.service}${qs({ 'supportingResource.id': id, limit: 50 })}`]);
  }
  const pages = await Promise.all(queries.map(async ([k, path]) => (await apiList<Doc>(path)).items.map((d) => ({ ...nodeOf(k, d), children: [] }))));
  return pages.flat();
}

export function useRelations(kind: InventoryKind, id: string, can: (k: InventoryKind) => boolean) {
  return useQuery({
    queryKey: ['inventory', 'relations', kind, id],
    queryFn: async (): Promise<Relations> => {
      const loader = new Loader();
      const [root, parents] = await Promise.all([expand(loader, kind, { id }, 0, new Set()), usedBy(kind, id, can)]);
      return { root, usedBy: parents };
    },
  });
}

const KIND_LABEL: Record<InventoryKind, string> = { product: 'Product', service: 'Service', resource: 'Resource' };

function NodeLine({ node, onShow }: { node: TreeNode; onShow: (kind: InventoryKind, id: string) => void }) {
  return (
    <>
      {node.relation ? <span className="muted small">{node.relation} </span> : null}
      <span className="kind">{KIND_LABEL[node.kind]}</span>
      <strong>{node.name}</strong>{' '}
      {node.state ? <StateBadge state={node.state} /> : null}
      {node.detail ? <span className="muted small"> {node.detail}</span> : null}
      {node.error ? <span className="field-error small"> ({node.error})</span> : null}
      {!node.error ? <Button variant="link" onClick={() => onShow(node.kind, node.id)} aria-label={`Show the relationships of ${KIND_LABEL[node.kind].toLowerCase()} ${node.name}`}>show</Button> : null}
    </>
  );
}

function Branch({ nodes, onShow }: { nodes: readonly TreeNode[]; onShow: (kind: InventoryKind, id: string) => void }) {
  if (nodes.length === 0) return null;
  return (
    <ul>
      {nodes.map((n, i) => (
        <li key={`${n.kind}/${n.id}/${i}`} data-kind={n.kind} data-state={n.state}>
          <NodeLine node={n} onShow={onShow} />
          <Branch nodes={n.children} onShow={onShow} />
        </li>
      ))}
    </ul>
  );
}

export function RelationshipView({ kind, id, can, onShow }: {
  kind: InventoryKind;
  id: string;
  can: (k: InventoryKind) => boolean;
  onShow: (kind: InventoryKind, id: string) => void;
}) {
  const r = useRelations(kind, id, can);
  if (r.isPending) return <Loading label="Following the relationships…" />;
  if (r.error) return <ErrorBanner error={r.error} onRetry={() => void r.refetch()} title="The relationships could not be read" />;
  const { root, usedBy: parents } = r.data;
  return (
    <div data-testid="relationship-view">
      {parents.length > 0 ? (
        <>
          <h3>Serves</h3>
          <ul className="tree">
            {parents.map((p) => <li key={`${p.kind}/${p.id}`} data-kind={p.kind}><NodeLine node={p} onShow={onShow} /></li>)}
          </ul>
        </>
      ) : null}
      <h3>{KIND_LABEL[root.kind]} {root.name} and what it relies on</h3>
      <ul className="tree" aria-label={`Relationships of ${KIND_LABEL[root.kind].toLowerCase()} ${root.name}`}>
        <li data-kind={root.kind} data-state={root.state}>
          <NodeLine node={root} onShow={onShow} />
          <Branch nodes={root.children} onShow={onShow} />
        </li>
      </ul>
      {root.kind === 'product' && root.children.length === 0 && !root.error ? (
        <p className="muted">The product names the services and resources realizing it once it is active.</p>
      ) : null}
    </div>
  );
}
