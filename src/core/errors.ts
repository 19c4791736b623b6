/** A problem found in the project, pinned to where a person can fix it. */
export interface Diagnostic {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** The model, seed or test concerned. */
  node?: string;
  /** For config problems: the key path, e.g. `layers.gold.materialized`. */
  key?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  let where = d.file ?? '';
  if (where && d.line !== undefined) where += `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}`;
  const parts = [where, d.key ? `key \`${d.key}\`` : '', d.node && !where.includes(d.node) ? `(${d.node})` : '']
    .filter(Boolean)
    .join(' ');
  return parts ? `${parts}: ${d.message}` : d.message;
}

/** Exit codes scripts can trust. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for a person: a clear message and the exit code it implies. */
export class StrataError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'StrataError';
  }
}

/** Config, project or template problems: reported all at once, before any SQL runs. */
export class ProjectError extends StrataError {
  constructor(diagnostics: Diagnostic[], what = 'project') {
    const n = diagnostics.length;
    super(
      `${n} ${what} error${n === 1 ? '' : 's'}:\n` + diagnostics.map((d) => `  - ${formatDiagnostic(d)}`).join('\n'),
      ExitCode.usage,
      diagnostics,
    );
    this.name = 'ProjectError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
