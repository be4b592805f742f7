/**
 * Shared building blocks. Every control has a label, every table a caption,
 * every status message a live region: the console is checked with axe-core.
 */
import { useId, type ButtonHTMLAttributes, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { errorMessage } from '../api.ts';

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </div>
  );
}

/** A titled region; `title` becomes its accessible name. */
export function Section({ title, actions, children, className }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={id}>
      <div className="section-header">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' | 'link'; busy?: boolean };

export function Button({ variant = 'secondary', busy = false, className, children, disabled, type, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      className={`btn btn-${variant} ${className ?? ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {children}
    </button>
  );
}

/**
 * A label and its control. The control is given the id through a render
 * function so any input (or a custom one) is labelled properly.
 */
export function Field({ label, hint, error, children, className }: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(described ? { 'aria-describedby': described } : {}), ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? <small id={hintId} className="muted">{hint}</small> : null}
      {error ? <small id={errorId} className="field-error">{error}</small> : null}
    </div>
  );
}

export function TextField({ label, hint, error, className, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: ReactNode; hint?: ReactNode; error?: string | null }) {
  return (
    <Field label={label} hint={hint} error={error ?? null} className={className ?? ''}>
      {(p) => <input {...input} {...p} />}
    </Field>
  );
}

export function TextArea({ label, hint, error, className, ...input }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: ReactNode; hint?: ReactNode; error?: string | null }) {
  return (
    <Field label={label} hint={hint} error={error ?? null} className={className ?? ''}>
      {(p) => <textarea {...input} {...p} />}
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({ label, hint, error, options, className, ...select }: SelectHTMLAttributes<HTMLSelectElement> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  options: readonly (Option | string)[];
}) {
  return (
    <Field label={label} hint={hint} error={error ?? null} className={className ?? ''}>
      {(p) => (
        <select {...select} {...p}>
          {options.map((o) => {
            const opt = typeof o === 'string' ? { value: o, label: o } : o;
            return <option key={opt.value} value={opt.value}>{opt.label}</option>;
          })}
        </select>
      )}
    </Field>
  );
}

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned numbers, etc. */
  className?: string;
}

/**
 * A data table with a caption. Wide tables scroll inside a focusable region so
 * keyboard users can scroll them too.
 */
export function Table<T>({ caption, columns, rows, rowKey, empty, captionHidden = false }: {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  empty?: ReactNode;
  captionHidden?: boolean;
}) {
  if (rows.length === 0) return <EmptyState>{empty ?? 'Nothing to show.'}</EmptyState>;
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption className={captionHidden ? 'visually-hidden' : ''}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => <th key={c.key} scope="col" className={c.className}>{c.header}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)}>
              {columns.map((c) => <td key={c.key} className={c.className}>{c.cell(r)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous/next over a TMF list (offset and limit, total from X-Total-Count). */
export function Pager({ offset, limit, total, shown, onChange, label }: {
  offset: number;
  limit: number;
  total: number | null;
  shown: number;
  onChange: (offset: number) => void;
  label: string;
}) {
  const last = offset + shown;
  const hasNext = total !== null ? last < total : shown === limit;
  return (
    <nav className="pager" aria-label={label}>
      <span role="status" aria-live="polite">
        {shown === 0 ? 'No results' : `${offset + 1}–${last}${total !== null ? ` of ${total}` : ''}`}
      </span>
      <Button onClick={() => onChange(Math.max(0, offset - limit))} disabled={offset === 0}>Previous</Button>
      <Button onClick={() => onChange(offset + limit)} disabled={!hasNext}>Next</Button>
    </nav>
  );
}

const STATE_TONES: Record<string, 'ok' | 'bad' | 'busy' | 'wait' | 'plain'> = {
  completed: 'ok', active: 'ok', launched: 'ok', approved: 'ok', accepted: 'ok', done: 'ok', delivered: 'ok', validated: 'ok', available: 'ok', implemented: 'ok',
  failed: 'bad', cancelled: 'bad', rejected: 'bad', terminated: 'bad', retired: 'bad', obsolete: 'bad', error: 'bad', dead: 'bad', disabled: 'bad', suspended: 'bad',
  inprogress: 'busy', acknowledged: 'busy', running: 'busy', intest: 'busy', indesign: 'busy', assesscancellation: 'busy', pendingactive: 'busy', designed: 'busy',
  held: 'wait', pending: 'wait', partial: 'wait', instudy: 'wait', draft: 'wait', created: 'wait', planned: 'wait', pendingcancellation: 'wait', inactive: 'wait',
};

/** A lifecycle or order state, coloured by what it means (and always spelled out, never colour alone). */
export function StateBadge({ state }: { state: string | null | undefined }) {
  if (!state) return <span className="badge badge-plain">—</span>;
  const tone = STATE_TONES[state.toLowerCase().replace(/[\s_-]/g, '')] ?? 'plain';
  return <span className={`badge badge-${tone}`}>{state}</span>;
}

export function ErrorBanner({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{title ?? 'Something went wrong'}:</strong> <span>{errorMessage(error)}</span>
      {onRetry ? <Button variant="link" onClick={onRetry}>Try again</Button> : null}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' }) {
  return <div className={`banner banner-${tone}`} role="status">{children}</div>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <div className="loading" role="status" aria-live="polite"><span className="spinner" aria-hidden="true" />{label}</div>;
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Label/value pairs. */
export function Details({ items }: { items: readonly [ReactNode, ReactNode][] }) {
  return (
    <dl className="details">
      {items.map(([k, v], i) => (
        <div key={i}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Tabs as a list of toggle buttons: simple, keyboard-friendly, and honest to screen readers. */
export function Tabs<K extends string>({ label, tabs, value, onChange }: { label: string; tabs: readonly { key: K; label: string }[]; value: K; onChange: (k: K) => void }) {
  return (
    <div className="tabs" role="group" aria-label={label}>
      {tabs.map((t) => (
        <button key={t.key} type="button" className={`tab ${t.key === value ? 'tab-active' : ''}`} aria-pressed={t.key === value} onClick={() => onChange(t.key)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function formatDate(v: unknown): string {
  if (typeof v !== 'string' || !v) return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString();
}
