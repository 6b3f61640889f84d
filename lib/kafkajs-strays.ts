// kafkajs 2.2.4 sometimes rejects a promise nobody awaits when a broker connection drops
// (tulios/kafkajs#939: "kafkajs terminates whole program when shutting down one broker").
// The operation that owned it fails or retries through its own path; only the stray
// rejection would crash the process. This tolerates exactly those, retriable KafkaJS
// errors, and keeps the default crash for anything else.

export function tolerateKafkajsStrayRejections(log: (message: string) => void = () => {}): void {
  process.on('unhandledRejection', (reason) => {
    const e = reason as { name?: string; retriable?: boolean; message?: string } | null;
    if (e && typeof e.name === 'string' && e.name.startsWith('KafkaJS') && e.retriable === true) {
      log(`ignored a stray kafkajs rejection: ${e.name}: ${e.message}`);
      return;
    }
    throw reason;
  });
}
