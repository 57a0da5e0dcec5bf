// First-run setup and login.
import { api, ApiError } from '../api.js';
import { h, field, showFieldError, clearErrors, formError, showFormError } from '../dom.js';
import { passwordProblem, routeHash, MIN_PASSWORD } from '../format.js';

/**
 * Counts a 429's wait down on the submit button, so nobody hammers a locked login.
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} slot
 * @param {string} what
 * @param {number} seconds
 * @returns {() => void} stops the countdown
 */
function lockout(button, slot, what, seconds) {
  let left = seconds;
  const label = button.textContent;
  button.disabled = true;
  showFormError(slot, `Too many failed ${what}. Wait ${left} s before trying again.`);
  const timer = window.setInterval(() => {
    left -= 1;
    if (left <= 0) {
      window.clearInterval(timer);
      button.disabled = false;
      button.textContent = label;
      slot.textContent = 'You can try again now.';
    } else {
      slot.textContent = `Too many failed ${what}. Wait ${left} s before trying again.`;
    }
  }, 1000);
  return () => window.clearInterval(timer);
}

/** @type {import('../app.js').View} */
export async function setupView(ctx) {
  const { data } = await api('GET', '/setup', { quietAuth: true });
  if (!data.required) {
    ctx.main.append(h('h1', { text: 'Setup is complete' }),
      h('p', {}, 'This appliance already has an admin. ', h('a', { href: routeHash('login'), text: 'Log in' }), '.'));
    return;
  }
  const token = field('token', 'Setup token', { autocomplete: 'off', required: true, spellcheck: 'false' },
    'The one-time token from the appliance log, also in the file setup-token in its data directory.');
  const user = field('username', 'Admin username', { autocomplete: 'username', required: true });
  const pass = field('password', 'Password', { type: 'password', autocomplete: 'new-password', required: true,
    minlength: MIN_PASSWORD }, `At least ${MIN_PASSWORD} characters.`);
  const again = field('confirm', 'Password again', { type: 'password', autocomplete: 'new-password', required: true });
  const error = formError();
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', text: 'Create admin' }));
  /** @type {null | (() => void)} */
  let stop = null;
  const form = h('form', { novalidate: true, 'aria-labelledby': 'setup-title' },
    token.wrap, user.wrap, pass.wrap, again.wrap, error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!token.input.value.trim()) return showFieldError(token.input, 'Enter the setup token.');
    if (!user.input.value.trim()) return showFieldError(user.input, 'Choose a username.');
    const problem = passwordProblem(pass.input.value, again.input.value);
    if (problem) return showFieldError(problem.includes('differ') ? again.input : pass.input, problem);
    submit.disabled = true;
    try {
      await api('POST', '/setup', { quietAuth: true, body: { token: token.input.value.trim(),
        username: user.input.value.trim(), password: pass.input.value } });
      ctx.announce('The first admin was created. Log in with it.');
      ctx.go(routeHash('login', { user: user.input.value.trim() }));
    } catch (err) {
      submit.disabled = false;
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 403) showFieldError(token.input, 'This is not the setup token. Copy it again from the log.');
      else if (err.status === 429) stop = lockout(submit, error, 'attempts', err.retryAfter || 1);
      else if (err.status === 409) ctx.go(routeHash('login'));
      else if (err.field === 'username') showFieldError(user.input, err.message);
      else if (err.field === 'password') showFieldError(pass.input, err.message);
      else showFormError(error, err.message);
    }
  });
  ctx.main.append(h('h1', { id: 'setup-title', text: 'Set up the appliance' }),
    h('p', { text: 'This appliance has no admin yet. Create the first one with the one-time setup token.' }), form);
  return () => stop && stop();
}

/** @type {import('../app.js').View} */
export function loginView(ctx) {
  if (ctx.session) {
    ctx.go(ctx.route.params.next || routeHash('dashboard'));
    return;
  }
  const user = field('username', 'Username', { autocomplete: 'username', required: true,
    value: ctx.route.params.user || '' });
  const pass = field('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true });
  const error = formError();
  const submit = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', text: 'Log in' }));
  /** @type {null | (() => void)} */
  let stop = null;
  const form = h('form', { novalidate: true, 'aria-labelledby': 'login-title' },
    user.wrap, pass.wrap, error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!user.input.value.trim()) return showFieldError(user.input, 'Enter your username.');
    if (!pass.input.value) return showFieldError(pass.input, 'Enter your password.');
    submit.disabled = true;
    try {
      const { data } = await api('POST', '/session', { quietAuth: true,
        body: { username: user.input.value.trim(), password: pass.input.value } });
      ctx.loggedIn(data);
      ctx.announce(`Logged in as ${data.username}.`);
      const next = ctx.route.params.next;
      ctx.go(next && next.startsWith('#/') && !next.startsWith('#/login') ? next : routeHash('dashboard'));
    } catch (err) {
      submit.disabled = false;
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) {
        pass.input.value = '';
        showFieldError(pass.input, 'Wrong username or password.');
      } else if (err.status === 429) {
        stop = lockout(submit, error, 'logins', err.retryAfter || 1);
      } else {
        showFormError(error, err.message);
      }
    }
  });
  const expired = ctx.route.params.next
    ? h('p', { class: 'note', text: 'Log in to continue where you were.' }) : null;
  ctx.main.append(h('h1', { id: 'login-title', text: 'Log in' }), expired, form);
  (user.input.value ? pass.input : user.input).focus();
  return () => stop && stop();
}
