/**
 * parquet-wasm compiles its WebAssembly as it is imported (≈0.25 s of CPU): it is loaded on
 * first use, so the commands that only look at the lake's manifests (batches, health, lake
 * list) never pay for it.
 */
export type ParquetWasm = typeof import('parquet-wasm/node');

let loading: Promise<ParquetWasm> | undefined;

export function loadParquetWasm(): Promise<ParquetWasm> {
  return (loading ??= import('parquet-wasm/node'));
}
