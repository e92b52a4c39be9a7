import { describe, expect, it } from 'vitest';

import { DistributedError } from '@vaekit/distributed';

describe('DistributedError', () => {
  it('reads summary, remedy, then TensorFlow’s words, and keeps each apart for a caller to reorder', () => {
    const cause = new Error('Collective ops is aborted by: recvmsg:Connection reset by peer');
    const error = new DistributedError('all-reduce failed on worker 0 (10.0.0.1:2222): lost worker 1 (10.0.0.2:2222).', ['/job:worker/replica:0/task:1'], {
      cause,
      remedy: 'Restart every worker (from the last checkpoint).',
      tensorflowSaid: cause.message,
    });
    expect(error.message).toBe(
      'all-reduce failed on worker 0 (10.0.0.1:2222): lost worker 1 (10.0.0.2:2222). Restart every worker (from the last checkpoint). ' +
        'TensorFlow said: Collective ops is aborted by: recvmsg:Connection reset by peer',
    );
    expect(error.summary).toBe('all-reduce failed on worker 0 (10.0.0.1:2222): lost worker 1 (10.0.0.2:2222).');
    expect(error.remedy).toBe('Restart every worker (from the last checkpoint).');
    expect(error.tensorflowSaid).toBe(cause.message);
    expect(error.lostTasks).toEqual(['/job:worker/replica:0/task:1']);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('DistributedError');
    expect(DistributedError.isInstance(error)).toBe(true);
  });

  it('without a remedy or TensorFlow’s words, the message is the summary alone and no cause is set', () => {
    const error = new DistributedError('startWorker was already called in this process; TensorFlow allows it once');
    expect(error.message).toBe(error.summary);
    expect(error.remedy).toBeNull();
    expect(error.tensorflowSaid).toBeNull();
    expect(error.lostTasks).toEqual([]);
    expect('cause' in error).toBe(false);
    expect(DistributedError.isInstance(new Error(error.message))).toBe(false);
  });
});
