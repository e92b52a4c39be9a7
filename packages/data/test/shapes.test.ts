import { describe, expect, it } from 'vitest';
import { DataError, generateShapes } from '../src/index.js';

describe('generateShapes', () => {
  it('draws 8-bit colour images of the asked size, the same for the same seed and different for another', () => {
    const a = generateShapes({ count: 20, size: 16, seed: 3 });
    expect(a.exampleShape).toEqual([16, 16, 3]);
    expect(a.data.length).toBe(20 * 16 * 16 * 3);
    expect(a.data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
    expect(generateShapes({ count: 20, size: 16, seed: 3 }).data).toEqual(a.data);
    expect(generateShapes({ count: 20, size: 16, seed: 4 }).data).not.toEqual(a.data);
  });

  it('puts bright, saturated shapes on duller backgrounds: every image has at least two colours and a shape pixel', () => {
    const { data } = generateShapes({ count: 50, size: 32, seed: 1 });
    for (let n = 0; n < 50; n++) {
      const colours = new Set<string>();
      let bright = 0;
      for (let p = 0; p < 32 * 32; p++) {
        const o = (n * 32 * 32 + p) * 3;
        colours.add(`${data[o]},${data[o + 1]},${data[o + 2]}`);
        if (Math.max(data[o]!, data[o + 1]!, data[o + 2]!) >= 0.75) bright++;
      }
      expect(colours.size, `image ${n}`).toBeGreaterThanOrEqual(2);
      expect(bright, `image ${n}`).toBeGreaterThan(10);
    }
  });

  it('refuses bad counts and sizes', () => {
    expect(() => generateShapes({ count: 0 })).toThrow(DataError);
    expect(() => generateShapes({ count: 2, size: 4 })).toThrow(/size must be a whole number from 8 to 512, got 4/);
  });
});
