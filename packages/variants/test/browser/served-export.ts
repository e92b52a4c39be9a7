/** What the browser project's export setup serves, and what vaekit computed in Node for it. */
export interface ServedExport {
  /** The loopback server: `URL/exported/{encoder,decoder}/model.json` (exportModel), `URL/saved/model.json` (saveModel). */
  readonly url: string;
  readonly expected: {
    readonly config: Record<string, unknown>;
    readonly x: { readonly shape: number[]; readonly values: number[] };
    readonly z: { readonly shape: number[]; readonly values: number[] };
    readonly encoderMean: number[];
    readonly decodeMean: number[];
    readonly reconstruct: number[];
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    vaekitServedExport: ServedExport;
  }
}
