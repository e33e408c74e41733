// The house as crates (docs/architecture.md "Crates"): the client core has no server crate and no
// napi anywhere in its dependency tree, LocalScalekit does not depend on the client core, only
// the glue crate depends on napi, and no module of any crate imports one that imports it back.
// Read from cargo itself (`cargo metadata`, `cargo tree`) and from the sources.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { fileURLToPath } from 'node:url'

// Not from helpers.mjs, which loads the addon: this file needs no build.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const SERVER_CRATES = ['axum', 'tonic', 'tonic-prost', 'prost', 'rcgen', 'rmcp', 'napi', 'napi-derive']

function cargo(args) {
  return new Promise((resolve, reject) =>
    execFile('cargo', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`cargo ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  )
}

/** Every crate in `pkg`'s tree of normal and build dependencies (dev-dependencies left out). */
async function dependencyTree(pkg) {
  const out = await cargo(['tree', '-p', pkg, '-e', 'normal,build', '--prefix', 'none', '--format', '{p}'])
  return new Set(out.split('\n').filter(Boolean).map((line) => line.split(' ')[0]))
}

test('the client core has no server crate and no napi in its dependency tree', async () => {
  const tree = await dependencyTree('scalekit-core')
  assert.ok(tree.has('reqwest'), 'the tree was read (reqwest is the core HTTP client)')
  for (const name of SERVER_CRATES) assert.ok(!tree.has(name), `scalekit-core depends on ${name}`)
  assert.ok(!tree.has('scalekit-local'), 'scalekit-core depends on LocalScalekit')
  // reqwest brings hyper as a client; nothing in the tree may turn on its server half.
  const features = await cargo(['tree', '-p', 'scalekit-core', '-e', 'features', '-i', 'hyper', '--prefix', 'none'])
  assert.match(features, /hyper feature "client"/, 'the features were read')
  assert.doesNotMatch(features, /hyper feature "server"/)
})

test('LocalScalekit does not depend on the client core, nor on napi', async () => {
  const tree = await dependencyTree('scalekit-local')
  assert.ok(tree.has('axum'), 'the tree was read')
  assert.ok(!tree.has('scalekit-core'), 'scalekit-local depends on the client core')
  assert.ok(!tree.has('napi'), 'scalekit-local depends on napi')
})

test('only the glue crate depends on napi, and it depends on both the core and LocalScalekit', async () => {
  const meta = JSON.parse(await cargo(['metadata', '--format-version', '1', '--no-deps']))
  const direct = Object.fromEntries(meta.packages.map((p) => [p.name, p.dependencies.map((d) => d.name)]))
  assert.deepEqual(
    Object.keys(direct).filter((name) => direct[name].some((d) => d === 'napi' || d === 'napi-derive')),
    ['scalekit-node'],
  )
  assert.ok(direct['scalekit-node'].includes('scalekit-core'))
  assert.ok(direct['scalekit-node'].includes('scalekit-local'))
})

// ------------------------------------------------------------------------------------------------
// Module import circles
// ------------------------------------------------------------------------------------------------

/** `src/a/b.rs` and `src/a/b/mod.rs` → `a::b`; `lib.rs`, `main.rs` → `` (the crate root). */
function moduleOf(file, srcDir) {
  const rel = path.relative(srcDir, file).replace(/\\/g, '/').replace(/\.rs$/, '')
  if (rel === 'lib' || rel === 'main') return ''
  return rel.replace(/\/mod$/, '').split('/').join('::')
}

function rustFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? rustFiles(p) : e.name.endsWith('.rs') ? [p] : []
  })
}

/**
 * The modules each module imports, at the granularity of files: `crate::x::y::Z` and
 * `super::x::Z` resolve to the longest module that exists. A file's `#[cfg(test)]` part (its tests,
 * which `use super::*` by design) is left out.
 */
function importGraph(srcDir) {
  const files = rustFiles(srcDir)
  const modules = new Set(files.map((f) => moduleOf(f, srcDir)))
  const graph = new Map()
  for (const file of files) {
    const self = moduleOf(file, srcDir)
    let text = fs.readFileSync(file, 'utf8')
    const tests = text.indexOf('#[cfg(test)]')
    if (tests >= 0) text = text.slice(0, tests)
    text = text.replace(/\/\/.*$/gm, '')
    const edges = new Set()
    for (const m of text.matchAll(/\b((?:crate|super|self)(?:::[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const parts = m[1].split('::')
      let base = self === '' ? [] : self.split('::')
      // A mod.rs module and a plain file both sit one level below their parent.
      if (parts[0] === 'crate') base = []
      else if (parts[0] === 'super') base = base.slice(0, -1)
      let i = 1
      while (parts[i] === 'super') {
        base = base.slice(0, -1)
        i++
      }
      let target = null
      for (let j = parts.length; j > i; j--) {
        const candidate = [...base, ...parts.slice(i, j)].join('::')
        if (modules.has(candidate)) {
          target = candidate
          break
        }
      }
      if (target !== null && target !== self) edges.add(target)
    }
    graph.set(self, edges)
  }
  return graph
}

/** Strongly connected components of more than one module (Tarjan). */
function circles(graph) {
  let index = 0
  const stack = []
  const info = new Map()
  const found = []
  const visit = (v) => {
    info.set(v, { index, low: index, onStack: true })
    index++
    stack.push(v)
    for (const w of graph.get(v) ?? []) {
      if (!info.has(w)) {
        visit(w)
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low)
      } else if (info.get(w).onStack) {
        info.get(v).low = Math.min(info.get(v).low, info.get(w).index)
      }
    }
    if (info.get(v).low === info.get(v).index) {
      const component = []
      let w
      do {
        w = stack.pop()
        info.get(w).onStack = false
        component.push(w)
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!info.has(v)) visit(v)
  return found
}

test('the circle finder sees a circle through `crate::` and `super::` paths', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-layout-'))
  try {
    fs.mkdirSync(path.join(dir, 'emu'))
    fs.writeFileSync(path.join(dir, 'lib.rs'), 'mod a;\nmod b;\nmod emu;\n')
    fs.writeFileSync(path.join(dir, 'a.rs'), 'use crate::b::Thing;\n')
    fs.writeFileSync(path.join(dir, 'b.rs'), 'pub struct Thing;\nfn f() { crate::a::g() }\n#[cfg(test)]\nmod tests { use crate::emu::links::X; }\n')
    fs.writeFileSync(path.join(dir, 'emu', 'mod.rs'), 'mod links;\nmod store;\n')
    fs.writeFileSync(path.join(dir, 'emu', 'links.rs'), 'use super::store::Store;\n')
    fs.writeFileSync(path.join(dir, 'emu', 'store.rs'), 'use crate::emu::links::Link;\n')
    assert.deepEqual(circles(importGraph(dir)).sort(), [['a', 'b'], ['emu::links', 'emu::store']])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

for (const crate of fs.readdirSync(path.join(ROOT, 'crates'))) {
  test(`no module of ${crate} imports one that imports it back`, () => {
    const graph = importGraph(path.join(ROOT, 'crates', crate, 'src'))
    assert.ok(graph.size > 1, `read the modules of ${crate}`)
    assert.deepEqual(circles(graph), [])
  })
}
