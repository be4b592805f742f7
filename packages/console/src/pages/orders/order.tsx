/**
 * One product order: its items and states, milestones, jeopardy alerts and
 * errors; its decomposition into service and resource orders as a graph; the
 * eTOM L3 steps of its orchestration with their durations; and a cancel
 * action. Everything is refetched when an event about the order, its service
 * orders or their resource orders arrives: the page follows fulfilment live.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ApiError, api, apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, Details, EmptyState, ErrorBanner, Loading, Notice, PageHeader, Section, StateBadge, Table, TextArea, formatDate } from '../../ui/components.tsx';
import { orderKeys, useLiveOrder } from '../../live.ts';
import { DecompositionGraph } from './graph.tsx';
import { AppLink, LiveIndicator } from './parts.tsx';
import { RunTimeline } from './timeline.tsx';
import {
  API, CANCELLABLE_STATES, charText, customerOf, priceText,
  type CancelProductOrder, type OrderNote, type ProductOrder, type ProductOrderItem, type ResourceOrder, type RunSummary, type RunView, type ServiceOrder,
} from './tmf.ts';

/** A 4xx will not turn into a 2xx by asking again. */
const retryUnlessClientError = (count: number, e: unknown) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2;

function useOrderData(orderId: string) {
  const { can } = useSession();
  const order = useQuery({
    queryKey: orderKeys.one(orderId),
    queryFn: () => api<ProductOrder>(`${API.productOrder}/${encodeURIComponent(orderId)}`),
    retry: retryUnlessClientError,
  });
  const found = order.data !== undefined;
  const cancellations = useQuery({
    queryKey: orderKeys.cancellations(orderId),
    queryFn: () => apiList<CancelProductOrder>(`${API.cancelProductOrder}${qs({ 'productOrder.id': orderId, sort: '-requestedCancellationDate' })}`),
    enabled: found,
    retry: retryUnlessClientError,
  });
  const canServiceOrders = can('serviceOrdering', 'read');
  const serviceOrders = useQuery({
    queryKey: orderKeys.serviceOrders(orderId),
    queryFn: () => apiList<ServiceOrder>(`${API.serviceOrder}${qs({ externalId: orderId })}`),
    enabled: found && canServiceOrders,
    retry: retryUnlessClientError,
  });
  const soIds = (serviceOrders.data?.items ?? []).map((s) => s.id);
  const canResourceOrders = can('resourceOrderingManagement', 'read');
  const resourceOrders = useQuery({
    queryKey: orderKeys.resourceOrders(soIds),
    queryFn: () => apiList<ResourceOrder>(`${API.resourceOrder}${qs({ externalId: soIds.join(',') })}`),
    enabled: found && canResourceOrders && soIds.length > 0,
    retry: retryUnlessClientError,
  });
  const canRuns = can('ops.workflow', 'read');
  const run = useQuery({
    queryKey: orderKeys.runs(orderId),
    queryFn: async (): Promise<RunView | null> => {
      const runs = await api<RunSummary[]>(`${API.runs}${qs({ subject: orderId, limit: 5 })}`);
      const newest = runs[0];
      return newest ? api<RunView>(`${API.runs}/${encodeURIComponent(newest.id)}`) : null;
    },
    enabled: found && canRuns,
    retry: retryUnlessClientError,
  });
  return { order, cancellations, serviceOrders, resourceOrders, run, soIds, canServiceOrders, canResourceOrders, canRuns };
}

/** Re-renders every second while something is running, so that its duration grows on screen. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  return running ? now : Date.now();
}

export function OrderPage({ orderId }: { orderId: string }) {
  const { can } = useSession();
  const d = useOrderData(orderId);
  const live = useLiveOrder(orderId, d.soIds);
  const now = useNow(d.run.data?.status === 'running' || d.run.data?.status === 'compensating' || d.run.data?.status === 'cancelling');

  if (d.order.error) {
    const missing = d.order.error instanceof ApiError && d.order.error.status === 404;
    return (
      <>
        <PageHeader title={missing ? 'Order not found' : `Order ${orderId}`} />
        {missing ? (
          <Notice>There is no product order {orderId} that you may see. <Link to="/orders">Back to the orders</Link></Notice>
        ) : (
          <ErrorBanner error={d.order.error} onRetry={() => void d.order.refetch()} title="The order could not be read" />
        )}
      </>
    );
  }
  const order = d.order.data;
  if (!order) return <Loading label="Loading the order…" />;
  const customer = customerOf(order.relatedParty);
  const cancellable = CANCELLABLE_STATES.includes(order.state) && can('productOrderingManagement', 'create');

  return (
    <>
      <PageHeader
        title={<>Order <span className="mono">{order.id}</span></>}
        subtitle={order.description}
        actions={
          <>
            <LiveIndicator live={live} />
            <span data-testid="order-state">State: <StateBadge state={order.state} /></span>
            {cancellable ? <CancelOrder order={order} /> : null}
          </>
        }
      />
      <Section title="Summary">
        <Details items={[
          ['State', <StateBadge key="s" state={order.state} />],
          ['Customer', customer ? `${customer.name ?? customer.id}${customer['@referredType'] ? ` (${customer['@referredType']})` : ''}` : '—'],
          ['Billing account', order.billingAccount ? order.billingAccount.name ?? order.billingAccount.id : '—'],
          ['Ordered', formatDate(order.orderDate)],
          ['Expected completion', formatDate(order.expectedCompletionDate)],
          ['Closed', formatDate(order.completionDate)],
          ['Channel', order.channel?.map((c) => c.name ?? c.id).join(', ') || '—'],
          ['Quote', order.quote?.map((q) => q.id).join(', ') || '—'],
          ...(order.cancellationReason ? [['Cancellation reason', order.cancellationReason] as [string, string]] : []),
        ]} />
        {['completed', 'partial'].includes(order.state) && can('productInventory', 'read') ? (
          <p><AppLink href={`/inventory?productOrder=${encodeURIComponent(order.id)}`}>See the products of this order in the inventory</AppLink></p>
        ) : null}
      </Section>

      <Section title="Items">
        <Table<ProductOrderItem>
          caption="Order items"
          captionHidden
          rows={order.productOrderItem}
          rowKey={(i) => i.id}
          columns={[
            { key: 'id', header: 'Item', cell: (i) => i.id },
            { key: 'action', header: 'Action', cell: (i) => i.action },
            { key: 'offering', header: 'Offering', cell: (i) => i.productOffering?.name ?? i.productOffering?.id ?? i.product?.id ?? '—' },
            { key: 'chars', header: 'Characteristics', cell: (i) => (i.product?.productCharacteristic ?? []).map(charText).join('; ') || '—' },
            { key: 'prices', header: 'Prices', cell: (i) => (i.itemPrice ?? []).map(priceText).join('; ') || '—' },
            { key: 'state', header: 'State', cell: (i) => <StateBadge state={i.state} /> },
          ]}
        />
      </Section>

      <Section title="Milestones, jeopardy and errors">
        <Notes order={order} />
      </Section>

      <Section title="Decomposition">
        {!d.canServiceOrders ? (
          <EmptyState>Service and resource orders are internal: your role does not see them.</EmptyState>
        ) : d.serviceOrders.error ? (
          <ErrorBanner error={d.serviceOrders.error} title="The service orders could not be read" />
        ) : !d.serviceOrders.data ? (
          <Loading label="Loading the service orders…" />
        ) : (
          <>
            <ErrorBanner error={d.resourceOrders.error} title="The resource orders could not be read" />
            <DecompositionGraph order={order} serviceOrders={d.serviceOrders.data.items} resourceOrders={d.resourceOrders.data?.items ?? []} />
            {d.serviceOrders.data.items.length === 0 ? <p className="muted">No service order yet: one is opened when fulfilment starts.</p> : null}
          </>
        )}
      </Section>

      <Section title="Fulfilment timeline (eTOM L3 steps)">
        {!d.canRuns ? (
          <EmptyState>The orchestration runs are shown to order management and network operations.</EmptyState>
        ) : d.run.error ? (
          <ErrorBanner error={d.run.error} title="The orchestration run could not be read" />
        ) : d.run.isPending ? (
          <Loading label="Loading the orchestration…" />
        ) : d.run.data ? (
          <RunTimeline run={d.run.data} now={now} />
        ) : (
          <EmptyState>No orchestration run for this order{order.state === 'rejected' ? ': it was rejected at capture' : ' yet'}.</EmptyState>
        )}
      </Section>

      {d.cancellations.data && d.cancellations.data.items.length > 0 ? (
        <Section title="Cancellation requests">
          <Table<CancelProductOrder>
            caption="Cancellation requests of this order"
            captionHidden
            rows={d.cancellations.data.items}
            rowKey={(c) => c.id}
            columns={[
              { key: 'id', header: 'Request', cell: (c) => <span className="mono">{c.id}</span> },
              { key: 'state', header: 'State', cell: (c) => <StateBadge state={c.state} /> },
              { key: 'reason', header: 'Reason', cell: (c) => c.cancellationReason ?? '—' },
              { key: 'asked', header: 'Asked', cell: (c) => formatDate(c.requestedCancellationDate) },
              { key: 'done', header: 'Effective', cell: (c) => formatDate(c.effectiveCancellationDate) },
            ]}
          />
        </Section>
      ) : null}
    </>
  );
}

function Notes({ order }: { order: ProductOrder }) {
  const milestones = order.productOrderMilestone ?? [];
  const alerts = order.productOrderJeopardyAlert ?? [];
  const errors = order.productOrderErrorMessage ?? [];
  if (milestones.length + alerts.length + errors.length === 0) return <EmptyState>No milestone, alert or error yet.</EmptyState>;
  return (
    <>
      {errors.length > 0 ? (
        <div className="banner banner-error">
          <strong>{order.state === 'rejected' ? 'The order was rejected:' : 'Errors:'}</strong>
          <ul>{errors.map((e, i) => <li key={i}>{[e.reason, e.message].filter(Boolean).join(' — ')}{e.code ? ` (${e.code})` : ''}</li>)}</ul>
        </div>
      ) : null}
      {alerts.length > 0 ? (
        <Table<OrderNote>
          caption="Jeopardy alerts"
          rows={alerts}
          rowKey={(a, i) => a.id ?? String(i)}
          columns={[
            { key: 'name', header: 'Alert', cell: (a) => a.name ?? '—' },
            { key: 'type', header: 'Type', cell: (a) => a.jeopardyType ?? '—' },
            { key: 'date', header: 'Raised', cell: (a) => formatDate(a.alertDate) },
            { key: 'msg', header: 'Message', cell: (a) => a.message ?? a.exception ?? '—' },
          ]}
        />
      ) : null}
      {milestones.length > 0 ? (
        <Table<OrderNote>
          caption="Milestones"
          rows={milestones}
          rowKey={(m, i) => m.id ?? String(i)}
          columns={[
            { key: 'name', header: 'Milestone', cell: (m) => m.name ?? '—' },
            { key: 'status', header: 'Status', cell: (m) => m.status ?? '—' },
            { key: 'date', header: 'When', cell: (m) => formatDate(m.milestoneDate) },
            { key: 'msg', header: 'Message', cell: (m) => m.message ?? m.description ?? '—' },
          ]}
        />
      ) : null}
    </>
  );
}

/** Cancel (TMF622 cancelProductOrder), after a confirmation in a modal dialog; the states that follow arrive live. */
function CancelOrder({ order }: { order: ProductOrder }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => api<CancelProductOrder>(`${API.cancelProductOrder}`, {
      method: 'POST',
      body: {
        productOrder: { id: order.id, ...(order.href ? { href: order.href } : {}), '@referredType': 'ProductOrder' },
        ...(reason.trim() ? { cancellationReason: reason.trim() } : {}),
      },
    }),
    onSuccess: () => {
      dialog.current?.close();
      void queryClient.invalidateQueries({ queryKey: orderKeys.one(order.id) });
      void queryClient.invalidateQueries({ queryKey: orderKeys.cancellations(order.id) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    cancel.mutate();
  };
  return (
    <>
      <Button variant="danger" onClick={() => { cancel.reset(); dialog.current?.showModal(); }}>Cancel order</Button>
      <dialog ref={dialog} className="dialog" aria-labelledby={`cancel-${order.id}-title`}>
        <form onSubmit={submit}>
          <h2 id={`cancel-${order.id}-title`}>Cancel order {order.id}?</h2>
          <p>Fulfilment stops and what was already done is undone (resources released, services terminated). This cannot be reversed.</p>
          <TextArea label="Reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} />
          <ErrorBanner error={cancel.error} title="The order could not be cancelled" />
          <div className="actions">
            <Button onClick={() => dialog.current?.close()} autoFocus>Keep the order</Button>
            <Button type="submit" variant="danger" busy={cancel.isPending}>Cancel the order</Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
