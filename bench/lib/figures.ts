/** The figures one benchmark run collects, with the CPU split of a phase as diagnostics. */
import type { CpuSplit } from './cpu.ts';
import type { Figure, Unit } from './harness.ts';

export class Figures {
  readonly list: Figure[] = [];

  add(section: string, key: string, label: string, unit: Unit, value: number, extra: Partial<Pick<Figure, 'ceiling' | 'target' | 'diagnostic'>> = {}): void {
    this.list.push({ section, key, label, unit, value, ...extra });
  }

  /** Where the phase's CPU went; with `requests`, also the CPU each request cost. */
  cpu(section: string, prefix: string, split: CpuSplit | undefined, requests = 0): void {
    if (!split) return;
    const d = { diagnostic: true };
    this.add(section, `${prefix}.cpu.server`, 'CPU: Operon server', 'cores', split.server, d);
    this.add(section, `${prefix}.cpu.backends`, 'CPU: PostgreSQL backends', 'cores', split.backends, d);
    this.add(section, `${prefix}.cpu.otherPostgres`, 'CPU: PostgreSQL other', 'cores', split.otherPostgres, d);
    this.add(section, `${prefix}.cpu.loadGenerator`, 'CPU: load generator', 'cores', split.loadGenerator, d);
    this.add(section, `${prefix}.cpu.rest`, 'CPU: rest of machine', 'cores', split.rest, d);
    this.add(section, `${prefix}.cpu.idle`, 'CPU: idle', 'cores', split.idle, d);
    if (requests > 0) {
      const perReq = (cores: number) => (cores * split.seconds * 1000) / requests;
      this.add(section, `${prefix}.cpuPerReq.server`, 'server CPU per request', 'cpu-ms/req', perReq(split.server), d);
      this.add(section, `${prefix}.cpuPerReq.postgres`, 'PostgreSQL CPU per request', 'cpu-ms/req', perReq(split.backends + split.otherPostgres), d);
    }
  }
}
