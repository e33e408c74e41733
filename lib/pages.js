'use strict'
// Auto-pagination: the promise of a list call's first page, also async-iterable over every item
// of every page (docs/architecture.md, "Pages"). Awaiting it gives the first page as before; a
// `for await` loop fetches each next page (by `nextPageToken`) only when it reaches it, with the
// call's own params, `signal` included, and nothing more once it stops.

const native = require('./native.js')
const { fromNative } = require('./errors.js')

/**
 * A token longer than this is not remembered for the cycle check, so that a server's tokens cannot
 * grow a walk's memory without bound; a cycle of such tokens still ends at the page bound.
 */
const REMEMBERED_TOKEN_LENGTH = 1024

/**
 * Makes `first` (the promise of the first page) iterable over the items of each page: those under
 * `key`, or what `key(page)` returns. `nextPage(pageToken)` fetches a following page;
 * `firstToken()` reads the `pageToken` the first page was asked with, if any: only once the first
 * page has arrived, so that params whose reads throw reject the call, never its caller's frame.
 * `method` names the listing in the failure of a walk that does not end
 * (`actions.listConnectedAccounts`).
 */
function pagePromise(first, key, nextPage, firstToken, method) {
  Object.defineProperty(first, Symbol.asyncIterator, {
    value: () => walk(first, typeof key === 'function' ? key : (page) => page?.[key], nextPage, firstToken, method),
    configurable: true,
  })
  return first
}

async function* walk(first, itemsOf, nextPage, firstToken, method) {
  let page = await first
  // A server that hands out a token already followed would make the walk go round forever, and
  // one that hands out fresh tokens with empty pages (the loop body never runs to break) as
  // well: the first ends the walk there, the second at Rust's bound on empty pages in a row, with
  // its failure. Pages with items are the caller's to walk, however many.
  const followed = new Set()
  const remember = (token) => {
    if (token.length <= REMEMBERED_TOKEN_LENGTH) followed.add(token)
  }
  const token = firstToken()
  if (typeof token === 'string' && token !== '') remember(token)
  let emptyInARow = 0
  for (;;) {
    const items = itemsOf(page)
    if (Array.isArray(items) && items.length > 0) {
      emptyInARow = 0
      for (const item of items) yield item
    } else {
      emptyInARow++
    }
    const next = page?.nextPageToken
    if (typeof next !== 'string' || next === '' || followed.has(next)) return
    try {
      native.nextEmptyPageAllowed(method, emptyInARow)
    } catch (e) {
      throw fromNative(e)
    }
    remember(next)
    page = await nextPage(next)
  }
}

module.exports = { pagePromise }
