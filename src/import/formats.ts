/** The export formats `import` reads, and its error for a file that is none of them: apart, so the CLI names them without loading the readers. */
export const IMPORT_FORMATS = ['fine-food', 'mcauley'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export class ImportFormatError extends Error {}
