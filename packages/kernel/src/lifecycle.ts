import { OperonError } from './errors.ts';

/**
 * A lifecycle is a transition table, declared once and read by everyone:
 * the REST kit refuses forbidden jumps with 422, docs and the console list the
 * allowed next states from it.
 */
export interface LifecycleDefinition<S extends string> {
  name: string;
  /** Attribute of the resource that holds the state, e.g. `lifecycleStatus` or `state`. */
  field: string;
  initial: S;
  /** States a resource may be created in (defaults to the initial state only). */
  creatable?: readonly S[];
  transitions: { readonly [K in S]: readonly S[] };
  /** States from which the resource may be deleted; every state when omitted. */
  deletable?: readonly S[];
}

export interface Lifecycle<S extends string = string> extends LifecycleDefinition<S> {
  readonly states: readonly S[];
  isState(value: unknown): value is S;
  next(from: S): readonly S[];
  canMove(from: S, to: S): boolean;
  assertMove(from: string, to: string): void;
  assertCreatable(state: string): void;
  assertDeletable(state: string): void;
  isTerminal(state: S): boolean;
}

export function defineLifecycle<S extends string>(def: LifecycleDefinition<S>): Lifecycle<S> {
  const states = Object.keys(def.transitions) as S[];
  for (const [from, tos] of Object.entries(def.transitions) as [S, readonly S[]][]) {
    for (const to of tos) {
      if (!(to in def.transitions)) throw new Error(`${def.name}: ${from} → ${to} names an unknown state`);
    }
  }
  const isState = (v: unknown): v is S => typeof v === 'string' && states.includes(v as S);
  const canMove = (from: S, to: S) => from === to || def.transitions[from].includes(to);
  const creatable = def.creatable ?? [def.initial];
  return {
    ...def,
    states,
    isState,
    next: (from) => def.transitions[from],
    canMove,
    isTerminal: (s) => def.transitions[s].length === 0,
    assertCreatable(state) {
      if (!isState(state) || !creatable.includes(state)) {
        throw new OperonError('unprocessable', `${def.name}: a resource cannot be created in ${def.field} '${state}'; allowed: ${creatable.join(', ')}`, { field: def.field });
      }
    },
    assertMove(from, to) {
      if (!isState(to)) {
        throw new OperonError('badRequest', `${def.name}: '${to}' is not a valid ${def.field}; valid values: ${states.join(', ')}`, { field: def.field });
      }
      if (!isState(from) || !canMove(from, to)) {
        const allowed = isState(from) ? def.transitions[from] : [];
        throw new OperonError('unprocessable', `${def.name}: transition from '${from}' to '${to}' is not allowed; allowed from '${from}': ${allowed.length ? allowed.join(', ') : 'none (terminal state)'}`, { field: def.field, code: 'forbiddenTransition' });
      }
    },
    assertDeletable(state) {
      if (def.deletable && !(isState(state) && def.deletable.includes(state))) {
        throw new OperonError('unprocessable', `${def.name}: a resource in ${def.field} '${state}' cannot be deleted; deletable in: ${def.deletable.join(', ')}`, { field: def.field, code: 'forbiddenTransition' });
      }
    },
  };
}
