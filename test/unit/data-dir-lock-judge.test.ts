import { describe, expect, it } from '@jest/globals';
import { judgeHolder, type HolderProbe, type LockContent } from '../../src/database/data-dir-lock.js';
import { initialPidNamespace, type ProcessPlace } from '../../src/database/process-identity.js';

// Every pid is alive here and started at tick 100: what is judged is where the lock was written.
const aliveHere: HolderProbe = { isAlive: () => true, startTimeOf: () => '100' };
const goneHere: HolderProbe = { isAlive: () => false, startTimeOf: () => '' };

const host: ProcessPlace = { pidNamespace: initialPidNamespace, bootId: 'boot-a', host: 'warehouse-1' };
const container: ProcessPlace = { pidNamespace: 'pid:[4026532999]', bootId: 'boot-a', host: '3f2c9e1a' };
const lock = (place: ProcessPlace | undefined, startedAt = '100', pid = 1): LockContent => ({ pid, startedAt, ...(place ? { place } : {}) });

describe('judging the holder of a DATA_DIR lock', () => {
  describe('written in this PID namespace during this boot: the pid is checked, as always', () => {
    it('the same process still running holds it', () => expect(judgeHolder(lock(host), host, aliveHere)).toBe('alive'));
    it('a recycled pid (another start time) is gone', () => expect(judgeHolder(lock(host, '7'), host, aliveHere)).toBe('gone'));
    it('a pid that is not there is gone', () => expect(judgeHolder(lock(host), host, goneHere)).toBe('gone'));
    it('another host name alone changes nothing (the pid means the same here)', () =>
      expect(judgeHolder(lock({ ...host, host: 'renamed' }, '7'), host, aliveHere)).toBe('gone'));
  });

  describe('written in another PID namespace during this boot: never judged', () => {
    it('pid 1 of another container, alive here with another start time, is not taken for gone', () =>
      expect(judgeHolder(lock(container, '7'), { ...container, pidNamespace: 'pid:[4026533000]' }, aliveHere)).toHaveProperty('unknowable', expect.stringContaining('another PID namespace')));
    it('a container seen from the host, with no such pid here, is not taken for gone', () =>
      expect(judgeHolder(lock(container), host, goneHere)).toHaveProperty('unknowable'));
    it('the host seen from a container is not taken for gone', () => expect(judgeHolder(lock(host), container, goneHere)).toHaveProperty('unknowable'));
  });

  describe('written during another boot', () => {
    const rebooted = (place: ProcessPlace): ProcessPlace => ({ ...place, bootId: 'boot-b' });
    it('by the host of this machine (initial namespace, same host name) is gone: the machine restarted', () =>
      expect(judgeHolder(lock(host), rebooted(host), aliveHere)).toBe('gone'));
    it('by a host process of another name (another machine sharing the volume) is refused', () =>
      expect(judgeHolder(lock(host), { ...rebooted(host), host: 'warehouse-2' }, aliveHere)).toHaveProperty('unknowable', expect.stringContaining('another boot')));
    it('by a container, even one of the same name in the same namespace, is refused: nothing says which machine it ran on', () =>
      expect(judgeHolder(lock(container), rebooted(container), goneHere)).toHaveProperty('unknowable'));
    it('by the host, judged from a container, is refused', () => expect(judgeHolder(lock(host), rebooted(container), goneHere)).toHaveProperty('unknowable'));
    it('with no boot id on either side recorded, it is refused', () =>
      expect(judgeHolder(lock({ ...host, bootId: '' }), host, goneHere)).toHaveProperty('unknowable'));
  });

  describe('a lock file from before the place was recorded is judged as it always was', () => {
    it('alive with the same start time: held', () => expect(judgeHolder(lock(undefined), container, aliveHere)).toBe('alive'));
    it('alive with another start time: gone', () => expect(judgeHolder(lock(undefined, '7'), container, aliveHere)).toBe('gone'));
    it('not there: gone', () => expect(judgeHolder(lock(undefined), host, goneHere)).toBe('gone'));
  });
});
