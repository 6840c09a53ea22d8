import { expect } from 'chai';

/**
 * Awaits `promise` and returns what it rejected with, failing the test when it resolves or rejects
 * with something that is not an instance of `type`. Use it instead of `.catch(() => …)`, which can
 * swallow the assertion that should fail.
 */
export async function expectRejection<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  let outcome: { error: unknown } | undefined;
  try {
    await promise;
  } catch (error) {
    outcome = { error };
  }
  if (!outcome) expect.fail(`expected a rejection with ${type.name}, but the promise resolved`);
  expect(outcome.error, String(outcome.error)).to.be.instanceOf(type);
  return outcome.error as T;
}
