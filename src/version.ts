/** cellar's version, as in package.json (a spec keeps the two equal); the tracer's instrumentation version. */
export const CELLAR_VERSION = '0.1.0';
