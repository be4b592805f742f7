/**
 * Steps 4 and 5: the quote (TMF648, priced from the catalog and approved at
 * once), then the order (TMF622) built from the quote's priced items, placed
 * once the customer accepts the quote.
 */
import { useRef } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { Button, Details, ErrorBanner, Loading, StateBadge, Table, formatDate } from '../../ui/components.tsx';
import { API, charText, priceText, type Characteristic, type Price, type ProductOrder, type Ref } from '../orders/tmf.ts';
import { orderBody, quoteBody, type AddressChoice, type CustomerChoice, type Offering, type Qualification, type Quote, type QuoteItem } from './model.ts';

interface PriceRow extends Price {
  key: string;
  item: string;
}

function priceRows(q: Quote): PriceRow[] {
  return q.quoteItem.flatMap((i) => (i.quoteItemPrice ?? []).map((p, n) => ({ ...p, key: `${i.id}-${n}`, item: i.productOffering?.name ?? i.id })));
}

export function QuoteView({ quote }: { quote: Quote }) {
  return (
    <>
      <Details items={[
        ['Quote', <span key="q" className="mono">{quote.id}</span>],
        ['State', <StateBadge key="s" state={quote.state} />],
        ['Valid from', formatDate(quote.validFor?.startDateTime)],
        ['Valid until', formatDate(quote.validFor?.endDateTime)],
      ]} />
      <Table<PriceRow>
        caption="Priced items"
        rows={priceRows(quote)}
        rowKey={(r) => r.key}
        empty="The quote has no price."
        columns={[
          { key: 'item', header: 'Item', cell: (r) => r.item },
          { key: 'name', header: 'Price', cell: (r) => r.name ?? r.priceType ?? '—' },
          { key: 'type', header: 'Type', cell: (r) => r.priceType ?? '—' },
          { key: 'amount', header: 'Amount (tax incl.)', className: 'num', cell: (r) => priceText(r) },
        ]}
      />
      {(quote.quoteTotalPrice ?? []).length > 0 ? (
        <p className="totals" data-testid="quote-totals">
          {(quote.quoteTotalPrice ?? []).map((t) => `${t.name ?? 'Total'}: ${priceText(t)}`).join(' · ')}
        </p>
      ) : null}
    </>
  );
}

export function QuoteStep({ customer, billingAccount, address, offering, characteristics, qualification, onBack, onNext }: {
  customer: CustomerChoice;
  billingAccount: Ref | undefined;
  address: AddressChoice;
  offering: Offering;
  characteristics: Characteristic[];
  qualification: Qualification | undefined;
  onBack: () => void;
  onNext: (q: Quote) => void;
}) {
  const body = quoteBody({ customer, address, offering, characteristics, billingAccount, qualification });
  // one quote per configuration: coming back to this step shows the same one
  const quote = useQuery({
    queryKey: ['capture', 'quote', JSON.stringify(body)],
    queryFn: () => api<Quote>(API.quote, { method: 'POST', body }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });
  if (quote.isPending) return <Loading label="Pricing the quote…" />;
  return (
    <>
      <ErrorBanner error={quote.error} onRetry={() => void quote.refetch()} title="The quote could not be made" />
      {quote.data ? (
        <>
          <p>{offering.name ?? offering.id} — {characteristics.map(charText).join('; ') || 'no characteristics'} — at {address.line}</p>
          <QuoteView quote={quote.data} />
          {quote.data.state !== 'approved' ? <p className="field-error" role="alert">The quote is {quote.data.state}, not approved: it cannot be ordered yet.</p> : null}
        </>
      ) : null}
      <div className="step-actions">
        <Button onClick={onBack}>Back</Button>
        <Button variant="primary" disabled={quote.data?.state !== 'approved'} onClick={() => quote.data && onNext(quote.data)}>Continue to the order</Button>
      </div>
    </>
  );
}

export function ReviewStep({ customer, billingAccount, address, quote, onBack, onPlaced }: {
  customer: CustomerChoice;
  billingAccount: Ref;
  address: AddressChoice;
  quote: Quote;
  onBack: () => void;
  onPlaced: (order: ProductOrder) => void;
}) {
  const accepted = useRef(quote.state === 'accepted');
  const place = useMutation({
    mutationFn: async () => {
      // the customer's yes to the quote comes first; an order then carries its items and prices
      if (!accepted.current) {
        await api(`${API.quote}/${encodeURIComponent(quote.id)}`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { state: 'accepted' } });
        accepted.current = true;
      }
      return api<ProductOrder>(API.productOrder, { method: 'POST', body: orderBody({ customer, billingAccount, address, quote }) });
    },
    onSuccess: onPlaced,
  });
  const items: QuoteItem[] = quote.quoteItem;
  return (
    <>
      <Details items={[
        ['Customer', `${customer.name} (${customer.party['@referredType']})`],
        ['Billing account', billingAccount.name ?? billingAccount.id],
        ['Installation address', address.line],
        ['Offering', items.map((i) => i.productOffering?.name ?? i.productOffering?.id).join(', ')],
        ['Characteristics', items.flatMap((i) => (Array.isArray(i.product?.['productCharacteristic']) ? i.product['productCharacteristic'] as Characteristic[] : [])).map(charText).join('; ') || '—'],
      ]} />
      <QuoteView quote={quote} />
      <ErrorBanner error={place.error} title="The order could not be placed" />
      <div className="step-actions">
        <Button onClick={onBack} disabled={place.isPending}>Back</Button>
        <Button variant="primary" busy={place.isPending} onClick={() => place.mutate()}>Accept the quote and place the order</Button>
      </div>
    </>
  );
}
