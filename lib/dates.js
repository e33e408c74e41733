'use strict'
// Timestamps cross the native boundary as RFC 3339 strings and reach users as Dates.

function dateFields(obj, names) {
  if (obj === null || typeof obj !== 'object') return
  for (const name of names) if (typeof obj[name] === 'string') obj[name] = new Date(obj[name])
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

module.exports = { reviveDates, reviveMcpDates }
