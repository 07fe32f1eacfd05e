// The page's shared helpers: DOM building and number formats. Classic scripts (the page also
// runs from file://) share one namespace, globalThis.LlmMemPage.
'use strict';

(function dom(page) {
  page.$ = (selector) => document.querySelector(selector);
  page.element = (tag, props = {}, children = []) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  };
  page.svg = (tag, attributes = {}) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  };
  page.gib = (value) => value.toFixed(2);
  // Thousands separators by hand, as toLocaleString('en-US') writes them (up to three decimals):
  // the first toLocaleString() loads the locale data, 80 ms of the first view on a small machine.
  page.count = (value) => {
    const [whole, fraction] = value.toFixed(3).split('.');
    const decimals = fraction.replace(/0+$/, '');
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (decimals ? '.' + decimals : '');
  };
  /** A <dl> of [label, value, testid] rows. */
  page.facts = (rows, prefix) => rows.flatMap(([label, value, key]) => {
    const dd = page.element('dd', { textContent: value });
    if (key) dd.dataset.testid = prefix + key;
    return [page.element('dt', { textContent: label }), dd];
  });
})(globalThis.LlmMemPage ??= {});
