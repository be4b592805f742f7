/**
 * Dashboard: Lead-to-Cash over a chosen period (last hour, day, 7 days, or
 * custom) — orders by state, the distribution of order-to-activation times,
 * the fallout rate per interval, and the time per eTOM L3 step — as ECharts
 * charts, each with a text alternative. Refreshed when orders are placed or
 * change state (the event stream), never polled.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../session.tsx';
import { Button, ErrorBanner, Loading, Notice, PageHeader, Section, SelectField, Table, TextField } from '../../ui/components.tsx';
import { useEventStream, useThrottled } from '../../live.ts';
import { LiveIndicator } from '../orders/parts.tsx';
import { durationText } from '../orders/tmf.ts';
import { COLORS, Chart, type ChartOption } from './chart.tsx';
import { loadDashboard, resolvePeriod, type DashboardData, type OfferingKpi, type Period, type PeriodKind, type TimelineInterval } from './data.ts';

const PERIODS: { value: PeriodKind; label: string }[] = [
  { value: 'hour', label: 'Last hour' },
  { value: 'day', label: 'Last day' },
  { value: 'week', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom' },
];

const STATE_COLORS: Record<string, string> = {
  completed: COLORS.ok, failed: COLORS.bad, partial: COLORS.wait, cancelled: '#6b3fa0', rejected: '#b0413e',
  acknowledged: '#5b8def', inProgress: COLORS.busy, pending: '#c28a00', held: '#8a6d3b',
  assessingCancellation: '#9c6ade', pendingCancellation: '#7d5ba6',
};

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)} %`);

/** A datetime-local value for an instant, in the browser's time zone. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function intervalLabel(d: Date, interval: TimelineInterval): string {
  return interval === 'hour'
    ? d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

const INTERVAL_WORD: Record<TimelineInterval, string> = { hour: 'hour', day: 'day', week: 'week' };

export function DashboardPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [period, setPeriod] = useState<Period>({ kind: 'day' });
  const [draft, setDraft] = useState<Period>(() => ({ kind: 'day', from: localInput(new Date(Date.now() - 24 * 3_600_000)), to: localInput(new Date()) }));
  const [problem, setProblem] = useState<string | null>(null);

  const data = useQuery({
    queryKey: ['kpi', 'lead-to-cash', period],
    queryFn: () => {
      const r = resolvePeriod(period, Date.now());
      if ('error' in r) throw new Error(r.error);
      return loadDashboard(r.since, r.until);
    },
    placeholderData: keepPreviousData,
    enabled: can('ops.kpi', 'read'),
  });

  // new and changed orders move the numbers: refetch, at most every few seconds
  const refresh = useThrottled(() => void queryClient.invalidateQueries({ queryKey: ['kpi', 'lead-to-cash'] }), 3000);
  const live = useEventStream({ eventTypes: ['ProductOrderCreateEvent', 'ProductOrderStateChangeEvent'], onEvent: refresh, enabled: can('ops.kpi', 'read') });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (draft.kind === 'custom') {
      const r = resolvePeriod(draft, Date.now());
      if ('error' in r) return setProblem(r.error);
    }
    setProblem(null);
    setPeriod(draft.kind === 'custom' ? draft : { kind: draft.kind });
  };

  if (!can('ops.kpi', 'read')) {
    return (
      <>
        <PageHeader title="Dashboard" />
        <Notice>The Lead-to-Cash indicators are shown to the operator's staff.</Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Dashboard" subtitle="Lead-to-Cash: orders, activation times, fallout" actions={<LiveIndicator live={live} />} />
      <Section title="Period">
        <form className="filters period" onSubmit={apply} aria-label="Period">
          <SelectField label="Show" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as PeriodKind })} options={PERIODS} />
          {draft.kind === 'custom' ? (
            <>
              <TextField label="From" type="datetime-local" value={draft.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.target.value })} required />
              <TextField label="To" type="datetime-local" value={draft.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
            </>
          ) : null}
          <div className="filter-actions">
            <Button type="submit" variant="primary">Show</Button>
          </div>
        </form>
        {problem ? <p className="field-error" role="alert">{problem}</p> : null}
      </Section>
      <ErrorBanner error={data.error} onRetry={() => void data.refetch()} title="The indicators could not be read" />
      {data.isPending ? <Loading label="Loading the indicators…" /> : null}
      {data.data ? <Indicators d={data.data} /> : null}
    </>
  );
}

function Indicators({ d }: { d: DashboardData }) {
  const states = Object.entries(d.kpis.ordersByState).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const interval = d.kpis.timeline.interval;
  const completed = d.kpis.orderToActivationHistogram.orders;
  const within = (ms: number | null) => (ms === null ? (completed > 0 ? 'over 30 days' : '—') : durationText(ms));
  const total = states.reduce((n, [, v]) => n + v, 0);
  const range = `${d.since.toLocaleString()} – ${d.until.toLocaleString()}`;

  const byState = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0, itemGap: 16, textStyle: { color: COLORS.text } },
    series: [{
      type: 'pie', radius: ['38%', '66%'], center: ['50%', '44%'], avoidLabelOverlap: true,
      label: { formatter: '{b}: {c}', color: COLORS.text },
      data: states.map(([s, n]) => ({ name: s, value: n, itemStyle: { color: STATE_COLORS[s] ?? COLORS.plain } })),
    }],
  }), [states]);

  const histogram = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 48, right: 16, top: 24, bottom: 56 },
    xAxis: { type: 'category', name: 'order to activation', nameLocation: 'middle', nameGap: 38, data: d.bars.map((b) => b.label), axisLabel: { color: COLORS.muted, hideOverlap: true } },
    yAxis: { type: 'value', name: 'orders', minInterval: 1, axisLabel: { color: COLORS.muted }, splitLine: { lineStyle: { color: COLORS.grid } } },
    series: [{ type: 'bar', name: 'Completed orders', data: d.bars.map((b) => b.orders), itemStyle: { color: COLORS.accent } }],
  }), [d.bars]);

  const fallout = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, itemGap: 16, textStyle: { color: COLORS.text } },
    grid: { left: 48, right: 48, top: 28, bottom: 64 },
    xAxis: { type: 'category', data: d.intervals.map((i) => intervalLabel(i.start, interval)), axisLabel: { color: COLORS.muted, hideOverlap: true } },
    yAxis: [
      { type: 'value', name: 'fallout %', min: 0, max: 100, axisLabel: { color: COLORS.muted, formatter: '{value} %' }, splitLine: { lineStyle: { color: COLORS.grid } } },
      { type: 'value', name: 'ended', minInterval: 1, axisLabel: { color: COLORS.muted }, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: 'Completed', stack: 'ended', yAxisIndex: 1, data: d.intervals.map((i) => i.completed), itemStyle: { color: '#9db8d9' } },
      { type: 'bar', name: 'Fallen out', stack: 'ended', yAxisIndex: 1, data: d.intervals.map((i) => i.fallenOut), itemStyle: { color: '#e0a0a0' } },
      { type: 'line', name: 'Fallout rate', yAxisIndex: 0, data: d.intervals.map((i) => (i.rate === null ? null : Math.round(i.rate * 1000) / 10)), itemStyle: { color: COLORS.bad }, connectNulls: false },
    ],
  }), [d.intervals, interval]);

  const steps = useMemo<ChartOption>(() => ({
    tooltip: { trigger: 'axis', valueFormatter: (v) => durationText(Number(v)) },
    legend: { bottom: 0, textStyle: { color: COLORS.text } },
    grid: { left: 16, right: 24, top: 16, bottom: 48, containLabel: true },
    xAxis: { type: 'value', axisLabel: { color: COLORS.muted, formatter: (v: number) => durationText(v) }, splitLine: { lineStyle: { color: COLORS.grid } } },
    yAxis: { type: 'category', inverse: true, data: d.kpis.etomSteps.map((s) => s.etomTask), axisLabel: { color: COLORS.text, width: 240, overflow: 'truncate' } },
    series: [
      { type: 'bar', name: 'median', data: d.kpis.etomSteps.map((s) => s.p50Ms), itemStyle: { color: COLORS.accent } },
      { type: 'bar', name: '90th percentile', data: d.kpis.etomSteps.map((s) => s.p90Ms), itemStyle: { color: '#7aa6d6' } },
    ],
  }), [d.kpis.etomSteps]);

  return (
    <>
      <div className="kpis" role="list" aria-label="Key figures">
        <Kpi label="Orders placed" value={String(total)} />
        <Kpi label="Completed" value={String(d.kpis.ordersByState['completed'] ?? 0)} />
        <Kpi label="Fallout rate" value={pct(d.kpis.fallout.ended ? d.kpis.fallout.rate : null)} hint={`${d.kpis.fallout.fallenOut} of ${d.kpis.fallout.ended} ended`} />
        <Kpi label="Half of the orders activated within" value={within(d.within50)} hint={`nine in ten within ${within(d.within90)}`} />
      </div>
      <div className="charts">
        <Chart
          testId="chart-orders-by-state"
          title="Orders by state"
          label={`Orders placed ${range}, by state: ${states.map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`}
          option={byState}
          alt={{ columns: ['State', 'Orders'], rows: states }}
          {...(states.length === 0 ? { empty: 'No order was placed in this period.' } : {})}
        />
        <Chart
          testId="chart-activation"
          title="Order-to-activation time"
          label={`Distribution of order-to-activation times of the ${completed} orders placed in the period and completed: ${d.bars.filter((b) => b.orders > 0).map((b) => `${b.label} ${b.orders}`).join(', ') || 'none'}`}
          option={histogram}
          alt={{ columns: ['Time to activation', 'Completed orders'], rows: d.bars.map((b) => [b.label, b.orders]) }}
          {...(d.bars.length === 0 ? { empty: 'No order placed in this period has completed.' } : {})}
        />
        <Chart
          testId="chart-fallout"
          title="Fallout rate over the period"
          label={`Fallout rate per ${INTERVAL_WORD[interval]}: overall ${pct(d.kpis.fallout.ended ? d.kpis.fallout.rate : null)}; ${d.intervals.filter((i) => i.rate !== null).map((i) => `${intervalLabel(i.start, interval)} ${pct(i.rate)} of ${i.completed + i.fallenOut}`).join(', ') || 'no order ended'}`}
          option={fallout}
          alt={{ columns: ['From', 'Orders placed', 'Completed', 'Fallen out', 'Fallout rate'], rows: d.intervals.map((i) => [i.start.toLocaleString(), i.created, i.completed, i.fallenOut, pct(i.rate)]) }}
          {...(d.intervals.length === 0 ? { empty: 'No order in this period.' } : {})}
        />
        <Chart
          testId="chart-etom"
          wide
          title="Time per eTOM L3 step"
          label={`Median and 90th percentile duration per eTOM L3 step: ${d.kpis.etomSteps.map((s) => `${s.etomTask} ${durationText(s.p50Ms)} / ${durationText(s.p90Ms)}`).join(', ') || 'none'}`}
          option={steps}
          alt={{ columns: ['eTOM L3 step', 'Tasks', 'Median', '90th percentile', 'Jeopardies'], rows: d.kpis.etomSteps.map((s) => [s.etomTask, s.count, durationText(s.p50Ms), durationText(s.p90Ms), s.jeopardies]) }}
          {...(d.kpis.etomSteps.length === 0 ? { empty: 'No fulfilment task ran in this period.' } : {})}
        />
      </div>
      <Section title="Order to activation per offering">
        <Table<OfferingKpi>
          caption="Order-to-activation time per offering (completed orders)"
          captionHidden
          rows={d.kpis.orderToActivation}
          rowKey={(o) => o.productOfferingId}
          empty="No order completed in this period."
          columns={[
            { key: 'name', header: 'Offering', cell: (o) => o.productOfferingName ?? o.productOfferingId },
            { key: 'n', header: 'Completed', className: 'num', cell: (o) => o.orders },
            { key: 'p50', header: 'Median', className: 'num', cell: (o) => durationText(o.p50Ms) },
            { key: 'p90', header: '90th percentile', className: 'num', cell: (o) => durationText(o.p90Ms) },
          ]}
        />
      </Section>
    </>
  );
}

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="kpi" role="listitem">
      <span className="value">{value}</span>
      <span className="label">{label}</span>
      {hint ? <span className="label"> · {hint}</span> : null}
    </div>
  );
}
