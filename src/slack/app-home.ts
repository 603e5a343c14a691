/** The App Home tab: the last 24 hours at a glance, published each time someone opens it. */
import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { renderError } from '../answers/domain/render-error.js';
import { errorMessage } from '../core/error-message.js';
import { checkAccess } from './access.js';
import { renderHome } from './render-home.js';
import { logReply, type SlackRuntime } from './runtime.js';

export function registerAppHome(app: App, runtime: SlackRuntime): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const userId = event.user;
    const log = runtime.logger.child({ userId });
    try {
      const timeZone = await runtime.timeZones.timeZoneOf(userId, client);
      const examples = runtime.answerer
        .help()
        .sections.flatMap((s) => s.examples)
        .slice(0, 6);
      const decision = checkAccess(runtime.access, userId, null);
      let view: ReturnType<typeof renderHome>;
      if (!decision.allowed) {
        view = renderHome(null, {
          timeZone,
          examples: [],
          problem: 'Sorry, I can only show replica status to the people my Veeam admins added to replibot.',
        });
      } else {
        let extras: KnownBlock[] = [];
        if (runtime.homeExtras) {
          try {
            extras = await runtime.homeExtras();
          } catch (error) {
            log.warn({ err: errorMessage(error) }, 'App Home extras failed');
          }
        }
        try {
          const summary = await runtime.answerer.lastDay(runtime.clock.now());
          view = renderHome(summary, { timeZone, examples, extras });
        } catch (error) {
          const reply = runtime.answerer.toErrorReply(error);
          logReply(log, reply, { surface: 'home' });
          const report = reply.kind === 'error' ? renderError(reply.error, reply.referenceId) : null;
          view = renderHome(null, {
            timeZone,
            examples,
            extras,
            problem: report ? `${report.title} ${report.next} (reference ${report.referenceId})` : 'No data.',
          });
        }
      }
      await client.views.publish({ user_id: userId, view });
    } catch (error) {
      log.error({ err: errorMessage(error) }, 'could not publish the App Home');
    }
  });
}
