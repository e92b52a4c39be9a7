import { describe, expect, it } from 'vitest';
import { checkpointStanding } from '../src/index.js';

describe('checkpointStanding', () => {
  it('continues while epochs or a pending batch are left', () => {
    expect(checkpointStanding({ epoch: 0, nextBatch: 0 }, 3)).toBe('continues');
    expect(checkpointStanding({ epoch: 2, nextBatch: 5 }, 3)).toBe('continues');
    // Extending a finished run: its checkpoint is at the end of epoch 3 of now 5.
    expect(checkpointStanding({ epoch: 3, nextBatch: 0 }, 5)).toBe('continues');
  });

  it('is complete at the end of the last epoch', () => {
    expect(checkpointStanding({ epoch: 3, nextBatch: 0 }, 3)).toBe('complete');
  });

  it('is beyond a total smaller than the epochs it holds', () => {
    expect(checkpointStanding({ epoch: 4, nextBatch: 0 }, 3)).toBe('beyond');
    expect(checkpointStanding({ epoch: 4, nextBatch: 2 }, 3)).toBe('beyond');
  });
});
