/** Types of cli-bundle.mjs, for the TypeScript that imports it (bench/compile.ts). */
export declare const CLI_BUNDLE: string;
export declare function bundleCli(outDir?: string): Promise<string>;
