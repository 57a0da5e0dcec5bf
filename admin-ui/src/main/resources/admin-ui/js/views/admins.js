// Admin accounts: list, add, remove (not the last), change your own password (which signs you out).
import { api, ApiError } from '../api.js';
import { h, field, showFieldError, clearErrors, formError, showFormError, confirmDialog, table } from '../dom.js';
import { formatInstant, passwordProblem, MIN_PASSWORD } from '../format.js';

/** @type {import('../app.js').View} */
export async function adminsView(ctx) {
  const me = ctx.session ? ctx.session.username : '';
  const { data } = await api('GET', '/admins');
  const admins = Array.isArray(data) ? data : data.items;
  const rows = admins.map((/** @type {any} */ a) => {
    const remove = h('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove ${a.username}` });
    remove.addEventListener('click', async () => {
      if (!await confirmDialog('Remove this admin?', `${a.username} will no longer be able to log in.`, 'Remove admin')) return;
      try {
        await api('DELETE', '/admins/' + encodeURIComponent(a.username));
        if (a.username === me) {
          ctx.loggedOut('Your own account was removed.');
          return;
        }
        ctx.announce(`Admin ${a.username} removed.`);
      } catch (err) {
        if (err instanceof ApiError && err.status !== 401) {
          ctx.announce(err.status === 409 ? 'The last admin cannot be removed.' : err.message);
        }
      }
      ctx.go(location.hash);
    });
    return h('tr', {}, h('th', { scope: 'row', text: a.username + (a.username === me ? ' (you)' : '') }),
      h('td', {}, h('time', { datetime: a.createdAt, text: formatInstant(a.createdAt) })),
      h('td', { class: 'row-actions' }, admins.length > 1 ? remove : h('span', { class: 'note', text: 'Last admin' })));
  });

  const user = field('new-username', 'Username', { autocomplete: 'off' });
  const pass = field('new-password', 'Password', { type: 'password', autocomplete: 'new-password' },
    `At least ${MIN_PASSWORD} characters.`);
  const addError = formError();
  const add = h('form', { novalidate: true, 'aria-labelledby': 'h-add' }, user.wrap, pass.wrap, addError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Add admin' })));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(add);
    const problem = passwordProblem(pass.input.value, pass.input.value);
    if (!user.input.value.trim()) return showFieldError(user.input, 'Enter a username.');
    if (problem) return showFieldError(pass.input, problem);
    try {
      await api('POST', '/admins', { body: { username: user.input.value.trim(), password: pass.input.value } });
      ctx.announce(`Admin ${user.input.value.trim()} added.`);
      ctx.go(location.hash);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      if (err.field === 'password') showFieldError(pass.input, err.message);
      else if (err.field === 'username' || err.status === 409) showFieldError(user.input, err.message);
      else showFormError(addError, err.message);
    }
  });

  const mine = field('my-password', 'New password', { type: 'password', autocomplete: 'new-password' },
    `At least ${MIN_PASSWORD} characters. You will be signed out and log in with the new password.`);
  const again = field('my-password-again', 'New password again', { type: 'password', autocomplete: 'new-password' });
  const pwError = formError();
  const change = h('form', { novalidate: true, 'aria-labelledby': 'h-password' }, mine.wrap, again.wrap, pwError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Change my password' })));
  change.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(change);
    const problem = passwordProblem(mine.input.value, again.input.value);
    if (problem) return showFieldError(problem.includes('differ') ? again.input : mine.input, problem);
    try {
      await api('PUT', '/admins/' + encodeURIComponent(me) + '/password', { body: { password: mine.input.value } });
      ctx.loggedOut('Password changed. Log in with the new password.');
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      if (err.field === 'password') showFieldError(mine.input, err.message);
      else showFormError(pwError, err.message);
    }
  });

  ctx.main.append(h('h1', { text: 'Admins' }),
    table('Admin accounts', ['Username', 'Created', 'Actions'], rows),
    h('section', { 'aria-labelledby': 'h-add' }, h('h2', { id: 'h-add', text: 'Add an admin' }), add),
    h('section', { 'aria-labelledby': 'h-password' }, h('h2', { id: 'h-password', text: 'Change your password' }), change));
}
