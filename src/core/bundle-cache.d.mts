/** Types of bundle-cache.mjs, for the TypeScript that imports it. */
export declare function nodeModulesOf(resolved: string): string | null;
export declare function strataCacheOf(resolved: string, folder: string): string | null;
export interface BundleStamp {
  /** Absolute paths of the source files bundled. */
  inputs: string[];
  /** sha256 of their names and contents, in that order. */
  hash: string;
  [field: string]: unknown;
}
export declare function hashOf(files: readonly string[], read?: ReadonlyMap<string, Uint8Array>): string;
export declare function writeAtomic(file: string, data: string | Uint8Array, mode?: number): void;
export declare function freshStamp(path: string): BundleStamp | null;
export declare function writeStamp(path: string, inputs: readonly string[], fields?: Record<string, unknown>, read?: ReadonlyMap<string, Uint8Array>): void;
