// The part of workerd's "cloudflare:workers" module this folder uses, for tsc
// alone: it is not published. A Workers project has the real declarations
// (@cloudflare/workers-types, or `wrangler types`), which the published
// declarations of "edgebreaker/cloudflare" refer to.
declare module "cloudflare:workers" {
  interface DurableObjectStorage {
    get<T = unknown>(key: string): Promise<T | undefined>;
    put<T>(key: string, value: T): Promise<void>;
  }
  interface DurableObjectState {
    readonly storage: DurableObjectStorage;
    blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
    abort(reason?: string): void;
  }
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
  export function waitUntil(promise: Promise<unknown>): void;
}
