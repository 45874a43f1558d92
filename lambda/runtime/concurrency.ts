/**
 * Runs `task` over `items` with at most `limit` in flight; results keep the input order. After a task fails no further
 * item is started, and the failure is thrown only once the tasks already under way have ended: a caller cleaning up
 * after it (releasing claims, say) then sees every effect those tasks had, not a state that is still changing.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
