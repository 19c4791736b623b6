/** The kinds of resource `ls` lists (dbt's resource types): apart, so the CLI offers them without loading the compiler. */
export const RESOURCE_TYPES = ['source', 'seed', 'model', 'test', 'exposure'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
