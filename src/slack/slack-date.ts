import { formatZonedDateTime } from '../core/format.js';

/**
 * `<!date^1715677380^{date_short_pretty} {time}|2024-05-14 09:03 CEST>`: Slack shows it in each reader's own zone;
 * the fallback (for notifications and old clients) is in the asker's zone, and says which.
 */
export function toSlackDate(date: Date, timeZone: string): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatZonedDateTime(date, timeZone)}>`;
}
