/** Cross-origin isolation headers for pages that run the threaded wasm build. */
export declare const ISOLATION_HEADERS: Readonly<Record<string, string>>;
/** Vite `optimizeDeps` for tfjs: pre-bundle every tfjs package, never tfjs-node. */
export declare const TFJS_OPTIMIZE_DEPS: Readonly<{ include: readonly string[]; exclude: readonly string[] }>;
