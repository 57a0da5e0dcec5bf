// Puppets: search by name or address, filter by network, paging with totals; one puppet's rooms, identity links
// and avatar (served by the appliance: the browser never loads an image from another host).
import { api, ApiError, query } from '../api.js';
import { h, table } from '../dom.js';
import { formatInstant, pageOffset, routeHash } from '../format.js';
import { networkSelect, pager, searchForm } from './common.js';

const PAGE = 25;

/** @type {import('../app.js').View} */
export async function puppetsView(ctx) {
  const q = ctx.route.params.q || '';
  const network = ctx.route.params.network || '';
  const offset = pageOffset(ctx.route.params.page, PAGE);
  const networks = await ctx.networks();
  const { data } = await api('GET', '/puppets' + query({ q, network, offset, limit: PAGE }));
  const filter = networkSelect('puppet-network', 'network', 'Puppets on network', networks, network, 'All networks');
  const rows = data.items.map((/** @type {any} */ p) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { class: 'display-name', href: routeHash(`puppets/${p.network}/${p.puppetId}`),
      text: p.displayName || '(no name)', 'aria-label': `${p.displayName || '(no name)'}: puppet ${p.puppetId}` })),
    h('td', {}, h('span', { class: 'network', text: p.person.network }), ' ', h('code', { text: p.person.user })),
    h('td', {}, h('span', { class: 'network', text: p.network }), ' ', h('code', { text: p.puppetId })),
    h('td', {}, h('time', { datetime: p.updatedAt, text: formatInstant(p.updatedAt) })),
    h('td', {}, h('a', { href: routeHash('links', { q: p.person.user }), text: 'Identity links',
      'aria-label': `Identity links of ${p.person.user}` }))));
  ctx.main.append(h('h1', { text: 'Puppets' }),
    h('p', { text: 'People shown on a network that is not their own. The bridge creates and updates them.' }),
    searchForm(ctx, 'puppets', 'Search by name or address', [filter.wrap]),
    rows.length ? table('Puppets', ['Name', 'Person', 'Puppet', 'Updated', 'Links'], rows)
      : h('p', { text: 'No puppet matches.' }),
    pager('puppets', { q, network }, data.offset, data.items.length, data.total, PAGE, data.totalExact));
}

/** One puppet: `#/puppets/<network>/<puppet id>`. @type {import('../app.js').View} */
export async function puppetView(ctx) {
  const [, network, id] = ctx.route.segments;
  const params = query({ network, id });
  let data;
  try {
    data = (await api('GET', '/puppets/detail' + params)).data;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    ctx.main.append(h('h1', { text: 'Puppet not found' }), h('p', { text: err.message }),
      h('p', {}, h('a', { href: routeHash('puppets'), text: 'All puppets' })));
    return;
  }
  const p = data.puppet;
  const name = p.displayName || p.puppetId;
  const avatar = data.hasAvatar
    ? h('img', { class: 'avatar', src: '/api/v1/puppets/avatar' + params, alt: `Avatar of ${name}`, width: 96,
      height: 96 })
    : h('p', { class: 'note', text: 'No avatar.' });
  avatar.addEventListener('error', () => avatar.replaceWith(h('p', { class: 'note',
    text: 'The avatar could not be fetched.' })));
  ctx.main.append(h('h1', { text: name }),
    h('div', { class: 'puppet-head' }, avatar, h('dl', { class: 'facts' },
      h('dt', { text: 'Person' }), h('dd', {}, h('span', { class: 'network', text: p.person.network }), ' ',
        h('code', { text: p.person.user })),
      h('dt', { text: 'Puppet' }), h('dd', {}, h('span', { class: 'network', text: p.network }), ' ',
        h('code', { text: p.puppetId })),
      h('dt', { text: 'Updated' }), h('dd', {}, h('time', { datetime: p.updatedAt, text: formatInstant(p.updatedAt) })))),
    h('section', { 'aria-labelledby': 'h-puppet-rooms' }, h('h2', { id: 'h-puppet-rooms', text: 'Rooms' }),
      data.rooms.length ? h('ul', { id: 'puppet-rooms' }, data.rooms.map((/** @type {any} */ r) =>
        h('li', {}, h('a', { href: routeHash('rooms/' + r.id), text: r.name }), r.enabled ? '' : ' (disabled)')))
        : h('p', { text: 'No bridged room remembers a message of this puppet.' })),
    h('section', { 'aria-labelledby': 'h-puppet-links' }, h('h2', { id: 'h-puppet-links', text: 'Identity links' }),
      data.links.length ? table(`Identity links of ${p.person.user}`, ['Account', 'Same person as'],
        data.links.map((/** @type {any} */ l) => h('tr', {},
          h('th', { scope: 'row' }, h('span', { class: 'network', text: l.first.network }), ' ',
            h('code', { text: l.first.user })),
          h('td', {}, h('span', { class: 'network', text: l.second.network }), ' ', h('code', { text: l.second.user })))))
        : h('p', { text: 'This person has no identity link.' }),
      h('p', {}, h('a', { href: routeHash('links', { q: p.person.user }), text: 'Manage identity links' }))),
    h('p', {}, h('a', { href: routeHash('puppets'), text: 'All puppets' })));
}
