/** The official MongoDB driver bundled as one ES module for workerd tests; returns its path. */
export function bundleMongodbDriver(): Promise<string>;
