/**
 * The orchestration of an order as a timeline: each task of its workflow run
 * with the eTOM L3 task it performs, when it started (from the run's start)
 * and how long it took, drawn as bars; and per eTOM step the elapsed time from
 * its first task's start to its last task's end.
 */
import { StateBadge, Table } from '../../ui/components.tsx';
import { durationText, type RunTask, type RunView } from './tmf.ts';

const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);

interface StepRow {
  etomTask: string;
  tasks: number;
  done: number;
  failed: number;
  /** NaN until a task of the step has started. */
  startMs: number;
  endMs: number;
  /** A task of the step has not ended yet. */
  open: boolean;
  jeopardies: number;
}

/** Per eTOM step, in the order the steps started. */
export function stepsOf(run: RunView, now: number): StepRow[] {
  const by = new Map<string, StepRow>();
  for (const t of run.tasks) {
    const name = t.etomTask ?? t.kind;
    const s = by.get(name) ?? { etomTask: name, tasks: 0, done: 0, failed: 0, startMs: NaN, endMs: NaN, open: false, jeopardies: 0 };
    s.tasks++;
    if (t.status === 'done' || t.status === 'compensated') s.done++;
    if (t.status === 'failed') s.failed++;
    if (t.jeopardyRaisedAt) s.jeopardies++;
    const start = ms(t.startedAt);
    const end = t.endedAt ? ms(t.endedAt) : t.startedAt ? now : NaN;
    if (Number.isFinite(start)) s.startMs = Number.isFinite(s.startMs) ? Math.min(s.startMs, start) : start;
    if (Number.isFinite(end)) s.endMs = Number.isFinite(s.endMs) ? Math.max(s.endMs, end) : end;
    if (!t.endedAt) s.open = true;
    by.set(name, s);
  }
  return [...by.values()].sort((a, b) => (Number.isFinite(a.startMs) ? a.startMs : Infinity) - (Number.isFinite(b.startMs) ? b.startMs : Infinity));
}

function TaskBar({ task, origin, span, now }: { task: RunTask; origin: number; span: number; now: number }) {
  const start = ms(task.startedAt);
  if (!Number.isFinite(start)) return <span className="muted">not started</span>;
  const end = task.endedAt ? ms(task.endedAt) : now;
  const left = ((start - origin) / span) * 100;
  const width = Math.max(0.8, ((end - start) / span) * 100);
  return (
    <div className="timeline-track" aria-hidden="true">
      <div className={`timeline-bar timeline-${task.status}`} style={{ left: `${Math.max(0, Math.min(99, left))}%`, width: `${Math.min(100 - Math.max(0, left), width)}%` }} />
    </div>
  );
}

export function RunTimeline({ run, now }: { run: RunView; now: number }) {
  const origin = ms(run.createdAt);
  const ends = run.tasks.map((t) => (t.endedAt ? ms(t.endedAt) : t.startedAt ? now : NaN)).filter(Number.isFinite);
  const last = Math.max(origin + 1, run.endedAt ? ms(run.endedAt) : now, ...ends);
  const span = last - origin;
  const tasks = [...run.tasks].sort((a, b) => (ms(a.startedAt) || Infinity) - (ms(b.startedAt) || Infinity) || a.key.localeCompare(b.key));
  const steps = stepsOf(run, now);
  return (
    <div className="timeline" data-testid="run-timeline">
      <p>
        Run <code>{run.id}</code> <StateBadge state={run.status} /> — {run.tasks.filter((t) => t.status === 'done').length} of {run.tasks.length} tasks done,
        {' '}{run.endedAt ? `took ${durationText(ms(run.endedAt) - origin)}` : `running for ${durationText(now - origin)}`}
        {run.error ? <> — <span className="field-error">{run.error}</span></> : null}
      </p>
      <Table<StepRow>
        caption="Time per eTOM L3 step"
        rows={steps}
        rowKey={(s) => s.etomTask}
        columns={[
          { key: 'step', header: 'eTOM L3 step', cell: (s) => s.etomTask },
          { key: 'tasks', header: 'Tasks', className: 'num', cell: (s) => `${s.done}/${s.tasks}${s.failed ? ` (${s.failed} failed)` : ''}` },
          { key: 'start', header: 'Started after', className: 'num', cell: (s) => (Number.isFinite(s.startMs) ? durationText(s.startMs - origin) : '—') },
          { key: 'dur', header: 'Duration', className: 'num', cell: (s) => (Number.isFinite(s.startMs) && Number.isFinite(s.endMs) ? `${durationText(s.endMs - s.startMs)}${s.open ? ' so far' : ''}` : '—') },
          { key: 'jeopardy', header: 'Jeopardy', className: 'num', cell: (s) => (s.jeopardies ? `${s.jeopardies} raised` : 'none') },
        ]}
      />
      <Table<RunTask>
        caption="Tasks of the run, in the order they started"
        rows={tasks}
        rowKey={(t) => t.id}
        columns={[
          { key: 'task', header: 'Task', cell: (t) => <code>{t.key}</code> },
          { key: 'etom', header: 'eTOM L3 task', cell: (t) => t.etomTask ?? '—' },
          { key: 'status', header: 'Status', cell: (t) => <StateBadge state={t.status} /> },
          { key: 'dur', header: 'Duration', className: 'num', cell: (t) => (t.startedAt ? durationText((t.endedAt ? ms(t.endedAt) : now) - ms(t.startedAt)) : '—') },
          { key: 'bar', header: 'When', cell: (t) => <TaskBar task={t} origin={origin} span={span} now={now} /> },
        ]}
      />
    </div>
  );
}
