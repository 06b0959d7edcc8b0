export * from './errors.js';
export * from './inputs.js';
export * from './secrets.js';
export * from './reporter.js';
export * from './reporter-terminal.js';
export * from './run.js';
export * from './aws.js';
