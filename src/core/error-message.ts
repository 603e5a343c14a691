/**
 * The message of a caught value for a log line: `catch` gives `unknown`, and a non-Error throw has no message
 * (undefined, which the logger leaves out) rather than a String() of something that might hold a secret.
 */
export function errorMessage(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}
