import { loadModule } from 'libpg-query';

let parserReady: Promise<void> | undefined;
/** libpg-query's WebAssembly module, loaded once per process: compiling reads every model with it. */
export const loadSqlParser = (): Promise<void> => (parserReady ??= loadModule());
