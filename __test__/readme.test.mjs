// The README's samples run as they are written (issue 15, item 5):
// - every ```js block appears verbatim in a file under examples/ (or, marked
//   `<!-- sample run by __test__/<file> -->` just above it, in that test file);
// - every example file holding one is run here as a child process, against LocalScalekit, and must
//   exit 0 by itself (unless another test file runs it);
// - every ```js and ```ts block compiles with `tsc --strict`, 'scalekit-native' mapped to index.d.ts;
// - the README's links to its own headings resolve, and it keeps the two commands `.ci/run` runs.
// Shell, JSON and Python blocks are not checked.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { ROOT, runNode, outputOf, envWithoutScalekit, startLocal } from './helpers.mjs'

const README = path.join(ROOT, 'README.md')
const EXAMPLES = path.join(ROOT, 'examples')
const TESTS = path.join(ROOT, '__test__')
const LIMIT_MS = 60_000
const CHECKED = new Set(['js', 'mjs', 'ts'])
const EXEMPT = new Set(['sh', 'shell', 'bash', 'console', 'json', 'python', 'text'])

/** Fenced blocks of `markdown`: `{ lang, code, line, marker }` (line: 1-based, of the opening fence). */
function codeBlocks(markdown) {
  const lines = markdown.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]) && l.trim() === open[1])
    assert.ok(end > i, `README.md:${i + 1}: a code fence that is never closed`)
    let before = i - 1
    while (before >= 0 && lines[before].trim() === '') before--
    const marker = /^<!-- sample run by (__test__\/[\w.-]+) -->$/.exec(lines[before] ?? '')?.[1]
    blocks.push({ lang: open[2].toLowerCase(), code: lines.slice(i + 1, end).join('\n'), line: i + 1, marker })
    i = end
  }
  return blocks
}

/** Whether `code` is in `text` as whole lines. */
function holds(text, code) {
  return `\n${text}\n`.includes(`\n${code}\n`)
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

function anchorsOf(markdown) {
  const anchors = new Set()
  const seen = new Map()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const h = !fenced && /^#{1,6}\s+(.*)$/.exec(line)
    if (!h) continue
    const base = slug(h[1])
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.add(n === 0 ? base : `${base}-${n}`)
  }
  return anchors
}

const readme = fs.readFileSync(README, 'utf8')
const blocks = codeBlocks(readme)
const exampleFiles = fs.readdirSync(EXAMPLES).filter((f) => /\.m?js$/.test(f)).sort()
const exampleText = new Map(exampleFiles.map((f) => [f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8')]))
const runBlocks = blocks.filter((b) => b.lang === 'js' || b.lang === 'mjs')

/** The example files that hold at least one README block. */
const sampleFiles = exampleFiles.filter((f) => runBlocks.some((b) => !b.marker && holds(exampleText.get(f), b.code)))

/** Other test files that already run examples/<file> (they name it). */
function runElsewhere(file) {
  return fs
    .readdirSync(TESTS)
    .filter((t) => t.endsWith('.test.mjs') && t !== 'readme.test.mjs')
    .filter((t) => {
      const text = fs.readFileSync(path.join(TESTS, t), 'utf8')
      return text.includes(`examples/${file}`) || text.includes(`'${file}'`)
    })
}

describe('README code blocks', () => {
  test('every block says its language, and it is one that is checked or exempt', () => {
    assert.ok(blocks.length > 10, `found only ${blocks.length} blocks`)
    const unknown = blocks.filter((b) => !CHECKED.has(b.lang) && !EXEMPT.has(b.lang))
    assert.deepEqual(unknown.map((b) => `README.md:${b.line} \`\`\`${b.lang}`), [])
  })

  test('every js block is a file under examples/ (or in the test named above it)', () => {
    const missing = []
    for (const b of runBlocks) {
      if (b.marker) {
        const file = path.join(ROOT, b.marker)
        if (!fs.existsSync(file) || !holds(fs.readFileSync(file, 'utf8'), b.code)) missing.push(`README.md:${b.line} is not in ${b.marker}`)
      } else if (!exampleFiles.some((f) => holds(exampleText.get(f), b.code))) {
        missing.push(`README.md:${b.line} (${b.code.split('\n').find((l) => l.trim() && !l.startsWith('import')) ?? ''}) is in no file under examples/`)
      }
    }
    assert.deepEqual(missing, [])
  })

  test('the two quick starts are the first two samples, LocalScalekit first', () => {
    const [local, real] = runBlocks
    assert.ok(holds(exampleText.get('quick-start-local.mjs'), local.code), `README.md:${local.line}`)
    assert.ok(holds(exampleText.get('quick-start.mjs'), real.code), `README.md:${real.line}`)
    assert.match(real.code, /ScalekitClient\.fromEnv\(\)/)
    assert.ok(local.code.split('\n').filter((l) => l.trim()).length <= 11, 'the LocalScalekit quick start stays about ten lines')
  })

  test('the README keeps the commands .ci/run runs', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
    const shell = blocks.filter((b) => b.lang === 'sh').map((b) => b.code).join('\n')
    assert.match(shell, /^npm install && npm run example\b/m)
    assert.match(shell, /^npm test\b/m)
    assert.match(ci, /^npm install$/m)
    assert.match(ci, /^npm run example\b/m)
    assert.match(ci, /^npm test$/m)
  })

  test('links to headings resolve (README.md and CONTRIBUTING.md)', () => {
    const docs = { 'README.md': readme, 'CONTRIBUTING.md': fs.readFileSync(path.join(ROOT, 'CONTRIBUTING.md'), 'utf8') }
    const broken = []
    for (const [name, text] of Object.entries(docs)) {
      for (const [, file, anchor] of text.matchAll(/\]\(((?:README|CONTRIBUTING)\.md)?#([^)\s]+)\)/g)) {
        const target = file ?? name
        if (!anchorsOf(docs[target]).has(anchor)) broken.push(`${name}: ${target}#${anchor}`)
      }
    }
    assert.deepEqual(broken, [])
  })
})

// ------------------------------------------------------------------------------------------------
// tsc --strict on every js and ts block
// ------------------------------------------------------------------------------------------------

/**
 * Compiles each `{ name, code }` as its own ES module (`<name>.mts`) in a temporary folder with the
 * repository's TypeScript and `__test__/tsconfig.json`'s options (strict), 'scalekit-native'
 * resolved to the repository's index.d.ts and other packages (node's types, the official SDK) from
 * its node_modules. Resolves `{ status, output, failed }` where `failed` lists the names with
 * errors.
 */
function compile(sources) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-readme-tsc-'))
  try {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'junction')
    for (const { name, code } of sources) fs.writeFileSync(path.join(dir, `${name}.mts`), `${code}\n`)
    // The settings of `npm run typecheck` (strict, nodenext), with the package name mapped; library
    // typings unchecked: @scalekit-sdk/node 2.11's own .d.ts does not compile (TS2749 in core.d.ts).
    const base = JSON.parse(fs.readFileSync(path.join(TESTS, 'tsconfig.json'), 'utf8'))
    const paths = { 'scalekit-native': [path.join(ROOT, 'index.d.ts')] }
    const tsconfig = {
      compilerOptions: { ...base.compilerOptions, skipLibCheck: true, paths },
      files: sources.map(({ name }) => `${name}.mts`),
    }
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    const tsc = path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc')
    const r = spawnSync(tsc, ['-p', path.join(dir, 'tsconfig.json'), '--strict', '--noEmit', '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 180_000,
      shell: process.platform === 'win32',
    })
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`
    const failed = [...new Set([...output.matchAll(/^([\w-]+)\.mts\(/gm)].map((m) => m[1]))]
    return { status: r.status, output, failed }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe('README samples compile with tsc --strict', () => {
  // tsc may take up to 180 s (its spawnSync timeout).
  test('every js and ts block compiles', { timeout: 200_000 }, () => {
    const typed = blocks.filter((b) => CHECKED.has(b.lang))
    const { status, output, failed } = compile(typed.map((b) => ({ name: `readme-line-${b.line}`, code: b.code })))
    assert.deepEqual(failed, [], output)
    assert.equal(status, 0, output)
  })

  test('the check fails on a block that does not compile (the old quick start)', () => {
    const old = [
      "import { ScalekitClient } from 'scalekit-native'",
      'const scalekit = new ScalekitClient(process.env.SCALEKIT_ENV_URL, process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET)',
      "const { connectedAccount } = await scalekit.actions.getConnectedAccount({ connectionName: 'gmail', identifier: 'user_123' })",
      'console.log(connectedAccount.status)',
      "await actions.request({ connectionName: 'gmail', identifier, path: '/x' })",
    ].join('\n')
    const good = runBlocks[0]
    const { status, output, failed } = compile([
      { name: 'old', code: old },
      { name: 'good', code: good.code },
    ])
    assert.notEqual(status, 0, output)
    assert.deepEqual(failed, ['old'], output)
    assert.match(output, /TS2345/, 'string | undefined given for a string')
    assert.match(output, /TS18048/, "'connectedAccount' is possibly 'undefined'")
    assert.match(output, /Cannot find name 'actions'/)
    assert.match(output, /shorthand property 'identifier'/)
  })
})

// ------------------------------------------------------------------------------------------------
// The example files run
// ------------------------------------------------------------------------------------------------

/** What each sample must print (beyond exiting 0), and how to run it when the default will not do. */
const EXPECT = {
  'quick-start-local.mjs': /^200 \{/m,
  'requests.mjs': /path: '\/services\/data\/v60\.0\/query'[\s\S]*^200$/m,
  'accounts.mjs': /'my-crm: ACTIVE'/,
  'errors.mjs': /^404 .*connected account not found/m,
  'abort.mjs': /^200$/m,
  'tools-for-llm.mjs': /'gmail_get_profile'[\s\S]*role: 'tool'/,
  'local-tools.mjs': /query: 'limit=5'/,
  'local-reference.mjs': /\{ token: 1, magic_link: 1, authorize: 1 \}[\s\S]*is EXPIRED, not ACTIVE\n1\n/,
  'official-sdk-local.mjs': /^200 Bearer emu_at_/m,
}

async function runSample(file, { env = envWithoutScalekit(), cwd } = {}) {
  const dir = cwd ?? fs.mkdtempSync(path.join(os.tmpdir(), 'skn-readme-run-'))
  const r = await runNode([path.join(EXAMPLES, file)], { cwd: dir, env, stdin: 'ignore', timeoutMs: LIMIT_MS })
  const output = outputOf(r)
  assert.equal(r.timedOut, false, `examples/${file} did not exit within ${LIMIT_MS} ms\n${output}`)
  assert.equal(r.code, 0, `examples/${file}\n${output}`)
  return { ...r, dir, output }
}

describe('the examples holding README samples run against LocalScalekit and exit 0 by themselves', () => {
  test('there are such examples, and each is run by a test', () => {
    assert.ok(sampleFiles.includes('quick-start-local.mjs') && sampleFiles.includes('quick-start.mjs'), sampleFiles.join(' '))
  })

  for (const file of sampleFiles) {
    const elsewhere = runElsewhere(file)
    if (elsewhere.length > 0) {
      test(`examples/${file} is run by ${elsewhere.join(', ')}`, () => {})
      continue
    }
    if (file === 'quick-start.mjs' || file === 'networks.mjs' || file === 'streaming-download.mjs') continue
    test(`examples/${file}`, { timeout: LIMIT_MS + 5_000 }, async () => {
      const r = await runSample(file)
      fs.rmSync(r.dir, { recursive: true, force: true })
      if (EXPECT[file]) assert.match(r.stdout, EXPECT[file], r.output)
    })
  }

  test('examples/quick-start.mjs with SCALEKIT_* pointed at a LocalScalekit: prints the link, waits for authorization, then calls', { timeout: 2 * LIMIT_MS }, async (t) => {
    const local = await startLocal(t)
    const env = envWithoutScalekit(local.env())
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-readme-run-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    let followed
    const first = await runNode([path.join(EXAMPLES, 'quick-start.mjs')], {
      cwd: dir,
      env,
      stdin: 'ignore',
      timeoutMs: LIMIT_MS,
      // The user opens the link once it is printed; the sample is waiting for them by then.
      onStdout: (stdout) => {
        const link = /^(https?:\/\/\S+)$/m.exec(stdout)?.[1]
        if (link === undefined || followed !== undefined) return
        assert.equal(local.accounts()[0]?.status, 'PENDING_AUTH')
        followed = fetch(link).then(async (page) => { await page.arrayBuffer(); return page.status })
      },
    })
    assert.equal(first.code, 0, outputOf(first))
    assert.ok(followed !== undefined, `prints the authorization link\n${outputOf(first)}`)
    assert.equal(await followed, 200)
    assert.match(first.stdout, /^200 \{/m, outputOf(first))
    assert.match(first.stdout, /path: '\/gmail\/v1\/users\/me\/profile'/, outputOf(first))
    assert.equal(local.stats().proxy, 1)

    // Once authorized, a second run makes the call at once, without a link.
    const second = await runSample('quick-start.mjs', { env, cwd: dir })
    assert.doesNotMatch(second.stdout, /Open this link/, second.output)
    assert.match(second.stdout, /^200 \{/m, second.output)
    assert.equal(local.stats().proxy, 2)
  })

  test('examples/streaming-download.mjs writes the download to a file', { timeout: LIMIT_MS + 5_000 }, async () => {
    const r = await runSample('streaming-download.mjs')
    const saved = JSON.parse(fs.readFileSync(path.join(r.dir, 'download.bin'), 'utf8'))
    fs.rmSync(r.dir, { recursive: true, force: true })
    assert.equal(saved.path, '/drive/v3/files/your-file-id')
    assert.equal(saved.query, 'alt=media')
  })

  test('examples/networks.mjs, with COMPANY_CA_FILE naming a CA file', { timeout: LIMIT_MS + 5_000 }, async (t) => {
    const tlsLocal = await startLocal(t, { tls: true })
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skn-readme-ca-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    fs.writeFileSync(path.join(dir, 'ca.pem'), tlsLocal.caCertificate)
    const r = await runSample('networks.mjs', { env: envWithoutScalekit({ COMPANY_CA_FILE: path.join(dir, 'ca.pem') }), cwd: dir })
    assert.match(r.stdout, /^ScalekitClient \{[^\n]*\} ScalekitClient \{[^\n]*\} ScalekitClient \{[^\n]*\}$/m, r.output)
    assert.doesNotMatch(r.output, /user:pass|secret/i, 'no credentials in the output')
  })
})
