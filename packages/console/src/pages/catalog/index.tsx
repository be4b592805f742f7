/**
 * The catalogs: product offerings, their prices and specifications (TMF620),
 * catalogs and categories, and the service and resource specifications they
 * are delivered with (TMF633, TMF634). Product managers create offerings here.
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { ErrorBanner, Loading, PageHeader, SelectField, StateBadge, Table, Tabs, TextField, formatDate } from '../../ui/components.tsx';
import {
  CATALOG_STATES, PRODUCT, RESOURCE, SERVICE, priceText,
  type Catalog, type Category, type Offering, type Price, type ProductSpec, type ResourceSpec, type ServiceSpec,
} from './data.ts';

type TabKey = 'offerings' | 'catalogs' | 'prices' | 'product' | 'service' | 'resource';

export function CatalogPage() {
  const { can } = useSession();
  const search = useSearch({ from: '/catalog' });
  const navigate = useNavigate({ from: '/catalog' });
  const tabs: { key: TabKey; label: string }[] = [
    { key: 'offerings', label: 'Offerings' },
    { key: 'catalogs', label: 'Catalogs & categories' },
    { key: 'prices', label: 'Prices' },
    { key: 'product', label: 'Product specifications' },
    ...(can('serviceCatalogManagement', 'read') ? [{ key: 'service' as const, label: 'Service specifications' }] : []),
    ...(can('resourceCatalog', 'read') ? [{ key: 'resource' as const, label: 'Resource specifications' }] : []),
  ];
  const tab = tabs.find((t) => t.key === search.tab)?.key ?? 'offerings';
  return (
    <>
      <PageHeader
        title="Catalog"
        subtitle="What is sold (TMF620) and how it is delivered (TMF633 services, TMF634 resources)"
        actions={can('productCatalogManagement', 'create') ? <Link className="btn btn-primary" to="/catalog/offerings/new">New offering</Link> : null}
      />
      <Tabs label="Catalog sections" tabs={tabs} value={tab} onChange={(k) => void navigate({ search: { tab: k }, replace: true })} />
      {tab === 'offerings' ? <Offerings /> : null}
      {tab === 'catalogs' ? <Catalogs /> : null}
      {tab === 'prices' ? <Prices /> : null}
      {tab === 'product' ? <ProductSpecs /> : null}
      {tab === 'service' ? <ServiceSpecs /> : null}
      {tab === 'resource' ? <ResourceSpecs /> : null}
    </>
  );
}

const STATE_OPTIONS = [{ value: '', label: 'Any' }, ...CATALOG_STATES];

function Offerings() {
  const [state, setState] = useState('');
  const [text, setText] = useState('');
  const q = useQuery({
    queryKey: ['productOffering', 'list', state],
    queryFn: () => apiList<Offering>(`${PRODUCT}/productOffering${qs({ lifecycleStatus: state, sort: 'name', limit: 500 })}`),
  });
  const prices = usePrices();
  const rows = useMemo(() => {
    const t = text.trim().toLowerCase();
    return (q.data?.items ?? []).filter((o) => !t || o.name.toLowerCase().includes(t) || (o.description ?? '').toLowerCase().includes(t));
  }, [q.data, text]);
  return (
    <>
      <div className="toolbar">
        <TextField label="Filter by name" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        <SelectField label="Lifecycle status" value={state} onChange={(e) => setState(e.target.value)} options={STATE_OPTIONS} />
      </div>
      <ErrorBanner error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? <Loading /> : (
        <Table
          caption={`Product offerings (${rows.length}${q.data?.total != null && q.data.total !== rows.length ? ` of ${q.data.total}` : ''})`}
          rows={rows}
          rowKey={(o) => o.id}
          empty="No offering matches."
          columns={[
            { key: 'name', header: 'Offering', cell: (o) => <Link to="/catalog/offerings/$offeringId" params={{ offeringId: o.id }}>{o.name}</Link> },
            { key: 'state', header: 'Status', cell: (o) => <StateBadge state={o.lifecycleStatus} /> },
            { key: 'spec', header: 'Product specification', cell: (o) => o.productSpecification ? <Link to="/catalog/$kind/$specId" params={{ kind: 'productSpecification', specId: o.productSpecification.id }}>{o.productSpecification.name ?? o.productSpecification.id}</Link> : '—' },
            { key: 'price', header: 'Prices', cell: (o) => (o.productOfferingPrice ?? []).map((p) => priceText(prices.get(p.id) ?? p)).join(' + ') || '—' },
            { key: 'cat', header: 'Categories', cell: (o) => (o.category ?? []).map((c) => c.name ?? c.id).join(', ') || '—' },
            { key: 'updated', header: 'Last update', cell: (o) => formatDate(o.lastUpdate) },
          ]}
        />
      )}
    </>
  );
}

/** All prices by id, to show what a referenced price amounts to. */
export function usePrices(): Map<string, Price> {
  const q = useQuery({ queryKey: ['productOfferingPrice', 'list'], queryFn: () => apiList<Price>(`${PRODUCT}/productOfferingPrice?limit=1000`), staleTime: 60_000 });
  return useMemo(() => new Map((q.data?.items ?? []).map((p) => [p.id, p])), [q.data]);
}

function Catalogs() {
  const catalogs = useQuery({ queryKey: ['catalog', 'list'], queryFn: () => apiList<Catalog>(`${PRODUCT}/catalog?sort=name`) });
  const categories = useQuery({ queryKey: ['category', 'list'], queryFn: () => apiList<Category>(`${PRODUCT}/category?sort=name&limit=1000`) });
  const offerings = useQuery({ queryKey: ['productOffering', 'list', ''], queryFn: () => apiList<Offering>(`${PRODUCT}/productOffering?sort=name&limit=500`) });
  const byCategory = useMemo(() => {
    const m = new Map<string, Offering[]>();
    for (const o of offerings.data?.items ?? []) for (const c of o.category ?? []) m.set(c.id, [...(m.get(c.id) ?? []), o]);
    return m;
  }, [offerings.data]);
  const catName = (id: string) => categories.data?.items.find((c) => c.id === id)?.name ?? id;
  return (
    <>
      <ErrorBanner error={catalogs.error ?? categories.error} />
      {catalogs.isPending || categories.isPending ? <Loading /> : (
        <div className="grid-2">
          <Table
            caption="Catalogs"
            rows={catalogs.data?.items ?? []}
            rowKey={(c) => c.id}
            columns={[
              { key: 'name', header: 'Catalog', cell: (c) => <><strong>{c.name}</strong><br /><span className="muted small">{c.description}</span></> },
              { key: 'type', header: 'Type', cell: (c) => c.catalogType ?? '—' },
              { key: 'state', header: 'Status', cell: (c) => <StateBadge state={c.lifecycleStatus} /> },
              { key: 'cats', header: 'Categories', cell: (c) => (c.category ?? []).map((r) => r.name ?? catName(r.id)).join(', ') || '—' },
            ]}
          />
          <Table
            caption="Categories"
            rows={categories.data?.items ?? []}
            rowKey={(c) => c.id}
            columns={[
              { key: 'name', header: 'Category', cell: (c) => <><strong>{c.name}</strong><br /><span className="muted small">{c.description}</span></> },
              { key: 'parent', header: 'Parent', cell: (c) => (c.parentId ? catName(c.parentId) : 'root') },
              { key: 'state', header: 'Status', cell: (c) => <StateBadge state={c.lifecycleStatus} /> },
              {
                key: 'offers', header: 'Offerings', cell: (c) => {
                  const list = byCategory.get(c.id) ?? [];
                  return list.length ? list.map((o, i) => <span key={o.id}>{i ? ', ' : ''}<Link to="/catalog/offerings/$offeringId" params={{ offeringId: o.id }}>{o.name}</Link></span>) : '—';
                },
              },
            ]}
          />
        </div>
      )}
    </>
  );
}

function Prices() {
  const q = useQuery({ queryKey: ['productOfferingPrice', 'list'], queryFn: () => apiList<Price>(`${PRODUCT}/productOfferingPrice?limit=1000`), staleTime: 60_000 });
  return (
    <>
      <ErrorBanner error={q.error} />
      {q.isPending ? <Loading /> : (
        <Table
          caption="Product offering prices"
          rows={[...(q.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name))}
          rowKey={(p) => p.id}
          columns={[
            { key: 'name', header: 'Price', cell: (p) => p.name },
            { key: 'type', header: 'Type', cell: (p) => p.priceType ?? '—' },
            { key: 'amount', header: 'Amount', cell: (p) => priceText(p), className: 'num' },
            { key: 'tax', header: 'Tax', cell: (p) => (p.tax ?? []).map((t) => `${t.taxCategory ?? ''} ${t.taxRate ?? ''}%`).join(', ') || '—' },
            { key: 'state', header: 'Status', cell: (p) => <StateBadge state={p.lifecycleStatus} /> },
          ]}
        />
      )}
    </>
  );
}

function SpecLink({ kind, id, name }: { kind: 'productSpecification' | 'serviceSpecification' | 'resourceSpecification'; id: string; name?: string | undefined }) {
  return <Link to="/catalog/$kind/$specId" params={{ kind, specId: id }}>{name ?? id}</Link>;
}

function ProductSpecs() {
  const q = useQuery({ queryKey: ['productSpecification', 'list'], queryFn: () => apiList<ProductSpec>(`${PRODUCT}/productSpecification?sort=name&limit=1000`) });
  return (
    <>
      <ErrorBanner error={q.error} />
      {q.isPending ? <Loading /> : (
        <Table
          caption="Product specifications (TMF620)"
          rows={q.data?.items ?? []}
          rowKey={(s) => s.id}
          columns={[
            { key: 'name', header: 'Specification', cell: (s) => <SpecLink kind="productSpecification" id={s.id} name={s.name} /> },
            { key: 'brand', header: 'Brand', cell: (s) => s.brand ?? '—' },
            { key: 'state', header: 'Status', cell: (s) => <StateBadge state={s.lifecycleStatus} /> },
            { key: 'chars', header: 'Characteristics', cell: (s) => (s.productSpecCharacteristic ?? []).map((c) => c.name).join(', ') || '—' },
            { key: 'svc', header: 'Delivered by (services)', cell: (s) => (s.serviceSpecification ?? []).map((r, i) => <span key={r.id}>{i ? ', ' : ''}<SpecLink kind="serviceSpecification" id={r.id} name={r.name} /></span>) },
          ]}
        />
      )}
    </>
  );
}

function ServiceSpecs() {
  const q = useQuery({ queryKey: ['serviceSpecification', 'list'], queryFn: () => apiList<ServiceSpec>(`${SERVICE}/serviceSpecification?sort=name&limit=1000`) });
  return (
    <>
      <ErrorBanner error={q.error} />
      {q.isPending ? <Loading /> : (
        <Table
          caption="Service specifications (TMF633)"
          rows={q.data?.items ?? []}
          rowKey={(s) => s.id}
          columns={[
            { key: 'name', header: 'Specification', cell: (s) => <SpecLink kind="serviceSpecification" id={s.id} name={s.name} /> },
            { key: 'type', header: 'Kind', cell: (s) => (s['@type'] === 'CustomerFacingServiceSpecification' ? 'CFS' : s['@type'] === 'ResourceFacingServiceSpecification' ? 'RFS' : s['@type'] ?? '—') },
            { key: 'state', header: 'Status', cell: (s) => <StateBadge state={s.lifecycleStatus} /> },
            { key: 'rel', header: 'Depends on (services)', cell: (s) => (s.serviceSpecRelationship ?? []).map((r, i) => <span key={r.id}>{i ? ', ' : ''}<SpecLink kind="serviceSpecification" id={r.id} name={r.name} /></span>) },
            { key: 'res', header: 'Uses (resources)', cell: (s) => (s.resourceSpecification ?? []).map((r, i) => <span key={r.id}>{i ? ', ' : ''}<SpecLink kind="resourceSpecification" id={r.id} name={r.name} /></span>) },
          ]}
        />
      )}
    </>
  );
}

function ResourceSpecs() {
  const q = useQuery({ queryKey: ['resourceSpecification', 'list'], queryFn: () => apiList<ResourceSpec>(`${RESOURCE}/resourceSpecification?sort=name&limit=1000`) });
  return (
    <>
      <ErrorBanner error={q.error} />
      {q.isPending ? <Loading /> : (
        <Table
          caption="Resource specifications (TMF634)"
          rows={q.data?.items ?? []}
          rowKey={(s) => s.id}
          columns={[
            { key: 'name', header: 'Specification', cell: (s) => <SpecLink kind="resourceSpecification" id={s.id} name={s.name} /> },
            { key: 'type', header: 'Kind', cell: (s) => s['@type'] ?? '—' },
            { key: 'cat', header: 'Category', cell: (s) => s.category ?? '—' },
            { key: 'state', header: 'Status', cell: (s) => <StateBadge state={s.lifecycleStatus} /> },
            { key: 'chars', header: 'Characteristics', cell: (s) => (s.resourceSpecCharacteristic ?? []).map((c) => c.name).join(', ') || '—' },
          ]}
        />
      )}
    </>
  );
}
