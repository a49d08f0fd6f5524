// wrangler (and the Workers vitest pool) turn a `*.wasm` import into a compiled module at build
// time, because Workers may not compile WebAssembly from bytes at runtime.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
