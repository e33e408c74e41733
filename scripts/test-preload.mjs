// Preloaded (`--import`) into each test file's process by scripts/test-node.mjs, for two things
// node:test (Node 20) does not do by itself.
//
// 1. Every test and hook without its own `timeout` option gets TEST_NODE_TIMEOUT_MS. Node 20's
//    --test-timeout is not that: it bounds each file as a whole (nodejs/node#50431). node:test has
//    no public default, and wrapping its exported test() would make the wrapper every test's
//    reported location; so the default is given where node:test builds tests. The first test
//    object created (the root) is found with an async hook (node:test's tests are AsyncResources
//    of type 'Test'), and its class's createSubtest / createHook are wrapped.
// 2. --test-force-exit calls process.exit() once its reporter's source has closed, before the
//    reporter has written its last lines (the summary's `# duration_ms` goes missing every time):
//    the exit is held until stdout has taken them.
import { createHook } from 'node:async_hooks'
import { isMainThread } from 'node:worker_threads'

const ms = Number(process.env.TEST_NODE_TIMEOUT_MS)

if (isMainThread && Number.isSafeInteger(ms) && ms > 0) {
  const hook = createHook({
    init(asyncId, type, triggerAsyncId, resource) {
      if (type !== 'Test') return
      hook.disable()
      let proto = Object.getPrototypeOf(resource)
      while (proto && !Object.hasOwn(proto, 'createSubtest')) proto = Object.getPrototypeOf(proto)
      if (!proto || typeof proto.createHook !== 'function') {
        process.emitWarning(`unknown node:test internals: tests get no default timeout of ${ms} ms`)
        return
      }
      withDefaultTimeout(proto, proto.constructor)
    },
  })
  hook.enable()
}

if (isMainThread) {
  const exit = process.exit
  let exiting = false
  process.exit = function (code) {
    if (code !== undefined) process.exitCode = code
    if (exiting) return
    exiting = true
    // A few turns of the event loop let the reporter's stream pass its last lines on; a pipe
    // that is full is waited for (at most 2 s).
    const flushThenExit = (turns) => {
      if (turns < 3 || (process.stdout.writableLength > 0 && turns < 400)) setTimeout(flushThenExit, 5, turns + 1)
      else exit.call(process)
    }
    flushThenExit(0)
  }
}

function withDefaultTimeout(proto, Test) {
  const withTimeout = (options) =>
    options !== null && typeof options === 'object' && options.timeout != null ? options : { ...options, timeout: ms }
  const { createSubtest, createHook } = proto
  proto.createSubtest = function (Factory, name, options, fn, overrides) {
    // Suites (describe) are left alone: a suite's timeout would bound all its tests together.
    if (Factory !== Test) return createSubtest.call(this, Factory, name, options, fn, overrides)
    // The argument forms of test(): (fn), (options, fn), (name, fn), (name, options, fn).
    if (typeof name === 'function') return createSubtest.call(this, Factory, undefined, withTimeout(), name, overrides)
    if (name !== null && typeof name === 'object') return createSubtest.call(this, Factory, withTimeout(name), options, undefined, overrides)
    if (typeof options === 'function') return createSubtest.call(this, Factory, name, withTimeout(), options, overrides)
    return createSubtest.call(this, Factory, name, withTimeout(options), fn, overrides)
  }
  proto.createHook = function (name, fn, options) {
    return createHook.call(this, name, fn, withTimeout(options))
  }
}
