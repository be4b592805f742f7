/**
 * One customer: the TMF629 record, its party (TMF632), its accounts (TMF666),
 * the products it holds (TMF637) and its orders (TMF622), all found through
 * the party the customer engages.
 */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ApiError, api, apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Details, EmptyState, ErrorBanner, Loading, PageHeader, Section, StateBadge, Table, formatDate } from '../../ui/components.tsx';
import {
  ACCOUNT, CUSTOMER, INVENTORY, ORDERING, PARTY, contactText, partyCollection, partyName,
  type Account, type Customer, type Party, type Product, type ProductOrder,
} from './data.ts';

const ACCOUNT_KINDS = ['billingAccount', 'partyAccount', 'settlementAccount', 'financialAccount'] as const;

function money(m: { unit: string; value: number } | undefined): string {
  return m ? `${m.value.toFixed(2)} ${m.unit}` : '—';
}

export function CustomerPage({ customerId }: { customerId: string }) {
  const { can, confined } = useSession();
  const customer = useQuery({ queryKey: ['customer', customerId], queryFn: () => api<Customer>(`${CUSTOMER}/customer/${encodeURIComponent(customerId)}`) });
  const partyRef = customer.data?.engagedParty;
  const partyId = partyRef?.id;
  const party = useQuery({
    queryKey: ['party', partyId],
    enabled: !!partyRef,
    queryFn: () => api<Party>(`${PARTY}/${partyCollection(partyRef!)}/${encodeURIComponent(partyId!)}`),
  });
  const accounts = useQuery({
    queryKey: ['accounts', partyId],
    enabled: !!partyId && can('accountManagement', 'read'),
    queryFn: async () => (await Promise.all(ACCOUNT_KINDS.map((k) =>
      apiList<Account>(`${ACCOUNT}/${k}${qs({ 'relatedParty.id': partyId })}`).then((r) => r.items, (e: unknown) => {
        // a kind of account without related parties answers 400 to the filter: none of that kind
        if (e instanceof ApiError && e.status === 400) return [];
        throw e;
      })))).flat(),
  });
  const products = useQuery({
    queryKey: ['product', 'byParty', partyId],
    enabled: !!partyId && can('productInventory', 'read'),
    queryFn: () => apiList<Product>(`${INVENTORY}/product${qs({ 'relatedParty.id': partyId, limit: 200 })}`),
  });
  const orders = useQuery({
    queryKey: ['productOrder', 'byParty', partyId],
    enabled: !!partyId && can('productOrderingManagement', 'read'),
    queryFn: () => apiList<ProductOrder>(`${ORDERING}/productOrder${qs({ 'relatedParty.id': partyId, sort: '-orderDate', limit: 200 })}`),
  });

  if (customer.error) return <><PageHeader title="Customer" /><ErrorBanner error={customer.error} onRetry={() => void customer.refetch()} /></>;
  if (!customer.data) return <><PageHeader title="Customer" /><Loading /></>;
  const c = customer.data;
  const p = party.data;

  return (
    <>
      <PageHeader
        title={c.name ?? partyName(p)}
        subtitle={<>{confined ? 'Your customer record' : <Link to="/customers">Customers</Link>} · customer <code>{c.id}</code></>}
      />
      <div className="grid-2">
        <Section title="Customer">
          <Details items={[
            ['Status', <StateBadge state={c.status} />],
            ['Status reason', c.statusReason],
            ['Customer since', formatDate(c.validFor?.startDateTime)],
            ['Accounts on record', (c.account ?? []).map((a) => a.name ?? a.id).join(', ') || '—'],
          ]} />
        </Section>
        <Section title="Party">
          {party.error ? <ErrorBanner error={party.error} /> : !p ? <Loading /> : (
            <Details items={[
              ['Name', partyName(p)],
              ['Kind', p['@type'] ?? partyRef?.['@referredType']],
              ['Status', <StateBadge state={p.status} />],
              ...(p.organizationType ? [['Organization type', `${p.organizationType}${p.nameType ? ` (${p.nameType})` : ''}`] as [string, string]] : []),
              ...(p.contactMedium ?? []).map((m): [string, string] => [m.characteristic?.contactType ? `${m.mediumType ?? 'contact'} (${m.characteristic.contactType})` : m.mediumType ?? 'contact', contactText(m)]),
            ]} />
          )}
        </Section>
      </div>

      <Section title="Accounts">
        {accounts.error ? <ErrorBanner error={accounts.error} /> : accounts.isPending ? <Loading /> : (
          <Table
            caption="Accounts (TMF666)"
            captionHidden
            rows={accounts.data ?? []}
            rowKey={(a) => a.id}
            empty="No account."
            columns={[
              { key: 'name', header: 'Account', cell: (a) => a.name },
              { key: 'kind', header: 'Kind', cell: (a) => a['@type'] ?? '—' },
              { key: 'type', header: 'Account type', cell: (a) => a.accountType ?? '—' },
              { key: 'state', header: 'State', cell: (a) => <StateBadge state={a.state} /> },
              { key: 'pay', header: 'Payment status', cell: (a) => a.paymentStatus ?? '—' },
              { key: 'credit', header: 'Credit limit', cell: (a) => money(a.creditLimit), className: 'num' },
            ]}
          />
        )}
      </Section>

      <Section title="Products">
        {products.error ? <ErrorBanner error={products.error} /> : products.isPending ? <Loading /> : (
          <Table
            caption="Products held (TMF637)"
            captionHidden
            rows={products.data?.items ?? []}
            rowKey={(x) => x.id}
            empty="No product yet."
            columns={[
              { key: 'name', header: 'Product', cell: (x) => x.name ?? x.productOffering?.name ?? x.id },
              { key: 'offer', header: 'Offering', cell: (x) => x.productOffering ? <Link to="/catalog/offerings/$offeringId" params={{ offeringId: x.productOffering.id }}>{x.productOffering.name ?? x.productOffering.id}</Link> : '—' },
              { key: 'status', header: 'Status', cell: (x) => <StateBadge state={x.status} /> },
              { key: 'start', header: 'Since', cell: (x) => formatDate(x.startDate) },
            ]}
          />
        )}
      </Section>

      <Section title="Orders">
        {orders.error ? <ErrorBanner error={orders.error} /> : orders.isPending ? <Loading /> : (
          <Table
            caption="Product orders (TMF622)"
            captionHidden
            rows={orders.data?.items ?? []}
            rowKey={(o) => o.id}
            empty="No order yet."
            columns={[
              { key: 'id', header: 'Order', cell: (o) => <Link to="/orders/$orderId" params={{ orderId: o.id }}>{o.externalId ?? o.id}</Link> },
              { key: 'date', header: 'Ordered', cell: (o) => formatDate(o.orderDate) },
              { key: 'state', header: 'State', cell: (o) => <StateBadge state={o.state} /> },
              { key: 'items', header: 'Items', cell: (o) => (o.productOrderItem ?? []).map((i) => `${i.action ?? 'add'} ${i.productOffering?.name ?? i.productOffering?.id ?? ''}`).join('; ') || '—' },
              { key: 'desc', header: 'Description', cell: (o) => o.description ?? '—' },
            ]}
          />
        )}
      </Section>

      <div className="grid-2">
        <Section title="Trouble tickets">
          <EmptyState>Not yet available: Operon does not serve trouble tickets (TMF621) yet.</EmptyState>
        </Section>
        <Section title="Bills">
          <EmptyState>Not yet available: Operon does not serve customer bills (TMF678) yet.</EmptyState>
        </Section>
      </div>
    </>
  );
}
