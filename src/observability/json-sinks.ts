import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ioFailure } from '../core/io-errors.ts';
import { maskSecrets } from '../engine/secrets.ts';
import type { EventSink, StampedEvent } from './events.ts';

const line = (event: StampedEvent): string => maskSecrets(JSON.stringify(event)) + '\n';

/** logs/pipeline.log: one JSON object per line, appended as each event happens. */
export function logFileSink(path: string): EventSink {
  mkdirSync(dirname(path), { recursive: true });
  return {
    emit(event) {
      try {
        appendFileSync(path, line(event));
      } catch (err) {
        throw ioFailure('append to', path, err);
      }
    },
  };
}

/** `--json`: the same objects on stdout, for machines. */
export function jsonStdoutSink(write: (text: string) => void = (t) => process.stdout.write(t)): EventSink {
  return { emit: (event) => write(line(event)) };
}
