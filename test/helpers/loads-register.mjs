// `node --import ./test/helpers/loads-register.mjs app.js`: prints `LOADED <url>` on stderr for every
// module the app loads (test/unit/lazy-commands.test.ts checks what start-up loads).
import { register } from 'node:module';

register('./loads-hook.mjs', import.meta.url);
