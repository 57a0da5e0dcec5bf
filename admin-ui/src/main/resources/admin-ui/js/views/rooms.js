// Room mappings: the list (search, paging, enable/disable, delete) and the editor with a room picker per network.
import { api, ApiError, query } from '../api.js';
import { h, field, showFieldError, clearErrors, formError, showFormError, confirmDialog, table } from '../dom.js';
import { formatAgo, formatInstant, mappingRequest, pageOffset, roomHint, routeHash, statusInfo } from '../format.js';
import { pager, searchForm } from './common.js';

const PAGE = 20;

/** @param {boolean} enabled */
function enabledBadge(enabled) {
  const info = statusInfo(enabled ? 'CONNECTED' : 'DISABLED');
  return h('span', { class: 'state state-' + info.tone },
    h('span', { class: 'icon', 'aria-hidden': 'true', text: info.icon }), ' ', enabled ? 'Enabled' : 'Disabled');
}

/**
 * Replaces a mapping with If-Match, so a change made meanwhile by someone else is refused (412), not lost.
 * @param {string} id
 * @param {(room: any) => any} change
 * @returns {Promise<any>}
 */
async function updateMapping(id, change) {
  const current = await api('GET', '/rooms/' + encodeURIComponent(id));
  const room = current.data;
  const body = change({ name: room.name, enabled: room.enabled, portals: room.portals });
  return (await api('PUT', '/rooms/' + encodeURIComponent(id), { body, ifMatch: current.etag })).data;
}

/**
 * Whether the bridge is in a portal's room, as icon + words.
 * @param {boolean|null|undefined} joined
 */
function joinedBadge(joined) {
  const [tone, icon, text] = joined === true ? ['ok', '✔', 'bridge joined']
    : joined === false ? ['bad', '✖', 'bridge not joined'] : ['off', '?', 'joined unknown'];
  return h('span', { class: 'state state-' + tone + ' joined', 'data-joined': String(joined ?? 'unknown') },
    h('span', { class: 'icon', 'aria-hidden': 'true', text: icon }), ' ', text);
}

/**
 * A mapping's last delivery, last error and backlog (GET /room-health), or a dash when unknown.
 * @param {any} health
 * @param {number} now
 */
function healthCell(health, now) {
  if (!health) return h('td', { text: '—' });
  const err = health.lastError;
  return h('td', { class: 'health' }, h('dl', { class: 'facts' },
    h('dt', { text: 'Last delivery' }), h('dd', { class: 'last-delivery' }, health.lastDelivery
      ? h('time', { datetime: health.lastDelivery, title: formatInstant(health.lastDelivery),
        text: formatAgo(health.lastDelivery, now) }) : 'none since start'),
    h('dt', { text: 'Last error' }), h('dd', { class: 'last-error' }, err
      ? [h('time', { datetime: err.at, title: formatInstant(err.at), text: formatAgo(err.at, now) }),
        ` (${err.network}): `, err.reason] : 'none'),
    h('dt', { text: 'Backlog' }), h('dd', { class: 'backlog', text: String(health.backlog) })));
}

/** @type {import('../app.js').View} */
export async function roomsView(ctx) {
  const q = ctx.route.params.q || '';
  const offset = pageOffset(ctx.route.params.page, PAGE);
  const [{ data }, health] = await Promise.all([api('GET', '/rooms' + query({ q, offset, limit: PAGE })),
    api('GET', '/room-health').then((r) => r.data.rooms, (err) => {
      if (err instanceof ApiError && err.status === 401) throw err;
      return []; // the list still works without health
    })]);
  /** @type {Map<string, any>} */
  const healthById = new Map(health.map((/** @type {any} */ r) => [r.id, r]));
  const now = Date.now();
  const rows = data.items.map((/** @type {any} */ room) => {
    const toggle = h('button', { type: 'button', class: 'secondary',
      text: room.enabled ? 'Disable' : 'Enable', 'aria-label': `${room.enabled ? 'Disable' : 'Enable'} ${room.name}` });
    toggle.addEventListener('click', async () => {
      try {
        const saved = await updateMapping(room.id, (r) => ({ ...r, enabled: !room.enabled }));
        ctx.announce(`Mapping ${saved.name} is now ${saved.enabled ? 'enabled' : 'disabled'}.`);
      } catch (err) {
        if (err instanceof ApiError && err.status !== 401) ctx.announce(err.message);
        else throw err;
      }
      ctx.go(location.hash);
    });
    const del = h('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${room.name}` });
    del.addEventListener('click', async () => {
      const yes = await confirmDialog('Delete this mapping?', `“${room.name}” stops being bridged. Messages already`
        + ' bridged stay on each network.', 'Delete mapping');
      if (!yes) return;
      try {
        await api('DELETE', '/rooms/' + encodeURIComponent(room.id));
        ctx.announce(`Mapping ${room.name} deleted.`);
      } catch (err) {
        if (err instanceof ApiError && err.status !== 401) ctx.announce(err.message);
      }
      ctx.go(location.hash);
    });
    return h('tr', { 'data-id': room.id },
      h('th', { scope: 'row' }, h('a', { href: routeHash('rooms/' + room.id), text: room.name })),
      h('td', {}, enabledBadge(room.enabled)),
      h('td', {}, h('ul', { class: 'portals' }, room.portals.map((/** @type {any} */ p) =>
        h('li', {}, h('span', { class: 'network', text: p.network }), ' ', h('code', { text: p.room }), ' ',
          joinedBadge(healthById.get(room.id)?.portals.find((/** @type {any} */ x) => x.network === p.network
            && x.room === p.room)?.joined))))),
      healthCell(healthById.get(room.id), now),
      h('td', { class: 'row-actions' }, h('a', { href: routeHash('rooms/' + room.id), class: 'button secondary',
        text: 'Edit', 'aria-label': `Edit ${room.name}` }), toggle, del));
  });
  ctx.main.append(h('h1', { text: 'Room mappings' }),
    h('div', { class: 'toolbar' }, searchForm(ctx, 'rooms', 'Search mappings by name or address'),
      h('a', { href: routeHash('rooms/new'), class: 'button', text: 'New mapping' })),
    rows.length ? table('Room mappings', ['Name', 'State', 'Rooms', 'Health', 'Actions'], rows)
      : h('p', { text: q ? 'No mapping matches this search.' : 'No rooms are mapped yet.' }),
    pager('rooms', { q }, data.offset, data.items.length, data.total, PAGE));
}

/**
 * The picker of one network: a search that asks the network's adapter for its rooms; choosing one fills `input`.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} network
 * @param {HTMLInputElement} input
 * @returns {HTMLElement}
 */
function roomPicker(ctx, network, input) {
  const id = `pick-${network}`;
  const search = /** @type {HTMLInputElement} */ (h('input', { id, type: 'search' }));
  const results = h('div', { class: 'picker-results', id: id + '-results' });
  const find = h('button', { type: 'button', class: 'secondary', text: `Find ${network} rooms` });
  async function lookup() {
    results.replaceChildren(h('p', { class: 'note', text: 'Asking the network…' }));
    try {
      const { data } = await api('GET', `/networks/${encodeURIComponent(network)}/rooms` + query({ q: search.value.trim(), limit: 50 }));
      if (!data.supported) {
        results.replaceChildren(h('p', { class: 'note', text: `The ${network} adapter cannot list rooms: type the address above.` }));
        return;
      }
      if (data.error) {
        results.replaceChildren(h('p', { class: 'note', text: `Could not list rooms: ${data.error}. Type the address above.` }));
        return;
      }
      if (data.rooms.length === 0) {
        results.replaceChildren(h('p', { class: 'note', text: 'No rooms found. Networks list only public rooms:'
          + ' type the address of a hidden one above.' }));
        ctx.announce(`No ${network} rooms found.`);
        return;
      }
      results.replaceChildren(h('ul', { class: 'picker', 'aria-label': `${network} rooms found` },
        data.rooms.map((/** @type {any} */ r) => {
          const choose = h('button', { type: 'button', class: 'pick', 'data-room': r.room },
            h('span', { class: 'room-name', text: r.name || r.room }), ' ', h('code', { text: r.room }),
            r.members !== null && r.members !== undefined ? h('span', { class: 'note', text: ` · ${r.members} members` }) : null);
          choose.addEventListener('click', () => {
            input.value = r.room;
            input.removeAttribute('aria-invalid');
            ctx.announce(`Chosen ${r.name || r.room} for ${network}.`);
            input.focus();
          });
          return h('li', {}, choose);
        })));
      ctx.announce(`${data.rooms.length} ${network} rooms found.`);
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) results.replaceChildren(h('p', { class: 'note', text: err.message }));
    }
  }
  find.addEventListener('click', lookup);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      lookup();
    }
  });
  return h('div', { class: 'picker-box' },
    h('div', { class: 'field inline' }, h('label', { for: id, text: `Search rooms on ${network}` }), search, find),
    results);
}

/** @type {import('../app.js').View} */
export async function roomEditView(ctx) {
  const id = ctx.route.segments[1];
  const isNew = id === 'new';
  const networks = await ctx.networks();
  let etag = /** @type {string|null} */ (null);
  let room = { name: '', enabled: true, portals: /** @type {any[]} */ ([]) };
  if (!isNew) {
    const got = await api('GET', '/rooms/' + encodeURIComponent(id));
    room = got.data;
    etag = got.etag;
  }
  const name = field('name', 'Name', { required: true, maxlength: 200, value: room.name, autocomplete: 'off' },
    'A label for admins, e.g. the community the rooms belong to.');
  const enabled = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'f-enabled', checked: room.enabled }));
  /** @type {Record<string, HTMLInputElement>} */
  const inputs = {};
  const fieldsets = networks.map((network) => {
    const existing = room.portals.find((p) => p.network === network);
    const f = field(`room-${network}`, `Room on ${network}`, { value: existing ? existing.room : '',
      autocomplete: 'off', spellcheck: 'false', 'data-network': network }, roomHint(network) + '. Leave empty to'
      + ` not bridge ${network}.`);
    inputs[network] = f.input;
    return h('fieldset', {}, h('legend', { text: network }), f.wrap, roomPicker(ctx, network, f.input));
  });
  const error = formError();
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', text: isNew ? 'Create mapping' : 'Save changes' }));
  const form = h('form', { novalidate: true, 'aria-labelledby': 'edit-title' }, name.wrap,
    h('div', { class: 'field checkbox' }, enabled, h('label', { for: 'f-enabled', text: 'Enabled (messages are bridged)' })),
    fieldsets, error,
    h('div', { class: 'actions' }, submit, h('a', { href: routeHash('rooms'), class: 'button secondary', text: 'Cancel' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const { body, networks: sent } = mappingRequest(name.input.value, enabled.checked,
      networks.map((n) => ({ network: n, room: inputs[n].value })));
    if (!body.name) return showFieldError(name.input, 'Give the mapping a name.');
    if (body.portals.length === 0) return showFieldError(inputs[networks[0]], 'Enter or pick a room on at least one network.');
    submit.disabled = true;
    try {
      const saved = isNew ? await api('POST', '/rooms', { body })
        : await api('PUT', '/rooms/' + encodeURIComponent(id), { body, ifMatch: etag });
      ctx.announce(`Mapping ${saved.data.name} saved.`);
      ctx.go(routeHash('rooms', { q: saved.data.name }));
    } catch (err) {
      submit.disabled = false;
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      const m = err.field ? /^portals\[(\d+)\]/.exec(err.field) : null;
      if (m && sent[Number(m[1])]) showFieldError(inputs[sent[Number(m[1])]], err.message);
      else if (err.field === 'name') showFieldError(name.input, err.message);
      else if (err.status === 412) {
        showFormError(error, 'Someone else changed this mapping after you opened it, so nothing was saved. '
          + 'Reload to see their version, then make your change again.');
        error.append(' ', h('a', { href: location.hash, text: 'Reload the mapping', onclick: (/** @type {Event} */ ev) => {
          ev.preventDefault();
          ctx.go(location.hash);
        } }));
      } else if (err.status === 409) showFormError(error, 'Not saved: ' + err.message + '.');
      else showFormError(error, err.message);
    }
  });
  ctx.main.append(h('h1', { id: 'edit-title', text: isNew ? 'New room mapping' : `Edit mapping “${room.name}”` }),
    h('p', { text: 'Pick a room from each network, or type its address. Rooms on one mapping form one conversation.' }),
    form);
}
