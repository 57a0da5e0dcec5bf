// Adapter states (live from the event stream, polled every few seconds while it is down), appliance facts, the last hour's traffic as a chart and the router's
// counters.
import { api, ApiError } from '../api.js';
import { h, table } from '../dom.js';
import { formatAgo, formatDuration, formatInstant, statusInfo } from '../format.js';
import { lineChart } from '../chart.js';

/** How often the dashboard asks again while the live stream is down (the issue asks for ≤ 5 s). */
export const POLL_MS = 3000;
/** How long the dashboard waits before opening the stream again after the appliance refused it. */
export const STREAM_RETRY_MS = 30000;

/** @type {Record<string, string>} */
const COUNTERS = {
  accepted: 'Messages accepted',
  delivered: 'Deliveries made',
  retried: 'Deliveries retried',
  failed: 'Deliveries failed',
  duplicates: 'Duplicates dropped',
  echoes: 'Echoes dropped',
};

/** @type {import('../app.js').View} */
export function dashboardView(ctx) {
  const adapters = h('div', { id: 'adapters' });
  const facts = h('div', { id: 'facts' });
  const counters = h('div', { id: 'counters' });
  const traffic = h('div', { id: 'traffic' });
  const updated = h('p', { class: 'note', id: 'updated' });
  ctx.main.append(h('h1', { text: 'Dashboard' }),
    h('section', { 'aria-labelledby': 'h-adapters' }, h('h2', { id: 'h-adapters', text: 'Adapters' }), adapters),
    h('section', { 'aria-labelledby': 'h-traffic' },
      h('h2', { id: 'h-traffic', text: 'Messages bridged per minute, last hour' }), traffic),
    h('section', { 'aria-labelledby': 'h-facts' }, h('h2', { id: 'h-facts', text: 'Appliance' }), facts),
    h('section', { 'aria-labelledby': 'h-counters' }, h('h2', { id: 'h-counters', text: 'Router counters' }),
      counters), updated);

  /** @type {Record<string, string>} */
  let previous = {};
  let timer = 0;
  let stopped = false;
  let polling = false;
  /** @type {EventSource|null} */
  let stream = null;
  let streamRetry = 0;
  /** @type {{seconds: number, at: number}|null} */
  let uptime = null;

  /** @param {any} activity the answer of GET /activity */
  function showTraffic(activity) {
    const series = activity.delivered.map((/** @type {any} */ p) => ({ label: `${p.from} → ${p.to}`,
      values: p.perMinute }));
    const sum = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0);
    traffic.replaceChildren(
      lineChart(series, 'Messages bridged per minute over the last hour, per network pair'),
      h('ul', { class: 'legend' }, series.map((/** @type {any} */ s, /** @type {number} */ i) =>
        h('li', {}, h('span', { class: `swatch chart-series-${i % 4}`, 'aria-hidden': 'true' }), ' ', s.label))),
      table('Last hour, per network pair and in total', ['Traffic', 'Last hour'], [
        ...series.map((/** @type {any} */ s) => h('tr', { 'data-pair': s.label },
          h('th', { scope: 'row', text: s.label }), h('td', { text: String(sum(s.values)) }))),
        h('tr', {}, h('th', { scope: 'row', text: 'Failed deliveries' }),
          h('td', { id: 'failed-hour', text: String(sum(activity.failed)) })),
        h('tr', {}, h('th', { scope: 'row', text: 'Retried tries' }),
          h('td', { id: 'retried-hour', text: String(sum(activity.retried)) })),
      ]),
      activity.tracked ? null : h('p', { class: 'note', text: 'This appliance keeps no traffic history.' }));
  }

  /**
   * Shows the answer of GET /adapters (or the stream's `adapters` event).
   * @param {any} data
   * @param {'stream'|'poll'} from
   */
  function showAdapters(data, from) {
    const now = Date.now();
    adapters.setAttribute('data-source', from);
    adapters.replaceChildren(table('State of each network adapter', ['Network', 'State', 'Detail', 'Since'],
      data.adapters.map((/** @type {any} */ a) => {
        const info = statusInfo(a.status);
        return h('tr', { 'data-network': a.network },
          h('th', { scope: 'row', text: a.network }),
          h('td', {}, h('span', { class: 'state state-' + info.tone, 'data-status': a.status },
            h('span', { class: 'icon', 'aria-hidden': 'true', text: info.icon }), ' ', info.label)),
          h('td', { text: a.detail }),
          h('td', {}, h('time', { datetime: a.since, title: formatInstant(a.since), text: formatAgo(a.since, now) })));
      })));
    uptime = { seconds: data.uptimeSeconds, at: now };
    facts.replaceChildren(h('dl', { class: 'facts' },
      h('dt', { text: 'Version' }), h('dd', { id: 'version', text: data.version }),
      h('dt', { text: 'Uptime' }), h('dd', { id: 'uptime', text: formatDuration(data.uptimeSeconds) }),
      h('dt', { text: 'Outbox depth' }), h('dd', { id: 'outbox', text: String(data.outboxDepth) }),
      Object.entries(COUNTERS).flatMap(([key, label]) =>
        [h('dt', { text: label }), h('dd', { text: String(data.metrics[key] ?? 0) })])));
    counters.replaceChildren(table('All counters since start', ['Counter', 'Value'],
      Object.entries(data.metrics).sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => h('tr', {}, h('th', { scope: 'row', text: k }), h('td', { text: String(v) })))));
    updated.textContent = 'Updated ' + new Date(now).toLocaleTimeString() + (from === 'stream'
      ? '; live (the appliance sends every change).' : '; refreshes every ' + POLL_MS / 1000 + ' s.');
    const changes = data.adapters.filter((/** @type {any} */ a) => previous[a.network] !== undefined
      && previous[a.network] !== a.status);
    if (changes.length > 0) {
      ctx.announce(changes.map((/** @type {any} */ a) => `${a.network}: ${statusInfo(a.status).label}`).join('; '));
    }
    previous = Object.fromEntries(data.adapters.map((/** @type {any} */ a) => [a.network, a.status]));
  }

  /** The stream sends only changes: the uptime and the "since" ages move on here, once a second. */
  function tick() {
    const now = Date.now();
    const up = document.getElementById('uptime');
    if (up && uptime) up.textContent = formatDuration(uptime.seconds + Math.floor((now - uptime.at) / 1000));
    for (const t of adapters.querySelectorAll('time[datetime]')) {
      t.textContent = formatAgo(t.getAttribute('datetime') || '', now);
    }
  }

  async function poll() {
    try {
      // The traffic is asked for alongside, but the adapters' states never wait for it or fail with it.
      const activityAnswer = api('GET', '/activity');
      activityAnswer.catch(() => {}); // handled below, after the adapters are shown
      const { data } = await api('GET', '/adapters');
      if (stopped || !polling) return;
      showAdapters(data, 'poll');
      showTraffic((await activityAnswer).data);
    } catch (err) {
      if (stopped || (err instanceof ApiError && err.status === 401)) return;
      updated.textContent = 'Could not refresh: ' + (err instanceof Error ? err.message : String(err));
    }
    if (!stopped && polling) timer = window.setTimeout(poll, POLL_MS);
  }

  function startPolling() {
    if (polling || stopped) return;
    polling = true;
    poll();
  }

  function stopPolling() {
    polling = false;
    window.clearTimeout(timer);
  }

  /**
   * The live stream (GET /api/v1/events, same origin, with the session cookie). While it is down the dashboard
   * polls; a stream the appliance refused (session ended, too many streams) is tried again after a while.
   */
  function startStream() {
    if (stopped) return;
    if (typeof EventSource === 'undefined') {
      startPolling();
      return;
    }
    const es = new EventSource('/api/v1/events');
    stream = es;
    es.addEventListener('adapters', (e) => {
      stopPolling();
      showAdapters(JSON.parse(/** @type {MessageEvent} */ (e).data), 'stream');
    });
    es.addEventListener('activity', (e) => showTraffic(JSON.parse(/** @type {MessageEvent} */ (e).data)));
    es.onerror = () => {
      if (stopped) return;
      startPolling();
      if (es.readyState === EventSource.CLOSED) {
        stream = null;
        streamRetry = window.setTimeout(startStream, STREAM_RETRY_MS);
      }
    };
  }

  startStream();
  const ticker = window.setInterval(tick, 1000);
  return () => {
    stopped = true;
    stopPolling();
    window.clearTimeout(streamRetry);
    window.clearInterval(ticker);
    if (stream) stream.close();
  };
}
