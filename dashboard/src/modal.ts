// Bootstrap modals built on demand and removed when closed, so a page never
// carries hidden forms (or a once-shown key) around in the DOM.
import Modal from 'bootstrap/js/dist/modal';
import { h, icon } from './dom';

export interface OpenModal {
  element: HTMLElement;
  body: HTMLElement;
  footer: HTMLElement;
  hide(): void;
}

const open = new Set<{ modal: Modal; element: HTMLElement }>();

export function openModal(options: { title: string; iconName: string; body: Node; footer: Node[]; testId: string; onHidden?: () => void }): OpenModal {
  const body = h('div', { class: 'modal-body' }, options.body);
  const footer = h('div', { class: 'modal-footer' }, ...options.footer);
  const titleId = `modal-title-${Math.random().toString(36).slice(2)}`;
  const element = h('div', { class: 'modal fade', tabindex: '-1', 'aria-labelledby': titleId, 'aria-modal': 'true', role: 'dialog', 'data-testid': options.testId },
    h('div', { class: 'modal-dialog modal-dialog-centered modal-fullscreen-sm-down' },
      h('div', { class: 'modal-content' },
        h('div', { class: 'modal-header' },
          h('h5', { class: 'modal-title d-flex gap-2 align-items-center', id: titleId }, icon(options.iconName), options.title),
          h('button', { type: 'button', class: 'btn-close', 'data-bs-dismiss': 'modal', 'aria-label': 'Close' })),
        body, footer)));
  document.body.appendChild(element);
  // Static backdrop: a stray click outside must not lose a half-filled form or an unseen key.
  const modal = new Modal(element, { backdrop: 'static' });
  const entry = { modal, element };
  open.add(entry);
  element.addEventListener('hidden.bs.modal', () => {
    open.delete(entry);
    modal.dispose();
    element.remove();
    options.onHidden?.();
  });
  modal.show();
  return { element, body, footer, hide: () => modal.hide() };
}

/** Removes every dialog at once (used when the session ends under an open form). */
export function closeAllModals(): void {
  for (const { modal, element } of open) {
    modal.dispose();
    element.remove();
  }
  open.clear();
  document.querySelectorAll('.modal-backdrop').forEach((backdrop) => backdrop.remove());
  document.body.classList.remove('modal-open');
  document.body.style.removeProperty('overflow');
  document.body.style.removeProperty('padding-right');
}

/** A labelled form control. */
export function field(label: string, control: HTMLElement, help?: string): HTMLElement {
  const id = control.id || `field-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  return h('div', { class: 'mb-3' },
    h('label', { class: 'form-label', for: id }, label),
    control,
    help ? h('div', { class: 'form-text' }, help) : null);
}
