// Vite serves a file imported with '?url' and hands the module its URL.
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
