// Only the two Bootstrap plugins the dashboard loads (neither needs Popper).
// Hand-written because @types/bootstrap is not a dependency.
declare module 'bootstrap/js/dist/modal' {
  export default class Modal {
    constructor(element: Element, options?: { backdrop?: boolean | 'static'; keyboard?: boolean; focus?: boolean });
    show(): void;
    hide(): void;
    dispose(): void;
  }
}
declare module 'bootstrap/js/dist/collapse' {
  export default class Collapse {
    static getInstance(element: Element): Collapse | null;
    hide(): void;
  }
}
