/** The `operon` command line: runs one command, then exits with its status. */
import { run } from './run.ts';

const code = await run(process.argv.slice(2));
process.exitCode = code;
// let pending output drain, but do not wait for stray handles (pools, timers) a command may leave behind
setTimeout(() => process.exit(code), 1000).unref();
