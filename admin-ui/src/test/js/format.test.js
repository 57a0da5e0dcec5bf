// Unit tests of the admin UI's pure helpers (node --test; run by the admin-ui Maven build in the test phase).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseRoute, routeHash, formatDuration, formatAgo, formatInstant, pageSummary, pageOffset, statusInfo, fieldId,
  retryAfterSeconds, passwordProblem, mappingRequest, roomHint, localToIso,
} from '../../main/resources/admin-ui/js/format.js';

test('parseRoute splits path segments and query parameters', () => {
  assert.deepEqual(parseRoute('#/rooms/abc?q=lobby&page=2'),
    { path: 'rooms', segments: ['rooms', 'abc'], params: { q: 'lobby', page: '2' } });
  assert.deepEqual(parseRoute(''), { path: '', segments: [], params: {} });
  assert.equal(parseRoute('#/rooms/%21x%3Am.test').segments[1], '!x:m.test');
  assert.equal(parseRoute('#/rooms/%E0%A4%A').segments[1], '%E0%A4%A', 'bad escapes are kept, not thrown');
});

test('routeHash encodes and leaves out empty parameters; parseRoute reads it back', () => {
  assert.equal(routeHash('rooms', { q: '', page: 2 }), '#/rooms?page=2');
  assert.equal(routeHash('login', { next: '#/rooms?q=a b' }), '#/login?next=%23%2Frooms%3Fq%3Da+b');
  assert.equal(parseRoute(routeHash('login', { next: '#/rooms?q=a b' })).params.next, '#/rooms?q=a b');
  assert.equal(parseRoute(routeHash('rooms/!a:b c')).segments[1], '!a:b c');
});

test('formatDuration picks the two largest units', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(59), '59 s');
  assert.equal(formatDuration(61), '1 min 1 s');
  assert.equal(formatDuration(3 * 3600 + 120), '3 h 2 min');
  assert.equal(formatDuration(2 * 86400 + 5 * 3600 + 7), '2 d 5 h');
  assert.equal(formatDuration(-5), '0 s');
});

test('formatAgo and formatInstant', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(formatAgo('2026-01-01T11:58:30Z', now), '1 min 30 s ago');
  assert.equal(formatAgo('2026-01-01T12:00:00Z', now), 'just now');
  assert.equal(formatAgo('not a date', now), '');
  assert.equal(formatInstant('2026-01-01T11:58:30.123456Z'), '2026-01-01 11:58:30 UTC');
});

test('pageSummary and pageOffset', () => {
  assert.equal(pageSummary(0, 20, 42), '1–20 of 42');
  assert.equal(pageSummary(40, 2, 42), '41–42 of 42');
  assert.equal(pageSummary(0, 0, 0), 'Nothing found');
  assert.equal(pageSummary(0, 10, 10000, false), '1–10 of 10000+');
  assert.equal(pageOffset('3', 20), 40);
  assert.equal(pageOffset(undefined, 20), 0);
  assert.equal(pageOffset('-4', 20), 0);
  assert.equal(pageOffset('x', 20), 0);
});

test('statusInfo gives every adapter state an icon and words, not only a colour', () => {
  for (const s of ['CONNECTED', 'STARTING', 'RECONNECTING', 'FAILED', 'DISABLED', 'STOPPED']) {
    const info = statusInfo(s);
    assert.ok(info.icon.length > 0 && info.label.length > 0, s);
  }
  assert.notEqual(statusInfo('CONNECTED').icon, statusInfo('RECONNECTING').icon);
  assert.equal(statusInfo('SOMETHING_NEW').label, 'SOMETHING_NEW');
});

test('fieldId maps API field paths to control ids', () => {
  assert.equal(fieldId('portals[1].room'), 'f-portals-1-room');
  assert.equal(fieldId('name'), 'f-name');
  assert.equal(fieldId('first.user'), 'f-first-user');
});

test('retryAfterSeconds reads delta-seconds only', () => {
  assert.equal(retryAfterSeconds('7'), 7);
  assert.equal(retryAfterSeconds(null), null);
  assert.equal(retryAfterSeconds('Wed, 21 Oct 2015 07:28:00 GMT'), null);
});

test('passwordProblem checks length (in characters) and the confirmation', () => {
  assert.match(passwordProblem('short', 'short'), /12/);
  assert.match(passwordProblem('long enough pw', 'long enough pX'), /differ/);
  assert.equal(passwordProblem('long enough pw', 'long enough pw'), null);
  assert.match(passwordProblem('😀'.repeat(11), '😀'.repeat(11)), /12/, 'emoji count once each');
});

test('mappingRequest keeps only networks with an address and remembers their order for field errors', () => {
  const { body, networks } = mappingRequest('  Lobby ', true, [
    { network: 'matrix', room: ' !a:m.test ' }, { network: 'sip', room: '' }, { network: 'xmpp', room: 'l@c.x' }]);
  assert.deepEqual(body, { name: 'Lobby', enabled: true,
    portals: [{ network: 'matrix', room: '!a:m.test' }, { network: 'xmpp', room: 'l@c.x' }] });
  assert.deepEqual(networks, ['matrix', 'xmpp'], 'portals[1] is the xmpp field');
});

test('roomHint and localToIso', () => {
  assert.match(roomHint('xmpp'), /conference/);
  assert.match(roomHint('other'), /other/);
  assert.equal(localToIso(''), '');
  assert.equal(localToIso('garbage'), '');
  assert.match(localToIso('2026-01-01T10:00'), /^2026-01-01T\d\d:00:00\.000Z$/);
});
