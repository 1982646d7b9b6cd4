/** The part of web-ext's programmatic API (web-ext/lib/cmd/lint.js) that scripts/store-check.ts uses; web-ext ships no types. */
declare module 'web-ext' {
  export interface LintMessage {
    code: string;
    message: string;
    description?: string;
    file?: string;
    line?: number;
    column?: number;
  }

  export interface LintReport {
    count: number;
    summary: { errors: number; warnings: number; notices: number };
    errors: LintMessage[];
    warnings: LintMessage[];
    notices: LintMessage[];
  }

  export const cmd: {
    lint(
      params: { sourceDir: string; output?: 'text' | 'json' | 'none'; selfHosted?: boolean; warningsAsErrors?: boolean; ignoreFiles?: string[] },
      options?: { shouldExitProgram?: boolean },
    ): Promise<LintReport>;
  };
}
