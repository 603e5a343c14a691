/**
 * The TCP port a listening `net.Server` (or `http.Server`) is bound to. `address()` is an AddressInfo once a
 * TCP server listens; a string (a pipe) or null (not listening) is a broken invariant here.
 */
export function listeningPort(server: { address(): unknown }): number {
  const address = server.address();
  if (
    typeof address === 'object' &&
    address !== null &&
    'port' in address &&
    typeof address.port === 'number'
  )
    return address.port;
  throw new Error('internal error: the server is not listening on a TCP port');
}
