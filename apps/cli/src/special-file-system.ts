import { existsSync, realpathSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * File systems that are views of the kernel, not storage: writing a run there fails in strange ways
 * (recursive mkdir under /proc never returns). Magic numbers from linux/magic.h, as statfs reports them.
 */
const SPECIAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
]);

/** Kernel views by path: /dev is a tmpfs-like devtmpfs by type, so its path is what gives it away. */
function specialByPath(real: string): string | null {
  for (const root of ['/proc', '/sys', '/dev']) {
    if (real === root || real.startsWith(`${root}/`)) {
      // /dev/shm is ordinary shared-memory storage.
      if (root === '/dev' && (real === '/dev/shm' || real.startsWith('/dev/shm/'))) return null;
      return root;
    }
  }
  return null;
}

/** The nearest folder of `path` (itself or an ancestor) that exists, with symbolic links resolved. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  for (;;) {
    if (existsSync(current)) return realpathSync(current);
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

/** Why `path` is on a special file system (a sentence), or null when it is ordinary storage. */
export function specialFileSystem(path: string): string | null {
  const real = nearestExisting(path);
  const root = specialByPath(real);
  if (root) return `${root} is a view of the kernel, not storage`;
  try {
    const type = SPECIAL_FILE_SYSTEMS.get(Number(statfsSync(real).type));
    if (type) return `it is on a ${type} file system, a view of the kernel, not storage`;
  } catch {
    // statfs unsupported here: the path check above is all we can do.
  }
  return null;
}
