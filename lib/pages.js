'use strict'
// Auto-pagination: the promise of a list call's first page, also async-iterable over every item
// of every page (docs/architecture.md, "Pages"). Awaiting it gives the first page as before; a
// `for await` loop fetches each next page (by `nextPageToken`) only when it reaches it, with the
// call's own params, `signal` included, and nothing more once it stops.

/**
 * Makes `first` (the promise of the first page) iterable over the items of each page: those under
 * `key`, or what `key(page)` returns. `nextPage(pageToken)` fetches a following page;
 * `firstToken()` reads the `pageToken` the first page was asked with, if any: only once the first
 * page has arrived, so that params whose reads throw reject the call, never its caller's frame.
 */
function pagePromise(first, key, nextPage, firstToken) {
  Object.defineProperty(first, Symbol.asyncIterator, {
    value: () => walk(first, typeof key === 'function' ? key : (page) => page?.[key], nextPage, firstToken),
    configurable: true,
  })
  return first
}

async function* walk(first, itemsOf, nextPage, firstToken) {
  let page = await first
  // A server that hands out a token already followed would make the walk go round forever: it
  // ends there instead.
  const token = firstToken()
  const followed = new Set(typeof token === 'string' && token !== '' ? [token] : [])
  for (;;) {
    const items = itemsOf(page)
    if (Array.isArray(items)) {
      for (const item of items) yield item
    }
    const next = page?.nextPageToken
    if (typeof next !== 'string' || next === '' || followed.has(next)) return
    followed.add(next)
    page = await nextPage(next)
  }
}

module.exports = { pagePromise }
