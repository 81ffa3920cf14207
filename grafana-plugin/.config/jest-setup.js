/**
 * What jsdom lacks and the browser has, for the components under test: Testing Library's
 * matchers, TextEncoder, matchMedia (Grafana's theme reads it), IntersectionObserver (its menus),
 * and the layout queries CodeMirror calls.
 */
require('@testing-library/jest-dom');
const util = require('util');

Object.assign(globalThis, { TextDecoder: util.TextDecoder, TextEncoder: util.TextEncoder });
// i18next (inside @grafana/ui) otherwise prints an advertisement in every test file.
process.env.I18NEXT_NO_SUPPORT_NOTICE = '1';

if (!window.matchMedia) {
  window.matchMedia = (query) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  });
}

const emptyRects = () => Object.assign([], { item: () => null });
const zeroRect = () => ({ x: 0, y: 0, top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0 });
if (!Range.prototype.getClientRects) Range.prototype.getClientRects = emptyRects;
if (!Range.prototype.getBoundingClientRect) Range.prototype.getBoundingClientRect = zeroRect;

// jsdom has no layout, so nothing ever intersects; Grafana's menus only observe.
if (!window.IntersectionObserver) {
  window.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}
