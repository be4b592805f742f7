/** @operon/cli — the `operon` command, also callable in-process through `run(argv)`. */
export { run, mainUsage } from './run.ts';
export { CliError, type Io } from './io.ts';
