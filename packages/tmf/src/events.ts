import { clock, newId } from '@operon/kernel';

export type EventKind = 'Create' | 'AttributeValueChange' | 'StateChange' | 'Change' | 'Delete';
/** The kinds most TMF APIs publish; some (TMF633, TMF634) publish one `Change` kind instead of the two in the middle. */
export const EVENT_KINDS: readonly EventKind[] = ['Create', 'AttributeValueChange', 'StateChange', 'Delete'];

const titles: Record<EventKind, string> = {
  Create: 'created',
  AttributeValueChange: 'attributes changed',
  StateChange: 'state changed',
  Change: 'changed',
  Delete: 'deleted',
};

export const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** `IndividualCreateEvent` for type `Individual` and kind `Create`. */
export function eventType(resourceType: string, kind: EventKind): string {
  return `${resourceType}${kind}Event`;
}

export interface EnvelopeInput {
  api: string;
  resourceType: string;
  /** Property name of the resource inside `event`; defaults to the type in lowerCamelCase. */
  eventProperty?: string;
  kind: EventKind;
  resource: Record<string, unknown>;
  correlationId?: string;
  /** For attribute-change events: the attributes that changed. */
  changed?: string[];
}

/** A TMF688 event envelope carrying the whole resource as it stands after the change. */
export function envelope(input: EnvelopeInput): Record<string, unknown> {
  const now = clock.iso();
  const type = eventType(input.resourceType, input.kind);
  const id = newId();
  return {
    eventId: id,
    eventTime: now,
    eventType: type,
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
    domain: input.api,
    title: `${input.resourceType} ${titles[input.kind]}`,
    description: `${input.resourceType} ${String(input.resource['id'])} ${titles[input.kind]}${input.changed?.length ? `: ${input.changed.join(', ')}` : ''}`,
    priority: '5',
    timeOcurred: now,
    event: { [input.eventProperty ?? lowerFirst(input.resourceType)]: input.resource },
  };
}
