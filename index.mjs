// ESM entry: the same objects as the CommonJS entry (Node finds index.js's named exports).
export * from './index.js'
export { default } from './index.js'
