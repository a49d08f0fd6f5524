import { h } from '../dom';

/** A routed view: its element, a refresh the auto-refresh can call, and cleanup. */
export interface Page {
  element: HTMLElement;
  refresh(): Promise<void>;
  dispose?(): void;
}

export function pageHeader(title: string, ...tools: Array<Node | null>): HTMLElement {
  return h('div', { class: 'd-flex flex-wrap align-items-center gap-2 mb-3' },
    h('h1', { class: 'h4 mb-0 me-auto' }, title), ...tools);
}
