// testing/: the public entry for CI users who test against the ticketing stack with
// testcontainers (docs/testing.md, examples/ci-drill.ts).
export { startTicketingStack, type StartOptions, type TicketingStack } from './stack.ts';
