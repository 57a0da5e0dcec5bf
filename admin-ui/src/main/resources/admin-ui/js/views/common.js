// Pieces several list views share: the search form and the pager.
import { h } from '../dom.js';
import { pageSummary, routeHash } from '../format.js';

/**
 * Previous/next links and "1–20 of 42" for a paged list whose page is in the route's `page` parameter.
 * @param {string} path route path of the list
 * @param {Record<string, string>} params current route parameters
 * @param {number} offset
 * @param {number} count
 * @param {number} total
 * @param {number} size
 * @param {boolean} [exact]
 * @returns {HTMLElement}
 */
export function pager(path, params, offset, count, total, size, exact = true) {
  const page = Math.floor(offset / size) + 1;
  const prev = page > 1 ? h('a', { href: routeHash(path, { ...params, page: page - 1 }), rel: 'prev', text: 'Previous page' }) : null;
  const next = offset + count < total ? h('a', { href: routeHash(path, { ...params, page: page + 1 }), rel: 'next', text: 'Next page' }) : null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('p', { class: 'summary', id: 'page-summary', text: pageSummary(offset, count, total, exact) }), prev, next);
}

/**
 * A search form that puts its fields into the route (so back/forward and reload keep the search).
 * @param {import('../app.js').Ctx} ctx
 * @param {string} path
 * @param {string} label
 * @param {HTMLElement[]} [extra] more labelled controls (their `name` becomes a route parameter)
 * @returns {HTMLElement}
 */
export function searchForm(ctx, path, label, extra = []) {
  const id = 'search-' + path;
  const input = /** @type {HTMLInputElement} */ (h('input', { id, name: 'q', type: 'search', value: ctx.route.params.q || '' }));
  const form = h('form', { class: 'search', role: 'search', 'aria-label': label },
    h('div', { class: 'field' }, h('label', { for: id, text: label }), input), extra,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Search' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    /** @type {Record<string, string>} */
    const params = {};
    for (const el of form.querySelectorAll('input[name], select[name]')) {
      const control = /** @type {HTMLInputElement} */ (el);
      params[control.name] = control.value.trim();
    }
    ctx.go(routeHash(path, params));
  });
  return form;
}

/**
 * A labelled select of networks, with an "all" choice when `allLabel` is given.
 * @param {string} id
 * @param {string} name
 * @param {string} label
 * @param {string[]} networks
 * @param {string} selected
 * @param {string|null} allLabel
 * @returns {{wrap: HTMLElement, select: HTMLSelectElement}}
 */
export function networkSelect(id, name, label, networks, selected, allLabel) {
  const select = /** @type {HTMLSelectElement} */ (h('select', { id, name },
    allLabel ? h('option', { value: '', text: allLabel }) : null,
    networks.map((n) => h('option', { value: n, text: n, selected: n === selected }))));
  return { wrap: h('div', { class: 'field' }, h('label', { for: id, text: label }), select), select };
}
