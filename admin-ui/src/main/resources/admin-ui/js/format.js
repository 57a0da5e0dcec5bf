// Pure helpers of the admin UI: no DOM, no fetch, so `node --test` checks them (admin-ui/src/test/js).

/**
 * @typedef {{path: string, segments: string[], params: Record<string, string>}} Route
 */

/**
 * Splits a location hash like `#/rooms/abc?q=lobby&page=2` into its path segments and query parameters.
 * @param {string} hash
 * @returns {Route}
 */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const q = raw.indexOf('?');
  const pathPart = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q + 1) : '';
  const segments = pathPart.split('/').filter((s) => s.length > 0).map(safeDecode);
  /** @type {Record<string, string>} */
  const params = {};
  for (const [k, v] of new URLSearchParams(query)) {
    params[k] = v;
  }
  return { path: segments[0] || '', segments, params };
}

/**
 * The hash for a route; empty parameters are left out.
 * @param {string} path e.g. `rooms` or `rooms/abc`
 * @param {Record<string, string|number|undefined|null>} [params]
 * @returns {string}
 */
export function routeHash(path, params = {}) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v) !== '') {
      search.set(k, String(v));
    }
  }
  const qs = search.toString();
  const encoded = path.split('/').map((s) => encodeURIComponent(s)).join('/');
  return '#/' + encoded + (qs ? '?' + qs : '');
}

/** @param {string} s */
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A duration for people: `3 d 4 h`, `2 h 5 min`, `4 min 10 s`, `9 s`.
 * @param {number} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

/**
 * How long ago an ISO-8601 instant was, relative to `nowMs`.
 * @param {string} iso
 * @param {number} nowMs
 * @returns {string}
 */
export function formatAgo(iso, nowMs) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = Math.round((nowMs - t) / 1000);
  if (diff < 0) return 'in the future';
  if (diff < 5) return 'just now';
  return formatDuration(diff) + ' ago';
}

/**
 * An ISO-8601 instant as `YYYY-MM-DD HH:MM:SS UTC` (unambiguous for admins in different time zones).
 * @param {string} iso
 * @returns {string}
 */
export function formatInstant(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso || '';
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

/**
 * The "1–20 of 42" line of a paged list.
 * @param {number} offset
 * @param {number} count items on this page
 * @param {number} total
 * @param {boolean} [exact] false when the total is a lower bound
 * @returns {string}
 */
export function pageSummary(offset, count, total, exact = true) {
  if (total === 0 || count === 0) return offset > 0 ? `Nothing after ${offset}` : 'Nothing found';
  return `${offset + 1}–${offset + count} of ${total}${exact ? '' : '+'}`;
}

/**
 * Offset of a 1-based page number from a route parameter (bad input is page 1).
 * @param {string|undefined} page
 * @param {number} size
 * @returns {number}
 */
export function pageOffset(page, size) {
  const n = Number.parseInt(page || '1', 10);
  return Number.isFinite(n) && n > 1 ? (n - 1) * size : 0;
}

/**
 * @typedef {{icon: string, label: string, tone: 'ok'|'warn'|'bad'|'off'}} StatusInfo
 */

/** @type {Record<string, StatusInfo>} */
const STATUS = {
  CONNECTED: { icon: '✔', label: 'Connected', tone: 'ok' },
  STARTING: { icon: '…', label: 'Starting', tone: 'warn' },
  RECONNECTING: { icon: '↻', label: 'Reconnecting', tone: 'warn' },
  FAILED: { icon: '✖', label: 'Failed', tone: 'bad' },
  DISABLED: { icon: '–', label: 'Disabled', tone: 'off' },
  STOPPED: { icon: '■', label: 'Stopped', tone: 'off' },
};

/**
 * Icon, words and tone of an adapter status: shown as text and icon, never as colour alone.
 * @param {string} status
 * @returns {StatusInfo}
 */
export function statusInfo(status) {
  return STATUS[status] || { icon: '?', label: String(status || 'Unknown'), tone: 'warn' };
}

/**
 * The DOM id of the form control for an API error's field (`portals[1].room` → `f-portals-1-room`).
 * @param {string} field
 * @returns {string}
 */
export function fieldId(field) {
  return 'f-' + String(field).replace(/\[(\d+)\]/g, '-$1').replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+$/, '');
}

/**
 * Seconds from a Retry-After header (delta-seconds form, RFC 9110 §10.2.3), or null.
 * @param {string|null} value
 * @returns {number|null}
 */
export function retryAfterSeconds(value) {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return null;
  return Number.parseInt(value, 10);
}

/** Shortest password the appliance accepts (CredentialPolicy.MIN_PASSWORD_LENGTH). */
export const MIN_PASSWORD = 12;

/**
 * A problem with a new password and its confirmation, or null when it is acceptable.
 * @param {string} password
 * @param {string} confirmation
 * @returns {string|null}
 */
export function passwordProblem(password, confirmation) {
  if ([...password].length < MIN_PASSWORD) return `Use at least ${MIN_PASSWORD} characters.`;
  if (password !== confirmation) return 'The two passwords differ.';
  return null;
}

/** @type {Record<string, string>} */
const ROOM_HINTS = {
  xmpp: 'A group chat (MUC) address like room@conference.example.org',
  matrix: 'A room id like !abc:example.org or an alias like #room:example.org',
  sip: 'A SIP URI like sip:room@rooms.example.org',
};

/**
 * What a room address looks like on a network, for the hint under its field.
 * @param {string} network
 * @returns {string}
 */
export function roomHint(network) {
  return ROOM_HINTS[network] || `The room's address on ${network}`;
}

/**
 * The request body of a room mapping from the form's values: only networks with an address become portals.
 * Also returns which network each portal index came from, to put the API's `portals[i]` errors at the field.
 * @param {string} name
 * @param {boolean} enabled
 * @param {Array<{network: string, room: string}>} rooms
 * @returns {{body: {name: string, enabled: boolean, portals: Array<{network: string, room: string}>}, networks: string[]}}
 */
export function mappingRequest(name, enabled, rooms) {
  const portals = rooms.map((r) => ({ network: r.network, room: r.room.trim() })).filter((r) => r.room !== '');
  return { body: { name: name.trim(), enabled, portals }, networks: portals.map((p) => p.network) };
}

/**
 * A datetime-local value (local time) as an ISO-8601 instant for the audit filter, or '' when empty/invalid.
 * @param {string} local
 * @returns {string}
 */
export function localToIso(local) {
  if (!local) return '';
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? '' : t.toISOString();
}
