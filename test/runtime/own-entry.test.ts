import { ownEntry } from '../../lambda/runtime/own-entry';

describe('ownEntry', () => {
  const table = { success: 'ok', failed: 'bad' };

  it('finds a table’s own entries', () => {
    // Act & Assess
    expect(ownEntry(table, 'failed')).toBe('bad');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', ''])('finds nothing for %j, which only Object.prototype has', (word) => {
    // Act & Assess
    expect(ownEntry(table, word)).toBeUndefined();
  });
});
