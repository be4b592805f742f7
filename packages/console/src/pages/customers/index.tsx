/**
 * Customers (TMF629) and the parties behind them (TMF632): a paged list, and
 * a search by customer name, person or company name, e-mail address or id.
 * TMF filters match exactly, so the search asks each attribute in turn and
 * merges what answers; a customer or partner sees only its own.
 */
import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, Navigate, useNavigate, useSearch } from '@tanstack/react-router';
import { ApiError, api, apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, PageHeader, Pager, StateBadge, Table, TextField } from '../../ui/components.tsx';
import { CUSTOMER, PARTY, type Customer, type Party } from './data.ts';

const PAGE = 20;

interface Hit {
  customer: Customer;
  matched: Set<string>;
}

/** The term as typed and with each word capitalised ("jane doe" → "Jane Doe"): filters are exact. */
function variants(term: string): string[] {
  const cap = term.replace(/(^|\s)(\p{Ll})/gu, (_m, s: string, c: string) => s + c.toUpperCase());
  return [...new Set([term, cap])];
}

async function settled<T>(p: Promise<{ items: T[] }>): Promise<T[]> {
  try {
    return (await p).items;
  } catch (e) {
    // an attribute a party kind does not have is a 400: that attribute simply does not match
    if (e instanceof ApiError && e.status === 400) return [];
    throw e;
  }
}

export async function searchCustomers(term: string): Promise<Hit[]> {
  const hits = new Map<string, Hit>();
  const add = (c: Customer, why: string) => {
    const h = hits.get(c.id) ?? { customer: c, matched: new Set<string>() };
    h.matched.add(why);
    hits.set(c.id, h);
  };
  const words = term.split(/\s+/).filter(Boolean);
  const partyQueries: [string, Promise<Party[]>][] = [];
  const customerQueries: [string, Promise<Customer[]>][] = [];
  for (const v of variants(term)) {
    customerQueries.push(['customer name', settled(apiList<Customer>(`${CUSTOMER}/customer${qs({ name: v })}`))]);
    partyQueries.push(
      ['given name', settled(apiList<Party>(`${PARTY}/individual${qs({ givenName: v })}`))],
      ['family name', settled(apiList<Party>(`${PARTY}/individual${qs({ familyName: v })}`))],
      ['company name', settled(apiList<Party>(`${PARTY}/organization${qs({ tradingName: v })}`))],
    );
    if (words.length === 2) {
      const [given, family] = v.split(/\s+/);
      partyQueries.push(['full name', settled(apiList<Party>(`${PARTY}/individual${qs({ givenName: given, familyName: family })}`))]);
    }
  }
  if (term.includes('@')) {
    for (const kind of ['individual', 'organization']) {
      partyQueries.push(['e-mail', settled(apiList<Party>(`${PARTY}/${kind}${qs({ 'contactMedium.characteristic.emailAddress': term })}`))]);
    }
  }
  if (!/\s/.test(term)) {
    customerQueries.push(['id', api<Customer>(`${CUSTOMER}/customer/${encodeURIComponent(term)}`).then((c) => [c], () => [])]);
  }
  for (const [why, p] of customerQueries) for (const c of await p) add(c, why);
  const partyWhy = new Map<string, string>();
  for (const [why, p] of partyQueries) for (const party of await p) if (!partyWhy.has(party.id)) partyWhy.set(party.id, why);
  if (partyWhy.size) {
    const ids = [...partyWhy.keys()];
    // in slices: a long comma list would make a long URL
    for (let i = 0; i < ids.length; i += 50) {
      const slice = ids.slice(i, i + 50);
      const r = await apiList<Customer>(`${CUSTOMER}/customer${qs({ 'engagedParty.id': slice.join(',') })}`);
      for (const c of r.items) add(c, partyWhy.get(c.engagedParty.id) ?? 'party');
    }
  }
  return [...hits.values()].sort((a, b) => (a.customer.name ?? '').localeCompare(b.customer.name ?? ''));
}

export function CustomersPage() {
  const { confined } = useSession();
  const search = useSearch({ from: '/customers' });
  const navigate = useNavigate({ from: '/customers' });
  const [text, setText] = useState(search.q ?? '');
  const [offset, setOffset] = useState(0);
  const term = (search.q ?? '').trim();

  const list = useQuery({
    queryKey: ['customer', 'list', offset],
    queryFn: () => apiList<Customer>(`${CUSTOMER}/customer${qs({ sort: 'name', limit: PAGE, offset })}`),
    enabled: !term,
    placeholderData: keepPreviousData,
  });
  const found = useQuery({ queryKey: ['customer', 'search', term], queryFn: () => searchCustomers(term), enabled: !!term });

  function submit(e: FormEvent) {
    e.preventDefault();
    void navigate({ search: text.trim() ? { q: text.trim() } : {} });
  }

  // a customer has one customer record: go straight to it
  if (confined && !term && list.data && list.data.items.length === 1) {
    return <Navigate to="/customers/$customerId" params={{ customerId: list.data.items[0]!.id }} replace />;
  }

  const rows: Hit[] = term ? (found.data ?? []) : (list.data?.items ?? []).map((c) => ({ customer: c, matched: new Set() }));
  const total = list.data?.total ?? null;
  const busy = term ? found.isPending : list.isPending;

  return (
    <>
      <PageHeader title={confined ? 'My account' : 'Customers'} subtitle="Customers (TMF629) and their parties (TMF632)" />
      <form className="toolbar card" role="search" aria-label="Customer search" onSubmit={submit}>
        <TextField
          label="Find a customer"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          hint="Customer, person or company name, e-mail address, or customer id (exact match)"
          className="grow"
        />
        <Button type="submit" variant="primary">Search</Button>
        {term ? <Button variant="link" onClick={() => { setText(''); void navigate({ search: {} }); }}>Show all</Button> : null}
      </form>
      <ErrorBanner error={term ? found.error : list.error} />
      {busy ? <Loading /> : (
        <Table
          caption={term ? `Customers matching “${term}” (${rows.length})` : `Customers${total !== null ? ` (${total})` : ''}`}
          rows={rows}
          rowKey={(h) => h.customer.id}
          empty={term ? `No customer matches “${term}”.` : 'No customer yet.'}
          columns={[
            { key: 'name', header: 'Customer', cell: (h) => <Link to="/customers/$customerId" params={{ customerId: h.customer.id }}>{h.customer.name ?? h.customer.id}</Link> },
            { key: 'status', header: 'Status', cell: (h) => <StateBadge state={h.customer.status} /> },
            { key: 'party', header: 'Party', cell: (h) => `${h.customer.engagedParty['@referredType'] ?? 'Party'}${h.customer.engagedParty.name ? `: ${h.customer.engagedParty.name}` : ''}` },
            ...(term ? [{ key: 'why', header: 'Matched by', cell: (h: Hit) => [...h.matched].join(', ') }] : []),
          ]}
        />
      )}
      {!term && list.data && total !== null && total > PAGE ? (
        <Pager label="Pages of customers" offset={offset} limit={PAGE} total={total} shown={list.data.items.length} onChange={setOffset} />
      ) : null}
    </>
  );
}
