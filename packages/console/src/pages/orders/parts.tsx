/**
 * Small pieces the order, capture and inventory pages share: the live-updates
 * indicator, an in-app link to a path with a query string, a radio choice, and
 * the customers to filter by.
 */
import { useId, type MouseEvent, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { apiList, qs } from '../../api.ts';
import { useSession } from '../../session.tsx';
import type { Option } from '../../ui/components.tsx';
import { API, type Ref } from './tmf.ts';
import type { EventStreamHook } from '../../live.ts';
import './orders.css';

const LIVE_TEXT: Record<EventStreamHook['status'], string> = {
  connecting: 'Connecting to live updates…',
  open: 'Live',
  reconnecting: 'Live updates interrupted, reconnecting…',
  denied: 'Live updates are not available to this user',
  closed: 'Live updates off',
};

/** Whether the page follows events as they happen, said in words (and a dot). */
export function LiveIndicator({ live }: { live: EventStreamHook }) {
  return (
    <span className={`live live-${live.status}`} role="status" aria-live="polite" title={live.detail ?? ''} data-live={live.status}>
      <span aria-hidden="true" className="live-dot">●</span> {LIVE_TEXT[live.status]}
    </span>
  );
}

/**
 * A link to an in-app path with a query string, navigated without a reload;
 * a plain href still works for opening it in a new tab.
 */
export function AppLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  const router = useRouter();
  const go = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    router.history.push(href);
  };
  return <a href={href} onClick={go} className={className}>{children}</a>;
}

/**
 * One radio of a list of choices (`ul.choices`): its name in bold and, under
 * it, a line that describes it (why it cannot be chosen, when `unavailable`).
 */
export function Choice({ name, value, title, detail, checked, disabled, unavailable = false, onChoose }: {
  name: string;
  value: string;
  title: ReactNode;
  detail: ReactNode;
  checked: boolean;
  disabled?: boolean;
  unavailable?: boolean;
  onChoose: () => void;
}) {
  const detailId = useId();
  return (
    <li>
      <label className="choice">
        <input type="radio" name={name} value={value} checked={checked} disabled={disabled} onChange={onChoose} aria-describedby={detailId} />
        <span>
          <strong>{title}</strong>
          <span id={detailId} className={unavailable ? 'field-error small' : 'muted small'}>{detail}</span>
        </span>
      </label>
    </li>
  );
}

/** Text for screen readers only. */
export function ScreenReaderOnly({ children }: { children: ReactNode }) {
  return <span className="visually-hidden">{children}</span>;
}

/**
 * Customers to filter by, as their parties (orders and inventory items name
 * the party, TMF629 customers engage it): the first 200 by name. Empty for a
 * customer or partner, whose lists hold only their own party anyway.
 */
export function useCustomerOptions(): { options: Option[]; enabled: boolean } {
  const { can, confined } = useSession();
  const enabled = !confined && can('customerManagement', 'read');
  const customers = useQuery({
    queryKey: ['customer', 'options'],
    queryFn: () => apiList<{ id: string; name?: string; engagedParty?: Ref }>(`${API.customer}${qs({ fields: 'id,name,engagedParty', sort: 'name', limit: 200 })}`),
    enabled,
    staleTime: 60_000,
  });
  const options = [
    { value: '', label: 'Any customer' },
    ...(customers.data?.items ?? []).filter((c) => c.engagedParty?.id).map((c) => ({ value: String(c.engagedParty!.id), label: c.name ?? String(c.engagedParty!.id) })),
  ];
  return { options, enabled };
}
