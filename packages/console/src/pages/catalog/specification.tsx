/**
 * One product, service or resource specification with its characteristics and
 * its place in the decomposition: product → customer-facing services →
 * resource-facing services → resources, followed both ways.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Details, ErrorBanner, Loading, PageHeader, Section, StateBadge, Table, formatDate } from '../../ui/components.tsx';
import {
  PRODUCT, SERVICE, SPEC_KINDS, charValues, isSpecKind,
  type CharSpec, type Offering, type ProductSpec, type Ref, type ResourceSpec, type ServiceSpec, type SpecKind,
} from './data.ts';

type AnySpec = ProductSpec & ServiceSpec & ResourceSpec;

function RefList({ kind, refs, empty }: { kind: SpecKind; refs: readonly Ref[] | undefined; empty: string }) {
  if (!refs?.length) return <p className="empty">{empty}</p>;
  return (
    <ul className="ref-list">
      {refs.map((r) => (
        <li key={r.id}>
          <Link to="/catalog/$kind/$specId" params={{ kind, specId: r.id }}>{r.name ?? r.id}</Link>
          {r.relationshipType ? <span className="muted"> ({r.relationshipType})</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function SpecificationPage({ kind, specId }: { kind: string; specId: string }) {
  const { can } = useSession();
  const valid = isSpecKind(kind);
  const meta = valid ? SPEC_KINDS[kind] : undefined;
  const q = useQuery({
    queryKey: [kind, specId],
    queryFn: () => api<AnySpec>(`${meta!.base}/${kind}/${encodeURIComponent(specId)}`),
    enabled: valid,
  });
  // who refers to this specification, one level up
  const usedBy = useQuery({
    queryKey: [kind, specId, 'usedBy'],
    enabled: valid && kind !== 'productSpecification' ? can('serviceCatalogManagement', 'read') : valid,
    queryFn: async (): Promise<{ kind: SpecKind | 'productOffering'; refs: Ref[] }[]> => {
      if (kind === 'productSpecification') {
        const r = await apiList<Offering>(`${PRODUCT}/productOffering${qs({ 'productSpecification.id': specId, fields: 'name' })}`);
        return [{ kind: 'productOffering', refs: r.items.map((o) => ({ id: o.id, name: o.name })) }];
      }
      if (kind === 'serviceSpecification') {
        const [products, services] = await Promise.all([
          apiList<ProductSpec>(`${PRODUCT}/productSpecification${qs({ 'serviceSpecification.id': specId, fields: 'name' })}`),
          apiList<ServiceSpec>(`${SERVICE}/serviceSpecification${qs({ 'serviceSpecRelationship.id': specId, fields: 'name' })}`),
        ]);
        return [
          { kind: 'productSpecification', refs: products.items.map((s) => ({ id: s.id, name: s.name })) },
          { kind: 'serviceSpecification', refs: services.items.map((s) => ({ id: s.id, name: s.name })) },
        ];
      }
      const services = await apiList<ServiceSpec>(`${SERVICE}/serviceSpecification${qs({ 'resourceSpecification.id': specId, fields: 'name' })}`);
      return [{ kind: 'serviceSpecification', refs: services.items.map((s) => ({ id: s.id, name: s.name })) }];
    },
  });

  if (!meta) return <><PageHeader title="Specification" /><ErrorBanner error={new Error(`'${kind}' is not a kind of specification`)} /></>;
  if (q.error) return <><PageHeader title={meta.title} /><ErrorBanner error={q.error} /></>;
  if (!q.data) return <><PageHeader title={meta.title} /><Loading /></>;
  const s = q.data;
  const chars: CharSpec[] = s.productSpecCharacteristic ?? s.specCharacteristic ?? s.resourceSpecCharacteristic ?? [];

  return (
    <>
      <PageHeader title={s.name} subtitle={<><Link to="/catalog" search={{ tab: kind === 'productSpecification' ? 'product' : kind === 'serviceSpecification' ? 'service' : 'resource' }}>Catalog</Link> · {meta.title} ({meta.api})</>} />
      <Section title="Details">
        <Details items={[
          ['Status', <StateBadge state={s.lifecycleStatus} />],
          ['Kind', s['@type'] ?? meta.title],
          ['Version', s.version],
          ['Description', s.description],
          ...(s.brand ? [['Brand', s.brand] as [string, string]] : []),
          ...(typeof s.category === 'string' ? [['Category', s.category] as [string, string]] : []),
          ['Last update', formatDate(s.lastUpdate)],
        ]} />
      </Section>
      <Section title="Characteristics">
        <Table
          caption="Characteristics"
          captionHidden
          rows={chars}
          rowKey={(c) => c.name}
          empty="No characteristic."
          columns={[
            { key: 'name', header: 'Name', cell: (c) => c.name },
            { key: 'type', header: 'Type', cell: (c) => c.valueType ?? '—' },
            { key: 'conf', header: 'Configurable', cell: (c) => (c.configurable ? 'yes' : 'no') },
            { key: 'values', header: 'Allowed values', cell: (c) => charValues(c) || '—' },
            { key: 'desc', header: 'Description', cell: (c) => c.description ?? '—' },
          ]}
        />
      </Section>
      <div className="grid-2">
        <Section title="Delivered with">
          {kind === 'productSpecification' ? (
            <>
              <h3>Services (TMF633)</h3>
              <RefList kind="serviceSpecification" refs={s.serviceSpecification} empty="No service specification." />
              {s.resourceSpecification?.length ? <><h3>Resources (TMF634)</h3><RefList kind="resourceSpecification" refs={s.resourceSpecification} empty="" /></> : null}
              {s.bundledProductSpecification?.length ? <><h3>Bundled products</h3><RefList kind="productSpecification" refs={s.bundledProductSpecification} empty="" /></> : null}
            </>
          ) : kind === 'serviceSpecification' ? (
            <>
              <h3>Services it depends on</h3>
              <RefList kind="serviceSpecification" refs={s.serviceSpecRelationship} empty="None." />
              <h3>Resources (TMF634)</h3>
              <RefList kind="resourceSpecification" refs={s.resourceSpecification} empty="None." />
            </>
          ) : (
            <>
              <h3>Related resources</h3>
              <RefList kind="resourceSpecification" refs={s.resourceSpecRelationship} empty="None." />
            </>
          )}
        </Section>
        <Section title="Used by">
          {usedBy.error ? <ErrorBanner error={usedBy.error} /> : !usedBy.data ? (usedBy.isFetching ? <Loading /> : <p className="empty">Not visible to your role.</p>) : usedBy.data.map((g) => (
            <div key={g.kind}>
              <h3>{g.kind === 'productOffering' ? 'Product offerings' : SPEC_KINDS[g.kind].title + 's'}</h3>
              {g.kind === 'productOffering' ? (
                g.refs.length ? <ul className="ref-list">{g.refs.map((r) => <li key={r.id}><Link to="/catalog/offerings/$offeringId" params={{ offeringId: r.id }}>{r.name ?? r.id}</Link></li>)}</ul> : <p className="empty">None.</p>
              ) : <RefList kind={g.kind} refs={g.refs} empty="None." />}
            </div>
          ))}
        </Section>
      </div>
    </>
  );
}
