/** Chromium's binary for the browser tests: VAEKIT_CHROMIUM, else Debian's /usr/bin/chromium. */
export declare const CHROMIUM_PATH: string;
/** The headless launch flags every browser test here uses. */
export declare const CHROMIUM_ARGS: readonly string[];
