/**
 * The global `navigator` that Node has from version 21, given to Node 20 too, before `pg`
 * loads: without it pg tells whether it runs on Cloudflare Workers by building a fetch
 * `Response`, which loads Node's whole fetch implementation (undici) at every start of a
 * command that opens a connection — 30–50 ms of CPU, 70 ms and more without V8's optimising
 * compiler (as the specs run the CLI). The fields are Node 22's; where Node has its own,
 * nothing changes.
 */
import { availableParallelism } from 'node:os';

if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({
      hardwareConcurrency: availableParallelism(),
      language: 'en-US',
      platform: process.platform,
      userAgent: `Node.js/${process.versions.node.split('.')[0]}`,
    }),
    configurable: true,
    enumerable: false,
    writable: true,
  });
}
