/**
 * Shapes of the /etom answers (packages/server/src/routes/etom.ts): the map's
 * own types, imported as types only (erased from the bundle), with the counts
 * the routes add.
 */
import type { CoverageReport, EtomArea, EtomL2, EtomTask } from '@operon/etom';

export type { Implementation, TaskCoverage } from '@operon/etom';

/** GET /etom/areas */
export type Area = EtomArea & { l2Count: number; l3Count: number };
/** GET /etom/l2 */
export type L2 = EtomL2 & { l3Count: number };
/** GET /etom/l3 */
export type Task = EtomTask;
/** GET /etom/coverage */
export type Coverage = CoverageReport;
