// The part of newman's programmatic API the CTK runner uses (the package ships no types).
declare module 'newman' {
  interface RunFailure {
    source?: { name?: string; request?: { method?: string; url?: { toString(): string } } };
    error: { name?: string; message: string; test?: string };
    parent?: { name?: string };
  }
  interface RunStats {
    total: number;
    pending: number;
    failed: number;
  }
  interface RunExecution {
    item: { name: string };
    request?: { method: string; url: { toString(): string } };
    response?: { code: number };
    assertions?: { assertion: string; error?: { message: string } }[];
  }
  interface RunSummary {
    run: {
      stats: { requests: RunStats; assertions: RunStats; testScripts: RunStats };
      failures: RunFailure[];
      executions: RunExecution[];
    };
  }
  interface RunOptions {
    collection: unknown;
    environment?: unknown;
    envVar?: { key: string; value: string }[];
    globals?: unknown;
    reporters?: string | string[];
    timeoutRequest?: number;
    insecure?: boolean;
  }
  function run(options: RunOptions, callback: (err: Error | null, summary: RunSummary) => void): unknown;
  const newman: { run: typeof run };
  export default newman;
}
