import path from 'node:path';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
