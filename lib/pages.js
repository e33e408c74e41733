'use strict'
// Auto-pagination: the promise of a list call's first page, also async-iterable over every item
// of every page (docs/architecture.md, "Pages"). Awaiting it gives the first page as before; a
// `for await` loop fetches each next page (by `nextPageToken`) only when it reaches it, with the
// call's own params, `signal` included, and nothing more once it stops.

/**
 * Makes `first` (the promise of the first page) iterable over the items under `key`;
 * `nextPage(pageToken)` fetches a following page.
 */
function pagePromise(first, key, nextPage) {
  Object.defineProperty(first, Symbol.asyncIterator, {
    value: () => walk(first, key, nextPage),
    configurable: true,
  })
  return first
}

async function* walk(first, key, nextPage) {
  let page = await first
  let token = ''
  for (;;) {
    const items = page?.[key]
    if (Array.isArray(items)) {
      for (const item of items) yield item
    }
    const next = page?.nextPageToken
    // A server repeating a token would loop forever: the walk ends there.
    if (typeof next !== 'string' || next === '' || next === token) return
    token = next
    page = await nextPage(next)
  }
}

module.exports = { pagePromise }
