/** Types of cli-bundle.mjs, for the TypeScript that imports it (scripts/warm-*.ts). */
export declare function cachedCli(): Promise<{ file: string; sources: string[] } | null>;
