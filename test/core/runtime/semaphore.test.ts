import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../functions/core/runtime/semaphore';

/** A task that runs until the test settles it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's continuations run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Class: Semaphore', () => {
  it('runs at most `limit` tasks at once and starts the next when one settles', async () => {
    const semaphore = new Semaphore(2);
    const tasks = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = tasks.map((task, i) => semaphore.run(async () => {
      started.push(i);
      await task.promise;
    }));
    await flush();
    expect(started).toEqual([0, 1]);
    expect([semaphore.held, semaphore.waiting]).toEqual([2, 1]);

    tasks[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect([semaphore.held, semaphore.waiting]).toEqual([2, 0]);

    tasks[0]!.resolve();
    tasks[2]!.resolve();
    await Promise.all(runs);
    expect([semaphore.held, semaphore.waiting]).toEqual([0, 0]);
  });

  it('serves waiters in arrival order, never a later caller first', async () => {
    const semaphore = new Semaphore(1);
    const first = deferred();
    const order: string[] = [];
    const holder = semaphore.run(() => first.promise);
    const waiters = ['a', 'b', 'c'].map((name) => semaphore.run(async () => { order.push(name); }));
    first.resolve();
    // A caller arriving as the slot is handed over queues behind the waiters.
    const late = semaphore.run(async () => { order.push('late'); });
    await Promise.all([holder, ...waiters, late]);
    expect(order).toEqual(['a', 'b', 'c', 'late']);
  });

  it('frees the slot when the task throws, and passes the error on', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => { throw new Error('transport'); })).rejects.toThrow('transport');
    expect(semaphore.held).toBe(0);
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (limit) => {
    expect(() => new Semaphore(limit)).toThrow(`semaphore limit must be a whole number of at least 1 (got ${limit})`);
  });
});
