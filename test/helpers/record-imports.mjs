// `node --import ./record-imports.mjs`: appends every module URL the process resolves to the
// file named by RECORD_IMPORTS (one per line), through a module resolve hook.
import { register } from 'node:module';
import process from 'node:process';

if (process.env.RECORD_IMPORTS) {
  register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.RECORD_IMPORTS } });
}
