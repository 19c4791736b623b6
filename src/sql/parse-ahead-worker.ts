/**
 * Worker thread: parses the SQL texts it is sent, in order, and posts each parse tree as
 * the JSON text libpg-query makes of it (sql/parse-ahead.ts). It loads the parser as soon
 * as it starts, before the texts come. Texts the main thread has already passed are
 * skipped, and it stops while the trees beyond them reach `aheadChars` characters; a text
 * that does not parse is posted as null.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { loadModule, parseSync } from 'libpg-query';
import { lowerThreadPriority } from '../core/thread-priority.ts';

const { port, passed, aheadChars } = workerData as { port: MessagePort; passed: Int32Array; aheadChars: number };
// The main thread's analysis is the compile's critical path: parsing ahead takes the CPU it
// leaves (10,000 models: the main thread waited 0.54 s in the run queue with this thread at
// its priority, 0.43 s so; docs/scaling.md "Session 16").
lowerThreadPriority();
const texts = new Promise<string[]>((resolve) => port.once('message', resolve));
await loadModule();

/**
 * libpg-query's parseSync ends with `JSON.parse` of the tree's JSON text: made to return that
 * text, it hands it over unparsed, so only a string crosses to the main thread.
 */
const toObject = JSON.parse;
const asText = ((text: string) => text) as typeof JSON.parse;

/** How many trees go in one message: fewer messages, while the first arrive early. */
const BATCH = 64;
let batch: [number, string | null][] = [];
const all = await texts;
/** The characters of each tree made, by place (0 for those skipped). */
const sizes = new Uint32Array(all.length);
let held = 0;
let released = 0;
/** Forgets the trees before place `upTo` (the main thread has passed them); the characters of those still held. */
const release = (upTo: number): number => {
  for (; released < upTo; released++) held -= sizes[released]!;
  return held;
};
for (let i = 0; i < all.length; i++) {
  for (let at = Atomics.load(passed, 0); release(at) >= aheadChars; at = Atomics.load(passed, 0)) {
    // What is parsed goes out before waiting: the main thread may be about to ask for it.
    if (batch.length > 0) port.postMessage(batch.splice(0));
    Atomics.wait(passed, 0, at, 100);
  }
  if (i < Atomics.load(passed, 0)) continue;
  let json: string | null = null;
  JSON.parse = asText;
  try {
    const tree: unknown = parseSync(all[i]!);
    json = typeof tree === 'string' ? tree : JSON.stringify(tree);
  } catch {
    /* the main thread parses it again, for the error */
  } finally {
    JSON.parse = toObject;
  }
  sizes[i] = json?.length ?? 0;
  held += sizes[i]!;
  batch.push([i, json]);
  if (batch.length === BATCH) {
    port.postMessage(batch);
    batch = [];
  }
}
port.postMessage(batch);
port.close();
