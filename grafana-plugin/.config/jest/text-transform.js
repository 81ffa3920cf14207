/** Loads a file as its text, as esbuild's text loader bundles the backend's `.proto` files. */
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
