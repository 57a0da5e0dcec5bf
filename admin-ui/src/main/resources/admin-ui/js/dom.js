// DOM building without HTML strings: every text, above all names from other networks, goes in as a Text node
// or textContent. The page's CSP enforces this (require-trusted-types-for 'script': innerHTML throws).
import { fieldId } from './format.js';

/**
 * @typedef {Node|string|number|null|undefined|false} Child
 */

/**
 * Creates an element. `props`: `class`, `text`, `on<event>` handlers, boolean/DOM properties
 * (`disabled`, `checked`, `value`, `hidden`, `required`), everything else as an attribute.
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...(Child|Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (['disabled', 'checked', 'value', 'hidden', 'required', 'selected', 'open'].includes(key)) {
      /** @type {any} */ (el)[key] = value;
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} parent
 * @param {Array<Child|Child[]>} children
 */
function append(parent, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/**
 * A labelled form control with a hint and an error slot, wired for assistive technology.
 * @param {string} name the API field name (`name`, `portals[0].room`), also the control's id
 * @param {string} label
 * @param {Record<string, any>} [inputProps]
 * @param {string} [hint]
 * @returns {{wrap: HTMLElement, input: HTMLInputElement}}
 */
export function field(name, label, inputProps = {}, hint) {
  const id = fieldId(name);
  const tag = inputProps.tag || 'input';
  const props = { ...inputProps };
  delete props.tag;
  const describedBy = [hint ? id + '-hint' : null, id + '-error'].filter(Boolean).join(' ');
  const input = /** @type {HTMLInputElement} */ (h(tag, { id, name, 'aria-describedby': describedBy, ...props }));
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    hint ? h('p', { class: 'hint', id: id + '-hint', text: hint }) : null,
    input,
    h('p', { class: 'field-error', id: id + '-error', hidden: true }));
  return { wrap, input };
}

/**
 * Shows `message` at the control: aria-invalid, the message in its error slot, focus on it.
 * @param {HTMLElement} input
 * @param {string} message
 */
export function showFieldError(input, message) {
  input.setAttribute('aria-invalid', 'true');
  const slot = document.getElementById(input.id + '-error');
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
  input.focus();
}

/**
 * Clears every field error and the form's own error inside `form`.
 * @param {HTMLElement} form
 */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error, .form-error')) {
    el.textContent = '';
    /** @type {HTMLElement} */ (el).hidden = true;
  }
}

/**
 * A form-level error slot (role=alert: read at once when filled).
 * @returns {HTMLElement}
 */
export function formError() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

/**
 * @param {HTMLElement} slot from formError()
 * @param {string} message
 */
export function showFormError(slot, message) {
  slot.textContent = message;
  slot.hidden = false;
}

/**
 * Asks a yes/no question in a native modal <dialog> (focus trapped, Escape cancels).
 * @param {string} title
 * @param {string} message
 * @param {string} confirmLabel
 * @returns {Promise<boolean>}
 */
export function confirmDialog(title, message, confirmLabel) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', text: 'Cancel', value: 'cancel' });
    const ok = h('button', { type: 'button', class: 'danger', text: confirmLabel, value: 'ok' });
    const dialog = /** @type {HTMLDialogElement} */ (h('dialog', { 'aria-labelledby': 'dialog-title' },
      h('h2', { id: 'dialog-title', text: title }),
      h('p', { text: message }),
      h('div', { class: 'actions' }, cancel, ok)));
    const returnFocus = /** @type {HTMLElement|null} */ (document.activeElement);
    const close = (/** @type {boolean} */ answer) => {
      dialog.close();
      dialog.remove();
      if (returnFocus && returnFocus.isConnected) returnFocus.focus();
      resolve(answer);
    };
    cancel.addEventListener('click', () => close(false));
    ok.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/**
 * A table with a caption and column headers.
 * @param {string} caption
 * @param {string[]} columns
 * @param {HTMLElement[]} rows
 * @returns {HTMLElement}
 */
export function table(caption, columns, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, rows)));
}
