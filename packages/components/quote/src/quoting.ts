/**
 * The operations on quotes, for the HTTP routes and for flows: every write
 * goes through the kit (validation, lifecycle, outbox events) with the
 * `quotePricer` a flow provides attached, so that a quote is priced from the
 * catalog whenever what it quotes changes.
 */
import { clock, type RequestContext } from '@operon/kernel';
import type { Tx } from '@operon/store';
import type { ComponentRuntime, Doc, PatchBody, ResourceService, Versioned } from '@operon/tmf';
import { API_NAME, pricingWith, quote, unpricedItems } from './resources.ts';
import type { QuoteState } from './schemas.ts';

export interface CreatedQuote {
  quote: Versioned<Doc>;
  /** Whether an instantSyncQuote was answered in the request (priced in full and approved). */
  answered: boolean;
}

export class Quoting {
  readonly quotes: ResourceService;
  private readonly db: ComponentRuntime['db'];
  private readonly ports: ComponentRuntime['ports'] | undefined;

  constructor(runtime: Pick<ComponentRuntime, 'db' | 'services'> & Partial<Pick<ComponentRuntime, 'ports'>>) {
    this.quotes = runtime.services.get(API_NAME)!.get(quote.name)!;
    this.db = runtime.db;
    this.ports = runtime.ports;
  }

  /** `ctx` with the pricer attached, when a flow provides one. */
  private priced(ctx: RequestContext): RequestContext {
    return pricingWith(ctx, this.ports?.has('quotePricer') ? this.ports.get('quotePricer') : undefined);
  }

  /**
   * Creates a quote inProgress, priced. An instantSyncQuote that is priced in
   * full is approved in the same transaction (the customer gets the answer at
   * once); one that cannot be stays inProgress, for the seller to complete.
   */
  async create(input: unknown, ctx: RequestContext, tx?: Tx): Promise<CreatedQuote> {
    const run = async (t: Tx): Promise<CreatedQuote> => {
      const pctx = this.priced(ctx);
      const created = await this.quotes.create(input, pctx, t);
      const doc = created.doc;
      if (doc['instantSyncQuote'] !== true || unpricedItems(doc).length > 0) return { quote: created, answered: false };
      const now = clock.iso();
      const approved = await this.quotes.update(String(doc['id']), (d) => ({ ...d, state: 'approved', expectedQuoteCompletionDate: now, effectiveQuoteCompletionDate: now }), pctx, t);
      return { quote: approved, answered: true };
    };
    return tx ? run(tx) : this.db.tx(run);
  }

  /** A client's change (merge patch or JSON Patch): priced again when the items change. */
  patch(id: string, patch: PatchBody, ctx: RequestContext, opts: { ifMatch?: string } = {}, tx?: Tx): Promise<Versioned<Doc>> {
    return this.quotes.patch(id, patch, this.priced(ctx), opts, tx);
  }

  /** Moves a quote along its state machine (e.g. the flow approving, or withdrawing an expired quote). */
  transition(id: string, state: QuoteState, ctx: RequestContext, changes: Doc = {}, tx?: Tx): Promise<Versioned<Doc>> {
    return this.quotes.transition(id, state, this.priced(ctx), changes, tx);
  }

  retrieve(id: string, tx?: Tx): Promise<Versioned<Doc>> {
    return this.quotes.retrieve(id, tx);
  }
}
