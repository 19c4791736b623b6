/** Types of cli-bundle.mjs, for the TypeScript that imports it (bench/compile.ts, bench/reuse.ts). */
export declare function cachedCli(): Promise<string | null>;
