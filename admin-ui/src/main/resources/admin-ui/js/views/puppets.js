// Puppets: search by name or address, filter by network, paging with totals.
import { api, query } from '../api.js';
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
    h('th', { scope: 'row' }, h('span', { class: 'display-name', text: p.displayName || '(no name)' })),
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
