// Setup file of the vitest 'renderer' project (jsdom): shims for what jsdom lacks.

// jsdom has no ResizeObserver (Svelte's bind:clientWidth uses it); a no-op keeps sizes at 0,
// which the components treat as "unknown" and fall back to defaults.
if (!('ResizeObserver' in globalThis)) {
  class NoopResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  Object.defineProperty(globalThis, 'ResizeObserver', { value: NoopResizeObserver, configurable: true });
}
