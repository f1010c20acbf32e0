/**
 * A function that keeps its last arguments and result: called again with the same arguments (by identity, so equal
 * strings count as the same), it returns that result without computing it. For values that come again and again
 * unchanged (the store's immutable inputs, the loaded text every plan is applied to and diffed against), where only
 * the last one is worth keeping. Each call pays for an array of its arguments: not for functions called per device.
 */
export function lastOf<A extends readonly unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | null = null;
  return (...args) => {
    if (last && last.args.length === args.length && sameArgs(last.args, args)) return last.result;
    // Let the previous result go before computing the next: a big domain's plan need not be held twice.
    last = null;
    const result = fn(...args);
    last = { args, result };
    return result;
  };
}

function sameArgs(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
