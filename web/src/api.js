// Talks to the aidlink API with the session cookie. Writes carry the CSRF
// header; a POST carries its form's Idempotency-Key, so a retry never acts
// twice.
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

// A network failure (offline, server unreachable): the caller may retry
// with the same key.
export class NetworkError extends Error {}

export async function api(method, path, body, key) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-Aidlink-CSRF'] = '1';
  }
  if (key && method === 'POST') headers['Idempotency-Key'] = key;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new NetworkError(String(e));
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'internal', err.message || text, err.field);
  }
  return data;
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// "1,000", "１２" and " 3 " as whole numbers; NaN otherwise.
export function parseQuantity(s) {
  const t = String(s)
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，\s]/g, '');
  return /^\d+$/.test(t) ? Number(t) : NaN;
}
