'use strict'
// The client methods that take one params object (`actions`, `actions.mcp`; typed and documented
// in index.d.ts): what each of them does around its call, written once.

const { refuseMore } = require('./args.js')
const { pagePromise } = require('./pages.js')

/**
 * Defines on `Client.prototype`, as a class method would be, `name(params, ...more)` for each name
 * of `calls`, `pages` and `aliases`: a further argument is refused (as `${prefix}.${name}`), else
 * it resolves `send(client, method, params)`, `method` being the name or the one `aliases` gives
 * it. A name of `pages` resolves its first page, iterable over every item (those under the key it
 * names) of every page (lib/pages.js).
 */
function defineCalls(Client, prefix, send, { calls = [], pages = {}, aliases = {} }) {
  const define = (name, key) => {
    const method = aliases[name] ?? name
    // Method syntax: named `name`, and not a constructor, as a class method.
    const { [name]: value } = {
      [name](params, ...more) {
        const first = refuseMore(`${prefix}.${name}`, 1, more) ?? send(this, method, params)
        if (key === undefined) return first
        return pagePromise(first, key, (pageToken) => send(this, method, { ...params, pageToken }), () => params?.pageToken,
          `${prefix}.${name}`)
      },
    }
    Object.defineProperty(Client.prototype, name, { value, writable: true, configurable: true })
  }
  for (const name of [...calls, ...Object.keys(aliases)]) define(name)
  for (const [name, key] of Object.entries(pages)) define(name, key)
}

module.exports = { defineCalls }
