import { renderMessage } from '../../lambda/render/body-text';
import type { ChatMessage } from '../../lambda/model/message';
import { readable } from './events';

/** A rendered message as a reader sees it: tags stripped, entities decoded, parts joined. */
export function visibleText(message: ChatMessage): string {
  return readable(renderMessage(message).join('\n'));
}

/**
 * Whether every tag of `html` is closed, innermost first (`<br>`, which has no end, aside); with `allowed`, also
 * whether every tag is one it matches.
 */
export function balancedTags(html: string, allowed?: RegExp): boolean {
  const open: string[] = [];
  for (const [tag, slash, name] of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (allowed && !allowed.test(tag)) return false;
    if (name === 'br') continue;
    if (!slash) open.push(name!);
    else if (open.pop() !== name) return false;
  }
  return open.length === 0;
}

/**
 * How much more CPU time one run on `times`× the input takes than `times` runs on the input: about 1 for linear
 * time, about `times` for quadratic. CPU time of this process (not the wall clock, which other processes on the
 * machine move), the least of a few tries, after a first run that warms the code up.
 */
export function growth(convert: (input: string) => unknown, input: (n: number) => string, n: number, times = 16): number {
  const cpu = (run: () => void): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 7; i += 1) {
      const start = process.cpuUsage();
      run();
      const used = process.cpuUsage(start);
      best = Math.min(best, used.user + used.system);
    }
    return best;
  };
  const small = input(n);
  const large = input(times * n);
  convert(large);
  return cpu(() => convert(large)) / cpu(() => Array.from({ length: times }, () => small).forEach(convert));
}
