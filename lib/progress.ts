// How long-running library code reports its steps without knowing about terminals: the
// CLI passes a spinner-backed implementation, tests and the service pass `silentProgress`.
export interface Progress {
  step<T>(title: string, fn: () => Promise<T>, describe?: (value: T) => string | undefined): Promise<T>;
  info(message: string): void;
}

export const silentProgress: Progress = {
  step: (_title, fn) => fn(),
  info: () => {},
};
