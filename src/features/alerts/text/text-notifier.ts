/**
 * A Notifier for the terminal (and logs): each notification becomes plain text handed to `write`, so the local
 * mode shows alerts as they happen. Updates print as a new line too: a terminal cannot edit what it printed.
 */

import type { Notifier } from '../notifier.js';
import { renderAlertText } from './render-alert-text.js';

export function createTextNotifier(options: { write: (text: string) => void }): Notifier {
  let counter = 0;
  return {
    async deliver(n) {
      const text = renderAlertText(n.notice, { timeZone: n.timeZone });
      const prefix = n.action === 'update' ? '(update) ' : n.action === 'reply' ? '  ↳ ' : '';
      options.write(`${prefix}${text}`);
      counter += 1;
      return { ts: n.action === 'update' ? n.ts : `local.${counter}` };
    },
  };
}
