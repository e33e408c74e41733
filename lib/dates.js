'use strict'
// Timestamps cross the native boundary as RFC 3339 strings and reach users as Dates.

/**
 * `obj[name]` as a Date for each of `names` that is a string. Rust sends only timestamps it read
 * (docs/wire-protocol.md §2); one a Date cannot read is left out all the same, as Rust leaves out
 * what it cannot read, never an `Invalid Date` that throws later in the caller's code.
 */
function dateFields(obj, names) {
  if (obj === null || typeof obj !== 'object') return
  for (const name of names) {
    if (typeof obj[name] !== 'string') continue
    const date = new Date(obj[name])
    if (Number.isNaN(date.getTime())) delete obj[name]
    else obj[name] = date
  }
}

function reviveAccount(account) {
  if (!account) return
  dateFields(account, ['tokenExpiresAt', 'updatedAt', 'lastUsedAt'])
  const value = account.authorizationDetails?.details?.value
  dateFields(value, ['tokenExpiresAt', 'expiry'])
}

/** Turns the timestamp fields of a connected-account result into Dates, in place. */
function reviveDates(result) {
  reviveAccount(result.connectedAccount)
  if (Array.isArray(result.connectedAccounts)) result.connectedAccounts.forEach(reviveAccount)
  if (Array.isArray(result.connections)) result.connections.forEach((c) => dateFields(c, ['createdAt']))
  dateFields(result, ['expiry'])
  return result
}

/** The same for an `actions.mcp` result: instances' timestamps and a session token's expiry. */
function reviveMcpDates(result) {
  const instance = (i) => dateFields(i, ['lastUsedAt', 'updatedAt'])
  instance(result.instance)
  if (Array.isArray(result.instances)) result.instances.forEach(instance)
  dateFields(result, ['expiresAt'])
  return result
}

module.exports = { dateFields, reviveDates, reviveMcpDates }
