/**
 * Step 1: the customer. Found by name (TMF629), or created with its party
 * (TMF632 individual or organization); then the billing account the order is
 * charged to (TMF666), opened here when the customer has none.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, Notice, SelectField, StateBadge, TextField } from '../../ui/components.tsx';
import { Choice } from '../orders/parts.tsx';
import { API, type Ref } from '../orders/tmf.ts';
import type { CustomerChoice } from './model.ts';

interface Customer {
  id: string;
  name?: string;
  status?: string;
  engagedParty?: Ref;
  account?: Ref[];
}

interface BillingAccount {
  id: string;
  name?: string;
  state?: string;
  accountType?: string;
}

/** The string after every string starting with `s`: the upper bound of a prefix range. */
function after(s: string): string {
  const last = s.charCodeAt(s.length - 1);
  return s.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * Customers whose name starts with the text, as typed and capitalised (TMF
 * filters compare exactly; a prefix is a range on the name).
 */
async function findCustomers(text: string): Promise<Customer[]> {
  const t = text.trim();
  const fields = 'id,name,status,engagedParty,account';
  if (!t) return (await apiList<Customer>(`${API.customer}${qs({ sort: 'name', limit: 20, fields })}`)).items;
  const variants = [...new Set([t, t.charAt(0).toUpperCase() + t.slice(1), t.toLowerCase()])];
  const found = new Map<string, Customer>();
  for (const v of variants) {
    const page = await apiList<Customer>(`${API.customer}${qs({ 'name.gte': v, 'name.lt': after(v), sort: 'name', limit: 20, fields })}`);
    for (const c of page.items) found.set(c.id, c);
  }
  return [...found.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}

function choiceOf(c: Customer): CustomerChoice | undefined {
  const p = c.engagedParty;
  if (!p?.id) return undefined;
  return {
    customerId: c.id,
    name: c.name ?? p.name ?? p.id,
    party: { id: p.id, ...(p.name ?? c.name ? { name: p.name ?? c.name! } : {}), '@referredType': p['@referredType'] ?? 'Individual' },
    ...(c.status ? { status: c.status } : {}),
  };
}

export function CustomerStep({ customer, billingAccount, onCustomer, onBillingAccount }: {
  customer: CustomerChoice | undefined;
  billingAccount: Ref | undefined;
  onCustomer: (c: CustomerChoice | undefined) => void;
  onBillingAccount: (a: Ref | undefined) => void;
}) {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const found = useQuery({ queryKey: ['capture', 'customers', search], queryFn: () => findCustomers(search), enabled: !creating });

  const find = (e: FormEvent) => {
    e.preventDefault();
    setSearch(text);
  };

  return (
    <>
      {!creating ? (
        <>
          <form className="filters" onSubmit={find} role="search" aria-label="Find a customer">
            <TextField label="Customer name starts with" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Jane" autoComplete="off" />
            <div className="filter-actions">
              <Button type="submit" variant="primary">Find</Button>
              <Button onClick={() => setCreating(true)}>New customer</Button>
            </div>
          </form>
          <ErrorBanner error={found.error} title="Customers could not be searched" />
          {found.isFetching && !found.data ? <Loading label="Searching…" /> : null}
          {found.data ? (
            found.data.length === 0 ? <p className="empty">No customer's name starts with “{search}”. Create one with “New customer”.</p> : (
              <fieldset className="plain">
                <legend className="visually-hidden">Customers found</legend>
                <ul className="choices">
                  {found.data.map((c) => {
                    const choice = choiceOf(c);
                    return (
                      <Choice key={c.id} name="customer" value={c.id} disabled={!choice} checked={customer?.customerId === c.id}
                        onChoose={() => { onCustomer(choice); onBillingAccount(undefined); }}
                        title={c.name ?? c.id} detail={<>{c.engagedParty?.['@referredType'] ?? 'party'} · <StateBadge state={c.status} /></>} />
                    );
                  })}
                </ul>
              </fieldset>
            )
          ) : null}
        </>
      ) : (
        <NewCustomer onCreated={(c) => { onCustomer(c); onBillingAccount(undefined); setCreating(false); setSearch(c.name); setText(c.name); }} onCancel={() => setCreating(false)} />
      )}
      {customer ? <BillingAccountChoice customer={customer} value={billingAccount} onChange={onBillingAccount} /> : null}
    </>
  );
}

function NewCustomer({ onCreated, onCancel }: { onCreated: (c: CustomerChoice) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<'Individual' | 'Organization'>('Individual');
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [tradingName, setTradingName] = useState('');
  const [email, setEmail] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});

  const create = useMutation({
    mutationFn: async (): Promise<CustomerChoice> => {
      const contactMedium = email.trim() ? [{ mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: email.trim() } }] : [];
      const name = kind === 'Individual' ? `${givenName.trim()} ${familyName.trim()}` : tradingName.trim();
      const party = kind === 'Individual'
        ? await api<{ id: string; href?: string }>(API.individual, { method: 'POST', body: { givenName: givenName.trim(), familyName: familyName.trim(), contactMedium } })
        : await api<{ id: string; href?: string }>(API.organization, { method: 'POST', body: { tradingName: tradingName.trim(), isLegalEntity: true, contactMedium } });
      const engagedParty = { id: party.id, ...(party.href ? { href: party.href } : {}), name, '@referredType': kind };
      const c = await api<Customer>(API.customer, { method: 'POST', body: { name, engagedParty } });
      return { customerId: c.id, name, party: { id: party.id, name, '@referredType': kind }, ...(c.status ? { status: c.status } : {}) };
    },
    onSuccess: (c) => {
      void queryClient.invalidateQueries({ queryKey: ['capture', 'customers'] });
      void queryClient.invalidateQueries({ queryKey: ['customer'] });
      onCreated(c);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (kind === 'Individual') {
      if (!givenName.trim()) p['givenName'] = 'Given name is required';
      if (!familyName.trim()) p['familyName'] = 'Family name is required';
    } else if (!tradingName.trim()) p['tradingName'] = 'Trading name is required';
    if (email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) p['email'] = 'This is not an email address';
    setProblems(p);
    if (Object.keys(p).length === 0) create.mutate();
  };

  return (
    <form onSubmit={submit} aria-label="New customer" noValidate>
      <h3>New customer</h3>
      <div className="form-grid">
        <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as 'Individual' | 'Organization')}
          options={[{ value: 'Individual', label: 'Person (individual)' }, { value: 'Organization', label: 'Company (organization)' }]} />
        {kind === 'Individual' ? (
          <>
            <TextField label="Given name" value={givenName} onChange={(e) => setGivenName(e.target.value)} error={problems['givenName'] ?? null} required autoComplete="off" />
            <TextField label="Family name" value={familyName} onChange={(e) => setFamilyName(e.target.value)} error={problems['familyName'] ?? null} required autoComplete="off" />
          </>
        ) : (
          <TextField label="Trading name" value={tradingName} onChange={(e) => setTradingName(e.target.value)} error={problems['tradingName'] ?? null} required autoComplete="off" />
        )}
        <TextField label="Email (optional)" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={problems['email'] ?? null} autoComplete="off" />
      </div>
      <ErrorBanner error={create.error} title="The customer could not be created" />
      <div className="actions">
        <Button type="submit" variant="primary" busy={create.isPending}>Create customer</Button>
        <Button onClick={onCancel}>Back to the search</Button>
      </div>
    </form>
  );
}

/** The customer's active billing accounts (owned by its party); one can be opened here. */
function BillingAccountChoice({ customer, value, onChange }: { customer: CustomerChoice; value: Ref | undefined; onChange: (a: Ref | undefined) => void }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['capture', 'billingAccounts', customer.party.id];
  const accounts = useQuery({
    queryKey: key,
    queryFn: () => apiList<BillingAccount>(`${API.billingAccount}${qs({ 'relatedParty.id': customer.party.id, state: 'Active', fields: 'id,name,state,accountType' })}`),
  });
  const open = useMutation({
    mutationFn: async () => {
      const accountType = customer.party['@referredType'] === 'Organization' ? 'business' : 'residential';
      const ba = await api<BillingAccount & { href?: string }>(API.billingAccount, {
        method: 'POST',
        body: {
          name: `${customer.name} — ${accountType}`,
          accountType,
          relatedParty: [{ id: customer.party.id, name: customer.name, role: 'owner', '@referredType': customer.party['@referredType'] }],
        },
      });
      // the customer lists its accounts (TMF629 account): the new one joins them
      const current = await api<Customer>(`${API.customer}/${encodeURIComponent(customer.customerId)}`);
      await api(`${API.customer}/${encodeURIComponent(customer.customerId)}`, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { account: [...(current.account ?? []), { id: ba.id, ...(ba.href ? { href: ba.href } : {}), name: ba.name ?? customer.name, '@referredType': 'BillingAccount' }] },
      });
      return ba;
    },
    onSuccess: (ba) => {
      void queryClient.invalidateQueries({ queryKey: key });
      onChange({ id: ba.id, ...(ba.name ? { name: ba.name } : {}) });
    },
  });

  const items = accounts.data?.items ?? [];
  const only = items.length === 1 ? items[0] : undefined;
  // a customer with one account is charged to it unless the user says otherwise
  useEffect(() => {
    if (only && !value) onChange({ id: only.id, ...(only.name ? { name: only.name } : {}) });
  }, [only, value, onChange]);

  return (
    <div className="billing">
      <h3>Billing account of {customer.name}</h3>
      <ErrorBanner error={accounts.error} title="The billing accounts could not be read" />
      {accounts.isPending ? <Loading label="Loading billing accounts…" /> : items.length === 0 ? (
        <Notice>{customer.name} has no active billing account yet: open one to charge the order to.</Notice>
      ) : (
        <SelectField label="Charge the order to" value={value?.id ?? ''} onChange={(e) => {
          const a = items.find((x) => x.id === e.target.value);
          onChange(a ? { id: a.id, ...(a.name ? { name: a.name } : {}) } : undefined);
        }} options={[{ value: '', label: 'Choose a billing account' }, ...items.map((a) => ({ value: a.id, label: `${a.name ?? a.id}${a.accountType ? ` (${a.accountType})` : ''}` }))]} />
      )}
      {can('accountManagement', 'create') && !accounts.isPending ? (
        <Button onClick={() => open.mutate()} busy={open.isPending}>{items.length === 0 ? 'Open a billing account' : 'Open another billing account'}</Button>
      ) : null}
      <ErrorBanner error={open.error} title="The billing account could not be opened" />
    </div>
  );
}
