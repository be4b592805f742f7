/**
 * Event delivery: every consumer of the event relay (hub listeners and
 * in-process subscribers) with its position, lag and retry state, the hub
 * subscriptions, and the dead letters with their replay (/ops/events).
 */
import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConsumerStatus, DeadLetter, EventRelay } from '@operon/store';
import type { HubService } from '@operon/tmf';
import { api, apiList, errorMessage, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, Notice, PageHeader, Pager, Section, SelectField, StateBadge, Table, formatDate } from '../../ui/components.tsx';

// the answers' shapes, as the server declares them (types only: erased from the bundle)
type Subscriptions = Awaited<ReturnType<HubService['list']>>;
type ReplayAnswer = Awaited<ReturnType<EventRelay['replayDeadLetter']>>;

const REFRESH_MS = 5000;
const PAGE = 50;

export function OperationsPage() {
  const { can } = useSession();
  const qc = useQueryClient();
  const consumers = useQuery({ queryKey: ['ops', 'consumers'], queryFn: () => api<ConsumerStatus[]>('/ops/events/consumers'), refetchInterval: REFRESH_MS });
  const subscriptions = useQuery({ queryKey: ['ops', 'subscriptions'], queryFn: () => api<Subscriptions>('/ops/events/subscriptions'), refetchInterval: REFRESH_MS * 3 });
  const [status, setStatus] = useState<'' | 'dead' | 'replayed'>('dead');
  const [consumerId, setConsumerId] = useState('');
  const [offset, setOffset] = useState(0);
  const dead = useQuery({
    queryKey: ['ops', 'deadLetters', status, consumerId, offset],
    queryFn: () => apiList<DeadLetter>(`/ops/events/deadLetters${qs({ status, consumerId, limit: PAGE, offset })}`),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const replay = useMutation({
    // the answer says whether the listener took it; one that still fails is an outcome to show, not a crash
    mutationFn: (id: string) => api<ReplayAnswer>(`/ops/events/deadLetters/${encodeURIComponent(id)}/replay`, { method: 'POST' }),
    onSuccess: (r) => {
      setResult(r.delivered
        ? { ok: true, text: `Delivered ${r.deadLetter.eventType} for ${r.deadLetter.resourceType} ${r.deadLetter.resourceId}.` }
        : { ok: false, text: `The listener still fails: ${r.error ?? 'no reason given'}` });
      void qc.invalidateQueries({ queryKey: ['ops'] });
    },
    onError: (e) => setResult({ ok: false, text: errorMessage(e) }),
  });
  const mayReplay = can('ops.events', 'operate');
  const total = dead.data?.total ?? null;

  return (
    <>
      <PageHeader title="Operations" subtitle={`Event delivery: consumers, hub subscriptions and dead letters; refreshed every ${REFRESH_MS / 1000} s`} />

      <Section title="Event consumers">
        {consumers.error ? <ErrorBanner error={consumers.error} /> : !consumers.data ? <Loading /> : (
          <Table
            caption="Consumers with their position, lag and retries"
            captionHidden
            rows={consumers.data}
            rowKey={(c) => c.id}
            empty="No consumer."
            columns={[
              { key: 'id', header: 'Consumer', cell: (c) => <><code>{c.id}</code>{c.callback ? <><br /><span className="muted small">{c.callback}</span></> : null}</> },
              { key: 'kind', header: 'Kind', cell: (c) => (c.kind === 'hub' ? `hub listener${c.api ? ` (${c.api})` : ''}` : 'in-process') },
              { key: 'query', header: 'Filter', cell: (c) => c.query ?? '—', className: 'break' },
              { key: 'lag', header: 'Lag', cell: (c) => c.lag, className: 'num' },
              { key: 'delivered', header: 'Delivered', cell: (c) => c.delivered, className: 'num' },
              { key: 'dead', header: 'Dead letters', cell: (c) => c.deadLetters, className: 'num' },
              { key: 'retry', header: 'Retrying', cell: (c) => (c.attempts > 0 ? `attempt ${c.attempts}${c.nextAttemptAt ? `, next ${formatDate(c.nextAttemptAt)}` : ''}` : '—') },
              { key: 'error', header: 'Last error', cell: (c) => c.lastError ?? '—' },
            ]}
          />
        )}
      </Section>

      <Section title="Hub subscriptions">
        {subscriptions.error ? <ErrorBanner error={subscriptions.error} /> : !subscriptions.data ? <Loading /> : (
          <Table
            caption="Subscriptions by API"
            captionHidden
            rows={subscriptions.data}
            rowKey={(s) => s.id}
            empty="No listener has subscribed to any API's hub."
            columns={[
              { key: 'api', header: 'API', cell: (s) => s.api },
              { key: 'callback', header: 'Callback', cell: (s) => s.callback },
              { key: 'query', header: 'Filter', cell: (s) => s.query ?? '—', className: 'break' },
              { key: 'id', header: 'Subscription', cell: (s) => <code>{s.id}</code> },
            ]}
          />
        )}
      </Section>

      <Section
        title="Dead letters"
        actions={
          <div className="toolbar compact">
            <SelectField label="Status" value={status} onChange={(e) => { setOffset(0); setStatus(e.target.value as '' | 'dead' | 'replayed'); }}
              options={[{ value: 'dead', label: 'Dead' }, { value: 'replayed', label: 'Replayed' }, { value: '', label: 'All' }]} />
            <SelectField label="Consumer" value={consumerId} onChange={(e) => { setOffset(0); setConsumerId(e.target.value); }}
              options={[{ value: '', label: 'Any' }, ...(consumers.data ?? []).filter((c) => c.deadLetters > 0 || c.id === consumerId).map((c) => ({ value: c.id, label: c.callback ?? c.id }))]} />
          </div>
        }
      >
        {result ? (result.ok ? <Notice tone="success">{result.text}</Notice> : <div className="banner banner-error" role="alert">{result.text}</div>) : null}
        {dead.error ? <ErrorBanner error={dead.error} /> : !dead.data ? <Loading /> : (
          <Table
            caption={`Dead letters${total !== null ? ` (${total})` : ''}`}
            rows={dead.data.items}
            rowKey={(d) => d.id}
            empty={status === 'dead' ? 'No dead letter: every event was delivered.' : 'No dead letter.'}
            columns={[
              { key: 'failed', header: 'Failed', cell: (d) => formatDate(d.failedAt) },
              { key: 'event', header: 'Event', cell: (d) => <><strong>{d.eventType}</strong><br /><span className="muted small">{d.resourceType} {d.resourceId}</span></> },
              { key: 'consumer', header: 'Consumer', cell: (d) => <code>{d.consumerId}</code> },
              { key: 'attempts', header: 'Attempts', cell: (d) => d.attempts, className: 'num' },
              { key: 'error', header: 'Last error', cell: (d) => d.lastError ?? '—' },
              { key: 'status', header: 'Status', cell: (d) => <><StateBadge state={d.status} />{d.replayedAt ? <><br /><span className="muted small">{formatDate(d.replayedAt)}</span></> : null}</> },
              {
                key: 'payload', header: 'Payload', cell: (d) => (
                  <details>
                    <summary>Show</summary>
                    <pre className="payload" tabIndex={0}>{JSON.stringify(d.payload, null, 2)}</pre>
                  </details>
                ),
              },
              ...(mayReplay ? [{
                key: 'replay', header: 'Action', cell: (d: DeadLetter) => d.status === 'dead' ? (
                  <Button
                    aria-label={`Replay ${d.eventType} for ${d.resourceId}`}
                    busy={replay.isPending && replay.variables === d.id}
                    disabled={replay.isPending}
                    onClick={() => { setResult(null); replay.mutate(d.id); }}
                  >
                    Replay
                  </Button>
                ) : '—',
              }] : []),
            ]}
          />
        )}
        {dead.data && total !== null && total > PAGE ? (
          <Pager label="Pages of dead letters" offset={offset} limit={PAGE} total={total} shown={dead.data.items.length} onChange={setOffset} />
        ) : null}
      </Section>
    </>
  );
}
