// Identity links: accounts of one person on two networks. List, search, create, delete.
import { api, ApiError, query } from '../api.js';
import { h, field, showFieldError, clearErrors, formError, showFormError, confirmDialog, table } from '../dom.js';
import { formatInstant, pageOffset, routeHash } from '../format.js';
import { networkSelect, pager, searchForm } from './common.js';

const PAGE = 25;

/** @type {import('../app.js').View} */
export async function linksView(ctx) {
  const q = ctx.route.params.q || '';
  const offset = pageOffset(ctx.route.params.page, PAGE);
  const networks = await ctx.networks();
  const { data } = await api('GET', '/identity-links' + query({ q, offset, limit: PAGE }));
  const rows = data.items.map((/** @type {any} */ l) => {
    const del = h('button', { type: 'button', class: 'danger', text: 'Delete',
      'aria-label': `Delete link ${l.first.user} = ${l.second.user}` });
    del.addEventListener('click', async () => {
      if (!await confirmDialog('Delete this identity link?', `${l.first.user} and ${l.second.user} will be treated`
        + ' as two different people again.', 'Delete link')) return;
      try {
        await api('DELETE', '/identity-links/' + l.id);
        ctx.announce('Identity link deleted.');
      } catch (err) {
        if (err instanceof ApiError && err.status !== 401) ctx.announce(err.message);
      }
      ctx.go(location.hash);
    });
    return h('tr', {},
      h('td', {}, h('span', { class: 'network', text: l.first.network }), ' ', h('code', { text: l.first.user })),
      h('td', {}, h('span', { class: 'network', text: l.second.network }), ' ', h('code', { text: l.second.user })),
      h('td', {}, h('time', { datetime: l.createdAt, text: formatInstant(l.createdAt) })),
      h('td', { class: 'row-actions' }, del));
  });

  const firstNet = networkSelect('f-first-network', 'first.network', 'First network', networks, networks[0] || '', null);
  const first = field('first.user', 'First account', { autocomplete: 'off', spellcheck: 'false' });
  const secondNet = networkSelect('f-second-network', 'second.network', 'Second network', networks, networks[1] || '', null);
  const second = field('second.user', 'Second account', { autocomplete: 'off', spellcheck: 'false' });
  const error = formError();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'h-link-new' },
    h('div', { class: 'pair' }, firstNet.wrap, first.wrap), h('div', { class: 'pair' }, secondNet.wrap, second.wrap),
    error, h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Link accounts' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await api('POST', '/identity-links', { body: {
        first: { network: firstNet.select.value, user: first.input.value.trim() },
        second: { network: secondNet.select.value, user: second.input.value.trim() } } });
      ctx.announce('Accounts linked.');
      ctx.go(routeHash('links', { q: first.input.value.trim() }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      if (err.field === 'first.user') showFieldError(first.input, err.message);
      else if (err.field === 'second.user') showFieldError(second.input, err.message);
      else if (err.field === 'first.network') showFieldError(firstNet.select, err.message);
      else if (err.field === 'second.network') showFieldError(secondNet.select, err.message);
      else showFormError(error, err.message);
    }
  });
  ctx.main.append(h('h1', { text: 'Identity links' }),
    h('p', { text: 'Two accounts of one person on different networks: the bridge shows them as one person.' }),
    searchForm(ctx, 'links', 'Search links by address'),
    rows.length ? table('Identity links', ['First account', 'Second account', 'Created', 'Actions'], rows)
      : h('p', { text: 'No identity link matches.' }),
    pager('links', { q }, data.offset, data.items.length, data.total, PAGE),
    h('section', { 'aria-labelledby': 'h-link-new' }, h('h2', { id: 'h-link-new', text: 'Link two accounts' }), form));
}
