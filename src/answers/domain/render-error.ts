/**
 * Every error code in words, for every surface: what happened, what it means, what to do next. The switch
 * has a `never` check, so adding an ErrorCode without a message here fails the build.
 */
import type { ErrorCode, ReplibotError } from '../../core/errors.js';

export interface ErrorReport {
  /** one line: what happened */
  title: string;
  /** what it means, in the words of the adapter that saw it (never a stack trace or a secret) */
  detail: string;
  /** what to check or do next */
  next: string;
  referenceId: string;
  code: ErrorCode;
}

export function renderError(error: ReplibotError, referenceId: string): ErrorReport {
  const base = { detail: error.message, referenceId, code: error.code };
  const next = (fallback: string) => error.hint ?? fallback;
  const code = error.code;
  switch (code) {
    case 'em_unreachable':
      return {
        ...base,
        title: 'I could not reach Veeam Backup Enterprise Manager.',
        next: next('Check that the EM server is up and that VEEAM_URL points at it (port 9398 for HTTPS).'),
      };
    case 'em_timeout':
      return {
        ...base,
        title: 'Enterprise Manager took too long to answer.',
        next: next('Try a shorter time range, or raise VEEAM_TIMEOUT_MS if EM is just slow.'),
      };
    case 'em_tls':
      return {
        ...base,
        title: "I could not verify Enterprise Manager's TLS certificate.",
        next: next('Give the EM CA certificate in VEEAM_CA_FILE (PEM).'),
      };
    case 'bad_option':
      return {
        ...base,
        title: 'That command-line option is not valid.',
        next: next('Run the command with --help for its options.'),
      };
    case 'em_plain_http':
      return {
        ...base,
        title: 'Enterprise Manager speaks plain HTTP on that port, not HTTPS.',
        next: next('Use https://host:9398 (or http://host:9399) in VEEAM_URL.'),
      };
    case 'em_logon_refused':
      return {
        ...base,
        title: 'Enterprise Manager refused my logon.',
        next: next('Check VEEAM_USERNAME and VEEAM_PASSWORD, and that the account is not locked.'),
      };
    case 'em_forbidden':
      return {
        ...base,
        title: 'Enterprise Manager did not allow that request.',
        next: next('Give the replibot account the Portal Administrator or Restore Operator role in EM.'),
      };
    case 'em_not_found':
      return {
        ...base,
        title: 'Enterprise Manager has no such session.',
        next: next('EM keeps about 30 days of sessions; it may have been cleaned up.'),
      };
    case 'em_bad_request':
      return {
        ...base,
        title: 'Enterprise Manager did not accept the query.',
        next: next('Try asking in other words; if it keeps happening, report it with the reference id.'),
      };
    case 'em_error':
      return {
        ...base,
        title: 'Enterprise Manager answered with an error.',
        next: next('Check the EM server health (services, database), then try again.'),
      };
    case 'em_bad_response':
      return {
        ...base,
        title: 'Enterprise Manager sent an answer I could not read.',
        next: next(
          'Check VEEAM_URL points at the EM REST API (not the web UI); report it with the reference id.',
        ),
      };
    case 'question_too_long':
      return { ...base, title: 'That question is too long.', next: next('Ask in fewer words.') };
    case 'config_invalid':
      return {
        ...base,
        title: 'replibot is not configured correctly.',
        next: next('Fix the settings named above.'),
      };
    case 'slack_error':
      return {
        ...base,
        title: 'Slack did not accept my message.',
        next: next('If I am not in this channel, invite me with /invite and try again.'),
      };
    case 'store_error':
      return {
        ...base,
        title: "replibot's database had a problem.",
        next: next('Check DATABASE_PATH is writable and the disk is not full.'),
      };
    case 'internal':
      return {
        ...base,
        title: 'Something went wrong inside replibot.',
        detail: 'This is a bug, not something you did.',
        next: next('Try again; if it keeps happening, report it with the reference id.'),
      };
    case 'em_response_too_large':
    case 'em_too_many_pages':
      return {
        ...base,
        title: 'Enterprise Manager sent more than replibot reads for one question.',
        next: next('Ask about a shorter time or fewer VMs.'),
      };
    default: {
      const unhandled: never = code;
      return { ...base, title: `Unexpected error (${String(unhandled)}).`, next: next('Try again.') };
    }
  }
}
