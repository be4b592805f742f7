/**
 * One product offering (TMF620): what it sells, its prices and categories,
 * and its lifecycle, moved one allowed step at a time; and the form that
 * creates or edits an offering. The server checks the launch rules (an Active
 * specification and prices); their messages are shown as they come.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, apiList } from '../../api.ts';
import { useSession } from '../../session.tsx';
import {
  Button, Details, ErrorBanner, Loading, Notice, PageHeader, Section, SelectField, StateBadge, Table, TextArea, TextField, formatDate,
} from '../../ui/components.tsx';
import {
  CATALOG_CREATABLE, CATALOG_TRANSITIONS, PRODUCT, charValues, priceText, transitionLabel,
  type Category, type Offering, type Price, type ProductSpec, type Ref,
} from './data.ts';
import { usePrices } from './index.tsx';

const DELETABLE = new Set(['In study', 'In design', 'In test', 'Rejected', 'Obsolete']);
const ref = (x: { id: string; name: string; href?: string | undefined }): Ref => ({ id: x.id, name: x.name, ...(x.href ? { href: x.href } : {}) });

export function NewOfferingPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const create = useMutation({
    mutationFn: (body: Partial<Offering>) => api<Offering>(`${PRODUCT}/productOffering`, { method: 'POST', body }),
    onSuccess: (o) => {
      void qc.invalidateQueries({ queryKey: ['productOffering'] });
      void navigate({ to: '/catalog/offerings/$offeringId', params: { offeringId: o.id } });
    },
  });
  if (!can('productCatalogManagement', 'create')) {
    return <><PageHeader title="New offering" /><ErrorBanner error={new Error('Your role cannot create offerings.')} /></>;
  }
  return (
    <>
      <PageHeader title="New offering" subtitle={<Link to="/catalog">Back to the catalog</Link>} />
      <OfferingForm submitLabel="Create offering" busy={create.isPending} error={create.error} onSubmit={(body) => create.mutate(body)} />
    </>
  );
}

/** The fields a product manager sets; the same form creates and edits. */
function OfferingForm({ initial, submitLabel, busy, error, onSubmit, onCancel }: {
  initial?: Offering;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (body: Partial<Offering>) => void;
  onCancel?: () => void;
}) {
  const specs = useQuery({ queryKey: ['productSpecification', 'list'], queryFn: () => apiList<ProductSpec>(`${PRODUCT}/productSpecification?sort=name&limit=1000`) });
  const prices = useQuery({ queryKey: ['productOfferingPrice', 'list'], queryFn: () => apiList<Price>(`${PRODUCT}/productOfferingPrice?limit=1000`), staleTime: 60_000 });
  const categories = useQuery({ queryKey: ['category', 'list'], queryFn: () => apiList<Category>(`${PRODUCT}/category?sort=name&limit=1000`) });

  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [version, setVersion] = useState(initial?.version ?? '1.0');
  const [state, setState] = useState<string>(initial?.lifecycleStatus ?? 'In design');
  const [specId, setSpecId] = useState(initial?.productSpecification?.id ?? '');
  const [priceIds, setPriceIds] = useState<Set<string>>(new Set((initial?.productOfferingPrice ?? []).map((p) => p.id).filter(Boolean)));
  const [categoryIds, setCategoryIds] = useState<Set<string>>(new Set((initial?.category ?? []).map((c) => c.id)));
  const [nameError, setNameError] = useState<string | null>(null);

  const toggle = (set: Set<string>, id: string) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setNameError('A name is required.');
      return;
    }
    setNameError(null);
    const spec = specs.data?.items.find((s) => s.id === specId);
    const body: Partial<Offering> = {
      name: name.trim(),
      description: description.trim(),
      version: version.trim() || '1.0',
      productOfferingPrice: (prices.data?.items ?? []).filter((p) => priceIds.has(p.id)).map(ref),
      category: (categories.data?.items ?? []).filter((c) => categoryIds.has(c.id)).map(ref),
      ...(spec ? { productSpecification: ref(spec) } : {}),
    };
    if (!initial) Object.assign(body, { lifecycleStatus: state, isBundle: false, isSellable: true });
    onSubmit(body);
  }

  if (specs.isPending || prices.isPending || categories.isPending) return <Loading />;
  const loadError = specs.error ?? prices.error ?? categories.error;
  return (
    <form className="card" onSubmit={submit} aria-label={submitLabel}>
      <ErrorBanner error={loadError ?? error} title={loadError ? 'Could not load the catalog' : 'The server refused'} />
      <div className="form-grid">
        <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={nameError} />
        <TextField label="Version" value={version} onChange={(e) => setVersion(e.target.value)} />
        {!initial ? (
          <SelectField label="Initial status" value={state} onChange={(e) => setState(e.target.value)} options={CATALOG_CREATABLE} hint="New offerings start in study or in design." />
        ) : null}
        <SelectField
          label="Product specification"
          value={specId}
          onChange={(e) => setSpecId(e.target.value)}
          options={[{ value: '', label: 'None yet' }, ...(specs.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.lifecycleStatus})` }))]}
          hint="Launching needs an Active or Launched specification."
        />
      </div>
      <TextArea label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="grid-2">
        <fieldset>
          <legend>Prices</legend>
          {(prices.data?.items ?? []).map((p) => (
            <label key={p.id} className="check">
              <input type="checkbox" checked={priceIds.has(p.id)} onChange={() => setPriceIds(toggle(priceIds, p.id))} />
              {p.name} — {priceText(p)} <StateBadge state={p.lifecycleStatus} />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Categories</legend>
          {(categories.data?.items ?? []).map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" checked={categoryIds.has(c.id)} onChange={() => setCategoryIds(toggle(categoryIds, c.id))} />
              {c.name}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="actions form-actions">
        <Button type="submit" variant="primary" busy={busy}>{submitLabel}</Button>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}

export function OfferingPage({ offeringId }: { offeringId: string }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const key = ['productOffering', offeringId];
  const q = useQuery({ queryKey: key, queryFn: () => api<Offering>(`${PRODUCT}/productOffering/${encodeURIComponent(offeringId)}`) });
  const prices = usePrices();
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const patch = useMutation({
    mutationFn: (body: Partial<Offering>) =>
      api<Offering>(`${PRODUCT}/productOffering/${encodeURIComponent(offeringId)}`, { method: 'PATCH', body, contentType: 'application/merge-patch+json' }),
    onSuccess: (o, body) => {
      qc.setQueryData(key, o);
      void qc.invalidateQueries({ queryKey: ['productOffering', 'list'] });
      setEditing(false);
      setDone(body.lifecycleStatus ? `The offering is now ${o.lifecycleStatus}.` : 'Saved.');
    },
  });
  const remove = useMutation({
    mutationFn: () => api<void>(`${PRODUCT}/productOffering/${encodeURIComponent(offeringId)}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['productOffering'] });
      void navigate({ to: '/catalog' });
    },
  });

  if (q.error) return <><PageHeader title="Offering" /><ErrorBanner error={q.error} onRetry={() => void q.refetch()} /></>;
  if (!q.data) return <><PageHeader title="Offering" /><Loading /></>;
  const o = q.data;
  const mayEdit = can('productCatalogManagement', 'update');
  const next = CATALOG_TRANSITIONS[o.lifecycleStatus] ?? [];

  return (
    <>
      <PageHeader
        title={o.name}
        subtitle={<><Link to="/catalog">Catalog</Link> · product offering <code>{o.id}</code></>}
        actions={mayEdit && !editing ? <Button onClick={() => { setDone(null); patch.reset(); setEditing(true); }}>Edit</Button> : null}
      />
      {done ? <Notice tone="success">{done}</Notice> : null}
      {editing ? (
        <OfferingForm initial={o} submitLabel="Save changes" busy={patch.isPending} error={patch.error} onSubmit={(body) => patch.mutate(body)} onCancel={() => setEditing(false)} />
      ) : (
        <>
          <Section title="Lifecycle">
            <p>Status: <StateBadge state={o.lifecycleStatus} />{o.statusReason ? <span className="muted"> — {o.statusReason}</span> : null}</p>
            <ErrorBanner error={patch.error ?? remove.error} title="The server refused" />
            {mayEdit ? (
              <div className="actions" role="group" aria-label="Lifecycle actions">
                {next.length === 0 ? <span className="muted">This is a final status.</span> : null}
                {next.map((to) => (
                  <Button
                    key={to}
                    variant={to === 'Retired' || to === 'Rejected' ? 'danger' : to === 'Launched' || next[0] === to ? 'primary' : 'secondary'}
                    busy={patch.isPending && patch.variables?.lifecycleStatus === to}
                    disabled={patch.isPending}
                    onClick={() => { setDone(null); patch.mutate({ lifecycleStatus: to }); }}
                  >
                    {transitionLabel(to)}
                  </Button>
                ))}
                {can('productCatalogManagement', 'delete') && DELETABLE.has(o.lifecycleStatus) ? (
                  <Button variant="link" busy={remove.isPending} onClick={() => remove.mutate()}>Delete offering</Button>
                ) : null}
              </div>
            ) : <p className="muted">Your role can look at the catalog but not change it.</p>}
            <p className="muted small">Lifecycle: In study → In design → In test → Active → Launched → Retired → Obsolete (or Rejected before launch).</p>
          </Section>
          <Section title="Details">
            <Details items={[
              ['Description', o.description],
              ['Version', o.version],
              ['Sellable on its own', o.isSellable === false ? 'no' : 'yes'],
              ['Bundle', o.isBundle ? 'yes' : 'no'],
              ['Valid from', formatDate(o.validFor?.startDateTime)],
              ['Valid until', formatDate(o.validFor?.endDateTime)],
              ['Channels', (o.channel ?? []).map((c) => c.name ?? c.id).join(', ') || '—'],
              ['Categories', (o.category ?? []).map((c) => c.name ?? c.id).join(', ') || '—'],
              ['Last update', formatDate(o.lastUpdate)],
            ]} />
          </Section>
          <div className="grid-2">
            <Section title="What it sells">
              {o.productSpecification ? (
                <p>
                  Product specification:{' '}
                  <Link to="/catalog/$kind/$specId" params={{ kind: 'productSpecification', specId: o.productSpecification.id }}>{o.productSpecification.name ?? o.productSpecification.id}</Link>
                </p>
              ) : <p className="empty">No product specification yet.</p>}
              {(o.prodSpecCharValueUse ?? []).length ? (
                <Table
                  caption="Characteristic values offered"
                  rows={o.prodSpecCharValueUse ?? []}
                  rowKey={(u) => u.name}
                  columns={[
                    { key: 'name', header: 'Characteristic', cell: (u) => u.name },
                    { key: 'values', header: 'Values', cell: (u) => charValues({ name: u.name, productSpecCharacteristicValue: u.productSpecCharacteristicValue ?? [] }) },
                  ]}
                />
              ) : null}
            </Section>
            <Section title="Prices">
              <Table
                caption="Prices of this offering"
                captionHidden
                rows={o.productOfferingPrice ?? []}
                rowKey={(p, i) => p.id ?? String(i)}
                empty="No price yet."
                columns={[
                  { key: 'name', header: 'Price', cell: (p) => prices.get(p.id)?.name ?? p.name ?? p.id },
                  { key: 'amount', header: 'Amount', cell: (p) => priceText(prices.get(p.id) ?? p), className: 'num' },
                  { key: 'state', header: 'Status', cell: (p) => <StateBadge state={prices.get(p.id)?.lifecycleStatus ?? p.lifecycleStatus} /> },
                ]}
              />
            </Section>
          </div>
        </>
      )}
    </>
  );
}
