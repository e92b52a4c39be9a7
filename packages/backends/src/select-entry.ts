import { activate } from './activate.js';
import type { BackendEntry } from './backend-entry.js';
import type { BackendInfo } from './info.js';
import { rememberInfo } from './info-cache.js';

/** Registers, selects and describes one backend; throws BackendUnavailableError with the reason. */
export async function selectEntry(entry: BackendEntry): Promise<BackendInfo> {
  await entry.register();
  await activate(entry.name, entry.tfjsBackend);
  entry.afterSelect?.();
  return rememberInfo(await entry.describe());
}
