// Module resolve hook for loads-register.mjs.
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write(`LOADED ${r.url}\n`);
  return r;
}
