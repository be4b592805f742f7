/**
 * The ordering kit: the order, item and cancellation state machines, the rules
 * and hooks, and the flow operations shared by TMF622, TMF641 and TMF652.
 */
export * from './kit.ts';
