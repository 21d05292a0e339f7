// Parses one text frame from a client into what the simulated KIS server must act on: a PINGPONG
// (echo or the client's own), a register/release request (fact sheet §5), or something malformed.

export type ClientMessage =
  | { kind: 'pingpong' }
  | { kind: 'malformed' }
  | {
      kind: 'request';
      /** Empty string when absent. */
      approvalKey: string;
      /** "1" register, "2" release; anything else is passed through and refused. */
      trType: string;
      trId: string;
      trKey: string;
    };

export function parseClientMessage(text: string): ClientMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'malformed' };
  }
  if (!isObject(parsed)) return { kind: 'malformed' };
  const header = isObject(parsed['header']) ? parsed['header'] : {};
  if (header['tr_id'] === 'PINGPONG') return { kind: 'pingpong' };
  const body = isObject(parsed['body']) ? parsed['body'] : {};
  const input = isObject(body['input']) ? body['input'] : {};
  return {
    kind: 'request',
    approvalKey: str(header['approval_key']),
    trType: str(header['tr_type']),
    trId: str(input['tr_id']),
    trKey: str(input['tr_key']),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
