/**
 * The product orders (TMF622), newest first, filtered by state, customer and
 * order date, a page at a time; kept live by the event stream.
 */
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, PageHeader, Pager, Section, SelectField, StateBadge, Table, TextField, formatDate } from '../../ui/components.tsx';
import { orderKeys, useLiveOrderList } from '../../live.ts';
import { LiveIndicator, useCustomerOptions } from './parts.tsx';
import { API, ORDER_STATES, customerOf, type ProductOrder } from './tmf.ts';

const PAGE = 20;

interface Filters {
  state: string;
  customer: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { state: '', customer: '', from: '', to: '' };

/** A date input's day as the start of that day in the browser's time zone, as an ISO instant. */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

function ordersQuery(f: Filters, offset: number): string {
  return `${API.productOrder}${qs({
    state: f.state,
    'relatedParty.id': f.customer,
    'orderDate.gte': dayStart(f.from),
    // the "to" day is included: up to the start of the next day
    'orderDate.lt': dayStart(f.to, 1),
    sort: '-orderDate',
    offset,
    limit: PAGE,
    fields: 'id,state,orderDate,completionDate,description,relatedParty,productOrderItem.productOffering,productOrderItem.id',
  })}`;
}

export function OrdersPage() {
  const { can, confined } = useSession();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const live = useLiveOrderList();

  const customers = useCustomerOptions();

  const orders = useQuery({
    queryKey: orderKeys.list({ ...filters, offset: String(offset) }),
    queryFn: () => apiList<ProductOrder>(ordersQuery(filters, offset)),
    placeholderData: keepPreviousData,
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setOffset(0);
  };
  const reset = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setOffset(0);
  };


  return (
    <>
      <PageHeader
        title="Orders"
        subtitle="Customer orders (TMF622) and where fulfilment stands"
        actions={
          <>
            <LiveIndicator live={live} />
            {can('productOrderingManagement', 'create') && !confined ? <Link to="/orders/new" className="btn btn-primary">New order</Link> : null}
          </>
        }
      />
      <Section title="Filters">
        <form className="filters" onSubmit={apply} aria-label="Order filters">
          <SelectField label="State" value={draft.state} onChange={(e) => setDraft({ ...draft, state: e.target.value })}
            options={[{ value: '', label: 'Any state' }, ...ORDER_STATES.map((s) => ({ value: s, label: s }))]} />
          {customers.enabled ? (
            <SelectField label="Customer" value={draft.customer} onChange={(e) => setDraft({ ...draft, customer: e.target.value })} options={customers.options} />
          ) : null}
          <TextField label="Ordered from" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
          <TextField label="Ordered until" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          <div className="filter-actions">
            <Button type="submit" variant="primary">Apply</Button>
            <Button onClick={reset}>Clear</Button>
          </div>
        </form>
      </Section>
      <Section title="Product orders">
        <ErrorBanner error={orders.error} onRetry={() => void orders.refetch()} title="The orders could not be listed" />
        {orders.isPending ? <Loading label="Loading orders…" /> : null}
        {orders.data ? (
          <>
            <Table<ProductOrder>
              caption="Product orders, newest first"
              captionHidden
              rows={orders.data.items}
              rowKey={(o) => o.id}
              empty="No order matches these filters."
              columns={[
                { key: 'id', header: 'Order', cell: (o) => <Link to="/orders/$orderId" params={{ orderId: o.id }}>{o.id}</Link> },
                { key: 'state', header: 'State', cell: (o) => <StateBadge state={o.state} /> },
                { key: 'customer', header: 'Customer', cell: (o) => { const c = customerOf(o.relatedParty); return c?.name ?? c?.id ?? '—'; } },
                { key: 'items', header: 'Offerings', cell: (o) => (o.productOrderItem ?? []).map((i) => i.productOffering?.name ?? i.productOffering?.id).filter(Boolean).join(', ') || '—' },
                { key: 'date', header: 'Ordered', cell: (o) => formatDate(o.orderDate) },
                { key: 'done', header: 'Closed', cell: (o) => formatDate(o.completionDate) },
              ]}
            />
            <Pager label="Order pages" offset={offset} limit={PAGE} total={orders.data.total} shown={orders.data.items.length} onChange={setOffset} />
          </>
        ) : null}
      </Section>
    </>
  );
}
