// Which peers are gone. TensorFlow's own messages after a failure describe a broken connection, not always
// whose; asking each peer directly gives the user a task name and address to look at.

import type { NativeBinding } from './native-backend.js';
import type { ClusterConfig, ClusterTask } from './tf-config.js';

/** The peers that do not answer a health check within `timeoutMs` each. */
export function findLostPeers(binding: NativeBinding, config: ClusterConfig, timeoutMs: number): ClusterTask[] {
  return config.tasks.filter((task) => {
    if (task === config.self) return false;
    try {
      binding.collectiveOpsCheckPeerHealth(task.name, timeoutMs);
      return false;
    } catch {
      return true;
    }
  });
}

/** "worker 1 (10.0.0.2:2222)", how messages name a task. */
export function describeTask(task: ClusterTask): string {
  return `${task.job} ${task.index} (${task.address})`;
}

export function describeTasks(tasks: readonly ClusterTask[]): string {
  return tasks.map(describeTask).join(', ');
}
