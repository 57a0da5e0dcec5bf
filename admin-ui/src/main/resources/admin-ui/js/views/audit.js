// The audit log: filter by admin, action, target and time, paging.
import { api, query } from '../api.js';
import { h, table } from '../dom.js';
import { formatInstant, localToIso, pageOffset, routeHash } from '../format.js';
import { pager } from './common.js';

const PAGE = 50;
const FILTERS = [['actor', 'Admin'], ['action', 'Action'], ['target', 'Target contains']];

/** @type {import('../app.js').View} */
export async function auditView(ctx) {
  const p = ctx.route.params;
  const offset = pageOffset(p.page, PAGE);
  const filters = { actor: p.actor || '', action: p.action || '', target: p.target || '', from: p.from || '', to: p.to || '' };
  const { data } = await api('GET', '/audit' + query({ ...filters, from: localToIso(filters.from),
    to: localToIso(filters.to), offset, limit: PAGE }));
  const controls = [...FILTERS, ['from', 'From'], ['to', 'Until']].map(([name, label]) => h('div', { class: 'field' },
    h('label', { for: 'audit-' + name, text: label }),
    h('input', { id: 'audit-' + name, name, type: name === 'from' || name === 'to' ? 'datetime-local' : 'text',
      value: /** @type {any} */ (filters)[name], autocomplete: 'off' })));
  const form = h('form', { class: 'search filters', 'aria-label': 'Filter the audit log' }, controls,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Filter' }),
      h('a', { href: routeHash('audit'), class: 'button secondary', text: 'Clear filters' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    /** @type {Record<string, string>} */
    const params = {};
    for (const el of form.querySelectorAll('input[name]')) {
      params[/** @type {HTMLInputElement} */ (el).name] = /** @type {HTMLInputElement} */ (el).value.trim();
    }
    ctx.go(routeHash('audit', params));
  });
  const rows = data.items.map((/** @type {any} */ e) => h('tr', {},
    h('td', {}, h('time', { datetime: e.at, text: formatInstant(e.at) })),
    h('td', { text: e.actor }), h('td', {}, h('code', { text: e.action })), h('td', {}, h('code', { text: e.target })),
    h('td', { class: 'detail', text: e.detail })));
  ctx.main.append(h('h1', { text: 'Audit log' }), form,
    rows.length ? table('Admin actions, newest first', ['Time', 'Admin', 'Action', 'Target', 'Detail'], rows)
      : h('p', { text: 'No entry matches.' }),
    pager('audit', filters, data.offset, data.items.length, data.total, PAGE, data.totalExact));
}
