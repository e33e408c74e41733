// Fixture of runner.test.mjs (not a test file): passing, skipped and todo tests, for the summary.
import { test, describe } from 'node:test'

describe('a suite', () => {
  test('one', () => {})
  test('two', async () => {})
})
test('three', () => {})
test.skip('skipped', () => {})
test.todo('todo')
