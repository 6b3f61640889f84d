import type { Command } from 'commander';
import type { Kit } from '../../kit.ts';

// `ticketctl breaker ...`: registered here, loaded lazily inside each action.
export function register(_program: Command, _kit: Kit): void {}
