/**
 * jsdom, plus the Node primitives that jsdom replaces or lacks: timers (Node's have `unref`) and
 * `fetch`. The end-to-end tests run a real gateway in the test's own process, whose server code
 * needs them, while the plugin under test needs the DOM.
 */
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, {
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      setImmediate,
      clearImmediate,
      fetch,
      Headers,
      Request,
      Response,
      AbortController,
      AbortSignal,
    });
  }
}

module.exports = JsdomWithNodeEnvironment;
