// The admin API client: same origin only, session cookie (HttpOnly, never readable here), CSRF token in memory,
// X-Requested-With on every call so a 401 never carries a Basic challenge (no browser password dialog).
import { retryAfterSeconds } from './format.js';

const BASE = '/api/v1';
/** @type {string|null} */
let csrfToken = null;

/** @param {string|null} token from POST/GET /session */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** An error answer of the API: status, its message, the field at fault and for 429 the wait. */
export class ApiError extends Error {
  /**
   * @param {number} status 0 when the appliance could not be reached
   * @param {string} message
   * @param {string|null} field
   * @param {number|null} retryAfter seconds
   */
  constructor(status, message, field, retryAfter) {
    super(message);
    this.status = status;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the API. A 401 (other than on the login and setup calls, which pass `quietAuth`) fires the
 * `session-expired` event, which sends the UI to the login view and back here afterwards.
 * @param {string} method
 * @param {string} path below /api/v1
 * @param {{body?: any, ifMatch?: string|null, quietAuth?: boolean}} [options]
 * @returns {Promise<{data: any, etag: string|null, status: number}>}
 */
export async function api(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'X-Requested-With': 'bridge-admin-ui', Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'The appliance cannot be reached. Check that it runs, then try again.', null, null);
  }
  let data = null;
  if (res.status !== 204 && (res.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const message = data && typeof data.message === 'string' ? data.message : `HTTP ${res.status}`;
    const err = new ApiError(res.status, message, data && typeof data.field === 'string' ? data.field : null,
      retryAfterSeconds(res.headers.get('Retry-After')));
    if (res.status === 401 && !options.quietAuth) window.dispatchEvent(new CustomEvent('session-expired'));
    throw err;
  }
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

/**
 * A query string from parameters, leaving out empty ones.
 * @param {Record<string, string|number|undefined|null>} params
 * @returns {string}
 */
export function query(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v) !== '') search.set(k, String(v));
  }
  const s = search.toString();
  return s ? '?' + s : '';
}
