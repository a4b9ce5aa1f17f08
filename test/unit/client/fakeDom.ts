/**
 * Just enough of a DOM to run the Run panel's webview script (client/media/panel.js) in node: elements with
 * attributes, children and textContent, events, getElementById. Layout is absent (every size is 0), which the
 * script tolerates; tests read what it put into the tree.
 */
import * as vm from 'vm';

type Listener = (event: Record<string, unknown>) => void;

export class FakeNode {
  readonly children: FakeNode[] = [];
  parent: FakeNode | null = null;
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, Listener[]>();
  readonly style: Record<string, string> = {};
  hidden = false;
  scrollTop = 0;
  clientHeight = 0;
  value = '';
  private text = '';
  constructor(readonly tagName: string) {}
  get id(): string { return this.attributes.get('id') ?? ''; }
  get className(): string { return this.attributes.get('class') ?? ''; }
  set className(v: string) { this.attributes.set('class', v); }
  get classList() {
    const set = (names: string[]) => this.attributes.set('class', names.join(' '));
    const names = () => this.className.split(/\s+/).filter(Boolean);
    return {
      add: (n: string) => set([...new Set([...names(), n])]),
      remove: (n: string) => set(names().filter((x) => x !== n)),
      toggle: (n: string, on?: boolean) => ((on ?? !names().includes(n)) ? set([...new Set([...names(), n])]) : set(names().filter((x) => x !== n))),
      contains: (n: string) => names().includes(n),
    };
  }
  setAttribute(k: string, v: string): void { this.attributes.set(k, String(v)); if (k === 'hidden') this.hidden = true; }
  getAttribute(k: string): string | null { return this.attributes.get(k) ?? null; }
  removeAttribute(k: string): void { this.attributes.delete(k); }
  append(...nodes: Array<FakeNode | string>): void {
    for (const n of nodes) {
      const node = typeof n === 'string' ? textNode(n) : n;
      if (node.tagName === '#fragment') { this.append(...node.children.splice(0)); continue; }
      node.parent = this;
      this.children.push(node);
    }
  }
  replaceChildren(...nodes: Array<FakeNode | string>): void { this.children.splice(0); this.append(...nodes); }
  remove(): void { if (this.parent) this.parent.children.splice(this.parent.children.indexOf(this), 1); this.parent = null; }
  get textContent(): string { return this.tagName === '#text' ? this.text : this.children.map((c) => c.textContent).join(''); }
  set textContent(v: string) { this.children.splice(0); if (this.tagName === '#text') this.text = v; else this.append(textNode(v)); }
  addEventListener(type: string, fn: Listener): void { this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]); }
  dispatch(type: string, event: Record<string, unknown> = {}): void { for (const fn of this.listeners.get(type) ?? []) fn({ preventDefault() {}, ...event }); }
  getBoundingClientRect() { return { height: 0, width: 0, top: 0, left: 0 }; }
  focus(): void {}
  scrollIntoView(): void {}
  /** Every element below this one (depth first), for tests. */
  all(): FakeNode[] { return this.children.flatMap((c) => [c, ...c.all()]); }
  byId(id: string): FakeNode | null { return this.all().find((n) => n.id === id) ?? null; }
}

function textNode(text: string): FakeNode {
  const n = new FakeNode('#text');
  n.textContent = text;
  return n;
}

/** Runs the webview script against a fake document; returns the document body, the window and what it posted. */
export function runWebviewScript(script: string): { body: FakeNode; window: FakeNode; posted: unknown[]; send: (message: unknown) => void } {
  const body = new FakeNode('body');
  body.append(Object.assign(new FakeNode('div'), {}));
  body.children[0].setAttribute('id', 'app');
  const window = new FakeNode('window');
  const posted: unknown[] = [];
  const document = {
    createElement: (tag: string) => new FakeNode(tag),
    createTextNode: (text: string) => textNode(text),
    createDocumentFragment: () => new FakeNode('#fragment'),
    getElementById: (id: string) => body.byId(id),
    body,
  };
  const context = vm.createContext({
    window, document, console, setTimeout, clearTimeout, Math, Object, String, Number, Set, Map, Array, JSON,
    requestAnimationFrame: (fn: () => void) => setTimeout(fn, 0),
    acquireVsCodeApi: () => ({ postMessage: (m: unknown) => posted.push(m), getState: () => undefined, setState: () => undefined }),
  });
  vm.runInContext(script, context);
  return { body, window, posted, send: (message) => window.dispatch('message', { data: message }) };
}
