// TensorFlow's coordination service installs its own SIGTERM handler when collectives start, and that
// handler keeps the process running: a worker would ignore `kill`, Kubernetes' stop, and an orchestrator's
// shutdown. This gives the signal back to Node, so it does what Node does: run the process's own SIGTERM
// listeners when there are any, else terminate.

/**
 * Re-installs Node's handling of SIGTERM over whatever native code put in its place. Node (libuv) installs
 * its handler when the first listener is added and restores the default disposition when the last is
 * removed, so removing every listener, adding and removing one, and putting them back resets it.
 */
export function reclaimSigterm(): void {
  const listeners = process.listeners('SIGTERM');
  for (const listener of listeners) process.removeListener('SIGTERM', listener);
  const placeholder = (): void => undefined;
  process.on('SIGTERM', placeholder);
  process.removeListener('SIGTERM', placeholder);
  for (const listener of listeners) process.on('SIGTERM', listener);
}
