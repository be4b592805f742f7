/** The one place that reads the wall clock, so tests can move time. */
let offsetMs = 0;
export const clock = {
  now: (): Date => new Date(Date.now() + offsetMs),
  iso: (): string => new Date(Date.now() + offsetMs).toISOString(),
  /** Test hook: shift the clock by `ms`. */
  advance(ms: number) {
    offsetMs += ms;
  },
  reset() {
    offsetMs = 0;
  },
};
