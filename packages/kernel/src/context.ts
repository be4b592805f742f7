/** Who is acting; filled in by the server's authentication. */
export interface Principal {
  id: string;
  name?: string;
  roles: readonly string[];
  /**
   * Set for customer and partner credentials: the party (Individual or
   * Organization id) whose data they may see; everything else is hidden from them.
   */
  partyId?: string;
}

/** What every service call knows about the request that caused it. */
export interface RequestContext {
  /** Scheme, host and port that clients use to reach the API, without a trailing slash. */
  baseUrl: string;
  correlationId?: string;
  principal?: Principal;
}
