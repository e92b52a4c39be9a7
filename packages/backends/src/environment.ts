// Where are we running? The backends differ: Node has native and no WebGL; a browser has WebGL and no native.

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
}

export function isBrowser(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined';
}

/** Only for messages: 'Node 20.20.2', 'a browser', ... */
export function runtimeLabel(): string {
  if (isNode()) return `Node ${process.versions.node}`;
  if (isBrowser()) return 'a browser';
  return 'this JavaScript runtime';
}
