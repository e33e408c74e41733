'use strict'
// Tool modifiers (the Python SDK's `actions.pre_modifier` / `post_modifier`): functions that change
// a tool's input before it runs, or its result's `data` after, for the tools they name. One
// registry per client, applied in `lib/calls.js` `accountsCall` to every call that runs a tool —
// `actions.executeTool`, `tools.executeTool`, `forLLM(...).execute` and the agent-framework
// adapters — so no path skips them (docs/wire-protocol.md §15).

const util = require('node:util')
const native = require('./native.js')
const { fromNative } = require('./errors.js')
const { kindOf, throwMore } = require('./args.js')

/** The methods whose call runs a tool, and the param that holds the tool's input. */
const INPUT_PARAM = { executeTool: 'toolInput', 'tools.executeTool': 'params', executeLLMTool: 'arguments' }

/** A modifier's parts, checked by Rust (`args::modifier`): thrown as ScalekitValidationException. */
function check(method, toolNames, type, fn) {
  const names = Array.isArray(toolNames) ? toolNames.map(kindOf) : undefined
  try {
    native.checkModifier(method, kindOf(toolNames), names, typeof type === 'string' ? type : undefined, kindOf(type), kindOf(fn))
  } catch (e) {
    throw fromNative(e)
  }
}

/** One modifier: `type` 'pre' (input → input) or 'post' (data → data), for `toolNames`. */
class ToolModifier {
  /** Checked as `actions.addModifier` checks its modifier: ScalekitValidationException naming the part. */
  constructor(toolNames, type, fn, ...more) {
    throwMore('new ToolModifier', 3, more)
    check('new ToolModifier', toolNames, type, fn)
    this.toolNames = typeof toolNames === 'string' ? [toolNames] : toolNames
    this.type = type
    this.fn = fn
  }

  /** `data` through `fn` when `toolName` is one of this modifier's tools, else unchanged. */
  apply(toolName, data) {
    return this.toolNames.includes(toolName) ? this.fn(data) : data
  }

  [util.inspect.custom]() {
    return `ToolModifier { type: '${this.type}', toolNames: ${util.inspect(this.toolNames)} }`
  }
}

class Modifiers {
  #list = []

  add(modifier) {
    check('actions.addModifier', modifier?.toolNames, modifier?.type, modifier?.fn)
    const added = modifier instanceof ToolModifier ? modifier : new ToolModifier(modifier.toolNames, modifier.type, modifier.fn)
    this.#list.push(added)
    return added
  }

  register(method, type, toolNames, fn) {
    check(method, toolNames, type, fn)
    const modifier = new ToolModifier(toolNames, type, fn)
    this.#list.push(modifier)
    return modifier
  }

  /** `actions.getModifiers(toolName, type)`: `list`, its filters checked by Rust (`args::modifier_filter`). */
  query(toolName, type) {
    try {
      native.checkModifierFilter('actions.getModifiers', kindOf(toolName), typeof type === 'string' ? type : undefined, kindOf(type))
    } catch (e) {
      throw fromNative(e)
    }
    return this.list(toolName, type)
  }

  /** The modifiers, in the order added; only those naming `toolName`, and of `type`, when given. */
  list(toolName, type) {
    return this.#list.filter((m) => (toolName == null || m.toolNames.includes(toolName)) && (type == null || m.type === type))
  }

  /**
   * Runs a tool call through the modifiers: `run(params)` with the input the pre modifiers made,
   * then the post modifiers over the result's `data`. Without a modifier for the tool, `run` as it is.
   */
  around(method, params, run) {
    const inputParam = INPUT_PARAM[method]
    // Not async up to here: a call that runs no tool, or a client without modifiers, is `run` as
    // it is, with no promise more.
    if (inputParam === undefined || this.#list.length === 0) return run(params)
    let toolName
    try {
      toolName = params?.toolName
    } catch {
      // Params whose reads throw: `run` refuses them (lib/args.js `accountCall`).
    }
    if (typeof toolName !== 'string') return run(params)
    return this.#around(inputParam, toolName, params, run)
  }

  async #around(inputParam, toolName, params, run) {
    const pre = this.list(toolName, 'pre')
    const post = this.list(toolName, 'post')
    if (pre.length === 0 && post.length === 0) return run(params)
    let sent = params
    if (pre.length > 0) {
      let input
      try {
        input = params[inputParam]
      } catch {
        return run(params)
      }
      // A model's arguments may arrive as JSON text; one that does not parse is Rust's to refuse.
      if (typeof input === 'string') {
        try {
          input = JSON.parse(input)
        } catch {
          return run(params)
        }
      }
      for (const m of pre) input = await m.fn(input ?? {})
      sent = { ...params, [inputParam]: input }
    }
    const result = await run(sent)
    for (const m of post) result.data = await m.fn(result.data)
    return result
  }

  [util.inspect.custom]() {
    return `Modifiers(${this.#list.length})`
  }
}

module.exports = { Modifiers, ToolModifier }
