// The admin UI's shell: session state, hash routing (#/rooms, #/rooms/<id>, …), navigation, the live region.
import { api, setCsrfToken } from './api.js';
import { h } from './dom.js';
import { parseRoute, routeHash } from './format.js';
import { setupView, loginView } from './views/auth.js';
import { dashboardView } from './views/dashboard.js';
import { roomsView, roomEditView } from './views/rooms.js';
import { puppetsView, puppetView } from './views/puppets.js';
import { linksView } from './views/links.js';
import { auditView } from './views/audit.js';
import { adminsView } from './views/admins.js';

/**
 * @typedef {{username: string}|null} Session
 * @typedef {{
 *   main: HTMLElement,
 *   route: import('./format.js').Route,
 *   go: (hash: string) => void,
 *   announce: (message: string) => void,
 *   session: Session,
 *   loggedIn: (data: {username: string, csrfToken: string}) => void,
 *   loggedOut: (message: string) => void,
 *   networks: () => Promise<string[]>,
 * }} Ctx
 * @typedef {(ctx: Ctx) => (void | (() => void) | Promise<void | (() => void)>)} View
 */

/** @type {Record<string, View>} */
const VIEWS = {
  setup: setupView,
  login: loginView,
  dashboard: dashboardView,
  rooms: roomsView,
  puppets: puppetsView,
  links: linksView,
  audit: auditView,
  admins: adminsView,
};
const PUBLIC = new Set(['setup', 'login']);

/** @type {Session} */
let session = null;
/** @type {null | (() => void)} */
let dispose = null;
/** @type {string[]|null} */
let networkCache = null;
let renderCount = 0;

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const status = /** @type {HTMLElement} */ (document.getElementById('status'));

/** @param {string} message */
function announce(message) {
  // Emptied first so that the same message twice is announced twice.
  status.textContent = '';
  window.setTimeout(() => {
    status.textContent = message;
  }, 50);
}

/** @param {string} hash */
function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** @returns {Promise<string[]>} */
async function networks() {
  if (!networkCache) {
    const { data } = await api('GET', '/adapters');
    networkCache = data.adapters.map((/** @type {{network: string}} */ a) => a.network);
  }
  return /** @type {string[]} */ (networkCache);
}

/** @param {{username: string, csrfToken: string}} data */
function loggedIn(data) {
  session = { username: data.username };
  setCsrfToken(data.csrfToken);
  showChrome();
}

/** @param {string} message */
function loggedOut(message) {
  session = null;
  setCsrfToken(null);
  networkCache = null;
  showChrome();
  announce(message);
  go(routeHash('login'));
}

function showChrome() {
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  const account = /** @type {HTMLElement} */ (document.getElementById('account'));
  nav.hidden = !session;
  account.hidden = !session;
  /** @type {HTMLElement} */ (document.getElementById('account-name')).textContent = session ? session.username : '';
}

async function render() {
  const mine = ++renderCount;
  if (dispose) {
    dispose();
    dispose = null;
  }
  const route = parseRoute(location.hash);
  let name = route.path || 'dashboard';
  if (!(name in VIEWS)) name = 'dashboard';
  if (!session && !PUBLIC.has(name)) {
    const next = location.hash && location.hash !== '#/' ? location.hash : '';
    location.replace(routeHash('login', { next }));
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (/** @type {HTMLElement} */ (a).dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Each render gets its own container: a slower earlier render that finishes late fills a detached one.
  const container = h('div', { class: 'view' });
  main.replaceChildren(container);
  /** @type {Ctx} */
  const ctx = { main: container, route, go, announce, session, loggedIn, loggedOut, networks };
  let view = VIEWS[name];
  if (name === 'rooms' && route.segments.length > 1) view = roomEditView;
  if (name === 'puppets' && route.segments.length > 2) view = puppetView;
  try {
    const result = await view(ctx);
    if (mine !== renderCount) {
      if (typeof result === 'function') result();
      return;
    }
    if (typeof result === 'function') dispose = result;
  } catch (e) {
    if (mine !== renderCount) return;
    const message = e instanceof Error ? e.message : String(e);
    container.append(h('p', { class: 'form-error', role: 'alert', text: 'This view could not be loaded: ' + message }));
  }
  const heading = main.querySelector('h1');
  if (heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

async function boot() {
  window.addEventListener('hashchange', () => render());
  window.addEventListener('session-expired', () => {
    if (!session) return;
    session = null;
    setCsrfToken(null);
    showChrome();
    announce('Your session has ended. Log in again to continue where you were.');
    const next = location.hash;
    location.replace(routeHash('login', { next }));
  });
  /** @type {HTMLElement} */ (document.getElementById('skip-link')).addEventListener('click', (e) => {
    e.preventDefault();
    const heading = main.querySelector('h1');
    (heading || main).focus();
  });
  /** @type {HTMLElement} */ (document.getElementById('logout')).addEventListener('click', async () => {
    try {
      await api('DELETE', '/session', { quietAuth: true });
    } catch {
      // Already gone on the server: the UI forgets it all the same.
    }
    loggedOut('You have logged out.');
  });
  try {
    const setup = await api('GET', '/setup', { quietAuth: true });
    if (setup.data.required) {
      if (parseRoute(location.hash).path !== 'setup') {
        location.replace(routeHash('setup')); // renders on hashchange
        return;
      }
      await render();
      return;
    }
    const current = await api('GET', '/session', { quietAuth: true });
    if (current.data.csrfToken) loggedIn(current.data);
  } catch {
    // Not logged in (401) or unreachable: the login view says what happens next.
  }
  await render();
}

boot();
